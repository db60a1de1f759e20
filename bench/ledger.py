"""Ledger throughput: commands per second for a draw/repay/accrue mix over many lines.

    .venv/bin/python bench/ledger.py [--lines 10000] [--commands 3000] [--backend both]

Each command is one durable transaction (SQLite: WAL + synchronous=FULL + BEGIN
IMMEDIATE; PostgreSQL: SERIALIZABLE, a throw-away server started like the test fixture
does, through the shared `zkcredit.ledger._pgserver.TemporaryPostgres`). Set-up (pool
deposit and opening the lines, themselves commands) is timed separately.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from zkcredit.decision import CreditDecision
from zkcredit.errors import LedgerError
from zkcredit.ledger import (
    RAY,
    Ed25519RecordSigner,
    Ledger,
    LedgerConfig,
    ManualFeed,
    TierTerms,
)
from zkcredit.ledger._pgserver import TemporaryPostgres

T0 = 1_700_000_000


class Clock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> int:
        return self.t


def run(url: str, n_lines: int, n_commands: int, seed: int = 7) -> dict[str, float]:
    clock = Clock()
    feed = ManualFeed(3_000_000, T0)
    # an unsecured tier (the proof is the collateral) so lines need no collateral set-up
    config = LedgerConfig(tiers={3: TierTerms(1_000_000, 0, RAY // 100, 1_000_000)})
    ledger = Ledger(url, primary_feed=feed, fallback_feed=None, config=config, clock=clock,
                    record_signer=Ed25519RecordSigner(
                        Ed25519PrivateKey.from_private_bytes(b"\x02" * 32)),
                    audit_key=Ed25519PrivateKey.from_private_bytes(b"\x01" * 32))
    rng = random.Random(seed)
    t = time.perf_counter()
    ledger.deposit("seed", "lp", 10**12)
    lines = []
    for i in range(n_lines):
        lines.append(ledger.open_line(f"open-{i}", CreditDecision(
            borrower_id=i + 1, tier=3, threshold=700, model_id=1, lender_id=1,
            nullifier=i + 1, expires_at=T0 + 10**8)).int("line_id"))
    setup = time.perf_counter() - t
    refused = 0
    counts = {"draw": 0, "repay": 0, "accrue": 0}
    t = time.perf_counter()
    for i in range(n_commands):
        clock.t += 1
        feed.set(3_000_000, clock.t)
        line = rng.choice(lines)
        op = rng.random()
        try:
            if op < 0.4:
                counts["draw"] += 1
                ledger.draw(f"c{i}", line, rng.randint(1, 50_000))
            elif op < 0.8:
                counts["repay"] += 1
                ledger.repay(f"c{i}", line, rng.randint(1, 60_000))
            else:
                counts["accrue"] += 1
                ledger.accrue(f"c{i}", line)
        except LedgerError:
            refused += 1
    elapsed = time.perf_counter() - t
    t = time.perf_counter()
    report = ledger.audit()
    audit_s = time.perf_counter() - t
    assert report.ok, report.problems
    ledger.close()
    return {"setup_s": setup, "setup_cps": (n_lines + 1) / setup, "mix_s": elapsed,
            "mix_cps": n_commands / elapsed, "refused": refused, "audit_s": audit_s,
            "entries": report.entries, **counts}


def show(name: str, r: dict[str, float], n_lines: int, n_commands: int) -> None:
    print(f"{name:10s} lines={n_lines} set-up {r['setup_cps']:8.0f} cmd/s ({r['setup_s']:.1f} s)"
          f" | mix {n_commands} cmds ({r['draw']:.0f} draw / {r['repay']:.0f} repay /"
          f" {r['accrue']:.0f} accrue, {r['refused']:.0f} refused):"
          f" {r['mix_cps']:8.0f} cmd/s | audit of {r['entries']:.0f} entries"
          f" {r['audit_s']:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lines", type=int, default=10_000)
    ap.add_argument("--commands", type=int, default=3_000)
    ap.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = ap.parse_args()
    print(f"os.cpu_count() = {os.cpu_count()}; {platform.python_implementation()}"
          f" {platform.python_version()}; {platform.machine()}")
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as d:
            r = run(f"sqlite:///{Path(d) / 'bench.db'}", args.lines, args.commands)
            show("sqlite", r, args.lines, args.commands)
    if args.backend in ("postgres", "both"):
        with TemporaryPostgres() as pg:
            r = run(pg.create_database("bench"), args.lines, args.commands)
            show("postgres", r, args.lines, args.commands)


if __name__ == "__main__":
    main()
