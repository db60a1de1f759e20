"""Sums and weighted sums.

Constrain: nothing (they are linear combinations, free in R1CS).
Assume: the caller knows the integer result stays below r if it means an integer sum
(e.g. n values below 2^k sum below n * 2^k); otherwise the result is the sum modulo r.
Leave free: nothing beyond the operands.
"""

from __future__ import annotations

from collections.abc import Sequence

from zkcredit.circuit import Circuit, LinComb
from zkcredit.errors import InvalidArgument

__all__ = ["sum_values", "weighted_sum"]


def sum_values(c: Circuit, values: Sequence[LinComb | int]) -> LinComb:
    """``sum(values)`` modulo r."""
    return c.sum(values)


def weighted_sum(
    c: Circuit, weights: Sequence[int], values: Sequence[LinComb | int], constant: int = 0
) -> LinComb:
    """``constant + sum(w_i * v_i)`` modulo r, for integer constant weights."""
    if len(weights) != len(values):
        raise InvalidArgument("weights and values differ in length")
    return c.linear_combination(zip(weights, values, strict=True), constant)
