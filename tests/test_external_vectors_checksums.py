"""Every file under tests/data/external matches its line in SHA256SUMS."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

EXTERNAL = Path(__file__).resolve().parent / "data" / "external"


def _entries() -> list[tuple[str, str]]:
    entries = []
    for line in (EXTERNAL / "SHA256SUMS").read_text().splitlines():
        if not line.strip():
            continue
        digest, name = line.split(maxsplit=1)
        entries.append((digest, name.lstrip("*")))
    return entries


def test_sums_file_is_well_formed() -> None:
    entries = _entries()
    assert entries
    names = [n for _, n in entries]
    assert len(names) == len(set(names)), "duplicate SHA256SUMS entries"
    for digest, name in entries:
        assert len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)
        assert not Path(name).is_absolute() and ".." not in Path(name).parts


@pytest.mark.parametrize(("digest", "name"), _entries(), ids=lambda v: str(v)[:40])
def test_file_matches_checksum(digest: str, name: str) -> None:
    data = (EXTERNAL / name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == digest
