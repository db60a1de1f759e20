"""Radix-2 FFT over a prime scalar field, on lists of Python ints.

Iterative Cooley–Tukey: bit-reversal permutation, then log2(n) layers of butterflies,
O(n log n) multiplications. (galois' NTT is O(n^2) for a 254-bit field, so it is not
used.) The domain matches arkworks' ``Radix2EvaluationDomain``: ω = g^((r-1)/n) for the
field's multiplicative generator g, and the coset is g·<ω>.
"""

from __future__ import annotations

from dataclasses import dataclass

from zkcredit.errors import InvalidDomain


@dataclass(frozen=True)
class Domain:
    """The scalar field's FFT parameters: modulus r, generator g, two-adicity s."""

    r: int
    generator: int
    two_adicity: int

    def root(self, n: int) -> int:
        """ω of order n (n a power of two, 1 <= n <= 2^s)."""
        if n < 1 or n & (n - 1) or n > 1 << self.two_adicity:
            raise InvalidDomain(
                f"FFT size {n} must be a power of two between 1 and 2^{self.two_adicity}"
            )
        return pow(self.generator, (self.r - 1) // n, self.r)

    def fft(self, coeffs: list[int]) -> list[int]:
        """Evaluations at ω^0, ..., ω^(n-1) of the polynomial with these coefficients."""
        return _transform(coeffs, self.root(len(coeffs)), self.r)

    def ifft(self, evals: list[int]) -> list[int]:
        """Coefficients of the polynomial with these evaluations at ω^i."""
        n = len(evals)
        omega_inv = pow(self.root(n), -1, self.r)
        n_inv = pow(n, -1, self.r)
        return [v * n_inv % self.r for v in _transform(evals, omega_inv, self.r)]

    def coset_fft(self, coeffs: list[int]) -> list[int]:
        """Evaluations at g·ω^i: scale coefficient i by g^i, then fft."""
        self.root(len(coeffs))
        return self.fft(_scale(coeffs, self.generator, self.r))

    def coset_ifft(self, evals: list[int]) -> list[int]:
        """Inverse of `coset_fft`: ifft, then scale coefficient i by g^-i."""
        return _scale(self.ifft(evals), pow(self.generator, -1, self.r), self.r)


def _scale(values: list[int], factor: int, r: int) -> list[int]:
    out = []
    power = 1
    for v in values:
        out.append(v * power % r)
        power = power * factor % r
    return out


def _transform(values: list[int], omega: int, r: int) -> list[int]:
    n = len(values)
    bits = n.bit_length() - 1
    a = [values[_reverse_bits(i, bits)] for i in range(n)]
    size = 2
    while size <= n:
        half = size // 2
        step = pow(omega, n // size, r)  # a primitive size-th root of unity
        twiddles = [1] * half
        for j in range(1, half):
            twiddles[j] = twiddles[j - 1] * step % r
        for start in range(0, n, size):
            for j in range(half):
                lo = a[start + j]
                hi = a[start + j + half] * twiddles[j] % r
                a[start + j] = (lo + hi) % r
                a[start + j + half] = (lo - hi) % r
        size *= 2
    return a


def _reverse_bits(i: int, bits: int) -> int:
    out = 0
    for _ in range(bits):
        out = (out << 1) | (i & 1)
        i >>= 1
    return out
