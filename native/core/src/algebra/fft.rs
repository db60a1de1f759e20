//! FFTs over power-of-two subgroups of the scalar field (arkworks'
//! `Radix2EvaluationDomain`), on packed scalar vectors.
//!
//! For `n` elements the domain is `{ω^i}` with `ω = g^((r-1)/n)`, `g` the field's
//! `GENERATOR` (5 on BN254, 7 on BLS12-381); the coset versions use `{g·ω^i}`.
use ark_ff::FftField;
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};

use super::scalar::{self, ScalarField};
use crate::error::{CoreError, CoreResult};

/// Which transform to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transform {
    /// Coefficients -> evaluations at ω^i.
    Fft,
    /// Evaluations at ω^i -> coefficients.
    Ifft,
    /// Coefficients -> evaluations at g·ω^i.
    CosetFft,
    /// Evaluations at g·ω^i -> coefficients.
    CosetIfft,
}

/// The domain of size `n`: a power of two with `1 <= n <= 2^TWO_ADICITY`.
pub fn domain<F: ScalarField + FftField>(n: usize) -> CoreResult<Radix2EvaluationDomain<F>> {
    let max_log = F::TWO_ADICITY;
    if n == 0 || !n.is_power_of_two() || n.trailing_zeros() > max_log {
        return Err(CoreError::InvalidDomain(format!(
            "domain size {n} is not a power of two between 1 and 2^{max_log}"
        )));
    }
    Radix2EvaluationDomain::<F>::new(n)
        .ok_or_else(|| CoreError::InvalidDomain(format!("no radix-2 domain of size {n}")))
}

/// Runs `transform` on a packed scalar vector; the output has the same length.
pub fn transform<F: ScalarField + FftField>(
    values: &[u8],
    transform: Transform,
) -> CoreResult<Vec<u8>> {
    let n = scalar::vector_len(values)?;
    let mut dom = domain::<F>(n)?;
    let mut v = scalar::decode::<F>(values)?;
    if matches!(transform, Transform::CosetFft | Transform::CosetIfft) {
        dom = dom
            .get_coset(F::GENERATOR)
            .ok_or_else(|| CoreError::InvalidDomain("no coset for the generator".into()))?;
    }
    match transform {
        Transform::Fft | Transform::CosetFft => dom.fft_in_place(&mut v),
        Transform::Ifft | Transform::CosetIfft => dom.ifft_in_place(&mut v),
    }
    Ok(scalar::encode(&v))
}
