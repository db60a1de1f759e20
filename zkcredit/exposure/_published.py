"""`PublishedClaims`: one exposure epoch's claimed slot nullifiers as a file, which a
wallet downloads whole and checks its own slots against locally, so the registry never
learns which nullifiers are the wallet's (docs/exposure.md)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from zkcredit._canonical import canonical_json, decimal_field, exact_keys, plain_int
from zkcredit._files import loads_strict
from zkcredit.errors import InvalidEncoding, UnsupportedFormat

__all__ = ["CLAIMS_FORMAT", "PublishedClaims"]

CLAIMS_FORMAT = "zkcredit-exposure-claims"
_VERSION = 1
_KEYS = {"format", "version", "epoch", "slot_nullifiers"}


@dataclass(frozen=True)
class PublishedClaims:
    """The slot nullifiers claimed in ``epoch`` when the file was made."""

    epoch: int
    slot_nullifiers: frozenset[int]

    @classmethod
    def of(cls, epoch: int, nullifiers: Iterable[int]) -> PublishedClaims:
        return cls(epoch, frozenset(nullifiers))

    def to_json(self) -> bytes:
        """Canonical JSON: nullifiers as sorted decimal strings."""
        return canonical_json({
            "format": CLAIMS_FORMAT, "version": _VERSION, "epoch": self.epoch,
            "slot_nullifiers": [str(n) for n in sorted(self.slot_nullifiers)],
        })

    @classmethod
    def from_json(cls, data: bytes | str | dict[str, Any]) -> PublishedClaims:
        """Strict parse: exact keys, canonical decimals below r, no repeats."""
        obj = exact_keys(data if isinstance(data, dict) else loads_strict(data), _KEYS,
                         "exposure claims")
        if obj["format"] != CLAIMS_FORMAT or obj["version"] != _VERSION:
            raise UnsupportedFormat(
                f"exposure claims: expected {CLAIMS_FORMAT!r} version {_VERSION}, got "
                f"{obj['format']!r} version {obj['version']!r}")
        epoch = plain_int(obj["epoch"], "exposure claims epoch", 0, 1 << 40)
        raw = obj["slot_nullifiers"]
        if not isinstance(raw, list):
            raise InvalidEncoding("exposure claims slot_nullifiers: expected a list")
        values = [decimal_field(v, "exposure claims slot_nullifier") for v in raw]
        if len(set(values)) != len(values):
            raise InvalidEncoding("exposure claims: a slot nullifier is listed twice")
        return cls(epoch, frozenset(values))
