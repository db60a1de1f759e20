//! The Poseidon reference parameter procedure (Grain LFSR, Cauchy MDS), for BN254 Fr.
//!
//! An independent Rust implementation of the steps documented in
//! `zkcredit/hazmat/poseidon_params.py` (the Poseidon authors' `generate_parameters_grain`
//! script): an 80-bit Grain LFSR seeded with the field type, S-box type, field size,
//! width and round numbers, 160 discarded clocks, self-shrinking output (pairs `(a, b)`
//! emit `b` when `a == 1`), round constants by rejection sampling of 254-bit integers,
//! and a Cauchy matrix `M[i][j] = 1 / (x_i + y_j)` from `2t` further integers reduced
//! mod r (redrawn while any two coincide or some `x_i + y_j = 0`). A Python test checks
//! that both implementations produce the same bytes, pinned by SHA-256.
use ark_bn254::Fr;
use ark_ff::{BigInteger, BigInteger256, Field, PrimeField};

/// Bit length `n` of the BN254 scalar field modulus.
pub const FIELD_BITS: usize = 254;

/// Round constants and MDS matrix for one width.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrainParams {
    /// State width `t`.
    pub t: usize,
    /// Number of full rounds.
    pub rounds_f: usize,
    /// Number of partial rounds.
    pub rounds_p: usize,
    /// `(rounds_f + rounds_p) * t` constants; constant `i` of round `r` at `r * t + i`.
    pub round_constants: Vec<Fr>,
    /// The MDS matrix, row-major: `state'[i] = sum_j mds[i][j] * state[j]`.
    pub mds: Vec<Vec<Fr>>,
}

/// The self-shrinking Grain LFSR stream.
struct Grain {
    /// Circular buffer of the last 80 clocked bits; `bits[(head + k) % 80]` is `b[i + k]`.
    bits: [bool; 80],
    head: usize,
}

impl Grain {
    fn new(field_type: u16, sbox: u16, n: u16, t: u16, r_f: u16, r_p: u16) -> Self {
        let mut bits = [true; 80];
        let mut pos = 0;
        for (value, width) in [
            (field_type, 2),
            (sbox, 4),
            (n, 12),
            (t, 12),
            (r_f, 10),
            (r_p, 10),
        ] {
            for k in (0..width).rev() {
                bits[pos] = (value >> k) & 1 == 1;
                pos += 1;
            }
        }
        // bits[50..80] keep the 30 one-bits of the seed.
        let mut g = Grain { bits, head: 0 };
        for _ in 0..160 {
            g.clock();
        }
        g
    }

    fn clock(&mut self) -> bool {
        let b = |k: usize| self.bits[(self.head + k) % 80];
        let new = b(62) ^ b(51) ^ b(38) ^ b(23) ^ b(13) ^ b(0);
        self.bits[self.head] = new;
        self.head = (self.head + 1) % 80;
        new
    }

    fn next_bit(&mut self) -> bool {
        loop {
            let a = self.clock();
            let b = self.clock();
            if a {
                return b;
            }
        }
    }

    /// The next `FIELD_BITS` output bits as an integer, first bit most significant.
    fn next_integer(&mut self) -> BigInteger256 {
        let mut limbs = [0u64; 4];
        for k in (0..FIELD_BITS).rev() {
            if self.next_bit() {
                limbs[k / 64] |= 1u64 << (k % 64);
            }
        }
        BigInteger256::new(limbs)
    }
}

/// Runs the reference procedure for BN254 Fr with the x^5 S-box.
pub fn generate(t: usize, rounds_f: usize, rounds_p: usize) -> GrainParams {
    // The seed fields are 12 and 10 bits wide; the widths used here are far below that.
    let field = |v: usize| u16::try_from(v).expect("Poseidon parameter fits the Grain seed");
    let mut grain = Grain::new(
        1,
        0,
        field(FIELD_BITS),
        field(t),
        field(rounds_f),
        field(rounds_p),
    );
    let mut round_constants = Vec::with_capacity((rounds_f + rounds_p) * t);
    for _ in 0..(rounds_f + rounds_p) * t {
        let c = loop {
            if let Some(c) = Fr::from_bigint(grain.next_integer()) {
                break c;
            }
        };
        round_constants.push(c);
    }
    let mds = loop {
        let mut values: Vec<Fr> = (0..2 * t).map(|_| reduce(grain.next_integer())).collect();
        while !all_distinct(&values) {
            values = (0..2 * t).map(|_| reduce(grain.next_integer())).collect();
        }
        let (xs, ys) = values.split_at(t);
        let mut m = Vec::with_capacity(t);
        let mut ok = true;
        for x in xs {
            let mut row = Vec::with_capacity(t);
            for y in ys {
                match (*x + y).inverse() {
                    Some(v) => row.push(v),
                    None => ok = false,
                }
            }
            m.push(row);
        }
        if ok {
            break m;
        }
    };
    GrainParams {
        t,
        rounds_f,
        rounds_p,
        round_constants,
        mds,
    }
}

/// A 254-bit integer reduced mod r (it is below 2^254 < 2r, so one subtraction at most).
fn reduce(v: BigInteger256) -> Fr {
    Fr::from_le_bytes_mod_order(&v.to_bytes_le())
}

fn all_distinct(values: &[Fr]) -> bool {
    values
        .iter()
        .enumerate()
        .all(|(i, a)| values[i + 1..].iter().all(|b| a != b))
}
