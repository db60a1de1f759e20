"""The circuit linter (ADVERSARIAL A9, after circomspect and circom --inspect).

Findings, per wire:

* ``unused-public``: a public input that appears in no constraint (a verifier would
  accept any value for it; 0xPARC "unused public inputs optimized out");
* ``unused``: any other wire in no constraint;
* ``unconstrained-hint``: a hint output that no constraint mentions (assigned but not
  constrained, circom's ``<--`` without ``===``);
* ``single-use``: an internal wire in exactly one constraint (dead value, or a hint output
  that only one constraint pins: often under-constrained).

A finding is silenced only by an explicit waiver (`Circuit.waive`) carrying a reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass

from ._r1cs import R1CS

__all__ = ["LintIssue", "lint"]


@dataclass(frozen=True, slots=True)
class LintIssue:
    """One linter finding: its kind, the wire and that wire's name."""

    kind: str
    wire: int
    name: str

    def __str__(self) -> str:
        return f"{self.kind}: wire {self.wire} ({self.name})"


def lint(
    r1cs: R1CS, hint_outputs: Set[int] = frozenset(), waivers: Mapping[int, str] | None = None
) -> list[LintIssue]:
    """All unwaived findings, in wire order."""
    waivers = waivers or {}
    uses = [0] * r1cs.n_wires
    for k in r1cs.constraints:
        for w in {w for w, _ in k.a}.union([w for w, _ in k.b], [w for w, _ in k.c]):
            uses[w] += 1
    internal_start = 1 + r1cs.n_public + r1cs.n_private
    issues: list[LintIssue] = []
    for w in range(1, r1cs.n_wires):
        if w in waivers:
            continue
        n = uses[w]
        kind = None
        if n == 0:
            if w <= r1cs.n_public:
                kind = "unused-public"
            elif w in hint_outputs:
                kind = "unconstrained-hint"
            else:
                kind = "unused"
        elif n == 1 and w >= internal_start:
            kind = "single-use"
        if kind:
            issues.append(LintIssue(kind, w, r1cs.wire_name(w)))
    return issues
