"""`zkcredit hash poseidon`: output, strict input parsing and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from zkcredit.cli._app import cli

ROOT = Path(__file__).resolve().parents[2]
R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
# circomlib Poseidon([1, 2]).
P12 = "7853200120776062878684798364095072458815029376092732009249414926327459813530"
CASES = json.loads((ROOT / "tests/data/external/poseidon.json").read_text())["cases"]


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["hash", "poseidon", *args])
    return result.exit_code, result.stdout, result.stderr


def test_prints_the_decimal_hash() -> None:
    assert _run("1", "2") == (0, P12 + "\n", "")


@pytest.mark.parametrize("case", CASES[::5], ids=lambda c: f"{c['arity']}-{c['label']}")
def test_reproduces_circomlib_vectors(case: dict[str, object]) -> None:
    inputs = case["inputs"]
    assert isinstance(inputs, list)
    code, out, _ = _run(*inputs)
    assert code == 0 and out == f"{case['output']}\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([str(R)], "not below the BN254 scalar field modulus"),
        ([str(R + 1)], "not below the BN254 scalar field modulus"),
        (["1", str(2**256)], "input 2"),
        (["-1"], "not a decimal number"),
        (["0x1"], "not a decimal number"),
        (["+1"], "not a decimal number"),
        (["1e3"], "not a decimal number"),
        (["1.0"], "not a decimal number"),
        ([" 1"], "not a decimal number"),
        (["\u0661"], "not a decimal number"),  # a non-ASCII digit
        (["01"], "leading zero"),
        (["00"], "leading zero"),
        (["9" * 5000], "5000 chars"),
        ([""], "empty"),
        ([], "got 0"),
        ([str(i) for i in range(17)], "got 17"),
    ],
)
def test_rejects_with_exit_2_and_a_clear_message(args: list[str], message: str) -> None:
    code, out, err = _run(*args)
    assert code == 2
    assert out == ""
    assert err.startswith("Error: ") and message in err
    assert "Traceback" not in err
    assert len(err) < 300


def test_edge_values_are_accepted() -> None:
    assert _run("0")[0] == 0
    assert _run(str(R - 1))[0] == 0
    assert _run(*["1"] * 16)[0] == 0


def test_real_subprocess() -> None:
    exe = Path(sys.executable).with_name("zkcredit")
    ok = subprocess.run(
        [exe, "hash", "poseidon", "1", "2"], capture_output=True, text=True, check=False
    )
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, P12 + "\n", "")
    bad = subprocess.run(
        [exe, "hash", "poseidon", str(R)], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("Error: ") and "Traceback" not in bad.stderr
