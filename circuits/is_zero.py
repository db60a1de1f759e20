"""Zero and equality tests (circomlib IsZero / IsEqual).

`is_zero(c, x)`
    Constrains: ``out = 1 - x * inv`` and ``x * out = 0`` (2 constraints), so out is 1
    exactly when x = 0 and 0 otherwise. Assumes: nothing.
    Leaves free: ``inv`` when x = 0 (any value gives out = 1, which is then forced by
    the second constraint anyway); the linter waiver says so. The output is determined.
`is_equal(c, a, b)`: ``is_zero(a - b)``.
"""

from __future__ import annotations

from zkcredit.circuit import Circuit, LinComb

__all__ = ["is_equal", "is_zero"]


def is_zero(c: Circuit, x: LinComb | int, label: str = "is_zero") -> LinComb:
    """Boolean ``x == 0``."""
    x = c.lc(x)
    if x.is_constant():
        return c.constant(0 if x.constant_value() else 1)
    with c.scope(c.unique(label)):
        (inv,) = c.hint("inverse_or_zero", [x], 1, label="inv")
        c.waive(inv, "is_zero: inv is only pinned when x != 0; out is pinned either way")
        out = 1 - c.mul(x, inv, "x_inv")
        c.assert_product(x, out, 0, "x_out_zero")
    c.note_bound(out, 1)
    return out


def is_equal(c: Circuit, a: LinComb | int, b: LinComb | int, label: str = "is_equal") -> LinComb:
    """Boolean ``a == b``."""
    return is_zero(c, c.lc(a) - c.lc(b), label)
