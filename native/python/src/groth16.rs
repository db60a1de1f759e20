//! Groth16 bindings (`groth16_*` functions and two classes in each curve submodule).
//!
//! Everything crosses as bytes in the core's byte forms (`zkcredit_core::groth16::data`);
//! the GIL is released around every computation.
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use zkcredit_core::algebra::scalar;
use zkcredit_core::error::CoreError;
use zkcredit_core::groth16::{
    prove, setup, verify, Matrices, PreparedVerifyingKey, Proof, ProvingKey, VerifyingKey,
};

use crate::errors::PyCoreError;

fn core_err(e: CoreError) -> PyErr {
    PyCoreError(e).into()
}

macro_rules! groth16_module {
    ($modname:ident, $curve:ty, $module:tt) => {
        pub(crate) mod $modname {
            use super::*;
            use zkcredit_core::algebra::Curve;

            type C = $curve;
            type Fr = <C as Curve>::Fr;

            /// A proving key held in native memory (decoded once, used by many proofs).
            #[pyclass(name = "Groth16ProvingKey", module = $module, frozen)]
            pub struct PyProvingKey {
                pk: ProvingKey<C>,
            }

            #[pymethods]
            impl PyProvingKey {
                /// Validated decoding of the body byte form (every point checked).
                #[staticmethod]
                fn from_bytes(py: Python<'_>, body: &[u8]) -> PyResult<Self> {
                    let pk = py
                        .allow_threads(|| ProvingKey::<C>::from_bytes(body))
                        .map_err(core_err)?;
                    Ok(Self { pk })
                }

                /// Decoding WITHOUT curve/subgroup checks of the query vectors: only for
                /// bytes whose integrity hash the caller has verified.
                #[staticmethod]
                fn from_bytes_unchecked(py: Python<'_>, body: &[u8]) -> PyResult<Self> {
                    let pk = py
                        .allow_threads(|| ProvingKey::<C>::from_bytes_unchecked(body))
                        .map_err(core_err)?;
                    Ok(Self { pk })
                }

                /// The body byte form.
                fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
                    let out = py.allow_threads(|| self.pk.to_bytes());
                    PyBytes::new(py, &out)
                }

                /// The embedded verifying key's byte form.
                fn verifying_key_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
                    PyBytes::new(py, &self.pk.vk.to_bytes())
                }

                #[getter]
                fn n_wires(&self) -> usize {
                    self.pk.n_wires
                }

                #[getter]
                fn n_public(&self) -> usize {
                    self.pk.n_public()
                }

                #[getter]
                fn domain_size(&self) -> usize {
                    self.pk.domain_size
                }
            }

            /// A verifying key with e(alpha, beta), -gamma and -delta precomputed.
            #[pyclass(name = "Groth16PreparedVerifyingKey", module = $module, frozen)]
            pub struct PyPreparedVerifyingKey {
                pvk: PreparedVerifyingKey<C>,
            }

            #[pymethods]
            impl PyPreparedVerifyingKey {
                /// Validates the verifying key bytes (refusing degenerate keys) and
                /// prepares them.
                #[new]
                fn new(py: Python<'_>, vk: &[u8]) -> PyResult<Self> {
                    let pvk = py
                        .allow_threads(|| {
                            VerifyingKey::<C>::from_bytes(vk)
                                .map(|k| verify::prepare_verifying_key(&k))
                        })
                        .map_err(core_err)?;
                    Ok(Self { pvk })
                }

                #[getter]
                fn n_public(&self) -> usize {
                    self.pvk.vk.n_public()
                }
            }

            /// A constraint system decoded once from the compact byte form (validated:
            /// wire indices in range, canonical coefficients).
            #[pyclass(name = "Groth16Matrices", module = $module, frozen)]
            pub struct PyMatrices {
                pub(crate) m: Matrices<Fr>,
            }

            #[pymethods]
            impl PyMatrices {
                #[new]
                fn new(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
                    let m = py
                        .allow_threads(|| Matrices::<Fr>::from_bytes(data))
                        .map_err(core_err)?;
                    Ok(Self { m })
                }

                #[getter]
                fn n_constraints(&self) -> usize {
                    self.m.n_constraints()
                }
            }

            /// Development setup from the compact matrices; toxic waste from the OS.
            #[pyfunction]
            fn groth16_setup(py: Python<'_>, matrices: &PyMatrices) -> PyResult<PyProvingKey> {
                let pk = py
                    .allow_threads(|| setup::setup::<C>(&matrices.m))
                    .map_err(core_err)?;
                Ok(PyProvingKey { pk })
            }

            fn prove_impl<'py>(
                py: Python<'py>,
                pk: &PyProvingKey,
                matrices: &PyMatrices,
                witness: &[u8],
                zk: bool,
            ) -> PyResult<Bound<'py, PyBytes>> {
                let out = py
                    .allow_threads(|| {
                        let m = &matrices.m;
                        let w = scalar::decode::<Fr>(witness)?;
                        let proof = if zk {
                            prove::prove::<C>(&pk.pk, m, &w)?
                        } else {
                            prove::prove_no_zk::<C>(&pk.pk, m, &w)?
                        };
                        Ok::<_, CoreError>(proof.to_bytes())
                    })
                    .map_err(core_err)?;
                Ok(PyBytes::new(py, &out))
            }

            /// A zero-knowledge proof (bytes a || b || c).
            #[pyfunction]
            fn groth16_prove<'py>(
                py: Python<'py>,
                pk: &PyProvingKey,
                matrices: &PyMatrices,
                witness: &[u8],
            ) -> PyResult<Bound<'py, PyBytes>> {
                prove_impl(py, pk, matrices, witness, true)
            }

            /// A deterministic, NOT zero-knowledge proof (r = s = 0). Tests only.
            #[pyfunction]
            fn groth16_prove_no_zk<'py>(
                py: Python<'py>,
                pk: &PyProvingKey,
                matrices: &PyMatrices,
                witness: &[u8],
            ) -> PyResult<Bound<'py, PyBytes>> {
                prove_impl(py, pk, matrices, witness, false)
            }

            /// Verifies one proof; malformed input raises, a wrong proof is False.
            #[pyfunction]
            fn groth16_verify(
                py: Python<'_>,
                pvk: &PyPreparedVerifyingKey,
                inputs: &[u8],
                proof: &[u8],
            ) -> PyResult<bool> {
                py.allow_threads(|| {
                    let x = scalar::decode::<Fr>(inputs)?;
                    let p = Proof::<C>::from_bytes(proof)?;
                    verify::verify_proof::<C>(&pvk.pvk, &p, &x)
                })
                .map_err(core_err)
            }

            /// Verifies many proofs with one random linear combination.
            #[pyfunction]
            fn groth16_batch_verify(
                py: Python<'_>,
                pvk: &PyPreparedVerifyingKey,
                inputs: Vec<Vec<u8>>,
                proofs: Vec<Vec<u8>>,
            ) -> PyResult<bool> {
                py.allow_threads(|| {
                    if inputs.len() != proofs.len() {
                        return Err(CoreError::InvalidArgument(format!(
                            "{} input lists for {} proofs",
                            inputs.len(),
                            proofs.len()
                        )));
                    }
                    let items = inputs
                        .iter()
                        .zip(&proofs)
                        .map(|(x, p)| Ok((Proof::<C>::from_bytes(p)?, scalar::decode::<Fr>(x)?)))
                        .collect::<Result<Vec<_>, CoreError>>()?;
                    verify::batch_verify::<C>(&pvk.pvk, &items)
                })
                .map_err(core_err)
            }

            pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
                m.add_class::<PyProvingKey>()?;
                m.add_class::<PyPreparedVerifyingKey>()?;
                m.add_class::<PyMatrices>()?;
                m.add_function(wrap_pyfunction!(groth16_setup, m)?)?;
                m.add_function(wrap_pyfunction!(groth16_prove, m)?)?;
                m.add_function(wrap_pyfunction!(groth16_prove_no_zk, m)?)?;
                m.add_function(wrap_pyfunction!(groth16_verify, m)?)?;
                m.add_function(wrap_pyfunction!(groth16_batch_verify, m)?)?;
                Ok(())
            }
        }
    };
}

groth16_module!(
    bn254,
    zkcredit_core::algebra::Bn254,
    "zkcredit._native.bn254"
);
groth16_module!(
    bls12_381,
    zkcredit_core::algebra::Bls12_381,
    "zkcredit._native.bls12_381"
);

/// Registers the Groth16 bindings into the `bn254` submodule.
pub fn register_bn254(module: &Bound<'_, PyModule>) -> PyResult<()> {
    bn254::register(module)
}

/// Registers the Groth16 bindings into the `bls12_381` submodule.
pub fn register_bls12_381(module: &Bound<'_, PyModule>) -> PyResult<()> {
    bls12_381::register(module)
}
