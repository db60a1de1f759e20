"""`Verifier.verify_many` and `VerifierStore.consume_many`: a batch gives, item for item, what
sequential `verify` calls in the same order give (including two items of one batch with the
same nullifier or challenge), records every accepted presentation in one atomic transaction,
and refuses a malformed call before doing any work."""

from __future__ import annotations

import random
import sqlite3
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zkcredit.decision import CreditDecision
from zkcredit.errors import InvalidArgument, PresentationRefused, StorageError
from zkcredit.hazmat import groth16
from zkcredit.verifier import (
    MAX_BATCH,
    Challenge,
    LenderPolicy,
    MemoryVerifierStore,
    Presentation,
    SqliteVerifierStore,
    Verifier,
    VerifierStore,
    sign_presentation,
    vk_hash,
)

from ._support import NOW, Borrower, keys, other_keys, policy

AT = NOW + 5  # when every batch is verified: the pool's live challenges are unexpired


@dataclass(frozen=True)
class Pool:
    """Real presentations of the stand-in circuit, made once, chosen so that batches of them
    hit every store-dependent path: accepted, in-batch nullifier and nonce reuse, a bad
    proof (alone, and sharing an accepted nullifier), malformed, expired, unknown."""

    policy: LenderPolicy
    challenges: tuple[Challenge, ...]  # to record in every fresh store
    items: dict[str, tuple[Presentation | bytes, Challenge]]


@cache
def pool() -> Pool:
    pol = policy()
    issued = [pol.challenge(2, NOW) for _ in range(5)]
    ch1, ch2, ch3, ch4, ch5 = issued
    expired = pol.challenge(2, NOW - pol.challenge_lifetime)  # expires_at = NOW
    unknown = pol.challenge(2, NOW)  # never recorded
    b1, b2, b3, b4 = Borrower(), Borrower(), Borrower(), Borrower()
    a = b1.present(ch1)
    rerandomized = sign_presentation(
        b1.key(ch1.lender_id), ch1.circuit_id, ch1.vk_hash, a.public_signals,
        groth16.rerandomize(keys()[1], a.proof),
    )
    e = b4.present(ch4)

    def bad_proof(borrower: Borrower, ch: Challenge) -> Presentation:
        """Signed by the borrower, every check passes but the pairing: another statement's proof."""
        return sign_presentation(
            borrower.key(ch.lender_id), ch.circuit_id, ch.vk_hash, borrower.signals(ch), e.proof
        )

    items: dict[str, tuple[Presentation | bytes, Challenge]] = {
        "a": (a, ch1),
        "a-rerandomized": (rerandomized, ch1),  # same nullifier and nonce, other proof bytes
        "b-same-challenge": (b2.present(ch1), ch1),  # nonce-reused once a is in
        "a-other-challenge": (b1.present(ch2), ch2),  # a's nullifier on another challenge
        "d-bad-proof": (bad_proof(b3, ch3), ch3),
        "a-bad-proof": (bad_proof(b1, ch4), ch4),  # a's nullifier AND a bad proof
        "e": (e, ch4),
        "f": (b3.present(ch5), ch5),  # d's nullifier, valid
        "malformed": (b'{"format": "zkcredit-presentation"}', ch2),
        "expired": (b2.present(expired), expired),
        "unknown": (b2.present(unknown), unknown),
    }
    return Pool(pol, (*issued, expired), items)


def fresh(pool_: Pool, store: VerifierStore) -> Verifier:
    for ch in pool_.challenges:
        store.record_challenge(ch.lender_id, ch.nonce, ch.to_json(), expires_at=ch.expires_at)
    vk = keys()[1]
    return Verifier(pool_.policy, {vk_hash(vk): vk}, store)


def sequential(v: Verifier, batch: list[tuple[object, Challenge]]) -> list[object]:
    out: list[object] = []
    for p, ch in batch:
        try:
            out.append(v.verify(p, ch, AT))  # type: ignore[arg-type]
        except PresentationRefused as exc:
            out.append(exc)
    return out


def outcome(result: object) -> object:
    """A decision as itself, a refusal as its reason code."""
    if isinstance(result, PresentationRefused):
        return result.reason
    assert isinstance(result, CreditDecision)
    return result


def state(v: Verifier, pool_: Pool) -> tuple[list[bool], list[bool]]:
    lender = pool_.policy.lender_id
    nonces = [v.store.nonce_consumed(lender, ch.nonce) for ch in pool_.challenges]
    nullifiers = []
    for p, _ in pool_.items.values():
        if isinstance(p, Presentation):
            nullifiers.append(v.store.nullifier_used(lender, p.signal("nullifier")))
    return nonces, nullifiers


def check_equivalent(names: list[str], batched: Verifier, one_by_one: Verifier) -> None:
    pool_ = pool()
    batch = [pool_.items[n] for n in names]
    got = batched.verify_many(batch, AT)
    want = sequential(one_by_one, batch)  # type: ignore[arg-type]
    assert [outcome(r) for r in got] == [outcome(r) for r in want], names
    assert state(batched, pool_) == state(one_by_one, pool_)


_KEYS = [
    "a", "a-rerandomized", "b-same-challenge", "a-other-challenge", "d-bad-proof",
    "a-bad-proof", "e", "f", "malformed", "expired", "unknown",
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_KEYS), max_size=10), st.integers(0, 2))
def test_batches_equal_sequential_verify(names: list[str], prefix: int) -> None:
    """Random queues (repeats included), optionally after part of the queue was already
    accepted one by one: every item's result and the final store state are sequential's."""
    pool_ = pool()
    assert set(_KEYS) == set(pool_.items)
    batched, one_by_one = fresh(pool_, MemoryVerifierStore()), fresh(pool_, MemoryVerifierStore())
    earlier = names[:prefix]
    check_equivalent(earlier, batched, one_by_one)  # state before the batch: a few accepted
    check_equivalent(names[prefix:], batched, one_by_one)


@pytest.mark.parametrize("names", [
    ["a", "a", "a-rerandomized", "b-same-challenge", "a-other-challenge", "a-bad-proof", "e"],
    ["a-bad-proof", "a", "d-bad-proof", "f", "d-bad-proof", "malformed", "expired", "unknown"],
    ["b-same-challenge", "a", "a-other-challenge", "e", "f", "f"],
])
def test_sqlite_batches_equal_sequential_verify(tmp_path: Path, names: list[str]) -> None:
    pool_ = pool()
    check_equivalent(
        names,
        fresh(pool_, SqliteVerifierStore(tmp_path / "batched.db")),
        fresh(pool_, SqliteVerifierStore(tmp_path / "sequential.db")),
    )


def test_in_batch_reuse_is_refused_like_a_later_verify() -> None:
    pool_ = pool()
    v = fresh(pool_, MemoryVerifierStore())
    it = pool_.items
    results = v.verify_many(
        [it["a"], it["a"], it["a-rerandomized"], it["b-same-challenge"], it["a-other-challenge"],
         it["a-bad-proof"], it["d-bad-proof"], it["f"], it["malformed"]],
        AT,
    )
    assert isinstance(results[0], CreditDecision)
    assert [outcome(r) for r in results[1:]] == [
        "nullifier-reused", "nullifier-reused", "nonce-reused", "nullifier-reused",
        "nullifier-reused",  # its proof is bad too, but step 7 comes first
        "proof-invalid", results[7], "malformed",
    ]
    assert isinstance(results[7], CreditDecision)  # d's nullifier: d was never accepted
    assert results[0].nullifier == it["a"][0].signal("nullifier")  # type: ignore[union-attr]


def test_a_bad_proof_before_its_nullifier_is_accepted_is_proof_invalid() -> None:
    it = pool().items
    v = fresh(pool(), MemoryVerifierStore())
    first, second = v.verify_many([it["a-bad-proof"], it["a"]], AT)
    assert outcome(first) == "proof-invalid"
    assert isinstance(second, CreditDecision)


def test_refusals_keep_their_cause() -> None:
    it = pool().items
    v = fresh(pool(), MemoryVerifierStore())
    (refusal,) = v.verify_many([it["malformed"]], AT)
    assert isinstance(refusal, PresentationRefused) and refusal.__cause__ is not None


class CountingStore(SqliteVerifierStore):
    """The real SQLite store, counting its write transactions."""

    consumes = 0

    def consume_many(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.consumes += 1
        return super().consume_many(*args, **kwargs)


def test_one_transaction_per_batch(tmp_path: Path) -> None:
    pool_ = pool()
    store = CountingStore(tmp_path / "v.db")
    v = fresh(pool_, store)
    it = pool_.items
    results = v.verify_many([it["a"], it["e"], it["f"], it["d-bad-proof"]], AT)
    assert [isinstance(r, CreditDecision) for r in results] == [True, True, True, False]
    assert store.consumes == 1
    with sqlite3.connect(tmp_path / "v.db") as db:
        assert db.execute("SELECT count(*) FROM nullifiers").fetchone()[0] == 3
        assert db.execute("SELECT count(*) FROM consumed_nonces").fetchone()[0] == 3


def test_empty_batch_is_empty(tmp_path: Path) -> None:
    v = fresh(pool(), SqliteVerifierStore(tmp_path / "v.db"))
    assert v.verify_many([], AT) == []


def test_a_batch_of_refusals_never_writes(tmp_path: Path) -> None:
    """Junk costs the checks, not the write lock or an fsync."""
    store = CountingStore(tmp_path / "v.db")
    v = fresh(pool(), store)
    it = pool().items
    results = v.verify_many([it["malformed"], it["expired"], it["d-bad-proof"]], AT)
    assert [outcome(r) for r in results] == ["malformed", "challenge-expired", "proof-invalid"]
    assert store.consumes == 0


@pytest.mark.parametrize("items", [
    "not a list", b"bytes", {"a": 1}, [("only one",)], [("p", "c", "x")], ["pc"], [1], None, 7,
])
def test_malformed_calls_raise_before_any_work(items: object) -> None:
    v = fresh(pool(), MemoryVerifierStore())
    with pytest.raises(InvalidArgument):
        v.verify_many(items, AT)  # type: ignore[arg-type]


@pytest.mark.parametrize("now", [0, -1, 2**40, True, 1.5, "1"])
def test_verify_many_checks_now(now: object) -> None:
    v = fresh(pool(), MemoryVerifierStore())
    with pytest.raises(InvalidArgument):
        v.verify_many([pool().items["a"]], now)  # type: ignore[arg-type]
    assert not v.store.nullifier_used(
        pool().policy.lender_id, pool().items["a"][0].signal("nullifier")  # type: ignore[union-attr]
    )


def test_batch_size_is_bounded() -> None:
    v = fresh(pool(), MemoryVerifierStore())
    with pytest.raises(InvalidArgument):
        v.verify_many([pool().items["malformed"]] * (MAX_BATCH + 1), AT)


# --- the stores' consume_many ---------------------------------------------------------


def _stores(tmp_path: Path) -> list[VerifierStore]:
    return [MemoryVerifierStore(), SqliteVerifierStore(tmp_path / "v.db")]


def test_consume_many_applies_in_order_counting_the_batch(tmp_path: Path) -> None:
    for store in _stores(tmp_path):
        for nonce in (1, 2, 3):
            store.record_challenge(7, nonce, b"{}")
        results = store.consume_many(
            7, [(1, 10, 0), (1, 10, 0), (1, 11, 0), (2, 10, 0), (9, 12, 0), (2, 12, 0),
                (3, 13, 0)], NOW,
        )
        reasons = [None if r is None else r.reason for r in results]
        assert reasons == [None, "nullifier-reused", "nonce-reused", "nullifier-reused",
                           "unknown-challenge", None, None]
        assert [store.nullifier_used(7, nf) for nf in (10, 11, 12, 13)] == [
            True, False, True, True]
        assert all(store.nonce_consumed(7, n) for n in (1, 2, 3))


@pytest.mark.parametrize("entries", [
    "abc", [(1, 2)], [(1, 2, 3, 4)], [[1, 2, 3]], [(1, -2, 3)], [(True, 2, 3)], [(1, 2, 2**40)],
    [(1, "2", 3)], [(2**256, 1, 1)],
])
def test_consume_many_validates_every_entry_first(tmp_path: Path, entries: object) -> None:
    for store in _stores(tmp_path):
        store.record_challenge(7, 1, b"{}")
        batch = [(1, 5, 0), *entries] if isinstance(entries, list) else entries
        with pytest.raises(InvalidArgument):
            store.consume_many(7, batch, NOW)  # type: ignore[arg-type]
        assert not store.nullifier_used(7, 5) and not store.nonce_consumed(7, 1)


def test_consume_many_failing_midway_records_nothing(tmp_path: Path) -> None:
    """A real SQLite failure on the third insert (a trigger aborts it) rolls back the two
    entries already inserted in the same transaction."""
    store = SqliteVerifierStore(tmp_path / "v.db")
    for nonce in (1, 2, 3):
        store.record_challenge(7, nonce, b"{}")
    with sqlite3.connect(tmp_path / "v.db") as db:
        db.execute(
            "CREATE TRIGGER fail AFTER INSERT ON nullifiers WHEN NEW.nullifier = '30' "
            "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
        )
    with pytest.raises(StorageError, match="disk on fire"):
        store.consume_many(7, [(1, 10, 0), (2, 20, 0), (3, 30, 0)], NOW)
    assert not any(store.nullifier_used(7, nf) for nf in (10, 20, 30))
    assert not any(store.nonce_consumed(7, n) for n in (1, 2, 3))


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_concurrent_batches_accept_each_nullifier_and_challenge_once(
    tmp_path: Path, kind: str
) -> None:
    """Four verifiers (own SQLite connections, or one shared in-memory store) run the whole
    pool as one batch each, in different orders, at the same moment: over all of them a
    nullifier and a challenge are accepted at most once, and the store holds exactly the
    accepted ones."""
    pool_ = pool()
    vk = keys()[1]
    first = fresh(pool_, MemoryVerifierStore() if kind == "memory"
                  else SqliteVerifierStore(tmp_path / "v.db"))
    verifiers = [
        first if kind == "memory" else
        Verifier(pool_.policy, {vk_hash(vk): vk}, SqliteVerifierStore(tmp_path / "v.db"))
        for _ in range(4)
    ]
    orders = [list(pool_.items.values()) for _ in verifiers]
    for k, order in enumerate(orders):
        random.Random(k).shuffle(order)
    barrier = threading.Barrier(len(verifiers))
    accepted: list[CreditDecision] = []
    lock = threading.Lock()

    def run(v: Verifier, batch: list[tuple[Presentation | bytes, Challenge]]) -> None:
        barrier.wait()
        results = v.verify_many(batch, AT)
        with lock:
            accepted.extend(r for r in results if isinstance(r, CreditDecision))

    threads = [
        threading.Thread(target=run, args=pair)
        for pair in zip(verifiers, orders, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    nullifiers = [d.nullifier for d in accepted]
    assert accepted and len(set(nullifiers)) == len(nullifiers)
    lender = pool_.policy.lender_id
    recorded = {
        p.signal("nullifier") for p, _ in pool_.items.values()
        if isinstance(p, Presentation)
        and first.store.nullifier_used(lender, p.signal("nullifier"))
    }
    assert recorded == set(nullifiers)
    consumed = [ch.nonce for ch in pool_.challenges if first.store.nonce_consumed(lender, ch.nonce)]
    assert len(consumed) == len(accepted)  # one challenge per acceptance, none twice


def test_a_batch_under_two_verifying_keys_checks_each_group_under_its_key() -> None:
    """During a key rotation a batch mixes keys: the pairings are batched per key, and a
    proof made under the other key (valid there) is refused under the one it names."""
    vk1, vk2 = keys()[1], other_keys()[1]
    pk2 = other_keys()[0]
    circuit = pool().policy.verifying_keys[vk_hash(vk1)]
    pol = policy(verifying_keys={vk_hash(vk1): circuit, vk_hash(vk2): circuit})
    both = {vk_hash(vk1): vk1, vk_hash(vk2): vk2}
    challenges = [pol.challenge(2, NOW, vk_hash=vk_hash(vk)) for vk in (vk1, vk2, vk1, vk2, vk2)]
    borrowers = [Borrower() for _ in challenges]

    def under(k: int, pk: groth16.ProvingKey) -> tuple[Presentation, Challenge]:
        ch, b = challenges[k], borrowers[k]
        signals = b.signals(ch)
        proof = b.prove(signals, pk)
        return sign_presentation(
            b.key(ch.lender_id), ch.circuit_id, ch.vk_hash, signals, proof), ch

    batch = [under(0, keys()[0]), under(1, pk2), under(2, keys()[0]), under(3, keys()[0]),
             under(4, pk2)]
    stores = [MemoryVerifierStore(), MemoryVerifierStore()]
    for store in stores:
        for ch in challenges:
            store.record_challenge(ch.lender_id, ch.nonce, ch.to_json())
    batched, one_by_one = (Verifier(pol, both, store) for store in stores)
    got = [outcome(r) for r in batched.verify_many(batch, AT)]
    assert got == [outcome(r) for r in sequential(one_by_one, batch)]  # type: ignore[arg-type]
    assert [isinstance(r, CreditDecision) for r in got] == [True, True, True, False, True]
    assert got[3] == "proof-invalid"
