"""Issue 11's five attacks, end to end with the real threshold circuit, real Groth16 proofs
and the real verifier: each one fails, and with its own reason.

C9  made-up history: the borrower's invented clean records are refused at issuance.
C10 second identity: a second wallet for one subject is refused at issuance, so the one
    bound wallet has one nullifier per lender and epoch.
C11 stale snapshot: an attestation older than the lender's max_attestation_age is refused
    by the wallet and, when a hostile wallet proves against a looser bound, by the verifier
    (``attestation-stale``).
C12 revoked attestation: after the issuer's books change it revokes the snapshot and
    publishes the list; the wallet cannot prove under the new registry root, and a proof
    under the old root is refused (``registry-not-accepted``).
C13 out-of-range policy: parameters the circuit cannot satisfy are refused when the policy
    is made or read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from zkcredit import errors
from zkcredit.credit import CreditRecord, IssuerRegistry, RecordKind, RecordStatus, Wallet
from zkcredit.credit.dev_keys import development_keys
from zkcredit.credit.issuance import Issuer
from zkcredit.credit.issuer import Attestation
from zkcredit.credit.model import DEFAULT_MODEL, score
from zkcredit.credit.present import present
from zkcredit.credit.threshold import (
    CIRCUIT_ID,
    build_threshold_circuit,
    public_signals,
    threshold_assignment,
)
from zkcredit.hazmat import eddsa, groth16
from zkcredit.verifier import (
    Challenge,
    LenderPolicy,
    MemoryVerifierStore,
    Presentation,
    Verifier,
    borrower_key_hash,
    sign_presentation,
    vk_hash,
)

pytestmark = pytest.mark.slow

DAY = 86_400
NOW = 1_767_225_600
PW = "correct horse battery staple"


def _clean_history() -> list[CreditRecord]:
    out = []
    for year in range(5):
        opened = NOW - (6 - year) * 365 * DAY
        out.append(CreditRecord(opened, opened + 300 * DAY, 400_000, 400_000, 0,
                                RecordStatus.CLOSED, RecordKind.LOAN))
    return out


DEFAULTED = CreditRecord(NOW - 300 * DAY, NOW - 30 * DAY, 90_000, 10_000, 95,
                         RecordStatus.DEFAULT, RecordKind.CARD)


@dataclass
class World:
    tmp: Path
    pk: groth16.ProvingKey
    issuer_key: bytes
    bureau: Issuer
    registry: IssuerRegistry


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, threshold_cache: Path) -> World:
    tmp = tmp_path_factory.mktemp("c9c13")
    key = eddsa.generate_private_key()
    registry = IssuerRegistry.of([eddsa.prv2pub(key)])
    return World(tmp, development_keys(directory=threshold_cache), key,
                 Issuer(tmp / "bureau.db", key), registry)


def _verifier(w: World, name: str, registry: IssuerRegistry, *,
              max_age: int = 30 * DAY) -> Verifier:
    best = score(DEFAULT_MODEL, _clean_history(), NOW)
    policy = LenderPolicy(
        lender_name=name, verifying_keys={vk_hash(w.pk.vk): CIRCUIT_ID},
        registry_roots=(registry.root,), model_ids=(DEFAULT_MODEL.model_id(),),
        tiers={1: 300, 2: best}, no_default_months=12, max_outstanding=10**9,
        max_attestation_age=max_age,
    )
    return Verifier(policy, {vk_hash(w.pk.vk): w.pk.vk}, MemoryVerifierStore())


def _wallet(w: World, name: str, records: list[CreditRecord]) -> Wallet:
    wallet = Wallet.create(w.tmp / name, PW, records=records)
    return wallet


def _hostile_presentation(
    w: World, wallet: Wallet, att: Attestation, registry: IssuerRegistry, ch: Challenge,
    **overrides: Any,
) -> Presentation:
    """What a modified wallet would send: a real proof of the statement with some public
    inputs chosen by the borrower instead of the challenge."""
    key = wallet.lender_key(ch.lender_id)
    args: dict[str, Any] = dict(
        lender_id=ch.lender_id, epoch=ch.epoch, nonce=ch.nonce, as_of=ch.as_of,
        min_not_before=ch.min_not_before, threshold=ch.threshold,
        borrower_key_hash=borrower_key_hash(key.public_key().public_bytes_raw()),
        no_default_months=ch.no_default_months, max_outstanding=ch.max_outstanding,
        exposure_epoch=ch.exposure_epoch, exposure_slots=ch.exposure_slots, exposure_slot=0,
    )
    args.update(overrides)
    inputs = threshold_assignment(wallet.history(), wallet.holder_secret, wallet.blinding,
                                  att, registry, **args)
    compiled = build_threshold_circuit(wallet.capacity)
    proof = groth16.prove(w.pk, compiled.r1cs, compiled.solve(inputs))
    return sign_presentation(key, ch.circuit_id, ch.vk_hash, public_signals(inputs), proof)


def test_C9_made_up_history_is_refused_at_issuance(world: World) -> None:
    """C9: the true history holds a recent default; a wallet holding an invented clean
    history cannot get it attested, so it has nothing a lender accepts."""
    world.bureau.set_books("c9", [*_clean_history(), DEFAULTED], now=NOW - DAY)
    liar = _wallet(world, "c9-liar", _clean_history())
    with pytest.raises(errors.BooksMismatch, match="left out"):
        world.bureau.attest(liar.disclose("c9"), now=NOW - DAY)
    invented = _wallet(world, "c9-invented", [*_clean_history(), DEFAULTED,
                                              _clean_history()[0]])
    with pytest.raises(errors.BooksMismatch, match="not in the books"):
        world.bureau.attest(invented.disclose("c9"), now=NOW - DAY)
    v = _verifier(world, "C9 Lender", world.registry)
    with pytest.raises(errors.Refused, match="no attestation"):
        present(liar, v.challenge(2, NOW), registry=world.registry, proving_key=world.pk)
    # The truthful wallet is attested, and its default keeps it out of every tier here.
    honest = _wallet(world, "c9-honest", [*_clean_history(), DEFAULTED])
    honest.add_attestation(world.bureau.attest(honest.disclose("c9"),
                                               now=NOW - DAY).to_json_dict())
    with pytest.raises(errors.Refused, match="defaulted"):
        present(honest, v.challenge(1, NOW), registry=world.registry, proving_key=world.pk)


def test_C10_second_wallet_same_subject(world: World) -> None:
    """C10: the second wallet is refused at issuance; the first wallet's second
    presentation at the same lender and epoch reuses its nullifier and is refused."""
    world.bureau.set_books("c10", _clean_history(), now=NOW - DAY)
    first = _wallet(world, "c10-first", _clean_history())
    first.add_attestation(world.bureau.attest(first.disclose("c10"),
                                              now=NOW - DAY).to_json_dict())
    second = _wallet(world, "c10-second", _clean_history())
    with pytest.raises(errors.IdentityConflict):
        world.bureau.attest(second.disclose("c10"), now=NOW - DAY)
    v = _verifier(world, "C10 Lender", world.registry)
    ch1 = v.challenge(2, NOW)
    d1 = v.verify(present(first, ch1, registry=world.registry, proving_key=world.pk), ch1,
                  NOW + 1)
    assert d1.tier == 2
    ch2 = v.challenge(2, NOW + 10)
    with pytest.raises(errors.PresentationRefused) as exc:
        v.verify(present(first, ch2, registry=world.registry, proving_key=world.pk), ch2,
                 NOW + 11)
    assert exc.value.reason == "nullifier-reused"
    with pytest.raises(errors.Refused, match="no attestation"):
        present(second, ch2, registry=world.registry, proving_key=world.pk)


def test_C11_stale_snapshot(world: World) -> None:
    """C11: a clean snapshot attested 200 days ago (valid for 365), and the borrower
    defaulted since: the wallet refuses to use it against a 30-day bound, and a hostile
    wallet proving with an older min_not_before is refused with its own reason."""
    bureau = Issuer(world.tmp / "c11.db", world.issuer_key, validity=365 * DAY)
    bureau.set_books("c11", _clean_history(), now=NOW - 200 * DAY)
    wallet = _wallet(world, "c11", _clean_history())
    old = bureau.attest(wallet.disclose("c11"), now=NOW - 200 * DAY)
    wallet.add_attestation(old.to_json_dict())
    v = _verifier(world, "C11 Lender", world.registry)
    ch = v.challenge(2, NOW)
    assert ch.min_not_before == NOW - 30 * DAY
    with pytest.raises(errors.AttestationStale):
        present(wallet, ch, registry=world.registry, proving_key=world.pk)
    hostile = _hostile_presentation(world, wallet, old, world.registry, ch,
                                    min_not_before=old.not_before)
    with pytest.raises(errors.PresentationRefused) as exc:
        v.verify(hostile, ch, NOW + 1)
    assert exc.value.reason == "attestation-stale"
    # A lender with a year-long bound accepts the same snapshot (the bound is the policy's).
    lax = _verifier(world, "C11 Lax Lender", world.registry, max_age=365 * DAY)
    lax_ch = lax.challenge(2, NOW)
    assert lax.verify(present(wallet, lax_ch, registry=world.registry,
                              proving_key=world.pk), lax_ch, NOW + 1).tier == 2


def test_C12_revoked_attestation(world: World) -> None:
    """C12: the bureau records the default, which revokes the live snapshot; it publishes
    the list, the registry applies it and the lender re-pins the root."""
    bureau = Issuer(world.tmp / "c12.db", world.issuer_key)
    bureau.set_books("c12", _clean_history(), now=NOW - 5 * DAY)
    wallet = _wallet(world, "c12", _clean_history())
    att = bureau.attest(wallet.disclose("c12"), now=NOW - 5 * DAY)
    wallet.add_attestation(att.to_json_dict())
    before = IssuerRegistry.from_json_dict(world.registry.to_json_dict())
    assert bureau.set_books("c12", [*_clean_history(), DEFAULTED], now=NOW - DAY) == [
        att.revocation_id]
    after = IssuerRegistry.from_json_dict(before.to_json_dict())
    after.apply_revocations(bureau.revocation_list(now=NOW - DAY + 60))
    assert after.root != before.root
    v = _verifier(world, "C12 Lender", after)
    ch = v.challenge(2, NOW)
    with pytest.raises(errors.AttestationRevoked):
        present(wallet, ch, registry=after, proving_key=world.pk)
    # A real proof against the pre-revocation registry root: not the challenge's root.
    hostile = _hostile_presentation(world, wallet, att, before, ch)
    with pytest.raises(errors.PresentationRefused) as exc:
        v.verify(hostile, ch, NOW + 1)
    assert exc.value.reason == "registry-not-accepted"
    # Re-disclosing the new (true) history gets a new attestation; its default refuses tier 2.
    wallet.add_record(DEFAULTED)
    wallet.add_attestation(bureau.attest(wallet.disclose("c12"), now=NOW).to_json_dict())
    with pytest.raises(errors.Refused, match="defaulted"):
        present(wallet, v.challenge(1, NOW), registry=after, proving_key=world.pk)


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("tiers", {1: 1 << 16}, "threshold"),
        ("tiers", {1: -1}, "threshold"),
        ("no_default_months", 1 << 12, "no_default_months"),
        ("max_outstanding", 1 << 64, "max_outstanding"),
        ("max_attestation_age", 0, "max_attestation_age"),
    ],
)
def test_C13_out_of_range_policy_refused(
    world: World, field: str, value: object, match: str
) -> None:
    """C13: a policy the circuit can never satisfy would refuse every honest borrower; it
    is refused when made (InvalidArgument) and when read from JSON (InvalidEncoding)."""
    good = _verifier(world, "C13 Lender", world.registry).policy
    fields = {n: getattr(good, n) for n in (
        "lender_name", "verifying_keys", "registry_roots", "model_ids", "tiers",
        "no_default_months", "max_outstanding", "max_attestation_age")}
    with pytest.raises(errors.InvalidArgument, match=match):
        LenderPolicy(**{**fields, field: value})  # type: ignore[arg-type]
    doc = good.to_json_dict()
    if field == "tiers":
        doc["tiers"] = [{"tier": 1, "threshold": str(value[1])}]  # type: ignore[index]
    elif field == "max_outstanding":
        doc[field] = str(value)
    else:
        doc[field] = value
    if field == "tiers" and value == {1: -1}:
        return  # "-1" is not a canonical decimal: refused by the strict reader already
    with pytest.raises(errors.InvalidEncoding, match=match):
        LenderPolicy.from_json(doc)
