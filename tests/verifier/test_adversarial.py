"""C3, C5, C6, C7, C8 against the verifier, with real proofs and real signatures."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from zkcredit.decision import BN254_SCALAR_ORDER as R
from zkcredit.errors import InvalidEncoding, NonCanonicalScalar, PresentationRefused
from zkcredit.hazmat import groth16
from zkcredit.verifier import (
    PRESENTATION_DOMAIN,
    PUBLIC_SIGNALS,
    Challenge,
    MemoryVerifierStore,
    Presentation,
    Verifier,
    canonical_json,
    sign_presentation,
    signing_bytes,
    vk_hash,
)

from ._support import NOW, Borrower, keys, other_keys, policy

NF = PUBLIC_SIGNALS.index("nullifier")


def reason(verifier: Verifier, presentation: Any, challenge: Any, now: int = NOW + 5) -> str:
    with pytest.raises(PresentationRefused) as info:
        verifier.verify(presentation, challenge, now)
    return info.value.reason


def _signed_over(p: Presentation, key: Any, **changes: Any) -> Presentation:
    """``p`` with a valid signature over the signed object with ``changes`` applied."""
    obj: dict[str, Any] = {
        "domain": PRESENTATION_DOMAIN, "circuit_id": p.circuit_id, "vk_hash": p.vk_hash,
        "public_signals": [str(v) for v in p.public_signals], "proof": p.proof.to_snarkjs(),
    }
    obj.update(changes)
    return dataclasses.replace(p, signature=key.sign(canonical_json(obj)))


# --- C3: the signature covers the domain, circuit id, vk hash and audience --------------


@pytest.mark.parametrize(
    "changes",
    [
        {"domain": "zkcredit/attestation/v1"},
        {"circuit_id": "zkcredit/credit-threshold/v1/n64"},
        {"vk_hash": vk_hash(other_keys()[1])},
    ],
    ids=["domain", "circuit_id", "vk_hash"],
)
def test_C3_signature_over_other_context_is_refused(
    verifier: Verifier, borrower: Borrower, changes: dict[str, str]
) -> None:
    ch = verifier.challenge(2, NOW)
    p = borrower.present(ch)
    forged = _signed_over(p, borrower.key(ch.lender_id), **changes)
    assert reason(verifier, forged, ch) == "bad-signature"
    verifier.verify(p, ch, NOW + 5)  # the honest one still passes


def test_C3_signature_for_another_audience_is_refused(borrower: Borrower) -> None:
    vk = keys()[1]
    lender_a = Verifier(policy("lender-a"), {vk_hash(vk): vk}, MemoryVerifierStore())
    lender_b = Verifier(policy("lender-b"), {vk_hash(vk): vk}, MemoryVerifierStore())
    ch_a, ch_b = lender_a.challenge(2, NOW), lender_b.challenge(2, NOW)
    for_b = borrower.present(ch_b, key=borrower.key(ch_b.lender_id))
    # The signature made for lender A's bundle (A's lender id and nonce) moved onto B's.
    for_a = borrower.present(ch_a, key=borrower.key(ch_b.lender_id))
    moved = dataclasses.replace(for_b, signature=for_a.signature)
    assert reason(lender_b, moved, ch_b) == "bad-signature"


def test_C3_signing_bytes_are_domain_separated() -> None:
    p = Borrower().present(policy().challenge(1, NOW))
    assert signing_bytes(p.circuit_id, p.vk_hash, p.public_signals, p.proof).startswith(
        b'{"circuit_id":'
    )
    assert json.loads(p.signing_bytes())["domain"] == PRESENTATION_DOMAIN


# --- C5: the replay key is the nullifier, never the proof bytes -------------------------


def test_C5_rerandomized_and_resigned_proof_is_nullifier_reused(
    verifier: Verifier, borrower: Borrower
) -> None:
    ch = verifier.challenge(2, NOW)
    p = borrower.present(ch)
    verifier.verify(p, ch, NOW + 1)
    fresh = groth16.rerandomize(keys()[1], p.proof)
    assert fresh.to_bytes() != p.proof.to_bytes()
    assert groth16.verify(keys()[1], list(p.public_signals), fresh)
    again = sign_presentation(
        borrower.key(ch.lender_id), p.circuit_id, p.vk_hash, p.public_signals, fresh
    )
    assert reason(verifier, again, ch, NOW + 2) == "nullifier-reused"


def test_C5_atomic_consume_refuses_a_used_nullifier(
    verifier: Verifier, borrower: Borrower
) -> None:
    first = verifier.challenge(2, NOW)
    verifier.verify(borrower.present(first), first, NOW + 1)
    # Not only the early lookup: the atomic consume itself refuses the used nullifier on a
    # fresh, issued challenge (what a racing second verification would reach).
    second = verifier.challenge(2, NOW + 2)
    p = borrower.present(second)
    with pytest.raises(PresentationRefused) as info:
        verifier.store.consume(
            verifier.policy.lender_id, second.nonce, p.signal("nullifier"), second.epoch, NOW + 3
        )
    assert info.value.reason == "nullifier-reused"


def test_C5_rerandomized_without_resigning_is_bad_signature(
    verifier: Verifier, borrower: Borrower
) -> None:
    ch = verifier.challenge(2, NOW)
    p = borrower.present(ch)
    taken = dataclasses.replace(p, proof=groth16.rerandomize(keys()[1], p.proof))
    assert reason(verifier, taken, ch) == "bad-signature"


# --- C6: non-canonical nullifiers are refused before any store lookup -------------------


class CountingStore(MemoryVerifierStore):
    """A real in-memory store that counts lookups (to show parsing happens first)."""

    def __init__(self) -> None:
        super().__init__()
        self.lookups = 0

    def get_challenge(self, lender_id: int, nonce: int) -> bytes | None:
        self.lookups += 1
        return super().get_challenge(lender_id, nonce)

    def nullifier_used(self, lender_id: int, nullifier: int) -> bool:
        self.lookups += 1
        return super().nullifier_used(lender_id, nullifier)


@pytest.mark.parametrize(
    ("encode", "error"),
    [
        (lambda n: str(n + R), NonCanonicalScalar),
        (lambda n: "0" + str(n), InvalidEncoding),
        (lambda n: "+" + str(n), InvalidEncoding),
        (hex, InvalidEncoding),
        (lambda n: n, InvalidEncoding),
        (lambda n: "-" + str(R - n), InvalidEncoding),
        (lambda n: "9" * 5000, InvalidEncoding),
    ],
    ids=["n+r", "leading-zero", "plus", "hex", "json-number", "negative", "5000-digits"],
)
def test_C6_non_canonical_nullifier_refused_before_lookup(
    borrower: Borrower, encode: Any, error: type[Exception]
) -> None:
    vk = keys()[1]
    store = CountingStore()
    verifier = Verifier(policy(), {vk_hash(vk): vk}, store)
    ch = verifier.challenge(2, NOW)
    obj = borrower.present(ch).to_json_dict()
    obj["public_signals"][NF] = encode(int(obj["public_signals"][NF]))
    with pytest.raises(error):
        Presentation.from_json(json.dumps(obj))
    with pytest.raises(PresentationRefused) as info:
        verifier.verify(json.dumps(obj), ch, NOW + 1)
    assert info.value.reason == "malformed"
    assert isinstance(info.value.__cause__, error)
    assert store.lookups == 0


# --- C7: strict JSON; canonical bytes independent of layout ---------------------------


def test_C7_duplicate_key_in_presentation_is_rejected(borrower: Borrower) -> None:
    ch = policy().challenge(2, NOW)
    text = borrower.present(ch).to_json().decode()
    doubled = text.replace('"version":3', '"version":3,"version":3', 1)
    assert doubled != text
    with pytest.raises(InvalidEncoding, match="duplicate"):
        Presentation.from_json(doubled)
    nested = text.replace('"protocol":"groth16"', '"protocol":"groth16","protocol":"groth16"')
    with pytest.raises(InvalidEncoding, match="duplicate"):
        Presentation.from_json(nested)


def test_C7_duplicate_key_in_challenge_is_rejected() -> None:
    text = policy().challenge(2, NOW).to_json().decode()
    doubled = text.replace('"threshold":"650"', '"threshold":"650","threshold":"500"')
    with pytest.raises(InvalidEncoding, match="duplicate"):
        Challenge.from_json(doubled)


def test_C7_reordered_and_reformatted_json_still_verifies(
    verifier: Verifier, borrower: Borrower
) -> None:
    ch = verifier.challenge(2, NOW)
    p = borrower.present(ch)
    obj = p.to_json_dict()
    reordered = dict(reversed(list(obj.items())))
    reordered["proof"] = dict(reversed(list(obj["proof"].items())))
    text = json.dumps(reordered, indent=3)
    assert text.encode() != p.to_json()
    parsed = Presentation.from_json(text)
    assert parsed.signing_bytes() == p.signing_bytes()
    ch_text = json.dumps(dict(reversed(list(ch.to_json_dict().items()))), indent=1)
    decision = verifier.verify(text, ch_text, NOW + 1)
    assert decision.nullifier == p.signal("nullifier")


# --- C8 (second half): a proof bound to holder A presented by B -------------------------


def test_C8_proof_of_a_with_b_key_and_signature_is_refused(verifier: Verifier) -> None:
    alice, bob = Borrower(), Borrower()
    ch = verifier.challenge(2, NOW)
    p = alice.present(ch)
    stolen = sign_presentation(
        bob.key(ch.lender_id), p.circuit_id, p.vk_hash, p.public_signals, p.proof
    )
    assert reason(verifier, stolen, ch) == "key-hash-mismatch"


def test_C8_proof_of_a_with_b_key_hash_substituted_is_refused(verifier: Verifier) -> None:
    alice, bob = Borrower(), Borrower()
    ch = verifier.challenge(2, NOW)
    p = alice.present(ch)
    signals = list(p.public_signals)
    kh = PUBLIC_SIGNALS.index("borrower_key_hash")
    signals[kh] = bob.signals(ch)[kh]  # Bob's key hash in place of Alice's
    stolen = sign_presentation(bob.key(ch.lender_id), p.circuit_id, p.vk_hash, signals, p.proof)
    assert reason(verifier, stolen, ch) == "proof-invalid"
