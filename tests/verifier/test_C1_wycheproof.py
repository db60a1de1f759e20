"""C1: Project Wycheproof's Ed25519 verification vectors through the strict verifier."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from zkcredit.errors import InvalidEd25519Signature, MalformedInput
from zkcredit.verifier import verify_ed25519_strict

VECTORS = (
    Path(__file__).resolve().parents[1] / "data" / "external" / "wycheproof"
    / "ed25519_verify.json"
)


def _cases() -> list[tuple[str, dict[str, Any]]]:
    data = json.loads(VECTORS.read_text())
    cases = [(g["publicKey"]["pk"], t) for g in data["testGroups"] for t in g["tests"]]
    assert len(cases) == data["numberOfTests"] == 150
    return cases


CASES = _cases()


@pytest.mark.parametrize(("pk", "case"), CASES, ids=[f"tc{c['tcId']}" for _, c in CASES])
def test_C1_wycheproof_ed25519(pk: str, case: dict[str, Any]) -> None:
    key, sig, msg = (bytes.fromhex(x) for x in (pk, case["sig"], case["msg"]))
    if case["result"] == "valid":
        verify_ed25519_strict(key, sig, msg)
    else:
        assert case["result"] == "invalid"
        with pytest.raises((MalformedInput, InvalidEd25519Signature)):
            verify_ed25519_strict(key, sig, msg)


def test_C1_wycheproof_covers_both_verdicts_and_s_bounds() -> None:
    results = {c["result"] for _, c in CASES}
    assert results == {"valid", "invalid"}
    by_id = {c["tcId"]: c for _, c in CASES}
    assert by_id[84]["result"] == "valid" and by_id[85]["result"] == "invalid"
