"""Risk arithmetic: interest indexes, EWMA volatility, value-at-risk, health factor.

All integer. Decisions (may draw? may liquidate?) compare exact integer cross products,
never a rounded health factor, so "HF == 1 exactly" is decided exactly; the RAY health
factor is for reporting and rounds down.
"""

from __future__ import annotations

from zkcredit.ledger._fixed import (
    BPS,
    RAY,
    SECONDS_PER_YEAR,
    div_up,
    exp_ray_up,
    isqrt,
    mul_div_up,
)

__all__ = [
    "accrue_index",
    "covers",
    "ewma_update",
    "health_factor_ray",
    "required_ratio_bps",
    "value_at_risk_bps",
]


def accrue_index(index: int, annual_rate_ray: int, dt: int) -> int:
    """index · e^(rate · dt / year), rounded up; Δt ≤ 0 or rate 0 returns index unchanged."""
    if dt <= 0 or annual_rate_ray == 0:
        return index
    x = mul_div_up(annual_rate_ray, dt, SECONDS_PER_YEAR)
    return mul_div_up(index, exp_ray_up(x), RAY)


def ewma_update(
    var_ray: int, last_price: int | None, last_at: int, price: int, at: int, *,
    lambda_bps: int
) -> int:
    """RiskMetrics EWMA of the per-second variance of simple returns (RAY-scaled).

    σ²_new = λ·σ²_old + (1 − λ)·r²/Δt with r = (p − p_prev)/p_prev. No new sample
    (first price, or no time elapsed) leaves the variance unchanged.
    """
    if last_price is None or at <= last_at or last_price <= 0:
        return var_ray
    r = (price - last_price) * RAY // last_price
    r2_per_second = div_up(r * r // RAY, at - last_at)
    return div_up(lambda_bps * var_ray + (BPS - lambda_bps) * r2_per_second, BPS)


def value_at_risk_bps(var_ray: int, horizon: int, z_ray: int) -> int:
    """z · σ · √horizon as basis points of collateral value, rounded up (parametric VaR)."""
    sigma_h = isqrt(var_ray * horizon * RAY)  # RAY-scaled σ over the horizon
    if sigma_h * sigma_h < var_ray * horizon * RAY:
        sigma_h += 1  # ceil
    return mul_div_up(mul_div_up(z_ray, sigma_h, RAY), BPS, RAY)


def required_ratio_bps(tier_ratio_bps: int, var_bps: int) -> int:
    """Collateral ratio that still covers the tier ratio after a VaR-sized fall.

    ratio / (1 − VaR), rounded up; the caller refuses when VaR ≥ the configured ceiling.
    """
    return div_up(tier_ratio_bps * BPS, BPS - var_bps)


def covers(
    collateral: int, price: int, scale: int, *, weight_bps: int, allowance: int, debt: int
) -> bool:
    """Exactly: collateral·price/scale · weight + allowance ≥ debt."""
    return collateral * price * weight_bps + allowance * BPS * scale >= debt * BPS * scale


def health_factor_ray(
    collateral: int, price: int, scale: int, *, lt_bps: int, allowance: int, debt: int
) -> int | None:
    """(collateral value × LT + allowance) ÷ debt in RAY, rounded down; None if no debt."""
    if debt == 0:
        return None
    num = collateral * price * lt_bps + allowance * BPS * scale
    return num * RAY // (debt * BPS * scale)
