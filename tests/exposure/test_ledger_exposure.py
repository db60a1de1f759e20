"""The ledger and the shared exposure registry (issue 12): a line opens only after its
slot is claimed; a refusal or an aborted batch gives the claim back; a replay keeps it;
a second lender is refused the slot; a renewal spends a slot of its own.

The registry runs on SQLite and PostgreSQL (`fresh_url`); each lender's ledger is its
own SQLite file, as two lenders' books would be.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from zkcredit import errors
from zkcredit.decision import CreditDecision
from zkcredit.exposure import ExposureRegistry, slot_nullifiers
from zkcredit.ledger import Command, Ed25519RecordSigner, Ledger, ManualFeed

from . import _workers
from .conftest import EPOCH_SECONDS, SLOTS, T0, Clock

PRICE = 3_000_000
LENDER_A, LENDER_B = 0xA, 0xB
SECRET = 0x5EC12E7


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def registry(fresh_url: Callable[[str], str], clock: Clock) -> Iterator[ExposureRegistry]:
    reg = ExposureRegistry(fresh_url("shared"), slots=SLOTS, epoch_seconds=EPOCH_SECONDS,
                           clock=clock)
    yield reg
    reg.close()


def _ledger(path: Path, clock: Clock, registry: ExposureRegistry | None) -> Ledger:
    feed = ManualFeed(PRICE, T0)
    return Ledger(f"sqlite:///{path}", primary_feed=feed, fallback_feed=feed,
                  record_signer=Ed25519RecordSigner(Ed25519PrivateKey.generate()),
                  audit_key=Ed25519PrivateKey.generate(), clock=clock, exposure=registry)


@pytest.fixture
def lenders(tmp_path: Path, clock: Clock,
            registry: ExposureRegistry) -> Iterator[tuple[Ledger, Ledger]]:
    a = _ledger(tmp_path / "a.db", clock, registry)
    b = _ledger(tmp_path / "b.db", clock, registry)
    yield a, b
    a.close()
    b.close()


def _slots(clock: Clock) -> list[int]:
    return slot_nullifiers(SECRET, clock.t // EPOCH_SECONDS, SLOTS)


def _decision(clock: Clock, lender: int, slot: int, *, nullifier: int,
              expires_in: int = 86_400) -> CreditDecision:
    return CreditDecision(
        borrower_id=0xB0 + lender, tier=2, threshold=650, model_id=1, lender_id=lender,
        nullifier=nullifier, expires_at=clock.t + expires_in, slot_nullifier=slot,
        exposure_epoch=clock.t // EPOCH_SECONDS)


def test_k_plus_one_lines_in_one_epoch_are_refused_at_either_lender(
    lenders: tuple[Ledger, Ledger], registry: ExposureRegistry, clock: Clock,
) -> None:
    a, b = lenders
    slots = _slots(clock)
    assert SLOTS == 3
    a.open_line("a-1", _decision(clock, LENDER_A, slots[0], nullifier=1))
    b_line = b.open_line("b-1", _decision(clock, LENDER_B, slots[1], nullifier=2))
    a_line = a.open_line("a-2", _decision(clock, LENDER_A, slots[2], nullifier=3))
    # the (k+1)-th line: every slot of the epoch is used, at either lender
    for ledger, lender, cid in ((a, LENDER_A, "a-3"), (b, LENDER_B, "b-3")):
        for slot in slots:
            with pytest.raises(errors.ExposureCapReached):
                ledger.open_line(cid, _decision(clock, lender, slot, nullifier=4))
    for ledger, last in ((a, a_line), (b, b_line)):  # no line opened after the last one
        with pytest.raises(errors.UnknownLine):
            ledger.line(last.int("line_id") + 1)
    assert registry.claimed(clock.t // EPOCH_SECONDS) == frozenset(slots)
    # the next epoch has fresh slots
    clock.advance(EPOCH_SECONDS)
    again = b.open_line("b-4", _decision(clock, LENDER_B, _slots(clock)[0], nullifier=5))
    assert again.int("line_id") == b_line.int("line_id") + 1


def test_a_refused_open_releases_its_claim(
    lenders: tuple[Ledger, Ledger], registry: ExposureRegistry, clock: Clock,
) -> None:
    a, _ = lenders
    slot = _slots(clock)[0]
    with pytest.raises(errors.LineExpired):
        a.open_line("a-1", _decision(clock, LENDER_A, slot, nullifier=1, expires_in=0 - 1))
    assert not registry.is_claimed(slot)
    # the per-lender nullifier refuses a second line; the slot it tried is given back
    a.open_line("a-2", _decision(clock, LENDER_A, slot, nullifier=7))
    other = _slots(clock)[1]
    with pytest.raises(errors.DuplicateLine):
        a.open_line("a-3", _decision(clock, LENDER_A, other, nullifier=7))
    assert registry.is_claimed(slot) and not registry.is_claimed(other)


def test_a_replayed_open_keeps_its_claim(
    lenders: tuple[Ledger, Ledger], registry: ExposureRegistry, clock: Clock,
) -> None:
    a, _ = lenders
    d = _decision(clock, LENDER_A, _slots(clock)[0], nullifier=1)
    first = a.open_line("a-1", d)
    assert a.open_line("a-1", d) == first
    (claim,) = registry.claims_by(LENDER_A)
    assert (claim.slot_nullifier, claim.claim_ref) == (d.slot_nullifier, "a-1")
    # a late retry, after the slot's epoch (and its grace) closed: still the stored receipt
    clock.advance(2 * EPOCH_SECONDS)
    assert a.open_line("a-1", d) == first
    (late,) = a.submit_many([Command("open_line", "a-1", (d,))])
    assert late.status == "duplicate" and late.receipt == first
    # a new command with that stale decision is refused for its closed epoch
    with pytest.raises(errors.ExposureEpochClosed):
        a.open_line("a-2", d)


def test_a_batch_claims_per_command_and_releases_the_refused(
    lenders: tuple[Ledger, Ledger], registry: ExposureRegistry, clock: Clock,
) -> None:
    a, b = lenders
    s0, s1, s2 = _slots(clock)
    b.open_line("b-1", _decision(clock, LENDER_B, s2, nullifier=9))
    out = a.submit_many([
        Command("deposit", "dep", ("lp", 10**9)),
        Command("open_line", "o-1", (_decision(clock, LENDER_A, s0, nullifier=1),)),
        Command("open_line", "o-2", (_decision(clock, LENDER_A, s2, nullifier=2),)),
        Command("open_line", "o-3", (_decision(clock, LENDER_A, s1, nullifier=3,
                                               expires_in=-1),)),
        Command("open_line", "o-1", (_decision(clock, LENDER_A, s0, nullifier=1),)),
    ])
    assert [(r.status, r.error) for r in out] == [
        ("ok", None), ("ok", None), ("refused", "ExposureCapReached"),
        ("refused", "LineExpired"), ("duplicate", None)]
    assert {c.slot_nullifier for c in registry.claims_by(LENDER_A)} == {s0}
    assert not registry.is_claimed(s1)


def test_an_aborted_batch_gives_every_claim_back(tmp_path: Path, clock: Clock) -> None:
    # One registry backend is enough here (the abort is the ledger's), and the ledger's
    # bounded retries against the held lock take ~17 s.
    registry = ExposureRegistry(f"sqlite:///{tmp_path / 'exposure.db'}", slots=SLOTS,
                                epoch_seconds=EPOCH_SECONDS, clock=clock)
    path = tmp_path / "locked.db"
    ledger = _ledger(path, clock, registry)
    s0, s1, _ = _slots(clock)
    blocker = sqlite3.connect(path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holds the ledger's write lock
    try:
        with pytest.raises(errors.StorageError):
            ledger.submit_many([
                Command("open_line", "o-1", (_decision(clock, LENDER_A, s0, nullifier=1),)),
                Command("open_line", "o-2", (_decision(clock, LENDER_A, s1, nullifier=2),)),
            ])
        assert not registry.is_claimed(s0) and not registry.is_claimed(s1)
    finally:
        blocker.rollback()
        blocker.close()
    ledger.open_line("o-1", _decision(clock, LENDER_A, s0, nullifier=1))  # nothing lost
    assert registry.is_claimed(s0)
    ledger.close()
    registry.close()


def test_a_renewal_spends_a_slot_of_its_own(
    lenders: tuple[Ledger, Ledger], registry: ExposureRegistry, clock: Clock,
) -> None:
    a, _ = lenders
    line = a.open_line("a-1", _decision(clock, LENDER_A, _slots(clock)[0],
                                        nullifier=1)).int("line_id")
    clock.advance(EPOCH_SECONDS)
    fresh = _slots(clock)[0]
    a.renew_line("a-2", line, _decision(clock, LENDER_A, fresh, nullifier=2))
    assert registry.is_claimed(fresh)
    # a renewal with a slot someone holds is refused and the line keeps its old terms
    with pytest.raises(errors.ExposureCapReached):
        a.renew_line("a-3", line, _decision(clock, LENDER_A, fresh, nullifier=3))


def test_a_ledger_without_a_registry_never_claims(
    tmp_path: Path, registry: ExposureRegistry, clock: Clock,
) -> None:
    solo = _ledger(tmp_path / "solo.db", clock, None)
    solo.open_line("s-1", _decision(clock, LENDER_A, _slots(clock)[0], nullifier=1))
    assert registry.claims_by(LENDER_A) == []
    solo.close()
    with pytest.raises(errors.InvalidArgument, match="exposure"):
        _ledger(tmp_path / "bad.db", clock, object())  # type: ignore[arg-type]


def test_two_processes_opening_one_new_ledger_and_registry_at_once(
    fresh_url: Callable[[str], str],
) -> None:
    """Two lender processes starting together on one empty database both open the ledger
    and the registry (on PostgreSQL the second's snapshot can predate the first's CREATE:
    the storage layer re-runs that transaction instead of failing)."""
    ctx = multiprocessing.get_context("spawn")
    for _ in range(3):
        url = fresh_url("concurrent-open")
        barrier = ctx.Barrier(2)
        out = ctx.Queue()
        procs = [ctx.Process(target=_workers.open_ledger_with_registry,
                             args=(url, barrier, out)) for _ in range(2)]
        for p in procs:
            p.start()
        got = [out.get(timeout=180) for _ in procs]
        for p in procs:
            p.join(timeout=60)
        assert got == ["ok", "ok"], got
