//! Poseidon over the BN254 scalar field (circomlib-compatible), exposed in `bn254`.
use pyo3::prelude::*;

/// Registers the Poseidon functions into the `bn254` submodule.
pub fn register(_module: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
