"""`VerifierStore.prune`: expired challenges nobody answered are forgotten (and then refused as
`unknown-challenge`); answered challenges, consumed nonces and nullifiers are kept, so no
replay that was refused before a prune is accepted after it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from zkcredit.errors import InvalidArgument, PresentationRefused
from zkcredit.verifier import (
    MemoryVerifierStore,
    SqliteVerifierStore,
    Verifier,
    VerifierStore,
    vk_hash,
)

from ._support import NOW, Borrower, keys, policy

LIFETIME = 600  # _support.policy's challenge_lifetime


def _verifier(store: VerifierStore) -> Verifier:
    vk = keys()[1]
    return Verifier(policy(), {vk_hash(vk): vk}, store)


def _reason(v: Verifier, *args: object) -> str:
    with pytest.raises(PresentationRefused) as info:
        v.verify(*args)  # type: ignore[arg-type]
    return info.value.reason


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_prune_forgets_only_expired_unanswered_challenges(tmp_path: Path, kind: str) -> None:
    store = MemoryVerifierStore() if kind == "memory" else SqliteVerifierStore(tmp_path / "v.db")
    v = _verifier(store)
    lender = v.policy.lender_id
    answered_by, unanswered_by = Borrower(), Borrower()
    answered = v.challenge(2, NOW)
    unanswered = v.challenge(2, NOW)
    late = v.challenge(2, NOW + 100)  # still live at the prune
    accepted = answered_by.present(answered)
    v.verify(accepted, answered, NOW + 1)
    never_sent = unanswered_by.present(unanswered)

    assert store.prune(NOW + LIFETIME - 1) == 0  # nothing has expired yet
    assert store.prune(NOW + LIFETIME) == 1  # expires_at <= now: the unanswered one
    assert store.prune(NOW + LIFETIME) == 0

    assert store.get_challenge(lender, unanswered.nonce) is None
    assert store.get_challenge(lender, answered.nonce) == answered.to_json()
    assert store.get_challenge(lender, late.nonce) == late.to_json()
    # a pruned challenge is simply unknown (even at a time it would still have been live)
    assert _reason(v, never_sent, unanswered, NOW + 2) == "unknown-challenge"
    # the answered challenge is still refused: the nonce record and the nullifier stay
    assert store.nonce_consumed(lender, answered.nonce)
    assert _reason(v, accepted, answered, NOW + 2) == "nullifier-reused"
    assert _reason(v, Borrower().present(answered), answered, NOW + 2) == "nonce-reused"
    # the nullifier is refused on a fresh challenge of the same epoch too
    fresh = v.challenge(2, NOW + 101)
    assert store.nullifier_used(lender, accepted.signal("nullifier"))
    assert _reason(v, answered_by.present(fresh), fresh, NOW + 102) == "nullifier-reused"
    # and the live challenge still works
    assert v.verify(Borrower().present(late), late, NOW + 101).tier == 2


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_prune_keeps_challenges_recorded_without_expiry(tmp_path: Path, kind: str) -> None:
    store = MemoryVerifierStore() if kind == "memory" else SqliteVerifierStore(tmp_path / "v.db")
    store.record_challenge(7, 1, b"{}")
    store.record_challenge(7, 2, b"{}", expires_at=10)
    assert store.prune(2**40 - 1) == 1
    assert store.get_challenge(7, 1) == b"{}" and store.get_challenge(7, 2) is None


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_challenge_recorded_without_expiry_uses_its_own(tmp_path: Path, kind: str) -> None:
    """What `zkcredit lender challenge` does (no expires_at): the stored challenge's own
    expires_at, the one `verify` enforces, makes it prunable; other bodies are kept."""
    store = MemoryVerifierStore() if kind == "memory" else SqliteVerifierStore(tmp_path / "v.db")
    ch = policy().challenge(2, NOW)
    store.record_challenge(ch.lender_id, ch.nonce, ch.to_json())
    for nonce, body in enumerate([b"[]", b'{"expires_at": 1.5}', b'{"expires_at": -1}',
                                  b"\xff\xfe", b"[" * 50_000, b"{" * 70_000]):
        store.record_challenge(7, nonce, body)
    assert store.prune(NOW + LIFETIME - 1) == 0
    assert store.prune(NOW + LIFETIME) == 1
    assert store.get_challenge(ch.lender_id, ch.nonce) is None
    assert store.prune(2**40 - 1) == 0


@pytest.mark.parametrize("now", [0, -5, 2**40, True, "1", 1.0, None])
def test_prune_checks_now(tmp_path: Path, now: object) -> None:
    for store in (MemoryVerifierStore(), SqliteVerifierStore(tmp_path / "v.db")):
        with pytest.raises(InvalidArgument):
            store.prune(now)  # type: ignore[arg-type]


@pytest.mark.parametrize("expires_at", [-1, 2**40, True, "5", 1.5])
def test_record_challenge_checks_expiry(tmp_path: Path, expires_at: object) -> None:
    for store in (MemoryVerifierStore(), SqliteVerifierStore(tmp_path / "v.db")):
        with pytest.raises(InvalidArgument):
            store.record_challenge(7, 1, b"{}", expires_at=expires_at)  # type: ignore[arg-type]
        assert store.get_challenge(7, 1) is None


_OLD_SCHEMA = """
CREATE TABLE challenges (
    lender_id TEXT NOT NULL, nonce TEXT NOT NULL, body BLOB NOT NULL,
    PRIMARY KEY (lender_id, nonce));
CREATE TABLE consumed_nonces (
    lender_id TEXT NOT NULL, nonce TEXT NOT NULL, consumed_at INTEGER NOT NULL,
    PRIMARY KEY (lender_id, nonce));
CREATE TABLE nullifiers (
    lender_id TEXT NOT NULL, nullifier TEXT NOT NULL, epoch INTEGER NOT NULL,
    nonce TEXT NOT NULL, recorded_at INTEGER NOT NULL,
    PRIMARY KEY (lender_id, nullifier));
"""


def test_a_store_from_before_pruning_gets_its_expiries(tmp_path: Path) -> None:
    """The expires_at column is added and filled from each stored canonical challenge, so
    challenges issued before the upgrade can be pruned; bodies without one are kept."""
    path = tmp_path / "old.db"
    v = _verifier(MemoryVerifierStore())
    expired, live = v.policy.challenge(2, NOW), v.policy.challenge(2, NOW + 10_000)
    with sqlite3.connect(path) as db:
        db.executescript(_OLD_SCHEMA)
        for ch in (expired, live):
            db.execute("INSERT INTO challenges VALUES (?, ?, ?)",
                       (str(ch.lender_id), str(ch.nonce), ch.to_json()))
        db.execute("INSERT INTO challenges VALUES ('7', '1', ?)", (b"not json",))
    store = SqliteVerifierStore(path)
    assert store.prune(NOW + LIFETIME) == 1
    assert store.get_challenge(expired.lender_id, expired.nonce) is None
    assert store.get_challenge(live.lender_id, live.nonce) == live.to_json()
    assert store.get_challenge(7, 1) == b"not json"
    SqliteVerifierStore(path)  # reopening a migrated store is a no-op
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
