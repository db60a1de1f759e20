"""The compiled constraint system: sparse A, B, C rows over the BN254 scalar field.

Wire order (the iden3 convention, used by circom and snarkjs):

* wire 0 is the constant 1;
* wires ``1 .. n_public`` are the public signals: first the public outputs
  (``n_public_out``, only present in imported circom systems), then the public inputs
  in declaration order;
* then the private inputs in declaration order;
* then every internal wire, in the order the circuit created it.

A constraint ``k`` holds when ``<A_k, w> * <B_k, w> == <C_k, w>`` modulo r.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from zkcredit.errors import InvalidArgument, UnsatisfiedConstraint

from ._field import R

__all__ = ["R1CS", "Constraint", "Terms", "check", "evaluate", "first_unsatisfied"]

#: A sparse linear combination: ``((wire, coefficient), ...)`` sorted by wire, no zeros.
Terms = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Constraint:
    """One rank-1 constraint ``<a, w> * <b, w> == <c, w>`` with a readable label."""

    a: Terms
    b: Terms
    c: Terms
    label: str = ""


@dataclass(frozen=True, slots=True)
class R1CS:
    """A rank-1 constraint system with its wire layout (see the module docstring)."""

    n_wires: int
    n_public: int
    n_private: int
    constraints: tuple[Constraint, ...]
    wire_names: tuple[str, ...] = ()
    n_public_out: int = 0
    prime: int = R

    @property
    def n_constraints(self) -> int:
        return len(self.constraints)

    @property
    def n_public_in(self) -> int:
        return self.n_public - self.n_public_out

    def public_wires(self) -> range:
        """Wires of the public signals, in order (1 .. n_public)."""
        return range(1, 1 + self.n_public)

    def private_input_wires(self) -> range:
        return range(1 + self.n_public, 1 + self.n_public + self.n_private)

    def internal_wires(self) -> range:
        return range(1 + self.n_public + self.n_private, self.n_wires)

    def wire_name(self, wire: int) -> str:
        if wire < len(self.wire_names):
            return self.wire_names[wire]
        return f"w{wire}"

    def n_nonzeros(self) -> int:
        """Total number of nonzero coefficients over A, B and C."""
        return sum(len(k.a) + len(k.b) + len(k.c) for k in self.constraints)

    def digest(self) -> str:
        """SHA-256 of a canonical text form (wire layout, constraints, labels)."""
        h = hashlib.sha256()
        h.update(
            f"r1cs:{self.prime}:{self.n_wires}:{self.n_public_out}:{self.n_public}:"
            f"{self.n_private}\n".encode()
        )
        for k in self.constraints:
            for terms in (k.a, k.b, k.c):
                h.update(",".join(f"{w}:{v}" for w, v in terms).encode())
                h.update(b";")
            h.update(k.label.encode() + b"\n")
        return h.hexdigest()


def evaluate(terms: Terms, witness: Sequence[int]) -> int:
    """``<terms, witness>`` modulo r."""
    acc = 0
    for wire, coeff in terms:
        acc += coeff * witness[wire]
    return acc % R


def first_unsatisfied(r1cs: R1CS, witness: Sequence[int]) -> int | None:
    """Index of the first constraint the witness violates, or None."""
    for index, k in enumerate(r1cs.constraints):
        a = evaluate(k.a, witness) if k.a else 0
        if a:
            b = evaluate(k.b, witness) if k.b else 0
            ab = a * b % R
        else:
            ab = 0
        if ab != (evaluate(k.c, witness) if k.c else 0):
            return index
    return None


def check(r1cs: R1CS, witness: Sequence[int]) -> None:
    """Check a full witness against every constraint.

    Raises `InvalidArgument` for a witness of the wrong length, a first entry other than
    1 or an entry that is not a canonical field element, and `UnsatisfiedConstraint`
    naming the first violated constraint by index and label.
    """
    if len(witness) != r1cs.n_wires:
        raise InvalidArgument(
            f"witness has {len(witness)} entries, the system has {r1cs.n_wires} wires"
        )
    if witness[0] != 1:
        raise InvalidArgument("witness[0] must be 1 (the constant wire)")
    for i, v in enumerate(witness):
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < R:
            raise InvalidArgument(f"witness[{i}] is not a canonical field element")
    index = first_unsatisfied(r1cs, witness)
    if index is not None:
        label = r1cs.constraints[index].label
        raise UnsatisfiedConstraint(
            f"constraint #{index} ({label or 'unlabelled'}) is not satisfied",
            index=index,
            label=label,
        )
