"""Baby Jubjub, BLAKE-512 and EdDSA-Poseidon against circomlibjs 0.1.7 vectors and the known traps.

Vectors: tests/data/external/eddsa/ (see PROVENANCE.md). The named trap tests:
test_blake512_spec_vectors, test_S_ge_l_rejected, test_low_order_keys_rejected,
test_inputs_ge_p_rejected_not_reduced.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkcredit import errors
from zkcredit.hazmat import babyjub as bj
from zkcredit.hazmat import eddsa
from zkcredit.hazmat.blake512 import Blake512, blake512

DATA = Path(__file__).resolve().parent.parent / "data" / "external" / "eddsa"
BABYJUB: dict[str, Any] = json.loads((DATA / "babyjub.json").read_text())
EDDSA: dict[str, Any] = json.loads((DATA / "eddsa_poseidon.json").read_text())
P = bj.FIELD_MODULUS
L = bj.SUBGROUP_ORDER

SLOW = settings(max_examples=25, deadline=None)


def pt(d: dict[str, str]) -> bj.Point:
    return bj.Point(int(d["x"]), int(d["y"]))


def sig_of(d: dict[str, Any]) -> eddsa.Signature:
    return eddsa.Signature(pt(d["R8"]), int(d["S"]))


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c["label"] for c in cases]


def _raw_equation_holds(a: tuple[int, int], msg: int, sig: eddsa.Signature) -> bool:
    """S*B8 == R8 + 8*hm*A with no range, curve or key checks (what a naive verifier does)."""
    hm = eddsa.challenge_poseidon(sig.R8, a, msg)
    return bj.mul(bj.BASE8, sig.S) == bj.add(sig.R8, bj.mul(a, 8 * hm))


# --- curve constants ----------------------------------------------------------------


def test_curve_constants_match_vectors() -> None:
    c = BABYJUB["curve"]
    assert int(c["p"]) == P
    assert (int(c["a"]), int(c["d"])) == (bj.A, bj.D)
    assert pt(c["base8"]) == bj.BASE8
    assert pt(c["generator"]) == bj.GENERATOR
    assert int(c["subgroup_order"]) == L
    assert int(c["order"]) == int(c["generator_order"]) == bj.ORDER == 8 * L
    assert pt(c["identity"]) == bj.IDENTITY
    assert int(c["pack_sign_threshold"]) == (P - 1) // 2
    assert bj.mul(bj.GENERATOR, 8) == bj.BASE8
    assert bj.point_order(bj.BASE8) == L
    assert bj.point_order(bj.GENERATOR) == 8 * L


def test_independent_check_agreed() -> None:
    ind = json.loads((DATA / "independent_check.json").read_text())
    assert ind["all_agree"] is True
    assert all(ind["selftests"].values())
    assert ind["valid_cases_agree"] == len(EDDSA["valid"]) == 24
    assert ind["tampered_cases_agree"] == len(EDDSA["tampered"]) == 28


# --- Baby Jubjub vectors ------------------------------------------------------------


@pytest.mark.parametrize("case", BABYJUB["add"], ids=_ids(BABYJUB["add"]))
def test_add_vectors(case: dict[str, Any]) -> None:
    p1, p2, want = pt(case["p1"]), pt(case["p2"]), pt(case["result"])
    assert bj.add(p1, p2) == want
    assert bj.add(p2, p1) == want
    if p1 == p2:
        assert bj.double(p1) == want
    for side, p in (("p1", p1), ("p2", p2)):
        k = case.get(f"{side}_is_k_times_base8")
        if k is not None:
            assert bj.mul(bj.BASE8, int(k)) == p


@pytest.mark.parametrize("case", BABYJUB["mul_base8"], ids=_ids(BABYJUB["mul_base8"]))
def test_mul_base8_vectors(case: dict[str, Any]) -> None:
    scalar = int(case["scalar"])
    want = pt(case["result"])
    assert bj.mul(bj.BASE8, scalar) == want  # unreduced scalar, as circomlibjs
    assert bj.mul(bj.BASE8, scalar % L) == want


@pytest.mark.parametrize("case", BABYJUB["pack"], ids=_ids(BABYJUB["pack"]))
def test_pack_vectors(case: dict[str, Any]) -> None:
    point = pt(case["point"])
    packed = bytes.fromhex(case["packed_hex"])
    assert bj.pack_point(point) == packed
    assert packed[31] >> 7 == case["sign_bit"]
    assert bj.unpack_point(packed) == pt(case["unpacked"]) == point


# Strict decoder outcome per informational encoding (circomlibjs differs for the first,
# second and fourth; see the module docstring of zkcredit.hazmat.babyjub).
_PACK_INFO: dict[str, Any] = {
    "identity": bj.IDENTITY,
    "order2_point": bj.Point(0, P - 1),
    "y_without_curve_point": errors.PointNotOnCurve,
    "y_noncanonical_y_plus_p": errors.NonCanonicalCoordinate,
    "sign_bit_flipped": "circomlibjs",
}


@pytest.mark.parametrize(
    "case", BABYJUB["pack_informational"], ids=_ids(BABYJUB["pack_informational"])
)
def test_pack_informational_strict(case: dict[str, Any]) -> None:
    data = bytes.fromhex(case["packed_hex"])
    want = _PACK_INFO[case["label"]]
    if isinstance(want, type):
        with pytest.raises(want):
            bj.unpack_point(data)
        return
    got = bj.unpack_point(data)
    if want == "circomlibjs":
        assert got == pt(case["circomlibjs_unpackPoint"])
    else:
        assert got == want
        assert bj.pack_point(got) == data
        assert bj.is_low_order(got)
        with pytest.raises(errors.LowOrderPoint):
            eddsa.unpack_public_key(data)


def test_strict_decoder_agrees_with_independent_check() -> None:
    """The shared set's independent strict decoder gave the same accept/refuse outcomes."""
    ind = json.loads((DATA / "independent_check.json").read_text())
    by_label = {c["label"]: c for c in BABYJUB["pack_informational"]}
    for row in ind["pack_informational_strict_decoder"]:
        data = bytes.fromhex(by_label[row["label"]]["packed_hex"])
        try:
            bj.unpack_point(data)
            ours = "point"
        except errors.MalformedInput:
            ours = None
        assert ours == row["strict_python_decoder"], row["label"]


@pytest.mark.parametrize("case", BABYJUB["not_on_curve"], ids=_ids(BABYJUB["not_on_curve"]))
def test_not_on_curve_vectors(case: dict[str, Any]) -> None:
    point = pt(case["point"])
    assert case["circomlibjs_inCurve"] is False
    assert not bj.is_on_curve(point)
    with pytest.raises(errors.PointNotOnCurve):
        bj.validate_point(point)
    with pytest.raises(errors.PointNotOnCurve):
        bj.add(point, bj.BASE8)
    with pytest.raises(errors.PointNotOnCurve):
        bj.pack_point(point)
    with pytest.raises(errors.PointNotOnCurve):
        eddsa.check_issuer_key(point)


@pytest.mark.parametrize("case", BABYJUB["on_curve"], ids=_ids(BABYJUB["on_curve"]))
def test_on_curve_order_and_subgroup_vectors(case: dict[str, Any]) -> None:
    point = pt(case["point"])
    order = int(case["order"])
    assert bj.is_on_curve(point)
    assert bj.point_order(point) == order
    assert bj.in_subgroup(point) == case["circomlibjs_inSubgroup"]
    assert bj.is_low_order(point) == (order in (1, 2, 4, 8))
    if order in (1, 2, 4, 8):
        with pytest.raises(errors.LowOrderPoint):
            eddsa.check_issuer_key(point)
    elif order != L:
        with pytest.raises(errors.PointNotInSubgroup) as info:
            eddsa.check_issuer_key(point)
        assert not isinstance(info.value, errors.LowOrderPoint)
    else:
        assert eddsa.check_issuer_key(point) == point


def test_low_order_points_listed_in_vectors() -> None:
    low = BABYJUB["curve"]["low_order_points"]
    assert bj.point_order(pt(low["order_2"])) == 2
    assert [bj.point_order(pt(q)) for q in low["order_4"]] == [4, 4]
    p8 = pt(low["order_8_example"])
    assert bj.point_order(p8) == 8
    assert bj.mul(bj.GENERATOR, L) == p8


# --- EdDSA-Poseidon vectors ---------------------------------------------------------


@pytest.mark.parametrize("case", EDDSA["valid"], ids=_ids(EDDSA["valid"]))
def test_valid_signature_vectors(case: dict[str, Any]) -> None:
    key = bytes.fromhex(case["private_key_hex"])
    msg = int(case["message"])
    inter = case["intermediate"]
    want_pk = pt(case["public_key"])
    want_sig = sig_of(case["signature"])

    assert blake512(key).hex() == inter["blake512_of_private_key_hex"]
    s, prefix = eddsa.expand_private_key(key)
    assert s == int(inter["s"])
    assert s >> 3 == int(inter["s_shr_3"])
    assert s % 8 == 0 and s >> 254 == 1  # pruned: low three bits clear, bit 254 set
    assert prefix == bytes.fromhex(inter["blake512_of_private_key_hex"])[32:]
    r = eddsa.nonce_poseidon(prefix, msg)
    assert r == int(inter["nonce_r"])
    assert bj.mul(bj.BASE8, r) == want_sig.R8

    pk = eddsa.prv2pub(key)
    assert pk == want_pk
    assert bj.pack_point(pk).hex() == case["public_key_packed_hex"]
    assert eddsa.unpack_public_key(bytes.fromhex(case["public_key_packed_hex"])) == pk

    hm = eddsa.challenge_poseidon(want_sig.R8, pk, msg)
    assert hm == int(inter["hm"])
    assert (r + hm * s) % L == want_sig.S

    sig = eddsa.sign_poseidon(key, msg)
    assert sig == want_sig
    packed = eddsa.pack_signature(sig)
    assert packed.hex() == case["signature_packed_hex"]
    assert eddsa.unpack_signature(packed) == sig

    assert case["verify"] is True
    assert eddsa.verify_poseidon(pk, msg, sig) is None


# The precise refusal for each kind of tampering (all must be refused: expected = false).
_TAMPER_ERROR: dict[str, type[errors.ZkCreditError]] = {
    "S_plus_1": errors.InvalidSignature,
    "S_plus_subgroup_order": errors.NonCanonicalSignature,
    "R8_plus_base8": errors.InvalidSignature,
    "R8_x_plus_1": errors.PointNotOnCurve,
    "message_plus_1": errors.InvalidSignature,
    "other_public_key": errors.InvalidSignature,
    "public_key_y_plus_1": errors.PointNotOnCurve,
}


@pytest.mark.parametrize(
    "case", EDDSA["tampered"], ids=[f"{c['index']}-{c['kind']}" for c in EDDSA["tampered"]]
)
def test_tampered_signature_vectors(case: dict[str, Any]) -> None:
    assert case["expected"] is False
    assert case["circomlibjs_verifyPoseidon"] is False
    with pytest.raises(_TAMPER_ERROR[case["kind"]]):
        eddsa.verify_poseidon(
            pt(case["public_key"]), int(case["message"]), sig_of(case["signature"])
        )


def test_every_tamper_kind_is_covered() -> None:
    kinds = {c["kind"] for c in EDDSA["tampered"]}
    assert kinds == set(_TAMPER_ERROR)


# --- the named traps ----------------------------------------------------------------


def test_blake512_spec_vectors() -> None:
    """The BLAKE-512 test vectors of the BLAKE specification.

    Source: "SHA-3 proposal BLAKE", J.-P. Aumasson, L. Henzen, W. Meier, R. C.-W. Phan,
    version 1.3 (December 16, 2010), the appendix of intermediate values (appendix C in the
    v1.3 table of contents): BLAKE-512 of the one-block message 0x00 (8 bits) and of the
    two-block message of 1152 zero bits (144 zero bytes). The digests below are as
    transcribed from that appendix in the test suites of Chocobo1/Hash
    (tests/test_blake1_512.cpp, "official test suite from blake1 SHA3-proposal") and
    bdcht/crysp (tests/test_blake.py), which agree; the shared vector set's independent
    checker (independent_check.json, "blake512_spec_1_byte" / "blake512_spec_144_bytes")
    used the same two.
    """
    one_block = (
        "97961587f6d970faba6d2478045de6d1fabd09b61ae50932054d52bc29d31be4"
        "ff9102b9f69e2bbdb83be13d4b9c06091e5fa0b48bd081b634058be0ec49beb3"
    )
    two_blocks = (
        "313717d608e9cf758dcb1eb0f0c3cf9fc150b2d500fb33f51c52afc99d358a2f"
        "1374b8a38bba7974e7f6ef79cab16f22ce1e649d6e01ad9589c213045d545dde"
    )
    assert blake512(b"\x00").hex() == one_block
    assert blake512(bytes(144)).hex() == two_blocks
    assert Blake512().update(bytes(100)).update(bytes(44)).hexdigest() == two_blocks
    # Not BLAKE2b, not SHA-512: the trap is using the wrong BLAKE.
    assert hashlib.blake2b(b"\x00").hexdigest() != one_block
    assert hashlib.sha512(b"\x00").hexdigest() != one_block


def test_S_ge_l_rejected() -> None:
    cases = [c for c in EDDSA["tampered"] if c["kind"] == "S_plus_subgroup_order"]
    assert len(cases) == 4
    for case in cases:
        a, msg, sig = pt(case["public_key"]), int(case["message"]), sig_of(case["signature"])
        assert L <= sig.S < 2 * L
        # The equation alone still holds: only the range check stands between S and S + l.
        assert case["equation_holds_without_checks"] is True
        assert _raw_equation_holds(a, msg, sig)
        with pytest.raises(errors.NonCanonicalSignature):
            eddsa.verify_poseidon(a, msg, sig)
        with pytest.raises(errors.NonCanonicalSignature):
            eddsa.pack_signature(sig)
        packed = bj.pack_point(sig.R8) + sig.S.to_bytes(32, "little")
        with pytest.raises(errors.NonCanonicalSignature):
            eddsa.unpack_signature(packed)
    # The boundary values themselves.
    good = EDDSA["valid"][0]
    a, msg, sig = pt(good["public_key"]), int(good["message"]), sig_of(good["signature"])
    for s in (L, L + sig.S, 2**256 - 1, -1):
        with pytest.raises(errors.NonCanonicalSignature):
            eddsa.verify_poseidon(a, msg, eddsa.Signature(sig.R8, s))
    assert issubclass(errors.NonCanonicalSignature, errors.NonCanonicalScalar)


def _low_order_points() -> list[tuple[str, bj.Point]]:
    p8 = pt(BABYJUB["curve"]["low_order_points"]["order_8_example"])
    points = [("identity", bj.IDENTITY), ("order2_(0,-1)", bj.Point(0, P - 1))]
    points += [
        (f"order4_{i}", pt(q))
        for i, q in enumerate(BABYJUB["curve"]["low_order_points"]["order_4"])
    ]
    points += [(f"order8_{k}xP8", bj.mul(p8, k)) for k in (1, 3, 5, 7)]
    return points


@pytest.mark.parametrize(
    ("label", "point"), _low_order_points(), ids=[n for n, _ in _low_order_points()]
)
def test_low_order_keys_rejected(label: str, point: bj.Point) -> None:
    assert bj.is_low_order(point)
    assert bj.point_order(point) in (1, 2, 4, 8)
    # The forgery circomlibjs accepts: R8 = k*B8, S = k verifies for any message.
    msg, k = 123456789, 987654321
    forged = eddsa.Signature(bj.mul(bj.BASE8, k), k)
    assert _raw_equation_holds(point, msg, forged)
    with pytest.raises(errors.LowOrderPoint):
        eddsa.verify_poseidon(point, msg, forged)
    with pytest.raises(errors.LowOrderPoint):
        eddsa.check_issuer_key(point)
    with pytest.raises(errors.LowOrderPoint):
        eddsa.unpack_public_key(bj.pack_point(point))


def test_low_order_keys_eight_distinct() -> None:
    points = {p for _, p in _low_order_points()}
    assert len(points) == 8  # the whole 8-torsion


@pytest.mark.parametrize(
    "case",
    [c for c in EDDSA["informational"] if c["label"].startswith("low_order")],
    ids=lambda c: c["label"],
)
def test_low_order_forgery_vectors_rejected(case: dict[str, Any]) -> None:
    a, msg, sig = pt(case["public_key"]), int(case["message"]), sig_of(case["signature"])
    assert case["circomlibjs_verifyPoseidon"] is True  # the trap
    assert case["safe_verifier_result"] is False
    assert _raw_equation_holds(a, msg, sig)
    with pytest.raises(errors.LowOrderPoint):
        eddsa.verify_poseidon(a, msg, sig)


def test_mixed_order_key_rejected() -> None:
    """A + T (T of order 2) is a second public key of A's private key: a signature made for
    it satisfies the equation. circomlibjs and the circuit accept such a key; we refuse it."""
    case = EDDSA["valid"][3]
    key, msg = bytes.fromhex(case["private_key_hex"]), int(case["message"])
    a = pt(case["public_key"])
    a_t = bj.add(a, bj.Point(0, P - 1))
    assert not bj.is_low_order(a_t) and not bj.in_subgroup(a_t)
    s, _ = eddsa.expand_private_key(key)
    r = 1234567
    r8 = bj.mul(bj.BASE8, r)
    sig = eddsa.Signature(r8, (r + eddsa.challenge_poseidon(r8, a_t, msg) * s) % L)
    assert _raw_equation_holds(a_t, msg, sig)
    with pytest.raises(errors.PointNotInSubgroup):
        eddsa.verify_poseidon(a_t, msg, sig)
    with pytest.raises(errors.PointNotInSubgroup):
        eddsa.check_issuer_key(a_t)


def test_inputs_ge_p_rejected_not_reduced() -> None:
    case = EDDSA["valid"][3]
    key = bytes.fromhex(case["private_key_hex"])
    a, msg, sig = pt(case["public_key"]), int(case["message"]), sig_of(case["signature"])

    # message M + p: circomlibjs reduces it and verifies; we refuse it.
    info = next(c for c in EDDSA["informational"] if c["label"] == "message_plus_r")
    assert int(info["message"]) == msg + P
    assert info["circomlibjs_verifyPoseidon"] is True
    for bad in (msg + P, P, -1, 2**256):
        with pytest.raises(errors.NonCanonicalScalar):
            eddsa.verify_poseidon(a, bad, sig)
        with pytest.raises(errors.NonCanonicalScalar):
            eddsa.sign_poseidon(key, bad)
    eddsa.sign_poseidon(key, P - 1)  # the largest canonical message is fine

    # coordinates >= p: never reduced, even though they are congruent to curve points.
    noncanon = BABYJUB["informational_noncanonical_coordinates"][0]
    b8_x_plus_p = pt(noncanon["point_as_integers"])
    assert b8_x_plus_p.x == bj.BASE8.x + P and noncanon["circomlibjs_inCurve_after_F_e"] is True
    assert not bj.is_on_curve(b8_x_plus_p)
    shifted = [
        b8_x_plus_p,
        bj.Point(bj.BASE8.x, bj.BASE8.y + P),
        bj.Point(0, 1 + P),
        bj.Point(-bj.BASE8.x % P - P, bj.BASE8.y),
    ]
    for q in shifted:
        for fn in (bj.validate_point, bj.pack_point, bj.is_low_order, eddsa.check_issuer_key):
            with pytest.raises(errors.NonCanonicalCoordinate):
                fn(q)
        with pytest.raises(errors.NonCanonicalCoordinate):
            bj.add(q, bj.BASE8)
        with pytest.raises(errors.NonCanonicalCoordinate):
            bj.mul(q, 2)
    a_shift = bj.Point(a.x + P, a.y)
    with pytest.raises(errors.NonCanonicalCoordinate):
        eddsa.verify_poseidon(a_shift, msg, sig)
    r8_shift = bj.Point(sig.R8.x, sig.R8.y + P)
    with pytest.raises(errors.NonCanonicalCoordinate):
        eddsa.verify_poseidon(a, msg, eddsa.Signature(r8_shift, sig.S))

    # packed y >= p: circomlibjs unpackPoint reduces it; we refuse it.
    y_plus_p = next(
        c for c in BABYJUB["pack_informational"] if c["label"] == "y_noncanonical_y_plus_p"
    )
    assert y_plus_p["circomlibjs_unpackPoint"] is not None
    with pytest.raises(errors.NonCanonicalCoordinate):
        bj.unpack_point(bytes.fromhex(y_plus_p["packed_hex"]))
    packed_sig = eddsa.pack_signature(sig)
    y = bj.BASE8.y + P
    assert y < 2**255
    with pytest.raises(errors.NonCanonicalCoordinate):
        eddsa.unpack_signature(y.to_bytes(32, "little") + packed_sig[32:])
    eddsa.verify_poseidon(a, msg, sig)  # the untouched originals still verify


# --- strict decoding and argument checks --------------------------------------------


def test_strict_encodings() -> None:
    with pytest.raises(errors.InvalidEncoding):
        bj.unpack_point(bytes(31))
    with pytest.raises(errors.InvalidEncoding):
        bj.unpack_point(bytes(33))
    # x = 0 with the sign bit set would be a second encoding of the identity / (0, -1).
    for y in (1, P - 1):
        enc = bytearray(y.to_bytes(32, "little"))
        enc[31] |= 0x80
        with pytest.raises(errors.InvalidEncoding):
            bj.unpack_point(bytes(enc))
    with pytest.raises(errors.InvalidEncoding):
        eddsa.unpack_signature(bytes(63))
    with pytest.raises(errors.InvalidEncoding):
        eddsa.prv2pub(bytes(31))
    with pytest.raises(errors.InvalidEncoding):
        eddsa.sign_poseidon(bytes(33), 1)
    with pytest.raises(errors.InvalidArgument):
        eddsa.sign_poseidon(bytes(32), True)  # type: ignore[arg-type]
    with pytest.raises(errors.InvalidArgument):
        bj.mul(bj.BASE8, -1)
    with pytest.raises(errors.InvalidArgument):
        bj.validate_point((1, 2, 3))  # type: ignore[arg-type]


def test_error_classes() -> None:
    assert issubclass(errors.InvalidSignature, errors.InvalidProof)
    assert errors.InvalidSignature.exit_code == 1
    assert issubclass(errors.LowOrderPoint, errors.PointNotInSubgroup)
    assert errors.LowOrderPoint.exit_code == 2
    assert errors.NonCanonicalSignature.exit_code == 2


# --- BLAKE-512 incremental API ------------------------------------------------------


@given(st.lists(st.binary(max_size=300), max_size=6))
@settings(max_examples=60, deadline=None)
def test_blake512_incremental_equals_one_shot(chunks: list[bytes]) -> None:
    h = Blake512()
    for c in chunks:
        h.update(c)
    whole = b"".join(chunks)
    assert h.digest() == blake512(whole)
    assert h.digest() == h.copy().digest()  # digest() does not consume the state


def test_blake512_block_boundaries() -> None:
    # Lengths around the one- and two-block padding limits (111/112 bytes, 128, 239/240, 256).
    for n in (0, 1, 110, 111, 112, 113, 127, 128, 129, 239, 240, 255, 256, 257):
        data = bytes(range(256))[:n] if n <= 256 else bytes(n)
        one = blake512(data)
        inc = Blake512()
        for i in range(n):
            inc.update(data[i : i + 1])
        assert inc.digest() == one
        assert len(one) == 64
    assert len({blake512(bytes(n)) for n in range(0, 260)}) == 260


# --- hypothesis: arithmetic, round trips and tampering ------------------------------

scalars = st.integers(min_value=0, max_value=L - 1)
keys = st.binary(min_size=32, max_size=32)
messages = st.integers(min_value=0, max_value=P - 1)


@given(scalars, scalars)
@SLOW
def test_mul_is_linear(a: int, b: int) -> None:
    assert bj.add(bj.mul(bj.BASE8, a), bj.mul(bj.BASE8, b)) == bj.mul(bj.BASE8, a + b)


@given(scalars, st.integers(min_value=0, max_value=7))
@SLOW
def test_pack_round_trip(k: int, t: int) -> None:
    p8 = pt(BABYJUB["curve"]["low_order_points"]["order_8_example"])
    q = bj.add(bj.mul(bj.BASE8, k), bj.mul(p8, t))
    assert bj.unpack_point(bj.pack_point(q)) == q


@given(st.integers(min_value=0, max_value=L - 1), st.integers(min_value=0, max_value=7))
@SLOW
def test_torsion_detected(k: int, t: int) -> None:
    """k*B8 + t*P8 (P8 of order 8) is low order iff k = 0, a valid key iff k != 0 and t = 0."""
    p8 = pt(BABYJUB["curve"]["low_order_points"]["order_8_example"])
    q = bj.add(bj.mul(bj.BASE8, k), bj.mul(p8, t))
    assert bj.is_low_order(q) == (k == 0)
    assert bj.in_subgroup(q) == (t == 0)
    if k != 0 and t == 0:
        assert eddsa.check_issuer_key(q) == q
    else:
        with pytest.raises(errors.LowOrderPoint if k == 0 else errors.PointNotInSubgroup):
            eddsa.check_issuer_key(q)


@given(st.binary(min_size=32, max_size=32))
@settings(max_examples=100, deadline=None)
def test_unpack_is_strict_or_round_trips(data: bytes) -> None:
    try:
        q = bj.unpack_point(data)
    except errors.MalformedInput:
        return
    assert bj.is_on_curve(q)
    assert bj.pack_point(q) == data


@given(keys, messages)
@SLOW
def test_sign_verify_round_trip(key: bytes, msg: int) -> None:
    a = eddsa.prv2pub(key)
    assert eddsa.check_issuer_key(a) == a
    sig = eddsa.sign_poseidon(key, msg)
    eddsa.verify_poseidon(a, msg, sig)
    packed = eddsa.pack_signature(sig)
    assert len(packed) == 64
    unpacked = eddsa.unpack_signature(packed)
    assert unpacked == sig
    eddsa.verify_poseidon(eddsa.unpack_public_key(bj.pack_point(a)), msg, unpacked)


@given(keys, messages, st.sampled_from(["R8", "S", "msg", "A"]), st.integers(1, L - 1), keys)
@SLOW
def test_tampering_fails(key: bytes, msg: int, what: str, delta: int, other_key: bytes) -> None:
    a = eddsa.prv2pub(key)
    sig = eddsa.sign_poseidon(key, msg)
    if what == "R8":
        sig = eddsa.Signature(bj.add(sig.R8, bj.mul(bj.BASE8, delta)), sig.S)
    elif what == "S":
        sig = eddsa.Signature(sig.R8, (sig.S + delta) % L)
    elif what == "msg":
        msg = (msg + delta) % P
    else:
        if other_key == key:
            other_key = bytes([key[0] ^ 1]) + key[1:]
        a = eddsa.prv2pub(other_key)
    with pytest.raises(errors.InvalidSignature):
        eddsa.verify_poseidon(a, msg, sig)


def test_generated_keys_sign() -> None:
    key = eddsa.generate_private_key()
    assert len(key) == 32
    eddsa.verify_poseidon(eddsa.prv2pub(key), 42, eddsa.sign_poseidon(key, 42))
