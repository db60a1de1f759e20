"""Circuit-layer benchmark: ``credit_score_bench`` against its circom twin.

Usage: ``.venv/bin/python bench/circuit.py [--no-circom] [--o1] [--witness-check]``

Prints our constraint count next to circom's ``--O2`` count for
``bench/credit_score_bench.circom`` (compiled with the npm ``circom2`` in
``tests/interop/node_modules``; circomlib is copied into ``bench/out/circom/`` because the
WebAssembly compiler cannot follow symlinks), our build + compile time, the
native solver's one-off set-up (packing the R1CS and program into its image, parsing and
validating it) and the solve time of the native solver (median of 21) next to the
pure-Python reference (median of 5); both solve and check every constraint.
``--witness-check`` also compiles the twin to WASM, computes its witness for the same
inputs with snarkjs and checks it with our reader and checker (the two statements accept
the same assignment). ``--o1`` adds circom's default ``--O1`` count.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import _circom as _circom_tools
from zkcredit.circuits.credit_score_bench import credit_score_bench, evaluate, sample_inputs

from zkcredit.circuit import Circuit, CompiledCircuit, check, read_r1cs, read_wtns


def _build() -> tuple[CompiledCircuit, float]:
    start = time.perf_counter()
    c = Circuit("credit_score_bench")
    credit_score_bench(c)
    compiled = c.compile()
    return compiled, time.perf_counter() - start


def _circom(*flags: str) -> tuple[int, float]:
    elapsed = _circom_tools.circom(*flags)
    r1cs = read_r1cs(_circom_tools.R1CS_FILE.read_bytes()).r1cs
    return r1cs.n_constraints, elapsed


def _witness_check(inputs: dict[str, object]) -> str:
    work = _circom_tools.WORK
    _circom_tools.circom("--r1cs", "--wasm", "--O2")
    _circom_tools.write_input(inputs, work / "input.json")
    _circom_tools.snarkjs("wtns", "calculate", str(_circom_tools.WASM), "input.json",
                          "witness.wtns")
    r1cs = read_r1cs(_circom_tools.R1CS_FILE.read_bytes()).r1cs
    check(r1cs, read_wtns((work / "witness.wtns").read_bytes()))
    return "circom twin accepts the same assignment (witness checked by zkcredit)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-circom", action="store_true")
    parser.add_argument("--o1", action="store_true")
    parser.add_argument("--witness-check", action="store_true")
    args = parser.parse_args()

    builds = [_build() for _ in range(3)]
    compiled = builds[0][0]
    compile_s = statistics.median(t for _, t in builds)
    inputs = sample_inputs()
    expected = evaluate(inputs)
    start = time.perf_counter()
    native = compiled.native_solver
    setup_s = time.perf_counter() - start

    def timed(fn: Callable[[], object], n: int) -> float:
        times = []
        for _ in range(n):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    native_packed_s = timed(lambda: native.solve_packed(inputs), 21)
    native_s = timed(lambda: native.solve(inputs), 21)
    solve_s = timed(lambda: compiled.solve_reference(inputs), 5)
    witness = compiled.solve(inputs)
    if witness != compiled.solve_reference(inputs):
        raise SystemExit("native and reference witnesses differ")
    r1cs = compiled.r1cs
    ours = r1cs.n_constraints
    print("credit_score_bench (32 records, depth-5 Poseidon Merkle tree)")
    print(f"  zkcredit constraints        {ours:>8}")
    print(f"  zkcredit wires / nonzeros   {r1cs.n_wires:>8} / {r1cs.n_nonzeros()}")
    print(f"  solver program steps        {len(compiled.program.steps):>8}")
    print(f"  build + compile (median 3)  {compile_s * 1e3:>8.0f} ms")
    print(f"  native solver set-up        {setup_s * 1e3:>8.0f} ms   (once per circuit)")
    print(f"  native solve+check (21)     {native_packed_s * 1e3:>8.1f} ms   (packed witness bytes;"
          " goal: <= 50 ms)")
    print(f"  native solve+check, ints    {native_s * 1e3:>8.1f} ms   (as a list of Python ints)")
    print(f"  pure-Python solve+check (5) {solve_s * 1e3:>8.0f} ms   "
          f"({solve_s / native_packed_s:.0f}x the native time)")
    print(f"  score {expected['score']} >= threshold {inputs['threshold']}: witness of "
          f"{len(witness)} values")
    if not args.no_circom:
        theirs, circom_s = _circom("--r1cs", "--O2")
        ratio = 100.0 * (ours - theirs) / theirs
        print(f"  circom --O2 constraints     {theirs:>8}   (compile {circom_s:.1f} s)")
        print(f"  zkcredit vs circom --O2     {ratio:>+8.2f} %   (goal: <= +5 %)")
        if args.o1:
            o1, o1_s = _circom("--r1cs", "--O1")
            print(f"  circom --O1 constraints     {o1:>8}   (compile {o1_s:.1f} s)")
        if args.witness_check:
            print("  " + _witness_check(inputs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
