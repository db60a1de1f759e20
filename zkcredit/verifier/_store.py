"""Where a verifier remembers issued challenges, consumed nonces and nullifiers.

`consume_many` is the one write that matters: for each accepted presentation, in order, it
checks that the challenge was issued, that the nullifier is new for this lender and that the
nonce is unused, and records both; the whole batch is one atomic, durable step (one fsync
for the SQLite store), so two concurrent verifications of the same nonce or nullifier cannot
both pass (ADVERSARIAL C5, D12) and a crash leaves either the whole batch or none of it.
`consume` is a batch of one. `prune` forgets expired challenges that were never answered;
consumed nonces and nullifiers are never pruned (docs/verifier.md, "Pruning"). Field
elements are stored as decimal TEXT (SQLite INTEGER is 64-bit).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

from zkcredit.errors import InvalidArgument, PresentationRefused, StorageError

__all__ = ["MAX_BATCH", "MemoryVerifierStore", "SqliteVerifierStore", "VerifierStore"]

#: The most entries `consume_many` (and presentations `Verifier.verify_many`) take at once:
#: bounds the memory of one call and how long one transaction holds the write lock.
MAX_BATCH = 10_000

_MAX_TIME = 2**40  # the verifier's bound on Unix times (zkcredit._canonical)
_MAX_FIELD = 2**256  # ids, nonces and nullifiers are field elements (< r < 2^254)


def _check_int(value: object, what: str, bound: int) -> int:
    if type(value) is not int or not 0 <= value < bound:
        raise InvalidArgument(f"{what} must be an int in [0, 2^{bound.bit_length() - 1})")
    return value


def _check_now(now: object) -> int:
    if type(now) is not int or not 0 < now < _MAX_TIME:
        raise InvalidArgument("now must be int Unix seconds in (0, 2^40)")
    return now


def _check_entries(
    lender_id: object, entries: object, now: object
) -> tuple[int, list[tuple[int, int, int]], int]:
    """Validate a `consume_many` call completely before anything is read or written."""
    lender = _check_int(lender_id, "lender_id", _MAX_FIELD)
    when = _check_now(now)
    if isinstance(entries, str | bytes) or not isinstance(entries, Sequence):
        raise InvalidArgument("entries must be a sequence of (nonce, nullifier, epoch)")
    if len(entries) > MAX_BATCH:
        raise InvalidArgument(f"at most {MAX_BATCH} entries per batch, got {len(entries)}")
    checked: list[tuple[int, int, int]] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, tuple) or len(entry) != 3:
            raise InvalidArgument(f"entry {i} must be a (nonce, nullifier, epoch) tuple")
        nonce, nullifier, epoch = entry
        checked.append((
            _check_int(nonce, f"entry {i}: nonce", _MAX_FIELD),
            _check_int(nullifier, f"entry {i}: nullifier", _MAX_FIELD),
            _check_int(epoch, f"entry {i}: epoch", _MAX_TIME),
        ))
    return lender, checked, when


def _expiry(body: bytes, expires_at: int | None) -> int | None:
    """The expiry to store with a challenge: the one given, else the ``expires_at`` of the
    body when it is a challenge's JSON (the value `Verifier.verify` enforces, since the
    presented challenge must equal these bytes), else None (never pruned)."""
    if expires_at is not None:
        return _check_int(expires_at, "expires_at", _MAX_TIME)
    if len(body) > 1 << 16:  # a canonical challenge is well under 2 kB
        return None
    try:
        value = json.loads(body).get("expires_at")
    except (ValueError, AttributeError, RecursionError):
        return None
    return value if type(value) is int and 0 <= value < _MAX_TIME else None


def _unknown() -> PresentationRefused:
    return PresentationRefused("unknown-challenge", "no challenge with this nonce")


def _nullifier_reused() -> PresentationRefused:
    return PresentationRefused(
        "nullifier-reused", "this nullifier was already presented to this lender"
    )


def _nonce_reused() -> PresentationRefused:
    return PresentationRefused("nonce-reused", "this challenge was already answered")


@runtime_checkable
class VerifierStore(Protocol):
    """The verifier's replay state (docs/verifier.md, "Replay rules")."""

    def record_challenge(
        self, lender_id: int, nonce: int, body: bytes, *, expires_at: int | None = None
    ) -> None:
        """Remember an issued challenge's canonical bytes and expiry (None: the body's
        ``expires_at`` if it is a challenge's JSON, else never pruned); a reused nonce
        raises."""

    def get_challenge(self, lender_id: int, nonce: int) -> bytes | None:
        """The canonical bytes of the challenge issued with this nonce, or None."""

    def nonce_consumed(self, lender_id: int, nonce: int) -> bool:
        """Whether a presentation was already accepted for this nonce."""

    def nullifier_used(self, lender_id: int, nullifier: int) -> bool:
        """Whether a presentation with this nullifier was already accepted."""

    def consume(self, lender_id: int, nonce: int, nullifier: int, epoch: int, now: int) -> None:
        """`consume_many` of one entry: record it, or raise its `PresentationRefused`."""

    def consume_many(
        self, lender_id: int, entries: Sequence[tuple[int, int, int]], now: int
    ) -> list[PresentationRefused | None]:
        """For each ``(nonce, nullifier, epoch)`` in order: refuse it (unknown-challenge,
        nullifier-reused, nonce-reused, counting the entries recorded before it in this
        batch) or record it (None). All recorded entries commit in one atomic, durable
        transaction: a crash leaves all of them or none."""

    def prune(self, now: int) -> int:
        """Forget challenges with ``expires_at <= now`` that were never answered; return
        how many. Consumed nonces and nullifiers are kept."""


class _ConsumeOne:
    """`consume` as a batch of one, shared by the stores (one code path for both APIs)."""

    def consume_many(
        self, lender_id: int, entries: Sequence[tuple[int, int, int]], now: int
    ) -> list[PresentationRefused | None]:
        raise NotImplementedError

    def consume(self, lender_id: int, nonce: int, nullifier: int, epoch: int, now: int) -> None:
        """Record one accepted presentation, or raise its `PresentationRefused`."""
        refusal = self.consume_many(lender_id, [(nonce, nullifier, epoch)], now)[0]
        if refusal is not None:
            raise refusal


class MemoryVerifierStore(_ConsumeOne):
    """An in-process store (tests, embedding); thread-safe, forgotten at exit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._challenges: dict[tuple[int, int], tuple[bytes, int | None]] = {}
        self._consumed: set[tuple[int, int]] = set()
        self._nullifiers: dict[tuple[int, int], int] = {}

    def record_challenge(
        self, lender_id: int, nonce: int, body: bytes, *, expires_at: int | None = None
    ) -> None:
        body = bytes(body)
        expiry = _expiry(body, expires_at)
        with self._lock:
            if (lender_id, nonce) in self._challenges:
                raise InvalidArgument("a challenge with this nonce was already issued")
            self._challenges[(lender_id, nonce)] = (body, expiry)

    def get_challenge(self, lender_id: int, nonce: int) -> bytes | None:
        with self._lock:
            found = self._challenges.get((lender_id, nonce))
        return None if found is None else found[0]

    def nonce_consumed(self, lender_id: int, nonce: int) -> bool:
        with self._lock:
            return (lender_id, nonce) in self._consumed

    def nullifier_used(self, lender_id: int, nullifier: int) -> bool:
        with self._lock:
            return (lender_id, nullifier) in self._nullifiers

    def consume_many(
        self, lender_id: int, entries: Sequence[tuple[int, int, int]], now: int
    ) -> list[PresentationRefused | None]:
        lender, checked, _ = _check_entries(lender_id, entries, now)
        results: list[PresentationRefused | None] = []
        with self._lock:
            consumed: set[tuple[int, int]] = set()  # staged: applied only at the end
            nullifiers: dict[tuple[int, int], int] = {}
            for nonce, nullifier, epoch in checked:
                n, nf = (lender, nonce), (lender, nullifier)
                if n not in self._challenges:
                    results.append(_unknown())
                elif nf in self._nullifiers or nf in nullifiers:
                    results.append(_nullifier_reused())
                elif n in self._consumed or n in consumed:
                    results.append(_nonce_reused())
                else:
                    consumed.add(n)
                    nullifiers[nf] = epoch
                    results.append(None)
            self._consumed |= consumed
            self._nullifiers.update(nullifiers)
        return results

    def prune(self, now: int) -> int:
        when = _check_now(now)
        with self._lock:
            expired = [
                key for key, (_, expires_at) in self._challenges.items()
                if expires_at is not None and expires_at <= when and key not in self._consumed
            ]
            for key in expired:
                del self._challenges[key]
        return len(expired)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS challenges (
    lender_id TEXT NOT NULL, nonce TEXT NOT NULL, body BLOB NOT NULL, expires_at INTEGER,
    PRIMARY KEY (lender_id, nonce));
CREATE TABLE IF NOT EXISTS consumed_nonces (
    lender_id TEXT NOT NULL, nonce TEXT NOT NULL, consumed_at INTEGER NOT NULL,
    PRIMARY KEY (lender_id, nonce));
CREATE TABLE IF NOT EXISTS nullifiers (
    lender_id TEXT NOT NULL, nullifier TEXT NOT NULL, epoch INTEGER NOT NULL,
    nonce TEXT NOT NULL, recorded_at INTEGER NOT NULL,
    PRIMARY KEY (lender_id, nullifier));
"""

# Stores made before pruning existed have no expires_at column: add it, and fill it from the
# stored canonical challenge (written by this package, so its expires_at is an integer).
_MIGRATE_EXPIRY = (
    "ALTER TABLE challenges ADD COLUMN expires_at INTEGER",
    "UPDATE challenges SET expires_at = json_extract(CAST(body AS TEXT), '$.expires_at')"
    " WHERE json_valid(CAST(body AS TEXT))"
    " AND json_type(CAST(body AS TEXT), '$.expires_at') = 'integer'",
)

_PRUNE = """
DELETE FROM challenges
 WHERE expires_at IS NOT NULL AND expires_at <= ?
   AND NOT EXISTS (SELECT 1 FROM consumed_nonces AS c
                    WHERE c.lender_id = challenges.lender_id AND c.nonce = challenges.nonce)
"""


class SqliteVerifierStore(_ConsumeOne):
    """The durable store: SQLite in WAL mode with synchronous=FULL, one short connection per
    call (safe across threads and processes), `consume_many` under BEGIN IMMEDIATE."""

    def __init__(self, path: str | Path, *, timeout: float = 30.0) -> None:
        if str(path) == ":memory:" or str(path).startswith("file:"):
            raise InvalidArgument("use MemoryVerifierStore for an in-memory store")
        self.path = Path(path)
        self._timeout = timeout
        with self._db() as db:
            mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StorageError(f"{self.path}: journal_mode is {mode!r}, WAL is required")
            db.executescript(_SCHEMA)
            if not self._has_expiry(db):
                db.execute("BEGIN IMMEDIATE")  # another process may be migrating too
                try:
                    if not self._has_expiry(db):
                        for statement in _MIGRATE_EXPIRY:
                            db.execute(statement)
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
            db.execute(
                "CREATE INDEX IF NOT EXISTS challenges_expiry ON challenges (expires_at)"
            )

    @staticmethod
    def _has_expiry(db: sqlite3.Connection) -> bool:
        return any(row[1] == "expires_at" for row in db.execute("PRAGMA table_info(challenges)"))

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous=FULL")
            if db.execute("PRAGMA synchronous").fetchone()[0] != 2:
                raise StorageError(f"{self.path}: synchronous=FULL could not be set")
        except BaseException:
            db.close()
            raise
        return db

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """A fresh connection, closed after use; SQLite failures become `StorageError`."""
        try:
            with closing(self._connect()) as db:
                yield db
        except sqlite3.Error as exc:
            raise StorageError(f"{self.path}: {type(exc).__name__}: {exc}") from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: BEGIN IMMEDIATE takes the write lock before any read;
        COMMIT (one fsync) on success, ROLLBACK on any exception."""
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise

    def record_challenge(
        self, lender_id: int, nonce: int, body: bytes, *, expires_at: int | None = None
    ) -> None:
        body = bytes(body)
        expiry = _expiry(body, expires_at)
        with self._db() as db:
            try:
                db.execute(
                    "INSERT INTO challenges (lender_id, nonce, body, expires_at) "
                    "VALUES (?, ?, ?, ?)",
                    (str(lender_id), str(nonce), body, expiry),
                )
            except sqlite3.IntegrityError:
                raise InvalidArgument("a challenge with this nonce was already issued") from None

    def get_challenge(self, lender_id: int, nonce: int) -> bytes | None:
        with self._db() as db:
            row = db.execute(
                "SELECT body FROM challenges WHERE lender_id = ? AND nonce = ?",
                (str(lender_id), str(nonce)),
            ).fetchone()
        return None if row is None else bytes(row[0])

    def nonce_consumed(self, lender_id: int, nonce: int) -> bool:
        with self._db() as db:
            return db.execute(
                "SELECT 1 FROM consumed_nonces WHERE lender_id = ? AND nonce = ?",
                (str(lender_id), str(nonce)),
            ).fetchone() is not None

    def nullifier_used(self, lender_id: int, nullifier: int) -> bool:
        with self._db() as db:
            return db.execute(
                "SELECT 1 FROM nullifiers WHERE lender_id = ? AND nullifier = ?",
                (str(lender_id), str(nullifier)),
            ).fetchone() is not None

    def consume_many(
        self, lender_id: int, entries: Sequence[tuple[int, int, int]], now: int
    ) -> list[PresentationRefused | None]:
        lender_int, checked, when = _check_entries(lender_id, entries, now)
        lender = str(lender_int)
        results: list[PresentationRefused | None] = []
        with self._write() as db:
            for nonce, nullifier, epoch in checked:
                n, nf = str(nonce), str(nullifier)
                # the batch's own inserts are visible to these reads: in-batch reuse is seen
                if db.execute(
                    "SELECT 1 FROM challenges WHERE lender_id = ? AND nonce = ?", (lender, n)
                ).fetchone() is None:
                    results.append(_unknown())
                elif db.execute(
                    "SELECT 1 FROM nullifiers WHERE lender_id = ? AND nullifier = ?", (lender, nf)
                ).fetchone() is not None:
                    results.append(_nullifier_reused())
                elif db.execute(
                    "SELECT 1 FROM consumed_nonces WHERE lender_id = ? AND nonce = ?", (lender, n)
                ).fetchone() is not None:
                    results.append(_nonce_reused())
                else:
                    db.execute(
                        "INSERT INTO consumed_nonces (lender_id, nonce, consumed_at) "
                        "VALUES (?, ?, ?)", (lender, n, when),
                    )
                    db.execute(
                        "INSERT INTO nullifiers (lender_id, nullifier, epoch, nonce, recorded_at)"
                        " VALUES (?, ?, ?, ?, ?)", (lender, nf, epoch, n, when),
                    )
                    results.append(None)
        return results

    def prune(self, now: int) -> int:
        when = _check_now(now)
        with self._write() as db:
            return int(db.execute(_PRUNE, (when,)).rowcount)
