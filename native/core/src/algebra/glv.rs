//! GLV for the MSM: k·P = k1·P + k2·φ(P) with φ(x, y) = (ω x, y) = λ·P and
//! |k1|, |k2| ≈ √r, so an MSM over n points and ~254-bit scalars becomes one over 2n
//! points and ~128-bit scalars (half the windows, so half the bucket running sums).
//!
//! The curve constants (ω, λ and the reduced lattice basis) are arkworks' `GLVConfig`
//! for the four groups (BN254 and BLS12-381, G1 and G2); arkworks' own
//! `scalar_decomposition` goes through heap big integers, so the decomposition here is
//! fixed-width: β_j = round(k·|n_j| / r) is computed as (k·g_j + 2^255) >> 256 with
//! g_j = floor(|n_j|·2^256 / r) precomputed once per group, and k1, k2 = (k, 0) − β·N
//! in wrapping 256-bit arithmetic. Whatever the rounding, (β1, β2)·N is a lattice
//! vector, so k1 + λ k2 ≡ k (mod r) exactly; the rounding only bounds |k1|, |k2|
//! (≤ ~2^130 here), and the MSM sizes its windows from the largest half it receives.
//! `lattice` also checks n_i1 + λ n_i2 ≡ 0 (mod r) and refuses the group otherwise.
use std::any::{Any, TypeId};
use std::sync::OnceLock;

use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ff::{BigInt, BigInteger, PrimeField, Zero};
use rayon::prelude::*;

/// The decomposition constants of one group.
#[derive(Debug, Clone)]
pub(crate) struct Lattice {
    /// The basis N = [[n11, n12], [n21, n22]] as (is non-negative, |n|).
    n: [(bool, u128); 4],
    /// floor(|n22| · 2^256 / r) and floor(|n12| · 2^256 / r).
    g: [[u64; 3]; 2],
}

fn to_u128(v: &BigInt<4>) -> Option<u128> {
    (v.0[2] == 0 && v.0[3] == 0).then(|| (v.0[0] as u128) | ((v.0[1] as u128) << 64))
}

/// floor(a · 2^256 / r) for a < 2^128 and r > 2^192 (so the quotient fits in 3 limbs).
fn scaled_quotient(a: u128, r: &BigInt<4>) -> [u64; 3] {
    let num = BigInt::<6>([0, 0, 0, 0, a as u64, (a >> 64) as u64]);
    let r6 = BigInt::<6>([r.0[0], r.0[1], r.0[2], r.0[3], 0, 0]);
    let mut rem = BigInt::<6>::zero();
    let mut q = BigInt::<6>::zero();
    for i in (0..384).rev() {
        rem.mul2();
        if num.get_bit(i) {
            rem.0[0] |= 1;
        }
        if rem >= r6 {
            rem.sub_with_borrow(&r6);
            q.0[i / 64] |= 1 << (i % 64);
        }
    }
    assert!(q.0[3] == 0 && q.0[4] == 0 && q.0[5] == 0);
    [q.0[0], q.0[1], q.0[2]]
}

impl Lattice {
    /// The constants of `G`, or `None` if arkworks' basis does not fit the fixed-width
    /// decomposition or is not a basis of {(a, b) : a + λ b ≡ 0 (mod r)}.
    pub(crate) fn new<G>() -> Option<Self>
    where
        G: GLVConfig,
        G::ScalarField: PrimeField<BigInt = BigInt<4>>,
    {
        let mut n = [(true, 0u128); 4];
        for (out, (sign, v)) in n.iter_mut().zip(G::SCALAR_DECOMP_COEFFS) {
            *out = (sign, to_u128(&v)?);
        }
        let r = G::ScalarField::MODULUS;
        if r.num_bits() <= 192 {
            return None;
        }
        let f = |(s, v): (bool, u128)| {
            let x = G::ScalarField::from(v);
            if s {
                x
            } else {
                -x
            }
        };
        let lambda = G::LAMBDA;
        if !(f(n[0]) + lambda * f(n[1])).is_zero() || !(f(n[2]) + lambda * f(n[3])).is_zero() {
            return None;
        }
        Some(Lattice {
            n,
            g: [scaled_quotient(n[3].1, &r), scaled_quotient(n[1].1, &r)],
        })
    }

    /// (k1, k2) with k1 + λ k2 ≡ k (mod r), each as (is non-negative, |k_i|).
    pub(crate) fn decompose(&self, k: &BigInt<4>) -> ((bool, BigInt<4>), (bool, BigInt<4>)) {
        let [(s11, a11), (s12, a12), (s21, a21), (s22, a22)] = self.n;
        let b1 = round_scaled(k, &self.g[0]); // beta1 = sign(n22) * b1
        let b2 = round_scaled(k, &self.g[1]); // beta2 = -sign(n12) * b2

        // k1 = k - beta1 n11 - beta2 n21; k2 = -beta1 n12 - beta2 n22, mod 2^256.
        let mut k1 = k.0;
        add_signed(&mut k1, s22 != s11, mul_u128(b1, a11));
        add_signed(&mut k1, s12 == s21, mul_u128(b2, a21));
        let mut k2 = [0u64; 4];
        add_signed(&mut k2, s22 != s12, mul_u128(b1, a12));
        add_signed(&mut k2, s12 == s22, mul_u128(b2, a22));
        (signed_abs(k1), signed_abs(k2))
    }
}

/// (k·g + 2^255) >> 256 for k < 2^256, g < 2^192; the result must fit in 128 bits.
fn round_scaled(k: &BigInt<4>, g: &[u64; 3]) -> u128 {
    let mut prod = [0u64; 7];
    for (i, &ki) in k.0.iter().enumerate() {
        let mut carry = 0u128;
        for (j, &gj) in g.iter().enumerate() {
            let t = (ki as u128) * (gj as u128) + prod[i + j] as u128 + carry;
            prod[i + j] = t as u64;
            carry = t >> 64;
        }
        prod[i + 3] = carry as u64;
    }
    // + 2^255, then take limbs 4..6
    let mut carry = 1u64 << 63;
    for limb in prod.iter_mut().skip(3) {
        let (v, c) = limb.overflowing_add(carry);
        *limb = v;
        carry = c as u64;
        if carry == 0 {
            break;
        }
    }
    debug_assert_eq!(prod[6], 0);
    (prod[4] as u128) | ((prod[5] as u128) << 64)
}

fn mul_u128(a: u128, b: u128) -> [u64; 4] {
    let (a0, a1) = (a as u64 as u128, (a >> 64) as u64 as u128);
    let (b0, b1) = (b as u64 as u128, (b >> 64) as u64 as u128);
    let mut out = [0u64; 4];
    for (i, x) in [a0, a1].iter().enumerate() {
        let mut carry = 0u128;
        for (j, y) in [b0, b1].iter().enumerate() {
            let t = x * y + out[i + j] as u128 + carry;
            out[i + j] = t as u64;
            carry = t >> 64;
        }
        out[i + 2] = carry as u64;
    }
    out
}

/// acc += v (add) or acc -= v (!add), mod 2^256.
fn add_signed(acc: &mut [u64; 4], add: bool, v: [u64; 4]) {
    let mut carry = false;
    for (a, b) in acc.iter_mut().zip(v) {
        if add {
            let (s1, c1) = a.overflowing_add(b);
            let (s2, c2) = s1.overflowing_add(carry as u64);
            *a = s2;
            carry = c1 || c2;
        } else {
            let (s1, c1) = a.overflowing_sub(b);
            let (s2, c2) = s1.overflowing_sub(carry as u64);
            *a = s2;
            carry = c1 || c2;
        }
    }
}

/// A two's-complement 256-bit value as (is non-negative, |v|).
fn signed_abs(v: [u64; 4]) -> (bool, BigInt<4>) {
    if v[3] >> 63 == 0 {
        return (true, BigInt(v));
    }
    let mut neg = [0u64; 4];
    add_signed(&mut neg, false, v);
    (false, BigInt(neg))
}

fn lattice_of<G>() -> Option<&'static Lattice>
where
    G: GLVConfig,
    G::ScalarField: PrimeField<BigInt = BigInt<4>>,
{
    macro_rules! cached {
        ($($cfg:ty),*) => {$(
            if TypeId::of::<G>() == TypeId::of::<$cfg>() {
                static CELL: OnceLock<Option<Lattice>> = OnceLock::new();
                return CELL.get_or_init(Lattice::new::<G>).as_ref();
            }
        )*};
    }
    cached!(
        ark_bn254::g1::Config,
        ark_bn254::g2::Config,
        ark_bls12_381::g1::Config,
        ark_bls12_381::g2::Config
    );
    None
}

/// The 2n points ±P_i, ±φ(P_i) and the scalars |k1_i|, |k2_i| of the GLV split.
pub(crate) fn split<G>(
    lat: &Lattice,
    bases: &[Affine<G>],
    scalars: &[BigInt<4>],
) -> (Vec<Affine<G>>, Vec<BigInt<4>>)
where
    G: GLVConfig,
{
    let n = bases.len();
    let mut pts = vec![Affine::<G>::identity(); 2 * n];
    let mut ks = vec![BigInt::<4>::zero(); 2 * n];
    pts.par_chunks_exact_mut(2)
        .zip(ks.par_chunks_exact_mut(2))
        .zip(bases.par_iter().zip(scalars.par_iter()))
        .with_min_len(512)
        .for_each(|((p, k), (b, s))| {
            let ((pos1, k1), (pos2, k2)) = lat.decompose(s);
            let e = G::endomorphism_affine(b);
            p[0] = if pos1 { *b } else { -*b };
            p[1] = if pos2 { e } else { -e };
            k[0] = k1;
            k[1] = k2;
        });
    (pts, ks)
}

/// The MSM through the GLV split if `P` is the group `G` and `G`'s constants check out.
fn try_group<P, G>(bases: &[Affine<P>], scalars: &[BigInt<4>]) -> Option<Projective<P>>
where
    P: SWCurveConfig,
    G: GLVConfig,
    G::ScalarField: PrimeField<BigInt = BigInt<4>>,
{
    if TypeId::of::<P>() != TypeId::of::<G>() {
        return None;
    }
    let lat = lattice_of::<G>()?;
    // P == G: these downcasts cannot fail (no unsafe code in this crate).
    let bases: Vec<Affine<G>> = bases
        .par_iter()
        .map(|b| *(b as &dyn Any).downcast_ref::<Affine<G>>().expect("P == G"))
        .collect();
    let (pts, ks) = split(lat, &bases, scalars);
    let bits = ks.iter().map(|k| k.num_bits()).max().unwrap_or(0) as usize;
    let out: Box<dyn Any> = Box::new(super::msm::msm_bits(&pts, &ks, bits.max(1)));
    out.downcast::<Projective<P>>().ok().map(|b| *b)
}

/// `sum_i scalars[i] * bases[i]` through GLV for BN254 and BLS12-381 G1/G2; `None` for
/// any other group.
pub(crate) fn msm<P>(bases: &[Affine<P>], scalars: &[BigInt<4>]) -> Option<Projective<P>>
where
    P: SWCurveConfig,
{
    try_group::<P, ark_bn254::g1::Config>(bases, scalars)
        .or_else(|| try_group::<P, ark_bn254::g2::Config>(bases, scalars))
        .or_else(|| try_group::<P, ark_bls12_381::g1::Config>(bases, scalars))
        .or_else(|| try_group::<P, ark_bls12_381::g2::Config>(bases, scalars))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
    use ark_ff::{Field, One, UniformRand};
    use ark_std::rand::{rngs::StdRng, SeedableRng};

    fn signed<F: PrimeField<BigInt = BigInt<4>>>((pos, v): (bool, BigInt<4>)) -> F {
        let x = F::from_bigint(v).expect("|k_i| < r");
        if pos {
            x
        } else {
            -x
        }
    }

    fn cases<G>()
    where
        G: GLVConfig,
        G::ScalarField: PrimeField<BigInt = BigInt<4>>,
    {
        let lat = Lattice::new::<G>().expect("arkworks' basis checks out");
        // φ(P) = λ P on the generator and on a random point
        let mut rng = StdRng::seed_from_u64(42);
        let g = Projective::<G>::generator();
        for p in [g, g * G::ScalarField::rand(&mut rng)] {
            let pa = p.into_affine();
            assert_eq!(G::endomorphism_affine(&pa), (p * G::LAMBDA).into_affine());
        }
        let r = G::ScalarField::MODULUS;
        let mut ks: Vec<G::ScalarField> = vec![
            G::ScalarField::zero(),
            G::ScalarField::one(),
            -G::ScalarField::one(),
            G::LAMBDA,
            -G::LAMBDA,
            G::ScalarField::from(u128::MAX),
            G::ScalarField::from(2u64).pow([128u64]),
        ];
        // r - 1 - j and (r-1)/2 +- j
        let half = G::ScalarField::from_bigint({
            let mut h = r;
            h.div2();
            h
        })
        .unwrap();
        for j in 0..8u64 {
            ks.push(-G::ScalarField::from(j + 1));
            ks.push(half + G::ScalarField::from(j));
            ks.push(half - G::ScalarField::from(j));
        }
        ks.extend((0..2000).map(|_| G::ScalarField::rand(&mut rng)));
        for k in ks {
            let (a, b) = lat.decompose(&k.into_bigint());
            assert!(a.1.num_bits() <= 130 && b.1.num_bits() <= 130, "{k}");
            let sum = signed::<G::ScalarField>(a) + G::LAMBDA * signed::<G::ScalarField>(b);
            assert_eq!(sum, k);
        }
    }

    #[test]
    fn decomposition_is_exact_and_short() {
        cases::<ark_bn254::g1::Config>();
        cases::<ark_bn254::g2::Config>();
        cases::<ark_bls12_381::g1::Config>();
        cases::<ark_bls12_381::g2::Config>();
    }

    fn msm_cases<G>()
    where
        G: GLVConfig,
        G::ScalarField: PrimeField<BigInt = BigInt<4>>,
    {
        let mut rng = StdRng::seed_from_u64(7);
        for n in [0usize, 1, 2, 3, 17, 100, 1000] {
            let mut p: Vec<Affine<G>> = (0..n)
                .map(|_| Projective::<G>::rand(&mut rng).into_affine())
                .collect();
            let mut k: Vec<G::ScalarField> =
                (0..n).map(|_| G::ScalarField::rand(&mut rng)).collect();
            if n >= 2 {
                k[0] = -G::ScalarField::one(); // r - 1
                p[1] = Affine::<G>::identity();
            }
            if n >= 17 {
                k[2] = G::ScalarField::zero();
                p[3] = p[4];
                k[3] = k[4];
                p[5] = -p[6];
                k[5] = k[6];
                p[7] = p[8];
                k[7] = -k[8];
                k[9] = G::LAMBDA;
                p[10] = G::endomorphism_affine(&p[11]);
                k[10] = -G::ScalarField::one();
                k[11] = G::LAMBDA;
                for i in 12..17 {
                    p[i] = p[12];
                    k[i] = -G::ScalarField::from(3u64);
                }
            }
            let ints: Vec<BigInt<4>> = k.iter().map(|v| v.into_bigint()).collect();
            let naive: Projective<G> = p.iter().zip(&k).map(|(b, s)| *b * s).sum();
            let plain = super::super::msm::msm_plain(&p, &ints);
            let glv = msm::<G>(&p, &ints).expect("GLV group");
            assert_eq!(plain.into_affine(), naive.into_affine(), "plain, n = {n}");
            assert_eq!(glv.into_affine(), naive.into_affine(), "glv, n = {n}");
            assert_eq!(super::super::msm::msm_bigint(&p, &ints), naive, "n = {n}");
        }
        // all scalars r - 1 on one point: -n P
        let g = Affine::<G>::generator();
        let ints = vec![(-G::ScalarField::one()).into_bigint(); 300];
        let expected = -(g * G::ScalarField::from(300u64));
        assert_eq!(msm::<G>(&[g; 300], &ints).unwrap(), expected);
        // all points at infinity
        let id = vec![Affine::<G>::identity(); 50];
        let ints = vec![G::ScalarField::rand(&mut rng).into_bigint(); 50];
        assert!(msm::<G>(&id, &ints).unwrap().is_zero());
    }

    #[test]
    fn glv_msm_equals_plain_msm() {
        msm_cases::<ark_bn254::g1::Config>();
        msm_cases::<ark_bn254::g2::Config>();
        msm_cases::<ark_bls12_381::g1::Config>();
        msm_cases::<ark_bls12_381::g2::Config>();
    }
}

#[cfg(test)]
mod bench {
    use super::*;
    use ark_ec::CurveGroup;
    use ark_ff::UniformRand;
    use ark_std::rand::{rngs::StdRng, SeedableRng};
    use std::time::Instant;

    fn one<G>(n: usize)
    where
        G: GLVConfig,
        G::ScalarField: PrimeField<BigInt = BigInt<4>>,
    {
        let mut rng = StdRng::seed_from_u64(1);
        let g = Projective::<G>::rand(&mut rng);
        let mut acc = g;
        let p: Vec<Affine<G>> = (0..n)
            .map(|_| {
                acc += g;
                acc
            })
            .collect::<Vec<_>>()
            .iter()
            .map(|x| x.into_affine())
            .collect();
        let k: Vec<BigInt<4>> = (0..n)
            .map(|_| G::ScalarField::rand(&mut rng).into_bigint())
            .collect();
        let (mut tp, mut tg) = (vec![], vec![]);
        for _ in 0..5 {
            let t = Instant::now();
            let a = super::super::msm::msm_plain(&p, &k);
            tp.push(t.elapsed().as_secs_f64() * 1e3);
            let t = Instant::now();
            let b = msm::<G>(&p, &k).unwrap();
            tg.push(t.elapsed().as_secs_f64() * 1e3);
            assert_eq!(a, b);
        }
        tp.sort_by(f64::total_cmp);
        tg.sort_by(f64::total_cmp);
        println!(
            "{} n={n}: plain {:.1} ms, glv {:.1} ms (medians of 5; min {:.1} / {:.1})",
            std::any::type_name::<G>(),
            tp[2],
            tg[2],
            tp[0],
            tg[0]
        );
    }

    #[test]
    #[ignore]
    fn glv_vs_plain_timing() {
        one::<ark_bn254::g1::Config>(18_000);
        one::<ark_bn254::g1::Config>(32_767);
        one::<ark_bn254::g1::Config>(1 << 16);
        one::<ark_bn254::g2::Config>(18_000);
        one::<ark_bls12_381::g1::Config>(18_000);
        one::<ark_bls12_381::g2::Config>(4_000);
        one::<ark_bn254::g1::Config>(64);
        one::<ark_bn254::g1::Config>(256);
    }
}
