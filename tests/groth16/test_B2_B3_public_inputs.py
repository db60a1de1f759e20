"""B2: inputs >= r are rejected, never reduced. B3: a wrong input count is a clean error."""

from __future__ import annotations

import pytest

from zkcredit.errors import InvalidArgument, InvalidEncoding, MalformedInput, NonCanonicalScalar
from zkcredit.hazmat import groth16

from ._support import MODULES, keys, statement

CURVES = ["bn254", "bls12_381"]


@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize("index", [0, 1])
@pytest.mark.parametrize("shift", ["x+r", "r", "2^256"])
def test_B2_aliased_input_is_rejected_not_reduced(curve: str, index: int, shift: str) -> None:
    _, _, vk = keys(curve)
    x, proof = statement(curve)
    r = MODULES[curve].SCALAR_MODULUS
    bad = list(x)
    bad[index] = {"x+r": x[index] + r, "r": r, "2^256": 2**256 + x[index]}[shift]
    with pytest.raises(NonCanonicalScalar):
        groth16.verify(vk, bad, proof)
    with pytest.raises(NonCanonicalScalar):
        groth16.batch_verify(vk, [(x, proof), (bad, proof)])


@pytest.mark.parametrize("curve", CURVES)
def test_B2_negative_and_non_int_inputs_are_rejected(curve: str) -> None:
    _, _, vk = keys(curve)
    x, proof = statement(curve)
    with pytest.raises(MalformedInput):
        groth16.verify(vk, [-1, x[1]], proof)
    with pytest.raises(MalformedInput):
        groth16.verify(vk, [str(x[0]), x[1]], proof)  # type: ignore[list-item]
    with pytest.raises(MalformedInput):
        groth16.verify(vk, [True, x[1]], proof)


@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize("count", [0, 1, 3, 10])
def test_B3_wrong_input_count_is_a_clean_error(curve: str, count: int) -> None:
    _, _, vk = keys(curve)
    x, proof = statement(curve)
    inputs = (x * 5)[:count]
    with pytest.raises(InvalidArgument, match=r"expects 2 public inputs \(len\(IC\) - 1\)"):
        groth16.verify(vk, inputs, proof)
    with pytest.raises(InvalidArgument, match="expects 2 public inputs"):
        groth16.batch_verify(vk, [(x, proof), (inputs, proof)])


def test_B3_public_json_strictness() -> None:
    r = MODULES["bn254"].SCALAR_MODULUS
    assert groth16.public_from_snarkjs(["0", "1", str(r - 1)]) == [0, 1, r - 1]
    for bad in ["01", "+1", "-1", "0x1", "1e3", " 1", "", "9" * 5000]:
        with pytest.raises(MalformedInput):
            groth16.public_from_snarkjs([bad])
    for bad_obj in [1, [1], {"a": "1"}, [None]]:
        with pytest.raises((InvalidEncoding, NonCanonicalScalar)):
            groth16.public_from_snarkjs(bad_obj)
    with pytest.raises(NonCanonicalScalar):
        groth16.public_from_snarkjs([str(r)])
