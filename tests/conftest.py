"""Suite-wide fixtures.

`threshold_cache` is one directory per test session holding the threshold circuit's
development proving key (`zkcredit.credit.dev_keys`), so the demo, CLI, README and
end-to-end tests pay for one setup (several seconds) instead of one each.

`postgres_server` is one throw-away PostgreSQL server on loopback per session
(`TemporaryPostgres`), shared by every suite that runs on PostgreSQL (the ledger, the
exposure registry). If it cannot start, the PostgreSQL half of those suites FAILS when
``CI=true`` and is otherwise skipped with a loud reason (never silently).
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from zkcredit.ledger._pgserver import TemporaryPostgres


@pytest.fixture(scope="session")
def threshold_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A session-wide ZKCREDIT_CACHE directory (the key is made on first use)."""
    return tmp_path_factory.mktemp("zkcredit-cache")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[TemporaryPostgres | None]:
    """The session's PostgreSQL server, or None (after a loud warning) outside CI."""
    server = TemporaryPostgres()
    try:
        server.start()
    except Exception as exc:
        reason = f"PostgreSQL could not start for the database tests: {exc!r}\n{server.log()}"
        server.stop()
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason, pytrace=False)
        print(f"\n!!! {reason}\n!!! PostgreSQL tests will be SKIPPED", file=sys.stderr)
        warnings.warn(reason, stacklevel=1)
        yield None
        return
    yield server
    server.stop()
