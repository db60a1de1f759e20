"""D13: deterministic simulation — same seed, byte-identical final state hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from zkcredit.ledger._sim import simulate


@pytest.mark.slow
def test_D13_same_seed_gives_byte_identical_state_hash(tmp_path: Path) -> None:
    a = simulate(f"sqlite:///{tmp_path / 'a.db'}", seed=42, steps=250)
    b = simulate(f"sqlite:///{tmp_path / 'b.db'}", seed=42, steps=250)
    c = simulate(f"sqlite:///{tmp_path / 'c.db'}", seed=43, steps=250)
    assert a.audit.ok, a.audit.problems
    assert c.audit.ok, c.audit.problems
    assert a.state_hash == b.state_hash
    assert a.state_hash != c.state_hash
    assert a.accepted > 100 and a.refused > 0  # the workload did real work and got refusals


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_D13_simulated_workloads_keep_the_books(ledger_url: str, seed: int) -> None:
    result = simulate(ledger_url, seed=seed, steps=150)
    assert result.audit.ok, result.audit.problems
    assert result.audit.pool.cash >= 0
