"""Score model v1 and the credit predicates as gadgets over record slots (contract §3).

A slot is one position of a history: `SlotWires` (present, the seven record fields).
`declare_slots` declares them as private inputs named ``rec_<field>[i]``; `slot_assignment`
gives their values for a `History` (records first, then empty slots of zeros).

`check_slots(c, slots)`
    Constrains, for every slot: ``present`` boolean; opened_at, updated_at < 2^40,
    amount, repaid < 2^64, days_late < 2^16, status, kind < 2^8 (so no field aliases
    modulo r); and for present slots ``status <= 3`` and ``kind <= 4`` (the enums).
    Cost: 245 constraints per slot; the derived status products (is DEFAULT, is
    CURRENT/CLOSED, is not CLOSED) are built once, on first use, and shared.
    Idempotent per circuit: later gadgets on the same slots reuse the bits.
    Assumes: nothing. Leaves free: absent slots' fields within their widths (they
    contribute nothing below; the threshold circuit pins their leaves to 0).
`score_model_v1(c, slots, as_of, model)`
    Constrains: `check_slots`, ``as_of < 2^40``; returns the v1 score exactly as
    `zkcredit.credit.model.score` computes it over the present slots (a linear
    combination of band indicators, noted as below 2^bitlen(max_score)). Every per-slot
    contribution is multiplied by ``present``, so an absent slot adds nothing whatever
    its other wires hold. Leaves free: nothing.
`assert_no_default_within(c, slots, as_of, months)`
    Constrains: ``months < 2^12``, ``as_of < 2^40`` and, unless months = 0, no present
    slot has status DEFAULT and ``updated_at + months * 2_592_000 > as_of``.
`outstanding(c, slots)`
    Returns: the sum over present slots with status != CLOSED of
    ``max(amount - repaid, 0)`` (below capacity * 2^64, noted).

Comparisons here use `_lt`, which does not re-check inputs: each call site states why
both sides are already below 2^n (proven by `check_slots` or built from such values).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass

from zkcredit.circuit import Circuit, LinComb
from zkcredit.credit.history import History
from zkcredit.credit.model import MONTHS_BITS, SECONDS_PER_MONTH, ScoreModelV1
from zkcredit.credit.records import FIELD_BITS, FIELD_NAMES, TIME_BITS
from zkcredit.errors import InvalidArgument

from .bits import to_bits
from .boolean import boolean
from .is_zero import is_zero
from .range_check import assert_bits

__all__ = [
    "SLOT_INPUTS",
    "SlotWires",
    "assert_no_default_within",
    "check_slots",
    "declare_slots",
    "outstanding",
    "score_model_v1",
    "slot_assignment",
]

#: Input names of one slot's wires, in `SlotWires` order (declared as ``name[i]``).
SLOT_INPUTS: tuple[str, ...] = ("rec_present", *(f"rec_{f}" for f in FIELD_NAMES))


@dataclass(frozen=True)
class SlotWires:
    """The wires of one history slot (contract §3)."""

    present: LinComb
    opened_at: LinComb
    updated_at: LinComb
    amount: LinComb
    repaid: LinComb
    days_late: LinComb
    status: LinComb
    kind: LinComb

    def fields(self) -> list[LinComb]:
        """The seven record fields in canonical order (for the leaf hash)."""
        return [self.opened_at, self.updated_at, self.amount, self.repaid, self.days_late,
                self.status, self.kind]


def declare_slots(c: Circuit, capacity: int) -> list[SlotWires]:
    """Declare ``capacity`` slots as private inputs ``rec_present[i]``, ``rec_opened_at[i]``..."""
    if type(capacity) is not int or capacity < 1:
        raise InvalidArgument("capacity must be a positive int")
    columns = [c.private_list(name, capacity) for name in SLOT_INPUTS]
    return [SlotWires(*(col[i] for col in columns)) for i in range(capacity)]


def slot_assignment(history: History) -> dict[str, list[int]]:
    """Values for `declare_slots` inputs: one slot per record, then zero slots."""
    if not isinstance(history, History):
        raise InvalidArgument("slot_assignment needs a History")
    n, cap = len(history.records), history.capacity
    out: dict[str, list[int]] = {"rec_present": [1] * n + [0] * (cap - n)}
    rows = [r.to_fields() for r in history.records]
    for j, name in enumerate(FIELD_NAMES):
        out[f"rec_{name}"] = [row[j] for row in rows] + [0] * (cap - n)
    return out


class _Slot:
    """A checked slot: its status bits, and derived boolean wires built on first use
    (so a circuit that never needs one carries no unused product)."""

    def __init__(self, c: Circuit, present: LinComb, status_bits: list[LinComb]) -> None:
        self._c = c
        self._present = present
        self._sb = status_bits
        self._cache: dict[str, LinComb] = {}

    def _get(self, name: str) -> LinComb:
        if name not in self._cache:
            c, p, sb = self._c, self._present, self._sb
            if name == "b01":  # status == 3, given status <= 3
                w = c.mul(sb[0], sb[1], "status_b0_b1")
            elif name == "is_default":  # present and status == DEFAULT
                w = c.mul(p, self._get("b01"), "is_default")
            elif name == "agreed_status":  # present and status in {CURRENT, CLOSED}
                w = c.mul(p, 1 - sb[1], "agreed_status")
            else:  # not_closed: present and status != CLOSED (status 1 is b0 and not b1)
                w = c.mul(p, 1 - sb[0] + self._get("b01"), "not_closed")
            c.note_bound(w, 1)
            self._cache[name] = w
        return self._cache[name]

    @property
    def is_default(self) -> LinComb:
        return self._get("is_default")

    @property
    def agreed_status(self) -> LinComb:
        return self._get("agreed_status")

    @property
    def not_closed(self) -> LinComb:
        return self._get("not_closed")


_checked: weakref.WeakKeyDictionary[Circuit, dict[tuple[tuple[int, int], ...], _Slot]] = (
    weakref.WeakKeyDictionary()
)


def _key(slot: SlotWires) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for lc in (slot.present, *slot.fields()):
        out += sorted(lc.terms.items())
        out.append((-1, -1))  # separator between wires
    return tuple(out)


def _check_slot(c: Circuit, slot: SlotWires) -> _Slot:
    cache = _checked.setdefault(c, {})
    key = _key(slot)
    if key in cache:
        return cache[key]
    with c.scope(c.unique("slot")):
        present = c.lc(slot.present)
        if c.known_bits(present) != 1:
            boolean(c, present, "present_bool")
        for name in ("opened_at", "updated_at", "amount", "repaid", "days_late"):
            assert_bits(c, getattr(slot, name), FIELD_BITS[name], name)
        sb = to_bits(c, slot.status, FIELD_BITS["status"], "status")
        kb = to_bits(c, slot.kind, FIELD_BITS["kind"], "kind")
        # Present slots hold real enum values: status <= 3, kind <= 4.
        c.assert_product(present, c.sum(sb[2:]), 0, "status_le_3")
        c.assert_product(present, c.sum(kb[3:]), 0, "kind_le_4_high")
        c.assert_product(present, c.mul(kb[2], kb[0] + kb[1], "kind_b2_low"), 0, "kind_le_4")
    info = _Slot(c, present, sb)
    cache[key] = info
    return info


def check_slots(c: Circuit, slots: Sequence[SlotWires]) -> None:
    """Range-check every slot (see the module docstring); idempotent per circuit."""
    if not slots:
        raise InvalidArgument("at least one slot is needed")
    for s in slots:
        if not isinstance(s, SlotWires):
            raise InvalidArgument("slots must be SlotWires")
        _check_slot(c, s)


def _lt(c: Circuit, a: LinComb | int, b: LinComb | int, n: int, label: str) -> LinComb:
    """Boolean ``a < b``. ASSUMES a, b < 2^n already proven (callers say why)."""
    bits = to_bits(c, c.lc(a) + (1 << n) - c.lc(b), n + 1, label)
    out = 1 - bits[n]
    c.note_bound(out, 1)
    return out


def score_model_v1(
    c: Circuit, slots: Sequence[SlotWires], as_of: LinComb | int, model: ScoreModelV1
) -> LinComb:
    """The v1 score of the present slots at ``as_of`` (see the module docstring)."""
    if not isinstance(model, ScoreModelV1):
        raise InvalidArgument("score_model_v1 needs a ScoreModelV1")
    check_slots(c, slots)
    cap = len(slots)
    as_of = c.lc(as_of)
    with c.scope(c.unique("score_v1")):
        assert_bits(c, as_of, TIME_BITS, "as_of")
        sentinel = (1 << TIME_BITS) - 1
        day_marks = sorted({model.late_days, *(d for d, _ in model.delinquency_bands)})
        present_n: list[LinComb] = []
        on_time: list[LinComb] = []
        recent_defaults: list[LinComb] = []
        late_at: dict[int, list[LinComb]] = {d: [] for d in day_marks}
        repaid: list[LinComb] = []
        oldest: LinComb | None = None
        for i, slot in enumerate(slots):
            info = _check_slot(c, slot)
            p = c.lc(slot.present)
            with c.scope(f"slot[{i}]"):
                present_n.append(p)
                # days_late < 2^16 (check_slots) and the marks are < 2^16 (model check).
                below = {d: _lt(c, slot.days_late, d, 16, f"days_lt_{d}") for d in day_marks}
                on_time.append(c.mul(info.agreed_status, below[model.late_days], "on_time"))
                for d in day_marks:
                    late_at[d].append(c.mul(p, 1 - below[d], f"late_{d}"))
                # updated_at < 2^40 and default_window < 2^40, so the sum is < 2^41;
                # as_of < 2^40.
                recent = _lt(c, as_of, slot.updated_at + model.default_window, 41, "recent")
                recent_defaults.append(c.mul(info.is_default, recent, "recent_default"))
                repaid.append(c.mul(p, slot.repaid, "repaid"))
                # Absent slots open at the sentinel 2^40 - 1, later than any as_of.
                opened = sentinel + c.mul(p, slot.opened_at - sentinel, "opened_or_sentinel")
                if oldest is None:
                    oldest = opened
                else:
                    # both < 2^40: opened_at is range-checked, oldest is one of them.
                    first = _lt(c, opened, oldest, TIME_BITS, "older")
                    oldest = oldest + c.mul(first, opened - oldest, "oldest")
        assert oldest is not None
        n = c.sum(present_n)
        empty = is_zero(c, n, "empty")
        has = 1 - empty
        points: list[tuple[int, LinComb]] = []
        # Payment history: 100 * on_time >= pct * n (+ 1 if empty, so nothing is
        # awarded). Both sides are at most 100 * cap + 1 (on_time <= n <= cap).
        on = c.sum(on_time)
        width = (100 * cap + 1).bit_length()
        for pct, pts in model.on_time_bands:
            points.append((pts, 1 - _lt(c, 100 * on, pct * n + empty, width, f"on_time_{pct}")))
        # Recent defaults: points by exact count; count 0 also needs a record.
        n_defaults = c.sum(recent_defaults)
        for k, pts in enumerate(model.default_points):
            z = is_zero(c, n_defaults - k, f"defaults_eq_{k}")
            points.append((pts, c.mul(has, z, "defaults_none") if k == 0 else z))
        # Delinquency: no present record at least `days` late (and a record exists).
        for days, pts in model.delinquency_bands:
            none = is_zero(c, c.sum(late_at[days]), f"none_late_{days}")
            points.append((pts, c.mul(has, none, f"clean_{days}")))
        # History length: oldest + secs <= as_of; oldest < 2^40, secs < 2^40 (model
        # check), so the sum is < 2^41, and as_of < 2^40.
        for secs, pts in model.age_bands:
            points.append((pts, 1 - _lt(c, as_of, oldest + secs, 41, f"age_{secs}")))
        # Repaid volume: sum of cap values < 2^64 stays below cap * 2^64.
        volume = c.sum(repaid)
        vwidth = (cap * ((1 << 64) - 1)).bit_length()
        for amount, pts in model.volume_bands:
            points.append((pts, 1 - _lt(c, volume, amount, vwidth, f"volume_{amount}")))
        total = c.linear_combination(points, model.base)
    c.note_bound(total, model.max_score.bit_length())  # base + points <= max_score
    return total


def assert_no_default_within(
    c: Circuit, slots: Sequence[SlotWires], as_of: LinComb | int, months: LinComb | int
) -> None:
    """Constrain: no present DEFAULT slot with updated_at > as_of - months * 30 days."""
    check_slots(c, slots)
    t, m = c.lc(as_of), c.lc(months)
    with c.scope(c.unique("no_default_within")):
        assert_bits(c, t, TIME_BITS, "as_of")
        assert_bits(c, m, MONTHS_BITS, "months")
        active = 1 - is_zero(c, m, "months_zero")
        window = m * SECONDS_PER_MONTH  # < 2^12 * 2^22 = 2^34
        for i, slot in enumerate(slots):
            info = _check_slot(c, slot)
            with c.scope(f"slot[{i}]"):
                # updated_at < 2^40 plus window < 2^34 is < 2^41; as_of < 2^40.
                recent = _lt(c, t, slot.updated_at + window, 41, "recent")
                hit = c.mul(info.is_default, recent, "recent_default")
                c.assert_product(hit, active, 0, "no_recent_default")


def outstanding(c: Circuit, slots: Sequence[SlotWires]) -> LinComb:
    """Sum over present, not-CLOSED slots of ``max(amount - repaid, 0)``."""
    check_slots(c, slots)
    parts: list[LinComb] = []
    with c.scope(c.unique("outstanding")):
        for i, slot in enumerate(slots):
            info = _check_slot(c, slot)
            with c.scope(f"slot[{i}]"):
                # amount, repaid < 2^64 (check_slots).
                owes = _lt(c, slot.repaid, slot.amount, 64, "repaid_lt_amount")
                owed = c.mul(owes, slot.amount - slot.repaid, "owed")
                parts.append(c.mul(info.not_closed, owed, "outstanding"))
        total = c.sum(parts)
    c.note_bound(total, (len(slots) * ((1 << 64) - 1)).bit_length())
    return total
