"""Solidity verifier export for Groth16 over BN254 (ADVERSARIAL B11, EIP-196/197).

::

    from zkcredit.hazmat import groth16, solidity

    source = solidity.export_solidity_verifier(vk)         # a self-contained contract
    a, b, c, inputs = solidity.solidity_calldata(proof, public_inputs)
    # Groth16Verifier.verifyProof(a, b, c, inputs) -> bool

The contract is written here (not snarkjs' template) and keeps snarkjs' calldata shape,
``verifyProof(uint256[2] a, uint256[2][2] b, uint256[2] c, uint256[N] input)``, with B in
the EIP-197 order: each Fp2 coordinate ``c0 + c1·i`` is passed as ``(c1, c0)``.

What the contract checks, in order; every failure returns ``false``, never reverts
(the only reverts: the ABI decoder's on calldata shorter than the signature needs, and
``InsufficientGas()`` below, neither a verdict on the proof):

* the calldata is exactly ``4 + 32·(8 + N)`` bytes (no trailing bytes);
* every public input is ``< r`` (never reduced: ``x + r`` is refused, B2/B11);
* every proof coordinate is ``< q`` (so −A is computed from a canonical y) and none of
  A, B, C is the point at infinity (as `groth16.verify`);
* vk_x = IC[0] + Σ input[i]·IC[i+1] with the ecMul (0x07) and ecAdd (0x06) precompiles;
* e(−A, B)·e(alpha, beta)·e(vk_x, gamma)·e(C, delta) == 1 with the pairing precompile
  (0x08), which also refuses points off the curve and B outside the G2 subgroup; a
  failed precompile call returns ``false``.

Gas: the precompile calls forward all remaining gas (so a future repricing cannot make
a valid proof fail for lack of a hard-coded stipend; an invalid point consumes most of
the call's gas, as in snarkjs' verifier). So that a short gas limit cannot turn a valid
proof into ``false``, the contract first reverts with ``InsufficientGas()`` when less gas
is left than the precompiles need at EIP-1108 prices under the 63/64 rule (`min_gas`):
at those prices ``false`` always means an invalid proof or input.

Groth16 proofs are malleable: (−A, −B, C) verifies on chain too (B5). Never use proof
bytes as a replay key.

Only BN254 keys are exported (the EVM has no BLS12-381 pairing before EIP-2537):
other curves raise `UnsupportedFormat`. Keys with gamma == delta or delta == the G2
generator are refused (`InvalidArgument`, B6); `VerifyingKey` already refuses them when
built, and the export checks again on the coordinates it writes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Final

from zkcredit.errors import InvalidArgument, NonCanonicalScalar, UnsupportedFormat
from zkcredit.hazmat.groth16 import Proof, VerifyingKey

__all__ = [
    "BASE_MODULUS",
    "SCALAR_MODULUS",
    "export_solidity_verifier",
    "min_gas",
    "solidity_calldata",
]

BASE_MODULUS: Final = 21888242871839275222246405745257275088696311157297823662689037894645226208583
"""q, the BN254 base field (EIP-196 coordinates are < q)."""

SCALAR_MODULUS: Final = (
    21888242871839275222246405745257275088548364400416034343698204186575808495617
)
"""r, the BN254 scalar field (public inputs are < r)."""

# The BN254 G2 generator (EIP-197), snarkjs order: ((x.c0, x.c1), (y.c0, y.c1)).
_G2_GENERATOR: Final = (
    (
        10857046999023057135944570762232829481370756359578518086990519993285655852781,
        11559732032986387107991004021392285783925812861821192530917403151452391805634,
    ),
    (
        8495653923123431417604973247489272438418190587263600148770280649306958101930,
        4082367875863433681332203403145435568316851327593401208105741076214120093531,
    ),
)

# EIP-1108 (Istanbul) precompile prices.
_EC_ADD_GAS: Final = 150
_EC_MUL_GAS: Final = 6_000
_PAIRING_GAS_4: Final = 45_000 + 4 * 34_000
_GAS_MARGIN: Final = 20_000  # the contract's own work between and around the calls


def min_gas(n_public: int) -> int:
    """The gas the exported contract requires left before its first precompile call."""
    calls = _PAIRING_GAS_4 + n_public * (_EC_MUL_GAS + _EC_ADD_GAS)
    return -(-calls * 64 // 63) + _GAS_MARGIN


G1 = tuple[int, int]
G2 = tuple[tuple[int, int], tuple[int, int]]


def _g1(obj: object) -> G1:
    """A snarkjs G1 triple as EIP-196 words: infinity (snarkjs ``["0", "1", "0"]``) is
    (0, 0) in the precompiles."""
    assert isinstance(obj, list)
    if obj[2] == "0":
        return 0, 0
    return int(obj[0]), int(obj[1])


def _g2(obj: object) -> G2:
    assert isinstance(obj, list)
    return (int(obj[0][0]), int(obj[0][1])), (int(obj[1][0]), int(obj[1][1]))


def _eip197(p: G2) -> tuple[int, int, int, int]:
    """A G2 point in the precompile's word order: x.c1, x.c0, y.c1, y.c0."""
    (x0, x1), (y0, y1) = p
    return x1, x0, y1, y0


def _bn254_key(vk: VerifyingKey) -> tuple[G1, G2, G2, G2, list[G1]]:
    if not isinstance(vk, VerifyingKey):
        raise InvalidArgument(f"expected a VerifyingKey, got {type(vk).__name__}")
    if vk.curve != "bn254":
        raise UnsupportedFormat(
            f"Solidity verifiers are exported for BN254 only (the EVM precompiles of "
            f"EIP-196/197); this key is over {vk.curve}"
        )
    js = vk.to_snarkjs()
    alpha, beta = _g1(js["vk_alpha_1"]), _g2(js["vk_beta_2"])
    gamma, delta = _g2(js["vk_gamma_2"]), _g2(js["vk_delta_2"])
    ic = [_g1(p) for p in js["IC"]]
    # B6, checked again on what is written (VerifyingKey refuses these keys when built).
    if gamma == delta:
        raise InvalidArgument("degenerate verifying key: gamma == delta (B6)")
    if delta == _G2_GENERATOR:
        raise InvalidArgument("degenerate verifying key: delta is the G2 generator (B6)")
    if not ic:
        raise InvalidArgument("degenerate verifying key: empty IC")
    return alpha, beta, gamma, delta, ic


def export_solidity_verifier(vk: VerifyingKey, contract_name: str = "Groth16Verifier") -> str:
    """Solidity (^0.8) source of a contract verifying Groth16 proofs for ``vk``.

    Deterministic: the same key and name give the same bytes. The source names the
    SHA-256 of the key's byte form (`VerifyingKey.to_bytes`)."""
    if not contract_name.isidentifier() or not contract_name.isascii():
        raise InvalidArgument(f"not a Solidity identifier: {contract_name!r}")
    alpha, beta, gamma, delta, ic = _bn254_key(vk)
    n = len(ic) - 1
    if n == 0:
        raise InvalidArgument("a key without public inputs has no Solidity verifier here")
    digest = hashlib.sha256(vk.to_bytes()).hexdigest()

    consts: list[str] = [
        f"    uint256 internal constant Q = {BASE_MODULUS};",
        f"    uint256 internal constant R = {SCALAR_MODULUS};",
        f"    uint256 internal constant N_PUBLIC = {n};",
        f"    uint256 internal constant CALLDATA_BYTES = {4 + 32 * (8 + n)};",
        "    // Gas the precompile calls need (EIP-1108 prices, 63/64 rule) plus a margin.",
        f"    uint256 internal constant MIN_GAS = {min_gas(n)};",
        "",
        "    // Verifying key. G2 coordinates in EIP-197 order (imaginary part first).",
        f"    uint256 internal constant ALPHA_X = {alpha[0]};",
        f"    uint256 internal constant ALPHA_Y = {alpha[1]};",
    ]
    for name, point in (("BETA", beta), ("GAMMA", gamma), ("DELTA", delta)):
        words = _eip197(point)
        for suffix, w in zip(("X_IM", "X_RE", "Y_IM", "Y_RE"), words, strict=True):
            consts.append(f"    uint256 internal constant {name}_{suffix} = {w};")
    for i, (x, y) in enumerate(ic):
        consts.append(f"    uint256 internal constant IC{i}_X = {x};")
        consts.append(f"    uint256 internal constant IC{i}_Y = {y};")

    accumulate = "\n".join(
        f"        (ok, x, y) = _mulAdd(x, y, IC{i + 1}_X, IC{i + 1}_Y, input[{i}]);\n"
        "        if (!ok) return false;"
        for i in range(n)
    )
    lines = [
        "// SPDX-License-Identifier: Apache-2.0",
        "// Generated by zkcredit (zkcredit.hazmat.solidity). Do not edit.",
        "// Groth16 verifier over BN254 (EIP-196/197 precompiles).",
        f"// Verifying key SHA-256 (zkcredit byte form): {digest}",
        f"// Public inputs: {n}",
        "pragma solidity ^0.8.4;",
        "",
        f"contract {contract_name} {{",
        *consts,
        "",
        "    /// Less gas is left than the precompile calls need: retry with more gas (this is",
        "    /// not a verdict on the proof).",
        "    error InsufficientGas();",
        "",
        "    /// Verifies a Groth16 proof. `b` holds B in EIP-197 order: [[x.c1, x.c0],",
        "    /// [y.c1, y.c0]]. Returns false (does not revert) for any invalid proof, input",
        "    /// >= r, coordinate >= q, point at infinity, trailing calldata or failed",
        "    /// precompile call; reverts InsufficientGas() when too little gas is left.",
        "    function verifyProof(",
        "        uint256[2] calldata a,",
        "        uint256[2][2] calldata b,",
        "        uint256[2] calldata c,",
        f"        uint256[{n}] calldata input",
        "    ) external view returns (bool) {",
        "        if (msg.data.length != CALLDATA_BYTES) return false;",
        "        for (uint256 i = 0; i < N_PUBLIC; i++) {",
        "            if (input[i] >= R) return false;",
        "        }",
        "        if (a[0] >= Q || a[1] >= Q || c[0] >= Q || c[1] >= Q) return false;",
        "        if (b[0][0] >= Q || b[0][1] >= Q || b[1][0] >= Q || b[1][1] >= Q) return false;",
        "        if ((a[0] | a[1]) == 0 || (c[0] | c[1]) == 0) return false;",
        "        if ((b[0][0] | b[0][1] | b[1][0] | b[1][1]) == 0) return false;",
        "        if (gasleft() < MIN_GAS) revert InsufficientGas();",
        "",
        "        bool ok;",
        "        uint256 x = IC0_X;",
        "        uint256 y = IC0_Y;",
        accumulate,
        "",
        "        uint256[24] memory p;",
        "        p[0] = a[0];",
        "        p[1] = a[1] == 0 ? 0 : Q - a[1]; // -A",
        "        p[2] = b[0][0];",
        "        p[3] = b[0][1];",
        "        p[4] = b[1][0];",
        "        p[5] = b[1][1];",
        "        p[6] = ALPHA_X;",
        "        p[7] = ALPHA_Y;",
        "        p[8] = BETA_X_IM;",
        "        p[9] = BETA_X_RE;",
        "        p[10] = BETA_Y_IM;",
        "        p[11] = BETA_Y_RE;",
        "        p[12] = x;",
        "        p[13] = y;",
        "        p[14] = GAMMA_X_IM;",
        "        p[15] = GAMMA_X_RE;",
        "        p[16] = GAMMA_Y_IM;",
        "        p[17] = GAMMA_Y_RE;",
        "        p[18] = c[0];",
        "        p[19] = c[1];",
        "        p[20] = DELTA_X_IM;",
        "        p[21] = DELTA_X_RE;",
        "        p[22] = DELTA_Y_IM;",
        "        p[23] = DELTA_Y_RE;",
        "        return _pairingIsOne(p);",
        "    }",
        "",
        "    /// (x, y) + s * (px, py) with ecMul (0x07) and ecAdd (0x06); ok is false when",
        "    /// a precompile call fails.",
        "    function _mulAdd(uint256 x, uint256 y, uint256 px, uint256 py, uint256 s)",
        "        private view returns (bool ok, uint256 rx, uint256 ry)",
        "    {",
        "        uint256[4] memory buf;",
        "        buf[0] = px;",
        "        buf[1] = py;",
        "        buf[2] = s;",
        "        assembly {",
        "            ok := staticcall(gas(), 0x07, buf, 0x60, buf, 0x40)",
        "            if ok {",
        "                mstore(add(buf, 0x40), x)",
        "                mstore(add(buf, 0x60), y)",
        "                ok := staticcall(gas(), 0x06, buf, 0x80, buf, 0x40)",
        "            }",
        "            ok := and(ok, eq(returndatasize(), 0x40))",
        "        }",
        "        rx = buf[0];",
        "        ry = buf[1];",
        "    }",
        "",
        "    /// True iff the pairing precompile (0x08) succeeds and reports a product of 1.",
        "    function _pairingIsOne(uint256[24] memory p) private view returns (bool) {",
        "        uint256[1] memory out;",
        "        bool ok;",
        "        assembly {",
        "            ok := staticcall(gas(), 0x08, p, 0x300, out, 0x20)",
        "            ok := and(ok, eq(returndatasize(), 0x20))",
        "        }",
        "        return ok && out[0] == 1;",
        "    }",
        "}",
        "",
    ]
    return "\n".join(lines)


def solidity_calldata(
    proof: Proof, public_inputs: Sequence[int]
) -> tuple[list[int], list[list[int]], list[int], list[int]]:
    """The ``verifyProof`` arguments ``(a, b, c, input)`` for a BN254 proof, with B in
    EIP-197 order. Inputs must be ints in ``[0, r)`` (`NonCanonicalScalar`, never
    reduced)."""
    if not isinstance(proof, Proof):
        raise InvalidArgument(f"expected a Proof, got {type(proof).__name__}")
    if proof.curve != "bn254":
        raise UnsupportedFormat(f"Solidity calldata is for BN254 proofs; this is {proof.curve}")
    inputs: list[int] = []
    for i, v in enumerate(public_inputs):
        if type(v) is not int:
            raise InvalidArgument(f"public input {i} is not an int: {type(v).__name__}")
        if not 0 <= v < SCALAR_MODULUS:
            raise NonCanonicalScalar(f"public input {i} is not in [0, r)")
        inputs.append(v)
    js = proof.to_snarkjs()
    a, (bx, by), c = _g1(js["pi_a"]), _g2(js["pi_b"]), _g1(js["pi_c"])
    return [a[0], a[1]], [[bx[1], bx[0]], [by[1], by[0]]], [c[0], c[1]], inputs
