"""`CreditDecision`: what a verified threshold proof means to a lender.

The verifier turns an accepted presentation into one of these; the ledger turns it into a
credit line. Field elements (borrower id, model id, lender id, nullifier) are Python ints
in ``[0, r)`` for the BN254 scalar field — never floats, never reduced silently. The
object is frozen and validated on construction, so a ledger can trust any instance it is
handed to be well-formed (it still checks expiry and nullifier reuse itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zkcredit.errors import InvalidEncoding, MalformedInput

__all__ = ["BN254_SCALAR_ORDER", "MAX_TIER", "CreditDecision"]

#: The BN254 scalar-field order r: every field element is in ``[0, r)``.
BN254_SCALAR_ORDER = (
    21888242871839275222246405745257275088548364400416034343698204186575808495617
)
#: Tiers are small integers; 0 means "no proof" in the default ledger tier table.
MAX_TIER = 255
_MAX_TIME = 2**63 - 1


def _field(name: str, value: object) -> int:
    if type(value) is not int:
        raise MalformedInput(f"{name} must be an int field element, got {type(value).__name__}")
    if not 0 <= value < BN254_SCALAR_ORDER:
        raise MalformedInput(f"{name} must be in [0, r) of BN254; got a value out of range")
    return value


@dataclass(frozen=True, slots=True)
class CreditDecision:
    """A verified "score ≥ threshold under model M" for one borrower, lender and nullifier.

    Attributes:
        borrower_id: field element naming the borrower (holder key / commitment).
        tier: the tier the proven threshold maps to under the lender's policy (0..255).
        threshold: the proven score threshold (a field element, usually small).
        model_id: field element naming the scoring model / circuit.
        lender_id: field element naming the lender whose challenge the proof answered.
        nullifier: field element; the replay key. One line per (lender, nullifier).
        expires_at: Unix seconds after which the decision no longer supports draws.
        slot_nullifier: field element; the lender-independent exposure slot the line
            spends (claimed in the shared exposure registry, issue 12).
        exposure_epoch: the shared exposure epoch the slot belongs to.
    """

    borrower_id: int
    tier: int
    threshold: int
    model_id: int
    lender_id: int
    nullifier: int
    expires_at: int
    slot_nullifier: int
    exposure_epoch: int

    def __post_init__(self) -> None:
        for name in ("borrower_id", "threshold", "model_id", "lender_id", "nullifier",
                     "slot_nullifier"):
            _field(name, getattr(self, name))
        if type(self.tier) is not int or not 0 <= self.tier <= MAX_TIER:
            raise MalformedInput(f"tier must be an int in [0, {MAX_TIER}]")
        if type(self.expires_at) is not int or not 0 < self.expires_at <= _MAX_TIME:
            raise MalformedInput("expires_at must be an int of Unix seconds in (0, 2^63)")
        if type(self.exposure_epoch) is not int or not 0 <= self.exposure_epoch < 2**40:
            raise MalformedInput("exposure_epoch must be an int in [0, 2^40)")

    def to_json_dict(self) -> dict[str, str | int]:
        """Field elements as decimal strings (snarkjs convention); tier and time as ints."""
        return {
            "borrower_id": str(self.borrower_id),
            "tier": self.tier,
            "threshold": str(self.threshold),
            "model_id": str(self.model_id),
            "lender_id": str(self.lender_id),
            "nullifier": str(self.nullifier),
            "expires_at": self.expires_at,
            "slot_nullifier": str(self.slot_nullifier),
            "exposure_epoch": self.exposure_epoch,
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> CreditDecision:
        """Inverse of `to_json_dict`; rejects missing/extra keys and non-canonical decimals."""
        expected = {
            "borrower_id", "tier", "threshold", "model_id", "lender_id", "nullifier",
            "expires_at", "slot_nullifier", "exposure_epoch",
        }
        if not isinstance(data, dict) or set(data) != expected:
            raise InvalidEncoding(f"a credit decision has exactly the keys {sorted(expected)}")

        def dec(name: str) -> int:
            text = data[name]
            if not isinstance(text, str) or not text.isascii() or not text.isdigit():
                raise InvalidEncoding(f"{name} must be a decimal string")
            if len(text) > 78 or (len(text) > 1 and text[0] == "0"):
                raise InvalidEncoding(f"{name} is not a canonical decimal")
            return int(text)

        return cls(
            borrower_id=dec("borrower_id"),
            tier=data["tier"],
            threshold=dec("threshold"),
            model_id=dec("model_id"),
            lender_id=dec("lender_id"),
            nullifier=dec("nullifier"),
            expires_at=data["expires_at"],
            slot_nullifier=dec("slot_nullifier"),
            exposure_epoch=data["exposure_epoch"],
        )
