//! Curve kernels (fields, points, MSM, FFT, pairing) exposed per curve.
use pyo3::prelude::*;

/// Registers the BN254 kernels into `module`.
pub fn register_bn254(_module: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}

/// Registers the BLS12-381 kernels into `module`.
pub fn register_bls12_381(_module: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
