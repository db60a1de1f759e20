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
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from zkcredit._files import MAX_JSON_BYTES, read_file_bounded, read_json_file
from zkcredit.credit.records import CreditRecord, records_from_csv, records_from_json
from zkcredit.errors import InvalidAmount, InvalidArgument

__all__ = [
    "EXIT_INTERNAL",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "PASSPHRASE_ENV",
    "emit",
    "end_progress",
    "get_passphrase",
    "json_mode",
    "parse_amount",
    "parse_uint",
    "progress",
    "read_records",
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
    """Print ``human`` text, or ``data`` as one JSON object on stdout under `--json`
    (a running progress stage is closed first, so its bar does not land after it)."""
    end_progress(ctx)
    if json_mode(ctx):
        click.echo(json.dumps(dict(data), sort_keys=True, separators=(",", ":")))
    else:
        click.echo(human)


class _Ticker:
    """The live part of `progress` on a terminal: a moving bar and the elapsed seconds of
    the current stage, redrawn by a daemon thread. The native setup and prover release
    the GIL, so the bar keeps moving while they run; it stops when the stage ends."""

    _WIDTH = 12

    def __init__(self, label: str) -> None:
        self.label = label
        self.start = time.monotonic()
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _draw(self, final: bool) -> None:
        elapsed = time.monotonic() - self.start
        if final:
            bar = "#" * self._WIDTH
        else:
            pos = int(elapsed * 8) % (2 * self._WIDTH - 2)
            pos = pos if pos < self._WIDTH else 2 * self._WIDTH - 2 - pos
            bar = "".join("#" if abs(i - pos) <= 1 else "." for i in range(self._WIDTH))
        click.echo(f"\r{self.label} [{bar}] {elapsed:5.1f} s", err=True, nl=final)

    def _run(self) -> None:
        while not self.stop_event.wait(0.1):
            self._draw(final=False)

    def finish(self) -> None:
        self.stop_event.set()
        self.thread.join()
        self._draw(final=True)


def progress(ctx: click.Context, step: int, total: int, text: str) -> None:
    """Stage ``step`` of ``total`` on stderr (stdout stays machine-clean). On a terminal the
    stage gets a moving bar and its elapsed time until the next stage or the command's
    end; elsewhere (pipes, logs, tests) one plain line ``[2/4] proving...`` per stage."""
    label = f"[{step}/{total}] {text}"
    meta = ctx.find_root().meta
    end_progress(ctx)
    if not _stderr_is_terminal():
        click.echo(label, err=True)
        return
    ticker = _Ticker(label)
    meta["zkcredit.ticker"] = ticker

    ctx.find_root().call_on_close(lambda: end_progress(ctx))


def end_progress(ctx: click.Context) -> None:
    """Close the running progress stage, if any (its bar shows full, with its time)."""
    ticker = ctx.find_root().meta.pop("zkcredit.ticker", None)
    if isinstance(ticker, _Ticker):
        ticker.finish()


def _stderr_is_terminal() -> bool:
    stream = sys.stderr  # CliRunner swaps it for a capture buffer: not a terminal
    return bool(getattr(stream, "isatty", lambda: False)())


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


def read_records(source: str) -> list[CreditRecord]:
    """The records of a ``.json`` or ``.csv`` file (bounded read; errors name the line)."""
    p = Path(source)
    suffix = p.suffix.lower()
    if suffix == ".json":
        return records_from_json(read_json_file(p, "records file"))
    if suffix == ".csv":
        return records_from_csv(read_file_bounded(p, "records file", MAX_JSON_BYTES))
    raise InvalidArgument(f"records file {source!r} must end in .json or .csv")
