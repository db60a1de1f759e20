"""The witness-solver program and its pure-Python reference solver.

Compiling a circuit records, next to the R1CS, how to compute every wire without
re-running gadget code (the gnark approach). A program is a list of steps run in order
after the inputs are placed on their wires:

* ``SolveStep(constraint, wire)``: constraint ``constraint`` mentions ``wire`` in exactly
  one of A, B, C (linearly), and every other wire it mentions is already known; solve it.
  In C: ``w = (a*b - c_rest) / c_w``. In A: ``w = (c/b - a_rest) / a_w`` (needs b != 0);
  symmetric in B.
* ``HintStep(hint, inputs, outputs, params)``: evaluate each input linear combination,
  call the named hint (see `zkcredit.circuit._hints`) and place its results on
  ``outputs``.

After the last step the solver checks every constraint and raises
`UnsatisfiedConstraint` naming the first violated one. The JSON form of a program is
documented in docs/circuit.md. `solve` here is the pure-Python reference; the native
solver (`zkcredit.circuit._native_solver`, the default of `CompiledCircuit.solve`)
executes the same program with the same results and errors.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from zkcredit.errors import InvalidArgument, UnsatisfiedConstraint, UnsupportedFormat

from ._field import R, canonical
from ._hints import run_hint
from ._r1cs import R1CS, Terms, check

__all__ = [
    "PROGRAM_FORMAT",
    "PROGRAM_VERSION",
    "Assignment",
    "HintStep",
    "InputSlot",
    "Program",
    "SolveStep",
    "flatten_assignment",
    "input_values",
    "solve",
]

PROGRAM_FORMAT = "zkcredit-solver-program"
PROGRAM_VERSION = 1

#: Input values by name; a list value ``v`` for name ``x`` stands for ``x[0]``, ``x[1]``, ...
Assignment = Mapping[str, "int | Sequence[int]"]


@dataclass(frozen=True, slots=True)
class InputSlot:
    """A declared input: its name, its wire and whether it is public."""

    name: str
    wire: int
    public: bool


@dataclass(frozen=True, slots=True)
class SolveStep:
    """Solve ``wire`` from constraint number ``constraint``."""

    constraint: int
    wire: int


@dataclass(frozen=True, slots=True)
class HintStep:
    """Call the named hint on the values of ``inputs``; write ``outputs``."""

    hint: str
    inputs: tuple[Terms, ...]
    outputs: tuple[int, ...]
    params: tuple[int, ...] = ()


Step = SolveStep | HintStep


@dataclass(frozen=True, slots=True)
class Program:
    """Inputs and steps that compute a full witness for one R1CS."""

    n_wires: int
    inputs: tuple[InputSlot, ...]
    steps: tuple[Step, ...]

    def to_json(self) -> str:
        """Deterministic JSON text (field elements as decimal strings)."""

        def terms(t: Terms) -> list[list[int | str]]:
            return [[w, str(c)] for w, c in t]

        steps: list[list[object]] = []
        for s in self.steps:
            if isinstance(s, SolveStep):
                steps.append(["solve", s.constraint, s.wire])
            else:
                steps.append(
                    ["hint", s.hint, [terms(t) for t in s.inputs], list(s.outputs),
                     list(s.params)]
                )
        doc = {
            "format": PROGRAM_FORMAT,
            "version": PROGRAM_VERSION,
            "n_wires": self.n_wires,
            "inputs": [[i.name, i.wire, i.public] for i in self.inputs],
            "steps": steps,
        }
        return json.dumps(doc, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Program:
        try:
            doc = json.loads(text)
            if not isinstance(doc, dict):
                raise UnsupportedFormat(f"a {PROGRAM_FORMAT} file is a JSON object")
            if doc.get("format") != PROGRAM_FORMAT or doc.get("version") != PROGRAM_VERSION:
                raise UnsupportedFormat(
                    f"not a {PROGRAM_FORMAT} v{PROGRAM_VERSION}: "
                    f"{doc.get('format')!r} v{doc.get('version')!r}"
                )
            inputs = tuple(InputSlot(str(n), int(w), bool(p)) for n, w, p in doc["inputs"])
            steps: list[Step] = []
            for s in doc["steps"]:
                if s[0] == "solve":
                    steps.append(SolveStep(int(s[1]), int(s[2])))
                elif s[0] == "hint":
                    steps.append(
                        HintStep(
                            str(s[1]),
                            tuple(tuple((int(w), int(c)) for w, c in t) for t in s[2]),
                            tuple(int(w) for w in s[3]),
                            tuple(int(p) for p in s[4]),
                        )
                    )
                else:
                    raise UnsupportedFormat(f"unknown solver step {s[0]!r}")
            return cls(int(doc["n_wires"]), inputs, tuple(steps))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            if isinstance(exc, UnsupportedFormat):
                raise
            raise UnsupportedFormat(f"malformed solver program: {exc}") from exc


def flatten_assignment(assignment: Assignment) -> dict[str, int]:
    """Expand list values (``x: [a, b]`` → ``x[0]: a, x[1]: b``)."""
    flat: dict[str, int] = {}
    for name, value in assignment.items():
        if isinstance(value, int):
            flat[name] = value
        else:
            for i, v in enumerate(value):
                flat[f"{name}[{i}]"] = v
    return flat


def input_values(program: Program, assignment: Assignment) -> list[int]:
    """The value of each input slot, in program order (shared by both solvers).

    A missing or unknown name raises `InvalidArgument`; a value that is not a canonical
    field element raises `NonCanonicalScalar` (never reduced).
    """
    flat = flatten_assignment(assignment)
    known = {slot.name for slot in program.inputs}
    extra = sorted(set(flat) - known)
    if extra:
        raise InvalidArgument(f"unknown inputs: {', '.join(extra[:5])}")
    values: list[int] = []
    for slot in program.inputs:
        if slot.name not in flat:
            raise InvalidArgument(f"missing input {slot.name!r}")
        values.append(canonical(flat[slot.name], slot.name))
    return values


def _eval(terms: Terms, w: list[int]) -> int:
    acc = 0
    for wire, coeff in terms:
        acc += coeff * w[wire]
    return acc % R


def _split(terms: Terms, wire: int, w: list[int]) -> tuple[int, int]:
    """(coefficient of ``wire``, value of the rest)."""
    acc = 0
    coeff_w = 0
    for x, coeff in terms:
        if x == wire:
            coeff_w = coeff
        else:
            acc += coeff * w[x]
    return coeff_w, acc % R


def solve(
    r1cs: R1CS,
    program: Program,
    assignment: Assignment,
    *,
    hint_overrides: Mapping[int, int] | None = None,
) -> list[int]:
    """Compute the full witness from the inputs, then check every constraint: the
    pure-Python reference solver (`CompiledCircuit.solve` runs the native one).

    Input values must be canonical field elements (never reduced: `NonCanonicalScalar`);
    a missing or unknown input name raises `InvalidArgument`; a witness that violates
    a constraint (or cannot be solved, e.g. a division by zero) raises
    `UnsatisfiedConstraint` naming the constraint.

    ``hint_overrides`` (for adversarial tests only, see `zkcredit.testing`) replaces the
    values a hint computes for the given output wires.
    """
    values = input_values(program, assignment)
    w = [0] * program.n_wires
    w[0] = 1
    for slot, value in zip(program.inputs, values, strict=True):
        w[slot.wire] = value
    constraints = r1cs.constraints
    for step in program.steps:
        if isinstance(step, SolveStep):
            k = constraints[step.constraint]
            u = step.wire
            cu, c_rest = _split(k.c, u, w)
            if cu:
                a = _eval(k.a, w)
                b = _eval(k.b, w) if a else 0
                value = a * b - c_rest
                w[u] = (value if cu == 1 else value * pow(cu, R - 2, R)) % R
                continue
            au, a_rest = _split(k.a, u, w)
            if au:
                other = _eval(k.b, w)
            else:
                au, a_rest = _split(k.b, u, w)
                other = _eval(k.a, w)
            if not au or not other:
                raise UnsatisfiedConstraint(
                    f"constraint #{step.constraint} ({k.label}) cannot be solved for "
                    f"wire {u}: it is multiplied by zero",
                    index=step.constraint,
                    label=k.label,
                )
            c = _eval(k.c, w)
            w[u] = (c * pow(other, R - 2, R) - a_rest) * pow(au, R - 2, R) % R
        else:
            values = [_eval(t, w) for t in step.inputs]
            out = run_hint(step.hint, values, step.params, len(step.outputs))
            for wire, v in zip(step.outputs, out, strict=True):
                w[wire] = v
            if hint_overrides:
                for wire in step.outputs:
                    if wire in hint_overrides:
                        w[wire] = hint_overrides[wire] % R
    check(r1cs, w)
    return w
