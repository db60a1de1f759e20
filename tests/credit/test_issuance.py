"""Issuer-driven issuance (C9, C10, C12 at the issuer): the disclosure format, the books
check, the one-holder-per-subject binding, revocation on a books change, rebind, and the
signed revocation list; the SQLite store keeps all of it across a reopen."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Sequence
from pathlib import Path

import pytest

from zkcredit import errors
from zkcredit.credit import CreditRecord, RecordKind, RecordStatus, Wallet
from zkcredit.credit.issuance import Disclosure, Issuer, exact_books
from zkcredit.credit.issuer import verify_attestation
from zkcredit.hazmat import eddsa

DAY = 86_400
NOW = 1_767_225_600
KEY = bytes([3]) * 32
PW = "correct horse battery staple"


def _rec(days: int, status: RecordStatus = RecordStatus.CLOSED) -> CreditRecord:
    return CreditRecord(NOW - days * DAY, NOW - DAY, 100_000, 100_000 if status == 1 else 0,
                        90 if status == RecordStatus.DEFAULT else 0, status, RecordKind.LOAN)


BOOKS = [_rec(700), _rec(400, RecordStatus.CURRENT)]


def _wallet(tmp: Path, name: str, records: Sequence[CreditRecord] = BOOKS) -> Wallet:
    w = Wallet.create(tmp / name, PW, capacity=8)
    w.import_records(records)
    return w


@pytest.fixture
def issuer(tmp_path: Path) -> Issuer:
    iss = Issuer(tmp_path / "issuer.db", KEY)
    iss.set_books("alice", BOOKS, now=NOW)
    return iss


def test_honest_disclosure_is_attested(tmp_path: Path, issuer: Issuer) -> None:
    w = _wallet(tmp_path, "w")
    att = issuer.attest(w.disclose("alice"), now=NOW)
    assert att.issuer == eddsa.prv2pub(KEY)
    assert att.commitment == w.commitment() and att.holder_commitment == w.holder_commitment()
    assert att.not_before == NOW and att.not_after == NOW + issuer.validity
    verify_attestation(att, NOW)
    # The record order in the wallet does not matter (multiset check).
    w2 = _wallet(tmp_path, "w2", BOOKS[::-1])
    issuer.rebind("alice", now=NOW)
    later = issuer.attest(w2.disclose("alice"), now=NOW + 1)
    assert later.not_before == NOW + issuer.rebind_cooldown


def test_C9_made_up_history_refused_at_issuance(tmp_path: Path, issuer: Issuer) -> None:
    """C9: the issuer signs only a history equal to its books: a made-up clean record, a
    dropped default and an edited record are all refused, naming the difference."""
    issuer.set_books("alice", [*BOOKS, _rec(100, RecordStatus.DEFAULT)], now=NOW)
    made_up = _wallet(tmp_path, "made_up", [*BOOKS, _rec(100), _rec(1000)])
    with pytest.raises(errors.BooksMismatch, match="not in the books"):
        issuer.attest(made_up.disclose("alice"), now=NOW)
    dropped = _wallet(tmp_path, "dropped", BOOKS)
    with pytest.raises(errors.BooksMismatch, match=r"left out.*default"):
        issuer.attest(dropped.disclose("alice"), now=NOW)
    with pytest.raises(errors.BooksMismatch, match="no books"):
        issuer.attest(dropped.disclose("mallory"), now=NOW)
    assert issuer.attestations("alice") == []  # nothing signed, nothing stored


def test_C10_second_wallet_for_one_subject_refused(tmp_path: Path, issuer: Issuer) -> None:
    """C10: the first attested wallet binds the subject; another wallet (another holder
    secret, so another nullifier) for the same subject is refused, and one wallet cannot
    be bound to two subjects."""
    first = _wallet(tmp_path, "first")
    issuer.attest(first.disclose("alice"), now=NOW)
    second = _wallet(tmp_path, "second")
    with pytest.raises(errors.IdentityConflict, match="another wallet"):
        issuer.attest(second.disclose("alice"), now=NOW + 1)
    issuer.set_books("bob", BOOKS, now=NOW)
    with pytest.raises(errors.IdentityConflict, match="another subject"):
        issuer.attest(first.disclose("bob"), now=NOW + 1)
    # The first wallet keeps getting attestations.
    issuer.attest(first.disclose("alice"), now=NOW + 2)


def test_rebind_revokes_and_holds_back(tmp_path: Path, issuer: Issuer) -> None:
    first = _wallet(tmp_path, "first")
    old = issuer.attest(first.disclose("alice"), now=NOW)
    revoked = issuer.rebind("alice", now=NOW + DAY)
    assert revoked == [old.revocation_id]
    second = _wallet(tmp_path, "second")
    new = issuer.attest(second.disclose("alice"), now=NOW + DAY)
    assert new.not_before == NOW + DAY + issuer.rebind_cooldown
    with pytest.raises(errors.IdentityConflict):
        issuer.attest(first.disclose("alice"), now=NOW + 2 * DAY)
    rl = issuer.revocation_list(now=NOW + 2 * DAY)
    rl.verify()
    assert rl.revoked == (old.revocation_id,)


def test_books_change_revokes_live_attestations(tmp_path: Path, issuer: Issuer) -> None:
    w = _wallet(tmp_path, "w")
    a1 = issuer.attest(w.disclose("alice"), now=NOW)
    assert issuer.set_books("alice", list(BOOKS), now=NOW + 1) == []  # unchanged: nothing
    revoked = issuer.set_books("alice", [*BOOKS, _rec(50, RecordStatus.DEFAULT)], now=NOW + 2)
    assert revoked == [a1.revocation_id]
    rows = issuer.attestations("alice")
    assert rows[0]["revoked_at"] == NOW + 2 and rows[0]["revoke_reason"] == "books changed"


def test_revocation_list_is_monotone_and_prunes_expired(tmp_path: Path, issuer: Issuer) -> None:
    w = _wallet(tmp_path, "w")
    att = issuer.attest(w.disclose("alice"), now=NOW)
    issuer.revoke(att.revocation_id, now=NOW + 1)
    issuer.revoke(att.revocation_id, now=NOW + 2)  # idempotent
    with pytest.raises(errors.InvalidArgument):
        issuer.revoke(12345, now=NOW)
    assert issuer.revocation_list(now=NOW + 3).revoked == (att.revocation_id,)
    with pytest.raises(errors.RevocationListOutdated):
        issuer.revocation_list(now=NOW + 3)
    # After the attestation expired its id is no longer needed in the list.
    assert issuer.revocation_list(now=att.not_after + 1).revoked == ()


def test_store_survives_reopen_and_refuses_another_key(tmp_path: Path, issuer: Issuer) -> None:
    w = _wallet(tmp_path, "w")
    issuer.attest(w.disclose("alice"), now=NOW)
    issuer.close()
    again = Issuer(tmp_path / "issuer.db", KEY)
    assert again.books("alice") == BOOKS
    with pytest.raises(errors.IdentityConflict):
        again.attest(_wallet(tmp_path, "w2").disclose("alice"), now=NOW)
    assert "issuer.db" in repr(again) and KEY.hex() not in repr(again)
    with pytest.raises(errors.InvalidArgument, match="another issuer key"):
        Issuer(tmp_path / "issuer.db", bytes([4]) * 32)


def test_pluggable_books_check(tmp_path: Path) -> None:
    seen: list[str] = []

    def only_closed_count(subject: str, disclosed: Sequence[CreditRecord],
                          books: Sequence[CreditRecord]) -> None:
        seen.append(subject)
        exact_books(subject, disclosed, books)

    iss = Issuer(tmp_path / "i.db", KEY, books_check=only_closed_count)
    iss.set_books("carol", BOOKS, now=NOW)
    iss.attest(_wallet(tmp_path, "w").disclose("carol"), now=NOW)
    assert seen == ["carol"]


def test_disclosure_file(tmp_path: Path) -> None:
    w = _wallet(tmp_path, "w")
    d = w.disclose("alice")
    path = tmp_path / "disclosure.json"
    d.save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    loaded = Disclosure.load(path)
    assert loaded == d and loaded.commitment() == w.commitment()
    text = path.read_text()
    assert str(w.holder_secret) not in text  # the holder secret never leaves the wallet
    with pytest.raises(errors.OutputExists):
        d.save(path)
    obj = json.loads(text)
    for edit, error in (
        (lambda o: o.update(version=2), errors.UnsupportedFormat),
        (lambda o: o.update(subject=" alice"), errors.InvalidEncoding),
        (lambda o: o.update(salts=o["salts"][:1]), errors.InvalidEncoding),
        (lambda o: o.update(capacity=3), errors.InvalidEncoding),
        (lambda o: o.update(blinding="0x1"), errors.InvalidEncoding),
        (lambda o: o.pop("holder_commitment"), errors.InvalidEncoding),
    ):
        bad = json.loads(text)
        edit(bad)
        with pytest.raises(error):
            Disclosure.from_json(json.dumps(bad))
    assert obj["format"] == "zkcredit-disclosure"
