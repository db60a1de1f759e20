"""Poseidon hash in-circuit, equal to circomlib ``Poseidon(n)`` for n = 1..16.

Constrains: ``out = Poseidon(inputs)`` with the circomlib parameters of
`zkcredit.hazmat.poseidon_params` (width t = n + 1, 8 full rounds, circomlib's partial
rounds, x^5 S-box). Each S-box costs 3 constraints (x², x⁴, x⁵); the linear layers and
round constants are free (folded into linear combinations), and the S-box of the first
round's capacity word (the constant 0 + c) is a constant. Total
``3 * (8t + R_P - 1)`` constraints, e.g. 240 for n = 2.
Assumes: nothing about the inputs (any field elements). Leaves free: nothing; every
intermediate wire is fixed by the inputs (checked by the A7/A8 tests).
"""

from __future__ import annotations

from collections.abc import Sequence

from zkcredit.circuit import Circuit, LinComb, R, Template
from zkcredit.errors import InvalidArgument
from zkcredit.hazmat.poseidon_params import MAX_ARITY, params

__all__ = ["poseidon", "sbox"]


def sbox(c: Circuit, x: LinComb, label: str = "sbox") -> LinComb:
    """``x^5`` with 3 constraints (none for a constant)."""
    if x.is_constant():
        return c.constant(pow(x.constant_value(), 5, R))
    x2 = c.mul(x, x, f"{label}.x2")
    x4 = c.mul(x2, x2, f"{label}.x4")
    return c.mul(x4, x, f"{label}.x5")





def _body(c: Circuit, inputs: Sequence[LinComb]) -> list[LinComb]:
    t = len(inputs) + 1
    p = params(t)
    rc = p.round_constants
    half = p.n_rounds_f // 2
    n_rounds = p.n_rounds_f + p.n_rounds_p
    state: list[LinComb] = [c.constant(0), *inputs]
    for rnd in range(n_rounds):
        state = [s + rc[rnd * t + i] for i, s in enumerate(state)]
        if rnd < half or rnd >= half + p.n_rounds_p:
            state = [sbox(c, s, f"r{rnd}.s{i}") for i, s in enumerate(state)]
        else:
            state[0] = sbox(c, state[0], f"r{rnd}.s0")
        rows = p.mds if rnd < n_rounds - 1 else p.mds[:1]
        state = [c.linear_combination(zip(row, state, strict=True)) for row in rows]
    return state[:1]


_TEMPLATES: dict[int, Template] = {}


def _template(n: int) -> Template:
    tpl = _TEMPLATES.get(n)
    if tpl is None:
        tpl = _TEMPLATES[n] = Template.record(f"poseidon{n}", n, _body)
    return tpl


def poseidon(c: Circuit, inputs: Sequence[LinComb | int], label: str = "poseidon") -> LinComb:
    """circomlib ``Poseidon(len(inputs))`` of the inputs.

    The permutation is recorded once per arity and instantiated by substitution
    (`Circuit.instantiate`); with a constant input it is built directly so constants
    fold into the first round.
    """
    n = len(inputs)
    if not 1 <= n <= MAX_ARITY:
        raise InvalidArgument(f"Poseidon takes 1..{MAX_ARITY} inputs, got {n}")
    values = [c.lc(x) for x in inputs]
    name = c.unique(label)
    if any(v.is_constant() for v in values):
        with c.scope(name):
            return _body(c, values)[0]
    return c.instantiate(_template(n), values, name)[0]
