//! Curve kernels (fields, points, MSM, FFT, pairing) exposed per curve.
//!
//! One macro instantiates the same classes and functions for BN254 and BLS12-381
//! (E1). Scalar vectors cross as `bytes` (one copy each way, no Python object per
//! element); point vectors stay in Rust inside the opaque, immutable `G1` / `G2`
//! classes. The GIL is released around every kernel that scales with its input.
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyInt, PyList, PySlice, PyTuple};
use zkcredit_core::algebra::codec::{self, Fp, PointCodec};
use zkcredit_core::algebra::fft::{transform as fft_transform, Transform};
use zkcredit_core::algebra::{pairing, points, scalar, Affine};
use zkcredit_core::error::CoreError;

use crate::errors::PyCoreError;

fn core_err(e: CoreError) -> PyErr {
    PyCoreError(e).into()
}

fn bytes_result<'py>(
    py: Python<'py>,
    r: Result<Vec<u8>, CoreError>,
) -> PyResult<Bound<'py, PyBytes>> {
    r.map(|v| PyBytes::new(py, &v)).map_err(core_err)
}

/// A Python int from little-endian bytes.
/// Most scalars one `fr_random` call may produce (8 GiB); more would abort on allocation.
const MAX_RANDOM_SCALARS: usize = 1 << 28;

/// Validates the count of `fr_random`: a plain non-negative int (not a bool), bounded.
fn random_count(n: &Bound<'_, PyAny>) -> PyResult<usize> {
    let refuse = || {
        core_err(CoreError::InvalidArgument(format!(
            "fr_random: n must be an int in 0..={MAX_RANDOM_SCALARS}, got {n}"
        )))
    };
    if n.is_instance_of::<PyBool>() || !n.is_instance_of::<PyInt>() {
        return Err(refuse());
    }
    match n.extract::<usize>() {
        Ok(count) if count <= MAX_RANDOM_SCALARS => Ok(count),
        _ => Err(refuse()),
    }
}

fn int_from_le(py: Python<'_>, le: &[u8]) -> PyResult<PyObject> {
    Ok(py
        .get_type::<PyInt>()
        .call_method1("from_bytes", (PyBytes::new(py, le), "little"))?
        .unbind())
}

/// A base-prime-field element from a Python int: `0 <= v < q` or `NonCanonicalCoordinate`.
fn prime_from_int<P: PointCodec>(obj: &Bound<'_, PyAny>) -> PyResult<Fp<P>> {
    if obj.is_instance_of::<PyBool>() || !obj.is_instance_of::<PyInt>() {
        return Err(core_err(CoreError::InvalidEncoding(format!(
            "a coordinate must be an int, got {}",
            obj.get_type().name()?
        ))));
    }
    let size = P::component_bytes();
    let bits: usize = obj.call_method0("bit_length")?.extract()?;
    if obj.lt(0)? || bits > 8 * size {
        return Err(core_err(CoreError::NonCanonicalCoordinate(
            "coordinate is not in [0, q)".into(),
        )));
    }
    let le: Vec<u8> = obj.call_method1("to_bytes", (size, "little"))?.extract()?;
    codec::prime_from_le::<Fp<P>>(&le).map_err(core_err)
}

/// One coordinate: an int (degree 1) or a pair of ints `(c0, c1)` (degree 2).
fn coordinate_from_py<P: PointCodec>(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Fp<P>>> {
    if P::degree() == 1 {
        return Ok(vec![prime_from_int::<P>(obj)?]);
    }
    let t = obj.downcast::<PyTuple>().map_err(|_| {
        core_err(CoreError::InvalidEncoding(format!(
            "a {} coordinate is a tuple (c0, c1) of ints",
            P::LABEL
        )))
    })?;
    if t.len() != P::degree() {
        return Err(core_err(CoreError::InvalidEncoding(format!(
            "a {} coordinate has {} components, got {}",
            P::LABEL,
            P::degree(),
            t.len()
        ))));
    }
    t.iter().map(|c| prime_from_int::<P>(&c)).collect()
}

fn coordinate_to_py<P: PointCodec>(py: Python<'_>, comps: &[Fp<P>]) -> PyResult<PyObject> {
    let ints = comps
        .iter()
        .map(|c| int_from_le(py, &codec::prime_to_le(c)))
        .collect::<PyResult<Vec<_>>>()?;
    if ints.len() == 1 {
        Ok(ints.into_iter().next().expect("one component"))
    } else {
        Ok(PyTuple::new(py, ints)?.into_any().unbind())
    }
}

/// Points from `[None | (x, y), ...]`, validated.
fn points_from_affine<P: PointCodec>(points: &Bound<'_, PyAny>) -> PyResult<Vec<Affine<P>>> {
    let mut out = Vec::new();
    for (i, item) in points.try_iter()?.enumerate() {
        let item = item?;
        if item.is_none() {
            out.push(codec::from_components::<P>(None).map_err(core_err)?);
            continue;
        }
        let pair = item
            .downcast::<PyTuple>()
            .ok()
            .filter(|t| t.len() == 2)
            .ok_or_else(|| {
                core_err(CoreError::InvalidEncoding(format!(
                    "{} point {i}: expected None or a tuple (x, y)",
                    P::LABEL
                )))
            })?;
        let x = coordinate_from_py::<P>(&pair.get_item(0)?)?;
        let y = coordinate_from_py::<P>(&pair.get_item(1)?)?;
        let p = codec::from_components::<P>(Some((&x, &y))).map_err(|e| {
            core_err(match e {
                CoreError::PointNotOnCurve(m) => {
                    CoreError::PointNotOnCurve(format!("point {i}: {m}"))
                }
                CoreError::PointNotInSubgroup(m) => {
                    CoreError::PointNotInSubgroup(format!("point {i}: {m}"))
                }
                other => other,
            })
        })?;
        out.push(p);
    }
    Ok(out)
}

fn points_to_affine<'py, P: PointCodec>(
    py: Python<'py>,
    pts: &[Affine<P>],
) -> PyResult<Bound<'py, PyList>> {
    let items = pts
        .iter()
        .map(|p| match codec::to_components(p) {
            None => Ok(py.None()),
            Some((x, y)) => {
                let t = PyTuple::new(
                    py,
                    [
                        coordinate_to_py::<P>(py, &x)?,
                        coordinate_to_py::<P>(py, &y)?,
                    ],
                )?;
                Ok(t.into_any().unbind())
            }
        })
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}

fn hash_points<P: PointCodec>(pts: &[Affine<P>]) -> u64 {
    let mut h = DefaultHasher::new();
    codec::encode_vec(pts, true).hash(&mut h);
    h.finish()
}

/// Resolves `v[key]` for an int or a slice.
fn select<T: Copy>(items: &[T], key: &Bound<'_, PyAny>) -> PyResult<Vec<T>> {
    let len = items.len() as isize;
    if let Ok(slice) = key.downcast::<PySlice>() {
        let ix = slice.indices(len)?;
        let mut out = Vec::with_capacity(ix.slicelength);
        let mut i = ix.start;
        for _ in 0..ix.slicelength {
            out.push(items[i as usize]);
            i += ix.step;
        }
        return Ok(out);
    }
    if key.is_instance_of::<PyInt>() {
        let mut i: isize = key.extract()?;
        if i < 0 {
            i += len;
        }
        if i < 0 || i >= len {
            return Err(PyIndexError::new_err("point index out of range"));
        }
        return Ok(vec![items[i as usize]]);
    }
    Err(PyTypeError::new_err("indices must be integers or slices"))
}

/// Defines an immutable point-vector class `$name` over the curve configuration `$cfg`.
macro_rules! point_class {
    ($name:ident, $cfg:ty, $module:tt, $label:tt) => {
        /// An immutable vector of validated points (on the curve, in the subgroup).
        #[pyclass(name = $label, module = $module, frozen)]
        pub struct $name {
            pub(crate) pts: Vec<Affine<$cfg>>,
        }

        impl $name {
            fn wrap(pts: Vec<Affine<$cfg>>) -> Self {
                Self { pts }
            }
        }

        #[pymethods]
        impl $name {
            /// Decodes concatenated arkworks encodings, validating every point.
            #[staticmethod]
            #[pyo3(signature = (data, *, compressed))]
            fn from_bytes(py: Python<'_>, data: &[u8], compressed: bool) -> PyResult<Self> {
                py.allow_threads(|| codec::decode_vec::<$cfg>(data, compressed))
                    .map(Self::wrap)
                    .map_err(core_err)
            }

            /// Builds points from affine integer coordinates (`None` is infinity).
            #[staticmethod]
            fn from_affine(points: &Bound<'_, PyAny>) -> PyResult<Self> {
                points_from_affine::<$cfg>(points).map(Self::wrap)
            }

            /// The fixed generator, as a vector of length 1.
            #[staticmethod]
            fn generator() -> Self {
                Self::wrap(points::generator::<$cfg>())
            }

            /// The point at infinity, as a vector of length 1.
            #[staticmethod]
            fn identity() -> Self {
                Self::wrap(vec![codec::from_components::<$cfg>(None).expect("identity")])
            }

            /// Concatenated arkworks encodings.
            #[pyo3(signature = (*, compressed))]
            fn to_bytes<'py>(&self, py: Python<'py>, compressed: bool) -> Bound<'py, PyBytes> {
                let out = py.allow_threads(|| codec::encode_vec(&self.pts, compressed));
                PyBytes::new(py, &out)
            }

            /// Affine integer coordinates, `None` for infinity.
            fn to_affine<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
                points_to_affine(py, &self.pts)
            }

            /// Elementwise scalar multiplication; a length-1 side broadcasts.
            fn mul(&self, py: Python<'_>, scalars: &[u8]) -> PyResult<Self> {
                py.allow_threads(|| points::mul(&self.pts, scalars))
                    .map(Self::wrap)
                    .map_err(core_err)
            }

            /// The concatenation of two vectors.
            fn concat(&self, other: &Bound<'_, Self>) -> Self {
                let mut pts = self.pts.clone();
                pts.extend_from_slice(&other.get().pts);
                Self::wrap(pts)
            }

            fn __len__(&self) -> usize {
                self.pts.len()
            }

            fn __getitem__(&self, key: &Bound<'_, PyAny>) -> PyResult<Self> {
                select(&self.pts, key).map(Self::wrap)
            }

            fn __add__(&self, py: Python<'_>, other: &Bound<'_, Self>) -> PyResult<Self> {
                let rhs = &other.get().pts;
                py.allow_threads(|| points::add(&self.pts, rhs))
                    .map(Self::wrap)
                    .map_err(core_err)
            }

            fn __neg__(&self) -> Self {
                Self::wrap(points::neg(&self.pts))
            }

            fn __richcmp__(
                &self,
                py: Python<'_>,
                other: &Bound<'_, PyAny>,
                op: pyo3::basic::CompareOp,
            ) -> PyObject {
                let Ok(other) = other.downcast::<Self>() else {
                    return py.NotImplemented();
                };
                let eq = self.pts == other.get().pts;
                match op {
                    pyo3::basic::CompareOp::Eq => eq
                        .into_pyobject(py)
                        .expect("bool")
                        .to_owned()
                        .into_any()
                        .unbind(),
                    pyo3::basic::CompareOp::Ne => (!eq)
                        .into_pyobject(py)
                        .expect("bool")
                        .to_owned()
                        .into_any()
                        .unbind(),
                    _ => py.NotImplemented(),
                }
            }

            fn __hash__(&self) -> u64 {
                hash_points(&self.pts)
            }

            fn __repr__(&self) -> String {
                format!(
                    "<{}.{} vector of {} point(s)>",
                    $module,
                    $label,
                    self.pts.len()
                )
            }
        }
    };
}

/// Defines the module `$modname` with every kernel for the curve `$curve`.
macro_rules! curve_module {
    ($modname:ident, $curve:ty, $module:tt) => {
        mod $modname {
            use super::*;
            use zkcredit_core::algebra::Curve;

            type C = $curve;
            type Fr = <C as Curve>::Fr;
            type G1Cfg = <C as Curve>::G1;
            type G2Cfg = <C as Curve>::G2;
            type Engine = <C as Curve>::Engine;

            point_class!(G1, G1Cfg, $module, "G1");
            point_class!(G2, G2Cfg, $module, "G2");

            /// Elementwise a + b on packed scalar vectors.
            #[pyfunction]
            fn fr_add<'py>(py: Python<'py>, a: &[u8], b: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
                bytes_result(py, py.allow_threads(|| scalar::add::<Fr>(a, b)))
            }

            /// Elementwise a - b on packed scalar vectors.
            #[pyfunction]
            fn fr_sub<'py>(py: Python<'py>, a: &[u8], b: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
                bytes_result(py, py.allow_threads(|| scalar::sub::<Fr>(a, b)))
            }

            /// Elementwise a * b on packed scalar vectors.
            #[pyfunction]
            fn fr_mul<'py>(py: Python<'py>, a: &[u8], b: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
                bytes_result(py, py.allow_threads(|| scalar::mul::<Fr>(a, b)))
            }

            /// Elementwise -a on a packed scalar vector.
            #[pyfunction]
            fn fr_neg<'py>(py: Python<'py>, a: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
                bytes_result(py, py.allow_threads(|| scalar::neg::<Fr>(a)))
            }

            /// Elementwise 1/a on a packed scalar vector; zero raises DivisionByZero.
            #[pyfunction]
            fn fr_inv<'py>(py: Python<'py>, a: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
                bytes_result(py, py.allow_threads(|| scalar::inv::<Fr>(a)))
            }

            /// n uniform scalars from OS randomness, packed.
            #[pyfunction]
            fn fr_random<'py>(py: Python<'py>, n: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
                let n = random_count(n)?;
                let out = py.allow_threads(|| scalar::random::<Fr>(n));
                Ok(PyBytes::new(py, &out))
            }

            /// sum_i scalars[i] * points[i] on G1, as a length-1 vector.
            #[pyfunction]
            fn g1_msm(py: Python<'_>, points: &Bound<'_, G1>, scalars: &[u8]) -> PyResult<G1> {
                let pts = &points.get().pts;
                py.allow_threads(|| points::msm(pts, scalars))
                    .map(|p| G1::wrap(vec![p]))
                    .map_err(core_err)
            }

            /// sum_i scalars[i] * points[i] on G2, as a length-1 vector.
            #[pyfunction]
            fn g2_msm(py: Python<'_>, points: &Bound<'_, G2>, scalars: &[u8]) -> PyResult<G2> {
                let pts = &points.get().pts;
                py.allow_threads(|| points::msm(pts, scalars))
                    .map(|p| G2::wrap(vec![p]))
                    .map_err(core_err)
            }

            /// prod_i e(g1s[i], g2s[i]) == 1 (True when empty).
            #[pyfunction]
            fn pairing_check(
                py: Python<'_>,
                g1s: &Bound<'_, G1>,
                g2s: &Bound<'_, G2>,
            ) -> PyResult<bool> {
                let (a, b) = (&g1s.get().pts, &g2s.get().pts);
                py.allow_threads(|| pairing::pairing_check::<Engine>(a, b))
                    .map_err(core_err)
            }

            /// Evaluations at the n-th roots of unity of the given coefficients.
            #[pyfunction]
            fn fft<'py>(py: Python<'py>, coeffs: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
                bytes_result(
                    py,
                    py.allow_threads(|| fft_transform::<Fr>(coeffs, Transform::Fft)),
                )
            }

            /// Coefficients from evaluations at the n-th roots of unity.
            #[pyfunction]
            fn ifft<'py>(py: Python<'py>, evals: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
                bytes_result(
                    py,
                    py.allow_threads(|| fft_transform::<Fr>(evals, Transform::Ifft)),
                )
            }

            /// Evaluations on the coset g·<ω> (g = MULTIPLICATIVE_GENERATOR).
            #[pyfunction]
            fn coset_fft<'py>(py: Python<'py>, coeffs: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
                bytes_result(
                    py,
                    py.allow_threads(|| fft_transform::<Fr>(coeffs, Transform::CosetFft)),
                )
            }

            /// Coefficients from evaluations on the coset g·<ω>.
            #[pyfunction]
            fn coset_ifft<'py>(py: Python<'py>, evals: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
                bytes_result(
                    py,
                    py.allow_threads(|| fft_transform::<Fr>(evals, Transform::CosetIfft)),
                )
            }

            pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
                let py = m.py();
                m.add("NAME", <C as Curve>::NAME)?;
                m.add("SCALAR_MODULUS", int_from_le(py, &C::scalar_modulus_le())?)?;
                m.add("BASE_MODULUS", int_from_le(py, &C::base_modulus_le())?)?;
                m.add("TWO_ADICITY", C::two_adicity())?;
                m.add(
                    "MULTIPLICATIVE_GENERATOR",
                    int_from_le(py, &C::multiplicative_generator_le())?,
                )?;
                m.add("SCALAR_BYTES", scalar::SCALAR_BYTES)?;
                m.add("G1_COMPRESSED_BYTES", G1Cfg::compressed_bytes())?;
                m.add("G1_UNCOMPRESSED_BYTES", G1Cfg::uncompressed_bytes())?;
                m.add("G2_COMPRESSED_BYTES", G2Cfg::compressed_bytes())?;
                m.add("G2_UNCOMPRESSED_BYTES", G2Cfg::uncompressed_bytes())?;
                m.add_class::<G1>()?;
                m.add_class::<G2>()?;
                m.add_function(wrap_pyfunction!(fr_add, m)?)?;
                m.add_function(wrap_pyfunction!(fr_sub, m)?)?;
                m.add_function(wrap_pyfunction!(fr_mul, m)?)?;
                m.add_function(wrap_pyfunction!(fr_neg, m)?)?;
                m.add_function(wrap_pyfunction!(fr_inv, m)?)?;
                m.add_function(wrap_pyfunction!(fr_random, m)?)?;
                m.add_function(wrap_pyfunction!(g1_msm, m)?)?;
                m.add_function(wrap_pyfunction!(g2_msm, m)?)?;
                m.add_function(wrap_pyfunction!(pairing_check, m)?)?;
                m.add_function(wrap_pyfunction!(fft, m)?)?;
                m.add_function(wrap_pyfunction!(ifft, m)?)?;
                m.add_function(wrap_pyfunction!(coset_fft, m)?)?;
                m.add_function(wrap_pyfunction!(coset_ifft, m)?)?;
                Ok(())
            }
        }
    };
}

curve_module!(
    bn254,
    zkcredit_core::algebra::Bn254,
    "zkcredit._native.bn254"
);
curve_module!(
    bls12_381,
    zkcredit_core::algebra::Bls12_381,
    "zkcredit._native.bls12_381"
);

/// Registers the BN254 kernels into `module`.
pub fn register_bn254(module: &Bound<'_, PyModule>) -> PyResult<()> {
    bn254::register(module)
}

/// Registers the BLS12-381 kernels into `module`.
pub fn register_bls12_381(module: &Bound<'_, PyModule>) -> PyResult<()> {
    bls12_381::register(module)
}
