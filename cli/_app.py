"""The click application behind the `zkcredit` console script.

Each noun lives in its own ``cli/_<noun>.py`` exposing one click group; register it
below with one line in `_NOUNS` (imported only when that noun is used, so `proof verify`
does not pay for the ledger's SQLAlchemy) or with `cli.add_command(...)`.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from typing import Any

import click
from zkcredit.cli._common import EXIT_INTERNAL

from zkcredit import __version__
from zkcredit.errors import ZkCreditError

_EPILOG = """\b
Exit codes:
  0  success
  1  refused or invalid (proof does not verify, ledger refusal, output exists)
  2  usage or input error (bad option, malformed file or number)
  3  internal error (a bug; one line on stderr, never a traceback)
\b
Passphrases are prompted with hidden input, or read from $ZKCREDIT_PASSPHRASE;
they are never taken on the command line.
"""


def _json_error(ctx: click.Context, kind: str, message: str, code: int) -> None:
    obj = ctx.obj
    if isinstance(obj, dict) and obj.get("json"):
        click.echo(json.dumps({"error": {"type": kind, "message": message, "exit_code": code}},
                              sort_keys=True, separators=(",", ":")))


_NOUNS: dict[str, tuple[str, str]] = {
    "circuit": ("zkcredit.cli._circuit", "circuit_group"),
    "demo": ("zkcredit.cli._demo", "demo_command"),
    "exposure": ("zkcredit.cli._exposure", "exposure_group"),
    "hash": ("zkcredit.cli._hash", "hash_group"),
    "issuer": ("zkcredit.cli._issuer", "issuer_group"),
    "ledger": ("zkcredit.cli._ledger", "ledger_group"),
    "lender": ("zkcredit.cli._lender", "lender_group"),
    "proof": ("zkcredit.cli._proof", "proof_group"),
    "vectors": ("zkcredit.cli._vectors", "vectors_group"),
    "wallet": ("zkcredit.cli._wallet", "wallet_group"),
}
"""Noun -> (module, click group attribute), imported on first use."""


def _installed(noun: str) -> bool:
    """Whether the noun's module exists (one still being written is simply not listed;
    an existing module that fails to import still fails loudly)."""
    return importlib.util.find_spec(_NOUNS[noun][0]) is not None


class _ZkCreditGroup(click.Group):
    """A group that turns zkcredit errors into `Error: ...` and their exit code (P1), and any
    other exception into `Internal error: ...` with exit 3 and no traceback (E5)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | {n for n in _NOUNS if _installed(n)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in _NOUNS and _installed(cmd_name):
            module_name, attr = _NOUNS[cmd_name]
            command = getattr(importlib.import_module(module_name), attr)
            if not isinstance(command, click.Command):  # pragma: no cover - registry typo
                raise TypeError(f"{module_name}.{attr} is not a click command")
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ZkCreditError as exc:
            click.echo(f"Error: {exc}", err=True)
            _json_error(ctx, type(exc).__name__, str(exc), exc.exit_code)
            ctx.exit(exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # a bug: say so in one line, never print a traceback
            first = str(exc).splitlines()[0][:200] if str(exc) else ""
            click.echo(f"Internal error: {type(exc).__name__}: {first}", err=True)
            _json_error(ctx, "InternalError", f"{type(exc).__name__}: {first}", EXIT_INTERNAL)
            ctx.exit(EXIT_INTERNAL)


@click.group(
    cls=_ZkCreditGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=_EPILOG,
)
@click.version_option(__version__, prog_name="zkcredit")
@click.option("--json", "as_json", is_flag=True, help="Machine output: one JSON object on stdout.")
@click.pass_context
def cli(ctx: click.Context, as_json: bool) -> None:
    """zkcredit: private credit attestations, Groth16 proofs and a loan ledger."""
    ctx.obj = {"json": as_json}



def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="zkcredit")
