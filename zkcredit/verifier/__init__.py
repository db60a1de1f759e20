"""The lender side: policies, challenges, presentations and the verifier (docs/verifier.md).

Typical use::

    verifier = Verifier(policy, {vk_hash(vk): vk}, SqliteVerifierStore("lender.db"))
    challenge = verifier.challenge(tier=2, now=now)          # send challenge.to_json()
    decision = verifier.verify(presentation_json, challenge, now=now)  # or PresentationRefused
    results = verifier.verify_many([(p1, c1), (p2, c2)], now=now)  # one fsync for the batch
    verifier.store.prune(now)                 # forget expired, never-answered challenges
"""

from __future__ import annotations

from zkcredit._canonical import canonical_json

from ._challenge import CHALLENGE_FORMAT, POLICY_FORMAT, Challenge, LenderPolicy
from ._ed25519 import ED25519_ORDER, check_ed25519_point, verify_ed25519_strict
from ._keys import borrower_key_hash, derive_lender_key, lender_id
from ._presentation import (
    PRESENTATION_DOMAIN,
    PRESENTATION_FORMAT,
    PUBLIC_SIGNALS,
    Presentation,
    sign_presentation,
    signing_bytes,
)
from ._store import MAX_BATCH, MemoryVerifierStore, SqliteVerifierStore, VerifierStore
from ._verifier import REASONS, ExposureView, Verifier, vk_hash

__all__ = [
    "CHALLENGE_FORMAT",
    "ED25519_ORDER",
    "MAX_BATCH",
    "POLICY_FORMAT",
    "PRESENTATION_DOMAIN",
    "PRESENTATION_FORMAT",
    "PUBLIC_SIGNALS",
    "REASONS",
    "Challenge",
    "ExposureView",
    "LenderPolicy",
    "MemoryVerifierStore",
    "Presentation",
    "SqliteVerifierStore",
    "Verifier",
    "VerifierStore",
    "borrower_key_hash",
    "canonical_json",
    "check_ed25519_point",
    "derive_lender_key",
    "lender_id",
    "sign_presentation",
    "signing_bytes",
    "verify_ed25519_strict",
    "vk_hash",
]
