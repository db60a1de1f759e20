//! Elementwise group operations on vectors of affine points, and MSM.
use ark_ec::scalar_mul::ScalarMul;
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use rayon::prelude::*;

use super::scalar::{self, ScalarField};
use super::PAR_MIN_LEN;
use crate::error::{CoreError, CoreResult};

fn mismatch(what: &str, a: usize, b: usize) -> CoreError {
    CoreError::InvalidArgument(format!("{what}: lengths differ ({a} and {b})"))
}

/// Elementwise `a + b`; the lengths must match.
pub fn add<P: SWCurveConfig>(a: &[Affine<P>], b: &[Affine<P>]) -> CoreResult<Vec<Affine<P>>> {
    if a.len() != b.len() {
        return Err(mismatch("point addition", a.len(), b.len()));
    }
    let sums: Vec<Projective<P>> = a
        .par_iter()
        .with_min_len(PAR_MIN_LEN)
        .zip(b.par_iter())
        .map(|(p, q)| *p + *q)
        .collect();
    Ok(Projective::normalize_batch(&sums))
}

/// Elementwise `-a`.
pub fn neg<P: SWCurveConfig>(a: &[Affine<P>]) -> Vec<Affine<P>> {
    a.iter().map(|p| -*p).collect()
}

/// Elementwise scalar multiplication by packed canonical scalars. A length-1 side
/// broadcasts against the other; otherwise the lengths must match. One base times
/// many scalars uses a fixed-base window table.
pub fn mul<P>(points: &[Affine<P>], scalars: &[u8]) -> CoreResult<Vec<Affine<P>>>
where
    P: SWCurveConfig,
    P::ScalarField: ScalarField,
{
    let ks = scalar::decode::<P::ScalarField>(scalars)?;
    match (points.len(), ks.len()) {
        (1, m) if m != 1 => Ok(points[0].into_group().batch_mul(&ks)),
        (n, 1) if n != 1 => {
            let k = ks[0];
            let prods: Vec<Projective<P>> = points
                .par_iter()
                .with_min_len(16)
                .map(|p| p.into_group() * k)
                .collect();
            Ok(Projective::normalize_batch(&prods))
        }
        (n, m) if n == m => {
            let prods: Vec<Projective<P>> = points
                .par_iter()
                .with_min_len(16)
                .zip(ks.par_iter())
                .map(|(p, k)| p.into_group() * k)
                .collect();
            Ok(Projective::normalize_batch(&prods))
        }
        (n, m) => Err(mismatch("scalar multiplication", n, m)),
    }
}

/// `sum_i scalars[i] * points[i]` (Pippenger with batch-affine buckets, parallel over
/// windows, see [`super::msm`]); the identity when empty.
pub fn msm<P>(points: &[Affine<P>], scalars: &[u8]) -> CoreResult<Affine<P>>
where
    P: SWCurveConfig,
    P::ScalarField: ScalarField,
{
    let n = scalar::vector_len(scalars)?;
    if n != points.len() {
        return Err(mismatch("MSM points and scalars", points.len(), n));
    }
    let ks = scalar::decode_bigints::<P::ScalarField>(scalars)?;
    if ks.is_empty() {
        return Ok(Affine::<P>::zero());
    }
    Ok(super::msm::msm_bigint(points, &ks).into_affine())
}

/// The fixed generator as a length-1 vector.
pub fn generator<P: SWCurveConfig>() -> Vec<Affine<P>> {
    vec![Projective::<P>::generator().into_affine()]
}
