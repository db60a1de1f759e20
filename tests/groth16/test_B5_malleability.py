"""B5: (-A, -B, C) and re-randomized proofs still verify (documented; replay protection
keys on the nullifier, never on proof bytes: C5)."""

from __future__ import annotations

import pytest

from zkcredit.hazmat import groth16

from ._support import MODULES, keys, statement


@pytest.mark.parametrize("curve", ["bn254", "bls12_381"])
def test_B5_negated_a_and_b_verify(curve: str) -> None:
    _, _, vk = keys(curve)
    x, proof = statement(curve)
    m = MODULES[curve]
    g1, g2 = m.G1_UNCOMPRESSED_BYTES, m.G2_UNCOMPRESSED_BYTES
    d = proof.to_bytes()
    a = m.G1.from_bytes(d[:g1], compressed=False)
    b = m.G2.from_bytes(d[g1 : g1 + g2], compressed=False)
    neg = (-a).to_bytes(compressed=False) + (-b).to_bytes(compressed=False) + d[g1 + g2 :]
    malleated = groth16.Proof.from_bytes(curve, neg)
    assert malleated != proof
    assert groth16.verify(vk, x, malleated)


@pytest.mark.parametrize("curve", ["bn254", "bls12_381"])
def test_B5_rerandomized_proof_verifies_and_differs(curve: str) -> None:
    _, _, vk = keys(curve)
    x, proof = statement(curve)
    again = groth16.rerandomize(vk, proof)
    assert again != proof
    assert groth16.verify(vk, x, again)
    bad = [x[0], (x[1] + 1) % MODULES[curve].SCALAR_MODULUS]
    assert not groth16.verify(vk, bad, groth16.rerandomize(vk, proof))
