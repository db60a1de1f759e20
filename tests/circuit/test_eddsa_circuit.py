"""The in-circuit EdDSA-Poseidon verifier (circuits/eddsa.py) against the circomlibjs vectors,
zkcredit.hazmat.eddsa and circomlib's own EdDSAPoseidonVerifier (.r1cs and witness), and the
traps: S + l (C1), low-order keys (the circomlibjs forgery), off-curve points, wrong
messages; soundness sweeps over every internal wire (A8) and every hint (A9)."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zkcredit.circuits.bits import assert_bits_le_constant, to_bits
from zkcredit.circuits.eddsa import eddsa_poseidon_verify

from zkcredit.circuit import Circuit, CompiledCircuit, HintStep, R, read_r1cs, read_wtns
from zkcredit.errors import NonCanonicalScalar, PointNotInSubgroup, UnsatisfiedConstraint
from zkcredit.hazmat import babyjub as bj
from zkcredit.hazmat import eddsa
from zkcredit.testing import check_circuit, solve_with_overrides

DATA = Path(__file__).resolve().parent.parent / "data" / "external" / "eddsa"
EDDSA: dict[str, Any] = json.loads((DATA / "eddsa_poseidon.json").read_text())
BABYJUB: dict[str, Any] = json.loads((DATA / "babyjub.json").read_text())
L = bj.SUBGROUP_ORDER
#: circomlib 2.0.5 EdDSAPoseidonVerifier compiled with circom 2.2.3 --O2 (the shipped .r1cs
#: is the --O1 build, 8,086 constraints, read from the file below).
CIRCOMLIB_O2_CONSTRAINTS = 4207
OURS = 4165
NAMES = ("ax", "ay", "s", "r8x", "r8y", "msg")


def _circuit(c: Circuit) -> None:
    ax, ay, s, r8x, r8y, msg = (c.private(n) for n in NAMES)
    eddsa_poseidon_verify(c, ax, ay, s, r8x, r8y, msg)


def _assignment(a: tuple[int, int], msg: int, r8: tuple[int, int], s: int) -> dict[str, int]:
    return {"ax": a[0], "ay": a[1], "s": s, "r8x": r8[0], "r8y": r8[1], "msg": msg}


def _case(d: dict[str, Any]) -> dict[str, int]:
    sig = d["signature"]
    return _assignment(
        (int(d["public_key"]["x"]), int(d["public_key"]["y"])),
        int(d["message"]),
        (int(sig["R8"]["x"]), int(sig["R8"]["y"])),
        int(sig["S"]),
    )


def _refused_at(compiled: CompiledCircuit, assignment: dict[str, int]) -> str:
    with pytest.raises(UnsatisfiedConstraint) as info:
        compiled.solve(assignment)
    return str(info.value.label)


def _raw_equation_holds(a: dict[str, int]) -> bool:
    """S*B8 == R8 + 8*h*A with no range, curve or key checks (what a naive verifier does)."""
    r8, pk = (a["r8x"], a["r8y"]), (a["ax"], a["ay"])
    h = eddsa.challenge_poseidon(r8, pk, a["msg"])
    return bj.mul(bj.BASE8, a["s"]) == bj.add(r8, bj.mul(pk, 8 * h))


@pytest.fixture(scope="module")
def verifier() -> CompiledCircuit:
    return check_circuit(_circuit, valid=[_case(EDDSA["valid"][0])], name="eddsa_verifier")


# --- valid signatures ----------------------------------------------------------------------


def test_all_circomlibjs_signatures_satisfy(verifier: CompiledCircuit) -> None:
    assert len(EDDSA["valid"]) == 24
    for i, case in enumerate(EDDSA["valid"]):
        a = _case(case)
        eddsa.verify_poseidon((a["ax"], a["ay"]), a["msg"], ((a["r8x"], a["r8y"]), a["s"]))
        witness = verifier.solve(a)
        if i < 2:  # the pure-Python reference solver agrees (slow: two cases)
            assert witness == verifier.solve_reference(a)


@settings(max_examples=15, deadline=None)
@given(key=st.binary(min_size=32, max_size=32), msg=st.integers(0, R - 1))
def test_hazmat_signatures_satisfy(verifier: CompiledCircuit, key: bytes, msg: int) -> None:
    sig = eddsa.sign_poseidon(key, msg)
    verifier.solve(_assignment(eddsa.prv2pub(key), msg, sig.R8, sig.S))


def test_fresh_random_key_and_edge_messages(verifier: CompiledCircuit) -> None:
    key = eddsa.generate_private_key()
    for msg in (0, 1, R - 1, 1 << 253):
        sig = eddsa.sign_poseidon(key, msg)
        verifier.solve(_assignment(eddsa.prv2pub(key), msg, sig.R8, sig.S))


def test_circomlib_witness_inputs_satisfy_ours(verifier: CompiledCircuit) -> None:
    """circomlib's compiled verifier and its witness: the same inputs satisfy our circuit."""
    d = DATA / "eddsa_circuit"
    theirs = read_r1cs(gzip.decompress((d / "eddsa_poseidon_verifier.r1cs.gz").read_bytes()))
    witness = read_wtns((d / "witness.wtns").read_bytes())
    # Wrapper signals: public Ax, Ay, M; private S, R8x, R8y (enabled = 1 is a constant).
    ax, ay, m, s, r8x, r8y = witness[1:7]
    eddsa.verify_poseidon((ax, ay), m, ((r8x, r8y), s))
    verifier.solve(_assignment((ax, ay), m, (r8x, r8y), s))
    with pytest.raises(UnsatisfiedConstraint):
        verifier.solve(_assignment((ax, ay), m + 1, (r8x, r8y), s))
    assert theirs.r1cs.n_constraints == 8086  # --O1
    assert verifier.r1cs.n_constraints < theirs.r1cs.n_constraints


def test_constraint_budget(verifier: CompiledCircuit) -> None:
    assert verifier.r1cs.n_constraints == OURS
    assert OURS <= CIRCOMLIB_O2_CONSTRAINTS * 11 // 10


# --- refusals ------------------------------------------------------------------------------


def test_circomlibjs_tampered_vectors_refused(verifier: CompiledCircuit) -> None:
    where = {
        "S_plus_1": "/x", "message_plus_1": "/x", "other_public_key": "/x",
        "R8_plus_base8": "/x", "R8_x_plus_1": "r8_on_curve", "public_key_y_plus_1": "a_on_curve",
        "S_plus_subgroup_order": "eddsa[0]/s_",
    }
    assert len(EDDSA["tampered"]) == 28
    for case in EDDSA["tampered"]:
        a = _case(case)
        if case["kind"] == "message_plus_r":
            with pytest.raises(NonCanonicalScalar):
                verifier.solve(a)  # msg >= r is refused as an input, never reduced
            continue
        assert where[case["kind"]] in _refused_at(verifier, a), case["kind"]


def test_C1_S_plus_l_refused_though_equation_holds(verifier: CompiledCircuit) -> None:
    for case in EDDSA["valid"][:6]:
        a = _case(case)
        for extra in (L, 2 * L, 3 * L):
            bad = {**a, "s": a["s"] + extra}
            assert _raw_equation_holds(bad)
            assert "/s_" in _refused_at(verifier, bad)


def test_S_bound_is_exact() -> None:
    """S = l - 1 passes the range check, S = l does not (small circuit, same gadget)."""
    def fn(c: Circuit) -> None:
        assert_bits_le_constant(c, to_bits(c, c.private("s"), 251), L - 1)

    check_circuit(
        fn,
        valid=[{"s": v} for v in (0, 1, L - 1)],
        invalid=[{"s": v} for v in (L, L + 1, (1 << 251) - 1, 1 << 251, R - 1)],
        name="s_lt_l",
    )


def _low_order_points() -> list[bj.Point]:
    pts = [bj.Point(int(c["point"]["x"]), int(c["point"]["y"])) for c in BABYJUB["on_curve"]]
    low = {p for p in pts if bj.is_low_order(p)}
    while True:  # close under addition: all eight points of order dividing 8
        more = low | {bj.add(p, q) for p in low for q in low}
        if more == low:
            return sorted(low)
        low = more


def test_low_order_key_forgery_refused(verifier: CompiledCircuit) -> None:
    """The circomlibjs forgery: A of order dividing 8, R8 = k*B8, S = k, any message."""
    low = _low_order_points()
    assert len(low) == 8
    rng = random.Random(5)
    for a in low:
        k = rng.randrange(1, L)
        r8 = bj.mul(bj.BASE8, k)
        forged = _assignment(a, rng.randrange(R), r8, k)
        assert _raw_equation_holds(forged)  # the curve equation holds
        assert "a_not_low_order" in _refused_at(verifier, forged)
    for case in EDDSA["informational"]:
        if case["label"].startswith("low_order_public_key"):
            assert "a_not_low_order" in _refused_at(verifier, _case(case))


def test_off_curve_points_refused(verifier: CompiledCircuit) -> None:
    a = _case(EDDSA["valid"][3])
    for name, label in (("ax", "a_on_curve"), ("ay", "a_on_curve"),
                        ("r8x", "r8_on_curve"), ("r8y", "r8_on_curve")):
        for delta in (1, -1):
            bad = {**a, name: (a[name] + delta) % R}
            assert label in _refused_at(verifier, bad)


def test_wrong_message_and_key_refused(verifier: CompiledCircuit) -> None:
    a = _case(EDDSA["valid"][7])
    for msg in (a["msg"] + 1, 0 if a["msg"] else 1, R - 1):
        assert _refused_at(verifier, {**a, "msg": msg}).endswith("/x")
    other = eddsa.prv2pub(b"\x07" * 32)
    assert _refused_at(verifier, {**a, "ax": other.x, "ay": other.y}).endswith("/x")
    neg = bj.neg((a["r8x"], a["r8y"]))
    assert _refused_at(verifier, {**a, "r8x": neg.x}).endswith("/x")


def test_key_with_small_order_component_accepted_like_circomlib(verifier: CompiledCircuit) -> None:
    """A + T (T of order 2) shares 8*A, so its holder can sign for it: the circuit accepts
    (as circomlib does); keys are held to the prime-order subgroup outside the circuit, by
    `check_issuer_key` when a key enters the issuer registry."""
    key = b"\x11" * 32
    s, prefix = eddsa.expand_private_key(key)
    a2 = bj.add(eddsa.prv2pub(key), (0, R - 1))
    msg = 42
    r = eddsa.nonce_poseidon(prefix, msg)
    r8 = bj.mul(bj.BASE8, r)
    h = eddsa.challenge_poseidon(r8, a2, msg)
    verifier.solve(_assignment(a2, msg, r8, (r + h * s) % L))
    with pytest.raises(PointNotInSubgroup):
        eddsa.check_issuer_key(a2)


# --- soundness sweeps -------------------------------------------------------------------------


def _fast_sweep(compiled: CompiledCircuit, witness: list[int]) -> list[tuple[int, int]]:
    """uniqueness_sweep (A8) restricted to the constraints that mention the perturbed wire:
    the others are unchanged and already satisfied, so the verdict is the same."""
    r1cs = compiled.r1cs
    by_wire: dict[int, list[int]] = {}
    for i, k in enumerate(r1cs.constraints):
        for w in {w for w, _ in (*k.a, *k.b, *k.c)}:
            by_wire.setdefault(w, []).append(i)

    def ev(terms: Any, wit: list[int]) -> int:
        return sum(c * wit[w] for w, c in terms) % R

    accepted = []
    for wire in r1cs.internal_wires():
        for delta in (1, -1):
            bad = list(witness)
            bad[wire] = (bad[wire] + delta) % R
            ks = [r1cs.constraints[i] for i in by_wire.get(wire, [])]
            if all(ev(k.a, bad) * ev(k.b, bad) % R == ev(k.c, bad) for k in ks):
                accepted.append((wire, delta))
    return accepted


def test_A8_every_internal_wire_is_pinned(verifier: CompiledCircuit) -> None:
    a = _case(EDDSA["valid"][11])
    witness = verifier.solve(a)
    assert _fast_sweep(verifier, witness) == []


def test_A9_every_hint_output_is_pinned(verifier: CompiledCircuit) -> None:
    """A malicious prover changing any one hint value (a sample of 12) is refused."""
    a = _case(EDDSA["valid"][2])
    witness = verifier.solve(a)
    hints = [w for s in verifier.program.steps if isinstance(s, HintStep) for w in s.outputs]
    assert verifier.issues == ()
    for w in random.Random(9).sample(hints, 12):
        with pytest.raises(UnsatisfiedConstraint):
            solve_with_overrides(verifier, a, {w: (witness[w] + 1) % R})
