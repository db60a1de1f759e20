"""Attestations (v2): signing, verification, the validity window and the strict JSON form."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from zkcredit import errors
from zkcredit.credit.issuer import (
    ATTESTATION_DOMAIN,
    Attestation,
    attestation_message,
    generate_issuer_key,
    load_issuer_key,
    save_issuer_key,
    verify_attestation,
)
from zkcredit.hazmat import babyjub as bj
from zkcredit.hazmat import eddsa
from zkcredit.hazmat.attestation import new_revocation_id, sign_attestation
from zkcredit.hazmat.poseidon import poseidon_hash

R = bj.FIELD_MODULUS
KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
COMMITMENT = 0x1234_5678_9ABC_DEF0_1234_5678_9ABC_DEF0 % R
NB, NA = 1_700_000_000, 1_700_000_000 + 90 * 86_400
HOLDER = 0xABCDEF % R
RID = 0x1111_2222_3333_4444_5555_6666_7777_8888


def issue(key: bytes, commitment: int, nb: int, na: int, holder: int = HOLDER,
          rid: int = RID) -> Attestation:
    return sign_attestation(key, commitment, holder_commitment=holder, revocation_id=rid,
                            not_before=nb, not_after=na)


def make(a: bj.Point, commitment: int, nb: int, na: int, sig: eddsa.Signature,
         holder: int = HOLDER, rid: int = RID) -> Attestation:
    return Attestation(a, commitment, holder, rid, nb, na, sig)


@pytest.fixture(scope="module")
def att() -> Attestation:
    return issue(KEY, COMMITMENT, NB, NA)


def test_domain_and_message() -> None:
    assert int.from_bytes(b"zkcredit/attestation/v2", "big") == ATTESTATION_DOMAIN
    assert attestation_message(COMMITMENT, HOLDER, RID, NB, NA) == poseidon_hash(
        [ATTESTATION_DOMAIN, COMMITMENT, HOLDER, RID, NB, NA]
    )


def test_revocation_ids_are_random_nonzero_128_bit() -> None:
    ids = {new_revocation_id() for _ in range(64)}
    assert len(ids) == 64 and all(0 < x < 1 << 128 for x in ids)
    for bad in (0, 1 << 128, -1):
        with pytest.raises(errors.InvalidArgument, match="revocation_id"):
            attestation_message(COMMITMENT, HOLDER, bad, NB, NA)


def test_issue_and_verify(att: Attestation) -> None:
    assert att.issuer == eddsa.prv2pub(KEY)
    eddsa.verify_poseidon(att.issuer, att.message(), att.signature)
    verify_attestation(att, NB + 1)


def test_C4_window_boundaries(att: Attestation) -> None:
    verify_attestation(att, NB)  # both ends inclusive (contract §4)
    verify_attestation(att, NA)
    with pytest.raises(errors.AttestationOutsideWindow):
        verify_attestation(att, NB - 1)
    with pytest.raises(errors.AttestationOutsideWindow):
        verify_attestation(att, NA + 1)
    with pytest.raises(errors.InvalidArgument):
        verify_attestation(att, 1 << 40)
    with pytest.raises(errors.InvalidArgument):
        verify_attestation(att, True)  # type: ignore[arg-type]


def test_forged_and_substituted_signatures_refused(att: Attestation) -> None:
    # Another issuer's signature on the same message, presented under this issuer's key.
    other = issue(OTHER_KEY, COMMITMENT, NB, NA)
    swapped = make(att.issuer, COMMITMENT, NB, NA, other.signature)
    with pytest.raises(errors.InvalidSignature):
        verify_attestation(swapped, NB)
    # Any change to a signed field breaks the signature (the holder and the revocation id
    # are signed: C10, C12).
    for changed in (
        make(att.issuer, (COMMITMENT + 1) % R, NB, NA, att.signature),
        make(att.issuer, COMMITMENT, NB - 1, NA, att.signature),
        make(att.issuer, COMMITMENT, NB, NA + 1, att.signature),
        make(att.issuer, COMMITMENT, NB, NA, att.signature, holder=HOLDER + 1),
        make(att.issuer, COMMITMENT, NB, NA, att.signature, rid=RID + 1),
        make(att.issuer, COMMITMENT, NB, NA, eddsa.Signature(att.signature.R8,
                                                              att.signature.S ^ 1)),
    ):
        with pytest.raises(errors.InvalidSignature):
            verify_attestation(changed, NB)


def test_C3_signature_over_another_domain_refused(att: Attestation) -> None:
    wrong = poseidon_hash([ATTESTATION_DOMAIN + 1, COMMITMENT, HOLDER, RID, NB, NA])
    sig = eddsa.sign_poseidon(KEY, wrong)
    with pytest.raises(errors.InvalidSignature):
        verify_attestation(make(att.issuer, COMMITMENT, NB, NA, sig), NB)
    # The v1 message (no holder, no revocation id) does not verify as v2 either.
    v1 = poseidon_hash([int.from_bytes(b"zkcredit/attestation/v1", "big"), COMMITMENT, NB, NA])
    with pytest.raises(errors.InvalidSignature):
        verify_attestation(make(att.issuer, COMMITMENT, NB, NA,
                                eddsa.sign_poseidon(KEY, v1)), NB)


def test_construction_validates() -> None:
    sig = eddsa.sign_poseidon(KEY, attestation_message(COMMITMENT, HOLDER, RID, NB, NA))
    a = eddsa.prv2pub(KEY)
    with pytest.raises(errors.InvalidArgument):
        make(a, COMMITMENT, NA, NB, sig)  # window reversed
    with pytest.raises(errors.NonCanonicalScalar):
        make(a, COMMITMENT + R, NB, NA, sig)
    with pytest.raises(errors.NonCanonicalScalar):
        make(a, COMMITMENT, NB, NA, sig, holder=HOLDER + R)
    with pytest.raises(errors.InvalidArgument):
        make(a, COMMITMENT, NB, 1 << 40, sig)
    with pytest.raises(errors.NonCanonicalSignature):
        make(a, COMMITMENT, NB, NA, eddsa.Signature(sig.R8, sig.S + bj.SUBGROUP_ORDER))
    with pytest.raises(errors.LowOrderPoint):
        make(bj.IDENTITY, COMMITMENT, NB, NA, sig)
    with pytest.raises(errors.PointNotOnCurve):
        make(a, COMMITMENT, NB, NA, eddsa.Signature(bj.Point(1, 2), sig.S))


def test_json_round_trip(att: Attestation) -> None:
    again = Attestation.from_json(att.to_json_bytes())
    assert again == att
    d = att.to_json_dict()
    assert d["format"] == "zkcredit-attestation" and d["version"] == 2
    assert d["commitment"] == str(COMMITMENT)
    assert all(isinstance(v, str) for v in (*d["issuer"], *d["signature"]["R8"]))


def test_C7_reordering_and_whitespace_do_not_matter(att: Attestation) -> None:
    d = att.to_json_dict()
    reordered = {k: d[k] for k in reversed(list(d))}
    reordered["signature"] = {"S": d["signature"]["S"], "R8": d["signature"]["R8"]}
    text = json.dumps(reordered, indent=7)
    assert text.encode() != att.to_json_bytes()
    parsed = Attestation.from_json("\n  " + text + "\t\n")
    assert parsed == att
    assert parsed.to_json_bytes() == att.to_json_bytes()
    verify_attestation(parsed, NB)


def test_C7_duplicate_keys_refused(att: Attestation) -> None:
    text = att.to_json_bytes().decode()
    dup = text[:-1] + f',"commitment":"{(COMMITMENT + 1) % R}"}}'
    with pytest.raises(errors.InvalidEncoding, match="duplicate"):
        Attestation.from_json(dup)
    inner = text.replace('"S":', '"S":"1","S":', 1)
    with pytest.raises(errors.InvalidEncoding, match="duplicate"):
        Attestation.from_json(inner)


@pytest.mark.parametrize(
    ("edit", "error"),
    [
        (lambda d: d.update(version=3), errors.UnsupportedFormat),
        (lambda d: d.update(version=1), errors.UnsupportedFormat),
        (lambda d: d.pop("holder_commitment"), errors.InvalidEncoding),
        (lambda d: d.update(revocation_id=str(1 << 128)), errors.NonCanonicalScalar),
        (lambda d: d.update(revocation_id="0"), errors.InvalidArgument),
        (lambda d: d.update(format="zkcredit-challenge"), errors.UnsupportedFormat),
        (lambda d: d.update(extra=1), errors.InvalidEncoding),
        (lambda d: d.pop("not_after"), errors.InvalidEncoding),
        (lambda d: d.update(commitment=str(COMMITMENT + R)), errors.NonCanonicalScalar),
        (lambda d: d.update(commitment="+1"), errors.InvalidEncoding),
        (lambda d: d.update(commitment="0x10"), errors.InvalidEncoding),
        (lambda d: d.update(commitment=COMMITMENT), errors.InvalidEncoding),
        (lambda d: d.update(commitment="9" * 5000), errors.NonCanonicalScalar),
        (lambda d: d.update(not_before=str(NB)), errors.InvalidEncoding),
        (lambda d: d.update(not_before=True), errors.InvalidEncoding),
        (lambda d: d.update(not_after=1.7e9), errors.InvalidEncoding),
        (lambda d: d.update(issuer=["0", "1"]), errors.LowOrderPoint),
        (lambda d: d.update(issuer=[d["issuer"][0], str(int(d["issuer"][1]) + R)]),
         errors.NonCanonicalCoordinate),
        (lambda d: d["signature"].update(S=str(int(d["signature"]["S"]) + bj.SUBGROUP_ORDER)),
         errors.NonCanonicalSignature),
        (lambda d: d["signature"].update(R8=["1", "2"]), errors.PointNotOnCurve),
    ],
)
def test_malformed_json_refused(att: Attestation, edit: object, error: type[Exception]) -> None:
    d = json.loads(att.to_json_bytes())
    edit(d)  # type: ignore[operator]
    with pytest.raises(error):
        Attestation.from_json(json.dumps(d))


def test_issuer_key_file(tmp_path: Path) -> None:
    key = generate_issuer_key()
    assert len(key) == 32 and key != generate_issuer_key()
    path = tmp_path / "issuer.json"
    public = save_issuer_key(path, key)
    assert public == eddsa.prv2pub(key)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_issuer_key(path) == key
    with pytest.raises(errors.OutputExists):
        save_issuer_key(path, key)
    d = json.loads(path.read_text())
    d["public_key"] = [str(x) for x in eddsa.prv2pub(OTHER_KEY)]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(d))
    with pytest.raises(errors.InvalidEncoding, match="does not belong"):
        load_issuer_key(bad)
    d["private_key"] = d["private_key"].upper()
    bad.write_text(json.dumps(d))
    with pytest.raises(errors.InvalidEncoding, match="hex"):
        load_issuer_key(bad)
