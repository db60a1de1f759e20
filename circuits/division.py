"""Inverse, field division and integer division.

`inverse(c, x)`: constrains ``x * inv = 1``; x = 0 makes the system unsatisfiable
    (ADVERSARIAL A10). Leaves free: nothing.
`div(c, a, b)`: constrains ``b * inv = 1`` and ``q = a * inv`` (2 constraints): the field
    quotient; b = 0 is unsatisfiable, also when a = 0. Leaves free: nothing.
`int_divmod(c, a, d, n)`: for a < 2^n (range-checked here unless proven) and a constant
    divisor 1 <= d < 2^n, constrains ``a = q * d + rem``, ``rem <= d - 1`` and q below
    2^(n - bitlen(d) + 1); all of it fits far below r, so q and rem are the integer
    quotient and remainder. Leaves free: nothing.
"""

from __future__ import annotations

from zkcredit.circuit import Circuit, LinComb
from zkcredit.errors import UnsafeCircuit

from .bits import to_bits
from .compare import MAX_COMPARE_BITS
from .range_check import assert_bits, range_check

__all__ = ["div", "int_divmod", "inverse"]


def inverse(c: Circuit, x: LinComb | int, label: str = "inverse") -> LinComb:
    """``1 / x``; unsatisfiable when x = 0."""
    with c.scope(c.unique(label)):
        return c.assert_nonzero(x, "x_inv_is_one")


def div(c: Circuit, a: LinComb | int, b: LinComb | int, label: str = "div") -> LinComb:
    """``a / b`` in the field; unsatisfiable when b = 0."""
    with c.scope(c.unique(label)):
        inv = c.assert_nonzero(b, "b_inv_is_one")
        return c.mul(a, inv, "quotient")


def int_divmod(
    c: Circuit, a: LinComb | int, d: int, n: int, label: str = "divmod"
) -> tuple[LinComb, LinComb]:
    """Integer ``(a // d, a % d)`` for a < 2^n and a constant divisor d."""
    if not 1 <= n <= MAX_COMPARE_BITS or not 1 <= d < 1 << n:
        raise UnsafeCircuit(f"int_divmod: need 1 <= d < 2^n and n <= {MAX_COMPARE_BITS}")
    a = c.lc(a)
    assert_bits(c, a, n, f"{label}.a_range")
    if d == 1:
        return a, c.constant(0)
    with c.scope(c.unique(label)):
        q, rem = c.hint("int_divmod", [a, d], 2, label="q_rem")
        q_bits = n - d.bit_length() + 1
        to_bits(c, q, q_bits, "q_range")
        range_check(c, rem, 0, d - 1, "rem_range")
        c.assert_equal(q * d + rem, a, "a_is_qd_plus_rem")
    return q, rem
