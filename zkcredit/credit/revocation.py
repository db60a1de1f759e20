"""Per-attestation revocation: an issuer's signed list of revoked ids, as a sorted Merkle tree.

The revoked ids ``s_1 < ... < s_m`` (each in 1..2^128-1), preceded by the sentinel 0, are
the leaves of a depth-`REVOCATION_DEPTH` Poseidon tree in sorted order (an "indexed"
Merkle tree): leaf i is ``Poseidon([s_i, s_{i+1}])`` with ``s_0 = 0`` and, for the last
one, ``next = 0`` meaning "+infinity"; the positions after it are empty (0). The tree is
a function of the set alone, so the registry operator and every wallet rebuild the same
root from the published ids.

An id ``x`` is *not* revoked iff some leaf ``(low, next)`` has ``low < x`` and ``x < next``
or ``next = 0``: one leaf and its path, about ``REVOCATION_DEPTH`` Poseidon hashes in the
circuit however many ids are revoked. A revoked ``x`` has no such leaf (``low = x`` is
not ``< x``, and the leaf before it has ``next = x``).

The issuer publishes the set as a `RevocationList`: the ids, ``published_at`` and an
EdDSA-Poseidon signature over ``Poseidon([REVOCATION_DOMAIN, root, published_at])``. The
registry applies only lists newer than the one it holds, so an old list cannot be
replayed to un-revoke an attestation.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from zkcredit._files import loads_strict
from zkcredit.errors import AttestationRevoked, InvalidArgument, InvalidEncoding
from zkcredit.hazmat import eddsa
from zkcredit.hazmat.attestation import (
    REVOCATION_ID_BITS,
    check_header,
    check_revocation_id,
    check_time,
    exact_keys,
    point_from_json,
    point_json,
    time_from_json,
)
from zkcredit.hazmat.babyjub import SUBGROUP_ORDER, Point
from zkcredit.hazmat.encoding import parse_decimal
from zkcredit.hazmat.poseidon import MerklePath, MerkleTree, poseidon_hash_many

__all__ = [
    "MAX_REVOKED",
    "REVOCATION_DEPTH",
    "REVOCATION_DOMAIN",
    "REVOCATION_LIST_FORMAT",
    "NonRevocationWitness",
    "RevocationList",
    "RevocationTree",
    "empty_revocation_root",
    "empty_revocation_tree",
    "revocation_list_message",
]

REVOCATION_DEPTH = 20
"""Depth of an issuer's revocation tree: up to 2^20 - 1 ids revoked at once."""

MAX_REVOKED = (1 << REVOCATION_DEPTH) - 1

REVOCATION_DOMAIN = int.from_bytes(b"zkcredit/revocation-list/v1", "big")
REVOCATION_LIST_FORMAT = "zkcredit-revocation-list"
_VERSION = 1


@dataclass(frozen=True)
class NonRevocationWitness:
    """The circuit's private inputs showing an id is not revoked: the low leaf and its path."""

    low: int
    next: int
    path: MerklePath


class RevocationTree:
    """The sorted Merkle tree over a set of revoked ids (see the module docstring)."""

    def __init__(self, revoked: Iterable[int] = ()) -> None:
        ids = sorted({check_revocation_id(x, "revoked id") for x in revoked})
        if len(ids) > MAX_REVOKED:
            raise InvalidArgument(f"at most {MAX_REVOKED} ids can be revoked at once")
        self._sorted: tuple[int, ...] = (0, *ids)

    @property
    def revoked(self) -> tuple[int, ...]:
        """The revoked ids, ascending (the sentinel 0 excluded)."""
        return self._sorted[1:]

    def __len__(self) -> int:
        return len(self._sorted) - 1

    def __contains__(self, value: object) -> bool:
        if type(value) is not int or value <= 0:
            return False
        i = bisect.bisect_left(self._sorted, value)
        return i < len(self._sorted) and self._sorted[i] == value

    @cached_property
    def _tree(self) -> MerkleTree:
        s = self._sorted
        pairs = [[s[i], s[i + 1] if i + 1 < len(s) else 0] for i in range(len(s))]
        return MerkleTree(poseidon_hash_many(2, pairs), REVOCATION_DEPTH)

    @property
    def root(self) -> int:
        """The root a registry leaf carries for this issuer."""
        return self._tree.root

    def witness(self, revocation_id: int) -> NonRevocationWitness:
        """The low leaf and path proving ``revocation_id`` absent; `AttestationRevoked` if not."""
        x = check_revocation_id(revocation_id)
        if x in self:
            raise AttestationRevoked("the attestation's revocation id is in the issuer's "
                                     "published revocation list")
        i = bisect.bisect_left(self._sorted, x) - 1  # s[i] < x, and s[i+1] > x if it exists
        nxt = self._sorted[i + 1] if i + 1 < len(self._sorted) else 0
        return NonRevocationWitness(
            low=self._sorted[i], next=nxt, path=self._tree.path(i)
        )


def revocation_list_message(root: int, published_at: int) -> int:
    """``Poseidon([REVOCATION_DOMAIN, root, published_at])``: what the issuer signs."""
    return poseidon_hash_many(3, [[REVOCATION_DOMAIN, root, check_time(published_at,
                                                                        "published_at")]])[0]


@dataclass(frozen=True)
class RevocationList:
    """An issuer's signed set of revoked attestation ids at ``published_at``."""

    issuer: Point
    published_at: int
    revoked: tuple[int, ...]
    signature: eddsa.Signature

    def __post_init__(self) -> None:
        object.__setattr__(self, "issuer", eddsa.check_issuer_key(self.issuer))
        check_time(self.published_at, "published_at")
        tree = RevocationTree(self.revoked)
        if tuple(self.revoked) != tree.revoked:
            raise InvalidArgument("revoked ids must be listed ascending, each once")
        object.__setattr__(self, "revoked", tree.revoked)

    @cached_property
    def tree(self) -> RevocationTree:
        """The sorted Merkle tree of `revoked`."""
        return RevocationTree(self.revoked)

    @classmethod
    def sign(
        cls, issuer_private_key: bytes, revoked: Iterable[int], published_at: int
    ) -> RevocationList:
        """The issuer's list of ``revoked`` ids, signed for ``published_at``."""
        tree = RevocationTree(revoked)
        msg = revocation_list_message(tree.root, published_at)
        return cls(
            issuer=eddsa.prv2pub(issuer_private_key),
            published_at=published_at,
            revoked=tree.revoked,
            signature=eddsa.sign_poseidon(issuer_private_key, msg),
        )

    def verify(self) -> None:
        """Raise `InvalidSignature` unless the issuer signed this set and time."""
        msg = revocation_list_message(self.tree.root, self.published_at)
        eddsa.verify_poseidon(self.issuer, msg, self.signature)

    def to_json_dict(self) -> dict[str, Any]:
        """JSON form: ids as decimal strings, ascending."""
        return {
            "format": REVOCATION_LIST_FORMAT,
            "version": _VERSION,
            "issuer": point_json(self.issuer),
            "published_at": self.published_at,
            "revoked": [str(x) for x in self.revoked],
            "signature": {"R8": point_json(self.signature.R8), "S": str(self.signature.S)},
        }

    @classmethod
    def from_json_dict(cls, obj: object) -> RevocationList:
        """Strict inverse of `to_json_dict` (the signature is checked by `verify`)."""
        d = exact_keys(obj, {"format", "version", "issuer", "published_at", "revoked",
                             "signature"}, "revocation list")
        check_header(d, REVOCATION_LIST_FORMAT, _VERSION, "revocation list")
        ids = d["revoked"]
        if not isinstance(ids, list) or len(ids) > MAX_REVOKED:
            raise InvalidEncoding(f"revocation list: revoked must be a list of at most "
                                  f"{MAX_REVOKED} decimal strings")
        revoked = tuple(
            parse_decimal(x, 1 << REVOCATION_ID_BITS, f"revoked id #{n}")
            for n, x in enumerate(ids)
        )
        sig = exact_keys(d["signature"], {"R8", "S"}, "revocation list signature")
        try:
            return cls(
                issuer=Point(*point_from_json(d["issuer"], "revocation list issuer")),
                published_at=time_from_json(d["published_at"], "published_at"),
                revoked=revoked,
                signature=eddsa.Signature(
                    Point(*point_from_json(sig["R8"], "revocation list R8")),
                    parse_decimal(sig["S"], SUBGROUP_ORDER, "revocation list S"),
                ),
            )
        except InvalidArgument as exc:
            raise InvalidEncoding(f"revocation list: {exc}") from None

    @classmethod
    def from_json(cls, data: bytes | str) -> RevocationList:
        """Parse revocation-list JSON text (strict reader)."""
        return cls.from_json_dict(loads_strict(data))


_EMPTY = RevocationTree()


def empty_revocation_tree() -> RevocationTree:
    """The tree with nothing revoked (the sentinel leaf only)."""
    return _EMPTY


def empty_revocation_root() -> int:
    """The root of `empty_revocation_tree`: the registry leaf's default."""
    return _EMPTY.root
