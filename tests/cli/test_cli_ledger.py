"""`zkcredit ledger ...`: every command's success path and its main refusals, state carried
between separate invocations (database, keys file, price file), strict amounts, idempotency
and the audit catching a tampered database."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from _cli_support import assert_clean_error, run

from zkcredit.decision import CreditDecision

NOW = int(time.time())


class L:
    """One ledger on disk, driven through the CLI."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.db = tmp / "ledger.db"
        self.keys = tmp / "ledger.keys.json"

    def raw(self, *args: str) -> tuple[int, str, str]:
        r = run("ledger", "--db", str(self.db), *args)
        return r.exit_code, r.stdout, r.stderr

    def __call__(self, *args: str) -> dict[str, Any]:
        r = run("--json", "ledger", "--db", str(self.db), *args)
        assert r.exit_code == 0, (args, r.stdout, r.stderr)
        out: dict[str, Any] = json.loads(r.stdout)
        return out

    def decision(self, name: str, *, tier: int = 1, nullifier: int = 11,
                 expires_at: int = NOW + 86_400) -> Path:
        d = CreditDecision(borrower_id=1234, tier=tier, threshold=600, model_id=5,
                           lender_id=77, nullifier=nullifier, expires_at=expires_at,
                           slot_nullifier=nullifier, exposure_epoch=NOW // 86_400)
        path = self.tmp / name
        path.write_text(json.dumps(d.to_json_dict()))
        return path


@pytest.fixture
def ledger(tmp_path: Path) -> L:
    led = L(tmp_path)
    out = led("init")
    assert len(out["audit_public_key"]) == 64
    return led


def test_init_creates_db_keys_0600_and_prices(ledger: L) -> None:
    assert ledger.db.exists()
    assert ledger.keys.stat().st_mode & 0o777 == 0o600
    prices = json.loads((ledger.tmp / "ledger.prices.json").read_text())
    assert prices["primary"] is None and prices["fallback"] is None
    assert ledger("audit")["ok"] is True


def test_lifecycle_deposit_line_draw_crash_liquidate_repay_audit(ledger: L) -> None:
    assert ledger("deposit", "alice", "10000000")["values"] == {
        "amount": 10_000_000, "shares": 10_000_000_000_000}
    line = ledger("open-line", str(ledger.decision("d.json")))["values"]
    assert line == {"line_id": 1, "tier": 1, "credit_limit": 1_000_000}
    ledger("collateral", "1", "100000000")
    # No price yet: a draw is refused (exit 1) and leaves no trace.
    code, out, err = ledger.raw("draw", "1", "1000")
    assert_clean_error(code, out, err, 1, "no usable collateral price")
    assert ledger("price", "1000000")["values"]["source"] == "primary"
    assert ledger("draw", "1", "1000000")["values"]["debt"] == 1_000_000
    code, out, err = ledger.raw("draw", "1", "1")
    assert_clean_error(code, out, err, 1, "limit")
    # A 60 % crash: the primary alone is held back by the circuit breaker ...
    code, out, err = ledger.raw("price", "400000")
    assert_clean_error(code, out, err, 1, "circuit breaker")
    # ... and accepted once the fallback confirms it: the feeds' readings persisted
    # between the two processes.
    confirmed = ledger("price", "400000", "--feed", "fallback")["values"]
    assert (confirmed["source"], confirmed["price"]) == ("primary", 400_000)
    liq = ledger("liquidate", "1", "carol", "500000")["values"]
    # 100e6 collateral units at 400,000 per 1e8 are worth 400,000 < the debt: all of it is
    # seized, the liquidator pays ceil(400,000 / 1.05), the rest is written off.
    assert (liq["seized"], liq["repaid"], liq["debt"]) == (100_000_000, 380_953, 0)
    assert liq["deficit"] > 0
    status = ledger("status")
    assert status["lines"][0]["status"] == "charged_off"
    assert status["pool"]["losses"] + status["pool"]["reserve"] >= 0
    rep = ledger("repay", "1", "10")["values"]  # nothing owed: all of it comes back
    assert (rep["paid"], rep["refund"], rep["debt"]) == (0, 10, 0)
    ledger("accrue")
    ledger("accrue", "--line", "1")
    audit = ledger("audit")
    assert audit["ok"] is True and audit["audit_log_entries"] == 1
    assert audit["debits"] == audit["credits"]
    code, out, _ = ledger.raw("status")
    assert code == 0 and "pool:" in out and "line tier status" in " ".join(out.split())


def test_withdraw_and_insufficient_shares(ledger: L) -> None:
    ledger("deposit", "alice", "10000000")
    assert ledger("withdraw", "alice", "1000000000000")["values"]["amount"] == 1_000_000
    code, out, err = ledger.raw("withdraw", "bob", "5")
    assert_clean_error(code, out, err, 1, "fewer than 5 shares")


def test_collateral_withdraw(ledger: L) -> None:
    ledger("open-line", str(ledger.decision("d.json")))
    ledger("collateral", "1", "500")
    assert ledger("collateral", "1", "200", "--withdraw")["kind"] == "withdraw_collateral"
    assert ledger("status", "--line", "1")["lines"][0]["collateral"] == 300


def test_idempotent_ids(ledger: L) -> None:
    first = ledger("deposit", "alice", "5000", "--id", "dep-1")
    again = ledger("deposit", "alice", "5000", "--id", "dep-1")
    assert first == again
    assert ledger("status")["pool"]["cash"] == 5000
    code, out, err = ledger.raw("deposit", "alice", "5001", "--id", "dep-1")
    assert_clean_error(code, out, err, 1, "different payload")
    code, out, err = ledger.raw("deposit", "alice", "5", "--id", "bad\tid")
    assert_clean_error(code, out, err, 2, "command id")


@pytest.mark.parametrize("amount", ["1.5", "1e3", "-5", "0", "00", "01", "1,000", " 5",
                                    "9223372036854775808", "99999999999999999999999", ""])
def test_amounts_are_strict_integer_minor_units(ledger: L, amount: str) -> None:
    code, out, err = ledger.raw("deposit", "alice", "--", amount) if amount.startswith("-") \
        else ledger.raw("deposit", "alice", amount)
    assert_clean_error(code, out, err, 2, "amount")
    assert ledger("status")["pool"]["cash"] == 0


def test_largest_amount_is_accepted_by_the_parser(ledger: L) -> None:
    # 2^63 - 1 parses; the ledger then refuses it for the share supply (exit 2, InvalidAmount)
    code, out, err = ledger.raw("deposit", "alice", str(2**63 - 1))
    assert_clean_error(code, out, err, 2, "2^63")


def test_open_line_refusals(ledger: L) -> None:
    ledger("open-line", str(ledger.decision("d.json")))
    code, out, err = ledger.raw("open-line", str(ledger.decision("d2.json")))
    assert_clean_error(code, out, err, 1, "")  # same (lender, nullifier): DuplicateLine
    code, out, err = ledger.raw("open-line", str(ledger.decision("old.json", nullifier=12,
                                                                  expires_at=NOW - 10)))
    assert_clean_error(code, out, err, 1, "expired")
    bad = ledger.tmp / "bad.json"
    bad.write_text(json.dumps({"tier": 1}))
    code, out, err = ledger.raw("open-line", str(bad))
    assert_clean_error(code, out, err, 2, "credit decision")
    code, out, err = ledger.raw("draw", "9", "1")
    assert_clean_error(code, out, err, 1, "")
    code, out, err = ledger.raw("draw", "0", "1")
    assert_clean_error(code, out, err, 2, "line id")


def test_stale_price_is_refused(ledger: L) -> None:
    code, out, err = ledger.raw("price", "1000000", "--at", str(NOW - 7200))
    assert_clean_error(code, out, err, 1, "older than the feed heartbeat")
    code, out, err = ledger.raw("price", "1000000", "--at", "1.5")
    assert_clean_error(code, out, err, 2, "--at")


def test_audit_detects_a_tampered_balance(ledger: L) -> None:
    ledger("deposit", "alice", "1000")
    with sqlite3.connect(ledger.db) as conn:
        conn.execute("UPDATE accounts SET balance = balance + 1 WHERE name = 'pool:cash'")
    code, out, _ = ledger.raw("audit")
    assert code == 1 and "AUDIT FAILED" in out and "pool:cash" in out


def test_audit_detects_a_tampered_signed_log(ledger: L) -> None:
    ledger("deposit", "alice", "10000000")
    ledger("open-line", str(ledger.decision("d.json")))
    ledger("collateral", "1", "100000000")
    ledger("price", "1000000")
    ledger("draw", "1", "1000")
    ledger("repay", "1", "5000")  # paid off: a signed tradeline
    assert ledger("audit")["audit_log_entries"] == 1
    with sqlite3.connect(ledger.db) as conn:
        sig = conn.execute("SELECT log_signature FROM tradelines").fetchone()[0]
        flipped = ("0" if sig[0] != "0" else "1") + sig[1:]
        conn.execute("UPDATE tradelines SET log_signature = ?", (flipped,))
    code, out, err = ledger.raw("audit")
    assert_clean_error(code, out, err, 1, "audit log entry 1")


def test_keys_file_must_be_private(ledger: L) -> None:
    ledger.keys.chmod(0o644)
    code, out, err = ledger.raw("status")
    assert_clean_error(code, out, err, 1, "readable by others")


def test_uninitialised_ledger_is_an_input_error(tmp_path: Path) -> None:
    r = run("ledger", "--db", str(tmp_path / "none.db"), "status")
    assert_clean_error(r.exit_code, r.stdout, r.stderr, 2, "ledger init")


def test_database_from_environment(ledger: L) -> None:
    r = run("--json", "ledger", "deposit", "alice", "77", env={"ZKCREDIT_LEDGER": str(ledger.db)})
    assert r.exit_code == 0, r.output
    assert ledger("status")["pool"]["cash"] == 77


def test_failed_init_leaves_no_keys_behind(tmp_path: Path) -> None:
    keys = tmp_path / "k.keys.json"
    url = f"sqlite:///{tmp_path}/missing-dir/l.db"  # the database cannot be created
    r = run("ledger", "--db", url, "--keys", str(keys), "init")
    assert_clean_error(r.exit_code, r.stdout, r.stderr, 2, "does not exist")
    assert not keys.exists() and not (tmp_path / "k.prices.json").exists()


def test_missing_database_is_not_silently_recreated(ledger: L) -> None:
    ledger.db.unlink()
    code, out, err = ledger.raw("deposit", "alice", "5")
    assert_clean_error(code, out, err, 2, "ledger init")
    assert not ledger.db.exists()
