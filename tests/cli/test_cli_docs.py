"""docs/cli.md names every command of the click tree, so the reference cannot fall behind."""

from __future__ import annotations

from pathlib import Path

import click
from zkcredit.cli._app import cli

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def _leaves(group: click.Group, ctx: click.Context, prefix: str) -> list[str]:
    out: list[str] = []
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None
        path = f"{prefix} {name}".strip()
        out += _leaves(cmd, ctx, path) if isinstance(cmd, click.Group) else [path]
    return out


def test_every_command_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    ctx = click.Context(cli)
    commands = _leaves(cli, ctx, "")
    assert len(commands) > 30
    missing = []
    for path in commands:
        *group, verb = path.split()
        # The command column of some row names it: in full ("ledger init") or in a row
        # grouping verbs ("ledger collateral\\|draw\\|repay LINE AMOUNT").
        noun = " ".join(group)
        cells = [line.split(" | ")[0] for line in text.splitlines() if line.startswith("| `")]
        rows = [c for c in cells if not noun or f"`{noun} " in c or f"`{noun}`" in c]
        words = [cell.replace("`", " ").replace("\\|", " ").replace("/", " ").split()
                 for cell in rows]
        if not any(verb in w for w in words):
            missing.append(path)
    assert not missing, f"docs/cli.md does not mention: {missing}"
