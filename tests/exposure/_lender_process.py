"""A whole lender in its own process (spawned, so it shares nothing with the test but the
exposure registry's database): a policy, a verifier reading the shared registry, and a
SQLite ledger that claims each line's slot there before opening it.

The process answers requests on a pipe, each carrying the simulated time ``now``, which
is also the clock of its verifier store, ledger and registry connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from zkcredit.credit.threshold import CIRCUIT_ID
from zkcredit.decision import CreditDecision
from zkcredit.errors import PresentationRefused, ZkCreditError
from zkcredit.exposure import ExposureRegistry
from zkcredit.hazmat.groth16 import VerifyingKey
from zkcredit.ledger import Ed25519RecordSigner, Ledger, ManualFeed
from zkcredit.verifier import (
    Challenge,
    LenderPolicy,
    Presentation,
    SqliteVerifierStore,
    Verifier,
    vk_hash,
)


@dataclass(frozen=True)
class LenderSetup:
    name: str
    workdir: str
    registry_url: str
    vk: bytes  # VerifyingKey.to_bytes()
    registry_root: int
    model_id: int
    tiers: dict[int, int]
    slots: int
    epoch_seconds: int
    start: int


def serve(setup: LenderSetup, conn: Connection) -> None:
    """Answer ("challenge", tier, now), ("apply", presentation, challenge, now, command_id)
    and ("stop",) until told to stop; every answer is a plain tuple."""
    now = [setup.start]

    def clock() -> int:
        return now[0]

    vk = VerifyingKey.from_bytes("bn254", setup.vk)
    policy = LenderPolicy(
        lender_name=setup.name, verifying_keys={vk_hash(vk): CIRCUIT_ID},
        registry_roots=(setup.registry_root,), model_ids=(setup.model_id,),
        tiers=setup.tiers, max_outstanding=10**12, exposure_slots=setup.slots,
        exposure_epoch_seconds=setup.epoch_seconds, max_as_of_skew=3600,
        # per-lender nullifiers renew daily (replay protection); the exposure cap counts
        # lines per 30-day exposure epoch across lenders
        epoch_seconds=86_400, max_attestation_age=120 * 86_400,
    )
    work = Path(setup.workdir)
    exposure = ExposureRegistry(setup.registry_url, clock=clock)
    verifier = Verifier(policy, {vk_hash(vk): vk}, SqliteVerifierStore(work / "verifier.db"),
                        exposure=exposure)
    feed = ManualFeed(3_000_000, setup.start)
    ledger = Ledger(f"sqlite:///{work / 'ledger.db'}", primary_feed=feed, fallback_feed=feed,
                    record_signer=Ed25519RecordSigner(Ed25519PrivateKey.generate()),
                    audit_key=Ed25519PrivateKey.generate(), clock=clock, exposure=exposure)
    conn.send(("ready", policy.lender_id))
    try:
        while True:
            request: tuple[Any, ...] = conn.recv()
            if request[0] == "stop":
                break
            now[0] = request[-1] if request[0] == "challenge" else request[3]
            feed.set(3_000_000, now[0])
            try:
                conn.send(_answer(request, verifier, ledger))
            except ZkCreditError as exc:
                conn.send(("error", type(exc).__name__, str(exc)))
    finally:
        ledger.close()
        exposure.close()
        conn.close()


def _answer(request: tuple[Any, ...], verifier: Verifier, ledger: Ledger) -> tuple[Any, ...]:
    if request[0] == "challenge":
        _, tier, now = request
        return ("challenge", verifier.challenge(tier, now).to_json())
    _, presentation, challenge, now, command_id = request
    try:
        decision: CreditDecision = verifier.verify(
            Presentation.from_json(presentation), Challenge.from_json(challenge), now)
    except PresentationRefused as exc:
        return ("refused", exc.reason)
    try:
        receipt = ledger.open_line(command_id, decision)
    except ZkCreditError as exc:
        return ("refused", type(exc).__name__)
    return ("opened", receipt.int("line_id"), decision.to_json_dict())
