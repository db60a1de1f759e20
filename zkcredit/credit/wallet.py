"""The borrower's encrypted wallet: records, salts, secrets and attestations at rest (§7).

File format (one line of canonical JSON: sorted keys, no whitespace, ASCII)::

    {"cipher": {"name": "aes-256-gcm", "nonce": <24 lower-case hex>},
     "ciphertext": <lower-case hex>,
     "format": "zkcredit-wallet",
     "kdf": {"n": 32768, "name": "scrypt", "p": 1, "r": 8, "salt": <32 lower-case hex>},
     "version": 1}

The key is scrypt(NFC-normalized UTF-8 passphrase, salt, n=2^15, r=8, p=1, 32 bytes); the
plaintext (canonical JSON of the contents) is sealed with AES-256-GCM under a fresh random
nonce per save, with the canonical JSON of every field except ``ciphertext`` as associated
data. A reader accepts only these exact parameters and only the canonical bytes, so every
byte of the file is authenticated or pinned: any change is `WalletError` (unreadable,
non-canonical, unknown version) or `WrongPassphrase` (authentication fails; a wrong
passphrase and a tampered ciphertext are indistinguishable, and the message says so).

Writes go through `write_file_atomic(secret=True)`: mode 0600 from the first byte, all or
nothing; `Wallet.create` never replaces an existing path or symlink (`OutputExists`).
The passphrase is used once to derive the key and never stored, logged or shown.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from zkcredit._files import loads_strict, write_file_atomic
from zkcredit.errors import InvalidArgument, MalformedInput, WalletError, WrongPassphrase

from .history import (
    DEFAULT_CAPACITY,
    History,
    _check_capacity,
    check_field_element,
    history_commitment,
    holder_commitment,
    new_blinding,
    new_holder_secret,
)
from .issuance import Disclosure
from .records import CreditRecord, check_salt, new_salt


def _record_item(obj: object) -> CreditRecord:
    """One record from its JSON object form."""
    if not isinstance(obj, dict):
        raise WalletError("wallet records must be JSON objects")
    return CreditRecord.from_mapping(obj)

__all__ = ["LENDER_KEY_INFO", "WALLET_FORMAT", "Wallet"]

WALLET_FORMAT = "zkcredit-wallet"
_CONTENTS_FORMAT = "zkcredit-wallet-contents"
_VERSION = 1
_N, _R, _P = 1 << 15, 8, 1
_SCRYPT: dict[str, object] = {"name": "scrypt", "n": _N, "r": _R, "p": _P}
_SALT_BYTES, _NONCE_BYTES, _KEY_BYTES, _SEED_BYTES = 16, 12, 32, 32
_MAX_FILE_BYTES = 16 * 1024 * 1024
_HEX = re.compile(r"\A(?:[0-9a-f]{2})*\Z")
#: HKDF info prefix of the per-lender Ed25519 key (contract §6).
LENDER_KEY_INFO = b"zkcredit/lender-key/v1"


def _canonical(obj: object) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False).encode("ascii")


def _passphrase_bytes(passphrase: object) -> bytes:
    if not isinstance(passphrase, str) or not passphrase:
        raise InvalidArgument("the wallet passphrase must be a non-empty string")
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _derive_key(passphrase: bytes, salt: bytes) -> bytes:
    """scrypt with the fixed wallet parameters."""
    return Scrypt(salt=salt, length=_KEY_BYTES, n=_N, r=_R, p=_P).derive(passphrase)


def _hex_field(obj: Mapping[str, Any], key: str, n_bytes: int | None) -> bytes:
    value = obj.get(key)
    if not isinstance(value, str) or not _HEX.match(value):
        raise WalletError(f"wallet {key} must be lower-case hex")
    raw = bytes.fromhex(value)
    if n_bytes is not None and len(raw) != n_bytes:
        raise WalletError(f"wallet {key} must be {n_bytes} bytes")
    return raw


def _parse_envelope(data: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """Validate the envelope; returns (salt, nonce, aad, ciphertext)."""
    try:
        obj = loads_strict(data)
    except MalformedInput:
        raise WalletError("the wallet file is not valid JSON (truncated or corrupted)") from None
    if not isinstance(obj, dict) or obj.get("format") != WALLET_FORMAT:
        raise WalletError("not a zkcredit wallet file")
    if obj.get("version") != _VERSION or type(obj.get("version")) is not int:
        raise WalletError(f"unsupported wallet version {obj.get('version')!r} (expected 1)")
    if set(obj) != {"cipher", "ciphertext", "format", "kdf", "version"}:
        raise WalletError("wallet file has unexpected or missing fields")
    kdf, cipher = obj["kdf"], obj["cipher"]
    if not isinstance(kdf, dict) or set(kdf) != {*_SCRYPT, "salt"} or any(
        type(kdf[k]) is not type(v) or kdf[k] != v for k, v in _SCRYPT.items()
    ):
        raise WalletError("wallet kdf must be scrypt with n=32768, r=8, p=1")
    if not isinstance(cipher, dict) or set(cipher) != {"name", "nonce"} or (
        cipher["name"] != "aes-256-gcm"
    ):
        raise WalletError("wallet cipher must be aes-256-gcm")
    salt = _hex_field(kdf, "salt", _SALT_BYTES)
    nonce = _hex_field(cipher, "nonce", _NONCE_BYTES)
    ciphertext = _hex_field(obj, "ciphertext", None)
    if len(ciphertext) < 16:
        raise WalletError("wallet ciphertext is truncated")
    if _canonical(obj) != data:
        raise WalletError("wallet file is not in canonical form (edited or corrupted)")
    header = {k: v for k, v in obj.items() if k != "ciphertext"}
    return salt, nonce, _canonical(header), ciphertext


def _envelope(salt: bytes, nonce: bytes, key: bytes, plaintext: bytes) -> bytes:
    header: dict[str, Any] = {
        "cipher": {"name": "aes-256-gcm", "nonce": nonce.hex()},
        "format": WALLET_FORMAT,
        "kdf": {**_SCRYPT, "salt": salt.hex()},
        "version": _VERSION,
    }
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, _canonical(header))
    return _canonical({**header, "ciphertext": ciphertext.hex()})


_DECIMAL = re.compile(r"\A(0|[1-9][0-9]{0,77})\Z")


def _decimal(value: object, what: str) -> int:
    if not isinstance(value, str) or not _DECIMAL.match(value):
        raise WalletError(f"wallet {what} must be a decimal string")
    return int(value)


def _check_attestation(att: object) -> dict[str, Any]:
    if not isinstance(att, dict):
        raise InvalidArgument("an attestation must be a JSON object (dict)")
    try:
        return dict(loads_strict(_canonical(att)))
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(f"attestation is not plain JSON ({type(exc).__name__})") from None


class Wallet:
    """An open wallet: its contents in memory and the key to save them back."""

    def __init__(
        self,
        path: Path,
        key: bytes,
        salt: bytes,
        *,
        records: list[CreditRecord],
        salts: list[int],
        blinding: int,
        holder_secret: int,
        ed25519_seed: bytes,
        capacity: int,
        attestations: list[dict[str, Any]],
    ) -> None:
        """Use `Wallet.create` or `Wallet.open`."""
        self._path = path
        self._key = key
        self._salt = salt
        self._records = records
        self._salts = salts
        self._blinding = blinding
        self._holder_secret = holder_secret
        self._seed = ed25519_seed
        self._capacity = capacity
        self._attestations = attestations

    def __repr__(self) -> str:
        return f"Wallet({str(self._path)!r}, records={len(self._records)}/{self._capacity})"

    # --- create / open / save ----------------------------------------------------------
    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        passphrase: str,
        *,
        capacity: int = DEFAULT_CAPACITY,
        records: Iterable[CreditRecord] = (),
    ) -> Wallet:
        """A new wallet with fresh secrets, written to ``path`` (which must not exist)."""
        pw = _passphrase_bytes(passphrase)
        cap = _check_capacity(capacity)
        salt = secrets.token_bytes(_SALT_BYTES)
        wallet = cls(
            Path(path), _derive_key(pw, salt), salt, records=[], salts=[],
            blinding=new_blinding(), holder_secret=new_holder_secret(),
            ed25519_seed=secrets.token_bytes(_SEED_BYTES), capacity=cap, attestations=[],
        )
        wallet.import_records(records)
        wallet._write(replace=False)
        return wallet

    @classmethod
    def open(cls, path: str | os.PathLike[str], passphrase: str) -> Wallet:
        """Decrypt and validate the wallet at ``path``."""
        _passphrase_bytes(passphrase)
        p = Path(path)
        try:
            if p.stat().st_size > _MAX_FILE_BYTES:
                raise WalletError(f"wallet {p}: file too large")
            data = p.read_bytes()
        except OSError as exc:
            raise WalletError(f"wallet {p}: cannot read ({exc.strerror})") from None
        return cls.from_bytes(data, passphrase, p)

    @classmethod
    def from_bytes(
        cls, data: bytes, passphrase: str, path: str | os.PathLike[str]
    ) -> Wallet:
        """Decrypt and validate wallet file bytes read elsewhere; `save` writes to ``path``."""
        pw = _passphrase_bytes(passphrase)
        p = Path(path)
        if not isinstance(data, bytes) or len(data) > _MAX_FILE_BYTES:
            raise WalletError("wallet data must be bytes of at most 16 MiB")
        salt, nonce, aad, ciphertext = _parse_envelope(data)
        key = _derive_key(pw, salt)
        try:
            plaintext = AESGCM(key).decrypt(nonce, ciphertext, aad)
        except InvalidTag:
            raise WrongPassphrase(
                f"wallet {p}: wrong passphrase, or the file was tampered with"
            ) from None
        return cls._from_contents(p, key, salt, plaintext)

    @classmethod
    def _from_contents(cls, path: Path, key: bytes, salt: bytes, plaintext: bytes) -> Wallet:
        try:
            obj = loads_strict(plaintext)
            if not isinstance(obj, dict) or obj.get("format") != _CONTENTS_FORMAT or obj.get(
                "version"
            ) != _VERSION:
                raise WalletError("unsupported wallet contents")
            expected = {"format", "version", "records", "salts", "blinding", "holder_secret",
                        "ed25519_seed", "capacity", "attestations"}
            if set(obj) != expected:
                raise WalletError("wallet contents have unexpected or missing fields")
            capacity = _check_capacity(obj["capacity"])
            for name in ("records", "salts", "attestations"):
                if not isinstance(obj[name], list):
                    raise WalletError(f"wallet {name} must be a list")
            records = [_record_item(r) for r in obj["records"]]
            salts = [check_salt(_decimal(s, "salt")) for s in obj["salts"]]
            if len(records) != len(salts) or len(records) > capacity:
                raise WalletError("wallet records and salts do not match")
            seed = _hex_field(obj, "ed25519_seed", _SEED_BYTES)
            attestations = [_check_attestation(a) for a in obj["attestations"]]
            return cls(
                path, key, salt, records=records, salts=salts,
                blinding=check_field_element(_decimal(obj["blinding"], "blinding"), "blinding"),
                holder_secret=check_field_element(
                    _decimal(obj["holder_secret"], "holder secret"), "holder secret",
                    nonzero=True),
                ed25519_seed=seed, capacity=capacity, attestations=attestations,
            )
        except WalletError:
            raise
        except (MalformedInput, TypeError, ValueError, KeyError) as exc:
            raise WalletError(f"wallet {path}: contents are invalid ({exc})") from None

    def _contents(self) -> bytes:
        return _canonical({
            "format": _CONTENTS_FORMAT,
            "version": _VERSION,
            "records": [r.to_json_dict() for r in self._records],
            "salts": [str(s) for s in self._salts],
            "blinding": str(self._blinding),
            "holder_secret": str(self._holder_secret),
            "ed25519_seed": self._seed.hex(),
            "capacity": self._capacity,
            "attestations": self._attestations,
        })

    def _write(self, *, replace: bool) -> None:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        data = _envelope(self._salt, nonce, self._key, self._contents())
        write_file_atomic(self._path, data, secret=True, replace=replace)

    def save(self) -> None:
        """Write the wallet back to its path atomically (a fresh nonce per save)."""
        self._write(replace=True)

    # --- contents ------------------------------------------------------------------------
    @property
    def path(self) -> Path:
        return self._path

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def records(self) -> tuple[CreditRecord, ...]:
        return tuple(self._records)

    @property
    def salts(self) -> tuple[int, ...]:
        return tuple(self._salts)

    @property
    def blinding(self) -> int:
        return self._blinding

    @property
    def holder_secret(self) -> int:
        return self._holder_secret

    @property
    def attestations(self) -> list[dict[str, Any]]:
        return [dict(a) for a in self._attestations]

    def add_record(self, record: CreditRecord) -> None:
        """Add one record with a fresh salt (in memory; `save` writes it)."""
        if not isinstance(record, CreditRecord):
            raise InvalidArgument("add_record needs a CreditRecord")
        if len(self._records) >= self._capacity:
            raise InvalidArgument(f"the wallet is full ({self._capacity} records)")
        self._records.append(record)
        self._salts.append(new_salt())

    def import_records(self, records: Iterable[CreditRecord]) -> int:
        """Add records (all or none: capacity is checked first); returns how many."""
        batch = list(records)
        for i, r in enumerate(batch):
            if not isinstance(r, CreditRecord):
                raise InvalidArgument(f"record {i} is not a CreditRecord")
        if len(self._records) + len(batch) > self._capacity:
            raise InvalidArgument(
                f"{len(batch)} more records do not fit ({len(self._records)} of "
                f"{self._capacity} slots used)"
            )
        for r in batch:
            self.add_record(r)
        return len(batch)

    def add_attestation(self, attestation: Mapping[str, Any]) -> None:
        """Keep an attestation JSON object (opaque to the wallet; `save` writes it)."""
        self._attestations.append(_check_attestation(attestation))

    def history(self) -> History:
        """The records and salts as a `History` (needs at least one record)."""
        return History(self._records, self._salts, self._capacity)

    def holder_commitment(self) -> int:
        """``Poseidon([holder_secret])``."""
        return holder_commitment(self._holder_secret)

    def commitment(self) -> int:
        """The history commitment an issuer attests (contract §2)."""
        return history_commitment(self.history().root(), self._blinding,
                                  self.holder_commitment())

    def disclose(self, subject: str) -> Disclosure:
        """The opening an issuer checks against its books before attesting (secret-bearing:
        salts and blinding; never the holder secret)."""
        return Disclosure(subject, self.history(), self._blinding, self.holder_commitment())

    def lender_key(self, lender_id: int) -> Ed25519PrivateKey:
        """The per-lender borrower key: HKDF-SHA256 of the wallet seed (contract §6)."""
        lid = check_field_element(lender_id, "lender_id")
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=LENDER_KEY_INFO + lid.to_bytes(32, "big"))
        return Ed25519PrivateKey.from_private_bytes(hkdf.derive(self._seed))

    def fingerprint(self) -> str:
        """A short non-secret id for display: sha256 of the holder commitment, 16 hex."""
        return hashlib.sha256(self.holder_commitment().to_bytes(32, "big")).hexdigest()[:16]
