"""Integer money and fixed-point arithmetic; every rounding is named and deliberate.

Money is an int of minor units in ``[0, 2^63)`` (a signed 64-bit column). Rates, indexes,
health factors and variances are fixed-point ints scaled by ``RAY = 10^27``; ratios given
in configuration are basis points (``BPS = 10^4``). No float is accepted anywhere.

Rounding rule (protocol's favour): what the borrower owes rounds **up**, what the protocol
pays out or credits rounds **down**.
"""

from __future__ import annotations

from zkcredit.errors import InvalidAmount

__all__ = [
    "BPS",
    "MAX_MONEY",
    "RAY",
    "SECONDS_PER_YEAR",
    "check_amount",
    "div_down",
    "div_up",
    "exp_ray_up",
    "isqrt",
    "mul_div_down",
    "mul_div_up",
]

RAY = 10**27
BPS = 10_000
SECONDS_PER_YEAR = 365 * 24 * 3600
MAX_MONEY = 2**63 - 1


def check_amount(name: str, value: object, *, positive: bool = True) -> int:
    """Return ``value`` if it is a plain int in ``[0 or 1, 2^63)``; raise `InvalidAmount`.

    Rejects float (even integral ones: the decimals may have been lost already), bool,
    Decimal, str, negative values and anything a BIGINT column cannot hold.
    """
    if isinstance(value, bool):
        raise InvalidAmount(f"{name} must be an int of minor units, not a bool")
    if isinstance(value, float):
        raise InvalidAmount(f"{name} must be an int of minor units, not a float ({value!r})")
    if type(value) is not int:
        raise InvalidAmount(
            f"{name} must be an int of minor units, not {type(value).__name__}"
            " (amounts with fractional minor units are not supported)"
        )
    if value < 0:
        raise InvalidAmount(f"{name} must not be negative")
    if positive and value == 0:
        raise InvalidAmount(f"{name} must be positive")
    if value > MAX_MONEY:
        raise InvalidAmount(f"{name} must be below 2^63 minor units")
    return value


def div_down(a: int, b: int) -> int:
    return a // b


def div_up(a: int, b: int) -> int:
    return -((-a) // b)


def mul_div_down(a: int, b: int, c: int) -> int:
    """floor(a·b / c) for a, b ≥ 0, c > 0."""
    return (a * b) // c


def mul_div_up(a: int, b: int, c: int) -> int:
    """ceil(a·b / c) for a, b ≥ 0, c > 0."""
    return -((-(a * b)) // c)


def exp_ray_up(x: int) -> int:
    """e^(x / RAY) · RAY for 0 ≤ x, rounded up (an upper bound, so debt never under-accrues).

    Taylor series with every term rounded up; it stops when a term rounds to its floor of
    zero, so the error is a few units of 10^-27 — far below one minor unit of any debt
    under 2^63. Continuous compounding makes split accruals equal a single accrual up to
    that error (ADVERSARIAL D4).
    """
    if x < 0:
        raise ValueError("exp_ray_up takes x >= 0")
    total = RAY
    term = RAY
    k = 1
    while True:
        exact = term * x // (RAY * k)  # floor of the next term
        if exact == 0:
            # add the ceiling of the (tiny) tail bound: one unit covers it for x < RAY·k
            return total + (1 if term * x > 0 else 0)
        term = -((-(term * x)) // (RAY * k))
        total += term
        k += 1


def isqrt(n: int) -> int:
    """floor(√n) for an int n ≥ 0 (Newton's method on ints)."""
    if n < 0:
        raise ValueError("isqrt of a negative number")
    if n < 2:
        return n
    x = 1 << ((n.bit_length() + 1) // 2)
    while True:
        y = (x + n // x) // 2
        if y >= x:
            return x
        x = y
