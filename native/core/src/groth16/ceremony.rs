//! A multi-party Groth16 setup over BN254 with a verifiable transcript (ADVERSARIAL B7):
//! phase 1 (powers of tau, circuit independent) and phase 2 (delta, circuit specific).
//! The result is secure if at least one contributor was honest and destroyed its secrets.
//!
//! Phase 1 accumulator for `n = 2^power` (gamma = 1 as in snarkjs): `[tau^i]_1` for
//! `i < 2n - 1`, `[tau^i]_2`, `[alpha tau^i]_1`, `[beta tau^i]_1` for `i < n`, `[beta]_2`.
//! A contribution multiplies tau, alpha, beta by fresh secrets `x` and publishes, per
//! secret, a proof of knowledge (BGM17): `s·G1`, `s·x·G1` and `x·P` with `P` a G2 point
//! hashed from the previous contribution hash and `s·G1, s·x·G1` (nobody knows log P).
//! Its hash `SHA-256(tag, previous hash, new tau/alpha/beta points, proofs)` chains it
//! to the previous one. Verification checks every proof and every link, that the last
//! contribution's points are the accumulator's, and the powers' consistency with one
//! random-linear-combination pairing check per vector.
//!
//! Phase 2 starts from the delta = 1 key derived deterministically from phase 1 and the
//! R1CS (Lagrange basis by an inverse FFT over the group elements). A contribution sets
//! `delta <- x·delta`, divides the L and H queries by `x`, and publishes the same kind of
//! proof of knowledge for `x`. Verification recomputes the delta independent part, checks
//! the chain of deltas, and that L and H were divided by the final delta with one random
//! linear combination each. A beacon contribution derives `x` from public randomness.
//!
//! Secrets come from `OsRng`, never leave the contributing function, and are overwritten
//! before it returns. Intermediate accumulators are not kept: the transcript holds each
//! contribution's summary points and the latest full state (as snarkjs does).
use ark_bn254::{Bn254, Fq, Fq2, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{Field, PrimeField, UniformRand, Zero};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rand::rngs::OsRng;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::data::{bigints, Matrices, ProvingKey, Reader, VerifyingKey};
use super::setup::domain;
use crate::algebra::codec;
use crate::algebra::msm::msm_bigint;
use crate::algebra::pairing::pairing_check;
use crate::algebra::Bn254 as Curve254;
use crate::error::CoreError;

/// Largest phase-1 power accepted (2^20 constraints; a 2^20 transcript is ~400 MB).
pub const MAX_POWER: u32 = 20;

const G1_BYTES: usize = 64;
const G2_BYTES: usize = 128;
/// Bytes of one proof of knowledge: `s·G1, s·x·G1, x·P`.
pub const POK_BYTES: usize = 2 * G1_BYTES + G2_BYTES;
/// Bytes of one phase-1 contribution record.
pub const PHASE1_RECORD_BYTES: usize = 32 + 3 * G1_BYTES + 2 * G2_BYTES + 3 * POK_BYTES + 32;
/// Bytes of one phase-2 contribution record.
pub const PHASE2_RECORD_BYTES: usize = 1 + 32 + 4 + 32 + G1_BYTES + G2_BYTES + POK_BYTES + 32;
/// Largest beacon iteration exponent (2^exp SHA-256 iterations; 2^28 is ~1 min, which
/// bounds what a hostile transcript can make a verifier spend).
pub const MAX_BEACON_EXP: u32 = 28;

/// Why a ceremony call failed: a transcript check (Python: `TranscriptInvalid`) or a
/// malformed input (the core's usual classes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CeremonyError {
    /// A check of the transcript failed; the message names the contribution and check.
    Invalid(String),
    /// The input could not be decoded or does not fit.
    Core(CoreError),
}

impl From<CoreError> for CeremonyError {
    fn from(e: CoreError) -> Self {
        CeremonyError::Core(e)
    }
}

impl std::fmt::Display for CeremonyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CeremonyError::Invalid(m) => write!(f, "{m}"),
            CeremonyError::Core(e) => write!(f, "{e}"),
        }
    }
}

/// Result alias of this module.
pub type CeremonyResult<T> = Result<T, CeremonyError>;

fn invalid<T>(msg: String) -> CeremonyResult<T> {
    Err(CeremonyError::Invalid(msg))
}

fn ensure(ok: bool, msg: impl FnOnce() -> String) -> CeremonyResult<()> {
    if ok {
        Ok(())
    } else {
        invalid(msg())
    }
}

fn g1() -> G1Affine {
    G1Affine::generator()
}

fn g2() -> G2Affine {
    G2Affine::generator()
}

/// `e(a, b) == e(c, d)` with one multi-Miller loop.
fn same_pairing(a: G1Affine, b: G2Affine, c: G1Affine, d: G2Affine) -> bool {
    pairing_check::<Bn254>(&[a, (-c.into_group()).into_affine()], &[b, d])
        .expect("two pairs each side")
}

fn nonzero_scalar() -> Fr {
    loop {
        let x = Fr::rand(&mut OsRng);
        if !x.is_zero() {
            return x;
        }
    }
}

/// SHA-256 with the points absorbed in their uncompressed byte form.
struct Transcript(Sha256);

impl Transcript {
    fn new(tag: &str) -> Self {
        let mut h = Sha256::new();
        h.update((tag.len() as u32).to_le_bytes());
        h.update(tag.as_bytes());
        Transcript(h)
    }
    fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.update(b);
        self
    }
    fn g1(&mut self, p: &G1Affine) -> &mut Self {
        self.0.update(codec::encode_vec(&[*p], false));
        self
    }
    fn g2(&mut self, p: &G2Affine) -> &mut Self {
        self.0.update(codec::encode_vec(&[*p], false));
        self
    }
    fn finish(&mut self) -> [u8; 32] {
        std::mem::take(&mut self.0).finalize().into()
    }
}

/// A G2 point nobody knows the discrete logarithm of, from `seed` (try-and-increment
/// on the x coordinate, then multiplication by the cofactor).
pub fn hash_to_g2(seed: &[u8; 32]) -> G2Affine {
    for ctr in 0u32.. {
        let mut t = Transcript::new("zkcredit ceremony hash-to-G2 v1");
        t.bytes(seed).bytes(&ctr.to_le_bytes());
        let h0 = t.finish();
        let h1 = Transcript::new("zkcredit ceremony hash-to-G2 v1 (c1)")
            .bytes(&h0)
            .finish();
        let x = Fq2::new(
            Fq::from_le_bytes_mod_order(&h0),
            Fq::from_le_bytes_mod_order(&h1),
        );
        if let Some(p) = G2Affine::get_point_from_x_unchecked(x, h1[31] & 1 == 1) {
            let q = p.clear_cofactor();
            if !q.is_zero() {
                return q;
            }
        }
    }
    unreachable!("a point is found after a few tries")
}

/// A proof of knowledge of a secret `x` (BGM17): `s·G1`, `s·x·G1`, `x·P`, where `P` is
/// hashed from the previous contribution hash, a label and the two G1 points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pok {
    /// `s·G1` for a random `s`.
    pub s_g1: G1Affine,
    /// `s·x·G1`.
    pub sx_g1: G1Affine,
    /// `x·P`.
    pub xp_g2: G2Affine,
}

impl Pok {
    fn challenge(prev: &[u8; 32], label: &str, s_g1: &G1Affine, sx_g1: &G1Affine) -> G2Affine {
        let seed = Transcript::new("zkcredit ceremony pok v1")
            .bytes(prev)
            .bytes(label.as_bytes())
            .g1(s_g1)
            .g1(sx_g1)
            .finish();
        hash_to_g2(&seed)
    }

    fn make(prev: &[u8; 32], label: &str, x: &Fr, s: &Fr) -> Pok {
        let s_g1 = (g1() * s).into_affine();
        let sx_g1 = (s_g1 * x).into_affine();
        let p = Self::challenge(prev, label, &s_g1, &sx_g1);
        Pok {
            s_g1,
            sx_g1,
            xp_g2: (p * x).into_affine(),
        }
    }

    /// Checks the proof and that `new = x·old` for the proven `x`.
    fn check(
        &self,
        prev: &[u8; 32],
        label: &str,
        old: G1Affine,
        new: G1Affine,
        who: &str,
    ) -> CeremonyResult<()> {
        ensure(
            !self.s_g1.is_zero() && !self.sx_g1.is_zero() && !new.is_zero(),
            || format!("{who}: the {label} proof of knowledge has a point at infinity"),
        )?;
        let p = Self::challenge(prev, label, &self.s_g1, &self.sx_g1);
        ensure(same_pairing(self.s_g1, self.xp_g2, self.sx_g1, p), || {
            format!("{who}: the {label} proof of knowledge does not verify")
        })?;
        ensure(same_pairing(old, self.xp_g2, new, p), || {
            format!("{who}: the new {label} is not the previous one times the proven secret")
        })
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend(codec::encode_vec(&[self.s_g1, self.sx_g1], false));
        out.extend(codec::encode_vec(&[self.xp_g2], false));
    }

    fn absorb(&self, t: &mut Transcript) {
        t.g1(&self.s_g1).g1(&self.sx_g1).g2(&self.xp_g2);
    }

    fn read(r: &mut Reader<'_>) -> CeremonyResult<Pok> {
        let g = r.points::<<Curve254 as crate::algebra::Curve>::G1>(2)?;
        let xp_g2 = r.point::<<Curve254 as crate::algebra::Curve>::G2>()?;
        Ok(Pok {
            s_g1: g[0],
            sx_g1: g[1],
            xp_g2,
        })
    }
}

type P1 = <Curve254 as crate::algebra::Curve>::G1;
type P2 = <Curve254 as crate::algebra::Curve>::G2;

fn put_u32(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&u32::try_from(v).expect("sizes fit in u32").to_le_bytes());
}

fn read_hash(r: &mut Reader<'_>) -> CeremonyResult<[u8; 32]> {
    Ok(r.take(32)?.try_into().expect("32 bytes"))
}

fn hex(h: &[u8; 32]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

/// One link of a contribution hash chain: the recorded previous hash must be the hash of
/// the contribution before, and the recorded hash must be the hash of the contents.
fn check_link(
    who: &str,
    recorded_prev: &[u8; 32],
    expected_prev: &[u8; 32],
    computed: &[u8; 32],
    recorded: &[u8; 32],
) -> CeremonyResult<()> {
    ensure(recorded_prev == expected_prev, || {
        format!(
            "{who}: the recorded previous hash {} is not the hash {} of the contribution before",
            hex(recorded_prev),
            hex(expected_prev)
        )
    })?;
    ensure(computed == recorded, || {
        format!("{who}: the recorded contribution hash does not match its contents")
    })
}

/// `x^0 .. x^(len-1)`.
fn powers(x: Fr, len: usize) -> Vec<Fr> {
    let mut out = Vec::with_capacity(len);
    let mut acc = Fr::from(1u64);
    for _ in 0..len {
        out.push(acc);
        acc *= x;
    }
    out
}

/// `points[i] * scalars[i]` (or times one common scalar), in parallel, normalized.
fn scale_g1(points: &[G1Affine], scalars: &[Fr]) -> Vec<G1Affine> {
    let proj: Vec<G1Projective> = points
        .par_iter()
        .zip(scalars.par_iter())
        .with_min_len(64)
        .map(|(p, s)| *p * s)
        .collect();
    G1Projective::normalize_batch(&proj)
}

fn scale_g2(points: &[G2Affine], scalars: &[Fr]) -> Vec<G2Affine> {
    let proj: Vec<G2Projective> = points
        .par_iter()
        .zip(scalars.par_iter())
        .with_min_len(64)
        .map(|(p, s)| *p * s)
        .collect();
    G2Projective::normalize_batch(&proj)
}

fn random_scalars(n: usize) -> Vec<ark_ff::BigInt<4>> {
    let r: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut OsRng)).collect();
    bigints(&r)
}

/// Checks `v[i+1] = t·v[i]` for all i, given `[t]_2`, with one random linear
/// combination: `e(sum r_i v[i], t_g2) == e(sum r_i v[i+1], G2)`.
fn consecutive_g1(v: &[G1Affine], t_g2: G2Affine) -> bool {
    if v.len() < 2 {
        return true;
    }
    let r = random_scalars(v.len() - 1);
    let lo = msm_bigint(&v[..v.len() - 1], &r).into_affine();
    let hi = msm_bigint(&v[1..], &r).into_affine();
    same_pairing(lo, t_g2, hi, g2())
}

/// Checks `v[i+1] = t·v[i]` in G2 given `[t]_1`.
fn consecutive_g2(v: &[G2Affine], t_g1: G1Affine) -> bool {
    if v.len() < 2 {
        return true;
    }
    let r = random_scalars(v.len() - 1);
    let lo = msm_bigint(&v[..v.len() - 1], &r).into_affine();
    let hi = msm_bigint(&v[1..], &r).into_affine();
    same_pairing(t_g1, lo, g1(), hi)
}

// --- phase 1 ---------------------------------------------------------------------------

/// One phase-1 contribution: the new tau, alpha, beta points and their proofs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase1Contribution {
    /// The hash of the previous contribution (or of the empty ceremony).
    pub prev_hash: [u8; 32],
    /// `[tau]_1` after this contribution.
    pub tau_g1: G1Affine,
    /// `[alpha]_1` after.
    pub alpha_g1: G1Affine,
    /// `[beta]_1` after.
    pub beta_g1: G1Affine,
    /// `[tau]_2` after.
    pub tau_g2: G2Affine,
    /// `[beta]_2` after.
    pub beta_g2: G2Affine,
    /// Proofs of knowledge of the tau, alpha and beta multipliers.
    pub pok: [Pok; 3],
    /// This contribution's hash (recorded; verification recomputes it).
    pub hash: [u8; 32],
}

impl Phase1Contribution {
    fn compute_hash(&self) -> [u8; 32] {
        let mut t = Transcript::new("zkcredit ceremony phase1 contribution v1");
        t.bytes(&self.prev_hash)
            .g1(&self.tau_g1)
            .g1(&self.alpha_g1)
            .g1(&self.beta_g1)
            .g2(&self.tau_g2)
            .g2(&self.beta_g2);
        for p in &self.pok {
            p.absorb(&mut t);
        }
        t.finish()
    }
}

/// The phase-1 transcript: contributions and the current accumulator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase1 {
    /// `n = 2^power` is the largest domain this accumulator serves.
    pub power: u32,
    /// All contributions, oldest first.
    pub contributions: Vec<Phase1Contribution>,
    /// `[tau^i]_1`, `i < 2n - 1`.
    pub tau_g1: Vec<G1Affine>,
    /// `[tau^i]_2`, `i < n`.
    pub tau_g2: Vec<G2Affine>,
    /// `[alpha tau^i]_1`, `i < n`.
    pub alpha_tau_g1: Vec<G1Affine>,
    /// `[beta tau^i]_1`, `i < n`.
    pub beta_tau_g1: Vec<G1Affine>,
    /// `[beta]_2`.
    pub beta_g2: G2Affine,
}

const P1_LABELS: [&str; 3] = ["tau", "alpha", "beta"];

impl Phase1 {
    fn check_power(power: u32) -> CeremonyResult<usize> {
        if power == 0 || power > MAX_POWER {
            return Err(CoreError::InvalidArgument(format!(
                "phase 1: power {power} is outside 1..={MAX_POWER}"
            ))
            .into());
        }
        Ok(1usize << power)
    }

    /// The empty ceremony (every secret 1).
    pub fn new(power: u32) -> CeremonyResult<Phase1> {
        let n = Self::check_power(power)?;
        Ok(Phase1 {
            power,
            contributions: Vec::new(),
            tau_g1: vec![g1(); 2 * n - 1],
            tau_g2: vec![g2(); n],
            alpha_tau_g1: vec![g1(); n],
            beta_tau_g1: vec![g1(); n],
            beta_g2: g2(),
        })
    }

    /// The hash the ceremony starts from (binds the curve and the power).
    pub fn initial_hash(power: u32) -> [u8; 32] {
        Transcript::new("zkcredit ceremony phase1 v1")
            .bytes(b"bn254")
            .bytes(&power.to_le_bytes())
            .finish()
    }

    /// The recorded hash of the last contribution (or the initial hash).
    pub fn hash(&self) -> [u8; 32] {
        self.contributions
            .last()
            .map_or_else(|| Self::initial_hash(self.power), |c| c.hash)
    }

    /// A new transcript with one more contribution from fresh OS randomness.
    pub fn contribute(&self) -> Phase1 {
        let mut secrets = [nonzero_scalar(), nonzero_scalar(), nonzero_scalar()];
        let mut s = [nonzero_scalar(), nonzero_scalar(), nonzero_scalar()];
        let out = self.contribute_with(&secrets, &s);
        for x in secrets.iter_mut().chain(s.iter_mut()) {
            *x = Fr::zero();
        }
        out
    }

    /// The contribution for given secrets `[tau, alpha, beta]` and proof nonces.
    pub(crate) fn contribute_with(&self, x: &[Fr; 3], s: &[Fr; 3]) -> Phase1 {
        let n = self.tau_g2.len();
        let (tau, alpha, beta) = (x[0], x[1], x[2]);
        let mut tp = powers(tau, 2 * n - 1);
        let tau_g1 = scale_g1(&self.tau_g1, &tp);
        let tau_g2 = scale_g2(&self.tau_g2, &tp[..n]);
        let mut ap: Vec<Fr> = tp[..n].iter().map(|t| *t * alpha).collect();
        let alpha_tau_g1 = scale_g1(&self.alpha_tau_g1, &ap);
        let mut bp: Vec<Fr> = tp[..n].iter().map(|t| *t * beta).collect();
        let beta_tau_g1 = scale_g1(&self.beta_tau_g1, &bp);
        let beta_g2 = (self.beta_g2 * beta).into_affine();
        for v in [&mut tp, &mut ap, &mut bp] {
            v.iter_mut().for_each(|e| *e = Fr::zero());
        }
        let prev_hash = self.hash();
        let pok = [0, 1, 2].map(|i| Pok::make(&prev_hash, P1_LABELS[i], &x[i], &s[i]));
        let mut c = Phase1Contribution {
            prev_hash,
            tau_g1: tau_g1[1],
            alpha_g1: alpha_tau_g1[0],
            beta_g1: beta_tau_g1[0],
            tau_g2: tau_g2[1],
            beta_g2,
            pok,
            hash: [0; 32],
        };
        c.hash = c.compute_hash();
        let mut contributions = self.contributions.clone();
        contributions.push(c);
        Phase1 {
            power: self.power,
            contributions,
            tau_g1,
            tau_g2,
            alpha_tau_g1,
            beta_tau_g1,
            beta_g2,
        }
    }

    /// Checks every contribution (hash chain, proofs of knowledge, links) and the
    /// accumulator's consistency with the last one.
    pub fn verify(&self) -> CeremonyResult<()> {
        let n = Self::check_power(self.power)?;
        ensure(
            self.tau_g1.len() == 2 * n - 1
                && self.tau_g2.len() == n
                && self.alpha_tau_g1.len() == n
                && self.beta_tau_g1.len() == n,
            || "phase 1: the accumulator's vector lengths do not match its power".into(),
        )?;
        let mut prev_hash = Self::initial_hash(self.power);
        let (mut tau, mut alpha, mut beta) = (g1(), g1(), g1());
        for (i, c) in self.contributions.iter().enumerate() {
            let who = format!("phase 1 contribution {i}");
            check_link(&who, &c.prev_hash, &prev_hash, &c.compute_hash(), &c.hash)?;
            c.pok[0].check(&prev_hash, "tau", tau, c.tau_g1, &who)?;
            c.pok[1].check(&prev_hash, "alpha", alpha, c.alpha_g1, &who)?;
            c.pok[2].check(&prev_hash, "beta", beta, c.beta_g1, &who)?;
            ensure(same_pairing(c.tau_g1, g2(), g1(), c.tau_g2), || {
                format!("{who}: [tau]_2 does not match [tau]_1")
            })?;
            ensure(same_pairing(c.beta_g1, g2(), g1(), c.beta_g2), || {
                format!("{who}: [beta]_2 does not match [beta]_1")
            })?;
            (tau, alpha, beta) = (c.tau_g1, c.alpha_g1, c.beta_g1);
            prev_hash = c.hash;
        }
        let last = self.contributions.len().checked_sub(1);
        let who = match last {
            Some(i) => format!("phase 1 accumulator (after contribution {i})"),
            None => "phase 1 accumulator (no contribution)".to_string(),
        };
        let (tau_g2, beta_g2) = self
            .contributions
            .last()
            .map_or((g2(), g2()), |c| (c.tau_g2, c.beta_g2));
        ensure(self.tau_g1[0] == g1() && self.tau_g2[0] == g2(), || {
            format!("{who}: tau^0 is not the generator")
        })?;
        ensure(
            self.tau_g1[1] == tau
                && self.alpha_tau_g1[0] == alpha
                && self.beta_tau_g1[0] == beta
                && self.tau_g2[1] == tau_g2
                && self.beta_g2 == beta_g2,
            || format!("{who}: tau, alpha or beta differs from the last contribution's"),
        )?;
        let t2 = self.tau_g2[1];
        ensure(consecutive_g1(&self.tau_g1, t2), || {
            format!("{who}: the [tau^i]_1 powers are inconsistent")
        })?;
        ensure(consecutive_g2(&self.tau_g2, self.tau_g1[1]), || {
            format!("{who}: the [tau^i]_2 powers are inconsistent")
        })?;
        ensure(consecutive_g1(&self.alpha_tau_g1, t2), || {
            format!("{who}: the [alpha tau^i]_1 powers are inconsistent")
        })?;
        ensure(consecutive_g1(&self.beta_tau_g1, t2), || {
            format!("{who}: the [beta tau^i]_1 powers are inconsistent")
        })?;
        Ok(())
    }

    /// The byte form: `power, n_contributions`, the records, then the accumulator.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&self.power.to_le_bytes());
        put_u32(&mut out, self.contributions.len());
        for c in &self.contributions {
            out.extend_from_slice(&c.prev_hash);
            out.extend(codec::encode_vec(&[c.tau_g1, c.alpha_g1, c.beta_g1], false));
            out.extend(codec::encode_vec(&[c.tau_g2, c.beta_g2], false));
            for p in &c.pok {
                p.write(&mut out);
            }
            out.extend_from_slice(&c.hash);
        }
        out.extend(codec::encode_vec(&self.tau_g1, false));
        out.extend(codec::encode_vec(&self.tau_g2, false));
        out.extend(codec::encode_vec(&self.alpha_tau_g1, false));
        out.extend(codec::encode_vec(&self.beta_tau_g1, false));
        out.extend(codec::encode_vec(&[self.beta_g2], false));
        out
    }

    /// Validated decoding (every point on the curve and in the subgroup).
    pub fn from_bytes(bytes: &[u8]) -> CeremonyResult<Phase1> {
        let mut r = Reader::new(bytes, "phase 1 transcript");
        let power = r.u32()? as u32;
        let n = Self::check_power(power)?;
        let count = r.u32()?;
        if count.saturating_mul(PHASE1_RECORD_BYTES) > bytes.len() {
            return Err(CoreError::InvalidEncoding(format!(
                "phase 1 transcript: {count} contributions do not fit in {} bytes",
                bytes.len()
            ))
            .into());
        }
        let mut contributions = Vec::with_capacity(count);
        for _ in 0..count {
            let prev_hash = read_hash(&mut r)?;
            let g = r.points::<P1>(3)?;
            let h = r.points::<P2>(2)?;
            let pok = [Pok::read(&mut r)?, Pok::read(&mut r)?, Pok::read(&mut r)?];
            let hash = read_hash(&mut r)?;
            contributions.push(Phase1Contribution {
                prev_hash,
                tau_g1: g[0],
                alpha_g1: g[1],
                beta_g1: g[2],
                tau_g2: h[0],
                beta_g2: h[1],
                pok,
                hash,
            });
        }
        let p = Phase1 {
            power,
            contributions,
            tau_g1: r.points::<P1>(2 * n - 1)?,
            tau_g2: r.points::<P2>(n)?,
            alpha_tau_g1: r.points::<P1>(n)?,
            beta_tau_g1: r.points::<P1>(n)?,
            beta_g2: r.point::<P2>()?,
        };
        r.finish()?;
        Ok(p)
    }
}

// --- phase 2 ---------------------------------------------------------------------------

/// How a phase-2 contribution's secret was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Fresh OS randomness.
    Random,
    /// Derived from a public beacon value by `2^exp` SHA-256 iterations.
    Beacon {
        /// The beacon value (e.g. a future block hash).
        value: [u8; 32],
        /// The iteration exponent.
        exp: u32,
    },
}

/// One phase-2 contribution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase2Contribution {
    /// Random or beacon.
    pub source: Source,
    /// The previous contribution's hash (or the phase-2 initial hash).
    pub prev_hash: [u8; 32],
    /// `[delta]_1` after this contribution.
    pub delta_g1: G1Affine,
    /// `[delta]_2` after.
    pub delta_g2: G2Affine,
    /// Proof of knowledge of the multiplier.
    pub pok: Pok,
    /// This contribution's hash (recorded).
    pub hash: [u8; 32],
}

impl Phase2Contribution {
    fn compute_hash(&self) -> [u8; 32] {
        let mut t = Transcript::new("zkcredit ceremony phase2 contribution v1");
        match self.source {
            Source::Random => t.bytes(&[0u8]),
            Source::Beacon { value, exp } => {
                t.bytes(&[1u8]).bytes(&value).bytes(&exp.to_le_bytes())
            }
        };
        t.bytes(&self.prev_hash)
            .g1(&self.delta_g1)
            .g2(&self.delta_g2);
        self.pok.absorb(&mut t);
        t.finish()
    }
}

/// The phase-2 transcript: what it was derived from, contributions, current key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase2 {
    /// The hash of the phase-1 transcript it was derived from.
    pub phase1_hash: [u8; 32],
    /// SHA-256 of the R1CS matrices' compact byte form.
    pub r1cs_digest: [u8; 32],
    /// Contributions, oldest first.
    pub contributions: Vec<Phase2Contribution>,
    /// The current key.
    pub key: ProvingKey<Curve254>,
}

/// `(secret, nonce)` of a beacon contribution: SHA-256 iterated `2^exp` times.
fn beacon_secrets(value: &[u8; 32], exp: u32) -> (Fr, Fr) {
    let mut h = *value;
    for _ in 0..(1u64 << exp) {
        h = Sha256::digest(h).into();
    }
    let x = Transcript::new("zkcredit ceremony beacon secret v1")
        .bytes(&h)
        .finish();
    let s = Transcript::new("zkcredit ceremony beacon nonce v1")
        .bytes(&h)
        .finish();
    let nz = |f: Fr| if f.is_zero() { Fr::from(1u64) } else { f };
    (
        nz(Fr::from_le_bytes_mod_order(&x)),
        nz(Fr::from_le_bytes_mod_order(&s)),
    )
}

impl Phase2 {
    /// The hash phase 2 starts from: binds phase 1 and the R1CS.
    pub fn initial_hash(phase1_hash: &[u8; 32], r1cs_digest: &[u8; 32]) -> [u8; 32] {
        Transcript::new("zkcredit ceremony phase2 v1")
            .bytes(phase1_hash)
            .bytes(r1cs_digest)
            .finish()
    }

    /// The recorded hash of the last contribution (or the initial hash).
    pub fn hash(&self) -> [u8; 32] {
        self.contributions.last().map_or_else(
            || Self::initial_hash(&self.phase1_hash, &self.r1cs_digest),
            |c| c.hash,
        )
    }

    /// The delta = 1 key for `m` from the phase-1 accumulator (deterministic).
    pub fn new(p1: &Phase1, m: &Matrices<Fr>, r1cs_digest: [u8; 32]) -> CeremonyResult<Phase2> {
        Ok(Phase2 {
            phase1_hash: p1.hash(),
            r1cs_digest,
            contributions: Vec::new(),
            key: initial_key(p1, m)?,
        })
    }

    /// A new transcript with one more contribution from fresh OS randomness.
    pub fn contribute(&self) -> CeremonyResult<Phase2> {
        let mut x = nonzero_scalar();
        let mut s = nonzero_scalar();
        let out = self.contribute_with(Source::Random, &x, &s);
        x = Fr::zero();
        s = Fr::zero();
        let _ = (x, s);
        out
    }

    /// A final contribution whose secret is derived from a public beacon.
    pub fn beacon(&self, value: [u8; 32], exp: u32) -> CeremonyResult<Phase2> {
        if exp > MAX_BEACON_EXP {
            return Err(CoreError::InvalidArgument(format!(
                "beacon: iteration exponent {exp} exceeds {MAX_BEACON_EXP}"
            ))
            .into());
        }
        let (x, s) = beacon_secrets(&value, exp);
        self.contribute_with(Source::Beacon { value, exp }, &x, &s)
    }

    pub(crate) fn contribute_with(&self, source: Source, x: &Fr, s: &Fr) -> CeremonyResult<Phase2> {
        let mut inv = x.inverse().ok_or_else(|| {
            CoreError::DivisionByZero("phase 2: the contribution secret is zero".into())
        })?;
        let prev_hash = self.hash();
        let mut key = self.key.clone();
        key.delta_g1 = (key.delta_g1 * x).into_affine();
        key.vk.delta_g2 = (key.vk.delta_g2 * x).into_affine();
        key.l_query = scale_g1(&key.l_query, &vec![inv; key.l_query.len()]);
        key.h_query = scale_g1(&key.h_query, &vec![inv; key.h_query.len()]);
        inv = Fr::zero();
        let _ = inv;
        let mut c = Phase2Contribution {
            source,
            prev_hash,
            delta_g1: key.delta_g1,
            delta_g2: key.vk.delta_g2,
            pok: Pok::make(&prev_hash, "delta", x, s),
            hash: [0; 32],
        };
        c.hash = c.compute_hash();
        let mut contributions = self.contributions.clone();
        contributions.push(c);
        Ok(Phase2 {
            phase1_hash: self.phase1_hash,
            r1cs_digest: self.r1cs_digest,
            contributions,
            key,
        })
    }

    /// Verifies phase 1, then that this transcript derives from it and `m`: the delta
    /// independent part recomputed, the chain of deltas, L and H divided by delta.
    pub fn verify(
        &self,
        p1: &Phase1,
        m: &Matrices<Fr>,
        r1cs_digest: &[u8; 32],
    ) -> CeremonyResult<()> {
        p1.verify()?;
        ensure(self.phase1_hash == p1.hash(), || {
            "phase 2: the transcript was derived from another phase 1 transcript".into()
        })?;
        ensure(&self.r1cs_digest == r1cs_digest, || {
            "phase 2: the transcript was made for another R1CS (digest differs)".into()
        })?;
        let k0 = initial_key(p1, m)?;
        let k = &self.key;
        ensure(
            k.n_wires == k0.n_wires && k.domain_size == k0.domain_size,
            || "phase 2 key: its sizes are not those of this R1CS".into(),
        )?;
        let parts: [(&str, bool); 8] = [
            ("alpha_g1", k.vk.alpha_g1 == k0.vk.alpha_g1),
            (
                "beta_g1 / beta_g2",
                k.beta_g1 == k0.beta_g1 && k.vk.beta_g2 == k0.vk.beta_g2,
            ),
            ("gamma_g2", k.vk.gamma_g2 == k0.vk.gamma_g2),
            ("IC", k.vk.gamma_abc_g1 == k0.vk.gamma_abc_g1),
            ("A query", k.a_query == k0.a_query),
            ("B query (G1)", k.b_g1_query == k0.b_g1_query),
            ("B query (G2)", k.b_g2_query == k0.b_g2_query),
            (
                "L/H query lengths",
                k.l_query.len() == k0.l_query.len() && k.h_query.len() == k0.h_query.len(),
            ),
        ];
        for (name, ok) in parts {
            ensure(ok, || {
                format!(
                    "phase 2 key: {name} differs from the one derived from phase 1 and this R1CS"
                )
            })?;
        }
        let mut prev_hash = Self::initial_hash(&self.phase1_hash, &self.r1cs_digest);
        let mut delta = g1();
        for (i, c) in self.contributions.iter().enumerate() {
            let who = format!("phase 2 contribution {i}");
            check_link(&who, &c.prev_hash, &prev_hash, &c.compute_hash(), &c.hash)?;
            if let Source::Beacon { value, exp } = c.source {
                ensure(exp <= MAX_BEACON_EXP, || {
                    format!("{who}: beacon exponent too large")
                })?;
                let (x, _) = beacon_secrets(&value, exp);
                ensure((delta * x).into_affine() == c.delta_g1, || {
                    format!("{who}: delta is not the one the beacon value derives")
                })?;
            }
            c.pok.check(&prev_hash, "delta", delta, c.delta_g1, &who)?;
            ensure(same_pairing(c.delta_g1, g2(), g1(), c.delta_g2), || {
                format!("{who}: [delta]_2 does not match [delta]_1")
            })?;
            delta = c.delta_g1;
            prev_hash = c.hash;
        }
        let Some(last) = self.contributions.last() else {
            return invalid("phase 2: no contribution (delta = 1 is known to everyone)".into());
        };
        let who = format!(
            "phase 2 key (after contribution {})",
            self.contributions.len() - 1
        );
        ensure(
            k.delta_g1 == last.delta_g1 && k.vk.delta_g2 == last.delta_g2,
            || format!("{who}: delta differs from the last contribution's"),
        )?;
        ensure(divided(&k.l_query, &k0.l_query, k.vk.delta_g2), || {
            format!("{who}: the L query is not the initial one divided by delta")
        })?;
        ensure(divided(&k.h_query, &k0.h_query, k.vk.delta_g2), || {
            format!("{who}: the H query is not the initial one divided by delta")
        })?;
        k.vk.check()?;
        Ok(())
    }

    /// The byte form: `phase1_hash, r1cs_digest, n_contributions`, the records, then
    /// the key's body (the proving-key body layout of `data`).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&self.phase1_hash);
        out.extend_from_slice(&self.r1cs_digest);
        put_u32(&mut out, self.contributions.len());
        for c in &self.contributions {
            match c.source {
                Source::Random => {
                    out.push(0);
                    out.extend_from_slice(&[0; 36]);
                }
                Source::Beacon { value, exp } => {
                    out.push(1);
                    out.extend_from_slice(&value);
                    out.extend_from_slice(&exp.to_le_bytes());
                }
            }
            out.extend_from_slice(&c.prev_hash);
            out.extend(codec::encode_vec(&[c.delta_g1], false));
            out.extend(codec::encode_vec(&[c.delta_g2], false));
            c.pok.write(&mut out);
            out.extend_from_slice(&c.hash);
        }
        out.extend(self.key.to_bytes());
        out
    }

    /// Validated decoding (every point checked; the key may still have delta = 1).
    pub fn from_bytes(bytes: &[u8]) -> CeremonyResult<Phase2> {
        let mut r = Reader::new(bytes, "phase 2 transcript");
        let phase1_hash = read_hash(&mut r)?;
        let r1cs_digest = read_hash(&mut r)?;
        let count = r.u32()?;
        if count.saturating_mul(PHASE2_RECORD_BYTES) > bytes.len() {
            return Err(CoreError::InvalidEncoding(format!(
                "phase 2 transcript: {count} contributions do not fit in {} bytes",
                bytes.len()
            ))
            .into());
        }
        let mut contributions = Vec::with_capacity(count);
        for i in 0..count {
            let kind = r.take(1)?[0];
            let value: [u8; 32] = r.take(32)?.try_into().expect("32 bytes");
            let exp = r.u32()? as u32;
            let source = match kind {
                0 if value == [0; 32] && exp == 0 => Source::Random,
                1 => Source::Beacon { value, exp },
                _ => {
                    return Err(CoreError::InvalidEncoding(format!(
                        "phase 2 transcript: contribution {i} has an unknown kind {kind}"
                    ))
                    .into())
                }
            };
            let prev_hash = read_hash(&mut r)?;
            let delta_g1 = r.point::<P1>()?;
            let delta_g2 = r.point::<P2>()?;
            let pok = Pok::read(&mut r)?;
            let hash = read_hash(&mut r)?;
            contributions.push(Phase2Contribution {
                source,
                prev_hash,
                delta_g1,
                delta_g2,
                pok,
                hash,
            });
        }
        let key = read_key(&mut r)?;
        r.finish()?;
        Ok(Phase2 {
            phase1_hash,
            r1cs_digest,
            contributions,
            key,
        })
    }
}

/// `e(sum r_i now_i, delta_g2) == e(sum r_i initial_i, G2)`: `now = initial / delta`.
fn divided(now: &[G1Affine], initial: &[G1Affine], delta_g2: G2Affine) -> bool {
    if now.len() != initial.len() {
        return false;
    }
    if now.is_empty() {
        return true;
    }
    let r = random_scalars(now.len());
    let a = msm_bigint(now, &r).into_affine();
    let b = msm_bigint(initial, &r).into_affine();
    same_pairing(a, delta_g2, b, g2())
}

/// The proving-key body layout of `data`, without the verifying-key sanity check (the
/// delta = 1 key of a fresh phase 2 is refused by it on purpose).
fn read_key(r: &mut Reader<'_>) -> CeremonyResult<ProvingKey<Curve254>> {
    let n_wires = r.u32()?;
    let n_public = r.u32()?;
    let domain_size = r.u32()?;
    if n_public >= n_wires || !domain_size.is_power_of_two() || domain_size < 2 {
        return Err(CoreError::InvalidEncoding(
            "phase 2 key: inconsistent sizes in the header".into(),
        )
        .into());
    }
    let alpha_g1 = r.point::<P1>()?;
    let g2s = r.points::<P2>(3)?;
    let n_ic = r.u32()?;
    if n_ic != n_public + 1 {
        return Err(
            CoreError::InvalidEncoding("phase 2 key: IC has the wrong length".into()).into(),
        );
    }
    let gamma_abc_g1 = r.points::<P1>(n_ic)?;
    let bd = r.points::<P1>(2)?;
    Ok(ProvingKey {
        vk: VerifyingKey {
            alpha_g1,
            beta_g2: g2s[0],
            gamma_g2: g2s[1],
            delta_g2: g2s[2],
            gamma_abc_g1,
        },
        n_wires,
        domain_size,
        beta_g1: bd[0],
        delta_g1: bd[1],
        a_query: r.points::<P1>(n_wires)?,
        b_g1_query: r.points::<P1>(n_wires)?,
        b_g2_query: r.points::<P2>(n_wires)?,
        h_query: r.points::<P1>(domain_size - 1)?,
        l_query: r.points::<P1>(n_wires - n_public - 1)?,
    })
}

/// `[L_k(tau)]` for the domain of size `n` from `[tau^k]`, `k < n` (an inverse FFT over
/// group elements: `L_k(tau) = (1/n) sum_j tau^j w^(-jk)`).
fn lagrange_g1(dom: &Radix2EvaluationDomain<Fr>, powers: &[G1Affine]) -> Vec<G1Affine> {
    let v: Vec<G1Projective> = powers.iter().map(|p| p.into_group()).collect();
    G1Projective::normalize_batch(&dom.ifft(&v))
}

fn lagrange_g2(dom: &Radix2EvaluationDomain<Fr>, powers: &[G2Affine]) -> Vec<G2Affine> {
    let v: Vec<G2Projective> = powers.iter().map(|p| p.into_group()).collect();
    G2Projective::normalize_batch(&dom.ifft(&v))
}

/// Per-wire columns of a matrix: `(row, coefficient)` lists.
fn columns(rows: &[Vec<(usize, Fr)>], n_wires: usize) -> Vec<Vec<(usize, Fr)>> {
    let mut cols = vec![Vec::new(); n_wires];
    for (k, row) in rows.iter().enumerate() {
        for &(i, c) in row {
            cols[i].push((k, c));
        }
    }
    cols
}

/// A matrix column and the basis its rows index.
type Term<'a, P> = (
    &'a [(usize, Fr)],
    &'a [ark_ec::short_weierstrass::Affine<P>],
);

/// `sum c · basis[k]` over terms from several `(column, basis)` pairs.
fn combine<P>(terms: &[Term<'_, P>]) -> ark_ec::short_weierstrass::Affine<P>
where
    P: ark_ec::short_weierstrass::SWCurveConfig<ScalarField = Fr>,
{
    let mut bases = Vec::new();
    let mut scalars = Vec::new();
    for (col, basis) in terms {
        for &(k, c) in col.iter() {
            bases.push(basis[k]);
            scalars.push(c.into_bigint());
        }
    }
    msm_bigint(&bases, &scalars).into_affine()
}

/// The delta = 1 proving key of `m` from the phase-1 accumulator (same QAP as
/// [`super::setup`]: rows after the constraints hold the input-consistency terms of A).
pub fn initial_key(p1: &Phase1, m: &Matrices<Fr>) -> CeremonyResult<ProvingKey<Curve254>> {
    let dom = domain::<Curve254>(m)?;
    let n = dom.size();
    let n_max = p1.tau_g2.len();
    if n > n_max {
        return Err(CoreError::InvalidArgument(format!(
            "phase 2: the R1CS needs a domain of {n}, the phase 1 transcript serves up to {n_max}"
        ))
        .into());
    }
    if u32::try_from(m.n_wires).is_err() {
        return Err(CoreError::InvalidArgument("the constraint system is too large".into()).into());
    }
    if p1.tau_g1[n] == p1.tau_g1[0] {
        return invalid("phase 1: tau is a root of unity of the domain (t(tau) = 0)".into());
    }
    let n_inputs = m.n_public + 1;
    let mc = m.n_constraints();
    let ((lag, lag2), (lag_a, lag_b)) = rayon::join(
        || {
            rayon::join(
                || lagrange_g1(&dom, &p1.tau_g1[..n]),
                || lagrange_g2(&dom, &p1.tau_g2[..n]),
            )
        },
        || {
            rayon::join(
                || lagrange_g1(&dom, &p1.alpha_tau_g1[..n]),
                || lagrange_g1(&dom, &p1.beta_tau_g1[..n]),
            )
        },
    );
    let (mut ca, cb, cc) = (
        columns(&m.a, m.n_wires),
        columns(&m.b, m.n_wires),
        columns(&m.c, m.n_wires),
    );
    for (i, col) in ca.iter_mut().enumerate().take(n_inputs) {
        col.push((mc + i, Fr::from(1u64)));
    }
    let a_query: Vec<G1Affine> = (0..m.n_wires)
        .into_par_iter()
        .map(|i| combine(&[(&ca[i], &lag)]))
        .collect();
    let b_g1_query: Vec<G1Affine> = (0..m.n_wires)
        .into_par_iter()
        .map(|i| combine(&[(&cb[i], &lag)]))
        .collect();
    let b_g2_query: Vec<G2Affine> = (0..m.n_wires)
        .into_par_iter()
        .map(|i| combine(&[(&cb[i], &lag2)]))
        .collect();
    let abc: Vec<G1Affine> = (0..m.n_wires)
        .into_par_iter()
        .map(|i| combine(&[(&ca[i], &lag_b), (&cb[i], &lag_a), (&cc[i], &lag)]))
        .collect();
    let h_query: Vec<G1Affine> = G1Projective::normalize_batch(
        &(0..n - 1)
            .into_par_iter()
            .map(|j| p1.tau_g1[j + n].into_group() - p1.tau_g1[j])
            .collect::<Vec<_>>(),
    );
    Ok(ProvingKey {
        vk: VerifyingKey {
            alpha_g1: p1.alpha_tau_g1[0],
            beta_g2: p1.beta_g2,
            gamma_g2: g2(),
            delta_g2: g2(),
            gamma_abc_g1: abc[..n_inputs].to_vec(),
        },
        n_wires: m.n_wires,
        domain_size: n,
        beta_g1: p1.beta_tau_g1[0],
        delta_g1: g1(),
        a_query,
        b_g1_query,
        b_g2_query,
        h_query,
        l_query: abc[n_inputs..].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::groth16::prove::prove;
    use crate::groth16::verify::{prepare_verifying_key, verify_proof};
    use ark_ff::One;

    /// x * x = y (y public), y * x = z (z private), wires [1, y, x, z].
    fn cube() -> Matrices<Fr> {
        let one = Fr::one();
        Matrices {
            n_wires: 4,
            n_public: 1,
            a: vec![vec![(2, one)], vec![(1, one)]],
            b: vec![vec![(2, one)], vec![(2, one)]],
            c: vec![vec![(1, one)], vec![(3, one)]],
        }
    }

    fn run() -> (Phase1, Phase2, Matrices<Fr>) {
        let p1 = Phase1::new(3).unwrap().contribute().contribute();
        p1.verify().unwrap();
        let m = cube();
        let p2 = Phase2::new(&p1, &m, [7; 32]).unwrap().contribute().unwrap();
        let p2 = p2.contribute().unwrap().beacon([9; 32], 3).unwrap();
        (p1, p2, m)
    }

    #[test]
    fn ceremony_key_proves_and_round_trips() {
        let (p1, p2, m) = run();
        p2.verify(&p1, &m, &[7; 32]).unwrap();
        let x = Fr::from(3u64);
        let w = vec![Fr::one(), x * x, x, x * x * x];
        let proof = prove(&p2.key, &m, &w).unwrap();
        let pvk = prepare_verifying_key(&p2.key.vk);
        assert!(verify_proof(&pvk, &proof, &[x * x]).unwrap());
        assert!(!verify_proof(&pvk, &proof, &[x]).unwrap());
        assert_eq!(Phase1::from_bytes(&p1.to_bytes()).unwrap(), p1);
        assert_eq!(Phase2::from_bytes(&p2.to_bytes()).unwrap(), p2);
        assert_eq!(
            p1.to_bytes().len(),
            8 + 2 * PHASE1_RECORD_BYTES + (2 * 8 - 1 + 16) * G1_BYTES + 9 * G2_BYTES
        );
        // The key passes the ordinary, validating key decoder.
        ProvingKey::<Curve254>::from_bytes(&p2.key.to_bytes()).unwrap();
    }

    #[test]
    fn matches_the_development_setup_with_known_secrets() {
        // With secrets (tau, alpha, beta, delta) the ceremony's key equals the direct
        // computation of setup.rs's formulas (gamma = 1).
        let m = cube();
        let (tau, alpha, beta, delta) = (
            Fr::from(5u64),
            Fr::from(11u64),
            Fr::from(13u64),
            Fr::from(17u64),
        );
        let p1 = Phase1::new(3)
            .unwrap()
            .contribute_with(&[tau, alpha, beta], &[Fr::one(); 3]);
        let p2 = Phase2::new(&p1, &m, [0; 32]).unwrap();
        let p2 = p2
            .contribute_with(Source::Random, &delta, &Fr::one())
            .unwrap();
        let dom = domain::<Curve254>(&m).unwrap();
        let lag = dom.evaluate_all_lagrange_coefficients(tau);
        let u2 = lag[0] * Fr::one(); // wire 2 in A row 0
        assert_eq!(p2.key.a_query[2], (g1() * u2).into_affine());
        let t = dom.evaluate_vanishing_polynomial(tau);
        let dinv = delta.inverse().unwrap();
        assert_eq!(p2.key.h_query[1], (g1() * (t * tau * dinv)).into_affine());
        // wire 3 (private): only in C row 1.
        assert_eq!(p2.key.l_query[1], (g1() * (lag[1] * dinv)).into_affine());
        // wire 1 (public): A row 1, C row 0, input row mc + 0 = 2.
        let ic1 = beta * (lag[1] + lag[3]) + lag[0];
        assert_eq!(p2.key.vk.gamma_abc_g1[1], (g1() * ic1).into_affine());
        assert_eq!(
            p2.key.b_g2_query[2],
            (g2() * (lag[0] + lag[1])).into_affine()
        );
        assert_eq!(p2.key.vk.alpha_g1, (g1() * alpha).into_affine());
    }

    #[test]
    fn no_secret_in_the_transcripts() {
        let secrets = [Fr::from(123_456_789u64) * Fr::from(987_654_321u64); 3];
        let (tau, alpha, beta) = (secrets[0], secrets[0] + Fr::one(), secrets[0] + secrets[0]);
        let p1 = Phase1::new(2)
            .unwrap()
            .contribute_with(&[tau, alpha, beta], &[Fr::from(3u64); 3]);
        let delta = tau.square();
        let p2 = Phase2::new(&p1, &cube(), [0; 32])
            .unwrap()
            .contribute_with(Source::Random, &delta, &Fr::from(3u64))
            .unwrap();
        let bytes = [p1.to_bytes(), p2.to_bytes()].concat();
        for s in [tau, alpha, beta, delta, delta.inverse().unwrap()] {
            for enc in [s.into_bigint().to_string(), format!("{s:?}")] {
                assert!(!String::from_utf8_lossy(&bytes).contains(&enc));
            }
            let le = codec::prime_to_le(&s);
            assert!(!bytes.windows(32).any(|w| w == le.as_slice()));
            let mut be = le.clone();
            be.reverse();
            assert!(!bytes.windows(32).any(|w| w == be.as_slice()));
        }
    }

    #[test]
    fn tampering_is_detected() {
        let (p1, p2, m) = run();
        let err = |r: CeremonyResult<()>| match r {
            Err(CeremonyError::Invalid(msg)) => msg,
            other => panic!("expected a transcript error, got {other:?}"),
        };
        // Phase 1: a tau power.
        let mut t = p1.clone();
        t.tau_g1[5] = (t.tau_g1[5] + g1()).into_affine();
        assert!(err(t.verify()).contains("[tau^i]_1"));
        let mut t = p1.clone();
        t.tau_g2[2] = (t.tau_g2[2] + g2()).into_affine();
        assert!(err(t.verify()).contains("[tau^i]_2"));
        let mut t = p1.clone();
        t.alpha_tau_g1[3] = (t.alpha_tau_g1[3] + g1()).into_affine();
        assert!(err(t.verify()).contains("alpha tau"));
        // Phase 1: hash chain and proofs.
        let mut t = p1.clone();
        t.contributions[1].prev_hash[0] ^= 1;
        assert!(err(t.verify()).contains("contribution 1: the recorded previous hash"));
        let mut t = p1.clone();
        t.contributions[0].pok[1].xp_g2 = g2();
        t.contributions[0].hash = t.contributions[0].compute_hash();
        t.contributions[1].prev_hash = t.contributions[0].hash;
        t.contributions[1].hash = t.contributions[1].compute_hash();
        assert!(err(t.verify()).contains("contribution 0: the alpha proof of knowledge"));
        // Phase 2: delta, L, H, chain, another circuit.
        let mut t = p2.clone();
        t.key.vk.delta_g2 = (t.key.vk.delta_g2 + g2()).into_affine();
        assert!(err(t.verify(&p1, &m, &[7; 32])).contains("delta differs"));
        let mut t = p2.clone();
        t.key.l_query[0] = (t.key.l_query[0] + g1()).into_affine();
        assert!(err(t.verify(&p1, &m, &[7; 32])).contains("L query"));
        let mut t = p2.clone();
        t.key.h_query[2] = t.key.h_query[1];
        assert!(err(t.verify(&p1, &m, &[7; 32])).contains("H query"));
        let mut t = p2.clone();
        t.contributions[2].prev_hash[31] ^= 0x80;
        assert!(
            err(t.verify(&p1, &m, &[7; 32])).contains("contribution 2: the recorded previous hash")
        );
        let mut other = cube();
        other.a[0][0].1 = Fr::from(2u64);
        assert!(err(p2.verify(&p1, &other, &[7; 32])).contains("differs from the one derived"));
        // A circuit differing only in a private wire's C column: caught by the L check.
        let mut other = cube();
        other.c[1][0].1 = Fr::from(2u64);
        assert!(err(p2.verify(&p1, &other, &[7; 32])).contains("L query"));
        assert!(err(p2.verify(&p1, &m, &[8; 32])).contains("another R1CS"));
        // A beacon contribution whose delta is not the beacon's (hash recomputed).
        let mut t = p2.clone();
        t.contributions[2].source = Source::Beacon {
            value: [10; 32],
            exp: 3,
        };
        t.contributions[2].hash = t.contributions[2].compute_hash();
        assert!(err(t.verify(&p1, &m, &[7; 32]))
            .contains("contribution 2: delta is not the one the beacon"));
        let fresh = Phase2::new(&p1, &m, [7; 32]).unwrap();
        assert!(err(fresh.verify(&p1, &m, &[7; 32])).contains("no contribution"));
    }

    #[test]
    fn hash_to_g2_is_in_the_subgroup() {
        for i in 0..4u8 {
            let p = hash_to_g2(&[i; 32]);
            assert!(
                !p.is_zero() && p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve()
            );
        }
        assert_ne!(hash_to_g2(&[0; 32]), hash_to_g2(&[1; 32]));
    }
}
