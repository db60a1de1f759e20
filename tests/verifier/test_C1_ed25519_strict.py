"""C1: strict Ed25519 — S + L, small-order and mixed-order keys and R, non-canonical
encodings are refused; OpenSSL's own behaviour on each is pinned so a change is noticed."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidSignature as OpenSSLInvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from zkcredit.errors import (
    InvalidEd25519Signature,
    InvalidEncoding,
    MalformedInput,
    NonCanonicalScalar,
    PointNotInSubgroup,
    PointNotOnCurve,
)
from zkcredit.verifier import ED25519_ORDER, check_ed25519_point, verify_ed25519_strict

P = 2**255 - 19
L = ED25519_ORDER
MSG = b"zkcredit C1"

def _enc(y: int, sign: int) -> bytes:
    return (y | (sign << 255)).to_bytes(32, "little")


def _openssl_accepts(pub: bytes, sig: bytes, msg: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(pub).verify(sig, msg)
    except (OpenSSLInvalidSignature, ValueError):
        return False
    return True


def _keypair() -> tuple[Ed25519PrivateKey, bytes]:
    k = Ed25519PrivateKey.generate()
    return k, k.public_key().public_bytes_raw()


def _small_order_encodings() -> list[bytes]:
    """Candidate encodings of the torsion points: y = 1 (identity), y = -1 (order 2),
    y = 0 (order 4, both signs), and y^2 = (-1 +- sqrt(1 + d)) / d (order 8: then x^2 = -y^2
    and the double has y = 0). Callers keep the ones `check_ed25519_point` calls small."""
    d = (-121665 * pow(121666, -1, P)) % P
    out = [_enc(1, 0), _enc(P - 1, 0), _enc(0, 0), _enc(0, 1)]
    for s in (1, -1):
        root = _sqrt(1 + d)
        if root is None:
            continue
        y2 = (-1 + s * root) * pow(d, -1, P) % P
        y = _sqrt(y2)
        if y is None:
            continue
        for yy in (y, P - y):
            for sign in (0, 1):
                out.append(_enc(yy, sign))
    return out


def _sqrt(a: int) -> int | None:
    a %= P
    x = pow(a, (P + 3) // 8, P)
    if x * x % P != a:
        x = x * pow(2, (P - 1) // 4, P) % P
    return x if x * x % P == a else None


def test_C1_valid_signature_verifies() -> None:
    k, pub = _keypair()
    verify_ed25519_strict(pub, k.sign(MSG), MSG)


def test_C1_wrong_message_is_invalid_signature() -> None:
    k, pub = _keypair()
    with pytest.raises(InvalidEd25519Signature):
        verify_ed25519_strict(pub, k.sign(MSG), MSG + b"!")


def test_C1_s_plus_l_is_rejected() -> None:
    k, pub = _keypair()
    sig = k.sign(MSG)
    s = int.from_bytes(sig[32:], "little")
    malleated = sig[:32] + (s + L).to_bytes(32, "little")
    assert not _openssl_accepts(pub, malleated, MSG)  # OpenSSL 3 already refuses S >= L
    with pytest.raises(NonCanonicalScalar):
        verify_ed25519_strict(pub, malleated, MSG)


def test_C1_the_eight_small_order_points_are_found() -> None:
    points = _small_order_encodings()
    decodable = []
    for enc in points:
        try:
            check_ed25519_point(enc)
        except PointNotInSubgroup:
            decodable.append(enc)
        except InvalidEncoding:
            pass  # x = 0 with the sign bit: non-canonical, refused earlier
    assert len(set(decodable)) == 8


@pytest.mark.parametrize("index", range(8))
def test_C1_small_order_public_key_is_rejected(index: int) -> None:
    small = sorted({e for e in _small_order_encodings() if _decodes_small(e)})[index]
    # R = A and S = 0 satisfies the cofactorless equation for a small-order A of order
    # dividing 1 or 2 for every message (Catacomb's identity-key forgery).
    sig = small + bytes(32)
    with pytest.raises(PointNotInSubgroup):
        verify_ed25519_strict(small, sig, MSG)


def _decodes_small(enc: bytes) -> bool:
    try:
        check_ed25519_point(enc)
    except PointNotInSubgroup:
        return True
    except MalformedInput:
        return False
    return False


def test_C1_identity_key_forgery_openssl_accepts_we_reject() -> None:
    identity = _enc(1, 0)
    forged = identity + bytes(32)
    assert _openssl_accepts(identity, forged, b"any message at all")  # why we check A
    with pytest.raises(PointNotInSubgroup):
        verify_ed25519_strict(identity, forged, b"any message at all")


def test_C1_small_order_r_is_rejected() -> None:
    _, pub = _keypair()
    sig = _enc(1, 0) + bytes(32)
    with pytest.raises(PointNotInSubgroup):
        verify_ed25519_strict(pub, sig, MSG)


def test_C1_mixed_order_key_is_rejected() -> None:
    _, pub = _keypair()
    # A + T (T of order 2, the point (0, -1)): negate x and y of A in extended coordinates.
    raw = int.from_bytes(pub, "little")
    y = raw & ((1 << 255) - 1)
    sign = raw >> 255
    mixed = _enc(P - y, sign ^ 1)  # (x, y) + (0, -1) = (-x, -y)
    with pytest.raises(PointNotInSubgroup):
        check_ed25519_point(mixed)


def test_C1_non_canonical_y_is_rejected() -> None:
    k, _ = _keypair()
    # Only y < 19 has a second encoding y + p < 2^255; the identity's y = 1 is one.
    non_canonical_identity = (1 + P).to_bytes(32, "little")
    assert not _openssl_accepts(non_canonical_identity, non_canonical_identity + bytes(32), MSG)
    with pytest.raises(InvalidEncoding):
        verify_ed25519_strict(non_canonical_identity, k.sign(MSG), MSG)


def test_C1_negative_zero_key_openssl_accepts_we_reject() -> None:
    neg_zero_identity = _enc(1, 1)  # x = 0 with the sign bit set
    sig = _enc(1, 0) + bytes(32)
    assert _openssl_accepts(neg_zero_identity, sig, MSG)
    with pytest.raises(InvalidEncoding):
        verify_ed25519_strict(neg_zero_identity, sig, MSG)


def test_C1_non_canonical_r_is_rejected() -> None:
    k, pub = _keypair()
    sig = k.sign(MSG)
    non_canonical_r = (1 + P).to_bytes(32, "little")
    with pytest.raises(InvalidEncoding):
        verify_ed25519_strict(pub, non_canonical_r + sig[32:], MSG)


def test_C1_off_curve_key_is_rejected() -> None:
    y = 2
    while _decodable(y):
        y += 1
    with pytest.raises(PointNotOnCurve):
        check_ed25519_point(_enc(y, 0))


def _decodable(y: int) -> bool:
    try:
        check_ed25519_point(_enc(y, 0))
    except PointNotOnCurve:
        return False
    except MalformedInput:
        return True
    return True


@pytest.mark.parametrize("length", [0, 31, 33])
def test_C1_wrong_lengths_are_rejected(length: int) -> None:
    k, pub = _keypair()
    with pytest.raises(InvalidEncoding):
        verify_ed25519_strict(bytes(length), k.sign(MSG), MSG)
    with pytest.raises(InvalidEncoding):
        verify_ed25519_strict(pub, bytes(length * 2), MSG)
