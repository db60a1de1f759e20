//! Pippenger MSM with batch-affine bucket accumulation.
//!
//! arkworks' `msm_bigint` adds every point into its bucket with a mixed
//! Jacobian-affine addition (~7M + 4S). Here each window first sorts the (signed-digit)
//! points by bucket, then sums every bucket's points pairwise in affine coordinates,
//! with one batch inversion per round for all buckets of the window: ~6M per
//! addition including the amortized inversion. The cheap part (running sums over
//! the buckets, combining the windows) stays projective. Windows run in parallel.
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::AdditiveGroup;
use ark_ff::{BigInt, Field, PrimeField, Zero};
use rayon::prelude::*;

/// Bits `[offset, offset + width)` of a 4-limb integer (width <= 32).
fn bits_at(v: &BigInt<4>, offset: usize, width: usize) -> u64 {
    let limb = offset / 64;
    if limb >= 4 {
        return 0;
    }
    let shift = offset % 64;
    let mut word = v.0[limb] >> shift;
    if shift + width > 64 && limb + 1 < 4 {
        word |= v.0[limb + 1] << (64 - shift);
    }
    word & ((1u64 << width) - 1)
}

/// The window width minimizing a simple cost model: per window, every point is sorted
/// and added in affine form (~6M plus memory traffic, weighted 8), and the running
/// sums cost two projective additions (~11M each) per bucket. On this machine it picks
/// c = 13 at 2^16, which measured best for both BN254 groups (c = 11..15 tried).
fn window_bits(n: usize, scalar_bits: usize) -> usize {
    (4..=18)
        .min_by_key(|&c| {
            let windows = scalar_bits / c + 1;
            windows * (8 * n + 22 * (1usize << (c - 1)))
        })
        .expect("non-empty range")
}

/// Signed base-2^c digits of each scalar, in `[-2^(c-1), 2^(c-1)]`, window-major
/// (`digits[w * n + i]`), so that each window reads one contiguous slice.
fn signed_digits(scalars: &[BigInt<4>], c: usize, windows: usize) -> Vec<i32> {
    let n = scalars.len();
    let half = 1i64 << (c - 1);
    let full = 1i64 << c;
    let mut scalar_major = vec![0i32; n * windows];
    scalar_major
        .par_chunks_exact_mut(windows)
        .with_min_len(1024)
        .zip(scalars.par_iter())
        .for_each(|(out, s)| {
            let mut carry = 0i64;
            for (w, d) in out.iter_mut().enumerate() {
                let mut v = bits_at(s, w * c, c) as i64 + carry;
                carry = 0;
                if v > half {
                    v -= full;
                    carry = 1;
                }
                *d = v as i32;
            }
            debug_assert_eq!(carry, 0);
        });
    let mut digits = vec![0i32; n * windows];
    for (i, ds) in scalar_major.chunks_exact(windows).enumerate() {
        for (w, d) in ds.iter().enumerate() {
            digits[w * n + i] = *d;
        }
    }
    digits
}

/// Sums each bucket's points in place with batch-affine pairwise additions; returns
/// the bucket sums (identity for empty buckets).
fn reduce_buckets<P: SWCurveConfig>(
    pts: &mut [Affine<P>],
    starts: &[usize],
    lens: &mut [usize],
) -> Vec<Affine<P>> {
    let mut denominators: Vec<P::BaseField> = Vec::new();
    loop {
        denominators.clear();
        for (b, &len) in lens.iter().enumerate() {
            let s = starts[b];
            for k in 0..len / 2 {
                let (p, q) = (&pts[s + 2 * k], &pts[s + 2 * k + 1]);
                let d = if p.infinity || q.infinity {
                    P::BaseField::ONE
                } else if p.x == q.x {
                    if p.y == q.y && !p.y.is_zero() {
                        p.y.double()
                    } else {
                        P::BaseField::ONE
                    }
                } else {
                    q.x - p.x
                };
                denominators.push(d);
            }
        }
        if denominators.is_empty() {
            break;
        }
        ark_ff::batch_inversion(&mut denominators);
        let mut next = 0;
        for (b, len) in lens.iter_mut().enumerate() {
            let s = starts[b];
            let pairs = *len / 2;
            for k in 0..pairs {
                let (p, q) = (pts[s + 2 * k], pts[s + 2 * k + 1]);
                let inv = denominators[next];
                next += 1;
                pts[s + k] = if p.infinity {
                    q
                } else if q.infinity {
                    p
                } else if p.x == q.x {
                    if p.y == q.y && !p.y.is_zero() {
                        let x2 = p.x.square();
                        let lambda = (x2.double() + x2 + P::COEFF_A) * inv;
                        let x3 = lambda.square() - p.x.double();
                        Affine::new_unchecked(x3, lambda * (p.x - x3) - p.y)
                    } else {
                        Affine::identity()
                    }
                } else {
                    let lambda = (q.y - p.y) * inv;
                    let x3 = lambda.square() - p.x - q.x;
                    Affine::new_unchecked(x3, lambda * (p.x - x3) - p.y)
                };
            }
            if *len % 2 == 1 {
                pts[s + pairs] = pts[s + *len - 1];
            }
            *len = len.div_ceil(2);
        }
    }
    lens.iter()
        .zip(starts)
        .map(|(&len, &s)| if len == 1 { pts[s] } else { Affine::identity() })
        .collect()
}

/// One window's sum: `sum_b b * bucket_b`.
fn window_sum<P: SWCurveConfig>(bases: &[Affine<P>], digits: &[i32], c: usize) -> Projective<P> {
    let buckets = 1usize << (c - 1);
    let mut counts = vec![0usize; buckets];
    for (d, p) in digits.iter().zip(bases) {
        if *d != 0 && !p.infinity {
            counts[d.unsigned_abs() as usize - 1] += 1;
        }
    }
    let mut starts = Vec::with_capacity(buckets);
    let mut total = 0;
    for &k in &counts {
        starts.push(total);
        total += k;
    }
    let mut fill = starts.clone();
    let mut pts = vec![Affine::<P>::identity(); total];
    for (d, p) in digits.iter().zip(bases) {
        if *d != 0 && !p.infinity {
            let b = d.unsigned_abs() as usize - 1;
            pts[fill[b]] = if *d < 0 { -*p } else { *p };
            fill[b] += 1;
        }
    }
    let sums = reduce_buckets(&mut pts, &starts, &mut counts);
    let mut running = Projective::<P>::zero();
    let mut acc = Projective::<P>::zero();
    for bucket in sums.iter().rev() {
        running += bucket;
        acc += running;
    }
    acc
}

/// The sizes that go through the GLV split. It leaves the number of bucket additions
/// unchanged (2n points, half the windows) and halves the running sums; measured
/// single-threaded (ignored test `glv_vs_plain_timing`): 4 % less time at 18k and 32k
/// BN254 G1/G2 points, 6-10 % for BLS12-381, 25-35 % below 256 points, but 3-9 % MORE
/// at 2^16 (twice the points no longer fit the caches), hence the upper bound.
const GLV_LEN: std::ops::RangeInclusive<usize> = 64..=(1 << 15);

/// `sum_i scalars[i] * bases[i]` for canonical scalars; the lengths must match. For
/// BN254 and BLS12-381 (G1 and G2) with a length in [`GLV_LEN`], through the GLV
/// endomorphism (`super::glv`): 2n points with ~128-bit scalars.
pub fn msm_bigint<P>(bases: &[Affine<P>], scalars: &[BigInt<4>]) -> Projective<P>
where
    P: SWCurveConfig,
    P::ScalarField: PrimeField<BigInt = BigInt<4>>,
{
    assert_eq!(bases.len(), scalars.len());
    if GLV_LEN.contains(&bases.len()) {
        if let Some(out) = super::glv::msm(bases, scalars) {
            return out;
        }
    }
    msm_plain(bases, scalars)
}

/// The Pippenger MSM without the GLV split (full-length scalars).
pub fn msm_plain<P>(bases: &[Affine<P>], scalars: &[BigInt<4>]) -> Projective<P>
where
    P: SWCurveConfig,
    P::ScalarField: PrimeField<BigInt = BigInt<4>>,
{
    msm_bits(bases, scalars, P::ScalarField::MODULUS_BIT_SIZE as usize)
}

/// The Pippenger MSM for scalars below 2^scalar_bits (1 <= scalar_bits <= 256).
pub(crate) fn msm_bits<P>(
    bases: &[Affine<P>],
    scalars: &[BigInt<4>],
    scalar_bits: usize,
) -> Projective<P>
where
    P: SWCurveConfig,
{
    assert_eq!(bases.len(), scalars.len());
    let n = bases.len();
    if n == 0 {
        return Projective::zero();
    }
    let c = window_bits(n, scalar_bits);
    let windows = scalar_bits / c + 1; // one extra window absorbs the last carry
    let digits = signed_digits(scalars, c, windows);
    let sums: Vec<Projective<P>> = (0..windows)
        .into_par_iter()
        .map(|w| window_sum(bases, &digits[w * n..(w + 1) * n], c))
        .collect();
    let mut acc = Projective::<P>::zero();
    for s in sums.iter().rev() {
        for _ in 0..c {
            acc.double_in_place();
        }
        acc += s;
    }
    acc
}
