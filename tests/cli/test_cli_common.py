"""Shared CLI behaviour: the root help's exit codes, `--json`, passphrases (prompted or
from the environment, never an option), strict number parsing."""

from __future__ import annotations

import click
import pytest
from _cli_support import run
from click.testing import CliRunner
from zkcredit.cli._app import _NOUNS, _installed, cli
from zkcredit.cli._common import get_passphrase, parse_amount, parse_uint

from zkcredit.errors import InvalidAmount, InvalidArgument


def test_root_help_documents_exit_codes_and_json() -> None:
    r = run("--help")
    assert r.exit_code == 0
    for needle in ("0  success", "1  refused", "2  usage", "3  internal", "--json",
                   "ZKCREDIT_PASSPHRASE"):
        assert needle in r.stdout


def test_usage_error_is_exit_2() -> None:
    r = run("ledger", "deposit")
    assert r.exit_code == 2 and "Traceback" not in r.output
    r = run("no-such-noun")
    assert r.exit_code == 2


def _all_commands() -> list[tuple[str, click.Command]]:
    ctx = click.Context(cli)
    out: list[tuple[str, click.Command]] = []
    stack: list[tuple[str, click.Command]] = [("zkcredit", cli)]
    while stack:
        path, cmd = stack.pop()
        out.append((path, cmd))
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                assert sub is not None
                stack.append((f"{path} {name}", sub))
    return out


def test_no_command_takes_a_passphrase_option() -> None:
    commands = _all_commands()
    installed = {n for n in _NOUNS if _installed(n)}
    assert len(commands) > 15 and installed <= {p.split()[1] for p, _ in commands[1:]}
    for path, cmd in commands:
        for param in cmd.params:
            names = " ".join([param.name or "", *getattr(param, "opts", [])]).lower()
            assert "passphrase" not in names and "password" not in names, path


@click.command()
@click.option("--create", is_flag=True)
def _ask(create: bool) -> None:
    click.echo(f"got {get_passphrase('the wallet', confirm=create)!r}")


def test_passphrase_prompt_is_hidden_and_confirmed_on_create() -> None:
    r = CliRunner().invoke(_ask, ["--create"], input="s3cret\ns3cret\n", env={
        "ZKCREDIT_PASSPHRASE": None})
    assert r.exit_code == 0 and r.stdout.endswith("got 's3cret'\n")
    assert "s3cret" not in r.stderr  # hidden input is not echoed
    r = CliRunner().invoke(_ask, ["--create"], input="one\ntwo\nok\nok\n",
                           env={"ZKCREDIT_PASSPHRASE": None})
    assert r.exit_code == 0 and r.stdout.endswith("got 'ok'\n")
    assert "do not match" in r.stderr


def test_passphrase_from_environment_skips_the_prompt() -> None:
    r = CliRunner().invoke(_ask, [], env={"ZKCREDIT_PASSPHRASE": "from-env"})
    assert (r.exit_code, r.stdout) == (0, "got 'from-env'\n")
    r = CliRunner().invoke(_ask, [], env={"ZKCREDIT_PASSPHRASE": ""})
    assert r.exit_code != 0 and isinstance(r.exception, InvalidArgument)


@pytest.mark.parametrize("text", ["", "-1", "+1", "1.0", "1e3", "0x1", "01", " 1", "1 ",
                                  "\u0661", "9" * 5000, str(2**63)])
def test_parse_amount_rejects(text: str) -> None:
    with pytest.raises(InvalidAmount):
        parse_amount(text)


def test_parse_bounds() -> None:
    assert parse_amount("1") == 1 and parse_amount(str(2**63 - 1)) == 2**63 - 1
    with pytest.raises(InvalidAmount):
        parse_amount("0")
    assert parse_uint("0", "x") == 0
    with pytest.raises(InvalidArgument, match="not in"):
        parse_uint("11", "x", maximum=10)
