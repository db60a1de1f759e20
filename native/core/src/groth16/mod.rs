//! Groth16 over the curves of [`crate::algebra::Curve`] (BN254, BLS12-381), written on
//! the foundation's kernels (arkworks fields, FFT domains, our batch-affine MSM).
//!
//! One file per stage (STYLE A1): [`setup`] (development single-party key generation),
//! [`ceremony`] (multi-party setup with a verifiable transcript, BN254),
//! [`prove`] (the zero-knowledge prover and its `*_no_zk` test variant), [`verify`]
//! (prepared verifying key, single and batch verification); [`data`] holds the key,
//! proof and constraint-matrix types and their byte forms.
//!
//! The quadratic arithmetic program is libsnark's / arkworks' reduction: constraint `k`
//! is evaluated at the k-th element of a radix-2 domain H of size
//! `n >= n_constraints + n_public + 1`, and the rows after the constraints hold the
//! "input consistency" constraints `w_i * 0 = 0` folded into A (`A[m + i] = w_i` for the
//! constant wire and each public signal), which make the IC polynomials linearly
//! independent. The verification equation is the standard one, so keys and proofs are
//! interchangeable with snarkjs / Ethereum verifiers.

pub mod ceremony;
pub mod data;
pub mod prove;
pub mod setup;
pub mod verify;

#[cfg(test)]
mod tests;

pub use data::{Matrices, PreparedVerifyingKey, Proof, ProvingKey, VerifyingKey};
