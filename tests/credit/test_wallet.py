"""The encrypted wallet: round trip, passphrase, tampering, atomic writes, key derivation."""

from __future__ import annotations

import functools
import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from zkcredit.credit import CreditRecord, History, RecordKind, RecordStatus
from zkcredit.credit import wallet as wallet_module
from zkcredit.credit.wallet import Wallet
from zkcredit.errors import (
    InvalidArgument,
    MalformedInput,
    OutputExists,
    WalletError,
    WrongPassphrase,
)

PW = "correct horse battery staple"


def rec(i: int, status: RecordStatus = RecordStatus.CLOSED) -> CreditRecord:
    return CreditRecord(1_600_000_000 + i, 1_650_000_000, 10_000 + i, 10_000, 0, status,
                        RecordKind.LOAN)


@pytest.fixture
def fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Memoize the real scrypt so many opens of one file stay fast (same outputs)."""
    monkeypatch.setattr(wallet_module, "_derive_key",
                        functools.cache(wallet_module._derive_key))


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    w = Wallet.create(path, PW, capacity=8, records=[rec(1)])
    w.add_record(rec(2, RecordStatus.DEFAULT))
    w.add_attestation({"format": "zkcredit-attestation", "not_after": 5, "sig": "ab"})
    w.save()
    again = Wallet.open(path, PW)
    assert again.records == w.records and again.salts == w.salts
    assert again.capacity == 8 and again.attestations == w.attestations
    assert again.blinding == w.blinding and again.holder_secret == w.holder_secret
    assert again.commitment() == w.commitment()
    assert again.commitment() == again.history().commitment(w.blinding, w.holder_secret)
    assert isinstance(again.history(), History)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert PW not in path.read_text() and str(w.holder_secret) not in path.read_text()


def test_wrong_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    Wallet.create(path, PW, records=[rec(1)])
    with pytest.raises(WrongPassphrase) as err:
        Wallet.open(path, PW + "!")
    assert PW not in str(err.value)
    with pytest.raises(InvalidArgument):
        Wallet.open(path, "")
    with pytest.raises(InvalidArgument):
        Wallet.open(path, b"bytes")  # type: ignore[arg-type]


def test_passphrase_is_nfc_normalized(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    Wallet.create(path, "caf\u00e9")
    assert Wallet.open(path, "cafe\u0301").capacity == 32


@pytest.mark.slow
def test_every_single_byte_flip_is_refused(tmp_path: Path, fast_kdf: None) -> None:
    """Each byte XOR 0x01 and XOR 0x20 (case flips of hex digits, too) is refused; flips
    inside the salt cost one real scrypt each."""
    path = tmp_path / "w.json"
    Wallet.create(path, PW, capacity=2, records=[rec(1)])
    good = path.read_bytes()
    assert Wallet.from_bytes(good, PW, path).records == (rec(1),)
    for i in range(len(good)):
        for mask in (0x01, 0x20):
            data = bytearray(good)
            data[i] ^= mask
            with pytest.raises(WalletError):
                Wallet.from_bytes(bytes(data), PW, path)
    bad_path = tmp_path / "bad.json"
    text = good.decode()
    end = text.index('"', text.index('"ciphertext":"') + 14)  # the GCM tag ends here
    digit = "0" if text[end - 1] != "0" else "1"
    bad_path.write_bytes((text[:end - 1] + digit + text[end:]).encode())
    with pytest.raises(WrongPassphrase):
        Wallet.open(bad_path, PW)  # a flipped tag byte, through the file reader


def test_truncated_and_reformatted_files(tmp_path: Path, fast_kdf: None) -> None:
    path = tmp_path / "w.json"
    Wallet.create(path, PW, records=[rec(1)])
    good = path.read_bytes()
    bad = tmp_path / "bad.json"
    for cut in (0, 1, len(good) // 2, len(good) - 40, len(good) - 1):
        bad.write_bytes(good[:cut])
        with pytest.raises(WalletError):
            Wallet.open(bad, PW)
    # Same JSON, pretty-printed: not canonical, refused.
    bad.write_text(json.dumps(json.loads(good), indent=1))
    with pytest.raises(WalletError, match="canonical"):
        Wallet.open(bad, PW)
    obj = json.loads(good)
    obj["version"] = 2
    bad.write_bytes(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode())
    with pytest.raises(WalletError, match="version"):
        Wallet.open(bad, PW)
    obj = json.loads(good)
    obj["kdf"]["n"] = 1024  # a weaker KDF is not accepted even if it were authentic
    bad.write_bytes(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode())
    with pytest.raises(WalletError, match="scrypt"):
        Wallet.open(bad, PW)
    with pytest.raises(WalletError, match="cannot read"):
        Wallet.open(tmp_path / "missing.json", PW)


def test_E4_create_refuses_existing_path_and_symlink(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    path.write_text("keep")
    with pytest.raises(OutputExists):
        Wallet.create(path, PW)
    assert path.read_text() == "keep"
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "nowhere.json")
    with pytest.raises(OutputExists):
        Wallet.create(link, PW)
    assert not (tmp_path / "nowhere.json").exists()


def test_save_refuses_a_planted_symlink(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    w = Wallet.create(path, PW)
    path.unlink()
    path.symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(OutputExists):
        w.save()
    assert not (tmp_path / "elsewhere.json").exists()


def test_failed_save_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.json"
    w = Wallet.create(path, PW, records=[rec(1)])
    before = path.read_bytes()
    w.add_record(rec(2))

    def boom(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        w.save()
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["w.json"]  # no temporary left behind
    assert Wallet.open(path, PW).records == (rec(1),)


def test_capacity_and_inputs_are_checked(tmp_path: Path) -> None:
    w = Wallet.create(tmp_path / "w.json", PW, capacity=2, records=[rec(1)])
    with pytest.raises(InvalidArgument):
        w.import_records([rec(2), rec(3)])
    assert len(w.records) == 1  # all or nothing
    assert w.import_records([rec(2)]) == 1
    with pytest.raises(InvalidArgument, match="full"):
        w.add_record(rec(3))
    with pytest.raises(InvalidArgument):
        w.add_record("x")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument):
        w.add_attestation(["not", "a", "dict"])  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument):
        w.add_attestation({"x": float("nan")})
    with pytest.raises(InvalidArgument):
        Wallet.create(tmp_path / "w2.json", PW, capacity=3)
    assert not (tmp_path / "w2.json").exists()
    with pytest.raises(InvalidArgument):
        Wallet.create(tmp_path / "w3.json", PW, capacity=1, records=[rec(1), rec(2)])
    assert not (tmp_path / "w3.json").exists()


def test_empty_wallet_has_no_history(tmp_path: Path) -> None:
    w = Wallet.create(tmp_path / "w.json", PW)
    with pytest.raises(InvalidArgument):
        w.commitment()


def test_secrets_are_fresh_and_not_in_repr(tmp_path: Path) -> None:
    a = Wallet.create(tmp_path / "a.json", PW)
    b = Wallet.create(tmp_path / "b.json", PW)
    assert a.holder_secret != b.holder_secret and a.blinding != b.blinding
    assert a.lender_key(1).private_bytes_raw() != b.lender_key(1).private_bytes_raw()
    text = repr(a)
    assert PW not in text and str(a.holder_secret) not in text and "a.json" in text


def test_lender_key_derivation_follows_the_contract(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    w = Wallet.create(path, PW)
    lender = int.from_bytes(os.urandom(31), "big")
    key = w.lender_key(lender)
    seed = bytes.fromhex(json.loads(Wallet.open(path, PW)._contents())["ed25519_seed"])
    expected = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=b"zkcredit/lender-key/v1" + lender.to_bytes(32, "big")).derive(seed)
    assert key.private_bytes_raw() == expected
    assert Wallet.open(path, PW).lender_key(lender).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw) == key.public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw)
    assert w.lender_key(lender + 1).private_bytes_raw() != expected
    with pytest.raises(MalformedInput):
        w.lender_key(-1)
    with pytest.raises(InvalidArgument):
        w.lender_key("5")  # type: ignore[arg-type]
