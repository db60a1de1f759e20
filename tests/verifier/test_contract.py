"""The verifier and the real threshold circuit agree on the contract (§5, §6): the order
of the public signals and the nullifier formula the tests' stand-in circuit uses."""

from __future__ import annotations

from zkcredit.circuits.credit_threshold import PUBLIC_INPUTS

from zkcredit.credit.threshold import nullifier
from zkcredit.hazmat.poseidon import poseidon_hash
from zkcredit.verifier import PUBLIC_SIGNALS, lender_id

from ._support import NOW, Borrower, compiled, policy


def test_public_signal_order_matches_the_threshold_circuit() -> None:
    assert PUBLIC_SIGNALS == PUBLIC_INPUTS
    wires = compiled().r1cs.public_wires()
    names = [slot.name for slot in compiled().program.inputs if slot.wire in wires]
    assert tuple(names) == PUBLIC_SIGNALS  # the stand-in circuit declares the same order


def test_stand_in_nullifier_is_the_contract_nullifier() -> None:
    borrower = Borrower()
    ch = policy().challenge(2, NOW)
    signals = dict(zip(PUBLIC_SIGNALS, borrower.signals(ch), strict=True))
    expected = nullifier(borrower.secret, lender_id("lender-a"), ch.epoch)
    assert signals["nullifier"] == expected
    assert expected == poseidon_hash([borrower.secret, ch.lender_id, ch.epoch])
