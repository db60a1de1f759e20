"""Range checks.

`assert_bits(c, x, n)`
    Constrains: ``0 <= x < 2^n`` as an integer (n ≤ 253, via `to_bits`; skipped when the
    same circuit already proved a bound of at most n bits for the same value).
    Assumes: nothing. Leaves free: nothing.

`range_check(c, v, lo, hi)`
    Constrains: ``lo <= v <= hi`` as integers, for constants ``0 <= lo <= hi`` with
    ``hi - lo < 2^252``. It decomposes ``v - lo`` into k = bitlen(hi - lo) bits and, unless
    ``hi - lo + 1 = 2^k``, also ``hi - v``; both below 2^k and summing to hi - lo < r means
    no wrap-around. Assumes: nothing. Leaves free: nothing.
"""

from __future__ import annotations

from zkcredit.circuit import Circuit, LinComb
from zkcredit.errors import UnsafeCircuit

from .bits import MAX_NONSTRICT_BITS, to_bits

__all__ = ["assert_bits", "range_check"]


def assert_bits(c: Circuit, x: LinComb | int, n: int, label: str = "range") -> None:
    """Constrain ``x < 2^n`` (n ≤ 253)."""
    if not 1 <= n <= MAX_NONSTRICT_BITS:
        raise UnsafeCircuit(f"assert_bits(n={n}): n must be in 1..{MAX_NONSTRICT_BITS}")
    known = c.known_bits(x)
    if known is not None and known <= n:
        return
    to_bits(c, x, n, label)


def range_check(c: Circuit, v: LinComb | int, lo: int, hi: int, label: str = "range") -> None:
    """Constrain ``lo <= v <= hi`` for integer constants 0 <= lo <= hi, hi - lo < 2^252."""
    if not 0 <= lo <= hi or (hi - lo) >> 252:
        raise UnsafeCircuit(f"range_check bounds [{lo}, {hi}] are not 0 <= lo <= hi < lo + 2^252")
    v = c.lc(v)
    span = hi - lo
    if span == 0:
        c.assert_equal(v, lo, label)
        return
    k = span.bit_length()
    with c.scope(c.unique(label)):
        to_bits(c, v - lo, k, "low")
        if span + 1 != 1 << k:
            to_bits(c, hi - v, k, "high")
    if lo == 0:
        c.note_bound(v, hi.bit_length())
