"""`zkcredit demo`: the whole borrower → issuer → lender → ledger story, for real, in seconds.

Thin over `zkcredit.demo.run_demo`; the working files go to a temporary directory that is
removed afterwards unless ``--keep DIR`` names one to keep them in.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import click

from zkcredit.errors import InvalidArgument

__all__ = ["demo_command"]


@click.command("demo")
@click.option(
    "--keep",
    "keep",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep the wallets, verifier store and ledger in this new or empty directory.",
)
@click.pass_context
def demo_command(ctx: click.Context, keep: Path | None) -> None:
    """Tell the whole story on fresh keys, a temporary SQLite ledger and real proofs."""
    from zkcredit.demo import run_demo  # noqa: PLC0415 -- nouns import their layer on use

    as_json = bool(ctx.obj and ctx.obj.get("json"))
    say = (lambda _line: None) if as_json else click.echo
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        if any(keep.iterdir()):
            raise InvalidArgument(f"{keep} is not empty; the demo needs a fresh directory")
        result = run_demo(keep, say)
    else:
        with tempfile.TemporaryDirectory(prefix="zkcredit-demo-") as tmp:
            result = run_demo(Path(tmp), say)
    if as_json:
        click.echo(json.dumps({
            "scores": result.scores, "issuance_refusals": result.issuance_refusals,
            "stacking_refusals": result.stacking_refusals,
            "tiers": result.tiers, "line_status": result.line_status,
            "deficit": result.deficit, "tradelines": result.tradelines,
            "audit_entries": result.audit_entries, "books_balance": result.books_balance,
            "seconds": round(result.seconds, 2),
        }, sort_keys=True))
    if not result.books_balance:
        raise click.ClickException("the audit found the books out of balance")
