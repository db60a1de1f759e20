"""zkcredit.cli: the `zkcredit` command line (noun, then verb), thin over the library."""

from __future__ import annotations

from zkcredit.cli._app import main

__all__ = ["main"]
