"""`zkcredit issuer ...`: key files (0600, never overwritten), issuance from the books for
one wallet per subject (C9, C10), revocation lists applied to the registry (C12),
attestations that verify and bind their fields, the registry's roots on add/remove, and
strict inputs (ADVERSARIAL C2, C7, C8, E4)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from _cli_support import assert_clean_error, run

from zkcredit.credit import Wallet
from zkcredit.credit.issuer import (
    Attestation,
    IssuerRegistry,
    load_issuer_key,
    verify_attestation,
)
from zkcredit.hazmat import babyjub, eddsa


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


PW = "correct horse battery staple"
ENV = {"ZKCREDIT_PASSPHRASE": PW}
DAY = 86_400
RECORDS = [{"opened_at": "2019-03-01", "updated_at": "2020-01-15", "amount": 500_000,
            "repaid": 500_000, "days_late": 0, "status": "closed", "kind": "loan"},
           {"opened_at": "2024-01-10", "updated_at": "2025-11-01", "amount": 200_000,
            "repaid": 150_000, "days_late": 3, "status": "current", "kind": "card"}]


class Desk:
    """An issuer key and its database, driven through the CLI."""

    def __init__(self, d: Path) -> None:
        self.d, self.key, self.db = d, d / "issuer.json", d / "issuer.db"
        ok("issuer", "keygen", "--out", str(self.key))

    def ok(self, verb: str, *args: str) -> dict[str, Any]:
        return ok("issuer", verb, str(self.key), *args, "--db", str(self.db))

    def fail(self, verb: str, *args: str) -> tuple[int, str, str]:
        return fail("issuer", verb, str(self.key), *args, "--db", str(self.db))

    def books(self, subject: str, records: list[dict[str, Any]], *at: str) -> dict[str, Any]:
        src = self.d / f"books-{subject}.json"
        src.write_text(json.dumps(records))
        return self.ok("books", subject, str(src), *at)


def _wallet(d: Path, name: str, records: list[dict[str, Any]] = RECORDS) -> Path:
    path, src = d / f"{name}.zkw", d / f"{name}-records.json"
    src.write_text(json.dumps(records))
    for args in (("init", str(path)), ("import", str(path), str(src))):
        r = run("--json", "wallet", *args, env=ENV)
        assert r.exit_code == 0, r.stderr
    return path


def _disclose(wallet: Path, subject: str, out: Path) -> Path:
    r = run("--json", "wallet", "disclose", str(wallet), "--subject", subject, "--out",
            str(out), env=ENV)
    assert r.exit_code == 0, r.stderr
    return out


def test_C9_attest_signs_only_what_the_books_hold(tmp_path: Path) -> None:
    """C9 through the CLI: the disclosure (0600) is checked against the books, the issuer
    recomputes the commitment and signs holder and revocation id; a made-up record or an
    unknown subject is refused and writes nothing."""
    desk = Desk(tmp_path)
    assert desk.books("cust-1", RECORDS)["revoked"] == []
    wallet = _wallet(tmp_path, "w")
    disclosure = _disclose(wallet, "cust-1", tmp_path / "disclosure.json")
    assert disclosure.stat().st_mode & 0o777 == 0o600
    assert "holder_secret" not in disclosure.read_text()
    out = desk.ok("attest", str(disclosure), "--out", str(tmp_path / "att.json"))
    att = Attestation.from_json((tmp_path / "att.json").read_bytes())
    w = Wallet.open(wallet, PW)
    assert att.commitment == w.commitment() and att.holder_commitment == w.holder_commitment()
    assert out["revocation_id"] == str(att.revocation_id) and out["subject"] == "cust-1"
    verify_attestation(att, att.not_before)
    verified = ok("issuer", "verify", str(tmp_path / "att.json"))
    assert verified["valid"] is True and verified["holder_commitment"] == str(
        w.holder_commitment())
    # Made up: one clean record more than the books hold (a subject not yet bound).
    desk.books("cust-3", RECORDS)
    forged = _wallet(tmp_path, "forged", [*RECORDS, {**RECORDS[0], "amount": 900_000}])
    forged_d = _disclose(forged, "cust-3", tmp_path / "forged.json")
    code, so, se = desk.fail("attest", str(forged_d), "--out", str(tmp_path / "f.json"))
    assert_clean_error(code, so, se, 1, "differs from the issuer's books")
    unknown = _disclose(wallet, "cust-2", tmp_path / "unknown.json")
    code, so, se = desk.fail("attest", str(unknown), "--out", str(tmp_path / "u.json"))
    assert_clean_error(code, so, se, 1, "holds no books")
    assert not (tmp_path / "f.json").exists() and not (tmp_path / "u.json").exists()
    # Existing output and a malformed disclosure.
    code, so, se = desk.fail("attest", str(disclosure), "--out", str(tmp_path / "att.json"))
    assert_clean_error(code, so, se, 1, "already exists")
    bad = tmp_path / "bad.json"
    bad.write_text(disclosure.read_text().replace('"version":1', '"version":7'))
    code, so, se = desk.fail("attest", str(bad), "--out", str(tmp_path / "b.json"))
    assert_clean_error(code, so, se, 2, "unsupported version")


def test_C10_second_wallet_for_a_subject_is_refused_until_rebind(tmp_path: Path) -> None:
    desk = Desk(tmp_path)
    desk.books("cust-1", RECORDS)
    first = _disclose(_wallet(tmp_path, "first"), "cust-1", tmp_path / "d1.json")
    desk.ok("attest", str(first), "--out", str(tmp_path / "a1.json"))
    second = _disclose(_wallet(tmp_path, "second"), "cust-1", tmp_path / "d2.json")
    code, so, se = desk.fail("attest", str(second), "--out", str(tmp_path / "a2.json"))
    assert_clean_error(code, so, se, 1, "bound to another wallet")
    rebound = desk.ok("rebind", "cust-1")
    old = Attestation.from_json((tmp_path / "a1.json").read_bytes())
    assert rebound["revoked"] == [str(old.revocation_id)]
    out = desk.ok("attest", str(second), "--out", str(tmp_path / "a2.json"))
    assert out["not_before"] >= old.not_before + rebound["cooldown_seconds"] - DAY


def test_C12_revoke_publish_apply_through_the_cli(tmp_path: Path) -> None:
    """C12 through the CLI: a books change revokes the live attestation; the signed list,
    once applied, changes the registry root and `issuer verify --registry` refuses the
    attestation; an older list cannot be applied over a newer one."""
    desk = Desk(tmp_path)
    reg = tmp_path / "registry.json"
    before = ok("issuer", "registry", "add", str(reg), str(desk.key))["root"]
    desk.books("cust-1", RECORDS, "--at", "-2d")
    d = _disclose(_wallet(tmp_path, "w"), "cust-1", tmp_path / "d.json")
    desk.ok("attest", str(d), "--out", str(tmp_path / "att.json"), "--at", "-2d")
    ok("issuer", "verify", str(tmp_path / "att.json"), "--registry", str(reg))
    early = desk.ok("publish", "--out", str(tmp_path / "early.json"), "--at", "-1d")
    assert early["revoked"] == 0
    changed = desk.books("cust-1", [*RECORDS, {**RECORDS[1], "status": "default",
                                               "days_late": 120}])
    att = Attestation.from_json((tmp_path / "att.json").read_bytes())
    assert changed["revoked"] == [str(att.revocation_id)]
    late = desk.ok("publish", "--out", str(tmp_path / "late.json"))
    assert late["revoked"] == 1
    applied = ok("issuer", "registry", "revocations", str(reg), str(tmp_path / "late.json"))
    assert applied["root"] != before and applied["issuers"][0]["revoked"] == 1
    code, so, se = fail("issuer", "verify", str(tmp_path / "att.json"), "--registry", str(reg))
    assert_clean_error(code, so, se, 1, "revocation list")
    code, so, se = fail("issuer", "registry", "revocations", str(reg),
                        str(tmp_path / "early.json"))
    assert_clean_error(code, so, se, 1, "holds a list published at")
    # Publishing twice at one time, and revoking an unknown id, are refused.
    code, so, se = desk.fail("publish", "--out", str(tmp_path / "again.json"), "--at",
                             str(late["published_at"]))
    assert_clean_error(code, so, se, 1, "already published")
    code, so, se = desk.fail("revoke", "12345")
    assert_clean_error(code, so, se, 2, "no attestation")
    for bad in ("0x10", "+1", str(1 << 128)):
        code, so, se = desk.fail("revoke", bad)
        assert_clean_error(code, so, se, 2)


def test_issuer_database_belongs_to_one_key(tmp_path: Path) -> None:
    desk = Desk(tmp_path)
    desk.books("cust-1", RECORDS)
    other = tmp_path / "other.json"
    ok("issuer", "keygen", "--out", str(other))
    src = tmp_path / "books-cust-1.json"
    code, so, se = fail("issuer", "books", str(other), "cust-1", str(src), "--db",
                        str(desk.db))
    assert_clean_error(code, so, se, 2, "another issuer key")
    code, so, se = desk.fail("books", " spaced ", str(src))
    assert_clean_error(code, so, se, 2, "subject id")


def _attested(tmp_path: Path, key: Path, name: str) -> Path:
    """An attestation made the real way: books, disclosure, attest."""
    db = tmp_path / f"{name}.db"
    src = tmp_path / f"{name}-books.json"
    src.write_text(json.dumps(RECORDS))
    ok("issuer", "books", str(key), name, str(src), "--db", str(db))
    d = _disclose(_wallet(tmp_path, name), name, tmp_path / f"{name}-d.json")
    out = tmp_path / f"{name}-att.json"
    ok("issuer", "attest", str(key), str(d), "--out", str(out), "--db", str(db))
    return out


def test_C7_verify_ignores_formatting_and_refuses_tampering(tmp_path: Path) -> None:
    key = tmp_path / "issuer.json"
    ok("issuer", "keygen", "--out", str(key))
    att = _attested(tmp_path, key, "c7")
    doc = json.loads(att.read_text())
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(dict(reversed(list(doc.items()))), indent=3))
    assert ok("issuer", "verify", str(pretty))["valid"] is True
    for field, change in (("not_after", 1), ("not_before", -1)):
        tampered = tmp_path / f"tampered-{field}.json"
        tampered.write_text(json.dumps({**doc, field: doc[field] + change}))
        code, so, se = fail("issuer", "verify", str(tampered))
        assert_clean_error(code, so, se, 1, "does not verify")
    swapped = tmp_path / "swapped.json"
    swapped.write_text(json.dumps({**doc, "revocation_id": str(int(doc["revocation_id"]) + 1)}))
    code, so, se = fail("issuer", "verify", str(swapped))
    assert_clean_error(code, so, se, 1, "does not verify")
    dup = tmp_path / "dup.json"
    dup.write_text(att.read_text().replace('{"commitment"', '{"commitment":"1","commitment"'))
    code, so, se = fail("issuer", "verify", str(dup))
    assert_clean_error(code, so, se, 2, "duplicate")


def test_C8_registry_add_show_remove_change_the_root(tmp_path: Path) -> None:
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
    # An attestation from key 1 verifies against the registry until key 1 is removed.
    att = _attested(tmp_path, keys[1], "c8")
    ok("issuer", "verify", str(att), "--registry", str(reg))
    r3 = ok("issuer", "registry", "remove", str(reg), str(keys[1]))
    assert r3["root"] == r1["root"]  # the same keys in the same slots: the same tree
    code, so, se = fail("issuer", "verify", str(att), "--registry", str(reg))
    assert_clean_error(code, so, se, 1, "not in the registry")
    code, so, se = fail("issuer", "registry", "remove", str(reg), str(keys[1]))
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
