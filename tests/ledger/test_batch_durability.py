"""Issue 13 crash safety of batches, on SQLite and on PostgreSQL.

A writer subprocess commits batches with `submit_many` and prints a batch's ids only
after the call returned. It is SIGKILLed at random moments (≥ 30 times per backend,
``LEDGER_CRASH_KILLS``). After each kill: every printed command is in the database
exactly once with its journal entry, every batch is all-or-nothing, the books audit and
the pool's cash equals the cash implied by the stored receipts. Several writer processes
submitting batches at once keep the same invariants.
"""

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
from _writer import batch_commands
from conftest import SCALE, Env, assert_sound, cash_delta
from sqlalchemy import create_engine, text

WRITER = str(Path(__file__).with_name("_writer.py"))
ROOT = Path(__file__).resolve().parents[2]


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, WRITER, *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT)


def _printed(out: str) -> dict[int, list[str]]:
    """Batches the writer reported committed (complete lines only: it may die mid-line)."""
    done: dict[int, list[str]] = {}
    for line in out.splitlines(keepends=True):
        parts = line.split()
        if not line.endswith("\n") or not parts or parts[0] != "B":
            continue
        ids = parts[3:]
        if len(ids) == int(parts[2]):
            done[int(parts[1])] = ids
    return done


def _check_db(url: str) -> tuple[set[str], int]:
    """Stored command ids; asserts each journaled kind has exactly one entry per command
    and that the cash implied by the stored receipts equals the pool's cash."""
    eng = create_engine(url)
    cash = 0
    with eng.connect() as conn:
        keys = []
        for key, kind, result in conn.execute(text("SELECT key, kind, result FROM commands")):
            assert result, "a committed command without its result: not all-or-nothing"
            keys.append(key)
            v = json.loads(result)["values"]
            cash += cash_delta(kind, v)
        assert len(keys) == len(set(keys))
        entry_kind = {"draw": "draw", "deposit": "deposit", "donate": "donation"}
        counts: dict[tuple[int, str], int] = {}
        for seq, kind in conn.execute(text("SELECT command_seq, kind FROM entries")):
            counts[(seq, kind)] = counts.get((seq, kind), 0) + 1
        bad = [(key, kind) for key, seq, kind in conn.execute(text(
            "SELECT key, seq, kind FROM commands")) if kind in entry_kind
            and counts.get((seq, entry_kind[kind]), 0) != 1]
        assert not bad, f"commands applied other than exactly once: {bad[:5]}"
        pool_cash = conn.execute(text("SELECT cash FROM pool")).scalar_one()
    eng.dispose()
    assert pool_cash == cash
    return set(keys), cash


def _expected_batches(run: str, line: int, seed: int, n: int) -> list[list[str]]:
    rng = random.Random(seed)
    return [[c.command_id for c in batch_commands(run, line, rng, b)] for b in range(n)]


def _assert_batches(stored: set[str], run: str, expected: list[list[str]],
                    printed: dict[int, list[str]]) -> int:
    """All printed batches present; every batch all-or-nothing; committed batches form a
    prefix. Returns how many batches of this run are committed."""
    committed = 0
    for b, ids in enumerate(expected):
        have = sum(i in stored for i in ids)
        assert have in (0, len(ids)), f"{run} batch {b} half-applied: {have}/{len(ids)}"
        if have:
            assert committed == b, f"{run}: batch {b} committed after a missing one"
            committed += 1
    for b, ids in printed.items():
        assert ids == expected[b]
        assert b < committed, f"{run}: batch {b} was reported committed but is missing"
    assert committed <= len(printed) + 1  # at most one committed but not yet reported
    return committed


def _prepare(url: str) -> int:
    env = Env(url)
    env.clock.t = int(time.time())
    env.set_price(3_000_000)
    line = env.funded_line(liquidity=10**12, collateral=100 * SCALE)
    env.ledger.close()
    return line


@pytest.mark.slow
def test_sigkill_during_batches_loses_no_reported_command(ledger_url: str) -> None:
    line = _prepare(ledger_url)
    rng = random.Random(4321)
    kills = int(os.environ.get("LEDGER_CRASH_KILLS", "30"))
    total_committed = total_printed = unreported = total_waits = 0

    def spawn(k: int) -> subprocess.Popen[str]:
        # starts (imports, opens the ledger) while the previous writer runs or is checked
        return _spawn("batch", ledger_url, f"k{k}", str(line), str(1000 + k), "1000", "-1")

    nxt = spawn(0)
    for k in range(kills):
        run, seed, proc = f"k{k}", 1000 + k, nxt
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        proc.stdin.write("go\n")
        proc.stdin.flush()
        nxt = spawn(k + 1) if k + 1 < kills else None
        # let 0-3 batches be reported (progress that does not depend on the machine's
        # load), then kill at a random moment of the batches that follow
        waits = rng.randint(0, 3)
        total_waits += waits
        seen = [proc.stdout.readline() for _ in range(waits)]
        time.sleep(rng.uniform(0.0, 0.4))
        proc.send_signal(signal.SIGKILL)
        out = "".join(seen) + proc.stdout.read()
        proc.wait()
        assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
        if ledger_url.startswith("sqlite:///"):
            with sqlite3.connect(ledger_url.removeprefix("sqlite:///")) as raw:
                assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored, _ = _check_db(ledger_url)
        printed = _printed(out)
        expected = _expected_batches(run, line, seed, max(printed, default=-1) + 2)
        committed = _assert_batches(stored, run, expected, printed)
        total_committed += committed
        total_printed += len(printed)
        unreported += committed - len(printed)
        reopened = Env(ledger_url).ledger
        assert_sound(reopened)
        reopened.close()
    print(f"{kills} kills: {total_committed} batches committed, {total_printed} reported,"
          f" {unreported} committed but killed before reporting")
    assert total_printed >= total_waits > 0  # the writers really were writing


@pytest.mark.slow
def test_concurrent_batch_writers_keep_the_invariants(ledger_url: str) -> None:
    line = _prepare(ledger_url)
    start = time.time() + 2.0
    n_batches = 12
    runs = [(f"w{i}", 50 + i) for i in range(3)]
    procs = [_spawn("batch", ledger_url, run, str(line), str(seed), str(n_batches),
                    str(start)) for run, seed in runs]
    stored_total = 0
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        outs.append(out)
    stored, _ = _check_db(ledger_url)
    for (run, seed), out in zip(runs, outs, strict=True):
        printed = _printed(out)
        assert len(printed) == n_batches
        expected = _expected_batches(run, line, seed, n_batches)
        assert _assert_batches(stored, run, expected, printed) == n_batches
        stored_total += sum(len(ids) for ids in expected)
    assert sum(k.startswith("w") for k in stored) == stored_total
    L = Env(ledger_url).ledger
    assert_sound(L)
    L.close()
