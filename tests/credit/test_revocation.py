"""Per-attestation revocation (C12): the sorted Merkle tree, its non-membership witness in
plain Python and in the circuit gadget (completeness and soundness), and the signed list."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zkcredit.circuits.credit_threshold import assert_not_revoked
from zkcredit.circuits.poseidon import poseidon

from zkcredit import errors
from zkcredit.circuit import Circuit, CompiledCircuit
from zkcredit.credit.revocation import (
    REVOCATION_DEPTH,
    RevocationList,
    RevocationTree,
    empty_revocation_root,
)
from zkcredit.hazmat.poseidon import merkle_path, merkle_root, poseidon_hash, verify_merkle_path

KEY = bytes([5]) * 32
DEPTH = 3  # the gadget tests use a small tree: 7 revoked ids at most
_ids = st.integers(1, (1 << 128) - 1)


def _brute_root(ids: set[int], depth: int) -> int:
    s = [0, *sorted(ids)]
    leaves = [poseidon_hash([s[i], s[i + 1] if i + 1 < len(s) else 0]) for i in range(len(s))]
    return merkle_root(leaves, depth)


def test_empty_tree_is_the_sentinel_leaf() -> None:
    assert RevocationTree().root == empty_revocation_root() == merkle_root(
        [poseidon_hash([0, 0])], REVOCATION_DEPTH)
    w = RevocationTree().witness(12345)
    assert (w.low, w.next) == (0, 0)


@settings(max_examples=25, deadline=None)
@given(st.sets(_ids, max_size=12), _ids)
def test_tree_matches_brute_force_and_witness_brackets(ids: set[int], x: int) -> None:
    tree = RevocationTree(ids)
    assert tree.root == _brute_root(ids, REVOCATION_DEPTH)
    assert tree.revoked == tuple(sorted(ids))
    if x in ids:
        assert x in tree
        with pytest.raises(errors.AttestationRevoked):
            tree.witness(x)
        return
    w = tree.witness(x)
    assert w.low < x and (w.next == 0 or x < w.next)
    assert not any(w.low < y < x or (w.next and x < y < w.next) for y in ids)
    leaf = poseidon_hash([w.low, w.next])
    assert verify_merkle_path(tree.root, leaf, w.path.siblings, w.path.path_bits)


def test_tree_input_validation() -> None:
    for bad in (0, -1, 1 << 128, True, "5"):
        with pytest.raises(errors.InvalidArgument):
            RevocationTree([bad])  # type: ignore[list-item]
    assert len(RevocationTree([3, 3, 1])) == 2  # a set


def _gadget() -> CompiledCircuit:
    c = Circuit("not_revoked_d3")
    root = c.public("root")
    rid, low, nxt = c.private("rid"), c.private("low"), c.private("next")
    bits, sibs = c.private_list("bits", DEPTH), c.private_list("sibs", DEPTH)
    got = assert_not_revoked(c, rid, low, nxt, path_bits=bits, siblings=sibs)
    c.assert_equal(poseidon(c, [got], "bind"), poseidon(c, [root], "root_hash"), "root")
    return c.compile()


@pytest.fixture(scope="module")
def gadget() -> CompiledCircuit:
    return _gadget()


def _inputs(ids: set[int], x: int, index: int, low: int, nxt: int) -> dict[str, Any]:
    s = [0, *sorted(ids)]
    leaves = [poseidon_hash([s[i], s[i + 1] if i + 1 < len(s) else 0]) for i in range(len(s))]
    p = merkle_path(leaves, DEPTH, index)
    return {"root": merkle_root(leaves, DEPTH), "rid": x, "low": low, "next": nxt,
            "bits": list(p.path_bits), "sibs": list(p.siblings)}


def _solves(compiled: CompiledCircuit, inputs: dict[str, Any]) -> bool:
    try:
        compiled.solve(inputs)
    except (errors.UnsatisfiedConstraint, errors.MalformedInput):
        return False
    return True


@settings(max_examples=20, deadline=None)
@given(st.sets(st.integers(1, 60), max_size=7), st.integers(1, 64))
def test_gadget_accepts_exactly_the_unrevoked(
    gadget: CompiledCircuit, ids: set[int], x: int
) -> None:
    """Completeness and soundness: over every real leaf of the tree, a witness exists iff x
    is not revoked (and it is the bracketing leaf)."""
    s = [0, *sorted(ids)]
    accepted = []
    for index, low in enumerate(s):
        nxt = s[index + 1] if index + 1 < len(s) else 0
        if _solves(gadget, _inputs(ids, x, index, low, nxt)):
            accepted.append(index)
    assert (accepted == []) == (x in ids)
    assert len(accepted) <= 1


def test_gadget_refuses_tampered_witnesses(gadget: CompiledCircuit) -> None:
    ids = {10, 20, 30}
    good = _inputs(ids, 25, 2, 20, 30)
    assert _solves(gadget, good)
    assert not _solves(gadget, {**good, "next": 0})  # claim 20 is the last: leaf changes
    assert not _solves(gadget, {**good, "low": 25})  # low < id is strict
    assert not _solves(gadget, {**good, "rid": 30})  # a revoked id at the upper edge
    assert not _solves(gadget, {**good, "rid": 20})  # ... and at the lower edge
    assert not _solves(gadget, {**good, "rid": 25 + (1 << 128)})  # beyond 128 bits
    bits = list(good["bits"])
    bits[0] = 2
    assert not _solves(gadget, {**good, "bits": bits})
    # The last leaf with next = 0 stands for +infinity only there.
    last = _inputs(ids, 31, 3, 30, 0)
    assert _solves(gadget, last) and _solves(gadget, {**last, "rid": (1 << 128) - 1})


def test_signed_list_round_trip_and_tamper() -> None:
    rl = RevocationList.sign(KEY, [9, 4], 1_700_000_000)
    rl.verify()
    again = RevocationList.from_json(json.dumps(rl.to_json_dict()))
    assert again == rl and again.tree.root == RevocationTree([4, 9]).root
    d = rl.to_json_dict()
    for edit, error in (
        (lambda d: d.update(revoked=["9", "4"]), errors.InvalidEncoding),  # not ascending
        (lambda d: d.update(revoked=["4", "4"]), errors.InvalidEncoding),
        (lambda d: d.update(revoked=["0"]), errors.InvalidEncoding),
        (lambda d: d.update(version=2), errors.UnsupportedFormat),
        (lambda d: d.pop("published_at"), errors.InvalidEncoding),
    ):
        bad = json.loads(json.dumps(d))
        edit(bad)
        with pytest.raises(error):
            RevocationList.from_json(json.dumps(bad))
    edited = json.loads(json.dumps(d))
    edited["revoked"] = ["4"]  # dropping an id: the signature no longer covers the set
    with pytest.raises(errors.InvalidSignature):
        RevocationList.from_json(json.dumps(edited)).verify()
    later = json.loads(json.dumps(d))
    later["published_at"] += 1
    with pytest.raises(errors.InvalidSignature):
        RevocationList.from_json(json.dumps(later)).verify()
