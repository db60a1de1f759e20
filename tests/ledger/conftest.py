"""Ledger fixtures: every `ledger_url` test runs on SQLite and on a real PostgreSQL.

The PostgreSQL server is the session's `postgres_server` (tests/conftest.py): if it
cannot start, the PostgreSQL half FAILS when ``CI=true`` and is otherwise skipped with a
loud reason (never silently).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from zkcredit.decision import CreditDecision
from zkcredit.ledger import Ed25519RecordSigner, Ledger, LedgerConfig, ManualFeed, SimClock

T0 = 1_700_000_000
PRICE = 3_000_000  # minor units (cents) per whole collateral unit: $30,000
SCALE = 10**8


_PG_DB: dict[str, str] = {}


class Clock(SimClock):
    """The ledger tests' injected clock, starting at T0."""

    def __init__(self, t: int = T0) -> None:
        super().__init__(t)


@pytest.fixture(params=["sqlite", "postgres"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    server = request.getfixturevalue("postgres_server")
    if server is None:
        pytest.skip("PostgreSQL server unavailable (see the loud message above)")
    if "db" not in _PG_DB:
        _PG_DB["db"] = server.create_database().rsplit("/", 1)[1]
    url: str = server.fresh_schema(_PG_DB["db"])
    return url


class Env:
    """A ledger plus its injected clock, feeds and keys."""

    def __init__(self, url: str, config: LedgerConfig | None = None) -> None:
        self.url = url
        self.clock = Clock()
        self.primary = ManualFeed(PRICE, T0)
        self.fallback = ManualFeed(PRICE, T0)
        self.audit_key = Ed25519PrivateKey.from_private_bytes(b"\x01" * 32)
        self.signer = Ed25519RecordSigner(Ed25519PrivateKey.from_private_bytes(b"\x02" * 32))
        self.config = config
        self.ledger = self.open()
        self._n = 0

    def open(self) -> Ledger:
        return Ledger(self.url, primary_feed=self.primary, fallback_feed=self.fallback,
                      record_signer=self.signer, audit_key=self.audit_key,
                      config=self.config, clock=self.clock)

    def cid(self) -> str:
        self._n += 1
        return f"cmd-{self._n}"

    def set_price(self, price: Any, at: Any = None) -> None:
        at = self.clock.t if at is None else at
        self.primary.set(price, at)
        self.fallback.set(price, at)

    def advance(self, dt: int) -> None:
        self.clock.advance(dt)
        self.set_price(self.primary.reading.price)

    def decision(self, tier: int = 3, nullifier: int = 11, borrower: int = 5,
                 lender: int = 7, expires_in: int = 365 * 86400) -> CreditDecision:
        return CreditDecision(borrower_id=borrower, tier=tier, threshold=700, model_id=99,
                              lender_id=lender, nullifier=nullifier,
                              expires_at=self.clock.t + expires_in,
                              slot_nullifier=nullifier, exposure_epoch=self.clock.t // 86400)

    def funded_line(self, *, tier: int = 3, liquidity: int = 100_000_000,
                    collateral: int = SCALE, nullifier: int = 11) -> int:
        """Pool with liquidity, one line with `collateral` units deposited."""
        L = self.ledger
        if liquidity:
            L.deposit(self.cid(), "lp1", liquidity)
        line = L.open_line(self.cid(), self.decision(tier=tier, nullifier=nullifier)).int(
            "line_id")
        if collateral:
            L.deposit_collateral(self.cid(), line, collateral)
        return line


@pytest.fixture
def make_env(ledger_url: str) -> Iterator[Callable[..., Env]]:
    envs: list[Env] = []

    def make(config: LedgerConfig | None = None) -> Env:
        env = Env(ledger_url, config)
        envs.append(env)
        return env

    yield make
    for env in envs:
        env.ledger.close()


@pytest.fixture
def env(make_env: Callable[..., Env]) -> Env:
    return make_env()


def assert_sound(ledger: Ledger) -> None:
    report = ledger.audit()
    assert report.ok, report.problems


def cash_delta(kind: str, values: dict[str, Any]) -> int:
    """The pool cash a committed command moved, read from its stored receipt values (the
    crash tests replay receipts to check the pool's cash)."""
    if kind in ("deposit", "donate"):
        return int(values["amount"])
    if kind in ("withdraw", "draw"):
        return -int(values["amount"])
    if kind == "repay":
        return int(values["paid"])
    return 0
