//! Ceremony bindings (`ceremony_*` functions of the `bn254` submodule): a multi-party
//! Groth16 setup with a verifiable transcript (`zkcredit_core::groth16::ceremony`).
//!
//! Transcripts cross as the core's body byte forms (the Python layer adds the file
//! header); no secret ever crosses. A failed transcript check raises
//! `zkcredit.errors.TranscriptInvalid`; malformed input the usual `MalformedInput` classes.
use pyo3::import_exception;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use zkcredit_core::groth16::ceremony::{CeremonyError, Phase1, Phase2};

use crate::errors::PyCoreError;
use crate::groth16::bn254::PyMatrices;

import_exception!(zkcredit.errors, TranscriptInvalid);

fn err(e: CeremonyError) -> PyErr {
    match e {
        CeremonyError::Invalid(m) => TranscriptInvalid::new_err(m),
        CeremonyError::Core(c) => PyCoreError(c).into(),
    }
}

fn digest(d: &[u8]) -> PyResult<[u8; 32]> {
    d.try_into().map_err(|_| {
        PyCoreError(zkcredit_core::error::CoreError::InvalidArgument(format!(
            "an R1CS digest is 32 bytes, got {}",
            d.len()
        )))
        .into()
    })
}

/// The empty phase-1 transcript for domains up to `2^power`.
#[pyfunction]
fn ceremony_phase1_new<'py>(py: Python<'py>, power: u32) -> PyResult<Bound<'py, PyBytes>> {
    let out = py
        .allow_threads(|| Phase1::new(power).map(|p| p.to_bytes()))
        .map_err(err)?;
    Ok(PyBytes::new(py, &out))
}

/// The transcript with one more phase-1 contribution (secrets from the OS, discarded).
#[pyfunction]
fn ceremony_phase1_contribute<'py>(py: Python<'py>, body: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    let out = py
        .allow_threads(|| Phase1::from_bytes(body).map(|p| p.contribute().to_bytes()))
        .map_err(err)?;
    Ok(PyBytes::new(py, &out))
}

/// Verifies a phase-1 transcript (raises `TranscriptInvalid`).
#[pyfunction]
fn ceremony_phase1_verify(py: Python<'_>, body: &[u8]) -> PyResult<()> {
    py.allow_threads(|| Phase1::from_bytes(body)?.verify())
        .map_err(err)
}

/// `(power, number of contributions, hash)` of a phase-1 transcript (hash as recorded).
#[pyfunction]
fn ceremony_phase1_info<'py>(
    py: Python<'py>,
    body: &[u8],
) -> PyResult<(u32, usize, Bound<'py, PyBytes>)> {
    let p = py.allow_threads(|| Phase1::from_bytes(body)).map_err(err)?;
    Ok((p.power, p.contributions.len(), PyBytes::new(py, &p.hash())))
}

/// The phase-2 transcript (delta = 1 key) for `matrices` from a phase-1 transcript.
#[pyfunction]
fn ceremony_phase2_new<'py>(
    py: Python<'py>,
    phase1: &[u8],
    matrices: &PyMatrices,
    r1cs_digest: &[u8],
) -> PyResult<Bound<'py, PyBytes>> {
    let d = digest(r1cs_digest)?;
    let out = py
        .allow_threads(|| {
            let p1 = Phase1::from_bytes(phase1)?;
            Phase2::new(&p1, &matrices.m, d).map(|p| p.to_bytes())
        })
        .map_err(err)?;
    Ok(PyBytes::new(py, &out))
}

/// The transcript with one more phase-2 contribution (secret from the OS, discarded).
#[pyfunction]
fn ceremony_phase2_contribute<'py>(py: Python<'py>, body: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    let out = py
        .allow_threads(|| Phase2::from_bytes(body)?.contribute().map(|p| p.to_bytes()))
        .map_err(err)?;
    Ok(PyBytes::new(py, &out))
}

/// The transcript with a beacon contribution (`2^exp` SHA-256 iterations of `value`).
#[pyfunction]
fn ceremony_phase2_beacon<'py>(
    py: Python<'py>,
    body: &[u8],
    value: &[u8],
    exp: u32,
) -> PyResult<Bound<'py, PyBytes>> {
    let v = digest(value)?;
    let out = py
        .allow_threads(|| {
            Phase2::from_bytes(body)?
                .beacon(v, exp)
                .map(|p| p.to_bytes())
        })
        .map_err(err)?;
    Ok(PyBytes::new(py, &out))
}

/// Verifies phase 1 and a phase-2 transcript for `matrices` (raises `TranscriptInvalid`).
#[pyfunction]
fn ceremony_phase2_verify(
    py: Python<'_>,
    phase1: &[u8],
    matrices: &PyMatrices,
    r1cs_digest: &[u8],
    phase2: &[u8],
) -> PyResult<()> {
    let d = digest(r1cs_digest)?;
    py.allow_threads(|| {
        let p1 = Phase1::from_bytes(phase1)?;
        Phase2::from_bytes(phase2)?.verify(&p1, &matrices.m, &d)
    })
    .map_err(err)
}

/// `(number of contributions, hash, key body bytes)` of a phase-2 transcript.
#[pyfunction]
fn ceremony_phase2_info<'py>(
    py: Python<'py>,
    body: &[u8],
) -> PyResult<(usize, Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
    let (n, h, key) = py
        .allow_threads(|| {
            Phase2::from_bytes(body).map(|p| (p.contributions.len(), p.hash(), p.key.to_bytes()))
        })
        .map_err(err)?;
    Ok((n, PyBytes::new(py, &h), PyBytes::new(py, &key)))
}

/// Registers the ceremony functions into the `bn254` submodule.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(ceremony_phase1_new, m)?)?;
    m.add_function(wrap_pyfunction!(ceremony_phase1_contribute, m)?)?;
    m.add_function(wrap_pyfunction!(ceremony_phase1_verify, m)?)?;
    m.add_function(wrap_pyfunction!(ceremony_phase1_info, m)?)?;
    m.add_function(wrap_pyfunction!(ceremony_phase2_new, m)?)?;
    m.add_function(wrap_pyfunction!(ceremony_phase2_contribute, m)?)?;
    m.add_function(wrap_pyfunction!(ceremony_phase2_beacon, m)?)?;
    m.add_function(wrap_pyfunction!(ceremony_phase2_verify, m)?)?;
    m.add_function(wrap_pyfunction!(ceremony_phase2_info, m)?)?;
    Ok(())
}
