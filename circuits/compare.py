"""Comparisons of integers below 2^n, n ≤ 252 (circomlib LessThan, made safe).

Every comparison range-checks its own inputs to n bits (unless this circuit already
proved that bound for the same value), so ``a = r - 254, b = 2, n = 8`` is refused
rather than compared wrongly (ADVERSARIAL A3, Dark Forest, Unirep). Widths over 252
raise `UnsafeCircuit` when the circuit is built: ``a + 2^n - b`` must fit in 253 bits.

`less_than`, `less_equal`, `greater_than`, `greater_equal`
    Constrain: inputs ``< 2^n``; the result is the boolean of the integer comparison
    (n + 1 constraints for the comparison plus up to 2n for the input range checks).
`assert_lt`, `assert_le`, `assert_gt`, `assert_ge`
    Constrain: inputs ``< 2^n`` and the relation (n constraints plus range checks).
Assume: nothing. Leave free: nothing.
"""

from __future__ import annotations

from zkcredit.circuit import Circuit, LinComb
from zkcredit.errors import UnsafeCircuit

from .bits import to_bits
from .range_check import assert_bits

__all__ = [
    "MAX_COMPARE_BITS",
    "assert_ge",
    "assert_gt",
    "assert_le",
    "assert_lt",
    "greater_equal",
    "greater_than",
    "less_equal",
    "less_than",
]

#: circomlib's bound (comparators.circom: ``assert(n <= 252)``).
MAX_COMPARE_BITS = 252


def _prepare(
    c: Circuit, a: LinComb | int, b: LinComb | int, n: int, what: str
) -> tuple[LinComb, LinComb]:
    if not 1 <= n <= MAX_COMPARE_BITS:
        raise UnsafeCircuit(f"{what}(n={n}): comparisons need 1 <= n <= {MAX_COMPARE_BITS}")
    a, b = c.lc(a), c.lc(b)
    assert_bits(c, a, n, f"{what}.a_range")
    assert_bits(c, b, n, f"{what}.b_range")
    return a, b


def less_than(c: Circuit, a: LinComb | int, b: LinComb | int, n: int) -> LinComb:
    """Boolean ``a < b`` for a, b < 2^n (range-checked here)."""
    a, b = _prepare(c, a, b, n, "less_than")
    with c.scope(c.unique("less_than")):
        bits = to_bits(c, a + (1 << n) - b, n + 1, "diff")
    out = 1 - bits[n]
    c.note_bound(out, 1)
    return out


def greater_than(c: Circuit, a: LinComb | int, b: LinComb | int, n: int) -> LinComb:
    """Boolean ``a > b``."""
    return less_than(c, b, a, n)


def less_equal(c: Circuit, a: LinComb | int, b: LinComb | int, n: int) -> LinComb:
    """Boolean ``a <= b``."""
    out = 1 - less_than(c, b, a, n)
    c.note_bound(out, 1)
    return out


def greater_equal(c: Circuit, a: LinComb | int, b: LinComb | int, n: int) -> LinComb:
    """Boolean ``a >= b``."""
    out = 1 - less_than(c, a, b, n)
    c.note_bound(out, 1)
    return out


def assert_le(c: Circuit, a: LinComb | int, b: LinComb | int, n: int, label: str = "le") -> None:
    """Constrain ``a <= b`` (both < 2^n): ``b - a`` has n bits."""
    a, b = _prepare(c, a, b, n, label)
    to_bits(c, b - a, n, label)


def assert_lt(c: Circuit, a: LinComb | int, b: LinComb | int, n: int, label: str = "lt") -> None:
    """Constrain ``a < b`` (both < 2^n): ``b - a - 1`` has n bits."""
    a, b = _prepare(c, a, b, n, label)
    to_bits(c, b - a - 1, n, label)


def assert_ge(c: Circuit, a: LinComb | int, b: LinComb | int, n: int, label: str = "ge") -> None:
    """Constrain ``a >= b``."""
    assert_le(c, b, a, n, label)


def assert_gt(c: Circuit, a: LinComb | int, b: LinComb | int, n: int, label: str = "gt") -> None:
    """Constrain ``a > b``."""
    assert_lt(c, b, a, n, label)
