"""Groth16 benchmark on ``credit_score_bench`` (circuits/credit_score_bench.py).

Usage: ``.venv/bin/python bench/groth16.py [--curve bn254|bls12_381] [--runs N]``

Prints, for one run on this machine: ``os.cpu_count()``, the circuit size, the
development setup time, proving-key file size and load time (hash-checked fast path and
fully validated path), prove time (key loaded, witness solved; median), single verify
time with a prepared key (median) and batch-verify throughput for 64 proofs against
64 single verifications. The snarkjs side of the comparison is a later session.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

from zkcredit.circuits.credit_score_bench import credit_score_bench, sample_inputs

from zkcredit.circuit import Circuit
from zkcredit.hazmat import groth16


def _median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--curve", default="bn254", choices=groth16.CURVES)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    print(f"os.cpu_count() = {os.cpu_count()}")
    c = Circuit("credit_score_bench")
    credit_score_bench(c)
    compiled = c.compile()
    r1cs = compiled.r1cs
    inputs = sample_inputs()
    witness = compiled.solve(inputs)
    public = witness[1 : 1 + r1cs.n_public]
    print(
        f"circuit: {r1cs.n_constraints} constraints, {r1cs.n_wires} wires, "
        f"{r1cs.n_public} public; curve {args.curve}"
    )
    if args.curve != "bn254":
        print("credit_score_bench is a BN254 circuit; only bn254 is meaningful here")
        return

    start = time.perf_counter()
    pk, vk = groth16.setup(r1cs, args.curve)
    print(f"setup (development): {time.perf_counter() - start:.2f} s")
    data = pk.to_bytes()
    print(f"proving key file: {len(data) / 1e6:.1f} MB; verifying key {len(vk.to_bytes())} B")
    load = _median(lambda: groth16.ProvingKey.from_bytes(data), args.runs)
    load_checked = _median(
        lambda: groth16.ProvingKey.from_bytes(data, validate_points=True), max(1, args.runs // 3)
    )
    print(f"proving key load: {load * 1e3:.0f} ms (hash + unchecked points)")
    print(f"proving key load, every point validated: {load_checked * 1e3:.0f} ms")

    groth16.prove(pk, r1cs, witness)  # warm the matrix cache once, as a server would
    prove_s = _median(lambda: groth16.prove(pk, r1cs, witness), args.runs)
    print(f"prove (key loaded, witness solved): {prove_s * 1e3:.0f} ms")

    pvk = groth16.prepare_verifying_key(vk)
    proof = groth16.prove(pk, r1cs, witness)
    verify_s = _median(lambda: groth16.verify(pvk, public, proof), 31)
    print(f"verify (prepared key): {verify_s * 1e3:.2f} ms")

    proofs = [(public, groth16.rerandomize(pvk, proof)) for _ in range(64)]
    single = _median(lambda: [groth16.verify(pvk, x, p) for x, p in proofs], 3)
    batch = _median(lambda: groth16.batch_verify(pvk, proofs), 5)
    assert groth16.batch_verify(pvk, proofs)
    print(
        f"64 proofs: {single * 1e3:.0f} ms one by one ({64 / single:.0f} proofs/s), "
        f"{batch * 1e3:.0f} ms batched ({64 / batch:.0f} proofs/s, {single / batch:.1f}x)"
    )


if __name__ == "__main__":
    main()
