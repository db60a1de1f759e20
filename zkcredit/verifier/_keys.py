"""Lender ids and the borrower's per-lender Ed25519 key (contract §6).

One Ed25519 key per lender, derived from the wallet seed, so two lenders never see the same
borrower key; the circuit binds Poseidon of the key to the proof (`borrower_key_hash`).
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from zkcredit.decision import BN254_SCALAR_ORDER
from zkcredit.errors import InvalidArgument, InvalidEncoding, NonCanonicalScalar
from zkcredit.hazmat.poseidon import poseidon_hash

__all__ = ["MAX_LENDER_NAME", "borrower_key_hash", "derive_lender_key", "lender_id"]

_LENDER_TAG = b"zkcredit/lender/v1\0"
_KEY_INFO = b"zkcredit/lender-key/v1"
#: Lender names are short printable labels; longer ones are refused.
MAX_LENDER_NAME = 256


def lender_id(name: str) -> int:
    """``sha256("zkcredit/lender/v1\\0" || name) >> 8``: a 248-bit field element."""
    if not isinstance(name, str) or not name or len(name) > MAX_LENDER_NAME:
        raise InvalidArgument(f"a lender name is a non-empty str of at most {MAX_LENDER_NAME}")
    if not name.isprintable():
        raise InvalidArgument("a lender name must be printable text")
    digest = hashlib.sha256(_LENDER_TAG + name.encode("utf-8")).digest()
    return int.from_bytes(digest, "big") >> 8


def derive_lender_key(seed: bytes, lender: int) -> Ed25519PrivateKey:
    """The borrower's Ed25519 key for one lender: HKDF-SHA256(seed, info = tag || lender_id)."""
    if not isinstance(seed, bytes) or len(seed) != 32:
        raise InvalidEncoding("the wallet's Ed25519 seed must be exactly 32 bytes")
    if type(lender) is not int or not 0 <= lender < BN254_SCALAR_ORDER:
        raise NonCanonicalScalar("a lender id must be an int field element in [0, r)")
    hkdf = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None,
        info=_KEY_INFO + lender.to_bytes(32, "big"),
    )
    return Ed25519PrivateKey.from_private_bytes(hkdf.derive(seed))


def borrower_key_hash(public_key: bytes) -> int:
    """Poseidon of the key's two 16-byte big-endian halves (each < 2^128 < r)."""
    if not isinstance(public_key, bytes) or len(public_key) != 32:
        raise InvalidEncoding("an Ed25519 public key is exactly 32 bytes")
    return poseidon_hash(
        [int.from_bytes(public_key[:16], "big"), int.from_bytes(public_key[16:], "big")]
    )
