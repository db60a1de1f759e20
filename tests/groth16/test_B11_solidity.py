"""ADVERSARIAL B11: the exported Solidity verifier, compiled with the npm solc and run on
py-evm (a real EVM whose BN254 precompiles 0x06-0x08 follow EIP-196/197).

Every EVM call that reaches the pairing costs ~1 s (py-evm's precompiles use py_ecc), so
the verdicts below share two deployed contracts; calls refused before the pairing are cheap.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from zkcredit.circuits.credit_score_bench import credit_score_bench, sample_inputs

from zkcredit.circuit import Circuit
from zkcredit.errors import InvalidArgument, NonCanonicalScalar, UnsupportedFormat
from zkcredit.hazmat import groth16, solidity

from . import _evm
from ._support import keys as cube_keys
from ._support import load, statement

pytestmark = pytest.mark.interop

Q = solidity.BASE_MODULUS
R = solidity.SCALAR_MODULUS


@dataclass
class Deployed:
    evm: _evm.Evm
    address: bytes
    selector: bytes
    vk: groth16.VerifyingKey

    def call(self, a: Any, b: Any, c: Any, inputs: Any, *, extra: bytes = b"") -> _evm.CallResult:
        data = self.selector + _evm.encode_words(a, b, c, inputs) + extra
        return self.evm.call(self.address, data)

    def verdict(self, a: Any, b: Any, c: Any, inputs: Any) -> bool:
        res = self.call(a, b, c, inputs)
        assert res.success, "verifyProof must return false, not revert"
        return _evm.decode_bool(res.output)


def _deploy(evm: _evm.Evm, vk: groth16.VerifyingKey) -> Deployed:
    compiled = _evm.compile_contract(solidity.export_solidity_verifier(vk), "Groth16Verifier")
    names = [f["name"] for f in compiled.abi if f.get("type") == "function"]
    assert names == ["verifyProof"]
    sig = f"verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[{vk.n_public}])"
    return Deployed(evm, evm.deploy(compiled.bytecode), _evm.selector(sig), vk)


@pytest.fixture(scope="module")
def evm() -> _evm.Evm:
    _evm.require_tools()
    return _evm.Evm()


@pytest.fixture(scope="module")
def snarkjs_case(evm: _evm.Evm) -> tuple[Deployed, tuple[Any, ...]]:
    """The snarkjs multiplier_range vectors (verification_key, proof, public)."""
    vk = groth16.VerifyingKey.from_snarkjs(load("multiplier_range/verification_key.json"))
    proof = groth16.Proof.from_snarkjs(load("multiplier_range/proof.json"))
    public = groth16.public_from_snarkjs(load("multiplier_range/public.json"))
    assert groth16.verify(vk, public, proof)
    return _deploy(evm, vk), solidity.solidity_calldata(proof, public)


@pytest.fixture(scope="module")
def own_case(evm: _evm.Evm) -> tuple[Deployed, tuple[Any, ...]]:
    """A proof made by our setup/prove on the cube R1CS (zkcredit.circuit)."""
    _, _, vk = cube_keys("bn254")
    public, proof = statement("bn254", x=7)
    return _deploy(evm, vk), solidity.solidity_calldata(proof, public)


def _neg_g1(p: list[int]) -> list[int]:
    return [p[0], (Q - p[1]) % Q]


def _neg_g2(b: list[list[int]]) -> list[list[int]]:
    return [b[0], [(Q - b[1][0]) % Q, (Q - b[1][1]) % Q]]


# --- valid proofs -------------------------------------------------------------------


def test_valid_snarkjs_proof_returns_true_and_gas(snarkjs_case: Any) -> None:
    d, (a, b, c, x) = snarkjs_case
    res = d.call(a, b, c, x)
    assert res.success and _evm.decode_bool(res.output)
    # Reported in docs/BENCHMARKS.md; the pairing (4 pairs) alone is 181,000 gas.
    print(
        f"\nB11 gas, multiplier_range ({len(x)} public): tx gasUsed {res.gas_used}, "
        f"execution {res.execution_gas}"
    )
    assert 181_000 < res.execution_gas < 181_000 + 60_000 + 7_000 * len(x)


def test_valid_own_proof_returns_true(own_case: Any) -> None:
    d, (a, b, c, x) = own_case
    assert d.verdict(a, b, c, x)


def test_malleated_proof_returns_true(own_case: Any) -> None:
    """(−A, −B, C) verifies on chain as off chain (B5): never a replay key."""
    d, (a, b, c, x) = own_case
    assert d.verdict(_neg_g1(a), _neg_g2(b), c, x)


# --- public inputs ------------------------------------------------------------------


def test_aliased_public_input_returns_false(snarkjs_case: Any) -> None:
    d, (a, b, c, x) = snarkjs_case
    for i in range(len(x)):
        aliased = list(x)
        aliased[i] += R  # same value mod r: must be refused, never reduced
        assert not d.verdict(a, b, c, aliased)
    assert not d.verdict(a, b, c, [2**256 - 1] * len(x))
    with pytest.raises(NonCanonicalScalar):
        solidity.solidity_calldata(
            groth16.Proof.from_snarkjs(load("multiplier_range/proof.json")), [x[0] + R, *x[1:]]
        )


def test_changed_public_input_returns_false(snarkjs_case: Any) -> None:
    d, (a, b, c, x) = snarkjs_case
    changed = list(x)
    changed[0] = (changed[0] + 1) % R
    assert not d.verdict(a, b, c, changed)


# --- tampered proofs ----------------------------------------------------------------


def test_tampered_a_returns_false(own_case: Any) -> None:
    d, (a, b, c, x) = own_case
    assert not d.verdict(c, b, c, x)  # A := C, a valid G1 point
    assert not d.verdict([a[0], a[1] + Q], b, c, x)  # non-canonical y (−A would alias)
    assert not d.verdict([0, 0], b, c, x)  # A at infinity
    # Off the curve: the pairing precompile fails -> false, not a revert.
    assert not d.verdict([1, 3], b, c, x)


def test_tampered_b_returns_false(own_case: Any) -> None:
    d, (a, b, c, x) = own_case
    gen = solidity._G2_GENERATOR
    assert not d.verdict(a, [[gen[0][1], gen[0][0]], [gen[1][1], gen[1][0]]], c, x)
    # B in snarkjs JSON order (c0 first) instead of EIP-197's: refused.
    assert not d.verdict(a, [[b[0][1], b[0][0]], [b[1][1], b[1][0]]], c, x)


def test_tampered_c_returns_false(own_case: Any) -> None:
    d, (a, b, c, x) = own_case
    assert not d.verdict(a, b, a, x)  # C := A
    assert not d.verdict(a, b, [c[0] + Q, c[1]], x)  # non-canonical coordinate


def test_calldata_length(snarkjs_case: Any) -> None:
    d, (a, b, c, x) = snarkjs_case
    res = d.call(a, b, c, x, extra=b"\x00")
    assert res.success and not _evm.decode_bool(res.output)  # trailing byte: false
    short = d.evm.call(d.address, d.selector + _evm.encode_words(a, b, c, x)[:-32])
    assert not short.success  # too short: the ABI decoder reverts


def test_short_gas_reverts_instead_of_false(snarkjs_case: Any) -> None:
    """Too little gas for the precompiles is a revert (InsufficientGas()), never a false
    verdict on a valid proof; the gas the contract asks for is enough."""
    d, (a, b, c, x) = snarkjs_case
    data = d.selector + _evm.encode_words(a, b, c, x)
    need = solidity.min_gas(len(x))
    short = d.evm.call(d.address, data, gas=_evm.intrinsic_gas(data) + need - 1_000)
    assert not short.success
    assert short.output == _evm.selector("InsufficientGas()")
    # Enough: the guard passes and the proof verifies (the transaction uses less than it
    # reserves: the margin and the 63/64 rule are headroom).
    ok = d.evm.call(d.address, data, gas=_evm.intrinsic_gas(data) + need + 5_000)
    assert ok.success and _evm.decode_bool(ok.output)
    assert ok.gas_used < _evm.intrinsic_gas(data) + need


def test_key_with_ic_at_infinity(evm: _evm.Evm) -> None:
    """An IC point at infinity is written as EIP-196's (0, 0), not snarkjs' (0, 1):
    with input 0 the proof of the original key still verifies against the changed key."""
    _, _, vk = cube_keys("bn254")
    js = vk.to_snarkjs()
    js["IC"][1] = ["0", "1", "0"]
    vk_inf = groth16.VerifyingKey.from_snarkjs(js)
    public, proof = statement("bn254", x=0)
    assert public == [0, 0]
    assert groth16.verify(vk_inf, public, proof)
    assert "IC1_X = 0;" in solidity.export_solidity_verifier(vk_inf)
    d = _deploy(evm, vk_inf)
    assert d.verdict(*solidity.solidity_calldata(proof, public))


# --- export ---------------------------------------------------------------------------


def test_export_is_deterministic() -> None:
    vk = groth16.VerifyingKey.from_snarkjs(load("multiplier_range/verification_key.json"))
    again = groth16.VerifyingKey.from_snarkjs(load("multiplier_range/verification_key.json"))
    src = solidity.export_solidity_verifier(vk)
    assert src == solidity.export_solidity_verifier(again)
    assert f"uint256[{vk.n_public}] calldata input" in src


class _Forged(groth16.VerifyingKey):
    """A key whose coordinates are degenerate although the native check never saw them
    (the export must check what it writes)."""

    __slots__ = ()
    tamper: str = ""

    def to_snarkjs(self) -> dict[str, Any]:
        js = super().to_snarkjs()
        if self.tamper == "gamma_eq_delta":
            js["vk_delta_2"] = js["vk_gamma_2"]
        else:
            g = solidity._G2_GENERATOR
            js["vk_delta_2"] = [[str(g[0][0]), str(g[0][1])], [str(g[1][0]), str(g[1][1])]]
        return js


@pytest.mark.parametrize("tamper", ["gamma_eq_delta", "delta_is_generator"])
def test_degenerate_key_export_refused(tamper: str) -> None:
    js = load("multiplier_range/verification_key.json")
    bad = json.loads(json.dumps(js))
    if tamper == "gamma_eq_delta":
        bad["vk_delta_2"] = bad["vk_gamma_2"]
    else:
        g = solidity._G2_GENERATOR
        bad["vk_delta_2"] = [[str(g[0][0]), str(g[0][1])], [str(g[1][0]), str(g[1][1])], ["1", "0"]]
    with pytest.raises(InvalidArgument):  # refused when the key is loaded (B6)
        groth16.VerifyingKey.from_snarkjs(bad)
    forged = _Forged.from_snarkjs(js)
    type(forged).tamper = tamper
    with pytest.raises(InvalidArgument, match="B6"):  # and again at export
        solidity.export_solidity_verifier(forged)


def test_other_curves_refused() -> None:
    _, _, vk = cube_keys("bls12_381")
    with pytest.raises(UnsupportedFormat):
        solidity.export_solidity_verifier(vk)
    public, proof = statement("bls12_381")
    with pytest.raises(UnsupportedFormat):
        solidity.solidity_calldata(proof, public)


@pytest.mark.slow
def test_credit_score_bench_verifier_gas(evm: _evm.Evm) -> None:
    """The benchmark circuit's verifier on chain (gas in docs/BENCHMARKS.md)."""
    circuit = Circuit("credit_score_bench")
    credit_score_bench(circuit)
    compiled = circuit.compile()
    witness = compiled.solve(sample_inputs())
    public = witness[1 : 1 + compiled.r1cs.n_public]
    pk, vk = groth16.setup(compiled.r1cs)
    proof = groth16.prove(pk, compiled.r1cs, witness)
    d = _deploy(evm, vk)
    a, b, c, x = solidity.solidity_calldata(proof, public)
    res = d.call(a, b, c, x)
    assert res.success and _evm.decode_bool(res.output)
    print(
        f"\nB11 gas, credit_score_bench ({len(x)} public): tx gasUsed {res.gas_used}, "
        f"execution {res.execution_gas}"
    )
    assert 181_000 < res.execution_gas < 181_000 + 60_000 + 7_000 * len(x)
