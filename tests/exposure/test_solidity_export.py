"""The exposure registry's Solidity export, without an EVM: names and determinism (the
contract itself runs on py-evm in test_registry_evm.py)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import zkcredit.exposure as exposure
from zkcredit.errors import InvalidArgument
from zkcredit.exposure import export_exposure_registry_solidity
from zkcredit.hazmat.solidity import SCALAR_MODULUS

ROOT = Path(__file__).resolve().parents[2]


def test_exported_from_the_package() -> None:
    assert "export_exposure_registry_solidity" in exposure.__all__


def test_deterministic_with_the_default_name() -> None:
    source = export_exposure_registry_solidity()
    assert source == export_exposure_registry_solidity("ZkCreditExposureRegistry")
    assert "contract ZkCreditExposureRegistry {" in source
    assert "pragma solidity ^0.8.20;" in source
    assert f"uint256 internal constant R = {SCALAR_MODULUS};" in source


def test_license_matches_the_project() -> None:
    license_id = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    first = export_exposure_registry_solidity().splitlines()[0]
    assert first == f"// SPDX-License-Identifier: {license_id}"


def test_custom_name() -> None:
    source = export_exposure_registry_solidity("Registry_2$")
    assert "contract Registry_2$ {" in source


@pytest.mark.parametrize(
    "name",
    ["", "2Registry", "Reg-istry", "Reg istry", "Régistre", "contract", "mapping", "uint8",
     "bytes32", "fixed128x18", "Reg\n{", "Reg;", None, 7, b"Registry"],
)
def test_bad_names_are_refused(name: object) -> None:
    with pytest.raises(InvalidArgument):
        export_exposure_registry_solidity(name)  # type: ignore[arg-type]
