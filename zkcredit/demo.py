"""`zkcredit demo`: the whole story in one run, on real components.

An issuer checks two borrowers' disclosed histories against its own books and attests
them, one wallet per person (a made-up history and a second wallet are refused); a lender
publishes its policy and challenges them; each borrower proves a tier with a real Groth16
proof of the threshold circuit; the verifier decides; a SQLite ledger opens under-
collateralized lines, which draw and repay; a collateral price crash liquidates the
weaker line; Bob's attempt to stack a second line at another lender is refused by the
shared exposure registry; the ledger issues signed tradelines; the audit shows the books
balance.
Nothing is mocked: the only shortcut is the single-party development setup, which the
output says is not for production (it is cached, so later runs skip it).

`run_demo` is the library entry point (the CLI command is a thin wrapper); it returns a
`DemoResult` so tests can check the story's outcome, not just its text.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from zkcredit.credit import CreditRecord, IssuerRegistry, RecordKind, RecordStatus, Wallet
from zkcredit.credit.dev_keys import development_keys
from zkcredit.credit.issuance import Issuer
from zkcredit.credit.model import DEFAULT_MODEL, score
from zkcredit.credit.present import present
from zkcredit.credit.records import record_from_ledger_tradeline
from zkcredit.credit.threshold import build_threshold_circuit, circuit_id
from zkcredit.decision import CreditDecision
from zkcredit.errors import (
    BooksMismatch,
    IdentityConflict,
    NotLiquidatable,
    PresentationRefused,
    Refused,
    ZkCreditError,
)
from zkcredit.exposure import ExposureRegistry
from zkcredit.hazmat import eddsa
from zkcredit.ledger import Ed25519RecordSigner, Ledger, ManualFeed, Tradeline
from zkcredit.ledger._records import verify_audit_log
from zkcredit.verifier import LenderPolicy, SqliteVerifierStore, Verifier, vk_hash

__all__ = ["DemoResult", "run_demo"]

DAY = 86_400
START = 1_767_225_600  # 2026-01-01 00:00 UTC: the demo's fixed clock, so the story repeats
SATS = 10**8  # collateral minor units per BTC
TIERS = {1: 560, 2: 680, 3: 760}
#: The demo's exposure cap: one new line per borrower and 30-day epoch, across lenders.
EXPOSURE_SLOTS = 1


@dataclass(frozen=True)
class DemoResult:
    """What happened, for tests: scores, decisions, line outcomes and the audit totals."""

    scores: dict[str, int]
    #: The bureau's answer to each hostile issuance attempt: the error class's name.
    issuance_refusals: dict[str, str]
    #: Bob's stacking attempt at a second lender: how the wallet and the verifier said no.
    stacking_refusals: dict[str, str]
    tiers: dict[str, int]
    line_status: dict[str, str]
    deficit: int
    tradelines: int
    audit_entries: int
    books_balance: bool
    seconds: float


def _usd(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"


def _btc(sats: int) -> str:
    return f"{sats // SATS}.{sats % SATS:08d}".rstrip("0").rstrip(".") + " BTC"


def _short(value: int) -> str:
    text = f"{value:064x}"
    return f"0x{text[:8]}…{text[-4:]}"


def _alice_records() -> list[CreditRecord]:
    """Six years of loans, all repaid on time, and a card in good standing."""
    out = []
    for year in range(6):
        opened = START - (6 - year) * 365 * DAY
        amount = 500_000 + 100_000 * year
        out.append(CreditRecord(opened_at=opened, updated_at=opened + 300 * DAY, amount=amount,
                                repaid=amount, days_late=0, status=RecordStatus.CLOSED,
                                kind=RecordKind.LOAN))
    out.append(CreditRecord(opened_at=START - 400 * DAY, updated_at=START - 10 * DAY,
                            amount=200_000, repaid=150_000, days_late=0,
                            status=RecordStatus.CURRENT, kind=RecordKind.CARD))
    return out


def _bob_records() -> list[CreditRecord]:
    """Two years of history: a buy-now-pay-later plan paid 45 days late, two small loans."""
    return [
        CreditRecord(opened_at=START - 730 * DAY, updated_at=START - 600 * DAY, amount=80_000,
                     repaid=80_000, days_late=45, status=RecordStatus.CLOSED,
                     kind=RecordKind.BNPL),
        CreditRecord(opened_at=START - 500 * DAY, updated_at=START - 200 * DAY, amount=150_000,
                     repaid=150_000, days_late=0, status=RecordStatus.CLOSED,
                     kind=RecordKind.LOAN),
        CreditRecord(opened_at=START - 90 * DAY, updated_at=START - 5 * DAY, amount=120_000,
                     repaid=40_000, days_late=0, status=RecordStatus.CURRENT,
                     kind=RecordKind.LOAN),
    ]


class _Clock:
    def __init__(self, t: int) -> None:
        self.t = t

    def __call__(self) -> int:
        return self.t


def run_demo(
    workdir: Path,
    say: Callable[[str], None] = print,
    *,
    cache: Path | None = None,
) -> DemoResult:
    """Tell the story, writing wallets, stores and the ledger under ``workdir`` (which must
    exist and be empty); ``cache`` holds the development proving key between runs."""
    began = time.monotonic()
    clock = _Clock(START)
    passphrase = secrets.token_urlsafe(16)  # the demo's wallets; never printed

    def heading(text: str) -> None:
        say("")
        say(text)

    say("zkcredit demo: private credit evidence for an under-collateralized loan")
    say(f"(working files in {workdir}; the clock is fixed at 2026-01-01 so the story repeats)")

    # 1. The issuer and the lender's registry of trusted issuers.
    heading("1. An issuer the lender trusts")
    bureau_key = eddsa.generate_private_key()
    bureau = eddsa.prv2pub(bureau_key)
    registry = IssuerRegistry()
    registry.add(bureau)
    say("   Northwind Credit Bureau makes a Baby Jubjub signing key (EdDSA-Poseidon, so a")
    say("   circuit can check its signatures). Harbor Lending lists it in its issuer registry")
    say(f"   and publishes the registry's Merkle root {_short(registry.root)}.")

    # 2. Borrowers, wallets, attestations.
    heading("2. The bureau attests what its own books say, for one wallet per person")
    bureau_desk = Issuer(workdir / "bureau.db", bureau_key)
    people = {"Alice": _alice_records(), "Bob": _bob_records()}
    for name, records in people.items():
        bureau_desk.set_books(f"customer-{name.lower()}", records, now=clock.t - 8 * DAY)
    say("   A wallet discloses its records, their salts and the blinding to the bureau; the")
    say("   bureau checks them against its own books, binds the customer to that wallet's")
    say("   holder commitment, recomputes the history commitment and only then signs it,")
    say(f"   for {bureau_desk.validity // DAY} days, with a revocation id. The holder secret"
        " never leaves the wallet.")
    refusals: dict[str, str] = {}

    def attempt(what: str, wallet: Wallet, at: int) -> None:
        try:
            bureau_desk.attest(wallet.disclose("customer-bob"), now=at)
        except (BooksMismatch, IdentityConflict) as exc:
            refusals[what] = type(exc).__name__
        else:  # the story's point: this must never happen
            raise AssertionError(f"the bureau attested Bob's {what}")

    made_up = Wallet.create(workdir / "bob-made-up.wallet", passphrase,
                            records=_alice_records())
    attempt("made-up history", made_up, clock.t - 7 * DAY)
    say("   Bob first discloses a made-up clean history: refused, its records are not the")
    say("   bureau's books for customer-bob.")
    wallets: dict[str, Wallet] = {}
    scores: dict[str, int] = {}
    for name, records in people.items():
        subject = f"customer-{name.lower()}"
        wallet = Wallet.create(workdir / f"{name.lower()}.wallet", passphrase, records=records)
        att = bureau_desk.attest(wallet.disclose(subject), now=clock.t - 7 * DAY)
        wallet.add_attestation(att.to_json_dict())
        wallet.save()
        wallets[name] = wallet
        scores[name] = score(DEFAULT_MODEL, records, START)
        late = max(r.days_late for r in records)
        say(f"   {name} ({subject}): {len(records)} tradelines, worst lateness {late} days;"
            f" attested commitment {_short(wallet.commitment())}.")
    second = Wallet.create(workdir / "bob-second.wallet", passphrase, records=_bob_records())
    attempt("second wallet", second, clock.t - 6 * DAY)
    say("   Bob then tries his true history in a second wallet, for a second nullifier:")
    say("   refused, customer-bob is bound to his first wallet.")
    bureau_desk.close()
    say("   (For the narrator only: under public score model v1 Alice scores "
        f"{scores['Alice']} and Bob {scores['Bob']}.")
    say("   No lender sees these numbers.)")

    # 3. The lender's policy and verifying key.
    heading("3. Harbor Lending publishes its policy")
    compiled = build_threshold_circuit()
    say(f"   The threshold circuit has {compiled.r1cs.n_constraints:,} constraints: it opens the")
    say("   commitment, checks the bureau's signature against the registry, scores the")
    say("   history with the model and compares it with the threshold.")
    pk = development_keys(directory=cache, progress=lambda m: say(f"   {m}"))
    say("   Keys come from a DEVELOPMENT setup: one party made them, so whoever ran it could")
    say("   forge proofs. Production keys come from a multi-party ceremony.")
    policy = LenderPolicy(
        lender_name="Harbor Lending",
        verifying_keys={vk_hash(pk.vk): circuit_id()},
        registry_roots=(registry.root,),
        model_ids=(DEFAULT_MODEL.model_id(),),
        tiers=TIERS,
        no_default_months=12,
        max_outstanding=2_000_000,
        max_attestation_age=90 * DAY,
        exposure_slots=EXPOSURE_SLOTS,
        exposure_epoch_seconds=30 * DAY,
    )
    exposure = ExposureRegistry(f"sqlite:///{workdir / 'exposure.db'}",
                                slots=EXPOSURE_SLOTS, epoch_seconds=30 * DAY, clock=clock)
    verifier = Verifier(policy, {vk_hash(pk.vk): pk.vk},
                        SqliteVerifierStore(workdir / "harbor-verifier.db"), exposure=exposure)
    say("   Tiers by proven score: " + ", ".join(
        f"tier {t} at {s}" for t, s in sorted(TIERS.items())) + ";")
    say(f"   no default in the last 12 months; at most {_usd(2_000_000)} outstanding elsewhere;")
    say("   attestations at most 90 days old, from a registry whose revocation lists it pins.")
    say(f"   It shares an exposure registry with other lenders: {EXPOSURE_SLOTS} new line per"
        " borrower per 30 days, across all of them.")

    # 4-5. Challenges, proofs, decisions.
    heading("4. Each borrower proves a tier; 5. the verifier decides")
    decisions: dict[str, CreditDecision] = {}
    for name in ("Alice", "Bob"):
        wallet = wallets[name]
        for tier in sorted(TIERS, reverse=True):
            challenge = verifier.challenge(tier, clock.t)
            try:
                t0 = time.monotonic()
                presentation = present(
                    wallet, challenge, registry=registry, proving_key=pk,
                    claimed_slots=exposure.claimed(challenge.exposure_epoch))
            except Refused as exc:
                say(f"   {name} cannot prove tier {tier} (score at least {TIERS[tier]}): "
                    f"{exc}. Nothing is sent.")
                continue
            took = time.monotonic() - t0
            decision = verifier.verify(presentation, challenge, clock.t + 2)
            decisions[name] = decision
            say(f"   {name} proves \"score ≥ {TIERS[tier]}\" in {took:.1f} s. Harbor Lending")
            say("   checks the proof, the nonce, the key binding and the nullifier: "
                f"tier {decision.tier}.")
            say("   It learns the tier, not the score, the records, or which bureau signed.")
            try:
                verifier.verify(presentation, challenge, clock.t + 3)
            except PresentationRefused as exc:
                say(f"   Sending the same presentation again is refused: {exc.reason}.")
            break
    tiers = {name: d.tier for name, d in decisions.items()}

    # 6. The ledger.
    heading("6. The ledger opens under-collateralized lines")
    price = 3_000_000  # $30,000.00 per BTC
    feeds = (ManualFeed(price, clock.t), ManualFeed(price, clock.t))
    signer_key = Ed25519PrivateKey.generate()
    ledger = Ledger(f"sqlite:///{workdir / 'harbor-ledger.db'}", primary_feed=feeds[0],
                    fallback_feed=feeds[1], record_signer=Ed25519RecordSigner(signer_key),
                    audit_key=Ed25519PrivateKey.generate(), clock=clock, exposure=exposure)
    step = iter(range(1, 1000))

    def cid() -> str:
        return f"demo-{next(step)}"

    def set_price(value: int) -> None:
        for feed in feeds:
            feed.set(value, clock.t)

    ledger.deposit(cid(), "harbor-pool-lp", 10_000_000)
    say(f"   A liquidity provider deposits {_usd(10_000_000)}. BTC is at {_usd(price)}.")
    plan = {"Alice": (50_000_000, 2_000_000), "Bob": (25_000_000, 800_000)}
    lines: dict[str, int] = {}
    for name, (collateral, draw) in plan.items():
        if name not in decisions:
            continue
        line_id = ledger.open_line(cid(), decisions[name]).int("line_id")
        lines[name] = line_id
        ledger.deposit_collateral(cid(), line_id, collateral)
        ledger.draw(cid(), line_id, draw)
        view = ledger.line(line_id)
        share = collateral * price * 100 // (SATS * draw)
        say(f"   {name} (tier {view.tier}): limit {_usd(view.credit_limit)}, posts "
            f"{_btc(collateral)} and draws {_usd(draw)} — collateral worth {share}% of the loan.")
    used = len(exposure.claimed(exposure.current_epoch()))
    say(f"   Each opening claimed the line's exposure slot: {used} slot nullifiers are now in")
    say("   the shared registry (no names, no lender's data).")

    # 6b. Loan stacking.
    heading("6b. Bob tries to stack a second line at another lender")
    stacking: dict[str, str] = {}
    if "Bob" in decisions:
        quay_policy = LenderPolicy(
            lender_name="Quay Credit", verifying_keys={vk_hash(pk.vk): circuit_id()},
            registry_roots=(registry.root,), model_ids=(DEFAULT_MODEL.model_id(),),
            tiers=TIERS, max_attestation_age=90 * DAY, exposure_slots=EXPOSURE_SLOTS,
            exposure_epoch_seconds=30 * DAY)
        quay = Verifier(quay_policy, {vk_hash(pk.vk): pk.vk},
                        SqliteVerifierStore(workdir / "quay-verifier.db"), exposure=exposure)
        challenge = quay.challenge(decisions["Bob"].tier, clock.t)
        try:
            present(wallets["Bob"], challenge, registry=registry, proving_key=pk,
                    claimed_slots=exposure.claimed(challenge.exposure_epoch))
        except Refused as exc:
            stacking["honest wallet"] = type(exc).__name__
            say(f"   His wallet downloads the epoch's claimed slots and stops: {exc}.")
        else:  # the story's point: this must never happen
            raise AssertionError("Bob's wallet found a free exposure slot")
        forced = present(wallets["Bob"], challenge, registry=registry, proving_key=pk,
                         exposure_slot=0)
        try:
            quay.verify(forced, challenge, clock.t + 2)
        except PresentationRefused as exc:
            stacking["forced slot"] = exc.reason
            say("   He forces a proof for his used slot anyway: the proof is valid, but Quay")
            say(f"   Credit refuses it ({exc.reason}). Quay learns only that this slot is used;")
            say("   not by whom, nor at which lender.")
        else:
            raise AssertionError("Quay Credit accepted a used exposure slot")

    # 7. The crash.
    heading("7. BTC falls 45 %")
    clock.t += 30 * DAY
    set_price(price)
    if "Alice" in lines:
        owed = ledger.line(lines["Alice"]).debt_now
        ledger.repay(cid(), lines["Alice"], owed)
        say(f"   30 days later Alice repays {_usd(owed)} (interest included); her line is clear.")
    crashed = price * 55 // 100
    clock.t += DAY
    set_price(crashed)
    say(f"   The oracle reports {_usd(crashed)} (inside its 50 % circuit breaker).")
    deficit = 0
    line_status: dict[str, str] = {}
    if "Bob" in lines:
        bob = lines["Bob"]
        say(f"   Bob's line owes {_usd(ledger.line(bob).debt_now)} against "
            f"{_btc(ledger.line(bob).collateral)} now worth "
            f"{_usd(ledger.line(bob).collateral * crashed // SATS)}: unhealthy.")
        for _ in range(8):
            view = ledger.line(bob)
            if view.status != "open" or view.debt_now == 0:
                break
            try:
                r = ledger.liquidate(cid(), bob, "keeper-1", view.debt_now)
            except NotLiquidatable:
                break
            deficit += r.int("deficit")
            say(f"   A keeper repays {_usd(r.int('repaid'))} and receives {_btc(r.int('seized'))}"
                " (5 % bonus).")
        view = ledger.line(bob)
        line_status["Bob"] = view.status
        if deficit:
            say(f"   The collateral ran out with {_usd(deficit)} unpaid: written off against the")
            say("   reserve, then the pool. That loss is the price of lending below 100 %.")
    if "Alice" in lines:
        alice = ledger.line(lines["Alice"])
        line_status["Alice"] = alice.status
        say(f"   Alice's line owes {_usd(alice.debt_now)}; her collateral is untouched.")

    # 8. New credit records.
    heading("8. The ledger issues the new credit records")
    log = ledger.audit_log()
    public = Ed25519RecordSigner(signer_key).public_key()
    for entry in log:
        rec = Tradeline.from_canonical_bytes(entry.body)
        ok = Ed25519RecordSigner.verify_record(public, rec, entry.record_signature)
        who = next((n for n, lid in lines.items() if lid == rec.line_id), "?")
        say(f"   #{entry.seq} {who}'s line {rec.line_id}: {rec.status}, drawn {_usd(rec.amount)},"
            f" repaid {_usd(rec.repaid)}, {rec.days_late} days late"
            f" — signature {'valid' if ok else 'INVALID'}.")
        if who in wallets:
            try:
                wallets[who].add_record(record_from_ledger_tradeline(rec))
                wallets[who].save()
                say(f"      {who} adds it to the wallet: {len(wallets[who].records)} records, new"
                    f" commitment {_short(wallets[who].commitment())},")
                say("      to disclose to the bureau once its books have the line too.")
            except ZkCreditError as exc:
                say(f"      ({who} cannot add it: {exc})")

    # 9. Audit.
    heading("9. The books")
    report = ledger.audit()
    verify_audit_log(log, ledger.audit_public_key())
    debits = sum(report.debits.values())
    credits = sum(report.credits.values())
    say(f"   {report.entries} journal entries, {report.postings} postings: debits "
        f"{debits:,} = credits {credits:,} (minor units, all currencies).")
    say(f"   Pool aggregates equal the accounts they summarize: {'yes' if report.ok else 'NO'}.")
    say(f"   The signed audit log has {len(log)} links and its hash chain verifies.")
    elapsed = time.monotonic() - began
    say("")
    say(f"Done in {elapsed:.1f} s. Everything above ran for real: Groth16 proofs, EdDSA "
        "signatures, the SQLite ledger.")
    exposure.close()
    return DemoResult(scores=scores, issuance_refusals=refusals,
                      stacking_refusals=stacking, tiers=tiers,
                      line_status=line_status, deficit=deficit,
                      tradelines=len(log), audit_entries=report.entries,
                      books_balance=report.ok and debits == credits, seconds=elapsed)
