"""Test harness for circuits, shipped with the library (STYLE G4, P2).

`check_circuit(circuit_fn, valid=[...], invalid=[...])` is what every gadget test uses:

1. the circuit is built twice; both builds must give the same R1CS and solver program
   (deterministic compilation) and pass the linter;
2. every *valid* assignment must solve, satisfy every constraint, agree with the optional
   plain-Python ``reference`` and survive an iden3 ``.r1cs`` / ``.wtns`` round trip;
3. every *invalid* assignment must be refused (`UnsatisfiedConstraint`, or a malformed
   input such as a non-canonical value). One that solves and satisfies the system raises
   `InvalidAssignmentAccepted`: the circuit is under-constrained (gnark's
   ``ErrInvalidWitnessSolvedCS``);
4. every `Tamper` solves a valid assignment, perturbs one wire of the full witness and
   expects the checker to refuse the result.

`solve_with_overrides` plays a malicious prover: hints are the only free choices in a
solver program, so it runs the program with chosen values on chosen hint outputs, solves
everything downstream from the constraints, and checks the result.

`uniqueness_sweep` is the Picus-style sweep of ADVERSARIAL A8: perturb every non-input
wire by +1, -1 and +r and report each perturbed witness the checker accepts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from zkcredit.circuit import Circuit, CompiledCircuit, Program, R, check, solve
from zkcredit.circuit._iden3 import read_r1cs, read_wtns, write_r1cs, write_wtns
from zkcredit.circuit._program import Assignment
from zkcredit.errors import (
    CircuitError,
    InvalidAssignmentAccepted,
    MalformedInput,
    UnsatisfiedConstraint,
)

__all__ = ["Tamper", "build", "check_circuit", "solve_with_overrides", "uniqueness_sweep"]

CircuitFn = Callable[[Circuit], object]


@dataclass(frozen=True)
class Tamper:
    """Solve ``assignment`` (which must be valid), then change one wire of the witness.

    ``wire`` is a wire index or a wire name (the first wire with that name); the new
    value is ``(old + delta) mod r`` unless ``value`` is given (used as is, even if it is
    not canonical).
    """

    assignment: Assignment
    wire: int | str
    delta: int = 1
    value: int | None = None


def build(
    circuit_fn: CircuitFn, name: str = "circuit", *, lint_errors: bool = True
) -> CompiledCircuit:
    """Build and compile ``circuit_fn`` on a fresh `Circuit`."""
    c = Circuit(name)
    circuit_fn(c)
    return c.compile(lint_errors=lint_errors)


def _wire_index(compiled: CompiledCircuit, wire: int | str) -> int:
    if isinstance(wire, int):
        return wire
    names = compiled.r1cs.wire_names
    if wire not in names:
        raise CircuitError(f"no wire named {wire!r}")
    return names.index(wire)


def check_circuit(
    circuit_fn: CircuitFn,
    valid: Sequence[Assignment] = (),
    invalid: Sequence[Assignment] = (),
    *,
    tampered: Sequence[Tamper] = (),
    reference: Callable[[Assignment], bool] | None = None,
    name: str = "circuit",
) -> CompiledCircuit:
    """Run the checks in the module docstring; returns the compiled circuit."""
    compiled = build(circuit_fn, name)
    again = build(circuit_fn, name)
    if compiled.r1cs != again.r1cs or compiled.program.to_json() != again.program.to_json():
        raise CircuitError(f"{name}: compiling twice gave different systems")
    r1cs = compiled.r1cs
    if Program.from_json(compiled.program.to_json()) != compiled.program:
        raise CircuitError(f"{name}: the solver program does not survive its JSON form")
    for i, assignment in enumerate(valid):
        if reference is not None and not reference(assignment):
            raise CircuitError(f"{name}: valid assignment #{i} fails the plain-Python reference")
        try:
            witness = compiled.solve(assignment)
        except (CircuitError, MalformedInput) as exc:
            raise CircuitError(f"{name}: valid assignment #{i} was refused: {exc}") from exc
        check(r1cs, witness)
        if i == 0:
            written = write_r1cs(r1cs)
            parsed = read_r1cs(written)
            same = [(k.a, k.b, k.c) for k in parsed.r1cs.constraints] == [
                (k.a, k.b, k.c) for k in r1cs.constraints
            ]
            if parsed.to_bytes() != written or not same:
                raise CircuitError(f"{name}: .r1cs round trip changed the constraints")
            if read_wtns(write_wtns(witness)) != witness:
                raise CircuitError(f"{name}: .wtns round trip changed the witness")
            check(parsed.r1cs, witness)
    for i, assignment in enumerate(invalid):
        if reference is not None and reference(assignment):
            raise CircuitError(f"{name}: invalid assignment #{i} passes the plain reference")
        try:
            solve(r1cs, compiled.program, assignment)
        except (UnsatisfiedConstraint, MalformedInput):
            continue
        raise InvalidAssignmentAccepted(
            f"{name}: invalid assignment #{i} satisfies the system: {dict(assignment)!r}"
        )
    for i, tamper in enumerate(tampered):
        witness = compiled.solve(tamper.assignment)
        wire = _wire_index(compiled, tamper.wire)
        bad = list(witness)
        bad[wire] = tamper.value if tamper.value is not None else (bad[wire] + tamper.delta) % R
        if bad == witness:
            raise CircuitError(f"{name}: tamper #{i} does not change the witness")
        try:
            check(r1cs, bad)
        except (UnsatisfiedConstraint, MalformedInput):
            continue
        raise InvalidAssignmentAccepted(
            f"{name}: tampered witness #{i} (wire {wire} {r1cs.wire_name(wire)}) satisfies "
            "the system"
        )
    return compiled


def uniqueness_sweep(
    compiled: CompiledCircuit, assignment: Assignment, deltas: Sequence[int] = (1, -1, R)
) -> list[tuple[int, int]]:
    """Perturb each non-input wire of the solved witness by each delta (``+r`` is kept
    non-canonical, not reduced) and return ``(wire, delta)`` for every perturbed witness
    that the checker still accepts. An empty list means no single-wire freedom."""
    r1cs = compiled.r1cs
    witness = compiled.solve(assignment)
    accepted: list[tuple[int, int]] = []
    for wire in r1cs.internal_wires():
        for delta in deltas:
            bad = list(witness)
            bad[wire] = bad[wire] + delta if delta == R else (bad[wire] + delta) % R
            try:
                check(r1cs, bad)
            except (UnsatisfiedConstraint, MalformedInput):
                continue
            accepted.append((wire, delta))
    return accepted


def solve_with_overrides(
    compiled: CompiledCircuit, assignment: Assignment, overrides: Mapping[int, int]
) -> list[int]:
    """Run the solver program with ``overrides`` replacing the given hint-output wires
    (a malicious prover's choices), solve everything downstream, then check every
    constraint: raises `UnsatisfiedConstraint` (or `MalformedInput`) when refused."""
    return solve(compiled.r1cs, compiled.program, assignment, hint_overrides=overrides)
