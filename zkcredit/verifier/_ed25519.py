"""Strict Ed25519 verification: RFC 8032 / FIPS 186-5 plus the checks OpenSSL leaves out.

`cryptography` (OpenSSL) already refuses S >= L and a point encoding whose y is >= p; it
accepts small-order and mixed-order keys and R values, and the encoding of x = 0 with the
sign bit set. Those accepted cases let one signature verify for several messages or keys
(ADVERSARIAL §4 "Ed25519", C1), so before OpenSSL's equation check we decode A and R
ourselves and require each to be a canonical encoding of a point of prime order L. With A
and R in the prime-order subgroup the cofactored and cofactorless equations agree, so the
verdict does not depend on which one a library implements.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature as _OpenSSLInvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from zkcredit.errors import (
    InvalidEd25519Signature,
    InvalidEncoding,
    NonCanonicalScalar,
    PointNotInSubgroup,
    PointNotOnCurve,
)

__all__ = ["ED25519_ORDER", "check_ed25519_point", "verify_ed25519_strict"]

_P = 2**255 - 19
_D = (-121665 * pow(121666, -1, _P)) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)
#: L, the order of the Ed25519 base point (the prime-order subgroup).
ED25519_ORDER = 2**252 + 27742317777372353535851937790883648493

_Ext = tuple[int, int, int, int]  # extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z
_IDENTITY: _Ext = (0, 1, 1, 0)


def _add(p: _Ext, q: _Ext) -> _Ext:
    # Unified addition for a = -1 twisted Edwards curves (Hisil-Wong-Carter-Dawson 2008).
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % _P
    b = (y1 + x1) * (y2 + x2) % _P
    c = 2 * t1 * t2 * _D % _P
    d = 2 * z1 * z2 % _P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _double(p: _Ext) -> _Ext:
    # Dedicated doubling for a = -1 (dbl-2008-hwcd): 4 squarings and 4 products.
    x1, y1, z1, _ = p
    a = x1 * x1 % _P
    b = y1 * y1 % _P
    c = 2 * z1 * z1 % _P
    d = -a
    e = ((x1 + y1) * (x1 + y1) - a - b) % _P
    g = d + b
    f = g - c
    h = d - b
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _mul(k: int, p: _Ext) -> _Ext:
    """``k * p`` by double-and-add from the top bit (variable time: inputs are public)."""
    acc = _IDENTITY
    for bit in bin(k)[2:]:
        acc = _double(acc)
        if bit == "1":
            acc = _add(acc, p)
    return acc


def _is_identity(p: _Ext) -> bool:
    x, y, z, _ = p
    return x % _P == 0 and (y - z) % _P == 0


def _decode(data: bytes, what: str) -> _Ext:
    """RFC 8032 §5.1.3 decoding, refusing every non-canonical encoding."""
    if len(data) != 32:
        raise InvalidEncoding(f"{what}: an Ed25519 point is 32 bytes, got {len(data)}")
    raw = int.from_bytes(data, "little")
    sign = raw >> 255
    y = raw & ((1 << 255) - 1)
    if y >= _P:
        raise InvalidEncoding(f"{what}: y is not reduced mod p (non-canonical encoding)")
    u = (y * y - 1) % _P
    v = (_D * y * y + 1) % _P
    x = u * pow(v, 3, _P) * pow(u * pow(v, 7, _P), (_P - 5) // 8, _P) % _P
    if (v * x * x - u) % _P != 0:
        x = x * _SQRT_M1 % _P
        if (v * x * x - u) % _P != 0:
            raise PointNotOnCurve(f"{what}: no curve point has this y")
    if x == 0 and sign == 1:
        raise InvalidEncoding(f"{what}: x = 0 with the sign bit set (non-canonical encoding)")
    if x & 1 != sign:
        x = _P - x
    return (x, y, 1, x * y % _P)


def check_ed25519_point(data: bytes, what: str = "Ed25519 point") -> None:
    """Refuse anything but the canonical encoding of a point of prime order L.

    Raises `InvalidEncoding` (length, y >= p, -0), `PointNotOnCurve`, or
    `PointNotInSubgroup` (small order, including the identity, or a torsion component).
    """
    point = _decode(bytes(data), what)
    if _is_identity(_mul(8, point)):
        raise PointNotInSubgroup(f"{what}: a small-order point (order divides 8)")
    if not _is_identity(_mul(ED25519_ORDER, point)):
        raise PointNotInSubgroup(f"{what}: not in the prime-order subgroup (torsion component)")


def verify_ed25519_strict(public_key: bytes, signature: bytes, message: bytes) -> None:
    """Verify an Ed25519 signature strictly; return None or raise.

    Malformed keys/signatures raise the `MalformedInput` subclasses of
    `check_ed25519_point` or `NonCanonicalScalar` (S >= L); a well-formed signature that
    does not verify raises `InvalidEd25519Signature`.
    """
    public_key, signature = bytes(public_key), bytes(signature)
    if len(signature) != 64:
        raise InvalidEncoding(f"an Ed25519 signature is 64 bytes, got {len(signature)}")
    if int.from_bytes(signature[32:], "little") >= ED25519_ORDER:
        raise NonCanonicalScalar("Ed25519 signature: S >= L (malleable, RFC 8032 §5.1.7)")
    check_ed25519_point(public_key, "Ed25519 public key")
    check_ed25519_point(signature[:32], "Ed25519 signature R")
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, bytes(message))
    except _OpenSSLInvalidSignature:
        raise InvalidEd25519Signature("the Ed25519 signature does not verify") from None
    except ValueError as exc:  # OpenSSL refused to load the key: treat as malformed
        raise InvalidEncoding(f"Ed25519 public key refused by OpenSSL: {exc}") from None
