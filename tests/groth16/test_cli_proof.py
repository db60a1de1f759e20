"""`zkcredit proof verify VERIFICATION_KEY PUBLIC PROOF`: verdicts and exit codes on the
snarkjs vectors (CliRunner and a real subprocess); malformed files exit 2, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from zkcredit.cli._app import cli

from ._support import CASES, VECTORS, load

EXIT = {"accept": 0, "reject": 1}


def _malformed(case: dict[str, Any]) -> bool:
    # Cases whose files are malformed (off-curve point, input >= r) exit 2, not 1.
    return any(s in case["id"] for s in ("x_plus_1", "x_c0_plus_1", "aliased"))


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["proof", "verify", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_cli_verdicts_on_the_snarkjs_cases(case: dict[str, Any]) -> None:
    code, out, err = _run(
        str(VECTORS / case["vk"]), str(VECTORS / case["public"]), str(VECTORS / case["proof"])
    )
    if _malformed(case):
        assert code == 2 and err.startswith("Error: ") and out == ""
    else:
        assert code == EXIT[case["expected_verdict"]]
        assert out == (
            "OK: the proof is valid\n" if code == 0 else "INVALID: the proof does not verify\n"
        )
    assert "Traceback" not in out + err


def _triple(tmp: Path, vk: Any = None, public: Any = None, proof: Any = None) -> list[str]:
    base = "multiplier_range"
    objs = {
        "vk.json": load(f"{base}/verification_key.json") if vk is None else vk,
        "public.json": load(f"{base}/public.json") if public is None else public,
        "proof.json": load(f"{base}/proof.json") if proof is None else proof,
    }
    paths = []
    for name, obj in objs.items():
        p = tmp / name
        p.write_text(obj if isinstance(obj, str) else json.dumps(obj))
        paths.append(str(p))
    return paths


@pytest.mark.parametrize(
    "public",
    [
        '["' + "9" * 5000 + '"]',
        '["0x1"]',
        '["+1"]',
        '["-1"]',
        "[1e77]",
        '["1e77"]',
        "[NaN]",
        "[Infinity]",
        "[" * 100000 + "]" * 100000,
        "not json",
        "[]",
        '["1", "2"]',
    ],
    ids=lambda s: s[:12],
)
def test_E1_malformed_public_inputs_exit_2(tmp_path: Path, public: str) -> None:
    code, out, err = _run(*_triple(tmp_path, public=public))
    assert code == 2 and out == "" and err.startswith("Error: ")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("field", "value"), [("curve", "bls12_377"), ("protocol", "plonk"), ("curve", "bn254")]
)
def test_E2_other_curve_or_protocol_exits_2(tmp_path: Path, field: str, value: str) -> None:
    vk = load("multiplier_range/verification_key.json")
    vk[field] = value
    code, _, err = _run(*_triple(tmp_path, vk=vk))
    assert code == 2 and "not supported" in err


def test_E2_truncated_files_exit_2(tmp_path: Path) -> None:
    text = (VECTORS / "multiplier_range/proof.json").read_text()
    code, _, err = _run(*_triple(tmp_path, proof=text[: len(text) // 2]))
    assert code == 2 and "not valid JSON" in err
    code, _, err = _run(str(tmp_path / "missing.json"), *_triple(tmp_path)[1:])
    assert code == 2 and "cannot read" in err


def test_duplicate_keys_exit_2(tmp_path: Path) -> None:
    text = (VECTORS / "multiplier_range/proof.json").read_text()
    dup = text.replace('"protocol"', '"curve": "bn128", "protocol"', 1)
    code, _, err = _run(*_triple(tmp_path, proof=dup))
    assert code == 2 and "duplicate" in err


@pytest.mark.parametrize(
    ("case_id", "expected"),
    [
        ("multiplier_range/valid", 0),
        ("multiplier_range/malleated_neg_a_neg_b", 0),
        ("multiplier_range/public_plus_1", 1),
        ("multiplier_range/public_aliased_plus_r", 2),
    ],
)
def test_cli_subprocess(case_id: str, expected: int) -> None:
    case = next(c for c in CASES if c["id"] == case_id)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "zkcredit.cli",
            "proof",
            "verify",
            str(VECTORS / case["vk"]),
            str(VECTORS / case["public"]),
            str(VECTORS / case["proof"]),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == expected, proc.stderr
    assert "Traceback" not in proc.stderr
    if expected == 0:
        assert proc.stdout == "OK: the proof is valid\n"
