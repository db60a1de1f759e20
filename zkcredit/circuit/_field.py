"""The BN254 scalar field, as plain Python integers modulo r."""

from __future__ import annotations

from zkcredit.errors import DivisionByZero, NonCanonicalScalar

__all__ = ["R", "canonical", "inv"]

#: Order of the BN254 scalar field (the circuit and witness field; ``prime`` in .r1cs/.wtns).
R = 21888242871839275222246405745257275088548364400416034343698204186575808495617


def canonical(value: int, what: str = "value") -> int:
    """Return ``value`` if it is a canonical field element (``0 <= value < r``).

    Never reduces: a value outside the range raises `NonCanonicalScalar` (ADVERSARIAL A6).
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise NonCanonicalScalar(f"{what} must be an int, got {type(value).__name__}")
    if not 0 <= value < R:
        raise NonCanonicalScalar(f"{what} is not a canonical field element (0 <= x < r)")
    return value


def inv(value: int) -> int:
    """The inverse of ``value`` modulo r; zero raises `DivisionByZero`."""
    value %= R
    if value == 0:
        raise DivisionByZero("inverse of zero in the scalar field")
    return pow(value, R - 2, R)
