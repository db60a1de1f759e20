"""Credit records: the schema, its canonical field encoding, the salted leaf, and importers.

A `CreditRecord` is one tradeline as an issuer reports it. Its canonical encoding is the
seven integers of `CreditRecord.to_fields` (contract §1), each below the width the
circuits range-check it to (`FIELD_BITS`), so no two records share an encoding and none
aliases modulo r. The Merkle leaf is ``Poseidon([salt, *fields])`` with a random nonzero
salt (`record_leaf`), so a leaf reveals nothing about a guessable record.

Importers (`records_from_json`, `records_from_csv`, `record_from_ledger_tradeline`) are
strict: ints only (no floats, no bools, no numeric strings in JSON), status and kind
by name (any case) or by number, no unknown or missing fields, no duplicate JSON keys,
and every error names the record (``record 3:`` for JSON, 0-based; ``line 7:`` for CSV,
counting the header as line 1). Times are Unix seconds, or
in CSV and JSON an ISO date ``"2024-05-01"`` read as 00:00:00 UTC of that day; no other
date or time format is accepted.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from zkcredit._files import MAX_JSON_BYTES, loads_strict
from zkcredit.errors import InvalidArgument, InvalidEncoding, NonCanonicalScalar
from zkcredit.hazmat.poseidon import SCALAR_MODULUS, poseidon_hash

if TYPE_CHECKING:
    from zkcredit.ledger import Tradeline

__all__ = [
    "FIELD_BITS",
    "FIELD_NAMES",
    "CreditRecord",
    "RecordKind",
    "RecordStatus",
    "new_salt",
    "record_from_ledger_tradeline",
    "record_leaf",
    "records_from_csv",
    "records_from_json",
]

TIME_BITS = 40
MONEY_BITS = 64
DAYS_BITS = 16
ENUM_BITS = 8

#: Field order of the canonical encoding (contract §1).
FIELD_NAMES: tuple[str, ...] = (
    "opened_at", "updated_at", "amount", "repaid", "days_late", "status", "kind",
)
#: Width each field is range-checked to in circuits (values are strictly below 2^width).
FIELD_BITS: Mapping[str, int] = {
    "opened_at": TIME_BITS,
    "updated_at": TIME_BITS,
    "amount": MONEY_BITS,
    "repaid": MONEY_BITS,
    "days_late": DAYS_BITS,
    "status": ENUM_BITS,
    "kind": ENUM_BITS,
}


class RecordStatus(IntEnum):
    """The status an issuer reports for a tradeline."""

    CURRENT = 0  # open, paid as agreed so far
    CLOSED = 1  # paid off
    LATE = 2  # open and currently delinquent
    DEFAULT = 3  # defaulted / charged off


class RecordKind(IntEnum):
    """The kind of credit a tradeline is."""

    LOAN = 0
    CARD = 1
    BNPL = 2
    MORTGAGE = 3
    OTHER = 4


def _int(value: object, name: str) -> int:
    if type(value) is not int:
        raise InvalidArgument(f"{name} must be an int, not {type(value).__name__}")
    return value


@dataclass(frozen=True, slots=True)
class CreditRecord:
    """One tradeline; every field is validated on construction (contract §1)."""

    opened_at: int
    updated_at: int
    amount: int
    repaid: int
    days_late: int
    status: RecordStatus
    kind: RecordKind

    def __post_init__(self) -> None:
        opened = _int(self.opened_at, "opened_at")
        if not 0 < opened < 1 << TIME_BITS:
            raise InvalidArgument(f"opened_at must be in 1..2^40-1 Unix seconds, got {opened}")
        updated = _int(self.updated_at, "updated_at")
        if not opened <= updated < 1 << TIME_BITS:
            raise InvalidArgument(
                f"updated_at must be in opened_at..2^40-1 ({opened}..), got {updated}"
            )
        amount = _int(self.amount, "amount")
        if not 0 < amount < 1 << MONEY_BITS:
            raise InvalidArgument(f"amount must be in 1..2^64-1 minor units, got {amount}")
        repaid = _int(self.repaid, "repaid")
        if not 0 <= repaid < 1 << MONEY_BITS:
            raise InvalidArgument(f"repaid must be in 0..2^64-1 minor units, got {repaid}")
        days = _int(self.days_late, "days_late")
        if not 0 <= days < 1 << DAYS_BITS:
            raise InvalidArgument(f"days_late must be in 0..65535, got {days}")
        # Accept the enums' int values too, normalized to the members.
        object.__setattr__(self, "status", _enum(RecordStatus, self.status, "status"))
        object.__setattr__(self, "kind", _enum(RecordKind, self.kind, "kind"))

    def to_fields(self) -> list[int]:
        """``[opened_at, updated_at, amount, repaid, days_late, status, kind]``."""
        return [self.opened_at, self.updated_at, self.amount, self.repaid, self.days_late,
                int(self.status), int(self.kind)]

    @classmethod
    def from_fields(cls, fields: Sequence[int]) -> CreditRecord:
        """Inverse of `to_fields` (validated)."""
        if len(fields) != len(FIELD_NAMES):
            raise InvalidArgument(f"a record has {len(FIELD_NAMES)} fields, got {len(fields)}")
        return cls(*fields)  # type: ignore[arg-type]  # validated in __post_init__

    def to_json_dict(self) -> dict[str, int | str]:
        """JSON form (times as ints, status/kind by lower-case name); `from_mapping` reads it."""
        out: dict[str, int | str] = dict(zip(FIELD_NAMES[:5], self.to_fields()[:5], strict=True))
        out["status"] = self.status.name.lower()
        out["kind"] = self.kind.name.lower()
        return out

    @classmethod
    def from_mapping(cls, obj: Mapping[str, object]) -> CreditRecord:
        """A record from a mapping of exactly the seven fields (JSON values, see module doc)."""
        keys = set(obj)
        unknown = sorted(keys - set(FIELD_NAMES))
        if unknown:
            raise InvalidArgument(f"unknown field(s) {', '.join(map(repr, unknown))}")
        missing = [k for k in FIELD_NAMES if k not in keys]
        if missing:
            raise InvalidArgument(f"missing field(s) {', '.join(map(repr, missing))}")
        values: dict[str, Any] = {}
        for name in FIELD_NAMES:
            v = obj[name]
            if name in ("opened_at", "updated_at") and isinstance(v, str):
                values[name] = parse_date(v, name)
            elif name == "status":
                values[name] = _enum(RecordStatus, v, name)
            elif name == "kind":
                values[name] = _enum(RecordKind, v, name)
            else:
                values[name] = _int(v, name)
        return cls(**values)


def _enum(enum: type[RecordStatus] | type[RecordKind], value: object, name: str) -> Any:
    """An enum member from its int value or its (case-insensitive) name."""
    if isinstance(value, str):
        key = value.strip().upper()
        if key in enum.__members__:
            return enum[key]
    elif type(value) is int or isinstance(value, enum):
        try:
            return enum(value)
        except ValueError:
            pass
    names = ", ".join(m.name.lower() for m in enum)
    raise InvalidArgument(f"{name} must be one of {names} (or 0..{len(enum) - 1}), got {value!r}")


_DATE = re.compile(r"\A(\d{4})-(\d{2})-(\d{2})\Z")
_DIGITS = re.compile(r"\A(0|[1-9]\d{0,12})\Z")


def parse_date(text: str, name: str) -> int:
    """Unix seconds of an ISO date ``YYYY-MM-DD`` at 00:00:00 UTC."""
    m = _DATE.match(text)
    if not m:
        raise InvalidArgument(f"{name} must be Unix seconds or a date YYYY-MM-DD, got {text!r}")
    try:
        day = _dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise InvalidArgument(f"{name}: {text!r} is not a calendar date") from None
    stamp = _dt.datetime(day.year, day.month, day.day, tzinfo=_dt.UTC)
    return int(stamp.timestamp())


def new_salt() -> int:
    """A uniformly random nonzero field element (from `secrets`)."""
    while True:
        s = secrets.randbelow(SCALAR_MODULUS)
        if s:
            return s


def check_salt(salt: object, what: str = "salt") -> int:
    """Validate a leaf salt: an int in 1..r-1."""
    value = _int(salt, what)
    if value >= SCALAR_MODULUS:
        raise NonCanonicalScalar(f"{what} must be below the BN254 scalar order")
    if value <= 0:
        raise InvalidArgument(f"{what} must be a nonzero field element")
    return value


def record_leaf(record: CreditRecord, salt: int) -> int:
    """``Poseidon([salt, *record.to_fields()])`` (contract §1)."""
    if not isinstance(record, CreditRecord):
        raise InvalidArgument("record_leaf needs a CreditRecord")
    return poseidon_hash([check_salt(salt), *record.to_fields()])


# --- importers -----------------------------------------------------------------------

def records_from_json(data: bytes | str | object) -> list[CreditRecord]:
    """Records from JSON text (or already-parsed JSON): a list of record objects, or
    ``{"records": [...]}``. Errors name the record by its 0-based index."""
    obj = loads_strict(data) if isinstance(data, bytes | str) else data
    if isinstance(obj, dict):
        if set(obj) != {"records"}:
            raise InvalidEncoding('records JSON must be a list or {"records": [...]} only')
        obj = obj["records"]
    if not isinstance(obj, list):
        raise InvalidEncoding("records JSON must be a list of record objects")
    out: list[CreditRecord] = []
    for i, item in enumerate(obj):
        if not isinstance(item, dict):
            raise InvalidEncoding(f"record {i}: must be a JSON object")
        try:
            out.append(CreditRecord.from_mapping(item))
        except InvalidArgument as exc:
            raise InvalidArgument(f"record {i}: {exc}") from None
    return out


def _csv_value(text: str, name: str) -> int | str:
    text = text.strip()
    if name in ("status", "kind"):
        return int(text) if _DIGITS.match(text) else text
    if name in ("opened_at", "updated_at") and _DATE.match(text):
        return text
    if not _DIGITS.match(text):
        raise InvalidArgument(f"{name} must be a non-negative integer, got {text!r}")
    return int(text)


def records_from_csv(data: bytes | str) -> list[CreditRecord]:
    """Records from CSV text with a header row naming exactly the seven fields (any
    order). Errors name the physical line (the header is line 1)."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise InvalidEncoding("records CSV is not UTF-8") from None
    if len(text) > MAX_JSON_BYTES:
        raise InvalidEncoding(f"records CSV of {len(text)} characters is too large")
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InvalidEncoding(f"line {reader.line_num}: not valid CSV ({exc})") from None
    if not rows:
        raise InvalidEncoding("records CSV is empty (it needs a header row)")
    header = [h.strip() for h in rows[0]]
    if len(set(header)) != len(header):
        raise InvalidEncoding("line 1: a column is named twice")
    unknown = [h for h in header if h not in FIELD_NAMES]
    if unknown:
        raise InvalidEncoding(f"line 1: unknown column(s) {', '.join(map(repr, unknown))}")
    missing = [h for h in FIELD_NAMES if h not in header]
    if missing:
        raise InvalidEncoding(f"line 1: missing column(s) {', '.join(map(repr, missing))}")
    out: list[CreditRecord] = []
    # csv line numbers are physical; re-read to map each row to its starting line.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    next(reader)
    for row in _rows_with_lines(reader):
        line, cells = row
        if not any(cell.strip() for cell in cells):
            continue  # blank line
        if len(cells) != len(header):
            raise InvalidEncoding(
                f"line {line}: {len(cells)} values for {len(header)} columns"
            )
        try:
            values = {h: _csv_value(v, h) for h, v in zip(header, cells, strict=True)}
            out.append(CreditRecord.from_mapping(values))
        except InvalidArgument as exc:
            raise InvalidArgument(f"line {line}: {exc}") from None
    return out


def _rows_with_lines(reader: Any) -> Iterable[tuple[int, list[str]]]:
    start = reader.line_num + 1
    for cells in reader:
        yield start, cells
        start = reader.line_num + 1


# --- the ledger as an issuer ------------------------------------------------------------

_LEDGER_STATUS = {
    "repaid": RecordStatus.CLOSED,
    # A liquidation that covered the whole debt closes the line with nothing owed; the
    # lateness it had is kept in days_late. One that left a deficit is "charged_off".
    "liquidated": RecordStatus.CLOSED,
    "defaulted": RecordStatus.DEFAULT,
    "charged_off": RecordStatus.DEFAULT,
}
_LEDGER_KIND = {"credit_line": RecordKind.LOAN}


def record_from_ledger_tradeline(tradeline: Tradeline) -> CreditRecord:
    """Map a `zkcredit.ledger.Tradeline` onto a record.

    opened_at → opened_at; closed_at (when the ledger reported the outcome) →
    updated_at; amount, repaid, days_late as they are; status "repaid" and "liquidated"
    (the collateral covered the whole debt) → CLOSED,
    "defaulted" and "charged_off" → DEFAULT; kind "credit_line" → LOAN (an
    under-collateralized term credit line, drawn and repaid by a due date)."""
    status = _LEDGER_STATUS.get(tradeline.status)
    if status is None:
        raise InvalidArgument(f"tradeline status {tradeline.status!r} has no record status")
    kind = _LEDGER_KIND.get(tradeline.kind)
    if kind is None:
        raise InvalidArgument(f"tradeline kind {tradeline.kind!r} has no record kind")
    return CreditRecord(
        opened_at=tradeline.opened_at,
        updated_at=tradeline.closed_at,
        amount=tradeline.amount,
        repaid=tradeline.repaid,
        days_late=tradeline.days_late,
        status=status,
        kind=kind,
    )
