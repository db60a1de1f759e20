"""Shared constants for the circuit tests."""

from __future__ import annotations

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583

#: gnark's fuzz seed corpus (test/assert_fuzz.go), reduced mod r: -5..5, r±3, q±3,
#: 2^32, 2^64, 2^254, 2^255, 2^256.
SEED_CORPUS: tuple[int, ...] = tuple(
    dict.fromkeys(
        v % R
        for v in (
            *range(-5, 6),
            R - 3,
            R + 3,
            Q - 3,
            Q + 3,
            2**32,
            2**64,
            2**254,
            2**255,
            2**256,
        )
    )
)
