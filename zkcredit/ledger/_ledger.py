"""The ledger: commands over a double-entry journal, each one idempotent and atomic.

Commands run in batches (`Ledger.submit_many`; a single-command method is a batch of
one), one database transaction per batch (see `_storage`). Each command, in its own
savepoint: look up its id, accrue the tier indexes to now, do the work as balanced
journal entries, store the result under the id. A refused command (a `ZkCreditError`
from its work) rolls back to its savepoint and leaves no trace, so its id may be used
again (issue 7's contract); with ``store_refusals=True`` its refusal is stored under its
id instead, so a retry returns the same refusal and the id cannot be reused with another
payload. Anything else (a storage error, a bug) aborts the whole batch.

Accounts (currency ``USD`` stands for the lending currency's minor units, ``COL`` for
the collateral asset's minor units):

===================== ====== ====== ==================================================
account               cur.   normal meaning
===================== ====== ====== ==================================================
pool:cash             USD    D      cash the pool holds
pool:deposits         USD    C      lenders' contributed capital
pool:interest         USD    C      interest (and donations) earned for lenders
pool:reserve          USD    C      protocol reserve (reserve factor of interest)
pool:losses           USD    D      deficits the lenders bore after the reserve
line:N:debt           USD    D      what borrower of line N owes (principal+interest)
custody:collateral    COL    D      collateral the ledger holds
line:N:collateral     COL    C      collateral owed back to borrower of line N
===================== ====== ====== ==================================================

so ``cash + Σdebt + losses = deposits + interest + reserve`` and
``custody = Σ line collateral``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import Connection, bindparam, case, func, select, update
from sqlalchemy.engine import Row

from zkcredit import errors
from zkcredit.decision import CreditDecision
from zkcredit.errors import (
    AuditFailed,
    CreditLimitExceeded,
    DuplicateLine,
    ExposureCapReached,
    ExposureEpochClosed,
    IdempotencyConflict,
    InsufficientBalance,
    InsufficientLiquidity,
    InvalidAmount,
    InvalidArgument,
    InvalidEncoding,
    LedgerError,
    LineClosed,
    LineExpired,
    MalformedInput,
    NotInDefault,
    NotLiquidatable,
    RiskLimit,
    SelfLiquidation,
    StorageError,
    UnhealthyPosition,
    UnknownLine,
    ZkCreditError,
)
from zkcredit.ledger import _storage as db
from zkcredit.ledger._config import NO_PROOF_TIER, LedgerConfig
from zkcredit.ledger._fixed import (
    BPS,
    MAX_MONEY,
    RAY,
    check_amount,
    div_up,
    mul_div_down,
    mul_div_up,
)
from zkcredit.ledger._oracle import PRIMARY, PriceFeed, PriceSnapshot, resolve_price
from zkcredit.ledger._records import (
    GENESIS,
    AuditLogEntry,
    RecordSigner,
    Tradeline,
    canonical_json,
    link_message,
)
from zkcredit.ledger._risk import (
    accrue_index,
    covers,
    ewma_update,
    health_factor_ray,
    required_ratio_bps,
    value_at_risk_bps,
)

__all__ = ["DUPLICATE", "KINDS", "OK", "REFUSED", "AuditReport", "Command", "CommandResult",
           "ExposureClaims",
           "Ledger", "LineView", "PoolView", "Receipt"]

USD = "USD"
COL = "COL"
_FIXED_ACCOUNTS = (
    ("pool:cash", USD, "D", "cash"),
    ("pool:deposits", USD, "C", "deposits"),
    ("pool:interest", USD, "C", "interest"),
    ("pool:reserve", USD, "C", "reserve"),
    ("pool:losses", USD, "D", "losses"),
    ("custody:collateral", COL, "D", "custody"),
)
_NEVER = 2**63 - 1
_DAY = 86_400


_DEBT_A = db.accounts.alias("debt_a")
_COLL_A = db.accounts.alias("coll_a")
_LINE_QUERY = (
    select(db.lines, _DEBT_A.c.balance.label("debt_bal"), _COLL_A.c.balance.label("coll_bal"))
    .join(_DEBT_A, _DEBT_A.c.id == db.lines.c.debt_account)
    .join(_COLL_A, _COLL_A.c.id == db.lines.c.collateral_account)
    .where(db.lines.c.id == bindparam("lid"))
)


def _exposure_of(decision: CreditDecision) -> tuple[int, int, int]:
    return decision.slot_nullifier, decision.exposure_epoch, decision.lender_id


def _refuse_with(exc: ZkCreditError) -> Callable[[_Ctx], dict[str, int | str | None]]:
    """Work that refuses with ``exc`` (a refusal decided before the transaction)."""
    def work(_ctx: _Ctx) -> dict[str, int | str | None]:
        raise exc
    return work


def _wall_clock() -> int:
    return int(time.time())


@dataclass(frozen=True, slots=True)
class Receipt:
    """The stored result of a command; a retry with the same id returns an equal one."""

    command_id: str
    kind: str
    seq: int
    at: int
    values: Mapping[str, int | str | None]

    def __getitem__(self, name: str) -> int | str | None:
        return self.values[name]

    def int(self, name: str) -> int:
        value = self.values[name]
        if type(value) is not int:
            raise KeyError(name)
        return value

    def to_json(self) -> str:
        return canonical_json({"command_id": self.command_id, "kind": self.kind,
                               "seq": self.seq, "at": self.at,
                               "values": dict(self.values)}).decode("ascii")

    @classmethod
    def from_json(cls, text: str) -> Receipt:
        obj = json.loads(text)
        return cls(obj["command_id"], obj["kind"], obj["seq"], obj["at"], obj["values"])


#: Outcomes of one command in a batch (`CommandResult.status`).
OK = "ok"
REFUSED = "refused"
DUPLICATE = "duplicate"

#: The command kinds a batch accepts: the names of the single-command methods.
KINDS = frozenset({
    "deposit", "withdraw", "donate", "open_line", "open_unproven_line", "renew_line",
    "deposit_collateral", "withdraw_collateral", "draw", "repay", "accrue", "update_price",
    "liquidate", "mark_default",
})

# What a command's own work may raise as a refusal, and what is never one (it aborts the
# whole batch): a storage failure or a failed audit says nothing about the command.
_REFUSALS = ZkCreditError
_NOT_REFUSALS = (StorageError, AuditFailed)


@dataclass(frozen=True, slots=True)
class Command:
    """One command of a batch: ``kind`` names a `Ledger` method, ``args`` are that
    method's arguments after the command id, positionally (``Command("draw", "c1",
    (line_id, 500))`` is ``ledger.draw("c1", line_id, 500)``)."""

    kind: str
    command_id: str
    args: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidArgument(f"unknown command kind {self.kind!r}")
        if not isinstance(self.args, tuple):
            raise InvalidArgument("Command.args must be a tuple")


@dataclass(frozen=True, slots=True)
class CommandResult:
    """The answer to one command of a batch.

    ``status`` is ``ok`` (``receipt`` set), ``refused`` (``error`` = the exception class
    name, ``message``) or ``duplicate`` (the id was seen before with the same payload:
    the stored receipt, or the stored refusal's ``error``/``message``). ``exception`` is
    the refusal raised in this call (not compared; absent for a stored one).
    """

    command_id: str
    kind: str
    status: str
    receipt: Receipt | None = None
    error: str | None = None
    message: str | None = None
    exception: ZkCreditError | None = field(default=None, compare=False, repr=False)

    @classmethod
    def refusal(cls, command_id: object, kind: str, exc: ZkCreditError) -> CommandResult:
        return cls(str(command_id), kind, REFUSED, error=type(exc).__name__,
                   message=str(exc), exception=exc)

    @property
    def ok(self) -> bool:
        """True when the command's effects are in the books (now or earlier)."""
        return self.receipt is not None

    def as_duplicate(self) -> CommandResult:
        return CommandResult(self.command_id, self.kind, DUPLICATE, receipt=self.receipt,
                             error=self.error, message=self.message)

    def unwrap(self) -> Receipt:
        """The receipt, or raise the refusal (the original exception when this call
        raised it, else one rebuilt from the stored class name and message)."""
        if self.receipt is not None:
            return self.receipt
        if self.exception is not None:
            raise self.exception
        cls = getattr(errors, self.error or "", None)
        if isinstance(cls, type) and issubclass(cls, LedgerError | MalformedInput):
            raise cls(self.message or "")
        raise LedgerError(f"{self.error}: {self.message}")


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A validated command waiting for its transaction: id, payload hash, and its work."""

    kind: str
    cid: str
    payload_hash: str
    work: Callable[[_Ctx], dict[str, int | str | None]]
    #: The exposure slot the command spends: (slot_nullifier, exposure_epoch, lender_id).
    exposure: tuple[int, int, int] | None = None


class ExposureClaims(Protocol):
    """The part of the shared exposure registry the ledger uses (`ExposureRegistry`)."""

    def claim(self, slot_nullifier: int, epoch: int, lender_id: int,
              claim_ref: str) -> object: ...

    def release(self, slot_nullifier: int, lender_id: int, claim_ref: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class LineView:
    id: int
    borrower_id: int
    lender_id: int
    tier: int
    status: str
    credit_limit: int
    expires_at: int
    debt: int  # as journaled at the last touch
    debt_now: int  # including interest accrued to the clock's now (rounded up)
    collateral: int
    due_at: int


@dataclass(frozen=True, slots=True)
class PoolView:
    cash: int
    total_debt: int
    total_collateral: int
    total_shares: int
    deposits: int
    interest: int
    reserve: int
    losses: int
    last_accrual: int

    @property
    def lender_assets(self) -> int:
        """What lenders' shares are worth: cash + debt − reserve."""
        return self.cash + self.total_debt - self.reserve


@dataclass(frozen=True, slots=True)
class AuditReport:
    """Result of `Ledger.audit`: totals, and every discrepancy found (empty when sound)."""

    entries: int
    postings: int
    debits: Mapping[str, int]
    credits: Mapping[str, int]
    pool: PoolView
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_for_problems(self) -> None:
        if self.problems:
            raise AuditFailed("; ".join(self.problems))


@dataclass(slots=True)
class _Line:
    id: int
    borrower_id: str
    lender_id: str
    tier: int
    status: str
    credit_limit: int
    expires_at: int
    debt_account: int
    collateral_account: int
    index_snapshot: int
    opened_at: int
    cycle_opened_at: int
    cycle_drawn: int
    cycle_repaid: int
    due_at: int
    max_days_late: int
    debt: int
    collateral: int


@dataclass(slots=True)
class _Ctx:
    conn: Connection
    seq: int
    now: int
    indexes: dict[int, int] = field(default_factory=dict)
    snapshot: PriceSnapshot | None = None
    var_ray: int = 0


def _ident(name: str, value: object) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 128 or not value.isascii() or not (
        value.isprintable()
    ):
        raise InvalidEncoding(f"{name} must be 1..128 printable ASCII characters")
    return value


def _field_id(name: str, value: object) -> int:
    if type(value) is not int or value < 0:
        raise InvalidArgument(f"{name} must be a non-negative int field element")
    return value


class Ledger:
    """An under-collateralized loan ledger over one pool and one collateral asset.

    Args:
        url: ``sqlite:///path/to/ledger.db`` (default engine) or
            ``postgresql+psycopg://user@host:port/db``.
        primary_feed / fallback_feed: collateral price feeds (`PriceFeed`).
        record_signer: issuer signer for emitted tradelines (`RecordSigner`).
        audit_key: the Ed25519 key that signs the ledger's audit log.
        clock: injected time source returning Unix seconds as an int.
        store_refusals: False (default, the issue-7 contract): a refused command leaves
            no trace and its id may be used again. True (TigerBeetle's rule): the refusal
            is stored under its id, a retry returns it and the id is spent.
    """

    def __init__(
        self,
        url: str,
        *,
        primary_feed: PriceFeed,
        record_signer: RecordSigner,
        audit_key: Ed25519PrivateKey,
        fallback_feed: PriceFeed | None = None,
        config: LedgerConfig | None = None,
        clock: Callable[[], int] = _wall_clock,
        store_refusals: bool = False,
        exposure: ExposureClaims | None = None,
    ) -> None:
        if type(store_refusals) is not bool:
            raise InvalidArgument("store_refusals must be a bool")
        if exposure is not None and not (
            callable(getattr(exposure, "claim", None))
            and callable(getattr(exposure, "release", None))
        ):
            raise InvalidArgument("exposure must be an exposure registry (claim, release)")
        self.store_refusals = store_refusals
        #: The shared exposure registry opens and renewals claim their slot in, if any.
        self.exposure = exposure
        self.config = config if config is not None else LedgerConfig()
        self._clock = clock
        self._primary = primary_feed
        self._fallback = fallback_feed
        self._signer = record_signer
        self._audit_key = audit_key
        self.engine = db.open_engine(url)
        db.migrate(self.engine, self._now_raw())
        self._acct = db.run_transaction(self.engine, self._bootstrap)

    # ----------------------------------------------------------------- set-up
    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _now_raw(self) -> int:
        now = self._clock()
        if type(now) is not int or now < 0:
            raise InvalidArgument("the clock must return non-negative int seconds")
        return now

    def _bootstrap(self, conn: Connection) -> dict[str, int]:
        now = self._now_raw()
        if conn.execute(select(db.pool.c.id)).first() is None:
            conn.execute(db.pool.insert().values(
                id=1, cash=0, total_debt=0, total_collateral=0, total_shares=0,
                last_accrual=now))
            conn.execute(db.oracle_state.insert().values(
                id=1, status=PRIMARY, last_price=None, last_at=0, ewma_var="0",
                sample_price=None, sample_at=0))
            for name, cur, normal, role in _FIXED_ACCOUNTS:
                conn.execute(db.accounts.insert().values(
                    name=name, currency=cur, normal=normal, role=role, balance=0))
        last = conn.execute(select(db.pool.c.last_accrual)).scalar_one()
        have = set(conn.execute(select(db.tier_indexes.c.tier)).scalars())
        for tier in sorted(set(self.config.tiers) - have):
            conn.execute(db.tier_indexes.insert().values(
                tier=tier, borrow_index=str(RAY), updated_at=last))
        rows = conn.execute(select(db.accounts.c.role, db.accounts.c.id).where(
            db.accounts.c.name.in_([a[0] for a in _FIXED_ACCOUNTS])))
        return {r.role: int(r.id) for r in rows}

    # --------------------------------------------------------------- commands
    def _prepare(
        self, kind: str, key: object, payload: Mapping[str, object],
        work: Callable[[_Ctx], dict[str, int | str | None]],
        *,
        exposure: tuple[int, int, int] | None = None,
    ) -> _Prepared:
        """Validate a command's id and hash its payload; the work runs later, in a batch."""
        cid = _ident("command id", key)
        digest = hashlib.sha256(canonical_json({"kind": kind, "payload": dict(payload)}))
        return _Prepared(kind, cid, digest.hexdigest(), work, exposure)

    def _one(self, prepared: _Prepared) -> Receipt:
        """The single-command API: a batch of one, raising its refusal as before."""
        return self._run_batch([prepared])[0].unwrap()

    def submit_many(self, commands: Sequence[Command]) -> list[CommandResult]:
        """Apply ``commands`` in order in ONE durable transaction; one result each.

        Each command runs inside its own savepoint: a refusal (a rule of the ledger said
        no, or its arguments are malformed) rolls back only that command and the batch
        goes on. A command id stored before (in an earlier batch or earlier in this one)
        with the same payload answers ``duplicate`` with the stored outcome; with another
        payload it is refused with ``IdempotencyConflict``. What is stored: every
        success; a refusal only with ``store_refusals=True`` (otherwise a refused id is
        free again, as for the single-command API since issue 7); malformed commands
        (bad id or arguments, found before the database is touched) never.

        Anything that is not a refusal (``StorageError``, a driver error, a bug) aborts
        the whole batch: nothing of it is committed and the exception propagates. A lost
        race (``SQLITE_BUSY``, SQLSTATE 40001) re-runs the whole batch from scratch.
        When this returns, every result in it is durable (one commit, one fsync).

        With an exposure registry, ``open_line`` and ``renew_line`` claim their slot first
        (a used slot is that command's ``ExposureCapReached``); claims of commands that
        opened nothing are released after the transaction, or after an abort.
        """
        if not isinstance(commands, list | tuple):
            raise InvalidArgument("submit_many takes a list or tuple of Command")
        items: list[_Prepared | CommandResult] = []
        for cmd in commands:
            if not isinstance(cmd, Command):
                raise InvalidArgument(f"not a Command: {type(cmd).__name__}")
            try:
                items.append(getattr(self, f"_prep_{cmd.kind}")(cmd.command_id, *cmd.args))
            except TypeError as exc:
                items.append(CommandResult.refusal(cmd.command_id, cmd.kind, InvalidArgument(
                    f"bad arguments for {cmd.kind}: {exc}")))
            except _REFUSALS as exc:
                if isinstance(exc, _NOT_REFUSALS):
                    raise
                items.append(CommandResult.refusal(cmd.command_id, cmd.kind, exc))
        if not any(isinstance(it, _Prepared) for it in items):
            return [it for it in items if isinstance(it, CommandResult)]
        return self._run_batch(items)

    def _run_batch(self, items: Sequence[_Prepared | CommandResult]) -> list[CommandResult]:
        """Claim the exposure slots the batch spends, run it, and release the claims of
        the commands that did not open or renew a line (docs/exposure.md: a refusal or an
        aborted batch releases; only a crash between the claim and the commit leaves a
        claim without a line, which costs the borrower that slot, never the lender)."""
        claimed, items = self._claim_exposure(items)
        try:
            results = self._run_transaction(items)
        except BaseException:
            self._release_exposure([c for _, c in claimed])
            raise
        self._release_exposure([c for i, c in claimed if results[i].receipt is None])
        return results

    def _claim_exposure(
        self, items: Sequence[_Prepared | CommandResult],
    ) -> tuple[list[tuple[int, _Prepared]], list[_Prepared | CommandResult]]:
        """Claim each command's exposure slot in the registry before the ledger's own
        transaction. A refused claim (the slot is held by another line, its epoch closed)
        becomes the command's work, so the transaction still answers a command id it
        stored before as a duplicate with its stored outcome (a late replay), and refuses
        only a new command."""
        out = list(items)
        claimed: list[tuple[int, _Prepared]] = []
        if self.exposure is None:
            return claimed, out
        for i, it in enumerate(items):
            if not isinstance(it, _Prepared) or it.exposure is None:
                continue
            slot, epoch, lender = it.exposure
            try:
                self.exposure.claim(slot, epoch, lender, it.cid)
            except (ExposureCapReached, ExposureEpochClosed, IdempotencyConflict) as exc:
                out[i] = dataclasses.replace(it, work=_refuse_with(exc))
                continue
            except BaseException:
                self._release_exposure([c for _, c in claimed])
                raise
            claimed.append((i, it))
        return claimed, out

    def _release_exposure(self, claims: Sequence[_Prepared]) -> None:
        """Give back claims no line holds; a registry failure here only strands a slot."""
        if self.exposure is None:
            return
        for it in claims:
            assert it.exposure is not None
            slot, _epoch, lender = it.exposure
            # On a registry failure the claim stays: the borrower loses the slot, not the
            # lender (docs/exposure.md).
            with contextlib.suppress(ZkCreditError):
                self.exposure.release(slot, lender, it.cid)

    def _run_transaction(self, items: Sequence[_Prepared | CommandResult]) -> list[CommandResult]:
        """One write transaction over the prepared commands (see `submit_many`)."""
        keys = sorted({it.cid for it in items if isinstance(it, _Prepared)})

        def body(conn: Connection) -> list[CommandResult]:
            # The pool row is the ledger's write lock (PostgreSQL: queue, do not abort).
            conn.execute(select(db.pool.c.last_accrual).with_for_update()).scalar_one()
            known: dict[str, CommandResult | tuple[str, str]] = {}
            hashes: dict[str, str] = {}
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                for row in conn.execute(select(
                        db.commands.c.key, db.commands.c.payload_hash, db.commands.c.result)
                        .where(db.commands.c.key.in_(chunk))):
                    hashes[row.key] = row.payload_hash
                    known[row.key] = ("ok", row.result)
                for row in conn.execute(select(db.refusals).where(db.refusals.c.key.in_(chunk))):
                    hashes[row.key] = row.payload_hash
                    known[row.key] = (row.error, row.message)
            results: list[CommandResult] = []
            for it in items:
                if isinstance(it, CommandResult):
                    results.append(it)
                    continue
                if it.cid in known:
                    if hashes[it.cid] != it.payload_hash:
                        results.append(CommandResult.refusal(it.cid, it.kind, IdempotencyConflict(
                            f"command id {it.cid!r} was already used with a different payload")))
                        continue
                    prior = known[it.cid]
                    if isinstance(prior, CommandResult):
                        results.append(prior.as_duplicate())
                    elif prior[0] == "ok":
                        results.append(CommandResult(it.cid, it.kind, DUPLICATE,
                                                     receipt=Receipt.from_json(prior[1])))
                    else:
                        results.append(CommandResult(it.cid, it.kind, DUPLICATE,
                                                     error=prior[0], message=prior[1]))
                    continue
                last = conn.execute(select(db.pool.c.last_accrual)).scalar_one()
                now = max(self._now_raw(), int(last))
                savepoint = conn.begin_nested()
                try:
                    receipt = self._apply(conn, it, now)
                except _REFUSALS as exc:
                    if isinstance(exc, _NOT_REFUSALS):
                        raise
                    savepoint.rollback()
                    results.append(CommandResult.refusal(it.cid, it.kind, exc))
                    if self.store_refusals:
                        conn.execute(db.refusals.insert().values(
                            key=it.cid, kind=it.kind, payload_hash=it.payload_hash,
                            error=type(exc).__name__, message=str(exc), at=now))
                        known[it.cid] = results[-1]
                        hashes[it.cid] = it.payload_hash
                else:
                    savepoint.commit()
                    results.append(CommandResult(it.cid, it.kind, OK, receipt=receipt))
                    known[it.cid] = results[-1]
                    hashes[it.cid] = it.payload_hash
            return results

        return db.run_transaction(self.engine, body)

    def _apply(self, conn: Connection, it: _Prepared, now: int) -> Receipt:
        """Insert the command row, accrue, do the work, store the receipt (one savepoint)."""
        res = conn.execute(db.commands.insert().values(
            key=it.cid, kind=it.kind, payload_hash=it.payload_hash, result="", at=now))
        seq = _pk(res)
        ctx = _Ctx(conn, seq, now)
        self._accrue_all(ctx)
        values = it.work(ctx)
        receipt = Receipt(it.cid, it.kind, seq, now, values)
        conn.execute(update(db.commands).where(db.commands.c.seq == seq).values(
            result=receipt.to_json()))
        return receipt

    def _prep_deposit(self, command_id: str, depositor: str, amount: int) -> _Prepared:
        """A lender adds ``amount`` of cash and receives shares (rounded down)."""
        who = _ident("depositor", depositor)
        amt = check_amount("amount", amount)

        def work(ctx: _Ctx) -> dict[str, int | str | None]:
            p = self._pool(ctx.conn)
            assets = p.cash + p.total_debt - self._bal(ctx.conn, self._acct["reserve"])
            cfg = self.config
            shares = mul_div_down(amt, p.total_shares + cfg.virtual_shares,
                                  assets + cfg.virtual_assets)
            if shares == 0:
                raise InsufficientBalance("deposit too small to mint one share")
            if p.total_shares + shares > MAX_MONEY:
                raise InvalidAmount("deposit would take the share supply past 2^63")
            self._post(ctx, "deposit", [(self._acct["cash"], "D", amt),
                                        (self._acct["deposits"], "C", amt)])
            self._add_shares(ctx.conn, who, shares)
            return {"amount": amt, "shares": shares}

        return self._prepare("deposit", command_id, {"depositor": who, "amount": amt}, work)

    def _prep_withdraw(self, command_id: str, depositor: str, shares: int) -> _Prepared:
        """A lender burns ``shares`` for their value in cash (rounded down)."""
        who = _ident("depositor", depositor)
        nshares = check_amount("shares", shares)

        def work(ctx: _Ctx) -> dict[str, int | str | None]:
            have = ctx.conn.execute(select(db.depositors.c.shares).where(
                db.depositors.c.id == who)).scalar()
            if have is None or int(have) < nshares:
                raise InsufficientBalance(f"depositor {who!r} holds fewer than {nshares} shares")
            p = self._pool(ctx.conn)
            assets = p.cash + p.total_debt - self._bal(ctx.conn, self._acct["reserve"])
            cfg = self.config
            amt = mul_div_down(nshares, assets + cfg.virtual_assets,
                               p.total_shares + cfg.virtual_shares)
            if amt == 0:
                raise InsufficientBalance("withdrawal too small to pay out one minor unit")
            if amt > p.cash:
                raise InsufficientLiquidity(f"pool holds {p.cash}, withdrawal needs {amt}")
            from_interest = min(amt, self._bal(ctx.conn, self._acct["interest"]))
            self._post(ctx, "withdraw", [(self._acct["interest"], "D", from_interest),
                                         (self._acct["deposits"], "D", amt - from_interest),
                                         (self._acct["cash"], "C", amt)])
            self._add_shares(ctx.conn, who, -nshares)
            return {"amount": amt, "shares": nshares}

        return self._prepare("withdraw", command_id, {"depositor": who, "shares": nshares}, work)

    def _prep_donate(self, command_id: str, amount: int) -> _Prepared:
        """Cash given to the pool for nothing (counts as lenders' income)."""
        amt = check_amount("amount", amount)

        def work(ctx: _Ctx) -> dict[str, int | str | None]:
            self._post(ctx, "donation", [(self._acct["cash"], "D", amt),
                                         (self._acct["interest"], "C", amt)])
            return {"amount": amt}

        return self._prepare("donate", command_id, {"amount": amt}, work)

    def _prep_open_line(self, command_id: str, decision: CreditDecision) -> _Prepared:
        """Open a credit line from a verified decision; one line per (lender, nullifier)."""
        if not isinstance(decision, CreditDecision):
            raise InvalidArgument("open_line needs a CreditDecision")
        terms = self.config.terms(decision.tier)

        def work(ctx: _Ctx) -> dict[str, int | str | None]:
            if decision.expires_at <= ctx.now:
                raise LineExpired("the credit decision has already expired")
            self._claim_nullifier_free(ctx.conn, decision)
            line_id = self._create_line(
                ctx, borrower=str(decision.borrower_id), lender=str(decision.lender_id),
                tier=decision.tier, model=str(decision.model_id),
                threshold=str(decision.threshold), limit=terms.credit_limit,
                expires_at=decision.expires_at)
            ctx.conn.execute(db.line_nullifiers.insert().values(
                lender_id=str(decision.lender_id), nullifier=str(decision.nullifier),
                line_id=line_id))
            return {"line_id": line_id, "tier": decision.tier,
                    "credit_limit": terms.credit_limit}

        return self._prepare("open_line", command_id, decision.to_json_dict(), work,
                             exposure=_exposure_of(decision))

    def _prep_open_unproven_line(
        self, command_id: str, borrower_id: int, lender_id: int,
    ) -> _Prepared:
        """Open a line for a borrower with no proof: the no-proof tier (150 % collateral)."""
        b = _field_id("borrower_id", borrower_id)
        lnd = _field_id("lender_id", lender_id)
        terms = self.config.terms(NO_PROOF_TIER)

        def work(ctx: _Ctx) -> dict[str, int | str | None]:
            line_id = self._create_line(ctx, borrower=str(b), lender=str(lnd),
                                        tier=NO_PROOF_TIER, model="0", threshold="0",
                                        limit=terms.credit_limit, expires_at=_NEVER)
            return {"line_id": line_id, "tier": NO_PROOF_TIER,
                    "credit_limit": terms.credit_limit}

        return self._prepare("open_unproven_line", command_id,
                             {"borrower_id": str(b), "lender_id": str(lnd)}, work)

    def _prep_renew_line(
        self, command_id: str, line_id: int, decision: CreditDecision,
    ) -> _Prepared:
        """Renew an open line with a fresh decision (new nullifier, new expiry and tier)."""
        lid = _field_id("line_id", line_id)
        if not isinstance(decision, CreditDecision):
            raise InvalidArgument("renew_line needs a CreditDecision")
        terms = self.config.terms(decision.tier)

        def work(ctx: _Ctx) -> dict[str, int | str | None]:
            line = self._load_open(ctx, lid)
            if (line.borrower_id, line.lender_id) != (str(decision.borrower_id),
                                                      str(decision.lender_id)):
                raise InvalidArgument("the decision is for another borrower or lender")
            if decision.expires_at <= ctx.now:
                raise LineExpired("the renewing decision has already expired")
            self._claim_nullifier_free(ctx.conn, decision)
            self._touch(ctx, line)
            ctx.conn.execute(update(db.lines).where(db.lines.c.id == lid).values(
                tier=decision.tier, credit_limit=terms.credit_limit,
                expires_at=decision.expires_at, model_id=str(decision.model_id),
                threshold=str(decision.threshold),
                index_snapshot=str(ctx.indexes[decision.tier])))
            ctx.conn.execute(db.line_nullifiers.insert().values(
                lender_id=str(decision.lender_id), nullifier=str(decision.nullifier),
                line_id=lid))
            return {"line_id": lid, "tier": decision.tier, "credit_limit": terms.credit_limit,
                    "expires_at": decision.expires_at}

        payload = {"line_id": lid, **decision.to_json_dict()}
        return self._prepare("renew_line", command_id, payload, work,
                             exposure=_exposure_of(decision))

    def _prep_deposit_collateral(self, command_id: str, line_id: int, amount: int) -> _Prepared:
        lid = _field_id("line_id", line_id)
        amt = check_amount("amount", amount)

        def work(ctx: _Ctx) -> dict[str, int | str | None]:
            line = self._load_open(ctx, lid)
            self._post(ctx, "collateral_in", [(self._acct["custody"], "D", amt),
                                              (line.collateral_account, "C", amt)])
            return {"line_id": lid, "amount": amt, "collateral": line.collateral + amt}

        return self._prepare("deposit_collateral", command_id,
                             {"line_id": lid, "amount": amt}, work)

    def _prep_withdraw_collateral(self, command_id: str, line_id: int, amount: int) -> _Prepared:
        """Return collateral; with debt outstanding the line must stay healthy (D8)."""
        lid = _field_id("line_id", line_id)
        amt = check_amount("amount", amount)

        def work(ctx: _Ctx) -> dict[str, int | str | None]:
            line = self._load(ctx.conn, lid)
            debt = self._touch(ctx, line) if line.status == "open" else line.debt
            if amt > line.collateral:
                raise InsufficientBalance(f"line {lid} holds {line.collateral} collateral")
            if debt > 0:
                self._require_safe(ctx, line, line.collateral - amt, debt)
            self._post(ctx, "collateral_out", [(line.collateral_account, "D", amt),
                                               (self._acct["custody"], "C", amt)])
            return {"line_id": lid, "amount": amt, "collateral": line.collateral - amt}

        return self._prepare("withdraw_collateral", command_id,
                             {"line_id": lid, "amount": amt}, work)

    def _prep_draw(self, command_id: str, line_id: int, amount: int) -> _Prepared:
        """Borrow ``amount`` from the pool on a line (limit, expiry, price, VaR, HF checks)."""
        lid = _field_id("line_id", line_id)
        amt = check_amount("amount", amount)

        def work(ctx: _Ctx) -> dict[str, int | str | None]:
            line = self._load_open(ctx, lid)
            if ctx.now >= line.expires_at:
                raise LineExpired(f"line {lid}'s decision expired; renew it with a new proof")
            debt = self._touch(ctx, line)
            new_debt = debt + amt
            if new_debt > line.credit_limit:
                raise CreditLimitExceeded(
                    f"draw of {amt} takes debt to {new_debt} > limit {line.credit_limit}")
            cash = self._pool(ctx.conn).cash
            if amt > cash:
                raise InsufficientLiquidity(f"pool holds {cash}, draw needs {amt}")
            self._require_safe(ctx, line, line.collateral, new_debt)
            self._post(ctx, "draw", [(line.debt_account, "D", amt),
                                     (self._acct["cash"], "C", amt)])
            changes: dict[str, int] = {"cycle_drawn": line.cycle_drawn + amt}
            if debt == 0:
                changes["due_at"] = ctx.now + self.config.risk.payment_interval
                if line.cycle_drawn == 0:
                    changes["cycle_opened_at"] = ctx.now
            ctx.conn.execute(update(db.lines).where(db.lines.c.id == lid).values(**changes))
            return {"line_id": lid, "amount": amt, "debt": new_debt}

        return self._prepare("draw", command_id, {"line_id": lid, "amount": amt}, work)

    def _prep_repay(self, command_id: str, line_id: int, amount: int) -> _Prepared:
        """Repay up to ``amount``; anything above what is owed is not taken (``refund``)."""
        lid = _field_id("line_id", line_id)
        amt = check_amount("amount", amount)

        def work(ctx: _Ctx) -> dict[str, int | str | None]:
            line = self._load(ctx.conn, lid)
            debt = self._touch(ctx, line) if line.status == "open" else line.debt
            paid = min(amt, debt)
            if paid:
                self._post(ctx, "repay", [(self._acct["cash"], "D", paid),
                                          (line.debt_account, "C", paid)])
            left = debt - paid
            changes: dict[str, int] = {"cycle_repaid": line.cycle_repaid + paid}
            risk = self.config.risk
            if paid and (paid >= div_up(debt * risk.min_payment_bps, BPS) or left == 0):
                late = max(0, ctx.now - line.due_at) // _DAY
                changes["max_days_late"] = max(line.max_days_late, late)
                changes["due_at"] = ctx.now + risk.payment_interval
            if paid and left == 0:
                self._emit(ctx, line, "repaid", changes["max_days_late"],
                           line.cycle_repaid + paid)
                changes.update(cycle_drawn=0, cycle_repaid=0, max_days_late=0, due_at=_NEVER)
            ctx.conn.execute(update(db.lines).where(db.lines.c.id == lid).values(**changes))
            return {"line_id": lid, "paid": paid, "refund": amt - paid, "debt": left}

        return self._prepare("repay", command_id, {"line_id": lid, "amount": amt}, work)

    def _prep_accrue(self, command_id: str, line_id: int | None = None) -> _Prepared:
        """Accrue the tier indexes to now, and journal one line's interest if given."""
        lid = None if line_id is None else _field_id("line_id", line_id)

        def work(ctx: _Ctx) -> dict[str, int | str | None]:
            debt: int | None = None
            if lid is not None:
                line = self._load(ctx.conn, lid)
                debt = self._touch(ctx, line) if line.status == "open" else line.debt
            return {"line_id": lid, "debt": debt}

        return self._prepare("accrue", command_id, {"line_id": lid}, work)

    def _prep_update_price(self, command_id: str) -> _Prepared:
        """Read the feeds once, advance the oracle state and the volatility estimate."""

        def work(ctx: _Ctx) -> dict[str, int | str | None]:
            snap = self._price(ctx)
            var_bps = value_at_risk_bps(ctx.var_ray, self.config.risk.horizon,
                                        self.config.risk.z_ray)
            return {"price": snap.price, "updated_at": snap.updated_at, "source": snap.source,
                    "var_bps": var_bps}

        return self._prepare("update_price", command_id, {}, work)

    def _prep_liquidate(
        self, command_id: str, line_id: int, liquidator: str, amount: int,
    ) -> _Prepared:
        """Repay up to the close factor of an unhealthy line (HF < 1) for collateral + bonus."""
        lid = _field_id("line_id", line_id)
        who = _ident("liquidator", liquidator)
        amt = check_amount("amount", amount)

        def work(ctx: _Ctx) -> dict[str, int | str | None]:
            line = self._load_open(ctx, lid)
            if who == line.borrower_id:
                raise SelfLiquidation("a borrower cannot liquidate its own line")
            snap = self._price(ctx)  # first: no liquidation decision without a good price
            debt = self._touch(ctx, line)
            if debt == 0:
                raise NotLiquidatable(f"line {lid} has no debt")
            risk, scale = self.config.risk, self.config.oracle.price_scale
            allowance = self._allowance(line.tier)
            coll = line.collateral
            if covers(coll, snap.price, scale, weight_bps=risk.liquidation_threshold_bps,
                      allowance=allowance, debt=debt):
                raise NotLiquidatable(f"line {lid} has health factor ≥ 1")
            if coll == 0:
                raise NotLiquidatable(f"line {lid} has no collateral; it defaults after grace")
            max_repay = debt if debt <= risk.full_close_below else max(
                1, debt * risk.close_factor_bps // BPS)
            repay = min(amt, max_repay)
            bonus = BPS + risk.liquidation_bonus_bps
            seize = mul_div_down(repay * bonus, scale, BPS * snap.price)
            if seize >= coll:
                seize = coll
                repay = min(repay, mul_div_up(coll * snap.price, BPS, scale * bonus))
            if seize == 0:
                raise NotLiquidatable("repay too small to seize one unit of collateral")
            self._post(ctx, "liquidation", [
                (self._acct["cash"], "D", repay), (line.debt_account, "C", repay),
                (line.collateral_account, "D", seize), (self._acct["custody"], "C", seize)])
            left = debt - repay
            deficit = 0
            status = "open"
            if coll - seize == 0 and left > 0:
                deficit = left
                self._write_off(ctx, line, deficit)
                status = "charged_off"
                self._emit(ctx, line, status, self._days_late(ctx, line),
                           line.cycle_repaid + repay)
            elif left == 0:
                self._emit(ctx, line, "liquidated", self._days_late(ctx, line),
                           line.cycle_repaid + repay)
            changes: dict[str, int | str] = {"status": status,
                                             "cycle_repaid": line.cycle_repaid + repay}
            if left == 0:
                changes.update(cycle_drawn=0, cycle_repaid=0, max_days_late=0, due_at=_NEVER)
            ctx.conn.execute(update(db.lines).where(db.lines.c.id == lid).values(**changes))
            return {"line_id": lid, "repaid": repay, "seized": seize, "deficit": deficit,
                    "debt": left - deficit, "price": snap.price}

        return self._prepare("liquidate", command_id,
                             {"line_id": lid, "liquidator": who, "amount": amt}, work)

    def _prep_mark_default(self, command_id: str, line_id: int) -> _Prepared:
        """Default a line past due plus grace: sell collateral at the oracle price, write
        off the rest against the reserve, then the pool, and emit a tradeline."""
        lid = _field_id("line_id", line_id)

        def work(ctx: _Ctx) -> dict[str, int | str | None]:
            line = self._load_open(ctx, lid)
            debt = self._touch(ctx, line)
            risk = self.config.risk
            if debt == 0 or ctx.now <= line.due_at + risk.grace_period:
                raise NotInDefault(f"line {lid} is not past due plus the grace period")
            recovered = seized = 0
            if line.collateral > 0:
                snap = self._price(ctx)
                scale = self.config.oracle.price_scale
                seized = min(line.collateral, mul_div_up(debt, scale, snap.price))
                recovered = min(debt, mul_div_down(seized, snap.price, scale))
                self._post(ctx, "default_recovery", [
                    (self._acct["cash"], "D", recovered), (line.debt_account, "C", recovered),
                    (line.collateral_account, "D", seized), (self._acct["custody"], "C", seized)])
            deficit = debt - recovered
            if deficit:
                self._write_off(ctx, line, deficit)
            self._emit(ctx, line, "defaulted", self._days_late(ctx, line),
                       line.cycle_repaid + recovered)
            ctx.conn.execute(update(db.lines).where(db.lines.c.id == lid).values(
                status="defaulted", cycle_drawn=0, cycle_repaid=0, due_at=_NEVER))
            return {"line_id": lid, "recovered": recovered, "seized": seized,
                    "deficit": deficit}

        return self._prepare("mark_default", command_id, {"line_id": lid}, work)

    # ------------------------------------------------- single-command API
    def deposit(self, command_id: str, depositor: str, amount: int) -> Receipt:
        """A lender adds ``amount`` of cash and receives shares (rounded down)."""
        return self._one(self._prep_deposit(command_id, depositor, amount))

    def withdraw(self, command_id: str, depositor: str, shares: int) -> Receipt:
        """A lender burns ``shares`` for their value in cash (rounded down)."""
        return self._one(self._prep_withdraw(command_id, depositor, shares))

    def donate(self, command_id: str, amount: int) -> Receipt:
        """Cash given to the pool for nothing (counts as lenders' income)."""
        return self._one(self._prep_donate(command_id, amount))

    def open_line(self, command_id: str, decision: CreditDecision) -> Receipt:
        """Open a credit line from a verified decision; one line per (lender, nullifier)."""
        return self._one(self._prep_open_line(command_id, decision))

    def open_unproven_line(self, command_id: str, borrower_id: int, lender_id: int) -> Receipt:
        """Open a line for a borrower with no proof: the no-proof tier (150 % collateral)."""
        return self._one(self._prep_open_unproven_line(command_id, borrower_id, lender_id))

    def renew_line(self, command_id: str, line_id: int, decision: CreditDecision) -> Receipt:
        """Renew an open line with a fresh decision (new nullifier, new expiry and tier)."""
        return self._one(self._prep_renew_line(command_id, line_id, decision))

    def deposit_collateral(self, command_id: str, line_id: int, amount: int) -> Receipt:
        """Add ``amount`` of collateral to an open line (no price needed)."""
        return self._one(self._prep_deposit_collateral(command_id, line_id, amount))

    def withdraw_collateral(self, command_id: str, line_id: int, amount: int) -> Receipt:
        """Return collateral; with debt outstanding the line must stay healthy (D8)."""
        return self._one(self._prep_withdraw_collateral(command_id, line_id, amount))

    def draw(self, command_id: str, line_id: int, amount: int) -> Receipt:
        """Borrow ``amount`` from the pool on a line (limit, expiry, price, VaR, HF checks)."""
        return self._one(self._prep_draw(command_id, line_id, amount))

    def repay(self, command_id: str, line_id: int, amount: int) -> Receipt:
        """Repay up to ``amount``; anything above what is owed is not taken (``refund``)."""
        return self._one(self._prep_repay(command_id, line_id, amount))

    def accrue(self, command_id: str, line_id: int | None = None) -> Receipt:
        """Accrue the tier indexes to now, and journal one line's interest if given."""
        return self._one(self._prep_accrue(command_id, line_id))

    def update_price(self, command_id: str) -> Receipt:
        """Read the feeds once, advance the oracle state and the volatility estimate."""
        return self._one(self._prep_update_price(command_id))

    def liquidate(self, command_id: str, line_id: int, liquidator: str, amount: int) -> Receipt:
        """Repay up to the close factor of an unhealthy line (HF < 1) for collateral + bonus."""
        return self._one(self._prep_liquidate(command_id, line_id, liquidator, amount))

    def mark_default(self, command_id: str, line_id: int) -> Receipt:
        """Default a line past due plus grace: sell collateral at the oracle price, write
        off the rest against the reserve, then the pool, and emit a tradeline."""
        return self._one(self._prep_mark_default(command_id, line_id))

    # ------------------------------------------------------------- internals
    def _pool(self, conn: Connection) -> Row[Any]:
        return conn.execute(select(db.pool).where(db.pool.c.id == 1)).one()

    @staticmethod
    def _bal(conn: Connection, account_id: int) -> int:
        return int(conn.execute(select(db.accounts.c.balance).where(
            db.accounts.c.id == account_id)).scalar_one())

    def _allowance(self, tier: int) -> int:
        terms = self.config.tiers.get(tier)
        return terms.unsecured_allowance if terms is not None else 0

    def _days_late(self, ctx: _Ctx, line: _Line) -> int:
        late = max(0, ctx.now - line.due_at) // _DAY if line.due_at != _NEVER else 0
        return max(line.max_days_late, late)

    def _add_shares(self, conn: Connection, who: str, delta: int) -> None:
        cur = conn.execute(select(db.depositors.c.shares).where(
            db.depositors.c.id == who)).scalar()
        if cur is None:
            conn.execute(db.depositors.insert().values(id=who, shares=delta))
        else:
            conn.execute(update(db.depositors).where(db.depositors.c.id == who).values(
                shares=db.depositors.c.shares + delta))
        conn.execute(update(db.pool).where(db.pool.c.id == 1).values(
            total_shares=db.pool.c.total_shares + delta))

    def _claim_nullifier_free(self, conn: Connection, decision: CreditDecision) -> None:
        used = conn.execute(select(db.line_nullifiers.c.line_id).where(
            db.line_nullifiers.c.lender_id == str(decision.lender_id),
            db.line_nullifiers.c.nullifier == str(decision.nullifier))).first()
        if used is not None:
            raise DuplicateLine(
                f"nullifier already opened or renewed line {used.line_id} for this lender")

    def _create_line(self, ctx: _Ctx, *, borrower: str, lender: str, tier: int, model: str,
                     threshold: str, limit: int, expires_at: int) -> int:
        ids = []
        for suffix, cur, normal, role in (("debt", USD, "D", "debt"),
                                          ("collateral", COL, "C", "collateral")):
            res = ctx.conn.execute(db.accounts.insert().values(
                name=f"line:{ctx.seq}:{suffix}", currency=cur, normal=normal, role=role,
                balance=0))
            ids.append(_pk(res))
        res = ctx.conn.execute(db.lines.insert().values(
            borrower_id=borrower, lender_id=lender, tier=tier, model_id=model,
            threshold=threshold, credit_limit=limit, expires_at=expires_at, status="open",
            debt_account=ids[0], collateral_account=ids[1],
            index_snapshot=str(ctx.indexes[tier]), opened_at=ctx.now,
            cycle_opened_at=ctx.now, cycle_drawn=0, cycle_repaid=0, due_at=_NEVER,
            max_days_late=0))
        return _pk(res)

    def _load(self, conn: Connection, lid: int) -> _Line:
        row = conn.execute(_LINE_QUERY, {"lid": lid}).first()
        if row is None:
            raise UnknownLine(f"no line {lid}")
        return _Line(
            id=int(row.id), borrower_id=row.borrower_id, lender_id=row.lender_id,
            tier=int(row.tier), status=row.status, credit_limit=int(row.credit_limit),
            expires_at=int(row.expires_at), debt_account=int(row.debt_account),
            collateral_account=int(row.collateral_account),
            index_snapshot=int(row.index_snapshot), opened_at=int(row.opened_at),
            cycle_opened_at=int(row.cycle_opened_at), cycle_drawn=int(row.cycle_drawn),
            cycle_repaid=int(row.cycle_repaid), due_at=int(row.due_at),
            max_days_late=int(row.max_days_late), debt=int(row.debt_bal),
            collateral=int(row.coll_bal))

    def _load_open(self, ctx: _Ctx, lid: int) -> _Line:
        line = self._load(ctx.conn, lid)
        if line.status != "open":
            raise LineClosed(f"line {lid} is {line.status}")
        return line

    def _accrue_all(self, ctx: _Ctx) -> None:
        """Bring every tier's borrow index to ``now`` at the current utilization."""
        conn = ctx.conn
        p = self._pool(conn)
        rows = conn.execute(select(db.tier_indexes)).all()
        dt = ctx.now - int(p.last_accrual)
        if dt <= 0:
            ctx.indexes = {int(r.tier): int(r.borrow_index) for r in rows}
            return
        owed = int(p.total_debt)
        total = int(p.cash) + owed
        util = owed * RAY // total if total else 0
        base = self.config.curve.annual_rate(util)
        for r in rows:
            tier = int(r.tier)
            terms = self.config.tiers.get(tier)
            premium = terms.rate_premium_ray if terms is not None else 0
            old = int(r.borrow_index)
            new = accrue_index(old, base + premium, dt)
            ctx.indexes[tier] = new
            if new != old:
                conn.execute(update(db.tier_indexes).where(db.tier_indexes.c.tier == tier)
                             .values(borrow_index=str(new), updated_at=ctx.now))
        conn.execute(update(db.pool).where(db.pool.c.id == 1).values(last_accrual=ctx.now))

    def _touch(self, ctx: _Ctx, line: _Line) -> int:
        """Journal the line's interest since its last touch (rounded up); return its debt."""
        idx = ctx.indexes[line.tier]
        if idx == line.index_snapshot:
            return line.debt
        if line.debt > 0:
            new = mul_div_up(line.debt, idx, line.index_snapshot)
            interest = new - line.debt
            if interest > 0:
                reserve = interest * self.config.risk.reserve_factor_bps // BPS
                self._post(ctx, "interest", [(line.debt_account, "D", interest),
                                             (self._acct["interest"], "C", interest - reserve),
                                             (self._acct["reserve"], "C", reserve)])
                line.debt = new
        line.index_snapshot = idx
        ctx.conn.execute(update(db.lines).where(db.lines.c.id == line.id).values(
            index_snapshot=str(idx)))
        return line.debt

    def _price(self, ctx: _Ctx) -> PriceSnapshot:
        """The operation's one price snapshot (read once, cached in the context)."""
        if ctx.snapshot is not None:
            return ctx.snapshot
        st = ctx.conn.execute(select(db.oracle_state).where(db.oracle_state.c.id == 1)).one()
        snap, status = resolve_price(self.config.oracle, st.status, st.last_price,
                                     primary=self._primary, fallback=self._fallback,
                                     now=ctx.now)
        var = int(st.ewma_var)
        values: dict[str, object] = {"status": status, "last_price": snap.price,
                                     "last_at": snap.updated_at}
        if snap.updated_at > int(st.sample_at):
            var = ewma_update(var, st.sample_price, int(st.sample_at), snap.price,
                              snap.updated_at, lambda_bps=self.config.risk.ewma_lambda_bps)
            values.update(ewma_var=str(var), sample_price=snap.price,
                          sample_at=snap.updated_at)
        ctx.conn.execute(update(db.oracle_state).where(db.oracle_state.c.id == 1)
                         .values(**values))
        ctx.snapshot, ctx.var_ray = snap, var
        return snap

    def _require_safe(self, ctx: _Ctx, line: _Line, collateral: int, debt: int) -> None:
        """Refuse unless collateral meets the volatility-adjusted ratio and HF ≥ 1."""
        snap = self._price(ctx)
        risk, scale = self.config.risk, self.config.oracle.price_scale
        var_bps = value_at_risk_bps(ctx.var_ray, risk.horizon, risk.z_ray)
        if var_bps >= risk.max_var_bps:
            raise RiskLimit(f"collateral value-at-risk {var_bps} bps ≥ {risk.max_var_bps}")
        terms = self.config.tiers.get(line.tier)
        tier_ratio = terms.collateral_ratio_bps if terms is not None else BPS
        ratio = required_ratio_bps(tier_ratio, var_bps)
        if collateral * snap.price * BPS < ratio * debt * scale:
            raise UnhealthyPosition(
                f"collateral below the required {ratio / 100:.2f}% of debt")
        if not covers(collateral, snap.price, scale, weight_bps=risk.liquidation_threshold_bps,
                      allowance=self._allowance(line.tier), debt=debt):
            raise UnhealthyPosition("the health factor would fall below 1")

    def _post(self, ctx: _Ctx, kind: str, legs: list[tuple[int, str, int]]) -> int:
        """One balanced journal entry; zero legs are dropped. Returns the entry id."""
        legs = [leg for leg in legs if leg[2] != 0]
        conn = ctx.conn
        ids = sorted({a for a, _, _ in legs})
        meta = {int(r.id): r for r in conn.execute(
            select(db.accounts.c.id, db.accounts.c.currency, db.accounts.c.normal,
                   db.accounts.c.role, db.accounts.c.balance)
            .where(db.accounts.c.id.in_(ids)))}
        net: dict[str, int] = {}
        for account, side, amount in legs:
            if amount < 0 or side not in ("D", "C"):
                raise AssertionError("bad journal leg")
            cur = meta[account].currency
            net[cur] = net.get(cur, 0) + (amount if side == "D" else -amount)
        if any(net.values()):
            raise AssertionError(f"unbalanced journal entry {kind}: {net}")
        res = conn.execute(db.entries.insert().values(command_seq=ctx.seq, kind=kind,
                                                      at=ctx.now))
        entry_id = _pk(res)
        conn.execute(db.postings.insert(), [
            {"entry_id": entry_id, "account_id": a, "side": s, "amount": m}
            for a, s, m in legs])
        deltas = {"cash": 0, "debt": 0, "collateral": 0}
        for account, side, amount in legs:
            m = meta[account]
            delta = amount if side == m.normal else -amount
            if int(m.balance) + delta < 0:
                raise AssertionError(f"journal entry {kind} would overdraw {m.role}")
            if int(m.balance) + delta > MAX_MONEY:
                raise InvalidAmount(f"{kind} would take a {m.role} balance past 2^63")
            conn.execute(update(db.accounts).where(db.accounts.c.id == account).values(
                balance=db.accounts.c.balance + delta))
            if m.role in deltas:
                deltas[m.role] += delta
        if any(deltas.values()):
            conn.execute(update(db.pool).where(db.pool.c.id == 1).values(
                cash=db.pool.c.cash + deltas["cash"],
                total_debt=db.pool.c.total_debt + deltas["debt"],
                total_collateral=db.pool.c.total_collateral + deltas["collateral"]))
        return entry_id

    def _write_off(self, ctx: _Ctx, line: _Line, deficit: int) -> None:
        """Deficit against the reserve first, then the lenders (pool:losses), exactly."""
        from_reserve = min(deficit, self._bal(ctx.conn, self._acct["reserve"]))
        entry = self._post(ctx, "write_off", [
            (self._acct["reserve"], "D", from_reserve),
            (self._acct["losses"], "D", deficit - from_reserve),
            (line.debt_account, "C", deficit)])
        ctx.conn.execute(db.deficits.insert().values(
            line_id=line.id, entry_id=entry, amount=deficit, from_reserve=from_reserve,
            from_pool=deficit - from_reserve, at=ctx.now))

    def _emit(self, ctx: _Ctx, line: _Line, status: str, days_late: int, repaid: int) -> None:
        """Sign a tradeline as issuer and append it to the signed audit log."""
        conn = ctx.conn
        rec = Tradeline(line_id=line.id, borrower_id=line.borrower_id,
                        lender_id=line.lender_id, opened_at=line.cycle_opened_at,
                        closed_at=ctx.now, amount=line.cycle_drawn, repaid=repaid,
                        days_late=days_late, status=status)
        last = conn.execute(select(db.tradelines).order_by(db.tradelines.c.seq.desc())
                            .limit(1)).first()
        if last is None:
            seq, prev = 1, GENESIS
        else:
            seq = int(last.seq) + 1
            prev = hashlib.sha256(link_message(
                int(last.seq), bytes.fromhex(last.prev_hash), last.body.encode("ascii"),
                last.record_scheme, bytes.fromhex(last.record_signature))).digest()
        body = rec.canonical_bytes()
        record_sig = self._signer.sign_record(rec)
        scheme = self._signer.scheme
        log_sig = self._audit_key.sign(link_message(seq, prev, body, scheme, record_sig))
        conn.execute(db.tradelines.insert().values(
            seq=seq, line_id=line.id, body=body.decode("ascii"), record_scheme=scheme,
            record_signature=record_sig.hex(), prev_hash=prev.hex(),
            log_signature=log_sig.hex()))

    # ------------------------------------------------------------------ views
    def _read(self, fn: Callable[[Connection], Any]) -> Any:
        return db.run_transaction(self.engine, fn)

    def pool_state(self) -> PoolView:
        def fn(conn: Connection) -> PoolView:
            p = self._pool(conn)
            a = self._acct
            return PoolView(
                cash=int(p.cash), total_debt=int(p.total_debt),
                total_collateral=int(p.total_collateral), total_shares=int(p.total_shares),
                deposits=self._bal(conn, a["deposits"]), interest=self._bal(conn, a["interest"]),
                reserve=self._bal(conn, a["reserve"]), losses=self._bal(conn, a["losses"]),
                last_accrual=int(p.last_accrual))
        result: PoolView = self._read(fn)
        return result

    def shares_of(self, depositor: str) -> int:
        def fn(conn: Connection) -> int:
            v = conn.execute(select(db.depositors.c.shares).where(
                db.depositors.c.id == depositor)).scalar()
            return int(v) if v is not None else 0
        result: int = self._read(fn)
        return result

    def tier_index(self, tier: int) -> int:
        def fn(conn: Connection) -> int:
            return int(conn.execute(select(db.tier_indexes.c.borrow_index).where(
                db.tier_indexes.c.tier == tier)).scalar_one())
        result: int = self._read(fn)
        return result

    def line(self, line_id: int) -> LineView:
        """The line as stored, plus its debt with interest accrued to the clock's now."""
        def fn(conn: Connection) -> LineView:
            line = self._load(conn, line_id)
            p = self._pool(conn)
            idx = int(conn.execute(select(db.tier_indexes.c.borrow_index).where(
                db.tier_indexes.c.tier == line.tier)).scalar_one())
            now = max(self._now_raw(), int(p.last_accrual))
            owed, total = int(p.total_debt), int(p.cash) + int(p.total_debt)
            util = owed * RAY // total if total else 0
            terms = self.config.tiers.get(line.tier)
            rate = self.config.curve.annual_rate(util) + (
                terms.rate_premium_ray if terms is not None else 0)
            live = accrue_index(idx, rate, now - int(p.last_accrual))
            debt_now = (mul_div_up(line.debt, live, line.index_snapshot)
                        if line.status == "open" else line.debt)
            return LineView(
                id=line.id, borrower_id=int(line.borrower_id), lender_id=int(line.lender_id),
                tier=line.tier, status=line.status, credit_limit=line.credit_limit,
                expires_at=line.expires_at, debt=line.debt, debt_now=debt_now,
                collateral=line.collateral, due_at=line.due_at)
        result: LineView = self._read(fn)
        return result

    def health_factor(self, line_id: int, price: int) -> int | None:
        """RAY health factor of a line at a given price (reporting; rounds down)."""
        view = self.line(line_id)
        return health_factor_ray(view.collateral, price, self.config.oracle.price_scale,
                                 lt_bps=self.config.risk.liquidation_threshold_bps,
                                 allowance=self._allowance(view.tier), debt=view.debt)

    def audit_public_key(self) -> bytes:
        return self._audit_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def audit_log(self) -> list[AuditLogEntry]:
        def fn(conn: Connection) -> list[AuditLogEntry]:
            rows = conn.execute(select(db.tradelines).order_by(db.tradelines.c.seq)).all()
            return [AuditLogEntry(
                seq=int(r.seq), body=r.body.encode("ascii"), record_scheme=r.record_scheme,
                record_signature=bytes.fromhex(r.record_signature),
                prev_hash=bytes.fromhex(r.prev_hash),
                log_signature=bytes.fromhex(r.log_signature)) for r in rows]
        result: list[AuditLogEntry] = self._read(fn)
        return result

    def audit(self) -> AuditReport:
        """Prove the books: debits = credits (overall and per entry, per currency), every
        balance = the sum of its postings, aggregates = the sums they summarize, the
        balance-sheet identity, deficits = losses + reserve draws, indexes ≥ 1."""
        def fn(conn: Connection) -> AuditReport:
            problems: list[str] = []
            acc, pst = db.accounts, db.postings
            sums = conn.execute(
                select(acc.c.currency, pst.c.side, func.coalesce(func.sum(pst.c.amount), 0))
                .join(acc, acc.c.id == pst.c.account_id)
                .group_by(acc.c.currency, pst.c.side)).all()
            debits: dict[str, int] = {}
            credits: dict[str, int] = {}
            for cur, side, total in sums:
                (debits if side == "D" else credits)[cur] = int(total)
            for cur in sorted(set(debits) | set(credits)):
                if debits.get(cur, 0) != credits.get(cur, 0):
                    problems.append(f"{cur}: debits {debits.get(cur, 0)} != credits "
                                    f"{credits.get(cur, 0)}")
            signed = func.sum(case((pst.c.side == "D", pst.c.amount),
                                      else_=-pst.c.amount))
            bad_entries = conn.execute(
                select(pst.c.entry_id, acc.c.currency, signed)
                .join(acc, acc.c.id == pst.c.account_id)
                .group_by(pst.c.entry_id, acc.c.currency)
                .having(signed != 0)).all()
            for entry_id, cur, net in bad_entries:
                problems.append(f"entry {entry_id} unbalanced in {cur} by {net}")
            normal_signed = func.coalesce(func.sum(case(
                (pst.c.side == acc.c.normal, pst.c.amount), else_=-pst.c.amount)), 0)
            mism = conn.execute(
                select(acc.c.name, acc.c.balance, normal_signed)
                .select_from(acc.outerjoin(pst, pst.c.account_id == acc.c.id))
                .group_by(acc.c.id, acc.c.name, acc.c.balance)
                .having(normal_signed != acc.c.balance)).all()
            for name, bal, total in mism:
                problems.append(f"account {name}: balance {bal} != postings {total}")
            neg = conn.execute(select(acc.c.name).where(acc.c.balance < 0)).scalars().all()
            problems.extend(f"account {n} is negative" for n in neg)

            def role_sum(role: str) -> int:
                return int(conn.execute(select(func.coalesce(func.sum(acc.c.balance), 0))
                                        .where(acc.c.role == role)).scalar_one())

            p = self._pool(conn)
            a = self._acct
            view = PoolView(
                cash=int(p.cash), total_debt=int(p.total_debt),
                total_collateral=int(p.total_collateral), total_shares=int(p.total_shares),
                deposits=self._bal(conn, a["deposits"]), interest=self._bal(conn, a["interest"]),
                reserve=self._bal(conn, a["reserve"]), losses=self._bal(conn, a["losses"]),
                last_accrual=int(p.last_accrual))
            checks = {
                "pool.cash vs pool:cash": (view.cash, role_sum("cash")),
                "pool.total_debt vs Σ line debt": (view.total_debt, role_sum("debt")),
                "pool.total_collateral vs Σ line collateral": (view.total_collateral,
                                                               role_sum("collateral")),
                "custody vs Σ line collateral": (role_sum("custody"), role_sum("collateral")),
                "pool.total_shares vs Σ depositor shares": (
                    view.total_shares,
                    int(conn.execute(select(func.coalesce(func.sum(db.depositors.c.shares), 0)))
                        .scalar_one())),
                "cash + debt + losses vs deposits + interest + reserve": (
                    view.cash + view.total_debt + view.losses,
                    view.deposits + view.interest + view.reserve),
                "Σ deficits.from_pool vs pool:losses": (
                    int(conn.execute(select(func.coalesce(func.sum(db.deficits.c.from_pool), 0)))
                        .scalar_one()), view.losses),
            }
            for what, (x, y) in checks.items():
                if x != y:
                    problems.append(f"{what}: {x} != {y}")
            if conn.execute(select(func.count()).select_from(db.depositors)
                            .where(db.depositors.c.shares < 0)).scalar_one():
                problems.append("negative share balance")
            for tier, idx in conn.execute(select(db.tier_indexes.c.tier,
                                                 db.tier_indexes.c.borrow_index)):
                if int(idx) < RAY:
                    problems.append(f"tier {tier} borrow index below 1")
            n_entries = int(conn.execute(select(func.count()).select_from(db.entries))
                            .scalar_one())
            n_postings = int(conn.execute(select(func.count()).select_from(pst)).scalar_one())
            return AuditReport(n_entries, n_postings, debits, credits, view, tuple(problems))
        result: AuditReport = self._read(fn)
        return result

    def state_hash(self) -> str:
        """SHA-256 over every ledger table's rows in primary-key order (canonical JSON)."""
        def fn(conn: Connection) -> str:
            h = hashlib.sha256()
            for table in db.metadata.sorted_tables:
                if table.name == "schema_migrations":
                    continue
                h.update(table.name.encode() + b"\n")
                for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                    h.update(canonical_json([_plain(v) for v in row]) + b"\n")
            return h.hexdigest()
        result: str = self._read(fn)
        return result


def _pk(res: Any) -> int:
    key = res.inserted_primary_key
    if key is None:
        raise AssertionError("insert returned no primary key")
    return int(key[0])


def _plain(v: object) -> object:
    if v is None or isinstance(v, (int, str)):
        return v
    raise AssertionError(f"unexpected column value type {type(v).__name__}")
