//! zkcredit-core: the native algebra kernels of zkcredit, over arkworks.
//!
//! This crate has no Python bindings; `zkcredit-python` exposes it as
//! `zkcredit._native`. Every fallible operation returns [`error::CoreError`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod error;
pub mod groth16;
pub mod algebra;
pub mod poseidon;
pub mod poseidon_grain;
pub mod solver;
