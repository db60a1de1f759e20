"""The lender's policy and the challenges it issues (docs/verifier.md).

Version 2 of both formats adds the freshness bound: the policy's ``max_attestation_age``
and the challenge's ``min_not_before = max(0, as_of - max_attestation_age)``, which the
threshold circuit compares with the attestation's private ``not_before``. A policy is
refused when the circuit could never satisfy it (thresholds, months, amounts out of the
widths the circuit range-checks).

Version 3 adds cross-lender exposure (issue 12): the policy's ``exposure_slots`` (the cap
k of lines per borrower and exposure epoch, shared by every lender on one exposure
registry) and ``exposure_epoch_seconds``; the challenge's ``exposure_epoch`` and
``exposure_slots``, which the circuit binds the slot nullifier to.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from zkcredit._canonical import (
    MAX_TIME,
    canonical_json,
    decimal_field,
    exact_keys,
    hex_bytes,
    plain_int,
    text,
)
from zkcredit._files import loads_strict
from zkcredit.circuits.credit_threshold import THRESHOLD_BITS  # type: ignore[import-not-found]
from zkcredit.credit.model import MONTHS_BITS
from zkcredit.decision import BN254_SCALAR_ORDER, MAX_TIER
from zkcredit.errors import InvalidArgument, InvalidEncoding, UnsupportedFormat
from zkcredit.exposure._nullifier import MAX_SLOTS
from zkcredit.exposure._nullifier import exposure_epoch as _exposure_epoch

from ._keys import lender_id

__all__ = [
    "CHALLENGE_FORMAT",
    "MAX_OUTSTANDING_BITS",
    "POLICY_FORMAT",
    "Challenge",
    "LenderPolicy",
]

CHALLENGE_FORMAT = "zkcredit-challenge"
POLICY_FORMAT = "zkcredit-lender-policy"
_NONCE_BITS = 248
_MAX_SECONDS = 2**32  # lifetimes, skews and epoch lengths: positive and below ~136 years
_VERSION = 3
#: The policy's amounts are u64 minor units (the circuit allows 2^OUTSTANDING_BITS).
MAX_OUTSTANDING_BITS = 64


def _header(obj: dict[str, Any], fmt: str, what: str) -> None:
    if obj["format"] != fmt:
        raise UnsupportedFormat(f"{what}: format must be {fmt!r}, got {obj['format']!r}")
    if type(obj["version"]) is not int or obj["version"] != _VERSION:
        raise UnsupportedFormat(
            f"{what}: unsupported version {obj['version']!r} (expected {_VERSION})"
        )


def _field_int(value: object, what: str) -> int:
    if type(value) is not int or not 0 <= value < BN254_SCALAR_ORDER:
        raise InvalidArgument(f"{what} must be an int field element in [0, r)")
    return value


def _seconds(value: object, what: str, lo: int = 1) -> int:
    if type(value) is not int or not lo <= value < _MAX_SECONDS:
        raise InvalidArgument(f"{what} must be an int number of seconds in [{lo}, 2^32)")
    return value


def _slots(value: object, what: str) -> int:
    if type(value) is not int or not 1 <= value <= MAX_SLOTS:
        raise InvalidArgument(f"{what} must be an int in [1, {MAX_SLOTS}] (the cap k)")
    return value


def _vk_hash(value: object, what: str) -> str:
    hex_bytes(value, 32, what)
    assert isinstance(value, str)
    return value


def _load(data: bytes | str | dict[str, Any], what: str) -> Any:
    return data if isinstance(data, dict) else loads_strict(data)


_CHALLENGE_KEYS = {
    "format", "version", "lender_id", "nonce", "registry_root", "model_id", "threshold",
    "no_default_months", "max_outstanding", "as_of", "min_not_before", "epoch", "issued_at",
    "expires_at", "circuit_id", "vk_hash", "exposure_epoch", "exposure_slots",
}
_CHALLENGE_DECIMALS = (
    "lender_id", "nonce", "registry_root", "model_id", "threshold", "no_default_months",
    "max_outstanding",
)
_CHALLENGE_TIMES = (
    "as_of", "min_not_before", "epoch", "issued_at", "expires_at", "exposure_epoch",
)


@dataclass(frozen=True, slots=True)
class Challenge:
    """What a lender asks a borrower to prove, bound to one fresh nonce and a lifetime."""

    lender_id: int
    nonce: int
    registry_root: int
    model_id: int
    threshold: int
    no_default_months: int
    max_outstanding: int
    as_of: int
    min_not_before: int
    epoch: int
    issued_at: int
    expires_at: int
    circuit_id: str
    vk_hash: str
    #: The shared exposure epoch the slot nullifier is for, and the cap k (slot < k).
    exposure_epoch: int
    exposure_slots: int

    def __post_init__(self) -> None:
        _slots(self.exposure_slots, "challenge exposure_slots")
        for name in _CHALLENGE_DECIMALS:
            _field_int(getattr(self, name), f"challenge {name}")
        for name in _CHALLENGE_TIMES:
            value = getattr(self, name)
            if type(value) is not int or not 0 <= value < MAX_TIME:
                raise InvalidArgument(f"challenge {name} must be an int in [0, 2^40)")
        if self.expires_at <= self.issued_at:
            raise InvalidArgument("challenge expires_at must be after issued_at")
        if self.min_not_before > self.as_of:
            raise InvalidArgument("challenge min_not_before must not be after as_of")
        text(self.circuit_id, "challenge circuit_id")
        _vk_hash(self.vk_hash, "challenge vk_hash")

    def to_json_dict(self) -> dict[str, Any]:
        """Field elements as decimal strings, times as ints."""
        out: dict[str, Any] = {"format": CHALLENGE_FORMAT, "version": _VERSION}
        for name in _CHALLENGE_DECIMALS:
            out[name] = str(getattr(self, name))
        for name in _CHALLENGE_TIMES:
            out[name] = getattr(self, name)
        out["circuit_id"] = self.circuit_id
        out["vk_hash"] = self.vk_hash
        out["exposure_slots"] = self.exposure_slots
        return out

    def to_json(self) -> bytes:
        """Canonical JSON bytes (the form the verifier stores and compares)."""
        return canonical_json(self.to_json_dict())

    @classmethod
    def from_json(cls, data: bytes | str | dict[str, Any]) -> Challenge:
        """Strict parse: exact keys, canonical decimals, duplicate keys refused (C7)."""
        obj = exact_keys(_load(data, "challenge"), _CHALLENGE_KEYS, "challenge")
        _header(obj, CHALLENGE_FORMAT, "challenge")
        fields: dict[str, Any] = {
            name: decimal_field(obj[name], f"challenge {name}") for name in _CHALLENGE_DECIMALS
        }
        for name in _CHALLENGE_TIMES:
            fields[name] = plain_int(obj[name], f"challenge {name}", 0, MAX_TIME)
        fields["circuit_id"] = text(obj["circuit_id"], "challenge circuit_id")
        fields["vk_hash"] = _vk_hash(obj["vk_hash"], "challenge vk_hash")
        fields["exposure_slots"] = plain_int(
            obj["exposure_slots"], "challenge exposure_slots", 1, MAX_SLOTS + 1
        )
        try:
            return cls(**fields)
        except InvalidArgument as exc:
            raise InvalidEncoding(str(exc)) from None


_POLICY_KEYS = {
    "format", "version", "lender_name", "lender_id", "verifying_keys", "registry_roots",
    "model_ids", "tiers", "max_as_of_skew", "challenge_lifetime", "epoch_seconds",
    "no_default_months", "max_outstanding", "decision_lifetime", "max_attestation_age",
    "exposure_slots", "exposure_epoch_seconds",
}


@dataclass(frozen=True)
class LenderPolicy:
    """What a lender accepts. Orders matter: the first verifying key, registry root and
    model are the ones new challenges name; the others stay accepted (rotation)."""

    lender_name: str
    #: vk_hash (sha256 hex of VerifyingKey.to_bytes()) -> circuit_id.
    verifying_keys: Mapping[str, str]
    registry_roots: Sequence[int]
    model_ids: Sequence[int]
    #: tier (1..255) -> minimum score threshold proven for it (< 2^16); thresholds distinct.
    tiers: Mapping[int, int]
    max_as_of_skew: int = 900  # keep >= challenge_lifetime, or late answers hit as-of-skew
    challenge_lifetime: int = 600
    epoch_seconds: int = 30 * 86_400
    no_default_months: int = 12
    max_outstanding: int = 2**64 - 1
    decision_lifetime: int = 30 * 86_400
    #: The oldest attestation accepted, in seconds before the challenge's as_of (C11).
    max_attestation_age: int = 30 * 86_400
    #: Lines one borrower may open per exposure epoch across every lender sharing the
    #: exposure registry (k), and that epoch's length: both must equal the registry's.
    exposure_slots: int = 4
    exposure_epoch_seconds: int = 30 * 86_400
    lender_id: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lender_id", lender_id(self.lender_name))
        if not isinstance(self.verifying_keys, Mapping) or not self.verifying_keys:
            raise InvalidArgument("a policy accepts at least one verifying key")
        vks = {
            _vk_hash(k, "policy vk_hash"): text(v, "policy circuit_id")
            for k, v in self.verifying_keys.items()
        }
        object.__setattr__(self, "verifying_keys", vks)
        for name in ("registry_roots", "model_ids"):
            values = tuple(_field_int(v, f"policy {name}") for v in getattr(self, name))
            if not values or len(set(values)) != len(values):
                raise InvalidArgument(f"policy {name}: at least one, no duplicates")
            object.__setattr__(self, name, values)
        if not isinstance(self.tiers, Mapping) or not self.tiers:
            raise InvalidArgument("a policy has at least one tier")
        tiers: dict[int, int] = {}
        for tier, threshold in sorted(self.tiers.items()):
            if type(tier) is not int or not 1 <= tier <= MAX_TIER:
                raise InvalidArgument(f"policy tier must be an int in [1, {MAX_TIER}]")
            if type(threshold) is not int or not 0 <= threshold < 1 << THRESHOLD_BITS:
                raise InvalidArgument(
                    f"policy threshold of tier {tier} must be an int in [0, 2^{THRESHOLD_BITS})"
                    f" (the circuit compares scores at {THRESHOLD_BITS} bits), got {threshold!r}"
                )
            tiers[tier] = threshold
        if len(set(tiers.values())) != len(tiers):
            raise InvalidArgument("policy tiers must have distinct thresholds")
        object.__setattr__(self, "tiers", tiers)
        _seconds(self.max_as_of_skew, "max_as_of_skew", 0)
        _seconds(self.challenge_lifetime, "challenge_lifetime")
        _seconds(self.epoch_seconds, "epoch_seconds")
        _seconds(self.decision_lifetime, "decision_lifetime")
        _seconds(self.max_attestation_age, "max_attestation_age")
        _seconds(self.exposure_epoch_seconds, "exposure_epoch_seconds")
        _slots(self.exposure_slots, "policy exposure_slots")
        months = self.no_default_months
        if type(months) is not int or not 0 <= months < 1 << MONTHS_BITS:
            raise InvalidArgument(
                f"no_default_months must be an int in [0, 2^{MONTHS_BITS}) (the circuit's "
                f"width), got {months!r}"
            )
        owed = self.max_outstanding
        if type(owed) is not int or not 0 <= owed < 1 << MAX_OUTSTANDING_BITS:
            raise InvalidArgument(
                f"max_outstanding must be an int in [0, 2^{MAX_OUTSTANDING_BITS}) minor units,"
                f" got {owed!r}"
            )

    def epoch(self, as_of: int) -> int:
        """The nullifier epoch of a time: ``as_of // epoch_seconds``."""
        return as_of // self.epoch_seconds

    def exposure_epoch(self, now: int) -> int:
        """The shared exposure epoch of a time: ``now // exposure_epoch_seconds``."""
        return _exposure_epoch(now, self.exposure_epoch_seconds)

    def tier_for(self, threshold: int) -> int | None:
        """The tier whose threshold is exactly ``threshold``, or None."""
        for tier, value in self.tiers.items():
            if value == threshold:
                return tier
        return None

    def challenge(
        self,
        tier: int,
        now: int,
        *,
        vk_hash: str | None = None,
        registry_root: int | None = None,
        model_id: int | None = None,
    ) -> Challenge:
        """A fresh challenge for ``tier`` at ``now`` with a 248-bit nonce from `secrets`.

        Register it with the verifier (`Verifier.challenge` does both) or it is refused.
        """
        if type(tier) is not int or tier not in self.tiers:
            raise InvalidArgument(f"tier {tier!r} is not in the policy's tier table")
        if type(now) is not int or not 0 < now < MAX_TIME - self.challenge_lifetime:
            raise InvalidArgument("now must be int Unix seconds in (0, 2^40 - lifetime)")
        vk = next(iter(self.verifying_keys)) if vk_hash is None else vk_hash
        if vk not in self.verifying_keys:
            raise InvalidArgument("vk_hash is not accepted by this policy")
        root = self.registry_roots[0] if registry_root is None else registry_root
        if root not in self.registry_roots:
            raise InvalidArgument("registry_root is not accepted by this policy")
        model = self.model_ids[0] if model_id is None else model_id
        if model not in self.model_ids:
            raise InvalidArgument("model_id is not accepted by this policy")
        nonce = 0
        while nonce == 0:
            nonce = secrets.randbits(_NONCE_BITS)
        return Challenge(
            lender_id=self.lender_id, nonce=nonce, registry_root=root, model_id=model,
            threshold=self.tiers[tier], no_default_months=self.no_default_months,
            max_outstanding=self.max_outstanding, as_of=now,
            min_not_before=max(0, now - self.max_attestation_age), epoch=self.epoch(now),
            issued_at=now, expires_at=now + self.challenge_lifetime,
            circuit_id=self.verifying_keys[vk], vk_hash=vk,
            exposure_epoch=self.exposure_epoch(now), exposure_slots=self.exposure_slots,
        )

    def to_json_dict(self) -> dict[str, Any]:
        """JSON form; field elements as decimal strings, seconds as ints."""
        return {
            "format": POLICY_FORMAT, "version": _VERSION,
            "lender_name": self.lender_name, "lender_id": str(self.lender_id),
            "verifying_keys": [
                {"vk_hash": k, "circuit_id": v} for k, v in self.verifying_keys.items()
            ],
            "registry_roots": [str(v) for v in self.registry_roots],
            "model_ids": [str(v) for v in self.model_ids],
            "tiers": [{"tier": t, "threshold": str(v)} for t, v in self.tiers.items()],
            "max_as_of_skew": self.max_as_of_skew,
            "challenge_lifetime": self.challenge_lifetime,
            "epoch_seconds": self.epoch_seconds,
            "no_default_months": self.no_default_months,
            "max_outstanding": str(self.max_outstanding),
            "decision_lifetime": self.decision_lifetime,
            "max_attestation_age": self.max_attestation_age,
            "exposure_slots": self.exposure_slots,
            "exposure_epoch_seconds": self.exposure_epoch_seconds,
        }

    def to_json(self) -> bytes:
        """Canonical JSON bytes."""
        return canonical_json(self.to_json_dict())

    @classmethod
    def from_json(cls, data: bytes | str | dict[str, Any]) -> LenderPolicy:
        """Strict parse; the stored lender_id must equal lender_id(lender_name)."""
        obj = exact_keys(_load(data, "policy"), _POLICY_KEYS, "policy")
        _header(obj, POLICY_FORMAT, "policy")

        def items(name: str) -> list[Any]:
            value = obj[name]
            if not isinstance(value, list):
                raise InvalidEncoding(f"policy {name}: expected a list")
            return value

        vks: dict[str, str] = {}
        for raw in items("verifying_keys"):
            entry = exact_keys(raw, {"vk_hash", "circuit_id"}, "policy verifying_keys")
            key = _vk_hash(entry["vk_hash"], "policy vk_hash")
            if key in vks:
                raise InvalidEncoding("policy verifying_keys: duplicate vk_hash")
            vks[key] = text(entry["circuit_id"], "policy circuit_id")
        tiers: dict[int, int] = {}
        for raw in items("tiers"):
            entry = exact_keys(raw, {"tier", "threshold"}, "policy tiers")
            tier = plain_int(entry["tier"], "policy tier", 1, MAX_TIER + 1)
            if tier in tiers:
                raise InvalidEncoding("policy tiers: duplicate tier")
            tiers[tier] = decimal_field(entry["threshold"], "policy threshold")
        try:
            policy = cls(
                lender_name=text(obj["lender_name"], "policy lender_name", 256),
                verifying_keys=vks,
                registry_roots=[decimal_field(v, "policy registry_roots")
                                for v in items("registry_roots")],
                model_ids=[decimal_field(v, "policy model_ids") for v in items("model_ids")],
                tiers=tiers,
                max_as_of_skew=obj["max_as_of_skew"],
                challenge_lifetime=obj["challenge_lifetime"],
                epoch_seconds=obj["epoch_seconds"],
                no_default_months=obj["no_default_months"],
                max_outstanding=decimal_field(obj["max_outstanding"], "policy max_outstanding"),
                decision_lifetime=obj["decision_lifetime"],
                max_attestation_age=obj["max_attestation_age"],
                exposure_slots=obj["exposure_slots"],
                exposure_epoch_seconds=obj["exposure_epoch_seconds"],
            )
        except InvalidArgument as exc:
            raise InvalidEncoding(f"policy: {exc}") from None
        if decimal_field(obj["lender_id"], "policy lender_id") != policy.lender_id:
            raise InvalidEncoding("policy lender_id does not match lender_id(lender_name)")
        return policy
