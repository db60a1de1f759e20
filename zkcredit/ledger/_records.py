"""The ledger as an issuer: tradeline records and the signed audit log of what it emitted.

Every full repayment, default and charge-off becomes a `Tradeline` — the shape a
borrower's credit history takes in. A `RecordSigner` signs each record (the credit layer
plugs in its EdDSA-on-Baby-Jubjub issuer; `Ed25519RecordSigner` is the stand-in). The
ledger also appends every emitted record to its own audit log: a hash chain whose links
are signed with the ledger's Ed25519 audit key, so anyone with the public key can check
exactly what the ledger vouched for and that nothing was removed or reordered.

Canonical bytes are RFC 8785 JCS for this restricted JSON (ASCII strings and ints only):
sorted keys, no whitespace.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from zkcredit.errors import AuditLogInvalid, InvalidEncoding

__all__ = [
    "AuditLogEntry",
    "Ed25519RecordSigner",
    "RecordSigner",
    "Tradeline",
    "canonical_json",
    "verify_audit_log",
]

TRADELINE_FORMAT = "zkcredit.tradeline"
_RECORD_DOMAIN = b"zkcredit/tradeline/v1\x00"
_LOG_DOMAIN = b"zkcredit/ledger-audit-log/v1\x00"
GENESIS = b"\x00" * 32


def canonical_json(obj: object) -> bytes:
    """JCS bytes for JSON made of ASCII strings, ints, lists and objects."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False).encode("ascii")


@dataclass(frozen=True, slots=True)
class Tradeline:
    """One closed credit episode of a line, as the ledger vouches for it.

    ``status`` is ``"repaid"``, ``"defaulted"`` or ``"charged_off"``; ``kind`` is
    ``"credit_line"``; money is minor units; ``borrower_id``/``lender_id`` are decimal
    field elements (as in `CreditDecision`).
    """

    line_id: int
    borrower_id: str
    lender_id: str
    opened_at: int
    closed_at: int
    amount: int
    repaid: int
    days_late: int
    status: str
    kind: str = "credit_line"

    def to_json_dict(self) -> dict[str, str | int]:
        return {
            "format": TRADELINE_FORMAT,
            "version": 1,
            "line_id": self.line_id,
            "borrower_id": self.borrower_id,
            "lender_id": self.lender_id,
            "opened_at": self.opened_at,
            "closed_at": self.closed_at,
            "amount": self.amount,
            "repaid": self.repaid,
            "days_late": self.days_late,
            "status": self.status,
            "kind": self.kind,
        }

    def canonical_bytes(self) -> bytes:
        return canonical_json(self.to_json_dict())

    @classmethod
    def from_canonical_bytes(cls, data: bytes) -> Tradeline:
        try:
            obj = json.loads(data)
        except ValueError as exc:
            raise InvalidEncoding("tradeline is not JSON") from exc
        if not isinstance(obj, dict) or obj.get("format") != TRADELINE_FORMAT or obj.get(
            "version"
        ) != 1:
            raise InvalidEncoding("not a version-1 zkcredit tradeline")
        rec = cls(
            line_id=obj["line_id"], borrower_id=obj["borrower_id"],
            lender_id=obj["lender_id"], opened_at=obj["opened_at"],
            closed_at=obj["closed_at"], amount=obj["amount"], repaid=obj["repaid"],
            days_late=obj["days_late"], status=obj["status"], kind=obj["kind"],
        )
        if rec.canonical_bytes() != data:
            raise InvalidEncoding("tradeline bytes are not canonical")
        return rec


@runtime_checkable
class RecordSigner(Protocol):
    """Signs tradeline records as their issuer.

    ``scheme`` names the signature scheme (``"ed25519"``; the credit layer's signer will
    say ``"eddsa-poseidon-babyjubjub"``) and ``public_key`` the issuer key bytes. The
    signer receives the typed record so a field-element signer can hash its fields.
    """

    @property
    def scheme(self) -> str: ...

    def public_key(self) -> bytes: ...

    def sign_record(self, record: Tradeline) -> bytes: ...


class Ed25519RecordSigner:
    """`RecordSigner` over Ed25519 (RFC 8032) of the record's canonical bytes."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key

    @property
    def scheme(self) -> str:
        return "ed25519"

    def public_key(self) -> bytes:
        return self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def sign_record(self, record: Tradeline) -> bytes:
        return self._key.sign(_RECORD_DOMAIN + record.canonical_bytes())

    @staticmethod
    def verify_record(public_key: bytes, record: Tradeline, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(
                signature, _RECORD_DOMAIN + record.canonical_bytes()
            )
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True, slots=True)
class AuditLogEntry:
    """One link of the ledger's signed audit log."""

    seq: int
    body: bytes  # canonical tradeline bytes
    record_scheme: str
    record_signature: bytes
    prev_hash: bytes
    log_signature: bytes

    def link_message(self) -> bytes:
        return link_message(self.seq, self.prev_hash, self.body, self.record_scheme,
                            self.record_signature)

    def link_hash(self) -> bytes:
        return hashlib.sha256(self.link_message()).digest()


def link_message(seq: int, prev_hash: bytes, body: bytes, scheme: str, record_sig: bytes) -> bytes:
    return (
        _LOG_DOMAIN
        + seq.to_bytes(8, "big")
        + prev_hash
        + hashlib.sha256(body).digest()
        + hashlib.sha256(scheme.encode("ascii")).digest()
        + hashlib.sha256(record_sig).digest()
    )


def verify_audit_log(entries: Iterable[AuditLogEntry], public_key: bytes) -> int:
    """Check the chain (seq 1, 2, …; each ``prev_hash`` the hash of the previous link) and
    every link signature under the ledger's Ed25519 audit key. Returns the entry count;
    raises `AuditLogInvalid` naming the first bad link."""
    key = Ed25519PublicKey.from_public_bytes(public_key)
    prev = GENESIS
    count = 0
    for expected_seq, entry in enumerate(entries, start=1):
        if entry.seq != expected_seq:
            raise AuditLogInvalid(f"audit log entry {expected_seq}: out of sequence")
        if entry.prev_hash != prev:
            raise AuditLogInvalid(f"audit log entry {entry.seq}: broken hash chain")
        try:
            key.verify(entry.log_signature, entry.link_message())
        except InvalidSignature:
            raise AuditLogInvalid(f"audit log entry {entry.seq}: bad signature") from None
        Tradeline.from_canonical_bytes(entry.body)
        prev = entry.link_hash()
        count += 1
    return count
