"""``zkcredit exposure``: the shared exposure registry lenders claim line slots in.

``init`` creates it (k and the epoch length are fixed then), ``status`` shows it,
``claimed`` writes one epoch's claimed slot nullifiers for wallets to download
(`zkcredit wallet present --claimed`), ``prune`` drops closed epochs. The registry is a
SQLite file path or a ``postgresql+psycopg://`` URL (docs/exposure.md).
"""

from __future__ import annotations

from pathlib import Path

import click
from zkcredit.cli._common import emit, parse_uint
from zkcredit.cli._issuer import parse_time, refuse_existing

from zkcredit._files import write_file_atomic
from zkcredit.errors import InvalidArgument
from zkcredit.exposure import MAX_SLOTS, ExposureRegistry, PublishedClaims

_DAY = 86_400
_MAX_EPOCH_DAYS = 10 * 365

_at_option = click.option("--at", "at", default=None, metavar="T",
                          help="Act as if the time were T (default: now).")


def registry_url(text: str) -> str:
    """A SQLAlchemy URL for a registry argument (a plain path means SQLite)."""
    if "://" in text:
        return text
    return "sqlite:///" + str(Path(text).absolute())


def open_registry(text: str, at: str | None, **params: int) -> ExposureRegistry:
    """The registry at ``text`` with its clock fixed at ``--at`` (or the wall clock)."""
    if "://" not in text and not params and not Path(text).is_file():
        raise InvalidArgument(f"exposure registry {text} does not exist "
                              "(run `zkcredit exposure init`)")
    if at is None:
        return ExposureRegistry(registry_url(text), **params)
    fixed = parse_time(at, "--at")
    return ExposureRegistry(registry_url(text), clock=lambda: fixed, **params)


@click.group("exposure")
def exposure_group() -> None:
    """The shared exposure registry: k new lines per borrower and epoch, across lenders."""


@exposure_group.command("init", short_help="Create a registry (k, epoch length).")
@click.argument("registry", metavar="REGISTRY")
@click.option("--slots", "slots", default="4", show_default=True, metavar="K",
              help="Lines one borrower may open per epoch across every member lender.")
@click.option("--epoch-days", "epoch_days", default="30", show_default=True, metavar="DAYS",
              help="Length of an exposure epoch.")
@click.pass_context
def init_command(ctx: click.Context, registry: str, slots: str, epoch_days: str) -> None:
    """Create the registry at REGISTRY (a SQLite path or a PostgreSQL URL)."""
    if "://" not in registry:
        refuse_existing(registry)
    k = parse_uint(slots, "--slots", minimum=1, maximum=MAX_SLOTS)
    days = parse_uint(epoch_days, "--epoch-days", minimum=1, maximum=_MAX_EPOCH_DAYS)
    with open_registry(registry, None, slots=k, epoch_seconds=days * _DAY) as reg:
        emit(ctx, f"exposure registry {registry}: k = {reg.slots} lines per borrower per "
                  f"{days}-day epoch; current epoch {reg.current_epoch()}",
             {"registry": registry, "slots": reg.slots, "epoch_seconds": reg.epoch_seconds,
              "current_epoch": reg.current_epoch()})


@exposure_group.command("status", short_help="k, the epoch length and the current epoch.")
@click.argument("registry", metavar="REGISTRY")
@_at_option
@click.pass_context
def status_command(ctx: click.Context, registry: str, at: str | None) -> None:
    """Show the registry's parameters and how many slots the current epoch has used."""
    with open_registry(registry, at) as reg:
        epoch = reg.current_epoch()
        used = len(reg.claimed(epoch))
        emit(ctx, f"k = {reg.slots} per {reg.epoch_seconds // _DAY}-day epoch "
                  f"({reg.epoch_seconds} s); epoch {epoch}: {used} slots claimed",
             {"slots": reg.slots, "epoch_seconds": reg.epoch_seconds,
              "current_epoch": epoch, "claimed": used})


@exposure_group.command("claimed", short_help="Write an epoch's claimed slots for wallets.")
@click.argument("registry", metavar="REGISTRY")
@click.option("--epoch", "epoch", default=None, metavar="E",
              help="The exposure epoch (default: the current one).")
@click.option("--out", "out", required=True, metavar="CLAIMED.json",
              help="File to create (never overwritten).")
@_at_option
@click.pass_context
def claimed_command(ctx: click.Context, registry: str, epoch: str | None, out: str,
                    at: str | None) -> None:
    """Write every slot nullifier claimed in one epoch, for `wallet present --claimed`."""
    refuse_existing(out)
    with open_registry(registry, at) as reg:
        e = reg.current_epoch() if epoch is None else parse_uint(
            epoch, "--epoch", maximum=(1 << 40) - 1)
        published = PublishedClaims.of(e, reg.claimed(e))
    write_file_atomic(out, published.to_json() + b"\n")
    emit(ctx, f"{len(published.slot_nullifiers)} claimed slots of epoch {e} written to {out}",
         {"claimed": out, "epoch": e, "count": len(published.slot_nullifiers)})


@exposure_group.command("prune", short_help="Drop the claims of closed epochs.")
@click.argument("registry", metavar="REGISTRY")
@_at_option
@click.pass_context
def prune_command(ctx: click.Context, registry: str, at: str | None) -> None:
    """Delete claims older than the grace epoch (they can no longer be claimed again)."""
    with open_registry(registry, at) as reg:
        before = reg.current_epoch() - 1
        n = reg.prune(before) if before > 0 else 0
    emit(ctx, f"pruned {n} claims of epochs before {before}",
         {"pruned": n, "before_epoch": before})
