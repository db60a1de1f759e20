"""Issue 5 end to end, with the real threshold circuit and real Groth16 keys:

records → wallet → disclosure checked against the issuer's books → attestation → lender
challenge → presentation → verify →
`CreditDecision` → a credit line in the ledger that draws and repays. Plus the
acceptance cases that need the real circuit: unlinkability across two lenders, a revoked
issuer (C8), and a presentation replayed to another lender.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from zkcredit.credit import CreditRecord, IssuerRegistry, RecordKind, RecordStatus, Wallet
from zkcredit.credit.dev_keys import development_keys
from zkcredit.credit.issuance import Issuer
from zkcredit.credit.model import DEFAULT_MODEL, score
from zkcredit.credit.present import choose_attestation, present
from zkcredit.credit.threshold import CIRCUIT_ID
from zkcredit.decision import CreditDecision
from zkcredit.errors import InvalidArgument, PresentationRefused, Refused
from zkcredit.hazmat import eddsa, groth16
from zkcredit.ledger import Ed25519RecordSigner, Ledger, ManualFeed
from zkcredit.verifier import (
    PUBLIC_SIGNALS,
    LenderPolicy,
    MemoryVerifierStore,
    Presentation,
    Verifier,
    vk_hash,
)

pytestmark = pytest.mark.slow

DAY = 86_400
NOW = 1_767_225_600  # 2026-01-01
PASSPHRASE = "correct horse battery staple"


def _history() -> list[CreditRecord]:
    """Six years of tradelines paid on time, one card still open."""
    out = []
    for year in range(6):
        opened = NOW - (6 - year) * 365 * DAY
        out.append(CreditRecord(opened_at=opened, updated_at=opened + 300 * DAY,
                                amount=500_000 + 100_000 * year, repaid=500_000 + 100_000 * year,
                                days_late=0, status=RecordStatus.CLOSED, kind=RecordKind.LOAN))
    out.append(CreditRecord(opened_at=NOW - 400 * DAY, updated_at=NOW - 10 * DAY,
                            amount=200_000, repaid=150_000, days_late=0,
                            status=RecordStatus.CURRENT, kind=RecordKind.CARD))
    return out


@dataclass
class World:
    pk: groth16.ProvingKey
    registry: IssuerRegistry
    issuer_key: bytes
    wallet: Wallet
    borrower_score: int


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, threshold_cache: Path) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("e2e")
    pk = development_keys(directory=threshold_cache)
    issuer_key = eddsa.generate_private_key()
    registry = IssuerRegistry()
    registry.add(eddsa.prv2pub(issuer_key))
    wallet = Wallet.create(tmp / "wallet.zkw", PASSPHRASE, records=_history())
    bureau = Issuer(tmp / "bureau.db", issuer_key)
    bureau.set_books("subject-1", _history(), now=NOW - 10 * DAY)
    att = bureau.attest(wallet.disclose("subject-1"), now=NOW - 10 * DAY)
    wallet.add_attestation(att.to_json_dict())
    wallet.save()
    yield World(pk, registry, issuer_key, Wallet.open(tmp / "wallet.zkw", PASSPHRASE),
                score(DEFAULT_MODEL, list(wallet.records), NOW))


def _verifier(
    w: World,
    name: str,
    *,
    roots: tuple[int, ...] | None = None,
    store: MemoryVerifierStore | None = None,
) -> Verifier:
    policy = LenderPolicy(
        lender_name=name,
        verifying_keys={vk_hash(w.pk.vk): CIRCUIT_ID},
        registry_roots=roots if roots is not None else (w.registry.root,),
        model_ids=(DEFAULT_MODEL.model_id(),),
        tiers={1: w.borrower_score - 100, 2: w.borrower_score - 50, 3: w.borrower_score},
        no_default_months=24,
        max_outstanding=1_000_000,
    )
    return Verifier(policy, {vk_hash(w.pk.vk): w.pk.vk},
                    store if store is not None else MemoryVerifierStore())


def test_records_to_wallet_to_presentation_to_ledger_line(world: World, tmp_path: Path) -> None:
    verifier = _verifier(world, "Acme Lending")
    challenge = verifier.challenge(3, NOW)
    steps: list[str] = []
    presentation = present(world.wallet, challenge, registry=world.registry,
                           proving_key=world.pk, progress=steps.append)
    assert steps[-1].startswith("signing")
    # The bundle survives its JSON form byte for byte.
    again = Presentation.from_json(presentation.to_json())
    assert again.to_json() == presentation.to_json()

    decision = verifier.verify(again, challenge.to_json(), NOW + 5)
    assert isinstance(decision, CreditDecision)
    assert decision.tier == 3
    assert decision.threshold == world.borrower_score
    assert decision.lender_id == verifier.policy.lender_id
    assert decision.model_id == DEFAULT_MODEL.model_id()

    # The decision opens an under-collateralized line, which draws and repays in full.
    feed = ManualFeed(3_000_000, NOW)
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}", primary_feed=feed,
                    fallback_feed=ManualFeed(3_000_000, NOW),
                    record_signer=Ed25519RecordSigner(Ed25519PrivateKey.generate()),
                    audit_key=Ed25519PrivateKey.generate(), clock=lambda: NOW + 10)
    ledger.deposit("dep-1", "pool-lp", 10_000_000)
    line_id = ledger.open_line("open-1", decision).int("line_id")
    view = ledger.line(line_id)
    assert view.tier == 3 and view.credit_limit > 0 and view.collateral == 0
    # Under-collateralized: tier 3 asks 25 % of the debt (0.1 BTC at $30,000 for $10,000).
    ledger.deposit_collateral("col-1", line_id, 10_000_000)
    ledger.draw("draw-1", line_id, 1_000_000)
    ledger.repay("repay-1", line_id, ledger.line(line_id).debt_now)
    assert ledger.line(line_id).debt_now == 0
    ledger.audit()

    # The same credential cannot open a second line at this lender in this epoch.
    second = verifier.challenge(3, NOW + 20)
    replay = present(world.wallet, second, registry=world.registry, proving_key=world.pk)
    with pytest.raises(PresentationRefused) as exc:
        verifier.verify(replay, second, NOW + 25)
    assert exc.value.reason == "nullifier-reused"


def test_unlinkable_across_two_lenders(world: World) -> None:
    """Two lenders see no common public signal but the policy constants (issue 5)."""
    a, b = _verifier(world, "Lender A"), _verifier(world, "Lender B")
    ca, cb = a.challenge(2, NOW), b.challenge(2, NOW)
    pa = present(world.wallet, ca, registry=world.registry, proving_key=world.pk)
    # the line at A claimed pa's slot: the wallet skips it (issue 12)
    pb = present(world.wallet, cb, registry=world.registry, proving_key=world.pk,
                 claimed_slots={pa.signal("slot_nullifier")})
    a.verify(pa, ca, NOW + 1)
    b.verify(pb, cb, NOW + 1)
    constants = {"registry_root", "model_id", "threshold", "epoch", "no_default_months",
                 "max_outstanding", "as_of", "exposure_epoch", "exposure_slots"}
    constants.add("min_not_before")
    names = list(PUBLIC_SIGNALS)
    for name in names:
        if name in constants:
            continue
        assert pa.signal(name) != pb.signal(name), name
    assert pa.borrower_key != pb.borrower_key
    assert pa.proof != pb.proof


def test_presentation_replayed_to_another_lender_is_refused(world: World) -> None:
    a, b = _verifier(world, "Lender A2"), _verifier(world, "Lender B2")
    ca, cb = a.challenge(1, NOW), b.challenge(1, NOW)
    pa = present(world.wallet, ca, registry=world.registry, proving_key=world.pk)
    with pytest.raises(PresentationRefused) as exc:
        b.verify(pa, cb, NOW + 1)
    assert exc.value.reason in {"lender-mismatch", "unknown-challenge"}
    with pytest.raises(PresentationRefused) as exc:
        b.verify(pa, ca, NOW + 1)  # b never issued a's challenge
    assert exc.value.reason == "unknown-challenge"


def test_C8_revoked_issuer_is_refused(world: World) -> None:
    """After revocation the lender publishes a new root; old-root proofs are refused and the
    borrower cannot prove under the new root at all."""
    revoked = IssuerRegistry.from_json_dict(world.registry.to_json_dict())
    other = eddsa.generate_private_key()
    revoked.add(eddsa.prv2pub(other))
    revoked.remove(eddsa.prv2pub(world.issuer_key))
    verifier = _verifier(world, "Careful Lender", roots=(revoked.root,))
    challenge = verifier.challenge(1, NOW)
    with pytest.raises(Refused, match="no attestation"):
        choose_attestation(world.wallet, NOW, revoked)
    with pytest.raises(Refused):
        present(world.wallet, challenge, registry=revoked, proving_key=world.pk)
    # A proof made before the revocation, answering a challenge issued under the old root,
    # is refused once the lender's policy accepts only the new root.
    store = MemoryVerifierStore()
    before = _verifier(world, "Careful Lender", store=store)
    old_challenge = before.challenge(1, NOW)
    stale = present(world.wallet, old_challenge, registry=world.registry, proving_key=world.pk)
    after = _verifier(world, "Careful Lender", roots=(revoked.root,), store=store)
    with pytest.raises(PresentationRefused) as exc:
        after.verify(stale, old_challenge, NOW + 1)
    assert exc.value.reason == "registry-not-accepted"


def test_present_refuses_mismatched_pieces(world: World) -> None:
    verifier = _verifier(world, "Picky Lender")
    challenge = verifier.challenge(1, NOW)
    other = IssuerRegistry()
    other.add(eddsa.prv2pub(eddsa.generate_private_key()))
    with pytest.raises(InvalidArgument, match="registry"):
        present(world.wallet, challenge, registry=other, proving_key=world.pk)
    too_high = _verifier(world, "Strict Lender")
    strict = LenderPolicy(**{**_policy_fields(too_high.policy),
                             "tiers": {1: world.borrower_score + 1}})
    v = Verifier(strict, {vk_hash(world.pk.vk): world.pk.vk}, MemoryVerifierStore())
    with pytest.raises(Refused, match="below the threshold"):
        present(world.wallet, v.challenge(1, NOW), registry=world.registry,
                proving_key=world.pk)


def _policy_fields(policy: LenderPolicy) -> dict[str, object]:
    names = ["lender_name", "verifying_keys", "registry_roots", "model_ids", "tiers",
             "max_as_of_skew", "challenge_lifetime", "epoch_seconds", "no_default_months",
             "max_outstanding", "decision_lifetime", "max_attestation_age"]
    return {n: getattr(policy, n) for n in names}
