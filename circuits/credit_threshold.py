"""``credit_threshold``: "an issuer in the lender's registry attested my history, recently
enough, has not revoked the attestation, and under model M it scores at least T", for one
lender, epoch and nonce.

Public inputs, in this order: ``registry_root, model_id, threshold, as_of, min_not_before,
lender_id, epoch, nonce, nullifier, borrower_key_hash, no_default_months, max_outstanding,
exposure_epoch, exposure_slots, slot_nullifier``.
Private inputs: the ``capacity`` record slots (`declare_slots`: ``rec_present[i]``,
``rec_opened_at[i]``, ...) and their salts ``salt[i]``, then
``holder_secret, blinding``, the issuer key ``issuer_ax, issuer_ay``, the signature
``sig_r8x, sig_r8y, sig_s``, the window ``not_before, not_after``, the attestation's
``revocation_id``, the revocation low leaf ``revocation_low, revocation_next`` with its
path ``revocation_path_bits[j], revocation_siblings[j]`` (j < revocation_depth), and the
registry path ``registry_path_bits[k], registry_siblings[k]`` (k < registry_depth), and
the exposure slot ``exposure_slot``.

Constrains:

1. history opening: ``present[i]`` boolean, ``present[0] = 1`` and ``present[i+1] <=
   present[i]`` (records first, as `History` lays them out); an absent slot's fields and
   salt are 0 and its leaf is 0; a present slot's leaf is ``Poseidon([salt, *fields])``;
   with ``H = Poseidon([holder_secret])``,
   ``commitment = Poseidon([merkle_root(leaves), blinding, H])``;
2. the issuer's EdDSA-Poseidon signature over ``Poseidon([ATTESTATION_DOMAIN, commitment,
   H, revocation_id, not_before, not_after])`` verifies under (issuer_ax, issuer_ay)
   (`eddsa_poseidon_verify`, which refuses low-order and non-subgroup keys and S >= l):
   the issuer signed this holder, so the nullifier below is the one it bound;
3. revocation: ``revocation_low < revocation_id`` and (``revocation_id <
   revocation_next`` or ``revocation_next = 0``), all below 2^128, and
   ``Poseidon([revocation_low, revocation_next])`` hashed up its path gives the
   revocation root ``RR`` (a sorted tree: such a leaf exists iff the id is not revoked);
4. ``Poseidon([issuer_ax, issuer_ay, RR])`` is a nonzero leaf of the registry tree with
   root ``registry_root`` (depth ``registry_depth``, path bits boolean);
5. ``min_not_before <= not_before <= as_of <= not_after``, all below 2^40 (freshness is
   the lender's public bound);
6. ``model_id`` equals the model's constant id; ``score_model_v1(slots) >= threshold``
   (threshold range-checked, so r - 1 is not read as -1);
7. no DEFAULT record updated within ``no_default_months`` months of as_of
   (`assert_no_default_within`), and ``outstanding(slots) <= max_outstanding`` (below
   2^OUTSTANDING_BITS);
8. ``nullifier = Poseidon([holder_secret, lender_id, epoch])``;
9. exposure (issue 12): ``exposure_slot < exposure_slots``, both below 2^SLOT_BITS, and
   ``slot_nullifier = Poseidon([EXPOSURE_DOMAIN, holder_secret, exposure_epoch,
   exposure_slot])``: lender-independent, so the shared exposure registry can refuse a
   (k+1)-th line in one exposure epoch at any lender;
10. ``nonce`` and ``borrower_key_hash`` each appear in a squaring constraint, so the proof
   is bound to them (Groth16 binds every public input; the constraint keeps tools from
   optimizing them away, as Semaphore does).

Assumes nothing about the inputs. Leaves free: nothing (the squares of nonce and
borrower_key_hash are fixed by their one constraint, and ``is_zero``'s inverse when
revocation_next = 0; the linter waivers record it).
"""

from __future__ import annotations

from collections.abc import Sequence

from zkcredit.circuit import Circuit, LinComb
from zkcredit.credit.model import DEFAULT_MODEL, ScoreModelV1
from zkcredit.errors import InvalidArgument
from zkcredit.exposure import EXPOSURE_DOMAIN, SLOT_BITS
from zkcredit.hazmat.attestation import ATTESTATION_DOMAIN, REVOCATION_ID_BITS

from .boolean import boolean
from .compare import assert_ge, assert_le, assert_lt, less_than
from .eddsa import eddsa_poseidon_verify
from .is_zero import is_zero
from .merkle import assert_merkle_inclusion, merkle_path_root, merkle_root
from .poseidon import poseidon
from .score_model import (
    assert_no_default_within,
    declare_slots,
    outstanding,
    score_model_v1,
)

__all__ = [
    "OUTSTANDING_BITS",
    "PUBLIC_INPUTS",
    "THRESHOLD_BITS",
    "TIME_BITS",
    "assert_not_revoked",
    "credit_threshold",
    "open_history",
]

#: In declaration order (= the order of the proof's public signals).
PUBLIC_INPUTS: tuple[str, ...] = (
    "registry_root",
    "model_id",
    "threshold",
    "as_of",
    "min_not_before",
    "lender_id",
    "epoch",
    "nonce",
    "nullifier",
    "borrower_key_hash",
    "no_default_months",
    "max_outstanding",
    "exposure_epoch",
    "exposure_slots",
    "slot_nullifier",
)
TIME_BITS = 40
#: Thresholds (and scores) are compared as integers below 2^THRESHOLD_BITS.
THRESHOLD_BITS = 16
#: max_outstanding is range-checked to this width; the outstanding sum of up to 2^24
#: slots (each below 2^64) stays below it.
OUTSTANDING_BITS = 88


def open_history(
    c: Circuit,
    present: Sequence[LinComb],
    fields: Sequence[Sequence[LinComb]],
    salts: Sequence[LinComb],
    *,
    blinding: LinComb,
    holder_commitment: LinComb,
) -> LinComb:
    """The history commitment the slots open to (see item 1 of the module docstring)."""
    n = len(present)
    if n < 1 or n & (n - 1) or len(fields) != n or len(salts) != n:
        raise InvalidArgument("open_history needs a power-of-two number of slots")
    leaves: list[LinComb] = []
    with c.scope("history"):
        c.assert_equal(present[0], 1, "slot0_present")
        for i in range(n):
            with c.scope(f"slot[{i}]"):
                boolean(c, present[i], "present_bool")  # noted: the model skips re-checking
                if i + 1 < n:
                    # present[i+1] = 1 implies present[i] = 1: records first, no gaps.
                    c.assert_product(present[i + 1], 1 - present[i], 0, "contiguous")
                absent = 1 - present[i]
                for k, x in enumerate([*fields[i], salts[i]]):
                    c.assert_product(absent, x, 0, f"absent_zero[{k}]")
                h = poseidon(c, [salts[i], *fields[i]], "leaf_hash")
                leaves.append(c.mul(present[i], h, "leaf"))
        root = merkle_root(c, leaves, "root")
        return poseidon(c, [root, blinding, holder_commitment], "commitment")


def assert_not_revoked(
    c: Circuit,
    revocation_id: LinComb,
    low: LinComb,
    nxt: LinComb,
    *,
    path_bits: Sequence[LinComb],
    siblings: Sequence[LinComb],
) -> LinComb:
    """The revocation root of a sorted tree in which ``revocation_id`` falls strictly
    between a leaf's ``low`` and ``nxt`` (``nxt = 0``: no upper neighbour); item 3."""
    with c.scope(c.unique("not_revoked")):
        assert_lt(c, low, revocation_id, REVOCATION_ID_BITS, "low_lt_id")
        below_next = less_than(c, revocation_id, nxt, REVOCATION_ID_BITS)
        # Exactly one holds: next = 0 (the last leaf, +infinity) or id < next (id < 0 is
        # impossible, so both never hold at once).
        c.assert_equal(below_next + is_zero(c, nxt, "next_is_last"), 1, "id_lt_next")
        leaf = poseidon(c, [low, nxt], "leaf")
        return merkle_path_root(c, leaf, path_bits, siblings, "path")


def credit_threshold(
    c: Circuit,
    capacity: int = 32,
    model: ScoreModelV1 | None = None,
    registry_depth: int = 8,
    revocation_depth: int = 20,
) -> None:
    """Define the threshold statement on ``c`` (the module docstring lists it)."""
    if model is None:
        model = DEFAULT_MODEL
    if not 1 <= registry_depth <= 32:
        raise InvalidArgument("registry_depth must be in 1..32")
    if not 1 <= revocation_depth <= 32:
        raise InvalidArgument("revocation_depth must be in 1..32")
    pub = {name: c.public(name) for name in PUBLIC_INPUTS}
    slots = declare_slots(c, capacity)
    salts = c.private_list("salt", capacity)
    holder_secret = c.private("holder_secret")
    blinding = c.private("blinding")
    ax, ay = c.private("issuer_ax"), c.private("issuer_ay")
    r8x, r8y, sig_s = c.private("sig_r8x"), c.private("sig_r8y"), c.private("sig_s")
    not_before, not_after = c.private("not_before"), c.private("not_after")
    revocation_id = c.private("revocation_id")
    rev_low, rev_next = c.private("revocation_low"), c.private("revocation_next")
    rev_bits = c.private_list("revocation_path_bits", revocation_depth)
    rev_siblings = c.private_list("revocation_siblings", revocation_depth)
    path_bits = c.private_list("registry_path_bits", registry_depth)
    siblings = c.private_list("registry_siblings", registry_depth)
    exposure_slot = c.private("exposure_slot")

    holder = poseidon(c, [holder_secret], "holder_commitment")
    commitment = open_history(
        c, [s.present for s in slots], [s.fields() for s in slots], salts,
        blinding=blinding, holder_commitment=holder,
    )
    with c.scope("attestation"):
        msg = poseidon(
            c, [ATTESTATION_DOMAIN, commitment, holder, revocation_id, not_before, not_after],
            "message",
        )
        eddsa_poseidon_verify(c, ax, ay, sig_s, r8x, r8y, msg)
        revocation_root = assert_not_revoked(
            c, revocation_id, rev_low, rev_next, path_bits=rev_bits, siblings=rev_siblings
        )
        leaf = poseidon(c, [ax, ay, revocation_root], "issuer_leaf")
        assert_merkle_inclusion(c, pub["registry_root"], leaf, path_bits, siblings,
                                label="registry")
        assert_le(c, pub["min_not_before"], not_before, TIME_BITS, "fresh_enough")
        assert_le(c, not_before, pub["as_of"], TIME_BITS, "not_before_le_as_of")
        assert_le(c, pub["as_of"], not_after, TIME_BITS, "as_of_le_not_after")
    with c.scope("model"):
        c.assert_equal(pub["model_id"], model.model_id(), "model_id")
        score = score_model_v1(c, slots, pub["as_of"], model)
        assert_ge(c, score, pub["threshold"], THRESHOLD_BITS, "score_ge_threshold")
        assert_no_default_within(c, slots, pub["as_of"], pub["no_default_months"])
        assert_le(c, outstanding(c, slots), pub["max_outstanding"], OUTSTANDING_BITS,
                  "outstanding_le_max")
    with c.scope("nullifier"):
        nullifier = poseidon(c, [holder_secret, pub["lender_id"], pub["epoch"]], "hash")
        c.assert_equal(nullifier, pub["nullifier"], "equal")
    with c.scope("exposure"):
        assert_lt(c, exposure_slot, pub["exposure_slots"], SLOT_BITS, "slot_lt_slots")
        slot_nullifier = poseidon(
            c, [EXPOSURE_DOMAIN, holder_secret, pub["exposure_epoch"], exposure_slot], "hash"
        )
        c.assert_equal(slot_nullifier, pub["slot_nullifier"], "equal")
    with c.scope("binding"):
        for name in ("nonce", "borrower_key_hash"):
            square = c.mul(pub[name], pub[name], f"{name}_square")
            c.waive(square, f"binds the public {name}; fixed by its one constraint")
