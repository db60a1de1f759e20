"""B7: a multi-party ceremony's transcripts verify and its key proves (our verifier and
snarkjs); a tampered delta, L or H element, tau power, contribution hash or proof of
knowledge, or a key built for another circuit's R1CS raises `TranscriptInvalid`.
B8 for the ceremony: no secret in any transcript, attribute or pickle."""

from __future__ import annotations

import hashlib
import inspect
import pickle
import re
import struct
from functools import cache
from pathlib import Path

import pytest

from zkcredit.circuit import Circuit, CompiledCircuit
from zkcredit.errors import (
    InvalidArgument,
    InvalidEncoding,
    OutputExists,
    TranscriptInvalid,
    UnsupportedFormat,
)
from zkcredit.hazmat import ceremony, groth16

from ._support import snarkjs, write_triple

G1 = 64
G2 = 128
POK = 2 * G1 + G2
P1_RECORD = 32 + 3 * G1 + 2 * G2 + 3 * POK + 32
P2_RECORD = 1 + 32 + 4 + 32 + G1 + G2 + POK + 32
HEADER = 12
POWER = 6


def _tag(text: str) -> bytes:
    """The prefix the core's transcript hash starts with: u32 length, then the tag."""
    raw = text.encode()
    return struct.pack("<I", len(raw)) + raw


def _poly(k: int, name: str) -> CompiledCircuit:
    """y = x^3 + k*x + 5 with y public, x private (a few constraints, one private chain)."""
    c = Circuit(name)
    x = c.private("x")
    y = c.public("y")
    x2 = c.mul(x, x, "x2")
    x3 = c.mul(x2, x, "x3")
    c.assert_equal(x3 + x * k + 5, y, "y")
    return c.compile()


@cache
def _phase1() -> ceremony.Phase1Transcript:
    t = ceremony.new_phase1(POWER)
    for _ in range(3):
        t = ceremony.contribute_phase1(t)
    return t


@cache
def _phase2() -> ceremony.Phase2Transcript:
    t = ceremony.new_phase2(_phase1(), _poly(1, "a").r1cs)
    t = ceremony.contribute_phase2(t)
    t = ceremony.contribute_phase2(t)
    return ceremony.beacon_phase2(t, hashlib.sha256(b"block 123").digest(), 4)


class _P2:
    """Byte offsets inside a phase-2 transcript file (docs/groth16.md layout)."""

    def __init__(self, data: bytes) -> None:
        body = HEADER
        self.count = struct.unpack_from("<I", data, body + 64)[0]
        self.records = body + 68
        key = self.records + self.count * P2_RECORD
        n_wires, n_public, n = struct.unpack_from("<III", data, key)
        self.delta_g2 = key + 12 + G1 + 2 * G2
        n_ic = struct.unpack_from("<I", data, self.delta_g2 + G2)[0]
        self.beta_g1 = self.delta_g2 + G2 + 4 + n_ic * G1
        self.delta_g1 = self.beta_g1 + G1
        self.h = self.delta_g1 + G1 + n_wires * (2 * G1 + G2)
        self.l = self.h + (n - 1) * G1
        self.n_l = n_wires - n_public - 1
        assert self.l + self.n_l * G1 == len(data)

    def record(self, i: int) -> int:
        return self.records + i * P2_RECORD


def _put(data: bytes, at: int, new: bytes) -> bytes:
    return data[:at] + new + data[at + len(new) :]


def _rehash_p2(data: bytes, i: int, at: _P2) -> bytes:
    """Recompute contribution i's recorded hash (a random contribution), as a forger would."""
    r = at.record(i)
    rec = data[r : r + P2_RECORD]
    assert rec[0] == 0
    h = hashlib.sha256(_tag("zkcredit ceremony phase2 contribution v1") + rec[:1] + rec[37:-32])
    return _put(data, r + P2_RECORD - 32, h.digest())


def _rehash_p1(data: bytes, i: int) -> bytes:
    r = HEADER + 8 + i * P1_RECORD
    h = hashlib.sha256(
        _tag("zkcredit ceremony phase1 contribution v1") + data[r : r + P1_RECORD - 32]
    )
    return _put(data, r + P1_RECORD - 32, h.digest())


def _p2_invalid(data: bytes, pattern: str, r1cs_k: int = 1) -> None:
    t2 = ceremony.Phase2Transcript.from_bytes(data)
    with pytest.raises(TranscriptInvalid, match=pattern):
        ceremony.verify_phase2(_phase1(), _poly(r1cs_k, "a").r1cs, t2)
    with pytest.raises(TranscriptInvalid):
        ceremony.finalize(_phase1(), _poly(r1cs_k, "a").r1cs, t2)


def _p1_invalid(data: bytes, pattern: str) -> None:
    with pytest.raises(TranscriptInvalid, match=pattern):
        ceremony.verify_phase1(ceremony.Phase1Transcript.from_bytes(data))


# --- a valid ceremony -------------------------------------------------------------------


def test_B7_ceremony_verifies_and_its_key_proves(tmp_path: Path) -> None:
    p1, p2 = _phase1(), _phase2()
    circuit = _poly(1, "a")
    assert (p1.power, p1.n_contributions, p2.n_contributions) == (POWER, 3, 3)
    ceremony.verify_phase1(p1)
    ceremony.verify_phase2(p1, circuit.r1cs, p2)
    pk, vk = ceremony.finalize(p1, circuit.r1cs, p2)
    assert pk.metadata["setup"].startswith("ceremony (phase 1 " + p1.hash)
    assert p2.hash in pk.metadata["setup"] and "development" not in repr(pk)
    w = circuit.solve({"x": 3, "y": 27 + 3 + 5})
    public = circuit.public_values(w)
    proof = groth16.prove(pk, circuit.r1cs, w)
    assert groth16.verify(vk, public, proof)
    assert not groth16.verify(vk, [public[0] + 1], proof)
    # The key survives its own file format, and snarkjs accepts the proof.
    pk2 = groth16.ProvingKey.from_bytes(pk.to_bytes(), validate_points=True)
    assert groth16.verify(vk, public, groth16.prove(pk2, circuit.r1cs, w))
    out = snarkjs("groth16", "verify", *map(str, write_triple(tmp_path, vk, public, proof)))
    assert out.returncode == 0 and "OK" in out.stdout, out.stdout + out.stderr


def test_B7_a_key_is_checked_against_its_transcript() -> None:
    p1, p2, r1cs = _phase1(), _phase2(), _poly(1, "a").r1cs
    pk, _ = ceremony.finalize(p1, r1cs, p2)
    ceremony.verify_proving_key(p1, r1cs, p2, groth16.ProvingKey.from_bytes(pk.to_bytes()))
    dev, _ = groth16.setup(r1cs)
    with pytest.raises(TranscriptInvalid, match="not the final key of this transcript"):
        ceremony.verify_proving_key(p1, r1cs, p2, dev)
    other = _poly(2, "a").r1cs
    pk_other, _ = ceremony.finalize(
        p1, other, ceremony.contribute_phase2(ceremony.new_phase2(p1, other))
    )
    with pytest.raises(TranscriptInvalid, match="another R1CS"):
        ceremony.verify_proving_key(p1, r1cs, p2, pk_other)


def test_B7_transcript_files_round_trip(tmp_path: Path) -> None:
    p1, p2 = _phase1(), _phase2()
    ceremony.write_transcript(tmp_path / "p1.zkc", p1)
    ceremony.write_transcript(tmp_path / "p2.zkc", p2)
    assert ceremony.read_transcript(tmp_path / "p1.zkc") == p1
    assert ceremony.read_transcript(tmp_path / "p2.zkc") == p2
    with pytest.raises(OutputExists):
        ceremony.write_transcript(tmp_path / "p1.zkc", p1)
    data = p1.to_bytes()
    with pytest.raises(UnsupportedFormat, match="version"):
        ceremony.Phase1Transcript.from_bytes(_put(data, 8, struct.pack("<H", 2)))
    with pytest.raises(UnsupportedFormat, match="curve"):
        ceremony.Phase1Transcript.from_bytes(_put(data, 10, b"\x02"))
    with pytest.raises(UnsupportedFormat, match="magic"):
        ceremony.Phase1Transcript.from_bytes(b"X" + data[1:])
    with pytest.raises(UnsupportedFormat, match="phase"):
        ceremony.Phase2Transcript.from_bytes(data)
    with pytest.raises(InvalidEncoding):
        ceremony.Phase1Transcript.from_bytes(data[:-1])
    with pytest.raises(InvalidArgument):
        ceremony.new_phase1(0)
    with pytest.raises(InvalidArgument):
        ceremony.new_phase1(ceremony.MAX_POWER + 1)
    with pytest.raises(InvalidArgument):
        ceremony.beacon_phase2(p2, b"short", 1)
    with pytest.raises(InvalidArgument):
        ceremony.beacon_phase2(p2, bytes(32), ceremony.MAX_BEACON_EXP + 1)


def test_B7_a_second_circuit_from_the_same_phase_1() -> None:
    circuit = _poly(7, "b")
    t = ceremony.contribute_phase2(ceremony.new_phase2(_phase1(), circuit.r1cs))
    pk, vk = ceremony.finalize(_phase1(), circuit.r1cs, t)
    w = circuit.solve({"x": 2, "y": 8 + 14 + 5})
    assert groth16.verify(vk, circuit.public_values(w), groth16.prove(pk, circuit.r1cs, w))


def test_B7_a_circuit_too_large_for_phase_1_is_refused() -> None:
    c = Circuit("big")
    x = c.private("x")
    for i in range(1 << POWER):
        x = c.mul(x, x, f"sq{i}")
    c.assert_equal(x, c.public("y"))
    with pytest.raises(InvalidArgument, match="phase 1 transcript serves up to"):
        ceremony.new_phase2(_phase1(), c.compile().r1cs)


# --- phase 2 tampering --------------------------------------------------------------------


def test_B7_tampered_delta_g1_fails() -> None:
    data = _phase2().to_bytes()
    at = _P2(data)
    beta = data[at.beta_g1 : at.beta_g1 + G1]
    _p2_invalid(_put(data, at.delta_g1, beta), "delta differs from the last contribution")


def test_B7_tampered_delta_g2_fails() -> None:
    data = _phase2().to_bytes()
    at = _P2(data)
    gamma = data[at.delta_g2 - G2 : at.delta_g2]
    _p2_invalid(_put(data, at.delta_g2, gamma), "delta differs from the last contribution")


def test_B7_delta_replaced_in_record_and_key_fails_the_proof_of_knowledge() -> None:
    # A forger rewrites contribution 0's delta (and its hash) without knowing the secret.
    data = _phase2().to_bytes()
    at = _P2(data)
    beta = data[at.beta_g1 : at.beta_g1 + G1]
    r = at.record(0)
    data = _rehash_p2(_put(data, r + 69, beta), 0, at)
    _p2_invalid(data, r"contribution 1: the recorded previous hash|contribution 0: the new delta")
    # Relinking contribution 1 too: the chain holds, the proof of knowledge does not.
    new_hash = data[r + P2_RECORD - 32 : r + P2_RECORD]
    data = _rehash_p2(_put(data, at.record(1) + 37, new_hash), 1, at)
    _p2_invalid(data, "contribution 0: the new delta is not the previous one times")


@pytest.mark.parametrize("which", ["l", "h"])
def test_B7_tampered_l_or_h_element_fails(which: str) -> None:
    data = _phase2().to_bytes()
    at = _P2(data)
    start = at.l if which == "l" else at.h
    other = data[start + G1 : start + 2 * G1]
    name = "L" if which == "l" else "H"
    _p2_invalid(_put(data, start, other), f"the {name} query is not the initial one divided")


def test_B7_contribution_hash_mismatch_fails() -> None:
    data = _phase2().to_bytes()
    at = _P2(data)
    prev = at.record(1) + 37
    edited = _put(data, prev, bytes([data[prev] ^ 1]))
    _p2_invalid(edited, "phase 2 contribution 1: the recorded previous hash")
    recorded = at.record(0) + P2_RECORD - 32
    _p2_invalid(_put(data, recorded, bytes(32)), "contribution 0: the recorded contribution hash")


def test_B7_forged_phase_2_proof_of_knowledge_fails() -> None:
    # The last random contribution (index 1): swap s*G1 and s*x*G1, recompute its hash
    # and relink the beacon after it.
    data = _phase2().to_bytes()
    at = _P2(data)
    pok = at.record(1) + 37 + 32 + G1 + G2
    swapped = data[pok + G1 : pok + 2 * G1] + data[pok : pok + G1]
    data = _rehash_p2(_put(data, pok, swapped), 1, at)
    new_hash = data[at.record(2) - 32 : at.record(2)]
    data = _put(data, at.record(2) + 37, new_hash)
    rec = data[at.record(2) : at.record(2) + P2_RECORD]
    h = hashlib.sha256(_tag("zkcredit ceremony phase2 contribution v1") + rec[:-32]).digest()
    data = _put(data, at.record(2) + P2_RECORD - 32, h)
    _p2_invalid(data, "contribution 1: the delta proof of knowledge does not verify")


def test_B7_key_built_for_another_circuits_r1cs_fails() -> None:
    p1 = _phase1()
    other = ceremony.contribute_phase2(ceremony.new_phase2(p1, _poly(2, "a").r1cs))
    # Verified against the circuit it was not made for (its digest and its key differ).
    with pytest.raises(TranscriptInvalid, match="another R1CS"):
        ceremony.finalize(p1, _poly(1, "a").r1cs, other)
    # The other circuit's key under this circuit's digest: the key itself is caught.
    data = other.to_bytes()
    digest = _phase2().to_bytes()[HEADER + 32 : HEADER + 64]
    _p2_invalid(_put(data, HEADER + 32, digest), "differs from the one derived from phase 1")


def test_B7_phase_2_from_another_phase_1_fails() -> None:
    p1b = ceremony.contribute_phase1(ceremony.new_phase1(POWER))
    with pytest.raises(TranscriptInvalid, match="another phase 1"):
        ceremony.verify_phase2(p1b, _poly(1, "a").r1cs, _phase2())


def test_B7_no_contribution_is_refused() -> None:
    fresh = ceremony.new_phase2(_phase1(), _poly(1, "a").r1cs)
    with pytest.raises(TranscriptInvalid, match="no contribution"):
        ceremony.finalize(_phase1(), _poly(1, "a").r1cs, fresh)


def test_B7_phase_1_without_contribution_cannot_start_phase_2() -> None:
    empty = ceremony.new_phase1(POWER)
    ceremony.verify_phase1(empty)  # consistent, but tau = 1 is public
    with pytest.raises(TranscriptInvalid, match="root of unity"):
        ceremony.new_phase2(empty, _poly(1, "a").r1cs)


# --- phase 1 tampering --------------------------------------------------------------------


def _p1_accumulator(data: bytes) -> int:
    count = struct.unpack_from("<I", data, HEADER + 4)[0]
    return HEADER + 8 + count * P1_RECORD


@pytest.mark.parametrize(("index", "vector"), [(5, "tau"), (70, "tau"), (200, "alpha")])
def test_B7_tampered_tau_power_fails(index: int, vector: str) -> None:
    data = _phase1().to_bytes()
    n = 1 << POWER
    acc = _p1_accumulator(data)
    start = acc if vector == "tau" else acc + (2 * n - 1) * G1 + n * G2
    i = index % n if vector == "alpha" else index
    at = start + i * G1
    other = data[at + G1 : at + 2 * G1]
    label = r"\[tau\^i\]_1" if vector == "tau" else r"\[alpha tau\^i\]_1"
    _p1_invalid(_put(data, at, other), label + " powers are inconsistent")


def test_B7_tampered_tau_g2_power_fails() -> None:
    data = _phase1().to_bytes()
    n = 1 << POWER
    at = _p1_accumulator(data) + (2 * n - 1) * G1 + 9 * G2
    _p1_invalid(_put(data, at, data[at + G2 : at + 2 * G2]), r"\[tau\^i\]_2 powers")


def test_B7_phase_1_hash_mismatch_and_forged_pok_fail() -> None:
    data = _phase1().to_bytes()
    r2 = HEADER + 8 + 2 * P1_RECORD
    _p1_invalid(_put(data, r2, bytes(32)), "phase 1 contribution 2: the recorded previous hash")
    _p1_invalid(_put(data, r2 - 1, b"\x00"), "contribution 1: the recorded contribution hash")
    # Forged proof for contribution 2's beta: another proof's points, hash recomputed.
    pok_beta = r2 + 32 + 3 * G1 + 2 * G2 + 2 * POK
    pok_tau = r2 + 32 + 3 * G1 + 2 * G2
    forged = _rehash_p1(_put(data, pok_beta, data[pok_tau : pok_tau + POK]), 2)
    _p1_invalid(forged, "contribution 2: the beta proof of knowledge does not verify")
    # The accumulator's tau no longer the last contribution's.
    acc = _p1_accumulator(data)
    swapped = _put(data, acc + G1, data[acc + 2 * G1 : acc + 3 * G1])
    _p1_invalid(swapped, "differs from the last contribution")


# --- B8 for the ceremony ------------------------------------------------------------------


def test_B8_ceremony_exposes_no_secret() -> None:
    p1, p2 = _phase1(), _phase2()
    secrets = re.compile(r"tau|alpha|beta|gamma|delta|toxic|secret|trapdoor|entropy", re.I)
    for obj in (p1, p2):
        assert not [n for n in dir(obj) if secrets.search(n)]
        assert not hasattr(obj, "__dict__")
        assert pickle.loads(pickle.dumps(obj)) == obj
        assert pickle.dumps(obj).count(obj.to_bytes()) == 1
    # Fresh OS randomness: two contributions to the same state differ.
    base = ceremony.new_phase1(2)
    assert ceremony.contribute_phase1(base) != ceremony.contribute_phase1(base)
    # The Python layer never touches randomness (the core draws from the OS).
    source = inspect.getsource(ceremony)
    assert not re.search(r"^\s*(import|from)\s+(random|secrets)\b", source, re.M)
    # The file form is exactly header + records + accumulator: nothing else is stored.
    n = 1 << POWER
    size = HEADER + 8 + 3 * P1_RECORD + (2 * n - 1 + 2 * n) * G1 + (n + 1) * G2
    assert len(p1.to_bytes()) == size
