"""A database the ledger cannot open is a `StorageError` with the driver's reason, not a
raw SQLAlchemy exception (the CLI maps it to a one-line error)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from zkcredit.errors import StorageError
from zkcredit.ledger import Ed25519RecordSigner, Ledger, ManualFeed


def _open(url: str) -> Ledger:
    return Ledger(url, primary_feed=ManualFeed(1, 1),
                  record_signer=Ed25519RecordSigner(Ed25519PrivateKey.generate()),
                  audit_key=Ed25519PrivateKey.generate())


def test_missing_directory_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="unable to open database file"):
        _open(f"sqlite:///{tmp_path / 'missing' / 'ledger.db'}")


def test_file_that_is_not_a_database_is_a_storage_error(tmp_path: Path) -> None:
    bogus = tmp_path / "ledger.db"
    bogus.write_bytes(b"this is not an SQLite database" * 100)
    with pytest.raises(StorageError, match="not a database"):
        _open(f"sqlite:///{bogus}")
