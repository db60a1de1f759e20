"""B7 (the part that applies without a ceremony transcript): a key built for a different
circuit's R1CS is refused by the prover, and another circuit's verifying key rejects."""

from __future__ import annotations

import pytest

from zkcredit.circuit import R1CS, Constraint
from zkcredit.errors import InvalidArgument
from zkcredit.hazmat import groth16

from ._support import MODULES, cube_witness, keys, statement


def test_B7_proving_key_for_another_r1cs_is_refused() -> None:
    r1cs, pk, _ = keys("bn254")
    other = R1CS(
        n_wires=4,
        n_public=2,
        n_private=1,
        constraints=(*r1cs.constraints, Constraint(a=((3, 1),), b=((0, 1),), c=((3, 1),))),
    )
    with pytest.raises(InvalidArgument, match="another constraint system"):
        groth16.prove(pk, other, cube_witness(5, MODULES["bn254"].SCALAR_MODULUS))


def test_B7_r1cs_over_another_field_is_refused() -> None:
    pk = keys("bn254")[1]
    bls = keys("bls12_381")[0]
    with pytest.raises(InvalidArgument, match="another field"):
        groth16.prove(pk, bls, cube_witness(5, MODULES["bn254"].SCALAR_MODULUS))


def test_B7_another_setup_of_the_same_circuit_rejects() -> None:
    r1cs, _, _ = keys("bn254")
    _, vk2 = groth16.setup(r1cs)
    x, proof = statement("bn254")
    assert not groth16.verify(vk2, x, proof)
