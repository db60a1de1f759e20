"""Issue 13: the batch API (`Ledger.submit_many`) and the group-commit front.

Every `ledger_url` test runs on SQLite and on the real PostgreSQL of `conftest.py`.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from conftest import PRICE, SCALE, Env, assert_sound
from sqlalchemy import create_engine, func, select, text

from zkcredit import errors
from zkcredit.ledger import (
    DUPLICATE,
    OK,
    REFUSED,
    Command,
    CommandResult,
    Ed25519RecordSigner,
    GroupCommitter,
    Ledger,
    ManualFeed,
    PriceReading,
    Tradeline,
)
from zkcredit.ledger import _storage as db

_TWIN_DB: dict[str, str] = {}


def _count(L: Ledger, table: object) -> int:
    with L.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _mixed_batch(line: int) -> list[Command]:
    """Valid and refused commands, a repeated id, a reused id with another payload."""
    return [
        Command("deposit", "b-1", ("lp1", 5_000_000)),
        Command("draw", "b-2", (line, 10**9)),             # refused: over the limit
        Command("draw", "b-3", (line, 1_000_000)),
        Command("deposit", "b-1", ("lp1", 5_000_000)),     # duplicate of b-1
        Command("deposit", "b-1", ("lp1", 5)),             # same id, other payload
        Command("withdraw", "b-4", ("nobody", 10)),        # refused: no shares
        Command("donate", "b-5", (0,)),                    # malformed amount
        Command("repay", "b-6", (line, 400_000)),
        Command("accrue", "b-7", (line,)),
        Command("draw", "b-8", (999_999, 1)),              # refused: unknown line
        Command("repay", "b-3", (line, 1_000_000)),        # id of a success, other kind
    ]


def _outcome(r: CommandResult) -> tuple[str, str | None, object]:
    return (r.status, r.error, None if r.receipt is None else r.receipt.to_json())


def test_batch_equals_one_by_one_and_refusals_do_not_abort(
        ledger_url: str, request: pytest.FixtureRequest) -> None:
    """Same results and the same database as applying the commands one at a time."""
    if ledger_url.startswith("sqlite"):
        twin_url = ledger_url.replace("ledger.db", "twin.db")
    else:
        server = request.getfixturevalue("postgres_server")
        if "twin" not in _TWIN_DB:
            _TWIN_DB["twin"] = server.create_database("batch_twin").rsplit("/", 1)[1]
        twin_url = server.fresh_schema(_TWIN_DB["twin"])
    results = []
    hashes = []
    for batched, url in ((True, ledger_url), (False, twin_url)):
        env = Env(url)
        line = env.funded_line()
        cmds = _mixed_batch(line)
        if batched:
            out = env.ledger.submit_many(cmds)
        else:
            out = [env.ledger.submit_many([c])[0] for c in cmds]
        results.append([_outcome(r) for r in out])
        hashes.append(env.ledger.state_hash())
        assert_sound(env.ledger)
        assert [r.status for r in out] == [OK, REFUSED, OK, DUPLICATE, REFUSED, REFUSED,
                                           REFUSED, OK, OK, REFUSED, REFUSED]
        assert [r.error for r in out if r.status == REFUSED] == [
            "CreditLimitExceeded", "IdempotencyConflict", "InsufficientBalance",
            "InvalidAmount", "UnknownLine", "IdempotencyConflict"]
        assert out[3].receipt == out[0].receipt
        assert out[7].receipt is not None and out[7].receipt["paid"] == 400_000
        assert env.ledger.line(line).debt == 600_000
        assert env.ledger.pool_state().cash == 100_000_000 + 5_000_000 - 600_000
        env.ledger.close()
    assert results[0] == results[1]
    assert hashes[0] == hashes[1]


def test_batch_results_match_the_single_command_api(ledger_url: str) -> None:
    env = Env(ledger_url)
    L = env.ledger
    line = env.funded_line()
    [r] = L.submit_many([Command("draw", "x-1", (line, 1_000))])
    assert r.status == OK and r.ok
    assert L.draw("x-1", line, 1_000) == r.receipt  # the single API sees the stored one
    with pytest.raises(errors.IdempotencyConflict):
        L.draw("x-1", line, 1_001)
    [d] = L.submit_many([Command("draw", "x-1", (line, 1_000))])
    assert d.status == DUPLICATE and d.receipt == r.receipt
    with pytest.raises(errors.CreditLimitExceeded):
        L.submit_many([Command("draw", "x-2", (line, 10**9))])[0].unwrap()
    # refusals are not stored by default (issue 7's D2 contract): the id is free again
    assert _count(L, db.refusals) == 0
    assert L.submit_many([Command("draw", "x-2", (line, 10))])[0].status == OK
    L.close()


def test_stored_refusals_spend_the_id(ledger_url: str) -> None:
    """store_refusals=True: TigerBeetle's rule, across batches and inside one."""
    env = Env(ledger_url)
    env.ledger.close()
    L = Ledger(env.url, primary_feed=env.primary, fallback_feed=env.fallback,
               record_signer=env.signer, audit_key=env.audit_key, clock=env.clock,
               store_refusals=True)
    env.ledger = L
    line = env.funded_line()
    out = L.submit_many([
        Command("draw", "s-1", (line, 10**9)),
        Command("draw", "s-1", (line, 10**9)),  # same batch: the stored refusal
        Command("draw", "s-1", (line, 10)),     # same batch, other payload: conflict
    ])
    assert [_outcome(r)[:2] for r in out] == [(REFUSED, "CreditLimitExceeded"),
                                             (DUPLICATE, "CreditLimitExceeded"),
                                             (REFUSED, "IdempotencyConflict")]
    assert out[1].message == out[0].message and out[1].receipt is None and not out[1].ok
    with pytest.raises(errors.CreditLimitExceeded) as info:
        L.draw("s-1", line, 10**9)  # a retry returns the same refusal, rebuilt
    assert str(info.value) == out[0].message
    with pytest.raises(errors.IdempotencyConflict):
        L.draw("s-1", line, 10)
    with pytest.raises(errors.InvalidAmount):  # malformed: refused before the database
        L.draw("s-2", line, -1)
    assert L.draw("s-2", line, 10).int("amount") == 10  # ... so its id is not spent
    assert _count(L, db.refusals) == 1
    with pytest.raises(errors.InvalidArgument):
        Ledger(env.url, primary_feed=env.primary, record_signer=env.signer,
               audit_key=env.audit_key, store_refusals=1)  # type: ignore[arg-type]
    assert_sound(L)
    L.close()


class _BrokenSigner:
    """A record signer with a bug: its failure is not a refusal."""

    def __init__(self, inner: Ed25519RecordSigner) -> None:
        self.inner = inner

    @property
    def scheme(self) -> str:
        return self.inner.scheme

    def public_key(self) -> bytes:
        return self.inner.public_key()

    def sign_record(self, record: Tradeline) -> bytes:
        raise RuntimeError("signer bug")


def test_a_failure_that_is_not_a_refusal_aborts_the_whole_batch(ledger_url: str) -> None:
    env = Env(ledger_url)
    line = env.funded_line()
    env.ledger.draw(env.cid(), line, 1_000)
    before = env.ledger.state_hash()
    env.ledger.close()
    L = Ledger(env.url, primary_feed=env.primary, fallback_feed=env.fallback,
               record_signer=_BrokenSigner(env.signer), audit_key=env.audit_key,
               clock=env.clock, store_refusals=True)
    batch = [Command("deposit", "f-1", ("lp2", 1_000_000)),
             Command("draw", "f-2", (line, 10**9)),      # refused (would be stored)
             Command("repay", "f-3", (line, 10**6))]     # clears the debt: signs: bug
    with pytest.raises(RuntimeError, match="signer bug"):
        L.submit_many(batch)
    assert L.state_hash() == before  # nothing of the batch, not even the refusal
    with GroupCommitter(L, max_batch=3, max_delay=1.0) as gc:  # waits for all three
        errs: list[BaseException] = []

        def call(c: Command) -> None:
            try:
                gc.submit(c)
            except RuntimeError as exc:
                errs.append(exc)

        threads = [threading.Thread(target=call, args=(c,)) for c in batch]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(errs) == 3 and gc.batches == 1  # every caller of the batch hears of it
    assert L.state_hash() == before
    L.close()


def test_submit_many_validates_its_input(tmp_path: Path) -> None:
    env = Env(f"sqlite:///{tmp_path / 'v.db'}")
    L = env.ledger
    with pytest.raises(errors.InvalidArgument):
        Command("mint", "m-1")
    with pytest.raises(errors.InvalidArgument):
        Command("deposit", "m-1", ["lp", 1])  # type: ignore[arg-type]
    with pytest.raises(errors.InvalidArgument):
        L.submit_many("deposit")  # type: ignore[arg-type]
    with pytest.raises(errors.InvalidArgument):
        L.submit_many([("deposit", "m-1", ("lp", 1))])  # type: ignore[list-item]
    out = L.submit_many([Command("deposit", "m-1", ("lp",)),          # missing argument
                         Command("deposit", "bad id\n", ("lp", 1)),   # malformed id
                         Command("deposit", "m-2", ("lp", 1.0))])     # float money
    assert [r.error for r in out] == ["InvalidArgument", "InvalidEncoding", "InvalidAmount"]
    assert L.submit_many([]) == []
    assert _count(L, db.commands) == 0
    with pytest.raises(errors.InvalidArgument):
        GroupCommitter(L, max_batch=0)
    with pytest.raises(errors.InvalidArgument):
        GroupCommitter(L, max_delay=-1)
    L.close()


def test_group_commit_many_threads(ledger_url: str) -> None:
    """16 threads submitting one command at a time: every answer individual and right,
    merged into far fewer transactions than commands, books sound, close drains."""
    env = Env(ledger_url)
    L = env.ledger
    line = env.funded_line(liquidity=10**10, collateral=100 * SCALE)
    cash0 = L.pool_state().cash
    n_threads, per = 16, 15
    got: dict[str, CommandResult] = {}
    lock = threading.Lock()
    gc = GroupCommitter(L, max_batch=64, max_delay=0.002)
    start = threading.Event()

    def worker(t: int) -> None:
        start.wait()
        for i in range(per):
            cid = f"t{t}-{i}"
            if i % 5 == 4:
                cmd = Command("withdraw", cid, (f"nobody-{t}", 1))  # refused
            elif i % 5 == 3:
                cmd = Command("deposit", f"t{t}-0", (f"lp-{t}", 10_000 + t))  # dup of i=0
            elif i % 5 == 2:
                cmd = Command("draw", cid, (line, 100 + t))
            else:
                cmd = Command("deposit", cid, (f"lp-{t}", 10_000 + t))
            r = gc.submit(cmd)
            with lock:
                got[f"{cid}#{i}"] = r

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(n_threads)]
    for t in threads:
        t.start()
    start.set()
    for t in threads:
        t.join()
    late = [threading.Thread(target=lambda i=i: got.__setitem__(  # type: ignore[misc]
        f"late-{i}", gc.submit(Command("donate", f"late-{i}", (3,))))) for i in range(20)]
    for t in late:
        t.start()
    time.sleep(0.01)
    gc.close()  # drains whatever is queued
    for t in late:
        t.join()
    with pytest.raises(errors.StorageError):
        gc.submit(Command("donate", "after-close", (1,)))
    assert len(got) == n_threads * per + 20
    statuses = {k: r.status for k, r in got.items()}
    assert sum(s == REFUSED for s in statuses.values()) == n_threads * (per // 5)
    assert sum(s == DUPLICATE for s in statuses.values()) == n_threads * (per // 5)
    assert all(got[f"late-{i}"].status == OK for i in range(20))
    assert gc.batches < (n_threads * per + 20) // 2  # really grouped
    deposits = sum(r.receipt.int("amount") for r in got.values()
                   if r.status == OK and r.kind == "deposit" and r.receipt is not None)
    draws = sum(r.receipt.int("amount") for r in got.values()
                if r.status == OK and r.kind == "draw" and r.receipt is not None)
    assert L.pool_state().cash == cash0 + deposits - draws + 20 * 3
    assert_sound(L)
    L.close()


class _MeddlingFeed(ManualFeed):
    """A real feed that, on its first reading, has another connection update the oracle
    row the batch has already read: the batch's SERIALIZABLE transaction then fails with
    SQLSTATE 40001 in the middle, after earlier commands of the batch were applied."""

    def __init__(self, url: str, price: int, at: int) -> None:
        super().__init__(price, at)
        self.url = url
        self.calls = 0

    def latest(self) -> PriceReading:
        self.calls += 1
        if self.calls == 1:
            eng = create_engine(self.url)
            with eng.begin() as conn:
                conn.execute(text("UPDATE oracle_state SET last_at = last_at"))
            eng.dispose()
        return super().latest()


def test_a_lost_race_mid_batch_reruns_the_whole_batch(ledger_url: str) -> None:
    if ledger_url.startswith("sqlite"):
        pytest.skip("SQLite takes the write lock at BEGIN IMMEDIATE: no mid-batch race")
    env = Env(ledger_url)
    line = env.funded_line()
    env.ledger.close()
    feed = _MeddlingFeed(ledger_url, PRICE, env.clock.t)
    L = Ledger(ledger_url, primary_feed=feed, fallback_feed=env.fallback,
               record_signer=env.signer, audit_key=env.audit_key, clock=env.clock)
    cash = L.pool_state().cash
    out = L.submit_many([Command("deposit", "r-1", ("lp9", 1_000_000)),
                         Command("draw", "r-2", (line, 1_000)),  # reads the feed: race
                         Command("donate", "r-3", (5,))])
    assert [r.status for r in out] == [OK, OK, OK]
    assert feed.calls == 2  # the whole batch ran twice ...
    assert L.pool_state().cash == cash + 1_000_000 - 1_000 + 5  # ... and applied once
    assert [r.receipt.seq for r in out if r.receipt] == sorted(
        r.receipt.seq for r in out if r.receipt)
    assert_sound(L)
    L.close()
