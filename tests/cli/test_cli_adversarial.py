"""ADVERSARIAL E1-E5 against the command line, each case through click's CliRunner and
as a real `python -m zkcredit.cli` subprocess (the `runner` fixture)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _cli_support import EXE, SNARKJS, Runner, Tiny, assert_clean_error, in_process, run

from zkcredit.hazmat import groth16

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
VK = SNARKJS / "verification_key.json"
PUBLIC = SNARKJS / "public.json"
PROOF = SNARKJS / "proof.json"


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


# --- E1: hostile numbers in public.json -----------------------------------------------

E1_CASES = {
    "5000_digits": '["' + "9" * 5000 + '"]',
    "5000_digit_json_number": "[" + "9" * 5000 + "]",
    "hex": '["0x1b"]',
    "leading_plus": '["+27"]',
    "negative": '["-27"]',
    "exponent_string": '["1e77"]',
    "exponent_number": "[1e77]",
    "nan": "[NaN]",
    "infinity": "[Infinity]",
    "minus_infinity": "[-Infinity]",
    "leading_zero": '["027"]',
    "equal_to_r": '["' + str(R) + '"]',
    "float": "[27.0]",
    "empty_string": '[""]',
    "object": '{"0": "27"}',
}


@pytest.mark.parametrize("case", sorted(E1_CASES))
def test_E1_hostile_public_inputs_exit_2_cleanly(case: str, runner: Runner,
                                                  tmp_path: Path) -> None:
    public = _write(tmp_path / "public.json", E1_CASES[case])
    code, out, err = runner("proof", "verify", str(VK), str(public), str(PROOF))
    assert_clean_error(code, out, err, 2)
    assert len(err) < 400  # the 5000 digits are not echoed back


def test_E1_baseline_real_snarkjs_triple_is_valid(runner: Runner) -> None:
    code, out, err = runner("proof", "verify", str(VK), str(PUBLIC), str(PROOF))
    assert (code, out, err) == (0, "OK: the proof is valid\n", "")


def test_E1_hostile_amounts_on_the_ledger(runner: Runner, tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    assert runner("ledger", "--db", db, "init")[0] == 0
    amounts = ["1.5", "1e3", "9" * 5000, "1_000", "0x10", "+5", "0", str(2**63), "NaN",
               "inf", "\u0661"]
    # Each ledger subprocess pays for SQLAlchemy's import: the first three suffice there.
    for amount in amounts if runner is in_process else amounts[:3]:
        code, out, err = runner("ledger", "--db", db, "deposit", "alice", amount)
        assert_clean_error(code, out, err, 2, "amount")
    code, out, err = runner("ledger", "--db", db, "deposit", "alice", "-5")
    assert code == 2 and "Traceback" not in err  # click: no such option


# --- E2: corrupted or foreign keys and proofs ----------------------------------------

def _mutate(path: Path, fn: object) -> str:
    obj = json.loads(path.read_text())
    assert callable(fn)
    fn(obj)
    return json.dumps(obj)


def _set(key: str, value: object) -> object:
    def fn(obj: dict[str, object]) -> None:
        obj[key] = value
    return fn


def _del(key: str) -> object:
    def fn(obj: dict[str, object]) -> None:
        del obj[key]
    return fn


def _bump_first_coordinate(key: str) -> object:
    def fn(obj: dict[str, list[str]]) -> None:
        obj[key][0] = str(int(obj[key][0]) + 1)  # off the curve
    return fn


E2_VK = {
    "truncated": lambda: VK.read_text()[: len(VK.read_text()) // 2],
    "curve_bls12381": lambda: _mutate(VK, _set("curve", "bls12381")),
    "curve_secp256k1": lambda: _mutate(VK, _set("curve", "secp256k1")),
    "protocol_plonk": lambda: _mutate(VK, _set("protocol", "plonk")),
    "no_protocol": lambda: _mutate(VK, _del("protocol")),
    "ic_missing": lambda: _mutate(VK, _del("IC")),
    "alpha_off_curve": lambda: _mutate(VK, _bump_first_coordinate("vk_alpha_1")),
    "empty": lambda: "",
    "array": lambda: "[]",
}
E2_PROOF = {
    "truncated": lambda: PROOF.read_text()[:100],
    "curve_bn254_alias_unknown": lambda: _mutate(PROOF, _set("curve", "bn256x")),
    "protocol_fflonk": lambda: _mutate(PROOF, _set("protocol", "fflonk")),
    "pi_a_off_curve": lambda: _mutate(PROOF, _bump_first_coordinate("pi_a")),
    "pi_c_missing": lambda: _mutate(PROOF, _del("pi_c")),
    "binary_garbage": lambda: "\x00\xff" * 10,
}


@pytest.mark.parametrize("case", sorted(E2_VK))
def test_E2_bad_verification_key_is_refused(case: str, runner: Runner,
                                            tmp_path: Path) -> None:
    vk = _write(tmp_path / "vk.json", E2_VK[case]())
    code, out, err = runner("proof", "verify", str(vk), str(PUBLIC), str(PROOF))
    assert_clean_error(code, out, err, 2)


@pytest.mark.parametrize("case", sorted(E2_PROOF))
def test_E2_bad_proof_is_refused(case: str, runner: Runner, tmp_path: Path) -> None:
    proof = _write(tmp_path / "proof.json", E2_PROOF[case]())
    code, out, err = runner("proof", "verify", str(VK), str(PUBLIC), str(proof))
    assert_clean_error(code, out, err, 2)


@pytest.mark.parametrize("damage", ["truncated", "flipped_byte", "empty", "wrong_magic"])
def test_E2_corrupted_proving_key_is_refused(damage: str, runner: Runner, tiny: Tiny,
                                             tmp_path: Path) -> None:
    data = bytearray(tiny.pk.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "flipped_byte":
        data[len(data) // 2] ^= 0x01
    elif damage == "empty":
        data = bytearray()
    else:
        data[0:4] = b"zkey"
    pk = tmp_path / "pk.bin"
    pk.write_bytes(bytes(data))
    proof, public = tmp_path / "p.json", tmp_path / "q.json"
    code, out, err = runner("proof", "create", str(tiny.program), str(pk), str(tiny.inputs),
                            "--proof", str(proof), "--public", str(public))
    assert_clean_error(code, out, err, 2, "proving key")
    assert not proof.exists() and not public.exists()


def test_E2_corrupted_r1cs_is_refused(runner: Runner, tiny: Tiny, tmp_path: Path) -> None:
    r1cs = tmp_path / "t.r1cs"
    r1cs.write_bytes(tiny.r1cs.read_bytes()[:200])
    code, out, err = runner("circuit", "info", str(r1cs))
    assert_clean_error(code, out, err, 2, "r1cs")


# --- E3: huge and deeply nested JSON ----------------------------------------------------

def test_E3_deeply_nested_json_is_refused_quickly(runner: Runner, tmp_path: Path) -> None:
    public = _write(tmp_path / "public.json", "[" * 200_000 + "]" * 200_000)
    t0 = time.monotonic()
    code, out, err = runner("proof", "verify", str(VK), str(public), str(PROOF))
    assert time.monotonic() - t0 < 10
    assert_clean_error(code, out, err, 2, "nested deeper")


def test_E3_oversized_file_is_refused_before_parsing(runner: Runner, tmp_path: Path) -> None:
    public = tmp_path / "public.json"
    with public.open("wb") as f:  # sparse: 65 MiB of zeros without writing them
        f.truncate(65 * 1024 * 1024)
    t0 = time.monotonic()
    code, out, err = runner("proof", "verify", str(VK), str(public), str(PROOF))
    assert time.monotonic() - t0 < 10
    assert_clean_error(code, out, err, 2, "too large")


def test_E3_long_array_is_refused_in_bounded_time(runner: Runner, tmp_path: Path) -> None:
    public = _write(tmp_path / "public.json", json.dumps(["1"] * 500_000))
    t0 = time.monotonic()
    code, out, err = runner("proof", "verify", str(VK), str(public), str(PROOF))
    assert time.monotonic() - t0 < 15
    assert_clean_error(code, out, err, 2, "public inputs")


def test_E3_nested_inputs_for_proof_create(runner: Runner, tiny: Tiny,
                                           tmp_path: Path) -> None:
    inputs = _write(tmp_path / "in.json", '{"x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, out, err = runner("proof", "create", str(tiny.program), str(tiny.pk), str(inputs),
                            "--proof", str(tmp_path / "p.json"),
                            "--public", str(tmp_path / "q.json"))
    assert_clean_error(code, out, err, 2, "nested deeper")


# --- E4: never clobber outputs; secrets 0600 ---------------------------------------------

def test_E4_proof_outputs_are_not_overwritten(runner: Runner, tiny: Tiny,
                                              tmp_path: Path) -> None:
    proof = _write(tmp_path / "proof.json", "precious")
    public = tmp_path / "public.json"
    code, out, err = runner("proof", "create", str(tiny.program), str(tiny.pk),
                            str(tiny.inputs), "--proof", str(proof), "--public", str(public))
    assert_clean_error(code, out, err, 1, "already exists")
    assert proof.read_text() == "precious" and not public.exists()


def test_E4_symlinked_key_output_is_not_followed(runner: Runner, tiny: Tiny,
                                                 tmp_path: Path) -> None:
    victim = _write(tmp_path / "victim.txt", "precious")
    out_dir = tmp_path / "keys"
    out_dir.mkdir()
    (out_dir / "proving_key.bin").symlink_to(victim)
    code, out, err = runner("circuit", "setup", str(tiny.r1cs), "--out", str(out_dir))
    assert_clean_error(code, out, err, 1, "already exists")
    assert victim.read_text() == "precious"
    assert not (out_dir / "verification_key.json").exists()


def test_E4_dangling_symlink_output_is_refused(runner: Runner, tmp_path: Path) -> None:
    link = tmp_path / "Verifier.sol"
    link.symlink_to(tmp_path / "elsewhere.sol")
    code, out, err = runner("circuit", "export-verifier", str(VK), "--out", str(link))
    assert_clean_error(code, out, err, 1, "symlink")
    assert not (tmp_path / "elsewhere.sol").exists()


def test_E4_ledger_keys_are_0600_and_never_overwritten(runner: Runner,
                                                       tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    code, _, _ = runner("ledger", "--db", str(db), "init")
    assert code == 0
    keys = tmp_path / "l.keys.json"
    assert keys.stat().st_mode & 0o777 == 0o600
    before = keys.read_bytes()
    db.unlink()  # even with the database gone, the keys file is not replaced
    code, out, err = runner("ledger", "--db", str(db), "init")
    assert_clean_error(code, out, err, 1, "already exists")
    assert keys.read_bytes() == before


def test_E4_symlink_planted_at_ledger_keys_is_refused(runner: Runner,
                                                      tmp_path: Path) -> None:
    victim = _write(tmp_path / "victim.txt", "precious")
    (tmp_path / "l.keys.json").symlink_to(victim)
    code, out, err = runner("ledger", "--db", str(tmp_path / "l.db"), "init")
    assert_clean_error(code, out, err, 1, "already exists")
    assert victim.read_text() == "precious"


# --- E5: verify never says OK after an error ----------------------------------------------

def test_E5_invalid_proof_exits_1(runner: Runner, tmp_path: Path) -> None:
    values = json.loads(PUBLIC.read_text())
    values[0] = str(int(values[0]) + 1)
    public = _write(tmp_path / "public.json", json.dumps(values))
    code, out, err = runner("proof", "verify", str(VK), str(public), str(PROOF))
    assert code == 1
    assert out == "INVALID: the proof does not verify\n" and "OK" not in out
    assert "Traceback" not in err


def test_E5_external_cases_match_their_expected_verdicts(runner: Runner) -> None:
    """The shared snarkjs set (tampered proofs, swapped inputs, malleated-but-valid
    proofs): exit 0 exactly when a correct verifier accepts."""
    cases = json.loads((SNARKJS.parent / "cases.json").read_text())["cases"]
    assert any(c["expected_verdict"] == "reject" for c in cases)
    for case in cases:
        base = SNARKJS.parent
        code, out, err = runner("proof", "verify", str(base / case["vk"]),
                                str(base / case["public"]), str(base / case["proof"]))
        if case["expected_verdict"] == "accept":
            assert (code, out) == (0, "OK: the proof is valid\n"), case["id"]
        else:
            assert code in (1, 2), case["id"]
            assert "OK" not in out and "Traceback" not in err


_BOOM = (
    "import sys\n"
    "from zkcredit.hazmat import groth16\n"
    "def boom(*a, **k):\n"
    "    raise RuntimeError('simulated failure inside the verifier')\n"
    "groth16.verify = boom\n"
    "from zkcredit.cli import main\n"
    "main(sys.argv[1:])\n"
)


def test_E5_internal_exception_in_a_real_process(tmp_path: Path) -> None:
    p = subprocess.run([sys.executable, "-c", _BOOM, "proof", "verify", str(VK), str(PUBLIC),
                        str(PROOF)], capture_output=True, text=True, timeout=60, check=False)
    assert p.returncode == 3
    assert p.stdout == ""
    assert p.stderr == "Internal error: RuntimeError: simulated failure inside the verifier\n"


def test_E5_internal_exception_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> bool:
        raise ZeroDivisionError("simulated")

    monkeypatch.setattr(groth16, "verify", boom)
    r = run("proof", "verify", str(VK), str(PUBLIC), str(PROOF))
    assert r.exit_code == 3 and r.stdout == "" and "OK" not in r.output
    assert r.stderr == "Internal error: ZeroDivisionError: simulated\n"
    r = run("--json", "proof", "verify", str(VK), str(PUBLIC), str(PROOF))
    assert r.exit_code == 3
    assert json.loads(r.stdout)["error"]["type"] == "InternalError"


def test_E5_missing_file_is_an_input_error(runner: Runner, tmp_path: Path) -> None:
    code, out, err = runner("proof", "verify", str(VK), str(tmp_path / "nope.json"),
                            str(PROOF))
    assert_clean_error(code, out, err, 2, "cannot read")


def test_E5_installed_console_script(tmp_path: Path) -> None:
    assert EXE.exists() and os.access(EXE, os.X_OK)
    ok = subprocess.run([EXE, "proof", "verify", str(VK), str(PUBLIC), str(PROOF)],
                        capture_output=True, text=True, timeout=60, check=False)
    assert (ok.returncode, ok.stdout) == (0, "OK: the proof is valid\n")
    bad = subprocess.run([EXE, "proof", "verify", str(VK), str(PROOF), str(PROOF)],
                         capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 2 and bad.stdout == "" and "Traceback" not in bad.stderr
