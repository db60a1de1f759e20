"""A small real circuit with the threshold circuit's 15 public inputs (contract §5), real
Groth16 keys for it, and a borrower who answers challenges with real proofs.

Until circuits/credit_threshold.py lands this stands in for it as a *circuit*, not as a
mock: nullifier = Poseidon(secret, lender_id, epoch) is constrained, score >= threshold is
range-checked, and every other public input is bound by a Poseidon over all of them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from functools import cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from zkcredit.circuits.compare import assert_ge
from zkcredit.circuits.poseidon import poseidon

from zkcredit.circuit import Circuit, CompiledCircuit
from zkcredit.exposure import slot_nullifier
from zkcredit.hazmat import groth16
from zkcredit.hazmat.poseidon import poseidon_hash
from zkcredit.verifier import (
    PUBLIC_SIGNALS,
    Challenge,
    LenderPolicy,
    Presentation,
    borrower_key_hash,
    derive_lender_key,
    sign_presentation,
    vk_hash,
)

CIRCUIT_ID = "zkcredit/test-threshold/v1"
NOW = 1_760_000_000
REGISTRY_ROOT = poseidon_hash([11, 12])
MODEL_ID = poseidon_hash([21, 22])
TIERS = {1: 500, 2: 650, 3: 750}


@cache
def compiled() -> CompiledCircuit:
    c = Circuit("test-threshold")
    pub = {name: c.public(name) for name in PUBLIC_SIGNALS}
    secret = c.private("holder_secret")
    score = c.private("score")
    c.assert_equal(
        poseidon(c, [secret, pub["lender_id"], pub["epoch"]], "nullifier"),
        pub["nullifier"], "nullifier = Poseidon(secret, lender_id, epoch)",
    )
    assert_ge(c, score, pub["threshold"], 16, "score >= threshold")
    others = [pub[n] for n in PUBLIC_SIGNALS if n not in ("lender_id", "epoch", "nullifier")]
    binding = c.private("binding")
    c.assert_equal(poseidon(c, [*others, secret], "bind"), binding, "binding")
    return c.compile()


@cache
def keys() -> tuple[groth16.ProvingKey, groth16.VerifyingKey]:
    return groth16.setup(compiled().r1cs)


@cache
def other_keys() -> tuple[groth16.ProvingKey, groth16.VerifyingKey]:
    """A second setup of the same circuit: a key the policy does not accept."""
    return groth16.setup(compiled().r1cs)


def policy(name: str = "lender-a", **overrides: object) -> LenderPolicy:
    args: dict[str, object] = {
        "lender_name": name,
        "verifying_keys": {vk_hash(keys()[1]): CIRCUIT_ID},
        "registry_roots": [REGISTRY_ROOT],
        "model_ids": [MODEL_ID],
        "tiers": TIERS,
        "max_as_of_skew": 900,
        "challenge_lifetime": 600,
        "epoch_seconds": 30 * 86_400,
        "no_default_months": 12,
        "max_outstanding": 5_000_000,
        "decision_lifetime": 7 * 86_400,
    }
    args.update(overrides)
    return LenderPolicy(**args)  # type: ignore[arg-type]


@dataclass
class Borrower:
    """A holder secret, a wallet Ed25519 seed and a score: answers challenges honestly."""

    score: int = 700
    slot: int = 0  # the exposure slot its proofs spend
    secret: int = field(default_factory=lambda: 1 + secrets.randbelow(2**250))
    seed: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def key(self, lender: int) -> Ed25519PrivateKey:
        return derive_lender_key(self.seed, lender)

    def signals(self, ch: Challenge, **override: int) -> list[int]:
        key = self.key(ch.lender_id).public_key().public_bytes_raw()
        values = {
            "registry_root": ch.registry_root, "model_id": ch.model_id,
            "threshold": ch.threshold, "as_of": ch.as_of,
            "min_not_before": ch.min_not_before, "lender_id": ch.lender_id,
            "epoch": ch.epoch, "nonce": ch.nonce,
            "nullifier": poseidon_hash([self.secret, ch.lender_id, ch.epoch]),
            "borrower_key_hash": borrower_key_hash(key),
            "no_default_months": ch.no_default_months, "max_outstanding": ch.max_outstanding,
            "exposure_epoch": ch.exposure_epoch, "exposure_slots": ch.exposure_slots,
            "slot_nullifier": slot_nullifier(self.secret, ch.exposure_epoch, self.slot),
        }
        values.update(override)
        if "nullifier" not in override:  # a proof for another lender/epoch: honest nullifier
            values["nullifier"] = poseidon_hash(
                [self.secret, values["lender_id"], values["epoch"]]
            )
        return [values[n] for n in PUBLIC_SIGNALS]

    def prove(
        self, signals: list[int], pk: groth16.ProvingKey | None = None
    ) -> groth16.Proof:
        cc = compiled()
        assignment = dict(zip(PUBLIC_SIGNALS, signals, strict=True))
        others = [assignment[n] for n in PUBLIC_SIGNALS
                  if n not in ("lender_id", "epoch", "nullifier")]
        assignment.update(
            holder_secret=self.secret, score=self.score,
            binding=poseidon_hash([*others, self.secret]),
        )
        witness = cc.solve(assignment)
        return groth16.prove(pk or keys()[0], cc.r1cs, witness)

    def present(
        self, ch: Challenge, *, key: Ed25519PrivateKey | None = None, **override: int
    ) -> Presentation:
        signals = self.signals(ch, **override)
        proof = self.prove(signals)
        return sign_presentation(
            key or self.key(ch.lender_id), ch.circuit_id, ch.vk_hash, signals, proof
        )
