"""Ledger throughput vs batch size, and the group-commit front's latency (issue 13).

    .venv/bin/python bench/ledger.py [--lines 10000] [--commands 3000] [--single 300]
        [--batches 1,10,100,1000] [--threads 16] [--per-thread 100] [--backend both]

The mix is issue 7's: 40 % draw / 40 % repay / 20 % accrue on random lines of an
unsecured bench tier. It is run through `Ledger.submit_many` in batches of each size
(one durable transaction per batch: SQLite WAL + synchronous=FULL + BEGIN IMMEDIATE;
PostgreSQL SERIALIZABLE on a throw-away loopback server, `TemporaryPostgres`); batch
size 1 is the single-command API's cost and runs ``--single`` commands, the others
``--commands``. The clock advances one second per command (per batch: its size), so
commands also accrue the tier indexes. Then ``--threads`` threads each submit
``--per-thread`` mix commands one at a time through a `GroupCommitter`, and the
latency of every `submit` (queue + batch + commit) is reported as percentiles.
Set-up (pool deposit, opening the lines) is itself batched and timed separately.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from zkcredit.decision import CreditDecision
from zkcredit.ledger import (
    OK,
    RAY,
    Command,
    Ed25519RecordSigner,
    GroupCommitter,
    Ledger,
    LedgerConfig,
    ManualFeed,
    TierTerms,
)
from zkcredit.ledger._pgserver import TemporaryPostgres

T0 = 1_700_000_000


class Clock:
    """Bench clock: the mix moves it forward; threads only read it."""

    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> int:
        return self.t


def mix_command(rng: random.Random, cid: str, lines: list[int]) -> Command:
    line = rng.choice(lines)
    op = rng.random()
    if op < 0.4:
        return Command("draw", cid, (line, rng.randint(1, 50_000)))
    if op < 0.8:
        return Command("repay", cid, (line, rng.randint(1, 60_000)))
    return Command("accrue", cid, (line,))


def setup(url: str, n_lines: int) -> tuple[Ledger, Clock, ManualFeed, list[int], float]:
    clock = Clock()
    feed = ManualFeed(3_000_000, T0)
    # an unsecured tier (the proof is the collateral) so lines need no collateral set-up
    config = LedgerConfig(tiers={3: TierTerms(1_000_000, 0, RAY // 100, 1_000_000)})
    ledger = Ledger(url, primary_feed=feed, fallback_feed=None, config=config, clock=clock,
                    record_signer=Ed25519RecordSigner(
                        Ed25519PrivateKey.from_private_bytes(b"\x02" * 32)),
                    audit_key=Ed25519PrivateKey.from_private_bytes(b"\x01" * 32))
    t = time.perf_counter()
    ledger.deposit("seed", "lp", 10**12)
    lines: list[int] = []
    for start in range(0, n_lines, 1000):
        out = ledger.submit_many([Command("open_line", f"open-{i}", (CreditDecision(
            borrower_id=i + 1, tier=3, threshold=700, model_id=1, lender_id=1,
            nullifier=i + 1, expires_at=T0 + 10**8, slot_nullifier=i + 1,
            exposure_epoch=0),)) for i in range(
                start, min(n_lines, start + 1000))])
        lines.extend(r.receipt.int("line_id") for r in out if r.receipt is not None)
    assert len(lines) == n_lines
    return ledger, clock, feed, lines, time.perf_counter() - t


def run_batches(ledger: Ledger, clock: Clock, feed: ManualFeed, lines: list[int],
                size: int, n: int, rng: random.Random) -> dict[str, float]:
    cmds = [mix_command(rng, f"b{size}-{i}", lines) for i in range(n)]
    refused = 0
    t = time.perf_counter()
    for start in range(0, n, size):
        chunk = cmds[start:start + size]
        clock.t += len(chunk)
        feed.set(3_000_000, clock.t)
        refused += sum(r.status != OK for r in ledger.submit_many(chunk))
    elapsed = time.perf_counter() - t
    return {"n": n, "s": elapsed, "cps": n / elapsed, "refused": refused}


def run_group(ledger: Ledger, clock: Clock, feed: ManualFeed, lines: list[int],
              threads: int, per: int) -> dict[str, float]:
    clock.t += 60
    feed.set(3_000_000, clock.t)
    latencies: list[float] = []
    lock = threading.Lock()
    go = threading.Event()

    def worker(w: int) -> None:
        rng = random.Random(w)
        mine = []
        go.wait()
        for i in range(per):
            cmd = mix_command(rng, f"g{w}-{i}", lines)
            t = time.perf_counter()
            gc.submit(cmd)
            mine.append(time.perf_counter() - t)
        with lock:
            latencies.extend(mine)

    gc = GroupCommitter(ledger, max_batch=512, max_delay=0.001)
    pool = [threading.Thread(target=worker, args=(w,)) for w in range(threads)]
    for th in pool:
        th.start()
    t = time.perf_counter()
    go.set()
    for th in pool:
        th.join()
    elapsed = time.perf_counter() - t
    gc.close()
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    n = threads * per
    return {"n": n, "cps": n / elapsed, "p50": q[49] * 1e3, "p90": q[89] * 1e3,
            "p99": q[98] * 1e3, "batches": gc.batches, "mean_batch": n / gc.batches}


def bench(name: str, url: str, args: argparse.Namespace) -> None:
    ledger, clock, feed, lines, setup_s = setup(url, args.lines)
    print(f"{name:8s} set-up: deposit + {args.lines} open_line in batches of 1000:"
          f" {(args.lines + 1) / setup_s:8.0f} cmd/s ({setup_s:.1f} s)")
    rng = random.Random(7)
    for size in args.batches:
        n = args.single if size == 1 else args.commands
        r = run_batches(ledger, clock, feed, lines, size, n, rng)
        print(f"{name:8s} batch {size:5d}: {r['n']:6.0f} cmds in {r['s']:6.2f} s ="
              f" {r['cps']:7.0f} cmd/s ({r['refused']:.0f} refused)", flush=True)
    g = run_group(ledger, clock, feed, lines, args.threads, args.per_thread)
    print(f"{name:8s} group commit, {args.threads} threads x {args.per_thread}:"
          f" {g['cps']:7.0f} cmd/s, latency p50 {g['p50']:.1f} ms p90 {g['p90']:.1f} ms"
          f" p99 {g['p99']:.1f} ms, {g['batches']:.0f} batches (mean {g['mean_batch']:.1f})")
    t = time.perf_counter()
    report = ledger.audit()
    print(f"{name:8s} audit of {report.entries} entries: {time.perf_counter() - t:.2f} s,"
          f" ok={report.ok}")
    assert report.ok, report.problems
    ledger.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=10_000)
    ap.add_argument("--commands", type=int, default=3_000)
    ap.add_argument("--single", type=int, default=300)
    ap.add_argument("--batches", type=lambda s: [int(x) for x in s.split(",")],
                    default=[1, 10, 100, 1000])
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--per-thread", type=int, default=100)
    ap.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = ap.parse_args()
    print(f"os.cpu_count() = {os.cpu_count()}; {platform.python_implementation()}"
          f" {platform.python_version()}; {platform.machine()};"
          f" load average {os.getloadavg()}")
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as d:
            bench("sqlite", f"sqlite:///{Path(d) / 'bench.db'}", args)
    if args.backend in ("postgres", "both"):
        with TemporaryPostgres() as pg:
            bench("postgres", pg.create_database("bench"), args)


if __name__ == "__main__":
    main()
