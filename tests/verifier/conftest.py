"""Fixtures: a fresh verifier (in-memory store) for lender-a and a borrower."""

from __future__ import annotations

import pytest

from zkcredit.verifier import MemoryVerifierStore, Verifier, vk_hash

from ._support import Borrower, keys, policy


@pytest.fixture
def verifier() -> Verifier:
    vk = keys()[1]
    return Verifier(policy(), {vk_hash(vk): vk}, MemoryVerifierStore())


@pytest.fixture
def borrower() -> Borrower:
    return Borrower()
