"""Attestation signatures, the primitive: an EdDSA-Poseidon signature over a field element.

HAZMAT. `sign_attestation` signs whatever commitment it is handed; it cannot know whether
the history behind it is true or whose it is. An issuer signs through
`zkcredit.credit.issuance.Issuer`, which rebuilds the commitment from a disclosed opening,
checks it against its own books and its subject binding, and only then calls this.

The signed field element is (format v2)::

    attestation_message(commitment, holder_commitment, revocation_id, not_before, not_after)
        = Poseidon([ATTESTATION_DOMAIN, commitment, holder_commitment, revocation_id,
                    not_before, not_after])

``holder_commitment`` is ``Poseidon([holder_secret])`` of the wallet the issuer bound the
subject to (the threshold circuit derives the nullifier from the same secret), and
``revocation_id`` is a random nonzero 128-bit number the issuer can later publish to
revoke this one attestation. The window is inclusive at both ends; times are Unix seconds
below 2^40. The signature covers field elements, never JSON bytes, so reformatting a file
changes nothing (ADVERSARIAL C7).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zkcredit._files import loads_strict
from zkcredit.errors import (
    AttestationOutsideWindow,
    InvalidArgument,
    InvalidEncoding,
    NonCanonicalCoordinate,
    NonCanonicalScalar,
    NonCanonicalSignature,
    UnsupportedFormat,
)
from zkcredit.hazmat import eddsa
from zkcredit.hazmat.babyjub import FIELD_MODULUS, SUBGROUP_ORDER, Point, validate_point
from zkcredit.hazmat.encoding import parse_decimal
from zkcredit.hazmat.poseidon import poseidon_hash

__all__ = [
    "ATTESTATION_DOMAIN",
    "ATTESTATION_FORMAT",
    "ATTESTATION_VERSION",
    "MAX_TIME",
    "REVOCATION_ID_BITS",
    "Attestation",
    "attestation_message",
    "check_revocation_id",
    "new_revocation_id",
    "sign_attestation",
    "verify_attestation",
]

ATTESTATION_DOMAIN = int.from_bytes(b"zkcredit/attestation/v2", "big")
"""Domain tag, the first Poseidon input of every attestation message."""

ATTESTATION_FORMAT = "zkcredit-attestation"
ATTESTATION_VERSION = 2

MAX_TIME = 1 << 40
"""Times (Unix seconds) are integers in [0, 2^40): the circuit range-checks them to 40 bits."""

REVOCATION_ID_BITS = 128
"""Revocation ids are nonzero integers below 2^128 (the circuit compares them at 128 bits)."""

_R = FIELD_MODULUS  # Baby Jubjub's base field is the BN254 scalar field r


# --- small validators shared by the credit formats ---------------------------------------


def check_time(value: object, name: str) -> int:
    """An int of Unix seconds in [0, 2^40), else `InvalidArgument` naming ``name``."""
    if type(value) is not int:
        raise InvalidArgument(f"{name} must be an int of Unix seconds, got {type(value).__name__}")
    if not 0 <= value < MAX_TIME:
        raise InvalidArgument(f"{name} must be in [0, 2^40), got {value}")
    return value


def check_field(value: object, name: str) -> int:
    """A canonical field element (an int in 0..r-1)."""
    if type(value) is not int:
        raise InvalidArgument(f"{name} must be an int field element, got {type(value).__name__}")
    if not 0 <= value < _R:
        raise NonCanonicalScalar(f"{name} is not a canonical field element (0 <= v < r)")
    return value


def check_revocation_id(value: object, name: str = "revocation_id") -> int:
    """A revocation id: an int in 1..2^128-1."""
    if type(value) is not int:
        raise InvalidArgument(f"{name} must be an int, got {type(value).__name__}")
    if not 0 < value < 1 << REVOCATION_ID_BITS:
        raise InvalidArgument(f"{name} must be in 1..2^{REVOCATION_ID_BITS}-1, got {value}")
    return value


def new_revocation_id() -> int:
    """A fresh random revocation id from the OS's randomness (nonzero, below 2^128)."""
    while True:
        value = secrets.randbits(REVOCATION_ID_BITS)
        if value:
            return value


def exact_keys(obj: object, keys: set[str], what: str) -> dict[str, Any]:
    """``obj`` as a dict with exactly ``keys``, else `InvalidEncoding` naming the difference."""
    if not isinstance(obj, dict):
        raise InvalidEncoding(f"{what} must be a JSON object")
    if set(obj) != keys:
        missing, extra = sorted(keys - set(obj)), sorted(set(obj) - keys)
        raise InvalidEncoding(f"{what}: missing keys {missing}, unknown keys {extra}")
    return obj


def check_header(obj: Mapping[str, Any], fmt: str, version: int, what: str) -> None:
    """Refuse (`UnsupportedFormat`) a document whose format or version is not the expected."""
    if obj.get("format") != fmt:
        raise UnsupportedFormat(f"{what}: format must be {fmt!r}, got {obj.get('format')!r}")
    got = obj.get("version")
    if type(got) is not int or got != version:
        raise UnsupportedFormat(f"{what}: unsupported version {got!r} (expected {version})")


def point_json(pt: Point) -> list[str]:
    """A point as ``[x, y]`` decimal strings."""
    return [str(pt.x), str(pt.y)]


def point_from_json(obj: object, what: str) -> tuple[int, int]:
    """Strict inverse of `point_json` (canonical coordinates; curve checks are the caller's)."""
    if not isinstance(obj, list) or len(obj) != 2:
        raise InvalidEncoding(f"{what} must be a list of two decimal strings [x, y]")
    return (
        parse_decimal(obj[0], _R, f"{what}.x", noncanonical=NonCanonicalCoordinate),
        parse_decimal(obj[1], _R, f"{what}.y", noncanonical=NonCanonicalCoordinate),
    )


def time_from_json(obj: object, name: str) -> int:
    """A JSON integer of Unix seconds below 2^40."""
    if type(obj) is not int:
        raise InvalidEncoding(f"{name} must be a JSON integer of Unix seconds")
    return check_time(obj, name)


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no whitespace, ASCII: equal documents give equal bytes."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


# --- the message and the attestation ------------------------------------------------------


def attestation_message(
    commitment: int,
    holder_commitment: int,
    revocation_id: int,
    not_before: int,
    not_after: int,
) -> int:
    """The field element an issuer signs (see the module docstring)."""
    check_field(commitment, "commitment")
    check_field(holder_commitment, "holder_commitment")
    check_revocation_id(revocation_id)
    nb, na = check_time(not_before, "not_before"), check_time(not_after, "not_after")
    if nb > na:
        raise InvalidArgument(f"not_before ({nb}) is after not_after ({na})")
    return poseidon_hash([ATTESTATION_DOMAIN, commitment, holder_commitment, revocation_id, nb, na])


@dataclass(frozen=True)
class Attestation:
    """An issuer's signature over a history commitment, its holder, a revocation id and a
    validity window.

    Validated on construction (key in the prime-order subgroup, canonical values, S < l);
    the signature itself is checked by `verify_attestation`.
    """

    issuer: Point
    commitment: int
    holder_commitment: int
    revocation_id: int
    not_before: int
    not_after: int
    signature: eddsa.Signature

    def __post_init__(self) -> None:
        if not isinstance(self.signature, tuple) or len(self.signature) != 2:
            raise InvalidArgument("signature must be an eddsa.Signature (R8, S)")
        object.__setattr__(self, "issuer", eddsa.check_issuer_key(self.issuer))
        r8, s = self.signature
        if type(s) is not int:
            raise InvalidArgument(f"signature S must be an int, got {type(s).__name__}")
        if not 0 <= s < SUBGROUP_ORDER:
            raise NonCanonicalSignature("signature S is not below the subgroup order l")
        object.__setattr__(self, "signature", eddsa.Signature(validate_point(r8), s))
        self.message()  # validates every field

    def message(self) -> int:
        """The signed field element (see `attestation_message`)."""
        return attestation_message(
            self.commitment, self.holder_commitment, self.revocation_id,
            self.not_before, self.not_after,
        )

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON form: field elements and the revocation id as decimal strings, times as
        integers."""
        return {
            "format": ATTESTATION_FORMAT,
            "version": ATTESTATION_VERSION,
            "issuer": point_json(self.issuer),
            "commitment": str(self.commitment),
            "holder_commitment": str(self.holder_commitment),
            "revocation_id": str(self.revocation_id),
            "not_before": self.not_before,
            "not_after": self.not_after,
            "signature": {"R8": point_json(self.signature.R8), "S": str(self.signature.S)},
        }

    def to_json_bytes(self) -> bytes:
        """Canonical bytes (sorted keys, no whitespace): equal attestations, equal bytes."""
        return canonical_json(self.to_json_dict())

    @classmethod
    def from_json_dict(cls, obj: object) -> Attestation:
        """Strict inverse of `to_json_dict` (exact keys, canonical decimals, known version)."""
        keys = {"format", "version", "issuer", "commitment", "holder_commitment",
                "revocation_id", "not_before", "not_after", "signature"}
        if isinstance(obj, dict) and obj.get("version") == 1:
            raise UnsupportedFormat(
                "attestation: version 1 (no holder binding, no revocation id) is no longer "
                "accepted; ask the issuer to attest the history again"
            )
        d = exact_keys(obj, keys, "attestation")
        check_header(d, ATTESTATION_FORMAT, ATTESTATION_VERSION, "attestation")
        sig = exact_keys(d["signature"], {"R8", "S"}, "attestation signature")
        s = parse_decimal(
            sig["S"], SUBGROUP_ORDER, "signature S", noncanonical=NonCanonicalSignature
        )
        return cls(
            issuer=Point(*point_from_json(d["issuer"], "issuer")),
            commitment=parse_decimal(d["commitment"], _R, "commitment"),
            holder_commitment=parse_decimal(d["holder_commitment"], _R, "holder_commitment"),
            revocation_id=parse_decimal(
                d["revocation_id"], 1 << REVOCATION_ID_BITS, "revocation_id"
            ),
            not_before=time_from_json(d["not_before"], "not_before"),
            not_after=time_from_json(d["not_after"], "not_after"),
            signature=eddsa.Signature(Point(*point_from_json(sig["R8"], "signature R8")), s),
        )

    @classmethod
    def from_json(cls, data: bytes | str) -> Attestation:
        """Parse attestation JSON text (duplicate keys, NaN and deep nesting refused)."""
        return cls.from_json_dict(loads_strict(data))


def sign_attestation(
    issuer_private_key: bytes,
    commitment: int,
    *,
    holder_commitment: int,
    revocation_id: int,
    not_before: int,
    not_after: int,
) -> Attestation:
    """HAZMAT: sign a bare commitment, unchecked. Issuers use `credit.issuance.Issuer`."""
    msg = attestation_message(commitment, holder_commitment, revocation_id, not_before, not_after)
    return Attestation(
        issuer=eddsa.prv2pub(issuer_private_key),
        commitment=commitment,
        holder_commitment=holder_commitment,
        revocation_id=revocation_id,
        not_before=not_before,
        not_after=not_after,
        signature=eddsa.sign_poseidon(issuer_private_key, msg),
    )


def verify_attestation(att: Attestation, as_of: int) -> None:
    """Check the signature and that ``as_of`` lies in [not_before, not_after] (inclusive).

    Returns None; raises `InvalidSignature` (bad signature), `AttestationOutsideWindow`
    (expired or not yet valid) or a `MalformedInput` subclass. Registry membership,
    revocation and freshness are checked separately (`IssuerRegistry`).
    """
    if not isinstance(att, Attestation):
        raise InvalidArgument(f"expected an Attestation, got {type(att).__name__}")
    as_of = check_time(as_of, "as_of")
    eddsa.verify_poseidon(att.issuer, att.message(), att.signature)
    if as_of < att.not_before:
        raise AttestationOutsideWindow(
            f"the attestation is not valid before {att.not_before} (as_of = {as_of})"
        )
    if as_of > att.not_after:
        raise AttestationOutsideWindow(
            f"the attestation expired at {att.not_after} (as_of = {as_of})"
        )
