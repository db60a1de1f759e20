//! Curve-generic kernels: scalar vectors, point codecs, MSM, FFT and pairing checks.
//!
//! Everything here is generic over arkworks traits (A5) and instantiated for the two
//! curves zkcredit supports through [`Curve`]: [`Bn254`] (the default) and
//! [`Bls12_381`]. Vectors cross the API as packed bytes (scalars) or slices of
//! validated affine points; every malformed input is a [`CoreError`], never a panic
//! and never a silent reduction.
//!
//! [`CoreError`]: crate::error::CoreError

pub mod codec;
pub mod curve;
pub mod fft;
mod glv;
pub mod msm;
pub mod pairing;
pub mod points;
pub mod scalar;

#[cfg(test)]
mod tests;

pub use ark_ec::short_weierstrass::Affine;
pub use codec::PointCodec;
pub use curve::{Bls12_381, Bn254, Curve};

/// Below this many elements a kernel runs on the calling thread: rayon's split
/// overhead would dominate.
pub(crate) const PAR_MIN_LEN: usize = 256;
