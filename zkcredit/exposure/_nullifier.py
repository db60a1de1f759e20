"""Slot nullifiers: the lender-independent value a new credit line publishes (issue 12).

``slot_nullifier = Poseidon([EXPOSURE_DOMAIN, holder_secret, exposure_epoch, slot])`` with
``slot < slots`` (the registry's public cap k). The threshold circuit derives it from the
same holder secret the issuer's signature binds (one per subject, issue 11), so one
person has exactly k of them per exposure epoch, the same at every lender. Different
slots or epochs give unrelated values: a lender learns nothing from the nullifier beyond
"this slot is (now) used".
"""

from __future__ import annotations

from zkcredit.errors import InvalidArgument
from zkcredit.hazmat.poseidon import poseidon_hash

__all__ = [
    "EXPOSURE_DOMAIN",
    "MAX_SLOTS",
    "SLOT_BITS",
    "exposure_epoch",
    "slot_nullifier",
    "slot_nullifiers",
]

#: Domain separator of the slot nullifier hash (a field element: the ASCII bytes).
EXPOSURE_DOMAIN = int.from_bytes(b"zkcredit/exposure-slot/v1", "big")
#: The circuit range-checks ``slot`` and ``slots`` to this width.
SLOT_BITS = 8
#: The largest cap k a registry may use (``slot < k <= MAX_SLOTS``).
MAX_SLOTS = (1 << SLOT_BITS) - 1
_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617


def _check(value: object, name: str, bound: int) -> int:
    if type(value) is not int or not 0 <= value < bound:
        raise InvalidArgument(f"{name} must be an int in [0, {bound})")
    return value


def slot_nullifier(holder_secret: int, epoch: int, slot: int) -> int:
    """``Poseidon([EXPOSURE_DOMAIN, holder_secret, epoch, slot])`` (slot < 2^SLOT_BITS)."""
    _check(holder_secret, "holder_secret", _R)
    if holder_secret == 0:
        raise InvalidArgument("holder_secret must be nonzero")
    _check(epoch, "exposure epoch", 1 << 40)
    _check(slot, "slot", MAX_SLOTS)
    return poseidon_hash([EXPOSURE_DOMAIN, holder_secret, epoch, slot])


def slot_nullifiers(holder_secret: int, epoch: int, slots: int) -> list[int]:
    """The k = ``slots`` nullifiers one holder has in ``epoch``, in slot order."""
    _check(slots, "slots", MAX_SLOTS + 1)
    return [slot_nullifier(holder_secret, epoch, s) for s in range(slots)]


def exposure_epoch(now: int, epoch_seconds: int) -> int:
    """``now // epoch_seconds``: exposure epochs count from the Unix epoch, so every
    lender sharing a registry (and its epoch length) agrees on them."""
    _check(now, "now", 1 << 40)
    if type(epoch_seconds) is not int or epoch_seconds <= 0:
        raise InvalidArgument("epoch_seconds must be a positive int")
    return now // epoch_seconds
