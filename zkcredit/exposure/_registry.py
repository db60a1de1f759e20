"""The exposure registry: which slot nullifiers are claimed, in SQLite or PostgreSQL.

Every lender sharing a registry refuses a slot nullifier that is already claimed, so a
borrower can hold at most k (``slots``) lines per exposure epoch across all of them
(issue 12). The registry stores only what lenders already see: the nullifier, its epoch
and the claiming lender's own idempotency key. It never tells one lender which lender
holds a slot.

Storage reuses the ledger's engine set-up and transaction runner
(`zkcredit.ledger._storage`): SQLite WAL with ``BEGIN IMMEDIATE`` (one writer at a time)
or PostgreSQL SERIALIZABLE, lost races retried, database failures raised as
`StorageError`. The tables are prefixed ``exposure_`` so the registry can share one
SQLite file or PostgreSQL schema with a ledger.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    delete,
    select,
    text,
)

from zkcredit.errors import (
    ExposureCapReached,
    ExposureEpochClosed,
    IdempotencyConflict,
    InvalidArgument,
    UnsupportedFormat,
    ZkCreditError,
)
from zkcredit.exposure._nullifier import MAX_SLOTS
from zkcredit.ledger._storage import open_engine, run_transaction_after_races

__all__ = ["SCHEMA_VERSION", "Claim", "ExposureRegistry"]

T = TypeVar("T")

_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
#: The registry's own schema version (independent of the ledger's migrations).
SCHEMA_VERSION = 1
#: Epochs and timestamps are stored as BIGINT.
_MAX_INT64 = (1 << 63) - 1
#: Key of the PostgreSQL advisory lock that serializes first opens (the ledger uses 7007).
_PG_LOCK = 7012
#: Values per ``IN (...)`` list: stays below SQLite's old 999-variable cap.
_CHUNK = 400

metadata = MetaData()

#: One row: the schema version and the registry's parameters, fixed at creation.
exposure_schema = Table(
    "exposure_schema", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
    Column("slots", Integer, nullable=False),
    Column("epoch_seconds", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    CheckConstraint("id = 1", name="ck_exposure_schema_one_row"),
)

# Field elements (slot_nullifier, lender_id; both < r < 10^77) are stored as their
# canonical decimal TEXT (str(int): no sign, no leading zeros), not NUMERIC: SQLite gives
# NUMERIC columns REAL affinity for values this large and would round them, while a
# canonical decimal string is one exact value on both backends. The registry only ever
# compares these columns for equality, so string equality is integer equality.
exposure_claims = Table(
    "exposure_claims", metadata,
    Column("slot_nullifier", String(78), primary_key=True),
    Column("epoch", BigInteger, nullable=False),
    Column("lender_id", String(78), nullable=False),
    Column("claim_ref", String(128), nullable=False),
    Column("claimed_at", BigInteger, nullable=False),
    UniqueConstraint("lender_id", "claim_ref", name="uq_exposure_claims_lender_ref"),
    Index("ix_exposure_claims_epoch", "epoch"),
)


@dataclass(frozen=True, slots=True)
class Claim:
    """One claimed slot nullifier, as the registry stores it.

    ``fresh`` is True when the call that returned it created the claim, False when it
    replayed an existing claim (same lender and ``claim_ref``) or read it back.
    """

    slot_nullifier: int
    epoch: int
    lender_id: int
    claim_ref: str
    claimed_at: int
    fresh: bool


@dataclass(slots=True)
class _Item:
    """A validated claim request, with its key columns as stored."""

    nullifier: str
    epoch: int
    lender: str
    ref: str


def _wall_clock() -> int:
    return int(time.time())


def _field(name: str, value: object) -> int:
    """A canonical BN254 scalar-field element (an int in [0, r); bool is refused)."""
    if type(value) is not int:
        raise InvalidArgument(f"{name} must be an int field element, got {type(value).__name__}")
    if not 0 <= value < _R:
        raise InvalidArgument(f"{name} must be a field element in [0, r), got {value}")
    return value


def _epoch(name: str, value: object) -> int:
    if type(value) is not int:
        raise InvalidArgument(f"{name} must be an int, got {type(value).__name__}")
    if not 0 <= value <= _MAX_INT64:
        raise InvalidArgument(f"{name} must be in [0, 2^63), got {value}")
    return value


def _claim_ref(value: object) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 128 or not value.isascii() or (
        not value.isprintable()
    ):
        raise InvalidArgument("claim_ref must be 1..128 printable ASCII characters")
    return value


def _check_slots(value: object) -> int:
    if type(value) is not int or not 1 <= value <= MAX_SLOTS:
        raise InvalidArgument(f"slots must be an int in 1..{MAX_SLOTS}, got {value!r}")
    return value


def _check_epoch_seconds(value: object) -> int:
    if type(value) is not int or not 0 < value <= _MAX_INT64:
        raise InvalidArgument(f"epoch_seconds must be a positive int, got {value!r}")
    return value


def _chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]



class ExposureRegistry:
    """The shared registry of claimed slot nullifiers (issue 12).

    Args:
        url: ``sqlite:///path/to/file.db`` or ``postgresql+psycopg://user@host:port/db``.
        slots: the cap k, 1..`MAX_SLOTS`; required when the registry is created, checked
            against the stored value (or taken from it, if None) on later opens.
        epoch_seconds: length of an exposure epoch; same rule as ``slots``.
        clock: injected time source returning Unix seconds as an int.
    """

    def __init__(
        self,
        url: str,
        *,
        slots: int | None = None,
        epoch_seconds: int | None = None,
        clock: Callable[[], int] = _wall_clock,
    ) -> None:
        if slots is not None:
            _check_slots(slots)
        if epoch_seconds is not None:
            _check_epoch_seconds(epoch_seconds)
        self._clock = clock
        self._engine = open_engine(url)
        try:
            now = self._now()
            stored = self._run(lambda conn: self._open(conn, slots, epoch_seconds, now))
        except BaseException:
            self._engine.dispose()
            raise
        self._slots, self._epoch_seconds = stored

    @property
    def slots(self) -> int:
        """The cap k: slot nullifiers a holder has per exposure epoch."""
        return self._slots

    @property
    def epoch_seconds(self) -> int:
        """Length of an exposure epoch in seconds (epochs count from the Unix epoch)."""
        return self._epoch_seconds

    # ------------------------------------------------------------------ set-up
    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    def __enter__(self) -> ExposureRegistry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _now(self) -> int:
        now = self._clock()
        if type(now) is not int or not 0 <= now <= _MAX_INT64:
            raise InvalidArgument("the clock must return non-negative int seconds")
        return now

    def _run(self, body: Callable[[Connection], T]) -> T:
        """`run_transaction`, also re-running a transaction that lost an insert race (a
        concurrent claim of the same slot: the re-run answers ``ExposureCapReached``)."""
        return run_transaction_after_races(self._engine, body)

    @staticmethod
    def _open(conn: Connection, slots: int | None, epoch_seconds: int | None,
              now: int) -> tuple[int, int]:
        """Create the tables and parameter row if missing, else check the stored ones."""
        if conn.dialect.name == "postgresql":
            # Two processes opening a new registry at once: one creates, the other waits
            # here and then (re-run by `_run` if its snapshot predates the creation) reads.
            conn.execute(text(f"SELECT pg_advisory_xact_lock({_PG_LOCK})"))
        metadata.create_all(conn, checkfirst=True)
        version = conn.execute(select(exposure_schema.c.version)).scalar_one_or_none()
        if version is None:
            if slots is None or epoch_seconds is None:
                raise InvalidArgument(
                    "a new exposure registry needs both slots and epoch_seconds")
            conn.execute(exposure_schema.insert().values(
                id=1, version=SCHEMA_VERSION, slots=slots, epoch_seconds=epoch_seconds,
                created_at=now))
            return slots, epoch_seconds
        if version > SCHEMA_VERSION:
            raise UnsupportedFormat(f"exposure registry schema version {version} is newer"
                                    f" than this code ({SCHEMA_VERSION})")
        row = conn.execute(select(exposure_schema.c.slots,
                                  exposure_schema.c.epoch_seconds)).one()
        stored = (int(row.slots), int(row.epoch_seconds))
        for name, given, have in (("slots", slots, stored[0]),
                                  ("epoch_seconds", epoch_seconds, stored[1])):
            if given is not None and given != have:
                raise InvalidArgument(
                    f"{name}={given} differs from the registry's stored {name}={have}")
        return stored

    # ------------------------------------------------------------------ epochs
    def current_epoch(self) -> int:
        """``clock() // epoch_seconds``."""
        return self._now() // self._epoch_seconds

    def _validate(self, item: object, current: int) -> _Item:
        """One claim request checked before the database is touched."""
        if not isinstance(item, tuple) or len(item) != 4:
            raise InvalidArgument(
                "a claim is a (slot_nullifier, epoch, lender_id, claim_ref) tuple")
        nullifier, epoch, lender, ref = item
        _field("slot_nullifier", nullifier)
        _epoch("epoch", epoch)
        _field("lender_id", lender)
        _claim_ref(ref)
        if epoch not in (current, current - 1):
            raise ExposureEpochClosed(
                f"exposure epoch {epoch} is not open: the registry's current epoch is"
                f" {current} (the one before it is still accepted)")
        return _Item(str(nullifier), epoch, str(lender), ref)

    # ------------------------------------------------------------------ claims
    def claim(self, slot_nullifier: int, epoch: int, lender_id: int, claim_ref: str) -> Claim:
        """Claim one slot nullifier for ``lender_id``, atomically; an idempotent replay of
        the same (lender, ``claim_ref``) returns the stored claim with ``fresh=False``.

        Raises ExposureCapReached (slot taken: the message does not say by whom),
        IdempotencyConflict (``claim_ref`` already names another claim of this lender),
        ExposureEpochClosed, InvalidArgument, StorageError.
        """
        result = self.claim_many([(slot_nullifier, epoch, lender_id, claim_ref)])[0]
        if isinstance(result, ZkCreditError):
            raise result
        return result

    def claim_many(
        self, claims: Sequence[tuple[int, int, int, str]],
    ) -> list[Claim | ZkCreditError]:
        """Claim a batch in ONE transaction; each item answered as `claim` would answer it
        alone, in order (a later item sees the earlier ones). A refused or malformed item
        gives its error in its place; only a storage failure aborts the whole batch."""
        if not isinstance(claims, list | tuple):
            raise InvalidArgument("claim_many takes a list or tuple of claim tuples")
        now = self._now()
        current = now // self._epoch_seconds
        results: list[Claim | ZkCreditError | None] = []
        valid: list[tuple[int, _Item]] = []
        for index, raw in enumerate(claims):
            try:
                valid.append((index, self._validate(raw, current)))
                results.append(None)
            except ZkCreditError as exc:
                results.append(exc)
        if valid:
            answers = self._run(lambda conn: self._apply(conn, [it for _, it in valid], now))
            for (index, _), answer in zip(valid, answers, strict=True):
                results[index] = answer
        return [r for r in results if r is not None]

    @staticmethod
    def _apply(conn: Connection, items: list[_Item], now: int) -> list[Claim | ZkCreditError]:
        """Answer validated claims in order inside one transaction (re-run on a retry).

        Every row the batch can touch is read up front (by nullifier and by lender key),
        the batch is decided in memory, and the new claims are inserted in one statement.
        """
        c = exposure_claims.c
        by_nullifier: dict[str, _Item] = {}
        by_key: dict[tuple[str, str], _Item] = {}
        claimed_at: dict[str, int] = {}

        def remember(row: Any) -> None:
            stored = _Item(row.slot_nullifier, int(row.epoch), row.lender_id, row.claim_ref)
            by_nullifier[stored.nullifier] = stored
            by_key[(stored.lender, stored.ref)] = stored
            claimed_at[stored.nullifier] = int(row.claimed_at)

        columns = (c.slot_nullifier, c.epoch, c.lender_id, c.claim_ref, c.claimed_at)
        for chunk in _chunks(sorted({it.nullifier for it in items})):
            for row in conn.execute(select(*columns).where(c.slot_nullifier.in_(chunk))):
                remember(row)
        refs_by_lender: dict[str, set[str]] = {}
        for it in items:
            refs_by_lender.setdefault(it.lender, set()).add(it.ref)
        for lender, refs in sorted(refs_by_lender.items()):
            # per lender, so both backends answer from the (lender_id, claim_ref) index
            for chunk in _chunks(sorted(refs)):
                for row in conn.execute(select(*columns).where(
                        c.lender_id == lender, c.claim_ref.in_(chunk))):
                    remember(row)

        answers: list[Claim | ZkCreditError] = []
        inserts: list[dict[str, object]] = []
        for it in items:
            mine = by_key.get((it.lender, it.ref))
            if mine is not None and (mine.nullifier, mine.epoch) != (it.nullifier, it.epoch):
                answers.append(IdempotencyConflict(
                    f"claim_ref {it.ref!r} of this lender already names another claim"))
            elif mine is not None:
                answers.append(Claim(int(it.nullifier), it.epoch, int(it.lender), it.ref,
                                     claimed_at[it.nullifier], fresh=False))
            elif it.nullifier in by_nullifier:
                # Privacy: say only that the slot is used, never which lender holds it.
                answers.append(ExposureCapReached(
                    f"slot already claimed in exposure epoch {it.epoch}"))
            else:
                by_nullifier[it.nullifier] = it
                by_key[(it.lender, it.ref)] = it
                claimed_at[it.nullifier] = now
                inserts.append({"slot_nullifier": it.nullifier, "epoch": it.epoch,
                                "lender_id": it.lender, "claim_ref": it.ref,
                                "claimed_at": now})
                answers.append(Claim(int(it.nullifier), it.epoch, int(it.lender), it.ref,
                                     now, fresh=True))
        if inserts:
            # With RETURNING, SQLAlchemy sends the rows as multi-row INSERTs
            # ("insertmanyvalues") instead of psycopg's executemany pipeline, which logs a
            # warning each time a lost race (retried by `run_transaction`) aborts it.
            conn.execute(exposure_claims.insert().returning(c.slot_nullifier), inserts)
        return answers

    def release(self, slot_nullifier: int, lender_id: int, claim_ref: str) -> bool:
        """Give a claim back (the lender's ledger refused the line after the claim).

        True if this (lender, ``claim_ref``) held the nullifier and it is now free; False
        if there was no such claim, including when another claim holds the nullifier
        (which is left untouched).
        """
        nullifier = str(_field("slot_nullifier", slot_nullifier))
        lender = str(_field("lender_id", lender_id))
        ref = _claim_ref(claim_ref)
        c = exposure_claims.c

        def body(conn: Connection) -> bool:
            done = conn.execute(delete(exposure_claims).where(
                c.slot_nullifier == nullifier, c.lender_id == lender, c.claim_ref == ref))
            return bool(done.rowcount == 1)

        return self._run(body)

    # ------------------------------------------------------------------ reads
    def is_claimed(self, slot_nullifier: int) -> bool:
        """Whether any lender holds this slot nullifier."""
        nullifier = str(_field("slot_nullifier", slot_nullifier))
        c = exposure_claims.c
        return self._run(lambda conn: conn.execute(
            select(c.slot_nullifier).where(c.slot_nullifier == nullifier)).first() is not None)

    def claimed(self, epoch: int) -> frozenset[int]:
        """Every claimed nullifier of ``epoch``: a wallet downloads the set and picks a free
        slot itself, so the registry never learns which nullifiers are the wallet's."""
        e = _epoch("epoch", epoch)
        c = exposure_claims.c
        rows = self._run(lambda conn: list(conn.execute(
            select(c.slot_nullifier).where(c.epoch == e)).scalars()))
        return frozenset(int(n) for n in rows)

    def claims_by(self, lender_id: int, epoch: int | None = None) -> list[Claim]:
        """One lender's claims (all epochs, or one), for reconciling with its ledger;
        ordered by epoch, claim time and ``claim_ref``, each with ``fresh=False``."""
        lender = str(_field("lender_id", lender_id))
        e = None if epoch is None else _epoch("epoch", epoch)
        c = exposure_claims.c
        query = select(c.slot_nullifier, c.epoch, c.claim_ref, c.claimed_at).where(
            c.lender_id == lender)
        if e is not None:
            query = query.where(c.epoch == e)
        query = query.order_by(c.epoch, c.claimed_at, c.claim_ref)
        rows = self._run(lambda conn: list(conn.execute(query)))
        return [Claim(int(r.slot_nullifier), int(r.epoch), lender_id, r.claim_ref,
                      int(r.claimed_at), fresh=False) for r in rows]

    def prune(self, before_epoch: int) -> int:
        """Delete the claims of every epoch < ``before_epoch``; returns how many.

        Refuses (InvalidArgument) to forget an epoch that still accepts claims (the current
        one and the grace epoch before it): its slots would become claimable again.
        """
        before = _epoch("before_epoch", before_epoch)
        open_from = self.current_epoch() - 1
        if before > open_from:
            raise InvalidArgument(
                f"prune(before_epoch={before}) would forget claims of an open epoch: epochs"
                f" {open_from} and later still accept claims")

        def body(conn: Connection) -> int:
            done = conn.execute(delete(exposure_claims).where(exposure_claims.c.epoch < before))
            return int(done.rowcount)

        return self._run(body)
