"""Issuer-driven issuance: the issuer checks a disclosed history against its own books, binds
the subject to one holder, and only then signs (docs/attestations.md, threat model).

The borrower's wallet writes a `Disclosure` (format ``zkcredit-disclosure`` v1): the
subject id the issuer knows the borrower by, the records with their salts, the blinding
and the holder commitment ``Poseidon([holder_secret])`` (never the secret). The `Issuer`

1. refuses a subject it holds no books for, and a disclosure whose records differ from its
   books (`BooksCheck`, by default `exact_books`: the same records, none made up, none
   left out) with `BooksMismatch`;
2. binds the subject to the holder commitment on first issuance and refuses any other
   commitment for that subject, and the same commitment for another subject
   (`IdentityConflict`): one wallet per subject, so one nullifier per lender and epoch;
3. recomputes the commitment from the opening itself, signs it with a fresh random
   revocation id and records the attestation, in one SQLite transaction (WAL,
   synchronous=FULL) - an attestation is returned only once it is durable.

Replacing a subject's books revokes its live attestations (a new default must not hide
behind an old snapshot); `rebind` moves a subject to a new wallet, revoking the old
wallet's attestations and holding new ones back for ``rebind_cooldown`` seconds, so the two
wallets' nullifiers cannot both be used in one lender epoch. `revocation_list` signs the
revoked ids that have not expired, for the registry operator to apply.
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from zkcredit._files import loads_strict, read_json_file, write_file_atomic
from zkcredit.errors import (
    BooksMismatch,
    IdentityConflict,
    InvalidArgument,
    InvalidEncoding,
    RevocationListOutdated,
    StorageError,
)
from zkcredit.hazmat import eddsa
from zkcredit.hazmat.attestation import (
    Attestation,
    canonical_json,
    check_field,
    check_header,
    check_time,
    exact_keys,
    new_revocation_id,
    sign_attestation,
)
from zkcredit.hazmat.babyjub import FIELD_MODULUS, Point
from zkcredit.hazmat.encoding import parse_decimal

from .history import History, history_commitment
from .records import CreditRecord
from .revocation import RevocationList

__all__ = [
    "DEFAULT_ISSUER_DB",
    "DISCLOSURE_FORMAT",
    "BooksCheck",
    "Disclosure",
    "Issuer",
    "check_subject",
    "exact_books",
]

DISCLOSURE_FORMAT = "zkcredit-disclosure"
_DISCLOSURE_VERSION = 1
_SCHEMA_VERSION = "1"
_MAX_SUBJECT = 128
DEFAULT_ISSUER_DB = "zkcredit-issuer.db"
"""The CLI's default issuer database path (``--db`` / ``$ZKCREDIT_ISSUER_DB``)."""
DEFAULT_VALIDITY = 180 * 86_400
DEFAULT_REBIND_COOLDOWN = 30 * 86_400


def check_subject(subject: object) -> str:
    """A subject id: 1..128 printable ASCII characters, no spaces at either end."""
    if (
        not isinstance(subject, str)
        or not 1 <= len(subject) <= _MAX_SUBJECT
        or not subject.isascii()
        or not subject.isprintable()
        or subject != subject.strip()
    ):
        raise InvalidArgument(
            f"a subject id is 1..{_MAX_SUBJECT} printable ASCII characters, got {subject!r}"
        )
    return subject


@dataclass(frozen=True)
class Disclosure:
    """What a borrower shows its issuer: the opening of its commitment, for one subject."""

    subject: str
    history: History
    blinding: int
    holder_commitment: int

    def __post_init__(self) -> None:
        check_subject(self.subject)
        if not isinstance(self.history, History):
            raise InvalidArgument("a disclosure's history must be a History")
        check_field(self.blinding, "blinding")
        check_field(self.holder_commitment, "holder_commitment")

    def __repr__(self) -> str:  # never the salts or the blinding
        return f"Disclosure(subject={self.subject!r}, records={len(self.history.records)})"

    def commitment(self) -> int:
        """The commitment this opening opens (what the issuer will sign)."""
        return history_commitment(self.history.root(), self.blinding, self.holder_commitment)

    def to_json_dict(self) -> dict[str, Any]:
        """JSON form; field elements as decimal strings. Secret-bearing: salts and blinding."""
        return {
            "format": DISCLOSURE_FORMAT,
            "version": _DISCLOSURE_VERSION,
            "subject": self.subject,
            "capacity": self.history.capacity,
            "records": [r.to_json_dict() for r in self.history.records],
            "salts": [str(s) for s in self.history.salts],
            "blinding": str(self.blinding),
            "holder_commitment": str(self.holder_commitment),
        }

    @classmethod
    def from_json_dict(cls, obj: object) -> Disclosure:
        """Strict inverse of `to_json_dict`."""
        d = exact_keys(obj, {"format", "version", "subject", "capacity", "records", "salts",
                             "blinding", "holder_commitment"}, "disclosure")
        check_header(d, DISCLOSURE_FORMAT, _DISCLOSURE_VERSION, "disclosure")
        records, salts = d["records"], d["salts"]
        if not isinstance(records, list) or not isinstance(salts, list):
            raise InvalidEncoding("disclosure: records and salts must be lists")
        try:
            history = History(
                [CreditRecord.from_mapping(r) for r in records],
                [parse_decimal(s, FIELD_MODULUS, f"disclosure salt #{n}")
                 for n, s in enumerate(salts)],
                d["capacity"],
            )
            return cls(
                subject=d["subject"],
                history=history,
                blinding=parse_decimal(d["blinding"], FIELD_MODULUS, "disclosure blinding"),
                holder_commitment=parse_decimal(
                    d["holder_commitment"], FIELD_MODULUS, "disclosure holder_commitment"
                ),
            )
        except InvalidArgument as exc:
            raise InvalidEncoding(f"disclosure: {exc}") from None

    @classmethod
    def from_json(cls, data: bytes | str) -> Disclosure:
        """Parse disclosure JSON text (strict reader)."""
        return cls.from_json_dict(loads_strict(data))

    def save(self, path: str | os.PathLike[str], *, replace: bool = False) -> None:
        """Write it mode 0600 (it opens the commitment), never over a file unless asked."""
        write_file_atomic(path, canonical_json(self.to_json_dict()), secret=True,
                          replace=replace)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Disclosure:
        """Read a file written by `save`."""
        return cls.from_json_dict(read_json_file(path, "disclosure"))


class BooksCheck(Protocol):
    """Raise `BooksMismatch` unless ``disclosed`` is a true account of ``books``."""

    def __call__(
        self, subject: str, disclosed: Sequence[CreditRecord], books: Sequence[CreditRecord]
    ) -> None: ...


def _describe(record: CreditRecord) -> str:
    return (f"{record.kind.name.lower()} opened {record.opened_at} "
            f"({record.status.name.lower()}, updated {record.updated_at})")


def exact_books(
    subject: str, disclosed: Sequence[CreditRecord], books: Sequence[CreditRecord]
) -> None:
    """The default check: the disclosed records are exactly the books (as a multiset)."""
    have, got = Counter(books), Counter(disclosed)
    made_up, left_out = got - have, have - got
    if made_up or left_out:
        parts = []
        if made_up:
            parts.append(f"{sum(made_up.values())} record(s) not in the books, e.g. "
                         f"{_describe(next(iter(made_up)))}")
        if left_out:
            parts.append(f"{sum(left_out.values())} record(s) of the books left out, e.g. "
                         f"{_describe(next(iter(left_out)))}")
        raise BooksMismatch(f"subject {subject!r}: the disclosed history differs from the "
                            f"issuer's books: " + "; ".join(parts))


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS subjects (
    subject TEXT PRIMARY KEY,
    holder_commitment TEXT UNIQUE,
    bound_at INTEGER,
    not_before_floor INTEGER NOT NULL DEFAULT 0,
    books_updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS books (
    subject TEXT NOT NULL REFERENCES subjects(subject),
    position INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (subject, position)
);
CREATE TABLE IF NOT EXISTS attestations (
    revocation_id TEXT PRIMARY KEY,
    subject TEXT NOT NULL REFERENCES subjects(subject),
    holder_commitment TEXT NOT NULL,
    commitment TEXT NOT NULL,
    not_before INTEGER NOT NULL,
    not_after INTEGER NOT NULL,
    issued_at INTEGER NOT NULL,
    revoked_at INTEGER,
    revoke_reason TEXT
);
CREATE INDEX IF NOT EXISTS attestations_by_subject ON attestations(subject);
"""


class Issuer:
    """An issuer's signing desk over its own books, kept in one SQLite file."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        private_key: bytes,
        *,
        books_check: BooksCheck = exact_books,
        validity: int = DEFAULT_VALIDITY,
        rebind_cooldown: int = DEFAULT_REBIND_COOLDOWN,
    ) -> None:
        for name, value in (("validity", validity), ("rebind_cooldown", rebind_cooldown)):
            if type(value) is not int or not 0 < value < 1 << 32:
                raise InvalidArgument(f"{name} must be an int number of seconds in [1, 2^32)")
        self._key = bytes(private_key)
        self.public_key: Point = eddsa.prv2pub(self._key)
        self._check: Callable[..., None] = books_check
        self.validity = validity
        self.rebind_cooldown = rebind_cooldown
        self._path = Path(path)
        try:
            self._db = sqlite3.connect(self._path, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            with self._tx() as db:
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        db.execute(stmt)
                self._check_meta(db)
        except sqlite3.Error as exc:
            raise StorageError(f"issuer database {self._path}: {exc}") from None

    def __repr__(self) -> str:  # never the key
        return f"Issuer({str(self._path)!r})"

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> Issuer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StorageError(f"issuer database {self._path}: {exc}") from None

    def _check_meta(self, db: sqlite3.Connection) -> None:
        key = f"{self.public_key.x},{self.public_key.y}"
        rows = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if not rows:
            db.executemany("INSERT INTO meta VALUES (?, ?)", [
                ("schema", _SCHEMA_VERSION), ("issuer", key), ("published_at", "-1"),
            ])
            return
        if rows.get("schema") != _SCHEMA_VERSION:
            raise StorageError(f"issuer database {self._path}: unknown schema "
                               f"{rows.get('schema')!r}")
        if rows.get("issuer") != key:
            raise InvalidArgument(f"issuer database {self._path} belongs to another issuer key")

    # --- books ---

    def set_books(
        self, subject: str, records: Sequence[CreditRecord], *, now: int
    ) -> list[int]:
        """Replace what the issuer holds for ``subject``; the ids of the attestations this
        revokes (all its live ones, when the books changed)."""
        check_subject(subject)
        check_time(now, "now")
        recs = list(records)
        for i, r in enumerate(recs):
            if not isinstance(r, CreditRecord):
                raise InvalidArgument(f"record {i} is not a CreditRecord")
        with self._tx() as db:
            old = self._books(db, subject)
            exists = db.execute("SELECT 1 FROM subjects WHERE subject = ?",
                                (subject,)).fetchone()
            if exists is None:
                db.execute("INSERT INTO subjects (subject, books_updated_at) VALUES (?, ?)",
                           (subject, now))
            if exists is not None and Counter(old) == Counter(recs):
                return []
            db.execute("DELETE FROM books WHERE subject = ?", (subject,))
            db.executemany("INSERT INTO books VALUES (?, ?, ?)", [
                (subject, i, canonical_json(r.to_json_dict()).decode())
                for i, r in enumerate(recs)
            ])
            db.execute("UPDATE subjects SET books_updated_at = ? WHERE subject = ?",
                       (now, subject))
            return self._revoke_subject(db, subject, now, "books changed")

    def books(self, subject: str) -> list[CreditRecord]:
        """The records the issuer holds for ``subject`` (empty if unknown)."""
        return self._books(self._db, check_subject(subject))

    @staticmethod
    def _books(db: sqlite3.Connection, subject: str) -> list[CreditRecord]:
        rows = db.execute("SELECT record FROM books WHERE subject = ? ORDER BY position",
                          (subject,)).fetchall()
        return [CreditRecord.from_mapping(loads_strict(r[0])) for r in rows]

    # --- issuance ---

    def attest(self, disclosure: Disclosure, *, now: int) -> Attestation:
        """Check ``disclosure`` against the books and the subject's binding, then sign.

        Raises `BooksMismatch` (unknown subject, records differ), `IdentityConflict`
        (another holder for this subject, or this holder for another subject).
        """
        if not isinstance(disclosure, Disclosure):
            raise InvalidArgument("attest needs a Disclosure")
        check_time(now, "now")
        subject, holder = disclosure.subject, disclosure.holder_commitment
        with self._tx() as db:
            row = db.execute(
                "SELECT holder_commitment, not_before_floor FROM subjects WHERE subject = ?",
                (subject,),
            ).fetchone()
            if row is None:
                raise BooksMismatch(f"subject {subject!r}: the issuer holds no books for it")
            bound, floor = row
            if bound is not None and int(bound) != holder:
                raise IdentityConflict(
                    f"subject {subject!r} is bound to another wallet (holder commitment); "
                    f"a second wallet for one subject is refused - the issuer can rebind "
                    f"after verifying the person"
                )
            other = db.execute(
                "SELECT subject FROM subjects WHERE holder_commitment = ? AND subject != ?",
                (str(holder), subject),
            ).fetchone()
            if other is not None:
                raise IdentityConflict("this wallet is already bound to another subject")
            self._check(subject, list(disclosure.history.records), self._books(db, subject))
            if bound is None:
                db.execute("UPDATE subjects SET holder_commitment = ?, bound_at = ? "
                           "WHERE subject = ?", (str(holder), now, subject))
            not_before = max(now, floor)
            not_after = not_before + self.validity
            check_time(not_after, "not_after")
            revocation_id = new_revocation_id()
            attestation = sign_attestation(
                self._key, disclosure.commitment(), holder_commitment=holder,
                revocation_id=revocation_id, not_before=not_before, not_after=not_after,
            )
            db.execute(
                "INSERT INTO attestations (revocation_id, subject, holder_commitment, "
                "commitment, not_before, not_after, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (str(revocation_id), subject, str(holder), str(attestation.commitment),
                 not_before, not_after, now),
            )
        return attestation

    def rebind(self, subject: str, *, now: int) -> list[int]:
        """Release ``subject``'s wallet binding (lost wallet, verified in person): revokes
        its live attestations; the next wallet's attestations start ``rebind_cooldown``
        seconds from ``now``. The revoked ids."""
        check_subject(subject)
        check_time(now, "now")
        with self._tx() as db:
            if db.execute("SELECT 1 FROM subjects WHERE subject = ?",
                          (subject,)).fetchone() is None:
                raise InvalidArgument(f"unknown subject {subject!r}")
            db.execute("UPDATE subjects SET holder_commitment = NULL, bound_at = NULL, "
                       "not_before_floor = ? WHERE subject = ?",
                       (now + self.rebind_cooldown, subject))
            return self._revoke_subject(db, subject, now, "rebound")

    def revoke(self, revocation_id: int, *, now: int, reason: str = "revoked") -> None:
        """Revoke one attestation by its id (idempotent)."""
        check_time(now, "now")
        with self._tx() as db:
            cur = db.execute(
                "UPDATE attestations SET revoked_at = ?, revoke_reason = ? "
                "WHERE revocation_id = ? AND revoked_at IS NULL",
                (now, reason, str(revocation_id)),
            )
            if cur.rowcount == 0 and db.execute(
                "SELECT 1 FROM attestations WHERE revocation_id = ?", (str(revocation_id),)
            ).fetchone() is None:
                raise InvalidArgument("no attestation has that revocation id")

    @staticmethod
    def _revoke_subject(db: sqlite3.Connection, subject: str, now: int, reason: str) -> list[int]:
        ids = [int(r[0]) for r in db.execute(
            "SELECT revocation_id FROM attestations WHERE subject = ? AND revoked_at IS NULL "
            "AND not_after >= ?", (subject, now))]
        db.execute("UPDATE attestations SET revoked_at = ?, revoke_reason = ? "
                   "WHERE subject = ? AND revoked_at IS NULL", (now, reason, subject))
        return ids

    def attestations(self, subject: str) -> list[dict[str, Any]]:
        """The subject's attestations as rows (ids, window, revocation), oldest first."""
        cols = ("revocation_id", "not_before", "not_after", "issued_at", "revoked_at",
                "revoke_reason")
        rows = self._db.execute(
            "SELECT revocation_id, not_before, not_after, issued_at, revoked_at, revoke_reason "
            "FROM attestations WHERE subject = ? ORDER BY issued_at, rowid",
            (check_subject(subject),)).fetchall()
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def revocation_list(self, *, now: int) -> RevocationList:
        """Sign the revoked ids still inside their window (expired ones fail the circuit's
        window check anyway), published at ``now`` (must be after the last list)."""
        check_time(now, "now")
        with self._tx() as db:
            (last,) = db.execute("SELECT value FROM meta WHERE key = 'published_at'").fetchone()
            if now <= int(last):
                raise RevocationListOutdated(
                    f"a revocation list was already published at {last}; publish at a later "
                    f"time"
                )
            ids = [int(r[0]) for r in db.execute(
                "SELECT revocation_id FROM attestations WHERE revoked_at IS NOT NULL "
                "AND not_after >= ?", (now,))]
            rl = RevocationList.sign(self._key, ids, now)
            db.execute("UPDATE meta SET value = ? WHERE key = 'published_at'", (str(now),))
        return rl
