"""Boolean gadgets.

Constrains: `boolean` adds ``x * (x - 1) = 0``. `bool_and` / `bool_or` / `bool_xor` add
one product constraint each and `bool_not` none.
Assumes: the operands of `bool_and`, `bool_or`, `bool_not`, `bool_xor` are already
constrained to {0, 1} (by `boolean` or by the gadget that made them); the result is then
boolean too.
Leaves free: nothing beyond what the operands leave free.
"""

from __future__ import annotations

from zkcredit.circuit import Circuit, LinComb

__all__ = ["bool_and", "bool_not", "bool_or", "bool_xor", "boolean"]


def boolean(c: Circuit, x: LinComb | int, label: str = "bool") -> LinComb:
    """Constrain ``x ∈ {0, 1}`` and return it (noted as a 1-bit value)."""
    x = c.lc(x)
    c.assert_bool(x, label)
    c.note_bound(x, 1)
    return x


def bool_not(c: Circuit, x: LinComb | int) -> LinComb:
    """``1 - x`` (no constraint; assumes x boolean)."""
    return 1 - c.lc(x)


def bool_and(c: Circuit, a: LinComb | int, b: LinComb | int) -> LinComb:
    """``a * b`` (one constraint; assumes a, b boolean)."""
    return c.mul(a, b, "and")


def bool_or(c: Circuit, a: LinComb | int, b: LinComb | int) -> LinComb:
    """``a + b - a*b`` (one constraint; assumes a, b boolean)."""
    a, b = c.lc(a), c.lc(b)
    return a + b - c.mul(a, b, "or")


def bool_xor(c: Circuit, a: LinComb | int, b: LinComb | int) -> LinComb:
    """``a + b - 2*a*b`` (one constraint; assumes a, b boolean)."""
    a, b = c.lc(a), c.lc(b)
    return a + b - 2 * c.mul(a, b, "xor")
