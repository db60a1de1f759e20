"""`zkcredit proof create` / `proof verify`: snarkjs files in and out, exit codes, B12."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from _cli_support import SNARKJS, Tiny, assert_clean_error, run, tiny_inputs

from zkcredit.hazmat import groth16


def test_created_proof_verifies_with_the_library_and_the_cli(tiny: Tiny) -> None:
    vk = groth16.VerifyingKey.from_snarkjs(json.loads(tiny.vk.read_text()))
    public = groth16.public_from_snarkjs(json.loads(tiny.public.read_text()))
    proof = groth16.Proof.from_snarkjs(json.loads(tiny.proof.read_text()))
    assert public == [int(tiny_inputs(tiny.x, tiny.n)["y"]), tiny.n]
    assert groth16.verify(vk, public, proof)
    r = run("proof", "verify", str(tiny.vk), str(tiny.public), str(tiny.proof))
    assert (r.exit_code, r.stdout) == (0, "OK: the proof is valid\n")


def test_verifies_real_snarkjs_files() -> None:
    r = run("proof", "verify", str(SNARKJS / "verification_key.json"),
            str(SNARKJS / "public.json"), str(SNARKJS / "proof.json"))
    assert (r.exit_code, r.stdout) == (0, "OK: the proof is valid\n")


def test_wrong_public_input_is_invalid_exit_1(tiny: Tiny, tmp_path: Path) -> None:
    pub = tmp_path / "public.json"
    values = json.loads(tiny.public.read_text())
    values[1] = str(int(values[1]) + 1)
    pub.write_text(json.dumps(values))
    r = run("proof", "verify", str(tiny.vk), str(pub), str(tiny.proof))
    assert r.exit_code == 1 and "INVALID" in r.stdout and "OK" not in r.stdout


def test_create_by_r1cs_path_and_json_output(tiny: Tiny, tmp_path: Path) -> None:
    proof, public = tmp_path / "p.json", tmp_path / "pub.json"
    r = run("--json", "proof", "create", str(tiny.r1cs), str(tiny.pk), str(tiny.inputs),
            "--proof", str(proof), "--public", str(public))
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["public_signals"] == json.loads(public.read_text())
    assert "[4/4] proving" in r.stderr
    assert run("proof", "verify", str(tiny.vk), str(public), str(proof)).exit_code == 0


def test_B12_invalid_witness_exits_1_and_writes_nothing(tiny: Tiny, tmp_path: Path) -> None:
    bad = tiny_inputs(tiny.x, tiny.n)
    bad["y"] = str(int(bad["y"]) ^ 1)  # claims the wrong hash
    inputs = tmp_path / "bad.json"
    inputs.write_text(json.dumps(bad))
    proof, public = tmp_path / "p.json", tmp_path / "pub.json"
    r = run("proof", "create", str(tiny.program), str(tiny.pk), str(inputs),
            "--proof", str(proof), "--public", str(public))
    assert_clean_error(r.exit_code, r.stdout, r.stderr, 1, "is not satisfied")
    assert not proof.exists() and not public.exists()


def test_B12_out_of_range_private_input_is_refused(tiny: Tiny, tmp_path: Path) -> None:
    inputs = tmp_path / "big.json"
    inputs.write_text(json.dumps(tiny_inputs(2**32, tiny.n)))  # x must be < 2^32
    r = run("proof", "create", str(tiny.program), str(tiny.pk), str(inputs),
            "--proof", str(tmp_path / "p.json"), "--public", str(tmp_path / "q.json"))
    assert_clean_error(r.exit_code, r.stdout, r.stderr, 1, "not satisfied")
    assert not (tmp_path / "p.json").exists()


def test_inputs_are_parsed_strictly(tiny: Tiny, tmp_path: Path) -> None:
    good = tiny_inputs(tiny.x, tiny.n)
    cases = [
        ({**good, "x": 1.5}, "must be a decimal string or an integer"),
        ({**good, "x": True}, "must be a decimal string or an integer"),
        ({**good, "x": "0x10"}, "not a decimal number"),
        ({**good, "x": "-1"}, "not a decimal number"),
        ({**good, "x": str(2**254)}, "not below the BN254"),
        ({**good, "x": 2**254}, "not in [0, r)"),
        ({k: v for k, v in good.items() if k != "x"}, "x"),
        ({**good, "z": "1"}, "z"),
        ([1, 2], "expected a JSON object"),
    ]
    for i, (doc, message) in enumerate(cases):
        f = tmp_path / f"in{i}.json"
        f.write_text(json.dumps(doc))
        r = run("proof", "create", str(tiny.program), str(tiny.pk), str(f),
                "--proof", str(tmp_path / f"p{i}.json"), "--public", str(tmp_path / f"q{i}.json"))
        assert_clean_error(r.exit_code, r.stdout, r.stderr, 2, message)
        assert not (tmp_path / f"p{i}.json").exists()


def test_key_for_another_circuit_is_refused(tiny: Tiny, tmp_path: Path) -> None:
    shutil.copy(SNARKJS / "multiplier_range.r1cs", tmp_path / "m.r1cs")
    r = run("circuit", "setup", str(tmp_path / "m.r1cs"), "--out", str(tmp_path / "k"))
    assert r.exit_code == 0
    r = run("proof", "create", str(tiny.program), str(tmp_path / "k/proving_key.bin"),
            str(tiny.inputs), "--proof", str(tmp_path / "p.json"),
            "--public", str(tmp_path / "q.json"))
    assert_clean_error(r.exit_code, r.stdout, r.stderr, 2, "another constraint system")


def test_program_that_does_not_match_the_r1cs_is_refused(tiny: Tiny, tmp_path: Path) -> None:
    shutil.copy(SNARKJS / "multiplier_range.r1cs", tmp_path / "tiny.r1cs")
    shutil.copy(tiny.program, tmp_path / "tiny.program.json")
    r = run("proof", "create", str(tmp_path / "tiny.r1cs"), str(tiny.pk), str(tiny.inputs),
            "--proof", str(tmp_path / "p.json"), "--public", str(tmp_path / "q.json"))
    assert_clean_error(r.exit_code, r.stdout, r.stderr, 2, "wires")


def test_unknown_circuit_reference(tiny: Tiny, tmp_path: Path) -> None:
    r = run("proof", "create", "no-such-circuit", str(tiny.pk), str(tiny.inputs),
            "--proof", str(tmp_path / "p.json"), "--public", str(tmp_path / "q.json"))
    assert_clean_error(r.exit_code, r.stdout, r.stderr, 2, "neither a built-in circuit")


def test_verify_json_output(tiny: Tiny, tmp_path: Path) -> None:
    r = run("--json", "proof", "verify", str(tiny.vk), str(tiny.public), str(tiny.proof))
    assert (r.exit_code, json.loads(r.stdout)) == (0, {"valid": True})
    pub = tmp_path / "public.json"
    pub.write_text(json.dumps(["1", "2"]))
    r = run("--json", "proof", "verify", str(tiny.vk), str(pub), str(tiny.proof))
    assert (r.exit_code, json.loads(r.stdout)) == (1, {"valid": False})
