"""Suite-wide fixtures.

`threshold_cache` is one directory per test session holding the threshold circuit's
development proving key (`zkcredit.credit.dev_keys`), so the demo, CLI, README and
end-to-end tests pay for one setup (several seconds) instead of one each.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def threshold_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A session-wide ZKCREDIT_CACHE directory (the key is made on first use)."""
    return tmp_path_factory.mktemp("zkcredit-cache")
