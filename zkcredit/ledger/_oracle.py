"""Collateral price feeds and the Liquity-style state machine that guards them.

A feed returns a `PriceReading` (price in minor units of money per ``price_scale``
collateral minor units, and the Unix time it was updated). The ledger reads both feeds
**once per operation** and resolves them into one `PriceSnapshot`:

======================  =============================================================
state                   rule
======================  =============================================================
``primary``             use the primary while it is fresh (age ≤ heartbeat), > 0, an
                        int, and within ``max_move`` of the last good price. A bigger
                        move is accepted only if the fallback is good and within
                        ``max_gap`` of it (confirmation). Otherwise switch to the
                        fallback if *it* is good and within ``max_move``.
``fallback``            use the fallback; return to the primary as soon as the primary
                        is good, within ``max_move``, and within ``max_gap`` of a good
                        fallback (or the fallback has broken while the primary is good).
(no state: refusal)     neither feed usable → `StalePrice` if staleness was the
                        reason, `PriceDeviation` if a jump was, else `OracleUnavailable`.
======================  =============================================================

A refusal rolls back with the operation that asked, so the persisted state only ever
records a resolution that was used. Feeds that raise, return non-ints (floats, NaN),
non-positive prices or times in the future are broken.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from zkcredit.errors import OracleUnavailable, PriceDeviation, StalePrice
from zkcredit.ledger._config import OracleConfig
from zkcredit.ledger._fixed import BPS, MAX_MONEY

__all__ = [
    "ManualFeed",
    "PriceFeed",
    "PriceReading",
    "PriceSnapshot",
    "resolve_price",
]

PRIMARY = "primary"
FALLBACK = "fallback"


@dataclass(frozen=True, slots=True)
class PriceReading:
    """What a feed reports; deliberately untyped values are validated by the ledger."""

    price: object
    updated_at: object


@runtime_checkable
class PriceFeed(Protocol):
    """A source of collateral prices (Chainlink-like aggregator, exchange TWAP, test)."""

    def latest(self) -> PriceReading: ...


class ManualFeed:
    """A feed set by hand (tests, simulation); counts how often it was read."""

    def __init__(self, price: object = None, updated_at: object = 0) -> None:
        self.reading = PriceReading(price, updated_at)
        self.reads = 0
        self.broken = False

    def set(self, price: object, updated_at: object) -> None:
        self.reading = PriceReading(price, updated_at)

    def latest(self) -> PriceReading:
        self.reads += 1
        if self.broken:
            raise ConnectionError("feed unavailable")
        return self.reading


@dataclass(frozen=True, slots=True)
class PriceSnapshot:
    """The one price an operation uses, and which feed it came from."""

    price: int
    updated_at: int
    source: str


def _problem(reading: PriceReading | None, now: int, cfg: OracleConfig) -> str | None:
    if reading is None:
        return "broken"
    price, at = reading.price, reading.updated_at
    if type(price) is not int or type(at) is not int:
        return "broken"  # floats (NaN, inf, 1.5), bools, None, strings
    if price <= 0 or price > MAX_MONEY:
        return "broken"
    if at > now:
        return "broken"
    if now - at > cfg.heartbeat:
        return "stale"
    return None


def _read(feed: PriceFeed | None) -> PriceReading | None:
    if feed is None:
        return None
    try:
        reading = feed.latest()
    except Exception:  # a feed that raises is a broken feed, whatever the reason
        return None
    return reading if isinstance(reading, PriceReading) else None


def _moved(price: int, last: int | None, cfg: OracleConfig) -> bool:
    if last is None:
        return False
    return abs(price - last) * BPS > cfg.max_move_bps * last


def _agree(a: int, b: int, cfg: OracleConfig) -> bool:
    return abs(a - b) * BPS <= cfg.max_gap_bps * min(a, b)


def resolve_price(
    cfg: OracleConfig,
    state: str,
    last_price: int | None,
    *,
    primary: PriceFeed,
    fallback: PriceFeed | None,
    now: int,
) -> tuple[PriceSnapshot, str]:
    """Read each feed once and return (snapshot, new state) or raise an oracle error."""
    p_read, f_read = _read(primary), _read(fallback)
    p_bad, f_bad = _problem(p_read, now, cfg), _problem(f_read, now, cfg)
    p = f = None
    if p_bad is None and p_read is not None:
        p = PriceSnapshot(int(p_read.price), int(p_read.updated_at), PRIMARY)  # type: ignore[call-overload]
    if f_bad is None and f_read is not None:
        f = PriceSnapshot(int(f_read.price), int(f_read.updated_at), FALLBACK)  # type: ignore[call-overload]
    f_steady = f is not None and not _moved(f.price, last_price, cfg)
    deviation = False
    if state == FALLBACK:
        if (p is not None and not _moved(p.price, last_price, cfg)
                and (f is None or _agree(p.price, f.price, cfg))):
            return p, PRIMARY
        if f is not None and f_steady:
            return f, FALLBACK
        deviation = f is not None or p is not None
    else:
        if p is not None:
            if not _moved(p.price, last_price, cfg):
                return p, PRIMARY
            if f is not None and _agree(p.price, f.price, cfg):
                return p, PRIMARY  # a big move both feeds confirm
            deviation = True
        if f is not None and f_steady:
            return f, FALLBACK
        if f is not None:
            deviation = True
    if deviation:
        raise PriceDeviation("collateral price moved past the circuit breaker without confirmation")
    if "stale" in (p_bad, f_bad):
        raise StalePrice("collateral price is older than the feed heartbeat")
    raise OracleUnavailable("no usable collateral price (both feeds broken)")
