"""The threshold circuit (v3): an honest borrower's inputs solve; every way of cheating
listed in the issues leaves the system unsatisfiable (incl. C10 holder binding, C11
freshness, C12 revocation, issue 12's exposure slot); a Groth16 round trip."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zkcredit.circuits.credit_threshold import PUBLIC_INPUTS, open_history
from zkcredit.circuits.poseidon import poseidon
from zkcredit.circuits.score_model import declare_slots, slot_assignment

from zkcredit import errors
from zkcredit.circuit import Circuit, CompiledCircuit
from zkcredit.credit import threshold as th
from zkcredit.credit.history import History, holder_commitment
from zkcredit.credit.issuer import (
    Attestation,
    IssuerRegistry,
    attestation_message,
)
from zkcredit.credit.model import DEFAULT_MODEL, score, total_outstanding
from zkcredit.credit.records import CreditRecord, RecordKind, RecordStatus
from zkcredit.credit.revocation import REVOCATION_DEPTH, RevocationList
from zkcredit.credit.threshold import (
    CIRCUIT_ID,
    build_threshold_circuit,
    circuit_id,
    nullifier,
    public_signals,
    threshold_assignment,
)
from zkcredit.exposure import EXPOSURE_DOMAIN, slot_nullifier
from zkcredit.hazmat import babyjub as bj
from zkcredit.hazmat import eddsa, groth16
from zkcredit.hazmat.attestation import sign_attestation
from zkcredit.hazmat.poseidon import merkle_path, merkle_root, poseidon_hash
from zkcredit.testing import uniqueness_sweep

R = bj.FIELD_MODULUS
DAY = 86_400
AS_OF = 1_760_000_000
NOT_BEFORE, NOT_AFTER = AS_OF - 30 * DAY, AS_OF + 60 * DAY
ISSUER_KEY, OTHER_KEY, THIRD_KEY = bytes([7]) * 32, bytes([8]) * 32, bytes([9]) * 32
SECRET, BLINDING = 0x5EC12E7, 0xB11D
LENDER, EPOCH, NONCE, BORROWER = 0x1E7D, 20_260, 0x0123_4567_89AB, 0xB0_12_20_3E
MONTHS = 12
XEPOCH, SLOTS, SLOT = 679, 3, 1  # exposure epoch, cap k, the slot the proof spends
MIN_NOT_BEFORE = NOT_BEFORE - DAY
RID = 0x0BAD_CAFE_0000_1111_2222_3333_4444_5555
HOLDER = holder_commitment(SECRET)


def issue_attestation(key: bytes, commitment: int, nb: int, na: int, *,
                      holder: int = HOLDER, rid: int = RID) -> Attestation:
    return sign_attestation(key, commitment, holder_commitment=holder, revocation_id=rid,
                            not_before=nb, not_after=na)


def _record(
    opened_days: int, amount: int, repaid: int, status: RecordStatus, *, late: int = 0,
    updated_days: int = 10,
) -> CreditRecord:
    return CreditRecord(
        opened_at=AS_OF - opened_days * DAY,
        updated_at=AS_OF - updated_days * DAY,
        amount=amount,
        repaid=repaid,
        days_late=late,
        status=status,
        kind=RecordKind.LOAN,
    )


RECORDS = [
    _record(2_000, 1_500_000, 1_500_000, RecordStatus.CLOSED),
    _record(900, 800_000, 300_000, RecordStatus.CURRENT),
    _record(400, 120_000, 20_000, RecordStatus.CURRENT, late=5),
    _record(200, 40_000, 0, RecordStatus.CURRENT),
    # Defaulted long ago: outside the 12-month no-default window, inside the model's.
    _record(1_500, 60_000, 10_000, RecordStatus.DEFAULT, late=120, updated_days=20 * 30),
]


@dataclass(frozen=True)
class World:
    history: History
    attestation: Attestation
    registry: IssuerRegistry
    score: int
    inputs: dict[str, Any]


def _world(records: list[CreditRecord] = RECORDS, **kw: Any) -> World:
    history = History(records, [1000 + i for i in range(len(records))], 32)
    att = issue_attestation(ISSUER_KEY, history.commitment(BLINDING, SECRET), NOT_BEFORE,
                            NOT_AFTER)
    registry = IssuerRegistry.of([eddsa.prv2pub(OTHER_KEY), att.issuer])
    got = score(DEFAULT_MODEL, records, AS_OF)
    args: dict[str, Any] = dict(
        lender_id=LENDER, epoch=EPOCH, nonce=NONCE, as_of=AS_OF, threshold=got,
        borrower_key_hash=BORROWER, no_default_months=MONTHS,
        max_outstanding=total_outstanding(records), min_not_before=MIN_NOT_BEFORE,
        exposure_epoch=XEPOCH, exposure_slots=SLOTS, exposure_slot=SLOT,
    )
    args.update(kw)
    inputs = threshold_assignment(history, SECRET, BLINDING, att, registry, **args)
    return World(history, att, registry, got, inputs)


@pytest.fixture(scope="module")
def compiled() -> CompiledCircuit:
    return build_threshold_circuit(32)


@pytest.fixture(scope="module")
def world() -> World:
    return _world()


def _refused(compiled: CompiledCircuit, inputs: dict[str, Any]) -> str | None:
    """The label of the first failing constraint, or None if the inputs solve."""
    try:
        compiled.solve(inputs)
    except errors.UnsatisfiedConstraint as exc:
        return exc.label or str(exc)
    except errors.MalformedInput as exc:
        return str(exc)
    return None


def _with(inputs: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**inputs, **changes}


def _with_item(inputs: dict[str, Any], name: str, index: int, value: int) -> dict[str, Any]:
    values = list(inputs[name])
    values[index] = value
    return {**inputs, name: values}


def test_shape_and_public_order(compiled: CompiledCircuit) -> None:
    r1cs = compiled.r1cs
    assert r1cs.n_public == 15
    assert r1cs.wire_names[1:16] == PUBLIC_INPUTS
    assert compiled.name == CIRCUIT_ID == circuit_id(32) == "zkcredit/credit-threshold/v3/n32"
    assert build_threshold_circuit(32) is compiled  # cached
    assert build_threshold_circuit(32, DEFAULT_MODEL) is compiled


def test_happy_path(compiled: CompiledCircuit, world: World) -> None:
    assert world.score >= 300
    witness = compiled.solve(world.inputs)
    signals = public_signals(world.inputs)
    assert compiled.public_values(witness) == signals
    assert signals == [
        world.registry.root, DEFAULT_MODEL.model_id(), world.score, AS_OF, MIN_NOT_BEFORE,
        LENDER, EPOCH,
        NONCE, poseidon_hash([SECRET, LENDER, EPOCH]), BORROWER, MONTHS,
        total_outstanding(RECORDS), XEPOCH, SLOTS,
        poseidon_hash([EXPOSURE_DOMAIN, SECRET, XEPOCH, SLOT]),
    ]
    # The reference solver agrees with the native one.
    assert compiled.solve_reference(world.inputs) == witness


def test_C4_window_bounds_in_circuit(compiled: CompiledCircuit, world: World) -> None:
    # Exactly at the bounds: accepted (the score at those times is recomputed).
    for at in (NOT_BEFORE, NOT_AFTER):
        got = score(DEFAULT_MODEL, RECORDS, at)
        assert _refused(compiled, _with(world.inputs, as_of=at, threshold=got)) is None
    for at in (NOT_BEFORE - 1, NOT_AFTER + 1):
        got = score(DEFAULT_MODEL, RECORDS, at)
        label = _refused(compiled, _with(world.inputs, as_of=at, threshold=got)) or ""
        assert "not_before_le_as_of" in label or "as_of_le_not_after" in label, label


def test_forged_signatures_refused(compiled: CompiledCircuit, world: World) -> None:
    i = world.inputs
    sig = world.attestation.signature
    assert _refused(compiled, _with(i, sig_s=(sig.S + 1) % bj.SUBGROUP_ORDER))
    assert _refused(compiled, _with(i, sig_s=sig.S + bj.SUBGROUP_ORDER))  # S >= l
    assert _refused(compiled, _with(i, sig_r8x=bj.BASE8.x, sig_r8y=bj.BASE8.y))
    # A signature by another registered issuer, presented under this issuer's key.
    other = issue_attestation(OTHER_KEY, world.attestation.commitment, NOT_BEFORE, NOT_AFTER)
    assert _refused(compiled, _with(i, sig_r8x=other.signature.R8.x,
                                    sig_r8y=other.signature.R8.y, sig_s=other.signature.S))
    # A signature over another window than the one claimed.
    assert _refused(compiled, _with(i, not_after=NOT_AFTER + DAY))
    assert _refused(compiled, _with(i, not_before=NOT_BEFORE - DAY))


def test_other_issuer_signature_needs_its_own_registry_path(
    compiled: CompiledCircuit, world: World
) -> None:
    # Signed by OTHER (registered, slot 0), claimed with OTHER's key but ISSUER's path.
    other = issue_attestation(OTHER_KEY, world.attestation.commitment, NOT_BEFORE, NOT_AFTER)
    claimed = _with(
        world.inputs, issuer_ax=other.issuer.x, issuer_ay=other.issuer.y,
        sig_r8x=other.signature.R8.x, sig_r8y=other.signature.R8.y, sig_s=other.signature.S,
    )
    assert _refused(compiled, claimed)
    path = world.registry.path(other.issuer)
    good = _with(claimed, registry_path_bits=list(path.path_bits),
                 registry_siblings=list(path.siblings))
    assert _refused(compiled, good) is None  # any registered issuer will do


def test_C8_issuer_not_in_registry(compiled: CompiledCircuit, world: World) -> None:
    # Unregistered issuer with a valid signature: no path reaches the lender's root.
    outsider = issue_attestation(THIRD_KEY, world.attestation.commitment, NOT_BEFORE,
                                 NOT_AFTER)
    unregistered = _with(
        world.inputs, issuer_ax=outsider.issuer.x, issuer_ay=outsider.issuer.y,
        sig_r8x=outsider.signature.R8.x, sig_r8y=outsider.signature.R8.y,
        sig_s=outsider.signature.S,
    )
    assert "registry" in (_refused(compiled, unregistered) or "")
    # Revoked: the lender pins the new root; the old path no longer reaches it.
    revoked = IssuerRegistry.from_json_dict(world.registry.to_json_dict())
    new_root = revoked.remove(world.attestation.issuer)
    assert new_root != world.registry.root
    assert "registry" in (_refused(compiled, _with(world.inputs, registry_root=new_root)) or "")
    # A path bit that is not boolean.
    assert _refused(compiled, _with_item(world.inputs, "registry_path_bits", 0, 2))


def test_threshold_model_and_predicates(compiled: CompiledCircuit, world: World) -> None:
    i = world.inputs
    assert _refused(compiled, _with(i, threshold=world.score - 1)) is None
    assert _refused(compiled, _with(i, threshold=world.score + 1))
    assert _refused(compiled, _with(i, threshold=R - 1))  # not read as -1
    assert _refused(compiled, _with(i, model_id=(DEFAULT_MODEL.model_id() + 1) % R))
    owed = total_outstanding(RECORDS)
    assert _refused(compiled, _with(i, max_outstanding=owed - 1))
    assert _refused(compiled, _with(i, max_outstanding=R - 1))
    # The default in RECORDS was reported 20 months before as_of.
    assert _refused(compiled, _with(i, no_default_months=19)) is None
    assert _refused(compiled, _with(i, no_default_months=21))


def test_recent_default_refused(compiled: CompiledCircuit) -> None:
    recs = [*RECORDS[:4], _record(300, 50_000, 0, RecordStatus.DEFAULT, updated_days=45)]
    w = _world(recs, no_default_months=1)
    assert _refused(compiled, w.inputs) is None
    assert _refused(compiled, _with(w.inputs, no_default_months=2))


def test_nullifier_is_bound(compiled: CompiledCircuit, world: World) -> None:
    i = world.inputs
    assert _refused(compiled, _with(i, nullifier=(i["nullifier"] + 1) % R))
    # The nullifier of another epoch or lender, presented with this epoch and lender.
    assert _refused(compiled, _with(i, nullifier=nullifier(SECRET, LENDER, EPOCH + 1)))
    assert _refused(compiled, _with(i, lender_id=LENDER + 1))
    # With every public input consistent, another epoch is fine.
    assert _refused(compiled, _with(i, epoch=EPOCH + 1,
                                    nullifier=nullifier(SECRET, LENDER, EPOCH + 1))) is None


def _slot_hash(secret: int, epoch: int, slot: int) -> int:
    """The slot nullifier formula without the library's range checks (for forgeries)."""
    return poseidon_hash([EXPOSURE_DOMAIN, secret, epoch, slot])


def test_exposure_slot_is_bound(compiled: CompiledCircuit, world: World) -> None:
    """Issue 12: the slot nullifier is the signed holder's, for this exposure epoch and a
    slot below the public cap k; any other combination has no witness."""
    i = world.inputs
    assert i["slot_nullifier"] == slot_nullifier(SECRET, XEPOCH, SLOT)
    assert _refused(compiled, _with(i, slot_nullifier=(i["slot_nullifier"] + 1) % R))
    # every slot below k, with its own nullifier, is fine
    for slot in range(SLOTS):
        assert _refused(compiled, _with(i, exposure_slot=slot,
                                        slot_nullifier=_slot_hash(SECRET, XEPOCH, slot))) is None
    # a (k+1)-th slot, consistently hashed: refused by slot < k
    for slot in (SLOTS, SLOTS + 1, 255, 256, R - 1, R - SLOTS):
        label = _refused(compiled, _with(i, exposure_slot=slot,
                                         slot_nullifier=_slot_hash(SECRET, XEPOCH, slot)))
        assert label and "exposure" in label, (slot, label)
    # a cap of 0, or above the width (a huge k would admit any slot)
    assert _refused(compiled, _with(i, exposure_slots=0, exposure_slot=0,
                                    slot_nullifier=_slot_hash(SECRET, XEPOCH, 0)))
    assert _refused(compiled, _with(i, exposure_slots=256, exposure_slot=255,
                                    slot_nullifier=_slot_hash(SECRET, XEPOCH, 255)))
    assert _refused(compiled, _with(i, exposure_slots=R - 1, exposure_slot=300,
                                    slot_nullifier=_slot_hash(SECRET, XEPOCH, 300)))
    # another epoch's nullifier presented under this epoch, and another holder's
    assert _refused(compiled, _with(i, slot_nullifier=_slot_hash(SECRET, XEPOCH - 1, SLOT)))
    assert _refused(compiled, _with(i, slot_nullifier=_slot_hash(SECRET + 1, XEPOCH, SLOT)))
    # the per-lender nullifier is not a slot nullifier (different hash, domain-separated)
    assert _refused(compiled, _with(i, slot_nullifier=i["nullifier"]))
    # with the public epoch changed consistently, the proof is for that epoch
    assert _refused(compiled, _with(i, exposure_epoch=XEPOCH + 1,
                                    slot_nullifier=_slot_hash(SECRET, XEPOCH + 1, SLOT))) is None


def test_exposure_slot_refused_in_plain_python() -> None:
    for bad in (dict(exposure_slot=SLOTS), dict(exposure_slot=-1), dict(exposure_slots=0),
                dict(exposure_slots=256, exposure_slot=0), dict(exposure_slot=True)):
        with pytest.raises(errors.InvalidArgument, match="exposure_slot"):
            _world(**bad)


def test_commitment_opening(compiled: CompiledCircuit, world: World) -> None:
    i = world.inputs
    for name in ("rec_amount", "rec_repaid", "rec_days_late", "rec_updated_at"):
        assert _refused(compiled, _with_item(i, name, 1, i[name][1] + 1)), name
    assert _refused(compiled, _with_item(i, "rec_status", 2, int(RecordStatus.CLOSED)))
    assert _refused(compiled, _with_item(i, "salt", 0, i["salt"][0] + 1))
    assert _refused(compiled, _with(i, blinding=BLINDING + 1))
    # Another secret, with its own (consistent) nullifier: the commitment still fails.
    other = SECRET + 1
    assert _refused(compiled, _with(i, holder_secret=other,
                                    nullifier=nullifier(other, LENDER, EPOCH)))


def test_absent_slots_cannot_smuggle_points(compiled: CompiledCircuit, world: World) -> None:
    i = world.inputs
    n = len(RECORDS)
    # An absent slot holding a closed, fully repaid record (the best kind for the score).
    smuggled = dict(i)
    for name, value in zip(
        ("rec_opened_at", "rec_updated_at", "rec_amount", "rec_repaid", "rec_status"),
        (AS_OF - 3000 * DAY, AS_OF - DAY, 30_000_000, 30_000_000, int(RecordStatus.CLOSED)),
        strict=True,
    ):
        smuggled = _with_item(smuggled, name, n, value)
    assert "absent_zero" in (_refused(compiled, smuggled) or "")
    # Marked present too: its leaf is then nonzero and the root changes.
    present = _with_item(_with_item(smuggled, "rec_present", n, 1), "salt", n, 77)
    assert _refused(compiled, present)
    # A real record hidden as absent (to drop a default): its leaf becomes 0.
    hidden = _with_item(i, "rec_present", n - 1, 0)
    assert _refused(compiled, hidden)
    # A gap: slot n + 1 present while slot n is absent.
    gap = _with_item(present, "rec_present", n, 0)
    gap = _with_item(gap, "rec_present", n + 1, 1)
    assert _refused(compiled, gap)


def test_assignment_refuses_in_plain_python(world: World) -> None:
    h, att, reg = world.history, world.attestation, world.registry
    base: dict[str, Any] = dict(
        lender_id=LENDER, epoch=EPOCH, nonce=NONCE, as_of=AS_OF, threshold=world.score,
        borrower_key_hash=BORROWER, no_default_months=MONTHS,
        max_outstanding=total_outstanding(RECORDS), min_not_before=MIN_NOT_BEFORE,
        exposure_epoch=XEPOCH, exposure_slots=SLOTS, exposure_slot=SLOT,
    )
    with pytest.raises(errors.Refused, match="below the threshold"):
        threshold_assignment(h, SECRET, BLINDING, att, reg, **{**base, "threshold": 999})
    with pytest.raises(errors.Refused, match="outstanding"):
        threshold_assignment(h, SECRET, BLINDING, att, reg,
                             **{**base, "max_outstanding": base["max_outstanding"] - 1})
    with pytest.raises(errors.Refused, match="defaulted"):
        threshold_assignment(h, SECRET, BLINDING, att, reg, **{**base, "no_default_months": 21})
    with pytest.raises(errors.AttestationOutsideWindow):
        threshold_assignment(h, SECRET, BLINDING, att, reg, **{**base, "as_of": NOT_AFTER + 1})
    with pytest.raises(errors.InvalidArgument, match="another commitment"):
        threshold_assignment(h, SECRET, BLINDING + 1, att, reg, **base)
    with pytest.raises(errors.IssuerNotRegistered):
        threshold_assignment(h, SECRET, BLINDING, att, IssuerRegistry(), **base)
    forged = Attestation(att.issuer, att.commitment, HOLDER, RID, NOT_BEFORE, NOT_AFTER,
                         eddsa.sign_poseidon(OTHER_KEY, attestation_message(
                             att.commitment, HOLDER, RID, NOT_BEFORE, NOT_AFTER)))
    with pytest.raises(errors.InvalidSignature):
        threshold_assignment(h, SECRET, BLINDING, forged, reg, **base)
    with pytest.raises(errors.NonCanonicalScalar):
        threshold_assignment(h, SECRET, BLINDING, att, reg, **{**base, "nonce": R})
    with pytest.raises(errors.InvalidArgument):
        threshold_assignment(h, SECRET, BLINDING, att, reg, **{**base, "threshold": -1})
    with pytest.raises(errors.InvalidArgument):
        public_signals({k: v for k, v in world.inputs.items() if k != "nonce"})
    with pytest.raises(errors.AttestationStale):
        threshold_assignment(h, SECRET, BLINDING, att, reg,
                             **{**base, "min_not_before": NOT_BEFORE + 1})
    with pytest.raises(errors.InvalidArgument, match="another holder"):
        threshold_assignment(h, SECRET + 1, BLINDING, att, reg, **base)
    revoked = IssuerRegistry.from_json_dict(reg.to_json_dict())
    revoked.apply_revocations(RevocationList.sign(ISSUER_KEY, [RID], NOT_BEFORE))
    with pytest.raises(errors.AttestationRevoked):
        threshold_assignment(h, SECRET, BLINDING, att, revoked, **base)


def test_C10_nullifier_comes_from_the_signed_holder(
    compiled: CompiledCircuit, world: World
) -> None:
    """C10: the issuer signed H = Poseidon([secret]); a second wallet's secret (with its own
    consistent commitment and nullifier) does not match the signed H, so one subject has one
    nullifier per lender and epoch."""
    other = SECRET + 1
    h = world.history
    # A second wallet reuses the attestation with its own secret: commitment changes.
    assert _refused(compiled, _with(world.inputs, holder_secret=other,
                                    nullifier=nullifier(other, LENDER, EPOCH)))
    # Even an issuer signature over the right commitment for another holder does not help
    # unless the signed holder is the prover's: sign (commitment of `other`, H of SECRET).
    att = issue_attestation(ISSUER_KEY, h.commitment(BLINDING, other), NOT_BEFORE, NOT_AFTER)
    mixed = _with(world.inputs, holder_secret=other, nullifier=nullifier(other, LENDER, EPOCH),
                  sig_r8x=att.signature.R8.x, sig_r8y=att.signature.R8.y, sig_s=att.signature.S)
    assert "attestation" in (_refused(compiled, mixed) or "")


def test_C11_freshness_bound_in_circuit(compiled: CompiledCircuit, world: World) -> None:
    """C11: the lender's public min_not_before is compared with the signed not_before."""
    i = world.inputs
    assert _refused(compiled, _with(i, min_not_before=NOT_BEFORE)) is None  # inclusive
    assert "fresh_enough" in (_refused(compiled, _with(i, min_not_before=NOT_BEFORE + 1)) or "")
    assert _refused(compiled, _with(i, min_not_before=R - 1))  # not read as -1
    # Claiming a fresher not_before than was signed breaks the signature.
    assert _refused(compiled, _with(i, not_before=NOT_BEFORE + DAY,
                                    min_not_before=NOT_BEFORE + DAY))


def test_C12_revoked_attestation_has_no_witness(compiled: CompiledCircuit, world: World) -> None:
    """C12: once the issuer's list (applied in the registry) holds the attestation's id, no
    low leaf brackets it: the neighbours' leaves either contain it or skip past it."""
    reg = IssuerRegistry.from_json_dict(world.registry.to_json_dict())
    others = [RID - 5, RID + 9]
    reg.apply_revocations(RevocationList.sign(ISSUER_KEY, [*others, RID], NOT_BEFORE))
    tree = reg.revocations(world.attestation.issuer).tree  # type: ignore[union-attr]
    path = reg.path(world.attestation.issuer)
    base = _with(world.inputs, registry_root=reg.root,
                 registry_path_bits=list(path.path_bits), registry_siblings=list(path.siblings))
    # The honest witness against the old (empty) list does not reach the new root.
    assert _refused(compiled, base)
    ids = [0, *sorted([*others, RID])]
    pairs = [(low, ids[i + 1] if i + 1 < len(ids) else 0) for i, low in enumerate(ids)]
    leaves = [poseidon_hash(list(pair)) for pair in pairs]  # rebuilt here, independently
    assert merkle_root(leaves, REVOCATION_DEPTH) == tree.root
    for index, (low, nxt) in enumerate(pairs):  # every real leaf of the new tree
        p = merkle_path(leaves, REVOCATION_DEPTH, index)
        attempt = _with(base, revocation_low=low, revocation_next=nxt,
                        revocation_path_bits=list(p.path_bits),
                        revocation_siblings=list(p.siblings))
        assert _refused(compiled, attempt), (low, nxt)
    # A non-revoked id's witness in the same tree works (the tree itself is fine).
    assert tree.witness(RID + 1).low == RID


def _small_opening(c: Circuit, n: int = 4) -> None:
    commitment = c.public("commitment")
    slots = declare_slots(c, n)
    salts = c.private_list("salt", n)
    holder = poseidon(c, [c.private("holder_secret")], "holder")
    got = open_history(c, [s.present for s in slots], [s.fields() for s in slots], salts,
                       blinding=c.private("blinding"), holder_commitment=holder)
    c.assert_equal(got, commitment, "commitment")


@pytest.fixture(scope="module")
def small_opening() -> CompiledCircuit:
    c = Circuit("open_history_4")
    _small_opening(c)
    return c.compile()


_records = st.builds(
    lambda opened, dt, amount, repaid, late, status, kind: CreditRecord(
        opened_at=opened, updated_at=opened + dt, amount=amount, repaid=repaid,
        days_late=late, status=RecordStatus(status), kind=RecordKind(kind)),
    st.integers(1, 2**39), st.integers(0, 2**39 - 1), st.integers(1, 2**64 - 1),
    st.integers(0, 2**64 - 1), st.integers(0, 2**16 - 1), st.integers(0, 3), st.integers(0, 4),
)


@settings(max_examples=15, deadline=None)
@given(
    st.lists(_records, min_size=1, max_size=4),
    st.lists(st.integers(1, R - 1), min_size=4, max_size=4),
    st.integers(0, R - 1),
    st.integers(1, R - 1),
)
def test_open_history_matches_plain_python(
    small_opening: CompiledCircuit, records: list[CreditRecord], salts: list[int],
    blinding: int, secret: int,
) -> None:
    history = History(records, salts[: len(records)], 4)
    inputs: dict[str, Any] = {
        "commitment": history.commitment(blinding, secret),
        **slot_assignment(history),
        "salt": [*history.salts, *[0] * (4 - len(records))],
        "blinding": blinding,
        "holder_secret": secret,
    }
    assert _refused(small_opening, inputs) is None
    assert _refused(small_opening, _with(inputs, commitment=(inputs["commitment"] + 1) % R))


@pytest.mark.slow
def test_A8_open_history_leaves_no_wire_free() -> None:
    """Picus-style sweep (+1 on every internal wire) of the opening at capacity 2 (~11 s)."""
    c = Circuit("open_history_2")
    _small_opening(c, 2)
    compiled = c.compile()
    history = History(RECORDS[:1], [5], 2)
    inputs: dict[str, Any] = {
        "commitment": history.commitment(3, 4), **slot_assignment(history),
        "salt": [5, 0], "blinding": 3, "holder_secret": 4,
    }
    assert uniqueness_sweep(compiled, inputs, deltas=(1,)) == []


@pytest.mark.slow
def test_groth16_round_trip_capacity_32(world: World) -> None:
    """Dev setup, prove, verify at capacity 32; prints the timings (see docs/attestations.md)."""
    th._build.cache_clear()
    t0 = time.perf_counter()
    compiled = build_threshold_circuit(32)
    t1 = time.perf_counter()
    pk, vk = groth16.setup(compiled.r1cs)
    t2 = time.perf_counter()
    compiled.solve(world.inputs)  # the first solve also builds the native solver
    t2b = time.perf_counter()
    witness = compiled.solve(world.inputs)
    t3 = time.perf_counter()
    proof = groth16.prove(pk, compiled.r1cs, witness)
    t4 = time.perf_counter()
    signals = public_signals(world.inputs)
    assert groth16.verify(vk, signals, proof)
    t5 = time.perf_counter()
    # B1: any single public input changed by one is refused.
    for k in range(len(signals)):
        bumped = list(signals)
        bumped[k] = (bumped[k] + 1) % R
        assert not groth16.verify(vk, bumped, proof), PUBLIC_INPUTS[k]
    print(
        f"\nthreshold n32: {compiled.r1cs.n_constraints} constraints, "
        f"{compiled.r1cs.n_wires} wires; compile {t1 - t0:.2f} s, setup {t2 - t1:.2f} s, "
        f"first solve {t2b - t2:.3f} s, solve {t3 - t2b:.3f} s, prove {t4 - t3:.2f} s, "
        f"verify {t5 - t4:.3f} s"
    )
