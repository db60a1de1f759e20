"""`zkcredit lender ...`: a lender's policy, its challenges and the verification of
presentations (`zkcredit.verifier`), ending in the decision `zkcredit ledger open-line`
takes.

Challenges and spent nullifiers live in a SQLite store (``--store``), shared by
`challenge` and `verify`, so a nonce is answered once and a credential opens one line per
lender and epoch. `verify` exits 0 with the decision, 1 with ``REFUSED <reason-code>``
(docs/verifier.md lists the codes), 2 on malformed input.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from zkcredit.cli._common import emit, parse_uint
from zkcredit.cli._exposure import open_registry
from zkcredit.cli._issuer import parse_time, refuse_existing

from zkcredit._files import read_json_file, write_file_atomic
from zkcredit.credit import IssuerRegistry
from zkcredit.credit.model import DEFAULT_MODEL, MONTHS_BITS
from zkcredit.credit.threshold import CIRCUIT_ID, PUBLIC_INPUTS, THRESHOLD_BITS
from zkcredit.decision import MAX_TIER
from zkcredit.errors import InvalidArgument, PresentationRefused
from zkcredit.exposure import MAX_SLOTS
from zkcredit.hazmat import groth16
from zkcredit.verifier import (
    Challenge,
    LenderPolicy,
    Presentation,
    SqliteVerifierStore,
    Verifier,
    vk_hash,
)

__all__ = ["lender_group"]

_MAX_U64 = (1 << 64) - 1
_DAY = 86_400
_MAX_AGE_DAYS = 10 * 365


def _load_vk(path: str) -> groth16.VerifyingKey:
    vk = groth16.VerifyingKey.from_snarkjs(read_json_file(path, "verification key"))
    if vk.curve != "bn254" or vk.n_public != len(PUBLIC_INPUTS):
        raise InvalidArgument(
            f"verification key {path} is not the credit-threshold circuit's (it needs bn254 "
            f"and {len(PUBLIC_INPUTS)} public inputs; got {vk.curve}, {vk.n_public})")
    return vk


def _tier(text: str) -> tuple[int, int]:
    tier, sep, threshold = text.partition(":")
    if not sep:
        raise InvalidArgument(f"--tier {text!r} must be TIER:MIN_SCORE, e.g. 2:680")
    return (parse_uint(tier, "--tier number", minimum=1, maximum=MAX_TIER),
            parse_uint(threshold, "--tier minimum score", maximum=(1 << THRESHOLD_BITS) - 1))


def _load_policy(path: str) -> LenderPolicy:
    return LenderPolicy.from_json(read_json_file(path, "lender policy"))


def _now(at: str | None) -> int:
    return int(time.time()) if at is None else parse_time(at, "--at")


def _store(path: str, *, must_exist: bool) -> SqliteVerifierStore:
    if must_exist and not Path(path).exists():
        raise InvalidArgument(f"verifier store {path} does not exist (it is made by "
                              "`zkcredit lender challenge`)")
    return SqliteVerifierStore(path)


_at_option = click.option("--at", "at", default=None, metavar="T",
                          help="Act as if the time were T (Unix seconds; default: now).")


@click.group("lender")
def lender_group() -> None:
    """A lender's policy, challenges and presentation verification."""


@lender_group.command("policy", short_help="Write a lender policy.")
@click.option("--name", "name", required=True, help="The lender's name (its lender id).")
@click.option("--registry", "registry", required=True, metavar="REGISTRY.json",
              help="The trusted-issuer registry whose root the policy pins.")
@click.option("--tier", "tiers", required=True, multiple=True, metavar="TIER:MIN_SCORE",
              help="A tier and the minimum score proven for it (repeat per tier).")
@click.option("--vk", "vk", required=True, metavar="VERIFICATION_KEY",
              help="The credit-threshold circuit's verification_key.json.")
@click.option("--no-default-months", default="12", show_default=True, metavar="N",
              help="Require no default reported in the last N months (0: no check).")
@click.option("--max-outstanding", default=str(_MAX_U64), metavar="N",
              help="Largest total outstanding balance, integer minor units (default: any).")
@click.option("--max-attestation-age", default="30", show_default=True, metavar="DAYS",
              help="Refuse attestations issued more than DAYS days before the challenge.")
@click.option("--exposure-slots", default="4", show_default=True, metavar="K",
              help="Lines one borrower may open per exposure epoch across the lenders "
                   "sharing the exposure registry (must equal the registry's k).")
@click.option("--exposure-epoch-days", default="30", show_default=True, metavar="DAYS",
              help="Length of an exposure epoch (must equal the registry's).")
@click.option("--out", "out", required=True, metavar="POLICY.json",
              help="Policy file to create (never overwritten).")
@click.pass_context
def policy_command(ctx: click.Context, *, name: str, registry: str, tiers: tuple[str, ...],
                   vk: str, no_default_months: str, max_outstanding: str,
                   max_attestation_age: str, exposure_slots: str, exposure_epoch_days: str,
                   out: str) -> None:
    """Write a lender policy: accepted key, issuer registry root, model and tiers."""
    refuse_existing(out)
    table: dict[int, int] = {}
    for text in tiers:
        tier, threshold = _tier(text)
        if tier in table:
            raise InvalidArgument(f"--tier {tier} is given twice")
        table[tier] = threshold
    key = _load_vk(vk)
    reg = IssuerRegistry.load(registry)
    if not len(reg):
        raise InvalidArgument(f"registry {registry} holds no issuer key")
    policy = LenderPolicy(
        lender_name=name,
        verifying_keys={vk_hash(key): CIRCUIT_ID},
        registry_roots=[reg.root],
        model_ids=[DEFAULT_MODEL.model_id()],
        tiers=table,
        no_default_months=parse_uint(no_default_months, "--no-default-months",
                                     maximum=(1 << MONTHS_BITS) - 1),
        max_outstanding=parse_uint(max_outstanding, "--max-outstanding", maximum=_MAX_U64),
        max_attestation_age=parse_uint(max_attestation_age, "--max-attestation-age",
                                       minimum=1, maximum=_MAX_AGE_DAYS) * _DAY,
        exposure_slots=parse_uint(exposure_slots, "--exposure-slots", minimum=1,
                                  maximum=MAX_SLOTS),
        exposure_epoch_seconds=parse_uint(exposure_epoch_days, "--exposure-epoch-days",
                                          minimum=1, maximum=_MAX_AGE_DAYS) * _DAY,
    )
    write_file_atomic(out, policy.to_json() + b"\n")
    shown = ", ".join(f"{t}: score >= {s}" for t, s in policy.tiers.items())
    emit(ctx, f"policy written to {out}\nlender {name!r} (id {policy.lender_id})\n"
              f"tiers {shown}\nregistry root {reg.root}\nvk {vk_hash(key)}",
         {"policy": out, "lender_id": str(policy.lender_id), "vk_hash": vk_hash(key),
          "circuit_id": CIRCUIT_ID, "registry_root": str(reg.root),
          "model_id": str(DEFAULT_MODEL.model_id()),
          "tiers": {str(t): s for t, s in policy.tiers.items()}})


@lender_group.command("challenge")
@click.argument("policy", metavar="POLICY.json")
@click.option("--tier", "tier", required=True, metavar="N", help="The tier asked for.")
@click.option("--store", "store", required=True, metavar="STORE.db",
              help="The verifier's SQLite store (created if missing).")
@click.option("--out", "out", required=True, metavar="CHALLENGE.json",
              help="Challenge file to create (never overwritten); send it to the borrower.")
@_at_option
@click.pass_context
def challenge_command(ctx: click.Context, *, policy: str, tier: str, store: str, out: str,
                      at: str | None) -> None:
    """Issue a fresh challenge for a tier and record it in the store."""
    refuse_existing(out)
    pol = _load_policy(policy)
    n = parse_uint(tier, "--tier", minimum=1, maximum=MAX_TIER)
    if n not in pol.tiers:
        raise InvalidArgument(f"tier {n} is not in the policy (tiers: "
                              f"{', '.join(map(str, pol.tiers))})")
    ch = pol.challenge(n, _now(at))
    _store(store, must_exist=False).record_challenge(ch.lender_id, ch.nonce, ch.to_json())
    write_file_atomic(out, ch.to_json() + b"\n")
    emit(ctx, f"challenge written to {out}: tier {n} (score >= {ch.threshold}), "
              f"expires at {ch.expires_at}",
         {"challenge": out, "tier": n, "threshold": str(ch.threshold),
          "expires_at": ch.expires_at})


@lender_group.command("verify", short_help="Verify a presentation; write the decision.")
@click.argument("policy", metavar="POLICY.json")
@click.argument("challenge", metavar="CHALLENGE.json")
@click.argument("presentation", metavar="PRESENTATION.json")
@click.option("--store", "store", required=True, metavar="STORE.db",
              help="The verifier store the challenge was recorded in.")
@click.option("--vk", "vks", required=True, multiple=True, metavar="VERIFICATION_KEY",
              help="The verification key(s) the policy accepts.")
@click.option("--exposure", "exposure", default=None, metavar="REGISTRY",
              help="The shared exposure registry: refuse a slot already claimed.")
@click.option("--out", "out", required=True, metavar="DECISION.json",
              help="Decision file to create (`zkcredit ledger open-line` reads it).")
@_at_option
@click.pass_context
def verify_command(ctx: click.Context, *, policy: str, challenge: str, presentation: str,
                   store: str, vks: tuple[str, ...], exposure: str | None, out: str,
                   at: str | None) -> None:
    """Verify a presentation: exit 0 and write the decision, or exit 1 with the reason."""
    refuse_existing(out)  # before the nonce is consumed
    pol = _load_policy(policy)
    ch = Challenge.from_json(read_json_file(challenge, "challenge"))
    pres = Presentation.from_json(read_json_file(presentation, "presentation"))
    keys = {vk_hash(k): k for k in (_load_vk(v) for v in vks)}
    missing = set(pol.verifying_keys) - set(keys)
    if missing:
        raise InvalidArgument("the policy accepts a verification key not given with --vk")
    registry = open_registry(exposure, at) if exposure is not None else None
    verifier = Verifier(pol, keys, _store(store, must_exist=True), exposure=registry)
    try:
        decision = verifier.verify(pres, ch, _now(at))
    except PresentationRefused as refusal:
        message = str(refusal).removeprefix(f"{refusal.reason}: ")
        emit(ctx, f"REFUSED {refusal.reason}: {message}",
             {"accepted": False, "reason": refusal.reason, "message": message})
        ctx.exit(1)
    doc = decision.to_json_dict()
    write_file_atomic(out, (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode())
    emit(ctx, f"ACCEPTED: tier {decision.tier} (score >= {decision.threshold}), decision "
              f"written to {out}, valid until {decision.expires_at}",
         {"accepted": True, "decision": out, "tier": decision.tier,
          "threshold": str(decision.threshold), "expires_at": decision.expires_at,
          "borrower_id": str(decision.borrower_id)})
