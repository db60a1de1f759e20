"""Poseidon: circomlib vectors, native == reference, parameter pin, Merkle trees, errors."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkcredit import _native
from zkcredit.errors import InvalidArgument, InvalidEncoding, NonCanonicalScalar
from zkcredit.hazmat import poseidon_params
from zkcredit.hazmat.poseidon import (
    MerklePath,
    merkle_path,
    merkle_root,
    poseidon_hash,
    poseidon_hash_many,
    poseidon_hash_reference,
    verify_merkle_path,
)
from zkcredit.hazmat.poseidon_params import (
    MAX_ARITY,
    N_ROUNDS_F,
    N_ROUNDS_P,
    PARAMS_SHA256,
    SCALAR_MODULUS,
)
from zkcredit.hazmat.reference import poseidon as reference

R = SCALAR_MODULUS
EXTERNAL = Path(__file__).resolve().parents[1] / "data" / "external"
CIRCOMLIB_CONSTANTS = (
    Path(__file__).resolve().parents[1]
    / "interop/node_modules/circomlib/circuits/poseidon_constants.circom"
)


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXTERNAL / name).read_text())
    return data


POSEIDON = _load("poseidon.json")
MERKLE = _load("poseidon_merkle.json")
HASH_CASES = POSEIDON["cases"]
MERKLE_CASES = MERKLE["cases"]


def _ints(values: list[str]) -> list[int]:
    return [int(v) for v in values]


def _case_id(case: dict[str, Any]) -> str:
    return f"{case.get('arity', case.get('depth'))}-{case['label']}"


# --- parameters ---------------------------------------------------------------------


def test_vector_file_parameters_match_ours() -> None:
    assert int(POSEIDON["field"]["modulus"]) == R
    for arity, p in POSEIDON["params"].items():
        t = int(arity) + 1
        assert p["t"] == t
        assert p["alpha"] == poseidon_params.ALPHA
        assert p["n_rounds_full"] == N_ROUNDS_F
        assert p["n_rounds_partial"] == N_ROUNDS_P[t - 2]


def test_parameters_are_pinned_by_sha256() -> None:
    assert poseidon_params.params_digest() == PARAMS_SHA256


def test_fresh_generation_matches_the_cache() -> None:
    for t in (2, 3, 17):
        fresh = poseidon_params.generate(t, N_ROUNDS_F, N_ROUNDS_P[t - 2])
        assert fresh == poseidon_params.params(t)


def test_native_generator_agrees_byte_for_byte() -> None:
    """The Rust core generates the parameters independently; both must be identical."""
    python_bytes = poseidon_params.canonical_serialization()
    native_bytes = b"".join(_native.bn254.poseidon_params(t) for t in range(2, MAX_ARITY + 2))
    assert native_bytes == python_bytes
    assert hashlib.sha256(native_bytes).hexdigest() == PARAMS_SHA256


def test_parameter_shapes() -> None:
    for t in range(2, MAX_ARITY + 2):
        p = poseidon_params.params(t)
        assert p.t == t and p.n_rounds_f == 8 and p.n_rounds_p == N_ROUNDS_P[t - 2]
        assert len(p.round_constants) == (p.n_rounds_f + p.n_rounds_p) * t
        assert all(0 <= c < R for c in p.round_constants)
        assert len(p.mds) == t and all(len(row) == t for row in p.mds)
        assert all(0 < m < R for row in p.mds for m in row)
    with pytest.raises(ValueError):
        poseidon_params.params(1)
    with pytest.raises(ValueError):
        poseidon_params.params(18)
    with pytest.raises(InvalidArgument):
        _native.bn254.poseidon_params(18)


@pytest.mark.slow
def test_mds_matrices_have_no_invariant_subspace_trails() -> None:
    """The algorithm_2/algorithm_3 (s = 1) screens of the reference script pass."""
    for t in range(2, MAX_ARITY + 2):
        assert poseidon_params.krylov_check(poseidon_params.params(t).mds), t


@pytest.mark.interop
@pytest.mark.skipif(not CIRCOMLIB_CONSTANTS.exists(), reason="npm interop tools not installed")
def test_mds_matrices_equal_circomlibs_tables() -> None:
    """circomlib's POSEIDON_M(t) is our matrix, transposed (its Mix sums M[j][i] * in[j]).

    Matching for every t also shows the Grain stream was consumed exactly as upstream
    (the MDS entries are drawn after all round constants).
    """
    src = CIRCOMLIB_CONSTANTS.read_text()
    section = src[src.index("function POSEIDON_M(t)") : src.index("function POSEIDON_P(t)")]
    parts = re.split(r"if \(t ?== ?(\d+)\)", section)[1:]
    seen = set()
    for t_text, body in zip(parts[0::2], parts[1::2], strict=True):
        t = int(t_text)
        theirs = [int(x, 16) for x in re.findall(r"0x[0-9a-fA-F]+", body)]
        mds = poseidon_params.params(t).mds
        assert theirs == [mds[j][i] for i in range(t) for j in range(t)], t
        seen.add(t)
    assert seen == set(range(2, MAX_ARITY + 2))


# --- known answers ------------------------------------------------------------------


@pytest.mark.parametrize("case", HASH_CASES, ids=_case_id)
def test_native_reproduces_circomlib(case: dict[str, Any]) -> None:
    assert poseidon_hash(_ints(case["inputs"])) == int(case["output"])


@pytest.mark.parametrize("case", HASH_CASES, ids=_case_id)
def test_reference_reproduces_circomlib(case: dict[str, Any]) -> None:
    inputs = _ints(case["inputs"])
    assert poseidon_hash_reference(inputs) == int(case["output"])
    assert reference.poseidon_hash(inputs) == int(case["output"])


def test_vector_set_covers_what_it_claims() -> None:
    assert len(HASH_CASES) == 56
    assert {c["arity"] for c in HASH_CASES} == {1, 2, 3, 4, 5, 6, 16}
    assert len(MERKLE_CASES) == 8


def test_batch_reproduces_circomlib() -> None:
    by_arity: dict[int, list[dict[str, Any]]] = {}
    for case in HASH_CASES:
        by_arity.setdefault(case["arity"], []).append(case)
    for arity, cases in by_arity.items():
        rows = [_ints(c["inputs"]) for c in cases] * 20  # > the parallel threshold
        expected = [int(c["output"]) for c in cases] * 20
        assert poseidon_hash_many(arity, rows) == expected


def test_noncanonical_inputs_are_refused_not_reduced() -> None:
    for case in POSEIDON["informational_noncanonical_inputs"]["cases"]:
        inputs = _ints(case["inputs"])
        with pytest.raises(NonCanonicalScalar):
            poseidon_hash(inputs)
        with pytest.raises(NonCanonicalScalar):
            poseidon_hash_reference(inputs)
        # What circomlibjs returns is the hash of the reduced value, which we do compute.
        assert poseidon_hash(_ints(case["canonical_inputs"])) == int(case["circomlibjs_output"])


# --- native == reference ------------------------------------------------------------

field_elements = st.one_of(
    st.integers(0, R - 1),
    st.sampled_from([0, 1, 2, R - 1, R - 2, (R - 1) // 2, 2**253, 2**64 - 1]),
)


@pytest.mark.parametrize("arity", range(1, MAX_ARITY + 1))
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_native_equals_reference(arity: int, data: st.DataObject) -> None:
    inputs = data.draw(st.lists(field_elements, min_size=arity, max_size=arity))
    assert poseidon_hash(inputs) == poseidon_hash_reference(inputs)


@settings(max_examples=10, deadline=None)
@given(
    arity=st.integers(1, MAX_ARITY),
    rows=st.integers(0, 80),
    seed=st.integers(0, R - 1),
)
def test_batch_equals_single(arity: int, rows: int, seed: int) -> None:
    matrix = [[(seed * (k + 1) + i) % R for i in range(arity)] for k in range(rows)]
    assert poseidon_hash_many(arity, matrix) == [poseidon_hash(row) for row in matrix]


def test_reference_permutation_returns_the_whole_state() -> None:
    state = reference.poseidon_permutation([0, 1, 2])
    assert len(state) == 3 and state[0] == poseidon_hash([1, 2])


# --- errors -------------------------------------------------------------------------


@pytest.mark.parametrize("hash_fn", [poseidon_hash, poseidon_hash_reference])
def test_argument_errors(hash_fn: Any) -> None:
    with pytest.raises(InvalidArgument):
        hash_fn([])
    with pytest.raises(InvalidArgument):
        hash_fn([0] * 17)
    with pytest.raises(NonCanonicalScalar):
        hash_fn([R])
    with pytest.raises(NonCanonicalScalar):
        hash_fn([1, -1])
    with pytest.raises(NonCanonicalScalar):
        hash_fn([2**256])
    with pytest.raises(InvalidArgument):
        hash_fn(["1"])
    with pytest.raises(InvalidArgument):
        hash_fn([True])
    with pytest.raises(InvalidArgument):
        hash_fn([1.0])


def test_native_byte_interface_errors() -> None:
    bn = _native.bn254
    one = (1).to_bytes(32, "little")
    assert bn.poseidon(one) == poseidon_hash([1]).to_bytes(32, "little")
    with pytest.raises(InvalidArgument):
        bn.poseidon(b"")
    with pytest.raises(InvalidArgument):
        bn.poseidon(one * 17)
    with pytest.raises(InvalidEncoding):
        bn.poseidon(one + b"\x00")
    with pytest.raises(NonCanonicalScalar):
        bn.poseidon(R.to_bytes(32, "little"))
    with pytest.raises(NonCanonicalScalar):
        bn.poseidon(one + (2**256 - 1).to_bytes(32, "little"))
    assert bn.poseidon_many(2, b"") == b""
    for bad_arity in (0, 17, -1):
        with pytest.raises(InvalidArgument):
            bn.poseidon_many(bad_arity, one * 2)
    with pytest.raises(InvalidArgument):
        bn.poseidon_many(2, one * 3)
    with pytest.raises(InvalidEncoding):
        bn.poseidon_many(2, one * 2 + b"\x00")
    with pytest.raises(NonCanonicalScalar):
        bn.poseidon_many(1, one * 100 + R.to_bytes(32, "little"))
    with pytest.raises(InvalidArgument):
        poseidon_hash_many(2, [[1, 2], [3]])


# --- Merkle trees -------------------------------------------------------------------


def test_zero_hashes() -> None:
    zeros = _ints(MERKLE["zero_hashes"])
    for depth, z in enumerate(zeros):
        assert merkle_root([], depth) == z


@pytest.mark.parametrize("case", MERKLE_CASES, ids=_case_id)
def test_merkle_root_and_levels(case: dict[str, Any]) -> None:
    leaves, depth = _ints(case["leaves"]), case["depth"]
    assert len(leaves) == case["num_leaves"]
    assert merkle_root(leaves, depth) == int(case["root"])
    levels = [_ints(level) for level in case["levels"]]
    for k in range(1, depth + 1):
        # Every layer, by the reference hash, from the layer below.
        below = levels[k - 1]
        assert levels[k] == [
            reference.poseidon_hash([below[i], below[i + 1]]) for i in range(0, len(below), 2)
        ]
    # The root from the fully padded leaf layer is the same.
    assert merkle_root(levels[0], depth) == int(case["root"])


@pytest.mark.parametrize("case", MERKLE_CASES, ids=_case_id)
def test_merkle_path(case: dict[str, Any]) -> None:
    leaves, depth = _ints(case["leaves"]), case["depth"]
    expected = case["path"]
    path = merkle_path(leaves, depth, expected["leaf_index"])
    assert path == MerklePath(
        leaf_index=expected["leaf_index"],
        leaf=int(expected["leaf"]),
        siblings=tuple(_ints(expected["siblings"])),
    )
    assert list(path.path_bits) == expected["path_bits"]
    root = int(case["root"])
    assert verify_merkle_path(root, path.leaf, path.siblings, path.path_bits)
    assert not verify_merkle_path((root + 1) % R, path.leaf, path.siblings, path.path_bits)
    assert not verify_merkle_path(root, (path.leaf + 1) % R, path.siblings, path.path_bits)
    flipped = [1 - path.path_bits[0], *path.path_bits[1:]]
    assert not verify_merkle_path(root, path.leaf, path.siblings, flipped)


@pytest.mark.parametrize("case", MERKLE_CASES, ids=_case_id)
def test_every_position_has_a_valid_path(case: dict[str, Any]) -> None:
    leaves, depth = _ints(case["leaves"]), case["depth"]
    levels = [_ints(level) for level in case["levels"]]
    root = int(case["root"])
    for index in range(1 << depth):
        path = merkle_path(leaves, depth, index)
        assert path.leaf == levels[0][index]
        assert list(path.siblings) == [levels[k][(index >> k) ^ 1] for k in range(depth)]
        assert verify_merkle_path(root, path.leaf, path.siblings, path.path_bits)


def test_merkle_errors() -> None:
    with pytest.raises(InvalidArgument):
        merkle_root([1, 2, 3], 1)
    with pytest.raises(InvalidArgument):
        merkle_root([], -1)
    with pytest.raises(InvalidArgument):
        merkle_root([], 65)
    with pytest.raises(NonCanonicalScalar):
        merkle_root([R], 2)
    with pytest.raises(InvalidArgument):
        merkle_path([1], 2, 4)
    with pytest.raises(InvalidArgument):
        merkle_path([1], 2, -1)
    with pytest.raises(InvalidArgument):
        verify_merkle_path(0, 0, [0, 0], [0])
    with pytest.raises(InvalidArgument):
        verify_merkle_path(0, 0, [0], [2])
    with pytest.raises(NonCanonicalScalar):
        verify_merkle_path(R, 0, [0], [0])
    with pytest.raises(NonCanonicalScalar):
        verify_merkle_path(0, 0, [R], [1])


def test_deep_sparse_tree() -> None:
    leaves = [5, 6, 7]
    root = merkle_root(leaves, 40)
    path = merkle_path(leaves, 40, 2)
    assert verify_merkle_path(root, 7, path.siblings, path.path_bits)
    far = merkle_path(leaves, 40, 2**40 - 1)
    assert far.leaf == 0 and verify_merkle_path(root, 0, far.siblings, far.path_bits)
    assert merkle_root([], 0) == 0 and merkle_root([9], 0) == 9
