"""Bit decomposition and recomposition.

`to_bits(c, x, n)` (non-strict, n ≤ 253)
    Constrains: n boolean bits with ``sum(b_i * 2^i) == x``; hence ``x < 2^n`` as an
    integer. Costs n constraints: the top bit is the linear combination
    ``(x - sum_{i<n-1} b_i 2^i) / 2^(n-1)`` (circom --O2 does the same substitution).
    Assumes: nothing. Leaves free: nothing (2^n ≤ 2^253 < r, so the decomposition is
    unique). Refuses n ≥ 254 when the circuit is built (`UnsafeCircuit`): 254 bits can
    encode both k and k + r (ADVERSARIAL A2, TOB-IDEN3-1, gnark GHSA-498w-5j49-vqjg).

`to_bits_strict(c, x)` (254 bits)
    Constrains: the 254 bits as above AND ``sum(b_i 2^i) <= r - 1`` as integers
    (`assert_bits_le_constant`, the alias check), so the bits are the canonical ones.
    Assumes: nothing. Leaves free: nothing.

`from_bits(c, bits)`
    Constrains nothing: returns ``sum(b_i 2^i)``. Assumes: the bits are boolean and, for
    254 or more bits, alias-checked. Leaves free: whatever the caller leaves free.

`assert_bits_le_constant(c, bits, k)`
    Constrains: ``sum(b_i 2^i) <= k`` as integers (one constraint per bit).
    Assumes: the bits are boolean.
"""

from __future__ import annotations

from collections.abc import Sequence

from zkcredit.circuit import Circuit, LinComb, R
from zkcredit.errors import UnsafeCircuit

__all__ = [
    "MAX_NONSTRICT_BITS",
    "assert_bits_le_constant",
    "from_bits",
    "to_bits",
    "to_bits_strict",
]

#: Widest non-strict decomposition: 2^253 < r, so 253 bits cannot alias.
MAX_NONSTRICT_BITS = 253
FIELD_BITS = 254


def _decompose(c: Circuit, x: LinComb, n: int) -> list[LinComb]:
    if n == 1:
        c.assert_bool(x, "bit[0]")
        return [x]
    low = c.hint("bits", [x], n - 1, params=(n - 1,), label="bits")
    for i, b in enumerate(low):
        c.assert_bool(b, f"bit[{i}]")
    rest = c.linear_combination(((1 << i), b) for i, b in enumerate(low))
    top = (x - rest) * pow(1 << (n - 1), R - 2, R)
    c.assert_bool(top, f"bit[{n - 1}]")
    return [*low, top]


def to_bits(c: Circuit, x: LinComb | int, n: int, label: str = "to_bits") -> list[LinComb]:
    """The n bits of x, least significant first; proves ``x < 2^n``. n ≤ 253."""
    if not 1 <= n <= MAX_NONSTRICT_BITS:
        raise UnsafeCircuit(
            f"to_bits(n={n}): non-strict decomposition needs 1 <= n <= "
            f"{MAX_NONSTRICT_BITS}; use to_bits_strict for full width"
        )
    x = c.lc(x)
    if x.is_constant():
        v = x.constant_value()
        if v >> n:
            raise UnsafeCircuit(f"{label}: constant {v} does not fit in {n} bits")
        return [c.constant((v >> i) & 1) for i in range(n)]
    with c.scope(c.unique(label)):
        bits = _decompose(c, x, n)
    c.note_bound(x, n)
    for b in bits:
        c.note_bound(b, 1)
    return bits


def to_bits_strict(c: Circuit, x: LinComb | int, label: str = "to_bits_strict") -> list[LinComb]:
    """The canonical 254 bits of x (alias-checked against r - 1)."""
    x = c.lc(x)
    with c.scope(c.unique(label)):
        bits = _decompose(c, x, FIELD_BITS)
        assert_bits_le_constant(c, bits, R - 1, "alias_check")
    for b in bits:
        c.note_bound(b, 1)
    return bits


def from_bits(c: Circuit, bits: Sequence[LinComb | int]) -> LinComb:
    """``sum(b_i * 2^i)`` (no constraint)."""
    return c.linear_combination(((1 << i), b) for i, b in enumerate(bits))


def assert_bits_le_constant(
    c: Circuit, bits: Sequence[LinComb], k: int, label: str = "le_constant"
) -> None:
    """Constrain ``sum(b_i 2^i) <= k`` for boolean bits, scanning from the top bit.

    ``eq`` is 1 while the bits seen so far equal k's. Where k has a 0 and ``eq`` is 1 the
    bit must be 0 (``eq * b = 0``); where k has a 1, ``eq`` becomes ``eq * b``.
    """
    n = len(bits)
    if k < 0:
        raise UnsafeCircuit(f"{label}: negative bound")
    if k >> n or k == (1 << n) - 1:
        return  # every n-bit value is <= k
    lowest_zero = min(i for i in range(n) if not (k >> i) & 1)
    with c.scope(label):
        eq: LinComb = c.constant(1)
        for i in reversed(range(lowest_zero, n)):
            if (k >> i) & 1:
                eq = c.mul(eq, bits[i], f"eq[{i}]")
            else:
                c.assert_product(eq, bits[i], 0, f"zero[{i}]")
