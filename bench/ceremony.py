"""The multi-party setup (ADVERSARIAL B7): what each participant and each verifier waits for.

    .venv/bin/python bench/ceremony.py [--power 10] [--constraints 1000] [--contributors 2]

Phase 1 (powers of tau at 2^power): new, each contribution, verify. Phase 2 for a chain
circuit ``x <- x·(x + i)`` of ``--constraints`` multiplications: new (group IFFTs), each
contribution, a beacon of 2^10 SHA-256 iterations, verify (phase 1 included), finalize
(verifies again and builds the keys), and the transcript sizes. One run each, wall time.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from typing import TypeVar

from zkcredit.circuit import Circuit
from zkcredit.hazmat import ceremony, groth16

T = TypeVar("T")


def timed(label: str, fn: Callable[[], T]) -> T:
    """Run ``fn`` once and print its wall time under ``label``."""
    start = time.perf_counter()
    out = fn()
    print(f"{label:<36} {time.perf_counter() - start:7.2f} s", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--power", type=int, default=10)
    parser.add_argument("--constraints", type=int, default=1000)
    parser.add_argument("--contributors", type=int, default=2)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")

    p1 = timed(f"phase 1 new (2^{args.power})", lambda: ceremony.new_phase1(args.power))
    for i in range(args.contributors):
        p1 = timed(f"phase 1 contribution {i + 1}", lambda t=p1: ceremony.contribute_phase1(t))
    timed("phase 1 verify", lambda: ceremony.verify_phase1(p1))

    c = Circuit("chain")
    x, y = c.private("x"), c.public("y")
    for i in range(args.constraints):
        x = x * (x + i)
    c.assert_equal(x, y, "out")
    r1cs = c.compile().r1cs
    print(f"chain circuit: {r1cs.n_constraints} constraints, {r1cs.n_wires} wires")
    p2 = timed("phase 2 new (from phase 1 + R1CS)", lambda: ceremony.new_phase2(p1, r1cs))
    for i in range(args.contributors):
        p2 = timed(f"phase 2 contribution {i + 1}", lambda t=p2: ceremony.contribute_phase2(t))
    p2 = timed("phase 2 beacon (2^10 iterations)",
               lambda: ceremony.beacon_phase2(p2, os.urandom(32), 10))
    timed("phase 2 verify (phase 1 included)", lambda: ceremony.verify_phase2(p1, r1cs, p2))
    pk, vk = timed("finalize (verifies, builds keys)", lambda: ceremony.finalize(p1, r1cs, p2))
    print(f"transcripts: phase 1 {len(p1.to_bytes()) / 1e3:.0f} kB, "
          f"phase 2 {len(p2.to_bytes()) / 1e3:.0f} kB; proving key "
          f"{len(pk.to_bytes()) / 1e3:.0f} kB; key metadata setup: {pk.metadata.get('setup')!r}")
    assert vk == pk.vk and isinstance(vk, groth16.VerifyingKey)


if __name__ == "__main__":
    main()
