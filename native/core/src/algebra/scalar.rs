//! Scalar-field vectors as packed bytes: 32-byte little-endian canonical elements.
//!
//! Decoding never reduces: an element `>= r` is [`CoreError::NonCanonicalScalar`], a
//! length that is not a multiple of [`SCALAR_BYTES`] is [`CoreError::InvalidEncoding`].
use ark_ff::{BigInt, PrimeField};
use rand::rngs::OsRng;
use rand::RngCore;
use rayon::prelude::*;

use super::PAR_MIN_LEN;
use crate::error::{CoreError, CoreResult};

/// Bytes of one encoded scalar on every supported curve.
pub const SCALAR_BYTES: usize = 32;

/// A scalar field whose elements fit the 32-byte encoding (four 64-bit limbs).
pub trait ScalarField: PrimeField<BigInt = BigInt<4>> {}
impl<F: PrimeField<BigInt = BigInt<4>>> ScalarField for F {}

fn limbs_from_le(chunk: &[u8]) -> BigInt<4> {
    let mut limbs = [0u64; 4];
    for (limb, bytes) in limbs.iter_mut().zip(chunk.chunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(bytes);
        *limb = u64::from_le_bytes(word);
    }
    BigInt::new(limbs)
}

fn limbs_to_le(value: &BigInt<4>, out: &mut [u8]) {
    for (limb, bytes) in value.0.iter().zip(out.chunks_exact_mut(8)) {
        bytes.copy_from_slice(&limb.to_le_bytes());
    }
}

/// Number of elements in a packed scalar vector, or `InvalidEncoding`.
pub fn vector_len(bytes: &[u8]) -> CoreResult<usize> {
    if !bytes.len().is_multiple_of(SCALAR_BYTES) {
        return Err(CoreError::InvalidEncoding(format!(
            "scalar vector of {} bytes is not a multiple of {SCALAR_BYTES}",
            bytes.len()
        )));
    }
    Ok(bytes.len() / SCALAR_BYTES)
}

/// Decodes a packed vector into canonical big integers (`< r`), without converting
/// them to Montgomery form. The error names the first offending index.
pub fn decode_bigints<F: ScalarField>(bytes: &[u8]) -> CoreResult<Vec<BigInt<4>>> {
    vector_len(bytes)?;
    let out: Vec<BigInt<4>> = bytes
        .par_chunks_exact(SCALAR_BYTES)
        .with_min_len(PAR_MIN_LEN)
        .map(limbs_from_le)
        .collect();
    let bad = out
        .par_iter()
        .with_min_len(PAR_MIN_LEN)
        .position_first(|v| *v >= F::MODULUS);
    match bad {
        Some(i) => Err(CoreError::NonCanonicalScalar(format!(
            "scalar {i} is not below the scalar-field modulus r"
        ))),
        None => Ok(out),
    }
}

/// Decodes a packed vector into field elements (validated canonical), in one
/// parallel pass; the error names the first offending index.
pub fn decode<F: ScalarField>(bytes: &[u8]) -> CoreResult<Vec<F>> {
    vector_len(bytes)?;
    let values: Option<Vec<F>> = bytes
        .par_chunks_exact(SCALAR_BYTES)
        .with_min_len(PAR_MIN_LEN)
        .map(|c| F::from_bigint(limbs_from_le(c)))
        .collect();
    values.ok_or_else(|| decode_bigints::<F>(bytes).expect_err("some element is not canonical"))
}

/// Decodes exactly one scalar.
pub fn decode_one<F: ScalarField>(bytes: &[u8]) -> CoreResult<F> {
    if bytes.len() != SCALAR_BYTES {
        return Err(CoreError::InvalidEncoding(format!(
            "a scalar is {SCALAR_BYTES} bytes, got {}",
            bytes.len()
        )));
    }
    Ok(decode::<F>(bytes)?[0])
}

/// Encodes field elements as a packed vector (canonical little-endian).
pub fn encode<F: ScalarField>(values: &[F]) -> Vec<u8> {
    let mut out = vec![0u8; values.len() * SCALAR_BYTES];
    out.par_chunks_exact_mut(SCALAR_BYTES)
        .with_min_len(PAR_MIN_LEN)
        .zip(values.par_iter())
        .for_each(|(chunk, v)| limbs_to_le(&v.into_bigint(), chunk));
    out
}

fn same_len(a: usize, b: usize) -> CoreResult<()> {
    if a != b {
        return Err(CoreError::InvalidArgument(format!(
            "vectors have different lengths ({a} and {b} elements)"
        )));
    }
    Ok(())
}

fn binary<F: ScalarField>(
    a: &[u8],
    b: &[u8],
    op: impl Fn(F, F) -> F + Sync,
) -> CoreResult<Vec<u8>> {
    same_len(vector_len(a)?, vector_len(b)?)?;
    let (x, y) = (decode::<F>(a)?, decode::<F>(b)?);
    let z: Vec<F> = x
        .par_iter()
        .with_min_len(PAR_MIN_LEN)
        .zip(y.par_iter())
        .map(|(u, v)| op(*u, *v))
        .collect();
    Ok(encode(&z))
}

/// Elementwise `a + b`.
pub fn add<F: ScalarField>(a: &[u8], b: &[u8]) -> CoreResult<Vec<u8>> {
    binary::<F>(a, b, |u, v| u + v)
}

/// Elementwise `a - b`.
pub fn sub<F: ScalarField>(a: &[u8], b: &[u8]) -> CoreResult<Vec<u8>> {
    binary::<F>(a, b, |u, v| u - v)
}

/// Elementwise `a * b`.
pub fn mul<F: ScalarField>(a: &[u8], b: &[u8]) -> CoreResult<Vec<u8>> {
    binary::<F>(a, b, |u, v| u * v)
}

/// Elementwise `-a`.
pub fn neg<F: ScalarField>(a: &[u8]) -> CoreResult<Vec<u8>> {
    let x = decode::<F>(a)?;
    let z: Vec<F> = x
        .par_iter()
        .with_min_len(PAR_MIN_LEN)
        .map(|u| -*u)
        .collect();
    Ok(encode(&z))
}

/// Elementwise `a^-1` (batch inversion); any zero element is `DivisionByZero`.
pub fn inv<F: ScalarField>(a: &[u8]) -> CoreResult<Vec<u8>> {
    let mut x = decode::<F>(a)?;
    if let Some(i) = x
        .par_iter()
        .with_min_len(PAR_MIN_LEN)
        .position_first(|u| u.is_zero())
    {
        return Err(CoreError::DivisionByZero(format!(
            "scalar {i} is zero and has no inverse"
        )));
    }
    ark_ff::batch_inversion(&mut x);
    Ok(encode(&x))
}

/// `n` uniform scalars from the operating system's randomness (`OsRng`, i.e.
/// getrandom), by rejection sampling of masked 32-byte strings: no seeded RNG, no
/// modular bias. Panics only if the OS refuses to provide randomness.
pub fn random<F: ScalarField>(n: usize) -> Vec<u8> {
    let top_bits = F::MODULUS_BIT_SIZE as usize - 8 * (SCALAR_BYTES - 1);
    let top_mask: u8 = if top_bits >= 8 {
        0xff
    } else {
        (1u8 << top_bits) - 1
    };
    let mut out = Vec::with_capacity(n * SCALAR_BYTES);
    let mut buf = Vec::new();
    while out.len() < n * SCALAR_BYTES {
        let missing = n - out.len() / SCALAR_BYTES;
        // Ask for ~30% extra: the acceptance rate is r / 2^bits >= 0.75 on both curves.
        let want = missing + missing / 3 + 1;
        buf.resize(want * SCALAR_BYTES, 0);
        OsRng.fill_bytes(&mut buf);
        for chunk in buf.chunks_exact_mut(SCALAR_BYTES) {
            if out.len() == n * SCALAR_BYTES {
                break;
            }
            chunk[SCALAR_BYTES - 1] &= top_mask;
            if limbs_from_le(chunk) < F::MODULUS {
                out.extend_from_slice(chunk);
            }
        }
    }
    buf.fill(0);
    out
}
