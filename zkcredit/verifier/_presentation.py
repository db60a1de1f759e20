"""The presentation a borrower hands a lender: proof, public signals, key and signature."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from zkcredit._canonical import canonical_json, decimal_field, exact_keys, hex_bytes, text
from zkcredit._files import loads_strict
from zkcredit.decision import BN254_SCALAR_ORDER
from zkcredit.errors import (
    InvalidArgument,
    InvalidEncoding,
    NonCanonicalScalar,
    UnsupportedFormat,
)
from zkcredit.hazmat.groth16 import Proof

__all__ = [
    "PRESENTATION_DOMAIN",
    "PRESENTATION_FORMAT",
    "PUBLIC_SIGNALS",
    "Presentation",
    "sign_presentation",
    "signing_bytes",
]

PRESENTATION_FORMAT = "zkcredit-presentation"
#: The domain tag inside the signed object; another tag is another protocol (C3).
PRESENTATION_DOMAIN = "zkcredit/presentation/v1"
#: The threshold circuit's public inputs, in order (circuits.credit_threshold).
PUBLIC_SIGNALS = (
    "registry_root", "model_id", "threshold", "as_of", "min_not_before", "lender_id",
    "epoch", "nonce", "nullifier", "borrower_key_hash", "no_default_months",
    "max_outstanding", "exposure_epoch", "exposure_slots", "slot_nullifier",
)
#: Version 3: fifteen public signals (v2 added min_not_before; v3 the exposure epoch, cap
#: and slot nullifier of the v3 threshold circuit).
_VERSION = 3
_KEYS = {
    "format", "version", "circuit_id", "vk_hash", "public_signals", "proof", "borrower_key",
    "signature",
}


def signing_bytes(
    circuit_id: str, vk_hash: str, public_signals: Sequence[int], proof: Proof
) -> bytes:
    """The canonical JSON bytes the borrower's Ed25519 key signs (contract §6).

    Built from the parsed values, so key order and whitespace in the received JSON do not
    change them (C7); the domain, circuit id, key hash, lender id and nonce are all inside.
    """
    return canonical_json({
        "domain": PRESENTATION_DOMAIN,
        "circuit_id": circuit_id,
        "vk_hash": vk_hash,
        "public_signals": [str(v) for v in public_signals],
        "proof": proof.to_snarkjs(),
    })


@dataclass(frozen=True, slots=True)
class Presentation:
    """A parsed, well-formed presentation. Nothing here is verified yet: see `Verifier`."""

    circuit_id: str
    vk_hash: str
    public_signals: tuple[int, ...]
    proof: Proof
    borrower_key: bytes
    signature: bytes

    def __post_init__(self) -> None:
        text(self.circuit_id, "presentation circuit_id")
        hex_bytes(self.vk_hash, 32, "presentation vk_hash")
        signals = tuple(self.public_signals)
        if len(signals) != len(PUBLIC_SIGNALS):
            raise InvalidArgument(f"a presentation has {len(PUBLIC_SIGNALS)} public signals")
        for name, value in zip(PUBLIC_SIGNALS, signals, strict=True):
            if type(value) is not int:
                raise InvalidArgument(f"public signal {name} must be an int")
            if not 0 <= value < BN254_SCALAR_ORDER:
                raise NonCanonicalScalar(f"public signal {name} is not in [0, r)")
        object.__setattr__(self, "public_signals", signals)
        if not isinstance(self.proof, Proof):
            raise InvalidArgument("presentation proof must be a groth16.Proof")
        for name, size in (("borrower_key", 32), ("signature", 64)):
            value = getattr(self, name)
            if not isinstance(value, bytes) or len(value) != size:
                raise InvalidEncoding(f"presentation {name} must be {size} bytes")

    def signal(self, name: str) -> int:
        """The public signal called ``name`` (see `PUBLIC_SIGNALS`)."""
        return self.public_signals[PUBLIC_SIGNALS.index(name)]

    def signing_bytes(self) -> bytes:
        """What `signature` must sign."""
        return signing_bytes(self.circuit_id, self.vk_hash, self.public_signals, self.proof)

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON object of contract §6."""
        return {
            "format": PRESENTATION_FORMAT, "version": _VERSION,
            "circuit_id": self.circuit_id, "vk_hash": self.vk_hash,
            "public_signals": [str(v) for v in self.public_signals],
            "proof": self.proof.to_snarkjs(),
            "borrower_key": self.borrower_key.hex(),
            "signature": self.signature.hex(),
        }

    def to_json(self) -> bytes:
        """Canonical JSON bytes."""
        return canonical_json(self.to_json_dict())

    @classmethod
    def from_json(cls, data: bytes | str | dict[str, Any]) -> Presentation:
        """Strict parse: exact keys, no duplicates (C7), 11 canonical signals (< r, C6),
        a validated snarkjs proof, hex key and signature of exact length."""
        obj = data if isinstance(data, dict) else loads_strict(data)
        obj = exact_keys(obj, _KEYS, "presentation")
        if obj["format"] != PRESENTATION_FORMAT:
            raise UnsupportedFormat(f"presentation: format must be {PRESENTATION_FORMAT!r}")
        if type(obj["version"]) is not int or obj["version"] != _VERSION:
            raise UnsupportedFormat(f"presentation: unsupported version {obj['version']!r}")
        signals = obj["public_signals"]
        if not isinstance(signals, list) or len(signals) != len(PUBLIC_SIGNALS):
            raise InvalidEncoding(
                f"presentation public_signals: expected a list of {len(PUBLIC_SIGNALS)}"
            )
        values = tuple(
            decimal_field(v, f"public signal {name}")
            for name, v in zip(PUBLIC_SIGNALS, signals, strict=True)
        )
        return cls(
            circuit_id=text(obj["circuit_id"], "presentation circuit_id"),
            vk_hash=hex_bytes(obj["vk_hash"], 32, "presentation vk_hash").hex(),
            public_signals=values,
            proof=Proof.from_snarkjs(obj["proof"]),
            borrower_key=hex_bytes(obj["borrower_key"], 32, "presentation borrower_key"),
            signature=hex_bytes(obj["signature"], 64, "presentation signature"),
        )


def sign_presentation(
    private_key: Ed25519PrivateKey,
    circuit_id: str,
    vk_hash: str,
    public_signals: Sequence[int],
    proof: Proof,
) -> Presentation:
    """Bundle a proof with the borrower's per-lender key and its signature over it."""
    if not isinstance(private_key, Ed25519PrivateKey):
        raise InvalidArgument("private_key must be an Ed25519PrivateKey")
    signals = tuple(public_signals)
    message = signing_bytes(circuit_id, vk_hash, signals, proof)
    return Presentation(
        circuit_id=circuit_id, vk_hash=vk_hash, public_signals=signals, proof=proof,
        borrower_key=private_key.public_key().public_bytes_raw(),
        signature=private_key.sign(message),
    )
