"""The issuer registry: admission (C2), removal (C8), revocation lists (C12), paths and the
file form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zkcredit import errors
from zkcredit.credit.issuer import REGISTRY_DEPTH, IssuerRegistry, issuer_leaf
from zkcredit.credit.revocation import RevocationList, empty_revocation_root
from zkcredit.hazmat import babyjub as bj
from zkcredit.hazmat import eddsa
from zkcredit.hazmat.poseidon import merkle_root, poseidon_hash, verify_merkle_path

P = bj.FIELD_MODULUS
PRIVATE = [bytes([i]) * 32 for i in range(1, 4)]
KEYS = [eddsa.prv2pub(k) for k in PRIVATE]
EMPTY = empty_revocation_root()


def _torsion() -> list[tuple[str, bj.Point]]:
    t8 = bj.mul(bj.GENERATOR, bj.SUBGROUP_ORDER)  # a point of order 8
    assert bj.point_order(t8) == 8
    pts = [("identity", bj.IDENTITY), ("(0,-1)", bj.Point(0, P - 1))]
    pts += [(f"order4_{k}", bj.mul(t8, 2 * k)) for k in (1, 3)]
    pts += [(f"order8_{k}", bj.mul(t8, k)) for k in (1, 3, 5, 7)]
    return pts


def test_empty_registry_root() -> None:
    assert IssuerRegistry().root == merkle_root([], REGISTRY_DEPTH)
    assert len(IssuerRegistry()) == 0


def test_add_path_revoke() -> None:
    reg = IssuerRegistry()
    roots = [reg.root]
    for k in KEYS:
        roots.append(reg.add(k))
        assert roots[-1] == reg.root
    assert len(set(roots)) == len(roots)
    leaves = [poseidon_hash([k.x, k.y, EMPTY]) for k in KEYS]
    assert [issuer_leaf(k) for k in KEYS] == leaves
    assert reg.root == merkle_root(leaves, REGISTRY_DEPTH)
    for i, k in enumerate(KEYS):
        path = reg.path(k)
        assert path.leaf_index == i and path.leaf == leaves[i] and len(path.siblings) == 8
        assert verify_merkle_path(reg.root, path.leaf, path.siblings, path.path_bits)
        assert k in reg
    before = reg.root
    after = reg.remove(KEYS[1])
    assert after != before and KEYS[1] not in reg
    assert after == merkle_root([leaves[0], 0, leaves[2]], REGISTRY_DEPTH)
    with pytest.raises(errors.IssuerNotRegistered):
        reg.path(KEYS[1])
    with pytest.raises(errors.IssuerNotRegistered):
        reg.require(KEYS[1])
    with pytest.raises(errors.IssuerNotRegistered):
        reg.remove(KEYS[1])
    # The old path no longer reaches the new root (C8: revoked key).
    old = IssuerRegistry.of(KEYS).path(KEYS[1])
    assert not verify_merkle_path(reg.root, old.leaf, old.siblings, old.path_bits)
    # Re-adding reuses the free slot.
    reg.add(KEYS[1])
    assert reg.root == before


def test_duplicate_and_full() -> None:
    reg = IssuerRegistry.of(KEYS[:1])
    with pytest.raises(errors.InvalidArgument, match="already"):
        reg.add(KEYS[0])
    for i in range(1, 1 << REGISTRY_DEPTH):
        reg._slots[i] = KEYS[0]  # fill cheaply: only the free-slot search is under test
    with pytest.raises(errors.Refused, match="full"):
        reg.add(KEYS[1])


@pytest.mark.parametrize(("label", "point"), _torsion(), ids=[n for n, _ in _torsion()])
def test_C2_small_order_keys_refused(label: str, point: bj.Point) -> None:
    reg = IssuerRegistry()
    with pytest.raises(errors.LowOrderPoint):
        reg.add(point)
    # The key plus a small-order component: not low order, but outside the subgroup.
    if point != bj.IDENTITY:
        with pytest.raises(errors.PointNotInSubgroup):
            reg.add(bj.add(KEYS[0], point))
    assert reg.root == IssuerRegistry().root


def test_off_curve_and_non_canonical_refused() -> None:
    reg = IssuerRegistry()
    with pytest.raises(errors.PointNotOnCurve):
        reg.add(bj.Point(1, 2))
    with pytest.raises(errors.NonCanonicalCoordinate):
        reg.add(bj.Point(KEYS[0].x + P, KEYS[0].y))
    assert bj.Point(1, 2) not in reg and (1,) not in reg and "key" not in reg


def test_file_round_trip(tmp_path: Path) -> None:
    reg = IssuerRegistry.of(KEYS)
    reg.remove(KEYS[0])
    path = tmp_path / "registry.json"
    reg.save(path)
    loaded = IssuerRegistry.load(path)
    assert loaded.root == reg.root and loaded.keys() == reg.keys()
    with pytest.raises(errors.OutputExists):
        reg.save(path)
    reg.save(path, replace=True)


@pytest.mark.parametrize(
    ("edit", "error"),
    [
        (lambda d: d.update(root=str((int(d["root"]) + 1) % P)), errors.InvalidEncoding),
        (lambda d: d["issuers"].pop(), errors.InvalidEncoding),  # root no longer matches
        (lambda d: d["issuers"].append(dict(d["issuers"][0])), errors.InvalidEncoding),
        (lambda d: d["issuers"][0].update(slot=256), errors.InvalidEncoding),
        (lambda d: d["issuers"][0].update(key=["0", "1"]), errors.LowOrderPoint),
        (lambda d: d.update(depth=9), errors.UnsupportedFormat),
        (lambda d: d.update(version=1), errors.UnsupportedFormat),
        (lambda d: d["issuers"][0].pop("revocations"), errors.InvalidEncoding),
    ],
)
def test_tampered_file_refused(tmp_path: Path, edit: object, error: type[Exception]) -> None:
    d = IssuerRegistry.of(KEYS).to_json_dict()
    edit(d)  # type: ignore[operator]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(d))
    with pytest.raises(error):
        IssuerRegistry.load(path)


def test_duplicate_json_keys_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    text = json.dumps(IssuerRegistry.of(KEYS).to_json_dict())
    path.write_text(text[:-1] + ', "root": "0"}')
    with pytest.raises(errors.InvalidEncoding, match="duplicate"):
        IssuerRegistry.load(path)


def test_C12_revocation_list_changes_the_leaf_and_root() -> None:
    reg = IssuerRegistry.of(KEYS)
    before = reg.root
    rl = RevocationList.sign(PRIVATE[1], [7, 3], 1_700_000_000)
    after = reg.apply_revocations(rl)
    assert after != before and reg.revocations(KEYS[1]) == rl
    assert reg.path(KEYS[1]).leaf == poseidon_hash([KEYS[1].x, KEYS[1].y, rl.tree.root])
    assert reg.path(KEYS[0]).leaf == issuer_leaf(KEYS[0])  # others unchanged
    assert rl.revoked == (3, 7)


def test_C12_replayed_or_foreign_revocation_list_refused() -> None:
    reg = IssuerRegistry.of(KEYS)
    new = RevocationList.sign(PRIVATE[1], [3, 7], 1_700_000_100)
    old = RevocationList.sign(PRIVATE[1], [], 1_700_000_000)
    reg.apply_revocations(new)
    # An older list would un-revoke 3 and 7: refused, the root stays.
    root = reg.root
    with pytest.raises(errors.RevocationListOutdated):
        reg.apply_revocations(old)
    with pytest.raises(errors.RevocationListOutdated):
        reg.apply_revocations(new)
    assert reg.root == root
    # A list signed by another key under this issuer's name does not verify.
    forged = RevocationList(KEYS[1], 1_700_000_200, (), RevocationList.sign(
        PRIVATE[0], [], 1_700_000_200).signature)
    with pytest.raises(errors.InvalidSignature):
        reg.apply_revocations(forged)
    unknown = RevocationList.sign(bytes([9]) * 32, [], 1_700_000_300)
    with pytest.raises(errors.IssuerNotRegistered):
        reg.apply_revocations(unknown)


def test_revocation_lists_survive_the_file(tmp_path: Path) -> None:
    reg = IssuerRegistry.of(KEYS)
    reg.apply_revocations(RevocationList.sign(PRIVATE[2], [11, 5], 1_700_000_000))
    path = tmp_path / "registry.json"
    reg.save(path)
    loaded = IssuerRegistry.load(path)
    assert loaded.root == reg.root
    assert loaded.revocations(KEYS[2]) == reg.revocations(KEYS[2])
    # Editing the ids inside the stored list breaks its signature.
    d = json.loads(path.read_text())
    d["issuers"][2]["revocations"]["revoked"] = ["5"]
    path.write_text(json.dumps(d))
    with pytest.raises(errors.InvalidSignature):
        IssuerRegistry.load(path)
