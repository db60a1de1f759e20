"""Pure-Python Poseidon over the BN254 scalar field, bit-compatible with circomlib.

The plain (unoptimized) permutation, written to be read: it is the oracle the native
core is tested against. For inputs ``x_1..x_n`` (1 <= n <= 16) the state has width
t = n + 1 and starts as ``[0, x_1, ..., x_n]``; each of the ``R_F + R_P`` rounds adds
the round constants, applies x^5 to every word (full rounds: the first and last
``R_F / 2``) or to word 0 only (partial rounds), then multiplies by the MDS matrix.
The hash is word 0 of the final state. Parameters come from
`zkcredit.hazmat.poseidon_params`.
"""

from __future__ import annotations

from collections.abc import Sequence

from zkcredit.errors import InvalidArgument, NonCanonicalScalar
from zkcredit.hazmat.poseidon_params import ALPHA, MAX_ARITY, SCALAR_MODULUS, params

__all__ = ["poseidon_hash", "poseidon_permutation"]


def poseidon_permutation(state: Sequence[int]) -> list[int]:
    """Applies the circomlib Poseidon permutation of width ``len(state)`` (2..17)."""
    t = len(state)
    if not 2 <= t <= MAX_ARITY + 1:
        raise InvalidArgument(f"Poseidon state width must be in 2..{MAX_ARITY + 1}, got {t}")
    _check_canonical(state)
    p = params(t)
    r = SCALAR_MODULUS
    half_f = p.n_rounds_f // 2
    s = list(state)
    for rnd in range(p.n_rounds_f + p.n_rounds_p):
        base = rnd * t
        s = [(x + p.round_constants[base + i]) % r for i, x in enumerate(s)]
        if rnd < half_f or rnd >= half_f + p.n_rounds_p:
            s = [pow(x, ALPHA, r) for x in s]
        else:
            s[0] = pow(s[0], ALPHA, r)
        s = [sum(m * x for m, x in zip(row, s, strict=True)) % r for row in p.mds]
    return s


def poseidon_hash(inputs: Sequence[int]) -> int:
    """circomlib ``Poseidon(n)`` of ``inputs`` (1..16 canonical field elements)."""
    n = len(inputs)
    if not 1 <= n <= MAX_ARITY:
        raise InvalidArgument(f"Poseidon takes 1..{MAX_ARITY} inputs, got {n}")
    _check_canonical(inputs)
    return poseidon_permutation([0, *inputs])[0]


def _check_canonical(values: Sequence[int]) -> None:
    for i, x in enumerate(values):
        if isinstance(x, bool) or not isinstance(x, int):
            raise InvalidArgument(f"input {i} is not an int: {type(x).__name__}")
        if not 0 <= x < SCALAR_MODULUS:
            raise NonCanonicalScalar(f"input {i} is not in [0, r): {x}")
