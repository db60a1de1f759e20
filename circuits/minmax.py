"""Minimum, maximum and clamping of integers below 2^n (n ≤ 252).

Constrain: the inputs ``< 2^n`` (range-checked here unless already proven), one
comparison (n + 1 constraints) and one selection per operation; the result is exactly
the integer min / max / clamp. Assume: nothing. Leave free: nothing.
`clamp(c, x, lo, hi, n)` needs constants ``lo <= hi < 2^n``.
"""

from __future__ import annotations

from zkcredit.circuit import Circuit, LinComb
from zkcredit.errors import UnsafeCircuit

from .compare import less_than
from .select import select

__all__ = ["clamp", "max_value", "min_value"]


def min_value(c: Circuit, a: LinComb | int, b: LinComb | int, n: int) -> LinComb:
    """``min(a, b)`` for a, b < 2^n."""
    out = select(c, less_than(c, a, b, n), a, b)
    c.note_bound(out, n)
    return out


def max_value(c: Circuit, a: LinComb | int, b: LinComb | int, n: int) -> LinComb:
    """``max(a, b)`` for a, b < 2^n."""
    out = select(c, less_than(c, a, b, n), b, a)
    c.note_bound(out, n)
    return out


def clamp(c: Circuit, x: LinComb | int, lo: int, hi: int, n: int) -> LinComb:
    """``min(max(x, lo), hi)`` for x < 2^n and constants lo <= hi < 2^n."""
    if not 0 <= lo <= hi < 1 << n:
        raise UnsafeCircuit(f"clamp bounds [{lo}, {hi}] do not fit {n} bits")
    return min_value(c, max_value(c, x, lo, n), hi, n)
