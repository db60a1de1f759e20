"""Key and proof formats: the binary proving-key file (magic, version, curve, SHA-256),
snarkjs JSON headers (curve, protocol)."""

from __future__ import annotations

import copy
import struct
from pathlib import Path

import pytest

from zkcredit.circuit import Circuit
from zkcredit.errors import InvalidEncoding, UnsupportedFormat
from zkcredit.hazmat import groth16

from ._support import keys, load, statement


@pytest.mark.parametrize("curve", ["bn254", "bls12_381"])
@pytest.mark.parametrize("validate", [False, True])
def test_proving_key_file_round_trips(curve: str, validate: bool) -> None:
    r1cs, pk, vk = keys(curve)
    data = pk.to_bytes()
    assert data[:8] == groth16.PK_MAGIC
    again = groth16.ProvingKey.from_bytes(data, validate_points=validate)
    assert again.to_bytes() == data and again.vk == vk and again.curve == curve
    x, _ = statement(curve)
    w = [1, *x, 5]
    assert groth16.verify(vk, x, groth16.prove(again, r1cs, w))
    assert groth16.prove_no_zk(again, r1cs, w) == groth16.prove_no_zk(pk, r1cs, w)


def _patched(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def test_proving_key_file_refuses_other_versions_curves_and_damage() -> None:
    _, pk, _ = keys("bn254")
    data = pk.to_bytes()
    with pytest.raises(UnsupportedFormat, match="magic"):
        groth16.ProvingKey.from_bytes(b"X" + data[1:])
    with pytest.raises(UnsupportedFormat, match="version 2"):
        groth16.ProvingKey.from_bytes(_patched(data, 8, "<H", 2))
    with pytest.raises(UnsupportedFormat, match="curve id 9"):
        groth16.ProvingKey.from_bytes(_patched(data, 10, "<B", 9))
    with pytest.raises(InvalidEncoding, match="SHA-256"):
        groth16.ProvingKey.from_bytes(_patched(data, 10, "<B", 2))  # BLS id, BN254 body
    for cut in (1, 100, len(data) - 50):
        with pytest.raises(InvalidEncoding):
            groth16.ProvingKey.from_bytes(data[:cut])
    flipped = bytearray(data)
    flipped[-10] ^= 1
    with pytest.raises(InvalidEncoding, match="SHA-256"):
        groth16.ProvingKey.from_bytes(bytes(flipped))


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("curve", "bls12_377", "curve 'bls12_377' is not supported"),
        ("curve", None, "curve None"),
        ("protocol", "plonk", "protocol 'plonk'"),
        ("protocol", None, "protocol None"),
    ],
)
def test_snarkjs_headers_are_checked(field: str, value: object, match: str) -> None:
    for name, loader in (
        ("multiplier_range/verification_key.json", groth16.VerifyingKey.from_snarkjs),
        ("multiplier_range/proof.json", groth16.Proof.from_snarkjs),
    ):
        obj = copy.deepcopy(load(name))
        obj[field] = value
        with pytest.raises(UnsupportedFormat, match=match):
            loader(obj)


def test_snarkjs_missing_fields_and_shapes() -> None:
    vk = copy.deepcopy(load("multiplier_range/verification_key.json"))
    del vk["vk_delta_2"]
    with pytest.raises(InvalidEncoding, match="vk_delta_2"):
        groth16.VerifyingKey.from_snarkjs(vk)
    proof = copy.deepcopy(load("multiplier_range/proof.json"))
    proof["pi_a"] = proof["pi_a"][:2]
    with pytest.raises(InvalidEncoding):
        groth16.Proof.from_snarkjs(proof)
    with pytest.raises(InvalidEncoding):
        groth16.Proof.from_snarkjs([1, 2, 3])


def test_compiled_circuit_proves_and_verifies() -> None:
    c = Circuit("square")
    x = c.private("x")
    y = c.public("y")
    c.assert_equal(x * x, y, "y = x^2")
    compiled = c.compile()
    w = compiled.solve({"x": 12, "y": 144})
    pk, vk = groth16.setup(compiled.r1cs)
    proof = groth16.prove(pk, compiled.r1cs, w)
    assert groth16.verify(vk, [144], proof)
    assert not groth16.verify(vk, [145], proof)


def test_proving_key_from_file_bounds_and_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path
    _, pk, vk = keys("bn254")
    path = folder / "pk.bin"
    path.write_bytes(pk.to_bytes())
    assert groth16.ProvingKey.from_file(path).vk == vk
    with pytest.raises(InvalidEncoding, match="cannot read"):
        groth16.ProvingKey.from_file(folder / "missing.bin")
    monkeypatch.setattr(groth16, "MAX_PROVING_KEY_BYTES", path.stat().st_size - 1)
    with pytest.raises(InvalidEncoding, match="too large"):
        groth16.ProvingKey.from_file(path)
