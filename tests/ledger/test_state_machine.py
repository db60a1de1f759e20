"""D1: a Hypothesis state machine over random ledger command sequences.

After every step: debits = credits (overall and per entry), aggregates = the sums they
summarize, no negative balance, borrow indexes never decrease, the pool's cash equals a
ghost model of every cash movement, and replaying a command id returns its stored result.

Issue 13: a rule submits a random batch (`submit_many`: valid and refused commands, a
repeated id, a reused id with another payload, a malformed command). On SQLite the
database is copied first and the same commands are applied one at a time to the copy:
results and the resulting state hash must be equal.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections import Counter

import pytest
from conftest import PRICE, SCALE, Env
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    rule,
)

from zkcredit import errors
from zkcredit.ledger import DUPLICATE, OK, RAY, Command, CommandResult, Ledger, Receipt

DEPOSITORS = ("lp-a", "lp-b", "lp-c")
BATCH_OPS = ("deposit", "withdraw", "donate", "draw", "repay", "withdraw_collateral",
             "accrue", "dup", "conflict", "unknown_line", "malformed")
STATS: Counter[str] = Counter()  # what the machine exercised (printed with -s)


class LedgerMachine(RuleBasedStateMachine):
    url_factory: object = None

    lines = Bundle("lines")

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        factory = type(self).url_factory
        url = factory() if callable(factory) else f"sqlite:///{self.tmp.name}/l.db"
        self.env = Env(url)
        self.L = self.env.ledger
        self.cash = 0
        self.indexes: dict[int, int] = {}
        self.done: list[Receipt] = []
        self.batched: list[tuple[Command, Receipt]] = []  # commands a batch applied
        self.nullifier = 0
        self.price = PRICE

    def teardown(self) -> None:
        self.L.close()
        self.tmp.cleanup()

    def _run(self, fn, *args):  # type: ignore[no-untyped-def]
        try:
            r: Receipt = fn(self.env.cid(), *args)
        except errors.LedgerError as exc:
            event(f"{fn.__name__} refused: {type(exc).__name__}")
            STATS[f"{fn.__name__} refused: {type(exc).__name__}"] += 1
            return None
        event(f"{fn.__name__} accepted")
        STATS[f"{fn.__name__} accepted"] += 1
        self.done.append(r)
        return r

    @initialize(target=lines)
    def leveraged_lines(self):  # type: ignore[no-untyped-def]
        """Seed the pool and open two lines near their limits, so price crashes lead to
        liquidations."""
        assert self._run(self.L.deposit, "lp-a", 50_000_000)
        self.cash += 50_000_000
        made = []
        for tier, collateral, amount in ((0, SCALE, 1_500_000), (3, SCALE // 2, 5_000_000)):
            self.nullifier += 1
            if tier == 0:
                r = self._run(self.L.open_unproven_line, 1000 + self.nullifier, 7)
            else:
                r = self._run(self.L.open_line, self.env.decision(
                    tier=tier, nullifier=self.nullifier, borrower=1000 + self.nullifier,
                    expires_in=60 * 86400))
            assert r is not None
            line = r.int("line_id")
            assert self._run(self.L.deposit_collateral, line, collateral)
            assert self._run(self.L.draw, line, amount)
            self.cash -= amount
            made.append(line)
        return multiple(*made)

    @rule(who=st.sampled_from(DEPOSITORS), amount=st.integers(1, 20_000_000))
    def deposit(self, who: str, amount: int) -> None:
        if self._run(self.L.deposit, who, amount):
            self.cash += amount

    @rule(who=st.sampled_from(DEPOSITORS), frac=st.integers(1, 100))
    def withdraw(self, who: str, frac: int) -> None:
        shares = self.L.shares_of(who) * frac // 100
        if shares and (r := self._run(self.L.withdraw, who, shares)):
            self.cash -= r.int("amount")

    @rule(amount=st.integers(1, 1_000_000))
    def donate(self, amount: int) -> None:
        if self._run(self.L.donate, amount):
            self.cash += amount

    @rule(target=lines, tier=st.sampled_from([0, 1, 2, 3]),
          collateral=st.integers(0, 2 * SCALE))
    def open_line(self, tier: int, collateral: int):  # type: ignore[no-untyped-def]
        self.nullifier += 1
        if tier == 0:
            r = self._run(self.L.open_unproven_line, 5 + self.nullifier, 7)
        else:
            r = self._run(self.L.open_line, self.env.decision(
                tier=tier, nullifier=self.nullifier, borrower=5 + self.nullifier,
                expires_in=60 * 86400))
        if not r:
            return multiple()
        if collateral:
            self._run(self.L.deposit_collateral, r.int("line_id"), collateral)
        return multiple(r.int("line_id"))

    @rule(line=lines, amount=st.integers(1, 3 * SCALE))
    def deposit_collateral(self, line: int, amount: int) -> None:
        self._run(self.L.deposit_collateral, line, amount)

    @rule(line=lines, amount=st.integers(1, 3 * SCALE))
    def withdraw_collateral(self, line: int, amount: int) -> None:
        if self._run(self.L.withdraw_collateral, line, amount):
            self._assert_healthy(line)

    @rule(line=lines, amount=st.integers(1, 3_000_000))
    def draw(self, line: int, amount: int) -> None:
        if self._run(self.L.draw, line, amount):
            self.cash -= amount
            self._assert_healthy(line)

    def _assert_healthy(self, line: int) -> None:
        """HF_GPOST_C: a user's own draw/withdrawal never leaves HF < 1."""
        hf = self.L.health_factor(line, self.price)
        assert hf is None or hf >= RAY

    @rule(line=lines, amount=st.integers(1, 4_000_000))
    def repay(self, line: int, amount: int) -> None:
        if r := self._run(self.L.repay, line, amount):
            self.cash += r.int("paid")
            assert r.int("paid") + r.int("refund") == amount

    @rule(dt=st.integers(0, 20 * 86400), line=st.none() | lines)
    def accrue(self, dt: int, line: int | None) -> None:
        self.env.advance(dt)
        self._run(self.L.accrue, line)

    @rule(move_pct=st.integers(-3, 3), crash=st.integers(0, 7))
    def price(self, move_pct: int, crash: int) -> None:
        self.env.clock.advance(3600)
        if crash == 0:
            move_pct = -40  # past the breaker: accepted because both feeds agree
        elif crash == 1:
            move_pct = 40
        self.price = max(1000, self.price * (100 + move_pct) // 100)
        self.env.set_price(self.price)
        self._run(self.L.update_price)

    @rule(line=lines, amount=st.integers(1, 3_000_000))
    def liquidate(self, line: int, amount: int) -> None:
        if r := self._run(self.L.liquidate, line, "liquidator", amount):
            self.cash += r.int("repaid")
            assert r.int("seized") >= 0 and r.int("deficit") >= 0

    @rule(line=lines, amount=st.integers(1, 3_000_000), drop=st.integers(10, 45))
    def crash_then_liquidate(self, line: int, amount: int, drop: int) -> None:
        self.env.clock.advance(3600)
        self.price = max(1000, self.price * (100 - drop) // 100)
        self.env.set_price(self.price)
        self._run(self.L.update_price)
        self.liquidate(line, amount)

    @rule(line=consumes(lines))
    def default(self, line: int) -> None:
        if r := self._run(self.L.mark_default, line):
            self.cash += r.int("recovered")

    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        if not self.done:
            return
        old = data.draw(st.sampled_from(self.done))
        again: Receipt | None = None
        if old.kind == "donate":
            again = self.L.donate(old.command_id, old.int("amount"))
        elif old.kind == "draw":
            again = self.L.draw(old.command_id, old.int("line_id"), old.int("amount"))
        elif old.kind == "deposit_collateral":
            again = self.L.deposit_collateral(old.command_id, old.int("line_id"),
                                              old.int("amount"))
        if again is not None:
            assert again == old
        with pytest.raises(errors.IdempotencyConflict):
            self.L.donate(old.command_id, 10**12 + 7)

    @rule(line=lines, ops=st.lists(st.tuples(st.sampled_from(BATCH_OPS),
                                            st.integers(1, 3_000_000),
                                            st.sampled_from(DEPOSITORS)),
                                  min_size=1, max_size=8))
    def batch(self, line: int, ops: list[tuple[str, int, str]]) -> None:
        cmds: list[Command] = []
        for op, amount, who in ops:
            if op == "dup" and cmds:
                cmds.append(cmds[-1])
                continue
            if op == "conflict" and cmds:
                cmds.append(Command("donate", cmds[-1].command_id, (1_000_003,)))
                continue
            cid = self.env.cid()
            if op == "deposit":
                cmds.append(Command("deposit", cid, (who, amount)))
            elif op == "withdraw":
                cmds.append(Command("withdraw", cid, (who, amount * 10**4)))
            elif op == "donate":
                cmds.append(Command("donate", cid, (amount % 1_000_000 + 1,)))
            elif op in ("draw", "repay", "withdraw_collateral"):
                cmds.append(Command(op, cid, (line, amount)))
            elif op == "unknown_line":
                cmds.append(Command("draw", cid, (10**6, amount)))
            elif op == "malformed":
                cmds.append(Command("donate", cid, (-amount,)))
            else:
                cmds.append(Command("accrue", cid, (line,)))
        twin = self._twin() if self.env.url.startswith("sqlite") else None
        out = self.L.submit_many(cmds)
        assert len(out) == len(cmds)
        for cmd, r in zip(cmds, out, strict=True):
            event(f"batch {cmd.kind} {r.status}")
            STATS[f"batch {r.status}"] += 1
            assert r.command_id == cmd.command_id and r.kind == cmd.kind
            assert (r.receipt is not None) == r.ok
            if r.status != OK or r.receipt is None:
                continue
            self.done.append(r.receipt)
            self.batched.append((cmd, r.receipt))
            v = r.receipt
            if cmd.kind in ("deposit", "donate"):
                self.cash += v.int("amount")
            elif cmd.kind in ("draw", "withdraw"):
                self.cash -= v.int("amount")
            elif cmd.kind == "repay":
                self.cash += v.int("paid")
            if cmd.kind in ("draw", "withdraw_collateral"):
                self._assert_healthy(line)
        if twin is not None:
            one_by_one = [twin.submit_many([c])[0] for c in cmds]
            assert [_outcome(r) for r in one_by_one] == [_outcome(r) for r in out]
            assert twin.state_hash() == self.L.state_hash()
            twin.close()

    @rule(data=st.data())
    def batch_replay(self, data: st.DataObject) -> None:
        """Resubmitting commands a batch already applied answers ``duplicate`` with the
        stored receipt and moves no money, even next to a fresh command."""
        if not self.batched:
            return
        picked = data.draw(st.lists(st.sampled_from(self.batched), min_size=1, max_size=3))
        fresh = Command("donate", self.env.cid(), (1,))
        out = self.L.submit_many([cmd for cmd, _ in picked] + [fresh])
        for (cmd, receipt), r in zip(picked, out, strict=False):
            STATS[f"batch {r.status}"] += 1
            assert r.status == DUPLICATE and r.receipt == receipt, (cmd, r)
        assert out[-1].status == OK
        self.cash += 1

    def _twin(self) -> Ledger:
        """A copy of the SQLite ledger as it is now, with the same clock, feeds and keys."""
        src = self.env.url.removeprefix("sqlite:///")
        dst = f"{self.tmp.name}/twin.db"
        if os.path.exists(dst):
            os.remove(dst)
        with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
            a.backup(b)
        a.close()
        b.close()
        e = self.env
        return Ledger(f"sqlite:///{dst}", primary_feed=e.primary, fallback_feed=e.fallback,
                      record_signer=e.signer, audit_key=e.audit_key, config=e.config,
                      clock=e.clock)

    @invariant()
    def books_balance(self) -> None:
        report = self.L.audit()
        assert report.ok, report.problems
        assert report.pool.cash == self.cash
        for tier in (0, 1, 2, 3):
            idx = self.L.tier_index(tier)
            assert idx >= self.indexes.get(tier, 0)
            self.indexes[tier] = idx


def _outcome(r: CommandResult) -> tuple[str, str | None, str | None, str | None]:
    return (r.status, r.error, r.message, None if r.receipt is None else r.receipt.to_json())


def _sqlite_machine() -> type[LedgerMachine]:
    class M(LedgerMachine):
        pass
    return M


SqliteMachine = _sqlite_machine()
SqliteMachine.TestCase.settings = settings(
    max_examples=int(os.environ.get("LEDGER_D1_EXAMPLES", "25")), stateful_step_count=25,
    deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.slow
def test_D1_state_machine_invariants_hold_after_every_step_sqlite() -> None:
    STATS.clear()
    SqliteMachine.TestCase().runTest()
    print(sorted(STATS.items()))
    assert STATS["liquidate accepted"] > 0 and STATS["draw accepted"] > 0
    assert STATS["batch ok"] > 0 and STATS["batch refused"] > 0 and STATS["batch duplicate"] > 0


@pytest.mark.slow
@pytest.mark.postgres
def test_D1_state_machine_invariants_hold_after_every_step_postgres(postgres_server) -> None:  # type: ignore[no-untyped-def]
    if postgres_server is None:
        pytest.skip("PostgreSQL server unavailable (see the loud message above)")
    db = postgres_server.create_database("d1").rsplit("/", 1)[1]

    class PgMachine(LedgerMachine):
        url_factory = staticmethod(lambda: postgres_server.fresh_schema(db))

    PgMachine.TestCase.settings = settings(max_examples=8, stateful_step_count=25,
                                           deadline=None,
                                           suppress_health_check=list(HealthCheck))
    PgMachine.TestCase().runTest()
