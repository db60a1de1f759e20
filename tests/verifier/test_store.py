"""The replay store: SQLite durability settings, and atomic consumption under threads and
processes (two verifications of one nonce or nullifier never both pass)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from zkcredit.errors import InvalidArgument, PresentationRefused, StorageError
from zkcredit.verifier import (
    MemoryVerifierStore,
    SqliteVerifierStore,
    Verifier,
    VerifierStore,
    vk_hash,
)

from ._support import NOW, Borrower, keys, policy

ROOT = Path(__file__).resolve().parents[2]


def _verifier(path: Path) -> Verifier:
    vk = keys()[1]
    return Verifier(policy(), {vk_hash(vk): vk}, SqliteVerifierStore(path))


def test_both_stores_implement_the_protocol(tmp_path: Path) -> None:
    assert isinstance(MemoryVerifierStore(), VerifierStore)
    assert isinstance(SqliteVerifierStore(tmp_path / "v.db"), VerifierStore)


def test_sqlite_is_wal_and_synchronous_full(tmp_path: Path) -> None:
    store = SqliteVerifierStore(tmp_path / "v.db")
    with sqlite3.connect(tmp_path / "v.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"challenges", "consumed_nonces", "nullifiers"} <= tables
    db2 = store._connect()
    try:
        assert db2.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    finally:
        db2.close()


def test_sqlite_refuses_memory_path() -> None:
    with pytest.raises(InvalidArgument):
        SqliteVerifierStore(":memory:")


def test_sqlite_state_survives_reopening(tmp_path: Path) -> None:
    borrower = Borrower()
    first = _verifier(tmp_path / "v.db")
    ch = first.challenge(2, NOW)
    p = borrower.present(ch)
    first.verify(p.to_json(), ch.to_json(), NOW + 1)
    reopened = _verifier(tmp_path / "v.db")
    second = reopened.challenge(2, NOW + 2)
    with pytest.raises(PresentationRefused) as info:
        reopened.verify(borrower.present(second), second, NOW + 3)
    assert info.value.reason == "nullifier-reused"
    # and a challenge issued before the restart is still known
    other = Borrower()
    ch2 = first.challenge(1, NOW + 4)
    assert reopened.verify(other.present(ch2), ch2, NOW + 5).tier == 1


def test_issuing_the_same_nonce_twice_is_refused(tmp_path: Path) -> None:
    store = SqliteVerifierStore(tmp_path / "v.db")
    store.record_challenge(1, 2, b"{}")
    with pytest.raises(InvalidArgument):
        store.record_challenge(1, 2, b"{}")


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_concurrent_verifies_of_one_presentation_accept_once(tmp_path: Path, kind: str) -> None:
    borrower = Borrower()
    vk = keys()[1]
    shared: VerifierStore = (
        MemoryVerifierStore() if kind == "memory" else SqliteVerifierStore(tmp_path / "v.db")
    )
    verifiers = [
        Verifier(policy(), {vk_hash(vk): vk},
                 shared if kind == "memory" else SqliteVerifierStore(tmp_path / "v.db"))
        for _ in range(6)
    ]
    ch = verifiers[0].challenge(2, NOW)
    text = borrower.present(ch).to_json()
    barrier = threading.Barrier(len(verifiers))
    results: list[str] = []
    lock = threading.Lock()

    def run(v: Verifier) -> None:
        barrier.wait()
        try:
            v.verify(text, ch, NOW + 1)
            outcome = "accepted"
        except PresentationRefused as exc:
            outcome = exc.reason
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(v,)) for v in verifiers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("accepted") == 1
    assert set(results) - {"accepted"} <= {"nullifier-reused", "nonce-reused"}


_WORKER = """
import sys, time
from pathlib import Path
from zkcredit.errors import PresentationRefused
from zkcredit.verifier import SqliteVerifierStore
db, go, nonce = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
store = SqliteVerifierStore(db)
while not go.exists():
    time.sleep(0.001)
try:
    store.consume(7, nonce, 424242, 3, 1000)
    print("accepted")
except PresentationRefused as exc:
    print(exc.reason)
"""


def test_two_processes_consuming_one_nullifier_accept_once(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    store = SqliteVerifierStore(db)
    for nonce in (1, 2, 3, 4):  # four challenges, one nullifier: only one may pass
        store.record_challenge(7, nonce, b"{}")
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(db), str(go), str(nonce)],
            stdout=subprocess.PIPE, text=True, cwd=ROOT,
        )
        for nonce in (1, 2, 3, 4)
    ]
    time.sleep(1.0)  # let every worker open the store and wait
    go.touch()
    outcomes = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert sorted(outcomes) == ["accepted"] + ["nullifier-reused"] * 3
    assert store.nullifier_used(7, 424242)
    assert sum(store.nonce_consumed(7, n) for n in (1, 2, 3, 4)) == 1


def test_consume_of_unknown_challenge_is_refused(tmp_path: Path) -> None:
    for store in (MemoryVerifierStore(), SqliteVerifierStore(tmp_path / "v.db")):
        with pytest.raises(PresentationRefused) as info:
            store.consume(1, 2, 3, 0, NOW)
        assert info.value.reason == "unknown-challenge"
        assert not store.nullifier_used(1, 3)


def test_sqlite_failures_are_storage_errors(tmp_path: Path) -> None:
    store = SqliteVerifierStore(tmp_path / "v.db")
    with sqlite3.connect(tmp_path / "v.db") as db:
        db.execute("DROP TABLE nullifiers")
    with pytest.raises(StorageError):
        store.nullifier_used(1, 2)
    store.record_challenge(1, 2, b"{}")
    with pytest.raises(StorageError):
        store.consume(1, 2, 3, 0, NOW)
    assert not store.nonce_consumed(1, 2)  # the failed consume left nothing behind
