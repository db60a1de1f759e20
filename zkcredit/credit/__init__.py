"""The credit domain: records, histories, the public score model and the borrower's wallet."""

from __future__ import annotations

__all__: list[str] = []
