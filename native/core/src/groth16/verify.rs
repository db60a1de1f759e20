//! The Groth16 verifier: checks before the pairing (STYLE A3, K5), then
//! `e(A, B) · e(IC(x), -gamma) · e(C, -delta) == e(alpha, beta)`.
//!
//! Malformed input is an error (input count, non-canonical inputs; points are
//! validated when decoded); a well-formed proof that does not verify is `Ok(false)`.
use ark_ec::pairing::Pairing;
use ark_ec::short_weierstrass::Projective;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::Zero;
use rand::rngs::OsRng;
use rand::Rng;
use rayon::prelude::*;

use super::data::{bigints, PreparedVerifyingKey, Proof, VerifyingKey};
use crate::algebra::msm::msm_bigint;
use crate::algebra::Curve;
use crate::error::{CoreError, CoreResult};

/// Precomputes `e(alpha, beta)` and the prepared `-gamma`, `-delta`.
pub fn prepare_verifying_key<C: Curve>(vk: &VerifyingKey<C>) -> PreparedVerifyingKey<C> {
    PreparedVerifyingKey {
        vk: vk.clone(),
        alpha_g1_beta_g2: C::Engine::pairing(vk.alpha_g1, vk.beta_g2),
        gamma_g2_neg_pc: (-vk.gamma_g2).into(),
        delta_g2_neg_pc: (-vk.delta_g2).into(),
    }
}

fn check_count<C: Curve>(vk: &VerifyingKey<C>, got: usize) -> CoreResult<()> {
    if got != vk.n_public() {
        return Err(CoreError::InvalidArgument(format!(
            "the verifying key expects {} public inputs (len(IC) - 1), got {got}",
            vk.n_public()
        )));
    }
    Ok(())
}

/// `IC_0 + sum_i x_i IC_{i+1}`; the count must match (never an index error).
pub fn prepare_inputs<C: Curve>(
    vk: &VerifyingKey<C>,
    inputs: &[C::Fr],
) -> CoreResult<Projective<C::G1>> {
    check_count(vk, inputs.len())?;
    Ok(msm_bigint(&vk.gamma_abc_g1[1..], &bigints(inputs)) + vk.gamma_abc_g1[0])
}

/// Verifies one proof against canonical public inputs.
pub fn verify_proof<C: Curve>(
    pvk: &PreparedVerifyingKey<C>,
    proof: &Proof<C>,
    inputs: &[C::Fr],
) -> CoreResult<bool> {
    let acc = prepare_inputs(&pvk.vk, inputs)?.into_affine();
    let ml = C::Engine::multi_miller_loop(
        [
            <C::Engine as Pairing>::G1Prepared::from(proof.a),
            acc.into(),
            proof.c.into(),
        ],
        [
            proof.b.into(),
            pvk.gamma_g2_neg_pc.clone(),
            pvk.delta_g2_neg_pc.clone(),
        ],
    );
    Ok(C::Engine::final_exponentiation(ml) == Some(pvk.alpha_g1_beta_g2))
}

/// Verifies many proofs at once with a random linear combination: 128-bit scalars z_j
/// from the operating system's randomness, one multi-Miller loop over n + 2 pairs and one
/// final exponentiation. `true` iff (except with probability ~ n/r) every proof
/// verifies; all input counts are checked first.
pub fn batch_verify<C: Curve>(
    pvk: &PreparedVerifyingKey<C>,
    items: &[(Proof<C>, Vec<C::Fr>)],
) -> CoreResult<bool> {
    for (_, x) in items {
        check_count(&pvk.vk, x.len())?;
    }
    if items.is_empty() {
        return Ok(true);
    }
    let k = pvk.vk.n_public();
    // 128-bit nonzero scalars: a batch with an invalid proof passes with probability
    // at most 2^-128 per bad proof, and each z_j A_j costs half a full multiplication.
    let z: Vec<C::Fr> = (0..items.len())
        .map(|_| loop {
            let v = OsRng.gen::<u128>();
            if v != 0 {
                break C::Fr::from(v);
            }
        })
        .collect();
    let z_sum: C::Fr = z.iter().copied().sum();
    // sum_j z_j IC(x_j) = z_sum IC_0 + sum_i (sum_j z_j x_ji) IC_i.
    let mut coeffs = vec![C::Fr::zero(); k];
    for ((_, x), zj) in items.iter().zip(&z) {
        for (ci, xi) in coeffs.iter_mut().zip(x) {
            *ci += *zj * xi;
        }
    }
    let acc = msm_bigint(&pvk.vk.gamma_abc_g1[1..], &bigints(&coeffs))
        + pvk.vk.gamma_abc_g1[0].into_group() * z_sum;
    let cs: Vec<_> = items.iter().map(|(p, _)| p.c).collect();
    let c_sum: Projective<C::G1> = msm_bigint(&cs, &bigints(&z));
    let za: Vec<Projective<C::G1>> = items
        .par_iter()
        .zip(z.par_iter())
        .map(|((p, _), zj)| p.a.into_group() * zj)
        .collect();
    let mut g1s = Projective::<C::G1>::normalize_batch(&za);
    g1s.push(acc.into_affine());
    g1s.push(c_sum.into_affine());
    let mut g2s: Vec<<C::Engine as Pairing>::G2Prepared> =
        items.iter().map(|(p, _)| p.b.into()).collect();
    g2s.push(pvk.gamma_g2_neg_pc.clone());
    g2s.push(pvk.delta_g2_neg_pc.clone());
    let ml = C::Engine::multi_miller_loop(g1s, g2s);
    Ok(C::Engine::final_exponentiation(ml) == Some(pvk.alpha_g1_beta_g2 * z_sum))
}
