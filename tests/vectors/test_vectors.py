"""The published conformance vectors (vectors/): generator determinism, zkcredit's checker on
both backends, the independent checker, corruption detection and the CLI's exit codes."""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner
from zkcredit.cli._app import cli

from zkcredit.credit import threshold
from zkcredit.credit.revocation import REVOCATION_DEPTH, empty_revocation_root
from zkcredit.hazmat.blake512 import blake512
from zkcredit.hazmat.poseidon import poseidon_hash
from zkcredit.vectors import (
    DETERMINISTIC_FAMILIES,
    FAMILY_FILES,
    MANIFEST,
    check_vectors,
    write_manifest,
)

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "vectors"
GROTH16_FILES = ("groth16.json", "groth16_circuit.r1cs", "groth16_circuit.wtns")
BINARIES = {"groth16": list(GROTH16_FILES[1:]),
            "threshold_circuit": ["threshold_circuit.r1cs.gz", "threshold_circuit.wtns"]}
INDEPENDENT_FAMILIES = ["field", "points", "poseidon", "merkle", "eddsa", "groth16",
                        "commitments", "revocation", "score_model", "threshold_circuit"]
# Families whose files exist now; each must be non-empty and checked by every checker.
PUBLISHED = sorted(FAMILY_FILES)


def _independent() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_independent",
                                                  VECTORS / "check_independent.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


INDEPENDENT = _independent()


def _copy(dst: Path, names: list[str] | None = None) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for p in VECTORS.iterdir():
        wanted = names is None or p.name in names
        if wanted and (p.suffix in (".json", ".r1cs", ".wtns", ".gz") or p.name == MANIFEST):
            shutil.copy(p, dst / p.name)
    if names is not None:
        write_manifest(dst)
    return dst


def _flip_digit(obj: Any) -> tuple[Any, bool]:
    """Change the first digit found in ``obj`` (a string of digits or an int)."""
    if isinstance(obj, bool):
        return obj, False
    if isinstance(obj, int):
        return obj + 1, True
    if isinstance(obj, str) and obj.isascii() and obj.isdigit():
        return obj[:-1] + str((int(obj[-1]) + 1) % 10), True
    if isinstance(obj, list):
        for i, item in enumerate(obj):
            new, done = _flip_digit(item)
            if done:
                return [*obj[:i], new, *obj[i + 1:]], True
    if isinstance(obj, dict):
        for key in obj:
            new, done = _flip_digit(obj[key])
            if done:
                return {**obj, key: new}, True
    return obj, False


def _family_copy(dst: Path, family: str, keep: int | None = None) -> tuple[Path, str]:
    """A directory with one family's files (and a fresh manifest); ``keep`` trims the cases
    to the middle ones so slow families stay quick."""
    name = FAMILY_FILES[family]
    d = _copy(dst, [name, *BINARIES.get(family, [])])
    if keep is not None:
        doc = json.loads((d / name).read_text())
        usable = [c for c in doc["cases"] if _flip_digit(c["expected"])[1]
                  and c["op"] not in ("compile", "solve")]
        mid = len(usable) // 2
        doc["cases"] = usable[mid:mid + keep]
        (d / name).write_text(json.dumps(doc, indent=1) + "\n")
        write_manifest(d)
    return d, name


def _corrupt(directory: Path, filename: str) -> str:
    """Flip one digit in the expected value of the middle case that has one; return its id."""
    path = directory / filename
    doc = json.loads(path.read_text())
    cases = doc["cases"]
    order = cases[len(cases) // 2:] + cases[:len(cases) // 2]
    for case in order:
        new, done = _flip_digit(case["expected"])
        if done:
            case["expected"] = new
            path.write_text(json.dumps(doc, indent=1) + "\n")
            return str(case["id"])
    raise AssertionError(f"{filename}: no case with a digit in its expected value")


# --- the published files ---------------------------------------------------------------


def test_every_family_file_is_published_with_cases_and_listed_in_the_manifest() -> None:
    manifest = (VECTORS / MANIFEST).read_text().splitlines()
    listed = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in manifest}
    for family in PUBLISHED:
        name = FAMILY_FILES[family]
        doc = json.loads((VECTORS / name).read_text())
        assert (doc["format"], doc["family"], doc["version"]) == ("zkcredit-vectors", family, 1)
        assert len(doc["cases"]) >= 3, name
        assert listed[name] == hashlib.sha256((VECTORS / name).read_bytes()).hexdigest()
    for names in BINARIES.values():
        assert all(n in listed for n in names)


def test_adversarial_cases_are_present() -> None:
    """The issue's list: each named refusal is in the files, with its error class."""
    def errors(name: str) -> dict[str, str]:
        doc = json.loads((VECTORS / name).read_text())
        return {c["id"]: c["expected"]["error"] for c in doc["cases"]
                if isinstance(c["expected"], dict) and "error" in c["expected"]}
    field = errors("field.json")
    assert field["parse-r"] == "NonCanonicalScalar"
    assert field["parse-5000-digits"] == "NonCanonicalScalar"
    assert field["parse-leading-zero"] == field["parse-plus-sign"] == "InvalidEncoding"
    assert field["parse-hex"] == "InvalidEncoding"
    points = errors("points.json")
    assert points["g1-uncompressed-off-curve"] == "PointNotOnCurve"
    assert points["g1-uncompressed-x-plus-q"] == "NonCanonicalCoordinate"
    assert points["g2-uncompressed-not-in-subgroup"] == "PointNotInSubgroup"
    assert points["g2-snarkjs-swapped-fp2"] == "PointNotOnCurve"
    eddsa = errors("eddsa.json")
    assert eddsa["verify-s-plus-l"] == "NonCanonicalSignature"
    assert eddsa["verify-identity-key"] == "LowOrderPoint"
    assert eddsa["verify-wrong-message"] == "InvalidSignature"
    groth = json.loads((VECTORS / "groth16.json").read_text())
    outcome = {c["id"]: c["expected"] for c in groth["cases"]}
    assert outcome["malleated-neg-a-neg-b"] is True and outcome["rerandomized"] is True
    assert outcome["wrong-public-input"] is False and outcome["wrong-key"] is False
    assert outcome["aliased-input"] == {"error": "NonCanonicalScalar"}
    assert outcome["a-off-curve"] == {"error": "PointNotOnCurve"}
    assert outcome["too-few-inputs"] == {"error": "InvalidArgument"}
    ledger = json.loads((VECTORS / "ledger.json").read_text())
    refusals = {s["expected"].get("error") for c in ledger["cases"] for s in c["steps"]
                if "cmd" in s}
    assert {"CreditLimitExceeded", "DuplicateLine", "IdempotencyConflict",
            "StalePrice"} <= refusals
    commitments = errors("commitments.json")
    for name in ("revocation-id-0", "revocation-id-2-128", "reversed", "not-after-2-40"):
        assert commitments[f"attestation-message-{name}"] == "InvalidArgument", name
    assert commitments["attestation-message-holder-commitment-r"] == "NonCanonicalScalar"
    assert commitments["issuer-registry-identity-key"] == "LowOrderPoint"
    assert commitments["issuer-registry-revoked-id-0"] == "InvalidArgument"
    for name in ("slot-255", "slot-256", "secret-zero", "epoch-2-40"):
        assert commitments[f"slot-nullifier-{name}"] == "InvalidArgument", name
    revocation = errors("revocation.json")
    assert revocation["witness-refused-revoked"] == "AttestationRevoked"
    assert revocation["witness-refused-id-0"] == revocation["root-refused-id-0"] == \
        "InvalidArgument"
    circuit = errors("threshold_circuit.json")
    for name in ("r1cs-tampered-min-not-before", "solve-min-not-before-above",
                 "solve-revoked-predecessor-leaf", "solve-revoked-own-leaf",
                 "solve-exposure-slot-equal-k", "solve-slot-nullifier-other-epoch",
                 "r1cs-tampered-slot-nullifier", "r1cs-tampered-exposure-epoch",
                 "r1cs-tampered-exposure-slots"):
        assert circuit[name] == "UnsatisfiedConstraint", name
    pres = json.loads((VECTORS / "presentations.json").read_text())
    last = {c["id"]: c["expected"][-1] for c in pres["cases"]}
    assert last["attestation-stale"] == {"refused": "attestation-stale"}
    assert last["revoked-old-registry-root"] == {"refused": "registry-not-accepted"}
    assert last["min-not-before-above-challenge"] == {"refused": "predicate-mismatch"}
    assert last["exposure-slots-above-policy"] == {"refused": "exposure-mismatch"}
    assert last["exposure-epoch-other"] == {"refused": "exposure-mismatch"}


def test_vectors_follow_the_v3_protocol() -> None:
    """The published statement is the library's current one: a protocol change without
    regenerated vectors fails here by name, not only by digest."""
    circuit = json.loads((VECTORS / "threshold_circuit.json").read_text())
    assert circuit["circuit_id"] == threshold.circuit_id(2) == "zkcredit/credit-threshold/v3/n2"
    assert circuit["public_inputs"] == list(threshold.PUBLIC_INPUTS)
    assert len(circuit["public_inputs"]) == 15 and "min_not_before" in circuit["public_inputs"]
    assert circuit["public_inputs"][-3:] == ["exposure_epoch", "exposure_slots",
                                             "slot_nullifier"]
    pres = json.loads((VECTORS / "presentations.json").read_text())
    policy = pres["policy"]
    assert policy["version"] == 3 and "max_attestation_age" in policy
    assert "exposure_slots" in policy and "exposure_epoch_seconds" in policy
    for case in pres["cases"]:
        for step in case["steps"]:
            assert step["challenge"]["version"] == step["presentation"]["version"] == 3
            assert "exposure_epoch" in step["challenge"]
            assert step["challenge"]["exposure_slots"] == policy["exposure_slots"]
            assert len(step["presentation"]["public_signals"]) == 15
        for outcome in case["expected"]:
            if "decision" in outcome:
                assert {"slot_nullifier", "exposure_epoch"} <= set(outcome["decision"])
    for vk in pres["verifying_keys"].values():
        assert len(vk["IC"]) == 16
    revocation = json.loads((VECTORS / "revocation.json").read_text())
    assert revocation["depth"] == REVOCATION_DEPTH
    assert revocation["empty_root"] == str(empty_revocation_root())


# --- generator ----------------------------------------------------------------------------


@pytest.mark.slow
def test_generator_is_deterministic_for_every_family_but_groth16(tmp_path: Path) -> None:
    """Regenerating gives identical bytes (the random Groth16 and presentation proofs are
    kept as committed)."""
    _copy(tmp_path, [*GROTH16_FILES, "presentations.json"])
    result = subprocess.run(
        [sys.executable, str(VECTORS / "generate.py"), "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    names = [FAMILY_FILES[f] for f in DETERMINISTIC_FAMILIES] + BINARIES["threshold_circuit"]
    for name in names:
        assert (tmp_path / name).read_bytes() == (VECTORS / name).read_bytes(), name
    for name in [*GROTH16_FILES, "presentations.json"]:
        assert (tmp_path / name).read_bytes() == (VECTORS / name).read_bytes(), name
    assert (tmp_path / MANIFEST).read_bytes() == (VECTORS / MANIFEST).read_bytes()


# --- zkcredit's checker -----------------------------------------------------------------------


def test_check_vectors_native_passes_every_family() -> None:
    report = check_vectors(VECTORS, "native")
    assert report.ok, report.failures
    assert sorted(report.passed) == PUBLISHED
    for family in PUBLISHED:
        doc = json.loads((VECTORS / FAMILY_FILES[family]).read_text())
        assert report.passed[family] == len(doc["cases"]), family


@pytest.mark.slow
def test_check_vectors_reference_passes_every_family() -> None:
    report = check_vectors(VECTORS, "reference")
    assert report.ok, report.failures
    assert sorted(report.passed) == PUBLISHED


@pytest.mark.parametrize("family", PUBLISHED)
def test_corrupted_file_is_named_by_checksum_then_by_case(tmp_path: Path, family: str) -> None:
    d, name = _family_copy(tmp_path, family, keep=3 if family == "threshold_circuit" else None)
    case_id = _corrupt(d, name)
    report = check_vectors(d, "native")
    assert f"{name}: checksum mismatch" in report.failures
    assert any(f.startswith(f"{name}: case {case_id}: ") for f in report.failures), \
        report.failures
    write_manifest(d)  # the attacker also updates SHA256SUMS: the case still fails
    report = check_vectors(d, "native")
    assert not any("checksum" in f for f in report.failures)
    assert [f.split(":")[0:2] for f in report.failures] == [[name, f" case {case_id}"]], \
        report.failures


@pytest.mark.parametrize("family", ["poseidon", "merkle", "eddsa", "commitments",
                                    "revocation"])
def test_corrupted_file_fails_the_reference_backend_too(tmp_path: Path, family: str) -> None:
    d, name = _family_copy(tmp_path, family, keep=4)
    case_id = _corrupt(d, name)
    write_manifest(d)
    report = check_vectors(d, "reference")
    assert [f.split(":")[0:2] for f in report.failures] == [[name, f" case {case_id}"]]


def test_corrupted_witness_binary_is_named_then_fails_its_case(tmp_path: Path) -> None:
    d, _ = _family_copy(tmp_path, "groth16")
    wtns = bytearray((d / "groth16_circuit.wtns").read_bytes())
    wtns[-1] ^= 0x01  # the last witness value's top byte: still canonical, now wrong
    (d / "groth16_circuit.wtns").write_bytes(bytes(wtns))
    assert "groth16_circuit.wtns: checksum mismatch" in check_vectors(d, "native").failures
    write_manifest(d)
    failures = check_vectors(d, "native").failures
    assert len(failures) == 1 and failures[0].startswith("groth16.json: case r1cs-witness: ")
    assert "UnsatisfiedConstraint" in failures[0]


def test_binary_names_outside_the_directory_are_refused(tmp_path: Path) -> None:
    d, name = _family_copy(tmp_path / "v", "groth16")
    (tmp_path / "outside.wtns").write_bytes((d / "groth16_circuit.wtns").read_bytes())
    doc = json.loads((d / name).read_text())
    case = next(c for c in doc["cases"] if c["id"] == "r1cs-witness")
    case["wtns"] = "../outside.wtns"
    (d / name).write_text(json.dumps(doc))
    write_manifest(d)
    failures = check_vectors(d, "native").failures
    assert len(failures) == 1 and failures[0].startswith("groth16.json: case r1cs-witness: ")
    assert failures[0].endswith('got {"error": "InvalidEncoding"}')


def test_manifest_problems_are_named(tmp_path: Path) -> None:
    d = _copy(tmp_path, ["field.json", "poseidon.json"])
    (d / "poseidon.json").unlink()
    shutil.copy(VECTORS / "merkle.json", d / "merkle.json")
    report = check_vectors(d, "native")
    assert "poseidon.json: listed in SHA256SUMS but missing" in report.failures
    assert "merkle.json: not listed in SHA256SUMS" in report.failures
    (d / MANIFEST).unlink()
    assert f"{MANIFEST}: missing" in check_vectors(d, "native").failures


def test_unknown_version_and_misplaced_family_are_refused(tmp_path: Path) -> None:
    d = _copy(tmp_path, ["field.json", "merkle.json"])
    doc = json.loads((d / "field.json").read_text())
    doc["version"] = 2
    (d / "field.json").write_text(json.dumps(doc))
    doc = json.loads((d / "merkle.json").read_text())
    doc["family"] = "poseidon"
    (d / "merkle.json").write_text(json.dumps(doc))
    write_manifest(d)
    failures = check_vectors(d, "native").failures
    assert "field.json: unsupported version 2" in failures
    assert any(f.startswith("merkle.json: family 'poseidon'") for f in failures)


def test_expected_error_class_must_match_exactly(tmp_path: Path) -> None:
    """A parent class (PointNotInSubgroup for LowOrderPoint) is not accepted."""
    d = _copy(tmp_path, ["eddsa.json"])
    doc = json.loads((d / "eddsa.json").read_text())
    case = next(c for c in doc["cases"] if c["id"] == "verify-identity-key")
    case["expected"] = {"error": "PointNotInSubgroup"}
    (d / "eddsa.json").write_text(json.dumps(doc))
    write_manifest(d)
    failures = check_vectors(d, "native").failures
    assert len(failures) == 1 and failures[0].startswith("eddsa.json: case verify-identity-key:")


# --- the independent checker ------------------------------------------------------------------


def test_independent_checker_imports_no_zkcredit() -> None:
    tree = ast.parse((VECTORS / "check_independent.py").read_text())
    modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert modules and not any(m.split(".")[0] == "zkcredit" for m in modules), modules


def test_independent_blake512_and_poseidon_agree_with_zkcredit() -> None:
    for data in (b"", b"\x00", b"abc", bytes(range(111)), bytes(range(112)), bytes(200)):
        assert INDEPENDENT.blake512(data) == blake512(data), len(data)
    assert INDEPENDENT.poseidon([1, 2, 3]) == poseidon_hash([1, 2, 3])


@pytest.mark.slow
def test_independent_checker_passes_as_a_subprocess() -> None:
    result = subprocess.run([sys.executable, str(VECTORS / "check_independent.py"),
                             str(VECTORS)], capture_output=True, text=True, timeout=600,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    for family in INDEPENDENT_FAMILIES:
        doc = json.loads((VECTORS / FAMILY_FILES[family]).read_text())
        # a refused solve case counts: the checker sees the constraint its inputs break
        n = sum(c["op"] not in ("compile", "solve")
                or (c["op"] == "solve" and "error" in c["expected"]) for c in doc["cases"])
        assert f"{family}: {n}/{n} cases agree" in result.stdout
    assert "presentations: 1/1 cases agree" in result.stdout  # the all-accepted case
    assert "ledger: 3/3 final states satisfy the accounting identities" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("family", [*INDEPENDENT_FAMILIES, "ledger"])
def test_independent_checker_names_the_corrupted_file_and_case(
        tmp_path: Path, family: str, capsys: pytest.CaptureFixture[str]) -> None:
    d, name = _family_copy(tmp_path, family, keep=3)  # three cases keep pure Python short
    assert INDEPENDENT.main([str(d)]) == 0
    capsys.readouterr()
    case_id = _corrupt(d, name)
    assert INDEPENDENT.main([str(d)]) == 1
    err = capsys.readouterr().err
    assert f"FAIL {name}: checksum mismatch" in err
    assert f"FAIL {name}: case {case_id}: " in err
    write_manifest(d)
    assert INDEPENDENT.main([str(d)]) == 1
    err = capsys.readouterr().err
    assert "checksum" not in err and f"FAIL {name}: case {case_id}: " in err


# --- CLI -----------------------------------------------------------------------------------------


def test_cli_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["vectors", "check", str(VECTORS), "--backend", "native"])
    assert ok.exit_code == 0, ok.output
    assert "native: OK" in ok.output
    d = _copy(tmp_path / "bad", ["merkle.json"])
    case_id = _corrupt(d, "merkle.json")
    bad = runner.invoke(cli, ["vectors", "check", str(d), "--backend", "native"])
    assert bad.exit_code == 1
    assert "merkle.json: checksum mismatch" in bad.output
    assert f"merkle.json: case {case_id}:" in bad.output
    as_json = runner.invoke(cli, ["--json", "vectors", "check", str(d), "--backend", "native"])
    assert as_json.exit_code == 1
    assert json.loads(as_json.output)["ok"] is False
    missing = runner.invoke(cli, ["vectors", "check", str(tmp_path / "nope")])
    assert missing.exit_code == 2


def test_cli_as_a_subprocess(tmp_path: Path) -> None:
    """The console script (the reference backend's run is test_check_vectors_reference_...)."""
    exe = Path(sys.executable).with_name("zkcredit")
    result = subprocess.run([str(exe), "vectors", "check", str(VECTORS), "--backend", "native"],
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("native: OK (commitments 52, eddsa 14, field 41")
    d = _copy(tmp_path, ["ledger.json"])
    case_id = _corrupt(d, "ledger.json")
    write_manifest(d)
    result = subprocess.run([str(exe), "vectors", "check", str(d), "--backend", "native"],
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 1
    assert f"native: FAIL ledger.json: case {case_id}: " in result.stdout
