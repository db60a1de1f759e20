"""Shared helpers for the algebra tests: loading both backends, points off the subgroup."""

from __future__ import annotations

import hashlib
import importlib
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

CURVES = ("bn254", "bls12_381")
BACKENDS = ("native", "reference")
MODULES = [f"{b}.{c}" for b in BACKENDS for c in CURVES]

API = [
    *("NAME", "SCALAR_MODULUS", "BASE_MODULUS", "TWO_ADICITY", "MULTIPLICATIVE_GENERATOR"),
    *("SCALAR_BYTES", "G1_COMPRESSED_BYTES", "G1_UNCOMPRESSED_BYTES"),
    *("G2_COMPRESSED_BYTES", "G2_UNCOMPRESSED_BYTES"),
    *("fr_add", "fr_sub", "fr_mul", "fr_neg", "fr_inv", "fr_random"),
    *("G1", "G2", "g1_msm", "g2_msm", "pairing_check", "fft", "ifft", "coset_fft", "coset_ifft"),
]


def slow_settings(max_examples: int) -> Any:
    """Hypothesis settings for py_ecc-bound tests: few examples, no deadline."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def load(name: str, *attrs: str) -> ModuleType:
    """Import zkcredit.hazmat.<name>; for the native backend skip LOUDLY if it is missing."""
    full = f"zkcredit.hazmat.{name}"
    try:
        module = importlib.import_module(full)
    except ImportError as exc:
        if name.startswith("native."):
            pytest.skip(f"NATIVE BACKEND MISSING: cannot import {full}: {exc}")
        raise
    missing = [a for a in attrs or API if not hasattr(module, a)]
    if missing:
        if name.startswith("native."):
            pytest.skip(f"NATIVE BACKEND INCOMPLETE: {full} lacks {', '.join(missing)}")
        raise AssertionError(f"{full} lacks {missing}")
    return module


def pair(curve: str, *attrs: str) -> tuple[ModuleType, ModuleType]:
    """(native, reference) modules of one curve."""
    return load(f"native.{curve}", *attrs), load(f"reference.{curve}", *attrs)


def pack(values: list[int]) -> bytes:
    return b"".join(v.to_bytes(32, "little") for v in values)


def unpack(data: bytes) -> list[int]:
    return [int.from_bytes(data[i : i + 32], "little") for i in range(0, len(data), 32)]


def reference_spec(curve: str, group: str) -> Any:
    """The reference GroupSpec (private: field arithmetic and raw encoders for tests)."""
    ref = importlib.import_module(f"zkcredit.hazmat.reference.{curve}")
    return getattr(ref, group)._spec


def point_outside_subgroup(curve: str, group: str, seed: bytes = b"") -> tuple[Any, Any]:
    """An affine point on the curve (G1) or twist (G2) that is NOT in the r-torsion.

    x is hashed from a counter until x^3 + b is a square; the point (x, y) is then on
    the curve, and outside the prime-order subgroup unless r·P = O, which is checked.
    Coordinates are tuples of ints (the reference's internal form).
    """
    spec = reference_spec(curve, group)
    f = spec.field
    counter = 0
    while True:
        digest = b""
        for i in range(f.degree):
            digest += hashlib.sha512(seed + f"{curve}:{group}:{counter}:{i}".encode()).digest()
        x = tuple(
            int.from_bytes(digest[64 * i : 64 * (i + 1)], "big") % f.q for i in range(f.degree)
        )
        counter += 1
        y = f.sqrt(spec.rhs(x))
        if y is None:
            continue
        point = (x, y)
        assert spec.on_curve(point)
        if not spec.in_subgroup(point):
            return point


def public_affine(point: tuple[Any, Any]) -> Any:
    """Internal (tuple-of-ints coordinates) -> the public affine form of to_affine()."""
    x, y = point
    if len(x) == 1:
        return (x[0], y[0])
    return (tuple(x), tuple(y))
