"""Selection (gnark Select / circomlib Mux1, MultiMux).

`select(c, s, a, b)`
    Constrains: s ∈ {0, 1} (one constraint, skipped if this circuit already proved s
    boolean) and returns ``b + s * (a - b)`` (one constraint): a when s = 1, b when s = 0.
    Assumes: nothing. Leaves free: nothing.
`mux(c, bits, values)`
    Constrains: every selector bit boolean; returns ``values[sum(bits_i 2^i)]`` using a
    tree of `select` (len(values) - 1 constraints). Needs ``len(values) == 2^len(bits)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from zkcredit.circuit import Circuit, LinComb
from zkcredit.errors import InvalidArgument

__all__ = ["mux", "select"]


def _ensure_bool(c: Circuit, s: LinComb) -> None:
    if c.known_bits(s) != 1 and not (s.is_constant() and s.constant_value() in (0, 1)):
        c.assert_bool(s, "selector_bool")
        c.note_bound(s, 1)


def select(c: Circuit, s: LinComb | int, a: LinComb | int, b: LinComb | int) -> LinComb:
    """``a if s else b`` with s constrained boolean."""
    s, a, b = c.lc(s), c.lc(a), c.lc(b)
    if s.is_constant():
        v = s.constant_value()
        if v not in (0, 1):
            raise InvalidArgument("constant selector must be 0 or 1")
        return a if v else b
    _ensure_bool(c, s)
    return b + c.mul(s, a - b, "select")


def mux(c: Circuit, bits: Sequence[LinComb | int], values: Sequence[LinComb | int]) -> LinComb:
    """``values[index]`` where index is given by its bits, least significant first."""
    if len(values) != 1 << len(bits):
        raise InvalidArgument("mux needs exactly 2^len(bits) values")
    layer = [c.lc(v) for v in values]
    for bit in bits:
        layer = [select(c, bit, layer[i + 1], layer[i]) for i in range(0, len(layer), 2)]
    return layer[0]
