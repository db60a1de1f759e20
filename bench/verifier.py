"""Verifier store throughput: accepted presentations per second, `Verifier.verify` one by one
against `Verifier.verify_many` at batch sizes 1, 10 and 100, on the durable
`SqliteVerifierStore` (WAL + synchronous=FULL + BEGIN IMMEDIATE: one fsync per transaction).

    .venv/bin/python bench/verifier.py [--presentations 100] [--rounds 2]

The presentations are real Groth16 proofs of the small stand-in circuit of the verifier
tests (tests/verifier/_support.py: the threshold circuit's public inputs, a few hundred
constraints), each for its own borrower and challenge, made once (proving is not timed)
and valid again on every fresh database, where the same challenges are recorded. Every
timed presentation is accepted, so each one is a full pass: parse, policy checks, strict
Ed25519, nullifier lookup, Groth16 (batched in `verify_many`), consume. A batch-100 run on
`MemoryVerifierStore` gives the CPU ceiling without any fsync.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the stand-in circuit lives with the tests

from tests.verifier._support import NOW, Borrower, keys, policy  # noqa: E402
from zkcredit.decision import CreditDecision  # noqa: E402
from zkcredit.verifier import (  # noqa: E402
    Challenge,
    MemoryVerifierStore,
    Presentation,
    SqliteVerifierStore,
    Verifier,
    VerifierStore,
    vk_hash,
)

AT = NOW + 5


def make_pool(n: int) -> list[tuple[Presentation, Challenge]]:
    pol = policy()
    pool = []
    for _ in range(n):
        ch = pol.challenge(2, NOW)
        pool.append((Borrower().present(ch), ch))
    return pool


def fresh_verifier(store: VerifierStore, pool: list[tuple[Presentation, Challenge]]) -> Verifier:
    for _, ch in pool:
        store.record_challenge(ch.lender_id, ch.nonce, ch.to_json(), expires_at=ch.expires_at)
    vk = keys()[1]
    return Verifier(policy(), {vk_hash(vk): vk}, store)


def run(
    mode: str, batch: int, pool: list[tuple[Presentation, Challenge]], workdir: Path, tag: str
) -> float:
    """Seconds to accept the whole pool on a fresh store (presentations sent as JSON)."""
    store: VerifierStore = (
        MemoryVerifierStore() if mode == "memory" else SqliteVerifierStore(workdir / f"{tag}.db")
    )
    v = fresh_verifier(store, pool)
    items = [(p.to_json(), ch.to_json()) for p, ch in pool]
    t = time.perf_counter()
    if mode == "verify":
        for p, ch in items:
            v.verify(p, ch, AT)
    else:
        for k in range(0, len(items), batch):
            results = v.verify_many(items[k:k + batch], AT)
            assert all(isinstance(r, CreditDecision) for r in results), results
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--presentations", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=2, help="best of this many runs per mode")
    args = ap.parse_args()
    n = args.presentations
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"machine: {platform.machine()}, {cores} cores usable (os.cpu_count()="
          f"{os.cpu_count()}), Python {platform.python_version()}")
    t = time.perf_counter()
    pool = make_pool(n)
    print(f"{n} presentations (stand-in circuit) proved in {time.perf_counter() - t:.1f} s "
          f"(not timed below); best of {args.rounds} runs, every presentation accepted")
    modes = [("verify", 1), ("verify_many", 1), ("verify_many", 10), ("verify_many", 100),
             ("memory", 100)]
    print(f"{'mode':<34}{'presentations/s':>16}{'ms each':>10}")
    with tempfile.TemporaryDirectory(dir=ROOT) as tmp:  # the repository's disk, not tmpfs
        for mode, batch in modes:
            best = min(run(mode, batch, pool, Path(tmp), f"{mode}-{batch}-{r}")
                       for r in range(args.rounds))
            label = {
                "verify": "verify, one by one (SQLite)",
                "verify_many": f"verify_many, batch {batch} (SQLite)",
                "memory": f"verify_many, batch {batch} (memory: CPU)",
            }[mode]
            print(f"{label:<34}{n / best:>16.1f}{1000 * best / n:>10.2f}")


if __name__ == "__main__":
    main()
