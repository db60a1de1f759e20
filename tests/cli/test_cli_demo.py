"""`zkcredit demo` (issue 6): the story runs end to end on real components and reads as it
should; its outcome (tiers, the liquidated line, balanced books) is checked, not only its text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from zkcredit.cli._app import cli

from zkcredit.demo import run_demo

pytestmark = pytest.mark.slow

STORY = [
    "1. An issuer the lender trusts",
    "2. The bureau attests what its own books say, for one wallet per person",
    "Bob first discloses a made-up clean history: refused",
    "refused, customer-bob is bound to his first wallet.",
    "3. Harbor Lending publishes its policy",
    "DEVELOPMENT setup",
    "4. Each borrower proves a tier; 5. the verifier decides",
    "Sending the same presentation again is refused: nullifier-reused.",
    "6. The ledger opens under-collateralized lines",
    "6b. Bob tries to stack a second line at another lender",
    "7. BTC falls 45 %",
    "8. The ledger issues the new credit records",
    "signature valid",
    "9. The books",
]


def test_demo_library_outcome(tmp_path: Path, threshold_cache: Path) -> None:
    lines: list[str] = []
    work = tmp_path / "work"
    work.mkdir()
    result = run_demo(work, lines.append, cache=threshold_cache)
    text = "\n".join(lines)
    for phrase in STORY:
        assert phrase in text, phrase
    assert result.tiers == {"Alice": 3, "Bob": 1}
    assert result.issuance_refusals == {"made-up history": "BooksMismatch",
                                        "second wallet": "IdentityConflict"}
    assert result.stacking_refusals == {"honest wallet": "Refused",
                                        "forced slot": "exposure-cap-reached"}
    assert result.scores["Alice"] > result.scores["Bob"]
    assert result.line_status == {"Alice": "open", "Bob": "charged_off"}
    assert result.deficit > 0
    assert result.tradelines == 2
    assert result.books_balance
    # The wallets on disk are encrypted and private to the user.
    for name in ("alice.wallet", "bob.wallet"):
        assert (work / name).stat().st_mode & 0o777 == 0o600
        assert b"opened_at" not in (work / name).read_bytes()
    assert "passphrase" not in text.lower()


def test_demo_cli_keep_and_json(
    tmp_path: Path, threshold_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZKCREDIT_CACHE", str(threshold_cache))
    keep = tmp_path / "kept"
    res = CliRunner().invoke(cli, ["--json", "demo", "--keep", str(keep)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output.strip().splitlines()[-1])
    assert out["books_balance"] is True and out["tiers"] == {"Alice": 3, "Bob": 1}
    assert (keep / "harbor-ledger.db").is_file()
    # A non-empty --keep directory is refused (exit 2), not overwritten.
    again = CliRunner().invoke(cli, ["demo", "--keep", str(keep)])
    assert again.exit_code == 2
    assert "not empty" in again.output


def test_demo_as_a_subprocess(threshold_cache: Path) -> None:
    """What a newcomer types after the set-up: `zkcredit demo`, plain words, exit 0."""
    env = dict(os.environ, ZKCREDIT_CACHE=str(threshold_cache))
    exe = Path(sys.executable).with_name("zkcredit")
    proc = subprocess.run([str(exe), "demo"], capture_output=True, text=True, env=env,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    for phrase in STORY:
        assert phrase in proc.stdout, phrase
    assert "Traceback" not in proc.stderr
