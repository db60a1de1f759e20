"""`zkcredit vectors check`: re-run the published conformance vectors (vectors/README.md)."""

from __future__ import annotations

from pathlib import Path

import click
from zkcredit.cli._common import EXIT_INVALID, emit

from zkcredit.vectors import BACKENDS, check_vectors

__all__ = ["vectors_group"]


@click.group("vectors")
def vectors_group() -> None:
    """Published conformance vectors: field and point encodings, Poseidon, proofs, ledger."""


@vectors_group.command("check")
@click.argument("directory", default="vectors",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--backend", type=click.Choice([*BACKENDS, "both"]), default="both",
              show_default=True, help="Which zkcredit implementation checks the vectors.")
@click.pass_context
def check_command(ctx: click.Context, directory: Path, backend: str) -> None:
    """Check SHA256SUMS and every case in DIRECTORY; exit 1 naming each failing file and case."""
    backends = list(BACKENDS) if backend == "both" else [backend]
    reports = [check_vectors(directory, b) for b in backends]
    lines = []
    for report in reports:
        counts = ", ".join(f"{fam} {n}" for fam, n in sorted(report.passed.items()))
        lines.append(f"{report.backend}: {'OK' if report.ok else 'FAILED'} ({counts})")
        lines.extend(f"{report.backend}: FAIL {failure}" for failure in report.failures)
    emit(ctx, "\n".join(lines), {
        "ok": all(r.ok for r in reports),
        "backends": {r.backend: {"ok": r.ok, "passed": r.passed, "failures": r.failures}
                     for r in reports}})
    if not all(r.ok for r in reports):
        ctx.exit(EXIT_INVALID)
