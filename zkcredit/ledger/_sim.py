"""Deterministic simulation of the ledger (TigerBeetle-style, ADVERSARIAL D13).

Clock, randomness and both oracle feeds are injected and driven by one seeded
`random.Random`; keys are derived from the seed. The simulator runs a random workload —
lenders coming and going, borrowers opening lines from decisions, drawing, repaying,
walking away, prices wandering and crashing, a feed failing — with every ledger refusal
counted rather than raised. Afterwards it audits the books. The same seed on the same
kind of database gives a byte-identical `Ledger.state_hash`.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from zkcredit.decision import CreditDecision
from zkcredit.errors import LedgerError
from zkcredit.ledger._config import LedgerConfig
from zkcredit.ledger._ledger import AuditReport, Ledger
from zkcredit.ledger._oracle import ManualFeed
from zkcredit.ledger._records import Ed25519RecordSigner

__all__ = ["SimClock", "SimResult", "simulate"]

_T0 = 1_700_000_000


class SimClock:
    """A clock that only moves when the simulation says so."""

    def __init__(self, t: int = _T0) -> None:
        self.t = t

    def __call__(self) -> int:
        return self.t

    def advance(self, dt: int) -> None:
        """Move the clock forward by ``dt`` seconds."""
        self.t += dt


@dataclass(frozen=True, slots=True)
class SimResult:
    seed: int
    state_hash: str
    accepted: int
    refused: int
    audit: AuditReport


def _key(seed: int, label: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(label + seed.to_bytes(8, "big")).digest())


def simulate(url: str, seed: int, steps: int = 300,
             config: LedgerConfig | None = None) -> SimResult:
    """Run ``steps`` random commands against a fresh ledger at ``url``."""
    rng = random.Random(seed)  # noqa: S311 -- a reproducible workload, not secrets
    clock = SimClock()
    price = 3_000_000
    primary = ManualFeed(price, clock.t)
    fallback = ManualFeed(price, clock.t)
    ledger = Ledger(url, primary_feed=primary, fallback_feed=fallback,
                    record_signer=Ed25519RecordSigner(_key(seed, b"issuer")),
                    audit_key=_key(seed, b"audit"), config=config, clock=clock)
    accepted = refused = 0
    lines: list[int] = []
    borrowers: dict[int, int] = {}
    try:
        for step in range(steps):
            cid = f"sim-{seed}-{step}"
            clock.t += rng.choice((0, 1, 60, 600, 3600, 6 * 3600, 86400))
            # the oracle: a random walk, occasional crash, occasional broken primary
            roll = rng.random()
            if roll < 0.02:
                price = max(10_000, price * rng.randint(40, 60) // 100)
            elif roll < 0.5:
                price = max(10_000, price * rng.randint(98, 102) // 100)
            primary.broken = rng.random() < 0.05
            primary.set(price, clock.t - rng.randint(0, 120))
            fallback.set(price + rng.randint(-50, 50), clock.t - rng.randint(0, 600))
            op = rng.random()
            try:
                if op < 0.10:
                    ledger.deposit(cid, f"lp{rng.randint(0, 4)}", rng.randint(1, 50_000_000))
                elif op < 0.20 or not lines:
                    tier = rng.choice((0, 1, 2, 3))
                    n = rng.randrange(1, 2**64)
                    if tier == 0:
                        r = ledger.open_unproven_line(cid, n, 1)
                    else:
                        r = ledger.open_line(cid, CreditDecision(
                            borrower_id=n, tier=tier, threshold=600 + 50 * tier, model_id=1,
                            lender_id=1, nullifier=n, expires_at=clock.t + 60 * 86400,
                            slot_nullifier=n, exposure_epoch=0))
                        borrowers[r.int("line_id")] = n
                    lines.append(r.int("line_id"))
                elif op < 0.23 and borrowers:
                    line = rng.choice(sorted(borrowers))
                    ledger.renew_line(cid, line, CreditDecision(
                        borrower_id=borrowers[line], tier=rng.choice((1, 2, 3)), threshold=700,
                        model_id=1, lender_id=1, nullifier=rng.randrange(1, 2**64),
                        expires_at=clock.t + 60 * 86400,
                        slot_nullifier=rng.randrange(1, 2**64), exposure_epoch=0))
                elif op < 0.35:
                    ledger.deposit_collateral(cid, rng.choice(lines), rng.randint(1, 10**8))
                elif op < 0.55:
                    ledger.draw(cid, rng.choice(lines), rng.randint(1, 2_000_000))
                elif op < 0.75:
                    ledger.repay(cid, rng.choice(lines), rng.randint(1, 2_500_000))
                elif op < 0.80:
                    ledger.withdraw_collateral(cid, rng.choice(lines), rng.randint(1, 10**7))
                elif op < 0.86:
                    ledger.liquidate(cid, rng.choice(lines), "keeper", rng.randint(1, 10**7))
                elif op < 0.90:
                    ledger.mark_default(cid, rng.choice(lines))
                elif op < 0.94:
                    who = f"lp{rng.randint(0, 4)}"
                    ledger.withdraw(cid, who, max(1, ledger.shares_of(who) // 3))
                elif op < 0.97:
                    ledger.update_price(cid)
                else:
                    ledger.accrue(cid, rng.choice(lines))
                accepted += 1
            except LedgerError:
                refused += 1
        report = ledger.audit()
        return SimResult(seed, ledger.state_hash(), accepted, refused, report)
    finally:
        ledger.close()
