"""The registry of trusted issuer keys with their revocation lists, and issuer key files.

Lenders do not list issuers; they pin the root of an `IssuerRegistry`: a depth-8 Poseidon
Merkle tree whose leaves are ``issuer_leaf(A, R) = Poseidon([A.x, A.y, R])``, where ``R``
is the root of the issuer's latest signed `RevocationList` (the empty-list root if it has
published none); empty slots hold 0. Only keys passing `eddsa.check_issuer_key` are
admitted. Removing a key zeroes its leaf and applying a newer revocation list changes it;
either gives a new root, so lenders re-pin and proofs against the old root stop being
accepted.

Attestations themselves (the signed message, the file format, verification) are
`zkcredit.hazmat.attestation`, re-exported here; issuers sign through
`zkcredit.credit.issuance.Issuer`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from zkcredit._files import read_json_file, write_file_atomic
from zkcredit.errors import (
    InvalidArgument,
    InvalidEncoding,
    IssuerNotRegistered,
    MalformedInput,
    Refused,
    RevocationListOutdated,
    UnsupportedFormat,
)
from zkcredit.hazmat import eddsa
from zkcredit.hazmat.attestation import (
    ATTESTATION_DOMAIN,
    ATTESTATION_FORMAT,
    MAX_TIME,
    Attestation,
    attestation_message,
    canonical_json,
    check_header,
    exact_keys,
    point_from_json,
    point_json,
    verify_attestation,
)
from zkcredit.hazmat.babyjub import FIELD_MODULUS, Point, validate_point
from zkcredit.hazmat.encoding import parse_decimal
from zkcredit.hazmat.poseidon import MerklePath, merkle_path, merkle_root, poseidon_hash

from .revocation import (
    NonRevocationWitness,
    RevocationList,
    empty_revocation_root,
    empty_revocation_tree,
)

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
    "issuer_leaf",
    "load_issuer_key",
    "save_issuer_key",
    "verify_attestation",
]

REGISTRY_FORMAT = "zkcredit-issuer-registry"
ISSUER_KEY_FORMAT = "zkcredit-issuer-key"
_REGISTRY_VERSION = 2
_KEY_VERSION = 1

REGISTRY_DEPTH = 8
"""The registry holds up to 2^8 = 256 issuer keys."""

_R = FIELD_MODULUS  # Baby Jubjub's base field is the BN254 scalar field r


# --- the registry -----------------------------------------------------------------------


def issuer_leaf(key: tuple[int, int], revocation_root: int | None = None) -> int:
    """``Poseidon([A.x, A.y, revocation_root])`` of a key passing `eddsa.check_issuer_key`
    (``revocation_root`` defaults to the empty list's root)."""
    pt = eddsa.check_issuer_key(key)
    root = empty_revocation_root() if revocation_root is None else revocation_root
    return poseidon_hash([pt.x, pt.y, root])


class IssuerRegistry:
    """A depth-8 Poseidon Merkle tree of trusted issuer keys and their revocation lists.

    `add` puts a key in the lowest free slot, `remove` empties its slot,
    `apply_revocations` installs a newer signed list; each returns the new `root`. Not
    thread-safe: one writer at a time.
    """

    def __init__(self) -> None:
        self._slots: list[Point | None] = [None] * (1 << REGISTRY_DEPTH)
        self._lists: dict[int, RevocationList] = {}
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

    def _require_slot(self, key: tuple[int, int]) -> int:
        slot = self._slot_of(key)
        if slot is None:
            raise IssuerNotRegistered("the issuer key is not in the registry")
        return slot

    def _set_leaf(self, slot: int) -> None:
        pt = self._slots[slot]
        rl = self._lists.get(slot)
        self._leaves[slot] = 0 if pt is None else issuer_leaf(
            pt, rl.tree.root if rl is not None else None
        )

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
        self._set_leaf(slot)
        return self.root

    def remove(self, key: tuple[int, int]) -> int:
        """Remove ``key`` and its revocation list (its leaf becomes 0); the new root."""
        slot = self._require_slot(key)
        self._slots[slot] = None
        self._lists.pop(slot, None)
        self._set_leaf(slot)
        return self.root

    def apply_revocations(self, revocations: RevocationList) -> int:
        """Install the issuer's signed list if newer than the one held; the new root.

        Raises `InvalidSignature` (not signed by that issuer), `IssuerNotRegistered`, or
        `RevocationListOutdated` (published_at not after the held list's: a replay).
        """
        if not isinstance(revocations, RevocationList):
            raise InvalidArgument("expected a RevocationList")
        slot = self._require_slot(revocations.issuer)
        revocations.verify()
        held = self._lists.get(slot)
        if held is not None and revocations.published_at <= held.published_at:
            raise RevocationListOutdated(
                f"the registry holds a list published at {held.published_at}; this one is "
                f"from {revocations.published_at}"
            )
        self._lists[slot] = revocations
        self._set_leaf(slot)
        return self.root

    def revocations(self, key: tuple[int, int]) -> RevocationList | None:
        """The issuer's applied revocation list (None if it has published none)."""
        return self._lists.get(self._require_slot(key))

    def require(self, key: tuple[int, int]) -> None:
        """Raise `IssuerNotRegistered` unless ``key`` is registered."""
        self._require_slot(key)

    def path(self, key: tuple[int, int]) -> MerklePath:
        """The inclusion path of ``key``'s leaf (the circuit's private registry inputs)."""
        return merkle_path(self._leaves, REGISTRY_DEPTH, self._require_slot(key))

    def non_revocation(self, attestation: Attestation) -> NonRevocationWitness:
        """The witness that ``attestation`` is not revoked by its issuer's applied list.

        Raises `IssuerNotRegistered` or `AttestationRevoked`.
        """
        rl = self._lists.get(self._require_slot(attestation.issuer))
        tree = rl.tree if rl is not None else empty_revocation_tree()
        return tree.witness(attestation.revocation_id)

    # --- files ---

    def to_json_dict(self) -> dict[str, Any]:
        """JSON form: the occupied slots with their revocation lists and, as an integrity
        check, the root."""
        return {
            "format": REGISTRY_FORMAT,
            "version": _REGISTRY_VERSION,
            "depth": REGISTRY_DEPTH,
            "issuers": [
                {
                    "slot": i,
                    "key": point_json(k),
                    "revocations": (
                        self._lists[i].to_json_dict() if i in self._lists else None
                    ),
                }
                for i, k in self.keys()
            ],
            "root": str(self.root),
        }

    @classmethod
    def from_json_dict(cls, obj: object) -> IssuerRegistry:
        """Strict inverse of `to_json_dict`; lists are re-verified and the stored root must
        match."""
        d = exact_keys(obj, {"format", "version", "depth", "issuers", "root"}, "registry")
        check_header(d, REGISTRY_FORMAT, _REGISTRY_VERSION, "registry")
        if type(d["depth"]) is not int or d["depth"] != REGISTRY_DEPTH:
            raise UnsupportedFormat(f"registry depth must be {REGISTRY_DEPTH}")
        issuers = d["issuers"]
        if not isinstance(issuers, list) or len(issuers) > 1 << REGISTRY_DEPTH:
            raise InvalidEncoding(f"registry issuers must be a list of at most 2^{REGISTRY_DEPTH}")
        reg = cls()
        for n, entry in enumerate(issuers):
            e = exact_keys(entry, {"slot", "key", "revocations"}, f"registry issuer #{n}")
            slot = e["slot"]
            if type(slot) is not int or not 0 <= slot < 1 << REGISTRY_DEPTH:
                raise InvalidEncoding(f"registry issuer #{n}: slot must be an int in [0, 256)")
            if reg._slots[slot] is not None:
                raise InvalidEncoding(f"registry issuer #{n}: slot {slot} is used twice")
            pt = eddsa.check_issuer_key(point_from_json(e["key"], f"registry issuer #{n}"))
            if reg._slot_of(pt) is not None:
                raise InvalidEncoding(f"registry issuer #{n}: the key is listed twice")
            reg._slots[slot] = pt
            if e["revocations"] is not None:
                rl = RevocationList.from_json_dict(e["revocations"])
                if rl.issuer != pt:
                    raise InvalidEncoding(
                        f"registry issuer #{n}: the revocation list is another issuer's"
                    )
                rl.verify()
                reg._lists[slot] = rl
            reg._set_leaf(slot)
        if parse_decimal(d["root"], _R, "registry root") != reg.root:
            raise InvalidEncoding("registry root does not match its keys (edited file?)")
        return reg

    def save(self, path: str | os.PathLike[str], *, replace: bool = False) -> None:
        """Write the registry JSON atomically (never over an existing file unless ``replace``)."""
        write_file_atomic(path, canonical_json(self.to_json_dict()), replace=replace)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> IssuerRegistry:
        """Read a registry written by `save` (strict JSON, lists verified, root checked)."""
        return cls.from_json_dict(read_json_file(path, "issuer registry"))

    @classmethod
    def of(cls, keys: Sequence[tuple[int, int]]) -> IssuerRegistry:
        """A registry holding ``keys`` in slots 0, 1, ... (no revocation lists)."""
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
        "version": _KEY_VERSION,
        "private_key": bytes(private_key).hex(),
        "public_key": point_json(public),
    }
    write_file_atomic(path, canonical_json(doc), secret=True, replace=replace)
    return public


def load_issuer_key(path: str | os.PathLike[str]) -> bytes:
    """Read a key file written by `save_issuer_key`; the stored public key must match."""
    d = exact_keys(
        read_json_file(path, "issuer key"),
        {"format", "version", "private_key", "public_key"},
        "issuer key",
    )
    check_header(d, ISSUER_KEY_FORMAT, _KEY_VERSION, "issuer key")
    text = d["private_key"]
    if (
        not isinstance(text, str)
        or len(text) != 2 * eddsa.PRIVATE_KEY_BYTES
        or any(ch not in "0123456789abcdef" for ch in text)
    ):
        raise InvalidEncoding("issuer key: private_key must be 64 lowercase hex digits")
    private_key = bytes.fromhex(text)
    if tuple(point_from_json(d["public_key"], "issuer key public_key")) != eddsa.prv2pub(
        private_key
    ):
        raise InvalidEncoding("issuer key: public_key does not belong to private_key")
    return private_key
