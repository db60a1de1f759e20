"""`present`: the borrower's side of a lender challenge, from wallet to signed presentation.

The borrower answers a `Challenge` with a Groth16 proof of the threshold circuit, bound to
the challenge's lender, nonce and epoch and to a per-lender Ed25519 key derived from the
wallet (so two lenders see unrelated keys, nullifiers and proofs), then signs the bundle
with that key. Everything that would make the proof fail is checked in plain Python first
and refused with a message, so a borrower never waits for a proof that cannot verify.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from zkcredit.credit.issuer import Attestation, IssuerRegistry, verify_attestation
from zkcredit.credit.model import DEFAULT_MODEL, ScoreModelV1
from zkcredit.credit.threshold import (
    build_threshold_circuit,
    circuit_id,
    public_signals,
    threshold_assignment,
)
from zkcredit.credit.wallet import Wallet
from zkcredit.errors import (
    AttestationRevoked,
    AttestationStale,
    InvalidArgument,
    MalformedInput,
    Refused,
    ZkCreditError,
)
from zkcredit.exposure import slot_nullifiers
from zkcredit.hazmat import groth16
from zkcredit.verifier import (
    Challenge,
    Presentation,
    borrower_key_hash,
    sign_presentation,
    vk_hash,
)

__all__ = ["choose_attestation", "choose_exposure_slot", "present"]

Progress = Callable[[str], None]


def choose_attestation(
    wallet: Wallet, as_of: int, registry: IssuerRegistry, min_not_before: int = 0
) -> Attestation:
    """The wallet's attestation that covers its current commitment and holder, is valid at
    ``as_of``, is not older than ``min_not_before``, comes from an issuer in ``registry``
    and is not in that issuer's revocation list (the newest one if several qualify).

    Raises `AttestationStale` or `AttestationRevoked` when that is why the only candidates
    fail, else `Refused` listing each attestation's reason.
    """
    commitment = wallet.commitment()
    holder = wallet.holder_commitment()
    usable: list[Attestation] = []
    failures: list[ZkCreditError] = []
    reasons: list[str] = []
    for raw in wallet.attestations:
        try:
            att = Attestation.from_json_dict(raw)
        except MalformedInput as exc:
            reasons.append(f"unreadable attestation ({exc})")
            continue
        if att.commitment != commitment or att.holder_commitment != holder:
            reasons.append("an attestation for an older version of the history")
            continue
        try:
            verify_attestation(att, as_of)
            if att.not_before < min_not_before:
                raise AttestationStale(
                    f"attested at {att.not_before}, older than the lender accepts "
                    f"({min_not_before})"
                )
            registry.non_revocation(att)
        except ZkCreditError as exc:
            failures.append(exc)
            reasons.append(str(exc))
            continue
        usable.append(att)
    if not usable:
        detail = "; ".join(reasons) if reasons else "the wallet holds no attestation"
        message = f"no attestation of the current history is usable at {as_of}: {detail}"
        kinds = {type(exc) for exc in failures}
        if len(kinds) == 1 and len(failures) == len(reasons):
            (kind,) = kinds
            if kind in (AttestationStale, AttestationRevoked):
                raise kind(message)
        raise Refused(message)
    return max(usable, key=lambda a: (a.not_before, a.not_after))


def choose_exposure_slot(wallet: Wallet, challenge: Challenge, claimed: Collection[int]) -> int:
    """The lowest exposure slot of the challenge's epoch whose nullifier is not in
    ``claimed`` (the registry's published claims of that epoch, downloaded whole so the
    registry never learns which nullifiers are this wallet's).

    Raises `Refused` when all k slots are used: the borrower is at the exposure cap.
    """
    spent = slot_nullifiers(wallet.holder_secret, challenge.exposure_epoch,
                            challenge.exposure_slots)
    for slot, value in enumerate(spent):
        if value not in claimed:
            return slot
    raise Refused(
        f"all {challenge.exposure_slots} exposure slots of epoch {challenge.exposure_epoch} "
        "already hold lines: the exposure cap is reached until the next epoch"
    )


def present(
    wallet: Wallet,
    challenge: Challenge,
    *,
    registry: IssuerRegistry,
    proving_key: groth16.ProvingKey,
    model: ScoreModelV1 | None = None,
    progress: Progress | None = None,
    claimed_slots: Collection[int] = frozenset(),
    exposure_slot: int | None = None,
) -> Presentation:
    """Answer ``challenge`` with a signed presentation built from ``wallet``.

    ``registry`` is the lender's published issuer registry (its root must be the
    challenge's); ``proving_key`` is the threshold circuit's key whose verifying key the
    challenge names. The proof spends the exposure slot ``exposure_slot``, by default the
    lowest one whose nullifier is not in ``claimed_slots`` (`choose_exposure_slot`). Raises
    `Refused` when the wallet cannot satisfy the challenge (score, predicates, no usable
    attestation, every exposure slot used) and `InvalidArgument` when the pieces do not
    match.
    """
    say = progress if progress is not None else (lambda _msg: None)
    model = model if model is not None else DEFAULT_MODEL
    if not isinstance(challenge, Challenge):
        raise InvalidArgument("challenge must be a zkcredit.verifier.Challenge")
    expected_circuit = circuit_id(wallet.capacity)
    if challenge.circuit_id != expected_circuit:
        raise InvalidArgument(
            f"the challenge asks for circuit {challenge.circuit_id!r}; this wallet proves "
            f"{expected_circuit!r}"
        )
    if vk_hash(proving_key.vk) != challenge.vk_hash:
        raise InvalidArgument("the proving key does not match the challenge's verifying key hash")
    if registry.root != challenge.registry_root:
        raise InvalidArgument("the issuer registry given is not the one the challenge names")
    if model.model_id() != challenge.model_id:
        raise InvalidArgument("the challenge names another score model")

    attestation = choose_attestation(
        wallet, challenge.as_of, registry, challenge.min_not_before
    )
    if exposure_slot is None:
        exposure_slot = choose_exposure_slot(wallet, challenge, claimed_slots)
    lender_key = wallet.lender_key(challenge.lender_id)
    key_hash = borrower_key_hash(lender_key.public_key().public_bytes_raw())
    say("checking the history against the challenge")
    assignment: dict[str, Any] = threshold_assignment(
        wallet.history(),
        wallet.holder_secret,
        wallet.blinding,
        attestation,
        registry,
        lender_id=challenge.lender_id,
        epoch=challenge.epoch,
        nonce=challenge.nonce,
        as_of=challenge.as_of,
        min_not_before=challenge.min_not_before,
        threshold=challenge.threshold,
        borrower_key_hash=key_hash,
        no_default_months=challenge.no_default_months,
        max_outstanding=challenge.max_outstanding,
        exposure_epoch=challenge.exposure_epoch,
        exposure_slots=challenge.exposure_slots,
        exposure_slot=exposure_slot,
        model=model,
    )
    compiled = build_threshold_circuit(wallet.capacity, model)
    say(f"solving the witness ({compiled.r1cs.n_constraints} constraints)")
    witness = compiled.solve_packed(assignment)  # no round trip through Python ints
    say("proving (Groth16, zero-knowledge)")
    proof = groth16.prove(proving_key, compiled.r1cs, witness)
    say("signing the presentation with the per-lender key")
    return sign_presentation(
        lender_key, challenge.circuit_id, challenge.vk_hash, public_signals(assignment), proof
    )
