"""A borrower's history: salted record leaves in a Poseidon Merkle tree, and its commitment.

`History(records, salts, capacity)` places the records in slots 0..n-1 and leaves the
remaining slots empty (leaf 0), so the tree always has ``capacity`` leaves and its depth
says nothing about how many records there are. The commitment an issuer signs is
``Poseidon([root, blinding, Poseidon([holder_secret])])`` (contract §2): the blinding
hides the root, the holder secret ties the history to one holder.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from zkcredit.errors import InvalidArgument
from zkcredit.hazmat.attestation import check_field
from zkcredit.hazmat.poseidon import (
    SCALAR_MODULUS,
    MerklePath,
    merkle_path,
    merkle_root,
    poseidon_hash,
)

from .records import CreditRecord, check_salt, new_salt, record_leaf

__all__ = [
    "DEFAULT_CAPACITY",
    "MAX_CAPACITY",
    "History",
    "check_field_element",
    "history_commitment",
    "holder_commitment",
    "new_blinding",
    "new_holder_secret",
]

DEFAULT_CAPACITY = 32
#: Largest supported capacity (circuit size grows linearly with it).
MAX_CAPACITY = 1024


def check_field_element(value: object, what: str, *, nonzero: bool = False) -> int:
    """Validate a canonical field element (an int in 0..r-1, or 1..r-1 if ``nonzero``)."""
    element = check_field(value, what)
    if nonzero and element == 0:
        raise InvalidArgument(f"{what} must be nonzero")
    return element


def new_holder_secret() -> int:
    """A random nonzero field element (from `secrets`)."""
    return new_salt()


def new_blinding() -> int:
    """A random field element for `history_commitment` (from `secrets`)."""
    return secrets.randbelow(SCALAR_MODULUS)


def holder_commitment(secret: int) -> int:
    """``Poseidon([secret])`` for a nonzero holder secret."""
    return poseidon_hash([check_field_element(secret, "holder secret", nonzero=True)])


def history_commitment(root: int, blinding: int, holder_commitment: int) -> int:
    """``Poseidon([root, blinding, holder_commitment])`` (what an issuer attests)."""
    return poseidon_hash([
        check_field_element(root, "root"),
        check_field_element(blinding, "blinding"),
        check_field_element(holder_commitment, "holder commitment"),
    ])


def _check_capacity(capacity: object) -> int:
    if type(capacity) is not int or not 1 <= capacity <= MAX_CAPACITY or capacity & (
        capacity - 1
    ):
        raise InvalidArgument(
            f"capacity must be a power of two in 1..{MAX_CAPACITY}, got {capacity!r}"
        )
    return capacity


@dataclass(frozen=True, slots=True)
class History:
    """Records with their salts, in ``capacity`` slots (records first, then empty slots)."""

    records: tuple[CreditRecord, ...]
    salts: tuple[int, ...]
    capacity: int = DEFAULT_CAPACITY

    def __init__(
        self,
        records: Sequence[CreditRecord],
        salts: Sequence[int],
        capacity: int = DEFAULT_CAPACITY,
    ) -> None:
        cap = _check_capacity(capacity)
        recs = tuple(records)
        if not 1 <= len(recs) <= cap:
            raise InvalidArgument(f"a history holds 1..{cap} records, got {len(recs)}")
        for i, r in enumerate(recs):
            if not isinstance(r, CreditRecord):
                raise InvalidArgument(f"record {i} is not a CreditRecord")
        ss = tuple(salts)
        if len(ss) != len(recs):
            raise InvalidArgument(f"{len(recs)} records need {len(recs)} salts, got {len(ss)}")
        for i, s in enumerate(ss):
            check_salt(s, f"salt {i}")
        object.__setattr__(self, "records", recs)
        object.__setattr__(self, "salts", ss)
        object.__setattr__(self, "capacity", cap)

    @classmethod
    def with_fresh_salts(
        cls, records: Sequence[CreditRecord], capacity: int = DEFAULT_CAPACITY
    ) -> History:
        """A history whose salts are fresh random field elements."""
        return cls(records, [new_salt() for _ in records], capacity)

    @property
    def depth(self) -> int:
        """Merkle depth: log2(capacity)."""
        return self.capacity.bit_length() - 1

    def leaves(self) -> list[int]:
        """``capacity`` leaves: `record_leaf` per record, then 0 per empty slot."""
        leaves = [record_leaf(r, s) for r, s in zip(self.records, self.salts, strict=True)]
        return leaves + [0] * (self.capacity - len(leaves))

    def root(self) -> int:
        """The Poseidon Merkle root of `leaves` (zkcredit.hazmat.poseidon conventions)."""
        return merkle_root(self.leaves(), self.depth)

    def path(self, index: int) -> MerklePath:
        """The inclusion path of slot ``index``."""
        if type(index) is not int or not 0 <= index < self.capacity:
            raise InvalidArgument(f"slot index must be in 0..{self.capacity - 1}")
        return merkle_path(self.leaves(), self.depth, index)

    def commitment(self, blinding: int, holder_secret: int) -> int:
        """`history_commitment` of this root with ``blinding`` and the holder's secret."""
        return history_commitment(self.root(), blinding, holder_commitment(holder_secret))
