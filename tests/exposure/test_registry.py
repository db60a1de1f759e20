"""The exposure registry (issue 12): claims, replays, refusals, epochs, batches and races,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, inspect, text

from zkcredit.errors import (
    ExposureCapReached,
    ExposureEpochClosed,
    IdempotencyConflict,
    InvalidArgument,
    StorageError,
    UnsupportedFormat,
    ZkCreditError,
)
from zkcredit.exposure import MAX_SLOTS, Claim, ExposureRegistry
from zkcredit.ledger import Ed25519RecordSigner, Ledger, ManualFeed

from . import _workers
from .conftest import EPOCH_SECONDS, SLOTS, T0, Clock

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
E = T0 // EPOCH_SECONDS  # the current epoch at T0
HOLDER = 987_654_321  # a lender id no message may reveal
OTHER = 555


# ---------------------------------------------------------------- claims and replays

def test_claim_then_replay_returns_the_stored_claim(registry: ExposureRegistry,
                                                    clock: Clock) -> None:
    first = registry.claim(42, E, HOLDER, "cmd-1")
    assert first == Claim(42, E, HOLDER, "cmd-1", T0, fresh=True)
    clock.advance(10)
    again = registry.claim(42, E, HOLDER, "cmd-1")
    assert again == Claim(42, E, HOLDER, "cmd-1", T0, fresh=False)  # the original time
    assert registry.is_claimed(42)
    assert registry.claimed(E) == frozenset({42})


def test_a_used_slot_is_refused_without_naming_its_holder(registry: ExposureRegistry) -> None:
    registry.claim(42, E, HOLDER, "cmd-1")
    with pytest.raises(ExposureCapReached) as refused:
        registry.claim(42, E, OTHER, "other-cmd")
    assert str(refused.value) == f"slot already claimed in exposure epoch {E}"
    assert str(HOLDER) not in str(refused.value)
    assert "cmd-1" not in str(refused.value)
    # the holder itself cannot take the slot twice under another command id either
    with pytest.raises(ExposureCapReached):
        registry.claim(42, E, HOLDER, "cmd-2")
    assert [c.claim_ref for c in registry.claims_by(HOLDER)] == ["cmd-1"]
    assert registry.claims_by(OTHER) == []


def test_a_claim_ref_names_one_claim(registry: ExposureRegistry) -> None:
    registry.claim(42, E, HOLDER, "cmd-1")
    with pytest.raises(IdempotencyConflict):
        registry.claim(43, E, HOLDER, "cmd-1")  # same key, another nullifier
    with pytest.raises(IdempotencyConflict):
        registry.claim(42, E - 1, HOLDER, "cmd-1")  # same key and nullifier, another epoch
    assert not registry.is_claimed(43)
    # the key is per lender: another lender may use the same claim_ref
    assert registry.claim(43, E, OTHER, "cmd-1").fresh


def test_field_elements_near_r_are_stored_exactly(registry: ExposureRegistry) -> None:
    big = [R - 1, R - 2, R - 11, 10**76, 0, 1]
    for i, n in enumerate(big):
        assert registry.claim(n, E, R - 1, f"c{i}").fresh
    assert registry.claimed(E) == frozenset(big)
    assert [c.slot_nullifier for c in registry.claims_by(R - 1)] == big
    assert all(c.lender_id == R - 1 for c in registry.claims_by(R - 1))
    with pytest.raises(ExposureCapReached):
        registry.claim(R - 2, E, OTHER, "x")
    assert not registry.is_claimed(R - 3)


# ---------------------------------------------------------------- release

def test_release_frees_only_the_holders_claim(registry: ExposureRegistry) -> None:
    registry.claim(42, E, HOLDER, "cmd-1")
    assert registry.release(42, OTHER, "cmd-1") is False  # someone else: nothing changes
    assert registry.release(42, HOLDER, "cmd-2") is False  # the holder's other key
    assert registry.is_claimed(42)
    assert registry.release(42, HOLDER, "cmd-1") is True
    assert not registry.is_claimed(42)
    assert registry.release(42, HOLDER, "cmd-1") is False  # already gone
    assert registry.release(7, HOLDER, "never") is False
    # the slot and the key are both free again
    assert registry.claim(42, E, OTHER, "theirs").fresh
    assert registry.claim(43, E, HOLDER, "cmd-1").fresh


# ---------------------------------------------------------------- reads

def test_claimed_and_claims_by_per_epoch(registry: ExposureRegistry, clock: Clock) -> None:
    registry.claim(1, E, HOLDER, "a")
    registry.claim(2, E, OTHER, "b")
    clock.advance(EPOCH_SECONDS)  # now E + 1 is current and E the grace epoch
    registry.claim(3, E + 1, HOLDER, "c")
    registry.claim(4, E, HOLDER, "d")
    assert registry.claimed(E) == frozenset({1, 2, 4})
    assert registry.claimed(E + 1) == frozenset({3})
    assert registry.claimed(E + 5) == frozenset()
    mine = registry.claims_by(HOLDER)
    assert mine == [
        Claim(1, E, HOLDER, "a", T0, fresh=False),
        Claim(4, E, HOLDER, "d", T0 + EPOCH_SECONDS, fresh=False),
        Claim(3, E + 1, HOLDER, "c", T0 + EPOCH_SECONDS, fresh=False),
    ]
    assert registry.claims_by(HOLDER, E + 1) == [mine[2]]
    assert registry.claims_by(HOLDER, E + 2) == []
    assert registry.claims_by(12345) == []


def test_prune_forgets_closed_epochs_only(registry: ExposureRegistry, clock: Clock) -> None:
    registry.claim(1, E, HOLDER, "a")
    registry.claim(2, E, OTHER, "b")
    clock.advance(EPOCH_SECONDS)
    registry.claim(3, E + 1, HOLDER, "c")
    with pytest.raises(InvalidArgument, match="open epoch"):
        registry.prune(E + 1)  # E is the grace epoch: its claims still count
    clock.advance(EPOCH_SECONDS)  # current E + 2: E is closed
    assert registry.prune(E) == 0
    assert registry.prune(E + 1) == 2
    assert registry.claimed(E) == frozenset()
    assert not registry.is_claimed(1)
    assert registry.claimed(E + 1) == frozenset({3})
    assert registry.prune(E + 1) == 0


# ---------------------------------------------------------------- epochs

def test_epoch_grace_and_closed_epochs(registry: ExposureRegistry, clock: Clock) -> None:
    assert registry.current_epoch() == E
    assert registry.claim(1, E - 1, HOLDER, "grace").fresh  # issued just before the boundary
    for wrong in (E - 2, E + 1, 0):
        with pytest.raises(ExposureEpochClosed) as closed:
            registry.claim(2, wrong, HOLDER, f"w{wrong}")
        assert str(wrong) in str(closed.value) and str(E) in str(closed.value)
    assert not registry.is_claimed(2)
    # a challenge for epoch E is still good one boundary later, not two
    clock.t = (E + 1) * EPOCH_SECONDS
    assert registry.current_epoch() == E + 1
    assert registry.claim(2, E, HOLDER, "late").fresh
    clock.advance(EPOCH_SECONDS)
    with pytest.raises(ExposureEpochClosed):
        registry.claim(3, E, HOLDER, "too-late")


def test_the_clock_must_be_int_seconds(open_registry: Callable[..., ExposureRegistry],
                                       registry_url: str, clock: Clock) -> None:
    reg = open_registry(registry_url, slots=SLOTS, epoch_seconds=EPOCH_SECONDS)
    clock.t = 1.5  # type: ignore[assignment]
    with pytest.raises(InvalidArgument, match="clock"):
        reg.current_epoch()


# ---------------------------------------------------------------- parameters

def test_parameters_are_fixed_at_creation(open_registry: Callable[..., ExposureRegistry],
                                          registry_url: str) -> None:
    with pytest.raises(InvalidArgument, match="slots and epoch_seconds"):
        open_registry(registry_url, slots=SLOTS)
    with pytest.raises(InvalidArgument, match="slots and epoch_seconds"):
        open_registry(registry_url)
    first = open_registry(registry_url, slots=5, epoch_seconds=86400)
    assert (first.slots, first.epoch_seconds) == (5, 86400)
    again = open_registry(registry_url)
    assert (again.slots, again.epoch_seconds) == (5, 86400)
    assert open_registry(registry_url, slots=5).epoch_seconds == 86400
    with pytest.raises(InvalidArgument) as bad:
        open_registry(registry_url, slots=6)
    assert "6" in str(bad.value) and "5" in str(bad.value)
    with pytest.raises(InvalidArgument) as bad:
        open_registry(registry_url, slots=5, epoch_seconds=3600)
    assert "3600" in str(bad.value) and "86400" in str(bad.value)
    with pytest.raises(AttributeError):
        first.slots = 9  # type: ignore[misc]


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"slots": 0}, "slots"),
    ({"slots": MAX_SLOTS + 1}, "slots"),
    ({"slots": True}, "slots"),
    ({"slots": "3"}, "slots"),
    ({"epoch_seconds": 0}, "epoch_seconds"),
    ({"epoch_seconds": -60}, "epoch_seconds"),
    ({"epoch_seconds": True}, "epoch_seconds"),
    ({"epoch_seconds": 60.0}, "epoch_seconds"),
])
def test_bad_parameters_are_refused(open_registry: Callable[..., ExposureRegistry],
                                    registry_url: str, kwargs: dict[str, object],
                                    name: str) -> None:
    params: dict[str, object] = {"slots": SLOTS, "epoch_seconds": EPOCH_SECONDS, **kwargs}
    with pytest.raises(InvalidArgument, match=name):
        open_registry(registry_url, **params)
    assert open_registry(registry_url, slots=MAX_SLOTS, epoch_seconds=1).slots == MAX_SLOTS


def test_a_newer_schema_is_refused(open_registry: Callable[..., ExposureRegistry],
                                   registry_url: str) -> None:
    open_registry(registry_url, slots=SLOTS, epoch_seconds=EPOCH_SECONDS).close()
    engine = create_engine(registry_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE exposure_schema SET version = version + 1"))
    engine.dispose()
    with pytest.raises(UnsupportedFormat, match="newer"):
        open_registry(registry_url)


def test_shares_a_database_with_a_ledger(open_registry: Callable[..., ExposureRegistry],
                                         registry_url: str, clock: Clock) -> None:
    def ledger() -> Ledger:
        return Ledger(registry_url, primary_feed=ManualFeed(3_000_000, T0), clock=clock,
                      record_signer=Ed25519RecordSigner(
                          Ed25519PrivateKey.from_private_bytes(b"\x02" * 32)),
                      audit_key=Ed25519PrivateKey.from_private_bytes(b"\x01" * 32))

    with ledger() as L:
        reg = open_registry(registry_url, slots=SLOTS, epoch_seconds=EPOCH_SECONDS)
        reg.claim(42, E, HOLDER, "cmd-1")
        L.deposit("cmd-1", "lp", 1000)
    with ledger() as L:  # reopening runs the ledger's migrations next to our tables
        assert L.audit().ok
        assert L.pool_state().cash == 1000
    assert open_registry(registry_url).is_claimed(42)
    engine = create_engine(registry_url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"exposure_schema", "exposure_claims", "commands", "schema_migrations"} <= names


def test_unusable_databases_raise_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError):
        ExposureRegistry(f"sqlite:///{tmp_path / 'missing' / 'x.db'}", slots=1,
                         epoch_seconds=60)
    with pytest.raises(StorageError):
        ExposureRegistry("sqlite:///:memory:", slots=1, epoch_seconds=60)
    (tmp_path / "junk.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError):
        ExposureRegistry(f"sqlite:///{tmp_path / 'junk.db'}", slots=1, epoch_seconds=60)


# ---------------------------------------------------------------- input validation

BAD_FIELD = [True, False, -1, R, R + 5, 2**300, 1.0, "42", None]
BAD_REF = ["", "x" * 129, "caf\u00e9", "tab\there", "new\nline", b"bytes", 7, None]


@pytest.mark.parametrize("bad", BAD_FIELD)
def test_bad_field_elements_are_refused(registry: ExposureRegistry, bad: object) -> None:
    with pytest.raises(InvalidArgument, match="slot_nullifier"):
        registry.claim(bad, E, HOLDER, "r")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="lender_id"):
        registry.claim(1, E, bad, "r")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="slot_nullifier"):
        registry.release(bad, HOLDER, "r")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="lender_id"):
        registry.release(1, bad, "r")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="slot_nullifier"):
        registry.is_claimed(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="lender_id"):
        registry.claims_by(bad)  # type: ignore[arg-type]
    assert registry.claimed(E) == frozenset()


@pytest.mark.parametrize("bad", [True, -1, 2**63, "1", 1.0, None])
def test_bad_epochs_are_refused(registry: ExposureRegistry, bad: object) -> None:
    with pytest.raises(InvalidArgument, match="epoch"):
        registry.claim(1, bad, HOLDER, "r")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="epoch"):
        registry.claimed(bad)  # type: ignore[arg-type]
    if bad is not None:
        with pytest.raises(InvalidArgument, match="epoch"):
            registry.claims_by(HOLDER, bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="before_epoch"):
        registry.prune(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", BAD_REF)
def test_bad_claim_refs_are_refused(registry: ExposureRegistry, bad: object) -> None:
    with pytest.raises(InvalidArgument, match="claim_ref"):
        registry.claim(1, E, HOLDER, bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="claim_ref"):
        registry.release(1, HOLDER, bad)  # type: ignore[arg-type]
    assert not registry.is_claimed(1)
    # the longest and the oddest printable refs are fine
    assert registry.claim(1, E, HOLDER, "~" * 128).fresh
    assert registry.claim(2, E, HOLDER, " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~").fresh


# ---------------------------------------------------------------- batches

def test_claim_many_answers_each_item_in_place(registry: ExposureRegistry) -> None:
    assert registry.claim_many([]) == []
    out = registry.claim_many([
        (1, E, HOLDER, "a"),
        (1, E, OTHER, "b"),          # taken earlier in the same batch
        (2, E, HOLDER, "a"),         # key taken earlier in the same batch
        (1, E, HOLDER, "a"),         # replay of the first item
        (True, E, HOLDER, "c"),      # malformed: answered in place, batch goes on
        (3, E + 1, HOLDER, "d"),     # epoch not open
        (3, E, HOLDER),              # not a 4-tuple
        [3, E, HOLDER, "e"],         # not a tuple
        (3, E, OTHER, "b"),
    ])  # type: ignore[list-item]
    assert out[0] == Claim(1, E, HOLDER, "a", T0, fresh=True)
    assert isinstance(out[1], ExposureCapReached)
    assert isinstance(out[2], IdempotencyConflict)
    assert out[3] == Claim(1, E, HOLDER, "a", T0, fresh=False)
    assert isinstance(out[4], InvalidArgument)
    assert isinstance(out[5], ExposureEpochClosed)
    assert isinstance(out[6], InvalidArgument) and isinstance(out[7], InvalidArgument)
    assert out[8] == Claim(3, E, OTHER, "b", T0, fresh=True)
    assert len(out) == 9
    assert registry.claimed(E) == frozenset({1, 3})
    for bad in ({(1, E, HOLDER, "a")}, iter([]), None, "abcd"):
        with pytest.raises(InvalidArgument):
            registry.claim_many(bad)  # type: ignore[arg-type]


def test_claim_raises_what_claim_many_returns(registry: ExposureRegistry) -> None:
    registry.claim(1, E, HOLDER, "a")
    [answer] = registry.claim_many([(1, E, OTHER, "b")])
    with pytest.raises(ExposureCapReached) as raised:
        registry.claim(1, E, OTHER, "b")
    assert type(answer) is type(raised.value) and str(answer) == str(raised.value)


NULLIFIERS = [0, 1, 2, 3, R - 1, 2**200]
LENDERS = [11, 12, R - 1]
REFS = ["r0", "r1", "r2"]
_item = st.one_of(
    st.tuples(st.sampled_from(NULLIFIERS), st.sampled_from([0, 0, 0, -1, -1, -2, 1]),
              st.sampled_from(LENDERS), st.sampled_from(REFS)),
    st.sampled_from([(True, 0, 11, "r0"), (1, 0, -1, "r0"), (1, 0, 11, ""),
                     (R, 0, 12, "r1")]),  # malformed
)
_step = st.tuples(
    st.integers(0, EPOCH_SECONDS * 3 // 2),  # clock advance before the batch
    st.lists(_item, max_size=8),  # the batch; epochs are relative to the current one
    st.lists(st.tuples(st.sampled_from(NULLIFIERS), st.sampled_from(LENDERS),
                       st.sampled_from(REFS)), max_size=2),  # releases after it
)


def _outcome(answer: Claim | ZkCreditError) -> object:
    return answer if isinstance(answer, Claim) else (type(answer).__name__, str(answer))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(_step, min_size=1, max_size=6))
def test_claim_many_equals_claims_one_by_one(
        open_registry: Callable[..., ExposureRegistry], fresh_url: Callable[[str], str],
        steps: list[tuple[int, list[tuple[object, int, object, object]],
                          list[tuple[int, int, str]]]]) -> None:
    clock = Clock()
    batched = open_registry(fresh_url("main"), slots=SLOTS, epoch_seconds=EPOCH_SECONDS,
                            clock=clock)
    single = open_registry(fresh_url("twin"), slots=SLOTS, epoch_seconds=EPOCH_SECONDS,
                           clock=clock)
    epochs = set()
    for advance, batch, releases in steps:
        clock.advance(advance)
        now = batched.current_epoch()
        epochs |= {now, now - 1}
        items = [(n, now + e, lender, ref) for n, e, lender, ref in batch]
        got = [_outcome(a) for a in batched.claim_many(items)]  # type: ignore[arg-type]
        want = []
        for item in items:
            try:
                want.append(_outcome(single.claim(*item)))  # type: ignore[arg-type]
            except ZkCreditError as exc:
                want.append(_outcome(exc))
        assert got == want
        for n, lender, ref in releases:
            assert batched.release(n, lender, ref) == single.release(n, lender, ref)
    for epoch in epochs:
        assert batched.claimed(epoch) == single.claimed(epoch)
    for lender in LENDERS:
        assert batched.claims_by(lender) == single.claims_by(lender)
    batched.close()
    single.close()


# ---------------------------------------------------------------- processes

def _spawn() -> multiprocessing.context.SpawnContext:
    return multiprocessing.get_context("spawn")


def test_concurrent_claims_of_one_slot_exactly_one_wins(
        open_registry: Callable[..., ExposureRegistry], registry_url: str) -> None:
    """ADVERSARIAL E: two lender processes race for the same 200 slots, in the same order,
    one transaction per claim; each slot ends with exactly one holder."""
    # wall clock (the processes use it too); a day-long epoch keeps a boundary unlikely,
    # and the grace epoch covers one anyway
    reg = open_registry(registry_url, slots=SLOTS, epoch_seconds=86400, clock=lambda: int(
        time.time()))
    nullifiers = [R - 1 - 7 * i for i in range(200)]
    ctx = _spawn()
    barrier = ctx.Barrier(2)
    out = ctx.Queue()
    lenders = (101, 202)
    procs = [ctx.Process(target=_workers.race, args=(registry_url, lid, nullifiers, barrier,
                                                     out)) for lid in lenders]
    for p in procs:
        p.start()
    results = {}
    for _ in procs:
        lid, won, lost = out.get(timeout=180)
        assert lost >= 0, won  # the worker's exception
        results[lid] = (won, lost)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    for won, lost in results.values():
        assert len(won) + lost == 200
        assert len(set(won)) == len(won)
    won_a, won_b = (set(results[lid][0]) for lid in lenders)
    assert not won_a & won_b
    assert won_a | won_b == set(nullifiers)
    # the registry agrees with what each process was told
    for lid in lenders:
        assert {c.slot_nullifier for c in reg.claims_by(lid)} == set(results[lid][0])
    assert reg.claimed(reg.current_epoch()) | reg.claimed(reg.current_epoch() - 1) == set(
        nullifiers)


def test_concurrent_first_opens_agree(fresh_url: Callable[[str], str]) -> None:
    """Two processes creating one registry at once: with the same parameters both open it;
    with different ones exactly one creates it and the other is refused."""
    ctx = _spawn()
    for params in ((3, 60), (3, 60)), ((3, 60), (4, 60)):
        url = fresh_url("main")
        barrier = ctx.Barrier(2)
        out = ctx.Queue()
        procs = [ctx.Process(target=_workers.first_open, args=(url, s, es, barrier, out))
                 for s, es in params]
        for p in procs:
            p.start()
        got = sorted(out.get(timeout=120) for _ in procs)
        for p in procs:
            p.join(timeout=60)
        if params[0] == params[1]:
            assert got == [(3, "ok", 3), (3, "ok", 3)]
        else:
            assert sorted(g[1] for g in got) == ["InvalidArgument", "ok"], got
            with ExposureRegistry(url) as reg:
                winner = reg.slots
            assert (winner, "ok", winner) in got


@pytest.mark.postgres
def test_two_lender_processes_on_postgres_see_each_others_claims(
        postgres_server: object, open_registry: Callable[..., ExposureRegistry]) -> None:
    if postgres_server is None:
        pytest.skip("PostgreSQL server unavailable (see the loud message above)")
    url = postgres_server.create_database("exposure_pair")  # type: ignore[attr-defined]
    open_registry(url, slots=SLOTS, epoch_seconds=86400).close()
    ctx = _spawn()
    pipes = {}
    procs = []
    for lid in (HOLDER, OTHER):
        here, there = ctx.Pipe()
        proc = ctx.Process(target=_workers.lender, args=(url, lid, there))
        proc.start()
        procs.append(proc)
        pipes[lid] = here
    try:
        for pipe in pipes.values():
            assert pipe.poll(60) and pipe.recv() == "ready"

        def call(lid: int, *msg: object) -> tuple[object, object]:
            pipes[lid].send(msg)
            assert pipes[lid].poll(60)
            answer: tuple[object, object] = pipes[lid].recv()
            return answer

        assert call(HOLDER, "claim", 42, "h-1") == ("ok", True)
        assert call(OTHER, "is_claimed", 42) == ("ok", True)
        assert call(OTHER, "claimed") == ("ok", [42])
        kind, message = call(OTHER, "claim", 42, "o-1")
        assert kind == "ExposureCapReached" and str(HOLDER) not in str(message)
        assert call(OTHER, "claim", 43, "o-1") == ("ok", True)
        assert call(HOLDER, "is_claimed", 43) == ("ok", True)
        assert call(HOLDER, "claimed") == ("ok", [42, 43])
        assert call(OTHER, "release", 42, "o-1") == ("ok", False)
        assert call(HOLDER, "release", 42, "h-1") == ("ok", True)
        assert call(OTHER, "is_claimed", 42) == ("ok", False)
        assert call(OTHER, "claim", 42, "o-2") == ("ok", True)
        kind, _ = call(HOLDER, "claim", 42, "h-2")
        assert kind == "ExposureCapReached"
    finally:
        for pipe in pipes.values():
            pipe.send(("stop",))
        for proc in procs:
            proc.join(timeout=60)
    assert [p.exitcode for p in procs] == [0, 0]
