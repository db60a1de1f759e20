"""B6: a verifying key with gamma == delta, or delta == the G2 generator, is refused when
it is loaded (native and reference)."""

from __future__ import annotations

import copy

import pytest

from zkcredit.errors import InvalidArgument, InvalidEncoding
from zkcredit.hazmat import encoding, groth16, groth16_reference

from ._support import MODULES, keys, load

VK = load("multiplier_range/verification_key.json")
PROOF = load("multiplier_range/proof.json")
PUBLIC = load("multiplier_range/public.json")


def _refused(vk: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidArgument, match=match):
        groth16.VerifyingKey.from_snarkjs(vk)
    with pytest.raises(InvalidArgument, match=match):
        groth16_reference.verify_snarkjs(vk, PUBLIC, PROOF)


def test_B6_gamma_equal_to_delta_is_refused() -> None:
    # snarkjs keys have gamma = the G2 generator, so use one of ours (gamma random).
    vk = keys("bn254")[2].to_snarkjs()
    vk["vk_gamma_2"] = vk["vk_delta_2"]
    _refused(vk, "gamma == delta")


def test_B6_snarkjs_gamma_is_the_generator_and_is_accepted() -> None:
    assert VK["vk_gamma_2"] == encoding.g2_to_snarkjs(MODULES["bn254"].G2.generator())
    groth16.VerifyingKey.from_snarkjs(VK)


def test_B6_delta_equal_to_the_generator_is_refused() -> None:
    vk = copy.deepcopy(VK)
    vk["vk_delta_2"] = encoding.g2_to_snarkjs(MODULES["bn254"].G2.generator())
    _refused(vk, "delta is the G2 generator")


def test_B6_native_bytes_are_checked_too() -> None:
    vk = keys("bn254")[2]
    m = MODULES["bn254"]
    g1, g2 = m.G1_UNCOMPRESSED_BYTES, m.G2_UNCOMPRESSED_BYTES
    d = vk.to_bytes()
    gamma = d[g1 + g2 : g1 + 2 * g2]
    bad = d[: g1 + 2 * g2] + gamma + d[g1 + 3 * g2 :]
    with pytest.raises(InvalidArgument, match="gamma == delta"):
        groth16.VerifyingKey.from_bytes("bn254", bad)


def test_B6_empty_ic_and_inconsistent_npublic_are_refused() -> None:
    vk = copy.deepcopy(VK)
    vk["IC"] = []
    with pytest.raises(InvalidEncoding):
        groth16.VerifyingKey.from_snarkjs(vk)
    vk = copy.deepcopy(VK)
    vk["nPublic"] = 2
    with pytest.raises(InvalidEncoding, match="nPublic"):
        groth16.VerifyingKey.from_snarkjs(vk)
