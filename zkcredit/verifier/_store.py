"""Where a verifier remembers issued challenges, consumed nonces and nullifiers.

`consume` is the one write that matters: it checks that the challenge was issued, that its
nonce is unused and that the nullifier is new for this lender, and records both, as one
atomic step, so two concurrent verifications of the same nonce or nullifier cannot both
pass (ADVERSARIAL C5, D12). Field elements are stored as decimal TEXT (SQLite INTEGER is
64-bit).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

from zkcredit.errors import InvalidArgument, PresentationRefused, StorageError

__all__ = ["MemoryVerifierStore", "SqliteVerifierStore", "VerifierStore"]


@runtime_checkable
class VerifierStore(Protocol):
    """The verifier's replay state (docs/verifier.md, "Replay rules")."""

    def record_challenge(self, lender_id: int, nonce: int, body: bytes) -> None:
        """Remember an issued challenge's canonical bytes; a reused nonce raises."""

    def get_challenge(self, lender_id: int, nonce: int) -> bytes | None:
        """The canonical bytes of the challenge issued with this nonce, or None."""

    def nonce_consumed(self, lender_id: int, nonce: int) -> bool:
        """Whether a presentation was already accepted for this nonce."""

    def nullifier_used(self, lender_id: int, nullifier: int) -> bool:
        """Whether a presentation with this nullifier was already accepted."""

    def consume(self, lender_id: int, nonce: int, nullifier: int, epoch: int, now: int) -> None:
        """Atomically mark the nonce consumed and record the nullifier, or raise
        `PresentationRefused` (unknown-challenge, nonce-reused, nullifier-reused)."""


class MemoryVerifierStore:
    """An in-process store (tests, embedding); thread-safe, forgotten at exit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._challenges: dict[tuple[int, int], bytes] = {}
        self._consumed: set[tuple[int, int]] = set()
        self._nullifiers: dict[tuple[int, int], int] = {}

    def record_challenge(self, lender_id: int, nonce: int, body: bytes) -> None:
        with self._lock:
            if (lender_id, nonce) in self._challenges:
                raise InvalidArgument("a challenge with this nonce was already issued")
            self._challenges[(lender_id, nonce)] = bytes(body)

    def get_challenge(self, lender_id: int, nonce: int) -> bytes | None:
        with self._lock:
            return self._challenges.get((lender_id, nonce))

    def nonce_consumed(self, lender_id: int, nonce: int) -> bool:
        with self._lock:
            return (lender_id, nonce) in self._consumed

    def nullifier_used(self, lender_id: int, nullifier: int) -> bool:
        with self._lock:
            return (lender_id, nullifier) in self._nullifiers

    def consume(self, lender_id: int, nonce: int, nullifier: int, epoch: int, now: int) -> None:
        with self._lock:
            if (lender_id, nonce) not in self._challenges:
                raise PresentationRefused("unknown-challenge", "no challenge with this nonce")
            if (lender_id, nonce) in self._consumed:
                raise PresentationRefused("nonce-reused", "this challenge was already answered")
            if (lender_id, nullifier) in self._nullifiers:
                raise PresentationRefused(
                    "nullifier-reused", "this nullifier was already presented to this lender"
                )
            self._consumed.add((lender_id, nonce))
            self._nullifiers[(lender_id, nullifier)] = epoch


_SCHEMA = """
CREATE TABLE IF NOT EXISTS challenges (
    lender_id TEXT NOT NULL, nonce TEXT NOT NULL, body BLOB NOT NULL,
    PRIMARY KEY (lender_id, nonce));
CREATE TABLE IF NOT EXISTS consumed_nonces (
    lender_id TEXT NOT NULL, nonce TEXT NOT NULL, consumed_at INTEGER NOT NULL,
    PRIMARY KEY (lender_id, nonce));
CREATE TABLE IF NOT EXISTS nullifiers (
    lender_id TEXT NOT NULL, nullifier TEXT NOT NULL, epoch INTEGER NOT NULL,
    nonce TEXT NOT NULL, recorded_at INTEGER NOT NULL,
    PRIMARY KEY (lender_id, nullifier));
"""


class SqliteVerifierStore:
    """The durable store: SQLite in WAL mode with synchronous=FULL, one short connection per
    call (safe across threads and processes), `consume` under BEGIN IMMEDIATE."""

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

    def record_challenge(self, lender_id: int, nonce: int, body: bytes) -> None:
        with self._db() as db:
            try:
                db.execute(
                    "INSERT INTO challenges (lender_id, nonce, body) VALUES (?, ?, ?)",
                    (str(lender_id), str(nonce), bytes(body)),
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

    def consume(self, lender_id: int, nonce: int, nullifier: int, epoch: int, now: int) -> None:
        lender, n, nf = str(lender_id), str(nonce), str(nullifier)
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")  # takes the write lock before reading
            try:
                issued = db.execute(
                    "SELECT 1 FROM challenges WHERE lender_id = ? AND nonce = ?", (lender, n)
                ).fetchone()
                if issued is None:
                    raise PresentationRefused("unknown-challenge", "no challenge with this nonce")
                if db.execute(
                    "SELECT 1 FROM consumed_nonces WHERE lender_id = ? AND nonce = ?", (lender, n)
                ).fetchone() is not None:
                    raise PresentationRefused(
                        "nonce-reused", "this challenge was already answered"
                    )
                if db.execute(
                    "SELECT 1 FROM nullifiers WHERE lender_id = ? AND nullifier = ?", (lender, nf)
                ).fetchone() is not None:
                    raise PresentationRefused(
                        "nullifier-reused", "this nullifier was already presented to this lender"
                    )
                db.execute(
                    "INSERT INTO consumed_nonces (lender_id, nonce, consumed_at) VALUES (?, ?, ?)",
                    (lender, n, now),
                )
                db.execute(
                    "INSERT INTO nullifiers (lender_id, nullifier, epoch, nonce, recorded_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (lender, nf, epoch, n, now),
                )
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
