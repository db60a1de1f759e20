"""The credit domain: records, histories, the public score model and the borrower's wallet.

The gadgets over record slots live in `zkcredit.circuits.score_model`.
"""

from __future__ import annotations

from .history import (
    DEFAULT_CAPACITY,
    MAX_CAPACITY,
    History,
    history_commitment,
    holder_commitment,
    new_blinding,
    new_holder_secret,
)
from .issuance import Disclosure, Issuer, exact_books
from .issuer import (
    Attestation,
    IssuerRegistry,
    attestation_message,
    issuer_leaf,
    verify_attestation,
)
from .model import (
    DEFAULT_MODEL,
    SECONDS_PER_MONTH,
    ScoreModelV1,
    no_default_within,
    score,
    total_outstanding,
)
from .records import (
    CreditRecord,
    RecordKind,
    RecordStatus,
    new_salt,
    record_from_ledger_tradeline,
    record_leaf,
    records_from_csv,
    records_from_json,
)
from .revocation import RevocationList, RevocationTree
from .wallet import Wallet

__all__ = [
    "DEFAULT_CAPACITY",
    "DEFAULT_MODEL",
    "MAX_CAPACITY",
    "SECONDS_PER_MONTH",
    "Attestation",
    "CreditRecord",
    "Disclosure",
    "History",
    "Issuer",
    "IssuerRegistry",
    "RecordKind",
    "RecordStatus",
    "RevocationList",
    "RevocationTree",
    "ScoreModelV1",
    "Wallet",
    "attestation_message",
    "exact_books",
    "history_commitment",
    "holder_commitment",
    "issuer_leaf",
    "new_blinding",
    "new_holder_secret",
    "new_salt",
    "no_default_within",
    "record_from_ledger_tradeline",
    "record_leaf",
    "records_from_csv",
    "records_from_json",
    "score",
    "total_outstanding",
    "verify_attestation",
]
