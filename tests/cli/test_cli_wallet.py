"""`zkcredit wallet ...` (everything but `present`, which tests/cli/test_cli_lender.py runs
against a real lender): passphrases only prompted or from the environment, a 0600 file
that is never overwritten, wrong passphrase and tampering refused without a traceback,
strict record input with line numbers, no secret ever printed, attestations checked
against the commitment (ADVERSARIAL C4, C7, E1, E4)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from _cli_support import assert_clean_error, run, run_proc

from zkcredit.credit import Wallet
from zkcredit.credit.issuance import Disclosure
from zkcredit.credit.issuer import load_issuer_key
from zkcredit.hazmat.attestation import new_revocation_id, sign_attestation

PW = "correct horse battery staple"
ENV = {"ZKCREDIT_PASSPHRASE": PW}
CSV = """opened_at,updated_at,amount,repaid,days_late,status,kind
2019-03-01,2020-01-15,500000,500000,0,closed,loan
1590969600,1621468800,600000,600000,0,CLOSED,0
2025-01-10,2026-01-01,200000,150000,3,current,card
"""


class W:
    """One wallet file driven through the CLI with the passphrase in the environment."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def ok(self, verb: str, *args: str) -> dict[str, Any]:
        r = run("--json", "wallet", verb, str(self.path), *args, env=ENV)
        assert r.exit_code == 0, (verb, args, r.stdout, r.stderr)
        out: dict[str, Any] = json.loads(r.stdout)
        return out

    def fail(self, verb: str, *args: str, env: dict[str, str] | None = None,
             input: str | None = None) -> tuple[int, str, str]:
        r = run("wallet", verb, str(self.path), *args, env=ENV if env is None else env,
                input=input)
        return r.exit_code, r.stdout, r.stderr

    def open(self) -> Wallet:
        return Wallet.open(self.path, PW)


@pytest.fixture
def wallet(tmp_path: Path) -> W:
    w = W(tmp_path / "wallet.zkw")
    out = w.ok("init")
    assert out["capacity"] == 32
    return w


@pytest.fixture
def filled(wallet: W, tmp_path: Path) -> W:
    (tmp_path / "records.csv").write_text(CSV)
    assert wallet.ok("import", str(tmp_path / "records.csv"))["imported"] == 3
    return wallet


def test_E4_init_is_0600_and_never_overwritten(wallet: W) -> None:
    assert wallet.path.stat().st_mode & 0o777 == 0o600
    before = wallet.path.read_bytes()
    code, out, err = wallet.fail("init")
    assert_clean_error(code, out, err, 1, "already exists")
    assert wallet.path.read_bytes() == before
    assert wallet.open().records == ()


def test_init_prompts_twice_hidden_and_never_takes_a_passphrase_option(tmp_path: Path) -> None:
    w = W(tmp_path / "w.zkw")
    r = run("wallet", "init", str(w.path), input=f"{PW}\n{PW}\n",
            env={"ZKCREDIT_PASSPHRASE": None})  # type: ignore[dict-item]
    assert r.exit_code == 0, r.stderr
    assert r.stderr.count("Passphrase for new wallet") == 1 and "Repeat" in r.stderr
    assert PW not in r.stdout + r.stderr
    assert w.open().capacity == 32
    # Mismatched confirmation and no more input: nothing is created.
    w2 = W(tmp_path / "w2.zkw")
    r = run("wallet", "init", str(w2.path), input=f"{PW}\nsomething else\n",
            env={"ZKCREDIT_PASSPHRASE": None})  # type: ignore[dict-item]
    assert r.exit_code == 1 and not w2.path.exists()
    for opt in ("--passphrase", "--password"):
        code, _out, err = w2.fail("init", opt, PW)
        assert code == 2 and "No such option" in err, err
        assert not w2.path.exists()


def test_wrong_passphrase_exit_1_no_traceback_nothing_written(filled: W) -> None:
    before = filled.path.read_bytes()
    for verb, args in [("show", ()), ("commit", ()),
                       ("add", ("--opened-at", "2024-01-01", "--amount", "5"))]:
        code, out, err = filled.fail(verb, *args, env={"ZKCREDIT_PASSPHRASE": "wrong"})
        assert_clean_error(code, out, err, 1, "wrong passphrase")
        assert PW not in out + err and "wrong" not in out
    assert filled.path.read_bytes() == before


def test_tampered_wallet_is_refused(filled: W, tmp_path: Path) -> None:
    doc = json.loads(filled.path.read_text())
    ct = doc["ciphertext"]
    doc["ciphertext"] = ct[:40] + ("0" if ct[40] != "0" else "1") + ct[41:]
    tampered = tmp_path / "tampered.zkw"
    tampered.write_text(json.dumps(doc, sort_keys=True, separators=(",", ":")))
    code, out, err = W(tampered).fail("show")
    assert_clean_error(code, out, err, 1, "tampered")
    # Header edits are caught too (the header is authenticated / pinned).
    doc = json.loads(filled.path.read_text())
    doc["kdf"]["n"] = 16384
    tampered.write_text(json.dumps(doc, sort_keys=True, separators=(",", ":")))
    code, out, err = W(tampered).fail("show")
    assert_clean_error(code, out, err, 1, "scrypt")
    tampered.write_bytes(filled.path.read_bytes()[:-10])
    code, out, err = W(tampered).fail("commit")
    assert_clean_error(code, out, err, 1, "not valid JSON")
    code, out, err = W(tmp_path / "missing.zkw").fail("show")
    assert_clean_error(code, out, err, 2, "does not exist")


def test_show_and_commit_print_records_and_commitment_never_secrets(filled: W) -> None:
    w = filled.open()
    shown = filled.ok("show")
    assert shown["commitment"] == str(w.commitment())
    assert [r["amount"] for r in shown["records"]] == [500_000, 600_000, 200_000]
    assert shown["records"][1]["status"] == "closed" and shown["records"][1]["kind"] == "loan"
    assert shown["records"][0]["opened_at"] == 1_551_398_400  # 2019-03-01 UTC
    assert shown["attestations"] == [] and isinstance(shown["score"], int)
    assert filled.ok("commit") == {"commitment": str(w.commitment())}
    human = run("wallet", "show", str(filled.path), env=ENV)
    plain = run("wallet", "commit", str(filled.path), env=ENV)
    assert plain.stdout.strip() == str(w.commitment())
    printed = json.dumps(shown) + human.stdout + human.stderr
    secrets = [str(s) for s in w.salts] + [str(w.blinding), str(w.holder_secret)]
    for secret in secrets:
        assert secret not in printed
    contents = json.loads(filled.path.read_text())
    assert contents["ciphertext"][:32] not in printed


def test_add_one_record_strictly(wallet: W) -> None:
    out = wallet.ok("add", "--opened-at", "2024-01-01", "--updated-at", "1717200000",
                    "--amount", "250000", "--repaid", "1000", "--status", "late",
                    "--days-late", "45", "--kind", "bnpl")
    assert out["records"] == 1
    (rec,) = wallet.open().records
    assert (rec.opened_at, rec.updated_at, rec.amount, rec.repaid, rec.days_late) == (
        1_704_067_200, 1_717_200_000, 250_000, 1_000, 45)
    assert rec.status.name == "LATE" and rec.kind.name == "BNPL"
    before = wallet.path.read_bytes()
    for args, code_, msg in [
        (["--amount", "1.5"], 2, "whole number"),
        (["--amount", "1e6"], 2, "whole number"),
        (["--amount=-5"], 2, "whole number"),
        (["--amount", "0"], 2, "--amount"),
        (["--amount", str(2**64)], 2, "--amount"),
        (["--amount", "100", "--days-late", "65536"], 2, "--days-late"),
        (["--amount", "100", "--updated-at", "2023-12-31"], 2, "updated_at"),
    ]:
        code, so, se = wallet.fail("add", "--opened-at", "2024-01-01", *args)
        assert_clean_error(code, so, se, code_, msg)
    code, so, se = wallet.fail("add", "--opened-at", "2024-01-01", "--amount", "1",
                               "--status", "paid")
    assert code == 2 and "Invalid value for '--status'" in se
    code, so, se = wallet.fail("add", "--opened-at", "2024-02-30", "--amount", "1")
    assert_clean_error(code, so, se, 2, "calendar date")
    assert wallet.path.read_bytes() == before


def test_E1_import_errors_name_the_line_and_import_nothing(wallet: W, tmp_path: Path) -> None:
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text(CSV.replace("600000,600000", "600000,6e5"))
    before = wallet.path.read_bytes()
    code, out, err = wallet.fail("import", str(bad_csv))
    assert_clean_error(code, out, err, 2, "line 3")
    bad_json = tmp_path / "bad.json"
    bad_json.write_text(json.dumps({"records": [
        {"opened_at": 1, "updated_at": 2, "amount": 5, "repaid": 0, "days_late": 0,
         "status": "current", "kind": "loan"},
        {"opened_at": 1, "updated_at": 2, "amount": 5.0, "repaid": 0, "days_late": 0,
         "status": "current", "kind": "loan"}]}))
    code, out, err = wallet.fail("import", str(bad_json))
    assert_clean_error(code, out, err, 2, "record 1")
    nan = tmp_path / "nan.json"
    nan.write_text('[{"opened_at": NaN}]')
    code, out, err = wallet.fail("import", str(nan))
    assert_clean_error(code, out, err, 2, "not valid JSON")
    txt = tmp_path / "records.txt"
    txt.write_text(CSV)
    code, out, err = wallet.fail("import", str(txt))
    assert_clean_error(code, out, err, 2, ".json or .csv")
    assert wallet.path.read_bytes() == before


def test_import_json_and_capacity_all_or_nothing(tmp_path: Path) -> None:
    w = W(tmp_path / "small.zkw")
    assert w.ok("init", "--capacity", "2")["capacity"] == 2
    records = [{"opened_at": "2020-01-01", "updated_at": "2021-01-01", "amount": 1000 + i,
                "repaid": 1000 + i, "days_late": 0, "status": "closed", "kind": "card"}
               for i in range(3)]
    src = tmp_path / "three.json"
    src.write_text(json.dumps(records))
    code, out, err = w.fail("import", str(src))
    assert_clean_error(code, out, err, 2, "do not fit")
    assert w.open().records == ()
    src.write_text(json.dumps({"records": records[:2]}))
    assert w.ok("import", str(src))["records"] == 2
    for bad in ("3", "0", "02"):
        code, out, err = W(tmp_path / "bad.zkw").fail("init", "--capacity", bad)
        assert_clean_error(code, out, err, 2, "--capacity")
    assert not (tmp_path / "bad.zkw").exists()


def _issuer(tmp_path: Path) -> Path:
    key = tmp_path / "issuer.json"
    assert run("issuer", "keygen", "--out", str(key)).exit_code == 0
    return key


def _sign(key: Path, wallet: W, out: Path, *, commitment: int | None = None,
          holder: int | None = None, days: tuple[int, int] = (-1, 365)) -> Path:
    """An attestation signed directly with the hazmat call (the issuer's checks are
    tests/cli/test_cli_issuer.py's): lets the test pick windows and commitments."""
    w = wallet.open()
    now = int(time.time())
    att = sign_attestation(
        load_issuer_key(key), w.commitment() if commitment is None else commitment,
        holder_commitment=w.holder_commitment() if holder is None else holder,
        revocation_id=new_revocation_id(), not_before=now + days[0] * 86_400,
        not_after=now + days[1] * 86_400)
    out.write_bytes(att.to_json_bytes())
    return out


def test_attest_checks_signature_commitment_window_and_registry(filled: W,
                                                                tmp_path: Path) -> None:
    key = _issuer(tmp_path)
    c = filled.ok("commit")["commitment"]
    att = _sign(key, filled, tmp_path / "att.json")
    # Tampered (a wider window than signed): refused, nothing stored.
    doc = json.loads(att.read_text())
    doc["not_after"] += 86_400
    (tmp_path / "wide.json").write_text(json.dumps(doc))
    code, out, err = filled.fail("attest", str(tmp_path / "wide.json"))
    assert_clean_error(code, out, err, 1, "does not verify")
    # C4: an attestation that has expired is refused.
    old = _sign(key, filled, tmp_path / "old.json", days=(-30, -1))
    code, out, err = filled.fail("attest", str(old))
    assert_clean_error(code, out, err, 1, "expired")
    # For another commitment, or binding another wallet's holder secret.
    other = _sign(key, filled, tmp_path / "other.json", commitment=42)
    code, out, err = filled.fail("attest", str(other))
    assert_clean_error(code, out, err, 1, "another commitment")
    stranger = _sign(key, filled, tmp_path / "stranger.json", holder=43)
    code, out, err = filled.fail("attest", str(stranger))
    assert_clean_error(code, out, err, 1, "another wallet's holder")
    # An issuer missing from the given registry.
    reg = tmp_path / "registry.json"
    other_key = tmp_path / "other-issuer.json"
    assert run("issuer", "keygen", "--out", str(other_key)).exit_code == 0
    assert run("issuer", "registry", "add", str(reg), str(other_key)).exit_code == 0
    code, out, err = filled.fail("attest", str(att), "--registry", str(reg))
    assert_clean_error(code, out, err, 1, "not in the registry")
    assert filled.open().attestations == []
    # The real one is stored once; show reports it valid, then stale after an add.
    assert filled.ok("attest", str(att))["stored"] is True
    assert filled.ok("attest", str(att))["stored"] is False
    assert [a["state"] for a in filled.ok("show")["attestations"]] == ["valid"]
    filled.ok("add", "--opened-at", "2026-01-01", "--amount", "100")
    assert filled.ok("show")["attestations"][0]["state"].startswith("stale")
    assert filled.ok("commit")["commitment"] != c


def test_disclose_writes_the_opening_for_the_issuer_only(filled: W, tmp_path: Path) -> None:
    """The disclosure opens the commitment (records, salts, blinding, holder commitment),
    mode 0600, never the holder secret; it is never written over an existing file."""
    out = tmp_path / "disclosure.json"
    got = filled.ok("disclose", "--subject", "cust-9", "--out", str(out))
    w = filled.open()
    assert got["commitment"] == str(w.commitment()) and got["records"] == len(w.records)
    assert out.stat().st_mode & 0o777 == 0o600
    d = Disclosure.load(out)
    assert d.subject == "cust-9" and d.commitment() == w.commitment()
    assert d.holder_commitment == w.holder_commitment()
    assert str(w.holder_secret) not in out.read_text()
    assert str(d.blinding) not in repr(d) and str(d.history.salts[0]) not in repr(d)
    code, so, se = filled.fail("disclose", "--subject", "cust-9", "--out", str(out))
    assert_clean_error(code, so, se, 1, "already exists")
    code, so, se = filled.fail("disclose", "--subject", "", "--out", str(tmp_path / "x.json"))
    assert_clean_error(code, so, se, 2, "subject id")


def test_commit_of_an_empty_wallet_is_an_error(wallet: W) -> None:
    code, out, err = wallet.fail("commit")
    assert_clean_error(code, out, err, 2, "no records")


def test_E5_real_process_wrong_passphrase_and_missing_env_prompt(filled: W) -> None:
    """As a real process: a wrong passphrase is one `Error:` line and exit 1; with no
    passphrase in the environment and no terminal input, nothing is opened (exit 1)."""
    p = run_proc("wallet", "show", str(filled.path), env={"ZKCREDIT_PASSPHRASE": "nope"})
    assert_clean_error(p.returncode, p.stdout, p.stderr, 1, "wrong passphrase")
    p = run_proc("--json", "wallet", "commit", str(filled.path), env=ENV)
    assert p.returncode == 0 and json.loads(p.stdout) == {
        "commitment": str(filled.open().commitment())}
    env = {k: v for k, v in os.environ.items() if k != "ZKCREDIT_PASSPHRASE"}
    proc = subprocess.run([sys.executable, "-m", "zkcredit.cli", "wallet", "show",
                           str(filled.path)], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "Passphrase for wallet" in proc.stderr and "records" not in proc.stdout
