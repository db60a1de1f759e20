"""B12: an invalid witness makes the prover raise, and nothing is produced or written."""

from __future__ import annotations

from pathlib import Path

import pytest

from zkcredit.errors import InvalidArgument, NonCanonicalScalar, UnsatisfiedConstraint
from zkcredit.hazmat import groth16

from ._support import MODULES, cube_witness, keys


@pytest.mark.parametrize("curve", ["bn254", "bls12_381"])
def test_B12_unsatisfying_witness_raises_and_writes_nothing(curve: str, tmp_path: Path) -> None:
    r1cs, pk, _ = keys(curve)
    w = cube_witness(5, MODULES[curve].SCALAR_MODULUS)
    w[2] += 1  # z != y * x
    out = tmp_path / "proof.json"
    with pytest.raises(UnsatisfiedConstraint) as info:
        out.write_text(str(groth16.prove(pk, r1cs, w).to_snarkjs()))
    assert info.value.index == 1 and info.value.label == "y*x = z"
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(UnsatisfiedConstraint):
        groth16.prove_no_zk(pk, r1cs, w)


@pytest.mark.parametrize("curve", ["bn254", "bls12_381"])
def test_B12_malformed_witness_is_refused(curve: str) -> None:
    r1cs, pk, _ = keys(curve)
    r = MODULES[curve].SCALAR_MODULUS
    w = cube_witness(5, r)
    with pytest.raises(InvalidArgument, match="witness has 3 values"):
        groth16.prove(pk, r1cs, w[:3])
    with pytest.raises(InvalidArgument, match=r"witness\[0\] must be 1"):
        groth16.prove(pk, r1cs, [2, *w[1:]])
    with pytest.raises(NonCanonicalScalar):
        groth16.prove(pk, r1cs, [1, w[1] + r, *w[2:]])


@pytest.mark.parametrize("curve", ["bn254", "bls12_381"])
def test_B12_packed_witness_is_checked_like_a_list(curve: str) -> None:
    """A packed witness (32-byte little-endian scalars, as `solve_packed` returns) proves
    the same statement, and is refused for the same faults: wrong length, a scalar >= r,
    an unsatisfied constraint."""
    r1cs, pk, vk = keys(curve)
    r = MODULES[curve].SCALAR_MODULUS
    w = cube_witness(5, r)

    def packed(values: list[int]) -> bytes:
        return b"".join(v.to_bytes(32, "little") for v in values)

    proof = groth16.prove(pk, r1cs, packed(w))
    assert groth16.verify(vk, w[1:1 + r1cs.n_public], proof)
    with pytest.raises(InvalidArgument, match="witness has 3 values"):
        groth16.prove(pk, r1cs, packed(w[:3]))
    with pytest.raises(InvalidArgument, match=r"witness\[0\] must be 1"):
        groth16.prove(pk, r1cs, packed([2, *w[1:]]))
    with pytest.raises(NonCanonicalScalar):
        groth16.prove(pk, r1cs, packed([1, w[1] + r, *w[2:]]))
    with pytest.raises(UnsatisfiedConstraint):
        groth16.prove(pk, r1cs, packed([*w[:2], w[2] + 1, *w[3:]]))
