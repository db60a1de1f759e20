"""Helpers shared by the CLI tests: runners (CliRunner and real subprocesses), the tiny
circuit's inputs, the snarkjs multiplier_range vectors, and the clean-error assertion."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result
from zkcredit.cli._app import cli

from zkcredit.hazmat.poseidon import poseidon_hash

ROOT = Path(__file__).resolve().parents[2]
SNARKJS = ROOT / "tests/data/external/groth16/multiplier_range"
EXE = Path(sys.executable).with_name("zkcredit")


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    """Invoke the CLI in-process (stdout and stderr kept apart)."""
    return CliRunner().invoke(cli, list(args), input=input, env=env)


def run_proc(*args: str, timeout: float = 60,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m zkcredit.cli`` as a real subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "zkcredit.cli", *args], capture_output=True,
                          text=True, timeout=timeout, check=False, env=full_env)


def assert_clean_error(code: int, out: str, err: str, expected_code: int,
                       message: str = "") -> None:
    """A user-facing failure: the expected exit code, one final `Error:` line on stderr
    (after progress lines only), no traceback, and nothing claiming success on stdout."""
    assert code == expected_code, (code, out, err)
    assert "Traceback" not in err and "Traceback" not in out
    lines = err.rstrip("\n").splitlines()
    assert lines and lines[-1].startswith("Error: "), err
    assert all(line.startswith("[") for line in lines[:-1]), err  # only progress before it
    assert message in lines[-1], err
    assert "OK" not in out


@dataclass(frozen=True)
class Tiny:
    """A compiled tiny circuit on disk with its keys and one valid proof."""

    dir: Path
    r1cs: Path
    program: Path
    pk: Path
    vk: Path
    inputs: Path
    proof: Path
    public: Path
    x: int
    n: int


def tiny_inputs(x: int, n: int) -> dict[str, str]:
    return {"x": str(x), "n": str(n), "y": str(poseidon_hash([x, n]))}


Runner = Callable[..., tuple[int, str, str]]


def in_process(*args: str) -> tuple[int, str, str]:
    r = run(*args)
    return r.exit_code, r.stdout, r.stderr


def as_subprocess(*args: str) -> tuple[int, str, str]:
    p = run_proc(*args)
    return p.returncode, p.stdout, p.stderr
