"""Exposure registry fixtures: every `backend` test runs on SQLite and on the session's
PostgreSQL (`postgres_server`, tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path

import pytest

from zkcredit.exposure import ExposureRegistry
from zkcredit.ledger import SimClock
from zkcredit.ledger._pgserver import TemporaryPostgres

T0 = 1_700_000_000
EPOCH_SECONDS = 3600
SLOTS = 3

#: PostgreSQL databases made once per session, by role ("main", "twin", ...).
_PG_DBS: dict[str, str] = {}


class Clock(SimClock):
    """An injected registry clock the test moves by hand, starting at T0."""

    def __init__(self, t: int = T0) -> None:
        super().__init__(t)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and request.getfixturevalue("postgres_server") is None:
        pytest.skip("PostgreSQL server unavailable (see the loud message above)")
    return str(request.param)


@pytest.fixture
def fresh_url(backend: str, request: pytest.FixtureRequest,
              tmp_path: Path) -> Callable[[str], str]:
    """``fresh_url(role)``: the URL of an empty database, new on every call. On PostgreSQL
    each role has its own database whose schema is emptied, so no registry may still be
    open on an earlier URL of the same role."""
    numbers = count()

    def make(role: str = "main") -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'{role}-{next(numbers)}.db'}"
        server: TemporaryPostgres = request.getfixturevalue("postgres_server")
        if role not in _PG_DBS:
            _PG_DBS[role] = server.create_database(f"exposure_{role}").rsplit("/", 1)[1]
        return server.fresh_schema(_PG_DBS[role])

    return make


@pytest.fixture
def registry_url(fresh_url: Callable[[str], str]) -> str:
    return fresh_url("main")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def open_registry(clock: Clock) -> Iterator[Callable[..., ExposureRegistry]]:
    """Open registries on the test's clock (by default); all are closed at the end."""
    opened: list[ExposureRegistry] = []

    def open_(url: str, **kwargs: object) -> ExposureRegistry:
        kwargs.setdefault("clock", clock)
        reg = ExposureRegistry(url, **kwargs)  # type: ignore[arg-type]
        opened.append(reg)
        return reg

    yield open_
    for reg in opened:
        reg.close()


@pytest.fixture
def registry(open_registry: Callable[..., ExposureRegistry],
             registry_url: str) -> ExposureRegistry:
    return open_registry(registry_url, slots=SLOTS, epoch_seconds=EPOCH_SECONDS)
