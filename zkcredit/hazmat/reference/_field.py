"""Base-field arithmetic on Python ints: Fq and Fq2 = Fq[u]/(u^2 + 1).

An element is a tuple of ints in [0, q): ``(a,)`` in Fq, ``(c0, c1)`` = c0 + c1·u in Fq2.
Both curves here have q ≡ 3 (mod 4) and u^2 = -1, which keeps the square roots simple.
This module is only what the point decoders need: the curve equation, square roots
(decompression) and arkworks' ordering of field elements (the y-sign flag).
"""

from __future__ import annotations

from dataclasses import dataclass

Elem = tuple[int, ...]


@dataclass(frozen=True)
class Field:
    """Fq (degree 1) or Fq2 (degree 2, u^2 = -1) over the prime q."""

    q: int
    degree: int

    def __post_init__(self) -> None:
        if self.q % 4 != 3 or self.degree not in (1, 2):
            raise ValueError("only q = 3 mod 4 and degree 1 or 2 are supported")

    def zero(self) -> Elem:
        return (0,) * self.degree

    def one(self) -> Elem:
        return (1,) + (0,) * (self.degree - 1)

    def add(self, a: Elem, b: Elem) -> Elem:
        return tuple((x + y) % self.q for x, y in zip(a, b, strict=True))

    def sub(self, a: Elem, b: Elem) -> Elem:
        return tuple((x - y) % self.q for x, y in zip(a, b, strict=True))

    def neg(self, a: Elem) -> Elem:
        return tuple(-x % self.q for x in a)

    def mul(self, a: Elem, b: Elem) -> Elem:
        q = self.q
        if self.degree == 1:
            return (a[0] * b[0] % q,)
        a0, a1 = a
        b0, b1 = b
        return ((a0 * b0 - a1 * b1) % q, (a0 * b1 + a1 * b0) % q)

    def inv(self, a: Elem) -> Elem:
        q = self.q
        if self.degree == 1:
            return (pow(a[0], -1, q),)
        a0, a1 = a
        norm_inv = pow(a0 * a0 + a1 * a1, -1, q)  # the norm is 0 only for a = 0
        return (a0 * norm_inv % q, -a1 * norm_inv % q)

    def is_larger(self, y: Elem) -> bool:
        """arkworks' ``y > -y``: compare as integers, Fq2 by c1 first, then c0."""
        return tuple(reversed(y)) > tuple(reversed(self.neg(y)))

    def sqrt(self, a: Elem) -> Elem | None:
        """A square root of a, or None if a is not a square (result is verified)."""
        root = _fp_sqrt(a[0], self.q) if self.degree == 1 else _fp2_sqrt(a, self.q)
        if root is None:
            return None
        root_elem: Elem = (root,) if isinstance(root, int) else root
        return root_elem if self.mul(root_elem, root_elem) == tuple(a) else None


def _fp_sqrt(a: int, q: int) -> int | None:
    root = pow(a, (q + 1) // 4, q)
    return root if root * root % q == a % q else None


def _fp2_sqrt(a: Elem, q: int) -> tuple[int, int] | None:
    """Square root in Fq[u]/(u^2+1) by the norm ("complex") method.

    If (x0 + x1·u)^2 = a0 + a1·u then x0^2 - x1^2 = a0 and 2·x0·x1 = a1, so
    x0^2 = (a0 ± sqrt(a0^2 + a1^2)) / 2 and x1 = a1 / (2·x0).
    """
    a0, a1 = a
    if a1 == 0:
        root = _fp_sqrt(a0, q)
        if root is not None:
            return (root, 0)
        root = _fp_sqrt(-a0 % q, q)  # a0 = -(x1^2) = (x1·u)^2
        return None if root is None else (0, root)
    norm_root = _fp_sqrt((a0 * a0 + a1 * a1) % q, q)
    if norm_root is None:
        return None
    half = pow(2, -1, q)
    for candidate in ((a0 + norm_root) * half % q, (a0 - norm_root) * half % q):
        x0 = _fp_sqrt(candidate, q)
        if x0 is not None and x0 != 0:
            x1 = a1 * pow(2 * x0, -1, q) % q
            return (x0, x1)
    return None
