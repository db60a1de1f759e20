"""BN254 in pure Python: the reference oracle for `zkcredit.hazmat.native.bn254`.

Same API as the native module (docs/ARCHITECTURE.md, "Per-curve module API"): fields on
Python ints, points and pairings through py_ecc, our own radix-2 FFT. Slow (milliseconds
per scalar multiplication, a quarter second per pairing) but independent of arkworks.
Point bytes are arkworks 0.5's: little-endian, Fq2 as c0 then c1, flags in the two top
bits of the last byte (see `zkcredit.hazmat.reference._points`). Also known as bn128 /
alt_bn128 (snarkjs ``"curve": "bn128"``).
"""

from __future__ import annotations

from zkcredit.hazmat.reference import _points
from zkcredit.hazmat.reference._field import Field
from zkcredit.hazmat.reference._pyecc import Group
from zkcredit.hazmat.reference._scalars import ScalarField

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
]

NAME = "bn254"
SCALAR_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617
BASE_MODULUS = 21888242871839275222246405745257275088696311157297823662689037894645226208583
TWO_ADICITY = 28
MULTIPLICATIVE_GENERATOR = 5
SCALAR_BYTES = 32
G1_COMPRESSED_BYTES = 32
G1_UNCOMPRESSED_BYTES = 64
G2_COMPRESSED_BYTES = 64
G2_UNCOMPRESSED_BYTES = 128

_FQ = Field(BASE_MODULUS, 1)
_FQ2 = Field(BASE_MODULUS, 2)
_FR = ScalarField(SCALAR_MODULUS, MULTIPLICATIVE_GENERATOR, TWO_ADICITY)

_G1_SPEC = _points.GroupSpec(
    label="BN254 G1",
    curve=NAME,
    style="sw",
    field=_FQ,
    b=(3,),
    r=SCALAR_MODULUS,
    cofactor_is_one=True,  # #E(Fq) = r: every point on the curve is in G1
    generator=Group(NAME, _FQ).generator(),
)
_G2_SPEC = _points.GroupSpec(
    label="BN254 G2",
    curve=NAME,
    style="sw",
    field=_FQ2,
    b=_FQ2.mul((3, 0), _FQ2.inv((9, 1))),  # the D-type twist: b' = 3 / (9 + u)
    r=SCALAR_MODULUS,
    cofactor_is_one=False,
    generator=Group(NAME, _FQ2).generator(),
)


class G1(_points.PointVector[tuple[int, int]]):
    """Vector of BN254 G1 points; affine form ``(x, y)``, infinity ``None``."""

    __slots__ = ()
    _spec = _G1_SPEC


class G2(_points.PointVector[tuple[tuple[int, int], tuple[int, int]]]):
    """Vector of BN254 G2 points; affine form ``((x_c0, x_c1), (y_c0, y_c1))``."""

    __slots__ = ()
    _spec = _G2_SPEC


fr_add = _FR.add
fr_sub = _FR.sub
fr_mul = _FR.mul
fr_neg = _FR.neg
fr_inv = _FR.inv
fr_random = _FR.random
fft = _FR.fft
ifft = _FR.ifft
coset_fft = _FR.coset_fft
coset_ifft = _FR.coset_ifft


def g1_msm(points: G1, scalars: bytes) -> G1:
    """sum k_i·P_i as a length-1 vector (the identity when empty)."""
    return _points.msm(points, scalars, G1)


def g2_msm(points: G2, scalars: bytes) -> G2:
    """sum k_i·Q_i as a length-1 vector (the identity when empty)."""
    return _points.msm(points, scalars, G2)


def pairing_check(g1s: G1, g2s: G2) -> bool:
    """prod_i e(g1s[i], g2s[i]) == 1; True for empty vectors."""
    return _points.pairing_check(g1s, g2s, G1, G2)
