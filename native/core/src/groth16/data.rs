//! Groth16 data: constraint matrices, keys and proofs, and their byte forms (STYLE A2).
//!
//! Byte forms (all integers little-endian `u32`, points in the curve's arkworks
//! uncompressed form, see `algebra::codec`):
//!
//! * matrices: `n_wires, n_public, n_constraints`, then for each of A, B, C:
//!   `nnz, row_len[n_constraints], wire[nnz], coeff[nnz]` (coefficients 32-byte
//!   little-endian canonical scalars);
//! * verifying key: `alpha_g1, beta_g2, gamma_g2, delta_g2, n_ic, ic[n_ic]`;
//! * proof: `a (G1), b (G2), c (G1)`;
//! * proving key body: `n_wires, n_public, domain_size`, the verifying key, `beta_g1,
//!   delta_g1`, then `a_query[n_wires], b_g1_query[n_wires], b_g2_query[n_wires],
//!   h_query[domain_size - 1], l_query[n_wires - n_public - 1]`.
//!
//! Decoding validates everything (coordinates `< q`, curve equation, subgroup) except in
//! [`ProvingKey::from_bytes_unchecked`], which skips the curve and subgroup checks of the
//! query vectors and is only for bytes whose integrity the caller has established (the
//! Python layer checks a SHA-256 over the file first).
use ark_ec::pairing::{Pairing, PairingOutput};
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, PrimeField};
use ark_serialize::{CanonicalDeserialize, Compress, Validate};
use rayon::prelude::*;

use crate::algebra::codec::{self, PointCodec};
use crate::algebra::{scalar, Curve};
use crate::error::{CoreError, CoreResult};

/// G1 affine point of curve `C`.
pub type G1<C> = Affine<<C as Curve>::G1>;
/// G2 affine point of curve `C`.
pub type G2<C> = Affine<<C as Curve>::G2>;

/// A sparse R1CS in wire order (wire 0 is the constant 1, then `n_public` public
/// signals, then the rest). Row `k` of `a` lists `(wire, coefficient)` of `<A_k, w>`.
#[derive(Clone, Debug)]
pub struct Matrices<F> {
    /// Number of wires, including the constant wire 0.
    pub n_wires: usize,
    /// Number of public signals (wires `1..=n_public`).
    pub n_public: usize,
    /// Rows of A.
    pub a: Vec<Vec<(usize, F)>>,
    /// Rows of B.
    pub b: Vec<Vec<(usize, F)>>,
    /// Rows of C.
    pub c: Vec<Vec<(usize, F)>>,
}

/// A little cursor over input bytes whose every read is length-checked.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8], what: &'static str) -> Self {
        Reader { buf, pos: 0, what }
    }
    pub(crate) fn take(&mut self, n: usize) -> CoreResult<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| {
                CoreError::InvalidEncoding(format!(
                    "{}: truncated ({} bytes, needed {} more at offset {})",
                    self.what,
                    self.buf.len(),
                    n,
                    self.pos
                ))
            })?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }
    pub(crate) fn u32(&mut self) -> CoreResult<usize> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }
    pub(crate) fn finish(&self) -> CoreResult<()> {
        if self.pos != self.buf.len() {
            return Err(CoreError::InvalidEncoding(format!(
                "{}: {} trailing bytes",
                self.what,
                self.buf.len() - self.pos
            )));
        }
        Ok(())
    }
    /// `count` validated points.
    pub(crate) fn points<P: PointCodec>(&mut self, count: usize) -> CoreResult<Vec<Affine<P>>> {
        let size = count.checked_mul(P::uncompressed_bytes()).ok_or_else(|| {
            CoreError::InvalidEncoding(format!("{}: point count overflows", self.what))
        })?;
        codec::decode_vec::<P>(self.take(size)?, false)
    }
    /// One validated point.
    pub(crate) fn point<P: PointCodec>(&mut self) -> CoreResult<Affine<P>> {
        Ok(self.points::<P>(1)?[0])
    }
    /// `points` when `checked`, else `points_unchecked` (one key layout, two trust levels).
    pub(crate) fn points_as<P: PointCodec>(
        &mut self,
        count: usize,
        checked: bool,
    ) -> CoreResult<Vec<Affine<P>>> {
        if checked {
            self.points::<P>(count)
        } else {
            self.points_unchecked::<P>(count)
        }
    }
    /// `count` points decoded WITHOUT the curve-equation and subgroup checks
    /// (coordinates are still required to be `< q`).
    pub(crate) fn points_unchecked<P: PointCodec>(
        &mut self,
        count: usize,
    ) -> CoreResult<Vec<Affine<P>>> {
        let each = P::uncompressed_bytes();
        let size = count.checked_mul(each).ok_or_else(|| {
            CoreError::InvalidEncoding(format!("{}: point count overflows", self.what))
        })?;
        let bytes = self.take(size)?;
        let what = self.what;
        bytes
            .par_chunks_exact(each)
            .with_min_len(512)
            .map(|c| {
                Affine::<P>::deserialize_with_mode(c, Compress::No, Validate::No).map_err(|e| {
                    CoreError::InvalidEncoding(format!("{what}: undecodable point ({e})"))
                })
            })
            .collect()
    }
}

fn put_u32(out: &mut Vec<u8>, v: usize) {
    let v = u32::try_from(v).expect("sizes fit in u32 (checked when built)");
    out.extend_from_slice(&v.to_le_bytes());
}

impl<F: scalar::ScalarField> Matrices<F> {
    /// Number of constraints.
    pub fn n_constraints(&self) -> usize {
        self.a.len()
    }

    /// Decodes the compact byte form (module docs); every wire index must be
    /// `< n_wires` and every coefficient canonical.
    pub fn from_bytes(bytes: &[u8]) -> CoreResult<Self> {
        let mut r = Reader::new(bytes, "R1CS matrices");
        let n_wires = r.u32()?;
        let n_public = r.u32()?;
        let m = r.u32()?;
        if n_wires == 0 || n_public >= n_wires {
            return Err(CoreError::InvalidArgument(format!(
                "R1CS matrices: {n_public} public signals need more than {n_wires} wires"
            )));
        }
        let mut mats = Vec::with_capacity(3);
        for name in ["A", "B", "C"] {
            let nnz = r.u32()?;
            let lens_bytes = r.take(m.checked_mul(4).ok_or_else(overflow)?)?;
            let wires_bytes = r.take(nnz.checked_mul(4).ok_or_else(overflow)?)?;
            let coeffs = r.take(nnz.checked_mul(32).ok_or_else(overflow)?)?;
            let lens: Vec<usize> = lens_bytes.chunks_exact(4).map(le_u32).collect();
            if lens.iter().sum::<usize>() != nnz {
                return Err(CoreError::InvalidEncoding(format!(
                    "R1CS matrices: the row lengths of {name} do not add up to {nnz}"
                )));
            }
            let wires: Vec<usize> = wires_bytes.chunks_exact(4).map(le_u32).collect();
            if let Some(&w) = wires.iter().find(|&&w| w >= n_wires) {
                return Err(CoreError::InvalidArgument(format!(
                    "R1CS matrices: {name} mentions wire {w}, but there are {n_wires} wires"
                )));
            }
            let values: Vec<F> = scalar::decode::<F>(coeffs)?;
            let mut rows = Vec::with_capacity(m);
            let mut at = 0;
            for len in lens {
                rows.push(
                    wires[at..at + len]
                        .iter()
                        .copied()
                        .zip(values[at..at + len].iter().copied())
                        .collect(),
                );
                at += len;
            }
            mats.push(rows);
        }
        r.finish()?;
        let c = mats.pop().expect("three matrices");
        let b = mats.pop().expect("three matrices");
        let a = mats.pop().expect("three matrices");
        Ok(Matrices {
            n_wires,
            n_public,
            a,
            b,
            c,
        })
    }

    /// The index of the first constraint the witness violates, if any.
    pub fn first_unsatisfied(&self, w: &[F]) -> Option<usize> {
        let eval = |row: &Vec<(usize, F)>| row.iter().map(|&(i, c)| w[i] * c).sum::<F>();
        (0..self.n_constraints())
            .into_par_iter()
            .with_min_len(1024)
            .find_first(|&k| eval(&self.a[k]) * eval(&self.b[k]) != eval(&self.c[k]))
    }
}

fn overflow() -> CoreError {
    CoreError::InvalidEncoding("R1CS matrices: a length overflows".into())
}

fn le_u32(b: &[u8]) -> usize {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
}

/// The Groth16 verifying key.
pub struct VerifyingKey<C: Curve> {
    /// `[alpha]_1`.
    pub alpha_g1: G1<C>,
    /// `[beta]_2`.
    pub beta_g2: G2<C>,
    /// `[gamma]_2`.
    pub gamma_g2: G2<C>,
    /// `[delta]_2`.
    pub delta_g2: G2<C>,
    /// `[(beta u_i(tau) + alpha v_i(tau) + w_i(tau)) / gamma]_1` for the constant wire
    /// and each public signal (snarkjs: `IC`).
    pub gamma_abc_g1: Vec<G1<C>>,
}

impl<C: Curve> VerifyingKey<C> {
    /// Number of public inputs this key expects (`len(IC) - 1`).
    pub fn n_public(&self) -> usize {
        self.gamma_abc_g1.len() - 1
    }

    /// The byte form (module docs).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = codec::encode_vec(&[self.alpha_g1], false);
        out.extend(codec::encode_vec(
            &[self.beta_g2, self.gamma_g2, self.delta_g2],
            false,
        ));
        put_u32(&mut out, self.gamma_abc_g1.len());
        out.extend(codec::encode_vec(&self.gamma_abc_g1, false));
        out
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> CoreResult<Self> {
        let alpha_g1 = r.point::<C::G1>()?;
        let g2 = r.points::<C::G2>(3)?;
        let n_ic = r.u32()?;
        let gamma_abc_g1 = r.points::<C::G1>(n_ic)?;
        let vk = VerifyingKey {
            alpha_g1,
            beta_g2: g2[0],
            gamma_g2: g2[1],
            delta_g2: g2[2],
            gamma_abc_g1,
        };
        vk.check()?;
        Ok(vk)
    }

    /// Validated decoding, refusing degenerate keys (see [`VerifyingKey::check`]).
    pub fn from_bytes(bytes: &[u8]) -> CoreResult<Self> {
        let mut r = Reader::new(bytes, "verifying key");
        let vk = Self::read(&mut r)?;
        r.finish()?;
        Ok(vk)
    }

    /// Refuses keys no honest setup produces (ADVERSARIAL B6): no IC point; alpha, beta,
    /// gamma or delta at infinity; gamma == delta (then C can absorb the public inputs
    /// and any statement verifies); delta equal to the G2 generator (delta = 1 is
    /// known, so C is computable without the trapdoor). gamma == the generator is
    /// accepted: snarkjs keys all have it, and it is harmless while delta is secret.
    pub fn check(&self) -> CoreResult<()> {
        let bad = |m: &str| Err(CoreError::InvalidArgument(format!("verifying key: {m}")));
        if self.gamma_abc_g1.is_empty() {
            return bad("IC is empty (it needs one point for the constant wire)");
        }
        if self.alpha_g1.is_zero()
            || self.beta_g2.is_zero()
            || self.gamma_g2.is_zero()
            || self.delta_g2.is_zero()
        {
            return bad("alpha, beta, gamma or delta is the point at infinity");
        }
        let g2 = <C::G2 as SWCurveConfig>::GENERATOR;
        if self.delta_g2 == g2 {
            return bad("delta is the G2 generator (a known setup secret)");
        }
        if self.gamma_g2 == self.delta_g2 {
            return bad("gamma == delta (public inputs would not be bound)");
        }
        Ok(())
    }
}

/// A Groth16 proof `(A, B, C)`.
pub struct Proof<C: Curve> {
    /// `[A]_1`.
    pub a: G1<C>,
    /// `[B]_2`.
    pub b: G2<C>,
    /// `[C]_1`.
    pub c: G1<C>,
}

impl<C: Curve> Proof<C> {
    /// The byte form `a || b || c`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = codec::encode_vec(&[self.a], false);
        out.extend(codec::encode_vec(&[self.b], false));
        out.extend(codec::encode_vec(&[self.c], false));
        out
    }

    /// Validated decoding (ADVERSARIAL B4): every point on the curve and in the
    /// subgroup, and none of A, B, C at infinity.
    pub fn from_bytes(bytes: &[u8]) -> CoreResult<Self> {
        let mut r = Reader::new(bytes, "proof");
        let a = r.point::<C::G1>()?;
        let b = r.point::<C::G2>()?;
        let c = r.point::<C::G1>()?;
        r.finish()?;
        if a.is_zero() || b.is_zero() || c.is_zero() {
            return Err(CoreError::InvalidArgument(
                "proof: A, B or C is the point at infinity".into(),
            ));
        }
        Ok(Proof { a, b, c })
    }
}

/// The Groth16 proving key; it embeds the verifying key (STYLE A2).
pub struct ProvingKey<C: Curve> {
    /// The verifying key.
    pub vk: VerifyingKey<C>,
    /// Number of wires of the constraint system the key was made for.
    pub n_wires: usize,
    /// Size of the evaluation domain H.
    pub domain_size: usize,
    /// `[beta]_1`.
    pub beta_g1: G1<C>,
    /// `[delta]_1`.
    pub delta_g1: G1<C>,
    /// `[u_i(tau)]_1` for every wire.
    pub a_query: Vec<G1<C>>,
    /// `[v_i(tau)]_1` for every wire.
    pub b_g1_query: Vec<G1<C>>,
    /// `[v_i(tau)]_2` for every wire.
    pub b_g2_query: Vec<G2<C>>,
    /// `[tau^j t(tau) / delta]_1`, j = 0 .. domain_size - 2.
    pub h_query: Vec<G1<C>>,
    /// `[(beta u_i(tau) + alpha v_i(tau) + w_i(tau)) / delta]_1` for every private wire.
    pub l_query: Vec<G1<C>>,
}

impl<C: Curve> ProvingKey<C> {
    /// Number of public signals.
    pub fn n_public(&self) -> usize {
        self.vk.n_public()
    }

    /// The body byte form (module docs).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put_u32(&mut out, self.n_wires);
        put_u32(&mut out, self.n_public());
        put_u32(&mut out, self.domain_size);
        out.extend(self.vk.to_bytes());
        out.extend(codec::encode_vec(&[self.beta_g1, self.delta_g1], false));
        out.extend(codec::encode_vec(&self.a_query, false));
        out.extend(codec::encode_vec(&self.b_g1_query, false));
        out.extend(codec::encode_vec(&self.b_g2_query, false));
        out.extend(codec::encode_vec(&self.h_query, false));
        out.extend(codec::encode_vec(&self.l_query, false));
        out
    }

    fn read(bytes: &[u8], checked: bool) -> CoreResult<Self> {
        let mut r = Reader::new(bytes, "proving key");
        let n_wires = r.u32()?;
        let n_public = r.u32()?;
        let domain_size = r.u32()?;
        if n_public >= n_wires || !domain_size.is_power_of_two() || domain_size < 2 {
            return Err(CoreError::InvalidEncoding(
                "proving key: inconsistent sizes in the header".into(),
            ));
        }
        // The verifying key is small: always fully validated.
        let vk = VerifyingKey::<C>::read(&mut r)?;
        if vk.n_public() != n_public {
            return Err(CoreError::InvalidEncoding(
                "proving key: the embedded verifying key has another input count".into(),
            ));
        }
        let bd = r.points::<C::G1>(2)?;
        let n_private = n_wires - n_public - 1;
        let pk = ProvingKey {
            vk,
            n_wires,
            domain_size,
            beta_g1: bd[0],
            delta_g1: bd[1],
            a_query: r.points_as::<C::G1>(n_wires, checked)?,
            b_g1_query: r.points_as::<C::G1>(n_wires, checked)?,
            b_g2_query: r.points_as::<C::G2>(n_wires, checked)?,
            h_query: r.points_as::<C::G1>(domain_size - 1, checked)?,
            l_query: r.points_as::<C::G1>(n_private, checked)?,
        };
        r.finish()?;
        Ok(pk)
    }

    /// Validated decoding: every point on the curve and in the subgroup.
    pub fn from_bytes(bytes: &[u8]) -> CoreResult<Self> {
        Self::read(bytes, true)
    }

    /// Decoding that skips the curve-equation and subgroup checks of the query
    /// vectors (the verifying key, `beta_g1` and `delta_g1` are still validated).
    /// Only for bytes whose integrity was established (e.g. a hash over the file
    /// matched); a corrupted key makes wrong proofs, it never makes a verifier accept.
    pub fn from_bytes_unchecked(bytes: &[u8]) -> CoreResult<Self> {
        Self::read(bytes, false)
    }
}

/// The verifying key with the values the verifier needs precomputed once (STYLE A2).
pub struct PreparedVerifyingKey<C: Curve> {
    /// The verifying key.
    pub vk: VerifyingKey<C>,
    /// `e(alpha, beta)`.
    pub alpha_g1_beta_g2: PairingOutput<C::Engine>,
    /// `-gamma`, prepared for the Miller loop.
    pub gamma_g2_neg_pc: <C::Engine as Pairing>::G2Prepared,
    /// `-delta`, prepared for the Miller loop.
    pub delta_g2_neg_pc: <C::Engine as Pairing>::G2Prepared,
}

/// Canonical big integers of field elements (the MSM's scalar form).
pub(crate) fn bigints<F: PrimeField<BigInt = BigInt<4>>>(v: &[F]) -> Vec<BigInt<4>> {
    v.par_iter()
        .with_min_len(1024)
        .map(|x| x.into_bigint())
        .collect()
}

/// `Clone`, `Debug`, `PartialEq`, `Eq` without requiring them of the curve marker `C`
/// (`derive` would).
macro_rules! impl_traits {
    ($name:ident { $($field:ident),* }) => {
        impl<C: Curve> Clone for $name<C> {
            fn clone(&self) -> Self {
                $name { $($field: self.$field.clone()),* }
            }
        }
        impl<C: Curve> std::fmt::Debug for $name<C> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name))$(.field(stringify!($field), &self.$field))*.finish()
            }
        }
    };
}
macro_rules! impl_eq {
    ($name:ident { $($field:ident),* }) => {
        impl<C: Curve> PartialEq for $name<C> {
            fn eq(&self, other: &Self) -> bool {
                true $(&& self.$field == other.$field)*
            }
        }
        impl<C: Curve> Eq for $name<C> {}
    };
}
impl_traits!(VerifyingKey {
    alpha_g1,
    beta_g2,
    gamma_g2,
    delta_g2,
    gamma_abc_g1
});
impl_eq!(VerifyingKey {
    alpha_g1,
    beta_g2,
    gamma_g2,
    delta_g2,
    gamma_abc_g1
});
impl<C: Curve> Clone for Proof<C> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<C: Curve> std::fmt::Debug for Proof<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proof")
            .field("a", &self.a)
            .field("b", &self.b)
            .field("c", &self.c)
            .finish()
    }
}
impl_eq!(Proof { a, b, c });
impl<C: Curve> Copy for Proof<C> {}
impl_traits!(ProvingKey {
    vk,
    n_wires,
    domain_size,
    beta_g1,
    delta_g1,
    a_query,
    b_g1_query,
    b_g2_query,
    h_query,
    l_query
});
impl_eq!(ProvingKey {
    vk,
    n_wires,
    domain_size,
    beta_g1,
    delta_g1,
    a_query,
    b_g1_query,
    b_g2_query,
    h_query,
    l_query
});
impl_traits!(PreparedVerifyingKey {
    vk,
    alpha_g1_beta_g2,
    gamma_g2_neg_pc,
    delta_g2_neg_pc
});
