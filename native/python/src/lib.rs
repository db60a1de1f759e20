//! `zkcredit._native`: thin PyO3 bindings over `zkcredit-core`.
//!
//! One private module with one submodule per curve (`bn254`, `bls12_381`) exporting the
//! same API (E1). Errors are raised as the classes of `zkcredit.errors` (C3).
#![deny(clippy::undocumented_unsafe_blocks)]

mod algebra;
mod ceremony;
mod errors;
mod groth16;
mod poseidon;
mod solver;

use pyo3::prelude::*;

/// The private native module of zkcredit.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;

    let bn254 = PyModule::new(py, "bn254")?;
    algebra::register_bn254(&bn254)?;
    poseidon::register(&bn254)?;
    groth16::register_bn254(&bn254)?;
    ceremony::register(&bn254)?;
    solver::register(&bn254)?;
    m.add_submodule(&bn254)?;

    let bls12_381 = PyModule::new(py, "bls12_381")?;
    algebra::register_bls12_381(&bls12_381)?;
    groth16::register_bls12_381(&bls12_381)?;
    m.add_submodule(&bls12_381)?;

    // Make `import zkcredit._native.bn254` work as well as attribute access.
    let modules = py.import("sys")?.getattr("modules")?;
    modules.set_item("zkcredit._native.bn254", &bn254)?;
    modules.set_item("zkcredit._native.bls12_381", &bls12_381)?;
    Ok(())
}
