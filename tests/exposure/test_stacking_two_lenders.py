"""Issue 12 acceptance, end to end with the real threshold circuit: two lenders, each in
its own process with its own verifier store and ledger, share one exposure registry
(PostgreSQL, as lenders on one server would; SQLite, as one node would). One borrower
with k = 2:

- opens a line at lender A and one at lender B in one exposure epoch;
- the third line is refused at either lender: the honest wallet finds no free slot, and a
  proof forced onto a used slot is refused by the verifier (`exposure-cap-reached`);
- in the next epoch a line is allowed again;
- what the two lenders saw (challenge, presentation, decision) shares no value that was
  not already in both challenges: the slot nullifiers, nullifiers, borrower keys and
  proofs all differ, and the registry holds the two slots without saying whose they are.
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from zkcredit.credit import CreditRecord, IssuerRegistry, RecordKind, RecordStatus, Wallet
from zkcredit.credit.dev_keys import development_keys
from zkcredit.credit.issuance import Issuer
from zkcredit.credit.model import DEFAULT_MODEL, score
from zkcredit.credit.present import present
from zkcredit.errors import Refused
from zkcredit.exposure import ExposureRegistry
from zkcredit.hazmat import eddsa, groth16
from zkcredit.verifier import Challenge

from ._lender_process import LenderSetup, serve

pytestmark = pytest.mark.slow

DAY = 86_400
EPOCH = 30 * DAY
NOW = 682 * EPOCH + 5 * DAY  # 2026-01-06: five days into exposure epoch 682
SLOTS = 2


def _records() -> list[CreditRecord]:
    out = []
    for year in range(5):
        opened = NOW - (5 - year) * 365 * DAY
        out.append(CreditRecord(opened_at=opened, updated_at=opened + 300 * DAY,
                                amount=400_000, repaid=400_000, days_late=0,
                                status=RecordStatus.CLOSED, kind=RecordKind.LOAN))
    return out


@dataclass
class Borrower:
    wallet: Wallet
    registry: IssuerRegistry
    pk: groth16.ProvingKey
    score: int


@pytest.fixture(scope="module")
def borrower(tmp_path_factory: pytest.TempPathFactory, threshold_cache: Path) -> Borrower:
    tmp = tmp_path_factory.mktemp("stacking")
    pk = development_keys(directory=threshold_cache)
    issuer_key = eddsa.generate_private_key()
    registry = IssuerRegistry()
    registry.add(eddsa.prv2pub(issuer_key))
    wallet = Wallet.create(tmp / "w.zkw", "pass phrase", records=_records())
    bureau = Issuer(tmp / "bureau.db", issuer_key)
    bureau.set_books("subject-7", _records(), now=NOW - 9 * DAY)
    wallet.add_attestation(bureau.attest(wallet.disclose("subject-7"),
                                         now=NOW - 9 * DAY).to_json_dict())
    bureau.close()
    return Borrower(wallet, registry, pk, score(DEFAULT_MODEL, list(wallet.records), NOW))


class LenderProcess:
    """The test's end of one lender's pipe."""

    def __init__(self, setup: LenderSetup) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, there = ctx.Pipe()
        self.proc = ctx.Process(target=serve, args=(setup, there), daemon=True)
        self.proc.start()
        there.close()
        ready = self._recv()
        assert ready[0] == "ready", ready
        self.seen: list[Any] = []  # everything this lender received or produced

    def _recv(self) -> tuple[Any, ...]:
        if not self.conn.poll(120):
            raise AssertionError("the lender process did not answer within 120 s")
        answer: tuple[Any, ...] = self.conn.recv()
        return answer

    def challenge(self, tier: int, now: int) -> Challenge:
        self.conn.send(("challenge", tier, now))
        kind, raw = self._recv()
        assert kind == "challenge", raw
        self.seen.append(json.loads(raw))
        return Challenge.from_json(raw)

    def apply(self, presentation: bytes, challenge: Challenge, now: int,
              command_id: str) -> tuple[Any, ...]:
        self.seen.append(json.loads(presentation))
        self.conn.send(("apply", presentation, challenge.to_json(), now, command_id))
        answer = self._recv()
        if answer[0] == "opened":
            self.seen.append(answer[2])
        return answer

    def stop(self) -> None:
        self.conn.send(("stop",))
        self.proc.join(30)
        assert self.proc.exitcode == 0


def _leaves(obj: Any) -> set[str]:
    """Every scalar in a JSON value, as text."""
    if isinstance(obj, dict):
        return set().union(*(_leaves(v) for v in obj.values())) if obj else set()
    if isinstance(obj, list):
        return set().union(*(_leaves(v) for v in obj)) if obj else set()
    return {str(obj)}


@pytest.fixture
def lenders(fresh_url: Callable[[str], str], tmp_path: Path,
            borrower: Borrower) -> Iterator[tuple[LenderProcess, LenderProcess, str]]:
    url = fresh_url("stacking")
    ExposureRegistry(url, slots=SLOTS, epoch_seconds=EPOCH).close()  # the shared registry
    tiers = {1: borrower.score - 100, 2: borrower.score}
    made = []
    for name in ("Lender A", "Lender B"):
        work = tmp_path / name.replace(" ", "-")
        work.mkdir()
        made.append(LenderProcess(LenderSetup(
            name=name, workdir=str(work), registry_url=url, vk=borrower.pk.vk.to_bytes(),
            registry_root=borrower.registry.root, model_id=DEFAULT_MODEL.model_id(),
            tiers=tiers, slots=SLOTS, epoch_seconds=EPOCH, start=NOW)))
    yield made[0], made[1], url
    for lender in made:
        lender.stop()


def test_k_plus_one_lines_refused_at_either_lender_next_epoch_allowed_views_unlinkable(
    lenders: tuple[LenderProcess, LenderProcess, str], borrower: Borrower,
) -> None:
    a, b, url = lenders
    registry = ExposureRegistry(url, clock=lambda: NOW)

    def prove(lender: LenderProcess, now: int, **kw: Any) -> tuple[Challenge, bytes]:
        ch = lender.challenge(2, now)
        p = present(borrower.wallet, ch, registry=borrower.registry, proving_key=borrower.pk,
                    claimed_slots=registry.claimed(ch.exposure_epoch), **kw)
        return ch, p.to_json()

    # k = 2 lines in one epoch, one at each lender
    ch_a, p_a = prove(a, NOW)
    assert a.apply(p_a, ch_a, NOW + 1, "a-open-1")[0] == "opened"
    ch_b, p_b = prove(b, NOW + 10)
    assert b.apply(p_b, ch_b, NOW + 11, "b-open-1")[0] == "opened"
    epoch = NOW // EPOCH
    assert len(registry.claimed(epoch)) == SLOTS

    # the (k+1)-th: the honest wallet has no free slot, at either lender
    for lender in (a, b):
        with pytest.raises(Refused, match="exposure slots"):
            prove(lender, NOW + 20)
    # a proof forced onto each used slot is refused by either lender's verifier (a day
    # later, so each lender's own per-lender nullifier is a fresh one and does not answer)
    for lender, slot in ((b, 0), (a, 1), (a, 0), (b, 1)):
        ch, forced = prove(lender, NOW + DAY, exposure_slot=slot)
        assert lender.apply(forced, ch, NOW + DAY + 1, f"forced-{slot}") == (
            "refused", "exposure-cap-reached")
    assert len(registry.claimed(epoch)) == SLOTS

    # the next exposure epoch: a line is allowed again
    later = (epoch + 1) * EPOCH + DAY
    ch, p = prove(b, later)
    assert b.apply(p, ch, later + 1, "b-open-2")[0] == "opened"

    # what the two lenders saw in the first epoch shares only what both challenges held
    view_a = _leaves(a.seen[:3])  # challenge, presentation, decision of A's line
    view_b = _leaves(b.seen[:3])
    common_to_challenges = _leaves(a.seen[0]) & _leaves(b.seen[0])
    # the presentation format's own constants: its name, snarkjs's protocol and curve
    # labels, and the projective z coordinates (1, and 0 for G2's imaginary part)
    format_constants = {"zkcredit-presentation", "groth16", "bn128", "0", "1"}
    shared = view_a & view_b
    assert shared <= common_to_challenges | format_constants, shared - common_to_challenges
    pres_a, pres_b = json.loads(p_a), json.loads(p_b)
    assert pres_a["public_signals"][14] != pres_b["public_signals"][14]  # slot nullifiers
    assert pres_a["borrower_key"] != pres_b["borrower_key"]
    registry.close()
