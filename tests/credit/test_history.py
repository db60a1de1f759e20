"""Histories: slots, leaves, root, inclusion paths and the commitment."""

from __future__ import annotations

import pytest

from zkcredit.credit import (
    CreditRecord,
    History,
    RecordKind,
    RecordStatus,
    history_commitment,
    holder_commitment,
    new_holder_secret,
    record_leaf,
)
from zkcredit.errors import InvalidArgument, NonCanonicalScalar
from zkcredit.hazmat.poseidon import (
    SCALAR_MODULUS,
    merkle_root,
    poseidon_hash_reference,
    verify_merkle_path,
)


def rec(i: int) -> CreditRecord:
    return CreditRecord(1_600_000_000 + i, 1_700_000_000, 1000 + i, i, 0,
                        RecordStatus.CLOSED, RecordKind.LOAN)


def test_leaves_fill_records_then_zero() -> None:
    h = History([rec(1), rec(2), rec(3)], [11, 12, 13], capacity=8)
    leaves = h.leaves()
    assert len(leaves) == 8 and leaves[3:] == [0] * 5
    assert leaves[1] == record_leaf(rec(2), 12)
    assert h.root() == merkle_root(leaves, 3)
    assert h.depth == 3


def test_paths_verify_for_records_and_empty_slots() -> None:
    h = History([rec(1), rec(2)], [5, 6], capacity=4)
    for i in range(4):
        p = h.path(i)
        assert verify_merkle_path(h.root(), h.leaves()[i], p.siblings, p.path_bits)
    with pytest.raises(InvalidArgument):
        h.path(4)


def test_salts_change_the_root_and_fresh_salts_are_random() -> None:
    a = History([rec(1)], [5], 2)
    b = History([rec(1)], [6], 2)
    assert a.root() != b.root()
    f1, f2 = History.with_fresh_salts([rec(1)]), History.with_fresh_salts([rec(1)])
    assert f1.salts != f2.salts and all(0 < s < SCALAR_MODULUS for s in f1.salts)


@pytest.mark.parametrize("capacity", [0, 3, 6, 2048, True, 32.0])
def test_bad_capacity(capacity: object) -> None:
    with pytest.raises(InvalidArgument, match="capacity"):
        History([rec(1)], [1], capacity)  # type: ignore[arg-type]


def test_record_count_and_salts_are_checked() -> None:
    with pytest.raises(InvalidArgument):
        History([], [], 4)
    with pytest.raises(InvalidArgument):
        History([rec(i) for i in range(5)], list(range(1, 6)), 4)
    with pytest.raises(InvalidArgument):
        History([rec(1)], [1, 2], 4)
    with pytest.raises(InvalidArgument):
        History([rec(1)], [0], 4)
    with pytest.raises(NonCanonicalScalar):
        History([rec(1)], [SCALAR_MODULUS], 4)
    with pytest.raises(InvalidArgument):
        History(["x"], [1], 4)  # type: ignore[list-item]


def test_commitment_layout() -> None:
    h = History([rec(1)], [9], 2)
    secret = new_holder_secret()
    assert holder_commitment(secret) == poseidon_hash_reference([secret])
    expected = poseidon_hash_reference([h.root(), 77, poseidon_hash_reference([secret])])
    assert h.commitment(77, secret) == expected == history_commitment(
        h.root(), 77, holder_commitment(secret))
    with pytest.raises(InvalidArgument):
        holder_commitment(0)
    with pytest.raises(NonCanonicalScalar):
        history_commitment(h.root(), SCALAR_MODULUS, 1)
