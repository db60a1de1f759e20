"""`zkcredit circuit ...`: the built-in registry, compile/info/setup/export-verifier."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from _cli_support import SNARKJS, Tiny, assert_clean_error, run
from zkcredit.circuits.credit_score_bench import sample_inputs

from zkcredit.circuit import read_r1cs
from zkcredit.hazmat import groth16


def test_list_names_the_built_in_circuits() -> None:
    r = run("--json", "circuit", "list")
    assert r.exit_code == 0
    names = {c["name"]: c for c in json.loads(r.stdout)["circuits"]}
    assert names["credit-score-bench"]["available"] is True
    assert "credit-threshold" in names


def test_info_of_an_r1cs_file_matches_its_bytes(tiny: Tiny) -> None:
    r = run("--json", "circuit", "info", str(tiny.r1cs))
    assert r.exit_code == 0, r.output
    info = json.loads(r.stdout)
    r1cs = read_r1cs(tiny.r1cs.read_bytes()).r1cs
    assert info["constraints"] == r1cs.n_constraints and info["wires"] == r1cs.n_wires
    assert info["public_inputs"] == 2
    assert info["r1cs_sha256"] == hashlib.sha256(tiny.r1cs.read_bytes()).hexdigest()
    r = run("--json", "circuit", "info", str(tiny.program))
    assert json.loads(r.stdout)["public_names"] == ["y", "n"]


def test_info_of_a_circom_r1cs() -> None:
    r = run("circuit", "info", str(SNARKJS / "multiplier_range.r1cs"))
    assert r.exit_code == 0 and "public inputs   1" in r.stdout


def test_setup_says_it_is_development_and_writes_snarkjs_vk(tiny: Tiny) -> None:
    vk = json.loads(tiny.vk.read_text())
    assert vk["protocol"] == "groth16" and vk["curve"] == "bn128" and vk["nPublic"] == 2
    pk = groth16.ProvingKey.from_bytes(tiny.pk.read_bytes())
    assert "development" in pk.metadata["setup"]
    assert pk.vk == groth16.VerifyingKey.from_snarkjs(vk)


def test_setup_output_mentions_single_party(tiny: Tiny, tmp_path: Path) -> None:
    r = run("circuit", "setup", str(tiny.r1cs), "--out", str(tmp_path / "k"))
    assert r.exit_code == 0
    assert "DEVELOPMENT SETUP: single-party" in r.stderr
    assert "[2/3] setup over" in r.stderr
    assert "single party" in r.stdout
    # Fresh randomness: a second setup gives another key.
    assert (tmp_path / "k/verification_key.json").read_bytes() != tiny.vk.read_bytes()


def test_export_verifier(tiny: Tiny, tmp_path: Path) -> None:
    out = tmp_path / "V.sol"
    r = run("circuit", "export-verifier", str(tiny.vk), "--out", str(out), "--contract", "Tiny")
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert "contract Tiny" in text and "pragma solidity" in text
    r = run("circuit", "export-verifier", str(tiny.vk), "--out", str(tmp_path / "W.sol"),
            "--contract", "not a name")
    assert_clean_error(r.exit_code, r.stdout, r.stderr, 2, "Solidity identifier")


def test_compile_refuses_unknown_names(tmp_path: Path) -> None:
    r = run("circuit", "compile", "nope", "--out", str(tmp_path))
    assert_clean_error(r.exit_code, r.stdout, r.stderr, 2, "unknown circuit")


@pytest.mark.slow
def test_built_in_bench_circuit_compile_setup_prove_verify(tmp_path: Path) -> None:
    """The whole pipeline on the 23k-constraint benchmark circuit, by name and by file."""
    r = run("circuit", "compile", "credit-score-bench", "--out", str(tmp_path / "c"))
    assert r.exit_code == 0, r.output
    r1cs = tmp_path / "c/credit-score-bench.r1cs"
    info = json.loads(run("--json", "circuit", "info", "credit-score-bench").stdout)
    assert info["r1cs_sha256"] == hashlib.sha256(r1cs.read_bytes()).hexdigest()
    assert info["public_names"] == ["commitment", "as_of", "threshold", "borrower", "nonce"]
    r = run("circuit", "compile", "credit-score-bench", "--out", str(tmp_path / "c"))
    assert_clean_error(r.exit_code, r.stdout, r.stderr, 1, "already exists")
    r = run("circuit", "setup", str(r1cs), "--out", str(tmp_path / "k"))
    assert r.exit_code == 0, r.output
    inputs = tmp_path / "in.json"
    inputs.write_text(json.dumps({k: v if isinstance(v, int) else list(v)
                                  for k, v in sample_inputs().items()}))
    r = run("proof", "create", "credit-score-bench", str(tmp_path / "k/proving_key.bin"),
            str(inputs), "--proof", str(tmp_path / "proof.json"),
            "--public", str(tmp_path / "public.json"))
    assert r.exit_code == 0, r.output
    r = run("proof", "verify", str(tmp_path / "k/verification_key.json"),
            str(tmp_path / "public.json"), str(tmp_path / "proof.json"))
    assert (r.exit_code, r.stdout) == (0, "OK: the proof is valid\n")
    # The score below the threshold: the named circuit reports the constraint's label.
    bad = {**json.loads(inputs.read_text()), "threshold": 900}
    inputs.write_text(json.dumps(bad))
    r = run("proof", "create", str(tmp_path / "c/credit-score-bench.program.json"),
            str(tmp_path / "k/proving_key.bin"), str(inputs),
            "--proof", str(tmp_path / "p2.json"), "--public", str(tmp_path / "q2.json"))
    assert_clean_error(r.exit_code, r.stdout, r.stderr, 1, "not satisfied")
    assert not (tmp_path / "p2.json").exists()


@pytest.mark.slow
def test_credit_threshold_is_registered_with_the_contract_public_inputs() -> None:
    r = run("--json", "circuit", "info", "credit-threshold")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["public_names"] == [
        "registry_root", "model_id", "threshold", "as_of", "min_not_before", "lender_id",
        "epoch", "nonce", "nullifier", "borrower_key_hash", "no_default_months",
        "max_outstanding", "exposure_epoch", "exposure_slots", "slot_nullifier"]
