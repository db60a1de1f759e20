"""The verifier's exposure checks (issue 12): the public cap k and exposure epoch must be
the challenge's and the policy's (`exposure-mismatch`); with the shared registry, a slot
already claimed is refused before the pairing (`exposure-cap-reached`); a registry with
another k or epoch length is refused at construction."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from zkcredit.errors import InvalidArgument, PresentationRefused
from zkcredit.exposure import ExposureRegistry, slot_nullifier
from zkcredit.verifier import REASONS, MemoryVerifierStore, Verifier, vk_hash

from ._support import NOW, Borrower, keys, policy

EPOCH = 30 * 86_400


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[ExposureRegistry]:
    reg = ExposureRegistry(f"sqlite:///{tmp_path / 'exposure.db'}", slots=4,
                           epoch_seconds=EPOCH, clock=lambda: NOW)
    yield reg
    reg.close()


def _verifier(name: str, registry: ExposureRegistry | None) -> Verifier:
    vk = keys()[1]
    return Verifier(policy(name), {vk_hash(vk): vk}, MemoryVerifierStore(), exposure=registry)


def _refusal(v: Verifier, borrower: Borrower, **override: int) -> str:
    ch = v.challenge(2, NOW)
    with pytest.raises(PresentationRefused) as exc:
        v.verify(borrower.present(ch, **override), ch, NOW + 1)
    return exc.value.reason


def test_exposure_reasons_are_in_check_order() -> None:
    assert REASONS.index("predicate-mismatch") < REASONS.index("exposure-mismatch")
    assert REASONS.index("nullifier-reused") < REASONS.index("exposure-cap-reached")
    assert REASONS.index("exposure-cap-reached") < REASONS.index("proof-invalid")


def test_exposure_mismatch_for_another_cap_or_epoch(borrower: Borrower) -> None:
    v = _verifier("lender-a", None)
    ch = v.challenge(2, NOW)
    assert (ch.exposure_slots, ch.exposure_epoch) == (4, NOW // EPOCH)
    assert _refusal(v, borrower, exposure_slots=5) == "exposure-mismatch"
    assert _refusal(v, borrower, exposure_slots=255) == "exposure-mismatch"
    # last epoch's slot nullifier (all of that epoch's slots may be free): refused
    old = NOW // EPOCH - 1
    assert _refusal(v, borrower, exposure_epoch=old,
                    slot_nullifier=slot_nullifier(borrower.secret, old, 0)) == (
        "exposure-mismatch")


def test_a_claimed_slot_is_refused_at_any_lender(
    borrower: Borrower, registry: ExposureRegistry,
) -> None:
    a, b = _verifier("lender-a", registry), _verifier("lender-b", registry)
    ch = a.challenge(2, NOW)
    decision = a.verify(borrower.present(ch), ch, NOW + 1)
    assert decision.slot_nullifier == slot_nullifier(borrower.secret, NOW // EPOCH, 0)
    assert decision.exposure_epoch == NOW // EPOCH
    # the verifier only reads: the lender's ledger claims when it opens the line
    assert not registry.is_claimed(decision.slot_nullifier)
    registry.claim(decision.slot_nullifier, decision.exposure_epoch, decision.lender_id, "a-1")
    assert _refusal(b, borrower) == "exposure-cap-reached"
    # at lender A the per-lender nullifier answers first (step 7's first lookup)
    assert _refusal(a, borrower) == "nullifier-reused"
    borrower.slot = 1  # the next free slot is accepted at B
    ch = b.challenge(2, NOW)
    assert b.verify(borrower.present(ch), ch, NOW + 1).slot_nullifier != (
        decision.slot_nullifier)


def test_a_registry_with_other_parameters_is_refused(tmp_path: Path) -> None:
    vk = keys()[1]
    for slots, seconds in ((3, EPOCH), (4, EPOCH // 2)):
        reg = ExposureRegistry(f"sqlite:///{tmp_path / f'r{slots}-{seconds}.db'}",
                               slots=slots, epoch_seconds=seconds)
        with pytest.raises(InvalidArgument, match="exposure registry"):
            Verifier(policy(), {vk_hash(vk): vk}, MemoryVerifierStore(), exposure=reg)
        reg.close()
    with pytest.raises(InvalidArgument, match="exposure"):
        Verifier(policy(), {vk_hash(vk): vk}, MemoryVerifierStore(),
                 exposure=object())  # type: ignore[arg-type]
