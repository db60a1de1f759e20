"""`zkcredit issuer ...`: an issuer's signing key, its attestations, and the registry of
trusted issuer keys a lender pins (`zkcredit.credit.issuer`).

Times (``--not-before``, ``--not-after``) are Unix seconds, a date ``YYYY-MM-DD``
(00:00:00 UTC), ``now``, or an offset from now in days: ``+365d`` / ``-30d``.
"""

from __future__ import annotations

import datetime as _dt
import re
import time
from pathlib import Path

import click
from zkcredit.cli._common import emit

from zkcredit._files import read_json_file, write_file_atomic
from zkcredit.credit.issuer import (
    MAX_TIME,
    Attestation,
    IssuerRegistry,
    generate_issuer_key,
    issue_attestation,
    load_issuer_key,
    save_issuer_key,
)
from zkcredit.errors import InvalidArgument, OutputExists
from zkcredit.hazmat import eddsa
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
    """Issuer keys, attestations of history commitments, the trusted-issuer registry."""


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


@issuer_group.command("sign", short_help="Attest a history commitment.")
@click.argument("key", metavar="KEY.json")
@click.option("--commitment", required=True, metavar="C",
              help="The borrower's history commitment (`zkcredit wallet commit`).")
@click.option("--not-before", "not_before", default="now", show_default=True, metavar="T",
              help="Start of validity (inclusive).")
@click.option("--not-after", "not_after", required=True, metavar="T",
              help="End of validity (inclusive), e.g. +365d.")
@click.option("--out", "out", required=True, metavar="ATTESTATION.json",
              help="Attestation file to create (never overwritten).")
@click.pass_context
def sign_command(ctx: click.Context, *, key: str, commitment: str, not_before: str,
                 not_after: str, out: str) -> None:
    """Sign a history commitment for [--not-before, --not-after] (both inclusive)."""
    refuse_existing(out)
    c = parse_field(commitment.strip(), "--commitment")
    now = int(time.time())
    nb = parse_time(not_before, "--not-before", now=now)
    na = parse_time(not_after, "--not-after", now=now)
    if nb > na:
        raise InvalidArgument(f"--not-before ({nb}) is after --not-after ({na})")
    att = issue_attestation(load_issuer_key(key), c, nb, na)
    write_file_atomic(out, att.to_json_bytes() + b"\n")
    emit(ctx, f"attestation written to {out}\nissuer {point_text(att.issuer)}\n"
              f"valid {nb} .. {na} (Unix seconds, inclusive)",
         {"attestation": out, "issuer": [str(att.issuer.x), str(att.issuer.y)],
          "commitment": str(c), "not_before": nb, "not_after": na})


@issuer_group.command("verify", short_help="Check an attestation's signature.")
@click.argument("attestation", metavar="ATTESTATION.json")
@click.option("--registry", "registry", default=None, metavar="REGISTRY.json",
              help="Also require the issuer to be in this registry.")
@click.pass_context
def verify_command(ctx: click.Context, attestation: str, registry: str | None) -> None:
    """Check an attestation's signature (and registry membership): exit 0 or 1."""
    att = Attestation.from_json_dict(read_json_file(attestation, "attestation"))
    eddsa.verify_poseidon(att.issuer, att.message(), att.signature)
    if registry is not None:
        IssuerRegistry.load(registry).require(att.issuer)
    emit(ctx, f"OK: signed by {point_text(att.issuer)}, valid {att.not_before} .. "
              f"{att.not_after}",
         {"valid": True, "issuer": [str(att.issuer.x), str(att.issuer.y)],
          "commitment": str(att.commitment), "not_before": att.not_before,
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


def _emit_registry(ctx: click.Context, path: str, reg: IssuerRegistry, verb: str) -> None:
    keys = reg.keys()
    lines = [f"{verb}{path}: {len(keys)} issuer key(s)", f"root: {reg.root}"]
    lines += [f"  slot {slot:>3}  {point_text(pt)}" for slot, pt in keys]
    emit(ctx, "\n".join(lines),
         {"registry": path, "root": str(reg.root),
          "issuers": [{"slot": s, "key": [str(p.x), str(p.y)]} for s, p in keys]})


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


@registry_group.command("revoke", short_help="Remove an issuer key; print the root.")
@click.argument("registry", metavar="REGISTRY.json")
@click.argument("key_file", metavar="[KEY.json]", required=False)
@click.option("--public", "public", default=None, metavar="X,Y",
              help="The issuer's public key instead of its key file.")
@click.pass_context
def registry_revoke_command(ctx: click.Context, registry: str, key_file: str | None,
                            public: str | None) -> None:
    """Remove an issuer key; print the new root (lenders must pin it to stop the key)."""
    pt = _key_of(key_file, public)
    reg = IssuerRegistry.load(registry)
    reg.revoke(pt)
    reg.save(registry, replace=True)
    _emit_registry(ctx, registry, reg, "revoked; ")


@registry_group.command("show", short_help="The registry's root and keys.")
@click.argument("registry", metavar="REGISTRY.json")
@click.pass_context
def registry_show_command(ctx: click.Context, registry: str) -> None:
    """The registry's root and keys (the file's stored root is checked)."""
    _emit_registry(ctx, registry, IssuerRegistry.load(registry), "")
