"""The click application behind the `zkcredit` console script."""

from __future__ import annotations

import sys
from typing import Any

import click
from zkcredit.cli._hash import hash_group
from zkcredit.cli._proof import proof_group

from zkcredit import __version__
from zkcredit.errors import ZkCreditError


class _ZkCreditGroup(click.Group):
    """A group that turns zkcredit errors into `Error: ...` and their exit code (P1)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ZkCreditError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_ZkCreditGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="zkcredit")
def cli() -> None:
    """zkcredit: private credit attestations, Groth16 proofs and a loan ledger."""


cli.add_command(hash_group)
cli.add_command(proof_group)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="zkcredit")
