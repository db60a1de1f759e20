"""Baby Jubjub gadgets (circuits/babyjub.py) against zkcredit.hazmat.babyjub and the circomlibjs
vectors, with soundness sweeps (ADVERSARIAL A8, A9, A10): perturbed wires and malicious hint
values are refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zkcredit.circuits import babyjub as gb

from zkcredit.circuit import Circuit, CompiledCircuit, HintStep
from zkcredit.errors import LowOrderPoint, UnsafeCircuit, UnsatisfiedConstraint
from zkcredit.hazmat import babyjub as bj
from zkcredit.testing import check_circuit, solve_with_overrides, uniqueness_sweep

DATA = Path(__file__).resolve().parent.parent / "data" / "external" / "eddsa"
BABYJUB: dict[str, Any] = json.loads((DATA / "babyjub.json").read_text())
L = bj.SUBGROUP_ORDER
P = bj.FIELD_MODULUS
SETTINGS = settings(max_examples=20, deadline=None)


def pt(d: dict[str, str]) -> bj.Point:
    return bj.Point(int(d["x"]), int(d["y"]))


ON_CURVE = [pt(c["point"]) for c in BABYJUB["on_curve"]]
NOT_ON_CURVE = [pt(c["point"]) for c in BABYJUB["not_on_curve"]]
LOW_ORDER = [p for p in ON_CURVE if bj.is_low_order(p)]
#: One point of each small order (1, 2, 4, 8) and points with a small-order component.
SMALL = sorted({p for p in ON_CURVE if bj.point_order(p) in (1, 2, 4, 8)})


def _public_point(c: Circuit, name: str) -> gb.PointWires:
    return gb.PointWires(c.public(f"{name}x"), c.public(f"{name}y"))


def _out(c: Circuit, got: gb.PointWires) -> None:
    c.assert_equal(got.x, c.public("outx"), "outx")
    c.assert_equal(got.y, c.public("outy"), "outy")


def _assign(**points: tuple[int, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for name, (x, y) in points.items():
        out[f"{name}x"], out[f"{name}y"] = x, y
    return out


def _hint_wires(compiled: CompiledCircuit) -> list[int]:
    return [w for s in compiled.program.steps if isinstance(s, HintStep) for w in s.outputs]


def _assert_hints_pinned(compiled: CompiledCircuit, assignment: dict[str, int]) -> None:
    """A malicious prover changing any one hint output is refused (every hint is pinned)."""
    witness = compiled.solve(assignment)
    for w in _hint_wires(compiled):
        with pytest.raises(UnsatisfiedConstraint):
            solve_with_overrides(compiled, assignment, {w: (witness[w] + 1) % bj.FIELD_MODULUS})


# --- fixtures: one compiled circuit per gadget ----------------------------------------------


def _add_circuit(c: Circuit) -> None:
    _out(c, gb.point_add(c, _public_point(c, "p"), _public_point(c, "q")))


def _double_circuit(c: Circuit) -> None:
    _out(c, gb.point_double(c, _public_point(c, "p")))


def _mul8_circuit(c: Circuit) -> None:
    _out(c, gb.mul_by_cofactor(c, _public_point(c, "p")))


def _on_curve_circuit(c: Circuit) -> None:
    gb.assert_on_curve(c, _public_point(c, "p"))


def _fixed_circuit(n: int) -> Callable[[Circuit], None]:
    def fn(c: Circuit) -> None:
        _out(c, gb.fixed_base_mul(c, c.private_list("k", n)))

    return fn


def _var_circuit(n: int) -> Callable[[Circuit], None]:
    def fn(c: Circuit) -> None:
        _out(c, gb.scalar_mul(c, c.private_list("k", n), _public_point(c, "p")))

    return fn


def _bits(k: int, n: int) -> list[int]:
    return [(k >> i) & 1 for i in range(n)]


@pytest.fixture(scope="module")
def add_c() -> CompiledCircuit:
    return check_circuit(_add_circuit, name="point_add")


@pytest.fixture(scope="module")
def fixed251() -> CompiledCircuit:
    return check_circuit(_fixed_circuit(251), name="fixed_base_mul_251")


@pytest.fixture(scope="module")
def var254() -> CompiledCircuit:
    return check_circuit(_var_circuit(254), name="scalar_mul_254")


points_l = st.integers(1, L - 1).map(lambda k: bj.mul(bj.BASE8, k))
any_points = st.tuples(points_l, st.sampled_from(SMALL)).map(lambda t: bj.add(*t))


# --- point addition, doubling, cofactor ---------------------------------------------------


@pytest.mark.parametrize("case", BABYJUB["add"], ids=[c["label"] for c in BABYJUB["add"]])
def test_point_add_matches_circomlibjs_vectors(
    add_c: CompiledCircuit, case: dict[str, Any]
) -> None:
    p1, p2, want = pt(case["p1"]), pt(case["p2"]), pt(case["result"])
    add_c.solve(_assign(p=p1, q=p2, out=want))
    with pytest.raises(UnsatisfiedConstraint):
        add_c.solve(_assign(p=p1, q=p2, out=(want.x, (want.y + 1) % P)))


@SETTINGS
@given(p1=any_points, p2=any_points)
def test_point_add_equals_hazmat(add_c: CompiledCircuit, p1: bj.Point, p2: bj.Point) -> None:
    add_c.solve(_assign(p=p1, q=p2, out=bj.add(p1, p2)))


def test_point_add_is_complete_on_small_order_points(add_c: CompiledCircuit) -> None:
    # Doubling, the identity and inverse pairs need no special case (a square, d not).
    for p1 in SMALL:
        for p2 in [*SMALL, bj.BASE8, p1, bj.neg(p1)]:
            add_c.solve(_assign(p=p1, q=p2, out=bj.add(p1, p2)))


def test_point_add_with_a_constant_costs_three() -> None:
    c = Circuit()
    gb.point_add(c, _public_point(c, "p"), bj.BASE8)
    assert c.n_constraints == 3
    compiled = check_circuit(
        lambda c: _out(c, gb.point_add(c, _public_point(c, "p"), bj.BASE8)), name="add_const"
    )
    for p1 in [*SMALL, bj.GENERATOR]:
        compiled.solve(_assign(p=p1, out=bj.add(p1, bj.BASE8)))


_DOUBLE = check_circuit(_double_circuit, name="point_double")
_MUL8 = check_circuit(_mul8_circuit, name="mul_by_cofactor")


@SETTINGS
@given(p1=any_points)
def test_point_double_and_mul8_equal_hazmat(p1: bj.Point) -> None:
    _DOUBLE.solve(_assign(p=p1, out=bj.double(p1)))
    _MUL8.solve(_assign(p=p1, out=bj.mul(p1, 8)))


def test_double_and_mul8_on_small_order_points() -> None:
    for p1 in SMALL:
        _DOUBLE.solve(_assign(p=p1, out=bj.double(p1)))
        _MUL8.solve(_assign(p=p1, out=bj.IDENTITY))
    assert len(LOW_ORDER) >= 4  # identity, (0, -1), order 4, order 8 at least


def test_gadget_costs() -> None:
    costs = {}
    for name, fn in [("add", _add_circuit), ("double", _double_circuit),
                     ("mul8", _mul8_circuit), ("on_curve", _on_curve_circuit)]:
        c = Circuit()
        fn(c)
        costs[name] = c.n_constraints - (2 if name != "on_curve" else 0)
    assert costs == {"add": 6, "double": 5, "mul8": 15, "on_curve": 3}


def test_assert_on_curve_vectors() -> None:
    check_circuit(
        _on_curve_circuit,
        valid=[_assign(p=p) for p in ON_CURVE],
        invalid=[_assign(p=p) for p in NOT_ON_CURVE],
        reference=lambda a: bj.is_on_curve((int(a["px"]), int(a["py"]))),  # type: ignore[arg-type]
        name="on_curve",
    )


# --- fixed base -----------------------------------------------------------------------------


def test_fixed_base_mul_matches_circomlibjs_vectors(fixed251: CompiledCircuit) -> None:
    used = 0
    for case in BABYJUB["mul_base8"]:
        k = int(case["scalar"])
        if k >> 251:
            continue
        fixed251.solve({"k": _bits(k, 251), **_assign(out=pt(case["result"]))})
        used += 1
    assert used >= 8


@SETTINGS
@given(k=st.integers(0, (1 << 251) - 1))
def test_fixed_base_mul_equals_hazmat(fixed251: CompiledCircuit, k: int) -> None:
    want = bj.mul(bj.BASE8, k)
    fixed251.solve({"k": _bits(k, 251), **_assign(out=want)})
    with pytest.raises(UnsatisfiedConstraint):
        fixed251.solve({"k": _bits(k, 251), **_assign(out=bj.add(want, bj.BASE8))})


def test_fixed_base_mul_edges_and_cost(fixed251: CompiledCircuit) -> None:
    for k in (0, 1, 2, 7, 8, L - 1, L, L + 1, 1 << 250, (1 << 251) - 1):
        fixed251.solve({"k": _bits(k, 251), **_assign(out=bj.mul(bj.BASE8, k))})
    c = Circuit()
    gb.fixed_base_mul(c, c.private_list("k", 251))
    assert c.n_constraints == 251 + 504  # bit booleanity + windows


@pytest.mark.parametrize("n", [2, 3, 4, 7])
def test_fixed_base_mul_small_widths_exhaustive(n: int) -> None:
    # Few bits: every window is Montgomery and the offset is a separate constant addition.
    compiled = check_circuit(
        _fixed_circuit(n),
        valid=[{"k": _bits(k, n), **_assign(out=bj.mul(bj.BASE8, k))} for k in range(1 << n)],
        invalid=[{"k": _bits(3, n), **_assign(out=bj.mul(bj.BASE8, 2))}],
        name=f"fixed{n}",
    )
    if n == 7:
        a = {"k": _bits(93, 7), **_assign(out=bj.mul(bj.BASE8, 93))}
        assert uniqueness_sweep(compiled, a) == []
        _assert_hints_pinned(compiled, a)


def test_fixed_base_mul_other_base_and_refusals() -> None:
    base = bj.mul(bj.BASE8, 12345)
    compiled = check_circuit(
        lambda c: _out(c, gb.fixed_base_mul(c, c.private_list("k", 20), base)), name="fixed_other"
    )
    for k in (0, 1, 999_999, (1 << 20) - 1):
        compiled.solve({"k": _bits(k, 20), **_assign(out=bj.mul(base, k))})
    c = Circuit()
    with pytest.raises(UnsafeCircuit):
        gb.fixed_base_mul(c, c.private_list("k", 252))
    with pytest.raises(LowOrderPoint):
        gb.fixed_base_mul(c, c.private_list("j", 8), bj.IDENTITY)


def test_A9_fixed_base_mul_bits_must_be_boolean() -> None:
    compiled = check_circuit(_fixed_circuit(4), name="fixed4")
    bits = [2, 0, 0, 0]  # "2" would select 2 * base if the bits were not checked
    with pytest.raises(UnsatisfiedConstraint):
        compiled.solve({"k": bits, **_assign(out=bj.mul(bj.BASE8, 2))})


# --- variable base --------------------------------------------------------------------------


@SETTINGS
@given(k=st.integers(0, (1 << 254) - 1), p1=points_l)
def test_scalar_mul_equals_hazmat(var254: CompiledCircuit, k: int, p1: bj.Point) -> None:
    want = bj.mul(p1, k)
    var254.solve({"k": _bits(k, 254), **_assign(p=p1, out=want)})


def test_scalar_mul_edges(var254: CompiledCircuit) -> None:
    p1 = bj.mul(bj.BASE8, 0xC0FFEE)
    for k in (0, 1, 2, 3, L - 1, L, (1 << 250) - 1, 1 << 250, (1 << 251) + 1,
              bj.FIELD_MODULUS - 1, (1 << 254) - 1):
        var254.solve({"k": _bits(k, 254), **_assign(p=p1, out=bj.mul(p1, k))})
    with pytest.raises(UnsatisfiedConstraint):
        var254.solve({"k": _bits(5, 254), **_assign(p=p1, out=bj.mul(p1, 6))})


def test_scalar_mul_refuses_low_order_bases(var254: CompiledCircuit) -> None:
    # Outside its assumption (order exactly l) the gadget is unsatisfiable for these.
    for base in LOW_ORDER:
        with pytest.raises(UnsatisfiedConstraint):
            var254.solve({"k": _bits(5, 254), **_assign(p=base, out=bj.mul(base, 5))})


def test_scalar_mul_cost(var254: CompiledCircuit) -> None:
    c = Circuit()
    gb.scalar_mul(c, c.private_list("k", 254), _public_point(c, "p"))
    assert c.n_constraints == 254 + 2302


def test_A8_scalar_mul_uniqueness_across_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    # Short segments exercise the segment hand-over on a circuit small enough to sweep.
    monkeypatch.setattr(gb, "SEGMENT_BITS", 3)
    n = 8
    p1 = bj.mul(bj.BASE8, 777)
    valid = [
        {"k": _bits(k, n), **_assign(p=p1, out=bj.mul(p1, k))} for k in (0, 1, 0b10110101, 255)
    ]
    compiled = check_circuit(_var_circuit(n), valid=valid, name="scalar_mul_seg3")
    for k in range(1 << n):
        compiled.solve({"k": _bits(k, n), **_assign(p=p1, out=bj.mul(p1, k))})
    assert uniqueness_sweep(compiled, valid[2]) == []
    _assert_hints_pinned(compiled, valid[2])


def test_A8_point_gadgets_uniqueness_and_pinned_hints(add_c: CompiledCircuit) -> None:
    g = bj.GENERATOR
    a = _assign(p=g, q=bj.BASE8, out=bj.add(g, bj.BASE8))
    assert uniqueness_sweep(add_c, a) == []
    _assert_hints_pinned(add_c, a)
    d = _assign(p=g, out=bj.mul(g, 8))
    assert uniqueness_sweep(_MUL8, d) == []
    _assert_hints_pinned(_MUL8, d)


def test_A10_division_by_zero_is_unsatisfiable() -> None:
    # Off the curve the Edwards denominators can vanish: 1 + d*x1*x2*y1*y2 = 0 with
    # x1 = x2 = 1, y1 = 1, y2 = -1/d. The pinned quotient makes this unsatisfiable,
    # not free (the gadgets' on-curve assumption is what excludes it).
    y2 = (-pow(bj.D, P - 2, P)) % P
    compiled = check_circuit(_add_circuit, name="point_add_offcurve")
    with pytest.raises(UnsatisfiedConstraint):
        compiled.solve(_assign(p=(1, 1), q=(1, y2), out=(0, 0)))


def test_incomplete_additions_are_never_exceptional_by_construction() -> None:
    """Re-derive the bounds the Montgomery additions rely on (docs in circuits/babyjub.py)."""
    plan = gb._fixed_plan(bj.BASE8, 251)
    assert plan.n_mont == 83 and len(plan.windows) == 84
    lo = hi = 0
    for j in range(plan.n_mont):
        pos, width = plan.windows[j]
        t_lo, t_hi = 2 << pos, ((1 << width) + 1) << pos
        if j:  # acc in [lo, hi] is added to an entry in [t_lo, t_hi]: never equal, never -entry
            assert lo > 0 and hi < t_lo and hi + t_hi < L
        lo, hi = lo + t_lo, hi + t_hi
    # Every table entry is the claimed multiple of BASE8.
    pos, width = plan.windows[5]
    assert plan.tables[5][3] == gb._mont_const(bj.mul(bj.BASE8, 5 << pos))
    # scalar_mul: in a segment the sum m + 2^j stays below 2^SEGMENT_BITS < l.
    assert 1 << gb.SEGMENT_BITS < L
