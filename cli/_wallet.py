"""`zkcredit wallet ...`: the borrower's encrypted history wallet (`zkcredit.credit.Wallet`).

The passphrase is prompted with hidden input (twice on `init`) or read from
$ZKCREDIT_PASSPHRASE; it is never a command-line option. A wrong passphrase or a tampered
file exits 1 with one line and writes nothing. Nothing here prints a salt, the blinding,
the holder secret or the signing seed: `show` prints the records, the commitment and the
attestations, which the borrower shares with an issuer anyway; `disclose` writes the salts
and blinding (never the holder secret) to a 0600 file meant for the issuer alone.

The borrower's flow: ``init`` → ``import``/``add`` records → ``disclose`` (open the
history to the issuer, which checks it against its books and binds the wallet to the
subject) → ``attest`` (store the issuer's attestation) → ``present`` (answer a lender's
challenge with a signed zero-knowledge presentation).
"""

from __future__ import annotations

import datetime as _dt
import time
from pathlib import Path
from typing import Any

import click
from zkcredit.cli._common import emit, get_passphrase, parse_uint, progress, read_records
from zkcredit.cli._issuer import point_text, refuse_existing

from zkcredit._files import read_json_file, write_file_atomic
from zkcredit.credit import (
    DEFAULT_CAPACITY,
    MAX_CAPACITY,
    Attestation,
    CreditRecord,
    IssuerRegistry,
    Wallet,
)
from zkcredit.credit.model import DEFAULT_MODEL, score
from zkcredit.errors import InvalidArgument, MalformedInput, Refused
from zkcredit.hazmat import eddsa, groth16

__all__ = ["wallet_group"]



def _open(path: str) -> Wallet:
    if not Path(path).exists():
        raise InvalidArgument(f"wallet {path} does not exist (create it with `zkcredit "
                              "wallet init`)")
    return Wallet.open(path, get_passphrase(f"wallet {path}", confirm=False))


def _date(t: int) -> str:
    return _dt.datetime.fromtimestamp(t, _dt.UTC).strftime("%Y-%m-%d")


def _time_value(text: str, what: str) -> int | str:
    """Unix seconds (strict digits) or a date string left to the records module."""
    if text.isascii() and text.isdigit():
        return parse_uint(text, what, maximum=(1 << 40) - 1)
    return text


@click.group("wallet")
def wallet_group() -> None:
    """The borrower's encrypted credit-history wallet."""


@wallet_group.command("init", short_help="Create an empty encrypted wallet.")
@click.argument("path", metavar="PATH")
@click.option("--capacity", "capacity", default=str(DEFAULT_CAPACITY), show_default=True,
              metavar="N", help="Record slots (a power of two; circuits exist per capacity).")
@click.pass_context
def init_command(ctx: click.Context, path: str, capacity: str) -> None:
    """Create an empty wallet at PATH (mode 0600; an existing file is never replaced)."""
    cap = parse_uint(capacity, "--capacity", minimum=1, maximum=MAX_CAPACITY)
    if cap & (cap - 1):
        raise InvalidArgument(f"--capacity {cap} is not a power of two")
    refuse_existing(path)  # before asking for a passphrase
    wallet = Wallet.create(path, get_passphrase(f"new wallet {path}", confirm=True),
                           capacity=cap)
    emit(ctx, f"wallet created: {path} (0600, {cap} record slots, id {wallet.fingerprint()})",
         {"wallet": path, "capacity": cap, "id": wallet.fingerprint()})


@wallet_group.command("add", short_help="Add one credit record.")
@click.argument("path", metavar="PATH")
@click.option("--opened-at", required=True, metavar="T",
              help="When the credit was opened: Unix seconds or YYYY-MM-DD.")
@click.option("--updated-at", default=None, metavar="T",
              help="When the status was reported (default: --opened-at).")
@click.option("--amount", required=True, metavar="N", help="Amount, integer minor units.")
@click.option("--repaid", default="0", show_default=True, metavar="N",
              help="Repaid so far, integer minor units.")
@click.option("--days-late", default="0", show_default=True, metavar="N",
              help="Worst delinquency in days.")
@click.option("--status", default="current", show_default=True,
              type=click.Choice(["current", "closed", "late", "default"]))
@click.option("--kind", default="loan", show_default=True,
              type=click.Choice(["loan", "card", "bnpl", "mortgage", "other"]))
@click.pass_context
def add_command(ctx: click.Context, *, path: str, opened_at: str, updated_at: str | None,
                amount: str, repaid: str, days_late: str, status: str, kind: str) -> None:
    """Add one record (validated as strictly as an import) to the wallet at PATH."""
    values: dict[str, Any] = {
        "opened_at": _time_value(opened_at, "--opened-at"),
        "updated_at": _time_value(updated_at if updated_at is not None else opened_at,
                                  "--updated-at"),
        "amount": parse_uint(amount, "--amount", minimum=1, maximum=(1 << 64) - 1),
        "repaid": parse_uint(repaid, "--repaid", maximum=(1 << 64) - 1),
        "days_late": parse_uint(days_late, "--days-late", maximum=(1 << 16) - 1),
        "status": status,
        "kind": kind,
    }
    record = CreditRecord.from_mapping(values)
    wallet = _open(path)
    wallet.add_record(record)
    wallet.save()
    emit(ctx, f"record added ({len(wallet.records)} of {wallet.capacity} slots used); "
              "the commitment changed: ask the issuer to attest the new one",
         {"wallet": path, "records": len(wallet.records), "capacity": wallet.capacity,
          "commitment": str(wallet.commitment())})


@wallet_group.command("import", short_help="Add the records of a JSON or CSV file.")
@click.argument("path", metavar="PATH")
@click.argument("records", metavar="RECORDS.json|RECORDS.csv")
@click.pass_context
def import_command(ctx: click.Context, path: str, records: str) -> None:
    """Add every record of a JSON or CSV file (all or none; errors name the line)."""
    try:
        batch = read_records(records)
    except InvalidArgument as exc:
        raise type(exc)(f"{records}: {exc}") from None
    if not batch:
        raise InvalidArgument(f"{records}: no records")
    wallet = _open(path)
    n = wallet.import_records(batch)
    wallet.save()
    emit(ctx, f"imported {n} record(s) ({len(wallet.records)} of {wallet.capacity} slots "
              "used)",
         {"wallet": path, "imported": n, "records": len(wallet.records),
          "capacity": wallet.capacity, "commitment": str(wallet.commitment())})


def _attestation_rows(wallet: Wallet, now: int) -> list[dict[str, Any]]:
    commitment = wallet.commitment() if wallet.records else None
    holder = wallet.holder_commitment()
    rows: list[dict[str, Any]] = []
    for raw in wallet.attestations:
        try:
            att = Attestation.from_json_dict(raw)
        except MalformedInput:
            rows.append({"state": "unreadable"})
            continue
        if att.commitment != commitment or att.holder_commitment != holder:
            state = "stale (for an older history)"
        elif now < att.not_before:
            state = "not yet valid"
        elif now > att.not_after:
            state = "expired"
        else:
            state = "valid"
        rows.append({"issuer": [str(att.issuer.x), str(att.issuer.y)],
                     "not_before": att.not_before, "not_after": att.not_after,
                     "revocation_id": str(att.revocation_id), "state": state})
    return rows


@wallet_group.command("show", short_help="Records, commitment, score, attestations.")
@click.argument("path", metavar="PATH")
@click.pass_context
def show_command(ctx: click.Context, path: str) -> None:
    """Records, commitment, score and attestations (never salts or secrets)."""
    wallet = _open(path)
    now = int(time.time())
    records = list(wallet.records)
    commitment = wallet.commitment() if records else None
    model_score = score(DEFAULT_MODEL, records, now) if records else None
    atts = _attestation_rows(wallet, now)
    data: dict[str, Any] = {
        "wallet": path, "id": wallet.fingerprint(), "capacity": wallet.capacity,
        "records": [r.to_json_dict() for r in records],
        "commitment": None if commitment is None else str(commitment),
        "score": model_score, "model_id": str(DEFAULT_MODEL.model_id()),
        "attestations": atts,
    }
    lines = [f"wallet {path} (id {wallet.fingerprint()}): {len(records)} of "
             f"{wallet.capacity} slots"]
    if records:
        lines.append(f"  {'#':>3}  {'opened':<10}  {'updated':<10}  {'amount':>14}  "
                     f"{'repaid':>14}  {'late':>5}  {'status':<8}  kind")
        for i, r in enumerate(records):
            lines.append(f"  {i:>3}  {_date(r.opened_at):<10}  {_date(r.updated_at):<10}  "
                         f"{r.amount:>14}  {r.repaid:>14}  {r.days_late:>5}  "
                         f"{r.status.name.lower():<8}  {r.kind.name.lower()}")
        lines.append(f"commitment: {commitment}")
        lines.append(f"score (model v1, today): {model_score}")
    else:
        lines.append("no records yet (zkcredit wallet import / add)")
    if atts:
        lines.append("attestations:")
        for a in atts:
            if "issuer" not in a:
                lines.append(f"  {a['state']}")
                continue
            issuer = f"{a['issuer'][0][:12]}...,{a['issuer'][1][:12]}..."
            lines.append(f"  issuer {issuer}  {_date(a['not_before'])} .. "
                         f"{_date(a['not_after'])}  {a['state']}")
    else:
        lines.append("attestations: none")
    emit(ctx, "\n".join(lines), data)


@wallet_group.command("commit", short_help="Print the commitment an issuer signs.")
@click.argument("path", metavar="PATH")
@click.pass_context
def commit_command(ctx: click.Context, path: str) -> None:
    """Print the history commitment (the issuer recomputes it from `wallet disclose`)."""
    wallet = _open(path)
    if not wallet.records:
        raise InvalidArgument(f"wallet {path} has no records to commit to")
    c = str(wallet.commitment())
    emit(ctx, c, {"commitment": c})


@wallet_group.command("disclose", short_help="Open the history to an issuer (0600 file).")
@click.argument("path", metavar="PATH")
@click.option("--subject", "subject", required=True, metavar="ID",
              help="The id the issuer knows you by (e.g. its customer number).")
@click.option("--out", "out", required=True, metavar="DISCLOSURE.json",
              help="Disclosure file to create (mode 0600; never overwritten).")
@click.pass_context
def disclose_command(ctx: click.Context, path: str, subject: str, out: str) -> None:
    """Write the opening an issuer checks against its books before it attests: the records,
    their salts, the blinding and the holder commitment (never the holder secret). Give it
    only to the issuer."""
    refuse_existing(out)
    wallet = _open(path)
    if not wallet.records:
        raise InvalidArgument(f"wallet {path} has no records to disclose")
    disclosure = wallet.disclose(subject)
    disclosure.save(out)
    emit(ctx, f"disclosure for subject {subject!r} written to {out} (0600): "
              f"{len(wallet.records)} record(s); send it to the issuer only",
         {"disclosure": out, "subject": subject, "records": len(wallet.records),
          "commitment": str(disclosure.commitment())})


@wallet_group.command("attest", short_help="Store an issuer's attestation.")
@click.argument("path", metavar="PATH")
@click.argument("attestation", metavar="ATTESTATION.json")
@click.option("--registry", "registry", default=None, metavar="REGISTRY.json",
              help="Also require the issuer to be in this registry.")
@click.pass_context
def attest_command(ctx: click.Context, path: str, attestation: str,
                   registry: str | None) -> None:
    """Store an issuer's attestation after checking it signs this wallet's commitment."""
    att = Attestation.from_json_dict(read_json_file(attestation, "attestation"))
    eddsa.verify_poseidon(att.issuer, att.message(), att.signature)
    if registry is not None:
        IssuerRegistry.load(registry).require(att.issuer)
    now = int(time.time())
    if now > att.not_after:
        raise Refused(f"the attestation expired at {att.not_after} ({_date(att.not_after)})")
    wallet = _open(path)
    if not wallet.records or att.commitment != wallet.commitment():
        raise Refused("the attestation is for another commitment than this wallet's "
                      "(run `zkcredit wallet disclose` and ask the issuer again)")
    if att.holder_commitment != wallet.holder_commitment():
        raise Refused("the attestation binds another wallet's holder secret")
    stored = att.to_json_dict()
    if stored in wallet.attestations:
        emit(ctx, "this attestation is already in the wallet",
             {"wallet": path, "stored": False, "attestations": len(wallet.attestations)})
        return
    wallet.add_attestation(stored)
    wallet.save()
    emit(ctx, f"attestation stored (issuer {point_text(att.issuer)[:24]}..., valid "
              f"{_date(att.not_before)} .. {_date(att.not_after)})",
         {"wallet": path, "stored": True, "attestations": len(wallet.attestations),
          "not_before": att.not_before, "not_after": att.not_after})



@wallet_group.command("present", short_help="Answer a lender's challenge (a proof).")
@click.argument("path", metavar="PATH")
@click.argument("challenge", metavar="CHALLENGE.json")
@click.option("--registry", "registry", required=True, metavar="REGISTRY.json",
              help="The issuer registry the lender's challenge names.")
@click.option("--key", "key", required=True, metavar="PROVING_KEY",
              help="The threshold circuit's proving key (`zkcredit circuit setup "
                   "credit-threshold`).")
@click.option("--claimed", "claimed", default=None, metavar="CLAIMED.json",
              help="The exposure registry's claimed slots of the challenge's epoch "
                   "(`zkcredit exposure claimed`): the proof spends the lowest free slot.")
@click.option("--out", "out", required=True, metavar="PRESENTATION.json",
              help="Presentation file to create (never overwritten).")
@click.pass_context
def present_command(ctx: click.Context, *, path: str, challenge: str, registry: str, key: str,
                    claimed: str | None, out: str) -> None:
    """Answer a lender's CHALLENGE.json with a zero-knowledge presentation.

    Refused (exit 1, nothing written) when the wallet cannot meet the challenge: score
    below the threshold, a predicate, or no usable attestation.
    """
    from zkcredit.credit.present import present  # noqa: PLC0415 - compiles circuits
    from zkcredit.exposure import PublishedClaims  # noqa: PLC0415
    from zkcredit.verifier import Challenge  # noqa: PLC0415

    refuse_existing(out)
    ch = Challenge.from_json(read_json_file(challenge, "challenge"))
    used: frozenset[int] = frozenset()
    if claimed is not None:
        published = PublishedClaims.from_json(read_json_file(claimed, "exposure claims"))
        if published.epoch != ch.exposure_epoch:
            raise InvalidArgument(
                f"{claimed} lists exposure epoch {published.epoch}; the challenge is for "
                f"epoch {ch.exposure_epoch} (download the claims again)")
        used = published.slot_nullifiers
    reg = IssuerRegistry.load(registry)
    wallet = _open(path)
    total = 6
    progress(ctx, 1, total, f"loading proving key {key}")
    pk = groth16.ProvingKey.from_file(key)
    step = [1]

    def say(text: str) -> None:
        step[0] += 1
        progress(ctx, step[0], total, text)

    t0 = time.perf_counter()
    presentation = present(wallet, ch, registry=reg, proving_key=pk, progress=say,
                           claimed_slots=used)
    say(f"writing {out}")
    write_file_atomic(out, presentation.to_json() + b"\n")
    elapsed = time.perf_counter() - t0
    emit(ctx, f"presentation written to {out} (threshold {ch.threshold}, {elapsed:.2f} s)",
         {"presentation": out, "threshold": str(ch.threshold), "seconds": round(elapsed, 3)})
