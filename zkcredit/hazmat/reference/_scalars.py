"""Scalar-field operations on packed scalar vectors (32-byte little-endian, canonical)."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from zkcredit.errors import DivisionByZero, InvalidArgument
from zkcredit.hazmat.encoding import pack_scalars, scalar_count, unpack_scalars
from zkcredit.hazmat.reference._fft import Domain

#: Most scalars one `fr_random` call may produce, as in the native core (8 GiB there).
MAX_RANDOM_SCALARS = 1 << 28


class ScalarField:
    """The elementwise ``fr_*`` operations and FFTs of one curve's scalar field."""

    def __init__(self, r: int, generator: int, two_adicity: int) -> None:
        self.r = r
        self.domain = Domain(r, generator, two_adicity)

    def unpack(self, data: bytes) -> list[int]:
        return unpack_scalars(data, self.r)

    def pack(self, values: list[int]) -> bytes:
        return pack_scalars(values, self.r)

    def _binary(self, a: bytes, b: bytes, op: str, f: Callable[[int, int], int]) -> bytes:
        na, nb = scalar_count(a), scalar_count(b)  # shapes, then lengths, then values
        if na != nb:
            raise InvalidArgument(f"fr_{op}: lengths differ ({na} and {nb} scalars)")
        xs, ys = self.unpack(a), self.unpack(b)
        return self.pack([f(x, y) % self.r for x, y in zip(xs, ys, strict=True)])

    def add(self, a: bytes, b: bytes) -> bytes:
        """Elementwise a + b mod r."""
        return self._binary(a, b, "add", lambda x, y: x + y)

    def sub(self, a: bytes, b: bytes) -> bytes:
        """Elementwise a - b mod r."""
        return self._binary(a, b, "sub", lambda x, y: x - y)

    def mul(self, a: bytes, b: bytes) -> bytes:
        """Elementwise a · b mod r."""
        return self._binary(a, b, "mul", lambda x, y: x * y)

    def neg(self, a: bytes) -> bytes:
        """Elementwise -a mod r."""
        return self.pack([-x % self.r for x in self.unpack(a)])

    def inv(self, a: bytes) -> bytes:
        """Elementwise a^-1 mod r; a zero element raises `DivisionByZero`."""
        xs = self.unpack(a)
        for i, x in enumerate(xs):
            if x == 0:
                raise DivisionByZero(f"fr_inv: element {i} is zero")
        return self.pack([pow(x, -1, self.r) for x in xs])

    def random(self, n: int) -> bytes:
        """n uniform scalars from `secrets` (OS randomness)."""
        if type(n) is not int or not 0 <= n <= MAX_RANDOM_SCALARS:
            raise InvalidArgument(
                f"fr_random: n must be an int in 0..={MAX_RANDOM_SCALARS}, got {n!r}"
            )
        return self.pack([secrets.randbelow(self.r) for _ in range(n)])

    def _domain_input(self, data: bytes) -> list[int]:
        """Check length (InvalidEncoding), then the domain size (InvalidDomain), then
        the elements (NonCanonicalScalar), in the native core's order."""
        self.domain.root(scalar_count(data))
        return self.unpack(data)

    def fft(self, data: bytes) -> bytes:
        """Evaluate at ω^i, ω = g^((r-1)/n); n a power of two <= 2^TWO_ADICITY."""
        return self.pack(self.domain.fft(self._domain_input(data)))

    def ifft(self, data: bytes) -> bytes:
        """Inverse of `fft`."""
        return self.pack(self.domain.ifft(self._domain_input(data)))

    def coset_fft(self, data: bytes) -> bytes:
        """Evaluate at g·ω^i (g = the multiplicative generator)."""
        return self.pack(self.domain.coset_fft(self._domain_input(data)))

    def coset_ifft(self, data: bytes) -> bytes:
        """Inverse of `coset_fft`."""
        return self.pack(self.domain.coset_ifft(self._domain_input(data)))
