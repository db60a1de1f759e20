"""Ledger configuration: the tier table, the rate curve, risk and oracle parameters.

Ratios are basis points (``BPS = 10_000`` is 100 %); annual rates are RAY-scaled
(``RAY // 100`` is 1 % a year); money is minor units; times are seconds. Everything is an
int and is validated when the config is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from zkcredit.errors import InvalidArgument
from zkcredit.ledger._fixed import BPS, RAY, check_amount

__all__ = [
    "NO_PROOF_TIER",
    "LedgerConfig",
    "OracleConfig",
    "RateCurve",
    "RiskConfig",
    "TierTerms",
    "default_tiers",
]

#: The tier a borrower without a verified proof gets (150 % collateral, no allowance).
NO_PROOF_TIER = 0


def _int(name: str, value: object, lo: int, hi: int | None = None) -> None:
    if type(value) is not int:
        raise InvalidArgument(f"{name} must be an int, got {type(value).__name__}")
    if value < lo or (hi is not None and value > hi):
        raise InvalidArgument(f"{name} must be in [{lo}, {hi if hi is not None else '∞'}]")


@dataclass(frozen=True, slots=True)
class TierTerms:
    """What a proven tier buys.

    Attributes:
        credit_limit: maximum debt of the line, in minor units (interest may push the debt
            past it; then no new draw is possible).
        collateral_ratio_bps: collateral value a draw must leave, as a share of the debt
            (2500 = 25 %), before the volatility adjustment.
        rate_premium_ray: annual rate added to the utilization curve for this tier.
        unsecured_allowance: minor units of debt the health factor treats as covered
            without collateral (the value of the proof).
    """

    credit_limit: int
    collateral_ratio_bps: int
    rate_premium_ray: int
    unsecured_allowance: int

    def __post_init__(self) -> None:
        check_amount("credit_limit", self.credit_limit)
        _int("collateral_ratio_bps", self.collateral_ratio_bps, 0, 100 * BPS)
        _int("rate_premium_ray", self.rate_premium_ray, 0, 10 * RAY)
        check_amount("unsecured_allowance", self.unsecured_allowance, positive=False)
        if self.unsecured_allowance > self.credit_limit:
            raise InvalidArgument("unsecured_allowance cannot exceed the credit limit")


def default_tiers() -> dict[int, TierTerms]:
    """Tier 3 (best) → 25 %, tier 2 → 50 %, tier 1 → 80 %, tier 0 (no proof) → 150 %."""
    pct = RAY // 100
    return {
        3: TierTerms(5_000_000, 2_500, 1 * pct, 4_000_000),
        2: TierTerms(2_000_000, 5_000, 3 * pct, 1_200_000),
        1: TierTerms(1_000_000, 8_000, 5 * pct, 350_000),
        NO_PROOF_TIER: TierTerms(2_000_000, 15_000, 8 * pct, 0),
    }


@dataclass(frozen=True, slots=True)
class RateCurve:
    """Kinked utilization curve (Aave/Compound "jump rate"), annual RAY rates.

    rate(u) = base + slope1·u/kink                       for u ≤ kink
            = base + slope1 + slope2·(u − kink)/(1 − kink) for u > kink
    """

    base_ray: int = 2 * RAY // 100
    slope1_ray: int = 4 * RAY // 100
    slope2_ray: int = 75 * RAY // 100
    kink_ray: int = 80 * RAY // 100

    def __post_init__(self) -> None:
        for name in ("base_ray", "slope1_ray", "slope2_ray"):
            _int(name, getattr(self, name), 0, 100 * RAY)
        _int("kink_ray", self.kink_ray, 1, RAY - 1)

    def annual_rate(self, utilization_ray: int) -> int:
        u = min(max(utilization_ray, 0), RAY)
        if u <= self.kink_ray:
            return self.base_ray + self.slope1_ray * u // self.kink_ray
        over = (u - self.kink_ray) * self.slope2_ray // (RAY - self.kink_ray)
        return self.base_ray + self.slope1_ray + over


@dataclass(frozen=True, slots=True)
class OracleConfig:
    """Liquity-style guards on the collateral price feeds.

    Attributes:
        heartbeat: a price older than this many seconds is stale (per feed).
        max_move_bps: a change from the last good price above this trips the breaker.
        max_gap_bps: two feeds within this relative gap confirm one another.
        price_scale: collateral minor units per one priced unit (prices are minor units of
            money per ``price_scale`` collateral minor units).
    """

    heartbeat: int = 3_600
    max_move_bps: int = 5_000
    max_gap_bps: int = 500
    price_scale: int = 10**8

    def __post_init__(self) -> None:
        _int("heartbeat", self.heartbeat, 1)
        _int("max_move_bps", self.max_move_bps, 1, 100 * BPS)
        _int("max_gap_bps", self.max_gap_bps, 0, BPS)
        _int("price_scale", self.price_scale, 1)


@dataclass(frozen=True, slots=True)
class RiskConfig:
    """Health factor, liquidation and volatility parameters.

    Attributes:
        liquidation_threshold_bps: share of collateral value counted in the health factor.
        close_factor_bps: share of the (accrued) debt one liquidation may repay.
        full_close_below: debt at or below this (minor units) may be closed in one go.
        liquidation_bonus_bps: extra collateral the liquidator receives (500 = 5 %).
        reserve_factor_bps: share of interest kept as the protocol reserve.
        ewma_lambda_bps: EWMA decay λ of the variance of simple returns (9400 = 0.94).
        horizon: liquidation horizon in seconds for the value-at-risk.
        z_ray: one-sided normal quantile of the confidence, RAY-scaled (2.326 = 99 %).
        max_var_bps: value-at-risk at or above this stops new credit (RiskLimit).
        payment_interval: seconds between required payments while debt is open.
        grace_period: seconds after a missed payment before the line may be defaulted.
        min_payment_bps: a payment of at least this share of the debt keeps the line current.
    """

    liquidation_threshold_bps: int = 8_500
    close_factor_bps: int = 5_000
    full_close_below: int = 1_000
    liquidation_bonus_bps: int = 500
    reserve_factor_bps: int = 1_000
    ewma_lambda_bps: int = 9_400
    horizon: int = 24 * 3600
    z_ray: int = 2_326_347_874 * RAY // 10**9
    max_var_bps: int = 9_000
    payment_interval: int = 30 * 24 * 3600
    grace_period: int = 15 * 24 * 3600
    min_payment_bps: int = 500

    def __post_init__(self) -> None:
        _int("liquidation_threshold_bps", self.liquidation_threshold_bps, 1, BPS)
        _int("close_factor_bps", self.close_factor_bps, 1, BPS)
        check_amount("full_close_below", self.full_close_below, positive=False)
        _int("liquidation_bonus_bps", self.liquidation_bonus_bps, 0, BPS)
        _int("reserve_factor_bps", self.reserve_factor_bps, 0, BPS)
        _int("ewma_lambda_bps", self.ewma_lambda_bps, 0, BPS - 1)
        _int("horizon", self.horizon, 1)
        _int("z_ray", self.z_ray, 0, 10 * RAY)
        _int("max_var_bps", self.max_var_bps, 1, BPS - 1)
        _int("payment_interval", self.payment_interval, 1)
        _int("grace_period", self.grace_period, 0)
        _int("min_payment_bps", self.min_payment_bps, 0, BPS)


@dataclass(frozen=True, slots=True)
class LedgerConfig:
    """Everything configurable about one ledger (one pool, one collateral asset).

    ``virtual_shares`` / ``virtual_assets`` are the ERC-4626 offset against the
    first-depositor donation attack (OpenZeppelin PR #3979).
    """

    tiers: Mapping[int, TierTerms] = field(default_factory=default_tiers)
    curve: RateCurve = field(default_factory=RateCurve)
    oracle: OracleConfig = field(default_factory=OracleConfig)
    risk: RiskConfig = field(default_factory=RiskConfig)
    virtual_shares: int = 10**6
    virtual_assets: int = 1

    def __post_init__(self) -> None:
        if not self.tiers:
            raise InvalidArgument("the tier table is empty")
        for tier, terms in self.tiers.items():
            _int("tier", tier, 0, 255)
            if not isinstance(terms, TierTerms):
                raise InvalidArgument("tier table values must be TierTerms")
        _int("virtual_shares", self.virtual_shares, 1)
        _int("virtual_assets", self.virtual_assets, 1)

    def terms(self, tier: int) -> TierTerms:
        try:
            return self.tiers[tier]
        except KeyError:
            raise InvalidArgument(f"tier {tier} is not in the ledger's tier table") from None
