"""iden3 .r1cs / .wtns: external files parse and satisfy; ours round-trip and pass snarkjs."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import pytest
from zkcredit.circuits.compare import assert_lt
from zkcredit.circuits.poseidon import poseidon

from zkcredit.circuit import (
    Circuit,
    check,
    read_r1cs,
    read_wtns,
    write_r1cs,
    write_wtns,
)
from zkcredit.errors import (
    InvalidEncoding,
    NonCanonicalScalar,
    UnsatisfiedConstraint,
    UnsupportedFormat,
)
from zkcredit.hazmat.poseidon import poseidon_hash_reference

from ._support import R

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "external"
SNARKJS = ROOT / "tests" / "interop" / "node_modules" / ".bin" / "snarkjs"
CIRCUITS = ["multiplier_range", "poseidon_preimage"]


def _external(name: str) -> tuple[bytes, bytes]:
    d = DATA / "groth16" / name
    return (d / f"{name}.r1cs").read_bytes(), (d / "witness.wtns").read_bytes()


@pytest.mark.parametrize("name", CIRCUITS)
def test_external_r1cs_and_witness_parse_and_satisfy(name: str) -> None:
    r1cs_bytes, wtns_bytes = _external(name)
    parsed = read_r1cs(r1cs_bytes)
    witness = read_wtns(wtns_bytes)
    check(parsed.r1cs, witness)
    exported = json.loads((DATA / "groth16" / name / "r1cs.json").read_text())
    r1cs = parsed.r1cs
    assert r1cs.n_wires == exported["nVars"]
    assert r1cs.n_public_out == exported["nOutputs"]
    assert r1cs.n_public_in == exported["nPubInputs"]
    assert r1cs.n_private == exported["nPrvInputs"]
    assert parsed.n_labels == exported["nLabels"]
    assert r1cs.n_constraints == exported["nConstraints"]
    for ours, theirs in zip(r1cs.constraints, exported["constraints"], strict=True):
        for lc, jlc in zip((ours.a, ours.b, ours.c), theirs, strict=True):
            assert {str(w): str(v) for w, v in lc} == jlc
    assert list(parsed.wire_to_label) == exported["map"]
    wjson = json.loads((DATA / "groth16" / name / "witness.json").read_text())
    assert witness == [int(v) for v in wjson]
    # Byte-identical round trips.
    assert parsed.to_bytes() == r1cs_bytes
    assert write_wtns(witness) == wtns_bytes


@pytest.mark.parametrize("name", CIRCUITS)
def test_external_witness_tampered_is_refused(name: str) -> None:
    r1cs_bytes, wtns_bytes = _external(name)
    r1cs = read_r1cs(r1cs_bytes).r1cs
    witness = read_wtns(wtns_bytes)
    bad = list(witness)
    bad[-1] = (bad[-1] + 1) % R
    with pytest.raises(UnsatisfiedConstraint) as info:
        check(r1cs, bad)
    assert info.value.label.startswith("c")


def test_external_eddsa_circuit() -> None:
    d = DATA / "eddsa" / "eddsa_circuit"
    r1cs_bytes = gzip.decompress((d / "eddsa_poseidon_verifier.r1cs.gz").read_bytes())
    parsed = read_r1cs(r1cs_bytes)
    witness = read_wtns((d / "witness.wtns").read_bytes())
    assert (parsed.r1cs.n_constraints, parsed.r1cs.n_wires, parsed.n_labels) == (8086, 8085, 21251)
    assert (parsed.r1cs.n_public, parsed.r1cs.n_private) == (3, 3)
    check(parsed.r1cs, witness)
    assert parsed.to_bytes() == r1cs_bytes


def test_readers_refuse_malformed_files() -> None:
    r1cs_bytes, wtns_bytes = _external("multiplier_range")
    with pytest.raises(UnsupportedFormat):
        read_r1cs(b"wtns" + r1cs_bytes[4:])
    with pytest.raises(UnsupportedFormat):
        read_r1cs(r1cs_bytes[:4] + (2).to_bytes(4, "little") + r1cs_bytes[8:])
    with pytest.raises(InvalidEncoding):
        read_r1cs(r1cs_bytes[:-1])
    with pytest.raises(InvalidEncoding):
        read_wtns(wtns_bytes + b"\0")
    with pytest.raises(UnsupportedFormat):
        read_wtns(r1cs_bytes)
    # A witness value >= r is refused, never reduced.
    bad = bytearray(wtns_bytes)
    bad[-32:] = R.to_bytes(32, "little")
    with pytest.raises(NonCanonicalScalar):
        read_wtns(bytes(bad))
    with pytest.raises(NonCanonicalScalar):
        write_wtns([1, R])


def _our_circuit() -> tuple[bytes, bytes, int]:
    c = Circuit("ours")
    x = c.private_list("x", 2)
    h = c.public("h")
    c.assert_equal(poseidon(c, x), h, "digest")
    assert_lt(c, x[0], x[1], 32)
    compiled = c.compile()
    digest = poseidon_hash_reference([5, 9])
    witness = compiled.solve({"x": [5, 9], "h": digest})
    return write_r1cs(compiled.r1cs), write_wtns(witness), compiled.r1cs.n_constraints


def test_written_files_round_trip() -> None:
    r1cs_bytes, wtns_bytes, _ = _our_circuit()
    parsed = read_r1cs(r1cs_bytes)
    assert parsed.to_bytes() == r1cs_bytes
    assert write_wtns(read_wtns(wtns_bytes)) == wtns_bytes
    check(parsed.r1cs, read_wtns(wtns_bytes))


def _snarkjs(*args: str) -> subprocess.CompletedProcess[str]:
    if not SNARKJS.exists():
        pytest.fail(f"snarkjs is not installed at {SNARKJS}; run bash .ci/setup")
    return subprocess.run(
        [str(SNARKJS), *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.interop
def test_snarkjs_accepts_our_r1cs_and_wtns(tmp_path: Path) -> None:
    r1cs_bytes, wtns_bytes, n = _our_circuit()
    (tmp_path / "ours.r1cs").write_bytes(r1cs_bytes)
    (tmp_path / "ours.wtns").write_bytes(wtns_bytes)
    info = _snarkjs("r1cs", "info", str(tmp_path / "ours.r1cs"))
    assert info.returncode == 0, info.stderr
    assert f"# of Constraints: {n}" in info.stdout
    assert "# of Public Inputs: 1" in info.stdout
    assert "# of Private Inputs: 2" in info.stdout
    ok = _snarkjs("wtns", "check", str(tmp_path / "ours.r1cs"), str(tmp_path / "ours.wtns"))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "WITNESS IS CORRECT" in ok.stdout
    # A tampered witness is refused by snarkjs too.
    bad = bytearray(wtns_bytes)
    bad[-32] ^= 1
    (tmp_path / "bad.wtns").write_bytes(bytes(bad))
    refused = _snarkjs("wtns", "check", str(tmp_path / "ours.r1cs"), str(tmp_path / "bad.wtns"))
    assert "WITNESS IS CORRECT" not in refused.stdout
