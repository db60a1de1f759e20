"""Canonical JSON bytes for signing (RFC 8785 JCS over our restricted value set) and the
strict field parsers shared by challenges, policies, presentations and exposure claims."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from zkcredit.decision import BN254_SCALAR_ORDER
from zkcredit.errors import InvalidEncoding, NonCanonicalScalar

__all__ = [
    "MAX_TIME",
    "canonical_json",
    "decimal_field",
    "exact_keys",
    "hex_bytes",
    "plain_int",
    "text",
]

#: Times in challenges and circuits are below 2^40 (the circuit's range width).
MAX_TIME = 2**40
_DECIMAL = re.compile(r"(0|[1-9][0-9]{0,77})")
_HEX = re.compile(r"[0-9a-f]*")
_MAX_SAFE = 2**53  # JCS numbers are IEEE doubles: larger ints are not portable


def _check(value: Any, depth: int) -> None:
    if depth > 16:
        raise InvalidEncoding("canonical JSON: nested too deeply")
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        if not -_MAX_SAFE < value < _MAX_SAFE:
            raise InvalidEncoding("canonical JSON: integers must be below 2^53 in magnitude")
        return
    if isinstance(value, str):
        if not value.isascii():
            raise InvalidEncoding("canonical JSON: strings must be ASCII")
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check(item, depth + 1)
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                raise InvalidEncoding("canonical JSON: keys must be ASCII strings")
            _check(item, depth + 1)
        return
    raise InvalidEncoding(f"canonical JSON: {type(value).__name__} is not allowed")


def canonical_json(value: Any) -> bytes:
    """RFC 8785 bytes for ASCII strings, safe ints, bools, null, lists and objects.

    Over that set JCS equals sorted keys, no whitespace and json's minimal escaping; floats
    and non-ASCII text are refused rather than risk a second implementation disagreeing.
    """
    _check(value, 0)
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    ).encode("ascii")


def exact_keys(obj: object, keys: set[str], what: str) -> dict[str, Any]:
    """``obj`` as a dict with exactly ``keys`` (missing and unknown keys both refused)."""
    if not isinstance(obj, dict):
        raise InvalidEncoding(f"{what}: expected a JSON object, got {type(obj).__name__}")
    missing, extra = keys - set(obj), set(obj) - keys
    if missing or extra:
        raise InvalidEncoding(
            f"{what}: missing keys {sorted(missing)}, unknown keys {sorted(extra)}"
        )
    return obj


def decimal_field(value: object, what: str) -> int:
    """A canonical decimal string of a field element: no sign, no leading zero, < r."""
    if not isinstance(value, str) or _DECIMAL.fullmatch(value) is None:
        raise InvalidEncoding(f"{what}: expected a canonical decimal string of a field element")
    number = int(value)
    if number >= BN254_SCALAR_ORDER:
        raise NonCanonicalScalar(f"{what}: value >= r is not a canonical field element")
    return number


def plain_int(value: object, what: str, lo: int, hi: int) -> int:
    """An int (not bool) with ``lo <= value < hi``."""
    if type(value) is not int:
        raise InvalidEncoding(f"{what}: expected an integer, got {type(value).__name__}")
    if not lo <= value < hi:
        raise InvalidEncoding(f"{what}: {value} is outside [{lo}, {hi})")
    return value


def hex_bytes(value: object, length: int, what: str) -> bytes:
    """Lowercase hex of exactly ``length`` bytes."""
    if not isinstance(value, str) or len(value) != 2 * length or not _HEX.fullmatch(value):
        raise InvalidEncoding(f"{what}: expected {2 * length} lowercase hex digits")
    return bytes.fromhex(value)


def text(value: object, what: str, max_len: int = 128) -> str:
    """A short printable ASCII string."""
    if (
        not isinstance(value, str) or not value or len(value) > max_len
        or not value.isascii() or not value.isprintable()
    ):
        raise InvalidEncoding(f"{what}: expected printable ASCII text of 1..{max_len} chars")
    return value
