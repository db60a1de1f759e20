"""Shared circom / snarkjs plumbing of the benchmarks (bench/circuit.py, bench/groth16.py).

The npm tools live in ``tests/interop/node_modules``. The WebAssembly circom compiler cannot
follow symlinks, so circomlib and the twin ``bench/credit_score_bench.circom`` are copied
into a work directory under ``bench/out/`` (gitignored) and compiled there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE = ROOT / "tests" / "interop" / "node_modules"
CIRCOM2 = NODE / ".bin" / "circom2"
SNARKJS = NODE / ".bin" / "snarkjs"
WORK = ROOT / "bench" / "out" / "circom"
CIRCOM_SOURCE = ROOT / "bench" / "credit_score_bench.circom"
NAME = CIRCOM_SOURCE.stem  # credit_score_bench
WASM = WORK / f"{NAME}_js" / f"{NAME}.wasm"
R1CS_FILE = WORK / f"{NAME}.r1cs"


def prepare_workdir() -> Path:
    """Copy circomlib (once) and the twin's source into ``WORK``; return ``WORK``."""
    WORK.mkdir(parents=True, exist_ok=True)
    if not (WORK / "circomlib").exists():
        shutil.copytree(NODE / "circomlib", WORK / "circomlib")
    shutil.copyfile(CIRCOM_SOURCE, WORK / CIRCOM_SOURCE.name)
    return WORK


def circom(*flags: str) -> float:
    """Compile the twin in ``WORK`` with ``flags`` (e.g. ``--r1cs --O2``); wall seconds."""
    prepare_workdir()
    start = time.perf_counter()
    subprocess.run(
        [str(CIRCOM2), CIRCOM_SOURCE.name, *flags, "-l", ".", "-o", "."],
        cwd=WORK, check=True, capture_output=True, text=True,
    )
    return time.perf_counter() - start


def snarkjs(*args: str, cwd: Path = WORK) -> subprocess.CompletedProcess[str]:
    """Run the snarkjs command line; raise with its output if it fails."""
    proc = subprocess.run(
        [str(SNARKJS), *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"snarkjs {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def write_input(inputs: dict[str, object], path: Path) -> Path:
    """The twin's ``input.json`` for ``inputs`` (same signal names as the zkcredit circuit)."""
    path.write_text(json.dumps(
        {k: [str(x) for x in v] if isinstance(v, list) else str(v) for k, v in inputs.items()}
    ))
    return path


def ptau(power: int = 15) -> tuple[Path, float, bool]:
    """A prepared powers-of-tau file for 2^power constraints, cached in ``bench/out/ptau``:
    ``new bn128``, one ``contribute`` with entropy from ``os.urandom``, ``prepare phase2``.
    Returns (path, seconds the first build took, whether it was cached)."""
    out = ROOT / "bench" / "out" / "ptau"
    out.mkdir(parents=True, exist_ok=True)
    final = out / f"pot{power}_final.ptau"
    stamp = out / f"pot{power}_final.json"
    if final.exists() and stamp.exists():
        return final, float(json.loads(stamp.read_text())["seconds"]), True
    start = time.perf_counter()
    snarkjs("powersoftau", "new", "bn128", str(power), f"pot{power}_0000.ptau", cwd=out)
    snarkjs("powersoftau", "contribute", f"pot{power}_0000.ptau", f"pot{power}_0001.ptau",
            "--name=bench", f"-e={os.urandom(32).hex()}", cwd=out)
    snarkjs("powersoftau", "prepare", "phase2", f"pot{power}_0001.ptau",
            f"pot{power}_tmp.ptau", cwd=out)
    seconds = time.perf_counter() - start
    (out / f"pot{power}_tmp.ptau").replace(final)
    stamp.write_text(json.dumps({"seconds": seconds}))
    for name in (f"pot{power}_0000.ptau", f"pot{power}_0001.ptau"):
        (out / name).unlink(missing_ok=True)
    return final, seconds, False


if __name__ == "__main__":
    path, secs, cached = ptau()
    print(path, f"{secs:.1f} s", "cached" if cached else "built")
