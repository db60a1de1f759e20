"""Progress on long commands (issue 6): on a terminal each stage of `circuit setup` gets a
moving bar and its elapsed time; in a pipe, one plain line per stage. Run under a real
pseudo-terminal, so the bar is what a user sees."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

EXE = str(Path(sys.executable).with_name("zkcredit"))


def _run_in_pty(args: list[str], cwd: Path) -> tuple[int, str]:
    leader, follower = pty.openpty()
    proc = subprocess.Popen([EXE, *args], stdin=follower, stdout=follower, stderr=follower,
                            cwd=cwd, close_fds=True)
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(timeout=300), b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.slow
def test_setup_shows_a_moving_bar_on_a_terminal(tmp_path: Path) -> None:
    code, out = _run_in_pty(["circuit", "setup", "credit-score-bench", "--out", "keys"], tmp_path)
    assert code == 0, out
    stage = "[2/3] setup over"
    assert stage in out
    # Redrawn in place (carriage returns) and finished with a full bar and its time.
    assert out.count("\r" + stage) >= 2
    assert "[############]" in out
    assert (tmp_path / "keys" / "proving_key.bin").is_file()


def test_stages_are_plain_lines_in_a_pipe(tmp_path: Path) -> None:
    proc = subprocess.run([EXE, "circuit", "setup", "credit-score-bench", "--out", "keys"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert any(line.startswith("[1/3] loading circuit") for line in lines)
    assert any(line.startswith("[2/3] setup over") for line in lines)
    assert "\r" not in proc.stderr and "#" not in proc.stderr
