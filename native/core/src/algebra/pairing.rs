//! Pairing-product checks: one multi-Miller loop, one final exponentiation.
use ark_ec::pairing::Pairing;
use ark_ff::One;

use crate::error::{CoreError, CoreResult};

/// Is `prod_i e(g1s[i], g2s[i]) == 1` in GT? True for empty inputs. Pairs with an
/// identity point contribute 1. The points must already be validated (they are, when
/// they come from this crate's decoders).
pub fn pairing_check<E: Pairing>(g1s: &[E::G1Affine], g2s: &[E::G2Affine]) -> CoreResult<bool> {
    if g1s.len() != g2s.len() {
        return Err(CoreError::InvalidArgument(format!(
            "pairing check: {} G1 points but {} G2 points",
            g1s.len(),
            g2s.len()
        )));
    }
    if g1s.is_empty() {
        return Ok(true);
    }
    let mlo = E::multi_miller_loop(g1s.iter().copied(), g2s.iter().copied());
    Ok(E::final_exponentiation(mlo).is_some_and(|out| out.0.is_one()))
}
