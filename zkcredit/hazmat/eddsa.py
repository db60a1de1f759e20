"""EdDSA over Baby Jubjub with Poseidon, as circomlibjs 0.1.7 ``buildEddsa`` signs and verifies.

Keys and signatures are interchangeable with circomlibjs (``prv2pub``, ``signPoseidon``,
``verifyPoseidon``, ``packSignature``) and verify in circomlib's ``EdDSAPoseidonVerifier``.

The procedure (l = `babyjub.SUBGROUP_ORDER`, B = `babyjub.BASE8`, LE = little-endian):

- ``d = BLAKE-512(private_key)`` (32-byte key; the original BLAKE, `zkcredit.hazmat.blake512`);
- prune ``d[0] &= 0xF8; d[31] &= 0x7F; d[31] |= 0x40``; ``s = LE_int(d[0:32])``;
- public key ``A = (s >> 3) * B``;
- nonce ``r = LE_int(BLAKE-512(d[32:64] || LE32(M))) mod l``; ``R8 = r * B``;
- ``hm = Poseidon([R8.x, R8.y, A.x, A.y, M])``; ``S = (r + hm * s) mod l`` (the full pruned
  s: 8 * (s >> 3) = s because the low three bits are cleared);
- a signature is (R8, S); it verifies iff ``S * B == R8 + (8 * hm) * A``.

Where this module is stricter than circomlibjs (each refusal is an exception, never False):

- S >= l is refused (`NonCanonicalSignature`): the equation also holds for S + l.
- A message M >= p (or negative) is refused (`NonCanonicalScalar`), not reduced mod p.
- Coordinates >= p are refused (`NonCanonicalCoordinate`), off-curve R8 or A refused
  (`PointNotOnCurve`).
- A public key of low order (identity, (0, -1), order 4 or 8) is refused (`LowOrderPoint`):
  circomlibjs ``verifyPoseidon`` accepts, for every message, the signature R8 = k*B, S = k
  under such a key. A key with a small-order component but not of small order is refused too
  (`PointNotInSubgroup`); honestly generated keys are always in the order-l subgroup.

`verify_poseidon` returns None and raises `InvalidSignature` (an `InvalidProof`) when the
equation fails. Hazmat: pure Python, not constant time.
"""

from __future__ import annotations

import secrets
from typing import NamedTuple

from zkcredit.errors import (
    InvalidArgument,
    InvalidEncoding,
    InvalidSignature,
    NonCanonicalScalar,
    NonCanonicalSignature,
)
from zkcredit.hazmat import babyjub
from zkcredit.hazmat.babyjub import BASE8, FIELD_MODULUS, SUBGROUP_ORDER, Point
from zkcredit.hazmat.blake512 import blake512
from zkcredit.hazmat.poseidon import poseidon_hash

__all__ = [
    "PACKED_SIGNATURE_BYTES",
    "PRIVATE_KEY_BYTES",
    "Signature",
    "challenge_poseidon",
    "check_issuer_key",
    "expand_private_key",
    "generate_private_key",
    "nonce_poseidon",
    "pack_signature",
    "prv2pub",
    "sign_poseidon",
    "unpack_public_key",
    "unpack_signature",
    "verify_poseidon",
]

PRIVATE_KEY_BYTES = 32
PACKED_SIGNATURE_BYTES = 64


class Signature(NamedTuple):
    """An EdDSA-Poseidon signature: the point R8 and the scalar S (0 <= S < l)."""

    R8: Point
    S: int


# --- keys ---------------------------------------------------------------------------


def generate_private_key() -> bytes:
    """A fresh 32-byte private key from the operating system's randomness."""
    return secrets.token_bytes(PRIVATE_KEY_BYTES)


def _private_key(private_key: bytes) -> bytes:
    if not isinstance(private_key, bytes | bytearray) or len(private_key) != PRIVATE_KEY_BYTES:
        raise InvalidEncoding(f"an EdDSA private key is {PRIVATE_KEY_BYTES} bytes")
    return bytes(private_key)


def expand_private_key(private_key: bytes) -> tuple[int, bytes]:
    """(s, prefix): the pruned signing scalar s and the nonce prefix d[32:64], where
    d = BLAKE-512(private_key). The public key is (s >> 3) * Base8."""
    d = bytearray(blake512(_private_key(private_key)))
    d[0] &= 0xF8
    d[31] &= 0x7F
    d[31] |= 0x40
    return int.from_bytes(d[:32], "little"), bytes(d[32:])


def prv2pub(private_key: bytes) -> Point:
    """circomlibjs ``prv2pub``: the public key A = (s >> 3) * Base8 of a 32-byte private key."""
    s, _ = expand_private_key(private_key)
    return babyjub.mul(BASE8, s >> 3)


def check_issuer_key(public_key: tuple[int, int]) -> Point:
    """Validate a public key for use as a signer (issuer) key and return it as a `Point`.

    Refuses coordinates >= p (`NonCanonicalCoordinate`), off-curve points (`PointNotOnCurve`),
    low-order points, i.e. the identity, (0, -1) and the order-4 and order-8 points, with which
    any message can be "signed" (`LowOrderPoint`), and points outside the order-l subgroup
    (`PointNotInSubgroup`).
    """
    return babyjub.check_prime_order(public_key)


def unpack_public_key(data: bytes) -> Point:
    """A packed public key (circomlibjs ``packPoint``, 32 bytes), decoded strictly and checked
    with `check_issuer_key`."""
    return check_issuer_key(babyjub.unpack_point(data))


# --- signing ------------------------------------------------------------------------


def _message(msg: int) -> int:
    if isinstance(msg, bool) or not isinstance(msg, int):
        raise InvalidArgument(f"the message is not an int: {type(msg).__name__}")
    if not 0 <= msg < FIELD_MODULUS:
        raise NonCanonicalScalar("the message is not a canonical field element (0 <= M < p)")
    return msg


def nonce_poseidon(prefix: bytes, msg: int) -> int:
    """The deterministic nonce r = LE_int(BLAKE-512(prefix || LE32(msg))) mod l."""
    data = bytes(prefix) + _message(msg).to_bytes(32, "little")
    return int.from_bytes(blake512(data), "little") % SUBGROUP_ORDER


def challenge_poseidon(r8: tuple[int, int], public_key: tuple[int, int], msg: int) -> int:
    """hm = Poseidon([R8.x, R8.y, A.x, A.y, M]) (all canonical field elements)."""
    return poseidon_hash([r8[0], r8[1], public_key[0], public_key[1], _message(msg)])


def sign_poseidon(private_key: bytes, msg: int) -> Signature:
    """circomlibjs ``signPoseidon(private_key, msg)`` for a field element 0 <= msg < p.

    Deterministic. Raises `InvalidEncoding` for a key that is not 32 bytes and
    `NonCanonicalScalar` for a message outside [0, p) (circomlibjs would reduce it).
    """
    msg = _message(msg)
    s, prefix = expand_private_key(private_key)
    a = babyjub.mul(BASE8, s >> 3)
    r = nonce_poseidon(prefix, msg)
    r8 = babyjub.mul(BASE8, r)
    hm = challenge_poseidon(r8, a, msg)
    return Signature(r8, (r + hm * s) % SUBGROUP_ORDER)


# --- verification -------------------------------------------------------------------


def _signature(signature: tuple[tuple[int, int], int]) -> Signature:
    if not isinstance(signature, tuple) or len(signature) != 2:
        raise InvalidArgument("a signature is a pair (R8, S)")
    r8, s = signature
    if isinstance(s, bool) or not isinstance(s, int):
        raise InvalidArgument(f"S is not an int: {type(s).__name__}")
    if not 0 <= s < SUBGROUP_ORDER:
        raise NonCanonicalSignature("S is not below the subgroup order l")
    return Signature(babyjub.validate_point(r8), s)


def verify_poseidon(
    public_key: tuple[int, int], msg: int, signature: tuple[tuple[int, int], int]
) -> None:
    """Check an EdDSA-Poseidon signature; return None if it verifies, raise otherwise.

    Raises `NonCanonicalSignature` (S >= l), `NonCanonicalScalar` (msg outside [0, p)),
    `NonCanonicalCoordinate` / `PointNotOnCurve` (R8 or A), `LowOrderPoint` /
    `PointNotInSubgroup` (A, see `check_issuer_key`), and `InvalidSignature` when the
    equation S * Base8 == R8 + (8 * hm) * A does not hold.
    """
    sig = _signature(signature)
    msg = _message(msg)
    a = check_issuer_key(public_key)
    hm = challenge_poseidon(sig.R8, a, msg)
    left = babyjub.mul(BASE8, sig.S)
    right = babyjub.add(sig.R8, babyjub.mul(a, 8 * hm))
    if left != right:
        raise InvalidSignature("the EdDSA-Poseidon signature does not verify")


# --- packing ------------------------------------------------------------------------


def pack_signature(signature: tuple[tuple[int, int], int]) -> bytes:
    """circomlibjs ``packSignature``: packPoint(R8) || S as 32 bytes little-endian."""
    sig = _signature(signature)
    return babyjub.pack_point(sig.R8) + sig.S.to_bytes(32, "little")


def unpack_signature(data: bytes) -> Signature:
    """Strict inverse of `pack_signature`: 64 bytes (`InvalidEncoding`), R8 decoded by
    `babyjub.unpack_point`, S < l (`NonCanonicalSignature`, never reduced)."""
    if not isinstance(data, bytes | bytearray) or len(data) != PACKED_SIGNATURE_BYTES:
        raise InvalidEncoding(f"a packed signature is {PACKED_SIGNATURE_BYTES} bytes")
    r8 = babyjub.unpack_point(bytes(data[:32]))
    s = int.from_bytes(data[32:], "little")
    if s >= SUBGROUP_ORDER:
        raise NonCanonicalSignature("S is not below the subgroup order l")
    return Signature(r8, s)
