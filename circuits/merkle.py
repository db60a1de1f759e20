"""Poseidon Merkle trees (the conventions of `zkcredit.hazmat.poseidon`: a node is
``Poseidon([left, right])``; path bits bottom-up, 0 = the running node is the left child).

`merkle_root(c, leaves)`
    Constrains: the root of the full binary tree over ``leaves`` (a power of two),
    ``len(leaves) - 1`` Poseidon(2) calls. Assumes / leaves free: nothing.
`merkle_path_root(c, leaf, path_bits, siblings)`
    Constrains: every path bit boolean (always: a missing boolean constraint let the
    Self BinaryMerkleRoot accept fake proofs, ADVERSARIAL A5) and the root obtained by
    hashing the leaf up with the siblings; one swap constraint plus one Poseidon(2) per
    level. The depth is ``len(siblings)``, fixed when the circuit is built.
    Assumes / leaves free: nothing.
`assert_merkle_inclusion(c, root, leaf, path_bits, siblings)`
    Constrains: the path root equals ``root`` and, by default, ``leaf != 0`` so the
    empty-leaf value of a sparse tree is never a member (ADVERSARIAL A6, Semaphore's
    zero value).
"""

from __future__ import annotations

from collections.abc import Sequence

from zkcredit.circuit import Circuit, LinComb
from zkcredit.errors import InvalidArgument

from .poseidon import poseidon

__all__ = ["assert_merkle_inclusion", "merkle_path_root", "merkle_root"]


def merkle_root(c: Circuit, leaves: Sequence[LinComb | int], label: str = "merkle") -> LinComb:
    """Root of the full tree over ``leaves`` (length a power of two, ≥ 1)."""
    n = len(leaves)
    if n < 1 or n & (n - 1):
        raise InvalidArgument("merkle_root needs a power-of-two number of leaves")
    layer = [c.lc(x) for x in leaves]
    with c.scope(c.unique(label)):
        level = 0
        while len(layer) > 1:
            layer = [
                poseidon(c, [layer[i], layer[i + 1]], f"l{level}.node")
                for i in range(0, len(layer), 2)
            ]
            level += 1
    return layer[0]


def merkle_path_root(
    c: Circuit,
    leaf: LinComb | int,
    path_bits: Sequence[LinComb | int],
    siblings: Sequence[LinComb | int],
    label: str = "merkle_path",
) -> LinComb:
    """The root reached from ``leaf`` along the path (bits constrained boolean)."""
    if len(path_bits) != len(siblings) or not siblings:
        raise InvalidArgument("path_bits and siblings must have the same, nonzero length")
    node = c.lc(leaf)
    with c.scope(c.unique(label)):
        for level, (raw_bit, raw_sib) in enumerate(zip(path_bits, siblings, strict=True)):
            bit, sib = c.lc(raw_bit), c.lc(raw_sib)
            c.assert_bool(bit, f"l{level}.bit_bool")
            swap = c.mul(bit, sib - node, f"l{level}.swap")
            left, right = node + swap, sib - swap
            node = poseidon(c, [left, right], f"l{level}.node")
    return node


def assert_merkle_inclusion(
    c: Circuit,
    root: LinComb | int,
    leaf: LinComb | int,
    path_bits: Sequence[LinComb | int],
    siblings: Sequence[LinComb | int],
    *,
    nonzero_leaf: bool = True,
    label: str = "merkle_inclusion",
) -> None:
    """Constrain ``leaf`` to be in the tree with root ``root`` (and nonzero)."""
    with c.scope(c.unique(label)):
        if nonzero_leaf:
            c.assert_nonzero(leaf, "leaf_nonzero")
        c.assert_equal(merkle_path_root(c, leaf, path_bits, siblings), root, "root")
