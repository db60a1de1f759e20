"""Encodings shared by both algebra backends: decimal text, scalar vectors, snarkjs points.

Everything here is strict, because every value that reaches the curve code comes from
outside (files, the CLI, the network):

* decimal text: ASCII digits only, no sign, no whitespace, no leading zeros (except the
  number ``0`` itself), and below the modulus. The length is checked before ``int()``
  runs, so a 5,000-digit string costs nothing and never hits Python's int-parsing limit.
* scalar vectors: elements of the scalar field as 32-byte little-endian canonical
  integers, concatenated (docs/ARCHITECTURE.md, "Encodings"). Never reduced.
* snarkjs JSON points: decimal-string projective triples, ``["x", "y", "1"]`` for an
  affine point and ``["0", "1", "0"]`` for infinity; G2 as
  ``[["x_c0", "x_c1"], ["y_c0", "y_c1"], ["1", "0"]]`` with infinity
  ``[["0", "0"], ["1", "0"], ["0", "0"]]``, which is what snarkjs writes.

The snarkjs functions take a curve module (``zkcredit.hazmat.native.bn254``,
``zkcredit.hazmat.reference.bls12_381``, ...) and go through its ``G1``/``G2``
``from_affine``/``to_affine``, so the curve module does the point validation (on the
curve, in the subgroup) and these functions only deal with the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from types import ModuleType
from typing import Any, cast

from zkcredit.errors import (
    InvalidArgument,
    InvalidEncoding,
    MalformedInput,
    NonCanonicalCoordinate,
    NonCanonicalScalar,
)

__all__ = [
    "SCALAR_BYTES",
    "g1_from_snarkjs",
    "g1_to_snarkjs",
    "g2_from_snarkjs",
    "g2_to_snarkjs",
    "pack_scalars",
    "parse_decimal",
    "scalar_count",
    "unpack_scalars",
]

SCALAR_BYTES = 32
"""Bytes per scalar-field element in a packed scalar vector, on every curve."""

_SHOWN = 24  # characters of a bad input quoted back in an error message


def _quote(text: str) -> str:
    if len(text) <= _SHOWN:
        return repr(text)
    return f"{text[:_SHOWN]!r}... ({len(text)} chars)"


@lru_cache(maxsize=16)
def _digits(modulus: int) -> int:
    return len(str(modulus))


def parse_decimal(
    text: object,
    modulus: int,
    what: str,
    *,
    noncanonical: type[MalformedInput] = NonCanonicalScalar,
    modulus_name: str | None = None,
) -> int:
    """Parse a canonical decimal string into an integer in [0, modulus).

    ``what`` names the value in error messages (e.g. ``"pi_a x coordinate"``).
    Malformed text raises `InvalidEncoding`; a well-formed number >= modulus raises
    ``noncanonical`` (`NonCanonicalScalar` by default; pass `NonCanonicalCoordinate`
    for point coordinates). The value is never reduced. ``modulus_name`` names the bound
    in that message (default: the modulus's digits).
    """
    bound = modulus_name if modulus_name is not None else f"the modulus {modulus}"
    if not isinstance(text, str):
        raise InvalidEncoding(f"{what}: expected a decimal string, got {type(text).__name__}")
    if not text:
        raise InvalidEncoding(f"{what}: empty string is not a decimal number")
    # Checked before anything proportional to the length happens beyond this scan.
    if not (text.isascii() and text.isdigit()):
        raise InvalidEncoding(
            f"{what}: {_quote(text)} is not a decimal number "
            "(only the digits 0-9 are allowed: no sign, spaces or other characters)"
        )
    if len(text) > 1 and text[0] == "0":
        raise InvalidEncoding(f"{what}: {_quote(text)} has a leading zero")
    if len(text) > _digits(modulus):
        raise noncanonical(
            f"{what}: {_quote(text)} is not below {bound} ({len(text)} digits, the bound "
            f"has {_digits(modulus)})"
        )
    value = int(text)
    if value >= modulus:
        raise noncanonical(f"{what}: {_quote(text)} is not below {bound}")
    return value


def _check_scalar(value: object, modulus: int, index: int) -> int:
    if type(value) is not int:  # bool and int subclasses are not field elements
        raise InvalidEncoding(f"scalar {index}: expected int, got {type(value).__name__}")
    if not 0 <= value < modulus:
        raise NonCanonicalScalar(f"scalar {index}: {value} is not in [0, r) for r = {modulus}")
    return value


def pack_scalars(values: Iterable[int], modulus: int) -> bytes:
    """Pack integers in [0, modulus) into a scalar vector (32-byte little-endian each).

    A value outside [0, modulus) raises `NonCanonicalScalar`; a non-int (including
    bool) raises `InvalidEncoding`.
    """
    out = bytearray()
    for index, value in enumerate(values):
        out += _check_scalar(value, modulus, index).to_bytes(SCALAR_BYTES, "little")
    return bytes(out)


def scalar_count(data: bytes) -> int:
    """Number of elements in a scalar vector; checks only the type and the length.

    Not `bytes` raises `TypeError` (as the native core does); a length that is not a
    multiple of 32 raises `InvalidEncoding`.
    """
    if not isinstance(data, bytes):
        raise TypeError(f"scalar vector: expected bytes, got {type(data).__name__}")
    if len(data) % SCALAR_BYTES:
        raise InvalidEncoding(
            f"scalar vector: length {len(data)} is not a multiple of {SCALAR_BYTES}"
        )
    return len(data) // SCALAR_BYTES


def unpack_scalars(data: bytes, modulus: int) -> list[int]:
    """Unpack a scalar vector into integers, checking every element is below modulus.

    Not `bytes` raises `TypeError`; a length that is not a multiple of 32 raises
    `InvalidEncoding`; an element >= modulus raises `NonCanonicalScalar` naming its index.
    """
    raw = data
    scalar_count(raw)
    values = []
    for index in range(len(raw) // SCALAR_BYTES):
        value = int.from_bytes(raw[index * SCALAR_BYTES : (index + 1) * SCALAR_BYTES], "little")
        if value >= modulus:
            raise NonCanonicalScalar(
                f"scalar vector: element {index} is {value}, not below r = {modulus}"
            )
        values.append(value)
    return values


# --- snarkjs JSON points -------------------------------------------------------------


def _as_list(obj: object, length: int, what: str) -> Sequence[object]:
    if not isinstance(obj, list | tuple):
        raise InvalidEncoding(
            f"{what}: expected a JSON array of {length}, got {type(obj).__name__}"
        )
    if len(obj) != length:
        raise InvalidEncoding(f"{what}: expected {length} elements, got {len(obj)}")
    return obj


def _coordinate(text: object, q: int, what: str) -> int:
    return parse_decimal(text, q, what, noncanonical=NonCanonicalCoordinate)


def _fp2(obj: object, q: int, what: str) -> tuple[int, int]:
    c0, c1 = _as_list(obj, 2, what)
    return (_coordinate(c0, q, f"{what}[0] (c0)"), _coordinate(c1, q, f"{what}[1] (c1)"))


def _validated(cls: Any, affine: object, what: str) -> Any:
    try:
        return cls.from_affine([affine])
    except MalformedInput as exc:
        raise type(exc)(f"{what}: {exc}") from exc


def g1_from_snarkjs(module: ModuleType, obj: object, *, what: str = "G1 point") -> Any:
    """Decode a snarkjs G1 point into a length-1 ``module.G1`` vector (validated).

    ``obj`` is ``["x", "y", "1"]`` or ``["0", "1", "0"]`` (infinity). Any other
    z-coordinate raises `InvalidEncoding`; coordinates >= q raise
    `NonCanonicalCoordinate`; the curve module raises `PointNotOnCurve` /
    `PointNotInSubgroup`. ``what`` names the point in error messages.
    """
    q: int = module.BASE_MODULUS
    x_text, y_text, z_text = _as_list(obj, 3, what)
    x = _coordinate(x_text, q, f"{what} x")
    y = _coordinate(y_text, q, f"{what} y")
    z = _coordinate(z_text, q, f"{what} z")
    if z == 1:
        return _validated(module.G1, (x, y), what)
    if z == 0:
        if (x, y) != (0, 1):
            raise InvalidEncoding(
                f'{what}: z = 0 (infinity) must be written ["0", "1", "0"], got x = {x}, y = {y}'
            )
        return _validated(module.G1, None, what)
    raise InvalidEncoding(
        f'{what}: z must be "1" (affine) or "0" (infinity); projective z = {z} is not accepted'
    )


def g2_from_snarkjs(module: ModuleType, obj: object, *, what: str = "G2 point") -> Any:
    """Decode a snarkjs G2 point into a length-1 ``module.G2`` vector (validated).

    ``obj`` is ``[["x_c0", "x_c1"], ["y_c0", "y_c1"], ["1", "0"]]``, or
    ``[["0", "0"], ["1", "0"], ["0", "0"]]`` for infinity; any other z raises
    `InvalidEncoding`.
    """
    q: int = module.BASE_MODULUS
    x_obj, y_obj, z_obj = _as_list(obj, 3, what)
    x = _fp2(x_obj, q, f"{what} x")
    y = _fp2(y_obj, q, f"{what} y")
    z = _fp2(z_obj, q, f"{what} z")
    if z == (1, 0):
        return _validated(module.G2, (x, y), what)
    if z == (0, 0):
        if (x, y) != ((0, 0), (1, 0)):
            raise InvalidEncoding(
                f'{what}: z = 0 (infinity) must be written [["0", "0"], ["1", "0"], ["0", "0"]],'
                f" got x = {x}, y = {y}"
            )
        return _validated(module.G2, None, what)
    raise InvalidEncoding(
        f'{what}: z must be ["1", "0"] (affine) or ["0", "0"] (infinity); '
        f"projective z = {z} is not accepted"
    )


def _single(points: Any, what: str) -> object:
    if len(points) != 1:
        raise InvalidArgument(f"{what}: expected a vector of one point, got {len(points)}")
    affine: list[object] = list(points.to_affine())
    return affine[0]


def g1_to_snarkjs(point: Any) -> list[str]:
    """Encode a length-1 G1 vector (either backend, any curve) as a snarkjs triple."""
    affine = _single(point, "G1 point")
    if affine is None:
        return ["0", "1", "0"]
    x, y = cast(tuple[int, int], affine)
    return [str(x), str(y), "1"]


def g2_to_snarkjs(point: Any) -> list[list[str]]:
    """Encode a length-1 G2 vector (either backend, any curve) as a snarkjs triple."""
    affine = _single(point, "G2 point")
    if affine is None:
        return [["0", "0"], ["1", "0"], ["0", "0"]]
    (x0, x1), (y0, y1) = cast(tuple[tuple[int, int], tuple[int, int]], affine)
    return [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]]
