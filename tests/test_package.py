"""The package installs as one self-contained distribution with its native core."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import zkcredit
from zkcredit import _native, errors

ROOT = Path(__file__).resolve().parents[1]


def test_native_core_is_importable_and_matches_version() -> None:
    assert _native.__version__ == zkcredit.__version__


def test_every_package_directory_is_listed_for_wheels() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    mapping = config["package-dir"]
    listed = set(config["packages"])
    found = set()
    for name, rel in mapping.items():
        base = ROOT / rel
        for init in base.rglob("__init__.py"):
            parts = init.parent.relative_to(base).parts
            found.add(".".join((name, *parts)))
    assert found == listed, f"pyproject packages must list exactly: {sorted(found)}"


def test_cli_version_runs_as_a_real_subprocess() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "zkcredit.cli", "--version"],
        capture_output=True, text=True, check=True,
    )
    assert zkcredit.__version__ in out.stdout


def test_error_exit_codes() -> None:
    assert errors.MalformedInput.exit_code == 2
    assert errors.InvalidProof.exit_code == 1
    assert issubclass(errors.PointNotOnCurve, ValueError)
