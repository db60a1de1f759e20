"""D11 crash safety and D12 concurrent writers."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SCALE, Env, assert_sound, cash_delta
from sqlalchemy import create_engine, text

from zkcredit import errors
from zkcredit.ledger import SCHEMA_VERSION, Ledger

WRITER = str(Path(__file__).with_name("_writer.py"))
ROOT = Path(__file__).resolve().parents[2]


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, WRITER, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)


def _ghost_cash(url: str) -> tuple[int, int]:
    """Cash implied by every committed command's stored receipt, and the commands count."""
    eng = create_engine(url)
    cash = n = 0
    with eng.connect() as conn:
        for kind, result in conn.execute(text("SELECT kind, result FROM commands")):
            assert result, "a committed command without its result: not all-or-nothing"
            v = json.loads(result)["values"]
            n += 1
            cash += cash_delta(kind, v)
        # every journal entry belongs to a committed command and every draw has its entry
        orphans = conn.execute(text(
            "SELECT COUNT(*) FROM commands c WHERE c.kind IN ('draw', 'deposit', 'donate')"
            " AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.command_seq = c.seq)")).scalar()
        assert orphans == 0
    eng.dispose()
    return cash, n


def test_D11_pragmas_asserted_at_open(tmp_path: Path) -> None:
    env = Env(f"sqlite:///{tmp_path / 'p.db'}")
    with env.ledger.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with pytest.raises(errors.StorageError):
        Ledger("sqlite:///:memory:", primary_feed=env.primary, record_signer=env.signer,
               audit_key=env.audit_key)
    with pytest.raises(errors.UnsupportedFormat):
        Ledger("mysql://x/y", primary_feed=env.primary, record_signer=env.signer,
               audit_key=env.audit_key)
    env.ledger.close()


def test_D11_schema_migrations_are_versioned_and_idempotent(env: Env) -> None:
    env.ledger.close()
    env.ledger = env.open()  # re-open: nothing re-applied
    with env.ledger.engine.connect() as conn:
        rows = conn.execute(text("SELECT version FROM schema_migrations")).all()
    assert [r[0] for r in rows] == list(range(1, SCHEMA_VERSION + 1))
    with env.ledger.engine.begin() as conn:
        conn.execute(text("INSERT INTO schema_migrations VALUES (999, 'future', 0)"))
    with pytest.raises(errors.UnsupportedFormat):
        env.open()


@pytest.mark.slow
def test_D11_sigkill_mid_write_leaves_a_consistent_database(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    url = f"sqlite:///{path}"
    env = Env(url)
    env.clock.t = int(time.time())
    env.set_price(3_000_000)
    line = env.funded_line(liquidity=10**12, collateral=100 * SCALE)
    env.ledger.close()
    rng = random.Random(1234)
    kills = int(os.environ.get("LEDGER_CRASH_KILLS", "30"))
    progressed = 0
    for k in range(kills):
        proc = _spawn("crash", url, f"run{k}", str(line))
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr \
            else ""
        time.sleep(rng.uniform(0.01, 0.25))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        cash, n = _ghost_cash(url)
        progressed = max(progressed, n)
        reopened = env.open()
        report = reopened.audit()
        assert report.ok, report.problems
        assert report.pool.cash == cash
        reopened.close()
    assert progressed > 50  # the writers really were writing when killed


def test_D12_two_processes_drawing_on_one_line_stay_within_the_limit(ledger_url: str) -> None:
    env = Env(ledger_url)
    env.clock.t = int(time.time())
    env.set_price(3_000_000)
    line = env.funded_line(liquidity=10**10, collateral=10 * SCALE)
    limit = env.ledger.line(line).credit_limit
    env.ledger.close()
    start = time.time() + 3.0
    amount = 100_000
    procs = [_spawn("draw", ledger_url, f"p{i}", str(line), "30", str(amount), str(start))
             for i in range(2)]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        outs.append(int(out.strip()))
    L = env.open()
    debt = L.line(line).debt
    with L.engine.connect() as conn:
        drawn, interest = (conn.execute(text(
            "SELECT COALESCE(SUM(p.amount), 0) FROM postings p JOIN entries e"
            " ON e.id = p.entry_id WHERE e.kind = :k AND p.side = 'D'"), {"k": k}).scalar()
            for k in ("draw", "interest"))
    assert sum(outs) * amount == drawn  # every accepted draw is in the books: no lost update
    assert drawn + interest == debt
    assert debt <= limit  # 60 attempts × 100,000 > 5,000,000: the limit really bound
    assert limit - debt < amount
    assert min(outs) > 0  # both really competed
    assert_sound(L)
    L.close()
