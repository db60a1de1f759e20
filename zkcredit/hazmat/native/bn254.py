"""BN254 (alt_bn128), the default curve: native kernels (Rust/arkworks).

See `zkcredit.hazmat.native` for the API.

snarkjs and Ethereum's precompiles use this curve (their name for it is bn128).
The same names are exported by `zkcredit.hazmat.reference.bn254`.
"""

from __future__ import annotations

from typing import Final

from zkcredit.errors import NativeUnavailable

try:
    from zkcredit._native import bn254 as _core
except ImportError as exc:  # pragma: no cover - only without a compiled core
    raise NativeUnavailable(
        "the compiled core zkcredit._native is not available; build it with "
        "`pip install --no-build-isolation -e .` (README set-up), or use the pure-Python "
        "zkcredit.hazmat.reference.bn254"
    ) from exc

__all__ = [
    "BASE_MODULUS",
    "G1",
    "G1_COMPRESSED_BYTES",
    "G1_UNCOMPRESSED_BYTES",
    "G2",
    "G2_COMPRESSED_BYTES",
    "G2_UNCOMPRESSED_BYTES",
    "MULTIPLICATIVE_GENERATOR",
    "NAME",
    "SCALAR_BYTES",
    "SCALAR_MODULUS",
    "TWO_ADICITY",
    "coset_fft",
    "coset_ifft",
    "fft",
    "fr_add",
    "fr_inv",
    "fr_mul",
    "fr_neg",
    "fr_random",
    "fr_sub",
    "g1_msm",
    "g2_msm",
    "ifft",
    "pairing_check",
    "poseidon",
    "poseidon_many",
]

NAME: Final[str] = _core.NAME
SCALAR_MODULUS: Final[int] = _core.SCALAR_MODULUS
BASE_MODULUS: Final[int] = _core.BASE_MODULUS
TWO_ADICITY: Final[int] = _core.TWO_ADICITY
MULTIPLICATIVE_GENERATOR: Final[int] = _core.MULTIPLICATIVE_GENERATOR
SCALAR_BYTES: Final[int] = _core.SCALAR_BYTES
G1_COMPRESSED_BYTES: Final[int] = _core.G1_COMPRESSED_BYTES
G1_UNCOMPRESSED_BYTES: Final[int] = _core.G1_UNCOMPRESSED_BYTES
G2_COMPRESSED_BYTES: Final[int] = _core.G2_COMPRESSED_BYTES
G2_UNCOMPRESSED_BYTES: Final[int] = _core.G2_UNCOMPRESSED_BYTES

G1 = _core.G1
G2 = _core.G2

fr_add = _core.fr_add
fr_sub = _core.fr_sub
fr_mul = _core.fr_mul
fr_neg = _core.fr_neg
fr_inv = _core.fr_inv
fr_random = _core.fr_random
g1_msm = _core.g1_msm
g2_msm = _core.g2_msm
pairing_check = _core.pairing_check
fft = _core.fft
ifft = _core.ifft
coset_fft = _core.coset_fft
coset_ifft = _core.coset_ifft
poseidon = _core.poseidon
poseidon_many = _core.poseidon_many
