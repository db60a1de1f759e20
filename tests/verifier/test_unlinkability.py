"""What two lenders can compare: presentations of one borrower to two lenders share only
the policy constants and the public time, never a borrower-specific value.

Issue 12: each line spends its own exposure slot (the wallet picks a slot the shared
registry has not seen), so the two lenders' slot nullifiers differ too; the only value
the lenders share is the registry's list of used slot nullifiers."""

from __future__ import annotations

from zkcredit.verifier import PUBLIC_SIGNALS, MemoryVerifierStore, Presentation, Verifier, vk_hash

from ._support import NOW, Borrower, keys, policy

#: Signals fixed by the lenders' shared policy and by the clock, identical for everyone.
POLICY_CONSTANTS = {
    "registry_root", "model_id", "threshold", "as_of", "min_not_before", "epoch",
    "no_default_months",
    "max_outstanding",
    "exposure_epoch",
    "exposure_slots",
}


def shared_values(a: Presentation, b: Presentation) -> set[str]:
    """Names of the public signals equal in both presentations, plus "borrower_key" and
    "signature" if those are equal: what two colluding lenders could link on."""
    same = {n for n, x, y in zip(PUBLIC_SIGNALS, a.public_signals, b.public_signals,
                                strict=True) if x == y}
    same |= {n for n in ("borrower_key", "signature") if getattr(a, n) == getattr(b, n)}
    if a.proof.to_bytes() == b.proof.to_bytes():
        same.add("proof")
    return same


def test_one_borrower_to_two_lenders_shares_only_policy_constants() -> None:
    vk = keys()[1]
    lender_a = Verifier(policy("lender-a"), {vk_hash(vk): vk}, MemoryVerifierStore())
    lender_b = Verifier(policy("lender-b"), {vk_hash(vk): vk}, MemoryVerifierStore())
    borrower = Borrower()
    ch_a, ch_b = lender_a.challenge(2, NOW), lender_b.challenge(2, NOW)
    p_a = borrower.present(ch_a)
    borrower.slot = 1  # slot 0 is now in the registry: the wallet moves on
    p_b = borrower.present(ch_b)
    da, db = lender_a.verify(p_a, ch_a, NOW + 1), lender_b.verify(p_b, ch_b, NOW + 1)
    assert shared_values(p_a, p_b) == POLICY_CONSTANTS
    assert da.borrower_id != db.borrower_id and da.nullifier != db.nullifier
    assert da.slot_nullifier != db.slot_nullifier


def test_one_slot_spent_at_two_lenders_is_the_one_shared_value() -> None:
    # Why a used slot is refused, and all it reveals: the same slot nullifier at two
    # lenders is exactly the registry's "this slot is used".
    borrower = Borrower()
    p_a = borrower.present(policy("lender-a").challenge(2, NOW))
    p_b = borrower.present(policy("lender-b").challenge(2, NOW))
    assert shared_values(p_a, p_b) == POLICY_CONSTANTS | {"slot_nullifier"}


def test_same_lender_two_borrowers_share_the_same_constants() -> None:
    # The baseline: two different borrowers share exactly as much, so nothing extra links
    # one borrower's two presentations.
    pol = policy("lender-a")
    ch1, ch2 = pol.challenge(2, NOW), pol.challenge(2, NOW)
    shared = shared_values(Borrower().present(ch1), Borrower().present(ch2))
    assert shared == POLICY_CONSTANTS | {"lender_id"}
