"""Credit records: validation, canonical fields, leaves and the strict importers."""

from __future__ import annotations

import json

import pytest

from zkcredit.credit import (
    CreditRecord,
    RecordKind,
    RecordStatus,
    record_from_ledger_tradeline,
    record_leaf,
    records_from_csv,
    records_from_json,
)
from zkcredit.errors import InvalidArgument, InvalidEncoding, MalformedInput, NonCanonicalScalar
from zkcredit.hazmat.poseidon import SCALAR_MODULUS, poseidon_hash_reference
from zkcredit.ledger import Tradeline

GOOD = {
    "opened_at": 1_700_000_000, "updated_at": 1_710_000_000, "amount": 150_000,
    "repaid": 50_000, "days_late": 0, "status": "current", "kind": "card",
}


def rec(**kw: object) -> CreditRecord:
    fields = {**GOOD, "status": RecordStatus.CURRENT, "kind": RecordKind.CARD, **kw}
    return CreditRecord(**fields)  # type: ignore[arg-type]


def test_to_fields_order_and_round_trip() -> None:
    r = rec()
    assert r.to_fields() == [1_700_000_000, 1_710_000_000, 150_000, 50_000, 0, 0, 1]
    assert CreditRecord.from_fields(r.to_fields()) == r
    assert CreditRecord.from_mapping(r.to_json_dict()) == r


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("opened_at", 0), ("opened_at", 1 << 40), ("opened_at", -1),
        ("updated_at", 1_699_999_999),  # before opened_at
        ("updated_at", 1 << 40), ("amount", 0), ("amount", 1 << 64), ("repaid", -1),
        ("repaid", 1 << 64), ("days_late", 1 << 16), ("days_late", -5),
        ("amount", 1.0), ("amount", True), ("amount", "5"), ("status", 4), ("kind", 5),
        ("status", "paid"), ("status", True),
    ],
)
def test_out_of_range_or_wrong_type_is_refused(field: str, value: object) -> None:
    with pytest.raises(InvalidArgument, match=field):
        rec(**{field: value})


def test_edges_are_accepted() -> None:
    r = rec(opened_at=1, updated_at=(1 << 40) - 1, amount=(1 << 64) - 1,
            repaid=(1 << 64) - 1, days_late=(1 << 16) - 1, status=3, kind=4)
    assert r.status is RecordStatus.DEFAULT and r.kind is RecordKind.OTHER


def test_leaf_is_poseidon_of_salt_and_fields() -> None:
    r = rec()
    assert record_leaf(r, 7) == poseidon_hash_reference([7, *r.to_fields()])
    assert record_leaf(r, 7) != record_leaf(r, 8)
    with pytest.raises(InvalidArgument):
        record_leaf(r, 0)
    with pytest.raises(NonCanonicalScalar):
        record_leaf(r, SCALAR_MODULUS)


def test_json_list_and_wrapped_forms() -> None:
    one = records_from_json(json.dumps([GOOD]))
    two = records_from_json(json.dumps({"records": [GOOD, {**GOOD, "status": 3}]}))
    assert one == [rec()]
    assert two[1].status is RecordStatus.DEFAULT


def test_json_iso_dates_are_utc_midnight() -> None:
    (r,) = records_from_json(json.dumps([{**GOOD, "opened_at": "2024-05-01",
                                          "updated_at": "2024-05-02"}]))
    assert r.opened_at == 1_714_521_600 and r.updated_at == 1_714_521_600 + 86_400


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({**GOOD, "amount": 1.5}, "record 1: amount must be an int"),
        ({**GOOD, "amount": 1e3}, "record 1: amount must be an int"),
        ({**GOOD, "days_late": -1}, "record 1: days_late"),
        ({**GOOD, "extra": 1}, "record 1: unknown field"),
        ({k: v for k, v in GOOD.items() if k != "kind"}, "record 1: missing field"),
        ({**GOOD, "opened_at": "2024-02-30"}, "record 1: opened_at"),
        ({**GOOD, "opened_at": "2024-05-01T00:00:00Z"}, "record 1: opened_at"),
        ({**GOOD, "status": "open"}, "record 1: status must be one of"),
    ],
)
def test_json_errors_name_the_record(record: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        records_from_json(json.dumps([GOOD, record]))


def test_json_duplicate_keys_and_nan_are_refused() -> None:
    with pytest.raises(InvalidEncoding, match="duplicate"):
        records_from_json('[{"amount": 1, "amount": 2}]')
    with pytest.raises(InvalidEncoding):
        records_from_json('[{"amount": NaN}]')
    with pytest.raises(InvalidEncoding):
        records_from_json('{"records": [], "more": 1}')
    with pytest.raises(InvalidEncoding, match="record 0"):
        records_from_json("[1]")


HEADER = "opened_at,updated_at,amount,repaid,days_late,status,kind\n"


def test_csv_names_numbers_dates_and_column_order() -> None:
    text = (
        "kind,status,days_late,repaid,amount,updated_at,opened_at\n"
        "card,current,0,50000,150000,1710000000,1700000000\n"
        "\n"
        "0,DEFAULT,120,0,9000,2024-06-01,2024-01-01\n"
    )
    a, b = records_from_csv(text.encode())
    assert a == rec()
    assert b.status is RecordStatus.DEFAULT and b.kind is RecordKind.LOAN
    assert b.opened_at == 1_704_067_200


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("1,1,1,0,0,0,0\n1,1,1.5,0,0,0,0\n", "line 3: amount must be a non-negative"),
        ("1,1,1,0,0,0,0\n1,1,1,-2,0,0,0\n", "line 3: repaid"),
        ("1,1,1,0,0,0,0\n1,1,1,0,70000,0,0\n", "line 3: days_late"),
        ("1,1,1,0,0,0,0\n1,1,1,0,0,9,0\n", "line 3: status"),
        ("1,1,1,0,0,0,0\n1,1,1,0,0\n", "line 3: 5 values for 7 columns"),
        ("1,1,1,0,0,0,0\n\n1,1,0,0,0,0,0\n", "line 4: amount"),
        ("1,1,1,0,0,0,0\n1,1,01,0,0,0,0\n", "line 3: amount"),
    ],
)
def test_csv_errors_name_the_line(rows: str, message: str) -> None:
    with pytest.raises(MalformedInput, match=message):
        records_from_csv(HEADER + rows)


def test_csv_header_problems() -> None:
    with pytest.raises(InvalidEncoding, match="unknown column"):
        records_from_csv(HEADER.strip() + ",note\n1,1,1,0,0,0,0,x\n")
    with pytest.raises(InvalidEncoding, match="missing column"):
        records_from_csv("opened_at,updated_at\n1,1\n")
    with pytest.raises(InvalidEncoding, match="named twice"):
        records_from_csv("amount,amount\n")
    with pytest.raises(InvalidEncoding, match="empty"):
        records_from_csv("")
    with pytest.raises(InvalidEncoding, match="UTF-8"):
        records_from_csv(b"\xff\xfe")


def test_ledger_tradeline_mapping() -> None:
    t = Tradeline(line_id=1, borrower_id="5", lender_id="6", opened_at=1_700_000_000,
                  closed_at=1_705_000_000, amount=10_000, repaid=10_300, days_late=3,
                  status="repaid")
    r = record_from_ledger_tradeline(t)
    assert r.to_fields() == [1_700_000_000, 1_705_000_000, 10_000, 10_300, 3, 1, 0]
    for status in ("defaulted", "charged_off"):
        bad = Tradeline(1, "5", "6", 1_700_000_000, 1_705_000_000, 10_000, 0, 95, status)
        assert record_from_ledger_tradeline(bad).status is RecordStatus.DEFAULT
    covered = Tradeline(1, "5", "6", 1_700_000_000, 1_705_000_000, 10_000, 10_000, 4, "liquidated")
    assert record_from_ledger_tradeline(covered).status is RecordStatus.CLOSED
    with pytest.raises(InvalidArgument, match="status"):
        record_from_ledger_tradeline(
            Tradeline(1, "5", "6", 1_700_000_000, 1_705_000_000, 1, 0, 0, "open"))
    with pytest.raises(InvalidArgument, match="amount"):
        record_from_ledger_tradeline(
            Tradeline(1, "5", "6", 1_700_000_000, 1_705_000_000, 0, 0, 0, "repaid"))


def test_json_status_by_digit_string_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="status"):
        records_from_json(json.dumps([{**GOOD, "status": "3"}]))
    (r,) = records_from_json(json.dumps([{**GOOD, "status": "DEFAULT", "kind": 2}]))
    assert r.status is RecordStatus.DEFAULT and r.kind is RecordKind.BNPL
