"""Shared fixtures of the Groth16 tests: small circuits on both curves, the snarkjs cases."""

from __future__ import annotations

import json
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from zkcredit.circuit import R1CS, Constraint
from zkcredit.hazmat import groth16
from zkcredit.hazmat.native import bls12_381, bn254

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "data" / "external" / "groth16"
SNARKJS = ROOT / "tests" / "interop" / "node_modules" / ".bin" / "snarkjs"
CASES: list[dict[str, Any]] = json.loads((VECTORS / "cases.json").read_text())["cases"]
MODULES = {"bn254": bn254, "bls12_381": bls12_381}


def load(rel: str) -> Any:
    return json.loads((VECTORS / rel).read_text())


def cube_r1cs(prime: int) -> R1CS:
    """Wires [1, y, z, x] with x*x = y and y*x = z; y and z public."""
    return R1CS(
        n_wires=4,
        n_public=2,
        n_private=1,
        constraints=(
            Constraint(a=((3, 1),), b=((3, 1),), c=((1, 1),), label="x*x = y"),
            Constraint(a=((1, 1),), b=((3, 1),), c=((2, 1),), label="y*x = z"),
        ),
        prime=prime,
    )


def cube_witness(x: int, prime: int) -> list[int]:
    return [1, x * x % prime, x * x * x % prime, x]


@cache
def keys(curve: str) -> tuple[R1CS, groth16.ProvingKey, groth16.VerifyingKey]:
    r1cs = cube_r1cs(MODULES[curve].SCALAR_MODULUS)
    pk, vk = groth16.setup(r1cs, curve)
    return r1cs, pk, vk


def statement(curve: str, x: int = 5) -> tuple[list[int], groth16.Proof]:
    """(public inputs, zero-knowledge proof) for the cube circuit."""
    r1cs, pk, _ = keys(curve)
    w = cube_witness(x, MODULES[curve].SCALAR_MODULUS)
    return w[1:3], groth16.prove(pk, r1cs, w)


def snarkjs(*args: str) -> subprocess.CompletedProcess[str]:
    if not SNARKJS.exists():
        pytest.fail(f"snarkjs is not installed at {SNARKJS}; run bash .ci/setup")
    return subprocess.run(
        [str(SNARKJS), *args], capture_output=True, text=True, timeout=120, check=False
    )


def write_triple(
    tmp: Path, vk: groth16.VerifyingKey, public: list[int], proof: groth16.Proof
) -> tuple[Path, Path, Path]:
    paths = (tmp / "verification_key.json", tmp / "public.json", tmp / "proof.json")
    paths[0].write_text(json.dumps(vk.to_snarkjs()))
    paths[1].write_text(json.dumps(groth16.public_to_snarkjs(public)))
    paths[2].write_text(json.dumps(proof.to_snarkjs()))
    return paths
