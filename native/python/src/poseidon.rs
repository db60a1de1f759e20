//! Poseidon over the BN254 scalar field (circomlib-compatible), exposed in `bn254`.
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use zkcredit_core::error::CoreError;
use zkcredit_core::poseidon as core_poseidon;

use crate::errors::PyCoreError;

/// Poseidon of n packed 32-byte little-endian canonical scalars (1 <= n <= 16).
#[pyfunction]
fn poseidon<'py>(py: Python<'py>, inputs: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    let out = core_poseidon::hash_bytes(inputs).map_err(PyCoreError::from)?;
    Ok(PyBytes::new(py, &out))
}

/// Poseidon of each consecutive row of `arity` packed scalars, in parallel, GIL released.
#[pyfunction]
fn poseidon_many<'py>(py: Python<'py>, arity: i64, inputs: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    let arity = usize::try_from(arity).map_err(|_| {
        PyCoreError(CoreError::InvalidArgument(format!(
            "Poseidon takes 1..={} inputs, got {arity}",
            core_poseidon::MAX_ARITY
        )))
    })?;
    let out = py
        .allow_threads(|| core_poseidon::hash_many_bytes(arity, inputs))
        .map_err(PyCoreError::from)?;
    Ok(PyBytes::new(py, &out))
}

/// The canonical serialization of the generated parameters of width `t` (2..=17).
#[pyfunction]
fn poseidon_params<'py>(py: Python<'py>, t: i64) -> PyResult<Bound<'py, PyBytes>> {
    let t = usize::try_from(t).unwrap_or(0);
    let out = py
        .allow_threads(|| core_poseidon::params_bytes(t))
        .map_err(PyCoreError::from)?;
    Ok(PyBytes::new(py, &out))
}

/// Registers the Poseidon functions into the `bn254` submodule.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(poseidon, module)?)?;
    module.add_function(wrap_pyfunction!(poseidon_many, module)?)?;
    module.add_function(wrap_pyfunction!(poseidon_params, module)?)?;
    Ok(())
}
