"""zkcredit: zero-knowledge credit attestations and an under-collateralized loan ledger.

Recipes (commitments, attestations, the verifier, the ledger) live at the top level;
low-level algebra, Poseidon and the pure-Python reference oracle live under
`zkcredit.hazmat`.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
