"""The threshold circuit end to end, as a borrower, an issuer and a lender wait for it.

    .venv/bin/python bench/credit.py [--runs 5] [--revoked 10000]

Prints the constraint count (with the largest constraint groups), compile time, key
generation (development setup), the issuer's side (books check and signing, and signing a
revocation list of ``--revoked`` ids, which the registry then applies), and per run: the
presentation (`present`: plain-Python checks incl. the non-revocation witness, witness
solve, Groth16 prove, sign) and the lender's `Verifier.verify` (in-memory store, so no
fsync), with CPU time next to wall time because the machine is shared. Goals: a
presentation at capacity 32 under 1.5 s, key generation under 60 s, at most 54,519
constraints.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from zkcredit.credit import IssuerRegistry, Wallet
from zkcredit.credit.issuance import Issuer
from zkcredit.credit.model import DEFAULT_MODEL, score
from zkcredit.credit.present import present
from zkcredit.credit.revocation import RevocationList
from zkcredit.credit.threshold import build_threshold_circuit, circuit_id
from zkcredit.demo import START, _alice_records
from zkcredit.hazmat import eddsa, groth16
from zkcredit.verifier import LenderPolicy, MemoryVerifierStore, Verifier, vk_hash

T = TypeVar("T")


def _timed(fn: Callable[[], T]) -> tuple[T, float, float]:
    """``fn()`` with its wall and CPU seconds."""
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--revoked", type=int, default=10_000,
                        help="revoked ids in the issuer's published list")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")

    compiled, w, c = _timed(build_threshold_circuit)
    r1cs = compiled.r1cs
    print(f"threshold circuit ({circuit_id()}): {r1cs.n_constraints:,} constraints, "
          f"{r1cs.n_wires:,} wires, {r1cs.n_public} public inputs")
    print(f"compile:                 {w:7.2f} s wall  {c:6.2f} s CPU")
    groups = Counter("/".join(k.label.split("/")[:2]).split("[")[0] for k in r1cs.constraints)
    print("largest groups: " + ", ".join(f"{g} {n:,}" for g, n in groups.most_common(8)))
    (pk, _vk), w, c = _timed(lambda: groth16.setup(r1cs))
    print(f"key generation (dev):    {w:7.2f} s wall  {c:6.2f} s CPU   (goal < 60 s)")
    print(f"proving key: {len(pk.to_bytes()) / 1e6:.1f} MB, verifying key: "
          f"{len(pk.vk.to_bytes())} bytes")

    with tempfile.TemporaryDirectory() as tmp:
        issuer_key = eddsa.generate_private_key()
        registry = IssuerRegistry()
        registry.add(eddsa.prv2pub(issuer_key))
        records = _alice_records()
        wallet = Wallet.create(Path(tmp) / "w", "bench passphrase", records=records)
        with Issuer(Path(tmp) / "issuer.db", issuer_key) as issuer:
            issuer.set_books("alice", records, now=START - 2 * 86_400)
            att, w, c = _timed(lambda: issuer.attest(wallet.disclose("alice"),
                                                     now=START - 86_400))
            print(f"issuer attest (books check, sign, fsync): {w * 1e3:6.1f} ms wall "
                  f"{c * 1e3:6.1f} ms CPU")
        # Other customers' attestations, revoked: the signed list the registry pins (the
        # list an `Issuer.revocation_list` would sign after that many revocations).
        ids = [1 + i * 7919 for i in range(args.revoked)]
        revocations, w, c = _timed(lambda: RevocationList.sign(issuer_key, ids, START - 3_600))
        print(f"revocation list of {len(revocations.revoked):,} ids: sign {w:.2f} s wall "
              f"{c:.2f} s CPU")
        _, w, c = _timed(lambda: registry.apply_revocations(revocations))
        print(f"registry applies it (verify, rebuild the sorted tree): {w:.2f} s wall")
        wallet.add_attestation(att.to_json_dict())
        threshold = score(DEFAULT_MODEL, records, START)
        policy = LenderPolicy(
            lender_name="bench", verifying_keys={vk_hash(pk.vk): circuit_id()},
            registry_roots=(registry.root,), model_ids=(DEFAULT_MODEL.model_id(),),
            tiers={1: threshold}, epoch_seconds=1,  # a new epoch per run: fresh nullifiers
        )
        verifier = Verifier(policy, {vk_hash(pk.vk): pk.vk}, MemoryVerifierStore())
        rows = []
        for run in range(args.runs + 1):
            now = START + 10 * run
            challenge = verifier.challenge(1, now)
            pres, pw, pc = _timed(lambda ch=challenge: present(
                wallet, ch, registry=registry, proving_key=pk))
            _dec, vw, vc = _timed(lambda p=pres, ch=challenge, t=now: verifier.verify(p, ch, t + 1))
            if run == 0:
                print(f"first presentation (builds the native solver): {pw:.2f} s wall")
                continue
            rows.append((pw, pc, vw, vc))
        pw = statistics.median(r[0] for r in rows)
        pc = statistics.median(r[1] for r in rows)
        vw = statistics.median(r[2] for r in rows)
        vc = statistics.median(r[3] for r in rows)
        print(f"presentation (median of {len(rows)}): {pw:5.2f} s wall  {pc:5.2f} s CPU"
              "   (goal <= 1.5 s)")
        print(f"lender verify (median):      {vw * 1e3:5.1f} ms wall {vc * 1e3:5.1f} ms CPU")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
