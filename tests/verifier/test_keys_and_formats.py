"""Lender ids, per-lender keys, borrower key hashes (contract §6) and the strict
challenge / policy / presentation formats."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkcredit.decision import BN254_SCALAR_ORDER as R
from zkcredit.errors import (
    InvalidArgument,
    InvalidEncoding,
    MalformedInput,
    NonCanonicalScalar,
    UnsupportedFormat,
)
from zkcredit.hazmat.poseidon import poseidon_hash_reference
from zkcredit.verifier import (
    Challenge,
    LenderPolicy,
    Presentation,
    borrower_key_hash,
    canonical_json,
    derive_lender_key,
    lender_id,
)

from ._support import NOW, Borrower, policy


def _hkdf_sha256(ikm: bytes, info: bytes, length: int, salt: bytes = b"") -> bytes:
    """RFC 5869 written out with hmac, independent of `cryptography`'s HKDF."""
    prk = hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()
    out, block = b"", b""
    for i in range(1, -(-length // 32) + 1):
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
    return out[:length]


def test_hkdf_helper_matches_rfc5869_case_3() -> None:
    okm = _hkdf_sha256(b"\x0b" * 22, b"", 42)
    assert okm.hex() == (
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
        "9d201395faa4b61a96c8"
    )


@given(st.text(min_size=1, max_size=40).filter(str.isprintable))
@settings(max_examples=50, deadline=None)
def test_lender_id_is_the_specified_248_bit_hash(name: str) -> None:
    digest = hashlib.sha256(b"zkcredit/lender/v1\x00" + name.encode()).digest()
    assert lender_id(name) == int.from_bytes(digest, "big") >> 8 < 2**248


def test_lender_id_refuses_empty_or_unprintable_names() -> None:
    for bad in ("", "a\nb", "x" * 257):
        with pytest.raises(InvalidArgument):
            lender_id(bad)


def test_derive_lender_key_is_the_specified_hkdf() -> None:
    seed = secrets.token_bytes(32)
    lid = lender_id("lender-a")
    expected = _hkdf_sha256(seed, b"zkcredit/lender-key/v1" + lid.to_bytes(32, "big"), 32)
    key = derive_lender_key(seed, lid)
    assert key.private_bytes_raw() == expected
    other = derive_lender_key(seed, lender_id("lender-b"))
    assert other.public_key().public_bytes_raw() != key.public_key().public_bytes_raw()


def test_derive_lender_key_validates_inputs() -> None:
    with pytest.raises(InvalidEncoding):
        derive_lender_key(bytes(31), 1)
    with pytest.raises(NonCanonicalScalar):
        derive_lender_key(bytes(32), R)


@given(st.binary(min_size=32, max_size=32))
@settings(max_examples=20, deadline=None)
def test_borrower_key_hash_is_poseidon_of_the_halves(pub: bytes) -> None:
    halves = [int.from_bytes(pub[:16], "big"), int.from_bytes(pub[16:], "big")]
    assert borrower_key_hash(pub) == poseidon_hash_reference(halves)


def test_borrower_key_hash_refuses_wrong_length() -> None:
    with pytest.raises(InvalidEncoding):
        borrower_key_hash(bytes(33))


# --- challenge -------------------------------------------------------------------------


def test_challenge_round_trip_and_fresh_248_bit_nonce() -> None:
    pol = policy()
    a, b = pol.challenge(2, NOW), pol.challenge(2, NOW)
    assert a.nonce != b.nonce and 0 < a.nonce < 2**248
    assert Challenge.from_json(a.to_json()) == a
    assert a.expires_at == NOW + pol.challenge_lifetime and a.threshold == 650
    assert a.epoch == NOW // pol.epoch_seconds and a.lender_id == lender_id("lender-a")


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("nonce", "0123", InvalidEncoding),
        ("nonce", "+5", InvalidEncoding),
        ("nonce", "0x10", InvalidEncoding),
        ("nonce", 5, InvalidEncoding),
        ("nonce", str(R), NonCanonicalScalar),
        ("threshold", " 650", InvalidEncoding),
        ("as_of", 2**40, InvalidEncoding),
        ("as_of", "1760000000", InvalidEncoding),
        ("issued_at", True, InvalidEncoding),
        ("expires_at", NOW, InvalidEncoding),
        ("vk_hash", "AB" * 32, InvalidEncoding),
        ("version", 1, UnsupportedFormat),
        ("format", "zkcredit-presentation", UnsupportedFormat),
    ],
)
def test_challenge_parsing_is_strict(field: str, value: object, error: type[Exception]) -> None:
    obj = policy().challenge(2, NOW).to_json_dict()
    obj[field] = value
    with pytest.raises(error):
        Challenge.from_json(json.dumps(obj))


def test_challenge_unknown_or_missing_keys_are_refused() -> None:
    obj = policy().challenge(2, NOW).to_json_dict()
    with pytest.raises(InvalidEncoding):
        Challenge.from_json(json.dumps({**obj, "extra": 1}))
    del obj["nonce"]
    with pytest.raises(InvalidEncoding):
        Challenge.from_json(json.dumps(obj))


def test_challenge_refuses_nan() -> None:
    text = policy().challenge(2, NOW).to_json().decode().replace(f'"as_of":{NOW}', '"as_of":NaN')
    with pytest.raises(InvalidEncoding):
        Challenge.from_json(text)


# --- policy -----------------------------------------------------------------------------


def test_policy_json_round_trip() -> None:
    pol = policy()
    again = LenderPolicy.from_json(pol.to_json())
    assert again == pol and again.to_json() == pol.to_json()
    assert again.tier_for(650) == 2 and again.tier_for(651) is None


def test_policy_refuses_a_lender_id_that_does_not_match_the_name() -> None:
    obj = policy().to_json_dict()
    obj["lender_id"] = str(lender_id("someone-else"))
    with pytest.raises(InvalidEncoding):
        LenderPolicy.from_json(json.dumps(obj))


@pytest.mark.parametrize(
    "overrides",
    [
        {"tiers": {1: 500, 2: 500}},
        {"tiers": {0: 500}},
        {"tiers": {}},
        {"registry_roots": []},
        {"model_ids": [R]},
        {"verifying_keys": {"zz": "x"}},
        {"challenge_lifetime": 0},
        {"max_outstanding": 2**64},
        {"decision_lifetime": 1.5},
    ],
)
def test_policy_validation(overrides: dict[str, object]) -> None:
    with pytest.raises((InvalidArgument, InvalidEncoding)):
        policy(**overrides)


def test_policy_challenge_refuses_unknown_tier_and_choices() -> None:
    pol = policy()
    with pytest.raises(InvalidArgument):
        pol.challenge(4, NOW)
    with pytest.raises(InvalidArgument):
        pol.challenge(1, NOW, model_id=7)
    with pytest.raises(InvalidArgument):
        pol.challenge(1, 2**40)


# --- presentation and canonical bytes ---------------------------------------------------


def test_presentation_round_trip() -> None:
    p = Borrower().present(policy().challenge(2, NOW))
    again = Presentation.from_json(p.to_json())
    assert again == p and again.to_json() == p.to_json()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("borrower_key", "00" * 31),
        ("borrower_key", "GG" * 32),
        ("signature", "00" * 65),
        ("vk_hash", "0" * 63),
        ("public_signals", ["1"] * 10),
        ("circuit_id", ""),
    ],
)
def test_presentation_parsing_is_strict(field: str, value: object) -> None:
    obj = Borrower().present(policy().challenge(2, NOW)).to_json_dict()
    obj[field] = value
    with pytest.raises(InvalidEncoding):
        Presentation.from_json(json.dumps(obj))


def test_presentation_proof_must_be_valid_points() -> None:
    obj = Borrower().present(policy().challenge(2, NOW)).to_json_dict()
    obj["proof"]["pi_a"][0] = str(int(obj["proof"]["pi_a"][0]) + 1)
    with pytest.raises(MalformedInput):  # off the curve
        Presentation.from_json(json.dumps(obj))


def test_canonical_json_is_jcs_for_our_values() -> None:
    assert canonical_json({"b": [1, "x"], "a": {"d": None, "c": True}}) == (
        b'{"a":{"c":true,"d":null},"b":[1,"x"]}'
    )
    assert canonical_json({"s": "quote\" back\\ nl\n ctl\x01"}) == (
        b'{"s":"quote\\" back\\\\ nl\\n ctl\\u0001"}'
    )
    for bad in (1.5, "caf\u00e9", 2**53, {1: 2}):
        with pytest.raises(InvalidEncoding):
            canonical_json(bad)
