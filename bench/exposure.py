"""Exposure registry throughput (issue 12): slot claims per second on both backends.

    .venv/bin/python bench/exposure.py [--single 300] [--claims 3000]
        [--batches 10,100,1000] [--procs 2] [--per-proc 300] [--proc-batch 100]
        [--backend both]

Every claim is a fresh random slot nullifier (a field element), so every claim succeeds
and is inserted. Rows of the table:

* ``single``: ``--single`` calls of `ExposureRegistry.claim`, one durable transaction
  each (SQLite WAL + synchronous=FULL + BEGIN IMMEDIATE; PostgreSQL SERIALIZABLE on a
  throw-away loopback server, `TemporaryPostgres`).
* ``batch N``: ``--claims`` claims through `ExposureRegistry.claim_many` in batches of N
  (one transaction per batch).
* ``replay N``: the same claims sent again in batches of N (idempotent replays, nothing
  written), the cost of a lender retrying after a crash.
* ``P procs x single`` / ``P procs x batch N``: ``--procs`` processes (spawned) claim at
  the same time, each distinct nullifiers for its own lender: ``--per-proc`` claims one
  per transaction, or ``--claims`` in batches of ``--proc-batch``; the rate is all their
  claims over the wall time from the common start to the last finish.
* ``claimed(epoch)``: one download of the epoch's claimed set (what a wallet fetches to
  pick a free slot) after all of the above.
* ``ledger open_line``: ``--opens`` lines opened one by one on a SQLite ledger without a
  registry, then on another with this registry (a claim before each opening): what the
  exposure check adds to a line opening.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import tempfile
import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from zkcredit.decision import CreditDecision
from zkcredit.exposure import ExposureRegistry
from zkcredit.ledger import Ed25519RecordSigner, Ledger, ManualFeed
from zkcredit.ledger._pgserver import TemporaryPostgres

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
EPOCH_SECONDS = 86_400  # a day: the wall-clock epoch does not change during a run


def nullifiers(seed: int, n: int) -> list[int]:
    rng = random.Random(seed)
    return [rng.randrange(R) for _ in range(n)]


def claims(tag: str, lender: int, values: list[int], epoch: int) -> list[tuple[int, int, int, str]]:
    return [(v, epoch, lender, f"{tag}-{i}") for i, v in enumerate(values)]


def run_single(reg: ExposureRegistry, items: list[tuple[int, int, int, str]]) -> float:
    t = time.perf_counter()
    for item in items:
        reg.claim(*item)
    return time.perf_counter() - t


def run_batches(reg: ExposureRegistry, items: list[tuple[int, int, int, str]], size: int,
                want_fresh: bool) -> float:
    t = time.perf_counter()
    for start in range(0, len(items), size):
        for answer in reg.claim_many(items[start:start + size]):
            assert not isinstance(answer, Exception), answer
            assert answer.fresh is want_fresh
    return time.perf_counter() - t


def worker(url: str, lender: int, n: int, batch: int, barrier: Barrier,
           out: Queue[Any]) -> None:
    """One lender process: claim ``n`` fresh nullifiers (one per transaction if
    ``batch`` is 1), reporting its start and end time."""
    with ExposureRegistry(url) as reg:
        items = claims(f"p{lender}", lender, nullifiers(lender, n), reg.current_epoch())
        barrier.wait(timeout=120)
        start = time.time()
        if batch == 1:
            run_single(reg, items)
        else:
            run_batches(reg, items, batch, True)
        out.put((start, time.time()))


def run_procs(url: str, procs: int, n: int, batch: int, lender_base: int) -> float:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(procs)
    out = ctx.Queue()
    pool = [ctx.Process(target=worker, args=(url, lender_base + k, n, batch, barrier, out))
            for k in range(procs)]
    for p in pool:
        p.start()
    spans = [out.get(timeout=600) for _ in pool]
    for p in pool:
        p.join()
        assert p.exitcode == 0
    return max(end for _, end in spans) - min(start for start, _ in spans)


def ledger_opens(n: int, registry: ExposureRegistry | None, seed: int) -> float:
    """Seconds to open ``n`` lines one command each on a fresh SQLite ledger."""
    now = int(time.time())
    epoch = now // EPOCH_SECONDS
    slots = nullifiers(seed, n)
    with tempfile.TemporaryDirectory() as d:
        feed = ManualFeed(3_000_000, now)
        ledger = Ledger(f"sqlite:///{Path(d) / 'ledger.db'}", primary_feed=feed,
                        record_signer=Ed25519RecordSigner(Ed25519PrivateKey.generate()),
                        audit_key=Ed25519PrivateKey.generate(), exposure=registry)
        decisions = [CreditDecision(
            borrower_id=i + 1, tier=2, threshold=650, model_id=1, lender_id=seed,
            nullifier=i + 1, expires_at=now + 86_400, slot_nullifier=slots[i],
            exposure_epoch=epoch) for i in range(n)]
        t = time.perf_counter()
        for i, decision in enumerate(decisions):
            ledger.open_line(f"open-{i}", decision)
        seconds = time.perf_counter() - t
        ledger.close()
    return seconds


def bench(name: str, url: str, args: argparse.Namespace) -> list[tuple[str, str, int, float]]:
    rows: list[tuple[str, str, int, float]] = []

    def report(mode: str, n: int, seconds: float) -> None:
        rows.append((name, mode, n, seconds))
        print(f"{name:8s} {mode:24s} {n:7d} claims in {seconds:6.2f} s ="
              f" {n / seconds:8.0f} claims/s", flush=True)

    reg = ExposureRegistry(url, slots=8, epoch_seconds=EPOCH_SECONDS)
    epoch = reg.current_epoch()
    items = claims("single", 1, nullifiers(1, args.single), epoch)
    report("single (1 per txn)", len(items), run_single(reg, items))
    for size in args.batches:
        items = claims(f"b{size}", 2, nullifiers(1000 + size, args.claims), epoch)
        report(f"batch {size}", len(items), run_batches(reg, items, size, True))
        if size == max(args.batches):
            report(f"replay {size}", len(items), run_batches(reg, items, size, False))
    total = args.procs * args.per_proc
    report(f"{args.procs} procs x single", total,
           run_procs(url, args.procs, args.per_proc, 1, 100))
    total = args.procs * args.claims
    report(f"{args.procs} procs x batch {args.proc_batch}", total,
           run_procs(url, args.procs, args.claims, args.proc_batch, 200))
    t = time.perf_counter()
    held = reg.claimed(epoch)
    print(f"{name:8s} claimed(epoch) of {len(held)} nullifiers:"
          f" {(time.perf_counter() - t) * 1e3:.0f} ms", flush=True)
    plain = ledger_opens(args.opens, None, 7001)
    claimed = ledger_opens(args.opens, reg, 7002)
    print(f"{name:8s} ledger open_line: {plain / args.opens * 1e3:.1f} ms without a registry,"
          f" {claimed / args.opens * 1e3:.1f} ms with its claim", flush=True)
    reg.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--single", type=int, default=300)
    ap.add_argument("--claims", type=int, default=3_000)
    ap.add_argument("--batches", type=lambda s: [int(x) for x in s.split(",")],
                    default=[10, 100, 1000])
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--per-proc", type=int, default=300)
    ap.add_argument("--proc-batch", type=int, default=100)
    ap.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--opens", type=int, default=200)
    args = ap.parse_args()
    print(f"os.cpu_count() = {os.cpu_count()}; {platform.python_implementation()}"
          f" {platform.python_version()}; {platform.machine()};"
          f" load average {os.getloadavg()}")
    rows: list[tuple[str, str, int, float]] = []
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as d:
            rows += bench("sqlite", f"sqlite:///{Path(d) / 'exposure.db'}", args)
    if args.backend in ("postgres", "both"):
        with TemporaryPostgres() as pg:
            rows += bench("postgres", pg.create_database("exposure_bench"), args)
    modes = list(dict.fromkeys(mode for _, mode, _, _ in rows))
    backends = list(dict.fromkeys(b for b, _, _, _ in rows))
    rate = {(b, m): n / s for b, m, n, s in rows}
    print()
    print(f"| claims/s | {' | '.join(backends)} |")
    print(f"|---|{'---:|' * len(backends)}")
    for mode in modes:
        cells = " | ".join(f"{rate[(b, mode)]:.0f}" if (b, mode) in rate else "-"
                           for b in backends)
        print(f"| {mode} | {cells} |")


if __name__ == "__main__":
    main()
