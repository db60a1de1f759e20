"""README.md's "Workflows" shell sessions run as written (bash -euo pipefail, in order, in
one fresh directory, with the installed `zkcredit`), and the "Embedding the verifier"
example accepts a real presentation from a second borrower."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from zkcredit.decision import CreditDecision

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSPHRASE = "readme sessions passphrase"


def _section(text: str, heading: str) -> str:
    """The body of the ``## heading`` section (up to the next level-2 heading)."""
    m = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert m, f"README.md has no '## {heading}' section"
    return m.group(1)


def _blocks(section: str, lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```\n", section, re.M | re.S)


README = (ROOT / "README.md").read_text()
SESSIONS = _blocks(_section(README, "Workflows"), "bash")
EMBEDDING = _blocks(_section(README, "Embedding the verifier"), "python")


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ZKCREDIT_")}  # no ledger/keys/cache from the caller
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["ZKCREDIT_PASSPHRASE"] = PASSPHRASE
    env["ZKCREDIT_CACHE"] = str(tmp / "cache")
    return env


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=600, check=False)


def test_readme_has_the_three_sessions_and_the_embedding_example() -> None:
    assert len(SESSIONS) == 3, "issuer, borrower, lender + ledger"
    assert len(EMBEDDING) == 1
    assert "zkcredit issuer keygen" in SESSIONS[0]
    assert "zkcredit wallet init" in SESSIONS[1]
    assert "zkcredit lender verify" in SESSIONS[2] and "open-line" in SESSIONS[2]
    assert "ZKCREDIT_PASSPHRASE" in _section(README, "Workflows")
    assert "passphrase" not in "".join(SESSIONS).lower()  # never on a command line


def test_workflow_sessions_run_in_order(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    main = tmp_path / "main"
    main.mkdir()
    env = _env(tmp_path)
    for i, script in enumerate(SESSIONS):
        r = _bash(script, main, env)
        assert r.returncode == 0, f"session {i + 1} failed:\n{r.stdout}\n{r.stderr}"
        assert "Traceback" not in r.stderr
    decision = CreditDecision.from_json_dict(json.loads((main / "decision.json").read_text()))
    assert decision.tier == 2 and decision.threshold == 700
    # What the text after the sessions promises: a replay is refused with its reason code.
    r = _bash("zkcredit lender verify policy.json challenge.json presentation.json "
              "--store lender.db --vk keys/verification_key.json --out again.json", main, env)
    assert r.returncode == 1 and r.stdout.startswith("REFUSED nullifier-reused"), r.stdout

    # The embedding example, in the lender's directory, with a second borrower (a new
    # wallet: a new nullifier) attested by the same issuer.
    lender = tmp_path / "lender"
    lender.mkdir()
    for name in ("issuer-key.json", "registry.json", "policy.json"):
        shutil.copy2(main / name, lender / name)
    shutil.copytree(main / "keys", lender / "keys")
    r = _bash(SESSIONS[1], lender, env)
    assert r.returncode == 0, r.stderr

    def borrower_answers(challenge_json: bytes) -> bytes:
        (lender / "challenge.json").write_bytes(challenge_json)
        r = _bash("zkcredit wallet present wallet.zkw challenge.json --registry registry.json"
                  " --key keys/proving_key.bin --out presentation.json", lender, env)
        assert r.returncode == 0, r.stderr
        return (lender / "presentation.json").read_bytes()

    opened: list[CreditDecision] = []
    monkeypatch.chdir(lender)
    exec(compile(EMBEDDING[0], "README.md:embedding", "exec"),
         {"borrower_answers": borrower_answers, "open_credit_line": opened.append})
    assert "refused" not in capsys.readouterr().out
    assert len(opened) == 1 and opened[0].tier == 2
    assert opened[0].nullifier != decision.nullifier
    assert len(EMBEDDING[0].strip().splitlines()) <= 18  # 16 before the exposure registry
