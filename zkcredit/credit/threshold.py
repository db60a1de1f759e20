"""The threshold statement as a compiled circuit, and the prover's inputs for it.

`build_threshold_circuit(capacity, model)` compiles `zkcredit.circuits.credit_threshold`
once per (capacity, model) and caches it. `threshold_assignment(...)` turns a history, the
holder's secrets, an attestation and the registry into the circuit's input dict, checking
in plain Python first everything the circuit will enforce, so a borrower learns *why* a
proof cannot be made (the circuit would only say which constraint failed).
`public_signals` lists the 15 public values in `PUBLIC_INPUTS` order.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from zkcredit.circuit import Circuit, CompiledCircuit

# circuits/ installs as zkcredit.circuits through a package-dir mapping mypy cannot follow.
from zkcredit.circuits.credit_threshold import (  # type: ignore[import-not-found]
    OUTSTANDING_BITS,
    PUBLIC_INPUTS,
    THRESHOLD_BITS,
    TIME_BITS,
    credit_threshold,
)
from zkcredit.circuits.score_model import slot_assignment  # type: ignore[import-not-found]
from zkcredit.errors import AttestationStale, InvalidArgument, Refused
from zkcredit.exposure import MAX_SLOTS, slot_nullifier
from zkcredit.hazmat.poseidon import poseidon_hash

from .history import History, check_field_element, holder_commitment
from .issuer import REGISTRY_DEPTH, Attestation, IssuerRegistry, verify_attestation
from .model import (
    DEFAULT_MODEL,
    MONTHS_BITS,
    ScoreModelV1,
    no_default_within,
    score,
    total_outstanding,
)
from .revocation import REVOCATION_DEPTH

__all__ = [
    "CIRCUIT_ID",
    "PUBLIC_INPUTS",
    "build_threshold_circuit",
    "circuit_id",
    "nullifier",
    "public_signals",
    "threshold_assignment",
]


def circuit_id(capacity: int = 32) -> str:
    """``zkcredit/credit-threshold/v3/n{capacity}`` (v2: holder binding, freshness,
    revocation; v3: the cross-lender exposure slot nullifier)."""
    return f"zkcredit/credit-threshold/v3/n{capacity}"


CIRCUIT_ID = circuit_id(32)
"""The id of the default (capacity 32) threshold circuit."""


def build_threshold_circuit(
    capacity: int = 32, model: ScoreModelV1 | None = None
) -> CompiledCircuit:
    """The compiled threshold circuit for ``capacity`` slots and ``model`` (cached)."""
    return _build(capacity, model if model is not None else DEFAULT_MODEL)


@lru_cache(maxsize=8)
def _build(capacity: int, model: ScoreModelV1) -> CompiledCircuit:
    c = Circuit(circuit_id(capacity))
    credit_threshold(c, capacity, model, REGISTRY_DEPTH, REVOCATION_DEPTH)
    return c.compile()


def nullifier(holder_secret: int, lender_id: int, epoch: int) -> int:
    """``Poseidon([holder_secret, lender_id, epoch])``: one per holder, lender and epoch."""
    return poseidon_hash([
        check_field_element(holder_secret, "holder_secret", nonzero=True),
        check_field_element(lender_id, "lender_id"),
        check_field_element(epoch, "epoch"),
    ])


def threshold_assignment(
    history: History,
    holder_secret: int,
    blinding: int,
    attestation: Attestation,
    registry: IssuerRegistry,
    *,
    lender_id: int,
    epoch: int,
    nonce: int,
    as_of: int,
    min_not_before: int,
    threshold: int,
    borrower_key_hash: int,
    no_default_months: int,
    max_outstanding: int,
    exposure_epoch: int,
    exposure_slots: int,
    exposure_slot: int,
    model: ScoreModelV1 | None = None,
) -> dict[str, int | list[int]]:
    """The circuit inputs proving ``score >= threshold`` for this challenge, spending
    exposure slot ``exposure_slot`` (< ``exposure_slots``) of ``exposure_epoch``.

    Raises `InvalidArgument` (the attestation is for another commitment or holder, a value
    out of range), `InvalidSignature` / `AttestationOutsideWindow` / `AttestationStale`
    (the attestation), `IssuerNotRegistered`, `AttestationRevoked`, or `Refused` (score
    below threshold, a recent default, too much outstanding): whatever would make the
    circuit unsatisfiable.
    """
    if not isinstance(history, History):
        raise InvalidArgument("history must be a History")
    model = model if model is not None else DEFAULT_MODEL
    for name, value in (("lender_id", lender_id), ("epoch", epoch), ("nonce", nonce),
                        ("borrower_key_hash", borrower_key_hash)):
        check_field_element(value, name)
    for name, value, bits in (("threshold", threshold, THRESHOLD_BITS),
                              ("min_not_before", min_not_before, TIME_BITS),
                              ("max_outstanding", max_outstanding, OUTSTANDING_BITS),
                              ("no_default_months", no_default_months, MONTHS_BITS)):
        if type(value) is not int or not 0 <= value < 1 << bits:
            raise InvalidArgument(f"{name} must be an int in [0, 2^{bits})")
    if type(exposure_slots) is not int or not 1 <= exposure_slots <= MAX_SLOTS:
        raise InvalidArgument(f"exposure_slots must be an int in [1, {MAX_SLOTS}]")
    if type(exposure_slot) is not int or not 0 <= exposure_slot < exposure_slots:
        raise InvalidArgument(f"exposure_slot must be an int in [0, {exposure_slots})")
    spent = slot_nullifier(holder_secret, exposure_epoch, exposure_slot)
    holder = holder_commitment(holder_secret)
    if attestation.holder_commitment != holder:
        raise InvalidArgument("the attestation binds another holder (not this wallet's secret)")
    if history.commitment(blinding, holder_secret) != attestation.commitment:
        raise InvalidArgument(
            "the attestation is for another commitment (history or blinding differ)"
        )
    verify_attestation(attestation, as_of)
    if attestation.not_before < min_not_before:
        raise AttestationStale(
            f"the attestation is from {attestation.not_before}; the lender accepts none "
            f"older than {min_not_before}"
        )
    path = registry.path(attestation.issuer)
    unrevoked = registry.non_revocation(attestation)
    records = list(history.records)
    got = score(model, records, as_of)
    if got < threshold:
        raise Refused(f"the score {got} is below the threshold {threshold}")
    if not no_default_within(records, as_of, no_default_months):
        raise Refused(f"a record defaulted within the last {no_default_months} months")
    owed = total_outstanding(records)
    if owed > max_outstanding:
        raise Refused(f"{owed} outstanding exceeds the maximum {max_outstanding}")

    inputs: dict[str, int | list[int]] = {
        "registry_root": registry.root,
        "model_id": model.model_id(),
        "threshold": threshold,
        "as_of": as_of,
        "min_not_before": min_not_before,
        "lender_id": lender_id,
        "epoch": epoch,
        "nonce": nonce,
        "nullifier": nullifier(holder_secret, lender_id, epoch),
        "borrower_key_hash": borrower_key_hash,
        "no_default_months": no_default_months,
        "max_outstanding": max_outstanding,
        "exposure_epoch": exposure_epoch,
        "exposure_slots": exposure_slots,
        "slot_nullifier": spent,
    }
    inputs.update(slot_assignment(history))
    inputs["salt"] = list(history.salts) + [0] * (history.capacity - len(records))
    inputs.update({
        "holder_secret": holder_secret,
        "blinding": blinding,
        "issuer_ax": attestation.issuer.x,
        "issuer_ay": attestation.issuer.y,
        "sig_r8x": attestation.signature.R8.x,
        "sig_r8y": attestation.signature.R8.y,
        "sig_s": attestation.signature.S,
        "not_before": attestation.not_before,
        "not_after": attestation.not_after,
        "revocation_id": attestation.revocation_id,
        "revocation_low": unrevoked.low,
        "revocation_next": unrevoked.next,
        "revocation_path_bits": list(unrevoked.path.path_bits),
        "revocation_siblings": list(unrevoked.path.siblings),
        "registry_path_bits": list(path.path_bits),
        "registry_siblings": list(path.siblings),
        "exposure_slot": exposure_slot,
    })
    return inputs


def public_signals(assignment: Mapping[str, object]) -> list[int]:
    """The 15 public values of an assignment, in `PUBLIC_INPUTS` order."""
    out: list[int] = []
    for name in PUBLIC_INPUTS:
        value = assignment.get(name)
        if type(value) is not int:
            raise InvalidArgument(f"public input {name!r} is missing or not an int")
        out.append(value)
    return out
