"""The circuit builder: tracked values, explicit inputs, labelled constraints.

A `Circuit` records constraints as gadget code runs once, at build time. Values are
`LinComb` objects (linear combinations of wires with constant term); ``+``, ``-`` and
``*`` by constants are free, and the product of two non-constant values adds one
constraint ``a * b = w`` with a fresh wire ``w``. `Circuit.compile` fixes the wire order
(iden3: 1, public inputs, private inputs, internal wires), lints the system
(ADVERSARIAL A9) and returns the R1CS with its witness-solver program.

The builder never touches curve points (STYLE G1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from zkcredit.errors import CircuitError, InvalidArgument, UnsafeCircuit

from ._field import R
from ._hints import HINTS
from ._lint import LintIssue, lint
from ._native_solver import NativeSolver
from ._program import (
    Assignment,
    HintStep,
    InputSlot,
    Program,
    SolveStep,
    Step,
    solve,
)
from ._r1cs import R1CS, Constraint, Terms

__all__ = ["Circuit", "CompiledCircuit", "LinComb", "Template", "Var"]

_ONE = 0
_PUB, _PRIV, _INTERNAL = "public", "private", "internal"



class LinComb:
    """A tracked value: ``sum(coeff * wire) + constant`` over the scalar field.

    Immutable. Arithmetic with ints and other values of the same circuit:
    ``+``, ``-``, unary ``-`` and ``*`` (a product of two non-constant values adds one
    constraint). Comparison operators are deliberately absent: use the gadgets in
    `zkcredit.circuits` (they range-check their inputs).
    """

    __slots__ = ("circuit", "terms")

    def __init__(self, circuit: Circuit, terms: dict[int, int]) -> None:
        self.circuit = circuit
        self.terms = terms

    # --- inspection -------------------------------------------------------------
    def is_constant(self) -> bool:
        return all(w == _ONE for w in self.terms)

    def constant_value(self) -> int:
        """The value of a constant combination (raises `InvalidArgument` otherwise)."""
        if not self.is_constant():
            raise InvalidArgument("value is not a constant")
        return self.terms.get(_ONE, 0)

    def __repr__(self) -> str:
        return f"LinComb({self.terms!r})"

    def __bool__(self) -> bool:
        raise TypeError("a circuit value has no truth value at build time; use a gadget")

    def __eq__(self, other: object) -> bool:
        raise TypeError(
            "circuit values cannot be compared at build time; use Circuit.assert_equal "
            "or zkcredit.circuits.is_zero.is_equal"
        )

    __hash__ = object.__hash__

    # --- arithmetic -------------------------------------------------------------
    def _coerce(self, other: object) -> LinComb | None:
        if isinstance(other, LinComb):
            if other.circuit is not self.circuit:
                raise InvalidArgument("values from two different circuits")
            return other
        if isinstance(other, bool) or not isinstance(other, int):
            return None
        return self.circuit.constant(other)

    def __add__(self, other: LinComb | int) -> LinComb:
        o = self._coerce(other)
        if o is None:
            return NotImplemented
        return self.circuit._lin(((1, self), (1, o)))

    __radd__ = __add__

    def __sub__(self, other: LinComb | int) -> LinComb:
        o = self._coerce(other)
        if o is None:
            return NotImplemented
        return self.circuit._lin(((1, self), (R - 1, o)))

    def __rsub__(self, other: LinComb | int) -> LinComb:
        o = self._coerce(other)
        if o is None:
            return NotImplemented
        return self.circuit._lin(((1, o), (R - 1, self)))

    def __neg__(self) -> LinComb:
        return self.circuit._lin(((R - 1, self),))

    def __mul__(self, other: LinComb | int) -> LinComb:
        o = self._coerce(other)
        if o is None:
            return NotImplemented
        return self.circuit.mul(self, o)

    __rmul__ = __mul__


#: Alias: a single wire is just a linear combination with one term.
Var = LinComb


@dataclass(frozen=True, slots=True)
class _PendingSolve:
    constraint: int
    wire: int


@dataclass(frozen=True, slots=True)
class _PendingHint:
    hint: str
    inputs: list[dict[int, int]]
    outputs: list[int]
    params: tuple[int, ...]


@dataclass(frozen=True)
class Template:
    """A recorded sub-circuit, instantiated by substitution instead of re-running its
    gadget code (`Circuit.instantiate`). Local wire ids: 0 is the constant 1,
    ``1 .. n_inputs`` the inputs, then ``n_internal`` internal wires in creation order."""

    name: str
    n_inputs: int
    n_internal: int
    wire_names: tuple[str, ...]
    constraints: tuple[tuple[dict[int, int], dict[int, int], dict[int, int], str], ...]
    steps: tuple[_PendingSolve | _PendingHint, ...]
    outputs: tuple[dict[int, int], ...]
    hint_outputs: frozenset[int]
    waivers: tuple[tuple[int, str], ...]

    @classmethod
    def record(
        cls,
        name: str,
        n_inputs: int,
        body: Callable[[Circuit, list[LinComb]], Sequence[LinComb]],
    ) -> Template:
        """Run ``body`` once on ``n_inputs`` symbolic inputs and record the result."""
        scratch = Circuit(name)
        ins = [scratch.private(f"in[{i}]") for i in range(n_inputs)]
        outs = [scratch.lc(v) for v in body(scratch, ins)]
        if any(k != _INTERNAL for k in scratch._kinds[1 + n_inputs :]):
            raise InvalidArgument("a template body cannot declare inputs")
        return cls(
            name,
            n_inputs,
            len(scratch._kinds) - 1 - n_inputs,
            tuple(scratch._names[1 + n_inputs :]),
            tuple(scratch._constraints),
            tuple(scratch._steps),
            tuple(dict(v.terms) for v in outs),
            frozenset(scratch._hint_outputs),
            tuple(scratch._waivers.items()),
        )


@dataclass(frozen=True)
class CompiledCircuit:
    """What `Circuit.compile` returns: the R1CS, its solver program and the lint record."""

    name: str
    r1cs: R1CS
    program: Program
    waivers: tuple[tuple[str, str], ...] = ()
    issues: tuple[LintIssue, ...] = field(default=())

    @cached_property
    def native_solver(self) -> NativeSolver:
        """The native solver of this circuit, built (and validated) on first use."""
        return NativeSolver(self.r1cs, self.program)

    def solve(self, assignment: Assignment) -> list[int]:
        """Full witness for the given inputs, every constraint checked (native solver).

        Raises `InvalidArgument` (missing or unknown input), `NonCanonicalScalar` and
        `UnsatisfiedConstraint`, exactly as `solve_reference` does.
        """
        return self.native_solver.solve(assignment)

    def solve_packed(self, assignment: Assignment) -> bytes:
        """`solve` as packed 32-byte little-endian scalars (the `.wtns` value layout)."""
        return self.native_solver.solve_packed(assignment)

    def solve_reference(self, assignment: Assignment) -> list[int]:
        """Full witness from the pure-Python reference solver (`zkcredit.circuit.solve`)."""
        return solve(self.r1cs, self.program, assignment)

    def public_values(self, witness: Sequence[int]) -> list[int]:
        return [witness[w] for w in self.r1cs.public_wires()]

    def input_wire(self, name: str) -> int:
        for slot in self.program.inputs:
            if slot.name == name:
                return slot.wire
        raise InvalidArgument(f"no input named {name!r}")


class Circuit:
    """Records a circuit: inputs, constraints, hints and the solving order."""

    def __init__(self, name: str = "circuit") -> None:
        self.name = name
        self._kinds: list[str] = ["one"]
        self._names: list[str] = ["one"]
        self._input_names: set[str] = set()
        self._constraints: list[tuple[dict[int, int], dict[int, int], dict[int, int], str]] = []
        self._steps: list[_PendingSolve | _PendingHint] = []
        self._hint_outputs: set[int] = set()
        self._scopes: list[str] = []
        self._waivers: dict[int, str] = {}
        self._counter: dict[str, int] = {}
        self._bounds: dict[tuple[tuple[int, int], ...], int] = {}

    # --- inputs and constants -----------------------------------------------------
    def _new_wire(self, kind: str, name: str) -> int:
        self._kinds.append(kind)
        self._names.append(name)
        return len(self._kinds) - 1

    def _input(self, kind: str, name: str) -> LinComb:
        if not name or name in self._input_names:
            raise InvalidArgument(f"input name {name!r} is empty or already declared")
        self._input_names.add(name)
        return LinComb(self, {self._new_wire(kind, name): 1})

    def public(self, name: str) -> LinComb:
        """Declare a public input (its value is part of the statement)."""
        return self._input(_PUB, name)

    def private(self, name: str) -> LinComb:
        """Declare a private input (part of the witness only)."""
        return self._input(_PRIV, name)

    def public_list(self, name: str, n: int) -> list[LinComb]:
        return [self.public(f"{name}[{i}]") for i in range(n)]

    def private_list(self, name: str, n: int) -> list[LinComb]:
        return [self.private(f"{name}[{i}]") for i in range(n)]

    def constant(self, value: int) -> LinComb:
        value %= R
        return LinComb(self, {_ONE: value} if value else {})

    @property
    def n_constraints(self) -> int:
        return len(self._constraints)

    # --- labels -----------------------------------------------------------------
    @contextmanager
    def scope(self, name: str) -> Iterator[None]:
        """Prefix the labels of the constraints added inside (``outer/inner/label``)."""
        self._scopes.append(name)
        try:
            yield
        finally:
            self._scopes.pop()

    def unique(self, base: str) -> str:
        """``base[i]`` with a per-circuit counter, for naming gadget instances."""
        i = self._counter.get(base, 0)
        self._counter[base] = i + 1
        return f"{base}[{i}]"

    def _label(self, label: str) -> str:
        return "/".join([*self._scopes, label] if label else self._scopes)

    # --- linear algebra ---------------------------------------------------------
    def _lin(self, pairs: Iterable[tuple[int, LinComb]]) -> LinComb:
        return self.linear_combination(pairs)

    def linear_combination(
        self, pairs: Iterable[tuple[int, LinComb | int]], constant: int = 0
    ) -> LinComb:
        """``constant + sum(coeff * value)`` in one pass (no constraint)."""
        acc: dict[int, int] = {_ONE: constant} if constant else {}
        get = acc.get
        for raw, v in pairs:
            coeff = raw % R
            if not coeff:
                continue
            if isinstance(v, int):
                acc[_ONE] = get(_ONE, 0) + coeff * v
                continue
            if coeff == 1:
                for w, c in v.terms.items():
                    acc[w] = get(w, 0) + c
            else:
                for w, c in v.terms.items():
                    acc[w] = get(w, 0) + coeff * c
        out = {}
        for w, c in acc.items():
            m = c % R
            if m:
                out[w] = m
        return LinComb(self, out)

    def sum(self, values: Iterable[LinComb | int]) -> LinComb:
        return self.linear_combination((1, v) for v in values)

    def lc(self, value: LinComb | int) -> LinComb:
        """Coerce an int to a constant value; check a value belongs to this circuit."""
        if isinstance(value, LinComb):
            if value.circuit is not self:
                raise InvalidArgument("value from another circuit")
            return value
        return self.constant(value)

    # --- constraints ------------------------------------------------------------
    def _add(
        self, a: LinComb, b: LinComb, c: LinComb, label: str, solves: int | None = None
    ) -> None:
        index = len(self._constraints)
        self._constraints.append((dict(a.terms), dict(b.terms), dict(c.terms), self._label(label)))
        if solves is not None:
            self._steps.append(_PendingSolve(index, solves))

    def mul(self, a: LinComb | int, b: LinComb | int, label: str = "mul") -> LinComb:
        """``a * b``; one constraint ``a * b = w`` (fresh wire w) unless a side is constant."""
        a, b = self.lc(a), self.lc(b)
        if a.is_constant():
            return self._lin(((a.constant_value(), b),))
        if b.is_constant():
            return self._lin(((b.constant_value(), a),))
        w = self._new_wire(_INTERNAL, self._label(label))
        out = LinComb(self, {w: 1})
        self._add(a, b, out, label, solves=w)
        return out

    def define(self, value: LinComb | int, label: str = "define") -> LinComb:
        """Materialize ``value`` on a fresh wire with one linear constraint."""
        value = self.lc(value)
        w = self._new_wire(_INTERNAL, self._label(label))
        out = LinComb(self, {w: 1})
        self._add(value, self.constant(1), out, label, solves=w)
        return out

    def assert_product(
        self, a: LinComb | int, b: LinComb | int, c: LinComb | int, label: str = "product"
    ) -> None:
        """Constrain ``a * b == c`` (one constraint; refused if constant and false)."""
        a, b, c = self.lc(a), self.lc(b), self.lc(c)
        if a.is_constant() and b.is_constant() and c.is_constant():
            if a.constant_value() * b.constant_value() % R != c.constant_value():
                raise UnsafeCircuit(f"{self._label(label)}: constant constraint is false")
            return
        self._add(a, b, c, label)

    def assert_equal(self, a: LinComb | int, b: LinComb | int, label: str = "equal") -> None:
        """Constrain ``a == b`` with one linear constraint ``(a - b) * 1 = 0``."""
        diff = self.lc(a) - self.lc(b)
        if diff.is_constant():
            if diff.constant_value():
                raise UnsafeCircuit(f"{self._label(label)}: constant values are never equal")
            return
        self._add(diff, self.constant(1), self.constant(0), label)

    def assert_bool(self, a: LinComb | int, label: str = "bool") -> None:
        """Constrain ``a * (a - 1) == 0``, i.e. a ∈ {0, 1}."""
        a = self.lc(a)
        self.assert_product(a, a - 1, 0, label)

    def assert_nonzero(self, a: LinComb | int, label: str = "nonzero") -> LinComb:
        """Constrain ``a != 0`` via ``a * inv = 1``; returns ``inv`` (= 1/a)."""
        a = self.lc(a)
        (inv,) = self.hint("inverse_or_zero", [a], 1)
        self.assert_product(a, inv, 1, label)
        self.waive(inv, "a * inv = 1 has exactly one solution")
        return inv

    # --- proven bounds ----------------------------------------------------------
    def note_bound(self, value: LinComb, n_bits: int) -> None:
        """Record that constraints already added prove ``value < 2^n_bits`` as an
        integer; comparators then skip re-checking that value.

        TRUSTED: nothing verifies the claim. Call it only right after adding the
        constraints that prove it (the range-checking gadgets do); a false note makes
        every later comparison on that value unsound."""
        key = tuple(sorted(self.lc(value).terms.items()))
        old = self._bounds.get(key)
        if old is None or n_bits < old:
            self._bounds[key] = n_bits

    def known_bits(self, value: LinComb | int) -> int | None:
        """The smallest n with ``value < 2^n`` proven so far, if any."""
        v = self.lc(value)
        if v.is_constant():
            return v.constant_value().bit_length()
        return self._bounds.get(tuple(sorted(v.terms.items())))

    # --- hints ------------------------------------------------------------------
    def hint(
        self,
        name: str,
        inputs: Sequence[LinComb | int],
        n_out: int,
        params: Sequence[int] = (),
        label: str = "",
    ) -> list[LinComb]:
        """Fresh wires computed by a named hint. They are FREE until the caller
        constrains them; the linter refuses outputs that appear in no constraint."""
        if name not in HINTS:
            raise InvalidArgument(f"unknown hint {name!r}")
        ins = [self.lc(v) for v in inputs]
        base = self._label(label or name)
        outs = [self._new_wire(_INTERNAL, f"{base}.out[{i}]") for i in range(n_out)]
        self._hint_outputs.update(outs)
        self._steps.append(
            _PendingHint(name, [dict(v.terms) for v in ins], outs, tuple(params))
        )
        return [LinComb(self, {w: 1}) for w in outs]

    def waive(self, value: LinComb, reason: str) -> None:
        """Record an explicit linter waiver for the single wire ``value`` (A9)."""
        wires = [w for w in value.terms if w != _ONE]
        if len(wires) != 1 or not reason:
            raise InvalidArgument("waive() takes a single wire and a non-empty reason")
        self._waivers[wires[0]] = reason

    # --- templates --------------------------------------------------------------
    def instantiate(
        self, template: Template, inputs: Sequence[LinComb | int], label: str
    ) -> list[LinComb]:
        """Add a copy of ``template`` with its inputs replaced by ``inputs``; returns its
        outputs. Constraint labels and wire names are prefixed with ``label`` inside the
        current scope. Equivalent to running the template's body here, only faster."""
        if len(inputs) != template.n_inputs:
            raise InvalidArgument(f"{template.name} takes {template.n_inputs} inputs")
        ins = [self.lc(v) for v in inputs]
        n = template.n_inputs
        prefix = self._label(label)
        base = len(self._kinds)
        for name in template.wire_names:
            self._new_wire(_INTERNAL, f"{prefix}/{name}")
        shift = base - n - 1

        def sub(d: dict[int, int]) -> dict[int, int]:
            acc: dict[int, int] = {}
            get = acc.get
            for w, coeff in d.items():
                if w == _ONE:
                    acc[_ONE] = get(_ONE, 0) + coeff
                elif w <= n:
                    for w2, c2 in ins[w - 1].terms.items():
                        acc[w2] = get(w2, 0) + coeff * c2
                else:
                    acc[w + shift] = get(w + shift, 0) + coeff
            out = {}
            for w, c in acc.items():
                m = c % R
                if m:
                    out[w] = m
            return out

        first = len(self._constraints)
        for a, b, c, lab in template.constraints:
            self._constraints.append((sub(a), sub(b), sub(c), f"{prefix}/{lab}" if lab else prefix))
        for step in template.steps:
            if isinstance(step, _PendingSolve):
                self._steps.append(_PendingSolve(step.constraint + first, step.wire + shift))
            else:
                self._steps.append(
                    _PendingHint(step.hint, [sub(t) for t in step.inputs],
                                 [w + shift for w in step.outputs], step.params)
                )
        self._hint_outputs.update(w + shift for w in template.hint_outputs)
        for w, reason in template.waivers:
            self._waivers[w + shift] = reason
        return [LinComb(self, sub(o)) for o in template.outputs]

    # --- compilation ------------------------------------------------------------
    def compile(self, *, lint_errors: bool = True) -> CompiledCircuit:
        """Fix the wire order, build the R1CS and solver program, and lint.

        Deterministic: the same definition gives a byte-identical R1CS. With
        ``lint_errors`` (the default) any unwaived linter finding raises `UnsafeCircuit`.
        """
        kinds = self._kinds
        order = (
            [0]
            + [i for i, k in enumerate(kinds) if k == _PUB]
            + [i for i, k in enumerate(kinds) if k == _PRIV]
            + [i for i, k in enumerate(kinds) if k == _INTERNAL]
        )
        perm = [0] * len(kinds)
        for new, old in enumerate(order):
            perm[old] = new

        remap = perm.__getitem__

        def terms(d: dict[int, int]) -> Terms:
            return tuple(sorted(zip(map(remap, d), d.values(), strict=True)))

        constraints = tuple(
            Constraint(terms(a), terms(b), terms(c), label)
            for a, b, c, label in self._constraints
        )
        n_pub = sum(1 for k in kinds if k == _PUB)
        n_priv = sum(1 for k in kinds if k == _PRIV)
        r1cs = R1CS(
            n_wires=len(kinds),
            n_public=n_pub,
            n_private=n_priv,
            constraints=constraints,
            wire_names=tuple(self._names[old] for old in order),
        )
        steps: list[Step] = []
        for pending in self._steps:
            if isinstance(pending, _PendingSolve):
                steps.append(SolveStep(pending.constraint, perm[pending.wire]))
            else:
                steps.append(
                    HintStep(
                        pending.hint,
                        tuple(terms(t) for t in pending.inputs),
                        tuple(perm[w] for w in pending.outputs),
                        pending.params,
                    )
                )
        inputs = tuple(
            InputSlot(self._names[old], perm[old], kinds[old] == _PUB)
            for old in order
            if kinds[old] in (_PUB, _PRIV)
        )
        program = Program(len(kinds), inputs, tuple(steps))
        _validate_program(r1cs, program)
        waivers = {perm[w]: reason for w, reason in self._waivers.items()}
        hint_outputs = {perm[w] for w in self._hint_outputs}
        issues = lint(r1cs, hint_outputs, waivers)
        if lint_errors and issues:
            shown = "; ".join(str(i) for i in issues[:8])
            more = f" (+{len(issues) - 8} more)" if len(issues) > 8 else ""
            raise UnsafeCircuit(f"{self.name}: linter refused the circuit: {shown}{more}")
        return CompiledCircuit(
            self.name,
            r1cs,
            program,
            tuple((r1cs.wire_name(w), reason) for w, reason in sorted(waivers.items())),
            tuple(issues),
        )


def _validate_program(r1cs: R1CS, program: Program) -> None:
    """Every wire is assigned exactly once, and only from wires already known."""
    known = bytearray(program.n_wires)
    known[0] = 1
    for slot in program.inputs:
        known[slot.wire] = 1
    for step in program.steps:
        if isinstance(step, SolveStep):
            k = r1cs.constraints[step.constraint]
            u = step.wire
            places = 0
            for t in (k.a, k.b, k.c):
                found = False
                for w, _ in t:
                    if w == u:
                        found = True
                    elif not known[w]:
                        raise CircuitError(
                            f"constraint #{step.constraint} reads wire {w} before it is known"
                        )
                places += found
            if known[u] or places != 1:
                raise CircuitError(f"cannot solve wire {u} from constraint #{step.constraint}")
            known[u] = 1
        else:
            for t in step.inputs:
                for w, _ in t:
                    if not known[w]:
                        raise CircuitError(f"hint {step.hint!r} reads a wire not yet known")
            for w in step.outputs:
                if known[w]:
                    raise CircuitError(f"wire {w} assigned twice")
                known[w] = 1
    if not all(known):
        raise CircuitError(f"wire {known.index(0)} is never assigned")
