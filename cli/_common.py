"""Plumbing every `zkcredit` command shares: exit codes, `--json` output, passphrases.

Exit codes (documented in the root help):

* 0 — success;
* 1 — refused or invalid (a proof that does not verify, a ledger refusal, an output
  file that already exists: any `ZkCreditError` that is not malformed input);
* 2 — usage or input error (bad option, malformed file, non-canonical number:
  `MalformedInput` and click's usage errors);
* 3 — internal error (a bug): one line ``Internal error: ...`` on stderr, no traceback,
  and nothing on stdout after it (ADVERSARIAL E5).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

import click

from zkcredit.errors import InvalidAmount, InvalidArgument

__all__ = [
    "EXIT_INTERNAL",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "PASSPHRASE_ENV",
    "emit",
    "get_passphrase",
    "json_mode",
    "parse_amount",
    "parse_uint",
    "progress",
]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

PASSPHRASE_ENV = "ZKCREDIT_PASSPHRASE"  # noqa: S105 - the variable name, not a secret
"""A passphrase is prompted (hidden) unless this environment variable is set."""

_MAX_MONEY = 2**63 - 1
_MAX_PASSPHRASE = 1024


def json_mode(ctx: click.Context) -> bool:
    """Whether the root `--json` flag was given for this invocation."""
    obj = ctx.find_root().obj
    return isinstance(obj, dict) and bool(obj.get("json"))


def emit(ctx: click.Context, human: str, data: Mapping[str, Any]) -> None:
    """Print ``human`` text, or ``data`` as one JSON object on stdout under `--json`."""
    if json_mode(ctx):
        click.echo(json.dumps(dict(data), sort_keys=True, separators=(",", ":")))
    else:
        click.echo(human)


def progress(ctx: click.Context, step: int, total: int, text: str) -> None:
    """One progress line on stderr (``[2/4] proving...``); stdout stays machine-clean."""
    click.echo(f"[{step}/{total}] {text}", err=True)


def _show(text: str) -> str:
    return repr(text if len(text) <= 24 else f"{text[:10]}...{text[-6:]} ({len(text)} chars)")


def parse_uint(text: str, what: str, *, minimum: int = 0, maximum: int = _MAX_MONEY) -> int:
    """A strict decimal integer in [minimum, maximum]: ASCII digits only, no sign, no
    leading zero, no exponent or fraction; anything else is `InvalidArgument` (exit 2)."""
    if not text:
        raise InvalidArgument(f"{what} is empty")
    if not (text.isascii() and text.isdigit()):
        raise InvalidArgument(
            f"{what} {_show(text)} is not a whole number (digits 0-9 only; no sign, "
            "decimal point, exponent or hex)"
        )
    if len(text) > 1 and text[0] == "0":
        raise InvalidArgument(f"{what} {_show(text)} has a leading zero")
    if len(text) > len(str(maximum)) or int(text) > maximum or int(text) < minimum:
        raise InvalidArgument(f"{what} {_show(text)} is not in [{minimum}, {maximum}]")
    return int(text)


def parse_amount(text: str, what: str = "amount") -> int:
    """Money in integer minor units, 1 <= v < 2^63 (`InvalidAmount`, exit 2, otherwise)."""
    try:
        return parse_uint(text, what, minimum=1, maximum=_MAX_MONEY)
    except InvalidArgument as exc:
        raise InvalidAmount(f"{exc} (amounts are integer minor units)") from None


def get_passphrase(what: str, *, confirm: bool) -> str:
    """The passphrase for ``what``: from $ZKCREDIT_PASSPHRASE if set, else a hidden prompt
    (typed twice when ``confirm``, i.e. on create). Never a command-line option."""
    value = os.environ.get(PASSPHRASE_ENV)
    if value is None:
        value = click.prompt(
            f"Passphrase for {what}",
            hide_input=True,
            confirmation_prompt=confirm,
            err=True,
        )
    if not isinstance(value, str) or not value:
        raise InvalidArgument("the passphrase is empty")
    if len(value) > _MAX_PASSPHRASE:
        raise InvalidArgument(f"the passphrase is longer than {_MAX_PASSPHRASE} characters")
    return value

