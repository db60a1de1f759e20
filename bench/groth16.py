"""Groth16 benchmark: zkcredit on ``credit_score_bench`` against snarkjs on its circom twin.

Usage: ``.venv/bin/python bench/groth16.py [--runs N] [--snarkjs-runs N] [--no-snarkjs]``

One run on this machine measures both tools and prints them side by side with ratios
(zkcredit / snarkjs), plus ``os.cpu_count()``:

- zkcredit (circuits/credit_score_bench.py): development setup time, proving-key
  file size and load time (hash-checked fast path and fully validated path), witness time
  (native solver), prove time (key loaded, witness solved; median), single verify time with
  a prepared key (median), batch-verify throughput for 64 proofs against 64 single
  verifications, and the peak RSS of a fresh process that loads the key file, solves the
  witness and proves once (``ru_maxrss``).
- snarkjs 0.7.6 (bench/credit_score_bench.circom, compiled with circom2 ``--r1cs --wasm
  --O2``): a 2^15 powers of tau (``new`` + one ``contribute`` with OS entropy + ``prepare
  phase2``) cached in ``bench/out/ptau/``, ``groth16 setup`` + one ``zkey contribute``;
  ``wtns calculate`` (its own witness calculator), ``groth16 prove`` and ``groth16 verify``
  as commands (wall time and peak RSS under ``/usr/bin/time -v``; median), and in-process
  in one warm node process (bench/snarkjs_inprocess.mjs).
- Cross-check: the snarkjs proof verifies with zkcredit's verifier and a zkcredit proof
  verifies with ``snarkjs groth16 verify``.

The two statements are the same (bench/circuit.py checks the twin accepts the same
assignment) but not the same constraint system: both constraint counts are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _circom
from zkcredit.circuits.credit_score_bench import credit_score_bench, sample_inputs

from zkcredit.circuit import Circuit, CompiledCircuit, read_r1cs
from zkcredit.hazmat import groth16

OUT = _circom.ROOT / "bench" / "out" / "groth16"
TIME_V = Path("/usr/bin/time")


def _median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _compiled() -> CompiledCircuit:
    c = Circuit("credit_score_bench")
    credit_score_bench(c)
    return c.compile()


def _run(cmd: list[str], cwd: Path) -> tuple[float, float, str]:
    """Run ``cmd``; (wall seconds, peak RSS in MB, stdout). Peak RSS from ``/usr/bin/time
    -v`` when present, else the children's ``ru_maxrss`` (a maximum over every child)."""
    wrapped = [str(TIME_V), "-v", *cmd] if TIME_V.exists() else cmd
    start = time.perf_counter()
    proc = subprocess.run(wrapped, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")
    hit = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    kb = int(hit.group(1)) if hit else resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, kb / 1e3, proc.stdout


def _run_median(cmd: list[str], cwd: Path, runs: int) -> tuple[float, float, str]:
    results = [_run(cmd, cwd) for _ in range(runs)]
    return (statistics.median(r[0] for r in results), max(r[1] for r in results),
            results[-1][2])


def _prove_memory(pk_path: str) -> None:
    """Child mode: load the key file, solve the witness, prove once; print RSS as JSON."""
    compiled = _compiled()
    witness = compiled.solve(sample_inputs())
    pk = groth16.ProvingKey.from_bytes(Path(pk_path).read_bytes())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    groth16.prove(pk, compiled.r1cs, witness)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"before_mb": before / 1e3, "peak_mb": peak / 1e3}))


def bench_zkcredit(runs: int) -> dict[str, Any]:
    z: dict[str, Any] = {}
    start = time.perf_counter()
    compiled = _compiled()
    r1cs = compiled.r1cs
    print(f"zkcredit build + compile: {time.perf_counter() - start:.2f} s")
    inputs = sample_inputs()
    witness = compiled.solve(inputs)
    public = witness[1 : 1 + r1cs.n_public]
    z["constraints"] = r1cs.n_constraints
    print(f"zkcredit circuit: {r1cs.n_constraints} constraints, {r1cs.n_wires} wires, "
          f"{r1cs.n_public} public; bn254")
    z["witness"] = _median(lambda: compiled.solve(inputs), max(runs, 21))

    start = time.perf_counter()
    pk, vk = groth16.setup(r1cs, "bn254")
    z["setup"] = time.perf_counter() - start
    data = pk.to_bytes()
    OUT.mkdir(parents=True, exist_ok=True)
    pk_path = OUT / "zkcredit_pk.bin"
    pk_path.write_bytes(data)
    z["pk_bytes"] = len(data)
    z["vk_json_bytes"] = len(json.dumps(vk.to_snarkjs(), indent=1))
    z["load"] = _median(lambda: groth16.ProvingKey.from_bytes(data), runs)
    z["load_checked"] = _median(
        lambda: groth16.ProvingKey.from_bytes(data, validate_points=True), max(1, runs // 3)
    )

    groth16.prove(pk, r1cs, witness)  # warm the matrix cache once, as a server would
    z["prove"] = _median(lambda: groth16.prove(pk, r1cs, witness), runs)

    pvk = groth16.prepare_verifying_key(vk)
    proof = groth16.prove(pk, r1cs, witness)
    z["verify"] = _median(lambda: groth16.verify(pvk, public, proof), 31)
    proofs = [(public, groth16.rerandomize(pvk, proof)) for _ in range(64)]
    z["single64"] = _median(lambda: [groth16.verify(pvk, x, p) for x, p in proofs], 3)
    z["batch64"] = _median(lambda: groth16.batch_verify(pvk, proofs), 5)
    assert groth16.batch_verify(pvk, proofs)

    child = subprocess.run(
        [sys.executable, __file__, "--prove-memory", str(pk_path)],
        capture_output=True, text=True, check=True,
    )
    mem = json.loads(child.stdout)
    z["rss_before"], z["rss_peak"] = mem["before_mb"], mem["peak_mb"]
    z["vk"], z["public"], z["proof"] = vk, public, proof
    return z


def bench_snarkjs(runs: int) -> dict[str, Any]:
    sj: dict[str, Any] = {}
    work = _circom.prepare_workdir()
    sj["compile"] = _circom.circom("--r1cs", "--wasm", "--O2")
    sj["constraints"] = read_r1cs(_circom.R1CS_FILE.read_bytes()).r1cs.n_constraints
    print(f"circom2 --r1cs --wasm --O2: {sj['compile']:.1f} s, {sj['constraints']} constraints")
    ptau, ptau_s, cached = _circom.ptau(15)
    sj["ptau"] = ptau_s
    print(f"powers of tau 2^15 (new + 1 contribute + prepare phase2): {ptau_s:.0f} s "
          f"{'the first time (cached in bench/out/ptau)' if cached else '(built now, cached)'}")
    _circom.write_input(sample_inputs(), work / "input.json")
    name = _circom.NAME
    start = time.perf_counter()
    _circom.snarkjs("groth16", "setup", f"{name}.r1cs", str(ptau), f"{name}_0000.zkey")
    _circom.snarkjs("zkey", "contribute", f"{name}_0000.zkey", f"{name}.zkey",
                    "--name=bench", f"-e={os.urandom(32).hex()}")
    sj["setup"] = time.perf_counter() - start
    _circom.snarkjs("zkey", "export", "verificationkey", f"{name}.zkey",
                    "verification_key.json")
    sj["pk_bytes"] = (work / f"{name}.zkey").stat().st_size
    sj["vk_json_bytes"] = (work / "verification_key.json").stat().st_size

    cli = str(_circom.SNARKJS)
    sj["witness_cmd"], sj["witness_rss"], _ = _run_median(
        [cli, "wtns", "calculate", str(_circom.WASM), "input.json", "witness.wtns"], work, runs)
    sj["prove_cmd"], sj["prove_rss"], _ = _run_median(
        [cli, "groth16", "prove", f"{name}.zkey", "witness.wtns", "proof.json", "public.json"],
        work, runs)
    sj["verify_cmd"], sj["verify_rss"], out = _run_median(
        [cli, "groth16", "verify", "verification_key.json", "public.json", "proof.json"],
        work, runs)
    assert "OK" in out, out

    script = _circom.ROOT / "bench" / "snarkjs_inprocess.mjs"
    _, sj["inproc_rss"], out = _run(
        ["node", str(script), f"{name}.zkey", str(_circom.WASM), "input.json",
         "verification_key.json", str(runs)], work)
    inproc = json.loads(out)
    sj["witness"] = inproc["witness"]["median"]
    sj["prove"] = inproc["prove"]["median"]
    sj["verify"] = inproc["verify"]["median"]
    sj["threads"] = inproc["threads"]
    assert inproc["verified"]
    return sj


def cross_check(z: dict[str, Any]) -> tuple[bool, bool]:
    """(snarkjs proof accepted by zkcredit, zkcredit proof accepted by snarkjs)."""
    work = _circom.WORK
    vk = groth16.VerifyingKey.from_snarkjs(
        json.loads((work / "verification_key.json").read_text()))
    public = groth16.public_from_snarkjs(json.loads((work / "public.json").read_text()))
    proof = groth16.Proof.from_snarkjs(json.loads((work / "proof.json").read_text()))
    theirs = groth16.verify(vk, public, proof)
    (OUT / "verification_key.json").write_text(json.dumps(z["vk"].to_snarkjs()))
    (OUT / "public.json").write_text(json.dumps(groth16.public_to_snarkjs(z["public"])))
    (OUT / "proof.json").write_text(json.dumps(z["proof"].to_snarkjs()))
    proc = subprocess.run(
        [str(_circom.SNARKJS), "groth16", "verify", "verification_key.json", "public.json",
         "proof.json"], cwd=OUT, capture_output=True, text=True, check=False)
    ours = proc.returncode == 0 and "OK" in proc.stdout
    return theirs, ours


def _ms(x: float) -> str:
    return f"{x * 1e3:.1f} ms" if x < 0.1 else f"{x * 1e3:.0f} ms"


def report(z: dict[str, Any], sj: dict[str, Any] | None) -> None:
    batch_tp, single_tp = 64 / z["batch64"], 64 / z["single64"]
    print(f"\nzkcredit proving key load: {_ms(z['load'])} (hash + unchecked points), "
          f"{_ms(z['load_checked'])} (every point validated)")
    print(f"zkcredit 64 proofs: {_ms(z['single64'])} one by one ({single_tp:.0f} proofs/s), "
          f"{_ms(z['batch64'])} batched ({batch_tp:.0f} proofs/s, "
          f"{z['single64'] / z['batch64']:.1f}x)")
    print(f"zkcredit prove process RSS: {z['rss_before']:.0f} MB before proving, "
          f"{z['rss_peak']:.0f} MB peak")
    if sj is None:
        return
    w = 26
    print(f"\n{'':<{w}} {'zkcredit':>12} {'snarkjs in-proc':>16} {'snarkjs cmd':>12} "
          f"{'ratio in-proc':>14} {'ratio cmd':>10}")

    def row(label: str, ours: float | None, inproc: float | None, cmd: float | None,
            fmt: Callable[[float], str]) -> None:
        cells = [fmt(x) if x is not None else "-" for x in (ours, inproc, cmd)]
        r1 = f"{ours / inproc:.3f}" if ours and inproc else "-"
        r2 = f"{ours / cmd:.3f}" if ours and cmd else "-"
        print(f"{label:<{w}} {cells[0]:>12} {cells[1]:>16} {cells[2]:>12} {r1:>14} {r2:>10}")

    def count(x: float) -> str:
        return f"{x:,.0f}"

    def mb(x: float) -> str:
        return f"{x:.1f} MB"

    def secs(x: float) -> str:
        return f"{x:.1f} s"

    def per_s(x: float) -> str:
        return f"{x:,.0f} /s"

    def size(x: float) -> str:
        return f"{x:,.0f} B"

    row("constraints", z["constraints"], sj["constraints"], None, count)
    row("setup (dev / +1 contrib)", z["setup"], None, sj["setup"], secs)
    row("witness", z["witness"], sj["witness"], sj["witness_cmd"], _ms)
    row("prove", z["prove"], sj["prove"], sj["prove_cmd"], _ms)
    row("verify (single)", z["verify"], sj["verify"], sj["verify_cmd"], _ms)
    row("64 proofs: batch / 1-by-1", batch_tp, 1 / sj["verify"], None, per_s)
    row("peak RSS, prove", z["rss_peak"], sj["inproc_rss"], sj["prove_rss"], mb)
    row("peak RSS, witness", None, None, sj["witness_rss"], mb)
    row("peak RSS, verify", None, None, sj["verify_rss"], mb)
    row("proving key file", z["pk_bytes"] / 1e6, None, sj["pk_bytes"] / 1e6, mb)
    row("verifying key JSON", z["vk_json_bytes"], None, sj["vk_json_bytes"], size)
    print(f"(ratio = zkcredit / snarkjs; for throughput higher is better. snarkjs in-proc: "
          f"one warm node process, {sj['threads']} worker threads, peak RSS of that whole "
          f"process; snarkjs has no batch verifier, so its 64-proof figure is 1 / verify)")
    print(f"prove: zkcredit / snarkjs = {z['prove'] / sj['prove']:.3f} in-process, "
          f"{z['prove'] / sj['prove_cmd']:.3f} as a command (goal <= 0.25)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--snarkjs-runs", type=int, default=5)
    parser.add_argument("--no-snarkjs", action="store_true")
    parser.add_argument("--prove-memory", metavar="PK_FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prove_memory:
        _prove_memory(args.prove_memory)
        return

    print(f"os.cpu_count() = {os.cpu_count()}; load average {os.getloadavg()}")
    z = bench_zkcredit(args.runs)
    sj = None
    if not args.no_snarkjs and shutil.which("node") and _circom.SNARKJS.exists():
        sj = bench_snarkjs(args.snarkjs_runs)
    report(z, sj)
    if sj is not None:
        theirs, ours = cross_check(z)
        print(f"cross-check: snarkjs proof verified by zkcredit: {theirs}; "
              f"zkcredit proof verified by `snarkjs groth16 verify`: {ours}")
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
