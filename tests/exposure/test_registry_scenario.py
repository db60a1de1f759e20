"""The scripted registry scenario of `test_registry_evm` (claims, replays, stacking
refusals, releases, epoch grace across two lenders) run on the Python `ExposureRegistry`,
SQLite and PostgreSQL: the same outcomes, step by step, as the plain model and therefore
as the Solidity contract (which `test_scenario_contract_matches_model` holds to the
model), so a lender on chain and one on a database enforce one rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from zkcredit.errors import ExposureCapReached, ExposureEpochClosed, IdempotencyConflict
from zkcredit.exposure import ExposureRegistry

from .test_registry_evm import (
    EPOCH_SECONDS,
    SCENARIO,
    SLOTS,
    ModelRegistry,
    expected_outcomes,
    run_scenario,
)

LENDER_IDS = {"A": 0xA11CE, "B": 0xB0B}


@dataclass
class RegistryDriver:
    """`Driver` over the Python registry, its clock set by the scenario runner."""

    make: Callable[[Callable[[], int]], ExposureRegistry]

    def __post_init__(self) -> None:
        self.now = 0
        self.reg = self.make(lambda: self.now)

    def at(self, now: int) -> None:
        self.now = now

    def claim(self, lender: str, nullifier: int, epoch: int, claim_ref: str) -> str:
        try:
            got = self.reg.claim(nullifier, epoch, LENDER_IDS[lender], claim_ref)
        except (ExposureCapReached, ExposureEpochClosed, IdempotencyConflict) as exc:
            return type(exc).__name__
        return "fresh" if got.fresh else "replay"

    def release(self, lender: str, nullifier: int, claim_ref: str) -> bool:
        return self.reg.release(nullifier, LENDER_IDS[lender], claim_ref)

    def is_claimed(self, nullifier: int) -> bool:
        return self.reg.is_claimed(nullifier)


def test_scenario_python_registry_matches_model_and_contract(
    fresh_url: Callable[[str], str],
) -> None:
    url = fresh_url("scenario")
    driver = RegistryDriver(lambda clock: ExposureRegistry(
        url, slots=SLOTS, epoch_seconds=EPOCH_SECONDS, clock=clock))
    try:
        got = run_scenario(driver)
    finally:
        driver.reg.close()
    model = run_scenario(ModelRegistry(SLOTS, EPOCH_SECONDS))
    for i, (step, want, have, m) in enumerate(
            zip(SCENARIO, expected_outcomes(), got, model, strict=True)):
        assert have == want == m, f"step {i} {step}: registry {have!r}, expected {want!r}"
