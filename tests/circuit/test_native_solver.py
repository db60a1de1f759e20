"""The native witness solver against the pure-Python reference.

For random inputs (valid and invalid) to every gadget family and to ``credit_score_bench``
both solvers must give the same witness, or refuse with the same exception: same class,
message, constraint index and label. Malformed programs and images are refused with
specific errors when the native solver is built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zkcredit.circuits import (
    bits,
    boolean,
    compare,
    division,
    is_zero,
    merkle,
    minmax,
    poseidon,
    range_check,
    select,
    sums,
)
from zkcredit.circuits.credit_score_bench import credit_score_bench, evaluate, sample_inputs

from zkcredit._native import bn254
from zkcredit.circuit import (
    R1CS,
    Circuit,
    CompiledCircuit,
    Constraint,
    HintStep,
    InputSlot,
    NativeSolver,
    Program,
    SolveStep,
    check,
    encode_solver_image,
    solve,
    write_wtns,
)
from zkcredit.errors import (
    InvalidArgument,
    InvalidEncoding,
    NonCanonicalScalar,
    UnsatisfiedConstraint,
    ZkCreditError,
)
from zkcredit.hazmat.poseidon import merkle_path, merkle_root, poseidon_hash_reference

from ._support import SEED_CORPUS, R

Outcome = tuple[str, Any]


def _run(fn: Callable[[], list[int]]) -> Outcome:
    try:
        return ("witness", fn())
    except UnsatisfiedConstraint as exc:
        return ("unsatisfied", (str(exc), exc.index, exc.label))
    except ZkCreditError as exc:
        return (type(exc).__name__, str(exc))


def agree(compiled: CompiledCircuit, assignment: Mapping[str, Any]) -> Outcome:
    """Solve with both solvers; they must agree. Returns the outcome."""
    native = _run(lambda: compiled.solve(assignment))
    reference = _run(lambda: compiled.solve_reference(assignment))
    assert native == reference
    if native[0] == "witness":
        check(compiled.r1cs, native[1])
    return native


def _compile(body: Callable[[Circuit], None]) -> CompiledCircuit:
    c = Circuit(body.__name__)
    body(c)
    return c.compile(lint_errors=False)


# Field elements biased to the interesting places: small, around 2^k, near r, the corpus.
small = st.integers(0, 2**34)
anywhere = st.one_of(
    small,
    st.integers(0, R - 1),
    st.sampled_from(SEED_CORPUS),
    st.integers(0, 64).map(lambda k: 2**k),
    st.integers(0, 64).map(lambda k: 2**k - 1),
    st.integers(1, 1000).map(lambda k: R - k),
)
bitlike = st.sampled_from([0, 1, 0, 1, 2, R - 1])


# --- gadget families ----------------------------------------------------------------


def _boolean(c: Circuit) -> None:
    s, t = c.private("s"), c.private("t")
    a, b = boolean.boolean(c, s), boolean.boolean(c, t)
    for v in (boolean.bool_and(c, a, b), boolean.bool_or(c, a, b), boolean.bool_xor(c, a, b),
              boolean.bool_not(c, a)):
        c.define(v, "o")


def _bits(c: Circuit) -> None:
    x, y = c.private("x"), c.private("y")
    out = bits.to_bits(c, x, 20)
    strict = bits.to_bits_strict(c, y)
    c.define(bits.from_bits(c, out[:7]) + strict[3], "o")


def _range(c: Circuit) -> None:
    x, y = c.private("x"), c.private("y")
    range_check.assert_bits(c, x, 24)
    range_check.range_check(c, y, 300, 850)


def _compare(c: Circuit) -> None:
    x, y = c.private("x"), c.private("y")
    lt = compare.less_than(c, x, y, 40)
    ge = compare.greater_equal(c, x, y, 40)
    c.define(lt + ge, "sum")
    compare.assert_le(c, x, c.private("z"), 40)


def _is_zero(c: Circuit) -> None:
    x, y = c.private("x"), c.private("y")
    c.define(is_zero.is_zero(c, x), "o")
    c.assert_equal(is_zero.is_equal(c, x, y), 0, "differ")


def _select(c: Circuit) -> None:
    s, t = c.private("s"), c.private("t")
    x, y, z = c.private("x"), c.private("y"), c.private("z")
    v = select.select(c, s, x, y) + select.mux(c, [s, t], [x, y, z, 7])
    c.define(v, "o")


def _sums_minmax(c: Circuit) -> None:
    x, y = c.private("x"), c.private("y")
    total = sums.sum_values(c, [x, y, 5]) + sums.weighted_sum(c, [3, R - 2], [x, y], 11)
    m = minmax.min_value(c, x, y, 32) + minmax.max_value(c, x, y, 32)
    k = minmax.clamp(c, x, 300, 850, 13)
    c.define(total * m + k, "o")


def _division(c: Circuit) -> None:
    x, y = c.private("x"), c.private("y")
    inv = division.inverse(c, x)
    quotient = division.div(c, y, x)
    q, rem = division.int_divmod(c, y, 2_592_000, 40)
    c.define(inv + quotient + q * rem, "o")


FAMILIES: dict[str, Callable[[Circuit], None]] = {
    "boolean": _boolean,
    "bits": _bits,
    "range_check": _range,
    "compare": _compare,
    "is_zero": _is_zero,
    "select": _select,
    "sums_minmax": _sums_minmax,
    "division": _division,
}


@cache
def compiled_family(name: str) -> CompiledCircuit:
    return _compile(FAMILIES[name])


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(sorted(FAMILIES)),
    st.lists(st.one_of(anywhere, bitlike), min_size=5, max_size=5),
)
def test_gadget_families_agree(family: str, values: list[int]) -> None:
    compiled = compiled_family(family)
    names = [s.name for s in compiled.program.inputs]
    agree(compiled, dict(zip(names, values, strict=False)))


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_each_family_has_valid_and_invalid_cases(family: str) -> None:
    compiled = compiled_family(family)
    names = [s.name for s in compiled.program.inputs]
    outcomes = set()
    for values in ([1, 0, 1, 0, 1], [0, 1, 2, 3, 4], [300, 400, 500, 1, 0], [R - 1] * 5):
        outcomes.add(agree(compiled, dict(zip(names, values, strict=False)))[0])
    assert outcomes == {"witness", "unsatisfied"}


@cache
def compiled_poseidon(arity: int) -> CompiledCircuit:
    c = Circuit(f"poseidon{arity}")
    x = c.private_list("x", arity)
    c.assert_equal(poseidon.poseidon(c, x), c.public("h"), "digest")
    return c.compile()


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 16), st.data(), st.booleans())
def test_poseidon_agrees(arity: int, data: st.DataObject, right: bool) -> None:
    xs = data.draw(st.lists(anywhere, min_size=arity, max_size=arity))
    digest = poseidon_hash_reference(xs)
    outcome = agree(compiled_poseidon(arity), {"x": xs, "h": digest if right else digest ^ 1})
    assert outcome[0] == ("witness" if right else "unsatisfied")
    if not right:
        assert outcome[1][2] == "digest"


@cache
def compiled_merkle() -> CompiledCircuit:
    def body(c: Circuit) -> None:
        leaves = c.private_list("leaf", 4)
        c.assert_equal(merkle.merkle_root(c, leaves), c.public("root"), "root")
        merkle.assert_merkle_inclusion(
            c, c.public("root2"), c.private("one"), c.private_list("bit", 3),
            c.private_list("sib", 3),
        )

    return _compile(body)


@settings(max_examples=15, deadline=None)
@given(
    st.lists(anywhere, min_size=4, max_size=4),
    st.lists(st.integers(1, R - 1), min_size=8, max_size=8),
    st.integers(0, 7),
    st.sampled_from(["ok", "root", "bit", "sibling"]),
)
def test_merkle_agrees(leaves: list[int], tree: list[int], index: int, fault: str) -> None:
    path = merkle_path(tree, 3, index)
    bits_ = list(path.path_bits)
    sibs = list(path.siblings)
    root2 = merkle_root(tree, 3)
    if fault == "root":
        root2 = (root2 + 1) % R
    elif fault == "bit":
        bits_[1] = 2
    elif fault == "sibling":
        sibs[2] = (sibs[2] + 1) % R
    assignment = {"leaf": leaves, "root": merkle_root(leaves, 2), "root2": root2,
                  "one": tree[index], "bit": bits_, "sib": sibs}
    outcome = agree(compiled_merkle(), assignment)
    assert outcome[0] == ("witness" if fault == "ok" else "unsatisfied")


# --- credit_score_bench ----------------------------------------------------------------


@cache
def compiled_bench() -> CompiledCircuit:
    c = Circuit("credit_score_bench")
    credit_score_bench(c)
    return c.compile()


@settings(max_examples=6, deadline=None)
@given(
    st.integers(0, 2**32),
    st.integers(0, 1023),
    st.sampled_from(["none", "status", "commitment", "timestamp", "threshold", "as_of"]),
)
def test_credit_score_bench_agrees(seed: int, threshold: int, fault: str) -> None:
    inputs = sample_inputs(seed=seed, threshold=threshold)
    if fault == "status":
        inputs["status"] = [4, *inputs["status"][1:]]
    elif fault == "commitment":
        inputs["commitment"] = (inputs["commitment"] + 1) % R
    elif fault == "timestamp":
        inputs["timestamp"] = [2**40, *inputs["timestamp"][1:]]
    elif fault == "threshold":
        inputs["threshold"] = R - 1
    elif fault == "as_of":
        inputs["as_of"] = 0
    outcome = agree(compiled_bench(), inputs)
    expected_ok = fault == "none" and evaluate(inputs)["score"] >= threshold
    assert (outcome[0] == "witness") == expected_ok


def test_credit_score_bench_packed_witness_is_the_wtns_layout() -> None:
    compiled = compiled_bench()
    inputs = sample_inputs()
    packed = compiled.solve_packed(inputs)
    witness = compiled.solve_reference(inputs)
    assert len(packed) == 32 * compiled.r1cs.n_wires
    assert write_wtns(witness).endswith(packed)
    # The JSON form of the program drives the same native solver.
    again = NativeSolver(compiled.r1cs, Program.from_json(compiled.program.to_json()))
    assert again.solve_packed(inputs) == packed


# --- solve steps in A and B (never emitted by the builder; valid in the format) ---------

HAND_WRITTEN = CompiledCircuit(
    "hand_written",
    R1CS(
        n_wires=4,
        n_public=0,
        n_private=1,
        constraints=(
            # x * u = 1: u solved from B (zero divisor when x = 0).
            Constraint(((1, 1),), ((2, 1),), ((0, 1),), "u_from_b"),
            # (5 v + 2) * (x + 3) = 7: v solved from A.
            Constraint(((0, 2), (3, 5)), ((0, 3), (1, 1)), ((0, 7),), "v_from_a"),
            # u * x = 1 again, as a check.
            Constraint(((2, 1),), ((1, 1),), ((0, 1),), "check"),
        ),
    ),
    Program(4, (InputSlot("x", 1, False),), (SolveStep(0, 2), SolveStep(1, 3))),
)


@settings(max_examples=30, deadline=None)
@given(st.one_of(st.sampled_from([0, R - 3, 1, 2]), anywhere))
def test_solve_steps_in_a_and_b_agree(x: int) -> None:
    outcome = agree(HAND_WRITTEN, {"x": x})
    if x == 0:
        assert outcome == ("unsatisfied", (
            "constraint #0 (u_from_b) cannot be solved for wire 2: it is multiplied by zero",
            0, "u_from_b"))
    elif x == R - 3:
        assert outcome[0] == "unsatisfied"
        assert outcome[1][2] == "v_from_a"
    else:
        assert outcome[0] == "witness"


# --- inputs and malformed programs -----------------------------------------------------


def test_input_errors_match_the_reference() -> None:
    compiled = compiled_family("division")
    good = {"x": 3, "y": 5}
    for bad, cls in [
        ({"x": 3}, InvalidArgument),
        ({**good, "zz": 1}, InvalidArgument),
        ({**good, "x": R}, NonCanonicalScalar),
        ({**good, "x": -1}, NonCanonicalScalar),
        ({**good, "x": True}, NonCanonicalScalar),
    ]:
        outcome = agree(compiled, bad)
        assert outcome[0] == cls.__name__
    # x = 0: the inverse's solve step divides by zero; both name the same constraint.
    kind, (message, index, label) = agree(compiled, {**good, "x": 0})
    assert kind == "unsatisfied"
    assert "inverse" in label and index >= 0
    assert "cannot be solved" in message or "is not satisfied" in message


def _square() -> CompiledCircuit:
    c = Circuit("square")
    x = c.private("x")
    bits_ = c.hint("bits", [x], 3, (3,))
    for b in bits_:
        c.assert_bool(b)
    c.assert_equal(bits.from_bits(c, bits_), x, "recompose")
    c.assert_equal(x * x, c.public("y"), "y")
    return c.compile()


def _with_step(compiled: CompiledCircuit, index: int, step: HintStep | SolveStep) -> Program:
    steps = list(compiled.program.steps)
    steps[index] = step
    return replace(compiled.program, steps=tuple(steps))


def test_malformed_programs_are_refused() -> None:
    compiled = _square()
    assert compiled.solve({"x": 5, "y": 25}) == compiled.solve_reference({"x": 5, "y": 25})
    hint = compiled.program.steps[0]
    late = compiled.program.steps[-1]
    assert isinstance(hint, HintStep)
    assert isinstance(late, SolveStep)
    r1cs = compiled.r1cs
    cases: list[tuple[Program, str]] = [
        (_with_step(compiled, 0, replace(hint, hint="poseidon_round")), "unknown hint"),
        (_with_step(compiled, 0, replace(hint, params=())), "takes 1 params"),
        (_with_step(compiled, 0, replace(hint, params=(4,))), "gives 4 outputs"),
        (_with_step(compiled, 0, replace(hint, inputs=hint.inputs * 2)), "takes 1 inputs"),
        (_with_step(compiled, 0, replace(hint, outputs=(1, *hint.outputs[1:]))),
         "already known"),
        (_with_step(compiled, 0, replace(hint, outputs=(r1cs.n_wires, *hint.outputs[1:]))),
         "out of range"),
        (_with_step(compiled, 0, SolveStep(0, hint.outputs[0])), "more than once"),
        (_with_step(compiled, 0, SolveStep(len(r1cs.constraints), 3)), "out of range"),
        (_with_step(compiled, 0, replace(hint, inputs=(((late.wire, 1),),))),
         "before it is known"),
        (replace(compiled.program, steps=compiled.program.steps[1:]), "never assigned"),
        (replace(compiled.program, n_wires=r1cs.n_wires + 1), "wires"),
    ]
    for program, needle in cases:
        with pytest.raises(InvalidArgument, match=needle):
            NativeSolver(r1cs, program)
    # The reference refuses the hint-contract violations too, when it runs them.
    for program, _ in cases[:4]:
        with pytest.raises(InvalidArgument):
            solve(r1cs, program, {"x": 5, "y": 25})
    with pytest.raises(InvalidArgument, match="out of range"):
        NativeSolver(r1cs, _with_step(compiled, 0, replace(hint, params=(-1,))))


def test_malformed_images_are_refused() -> None:
    compiled = _square()
    image = encode_solver_image(compiled.r1cs, compiled.program)
    labels = [k.label for k in compiled.r1cs.constraints]
    assert bn254.Solver(image, labels).n_wires == compiled.r1cs.n_wires
    for bad in (image[:-1], image + b"\0", b"NOTASOLV" + image[8:], image[:20]):
        with pytest.raises(InvalidEncoding):
            bn254.Solver(bad, labels)
    version = image[:8] + (2).to_bytes(4, "little") + image[12:]
    with pytest.raises(InvalidEncoding, match="version"):
        bn254.Solver(version, labels)
    # The first coefficient replaced by r (non-canonical).
    start = 8 + 16
    non_canonical = image[:start] + R.to_bytes(32, "little") + image[start + 32 :]
    with pytest.raises(NonCanonicalScalar):
        bn254.Solver(non_canonical, labels)
    with pytest.raises(InvalidArgument, match="labels"):
        bn254.Solver(image, labels[:-1])
    solver = bn254.Solver(image, labels)
    assert solver.n_inputs == 2
    with pytest.raises(InvalidEncoding):
        solver.solve(b"\0" * 63)
    with pytest.raises(NonCanonicalScalar):
        solver.solve(R.to_bytes(32, "little") + b"\0" * 32)
    with pytest.raises(UnsatisfiedConstraint) as info:
        solver.solve((9).to_bytes(32, "little") + (81).to_bytes(32, "little"))
    assert info.value.label == "recompose"
