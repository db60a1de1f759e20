"""B1: a valid proof is accepted; any public input changed by +1 is rejected (both curves)."""

from __future__ import annotations

import pytest

from zkcredit.errors import InvalidArgument
from zkcredit.hazmat import groth16

from ._support import MODULES, keys, statement

CURVES = ["bn254", "bls12_381"]


@pytest.mark.parametrize("curve", CURVES)
def test_B1_valid_proof_is_accepted(curve: str) -> None:
    _, _, vk = keys(curve)
    x, proof = statement(curve)
    assert groth16.verify(vk, x, proof) is True
    assert groth16.verify(groth16.prepare_verifying_key(vk), x, proof) is True


@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize("index", [0, 1])
def test_B1_each_input_plus_one_is_rejected(curve: str, index: int) -> None:
    _, _, vk = keys(curve)
    x, proof = statement(curve)
    changed = list(x)
    changed[index] = (changed[index] + 1) % MODULES[curve].SCALAR_MODULUS
    assert groth16.verify(vk, changed, proof) is False


@pytest.mark.parametrize("curve", CURVES)
def test_B1_proofs_are_randomized_and_no_zk_is_deterministic(curve: str) -> None:
    r1cs, pk, vk = keys(curve)
    x1, p1 = statement(curve)
    _, p2 = statement(curve)
    assert p1 != p2  # fresh r, s
    w = [1, *x1, 5]
    d1 = groth16.prove_no_zk(pk, r1cs, w)
    assert d1 == groth16.prove_no_zk(pk, r1cs, w)
    assert groth16.verify(vk, x1, d1)


@pytest.mark.parametrize("curve", CURVES)
def test_B1_another_statement_does_not_verify_under_the_first(curve: str) -> None:
    _, _, vk = keys(curve)
    x5, p5 = statement(curve, 5)
    x6, p6 = statement(curve, 6)
    assert groth16.verify(vk, x6, p6)
    assert not groth16.verify(vk, x5, p6)
    assert not groth16.verify(vk, x6, p5)


@pytest.mark.parametrize("curve", CURVES)
def test_batch_verify_accepts_valid_and_rejects_one_bad(curve: str) -> None:
    _, _, vk = keys(curve)
    items = [statement(curve, x) for x in range(2, 7)]
    batch = [(x, p) for x, p in items]
    assert groth16.batch_verify(vk, batch) is True
    assert groth16.batch_verify(vk, []) is True
    bad = list(batch)
    x, p = bad[3]
    bad[3] = ([x[0], (x[1] + 1) % MODULES[curve].SCALAR_MODULUS], p)
    assert groth16.batch_verify(vk, bad) is False
    # Two proofs swapped between statements: each is invalid, the batch too.
    swapped = [(batch[0][0], batch[1][1]), (batch[1][0], batch[0][1])]
    assert groth16.batch_verify(vk, swapped) is False


def test_curves_do_not_mix() -> None:
    _, _, vk = keys("bn254")
    x, proof = statement("bls12_381")
    with pytest.raises(InvalidArgument, match="bls12_381 proof for a bn254"):
        groth16.verify(vk, x, proof)
