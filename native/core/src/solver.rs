//! The native witness solver: executes a compiled circuit's solver program over the
//! BN254 scalar field, then checks every R1CS constraint.
//!
//! The semantics are those of the pure-Python reference
//! (`zkcredit/circuit/_program.py`, documented in docs/circuit.md, "The solver program"):
//!
//! 1. `w[0] = 1`; each input slot takes its value from the caller (canonical, never
//!    reduced).
//! 2. Steps run in order. `solve k u`: constraint `k` mentions wire `u` in exactly one
//!    of A, B, C. In C with coefficient `c_u`: `w[u] = (<A,w><B,w> - C_rest) / c_u`; in A
//!    with coefficient `a_u`: `w[u] = (<C,w> / <B,w> - A_rest) / a_u` (symmetric in B; a
//!    zero `<B,w>` makes constraint `k` unsatisfiable). `hint`: evaluate the input linear
//!    combinations, run the named hint, write its outputs.
//! 3. Every constraint is checked (in parallel); the first violated one is reported.
//!
//! A [`Solver`] is parsed once from its binary image (layout below, written by
//! `zkcredit.circuit._native_solver.encode_solver_image`) and validated completely:
//! wire and constraint indices in range, known hint names with the right arities, every
//! step reads only wires already known and assigns only new ones, and every wire gets a
//! value. A solve call then takes only the input values.
//!
//! Image layout (integers are `u32` little-endian, scalars 32-byte little-endian
//! canonical):
//!
//! ```text
//! magic "ZKCSOLVR", version (1), n_wires, n_constraints,
//! n_coeffs, n_coeffs scalars                       -- the coefficient table
//! n_hints, n_hints x (len, UTF-8 name)             -- the hint-name table
//! n_constraints x (A, B, C)                        -- lc = n, n x (wire, coeff index)
//! n_inputs, n_inputs x wire                        -- input slots, in program order
//! n_steps, n_steps x step                          -- 0 constraint wire
//!                                                  -- 1 name-index n_in lc.. n_out wire.. n_params param..
//! ```
use std::ops::Range;

use ark_bn254::Fr;
use ark_ff::{BigInt, BigInteger, Field, One, PrimeField, Zero};
use rayon::prelude::*;
use thiserror::Error;

use crate::error::{CoreError, CoreResult};

/// The first eight bytes of a solver image.
pub const MAGIC: &[u8; 8] = b"ZKCSOLVR";
/// The image version this solver reads.
pub const VERSION: u32 = 1;
/// Bytes per scalar in images, inputs and witnesses.
pub const SCALAR_BYTES: usize = 32;

/// Why a solve call failed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SolveError {
    /// Malformed input values (wrong length, non-canonical scalar).
    #[error(transparent)]
    Core(#[from] CoreError),
    /// Constraint `constraint` is violated by the solved witness (the first such one).
    #[error("constraint #{constraint} is not satisfied")]
    Unsatisfied {
        /// Index of the first violated constraint.
        constraint: usize,
    },
    /// A solve step divides by a zero `<A,w>` or `<B,w>`.
    #[error("constraint #{constraint} cannot be solved for wire {wire}: it is multiplied by zero")]
    ZeroDivisor {
        /// The constraint of the solve step.
        constraint: usize,
        /// The wire it was solving for.
        wire: usize,
    },
}

impl SolveError {
    /// The constraint this error names, if any.
    pub fn constraint(&self) -> Option<usize> {
        match self {
            SolveError::Core(_) => None,
            SolveError::Unsatisfied { constraint } | SolveError::ZeroDivisor { constraint, .. } => {
                Some(*constraint)
            }
        }
    }
}

/// Coefficient-table index of 1 (added, not multiplied).
const COEFF_ONE: u32 = 0;
/// Coefficient-table index of -1 (subtracted, not multiplied).
const COEFF_MINUS_ONE: u32 = 1;

#[derive(Clone, Copy, Debug)]
struct Term {
    wire: u32,
    coeff: u32,
}

#[derive(Clone, Copy, Debug)]
struct Lc {
    start: u32,
    end: u32,
}

impl Lc {
    fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

#[derive(Clone, Copy, Debug)]
struct Row {
    a: Lc,
    b: Lc,
    c: Lc,
}

/// The named hints of docs/circuit.md (the table is the contract).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hint {
    Bits,
    InverseOrZero,
    Div,
    IntDivmod,
}

impl Hint {
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "bits" => Some(Hint::Bits),
            "inverse_or_zero" => Some(Hint::InverseOrZero),
            "div" => Some(Hint::Div),
            "int_divmod" => Some(Hint::IntDivmod),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Hint::Bits => "bits",
            Hint::InverseOrZero => "inverse_or_zero",
            Hint::Div => "div",
            Hint::IntDivmod => "int_divmod",
        }
    }

    /// (inputs, params) this hint takes.
    fn arity(self) -> (usize, usize) {
        match self {
            Hint::Bits => (1, 1),
            Hint::InverseOrZero => (1, 0),
            Hint::Div | Hint::IntDivmod => (2, 0),
        }
    }

    /// Number of outputs for the given params.
    fn n_out(self, params: &[u32]) -> usize {
        match self {
            Hint::Bits => params[0] as usize,
            Hint::InverseOrZero | Hint::Div => 1,
            Hint::IntDivmod => 2,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// The unknown is in C: `w = (ab - c_rest) / c_u`.
    C,
    /// The unknown is in A: `w = (c / b - a_rest) / a_u`.
    A,
    /// The unknown is in B: `w = (c / a - b_rest) / b_u`.
    B,
}

#[derive(Clone, Debug)]
enum Step {
    Solve {
        constraint: u32,
        wire: u32,
        place: Place,
        /// The inverse of the unknown's coefficient.
        inv_coeff: Fr,
    },
    Hint {
        hint: Hint,
        /// Range into `Solver::hint_lcs`.
        inputs: Range<u32>,
        /// Range into `Solver::hint_outputs`.
        outputs: Range<u32>,
        param: u32,
    },
}

/// A parsed, validated solver program with its constraint system.
#[derive(Clone, Debug)]
pub struct Solver {
    n_wires: usize,
    coeffs: Vec<Fr>,
    terms: Vec<Term>,
    rows: Vec<Row>,
    inputs: Vec<u32>,
    hint_lcs: Vec<Lc>,
    hint_outputs: Vec<u32>,
    steps: Vec<Step>,
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> CoreResult<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
        match end {
            Some(end) => {
                let out = &self.data[self.pos..end];
                self.pos = end;
                Ok(out)
            }
            None => Err(CoreError::InvalidEncoding(format!(
                "solver image truncated while reading {what} at byte {}",
                self.pos
            ))),
        }
    }

    fn u32(&mut self, what: &str) -> CoreResult<u32> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A count of items of at least `item_bytes` bytes each, checked against what is
    /// left (so a corrupt count cannot trigger a huge allocation).
    fn count(&mut self, item_bytes: usize, what: &str) -> CoreResult<usize> {
        let n = self.u32(what)? as usize;
        let left = self.data.len() - self.pos;
        if n.saturating_mul(item_bytes) > left {
            return Err(CoreError::InvalidEncoding(format!(
                "solver image truncated: {n} {what} do not fit in {left} bytes"
            )));
        }
        Ok(n)
    }
}

fn scalar_from_le(bytes: &[u8], what: &str) -> CoreResult<Fr> {
    let mut limbs = [0u64; 4];
    for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(b);
    }
    Fr::from_bigint(BigInt::new(limbs))
        .ok_or_else(|| CoreError::NonCanonicalScalar(format!("{what} is not below r")))
}

fn invalid(msg: String) -> CoreError {
    CoreError::InvalidArgument(msg)
}

/// Tracks which wires are known while validating the steps.
struct Known {
    known: Vec<bool>,
}

impl Known {
    fn require(&self, wire: u32, what: &dyn Fn() -> String) -> CoreResult<()> {
        if self.known[wire as usize] {
            Ok(())
        } else {
            Err(invalid(format!(
                "{} reads wire {wire} before it is known",
                what()
            )))
        }
    }

    fn assign(&mut self, wire: u32, what: &dyn Fn() -> String) -> CoreResult<()> {
        let slot = &mut self.known[wire as usize];
        if *slot {
            return Err(invalid(format!(
                "{} assigns wire {wire}, which is already known",
                what()
            )));
        }
        *slot = true;
        Ok(())
    }
}

impl Solver {
    /// Parses and validates a solver image (see the module documentation).
    pub fn from_bytes(image: &[u8]) -> CoreResult<Self> {
        let mut r = Reader {
            data: image,
            pos: 0,
        };
        if r.take(8, "the magic")? != MAGIC {
            return Err(CoreError::InvalidEncoding(
                "not a zkcredit solver image".into(),
            ));
        }
        let version = r.u32("the version")?;
        if version != VERSION {
            return Err(CoreError::InvalidEncoding(format!(
                "solver image version {version}, this solver reads version {VERSION}"
            )));
        }
        let n_wires = r.u32("n_wires")? as usize;
        if n_wires == 0 {
            return Err(invalid(
                "a solver program has at least the constant wire".into(),
            ));
        }
        let n_constraints = r.count(12, "constraints")?;

        // Coefficient table, with 1 and -1 first (added / subtracted without a product).
        let n_coeffs = r.count(SCALAR_BYTES, "coefficients")?;
        let mut coeffs = vec![Fr::one(), -Fr::one()];
        let mut coeff_map = Vec::with_capacity(n_coeffs);
        for i in 0..n_coeffs {
            let c = scalar_from_le(
                r.take(SCALAR_BYTES, "a coefficient")?,
                &format!("coefficient {i}"),
            )?;
            let index = if c.is_one() {
                COEFF_ONE
            } else if c == -Fr::one() {
                COEFF_MINUS_ONE
            } else {
                coeffs.push(c);
                (coeffs.len() - 1) as u32
            };
            coeff_map.push((index, c.is_zero()));
        }

        let n_hints = r.count(4, "hint names")?;
        let mut hints = Vec::with_capacity(n_hints);
        for _ in 0..n_hints {
            let len = r.count(1, "hint-name bytes")?;
            let raw = r.take(len, "a hint name")?;
            let name = std::str::from_utf8(raw)
                .map_err(|_| CoreError::InvalidEncoding("hint name is not UTF-8".into()))?;
            hints.push(
                Hint::from_name(name).ok_or_else(|| invalid(format!("unknown hint {name:?}")))?,
            );
        }

        let mut terms: Vec<Term> = Vec::new();
        let read_lc = |r: &mut Reader<'_>, terms: &mut Vec<Term>| -> CoreResult<Lc> {
            let n = r.count(8, "terms")?;
            let start = terms.len();
            for _ in 0..n {
                let wire = r.u32("a wire")?;
                let coeff = r.u32("a coefficient index")?;
                if wire as usize >= n_wires {
                    return Err(invalid(format!(
                        "wire {wire} out of range (n_wires = {n_wires})"
                    )));
                }
                let &(coeff, _) = coeff_map.get(coeff as usize).ok_or_else(|| {
                    invalid(format!(
                        "coefficient index {coeff} out of range ({n_coeffs})"
                    ))
                })?;
                terms.push(Term { wire, coeff });
            }
            let end = terms.len();
            let as_u32 = |x: usize| {
                u32::try_from(x).map_err(|_| invalid("too many terms (more than 2^32)".into()))
            };
            Ok(Lc {
                start: as_u32(start)?,
                end: as_u32(end)?,
            })
        };

        let mut rows = Vec::with_capacity(n_constraints);
        for _ in 0..n_constraints {
            let a = read_lc(&mut r, &mut terms)?;
            let b = read_lc(&mut r, &mut terms)?;
            let c = read_lc(&mut r, &mut terms)?;
            rows.push(Row { a, b, c });
        }

        let mut known = Known {
            known: vec![false; n_wires],
        };
        known.known[0] = true;
        let n_inputs = r.count(4, "inputs")?;
        let mut inputs = Vec::with_capacity(n_inputs);
        for i in 0..n_inputs {
            let wire = r.u32("an input wire")?;
            if wire == 0 || wire as usize >= n_wires {
                return Err(invalid(format!("input {i} has wire {wire}, out of range")));
            }
            known.assign(wire, &|| format!("input {i}"))?;
            inputs.push(wire);
        }

        let n_steps = r.count(12, "steps")?;
        let mut steps = Vec::with_capacity(n_steps);
        let mut hint_lcs = Vec::new();
        let mut hint_outputs = Vec::new();
        for s in 0..n_steps {
            match r.u32("a step tag")? {
                0 => {
                    let k = r.u32("a constraint index")?;
                    let wire = r.u32("a wire")?;
                    let row = *rows.get(k as usize).ok_or_else(|| {
                        invalid(format!(
                            "step {s}: constraint #{k} out of range ({n_constraints})"
                        ))
                    })?;
                    if wire as usize >= n_wires {
                        return Err(invalid(format!("step {s}: wire {wire} out of range")));
                    }
                    let what = || format!("step {s} (solve wire {wire} from constraint #{k})");
                    let mut found: Option<(Place, u32)> = None;
                    for (place, lc) in [(Place::A, row.a), (Place::B, row.b), (Place::C, row.c)] {
                        for t in &terms[lc.range()] {
                            if t.wire == wire {
                                if found.is_some() {
                                    return Err(invalid(format!(
                                        "{}: the wire appears more than once",
                                        what()
                                    )));
                                }
                                found = Some((place, t.coeff));
                            } else {
                                known.require(t.wire, &what)?;
                            }
                        }
                    }
                    let (place, coeff) = found.ok_or_else(|| {
                        invalid(format!(
                            "{}: the constraint does not mention the wire",
                            what()
                        ))
                    })?;
                    let inv_coeff = coeffs[coeff as usize].inverse().ok_or_else(|| {
                        invalid(format!("{}: the wire's coefficient is zero", what()))
                    })?;
                    known.assign(wire, &what)?;
                    steps.push(Step::Solve {
                        constraint: k,
                        wire,
                        place,
                        inv_coeff,
                    });
                }
                1 => {
                    let index = r.u32("a hint index")?;
                    let hint = *hints.get(index as usize).ok_or_else(|| {
                        invalid(format!("step {s}: hint index {index} out of range"))
                    })?;
                    let what = || format!("step {s} (hint {:?})", hint.name());
                    let (want_in, want_params) = hint.arity();
                    let n_in = r.count(4, "hint inputs")?;
                    if n_in != want_in {
                        return Err(invalid(format!(
                            "hint {:?} takes {want_in} inputs, got {n_in}",
                            hint.name()
                        )));
                    }
                    let first_lc = hint_lcs.len() as u32;
                    for _ in 0..n_in {
                        let lc = read_lc(&mut r, &mut terms)?;
                        for t in &terms[lc.range()] {
                            known.require(t.wire, &what)?;
                        }
                        hint_lcs.push(lc);
                    }
                    let n_out = r.count(4, "hint outputs")?;
                    let first_out = hint_outputs.len() as u32;
                    for _ in 0..n_out {
                        let wire = r.u32("a hint output")?;
                        if wire as usize >= n_wires {
                            return Err(invalid(format!("step {s}: wire {wire} out of range")));
                        }
                        known.assign(wire, &what)?;
                        hint_outputs.push(wire);
                    }
                    let n_params = r.count(4, "hint params")?;
                    let params = (0..n_params)
                        .map(|_| r.u32("a hint param"))
                        .collect::<CoreResult<Vec<u32>>>()?;
                    if n_params != want_params {
                        return Err(invalid(format!(
                            "hint {:?} takes {want_params} params, got {n_params}",
                            hint.name()
                        )));
                    }
                    let expected = hint.n_out(&params);
                    if n_out != expected {
                        return Err(invalid(format!(
                            "hint {:?} gives {expected} outputs, the step has {n_out}",
                            hint.name()
                        )));
                    }
                    steps.push(Step::Hint {
                        hint,
                        inputs: first_lc..hint_lcs.len() as u32,
                        outputs: first_out..hint_outputs.len() as u32,
                        param: params.first().copied().unwrap_or(0),
                    });
                }
                tag => {
                    return Err(CoreError::InvalidEncoding(format!(
                        "step {s}: unknown tag {tag}"
                    )))
                }
            }
        }
        if r.pos != image.len() {
            return Err(CoreError::InvalidEncoding(format!(
                "{} trailing bytes after the solver image",
                image.len() - r.pos
            )));
        }
        if let Some(w) = known.known.iter().position(|k| !k) {
            return Err(invalid(format!("wire {w} is never assigned")));
        }
        Ok(Solver {
            n_wires,
            coeffs,
            terms,
            rows,
            inputs,
            hint_lcs,
            hint_outputs,
            steps,
        })
    }

    /// Number of wires (witness length).
    pub fn n_wires(&self) -> usize {
        self.n_wires
    }

    /// Number of constraints.
    pub fn n_constraints(&self) -> usize {
        self.rows.len()
    }

    /// Number of input slots (values a solve call takes).
    pub fn n_inputs(&self) -> usize {
        self.inputs.len()
    }

    /// Number of program steps.
    pub fn n_steps(&self) -> usize {
        self.steps.len()
    }

    /// `<lc, w>`. Products are summed three at a time with one Montgomery reduction
    /// per limb (`Field::sum_of_products`: 3 is the most BN254's two spare bits allow).
    #[inline]
    fn eval(&self, lc: Lc, w: &[Fr]) -> Fr {
        let mut acc = Fr::zero();
        let mut cs = [Fr::zero(); 3];
        let mut vs = [Fr::zero(); 3];
        let mut n = 0;
        for t in &self.terms[lc.range()] {
            let v = w[t.wire as usize];
            match t.coeff {
                COEFF_ONE => acc += v,
                COEFF_MINUS_ONE => acc -= v,
                i => {
                    cs[n] = self.coeffs[i as usize];
                    vs[n] = v;
                    n += 1;
                    if n == 3 {
                        acc += Fr::sum_of_products(&cs, &vs);
                        n = 0;
                    }
                }
            }
        }
        match n {
            1 => acc += cs[0] * vs[0],
            2 => acc += Fr::sum_of_products(&[cs[0], cs[1]], &[vs[0], vs[1]]),
            _ => {}
        }
        acc
    }

    fn satisfied(&self, row: &Row, w: &[Fr]) -> bool {
        let a = self.eval(row.a, w);
        let ab = if a.is_zero() {
            a
        } else {
            a * self.eval(row.b, w)
        };
        ab == self.eval(row.c, w)
    }

    /// Index of the first constraint `w` violates, or `None`. `w` must have
    /// `n_wires` entries.
    pub fn first_unsatisfied(&self, w: &[Fr]) -> CoreResult<Option<usize>> {
        if w.len() != self.n_wires {
            return Err(invalid(format!(
                "witness has {} entries, the system has {} wires",
                w.len(),
                self.n_wires
            )));
        }
        Ok(self
            .rows
            .par_iter()
            .with_min_len(256)
            .position_first(|row| !self.satisfied(row, w)))
    }

    /// Solves the full witness from the input values (in slot order), then checks every
    /// constraint.
    pub fn solve(&self, inputs: &[Fr]) -> Result<Vec<Fr>, SolveError> {
        if inputs.len() != self.inputs.len() {
            return Err(invalid(format!(
                "the program takes {} inputs, got {}",
                self.inputs.len(),
                inputs.len()
            ))
            .into());
        }
        let mut w = vec![Fr::zero(); self.n_wires];
        w[0] = Fr::one();
        for (&wire, &v) in self.inputs.iter().zip(inputs) {
            w[wire as usize] = v;
        }
        let mut hint_in = [Fr::zero(); 2];
        for step in &self.steps {
            match step {
                Step::Solve {
                    constraint,
                    wire,
                    place,
                    inv_coeff,
                } => {
                    // The unknown is still zero in `w`, so evaluating its linear combination
                    // gives the rest of it.
                    let row = &self.rows[*constraint as usize];
                    let value = match place {
                        Place::C => {
                            let a = self.eval(row.a, &w);
                            let ab = if a.is_zero() {
                                a
                            } else {
                                a * self.eval(row.b, &w)
                            };
                            (ab - self.eval(row.c, &w)) * inv_coeff
                        }
                        Place::A | Place::B => {
                            let (own, other) = if *place == Place::A {
                                (row.a, row.b)
                            } else {
                                (row.b, row.a)
                            };
                            let divisor =
                                self.eval(other, &w)
                                    .inverse()
                                    .ok_or(SolveError::ZeroDivisor {
                                        constraint: *constraint as usize,
                                        wire: *wire as usize,
                                    })?;
                            (self.eval(row.c, &w) * divisor - self.eval(own, &w)) * inv_coeff
                        }
                    };
                    w[*wire as usize] = value;
                }
                Step::Hint {
                    hint,
                    inputs,
                    outputs,
                    param,
                } => {
                    let lcs = &self.hint_lcs[inputs.start as usize..inputs.end as usize];
                    for (slot, lc) in hint_in.iter_mut().zip(lcs) {
                        *slot = self.eval(*lc, &w);
                    }
                    let outs = &self.hint_outputs[outputs.start as usize..outputs.end as usize];
                    run_hint(*hint, &hint_in, *param, outs, &mut w);
                }
            }
        }
        match self.first_unsatisfied(&w)? {
            Some(constraint) => Err(SolveError::Unsatisfied { constraint }),
            None => Ok(w),
        }
    }

    /// [`Solver::solve`] on packed 32-byte little-endian canonical inputs; returns the
    /// packed witness (the `.wtns` value layout).
    pub fn solve_bytes(&self, inputs: &[u8]) -> Result<Vec<u8>, SolveError> {
        if inputs.len() != self.inputs.len() * SCALAR_BYTES {
            return Err(CoreError::InvalidEncoding(format!(
                "the program takes {} inputs ({} bytes), got {} bytes",
                self.inputs.len(),
                self.inputs.len() * SCALAR_BYTES,
                inputs.len()
            ))
            .into());
        }
        let values = inputs
            .chunks_exact(SCALAR_BYTES)
            .enumerate()
            .map(|(i, chunk)| scalar_from_le(chunk, &format!("input {i}")))
            .collect::<CoreResult<Vec<Fr>>>()?;
        let w = self.solve(&values)?;
        Ok(encode(&w))
    }
}

/// Packs field elements as 32-byte little-endian standard-form scalars.
pub fn encode(values: &[Fr]) -> Vec<u8> {
    let mut out = vec![0u8; values.len() * SCALAR_BYTES];
    out.par_chunks_mut(SCALAR_BYTES * 1024)
        .zip(values.par_chunks(1024))
        .for_each(|(dst, src)| {
            for (d, v) in dst.chunks_exact_mut(SCALAR_BYTES).zip(src) {
                for (bytes, limb) in d.chunks_exact_mut(8).zip(v.into_bigint().0) {
                    bytes.copy_from_slice(&limb.to_le_bytes());
                }
            }
        });
    out
}

fn run_hint(hint: Hint, inputs: &[Fr; 2], param: u32, outs: &[u32], w: &mut [Fr]) {
    match hint {
        Hint::Bits => {
            let x = inputs[0].into_bigint();
            for (i, &wire) in outs.iter().enumerate() {
                w[wire as usize] = if x.get_bit(i) { Fr::one() } else { Fr::zero() };
            }
            debug_assert_eq!(outs.len(), param as usize);
        }
        Hint::InverseOrZero => {
            w[outs[0] as usize] = inputs[0].inverse().unwrap_or_else(Fr::zero);
        }
        Hint::Div => {
            w[outs[0] as usize] = inputs[1]
                .inverse()
                .map(|inv| inputs[0] * inv)
                .unwrap_or_else(Fr::zero);
        }
        Hint::IntDivmod => {
            let (q, rem) = int_divmod(inputs[0].into_bigint(), inputs[1].into_bigint());
            // Both are at most the canonical `a < r`, so they are canonical too.
            w[outs[0] as usize] = Fr::from_bigint(q).unwrap_or_else(Fr::zero);
            w[outs[1] as usize] = Fr::from_bigint(rem).unwrap_or_else(Fr::zero);
        }
    }
}

/// `(a // d, a % d)` on non-negative integers; `(0, a)` when `d = 0` (the hint's rule).
fn int_divmod(a: BigInt<4>, d: BigInt<4>) -> (BigInt<4>, BigInt<4>) {
    let zero = BigInt::<4>::new([0; 4]);
    if d == zero {
        return (zero, a);
    }
    let mut q = zero;
    let mut rem = zero;
    for i in (0..a.num_bits() as usize).rev() {
        // rem < d < 2^256 before the shift and a < r < 2^254, so rem stays below 2^255.
        rem.mul2();
        if a.get_bit(i) {
            rem.0[0] |= 1;
        }
        if rem >= d {
            rem.sub_with_borrow(&d);
            q.0[i / 64] |= 1 << (i % 64);
        }
    }
    (q, rem)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds images the way the Python encoder does.
    #[derive(Default)]
    struct Image {
        n_wires: u32,
        coeffs: Vec<Fr>,
        hints: Vec<&'static str>,
        constraints: Vec<[Vec<(u32, u32)>; 3]>,
        inputs: Vec<u32>,
        steps: Vec<Vec<u32>>,
    }

    fn lc(out: &mut Vec<u8>, terms: &[(u32, u32)]) {
        out.extend((terms.len() as u32).to_le_bytes());
        for (w, c) in terms {
            out.extend(w.to_le_bytes());
            out.extend(c.to_le_bytes());
        }
    }

    impl Image {
        fn bytes(&self) -> Vec<u8> {
            let mut out = MAGIC.to_vec();
            for x in [
                VERSION,
                self.n_wires,
                self.constraints.len() as u32,
                self.coeffs.len() as u32,
            ] {
                out.extend(x.to_le_bytes());
            }
            out.extend(encode(&self.coeffs));
            out.extend((self.hints.len() as u32).to_le_bytes());
            for h in &self.hints {
                out.extend((h.len() as u32).to_le_bytes());
                out.extend(h.as_bytes());
            }
            for k in &self.constraints {
                for t in k {
                    lc(&mut out, t);
                }
            }
            out.extend((self.inputs.len() as u32).to_le_bytes());
            for w in &self.inputs {
                out.extend(w.to_le_bytes());
            }
            out.extend((self.steps.len() as u32).to_le_bytes());
            for s in &self.steps {
                for x in s {
                    out.extend(x.to_le_bytes());
                }
            }
            out
        }
    }

    /// x * x = y (wire 3), y * x = z (wire 4); x = wire 1 (public), k = wire 2 private:
    /// k * inv = 1 solved for inv through A... Kept small: coefficients [1, 5].
    fn cube() -> Image {
        Image {
            n_wires: 4,
            coeffs: vec![Fr::one(), Fr::from(5u64)],
            hints: vec![],
            constraints: vec![
                [vec![(1, 0)], vec![(1, 0)], vec![(2, 0)]],
                [vec![(2, 0)], vec![(1, 0)], vec![(3, 1)]],
            ],
            inputs: vec![1],
            steps: vec![vec![0, 0, 2], vec![0, 1, 3]],
        }
    }

    fn scalars(v: &[u64]) -> Vec<Fr> {
        v.iter().map(|&x| Fr::from(x)).collect()
    }

    #[test]
    fn solves_in_c_with_coefficient() {
        let s = Solver::from_bytes(&cube().bytes()).unwrap();
        let w = s.solve(&scalars(&[3])).unwrap();
        assert_eq!(w[..3], scalars(&[1, 3, 9])[..]);
        assert_eq!(w[3] * Fr::from(5u64), Fr::from(27u64));
        let packed = s.solve_bytes(&encode(&scalars(&[3]))).unwrap();
        assert_eq!(packed, encode(&w));
    }

    #[test]
    fn solves_in_a_and_b_and_reports_zero_divisor() {
        // x * inv = 1 with inv in B (wire 2), then inv2 * x = 1 with inv2 in A (wire 3).
        let img = Image {
            n_wires: 4,
            coeffs: vec![Fr::one()],
            constraints: vec![
                [vec![(1, 0)], vec![(2, 0)], vec![(0, 0)]],
                [vec![(3, 0)], vec![(1, 0)], vec![(0, 0)]],
            ],
            inputs: vec![1],
            steps: vec![vec![0, 0, 2], vec![0, 1, 3]],
            ..Image::default()
        };
        let s = Solver::from_bytes(&img.bytes()).unwrap();
        let w = s.solve(&scalars(&[7])).unwrap();
        let inv7 = Fr::from(7u64).inverse().unwrap();
        assert_eq!(w[2], inv7);
        assert_eq!(w[3], inv7);
        assert_eq!(
            s.solve(&scalars(&[0])),
            Err(SolveError::ZeroDivisor {
                constraint: 0,
                wire: 2
            })
        );
    }

    #[test]
    fn reports_first_unsatisfied_constraint() {
        // x * 1 = 5 (constraint 0 fails for x != 5), x * x = y solved (constraint 1).
        let img = Image {
            n_wires: 3,
            coeffs: vec![Fr::one(), Fr::from(5u64)],
            constraints: vec![
                [vec![(1, 0)], vec![(0, 0)], vec![(0, 1)]],
                [vec![(1, 0)], vec![(1, 0)], vec![(2, 0)]],
                [vec![(2, 0)], vec![(0, 0)], vec![(0, 1)]],
            ],
            inputs: vec![1],
            steps: vec![vec![0, 1, 2]],
            ..Image::default()
        };
        let s = Solver::from_bytes(&img.bytes()).unwrap();
        assert_eq!(
            s.solve(&scalars(&[4])),
            Err(SolveError::Unsatisfied { constraint: 0 })
        );
        assert_eq!(
            s.solve(&scalars(&[5])),
            Err(SolveError::Unsatisfied { constraint: 2 })
        );
    }

    fn hint_image(name: &'static str, n_in: u32, outs: &[u32], params: &[u32]) -> Image {
        let n_wires = 3 + outs.len() as u32;
        let mut step = vec![1, 0, n_in];
        for i in 0..n_in {
            step.extend([1, 1 + i, 0]);
        }
        step.push(outs.len() as u32);
        step.extend(outs);
        step.push(params.len() as u32);
        step.extend(params);
        Image {
            n_wires,
            coeffs: vec![Fr::one()],
            hints: vec![name],
            constraints: vec![],
            inputs: vec![1, 2],
            steps: vec![step],
        }
    }

    #[test]
    fn hints_match_the_contract() {
        let s = Solver::from_bytes(&hint_image("bits", 1, &[3, 4, 5, 6], &[4]).bytes()).unwrap();
        let w = s.solve(&scalars(&[0b1101_0110, 0])).unwrap();
        assert_eq!(w[3..], scalars(&[0, 1, 1, 0])[..]);

        let s = Solver::from_bytes(&hint_image("int_divmod", 2, &[3, 4], &[]).bytes()).unwrap();
        let w = s.solve(&scalars(&[100_000_000_007, 2_592_000])).unwrap();
        assert_eq!(
            w[3..],
            scalars(&[100_000_000_007 / 2_592_000, 100_000_000_007 % 2_592_000])[..]
        );
        let w = s.solve(&scalars(&[17, 0])).unwrap();
        assert_eq!(w[3..], scalars(&[0, 17])[..]);
        let big = -Fr::one(); // r - 1, divided by 2^128 + 3
        let d = Fr::from(BigInt::<4>::new([3, 0, 1, 0]));
        let w = s.solve(&[big, d]).unwrap();
        assert_eq!(w[3] * d + w[4], big);
        assert!(w[4].into_bigint() < d.into_bigint());

        let s = Solver::from_bytes(&hint_image("div", 2, &[3], &[]).bytes()).unwrap();
        assert_eq!(s.solve(&scalars(&[6, 3])).unwrap()[3], Fr::from(2u64));
        assert_eq!(s.solve(&scalars(&[6, 0])).unwrap()[3], Fr::zero());

        let s = Solver::from_bytes(&hint_image("inverse_or_zero", 1, &[3], &[]).bytes()).unwrap();
        // Wire 2 is an input no constraint uses; the solver does not lint.
        assert_eq!(s.solve(&scalars(&[0, 0])).unwrap()[3], Fr::zero());
        assert_eq!(
            s.solve(&scalars(&[4, 0])).unwrap()[3],
            Fr::from(4u64).inverse().unwrap()
        );
    }

    #[test]
    fn int_divmod_matches_u128() {
        for (a, d) in [
            (0u128, 1u128),
            (1, 1),
            (u64::MAX as u128 * 3 + 1, 7),
            (1 << 100, (1 << 64) + 5),
        ] {
            let big = |x: u128| BigInt::<4>::new([x as u64, (x >> 64) as u64, 0, 0]);
            assert_eq!(int_divmod(big(a), big(d)), (big(a / d), big(a % d)));
        }
    }

    fn err(img: &[u8]) -> CoreError {
        Solver::from_bytes(img).unwrap_err()
    }

    #[test]
    fn refuses_malformed_images() {
        let good = cube().bytes();
        assert!(matches!(
            err(&good[..good.len() - 1]),
            CoreError::InvalidEncoding(_)
        ));
        assert!(matches!(
            err(&[good.clone(), vec![0]].concat()),
            CoreError::InvalidEncoding(_)
        ));
        assert!(matches!(err(b"NOTMAGIC"), CoreError::InvalidEncoding(_)));

        let mut bad = cube();
        bad.coeffs[1] = -Fr::one();
        let mut raw = bad.bytes();
        // Overwrite the second coefficient with r itself (non-canonical).
        let at = 8 + 16 + 32;
        raw[at..at + 32].copy_from_slice(&Fr::MODULUS.to_bytes_le());
        assert!(matches!(err(&raw), CoreError::NonCanonicalScalar(_)));

        let cases: Vec<(Image, &str)> = vec![
            (
                Image {
                    constraints: vec![[vec![(9, 0)], vec![], vec![]]],
                    ..cube()
                },
                "out of range",
            ),
            (
                Image {
                    steps: vec![vec![0, 5, 2]],
                    ..cube()
                },
                "out of range",
            ),
            (
                Image {
                    steps: vec![vec![0, 1, 3], vec![0, 0, 2]],
                    ..cube()
                },
                "before it is known",
            ),
            (
                Image {
                    steps: vec![vec![0, 0, 2], vec![0, 0, 2]],
                    ..cube()
                },
                "already known",
            ),
            (
                Image {
                    steps: vec![vec![0, 0, 2]],
                    ..cube()
                },
                "never assigned",
            ),
            (
                Image {
                    steps: vec![vec![0, 0, 2], vec![0, 0, 3]],
                    ..cube()
                },
                "does not mention",
            ),
            (
                Image {
                    inputs: vec![1, 1],
                    ..cube()
                },
                "already known",
            ),
            (
                Image {
                    inputs: vec![0],
                    ..cube()
                },
                "out of range",
            ),
            (
                Image {
                    coeffs: vec![Fr::one(), Fr::zero()],
                    ..cube()
                },
                "coefficient is zero",
            ),
            (hint_image("poseidon_round", 1, &[3], &[]), "unknown hint"),
            (hint_image("bits", 2, &[3], &[1]), "takes 1 inputs"),
            (hint_image("bits", 1, &[3], &[]), "takes 1 params"),
            (hint_image("bits", 1, &[3, 4], &[3]), "gives 3 outputs"),
            (hint_image("div", 2, &[3, 4], &[]), "gives 1 outputs"),
            (
                hint_image("inverse_or_zero", 1, &[3], &[1]),
                "takes 0 params",
            ),
        ];
        for (img, needle) in cases {
            let e = err(&img.bytes());
            assert!(
                matches!(&e, CoreError::InvalidArgument(m) if m.contains(needle)),
                "{needle}: {e}"
            );
        }
    }

    #[test]
    fn refuses_bad_inputs() {
        let s = Solver::from_bytes(&cube().bytes()).unwrap();
        assert!(matches!(
            s.solve_bytes(&[0u8; 31]),
            Err(SolveError::Core(CoreError::InvalidEncoding(_)))
        ));
        assert!(matches!(
            s.solve_bytes(&Fr::MODULUS.to_bytes_le()),
            Err(SolveError::Core(CoreError::NonCanonicalScalar(_)))
        ));
        assert!(matches!(
            s.solve(&[]),
            Err(SolveError::Core(CoreError::InvalidArgument(_)))
        ));
    }
}
