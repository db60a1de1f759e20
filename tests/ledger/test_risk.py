"""Oracle, health, liquidation, default, volatility and the signed audit log: D6–D9."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from conftest import PRICE, SCALE, T0, Env, assert_sound
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from zkcredit import errors
from zkcredit.ledger import (
    RAY,
    Ed25519RecordSigner,
    Ledger,
    LedgerConfig,
    ManualFeed,
    PriceReading,
    RiskConfig,
    Tradeline,
    ewma_update,
    value_at_risk_bps,
    verify_audit_log,
)


def unproven_line(env: Env, collateral: int = SCALE, liquidity: int = 100_000_000) -> int:
    L = env.ledger
    if liquidity:
        L.deposit(env.cid(), "lp1", liquidity)
    line = L.open_unproven_line(env.cid(), 5, 7).int("line_id")
    L.deposit_collateral(env.cid(), line, collateral)
    return line


# --------------------------------------------------------------------------- D6


@pytest.mark.parametrize("price,age", [
    (PRICE, 3601), (0, 0), (-5, 0), (float("nan"), 0), (float(PRICE), 0), ("3000000", 0),
    (True, 0), (None, 0), (PRICE, -10),
])
def test_D6_bad_or_stale_price_refuses_draw_withdraw_and_liquidation(
        env: Env, price: object, age: int) -> None:
    L = env.ledger
    line = unproven_line(env)
    L.draw(env.cid(), line, 100_000)
    env.advance(7200)
    env.set_price(price, env.clock.t - age)
    before = L.audit()
    with pytest.raises(errors.OracleUnavailable) as info:
        L.draw(env.cid(), line, 1)
    if age > 3600:
        assert isinstance(info.value, errors.StalePrice)
    with pytest.raises(errors.OracleUnavailable):
        L.withdraw_collateral(env.cid(), line, 1)
    with pytest.raises(errors.OracleUnavailable):
        L.liquidate(env.cid(), line, "liq", 1)
    with pytest.raises(errors.OracleUnavailable):
        L.update_price(env.cid())
    # repayment and deposits need no price and still work
    L.repay(env.cid(), line, 10)
    L.deposit_collateral(env.cid(), line, 10)
    assert L.audit().entries > before.entries
    assert_sound(L)


def test_D6_jump_past_the_circuit_breaker_without_confirmation_is_refused(env: Env) -> None:
    L = env.ledger
    line = unproven_line(env)
    L.update_price(env.cid())
    env.primary.set(PRICE * 3, env.clock.t)
    env.fallback.set(PRICE // 3, env.clock.t)  # both jump, and disagree
    with pytest.raises(errors.PriceDeviation):
        L.draw(env.cid(), line, 1)
    with pytest.raises(errors.PriceDeviation):
        L.liquidate(env.cid(), line, "liq", 1)
    # a big move both feeds confirm (within the max gap) is accepted
    env.primary.set(PRICE * 3, env.clock.t)
    env.fallback.set(PRICE * 3 + 1000, env.clock.t)
    assert L.update_price(env.cid()).int("price") == PRICE * 3


def test_D6_single_feed_jump_is_refused(make_env) -> None:  # type: ignore[no-untyped-def]
    env = make_env()
    env.ledger.close()
    env.fallback = None
    env.ledger = env.open()
    L = env.ledger
    L.update_price(env.cid())
    env.primary.set(PRICE * 2, env.clock.t)
    with pytest.raises(errors.PriceDeviation):
        L.update_price(env.cid())
    env.primary.set(PRICE * 14 // 10, env.clock.t)  # within the 50 % breaker
    assert L.update_price(env.cid())["source"] == "primary"


def test_D6_fallback_takes_over_and_primary_recovers(env: Env) -> None:
    L = env.ledger
    L.update_price(env.cid())
    env.primary.broken = True
    r = L.update_price(env.cid())
    assert r["source"] == "fallback"
    env.primary.broken = False
    env.primary.set(PRICE * 2, env.clock.t)  # back, but far from the fallback
    assert L.update_price(env.cid())["source"] == "fallback"
    env.primary.set(PRICE + 100, env.clock.t)
    assert L.update_price(env.cid())["source"] == "primary"


class DriftingFeed:
    """Returns a lower price at every read: an operation must read it once."""

    def __init__(self) -> None:
        self.reads = 0
        self.now = T0

    def latest(self) -> PriceReading:
        self.reads += 1
        return PriceReading(PRICE - 1000 * self.reads, self.now)


def test_D6_one_operation_uses_one_price_snapshot(env: Env) -> None:
    L = env.ledger
    line = unproven_line(env)
    env.primary.reads = env.fallback.reads = 0
    L.draw(env.cid(), line, 100_000)
    assert env.primary.reads == 1 and env.fallback.reads == 1
    env.ledger.close()
    drifting = DriftingFeed()
    env.primary = drifting  # type: ignore[assignment]
    env.ledger = L = env.open()
    r = L.update_price(env.cid())
    assert drifting.reads == 1 and r.int("price") == PRICE - 1000
    L.draw(env.cid(), line, 1000)
    assert drifting.reads == 2


# --------------------------------------------------------------------------- D7


def crash_to(env: Env, price: int) -> None:
    env.primary.set(price, env.clock.t)
    env.fallback.set(price, env.clock.t)
    env.ledger.update_price(env.cid())


def test_D7_liquidation_at_hf_exactly_one_rejected(env: Env) -> None:
    L = env.ledger
    line = unproven_line(env)
    L.draw(env.cid(), line, 850_000)
    crash_to(env, 1_000_000)  # 1 unit × $10,000 × 85 % == $8,500 == debt
    assert L.health_factor(line, 1_000_000) == RAY
    with pytest.raises(errors.NotLiquidatable):
        L.liquidate(env.cid(), line, "liq", 10**9)
    crash_to(env, 999_999)
    r = L.liquidate(env.cid(), line, "liq", 10**9)
    assert r.int("repaid") == 425_000  # close factor 50 %
    assert r.int("seized") == 425_000 * 10_500 * SCALE // (10_000 * 999_999)
    assert r.int("seized") <= SCALE
    assert_sound(L)


def test_D7_close_factor_and_bonus_apply_to_accrued_debt(env: Env) -> None:
    L = env.ledger
    line = unproven_line(env)
    L.draw(env.cid(), line, 850_000)
    env.advance(60 * 86400)
    owed = L.line(line).debt_now
    assert owed > 850_000
    crash_to(env, 1_000_000)
    r = L.liquidate(env.cid(), line, "liq", 10**9)
    assert r.int("repaid") == owed // 2
    assert r.int("seized") == (owed // 2) * 10_500 * SCALE // (10_000 * 1_000_000)
    assert L.line(line).debt == owed - owed // 2
    assert_sound(L)


def test_D7_self_liquidation_rejected_and_sybil_cycle_does_not_profit(env: Env) -> None:
    L = env.ledger
    line = unproven_line(env)
    L.draw(env.cid(), line, 850_000)
    crash_to(env, 900_000)
    with pytest.raises(errors.SelfLiquidation):
        L.liquidate(env.cid(), line, "5", 10**9)  # borrower id 5
    price = Fraction(900_000, SCALE)

    def pair_wealth() -> Fraction:
        # borrower+accomplice: collateral still in the line + collateral bought − debt
        view = L.line(line)
        return view.collateral * price - view.debt_now

    before = pair_wealth()
    bought = Fraction(0)
    while True:
        try:
            r = L.liquidate(env.cid(), line, "friend", 10**9)
        except errors.NotLiquidatable:
            break
        bought += r.int("seized") * price - r.int("repaid")
        if r.int("deficit") or L.line(line).status != "open":
            break
    after = pair_wealth() + bought
    # with collateral still covering the debt, liquidation only moves value between the
    # pair's two hands (the bonus is the borrower's loss): rounding favours the protocol
    assert L.pool_state().losses == 0
    assert after <= before
    assert L.line(line).debt == 0 or L.health_factor(line, 900_000) is not None
    assert_sound(L)


# --------------------------------------------------------------------------- D8


def test_D8_withdrawal_or_draw_leaving_hf_below_one_rejected(env: Env) -> None:
    L = env.ledger
    line = unproven_line(env)
    L.draw(env.cid(), line, 1_000_000)  # needs $15,000 of the $30,000 collateral
    with pytest.raises(errors.UnhealthyPosition):
        L.withdraw_collateral(env.cid(), line, SCALE // 2 + 1)
    L.withdraw_collateral(env.cid(), line, SCALE // 2)
    with pytest.raises(errors.UnhealthyPosition):
        L.draw(env.cid(), line, 1)
    with pytest.raises(errors.UnhealthyPosition):
        L.withdraw_collateral(env.cid(), line, 1)
    assert_sound(L)


def test_D8_other_users_actions_leave_a_health_factor_unchanged(env: Env) -> None:
    """HF_GPOST_F: deposits, donations and another line's actions do not move HF."""
    L = env.ledger
    line = unproven_line(env)
    L.draw(env.cid(), line, 1_000_000)
    hf = L.health_factor(line, PRICE)
    L.donate(env.cid(), 5_000_000)
    L.deposit(env.cid(), "lp2", 7_000_000)
    other = L.open_line(env.cid(), env.decision(nullifier=99, borrower=77)).int("line_id")
    L.deposit_collateral(env.cid(), other, SCALE)
    L.draw(env.cid(), other, 2_000_000)
    assert L.health_factor(line, PRICE) == hf


# --------------------------------------------------------------------------- D9


def test_D9_collateral_to_zero_records_exact_deficit_and_closes(env: Env) -> None:
    L = env.ledger
    line = unproven_line(env)
    L.draw(env.cid(), line, 850_000)
    crash_to(env, 1_000_000)
    crash_to(env, 500_000)
    r1 = L.liquidate(env.cid(), line, "liq", 10**9)
    assert r1.int("deficit") == 0
    debt_left = L.line(line).debt
    coll_left = L.line(line).collateral
    r2 = L.liquidate(env.cid(), line, "liq", 10**9)
    assert r2.int("seized") == coll_left
    assert r2.int("deficit") == debt_left - r2.int("repaid") > 0
    view = L.line(line)
    assert view.collateral == 0 and view.debt == 0 and view.status == "charged_off"
    pool = L.pool_state()
    assert pool.reserve + pool.losses >= 0 and pool.losses == r2.int("deficit")
    with pytest.raises(errors.LineClosed):
        L.draw(env.cid(), line, 1)
    log = L.audit_log()
    assert Tradeline.from_canonical_bytes(log[-1].body).status == "charged_off"
    assert_sound(L)


def test_D9_deficit_written_down_against_reserve_first(env: Env) -> None:
    L = env.ledger
    line = unproven_line(env)
    L.draw(env.cid(), line, 400_000)
    L.withdraw_collateral(env.cid(), line, SCALE // 2)
    env.advance(44 * 86400)  # due at day 30, grace until day 45
    with pytest.raises(errors.NotInDefault):
        L.mark_default(env.cid(), line)
    env.advance(2 * 86400)
    crash_to(env, 1_000_000)
    crash_to(env, 600_000)
    L.accrue(env.cid(), line)  # same second as the default: no more interest after this
    reserve = L.pool_state().reserve
    assert reserve > 0
    owed = L.line(line).debt
    r = L.mark_default(env.cid(), line)
    recovered = (SCALE // 2) * 600_000 // SCALE
    assert r.int("recovered") == recovered and r.int("deficit") == owed - recovered
    pool = L.pool_state()
    assert pool.reserve == 0  # the reserve is used first ...
    assert pool.losses == r.int("deficit") - reserve  # ... the pool bears exactly the rest
    rec = Tradeline.from_canonical_bytes(L.audit_log()[-1].body)
    assert rec.status == "defaulted" and rec.days_late == 16 and rec.amount == 400_000
    assert rec.repaid == recovered
    assert L.line(line).status == "defaulted"
    assert L.line(line).debt == 0
    assert_sound(L)


def test_default_needs_missed_payment_plus_grace_and_payments_keep_current(env: Env) -> None:
    L = env.ledger
    line = unproven_line(env)
    L.draw(env.cid(), line, 100_000)
    for _ in range(4):
        env.advance(29 * 86400)
        L.repay(env.cid(), line, 5_100)  # ≥ 5 % keeps the line current
        with pytest.raises(errors.NotInDefault):
            L.mark_default(env.cid(), line)
    env.advance(45 * 86400 + 1)
    L.mark_default(env.cid(), line)
    assert L.line(line).status == "defaulted"
    assert_sound(L)


# ------------------------------------------------------------------ volatility


def test_volatility_raises_required_collateral_then_stops_credit(env: Env) -> None:
    L = env.ledger
    line = unproven_line(env)
    L.update_price(env.cid())
    L.draw(env.cid(), line, 1_900_000)  # calm: 150 % of $19,000 < $30,000
    L.repay(env.cid(), line, 1_900_000)
    price = PRICE
    for i in range(12):  # hourly ±20 % swings
        env.clock.advance(3600)
        price = price * 12 // 10 if i % 2 == 0 else price * 10 // 12
        crash_to(env, price)
    var_bps = L.update_price(env.cid()).int("var_bps")
    assert var_bps > 1000
    with pytest.raises((errors.UnhealthyPosition, errors.RiskLimit)):
        L.draw(env.cid(), line, 1_900_000)
    # pure function checks: no variance → VaR 0; the ratio rises with VaR
    assert value_at_risk_bps(0, 86400, 2 * RAY) == 0
    v = ewma_update(0, 100, 0, 110, 3600, lambda_bps=9400)
    assert v > 0 and ewma_update(v, 110, 3600, 110, 3600, lambda_bps=9400) == v
    tight = LedgerConfig(risk=replace(RiskConfig(), max_var_bps=100))
    assert tight.risk.max_var_bps == 100


def test_risk_limit_refuses_credit_when_var_is_extreme(make_env) -> None:  # type: ignore[no-untyped-def]
    env = make_env(LedgerConfig(risk=RiskConfig(max_var_bps=200)))
    L = env.ledger
    line = unproven_line(env)
    L.update_price(env.cid())
    env.clock.advance(60)
    crash_to(env, PRICE * 14 // 10)
    with pytest.raises(errors.RiskLimit):
        L.draw(env.cid(), line, 1000)


# --------------------------------------------------------------- issuer records


def test_repaid_and_defaulted_lines_emit_signed_tradelines_in_a_verifiable_log(
        env: Env) -> None:
    L = env.ledger
    line = unproven_line(env)
    L.draw(env.cid(), line, 100_000)
    env.advance(40 * 86400)  # ten days late
    L.repay(env.cid(), line, 10**9)
    log = L.audit_log()
    assert len(log) == 1
    rec = Tradeline.from_canonical_bytes(log[0].body)
    assert (rec.status, rec.kind, rec.amount, rec.days_late) == ("repaid", "credit_line",
                                                                 100_000, 10)
    assert rec.repaid > 100_000 and rec.opened_at == T0 and rec.closed_at == T0 + 40 * 86400
    assert Ed25519RecordSigner.verify_record(env.signer.public_key(), rec,
                                             log[0].record_signature)
    L.draw(env.cid(), line, 50_000)
    L.repay(env.cid(), line, 10**9)
    log = L.audit_log()
    assert verify_audit_log(log, L.audit_public_key()) == 2
    with pytest.raises(errors.AuditLogInvalid):
        verify_audit_log(log[::-1], L.audit_public_key())
    with pytest.raises(errors.AuditLogInvalid):
        verify_audit_log([log[0], replace(log[1], body=log[1].body.replace(b"50000", b"5000"))],
                         L.audit_public_key())
    other = Ed25519PrivateKey.from_private_bytes(b"\x09" * 32).public_key().public_bytes_raw()
    with pytest.raises(errors.AuditLogInvalid):
        verify_audit_log(log, other)
    with pytest.raises(errors.AuditLogInvalid):
        verify_audit_log(log[1:], L.audit_public_key())  # dropping an entry is detected


def test_ledger_accepts_any_record_signer(env: Env) -> None:
    class Recorder:
        scheme = "test-scheme"

        def __init__(self) -> None:
            self.seen: list[Tradeline] = []

        def public_key(self) -> bytes:
            return b"k"

        def sign_record(self, record: Tradeline) -> bytes:
            self.seen.append(record)
            return b"sig"

    rec = Recorder()
    L = Ledger(env.url, primary_feed=ManualFeed(PRICE, T0), record_signer=rec,
               audit_key=env.audit_key, clock=env.clock)
    line = unproven_line(env)
    L.draw("x1", line, 1000)
    L.repay("x2", line, 2000)
    assert rec.seen and rec.seen[0].status == "repaid"
    assert verify_audit_log(L.audit_log(), L.audit_public_key()) == 1
    L.close()
