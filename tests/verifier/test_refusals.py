"""Every refusal path of `Verifier.verify`, one reason code per test, with real proofs."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from zkcredit.errors import PresentationRefused
from zkcredit.hazmat import groth16
from zkcredit.hazmat.poseidon import poseidon_hash
from zkcredit.verifier import (
    REASONS,
    Challenge,
    MemoryVerifierStore,
    Presentation,
    Verifier,
    sign_presentation,
    vk_hash,
)

from ._support import (
    CIRCUIT_ID,
    MODEL_ID,
    NOW,
    REGISTRY_ROOT,
    Borrower,
    keys,
    other_keys,
    policy,
)


def refusal(verifier: Verifier, presentation: Any, challenge: Any, now: int = NOW + 5) -> str:
    with pytest.raises(PresentationRefused) as info:
        verifier.verify(presentation, challenge, now)
    assert info.value.reason in REASONS
    return info.value.reason


def test_honest_presentation_is_accepted(verifier: Verifier, borrower: Borrower) -> None:
    ch = verifier.challenge(2, NOW)
    p = borrower.present(ch)
    decision = verifier.verify(p.to_json(), ch.to_json(), NOW + 5)
    assert decision.tier == 2 and decision.threshold == 650
    assert decision.borrower_id == p.signal("borrower_key_hash")
    assert decision.nullifier == poseidon_hash([borrower.secret, ch.lender_id, ch.epoch])
    assert decision.lender_id == verifier.policy.lender_id
    assert decision.model_id == MODEL_ID
    assert decision.expires_at == NOW + 5 + verifier.policy.decision_lifetime


def test_unknown_challenge_never_issued(verifier: Verifier, borrower: Borrower) -> None:
    ch = verifier.policy.challenge(2, NOW)  # built but never registered in the store
    assert refusal(verifier, borrower.present(ch), ch) == "unknown-challenge"


def test_unknown_challenge_when_altered_after_issue(
    verifier: Verifier, borrower: Borrower
) -> None:
    issued = verifier.challenge(3, NOW)
    lowered = dataclasses.replace(issued, threshold=500)  # borrower rewrites tier 3 -> 1
    assert refusal(verifier, borrower.present(lowered), lowered) == "unknown-challenge"


def test_challenge_expired(verifier: Verifier, borrower: Borrower) -> None:
    ch = verifier.challenge(2, NOW)
    p = borrower.present(ch)
    assert refusal(verifier, p, ch, now=ch.expires_at) == "challenge-expired"
    verifier.verify(p, ch, ch.expires_at - 1)  # one second earlier it is accepted


def test_vk_not_accepted(verifier: Verifier, borrower: Borrower) -> None:
    ch = verifier.challenge(2, NOW)
    signals = borrower.signals(ch)
    pk2, vk2 = other_keys()
    proof = borrower.prove(signals, pk2)
    assert groth16.verify(vk2, signals, proof)  # a valid proof, under a key not accepted
    p = sign_presentation(borrower.key(ch.lender_id), CIRCUIT_ID, vk_hash(vk2), signals, proof)
    assert refusal(verifier, p, ch) == "vk-not-accepted"


def test_circuit_mismatch_with_policy(verifier: Verifier, borrower: Borrower) -> None:
    ch = verifier.challenge(2, NOW)
    signals = borrower.signals(ch)
    p = sign_presentation(
        borrower.key(ch.lender_id), "zkcredit/other/v1", ch.vk_hash, signals,
        borrower.prove(signals),
    )
    assert refusal(verifier, p, ch) == "circuit-mismatch"


def test_circuit_mismatch_with_challenge(borrower: Borrower) -> None:
    vk, vk2 = keys()[1], other_keys()[1]
    pol = policy(verifying_keys={vk_hash(vk): CIRCUIT_ID, vk_hash(vk2): CIRCUIT_ID})
    verifier = Verifier(pol, {vk_hash(vk): vk, vk_hash(vk2): vk2}, MemoryVerifierStore())
    ch = verifier.challenge(2, NOW, vk_hash=vk_hash(vk2))
    p = borrower.present(dataclasses.replace(ch, vk_hash=vk_hash(vk)))
    assert refusal(verifier, p, ch) == "circuit-mismatch"


def test_lender_mismatch(verifier: Verifier, borrower: Borrower) -> None:
    ch = verifier.challenge(2, NOW)
    other = policy("lender-b").lender_id
    assert refusal(verifier, borrower.present(ch, lender_id=other), ch) == "lender-mismatch"


def test_replay_to_another_lender_is_refused(borrower: Borrower) -> None:
    vk = keys()[1]
    lender_a = Verifier(policy("lender-a"), {vk_hash(vk): vk}, MemoryVerifierStore())
    lender_b = Verifier(policy("lender-b"), {vk_hash(vk): vk}, MemoryVerifierStore())
    ch_a = lender_a.challenge(2, NOW)
    p = borrower.present(ch_a)
    lender_a.verify(p, ch_a, NOW + 1)
    ch_b = lender_b.challenge(2, NOW)
    # B's own challenge answered with the presentation made for A.
    assert refusal(lender_b, p, ch_b) == "lender-mismatch"


def test_nonce_mismatch(verifier: Verifier, borrower: Borrower) -> None:
    ch = verifier.challenge(2, NOW)
    assert refusal(verifier, borrower.present(ch, nonce=ch.nonce + 1), ch) == "nonce-mismatch"


def test_C11_proof_under_a_looser_freshness_bound_is_attestation_stale(
    verifier: Verifier, borrower: Borrower
) -> None:
    """C11 at the verifier: a proof that admits attestations older than the challenge's
    min_not_before is refused with its own reason; a stricter one is a mismatch."""
    ch = verifier.challenge(2, NOW)
    assert ch.min_not_before == NOW - verifier.policy.max_attestation_age
    looser = borrower.present(ch, min_not_before=ch.min_not_before - 1)
    assert refusal(verifier, looser, ch) == "attestation-stale"
    stricter = borrower.present(ch, min_not_before=ch.min_not_before + 1)
    assert refusal(verifier, stricter, ch) == "predicate-mismatch"


def test_as_of_mismatch(verifier: Verifier, borrower: Borrower) -> None:
    ch = verifier.challenge(2, NOW)
    assert refusal(verifier, borrower.present(ch, as_of=NOW - 86_400), ch) == "as-of-mismatch"


def test_as_of_skew(borrower: Borrower) -> None:
    vk = keys()[1]
    verifier = Verifier(policy(max_as_of_skew=60), {vk_hash(vk): vk}, MemoryVerifierStore())
    ch = verifier.challenge(2, NOW)
    p = borrower.present(ch)
    assert refusal(verifier, p, ch, now=NOW + 61) == "as-of-skew"


def test_epoch_mismatch(verifier: Verifier, borrower: Borrower) -> None:
    ch = verifier.challenge(2, NOW)
    # A nullifier of another epoch would let the borrower present twice in one epoch.
    shifted = borrower.present(
        ch, epoch=ch.epoch + 1,
        nullifier=poseidon_hash([borrower.secret, ch.lender_id, ch.epoch + 1]),
    )
    assert refusal(verifier, shifted, ch) == "epoch-mismatch"


def test_model_not_accepted(verifier: Verifier, borrower: Borrower) -> None:
    ch = verifier.challenge(2, NOW)
    p = borrower.present(ch, model_id=poseidon_hash([99]))
    assert refusal(verifier, p, ch) == "model-not-accepted"


def test_threshold_not_accepted(verifier: Verifier, borrower: Borrower) -> None:
    ch = verifier.challenge(3, NOW)  # asks for 750
    weak = Borrower(score=700, secret=borrower.secret, seed=borrower.seed)
    p = weak.present(ch, threshold=700)  # a true statement, but not the one asked for
    assert refusal(verifier, p, ch) == "threshold-not-accepted"


def test_registry_not_accepted_after_revocation(borrower: Borrower) -> None:
    vk = keys()[1]
    store = MemoryVerifierStore()
    before = Verifier(policy(), {vk_hash(vk): vk}, store)
    ch = before.challenge(2, NOW)
    p = borrower.present(ch)
    new_root = poseidon_hash([13, 14])  # an issuer was revoked: the old root is dropped
    after = Verifier(policy(registry_roots=[new_root]), {vk_hash(vk): vk}, store)
    assert refusal(after, p, ch) == "registry-not-accepted"


def test_registry_not_accepted_other_root(verifier: Verifier, borrower: Borrower) -> None:
    ch = verifier.challenge(2, NOW)
    p = borrower.present(ch, registry_root=REGISTRY_ROOT + 1)
    assert refusal(verifier, p, ch) == "registry-not-accepted"


def test_predicate_mismatch(verifier: Verifier, borrower: Borrower) -> None:
    ch = verifier.challenge(2, NOW)
    p = borrower.present(ch, no_default_months=0)  # "no default in 0 months" proves nothing
    assert refusal(verifier, p, ch) == "predicate-mismatch"


def test_key_hash_mismatch(verifier: Verifier, borrower: Borrower) -> None:
    ch = verifier.challenge(2, NOW)
    p = borrower.present(ch)
    fake = Borrower().key(ch.lender_id)
    swapped = sign_presentation(fake, p.circuit_id, p.vk_hash, p.public_signals, p.proof)
    assert refusal(verifier, swapped, ch) == "key-hash-mismatch"


def test_bad_signature(verifier: Verifier, borrower: Borrower) -> None:
    ch = verifier.challenge(2, NOW)
    p = borrower.present(ch)
    flipped = bytes([p.signature[0] ^ 1]) + p.signature[1:]
    assert refusal(verifier, dataclasses.replace(p, signature=flipped), ch) == "bad-signature"


def test_proof_invalid(verifier: Verifier, borrower: Borrower) -> None:
    first = verifier.challenge(2, NOW)
    second = verifier.challenge(2, NOW)
    old = borrower.present(first)
    # The second challenge's signals, signed, with the first challenge's (valid) proof.
    p = sign_presentation(
        borrower.key(second.lender_id), second.circuit_id, second.vk_hash,
        borrower.signals(second), old.proof,
    )
    assert refusal(verifier, p, second) == "proof-invalid"


def test_nullifier_reused(verifier: Verifier, borrower: Borrower) -> None:
    first = verifier.challenge(2, NOW)
    verifier.verify(borrower.present(first), first, NOW + 1)
    second = verifier.challenge(1, NOW + 2)  # same epoch: same nullifier
    assert refusal(verifier, borrower.present(second), second) == "nullifier-reused"


def test_nonce_reused(verifier: Verifier, borrower: Borrower) -> None:
    ch = verifier.challenge(2, NOW)
    verifier.verify(borrower.present(ch), ch, NOW + 1)
    # Another holder (another nullifier) answering the already-answered challenge.
    assert refusal(verifier, Borrower().present(ch), ch) == "nonce-reused"


def test_malformed(verifier: Verifier, borrower: Borrower) -> None:
    ch = verifier.challenge(2, NOW)
    obj = borrower.present(ch).to_json_dict()
    obj["version"] = 1  # the pre-freshness format
    assert refusal(verifier, obj, ch) == "malformed"


def test_every_reason_code_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "verifier.md").read_text()
    for reason in REASONS:
        assert f"`{reason}`" in doc, reason


def test_new_epoch_gives_a_new_nullifier(verifier: Verifier, borrower: Borrower) -> None:
    first = verifier.challenge(2, NOW)
    verifier.verify(borrower.present(first), first, NOW + 1)
    later = NOW + verifier.policy.epoch_seconds
    ch = verifier.challenge(2, later)
    decision = verifier.verify(borrower.present(ch), ch, later + 1)
    assert decision.nullifier != poseidon_hash([borrower.secret, first.lender_id, first.epoch])


def test_challenge_object_round_trip_is_accepted(verifier: Verifier, borrower: Borrower) -> None:
    ch = verifier.challenge(1, NOW)
    again = Challenge.from_json(ch.to_json())
    assert again == ch
    verifier.verify(Presentation.from_json(borrower.present(ch).to_json()), again, NOW + 1)
