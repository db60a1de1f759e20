"""`zkcredit issuer ...`: an issuer's signing key, its books and attestations
(`zkcredit.credit.issuance.Issuer`: it signs only a disclosed history that matches its books,
for the one wallet bound to the subject), its revocation lists, and the registry of trusted
issuer keys a lender pins (`zkcredit.credit.issuer`).

Times (``--at``) are Unix seconds, a date ``YYYY-MM-DD``
(00:00:00 UTC), ``now``, or an offset from now in days: ``+365d`` / ``-30d``.
"""

from __future__ import annotations

import datetime as _dt
import re
import time
from pathlib import Path

import click
from zkcredit.cli._common import emit, read_records

from zkcredit._files import read_json_file, write_file_atomic
from zkcredit.credit.issuance import DEFAULT_ISSUER_DB, Disclosure, Issuer
from zkcredit.credit.issuer import (
    MAX_TIME,
    Attestation,
    IssuerRegistry,
    generate_issuer_key,
    load_issuer_key,
    save_issuer_key,
)
from zkcredit.credit.revocation import RevocationList
from zkcredit.errors import InvalidArgument, OutputExists
from zkcredit.hazmat import eddsa
from zkcredit.hazmat.attestation import REVOCATION_ID_BITS, canonical_json
from zkcredit.hazmat.babyjub import FIELD_MODULUS, Point
from zkcredit.hazmat.encoding import parse_decimal

__all__ = ["issuer_group", "parse_field", "parse_time", "point_text", "refuse_existing"]

_DATE = re.compile(r"\A(\d{4})-(\d{2})-(\d{2})\Z")
_OFFSET = re.compile(r"\A([+-])([1-9][0-9]{0,5}|0)d\Z")
_SECONDS = re.compile(r"\A(0|[1-9][0-9]{0,12})\Z")
_DAY = 86_400


def parse_time(text: str, what: str, *, now: int | None = None) -> int:
    """Unix seconds from ``1767225600``, ``2026-01-01``, ``now``, ``+365d`` or ``-30d``."""
    base = int(time.time()) if now is None else now
    if text == "now":
        value = base
    elif m := _OFFSET.match(text):
        value = base + (1 if m[1] == "+" else -1) * int(m[2]) * _DAY
    elif _SECONDS.match(text):
        value = int(text)
    elif m := _DATE.match(text):
        try:
            day = _dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise InvalidArgument(f"{what} {text!r} is not a calendar date") from None
        value = int(_dt.datetime(day.year, day.month, day.day, tzinfo=_dt.UTC).timestamp())
    else:
        raise InvalidArgument(
            f"{what} {text[:40]!r} is not a time: give Unix seconds, YYYY-MM-DD, now, "
            "+Nd or -Nd")
    if not 0 <= value < MAX_TIME:
        raise InvalidArgument(f"{what} {text!r} is outside [0, 2^40) Unix seconds")
    return value


def parse_field(text: str, what: str) -> int:
    """A canonical decimal field element (no sign, no leading zero, below r)."""
    return parse_decimal(text, FIELD_MODULUS, what)


def point_text(pt: Point) -> str:
    """``X,Y`` in decimal: the form ``--public`` takes."""
    return f"{pt.x},{pt.y}"


def refuse_existing(*paths: str | Path) -> None:
    """`OutputExists` if any output path (or a dangling symlink) is already there (E4)."""
    for p in paths:
        if Path(p).exists() or Path(p).is_symlink():
            raise OutputExists(f"{p} already exists; refusing to overwrite it")


def _public_from_text(text: str) -> Point:
    parts = text.split(",")
    if len(parts) != 2:
        raise InvalidArgument("--public must be X,Y (two decimal coordinates)")
    x = parse_field(parts[0].strip(), "--public x")
    y = parse_field(parts[1].strip(), "--public y")
    return eddsa.check_issuer_key((x, y))


@click.group("issuer")
def issuer_group() -> None:
    """Issuer keys, books, attestations and revocations; the trusted-issuer registry."""


@issuer_group.command("keygen")
@click.option("--out", "out", required=True, metavar="KEY.json",
              help="Private key file to create (mode 0600; never overwritten).")
@click.pass_context
def keygen_command(ctx: click.Context, out: str) -> None:
    """Create an EdDSA-Poseidon (Baby Jubjub) issuer key; print its public key."""
    refuse_existing(out)
    public = save_issuer_key(out, generate_issuer_key())
    emit(ctx, f"issuer key written to {out} (0600)\npublic key: {point_text(public)}",
         {"key": out, "public_key": [str(public.x), str(public.y)]})


_db_option = click.option(
    "--db", "db", envvar="ZKCREDIT_ISSUER_DB", default=DEFAULT_ISSUER_DB, show_default=True,
    metavar="ISSUER.db",
    help="The issuer's books, subject bindings and attestations (SQLite; created if "
         "missing). Env: ZKCREDIT_ISSUER_DB.")
_at_option = click.option("--at", "at", default=None, metavar="T",
                          help="Act as if the time were T (default: now).")


def _issuer(key: str, db: str) -> Issuer:
    return Issuer(db, load_issuer_key(key))


def _now(at: str | None) -> int:
    return int(time.time()) if at is None else parse_time(at, "--at")


@issuer_group.command("books", short_help="Record what the issuer holds for a subject.")
@click.argument("key", metavar="KEY.json")
@click.argument("subject", metavar="SUBJECT")
@click.argument("records", metavar="RECORDS.json|RECORDS.csv")
@_db_option
@_at_option
@click.pass_context
def books_command(ctx: click.Context, *, key: str, subject: str, records: str, db: str,
                  at: str | None) -> None:
    """Replace the records the issuer holds for SUBJECT (its own tradelines); a change
    revokes the subject's live attestations (publish the list afterwards)."""
    batch = read_records(records)
    with _issuer(key, db) as issuer:
        revoked = issuer.set_books(subject, batch, now=_now(at))
    emit(ctx, f"books of {subject!r}: {len(batch)} record(s)"
              + (f"; revoked {len(revoked)} attestation(s) - run `zkcredit issuer publish`"
                 if revoked else ""),
         {"subject": subject, "records": len(batch), "revoked": [str(i) for i in revoked]})


@issuer_group.command("attest", short_help="Check a disclosure against the books; sign.")
@click.argument("key", metavar="KEY.json")
@click.argument("disclosure", metavar="DISCLOSURE.json")
@click.option("--out", "out", required=True, metavar="ATTESTATION.json",
              help="Attestation file to create (never overwritten).")
@_db_option
@_at_option
@click.pass_context
def attest_command(ctx: click.Context, *, key: str, disclosure: str, out: str, db: str,
                   at: str | None) -> None:
    """Check a borrower's disclosure (`zkcredit wallet disclose`) against the books and the
    subject's wallet binding, recompute the commitment, and only then sign it."""
    refuse_existing(out)
    opening = Disclosure.load(disclosure)
    with _issuer(key, db) as issuer:
        att = issuer.attest(opening, now=_now(at))
    write_file_atomic(out, att.to_json_bytes() + b"\n")
    emit(ctx, f"attestation written to {out}\nsubject {opening.subject!r}, valid "
              f"{att.not_before} .. {att.not_after} (Unix seconds, inclusive)\n"
              f"revocation id {att.revocation_id}",
         {"attestation": out, "subject": opening.subject,
          "issuer": [str(att.issuer.x), str(att.issuer.y)],
          "revocation_id": str(att.revocation_id),
          "not_before": att.not_before, "not_after": att.not_after})


@issuer_group.command("revoke", short_help="Revoke one attestation by its id.")
@click.argument("key", metavar="KEY.json")
@click.argument("revocation_id", metavar="REVOCATION_ID")
@_db_option
@_at_option
@click.pass_context
def revoke_command(ctx: click.Context, *, key: str, revocation_id: str, db: str,
                   at: str | None) -> None:
    """Revoke one attestation (takes effect for lenders once `issuer publish` and
    `issuer registry revocations` have run)."""
    rid = parse_decimal(revocation_id, 1 << REVOCATION_ID_BITS, "REVOCATION_ID")
    with _issuer(key, db) as issuer:
        issuer.revoke(rid, now=_now(at))
    emit(ctx, f"revoked {rid}; publish the list with `zkcredit issuer publish`",
         {"revoked": str(rid)})


@issuer_group.command("rebind", short_help="Release a subject's wallet binding.")
@click.argument("key", metavar="KEY.json")
@click.argument("subject", metavar="SUBJECT")
@_db_option
@_at_option
@click.pass_context
def rebind_command(ctx: click.Context, *, key: str, subject: str, db: str,
                   at: str | None) -> None:
    """Let SUBJECT bind a new wallet (after checking the person): its live attestations are
    revoked, and the new wallet's start after the rebind cool-down."""
    with _issuer(key, db) as issuer:
        revoked = issuer.rebind(subject, now=_now(at))
        cooldown = issuer.rebind_cooldown
    emit(ctx, f"{subject!r} may bind a new wallet; revoked {len(revoked)} attestation(s); "
              f"new attestations start after a {cooldown // 86_400}-day cool-down",
         {"subject": subject, "revoked": [str(i) for i in revoked],
          "cooldown_seconds": cooldown})


@issuer_group.command("publish", short_help="Sign the list of revoked attestations.")
@click.argument("key", metavar="KEY.json")
@click.option("--out", "out", required=True, metavar="REVOCATIONS.json",
              help="Signed revocation list to create (never overwritten).")
@_db_option
@_at_option
@click.pass_context
def publish_command(ctx: click.Context, *, key: str, out: str, db: str,
                    at: str | None) -> None:
    """Sign the ids of the revoked, unexpired attestations, for registry operators
    (`zkcredit issuer registry revocations`)."""
    refuse_existing(out)
    with _issuer(key, db) as issuer:
        rl = issuer.revocation_list(now=_now(at))
    write_file_atomic(out, canonical_json(rl.to_json_dict()) + b"\n")
    emit(ctx, f"revocation list written to {out}: {len(rl.revoked)} id(s), published at "
              f"{rl.published_at}, root {rl.tree.root}",
         {"revocations": out, "revoked": len(rl.revoked), "published_at": rl.published_at,
          "root": str(rl.tree.root)})


@issuer_group.command("verify", short_help="Check an attestation's signature.")
@click.argument("attestation", metavar="ATTESTATION.json")
@click.option("--registry", "registry", default=None, metavar="REGISTRY.json",
              help="Also require the issuer to be in this registry and the attestation "
                   "not in its revocation list.")
@click.pass_context
def verify_command(ctx: click.Context, attestation: str, registry: str | None) -> None:
    """Check an attestation's signature (and registry membership, non-revocation): exit 0
    or 1."""
    att = Attestation.from_json_dict(read_json_file(attestation, "attestation"))
    eddsa.verify_poseidon(att.issuer, att.message(), att.signature)
    if registry is not None:
        IssuerRegistry.load(registry).non_revocation(att)
    emit(ctx, f"OK: signed by {point_text(att.issuer)}, valid {att.not_before} .. "
              f"{att.not_after}",
         {"valid": True, "issuer": [str(att.issuer.x), str(att.issuer.y)],
          "commitment": str(att.commitment), "holder_commitment": str(att.holder_commitment),
          "revocation_id": str(att.revocation_id), "not_before": att.not_before,
          "not_after": att.not_after})


@issuer_group.group("registry")
def registry_group() -> None:
    """The registry of trusted issuer keys (a depth-8 Poseidon Merkle tree)."""


def _key_of(key_file: str | None, public: str | None) -> Point:
    if (key_file is None) == (public is None):
        raise InvalidArgument("give exactly one of KEY.json or --public X,Y")
    if public is not None:
        return _public_from_text(public)
    assert key_file is not None
    return eddsa.prv2pub(load_issuer_key(key_file))


def _revoked_text(reg: IssuerRegistry, key: Point) -> str:
    rl = reg.revocations(key)
    return "no revocation list" if rl is None else (
        f"{len(rl.revoked)} revoked, list of {rl.published_at}")


def _emit_registry(ctx: click.Context, path: str, reg: IssuerRegistry, verb: str) -> None:
    keys = reg.keys()
    lines = [f"{verb}{path}: {len(keys)} issuer key(s)", f"root: {reg.root}"]
    lines += [f"  slot {slot:>3}  {point_text(pt)}  ({_revoked_text(reg, pt)})"
              for slot, pt in keys]
    emit(ctx, "\n".join(lines),
         {"registry": path, "root": str(reg.root),
          "issuers": [{"slot": s, "key": [str(p.x), str(p.y)],
                       "revoked": len(rl.revoked) if (rl := reg.revocations(p)) else 0}
                      for s, p in keys]})


@registry_group.command("add", short_help="Admit an issuer key; print the root.")
@click.argument("registry", metavar="REGISTRY.json")
@click.argument("key_file", metavar="[KEY.json]", required=False)
@click.option("--public", "public", default=None, metavar="X,Y",
              help="The issuer's public key instead of its key file.")
@click.pass_context
def registry_add_command(ctx: click.Context, registry: str, key_file: str | None,
                         public: str | None) -> None:
    """Admit an issuer key (creates REGISTRY.json if missing); print the new root."""
    pt = _key_of(key_file, public)
    exists = Path(registry).exists() or Path(registry).is_symlink()
    reg = IssuerRegistry.load(registry) if exists else IssuerRegistry()
    reg.add(pt)
    reg.save(registry, replace=exists)
    _emit_registry(ctx, registry, reg, "added; ")


@registry_group.command("remove", short_help="Remove an issuer key; print the root.")
@click.argument("registry", metavar="REGISTRY.json")
@click.argument("key_file", metavar="[KEY.json]", required=False)
@click.option("--public", "public", default=None, metavar="X,Y",
              help="The issuer's public key instead of its key file.")
@click.pass_context
def registry_remove_command(ctx: click.Context, registry: str, key_file: str | None,
                            public: str | None) -> None:
    """Remove an issuer key; print the new root (lenders must pin it to stop the key)."""
    pt = _key_of(key_file, public)
    reg = IssuerRegistry.load(registry)
    reg.remove(pt)
    reg.save(registry, replace=True)
    _emit_registry(ctx, registry, reg, "removed; ")


@registry_group.command("revocations", short_help="Apply an issuer's revocation list.")
@click.argument("registry", metavar="REGISTRY.json")
@click.argument("revocations", metavar="REVOCATIONS.json")
@click.pass_context
def registry_revocations_command(ctx: click.Context, registry: str, revocations: str) -> None:
    """Install an issuer's signed revocation list (`zkcredit issuer publish`) if newer than
    the one held; print the new root (lenders must pin it for the revocations to bite)."""
    rl = RevocationList.from_json_dict(read_json_file(revocations, "revocation list"))
    reg = IssuerRegistry.load(registry)
    reg.apply_revocations(rl)
    reg.save(registry, replace=True)
    _emit_registry(ctx, registry, reg, f"applied {len(rl.revoked)} revoked id(s); ")


@registry_group.command("show", short_help="The registry's root and keys.")
@click.argument("registry", metavar="REGISTRY.json")
@click.pass_context
def registry_show_command(ctx: click.Context, registry: str) -> None:
    """The registry's root and keys (the file's stored root is checked)."""
    _emit_registry(ctx, registry, IssuerRegistry.load(registry), "")
