"""The one place py_ecc is touched: group law, scalar multiplication, MSM, pairings.

py_ecc's optimized modules work on homogeneous projective triples of its own field
objects (``FQ``/``FQ2``). Everything outside this module uses affine tuples of ints
(`_field.Elem`), so py_ecc objects never leak. py_ecc sets the interpreter's recursion
limit when imported; the previous limit is put back (zkcredit's rule: import has no side
effects), and nothing here recurses (our scalar multiplication is a loop).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from zkcredit.hazmat.reference._field import Elem, Field

Affine = tuple[Elem, Elem] | None
"""An affine point with coordinates as field-element tuples; None is infinity."""

Projective = Any
"""A py_ecc homogeneous projective triple (opaque outside this module)."""

_limit = sys.getrecursionlimit()
try:
    _MODULES: dict[str, Any] = {
        "bn254": importlib.import_module("py_ecc.optimized_bn128"),
        "bls12_381": importlib.import_module("py_ecc.optimized_bls12_381"),
    }
finally:
    sys.setrecursionlimit(_limit)


class Group:
    """One py_ecc group (G1 over Fq or G2 over Fq2) of one curve."""

    def __init__(self, curve: str, field: Field) -> None:
        self._m = _MODULES[curve]
        self.field = field
        self._fq = self._m.FQ if field.degree == 1 else self._m.FQ2
        self.zero: Projective = self._m.Z1 if field.degree == 1 else self._m.Z2

    def generator(self) -> tuple[Elem, Elem]:
        """py_ecc's generator of this group, in affine ints."""
        point = self.lower(self._m.G1 if self.field.degree == 1 else self._m.G2)
        if point is None:
            raise AssertionError("py_ecc generator is the point at infinity")
        return point

    def lift(self, point: Affine) -> Projective:
        if point is None:
            return self.zero
        x, y = point
        return (self._elem_to_fq(x), self._elem_to_fq(y), self._fq.one())

    def _elem_to_fq(self, e: Elem) -> Any:
        return self._fq(e[0]) if self.field.degree == 1 else self._fq(list(e))

    def _fq_to_elem(self, v: Any) -> Elem:
        if self.field.degree == 1:
            return (int(v.n),)
        return tuple(int(c) for c in v.coeffs)

    def lower(self, point: Projective) -> Affine:
        x, y, z = (self._fq_to_elem(v) for v in point)
        if z == self.field.zero():
            return None
        z_inv = self.field.inv(z)
        return (self.field.mul(x, z_inv), self.field.mul(y, z_inv))

    def add(self, a: Projective, b: Projective) -> Projective:
        return self._m.add(a, b)

    def neg(self, a: Projective) -> Projective:
        return self._m.neg(a)

    def double(self, a: Projective) -> Projective:
        return self._m.double(a)

    def is_zero(self, a: Projective) -> bool:
        return bool(self._m.is_inf(a))

    def mul(self, a: Projective, k: int) -> Projective:
        """k·a by left-to-right double-and-add (k >= 0)."""
        acc = self.zero
        for bit in bin(k)[2:] if k else "":
            acc = self._m.double(acc)
            if bit == "1":
                acc = self._m.add(acc, a)
        return acc

    def msm(self, points: list[Projective], scalars: list[int], bits: int) -> Projective:
        """sum k_i·P_i by the bucket method (Pippenger), digits of c bits per window."""
        n = len(points)
        if n == 0:
            return self.zero
        c = 1 if n < 8 else max(2, n.bit_length() - 3)
        mask = (1 << c) - 1
        acc = self.zero
        for window in reversed(range((bits + c - 1) // c)):
            for _ in range(c):
                acc = self._m.double(acc)
            buckets = [self.zero] * (mask + 1)
            shift = window * c
            for point, k in zip(points, scalars, strict=True):
                digit = (k >> shift) & mask
                if digit:
                    buckets[digit] = self._m.add(buckets[digit], point)
            running = self.zero
            window_sum = self.zero
            for digit in range(mask, 0, -1):
                running = self._m.add(running, buckets[digit])
                window_sum = self._m.add(window_sum, running)
            acc = self._m.add(acc, window_sum)
        return acc


def pairing_product_is_one(
    curve: str, g1: Group, g2: Group, pairs: list[tuple[Affine, Affine]]
) -> bool:
    """prod e(P_i, Q_i) == 1: one Miller loop per pair, one final exponentiation."""
    m = _MODULES[curve]
    f = m.FQ12.one()
    for p, q in pairs:
        if p is None or q is None:
            continue
        f = f * m.pairing(g2.lift(q), g1.lift(p), final_exponentiate=False)
    return bool(m.final_exponentiate(f) == m.FQ12.one())
