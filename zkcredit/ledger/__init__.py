"""The under-collateralized loan ledger (DESIGN.md layer 6).

A liquidity pool with shares, credit lines sized by a verified `CreditDecision`, draws
and repayments with interest from a kinked utilization curve plus a tier premium, a
guarded collateral oracle, volatility-aware health factors, liquidation, default and
write-off — as a double-entry journal in SQLite or PostgreSQL, every command idempotent.
Repaid and defaulted lines come back as signed tradelines: the ledger is also an issuer.
See docs/ledger.md for the design.
"""

from __future__ import annotations

from zkcredit.ledger._config import (
    NO_PROOF_TIER,
    LedgerConfig,
    OracleConfig,
    RateCurve,
    RiskConfig,
    TierTerms,
    default_tiers,
)
from zkcredit.ledger._fixed import BPS, MAX_MONEY, RAY, SECONDS_PER_YEAR, check_amount, isqrt
from zkcredit.ledger._group import GroupCommitter
from zkcredit.ledger._ledger import (
    DUPLICATE,
    KINDS,
    OK,
    REFUSED,
    AuditReport,
    Command,
    CommandResult,
    ExposureClaims,
    Ledger,
    LineView,
    PoolView,
    Receipt,
)
from zkcredit.ledger._oracle import ManualFeed, PriceFeed, PriceReading, PriceSnapshot
from zkcredit.ledger._records import (
    AuditLogEntry,
    Ed25519RecordSigner,
    RecordSigner,
    Tradeline,
    verify_audit_log,
)
from zkcredit.ledger._risk import (
    accrue_index,
    ewma_update,
    health_factor_ray,
    required_ratio_bps,
    value_at_risk_bps,
)
from zkcredit.ledger._sim import SimClock, SimResult, simulate
from zkcredit.ledger._storage import SCHEMA_VERSION

__all__ = [
    "BPS",
    "DUPLICATE",
    "KINDS",
    "MAX_MONEY",
    "NO_PROOF_TIER",
    "OK",
    "RAY",
    "REFUSED",
    "SCHEMA_VERSION",
    "SECONDS_PER_YEAR",
    "AuditLogEntry",
    "AuditReport",
    "Command",
    "CommandResult",
    "Ed25519RecordSigner",
    "ExposureClaims",
    "GroupCommitter",
    "Ledger",
    "LedgerConfig",
    "LineView",
    "ManualFeed",
    "OracleConfig",
    "PoolView",
    "PriceFeed",
    "PriceReading",
    "PriceSnapshot",
    "RateCurve",
    "Receipt",
    "RecordSigner",
    "RiskConfig",
    "SimClock",
    "SimResult",
    "TierTerms",
    "Tradeline",
    "accrue_index",
    "check_amount",
    "default_tiers",
    "ewma_update",
    "health_factor_ray",
    "isqrt",
    "required_ratio_bps",
    "simulate",
    "value_at_risk_bps",
    "verify_audit_log",
]
