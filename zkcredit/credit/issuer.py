"""Issuer attestations over history commitments, and the registry of trusted issuer keys.

An issuer vouches for a borrower's history commitment by signing, with EdDSA-Poseidon on
Baby Jubjub (`zkcredit.hazmat.eddsa`), the field element

    attestation_message(commitment, not_before, not_after)
        = Poseidon([ATTESTATION_DOMAIN, commitment, not_before, not_after])

so that the threshold circuit can check the signature without revealing the commitment or
the issuer. An attestation is valid at ``as_of`` iff ``not_before <= as_of <= not_after``
(both ends inclusive; times are Unix seconds below 2^40).

Lenders do not list issuers; they pin the root of an `IssuerRegistry`: a depth-8 Poseidon
Merkle tree whose leaves are ``issuer_leaf(A) = Poseidon([A.x, A.y])`` (empty leaf 0).
Only keys passing `eddsa.check_issuer_key` are admitted; revoking a key zeroes its leaf,
which gives a new root, so proofs against the old root stop being accepted.

The signature covers field elements, never JSON bytes: reordering keys or changing
whitespace in an attestation file changes nothing (ADVERSARIAL C7); duplicate keys are
refused by the strict reader.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zkcredit._files import loads_strict, read_json_file, write_file_atomic
from zkcredit.errors import (
    AttestationOutsideWindow,
    InvalidArgument,
    InvalidEncoding,
    IssuerNotRegistered,
    MalformedInput,
    NonCanonicalCoordinate,
    NonCanonicalScalar,
    NonCanonicalSignature,
    Refused,
    UnsupportedFormat,
)
from zkcredit.hazmat import eddsa
from zkcredit.hazmat.babyjub import FIELD_MODULUS, SUBGROUP_ORDER, Point, validate_point
from zkcredit.hazmat.encoding import parse_decimal
from zkcredit.hazmat.poseidon import MerklePath, merkle_path, merkle_root, poseidon_hash

__all__ = [
    "ATTESTATION_DOMAIN",
    "ATTESTATION_FORMAT",
    "ISSUER_KEY_FORMAT",
    "MAX_TIME",
    "REGISTRY_DEPTH",
    "REGISTRY_FORMAT",
    "Attestation",
    "IssuerRegistry",
    "attestation_message",
    "generate_issuer_key",
    "issue_attestation",
    "issuer_leaf",
    "load_issuer_key",
    "save_issuer_key",
    "verify_attestation",
]

ATTESTATION_DOMAIN = int.from_bytes(b"zkcredit/attestation/v1", "big")
"""Domain tag, the first Poseidon input of every attestation message (contract §4)."""

ATTESTATION_FORMAT = "zkcredit-attestation"
REGISTRY_FORMAT = "zkcredit-issuer-registry"
ISSUER_KEY_FORMAT = "zkcredit-issuer-key"
_VERSION = 1

MAX_TIME = 1 << 40
"""Times (Unix seconds) are integers in [0, 2^40): the circuit range-checks them to 40 bits."""

REGISTRY_DEPTH = 8
"""The registry holds up to 2^8 = 256 issuer keys."""

_R = FIELD_MODULUS  # Baby Jubjub's base field is the BN254 scalar field r


# --- small validators -----------------------------------------------------------------


def _time(value: object, name: str) -> int:
    if type(value) is not int:
        raise InvalidArgument(f"{name} must be an int of Unix seconds, got {type(value).__name__}")
    if not 0 <= value < MAX_TIME:
        raise InvalidArgument(f"{name} must be in [0, 2^40), got {value}")
    return value


def _field(value: object, name: str) -> int:
    if type(value) is not int:
        raise InvalidArgument(f"{name} must be an int field element, got {type(value).__name__}")
    if not 0 <= value < _R:
        raise NonCanonicalScalar(f"{name} is not a canonical field element (0 <= v < r)")
    return value


def _exact_keys(obj: object, keys: set[str], what: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise InvalidEncoding(f"{what} must be a JSON object")
    if set(obj) != keys:
        missing, extra = sorted(keys - set(obj)), sorted(set(obj) - keys)
        raise InvalidEncoding(f"{what}: missing keys {missing}, unknown keys {extra}")
    return obj


def _header(obj: Mapping[str, Any], fmt: str, what: str) -> None:
    if obj.get("format") != fmt:
        raise UnsupportedFormat(f"{what}: format must be {fmt!r}, got {obj.get('format')!r}")
    version = obj.get("version")
    if type(version) is not int or version != _VERSION:
        raise UnsupportedFormat(f"{what}: unsupported version {version!r} (expected {_VERSION})")


def _point_json(pt: Point) -> list[str]:
    return [str(pt.x), str(pt.y)]


def _point_from_json(obj: object, what: str) -> tuple[int, int]:
    if not isinstance(obj, list) or len(obj) != 2:
        raise InvalidEncoding(f"{what} must be a list of two decimal strings [x, y]")
    return (
        parse_decimal(obj[0], _R, f"{what}.x", noncanonical=NonCanonicalCoordinate),
        parse_decimal(obj[1], _R, f"{what}.y", noncanonical=NonCanonicalCoordinate),
    )


def _time_from_json(obj: object, name: str) -> int:
    if type(obj) is not int:
        raise InvalidEncoding(f"{name} must be a JSON integer of Unix seconds")
    return _time(obj, name)


# --- messages and attestations ----------------------------------------------------------


def attestation_message(commitment: int, not_before: int, not_after: int) -> int:
    """Poseidon([ATTESTATION_DOMAIN, commitment, not_before, not_after]): what the issuer signs."""
    _field(commitment, "commitment")
    nb, na = _time(not_before, "not_before"), _time(not_after, "not_after")
    if nb > na:
        raise InvalidArgument(f"not_before ({nb}) is after not_after ({na})")
    return poseidon_hash([ATTESTATION_DOMAIN, commitment, nb, na])


@dataclass(frozen=True)
class Attestation:
    """An issuer's EdDSA-Poseidon signature over a history commitment and validity window.

    Validated on construction (key in the prime-order subgroup, canonical values, S < l);
    the signature itself is checked by `verify_attestation`.
    """

    issuer: Point
    commitment: int
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
        attestation_message(self.commitment, self.not_before, self.not_after)  # validates

    def message(self) -> int:
        """The signed field element (see `attestation_message`)."""
        return attestation_message(self.commitment, self.not_before, self.not_after)

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON form: field elements as decimal strings, times as integers."""
        return {
            "format": ATTESTATION_FORMAT,
            "version": _VERSION,
            "issuer": _point_json(self.issuer),
            "commitment": str(self.commitment),
            "not_before": self.not_before,
            "not_after": self.not_after,
            "signature": {"R8": _point_json(self.signature.R8), "S": str(self.signature.S)},
        }

    def to_json_bytes(self) -> bytes:
        """Canonical bytes (sorted keys, no whitespace): equal attestations, equal bytes."""
        return _canonical_json(self.to_json_dict())

    @classmethod
    def from_json_dict(cls, obj: object) -> Attestation:
        """Strict inverse of `to_json_dict` (exact keys, canonical decimals, known version)."""
        keys = {"format", "version", "issuer", "commitment", "not_before", "not_after", "signature"}
        d = _exact_keys(obj, keys, "attestation")
        _header(d, ATTESTATION_FORMAT, "attestation")
        sig = _exact_keys(d["signature"], {"R8", "S"}, "attestation signature")
        s = parse_decimal(
            sig["S"], SUBGROUP_ORDER, "signature S", noncanonical=NonCanonicalSignature
        )
        return cls(
            issuer=Point(*_point_from_json(d["issuer"], "issuer")),
            commitment=parse_decimal(d["commitment"], _R, "commitment"),
            not_before=_time_from_json(d["not_before"], "not_before"),
            not_after=_time_from_json(d["not_after"], "not_after"),
            signature=eddsa.Signature(Point(*_point_from_json(sig["R8"], "signature R8")), s),
        )

    @classmethod
    def from_json(cls, data: bytes | str) -> Attestation:
        """Parse attestation JSON text (duplicate keys, NaN and deep nesting refused)."""
        return cls.from_json_dict(loads_strict(data))


def _canonical_json(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def issue_attestation(
    issuer_private_key: bytes, commitment: int, not_before: int, not_after: int
) -> Attestation:
    """Sign ``commitment`` for the window [not_before, not_after] with the issuer's key."""
    msg = attestation_message(commitment, not_before, not_after)
    signature = eddsa.sign_poseidon(issuer_private_key, msg)
    return Attestation(
        issuer=eddsa.prv2pub(issuer_private_key),
        commitment=commitment,
        not_before=not_before,
        not_after=not_after,
        signature=signature,
    )


def verify_attestation(att: Attestation, as_of: int) -> None:
    """Check the signature and that ``as_of`` lies in [not_before, not_after] (inclusive).

    Returns None; raises `InvalidSignature` (bad signature), `AttestationOutsideWindow`
    (expired or not yet valid) or a `MalformedInput` subclass. Registry membership is
    checked separately (`IssuerRegistry.require`).
    """
    if not isinstance(att, Attestation):
        raise InvalidArgument(f"expected an Attestation, got {type(att).__name__}")
    as_of = _time(as_of, "as_of")
    eddsa.verify_poseidon(att.issuer, att.message(), att.signature)
    if as_of < att.not_before:
        raise AttestationOutsideWindow(
            f"the attestation is not valid before {att.not_before} (as_of = {as_of})"
        )
    if as_of > att.not_after:
        raise AttestationOutsideWindow(
            f"the attestation expired at {att.not_after} (as_of = {as_of})"
        )


# --- the registry -----------------------------------------------------------------------


def issuer_leaf(key: tuple[int, int]) -> int:
    """Poseidon([A.x, A.y]) of a key that passes `eddsa.check_issuer_key`."""
    pt = eddsa.check_issuer_key(key)
    return poseidon_hash([pt.x, pt.y])


class IssuerRegistry:
    """A depth-8 Poseidon Merkle tree of trusted issuer keys (slot i holds `issuer_leaf`).

    `add` puts a key in the lowest free slot, `revoke` empties its slot; both return the
    new `root`. Not thread-safe: one writer at a time.
    """

    def __init__(self) -> None:
        self._slots: list[Point | None] = [None] * (1 << REGISTRY_DEPTH)
        self._leaves: list[int] = [0] * (1 << REGISTRY_DEPTH)

    @property
    def depth(self) -> int:
        return REGISTRY_DEPTH

    @property
    def root(self) -> int:
        """The Merkle root a lender pins in its policy and challenges."""
        return merkle_root(self._leaves, REGISTRY_DEPTH)

    def keys(self) -> list[tuple[int, Point]]:
        """(slot, key) of every registered key, by slot."""
        return [(i, k) for i, k in enumerate(self._slots) if k is not None]

    def __len__(self) -> int:
        return sum(k is not None for k in self._slots)

    def _slot_of(self, key: tuple[int, int]) -> int | None:
        pt = validate_point(key)
        for i, k in enumerate(self._slots):
            if k == pt:
                return i
        return None

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 2:
            return False
        try:
            return self._slot_of(key) is not None
        except MalformedInput:  # not a curve point: certainly not registered
            return False

    def add(self, key: tuple[int, int]) -> int:
        """Admit ``key`` (refused unless it passes `eddsa.check_issuer_key`); the new root."""
        pt = eddsa.check_issuer_key(key)
        if self._slot_of(pt) is not None:
            raise InvalidArgument("the issuer key is already registered")
        try:
            slot = self._slots.index(None)
        except ValueError:
            raise Refused(f"the registry is full ({1 << REGISTRY_DEPTH} keys)") from None
        self._slots[slot] = pt
        self._leaves[slot] = issuer_leaf(pt)
        return self.root

    def revoke(self, key: tuple[int, int]) -> int:
        """Remove ``key`` (its leaf becomes 0); the new root. `IssuerNotRegistered` if absent."""
        slot = self._slot_of(key)
        if slot is None:
            raise IssuerNotRegistered("the issuer key is not in the registry")
        self._slots[slot] = None
        self._leaves[slot] = 0
        return self.root

    def require(self, key: tuple[int, int]) -> None:
        """Raise `IssuerNotRegistered` unless ``key`` is registered."""
        if self._slot_of(key) is None:
            raise IssuerNotRegistered("the issuer key is not in the registry")

    def path(self, key: tuple[int, int]) -> MerklePath:
        """The inclusion path of ``key``'s leaf (the circuit's private registry inputs)."""
        slot = self._slot_of(key)
        if slot is None:
            raise IssuerNotRegistered("the issuer key is not in the registry")
        return merkle_path(self._leaves, REGISTRY_DEPTH, slot)

    # --- files ---

    def to_json_dict(self) -> dict[str, Any]:
        """JSON form: the occupied slots and, as an integrity check, the root."""
        return {
            "format": REGISTRY_FORMAT,
            "version": _VERSION,
            "depth": REGISTRY_DEPTH,
            "issuers": [{"slot": i, "key": _point_json(k)} for i, k in self.keys()],
            "root": str(self.root),
        }

    @classmethod
    def from_json_dict(cls, obj: object) -> IssuerRegistry:
        """Strict inverse of `to_json_dict`; the stored root must match the keys."""
        d = _exact_keys(obj, {"format", "version", "depth", "issuers", "root"}, "registry")
        _header(d, REGISTRY_FORMAT, "registry")
        if type(d["depth"]) is not int or d["depth"] != REGISTRY_DEPTH:
            raise UnsupportedFormat(f"registry depth must be {REGISTRY_DEPTH}")
        issuers = d["issuers"]
        if not isinstance(issuers, list) or len(issuers) > 1 << REGISTRY_DEPTH:
            raise InvalidEncoding(f"registry issuers must be a list of at most 2^{REGISTRY_DEPTH}")
        reg = cls()
        for n, entry in enumerate(issuers):
            e = _exact_keys(entry, {"slot", "key"}, f"registry issuer #{n}")
            slot = e["slot"]
            if type(slot) is not int or not 0 <= slot < 1 << REGISTRY_DEPTH:
                raise InvalidEncoding(f"registry issuer #{n}: slot must be an int in [0, 256)")
            if reg._slots[slot] is not None:
                raise InvalidEncoding(f"registry issuer #{n}: slot {slot} is used twice")
            pt = eddsa.check_issuer_key(_point_from_json(e["key"], f"registry issuer #{n}"))
            if reg._slot_of(pt) is not None:
                raise InvalidEncoding(f"registry issuer #{n}: the key is listed twice")
            reg._slots[slot] = pt
            reg._leaves[slot] = issuer_leaf(pt)
        if parse_decimal(d["root"], _R, "registry root") != reg.root:
            raise InvalidEncoding("registry root does not match its keys (edited file?)")
        return reg

    def save(self, path: str | os.PathLike[str], *, replace: bool = False) -> None:
        """Write the registry JSON atomically (never over an existing file unless ``replace``)."""
        write_file_atomic(path, _canonical_json(self.to_json_dict()), replace=replace)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> IssuerRegistry:
        """Read a registry written by `save` (strict JSON, root checked)."""
        return cls.from_json_dict(read_json_file(path, "issuer registry"))

    @classmethod
    def of(cls, keys: Sequence[tuple[int, int]]) -> IssuerRegistry:
        """A registry holding ``keys`` in slots 0, 1, ..."""
        reg = cls()
        for k in keys:
            reg.add(k)
        return reg


# --- issuer key files -------------------------------------------------------------------


def generate_issuer_key() -> bytes:
    """A fresh 32-byte EdDSA-Poseidon private key from the OS's randomness."""
    return eddsa.generate_private_key()


def save_issuer_key(
    path: str | os.PathLike[str], private_key: bytes, *, replace: bool = False
) -> Point:
    """Write the private key (hex) and its public key to a mode-0600 JSON file; the key."""
    public = eddsa.prv2pub(private_key)
    doc = {
        "format": ISSUER_KEY_FORMAT,
        "version": _VERSION,
        "private_key": bytes(private_key).hex(),
        "public_key": _point_json(public),
    }
    write_file_atomic(path, _canonical_json(doc), secret=True, replace=replace)
    return public


def load_issuer_key(path: str | os.PathLike[str]) -> bytes:
    """Read a key file written by `save_issuer_key`; the stored public key must match."""
    d = _exact_keys(
        read_json_file(path, "issuer key"),
        {"format", "version", "private_key", "public_key"},
        "issuer key",
    )
    _header(d, ISSUER_KEY_FORMAT, "issuer key")
    text = d["private_key"]
    if (
        not isinstance(text, str)
        or len(text) != 2 * eddsa.PRIVATE_KEY_BYTES
        or any(ch not in "0123456789abcdef" for ch in text)
    ):
        raise InvalidEncoding("issuer key: private_key must be 64 lowercase hex digits")
    private_key = bytes.fromhex(text)
    if tuple(_point_from_json(d["public_key"], "issuer key public_key")) != eddsa.prv2pub(
        private_key
    ):
        raise InvalidEncoding("issuer key: public_key does not belong to private_key")
    return private_key
