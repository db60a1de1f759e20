"""B10: every snarkjs case gets exactly its expected verdict from the native verifier and
from the pure-Python reference verifier; our proofs verify in snarkjs; circom circuits
proven here from their .r1cs + .wtns with our own setup verify in both tools."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from zkcredit.circuit import read_r1cs, read_wtns
from zkcredit.errors import MalformedInput
from zkcredit.hazmat import groth16, groth16_reference

from ._support import CASES, VECTORS, keys, load, snarkjs, statement, write_triple


def _native_verdict(case: dict[str, Any]) -> str:
    try:
        vk = groth16.VerifyingKey.from_snarkjs(load(case["vk"]))
        x = groth16.public_from_snarkjs(load(case["public"]), vk.curve)
        proof = groth16.Proof.from_snarkjs(load(case["proof"]))
        return "accept" if groth16.verify(vk, x, proof) else "reject"
    except MalformedInput:
        return "reject"


def _reference_verdict(case: dict[str, Any]) -> str:
    try:
        ok = groth16_reference.verify_snarkjs(
            load(case["vk"]), load(case["public"]), load(case["proof"])
        )
        return "accept" if ok else "reject"
    except MalformedInput:
        return "reject"


def test_all_cases_are_present() -> None:
    assert len(CASES) == 18
    assert sum(c["expected_verdict"] == "accept" for c in CASES) == 4


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_B10_native_verdict_matches(case: dict[str, Any]) -> None:
    assert _native_verdict(case) == case["expected_verdict"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_B10_reference_verdict_matches_and_agrees_with_native(case: dict[str, Any]) -> None:
    verdict = _reference_verdict(case)
    assert verdict == case["expected_verdict"]
    assert verdict == _native_verdict(case)


@pytest.mark.parametrize("name", ["multiplier_range", "poseidon_preimage"])
def test_B10_snarkjs_json_round_trips(name: str) -> None:
    vk_obj = load(f"{name}/verification_key.json")
    vk = groth16.VerifyingKey.from_snarkjs(vk_obj)
    out = vk.to_snarkjs()
    for field in ("protocol", "curve", "nPublic", "vk_alpha_1", "vk_beta_2", "IC"):
        assert out[field] == vk_obj[field]
    proof_obj = load(f"{name}/proof.json")
    again = groth16.Proof.from_snarkjs(proof_obj).to_snarkjs()
    assert {k: again[k] for k in ("pi_a", "pi_b", "pi_c")} == {
        k: proof_obj[k] for k in ("pi_a", "pi_b", "pi_c")
    }


def test_B10_reference_agrees_on_our_bn254_proofs() -> None:
    _, _, vk = keys("bn254")
    x, proof = statement("bn254")
    vj, pj = vk.to_snarkjs(), proof.to_snarkjs()
    assert groth16_reference.verify_snarkjs(vj, groth16.public_to_snarkjs(x), pj)
    bad = groth16.public_to_snarkjs([x[0] + 1, x[1]])
    assert not groth16_reference.verify_snarkjs(vj, bad, pj)


def test_B10_reference_agrees_on_our_bls12_381_proofs() -> None:
    _, _, vk = keys("bls12_381")
    x, proof = statement("bls12_381")
    vj, pj = vk.to_snarkjs(), proof.to_snarkjs()
    assert vj["curve"] == "bls12381"
    assert groth16_reference.verify_snarkjs(vj, groth16.public_to_snarkjs(x), pj)
    again = groth16.VerifyingKey.from_snarkjs(vj)
    assert again == vk and groth16.Proof.from_snarkjs(pj) == proof


@pytest.mark.interop
def test_B10_our_proof_verifies_in_snarkjs_and_a_changed_input_does_not(tmp_path: Path) -> None:
    _, _, vk = keys("bn254")
    x, proof = statement("bn254")
    v, p, pr = write_triple(tmp_path, vk, x, proof)
    ok = snarkjs("groth16", "verify", str(v), str(p), str(pr))
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stdout + ok.stderr
    v, p, pr = write_triple(tmp_path, vk, [x[0] + 1, x[1]], proof)
    bad = snarkjs("groth16", "verify", str(v), str(p), str(pr))
    assert bad.returncode != 0


@pytest.mark.interop
@pytest.mark.parametrize("name", ["multiplier_range", "poseidon_preimage"])
def test_B10_circom_circuit_proven_here_verifies_in_both_tools(name: str, tmp_path: Path) -> None:
    r1cs = read_r1cs((VECTORS / name / f"{name}.r1cs").read_bytes()).r1cs
    witness = read_wtns((VECTORS / name / "witness.wtns").read_bytes())
    pk, vk = groth16.setup(r1cs)
    proof = groth16.prove(pk, r1cs, witness)
    x = witness[1 : 1 + r1cs.n_public]
    assert groth16.verify(vk, x, proof)
    assert groth16_reference.verify_snarkjs(
        vk.to_snarkjs(), groth16.public_to_snarkjs(x), proof.to_snarkjs()
    )
    v, p, pr = write_triple(tmp_path, vk, x, proof)
    ok = snarkjs("groth16", "verify", str(v), str(p), str(pr))
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stdout + ok.stderr
