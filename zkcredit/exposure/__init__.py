"""The shared exposure registry: a cap of k credit lines per borrower and exposure epoch,
across lenders, without linking the borrower (issue 12; docs/exposure.md).

Each line a lender opens claims one *slot nullifier* (`slot_nullifier`), which the
borrower's threshold proof derives from their issuer-bound holder secret; a slot already
claimed is refused at every lender (`ExposureCapReached`). `ExposureRegistry` keeps the
claims in SQLite (one node) or PostgreSQL (lenders on one server);
`export_exposure_registry_solidity` is the same registry as a contract for lenders that
settle on chain.
"""

from __future__ import annotations

from ._nullifier import (
    EXPOSURE_DOMAIN,
    MAX_SLOTS,
    SLOT_BITS,
    exposure_epoch,
    slot_nullifier,
    slot_nullifiers,
)
from ._published import CLAIMS_FORMAT, PublishedClaims
from ._registry import Claim, ExposureRegistry
from ._solidity import export_exposure_registry_solidity

__all__ = [
    "CLAIMS_FORMAT",
    "EXPOSURE_DOMAIN",
    "MAX_SLOTS",
    "SLOT_BITS",
    "Claim",
    "ExposureRegistry",
    "PublishedClaims",
    "export_exposure_registry_solidity",
    "exposure_epoch",
    "slot_nullifier",
    "slot_nullifiers",
]
