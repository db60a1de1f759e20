"""`zkcredit ledger ...`: the loan ledger (`zkcredit.ledger.Ledger`) on the command line.

State between invocations lives in three places:

* the database (``--db``: a path or a SQLAlchemy URL; default ``./zkcredit-ledger.db``,
  or $ZKCREDIT_LEDGER);
* the keys file (``--keys``; default: the SQLite path with suffix ``.keys.json``, or
  $ZKCREDIT_LEDGER_KEYS): the ledger's Ed25519 audit key and tradeline signing key,
  created once by ``ledger init`` with mode 0600 and never overwritten;
* the price file next to it (``*.prices.json``): the latest reading of the manual
  primary and fallback feeds, set by ``ledger price``; every command builds its
  `ManualFeed`s from it, so the oracle's guards (heartbeat, circuit breaker) apply
  across invocations exactly as in-process.

Every command takes ``--id`` (the idempotency key; default a fresh random id): repeating
a command with the same id and arguments returns the stored receipt and changes nothing.
Amounts are strict decimal integers of minor units in [1, 2^63). Under ``--json``,
integers of 2^53 or more (field-element ids, share counts) are printed as decimal strings
so JavaScript readers do not round them.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from sqlalchemy import select
from zkcredit.cli._common import emit, parse_amount, parse_uint
from zkcredit.cli._exposure import open_registry

from zkcredit._files import read_json_file, write_file_atomic
from zkcredit.decision import CreditDecision
from zkcredit.errors import InvalidArgument, InvalidEncoding, OutputExists, Refused
from zkcredit.ledger import Ed25519RecordSigner, Ledger, ManualFeed, Receipt, verify_audit_log
from zkcredit.ledger import _storage as storage

__all__ = ["ledger_group"]

DEFAULT_DB = "zkcredit-ledger.db"
KEYS_FORMAT = "zkcredit-ledger-keys"
PRICES_FORMAT = "zkcredit-ledger-prices"
_JSON_SAFE = 2**53  # larger ints are emitted as decimal strings in --json output
_MAX_TIME = 2**40


def _db_url(db: str) -> str:
    """A SQLAlchemy URL for ``db`` (a plain path means SQLite)."""
    if "://" in db:
        return db
    return "sqlite:///" + str(Path(db).absolute())


def _sqlite_path(db: str) -> Path | None:
    if "://" not in db:
        return Path(db)
    if db.startswith("sqlite:///"):
        return Path(db[len("sqlite:///"):])
    return None


def _keys_path(db: str, keys: str | None) -> Path:
    if keys:
        return Path(keys)
    path = _sqlite_path(db)
    if path is None:
        raise InvalidArgument("a non-SQLite --db needs --keys (or $ZKCREDIT_LEDGER_KEYS)")
    return path.with_suffix(".keys.json")


def _prices_path(keys: Path) -> Path:
    name = keys.name
    stem = name[: -len(".keys.json")] if name.endswith(".keys.json") else name
    return keys.with_name(stem + ".prices.json")


def _hex32(obj: dict[str, Any], name: str, where: Path) -> bytes:
    value = obj.get(name)
    if not isinstance(value, str) or len(value) != 64:
        raise InvalidEncoding(f"keys file {where}: {name} must be 64 hex digits")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise InvalidEncoding(f"keys file {where}: {name} must be 64 hex digits") from None


def _load_keys(path: Path) -> tuple[Ed25519PrivateKey, Ed25519PrivateKey]:
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        raise InvalidArgument(f"keys file {path} does not exist (run `zkcredit ledger init`)") \
            from None
    if stat.S_ISLNK(mode) or not stat.S_ISREG(mode):
        raise Refused(f"keys file {path} is not a regular file")
    if mode & 0o077:
        raise Refused(f"keys file {path} is readable by others (mode {mode & 0o777:o}); "
                      "chmod 600 it")
    obj = read_json_file(path, "keys file")
    expected = {"format", "version", "audit_key", "record_key"}
    if not isinstance(obj, dict) or set(obj) != expected:
        raise InvalidEncoding(f"keys file {path}: expected exactly the keys {sorted(expected)}")
    if obj["format"] != KEYS_FORMAT or obj["version"] != 1:
        raise InvalidEncoding(f"keys file {path}: not a {KEYS_FORMAT} version 1 file")
    audit = Ed25519PrivateKey.from_private_bytes(_hex32(obj, "audit_key", path))
    record = Ed25519PrivateKey.from_private_bytes(_hex32(obj, "record_key", path))
    return audit, record


def _reading(obj: object, name: str, where: Path) -> tuple[int, int] | None:
    if obj is None:
        return None
    if (not isinstance(obj, dict) or set(obj) != {"price", "updated_at"}
            or type(obj["price"]) is not int or type(obj["updated_at"]) is not int
            or not 0 < obj["price"] < 2**63 or not 0 <= obj["updated_at"] < _MAX_TIME):
        raise InvalidEncoding(f"price file {where}: {name} must be null or "
                              '{"price": int, "updated_at": int}')
    return obj["price"], obj["updated_at"]


def _load_prices(path: Path) -> dict[str, tuple[int, int] | None]:
    obj = read_json_file(path, "price file")
    expected = {"format", "version", "primary", "fallback"}
    if not isinstance(obj, dict) or set(obj) != expected:
        raise InvalidEncoding(f"price file {path}: expected exactly the keys {sorted(expected)}")
    if obj["format"] != PRICES_FORMAT or obj["version"] != 1:
        raise InvalidEncoding(f"price file {path}: not a {PRICES_FORMAT} version 1 file")
    return {feed: _reading(obj[feed], feed, path) for feed in ("primary", "fallback")}


def _prices_bytes(prices: dict[str, tuple[int, int] | None]) -> bytes:
    def one(r: tuple[int, int] | None) -> dict[str, int] | None:
        return None if r is None else {"price": r[0], "updated_at": r[1]}

    doc = {"format": PRICES_FORMAT, "version": 1,
           "primary": one(prices["primary"]), "fallback": one(prices["fallback"])}
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()


def _feed(reading: tuple[int, int] | None) -> ManualFeed:
    return ManualFeed(None, 0) if reading is None else ManualFeed(reading[0], reading[1])


class _Env:
    """The resolved ``--db`` / ``--keys`` of one invocation."""

    def __init__(self, db: str, keys: str | None, exposure: str | None = None) -> None:
        self.db = db
        self.exposure = exposure
        self.url = _db_url(db)
        self.keys = _keys_path(db, keys)
        self.prices = _prices_path(self.keys)

    @contextmanager
    def open(self, *, create: bool = False) -> Iterator[Ledger]:
        """The ledger over the database, keys and feeds (``create`` only for `init`)."""
        sqlite = _sqlite_path(self.db)
        if sqlite is not None and not sqlite.absolute().parent.is_dir():
            raise InvalidArgument(f"database directory {sqlite.absolute().parent} does not exist")
        if sqlite is not None and not create and not sqlite.exists():
            raise InvalidArgument(f"ledger database {sqlite} does not exist "
                                  "(run `zkcredit ledger init`)")
        audit, record = _load_keys(self.keys)
        prices = _load_prices(self.prices)
        registry = open_registry(self.exposure, None) if self.exposure is not None else None
        try:
            ledger = Ledger(self.url, primary_feed=_feed(prices["primary"]),
                            fallback_feed=_feed(prices["fallback"]),
                            record_signer=Ed25519RecordSigner(record), audit_key=audit,
                            exposure=registry)
            try:
                yield ledger
            finally:
                ledger.close()
        finally:
            if registry is not None:
                registry.close()


def _jsonable(value: object) -> object:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value) if abs(value) >= _JSON_SAFE else value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def _emit_receipt(ctx: click.Context, receipt: Receipt) -> None:
    values = dict(receipt.values)
    shown = ", ".join(f"{k}={v}" for k, v in values.items())
    emit(ctx, f"{receipt.kind} done (id {receipt.command_id}, seq {receipt.seq}): {shown}",
         {"command_id": receipt.command_id, "kind": receipt.kind, "seq": receipt.seq,
          "at": receipt.at, "values": _jsonable(values)})


def _command_id(value: str | None) -> str:
    return value if value is not None else "cli-" + secrets.token_hex(16)


_id_option = click.option(
    "--id", "command_id", metavar="ID",
    help="Command id for idempotency (1-128 printable ASCII); default: a fresh random id.")


def _line_arg(text: str) -> int:
    return parse_uint(text, "line id", minimum=1)


@click.group("ledger")
@click.option("--db", envvar="ZKCREDIT_LEDGER", default=DEFAULT_DB, show_default=True,
              help="Ledger database: a file path (SQLite) or a URL "
                   "(sqlite:///..., postgresql+psycopg://...). Env: ZKCREDIT_LEDGER.")
@click.option("--keys", envvar="ZKCREDIT_LEDGER_KEYS", default=None,
              help="Keys file (default: the database path with suffix .keys.json). "
                   "Env: ZKCREDIT_LEDGER_KEYS.")
@click.option("--exposure", envvar="ZKCREDIT_EXPOSURE", default=None, metavar="REGISTRY",
              help="The shared exposure registry opening a line claims its slot in "
                   "(a SQLite path or a PostgreSQL URL). Env: ZKCREDIT_EXPOSURE.")
@click.pass_context
def ledger_group(ctx: click.Context, db: str, keys: str | None, exposure: str | None) -> None:
    """The loan ledger: pool, credit lines, collateral, prices, audit."""
    ctx.ensure_object(dict)["ledger_env"] = _Env(db, keys, exposure)


def _get_env(ctx: click.Context) -> _Env:
    env = ctx.obj.get("ledger_env") if isinstance(ctx.obj, dict) else None
    if not isinstance(env, _Env):  # pragma: no cover - the group always sets it
        raise InvalidArgument("ledger options missing")
    return env


@ledger_group.command("init")
@click.pass_context
def init_command(ctx: click.Context) -> None:
    """Create the ledger database, its keys file (0600) and its price file."""
    env = _get_env(ctx)
    sqlite = _sqlite_path(env.db)
    if sqlite is not None and sqlite.exists():
        raise OutputExists(f"{sqlite} already exists; refusing to initialise over it")
    for path in (env.keys, env.prices):
        if os.path.lexists(path):
            raise OutputExists(f"{path} already exists; refusing to overwrite it")
    audit, record = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()

    def raw(k: Ed25519PrivateKey) -> str:
        return k.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()

    doc = {"format": KEYS_FORMAT, "version": 1, "audit_key": raw(audit),
           "record_key": raw(record)}
    write_file_atomic(env.keys, (json.dumps(doc, indent=2) + "\n").encode(), secret=True)
    try:
        write_file_atomic(env.prices, _prices_bytes({"primary": None, "fallback": None}))
        with env.open(create=True):
            pass
    except BaseException:
        # Leave nothing half-made: keys for a database that was never created would
        # block the next `init` (they are never overwritten).
        for path in (env.keys, env.prices):
            path.unlink(missing_ok=True)
        raise
    pub = audit.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    emit(ctx, f"ledger initialised: {env.url}\nkeys: {env.keys} (0600)\n"
              f"audit public key: {pub}",
         {"db": env.url, "keys": str(env.keys), "prices": str(env.prices),
          "audit_public_key": pub})


@ledger_group.command("deposit")
@click.argument("depositor")
@click.argument("amount")
@_id_option
@click.pass_context
def deposit_command(ctx: click.Context, depositor: str, amount: str,
                    command_id: str | None) -> None:
    """A lender DEPOSITOR adds AMOUNT (integer minor units) to the pool for shares."""
    amt = parse_amount(amount)
    with _get_env(ctx).open() as ledger:
        _emit_receipt(ctx, ledger.deposit(_command_id(command_id), depositor, amt))


@ledger_group.command("withdraw")
@click.argument("depositor")
@click.argument("shares")
@_id_option
@click.pass_context
def withdraw_command(ctx: click.Context, depositor: str, shares: str,
                     command_id: str | None) -> None:
    """A lender DEPOSITOR redeems SHARES for cash (rounded down)."""
    n = parse_amount(shares, "shares")
    with _get_env(ctx).open() as ledger:
        _emit_receipt(ctx, ledger.withdraw(_command_id(command_id), depositor, n))


@ledger_group.command("open-line")
@click.argument("decision", metavar="DECISION_JSON")
@_id_option
@click.pass_context
def open_line_command(ctx: click.Context, decision: str, command_id: str | None) -> None:
    """Open a credit line from a verified CreditDecision JSON file."""
    dec = CreditDecision.from_json_dict(read_json_file(decision, "credit decision"))
    with _get_env(ctx).open() as ledger:
        _emit_receipt(ctx, ledger.open_line(_command_id(command_id), dec))


@ledger_group.command("draw")
@click.argument("line")
@click.argument("amount")
@_id_option
@click.pass_context
def draw_command(ctx: click.Context, line: str, amount: str, command_id: str | None) -> None:
    """Borrow AMOUNT on credit line LINE (needs a good price and a healthy position)."""
    lid, amt = _line_arg(line), parse_amount(amount)
    with _get_env(ctx).open() as ledger:
        _emit_receipt(ctx, ledger.draw(_command_id(command_id), lid, amt))


@ledger_group.command("repay")
@click.argument("line")
@click.argument("amount")
@_id_option
@click.pass_context
def repay_command(ctx: click.Context, line: str, amount: str, command_id: str | None) -> None:
    """Repay up to AMOUNT on LINE (any excess is refunded)."""
    lid, amt = _line_arg(line), parse_amount(amount)
    with _get_env(ctx).open() as ledger:
        _emit_receipt(ctx, ledger.repay(_command_id(command_id), lid, amt))


@ledger_group.command("collateral")
@click.argument("line")
@click.argument("amount")
@click.option("--withdraw", "take_out", is_flag=True,
              help="Take collateral out instead of putting it in.")
@_id_option
@click.pass_context
def collateral_command(ctx: click.Context, line: str, amount: str, take_out: bool,
                       command_id: str | None) -> None:
    """Deposit (or with --withdraw, withdraw) AMOUNT of collateral minor units on LINE."""
    lid, amt = _line_arg(line), parse_amount(amount)
    with _get_env(ctx).open() as ledger:
        cid = _command_id(command_id)
        receipt = (ledger.withdraw_collateral(cid, lid, amt) if take_out
                   else ledger.deposit_collateral(cid, lid, amt))
        _emit_receipt(ctx, receipt)


@ledger_group.command("price")
@click.argument("price")
@click.option("--feed", type=click.Choice(["primary", "fallback"]), default="primary",
              show_default=True, help="Which manual feed reports the price.")
@click.option("--at", "at", default=None, metavar="UNIX_SECONDS",
              help="When the feed observed the price (default: now).")
@_id_option
@click.pass_context
def price_command(ctx: click.Context, price: str, feed: str, at: str | None,
                  command_id: str | None) -> None:
    """Record PRICE (money minor units per price_scale collateral units) from a manual feed,
    then run the oracle on it (the circuit breaker may refuse it: exit 1)."""
    value = parse_amount(price, "price")
    when = int(time.time()) if at is None else parse_uint(at, "--at", maximum=_MAX_TIME - 1)
    env = _get_env(ctx)
    prices = _load_prices(env.prices)
    _load_keys(env.keys)  # refuse before writing anything if the ledger is not set up
    prices[feed] = (value, when)
    write_file_atomic(env.prices, _prices_bytes(prices), replace=True)
    with env.open() as ledger:
        _emit_receipt(ctx, ledger.update_price(_command_id(command_id)))


@ledger_group.command("accrue")
@click.option("--line", "line", default=None, help="Also journal this line's interest.")
@_id_option
@click.pass_context
def accrue_command(ctx: click.Context, line: str | None, command_id: str | None) -> None:
    """Accrue interest indexes to now (and one line's interest with --line)."""
    lid = None if line is None else _line_arg(line)
    with _get_env(ctx).open() as ledger:
        _emit_receipt(ctx, ledger.accrue(_command_id(command_id), lid))


@ledger_group.command("liquidate")
@click.argument("line")
@click.argument("liquidator")
@click.argument("amount")
@_id_option
@click.pass_context
def liquidate_command(ctx: click.Context, line: str, liquidator: str, amount: str,
                      command_id: str | None) -> None:
    """LIQUIDATOR repays up to AMOUNT of an unhealthy LINE (HF < 1) for collateral + bonus."""
    lid, amt = _line_arg(line), parse_amount(amount)
    with _get_env(ctx).open() as ledger:
        _emit_receipt(ctx, ledger.liquidate(_command_id(command_id), lid, liquidator, amt))


def _line_ids(ledger: Ledger) -> list[int]:
    with ledger.engine.connect() as conn:
        return [int(i) for i in conn.execute(
            select(storage.lines.c.id).order_by(storage.lines.c.id)).scalars()]


@ledger_group.command("status")
@click.option("--line", "line", default=None, help="Show only this line.")
@click.pass_context
def status_command(ctx: click.Context, line: str | None) -> None:
    """Print the pool and the credit lines (a table, or --json)."""
    lid = None if line is None else _line_arg(line)
    with _get_env(ctx).open() as ledger:
        pool = ledger.pool_state()
        ids = [lid] if lid is not None else _line_ids(ledger)
        views = [ledger.line(i) for i in ids]
    pool_d = {k: getattr(pool, k) for k in (
        "cash", "total_debt", "total_collateral", "total_shares", "deposits", "interest",
        "reserve", "losses", "last_accrual")}
    lines_d = [{k: getattr(v, k) for k in (
        "id", "tier", "status", "credit_limit", "debt", "debt_now", "collateral", "due_at",
        "expires_at", "borrower_id", "lender_id")} for v in views]
    text = ["pool:"] + [f"  {k:<17}{v}" for k, v in pool_d.items()]
    header = f"{'line':>5} {'tier':>4} {'status':<12} {'limit':>12} {'debt_now':>12} " \
             f"{'collateral':>14} {'due_at':>11}"
    text += ["lines:" if views else "lines: none"]
    if views:
        text.append(header)
        text += [f"{d['id']:>5} {d['tier']:>4} {d['status']:<12} {d['credit_limit']:>12} "
                 f"{d['debt_now']:>12} {d['collateral']:>14} {d['due_at']:>11}" for d in lines_d]
    emit(ctx, "\n".join(text), {"pool": _jsonable(pool_d), "lines": _jsonable(lines_d)})


@ledger_group.command("audit")
@click.pass_context
def audit_command(ctx: click.Context) -> None:
    """Check the books (double entry, balances, identities) and the signed audit log;
    exit 1 if anything is wrong."""
    with _get_env(ctx).open() as ledger:
        report = ledger.audit()
        log = ledger.audit_log()
        count = verify_audit_log(log, ledger.audit_public_key())
    data = {"ok": report.ok, "entries": report.entries, "postings": report.postings,
            "debits": dict(report.debits), "credits": dict(report.credits),
            "problems": list(report.problems), "audit_log_entries": count}
    human = [f"entries {report.entries}, postings {report.postings}, "
             f"audit log {count} signed records (chain and signatures verified)"]
    human += [f"  {cur}: debits {report.debits.get(cur, 0)} credits "
              f"{report.credits.get(cur, 0)}" for cur in sorted(set(report.debits)
                                                                | set(report.credits))]
    human += [f"  PROBLEM: {p}" for p in report.problems]
    human.append("books balance" if report.ok else "AUDIT FAILED")
    emit(ctx, "\n".join(human), {k: _jsonable(v) for k, v in data.items()})
    if not report.ok:
        ctx.exit(1)
