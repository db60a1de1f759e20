"""ADVERSARIAL.md checklist A1–A11 for the circuit layer, one named test (or group) each."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from zkcredit.circuits import (
    bits,
    compare,
    division,
    is_zero,
    merkle,
    minmax,
    poseidon,
    range_check,
    select,
)

from zkcredit.circuit import Circuit, CompiledCircuit, HintStep, LinComb, check
from zkcredit.errors import (
    InvalidArgument,
    MalformedInput,
    NonCanonicalScalar,
    UnsafeCircuit,
    UnsatisfiedConstraint,
)
from zkcredit.hazmat import poseidon as hz
from zkcredit.testing import build, check_circuit, solve_with_overrides, uniqueness_sweep

from ._support import SEED_CORPUS, R


def _hint_outputs(compiled: CompiledCircuit, hint: str) -> list[int]:
    return [w for s in compiled.program.steps if isinstance(s, HintStep) and s.hint == hint
            for w in s.outputs]


def _refused(compiled: CompiledCircuit, assignment: dict[str, Any]) -> bool:
    try:
        compiled.solve(assignment)
    except (UnsatisfiedConstraint, MalformedInput):
        return True
    return False


# --- A1 ---------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 8, 64, 253])
def test_A1_bits_boundaries(n: int) -> None:
    def f(c: Circuit) -> None:
        bits.to_bits(c, c.private("x"), n)

    check_circuit(f, valid=[{"x": 0}, {"x": 2**n - 1}], invalid=[{"x": 2**n}, {"x": R - 1}])


# --- A2 ---------------------------------------------------------------------------


def test_A2_full_width_decomposition_alias_is_rejected() -> None:
    def strict(c: Circuit) -> None:
        x = c.private("x")
        c.assert_equal(bits.from_bits(c, bits.to_bits_strict(c, x)), c.public("y"))

    compiled = check_circuit(strict, valid=[{"x": 1, "y": 1}, {"x": R - 1, "y": R - 1}])
    low = _hint_outputs(compiled, "bits")
    assert len(low) == 253
    alias = 1 + R  # the other 254-bit string that encodes 1 modulo r
    overrides = {w: (alias >> i) & 1 for i, w in enumerate(low)}
    with pytest.raises(UnsatisfiedConstraint) as info:
        solve_with_overrides(compiled, {"x": 1, "y": 1}, overrides)
    assert "alias_check" in info.value.label

    # Without the alias check the same forgery is accepted: the check is what stops it.
    def unchecked(c: Circuit) -> None:
        x = c.private("x")
        c.assert_equal(bits.from_bits(c, bits._decompose(c, x, 254)), c.public("y"))

    weak = build(unchecked)
    low = _hint_outputs(weak, "bits")
    forged = solve_with_overrides(weak, {"x": 1, "y": 1}, {w: (alias >> i) & 1
                                                             for i, w in enumerate(low)})
    assert forged[low[0]] == 0  # bit 0 of 1 + r is 0, unlike bit 0 of 1


def test_A2_nonstrict_helper_refuses_full_width_at_build() -> None:
    c = Circuit()
    for n in (254, 255, 300):
        with pytest.raises(UnsafeCircuit):
            bits.to_bits(c, c.private(f"x{n}"), n)
    with pytest.raises(UnsafeCircuit):
        range_check.assert_bits(c, c.private("y"), 254)


# --- A3 ---------------------------------------------------------------------------


def test_A3_comparator_range_checks_its_inputs() -> None:
    def f(c: Circuit) -> None:
        compare.assert_lt(c, c.private("a"), c.private("b"), 8)

    compiled = check_circuit(
        f, valid=[{"a": 1, "b": 2}, {"a": 0, "b": 255}],
        invalid=[{"a": R - 254, "b": 2}, {"a": 2, "b": R - 254}, {"a": 256, "b": 300}],
    )
    # A prover free to pick every hint output still cannot make r - 254 < 2.
    for wire in _hint_outputs(compiled, "bits"):
        for value in (0, 1):
            with pytest.raises(UnsatisfiedConstraint):
                solve_with_overrides(compiled, {"a": R - 254, "b": 2}, {wire: value})

    def g(c: Circuit) -> None:
        c.assert_equal(compare.less_than(c, c.private("a"), c.private("b"), 8), c.public("lt"))

    check_circuit(g, valid=[{"a": 1, "b": 2, "lt": 1}],
                  invalid=[{"a": R - 254, "b": 2, "lt": v} for v in (0, 1)])


@pytest.mark.parametrize("gadget", [compare.less_than, compare.less_equal, compare.greater_than,
                                    compare.greater_equal, compare.assert_lt, compare.assert_le,
                                    compare.assert_gt, compare.assert_ge, minmax.min_value,
                                    minmax.max_value])
def test_A3_comparator_width_over_252_refused_at_build(gadget: Callable[..., Any]) -> None:
    c = Circuit()
    gadget(c, c.private("a0"), c.private("b0"), 252)  # the widest allowed
    with pytest.raises(UnsafeCircuit):
        gadget(c, c.private("a"), c.private("b"), 253)


# --- A4 ---------------------------------------------------------------------------


@pytest.mark.parametrize(("lo", "hi"), [(300, 850), (1, 2**32), (0, 2**64 - 1)])
def test_A4_range_check_boundaries(lo: int, hi: int) -> None:
    def f(c: Circuit) -> None:
        range_check.range_check(c, c.private("v"), lo, hi)

    compiled = check_circuit(
        f,
        valid=[{"v": lo}, {"v": hi}],
        invalid=[{"v": (lo - 1) % R}, {"v": hi + 1}, {"v": R - 1}],
    )
    with pytest.raises(NonCanonicalScalar):  # v + r as an input: refused, never reduced
        compiled.solve({"v": lo + R})
    witness = compiled.solve({"v": lo})
    wire = compiled.input_wire("v")
    bad = list(witness)
    bad[wire] += R  # v + r inside a witness
    with pytest.raises(InvalidArgument):
        check(compiled.r1cs, bad)


# --- A5 ---------------------------------------------------------------------------

LEAVES = [101, 202, 303, 404, 505, 606, 707, 808]


def _inclusion(depth: int) -> Callable[[Circuit], None]:
    def f(c: Circuit) -> None:
        merkle.assert_merkle_inclusion(
            c, c.public("root"), c.private("leaf"), c.private_list("bit", depth),
            c.private_list("sib", depth),
        )

    return f


def test_A5_merkle_path_bits_and_swaps() -> None:
    root = hz.merkle_root(LEAVES, 3)
    p = hz.merkle_path(LEAVES, 3, 6)
    good = {"root": root, "leaf": 707, "bit": list(p.path_bits), "sib": list(p.siblings)}
    bad_bits = [{**good, "bit": [v, *good["bit"][1:]]} for v in (2, R - 1)]
    bad_bits += [{**good, "bit": [*good["bit"][:2], v]} for v in (2, R - 1)]
    swapped = [
        {**good, "sib": list(reversed(p.siblings))},
        {**good, "leaf": p.siblings[0], "sib": [707, *p.siblings[1:]]},  # bit not flipped
        {**good, "bit": [1 - b for b in p.path_bits]},
    ]
    check_circuit(_inclusion(3), valid=[good], invalid=bad_bits + swapped)


def test_A5_merkle_wrong_depth() -> None:
    root = hz.merkle_root(LEAVES, 3)
    # An internal node claimed as a leaf with its shorter path, padded to depth 3.
    level1 = hz.poseidon_hash_reference([LEAVES[0], LEAVES[1]])
    p = hz.merkle_path(LEAVES, 3, 0)
    forged = {"root": root, "leaf": level1, "bit": [0, 0, 0],
              "sib": [p.siblings[1], p.siblings[2], 0]}
    check_circuit(_inclusion(3), valid=[{"root": root, "leaf": LEAVES[0],
                                         "bit": list(p.path_bits), "sib": list(p.siblings)}],
                  invalid=[forged])
    # A depth-2 path cannot even be given to a depth-3 circuit.
    compiled = build(_inclusion(3))
    with pytest.raises(InvalidArgument):
        compiled.solve({"root": root, "leaf": level1, "bit": [0, 0], "sib": p.siblings[1:]})
    c = Circuit()
    with pytest.raises(InvalidArgument):
        merkle.merkle_path_root(c, c.private("l"), c.private_list("b", 2), c.private_list("s", 3))


# --- A6 ---------------------------------------------------------------------------


def test_A6_empty_leaf_and_zero_commitment() -> None:
    leaves = [11, 22, 33]  # positions 3..7 hold the empty leaf 0
    root = hz.merkle_root(leaves, 3)
    p = hz.merkle_path(leaves, 3, 5)
    empty = {"root": root, "leaf": 0, "bit": list(p.path_bits), "sib": list(p.siblings)}
    compiled = check_circuit(_inclusion(3), invalid=[empty])
    with pytest.raises(UnsatisfiedConstraint) as info:
        compiled.solve(empty)
    assert "leaf_nonzero" in info.value.label

    def commitment(c: Circuit) -> None:
        root_v, blinding = c.private("root"), c.private("blinding")
        c.assert_equal(poseidon.poseidon(c, [root_v, blinding]), c.public("commitment"))

    real = hz.poseidon_hash_reference([root, 42])
    check_circuit(commitment, valid=[{"root": root, "blinding": 42, "commitment": real}],
                  invalid=[{"root": root, "blinding": 42, "commitment": 0},
                           {"root": 0, "blinding": 0, "commitment": 0}])


# --- A7 ---------------------------------------------------------------------------


def test_A7_poseidon_vectors_and_every_internal_wire_flip() -> None:
    def f(c: Circuit) -> None:
        c.assert_equal(poseidon.poseidon(c, c.private_list("x", 2)), c.public("h"))

    inputs = [1, 2]
    expected = 7853200120776062878684798364095072458815029376092732009249414926327459813530
    assert hz.poseidon_hash_reference(inputs) == expected  # circomlibjs poseidon([1, 2])
    compiled = check_circuit(f, valid=[{"x": inputs, "h": expected}],
                             invalid=[{"x": inputs, "h": expected + 1}])
    assert uniqueness_sweep(compiled, {"x": inputs, "h": expected}, deltas=(1,)) == []


# --- A8 ---------------------------------------------------------------------------

A8_CASES: dict[str, tuple[Callable[[Circuit], object], dict[str, Any]]] = {
    "to_bits": (lambda c: bits.to_bits(c, c.private("x"), 16), {"x": 40000}),
    "to_bits_strict": (
        lambda c: c.assert_equal(bits.from_bits(c, bits.to_bits_strict(c, c.private("x"))),
                                 c.public("y")),
        {"x": R - 5, "y": R - 5},
    ),
    "less_than": (
        lambda c: c.assert_equal(compare.less_than(c, c.private("a"), c.private("b"), 16),
                                 c.public("o")),
        {"a": 7, "b": 9, "o": 1},
    ),
    "is_zero_nonzero": (
        lambda c: c.assert_equal(is_zero.is_zero(c, c.private("x")), c.public("o")),
        {"x": 5, "o": 0},
    ),
    "is_zero_zero": (
        lambda c: c.assert_equal(is_zero.is_zero(c, c.private("x")), c.public("o")),
        {"x": 0, "o": 1},
    ),
    "select": (
        lambda c: c.assert_equal(select.select(c, c.private("s"), c.private("a"),
                                               c.private("b")), c.public("o")),
        {"s": 1, "a": 3, "b": 4, "o": 3},
    ),
    "clamp": (
        lambda c: c.assert_equal(minmax.clamp(c, c.private("x"), 300, 850, 16), c.public("o")),
        {"x": 900, "o": 850},
    ),
    "int_divmod": (
        lambda c: c.assert_equal(division.int_divmod(c, c.private("a"), 1000, 40)[0],
                                 c.public("q")),
        {"a": 123456, "q": 123},
    ),
    "div": (
        lambda c: c.assert_equal(division.div(c, c.private("a"), c.private("b")), c.public("q")),
        {"a": 6, "b": 3, "q": 2},
    ),
    "range_check": (lambda c: range_check.range_check(c, c.private("v"), 300, 850), {"v": 512}),
    "merkle_path": (
        _inclusion(2),
        {"root": hz.merkle_root([5, 6, 7, 8], 2), "leaf": 7, "bit": [0, 1],
         "sib": list(hz.merkle_path([5, 6, 7, 8], 2, 2).siblings)},
    ),
}


@pytest.mark.parametrize("name", sorted(A8_CASES))
def test_A8_uniqueness_sweep(name: str) -> None:
    fn, assignment = A8_CASES[name]
    compiled = build(fn, name)
    free = uniqueness_sweep(compiled, assignment)
    waived = {compiled.r1cs.wire_names.index(n) for n, _ in compiled.waivers}
    # Only an explicitly waived wire may move without breaking a constraint: is_zero's
    # inverse when its input is 0. Every other single-wire change is refused.
    assert {w for w, _ in free} <= waived, [compiled.r1cs.wire_name(w) for w, _ in free]
    if name == "is_zero_zero":
        assert free and all(d != R for _, d in free)
    else:
        assert free == []


# --- A9 ---------------------------------------------------------------------------


def test_A9_linter_wire_in_no_constraint() -> None:
    c = Circuit("unused")
    x = c.private("x")
    c.private("forgotten")
    c.assert_equal(x, c.public("y"))
    with pytest.raises(UnsafeCircuit, match=r"unused: .*forgotten"):
        c.compile()


def test_A9_linter_public_input_in_no_constraint() -> None:
    c = Circuit("unused-public")
    c.assert_bool(c.private("x"))
    c.public("nonce")
    with pytest.raises(UnsafeCircuit, match=r"unused-public: .*nonce"):
        c.compile()


def test_A9_linter_intermediate_in_one_constraint() -> None:
    c = Circuit("dead")
    x = c.private("x")
    c.assert_equal(x, c.public("y"))
    _dead = x * x  # computed, never used
    with pytest.raises(UnsafeCircuit, match="single-use"):
        c.compile()


def test_A9_linter_unconstrained_hint_output() -> None:
    c = Circuit("hint")
    x = c.private("x")
    c.assert_equal(x, c.public("y"))
    c.hint("inverse_or_zero", [x], 1)
    with pytest.raises(UnsafeCircuit, match="unconstrained-hint"):
        c.compile()


def test_A9_explicit_waiver_allows_and_records() -> None:
    c = Circuit("waived")
    x = c.private("x")
    c.assert_equal(x, c.public("y"))
    (h,) = c.hint("inverse_or_zero", [x], 1)
    c.waive(h, "demonstration: kept for an external consumer")
    compiled = c.compile()
    assert compiled.waivers == (
        ("inverse_or_zero.out[0]", "demonstration: kept for an external consumer"),
    )
    with pytest.raises(InvalidArgument):
        c.waive(x + h, "two wires")
    report = build(lambda k: (k.private("p"), k.assert_bool(k.private("q"))),
                   lint_errors=False).issues
    assert [i.kind for i in report] == ["unused"]


# --- A10 --------------------------------------------------------------------------


def test_A10_inverse_and_division_by_zero_unsatisfiable() -> None:
    def inv(c: Circuit) -> None:
        c.assert_equal(division.inverse(c, c.private("x")), c.public("y"))

    compiled = check_circuit(inv, valid=[{"x": 2, "y": pow(2, R - 2, R)}],
                             invalid=[{"x": 0, "y": 0}, {"x": 0, "y": 1}])
    (wire,) = _hint_outputs(compiled, "inverse_or_zero")
    for forged in (0, 1, R - 1, 12345):
        with pytest.raises(UnsatisfiedConstraint):
            solve_with_overrides(compiled, {"x": 0, "y": forged}, {wire: forged})

    def div(c: Circuit) -> None:
        c.assert_equal(division.div(c, c.private("a"), c.private("b")), c.public("q"))

    compiled = check_circuit(div, valid=[{"a": 6, "b": 3, "q": 2}],
                             invalid=[{"a": 0, "b": 0, "q": q} for q in (0, 1, 5)])
    (wire,) = _hint_outputs(compiled, "inverse_or_zero")
    for forged in (0, 1, 7):
        with pytest.raises(UnsatisfiedConstraint):
            solve_with_overrides(compiled, {"a": 0, "b": 0, "q": 0}, {wire: forged})


# --- A11 --------------------------------------------------------------------------

Spec = Callable[..., "int | None"]


def _fuzz_unary(name: str) -> tuple[Callable[[Circuit, LinComb], LinComb], Spec]:
    table: dict[str, tuple[Callable[[Circuit, LinComb], LinComb], Spec]] = {
        "is_zero": (is_zero.is_zero, lambda x: int(x == 0)),
        "inverse": (division.inverse,
                    lambda x: pow(x, R - 2, R) if x else None),
        "clamp16": (lambda c, x: minmax.clamp(c, x, 300, 850, 16),
                    lambda x: min(max(x, 300), 850) if x < 2**16 else None),
        "strict_bits": (lambda c, x: bits.from_bits(c, bits.to_bits_strict(c, x)),
                        lambda x: x),
        "divmod": (lambda c, x: division.int_divmod(c, x, 2_592_000, 64)[0],
                   lambda x: x // 2_592_000 if x < 2**64 else None),
        "bits33": (lambda c, x: bits.from_bits(c, bits.to_bits(c, x, 33)),
                   lambda x: x if x < 2**33 else None),
    }
    return table[name]


def _fuzz_binary(name: str) -> tuple[Callable[[Circuit, LinComb, LinComb], LinComb], Spec]:
    table: dict[str, tuple[Callable[[Circuit, LinComb, LinComb], LinComb], Spec]] = {
        "less_than64": (lambda c, a, b: compare.less_than(c, a, b, 64),
                        lambda a, b: int(a < b) if a < 2**64 and b < 2**64 else None),
        "min64": (lambda c, a, b: minmax.min_value(c, a, b, 64),
                  lambda a, b: min(a, b) if a < 2**64 and b < 2**64 else None),
        "is_equal": (is_zero.is_equal, lambda a, b: int(a == b)),
        "select": (lambda c, s, a: select.select(c, s, a, 7),
                   lambda s, a: (a if s else 7) if s in (0, 1) else None),
        "div": (division.div,
                lambda a, b: a * pow(b, R - 2, R) % R if b else None),
    }
    return table[name]


def _agree(compiled: CompiledCircuit, inputs: dict[str, int], expected: int | None) -> None:
    if expected is None:
        for out in (0, 1):
            assert _refused(compiled, {**inputs, "out": out}), inputs
    else:
        w = compiled.solve({**inputs, "out": expected})
        assert compiled.public_values(w) == [expected]
        assert _refused(compiled, {**inputs, "out": (expected + 1) % R}), inputs


@pytest.mark.parametrize("name", ["is_zero", "inverse", "clamp16", "strict_bits", "divmod",
                                  "bits33"])
def test_A11_differential_fuzz_unary(name: str) -> None:
    gadget, spec = _fuzz_unary(name)
    compiled = build(lambda c: c.assert_equal(gadget(c, c.private("x")), c.public("out")), name)
    for x in SEED_CORPUS:
        _agree(compiled, {"x": x}, spec(x))


@pytest.mark.parametrize("name", ["less_than64", "min64", "is_equal", "select", "div"])
def test_A11_differential_fuzz_binary(name: str) -> None:
    gadget, spec = _fuzz_binary(name)
    compiled = build(
        lambda c: c.assert_equal(gadget(c, c.private("a"), c.private("b")), c.public("out")),
        name,
    )
    for a, b in itertools.product(SEED_CORPUS, repeat=2):
        _agree(compiled, {"a": a, "b": b}, spec(a, b))


def test_A11_differential_fuzz_poseidon() -> None:
    compiled = build(
        lambda c: c.assert_equal(poseidon.poseidon(c, c.private_list("x", 2)), c.public("h"))
    )
    for a, b in itertools.product(SEED_CORPUS[::3], SEED_CORPUS[1::3]):
        digest = hz.poseidon_hash_reference([a, b])
        assert compiled.public_values(compiled.solve({"x": [a, b], "h": digest})) == [digest]
        assert _refused(compiled, {"x": [a, b], "h": (digest + 1) % R})
