"""Storage: one SQLAlchemy Core schema and code path for SQLite and PostgreSQL.

* SQLite (default): WAL, ``synchronous=FULL``, ``foreign_keys=ON`` set on every
  connection and **asserted** (a connection that does not report them is refused).
  pysqlite's own transaction handling is switched off (``isolation_level = None``) so
  every transaction starts with an explicit ``BEGIN IMMEDIATE``: the write lock is taken
  up front and two writers can never interleave read-modify-write cycles.
* PostgreSQL (psycopg 3): every transaction is SERIALIZABLE.
* Both: a transaction that loses a race (``SQLITE_BUSY``, SQLSTATE 40001/40P01) is
  retried from scratch with bounded, jittered exponential backoff.

Money columns are BIGINT (signed 64-bit in both engines). Fixed-point values wider than
64 bits (RAY indexes, variances) are stored as canonical decimal TEXT — never REAL or
NUMERIC, which SQLite would turn into floating point.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from zkcredit.errors import StorageError, UnsupportedFormat

__all__ = ["SCHEMA_VERSION", "metadata", "migrate", "open_engine", "run_transaction"]

T = TypeVar("T")

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(100), nullable=False),
    Column("applied_at", BigInteger, nullable=False),
)

commands = Table(
    "commands", metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("key", String(128), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),
    Column("payload_hash", String(64), nullable=False),
    Column("result", Text, nullable=False),
    Column("at", BigInteger, nullable=False),
)

accounts = Table(
    "accounts", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("name", String(160), nullable=False, unique=True),
    Column("currency", String(8), nullable=False),
    Column("normal", String(1), nullable=False),
    Column("role", String(16), nullable=False),
    Column("balance", BigInteger, nullable=False),
    CheckConstraint("balance >= 0", name="ck_accounts_balance_nonneg"),
    CheckConstraint("normal IN ('D', 'C')", name="ck_accounts_normal"),
)

entries = Table(
    "entries", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("command_seq", BigInteger, ForeignKey("commands.seq"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("at", BigInteger, nullable=False),
)

postings = Table(
    "postings", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("entry_id", BigInteger, ForeignKey("entries.id"), nullable=False, index=True),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("side", String(1), nullable=False),
    Column("amount", BigInteger, nullable=False),
    CheckConstraint("amount > 0", name="ck_postings_amount_pos"),
    CheckConstraint("side IN ('D', 'C')", name="ck_postings_side"),
)

pool = Table(
    "pool", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("cash", BigInteger, nullable=False),
    Column("total_debt", BigInteger, nullable=False),
    Column("total_collateral", BigInteger, nullable=False),
    Column("total_shares", BigInteger, nullable=False),
    Column("last_accrual", BigInteger, nullable=False),
    CheckConstraint("cash >= 0 AND total_debt >= 0 AND total_collateral >= 0"
                    " AND total_shares >= 0", name="ck_pool_nonneg"),
)

tier_indexes = Table(
    "tier_indexes", metadata,
    Column("tier", Integer, primary_key=True, autoincrement=False),
    Column("borrow_index", Text, nullable=False),  # RAY decimal
    Column("updated_at", BigInteger, nullable=False),
)

depositors = Table(
    "depositors", metadata,
    Column("id", String(128), primary_key=True),
    Column("shares", BigInteger, nullable=False),
    CheckConstraint("shares >= 0", name="ck_depositors_shares_nonneg"),
)

lines = Table(
    "lines", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("borrower_id", String(80), nullable=False),
    Column("lender_id", String(80), nullable=False),
    Column("tier", Integer, nullable=False),
    Column("model_id", String(80), nullable=False),
    Column("threshold", String(80), nullable=False),
    Column("credit_limit", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("debt_account", BigInteger, ForeignKey("accounts.id"), nullable=False),
    Column("collateral_account", BigInteger, ForeignKey("accounts.id"), nullable=False),
    Column("index_snapshot", Text, nullable=False),  # RAY decimal
    Column("opened_at", BigInteger, nullable=False),
    Column("cycle_opened_at", BigInteger, nullable=False),
    Column("cycle_drawn", BigInteger, nullable=False),
    Column("cycle_repaid", BigInteger, nullable=False),
    Column("due_at", BigInteger, nullable=False),
    Column("max_days_late", BigInteger, nullable=False),
)

line_nullifiers = Table(
    "line_nullifiers", metadata,
    Column("lender_id", String(80), primary_key=True),
    Column("nullifier", String(80), primary_key=True),
    Column("line_id", BigInteger, ForeignKey("lines.id"), nullable=False),
    UniqueConstraint("lender_id", "nullifier", name="uq_line_nullifier"),
)

oracle_state = Table(
    "oracle_state", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("status", String(16), nullable=False),
    Column("last_price", BigInteger, nullable=True),
    Column("last_at", BigInteger, nullable=False),
    Column("ewma_var", Text, nullable=False),  # RAY decimal, per-second variance
    Column("sample_price", BigInteger, nullable=True),
    Column("sample_at", BigInteger, nullable=False),
)

deficits = Table(
    "deficits", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("line_id", BigInteger, ForeignKey("lines.id"), nullable=False),
    Column("entry_id", BigInteger, ForeignKey("entries.id"), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("from_reserve", BigInteger, nullable=False),
    Column("from_pool", BigInteger, nullable=False),
    Column("at", BigInteger, nullable=False),
    CheckConstraint("amount > 0 AND from_reserve >= 0 AND from_pool >= 0"
                    " AND amount = from_reserve + from_pool", name="ck_deficit_split"),
)

tradelines = Table(
    "tradelines", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("line_id", BigInteger, ForeignKey("lines.id"), nullable=False),
    Column("body", Text, nullable=False),
    Column("record_scheme", String(40), nullable=False),
    Column("record_signature", Text, nullable=False),  # hex
    Column("prev_hash", String(64), nullable=False),
    Column("log_signature", Text, nullable=False),  # hex
)

#: A command refused by the ledger's rules (issue 13), stored under its id like
#: TigerBeetle does: the id cannot be reused with another payload, and a retry returns the
#: same refusal. Kept apart from ``commands`` (whose rows are successes with a receipt and
#: journal entries) so every reader of ``commands`` keeps its meaning.
refusals = Table(
    "refusals", metadata,
    Column("key", String(128), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("payload_hash", String(64), nullable=False),
    Column("error", String(64), nullable=False),
    Column("message", Text, nullable=False),
    Column("at", BigInteger, nullable=False),
)

_V1_TABLES = [t for t in metadata.sorted_tables if t.name != "refusals"]


def _create_v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=_V1_TABLES)


def _create_refusals(conn: Connection) -> None:
    refusals.create(conn)


#: (version, name, step), applied in order; a new version appends a step, never edits one.
MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "initial ledger schema", _create_v1),
    (2, "stored refusals (issue 13)", _create_refusals),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]

_SQLITE_BUSY = 5
_MAX_ATTEMPTS = 60


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN IMMEDIATE ourselves
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        mode = cur.execute("PRAGMA journal_mode").fetchone()[0]
        sync = cur.execute("PRAGMA synchronous").fetchone()[0]
        fks = cur.execute("PRAGMA foreign_keys").fetchone()[0]
    finally:
        cur.close()
    if str(mode).lower() != "wal" or int(sync) != 2 or int(fks) != 1:
        raise StorageError(
            f"SQLite connection refused: journal_mode={mode}, synchronous={sync},"
            f" foreign_keys={fks} (need wal, 2=FULL, 1); is the database a file?"
        )


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def open_engine(url: str) -> Engine:
    """Create the engine for a ``sqlite:///path`` or ``postgresql+psycopg://`` URL."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise StorageError("the SQLite ledger needs a file (WAL cannot run in memory)")
        engine = create_engine(url, connect_args={"timeout": 0.2})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            url = parsed.set(drivername="postgresql+psycopg").render_as_string(
                hide_password=False)
        return create_engine(url, isolation_level="SERIALIZABLE", pool_pre_ping=True)
    raise UnsupportedFormat(f"ledger database URL must be sqlite or postgresql, not {backend}")


def is_retryable(exc: BaseException) -> bool:
    """SQLITE_BUSY/LOCKED, or a PostgreSQL serialization failure / deadlock."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(orig, sqlite3.OperationalError):
        code = getattr(orig, "sqlite_errorcode", None)
        if code is not None and code & 0xFF in (_SQLITE_BUSY, 6):
            return True
        msg = str(orig).lower()
        return "locked" in msg or "busy" in msg
    sqlstate = getattr(orig, "sqlstate", None)
    return sqlstate in ("40001", "40P01")


def run_transaction(engine: Engine, body: Callable[[Connection], T]) -> T:
    """Run ``body`` in one write transaction, retrying lost races with bounded backoff."""
    jitter = random.Random()  # noqa: S311 -- timing only: never touches ledger state
    delay = 0.001
    for attempt in range(_MAX_ATTEMPTS):
        try:
            with engine.begin() as conn:
                return body(conn)
        except DBAPIError as exc:
            if not is_retryable(exc) or attempt == _MAX_ATTEMPTS - 1:
                if is_retryable(exc):
                    raise StorageError(
                        f"transaction kept conflicting after {_MAX_ATTEMPTS} attempts") from exc
                # A database that cannot be opened or written (missing directory, read-only
                # file, not a database): one clear ledger error, not a driver exception.
                first = str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc)
                raise StorageError(f"database error: {first}") from exc
        time.sleep(delay * (0.5 + jitter.random()))
        delay = min(delay * 2, 0.1)
    raise StorageError("unreachable")  # pragma: no cover


_RACE_ATTEMPTS = 5


def lost_insert_race(exc: BaseException | None) -> bool:
    """A PostgreSQL insert or CREATE that collided with a row or table a concurrent
    transaction committed after ours took its snapshot (unique_violation, duplicate_table,
    duplicate_object). Re-running the transaction sees the other one's work."""
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    return getattr(orig, "sqlstate", None) in ("23505", "42P07", "42710")


def run_transaction_after_races(engine: Engine, body: Callable[[Connection], T]) -> T:
    """`run_transaction`, also re-running (a few times) a transaction that lost an insert
    race: for bodies that create or insert what a concurrent process may create first
    (first opens, claims), where the re-run answers from the other process's rows."""
    for attempt in range(_RACE_ATTEMPTS):
        try:
            return run_transaction(engine, body)
        except StorageError as exc:
            if attempt == _RACE_ATTEMPTS - 1 or not lost_insert_race(exc.__cause__):
                raise
    raise StorageError("unreachable")  # pragma: no cover


def migrate(engine: Engine, now: int) -> int:
    """Apply pending migrations in order; safe to race (lock, then re-check)."""

    def body(conn: Connection) -> int:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(7007)"))
        schema_migrations.create(conn, checkfirst=True)
        done = set(conn.execute(select(schema_migrations.c.version)).scalars())
        for version, name, step in MIGRATIONS:
            if version in done:
                continue
            step(conn)
            conn.execute(schema_migrations.insert().values(
                version=version, name=name, applied_at=now))
        newest = max(done | {v for v, _, _ in MIGRATIONS})
        if newest > SCHEMA_VERSION:
            raise UnsupportedFormat(
                f"database schema version {newest} is newer than this code ({SCHEMA_VERSION})")
        return newest

    # Two processes opening one new database at once: the advisory lock queues the second,
    # but its snapshot can predate the first one's CREATE; the re-run sees the tables.
    return run_transaction_after_races(engine, body)
