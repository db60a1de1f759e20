"""Score model v1: plain score == gadget score (hypothesis), predicates, tampering, sizes."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zkcredit.circuits.score_model import (
    SLOT_INPUTS,
    assert_no_default_within,
    declare_slots,
    outstanding,
    score_model_v1,
    slot_assignment,
)

from zkcredit.circuit import Circuit, CompiledCircuit, R, check
from zkcredit.credit import (
    DEFAULT_MODEL,
    SECONDS_PER_MONTH,
    CreditRecord,
    History,
    RecordKind,
    RecordStatus,
    ScoreModelV1,
    no_default_within,
    score,
    total_outstanding,
)
from zkcredit.credit.model import MODEL_ID_DOMAIN
from zkcredit.errors import CircuitError, InvalidArgument, MalformedInput
from zkcredit.hazmat.poseidon import poseidon_hash_reference
from zkcredit.testing import uniqueness_sweep

T_MAX = (1 << 40) - 1
M_MAX = (1 << 64) - 1
CAP = 4


# --- circuits under test ---------------------------------------------------------------

@cache
def score_circuit(cap: int) -> CompiledCircuit:
    """Public score, outstanding and as_of, equal to the gadgets' outputs."""
    c = Circuit(f"score_v1_{cap}")
    s, o, as_of = c.public("score"), c.public("outstanding"), c.public("as_of")
    slots = declare_slots(c, cap)
    c.assert_equal(score_model_v1(c, slots, as_of, DEFAULT_MODEL), s, "score")
    c.assert_equal(outstanding(c, slots), o, "outstanding")
    return c.compile()


@cache
def predicate_circuit(cap: int) -> CompiledCircuit:
    c = Circuit(f"no_default_{cap}")
    as_of, months = c.public("as_of"), c.public("months")
    slots = declare_slots(c, cap)
    assert_no_default_within(c, slots, as_of, months)
    return c.compile()


def satisfied(compiled: CompiledCircuit, assignment: dict[str, object]) -> bool:
    try:
        witness = compiled.solve(assignment)  # type: ignore[arg-type]
        check(compiled.r1cs, witness)
    except (CircuitError, MalformedInput):
        return False
    return True


def slots_of(records: Sequence[CreditRecord], cap: int,
             garbage: Sequence[Sequence[int]] = ()) -> dict[str, object]:
    """Slot inputs: records first; absent slots hold ``garbage`` rows (or zeros)."""
    rows = [[1, *r.to_fields()] for r in records]
    for k in range(cap - len(records)):
        rows.append([0, *garbage[k]] if k < len(garbage) else [0] * len(SLOT_INPUTS))
    return {name: [row[j] for row in rows] for j, name in enumerate(SLOT_INPUTS)}


# --- strategies ------------------------------------------------------------------------

@st.composite
def records(draw: st.DrawFn) -> CreditRecord:
    opened = draw(st.one_of(st.integers(1, T_MAX), st.integers(1_500_000_000, 1_800_000_000),
                            st.sampled_from([1, T_MAX])))
    updated = draw(st.one_of(st.just(opened), st.integers(opened, min(T_MAX, opened + 10**9)),
                             st.integers(opened, T_MAX)))
    amount = draw(st.one_of(st.integers(1, M_MAX), st.integers(1, 10**8), st.just(M_MAX)))
    repaid = draw(st.one_of(st.integers(0, M_MAX), st.integers(0, 2 * 10**8),
                            st.sampled_from([0, amount, M_MAX])))
    days = draw(st.one_of(st.sampled_from([0, 29, 30, 31, 89, 90, 91, 65535]),
                          st.integers(0, 65535)))
    return CreditRecord(opened, updated, amount, repaid, days,
                        draw(st.sampled_from(RecordStatus)), draw(st.sampled_from(RecordKind)))


@st.composite
def as_of_for(draw: st.DrawFn, recs: list[CreditRecord]) -> int:
    """as_of near the model's edges for these records, or anywhere."""
    edges = [0, T_MAX, 1_700_000_000]
    for r in recs:
        edges.append(r.updated_at + DEFAULT_MODEL.default_window)
        edges += [r.opened_at + secs for secs, _ in DEFAULT_MODEL.age_bands]
        edges.append(r.updated_at + 12 * SECONDS_PER_MONTH)
    base = draw(st.sampled_from(edges))
    value = base + draw(st.sampled_from([-1, 0, 1]))
    return draw(st.one_of(st.just(min(max(value, 0), T_MAX)), st.integers(0, T_MAX)))


garbage_rows = st.lists(
    st.tuples(st.integers(0, T_MAX), st.integers(0, T_MAX), st.integers(0, M_MAX),
              st.integers(0, M_MAX), st.integers(0, 65535), st.integers(0, 255),
              st.integers(0, 255)),
    max_size=CAP,
)

FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --- plain == circuit ------------------------------------------------------------------

@FAST
@given(st.data(), st.lists(records(), max_size=CAP), garbage_rows)
def test_plain_score_equals_circuit_score(
    data: st.DataObject, recs: list[CreditRecord], garbage: list[tuple[int, ...]]
) -> None:
    as_of = data.draw(as_of_for(recs))
    s = score(DEFAULT_MODEL, recs, as_of)
    assert DEFAULT_MODEL.base <= s <= DEFAULT_MODEL.max_score
    o = total_outstanding(recs)
    compiled = score_circuit(CAP)
    # Absent slots hold arbitrary in-width values: they must add nothing.
    a = {**slots_of(recs, CAP, garbage), "score": s, "outstanding": o, "as_of": as_of}
    assert satisfied(compiled, a)
    assert not satisfied(compiled, {**a, "score": s + 1})
    assert not satisfied(compiled, {**a, "score": s - 1})
    assert not satisfied(compiled, {**a, "outstanding": (o + 1) % R})


@FAST
@given(st.data(), st.lists(records(), max_size=CAP),
       st.one_of(st.integers(0, 4095), st.sampled_from([0, 1, 12, 84, 4095])))
def test_no_default_within_plain_equals_circuit(
    data: st.DataObject, recs: list[CreditRecord], months: int
) -> None:
    as_of = data.draw(as_of_for(recs))
    expected = no_default_within(recs, as_of, months)
    a = {**slots_of(recs, CAP), "as_of": as_of, "months": months}
    assert satisfied(predicate_circuit(CAP), a) == expected


def test_slot_assignment_matches_history() -> None:
    recs = [CreditRecord(1_600_000_000, 1_650_000_000, 10_000, 10_000, 0,
                         RecordStatus.CLOSED, RecordKind.LOAN)]
    h = History.with_fresh_salts(recs, CAP)
    assert slot_assignment(h) == slots_of(recs, CAP)


# --- worked example (docs/score-model.md) ------------------------------------------------

def test_worked_example_from_the_docs() -> None:
    as_of = 1_735_689_600  # 2025-01-01
    day = 86_400
    recs = [
        CreditRecord(as_of - 1500 * day, as_of - 400 * day, 1_200_000, 1_290_000, 0,
                     RecordStatus.CLOSED, RecordKind.LOAN),
        CreditRecord(as_of - 900 * day, as_of - 5 * day, 300_000, 120_000, 12,
                     RecordStatus.CURRENT, RecordKind.CARD),
        CreditRecord(as_of - 200 * day, as_of - 150 * day, 40_000, 40_000, 35,
                     RecordStatus.CLOSED, RecordKind.BNPL),
    ]
    # on time 2/3 = 66.7% -> 20; no defaults -> 140; worst 35 days -> 0 + 40;
    # oldest 1500 days = 50 months -> 10 + 15 + 20 + 20; repaid 1_450_000 -> 15 * 3.
    assert score(DEFAULT_MODEL, recs, as_of) == 300 + 20 + 140 + 40 + 65 + 45 == 610
    assert total_outstanding(recs) == 180_000
    compiled = score_circuit(CAP)
    a = {**slots_of(recs, CAP), "score": 610, "outstanding": 180_000, "as_of": as_of}
    assert satisfied(compiled, a)


def test_empty_history_scores_base_and_best_history_scores_max() -> None:
    assert score(DEFAULT_MODEL, [], 1_700_000_000) == 300
    good = CreditRecord(1, 1_000, 10**9, 10**9, 0, RecordStatus.CLOSED, RecordKind.LOAN)
    assert score(DEFAULT_MODEL, [good], 1_700_000_000) == 850
    a = {**slots_of([], CAP), "score": 300, "outstanding": 0, "as_of": 1_700_000_000}
    assert satisfied(score_circuit(CAP), a)


# --- tampering (ADVERSARIAL A1, A4, A8) -------------------------------------------------

def _base() -> tuple[list[CreditRecord], dict[str, object]]:
    recs = [CreditRecord(1_600_000_000, 1_650_000_000, 100_000, 20_000, 45,
                         RecordStatus.LATE, RecordKind.CARD)]
    as_of = 1_700_000_000
    a = {**slots_of(recs, CAP), "score": score(DEFAULT_MODEL, recs, as_of),
         "outstanding": total_outstanding(recs), "as_of": as_of}
    return recs, a


def _with(a: dict[str, object], name: str, index: int, value: int) -> dict[str, object]:
    column = list(a[name])  # type: ignore[call-overload]
    column[index] = value
    return {**a, name: column}


def test_A4_present_must_be_boolean() -> None:
    _, a = _base()
    compiled = score_circuit(CAP)
    assert satisfied(compiled, a)
    for v in (2, R - 1):
        assert not satisfied(compiled, _with(a, "rec_present", 0, v))
        assert not satisfied(compiled, _with(a, "rec_present", 1, v))


def test_A1_every_field_is_range_checked_even_in_absent_slots() -> None:
    _, a = _base()
    compiled = score_circuit(CAP)
    widths = {"rec_opened_at": 40, "rec_updated_at": 40, "rec_amount": 64, "rec_repaid": 64,
              "rec_days_late": 16, "rec_status": 8, "rec_kind": 8}
    for name, bits in widths.items():
        assert satisfied(compiled, _with(a, name, 2, (1 << bits) - 1)), name
        for bad in (1 << bits, R - 1):
            assert not satisfied(compiled, _with(a, name, 2, bad)), (name, bad)


def test_present_slots_hold_real_enum_values() -> None:
    _, a = _base()
    compiled = score_circuit(CAP)
    assert not satisfied(compiled, _with(a, "rec_status", 0, 4))
    assert not satisfied(compiled, _with(a, "rec_status", 0, 7))
    assert not satisfied(compiled, _with(a, "rec_kind", 0, 5))
    assert not satisfied(compiled, _with(a, "rec_kind", 0, 6))
    assert not satisfied(compiled, _with(a, "rec_kind", 0, 8))
    # a status/kind value change on a present slot changes the score or is refused
    assert satisfied(compiled, _with(a, "rec_status", 1, 255))  # absent: free, no effect


def test_absent_slot_cannot_add_points() -> None:
    """A prover who fills an empty slot with a perfect record still gets the old score."""
    recs, a = _base()
    perfect = [1, 1, 10**12, 10**12, 0, 1, 0]
    cheat = dict(a)
    for j, name in enumerate(SLOT_INPUTS[1:]):
        cheat = _with(cheat, name, 1, perfect[j])
    assert satisfied(score_circuit(CAP), cheat)  # same public score
    better = score(DEFAULT_MODEL, [*recs, CreditRecord(*perfect)], 1_700_000_000)  # type: ignore[arg-type]
    assert better > a["score"]  # type: ignore[operator]
    assert not satisfied(score_circuit(CAP), {**cheat, "score": better})


def test_A8_uniqueness_sweep_capacity_1() -> None:
    """No internal wire of the one-slot circuit can change by +1, -1 or +r, except
    is_zero's waived inverse where its input is 0 (the output is pinned either way)."""
    compiled = score_circuit(1)
    recs = [CreditRecord(1_600_000_000, 1_690_000_000, 100_000, 20_000, 95,
                         RecordStatus.DEFAULT, RecordKind.BNPL)]
    as_of = 1_700_000_000
    a = {**slots_of(recs, 1), "score": score(DEFAULT_MODEL, recs, as_of),
         "outstanding": total_outstanding(recs), "as_of": as_of}
    free = uniqueness_sweep(compiled, a)  # type: ignore[arg-type]
    waived = {compiled.r1cs.wire_names.index(n) for n, _ in compiled.waivers}
    names = [compiled.r1cs.wire_name(w) for w, _ in free]
    assert {w for w, _ in free} <= waived, names
    assert all(n.endswith("/inv.out[0]") for n in names)


def test_as_of_and_months_are_range_checked() -> None:
    _, a = _base()
    assert not satisfied(score_circuit(CAP), {**a, "as_of": 1 << 40})
    p = predicate_circuit(CAP)
    ok = {**slots_of([], CAP), "as_of": 1_700_000_000, "months": 4095}
    assert satisfied(p, ok)
    assert not satisfied(p, {**ok, "months": 4096})
    assert not satisfied(p, {**ok, "months": R - 1})


def test_predicate_boundary_is_strict() -> None:
    as_of = 1_700_000_000
    months = 12
    edge = as_of - months * SECONDS_PER_MONTH
    for updated, expected in ((edge, True), (edge + 1, False)):
        rec = CreditRecord(1_000_000, updated, 5_000, 0, 200, RecordStatus.DEFAULT,
                           RecordKind.LOAN)
        assert no_default_within([rec], as_of, months) is expected
        a = {**slots_of([rec], CAP), "as_of": as_of, "months": months}
        assert satisfied(predicate_circuit(CAP), a) is expected
        assert satisfied(predicate_circuit(CAP), {**a, "months": 0})


# --- model parameters and id -----------------------------------------------------------

def test_model_id_is_the_documented_chain() -> None:
    fields = DEFAULT_MODEL.to_fields()
    items = [MODEL_ID_DOMAIN, len(fields), *fields]
    h = 0
    for i in range(0, len(items), 15):
        h = poseidon_hash_reference([h, *items[i:i + 15]])
    assert DEFAULT_MODEL.model_id() == h
    # Pinned (docs/score-model.md): changing v1's published parameters must be deliberate.
    assert h == 21849838158755383611624513972763216675946205916339463918267864091341268850087
    assert len(fields) == 48 and fields[:5] == [1, 300, 850, 30, 84 * SECONDS_PER_MONTH]
    other = dataclasses.replace(DEFAULT_MODEL, late_days=31)
    assert other.model_id() != DEFAULT_MODEL.model_id()
    assert DEFAULT_MODEL.max_points() == 550


@pytest.mark.parametrize(
    "changes",
    [
        {"base": -1}, {"base": 900}, {"late_days": 0}, {"default_window": 0},
        {"on_time_bands": ((50, 20), (50, 20))}, {"on_time_bands": ((101, 1),)},
        {"on_time_bands": ()}, {"volume_bands": ((1 << 64, 1),)},
        {"age_bands": ((10, 600),)}, {"default_points": (True,)}, {"base": 1.0},
    ],
)
def test_bad_model_parameters(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidArgument):
        dataclasses.replace(DEFAULT_MODEL, **changes)  # type: ignore[arg-type]


def test_plain_inputs_are_validated() -> None:
    with pytest.raises(InvalidArgument):
        score(DEFAULT_MODEL, [], 1 << 40)
    with pytest.raises(InvalidArgument):
        score(DEFAULT_MODEL, [], -1)
    with pytest.raises(InvalidArgument):
        no_default_within([], 0, 4096)
    with pytest.raises(InvalidArgument):
        score(ScoreModelV1(), ["x"], 0)  # type: ignore[list-item]


def test_constraint_count_capacity_32(capsys: pytest.CaptureFixture[str]) -> None:
    """Report the gadget sizes at the default capacity (docs/score-model.md quotes them)."""
    sizes = {}
    for name in ("score", "outstanding", "no_default_within"):
        c = Circuit(name)
        slots = declare_slots(c, 32)
        as_of = c.public("as_of")
        base = c.n_constraints
        if name == "score":
            c.assert_equal(score_model_v1(c, slots, as_of, DEFAULT_MODEL), c.public("s"))
        elif name == "outstanding":
            c.assert_equal(outstanding(c, slots), c.public("o"))
        else:
            assert_no_default_within(c, slots, as_of, c.public("m"))
        sizes[name] = c.n_constraints - base
    with capsys.disabled():
        print(f"\nconstraints at capacity 32 (each with the slot checks): {sizes}")
    # slot checks are 248 per slot; the score adds about 180 per slot.
    assert sizes["score"] < 14_000


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.lists(records(), min_size=25, max_size=32))
def test_plain_equals_circuit_at_capacity_32(
    data: st.DataObject, recs: list[CreditRecord]
) -> None:
    as_of = data.draw(as_of_for(recs))
    a = {**slots_of(recs, 32), "score": score(DEFAULT_MODEL, recs, as_of),
         "outstanding": total_outstanding(recs), "as_of": as_of}
    assert satisfied(score_circuit(32), a)
    assert not satisfied(score_circuit(32), {**a, "score": a["score"] + 1})  # type: ignore[operator]
