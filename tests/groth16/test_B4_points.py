"""B4: off-curve points, coordinates >= q, A or C at infinity, G2 points outside the
r-torsion and swapped Fp2 order are each rejected before any pairing."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from py_ecc.fields import bn128_FQ2 as FQ2

from zkcredit.errors import (
    InvalidArgument,
    MalformedInput,
    NonCanonicalCoordinate,
    PointNotInSubgroup,
    PointNotOnCurve,
)
from zkcredit.hazmat import groth16, groth16_reference

from ._support import MODULES, load

Q = MODULES["bn254"].BASE_MODULUS
VK = load("multiplier_range/verification_key.json")
PROOF = load("multiplier_range/proof.json")
PUBLIC = load("multiplier_range/public.json")


def _check(proof: dict[str, Any], error: type[Exception]) -> None:
    """Both verifiers raise ``error`` for the tampered proof."""
    with pytest.raises(error):
        groth16.verify(
            groth16.VerifyingKey.from_snarkjs(VK),
            groth16.public_from_snarkjs(PUBLIC),
            groth16.Proof.from_snarkjs(proof),
        )
    with pytest.raises(error):
        groth16_reference.verify_snarkjs(VK, PUBLIC, proof)


def _tampered(field: str, path: tuple[int, ...], value: str) -> dict[str, Any]:
    proof = copy.deepcopy(PROOF)
    target = proof[field]
    for i in path[:-1]:
        target = target[i]
    target[path[-1]] = value
    return proof


def test_the_untampered_proof_verifies() -> None:
    vk = groth16.VerifyingKey.from_snarkjs(VK)
    x = groth16.public_from_snarkjs(PUBLIC)
    assert groth16.verify(vk, x, groth16.Proof.from_snarkjs(PROOF))


@pytest.mark.parametrize("field", ["pi_a", "pi_c"])
def test_B4_g1_y_plus_one_is_off_curve(field: str) -> None:
    y = int(PROOF[field][1])
    _check(_tampered(field, (1,), str((y + 1) % Q)), PointNotOnCurve)


def test_B4_g2_y_plus_one_is_off_curve() -> None:
    y0 = int(PROOF["pi_b"][1][0])
    _check(_tampered("pi_b", (1, 0), str((y0 + 1) % Q)), PointNotOnCurve)


@pytest.mark.parametrize(
    ("field", "path"), [("pi_a", (0,)), ("pi_c", (1,)), ("pi_b", (0, 1)), ("pi_b", (1, 0))]
)
def test_B4_coordinate_plus_q_is_non_canonical(field: str, path: tuple[int, ...]) -> None:
    target: Any = PROOF[field]
    for i in path:
        target = target[i]
    _check(_tampered(field, path, str(int(target) + Q)), NonCanonicalCoordinate)


@pytest.mark.parametrize("field", ["pi_a", "pi_c"])
def test_B4_a_or_c_at_infinity_is_rejected(field: str) -> None:
    proof = copy.deepcopy(PROOF)
    proof[field] = ["0", "1", "0"]
    _check(proof, InvalidArgument)


def test_B4_b_at_infinity_is_rejected() -> None:
    proof = copy.deepcopy(PROOF)
    proof["pi_b"] = [["0", "0"], ["1", "0"], ["0", "0"]]
    _check(proof, InvalidArgument)


def _fq2_sqrt(a: FQ2) -> FQ2 | None:
    """A square root in Fp2 = Fp[u]/(u^2 + 1), p = 3 mod 4 (Adj and Rodriguez-Henriquez,
    algorithm 9), or None."""
    a1 = a ** ((Q - 3) // 4)
    alpha = a1 * a1 * a
    conj = FQ2([alpha.coeffs[0], -alpha.coeffs[1]])  # alpha^p
    if conj * alpha == FQ2([-1, 0]):
        return None
    x0 = a1 * a
    if alpha == FQ2([-1, 0]):
        return FQ2([0, 1]) * x0
    b = (FQ2([1, 0]) + alpha) ** ((Q - 1) // 2)
    root = b * x0
    return root if root * root == a else None


def _twist_point_outside_subgroup() -> tuple[tuple[int, int], tuple[int, int]]:
    b2 = FQ2([3, 0]) / FQ2([9, 1])
    for x0 in range(1, 200):
        x = FQ2([x0, 1])
        y = _fq2_sqrt(x**3 + b2)
        if y is not None:
            return (
                (int(x.coeffs[0]), int(x.coeffs[1])),
                (int(y.coeffs[0]), int(y.coeffs[1])),
            )
    raise AssertionError("no twist point found")


def test_B4_g2_point_outside_the_r_torsion_is_rejected() -> None:
    (x0, x1), (y0, y1) = _twist_point_outside_subgroup()
    proof = copy.deepcopy(PROOF)
    proof["pi_b"] = [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]]
    _check(proof, PointNotInSubgroup)


def test_B4_swapped_fp2_order_is_rejected() -> None:
    proof = copy.deepcopy(PROOF)
    proof["pi_b"] = [list(reversed(c)) for c in proof["pi_b"][:2]] + [["1", "0"]]
    _check(proof, MalformedInput)


def test_B4_projective_z_other_than_one_is_rejected() -> None:
    proof = copy.deepcopy(PROOF)
    proof["pi_a"][2] = "2"
    _check(proof, MalformedInput)


def test_B4_proof_bytes_of_the_wrong_length_are_rejected() -> None:
    p = groth16.Proof.from_snarkjs(PROOF)
    with pytest.raises(MalformedInput):
        groth16.Proof.from_bytes("bn254", p.to_bytes()[:-1])
