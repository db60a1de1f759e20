"""`Verifier`: turns a presentation answering one of this lender's challenges into a
`CreditDecision`, or refuses it with a stable reason code (docs/verifier.md)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from zkcredit.decision import CreditDecision
from zkcredit.errors import (
    InvalidArgument,
    InvalidProof,
    MalformedInput,
    PresentationRefused,
)
from zkcredit.hazmat import groth16
from zkcredit.hazmat.groth16 import PreparedVerifyingKey, VerifyingKey

from ._canonical import MAX_TIME
from ._challenge import Challenge, LenderPolicy
from ._ed25519 import verify_ed25519_strict
from ._keys import borrower_key_hash
from ._presentation import PUBLIC_SIGNALS, Presentation
from ._store import VerifierStore

__all__ = ["REASONS", "Verifier", "vk_hash"]

#: Every reason code `Verifier.verify` can refuse with, in check order (docs/verifier.md).
REASONS = (
    "malformed",
    "unknown-challenge",
    "challenge-expired",
    "vk-not-accepted",
    "circuit-mismatch",
    "lender-mismatch",
    "nonce-mismatch",
    "as-of-mismatch",
    "as-of-skew",
    "epoch-mismatch",
    "model-not-accepted",
    "threshold-not-accepted",
    "registry-not-accepted",
    "attestation-stale",
    "predicate-mismatch",
    "key-hash-mismatch",
    "bad-signature",
    "nullifier-reused",
    "proof-invalid",
    "nonce-reused",
)


def vk_hash(vk: VerifyingKey) -> str:
    """sha256 hex of the key's canonical bytes: how policies and presentations name a key."""
    return hashlib.sha256(vk.to_bytes()).hexdigest()


def _refuse(reason: str, message: str) -> PresentationRefused:
    assert reason in REASONS
    return PresentationRefused(reason, message)


class Verifier:
    """What a lender embeds: a policy, the verifying keys it accepts, and a replay store."""

    def __init__(
        self,
        policy: LenderPolicy,
        verifying_keys: Mapping[str, VerifyingKey],
        store: VerifierStore,
    ) -> None:
        if not isinstance(policy, LenderPolicy):
            raise InvalidArgument("policy must be a LenderPolicy")
        if not isinstance(store, VerifierStore):
            raise InvalidArgument("store must implement VerifierStore")
        self.policy = policy
        self.store = store
        self._keys: dict[str, PreparedVerifyingKey] = {}
        for name, vk in verifying_keys.items():
            if not isinstance(vk, VerifyingKey) or vk_hash(vk) != name:
                raise InvalidArgument(f"verifying key {name[:16]}...: hash does not match")
            if vk.curve != "bn254" or vk.n_public != len(PUBLIC_SIGNALS):
                raise InvalidArgument(
                    f"verifying key {name[:16]}...: expected bn254 with "
                    f"{len(PUBLIC_SIGNALS)} public inputs"
                )
            self._keys[name] = groth16.prepare_verifying_key(vk)
        if not set(policy.verifying_keys) <= set(self._keys):
            raise InvalidArgument("every key the policy accepts must be supplied")

    def challenge(self, tier: int, now: int, **choices: Any) -> Challenge:
        """Issue a fresh challenge (`LenderPolicy.challenge`) and remember it in the store."""
        challenge = self.policy.challenge(tier, now, **choices)
        self.store.record_challenge(challenge.lender_id, challenge.nonce, challenge.to_json())
        return challenge

    def verify(
        self,
        presentation: Presentation | bytes | str | dict[str, Any],
        challenge: Challenge | bytes | str | dict[str, Any],
        now: int,
    ) -> CreditDecision:
        """The decision for ``presentation`` answering ``challenge`` at ``now``, or raise
        `PresentationRefused` with the first failed check's reason (order: docs)."""
        if type(now) is not int or not 0 < now < MAX_TIME:
            raise InvalidArgument("now must be int Unix seconds in (0, 2^40)")
        policy = self.policy
        # 1. parse (nothing is looked up before every value is canonical: C6)
        try:
            p = presentation if isinstance(presentation, Presentation) else (
                Presentation.from_json(presentation))
            ch = challenge if isinstance(challenge, Challenge) else Challenge.from_json(challenge)
        except MalformedInput as exc:
            raise _refuse("malformed", str(exc)) from exc
        # 2. the challenge is one this verifier issued, unexpired
        if ch.lender_id != policy.lender_id:
            raise _refuse("unknown-challenge", "the challenge was issued for another lender")
        if self.store.get_challenge(policy.lender_id, ch.nonce) != ch.to_json():
            raise _refuse("unknown-challenge", "this verifier did not issue this challenge")
        if now >= ch.expires_at:
            raise _refuse("challenge-expired", f"the challenge expired at {ch.expires_at}")
        # 3. the verifying key and circuit
        pvk = self._keys.get(p.vk_hash)
        if p.vk_hash not in policy.verifying_keys or pvk is None:
            raise _refuse("vk-not-accepted", "the policy does not accept this verifying key")
        if policy.verifying_keys[p.vk_hash] != p.circuit_id:
            raise _refuse("circuit-mismatch", "the circuit id does not match the key's")
        if (p.vk_hash, p.circuit_id) != (ch.vk_hash, ch.circuit_id):
            raise _refuse("circuit-mismatch", "the challenge asked for another circuit or key")
        # 4. every public signal equals what the challenge and the policy require
        self._check_signals(p, ch, now)
        # 5. the borrower key is the one bound in the proof
        key_hash = p.signal("borrower_key_hash")
        if borrower_key_hash(p.borrower_key) != key_hash:
            raise _refuse("key-hash-mismatch", "the proof is bound to another borrower key")
        # 6. the borrower signed exactly this bundle (domain, circuit, key hash, signals, proof)
        try:
            verify_ed25519_strict(p.borrower_key, p.signature, p.signing_bytes())
        except (MalformedInput, InvalidProof) as exc:
            raise _refuse("bad-signature", str(exc)) from exc
        # 7. cheap replay check before the pairing (the atomic one is step 9)
        nullifier = p.signal("nullifier")
        if self.store.nullifier_used(policy.lender_id, nullifier):
            raise _refuse("nullifier-reused", "this nullifier was already presented")
        # 8. the proof
        try:
            ok = groth16.verify(pvk, list(p.public_signals), p.proof)
        except MalformedInput as exc:
            raise _refuse("proof-invalid", str(exc)) from exc
        if not ok:
            raise _refuse("proof-invalid", "the Groth16 proof does not verify")
        # 9. consume the nonce and record the nullifier, atomically
        self.store.consume(policy.lender_id, ch.nonce, nullifier, ch.epoch, now)
        threshold = p.signal("threshold")
        tier = policy.tier_for(threshold)
        assert tier is not None  # checked in step 4
        return CreditDecision(
            borrower_id=key_hash, tier=tier, threshold=threshold,
            model_id=p.signal("model_id"), lender_id=policy.lender_id, nullifier=nullifier,
            expires_at=now + policy.decision_lifetime,
        )

    def _check_signals(self, p: Presentation, ch: Challenge, now: int) -> None:
        policy = self.policy
        s = p.signal
        if s("lender_id") != ch.lender_id:
            raise _refuse("lender-mismatch", "the proof was made for another lender")
        if s("nonce") != ch.nonce:
            raise _refuse("nonce-mismatch", "the proof answers another challenge's nonce")
        as_of = s("as_of")
        if as_of != ch.as_of:
            raise _refuse("as-of-mismatch", "the proof's as_of is not the challenge's")
        if abs(now - as_of) > policy.max_as_of_skew:
            raise _refuse("as-of-skew", f"as_of is more than {policy.max_as_of_skew}s from now")
        if s("epoch") != ch.epoch or s("epoch") != policy.epoch(as_of):
            raise _refuse("epoch-mismatch", "the nullifier epoch is not the current one")
        if s("model_id") != ch.model_id or s("model_id") not in policy.model_ids:
            raise _refuse("model-not-accepted", "the score model is not accepted")
        if s("threshold") != ch.threshold or policy.tier_for(s("threshold")) is None:
            raise _refuse("threshold-not-accepted", "the threshold is not in the tier table")
        if s("registry_root") != ch.registry_root or (
            s("registry_root") not in policy.registry_roots
        ):
            raise _refuse("registry-not-accepted", "the issuer registry root is not accepted")
        if s("min_not_before") < ch.min_not_before:
            raise _refuse(
                "attestation-stale",
                f"the proof accepts attestations from {s('min_not_before')}; the challenge "
                f"requires not_before >= {ch.min_not_before}",
            )
        if s("min_not_before") != ch.min_not_before:
            raise _refuse("predicate-mismatch", "min_not_before is not the challenge's")
        for name in ("no_default_months", "max_outstanding"):
            if s(name) != getattr(ch, name) or s(name) != getattr(policy, name):
                raise _refuse("predicate-mismatch", f"{name} is not the policy's")
