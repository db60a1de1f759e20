"""`Verifier`: turns a presentation answering one of this lender's challenges into a
`CreditDecision`, or refuses it with a stable reason code (docs/verifier.md)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias, runtime_checkable

from zkcredit._canonical import MAX_TIME
from zkcredit.decision import CreditDecision
from zkcredit.errors import (
    InvalidArgument,
    InvalidProof,
    MalformedInput,
    PresentationRefused,
    StorageError,
)
from zkcredit.hazmat import groth16
from zkcredit.hazmat.groth16 import PreparedVerifyingKey, VerifyingKey

from ._challenge import Challenge, LenderPolicy
from ._ed25519 import verify_ed25519_strict
from ._keys import borrower_key_hash
from ._presentation import PUBLIC_SIGNALS, Presentation
from ._store import MAX_BATCH, VerifierStore

__all__ = ["REASONS", "ExposureView", "Verifier", "vk_hash"]

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
    "exposure-mismatch",
    "key-hash-mismatch",
    "bad-signature",
    "nullifier-reused",
    "exposure-cap-reached",
    "proof-invalid",
    "nonce-reused",
)


@runtime_checkable
class ExposureView(Protocol):
    """What the verifier reads from the shared exposure registry (`ExposureRegistry`
    implements it): the cap, the epoch length, and whether a slot is already used."""

    @property
    def slots(self) -> int: ...

    @property
    def epoch_seconds(self) -> int: ...

    def is_claimed(self, slot_nullifier: int) -> bool: ...


def vk_hash(vk: VerifyingKey) -> str:
    """sha256 hex of the key's canonical bytes: how policies and presentations name a key."""
    return hashlib.sha256(vk.to_bytes()).hexdigest()


def _refuse(reason: str, message: str) -> PresentationRefused:
    assert reason in REASONS
    return PresentationRefused(reason, message)


#: What `verify` and `verify_many` take for a presentation / a challenge: parsed, or JSON.
PresentationInput: TypeAlias = Presentation | bytes | str | dict[str, Any]
ChallengeInput: TypeAlias = Challenge | bytes | str | dict[str, Any]


def _check_now(now: object) -> None:
    if type(now) is not int or not 0 < now < MAX_TIME:
        raise InvalidArgument("now must be int Unix seconds in (0, 2^40)")


def _check_items(items: object) -> list[tuple[Any, Any]]:
    """The shape of a `verify_many` call (the values themselves are checked per item, and a
    bad one is that item's `malformed` refusal, as in `verify`)."""
    if isinstance(items, str | bytes | dict) or not isinstance(items, Sequence):
        raise InvalidArgument("items must be a sequence of (presentation, challenge) pairs")
    if len(items) > MAX_BATCH:
        raise InvalidArgument(f"at most {MAX_BATCH} presentations per batch, got {len(items)}")
    pairs: list[tuple[Any, Any]] = []
    for i, item in enumerate(items):
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise InvalidArgument(f"item {i} must be a (presentation, challenge) pair")
        pairs.append((item[0], item[1]))
    return pairs


@dataclass(frozen=True, slots=True)
class _Checked:
    """A presentation that passed steps 1-7: what the pairing and the consume need."""

    index: int
    p: Presentation
    ch: Challenge
    pvk: PreparedVerifyingKey
    nullifier: int


class Verifier:
    """What a lender embeds: a policy, the verifying keys it accepts, and a replay store."""

    def __init__(
        self,
        policy: LenderPolicy,
        verifying_keys: Mapping[str, VerifyingKey],
        store: VerifierStore,
        *,
        exposure: ExposureView | None = None,
    ) -> None:
        """``exposure``: the shared exposure registry, read to refuse a used slot early
        (``exposure-cap-reached``); the ledger's claim is the authoritative check."""
        if not isinstance(policy, LenderPolicy):
            raise InvalidArgument("policy must be a LenderPolicy")
        if not isinstance(store, VerifierStore):
            raise InvalidArgument("store must implement VerifierStore")
        if exposure is not None:
            if not isinstance(exposure, ExposureView):
                raise InvalidArgument("exposure must provide slots, epoch_seconds, is_claimed")
            if (exposure.slots, exposure.epoch_seconds) != (
                policy.exposure_slots, policy.exposure_epoch_seconds
            ):
                raise InvalidArgument(
                    f"the exposure registry has k={exposure.slots} per "
                    f"{exposure.epoch_seconds}s epoch; the policy says k="
                    f"{policy.exposure_slots} per {policy.exposure_epoch_seconds}s"
                )
        self.policy = policy
        self.store = store
        self.exposure = exposure
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
        """Issue a fresh challenge (`LenderPolicy.challenge`) and remember it in the store,
        with its expiry so that `VerifierStore.prune` can forget it if it is never answered."""
        challenge = self.policy.challenge(tier, now, **choices)
        self.store.record_challenge(
            challenge.lender_id, challenge.nonce, challenge.to_json(),
            expires_at=challenge.expires_at,
        )
        return challenge

    def verify(
        self,
        presentation: PresentationInput,
        challenge: ChallengeInput,
        now: int,
    ) -> CreditDecision:
        """The decision for ``presentation`` answering ``challenge`` at ``now``, or raise
        `PresentationRefused` with the first failed check's reason (order: docs)."""
        _check_now(now)
        checked = self._precheck(presentation, challenge, now)  # steps 1-7
        refusal = self._proof_refusal(checked)  # 8
        if refusal is not None:
            raise refusal
        # 9. consume the nonce and record the nullifier, atomically
        self.store.consume(
            self.policy.lender_id, checked.ch.nonce, checked.nullifier, checked.ch.epoch, now
        )
        return self._decision(checked, now)

    def verify_many(
        self,
        items: Sequence[tuple[PresentationInput, ChallengeInput]],
        now: int,
    ) -> list[CreditDecision | PresentationRefused]:
        """One result per ``(presentation, challenge)`` pair, in input order: what `verify`
        called on each pair in that order would return or raise, with every accepted
        presentation recorded in ONE store transaction (one fsync for the SQLite store).

        Refusals are returned, not raised, and do not stop the batch. Two items of one batch
        with the same nullifier or the same challenge are refused exactly as sequential
        calls would refuse the second (`nullifier-reused`, `nonce-reused`). The pairings of
        the well-formed proofs are checked together (`groth16.batch_verify`, per key); if
        that fails each proof is checked alone to find the bad ones. A `StorageError` from
        the final transaction raises and records nothing of the batch. A malformed call
        (not a sequence of pairs, more than `MAX_BATCH` items, a bad ``now``) raises
        `InvalidArgument` before any work.
        """
        _check_now(now)
        pairs = _check_items(items)
        results: list[CreditDecision | PresentationRefused | None] = [None] * len(pairs)
        checked: list[_Checked] = []
        for i, (presentation, challenge) in enumerate(pairs):  # steps 1-7, in order
            try:
                checked.append(self._precheck(presentation, challenge, now, index=i))
            except PresentationRefused as refused:
                results[i] = refused
        proof_refusals = self._proof_refusals(checked)  # 8, batched
        valid = [c for c in checked if c.index not in proof_refusals]
        # 9. one transaction for the whole batch; the store sees the batch's own records,
        # so a second item with an accepted nullifier or nonce is refused as it would be
        # by a later `verify`. A batch refused entirely never takes the write lock.
        consumed = self.store.consume_many(
            self.policy.lender_id, [(c.ch.nonce, c.nullifier, c.ch.epoch) for c in valid], now
        ) if valid else []
        if len(consumed) != len(valid):
            raise StorageError("the store returned the wrong number of results")
        for c, outcome in zip(valid, consumed, strict=True):
            results[c.index] = outcome if outcome is not None else self._decision(c, now)
        # an invalid proof whose nullifier an EARLIER item of the batch got accepted is
        # refused at step 7 (nullifier-reused) by sequential `verify`, before its pairing
        accepted_at: dict[int, int] = {}
        for c in valid:
            if isinstance(results[c.index], CreditDecision):
                accepted_at.setdefault(c.nullifier, c.index)
        nullifier_of = {c.index: c.nullifier for c in checked}
        for index, bad_proof in proof_refusals.items():
            first = accepted_at.get(nullifier_of[index])
            results[index] = (
                _refuse("nullifier-reused", "this nullifier was already presented")
                if first is not None and first < index else bad_proof
            )
        out: list[CreditDecision | PresentationRefused] = []
        for result in results:
            assert result is not None
            out.append(result)
        return out

    def _precheck(
        self,
        presentation: PresentationInput,
        challenge: ChallengeInput,
        now: int,
        *,
        index: int = 0,
    ) -> _Checked:
        """Steps 1-7 of docs/verifier.md for one pair: every check but the pairing and the
        final consume. Raises the first failed check's `PresentationRefused`."""
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
        if borrower_key_hash(p.borrower_key) != p.signal("borrower_key_hash"):
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
        if self.exposure is not None and self.exposure.is_claimed(p.signal("slot_nullifier")):
            raise _refuse(
                "exposure-cap-reached",
                "this exposure slot already holds a line (at this or another lender)",
            )
        return _Checked(index, p, ch, pvk, nullifier)

    @staticmethod
    def _proof_refusal(c: _Checked) -> PresentationRefused | None:
        """Step 8 for one presentation: None if its Groth16 proof verifies."""
        try:
            ok = groth16.verify(c.pvk, list(c.p.public_signals), c.p.proof)
        except MalformedInput as exc:
            refusal = _refuse("proof-invalid", str(exc))
            refusal.__cause__ = exc
            return refusal
        return None if ok else _refuse("proof-invalid", "the Groth16 proof does not verify")

    def _proof_refusals(self, checked: Sequence[_Checked]) -> dict[int, PresentationRefused]:
        """Step 8 for a batch, keyed by item index: one batched pairing check per verifying
        key; only if it fails (or a proof is malformed) is each proof checked alone."""
        by_key: dict[str, list[_Checked]] = {}
        for c in checked:
            by_key.setdefault(c.p.vk_hash, []).append(c)
        refusals: dict[int, PresentationRefused] = {}
        for group in by_key.values():
            if len(group) > 1:
                try:
                    if groth16.batch_verify(
                        group[0].pvk, [(list(c.p.public_signals), c.p.proof) for c in group]
                    ):
                        continue
                except MalformedInput:
                    pass  # found below, item by item
            for c in group:
                refusal = self._proof_refusal(c)
                if refusal is not None:
                    refusals[c.index] = refusal
        return refusals

    def _decision(self, c: _Checked, now: int) -> CreditDecision:
        threshold = c.p.signal("threshold")
        tier = self.policy.tier_for(threshold)
        assert tier is not None  # checked in step 4
        return CreditDecision(
            borrower_id=c.p.signal("borrower_key_hash"), tier=tier, threshold=threshold,
            model_id=c.p.signal("model_id"), lender_id=self.policy.lender_id,
            nullifier=c.nullifier, expires_at=now + self.policy.decision_lifetime,
            slot_nullifier=c.p.signal("slot_nullifier"),
            exposure_epoch=c.p.signal("exposure_epoch"),
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
        if s("exposure_slots") != ch.exposure_slots or (
            s("exposure_slots") != policy.exposure_slots
        ):
            raise _refuse("exposure-mismatch", "the exposure cap k is not the policy's")
        if s("exposure_epoch") != ch.exposure_epoch or (
            s("exposure_epoch") != policy.exposure_epoch(as_of)
        ):
            raise _refuse("exposure-mismatch", "the exposure epoch is not the current one")
