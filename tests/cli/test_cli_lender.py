"""`zkcredit lender ...` and `zkcredit wallet present` with the real threshold circuit and
one shared development setup: policy → challenge → presentation → verify → decision →
`ledger open-line`, and the refusals (exit 1 with the reason code; exit 2 for malformed
input) that need no second proof (ADVERSARIAL C3, C5, C6, E4)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _cli_support import assert_clean_error, run

from zkcredit.credit.dev_keys import development_keys
from zkcredit.credit.model import DEFAULT_MODEL
from zkcredit.credit.threshold import CIRCUIT_ID
from zkcredit.decision import BN254_SCALAR_ORDER, CreditDecision
from zkcredit.hazmat import groth16
from zkcredit.verifier import PUBLIC_SIGNALS, Challenge, LenderPolicy, lender_id, vk_hash

pytestmark = pytest.mark.slow

PW = "lender tests passphrase"
ENV = {"ZKCREDIT_PASSPHRASE": PW}
YEAR = 365 * 86_400
NF = PUBLIC_SIGNALS.index("nullifier")


def ok(*args: str) -> dict[str, Any]:
    r = run("--json", *args, env=ENV)
    assert r.exit_code == 0, (args, r.stdout, r.stderr)
    out: dict[str, Any] = json.loads(r.stdout)
    return out


def fail(*args: str) -> tuple[int, str, str]:
    r = run(*args, env=ENV)
    return r.exit_code, r.stdout, r.stderr


@dataclass(frozen=True)
class Keys:
    pk: Path
    vk: Path


@pytest.fixture(scope="session")
def threshold_keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Keys]:
    """One development setup of the threshold circuit per session, cached in a temp
    ZKCREDIT_CACHE, written out as `circuit setup` would (proving_key.bin, snarkjs vk)."""
    cache = tmp_path_factory.getbasetemp() / "zkcredit-cache"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZKCREDIT_CACHE", str(cache))
        pk = development_keys()
    d = tmp_path_factory.mktemp("threshold-keys")
    (d / "proving_key.bin").write_bytes(pk.to_bytes())
    (d / "verification_key.json").write_text(json.dumps(pk.vk.to_snarkjs()))
    yield Keys(d / "proving_key.bin", d / "verification_key.json")


@dataclass
class World:
    dir: Path
    keys: Keys
    wallet: Path
    registry: Path
    policy: Path
    store: Path
    score: int

    def p(self, name: str) -> str:
        return str(self.dir / name)

    def challenge(self, name: str, tier: str = "2", *extra: str) -> str:
        ok("lender", "challenge", str(self.policy), "--tier", tier, "--store",
           str(self.store), "--out", self.p(name), *extra)
        return self.p(name)

    def verify_args(self, challenge: str, presentation: str, out: str) -> list[str]:
        return ["lender", "verify", str(self.policy), challenge, presentation, "--store",
                str(self.store), "--vk", str(self.keys.vk), "--out", self.p(out)]


@pytest.fixture(scope="module")
def world(threshold_keys: Keys, tmp_path_factory: pytest.TempPathFactory) -> World:
    d = tmp_path_factory.mktemp("lender")
    now = int(time.time())
    ok("issuer", "keygen", "--out", str(d / "issuer.json"))
    ok("issuer", "registry", "add", str(d / "registry.json"), str(d / "issuer.json"))
    records = [{"opened_at": now - (7 - i) * YEAR,
                "updated_at": now - (7 - i) * YEAR + 300 * 86_400,
                "amount": 500_000 + i, "repaid": 500_000 + i, "days_late": 0,
                "status": "closed", "kind": "loan"} for i in range(6)]
    (d / "records.json").write_text(json.dumps(records))
    ok("wallet", "init", str(d / "wallet.zkw"))
    ok("wallet", "import", str(d / "wallet.zkw"), str(d / "records.json"))
    issuer = ("--db", str(d / "issuer.db"))
    ok("issuer", "books", str(d / "issuer.json"), "cust-1", str(d / "records.json"), *issuer,
       "--at", "-1d")
    ok("wallet", "disclose", str(d / "wallet.zkw"), "--subject", "cust-1", "--out",
       str(d / "disclosure.json"))
    ok("issuer", "attest", str(d / "issuer.json"), str(d / "disclosure.json"), "--out",
       str(d / "att.json"), *issuer, "--at", "-1d")
    ok("wallet", "attest", str(d / "wallet.zkw"), str(d / "att.json"))
    score = ok("wallet", "show", str(d / "wallet.zkw"))["score"]
    assert score > 300
    ok("lender", "policy", "--name", "Acme Lending", "--registry", str(d / "registry.json"),
       "--tier", f"1:{score - 100}", "--tier", f"2:{score - 50}", "--tier", f"3:{score}",
       "--no-default-months", "24", "--vk", str(threshold_keys.vk),
       "--out", str(d / "policy.json"))
    return World(d, threshold_keys, d / "wallet.zkw", d / "registry.json", d / "policy.json",
                 d / "lender.db", score)


def test_policy_pins_key_registry_model_and_tiers(world: World) -> None:
    policy = LenderPolicy.from_json(world.policy.read_bytes())
    vk = groth16.VerifyingKey.from_snarkjs(json.loads(world.keys.vk.read_text()))
    pk = groth16.ProvingKey.from_bytes(world.keys.pk.read_bytes())
    assert dict(policy.verifying_keys) == {vk_hash(vk): CIRCUIT_ID}
    assert vk_hash(pk.vk) == vk_hash(vk)  # the snarkjs round trip keeps the key's hash
    assert list(policy.registry_roots) == [int(ok("issuer", "registry", "show",
                                                  str(world.registry))["root"])]
    assert list(policy.model_ids) == [DEFAULT_MODEL.model_id()]
    assert dict(policy.tiers) == {1: world.score - 100, 2: world.score - 50, 3: world.score}
    assert policy.lender_id == lender_id("Acme Lending") and policy.no_default_months == 24


def test_policy_input_errors(world: World, tmp_path: Path) -> None:
    base = ["lender", "policy", "--name", "X", "--registry", str(world.registry),
            "--vk", str(world.keys.vk), "--out", str(tmp_path / "p.json")]
    for tiers, msg in [(["--tier", "1-600"], "TIER:MIN_SCORE"), (["--tier", "0:600"], "tier"),
                       (["--tier", "1:6e2"], "whole number"),
                       (["--tier", "1:600", "--tier", "1:700"], "twice"),
                       (["--tier", "1:600", "--tier", "2:600"], "distinct")]:
        code, out, err = fail(*base, *tiers)
        assert_clean_error(code, out, err, 2, msg)
    other_vk = tmp_path / "vk.json"
    doc = json.loads(world.keys.vk.read_text())
    doc["IC"] = doc["IC"][:3]
    doc["nPublic"] = 2
    other_vk.write_text(json.dumps(doc))
    code, out, err = fail("lender", "policy", "--name", "X", "--registry", str(world.registry),
                          "--vk", str(other_vk), "--tier", "1:600", "--out",
                          str(tmp_path / "p.json"))
    assert_clean_error(code, out, err, 2, "")
    assert not (tmp_path / "p.json").exists()
    code, out, err = fail(*base[:-1], str(world.policy), "--tier", "1:600")
    assert_clean_error(code, out, err, 1, "already exists")


def test_challenge_records_a_fresh_nonce(world: World) -> None:
    a = Challenge.from_json(Path(world.challenge("c-a.json", "1")).read_bytes())
    b = Challenge.from_json(Path(world.challenge("c-b.json", "1")).read_bytes())
    assert a.nonce != b.nonce and a.threshold == world.score - 100
    assert a.circuit_id == CIRCUIT_ID and a.expires_at > a.issued_at
    code, out, err = fail("lender", "challenge", str(world.policy), "--tier", "7", "--store",
                          str(world.store), "--out", world.p("c-c.json"))
    assert_clean_error(code, out, err, 2, "not in the policy")
    code, out, err = fail("lender", "challenge", str(world.policy), "--tier", "1", "--store",
                          str(world.store), "--out", world.p("c-a.json"))
    assert_clean_error(code, out, err, 1, "already exists")


def test_present_refuses_in_plain_python_before_proving(world: World, tmp_path: Path) -> None:
    ch = world.challenge("c-present.json", "3")
    pres = tmp_path / "p.json"
    args = ["wallet", "present", str(world.wallet), ch, "--registry", str(world.registry),
            "--key", str(world.keys.pk), "--out", str(pres)]
    # A registry the challenge does not name (one more issuer: another root).
    other = tmp_path / "registry.json"
    other.write_bytes(world.registry.read_bytes())
    ok("issuer", "keygen", "--out", str(tmp_path / "k2.json"))
    ok("issuer", "registry", "add", str(other), str(tmp_path / "k2.json"))
    code, out, err = fail(*args[:4], "--registry", str(other), *args[6:])
    assert_clean_error(code, out, err, 2, "registry")
    # A stricter lender: the score is one short of its only tier.
    strict = tmp_path / "strict.json"
    ok("lender", "policy", "--name", "Strict", "--registry", str(world.registry),
       "--tier", f"1:{world.score + 1}", "--vk", str(world.keys.vk), "--out", str(strict))
    ok("lender", "challenge", str(strict), "--tier", "1", "--store", str(tmp_path / "s.db"),
       "--out", str(tmp_path / "strict-ch.json"))
    code, out, err = fail(*args[:3], str(tmp_path / "strict-ch.json"), *args[4:])
    assert_clean_error(code, out, err, 1, "score")
    r = run(*args, env={"ZKCREDIT_PASSPHRASE": "not it"})
    assert_clean_error(r.exit_code, r.stdout, r.stderr, 1, "wrong passphrase")
    assert not pres.exists()


def test_present_verify_decision_opens_a_ledger_line_and_refusals(world: World) -> None:
    ch = world.challenge("c-main.json", "3")
    pres = world.p("presentation.json")
    r = run("wallet", "present", str(world.wallet), ch, "--registry", str(world.registry),
            "--key", str(world.keys.pk), "--out", pres, env=ENV)
    assert r.exit_code == 0, r.stderr
    assert "[4/6] proving" in r.stderr and "[6/6] writing" in r.stderr
    code, out, err = fail("wallet", "present", str(world.wallet), ch, "--registry",
                          str(world.registry), "--key", str(world.keys.pk), "--out", pres)
    assert_clean_error(code, out, err, 1, "already exists")
    issued = Challenge.from_json(Path(ch).read_bytes())

    def refused(reason: str, challenge: str, presentation: str, *extra: str) -> None:
        r = run("--json", *world.verify_args(challenge, presentation, "never.json"), *extra,
                env=ENV)
        assert r.exit_code == 1, (r.stdout, r.stderr)
        body = json.loads(r.stdout)
        assert body["accepted"] is False and body["reason"] == reason, body
        human = run(*world.verify_args(challenge, presentation, "never.json"), *extra, env=ENV)
        assert human.exit_code == 1 and human.stdout.startswith(f"REFUSED {reason}: ")
        assert "Traceback" not in human.stdout + human.stderr
        assert not (world.dir / "never.json").exists()

    # None of these consumes the nonce.
    refused("challenge-expired", ch, pres, "--at", str(issued.expires_at))
    refused("nonce-mismatch", world.challenge("c-other.json", "3"), pres)   # C3
    doc = json.loads(Path(pres).read_text())
    bad_nf = dict(doc, public_signals=list(doc["public_signals"]))
    bad_nf["public_signals"][NF] = str((int(doc["public_signals"][NF]) + 1) % BN254_SCALAR_ORDER)
    Path(world.p("bad-nf.json")).write_text(json.dumps(bad_nf))
    refused("bad-signature", ch, world.p("bad-nf.json"))                    # signed bundle
    # C6: the nullifier sent as n + r is malformed input (exit 2), not a lookup.
    alias = dict(doc, public_signals=list(doc["public_signals"]))
    alias["public_signals"][NF] = str(int(doc["public_signals"][NF]) + BN254_SCALAR_ORDER)
    Path(world.p("alias.json")).write_text(json.dumps(alias))
    code, out, err = fail(*world.verify_args(ch, world.p("alias.json"), "never.json"))
    assert_clean_error(code, out, err, 2, "")
    Path(world.p("trunc.json")).write_text(Path(pres).read_text()[:200])
    code, out, err = fail(*world.verify_args(ch, world.p("trunc.json"), "never.json"))
    assert_clean_error(code, out, err, 2, "not valid JSON")
    # E4: an existing decision file is refused before the nonce is consumed.
    Path(world.p("taken.json")).write_text("{}")
    code, out, err = fail(*world.verify_args(ch, pres, "taken.json"))
    assert_clean_error(code, out, err, 1, "already exists")

    accepted = ok(*world.verify_args(ch, pres, "decision.json"))
    assert accepted["accepted"] is True and accepted["tier"] == 3
    decision = CreditDecision.from_json_dict(json.loads(Path(world.p("decision.json"))
                                                        .read_text()))
    assert decision.tier == 3 and decision.threshold == world.score
    assert decision.lender_id == lender_id("Acme Lending")
    assert decision.nullifier == int(doc["public_signals"][NF])
    # C5: the same presentation again is refused by its nullifier (checked first).
    refused("nullifier-reused", ch, pres)

    # The decision is what the ledger opens a line from.
    db = world.p("ledger.db")
    ok("ledger", "--db", db, "init")
    ok("ledger", "--db", db, "deposit", "pool", "10000000")
    ok("ledger", "--db", db, "price", "3000000")
    line = ok("ledger", "--db", db, "open-line", world.p("decision.json"))["values"]
    assert line["tier"] == 3 and line["credit_limit"] > 0


def test_exposure_registry_caps_lines_across_lenders_through_the_cli(world: World) -> None:
    """Issue 12 on the command line: a k = 1 registry; a line at Acme claims the slot;
    the wallet then refuses to present to a second lender; the second lender's ledger
    refuses the slot too; the claims file and registry errors are checked."""
    d = world.dir
    reg = str(d / "exposure.db")
    made = ok("exposure", "init", reg, "--slots", "1", "--epoch-days", "30")
    assert made["slots"] == 1 and made["epoch_seconds"] == 30 * 86_400
    code, out, err = fail("exposure", "init", reg, "--slots", "1")
    assert_clean_error(code, out, err, 1, "already exists")
    code, out, err = fail("exposure", "init", str(d / "x.db"), "--slots", "0")
    assert_clean_error(code, out, err, 2, "--slots")
    code, out, err = fail("exposure", "status", str(d / "missing.db"))
    assert_clean_error(code, out, err, 2, "exposure init")

    policies = {}
    for name in ("Capped A", "Capped B"):
        path = d / f"policy-{name[-1]}.json"
        ok("lender", "policy", "--name", name, "--registry", str(world.registry),
           "--tier", f"1:{world.score - 100}", "--no-default-months", "24",
           "--vk", str(world.keys.vk), "--exposure-slots", "1", "--out", str(path))
        assert LenderPolicy.from_json(path.read_bytes()).exposure_slots == 1
        policies[name[-1]] = path

    def challenge(which: str, name: str) -> str:
        ok("lender", "challenge", str(policies[which]), "--tier", "1", "--store",
           str(d / f"store-{which}.db"), "--out", world.p(name))
        return world.p(name)

    ch_a = challenge("A", "x-ch-a.json")
    ok("exposure", "claimed", reg, "--out", world.p("claimed-0.json"))
    assert json.loads(Path(world.p("claimed-0.json")).read_text())["slot_nullifiers"] == []
    ok("wallet", "present", str(world.wallet), ch_a, "--registry", str(world.registry),
       "--key", str(world.keys.pk), "--claimed", world.p("claimed-0.json"),
       "--out", world.p("x-pres-a.json"))
    ok("lender", "verify", str(policies["A"]), ch_a, world.p("x-pres-a.json"), "--store",
       str(d / "store-A.db"), "--vk", str(world.keys.vk), "--exposure", reg,
       "--out", world.p("x-dec-a.json"))
    for led in ("x-ledger-a.db", "x-ledger-b.db"):
        ok("ledger", "--db", world.p(led), "init")
        ok("ledger", "--db", world.p(led), "deposit", "pool", "10000000")
    opened = ok("ledger", "--db", world.p("x-ledger-a.db"), "--exposure", reg, "open-line",
                world.p("x-dec-a.json"))
    assert opened["values"]["tier"] == 1
    assert ok("exposure", "status", reg)["claimed"] == 1

    # the second lender: the honest wallet finds no free slot (nothing is written) ...
    ch_b = challenge("B", "x-ch-b.json")
    ok("exposure", "claimed", reg, "--out", world.p("claimed-1.json"))
    code, out, err = fail("wallet", "present", str(world.wallet), ch_b, "--registry",
                          str(world.registry), "--key", str(world.keys.pk), "--claimed",
                          world.p("claimed-1.json"), "--out", world.p("x-pres-b.json"))
    assert_clean_error(code, out, err, 1, "exposure slots")
    assert not Path(world.p("x-pres-b.json")).exists()
    # ... and a ledger sharing the registry refuses the used slot, whoever asks
    code, out, err = fail("ledger", "--db", world.p("x-ledger-b.db"), "--exposure", reg,
                          "open-line", world.p("x-dec-a.json"))
    assert_clean_error(code, out, err, 1, "already claimed")
    # a claims file for another epoch is refused before any proving
    doc = json.loads(Path(world.p("claimed-1.json")).read_text())
    Path(world.p("claimed-old.json")).write_text(json.dumps(dict(doc, epoch=doc["epoch"] - 1)))
    code, out, err = fail("wallet", "present", str(world.wallet), ch_b, "--registry",
                          str(world.registry), "--key", str(world.keys.pk), "--claimed",
                          world.p("claimed-old.json"), "--out", world.p("x-pres-b.json"))
    assert_clean_error(code, out, err, 2, "epoch")
