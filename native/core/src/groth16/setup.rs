//! Development setup: a single party samples the toxic waste and computes the keys.
//!
//! Paper symbols to code names: tau (the evaluation point), alpha, beta, gamma, delta;
//! `u_i(x) -> a_query`, `v_i(x) -> b_g1_query / b_g2_query`, `t(x) = x^n - 1` (the
//! vanishing polynomial of H), `(beta u_i + alpha v_i + w_i) / gamma -> gamma_abc_g1`,
//! the same over delta -> `l_query`, `x^j t(x) / delta -> h_query`.
//!
//! The five secrets come from `OsRng` (getrandom), live only inside [`setup`], are
//! never returned, logged or serialized, and are overwritten before it returns.
//! Whoever runs this function could forge proofs: it is for development only; a
//! production key needs a multi-party ceremony.
use ark_ec::scalar_mul::ScalarMul;
use ark_ec::short_weierstrass::{Projective, SWCurveConfig};
use ark_ff::{Field, UniformRand, Zero};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rand::rngs::OsRng;
use rayon::prelude::*;

use super::data::{Matrices, ProvingKey, VerifyingKey};
use crate::algebra::Curve;
use crate::error::{CoreError, CoreResult};

/// The evaluation domain for `n_constraints` constraints and `n_public` public signals.
pub fn domain<C: Curve>(m: &Matrices<C::Fr>) -> CoreResult<Radix2EvaluationDomain<C::Fr>> {
    let need = m.n_constraints() + m.n_public + 1;
    Radix2EvaluationDomain::<C::Fr>::new(need).ok_or_else(|| {
        CoreError::InvalidDomain(format!(
            "{need} rows exceed the largest FFT domain of {}",
            C::NAME
        ))
    })
}

fn nonzero<F: Field + UniformRand>() -> F {
    loop {
        let x = F::rand(&mut OsRng);
        if !x.is_zero() {
            return x;
        }
    }
}

/// Generates a proving key (embedding its verifying key) for the constraint system,
/// with fresh toxic waste from the operating system's randomness.
pub fn setup<C: Curve>(m: &Matrices<C::Fr>) -> CoreResult<ProvingKey<C>> {
    let dom = domain::<C>(m)?;
    let n = dom.size();
    let n_inputs = m.n_public + 1;
    if u32::try_from(n).is_err() || u32::try_from(m.n_wires).is_err() {
        return Err(CoreError::InvalidArgument(
            "the constraint system is too large".into(),
        ));
    }

    let mut tau: C::Fr = nonzero();
    while dom.evaluate_vanishing_polynomial(tau).is_zero() {
        tau = nonzero();
    }
    let mut alpha: C::Fr = nonzero();
    let mut beta: C::Fr = nonzero();
    let mut gamma: C::Fr = nonzero();
    let mut delta: C::Fr = nonzero();

    // u_i(tau), v_i(tau), w_i(tau) from the Lagrange basis of H at tau.
    let lag = dom.evaluate_all_lagrange_coefficients(tau);
    let mut u = vec![C::Fr::zero(); m.n_wires];
    let mut v = vec![C::Fr::zero(); m.n_wires];
    let mut w = vec![C::Fr::zero(); m.n_wires];
    for (k, l) in lag.iter().enumerate().take(m.n_constraints()) {
        for &(i, c) in &m.a[k] {
            u[i] += *l * c;
        }
        for &(i, c) in &m.b[k] {
            v[i] += *l * c;
        }
        for &(i, c) in &m.c[k] {
            w[i] += *l * c;
        }
    }
    for (i, ui) in u.iter_mut().enumerate().take(n_inputs) {
        *ui += lag[m.n_constraints() + i];
    }

    let t_tau = dom.evaluate_vanishing_polynomial(tau);
    let gamma_inv = gamma.inverse().expect("nonzero");
    let delta_inv = delta.inverse().expect("nonzero");
    let abc: Vec<C::Fr> = (0..m.n_wires)
        .into_par_iter()
        .map(|i| beta * u[i] + alpha * v[i] + w[i])
        .collect();
    let ic_scalars: Vec<C::Fr> = abc[..n_inputs].iter().map(|x| *x * gamma_inv).collect();
    let l_scalars: Vec<C::Fr> = abc[n_inputs..].par_iter().map(|x| *x * delta_inv).collect();
    let mut h_scalars = Vec::with_capacity(n - 1);
    let mut acc = t_tau * delta_inv;
    for _ in 0..n - 1 {
        h_scalars.push(acc);
        acc *= tau;
    }

    let g1 = Projective::<C::G1>::from(<C::G1 as SWCurveConfig>::GENERATOR);
    let g2 = Projective::<C::G2>::from(<C::G2 as SWCurveConfig>::GENERATOR);
    let vk = VerifyingKey::<C> {
        alpha_g1: (g1 * alpha).into(),
        beta_g2: (g2 * beta).into(),
        gamma_g2: (g2 * gamma).into(),
        delta_g2: (g2 * delta).into(),
        gamma_abc_g1: g1.batch_mul(&ic_scalars),
    };
    let pk = ProvingKey::<C> {
        n_wires: m.n_wires,
        domain_size: n,
        beta_g1: (g1 * beta).into(),
        delta_g1: (g1 * delta).into(),
        a_query: g1.batch_mul(&u),
        b_g1_query: g1.batch_mul(&v),
        b_g2_query: g2.batch_mul(&v),
        h_query: g1.batch_mul(&h_scalars),
        l_query: g1.batch_mul(&l_scalars),
        vk,
    };

    // Overwrite the secrets (best effort: the optimizer may keep copies in registers).
    for s in [&mut tau, &mut alpha, &mut beta, &mut gamma, &mut delta] {
        *s = C::Fr::zero();
    }
    drop((lag, u, v, w, abc, ic_scalars, l_scalars, h_scalars, acc));
    pk.vk.check()?;
    Ok(pk)
}
