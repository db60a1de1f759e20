"""`zkcredit issuer ...`: key files (0600, never overwritten), attestations that verify and
bind the window, the registry's roots on add/revoke, and strict inputs (ADVERSARIAL C2,
C4, C7, C8, E4)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _cli_support import assert_clean_error, run

from zkcredit.credit.issuer import (
    Attestation,
    IssuerRegistry,
    load_issuer_key,
    verify_attestation,
)
from zkcredit.errors import AttestationOutsideWindow
from zkcredit.hazmat import babyjub, eddsa

COMMITMENT = "1234567890123456789012345678901234567890"


def ok(*args: str) -> dict[str, Any]:
    r = run("--json", *args)
    assert r.exit_code == 0, (args, r.stdout, r.stderr)
    out: dict[str, Any] = json.loads(r.stdout)
    return out


def fail(*args: str) -> tuple[int, str, str]:
    r = run(*args)
    return r.exit_code, r.stdout, r.stderr


def test_keygen_writes_0600_prints_public_key_and_never_overwrites(tmp_path: Path) -> None:
    key = tmp_path / "issuer.json"
    out = ok("issuer", "keygen", "--out", str(key))
    assert key.stat().st_mode & 0o777 == 0o600
    x, y = (int(v) for v in out["public_key"])
    assert eddsa.prv2pub(load_issuer_key(key)) == (x, y)
    before = key.read_bytes()
    code, so, se = fail("issuer", "keygen", "--out", str(key))
    assert_clean_error(code, so, se, 1, "already exists")
    assert key.read_bytes() == before


def test_E4_keygen_refuses_a_symlink_target(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.json"
    link = tmp_path / "issuer.json"
    link.symlink_to(target)
    code, so, se = fail("issuer", "keygen", "--out", str(link))
    assert_clean_error(code, so, se, 1, "already exists")
    assert not target.exists()


def test_sign_makes_a_valid_attestation_with_inclusive_window(tmp_path: Path) -> None:
    key = tmp_path / "issuer.json"
    ok("issuer", "keygen", "--out", str(key))
    att_path = tmp_path / "att.json"
    out = ok("issuer", "sign", str(key), "--commitment", COMMITMENT,
             "--not-before", "2026-01-01", "--not-after", "1798761599", "--out", str(att_path))
    assert out["not_before"] == 1_767_225_600 and out["not_after"] == 1_798_761_599
    att = Attestation.from_json(att_path.read_bytes())
    assert att.commitment == int(COMMITMENT)
    assert att.issuer == eddsa.prv2pub(load_issuer_key(key))
    verify_attestation(att, 1_767_225_600)  # C4: both ends inclusive
    verify_attestation(att, 1_798_761_599)
    for outside in (1_767_225_599, 1_798_761_600):
        with pytest.raises(AttestationOutsideWindow):
            verify_attestation(att, outside)
    assert ok("issuer", "verify", str(att_path))["valid"] is True


def test_sign_relative_times_and_refusals(tmp_path: Path) -> None:
    key = tmp_path / "issuer.json"
    ok("issuer", "keygen", "--out", str(key))
    out = ok("issuer", "sign", str(key), "--commitment", COMMITMENT, "--not-after", "+30d",
             "--out", str(tmp_path / "a.json"))
    assert out["not_after"] - out["not_before"] == 30 * 86_400
    for args, msg in [
        (["--not-after", "+1d", "--not-before", "+2d"], "after"),
        (["--not-after", "2026-02-30"], "calendar date"),
        (["--not-after", "1e9"], "not a time"),
        (["--not-after", "-5"], "not a time"),
    ]:
        code, so, se = fail("issuer", "sign", str(key), "--commitment", COMMITMENT, *args,
                            "--out", str(tmp_path / "b.json"))
        assert_clean_error(code, so, se, 2, msg)
    for bad in ("+1", "0123", "21888242871839275222246405745257275088548364400416034343698204186575808495617", "0x10"):  # noqa: E501
        code, so, se = fail("issuer", "sign", str(key), "--commitment", bad, "--not-after",
                            "+1d", "--out", str(tmp_path / "b.json"))
        assert_clean_error(code, so, se, 2, "commitment")
    assert not (tmp_path / "b.json").exists()
    code, so, se = fail("issuer", "sign", str(key), "--commitment", COMMITMENT,
                        "--not-after", "+1d", "--out", str(tmp_path / "a.json"))
    assert_clean_error(code, so, se, 1, "already exists")


def test_C7_attestation_reformatted_still_verifies_but_tampered_does_not(
        tmp_path: Path) -> None:
    key = tmp_path / "issuer.json"
    ok("issuer", "keygen", "--out", str(key))
    att_path = tmp_path / "att.json"
    ok("issuer", "sign", str(key), "--commitment", COMMITMENT, "--not-after", "+1d",
       "--out", str(att_path))
    doc = json.loads(att_path.read_text())
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(dict(reversed(list(doc.items()))), indent=4))
    assert ok("issuer", "verify", str(pretty))["valid"] is True
    doc["not_after"] += 1  # a longer window than the issuer signed
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(doc))
    code, so, se = fail("issuer", "verify", str(tampered))
    assert_clean_error(code, so, se, 1, "does not verify")
    dup = tmp_path / "dup.json"
    dup.write_text(att_path.read_text()[:-2] + ', "commitment": "1"}')
    code, so, se = fail("issuer", "verify", str(dup))
    assert_clean_error(code, so, se, 2, "duplicate")


def test_C8_registry_add_show_revoke_change_the_root(tmp_path: Path) -> None:
    reg = tmp_path / "registry.json"
    keys = [tmp_path / f"k{i}.json" for i in range(2)]
    pubs = [ok("issuer", "keygen", "--out", str(k))["public_key"] for k in keys]
    r1 = ok("issuer", "registry", "add", str(reg), str(keys[0]))
    r2 = ok("issuer", "registry", "add", str(reg), "--public", ",".join(pubs[1]))
    assert r1["root"] != r2["root"]
    assert [e["key"] for e in r2["issuers"]] == pubs
    loaded = IssuerRegistry.load(reg)
    assert str(loaded.root) == r2["root"]
    assert ok("issuer", "registry", "show", str(reg))["root"] == r2["root"]
    # An attestation from key 1 verifies against the registry until key 1 is revoked.
    att = tmp_path / "att.json"
    ok("issuer", "sign", str(keys[1]), "--commitment", COMMITMENT, "--not-after", "+1d",
       "--out", str(att))
    ok("issuer", "verify", str(att), "--registry", str(reg))
    r3 = ok("issuer", "registry", "revoke", str(reg), str(keys[1]))
    assert r3["root"] == r1["root"]  # the same keys in the same slots: the same tree
    code, so, se = fail("issuer", "verify", str(att), "--registry", str(reg))
    assert_clean_error(code, so, se, 1, "not in the registry")
    code, so, se = fail("issuer", "registry", "revoke", str(reg), str(keys[1]))
    assert_clean_error(code, so, se, 1, "not in the registry")
    code, so, se = fail("issuer", "registry", "add", str(reg), str(keys[0]))
    assert_clean_error(code, so, se, 2, "already registered")


def test_C2_registry_refuses_low_order_and_off_curve_keys(tmp_path: Path) -> None:
    reg = tmp_path / "registry.json"
    for bad, msg in [("0,1", ""), ("1,2", ""), ("5", "X,Y"), ("x,y", "")]:
        code, so, se = fail("issuer", "registry", "add", str(reg), "--public", bad)
        assert_clean_error(code, so, se, 2, msg)
    # On the curve but outside the prime-order subgroup: order 8, and order 8l.
    low = babyjub.mul(babyjub.GENERATOR, babyjub.SUBGROUP_ORDER)
    assert babyjub.is_low_order(low) and low != babyjub.IDENTITY
    for pt in (low, babyjub.GENERATOR):
        code, so, se = fail("issuer", "registry", "add", str(reg), "--public",
                            f"{pt.x},{pt.y}")
        assert_clean_error(code, so, se, 2)
    assert not reg.exists()
    code, so, se = fail("issuer", "registry", "add", str(reg))
    assert_clean_error(code, so, se, 2, "exactly one")


def test_registry_with_an_edited_root_is_refused(tmp_path: Path) -> None:
    reg = tmp_path / "registry.json"
    key = tmp_path / "k.json"
    ok("issuer", "keygen", "--out", str(key))
    ok("issuer", "registry", "add", str(reg), str(key))
    doc = json.loads(reg.read_text())
    doc["root"] = str(int(doc["root"]) ^ 1)
    reg.write_text(json.dumps(doc))
    code, so, se = fail("issuer", "registry", "show", str(reg))
    assert_clean_error(code, so, se, 2, "root does not match")
