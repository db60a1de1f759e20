"""Immutable, validated point vectors and their arkworks 0.5 byte encodings.

Two byte formats, both exactly what arkworks 0.5 ``CanonicalSerialize`` writes:

``"sw"`` (ark-ec short Weierstrass default, used by ark-bn254)
    Coordinates little-endian, Fq2 as c0 then c1. Flags in the two top bits of the
    LAST byte: bit 7 = y is the larger of ±y (arkworks' ``SWFlags::YIsNegative``),
    bit 6 = infinity. Compressed = x with flags; uncompressed = x, then y with flags
    (arkworks sets the y-sign bit in uncompressed encodings too). Infinity is all
    zeros with bit 6 set.

``"zcash"`` (ark-bls12-381 ``curves/util.rs``, the ZCash format)
    Coordinates big-endian, Fq2 as c1 then c0. Flags in the three top bits of the
    FIRST byte: bit 7 = compressed, bit 6 = infinity, bit 5 = y is the larger of ±y
    (compressed, non-infinity only). Infinity is all zeros with the flags.

Decoding accepts exactly the encodings this module writes (it is stricter than arkworks
where arkworks is lenient). In order, it raises:

* `InvalidEncoding`: wrong total length; both SW flag bits set; the ZCash compression
  bit not matching the form asked for; a sign bit on an uncompressed ZCash encoding or
  on infinity; an infinity encoding with any other bit set; an uncompressed SW
  encoding whose y-sign bit disagrees with y (arkworks ignores that bit on input);
* `NonCanonicalCoordinate`: a coordinate (or Fq2 component) >= q;
* `PointNotOnCurve`: y^2 != x^3 + b, or no y for a compressed x;
* `PointNotInSubgroup`: r·P != O (skipped only where the cofactor is 1: BN254 G1).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, ClassVar, Generic, Self, TypeVar, cast

from zkcredit.errors import (
    InvalidArgument,
    InvalidEncoding,
    NonCanonicalCoordinate,
    PointNotInSubgroup,
    PointNotOnCurve,
)
from zkcredit.hazmat.encoding import scalar_count, unpack_scalars
from zkcredit.hazmat.reference._field import Elem, Field
from zkcredit.hazmat.reference._pyecc import Affine, Group, Projective, pairing_product_is_one


@dataclass(frozen=True)
class GroupSpec:
    """Everything that differs between BN254/BLS12-381 and G1/G2."""

    label: str  # "BN254 G1", used in error messages
    curve: str  # key of the py_ecc module
    style: str  # "sw" or "zcash"
    field: Field
    b: Elem  # curve equation y^2 = x^3 + b
    r: int  # prime order of the subgroup
    cofactor_is_one: bool
    generator: tuple[Elem, Elem]
    group: Group = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "group", Group(self.curve, self.field))
        if not self.on_curve(self.generator):
            raise AssertionError(f"{self.label}: generator is not on the curve")

    # sizes -------------------------------------------------------------------------

    @property
    def coordinate_bytes(self) -> int:
        return (self.field.q.bit_length() + 7) // 8

    def size(self, compressed: bool) -> int:
        return self.coordinate_bytes * self.field.degree * (1 if compressed else 2)

    # curve -------------------------------------------------------------------------

    def rhs(self, x: Elem) -> Elem:
        f = self.field
        return f.add(f.mul(f.mul(x, x), x), self.b)

    def on_curve(self, point: tuple[Elem, Elem]) -> bool:
        x, y = point
        return self.field.mul(y, y) == self.rhs(x)

    def in_subgroup(self, point: tuple[Elem, Elem]) -> bool:
        if self.cofactor_is_one:
            return True
        g = self.group
        return g.is_zero(g.mul(g.lift(point), self.r))

    # bytes -------------------------------------------------------------------------

    def _elem_bytes(self, e: Elem) -> bytes:
        n = self.coordinate_bytes
        if self.style == "sw":
            return b"".join(c.to_bytes(n, "little") for c in e)
        return b"".join(c.to_bytes(n, "big") for c in reversed(e))

    def _bytes_elem(self, data: bytes, what: str) -> Elem:
        n = self.coordinate_bytes
        parts = [data[i * n : (i + 1) * n] for i in range(self.field.degree)]
        if self.style == "sw":
            values = [int.from_bytes(p, "little") for p in parts]
        else:
            values = [int.from_bytes(p, "big") for p in reversed(parts)]
        for i, v in enumerate(values):
            if v >= self.field.q:
                component = f" c{i}" if self.field.degree == 2 else ""
                raise NonCanonicalCoordinate(
                    f"{self.label}: {what}{component} = {v} is not below q = {self.field.q}"
                )
        return tuple(values)

    def encode(self, point: Affine, compressed: bool) -> bytes:
        if point is None:
            out = bytearray(self.size(compressed))
            if self.style == "sw":
                out[-1] |= 0x40
            else:
                out[0] |= 0xC0 if compressed else 0x40
            return bytes(out)
        x, y = point
        out = bytearray(self._elem_bytes(x))
        if not compressed:
            out += self._elem_bytes(y)
        larger = self.field.is_larger(y)
        if self.style == "sw":
            if larger:
                out[-1] |= 0x80
        elif compressed:
            out[0] |= 0xA0 if larger else 0x80
        return bytes(out)

    def decode(self, data: bytes, compressed: bool, index: int) -> Affine:
        """One encoding -> a point on the curve (the subgroup is checked by the caller)."""
        form = "compressed" if compressed else "uncompressed"
        where = f"{self.label} {form} point {index}"
        raw = bytearray(data)
        if self.style == "sw":
            flags = raw[-1] & 0xC0
            raw[-1] &= 0x3F
            if flags == 0xC0:
                raise InvalidEncoding(f"{where}: both the infinity and y-sign flags are set")
            infinity, larger = flags == 0x40, flags == 0x80
        else:
            flags = raw[0] & 0xE0
            raw[0] &= 0x1F
            if bool(flags & 0x80) != compressed:
                raise InvalidEncoding(
                    f"{where}: compression flag (bit 7 of byte 0) is "
                    f"{'set' if flags & 0x80 else 'clear'}, expected {form}"
                )
            infinity, larger = bool(flags & 0x40), bool(flags & 0x20)
            if larger and (infinity or not compressed):
                raise InvalidEncoding(
                    f"{where}: y-sign flag (bit 5 of byte 0) is set on "
                    f"{'the point at infinity' if infinity else 'an uncompressed point'}"
                )
        if infinity:
            if any(raw):
                raise InvalidEncoding(
                    f"{where}: infinity flag set but the coordinate bits are not all zero"
                )
            return None
        n = self.coordinate_bytes * self.field.degree
        x = self._bytes_elem(bytes(raw[:n]), "x")
        if compressed:
            y = self.field.sqrt(self.rhs(x))
            if y is None:
                raise PointNotOnCurve(f"{where}: x^3 + b is not a square, no point has this x")
            if self.field.is_larger(y) != larger:
                y = self.field.neg(y)
            return (x, y)
        y = self._bytes_elem(bytes(raw[n:]), "y")
        if not self.on_curve((x, y)):
            raise PointNotOnCurve(f"{where}: y^2 != x^3 + b")
        if self.style == "sw" and self.field.is_larger(y) != larger:
            raise InvalidEncoding(f"{where}: y-sign flag (bit 7 of the last byte) does not match y")
        return (x, y)


A = TypeVar("A")


class PointVector(Generic[A]):
    """An immutable vector of validated points of one group (length >= 0).

    Subclasses (`G1`, `G2` of each curve module) set ``_spec``. Elementwise ``+``
    needs equal lengths; ``-v`` negates each point; ``==`` compares whole vectors.
    """

    __slots__ = ("_points",)
    _spec: ClassVar[GroupSpec]
    _points: tuple[Affine, ...]

    def __init__(self) -> None:
        raise TypeError(f"use {type(self).__name__}.from_bytes/from_affine/generator/identity")

    @classmethod
    def _make(cls, points: Iterable[Affine]) -> Self:
        self = object.__new__(cls)
        object.__setattr__(self, "_points", tuple(points))
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    # construction ------------------------------------------------------------------

    @classmethod
    def from_bytes(cls, data: bytes, *, compressed: bool) -> Self:
        """Decode concatenated encodings, validating each (see the module docstring)."""
        spec = cls._spec
        if not isinstance(data, bytes):
            raise TypeError(f"{spec.label}: expected bytes, got {type(data).__name__}")
        raw = data
        size = spec.size(compressed)
        if len(raw) % size:
            raise InvalidEncoding(
                f"{spec.label}: length {len(raw)} is not a multiple of the "
                f"{'compressed' if compressed else 'uncompressed'} point size {size}"
            )
        seen: dict[bytes, Affine] = {}
        points = []
        for i in range(len(raw) // size):
            chunk = raw[i * size : (i + 1) * size]
            if chunk not in seen:
                point = spec.decode(chunk, compressed, i)
                cls._check_subgroup(point, i)
                seen[chunk] = point
            points.append(seen[chunk])
        return cls._make(points)

    @classmethod
    def from_affine(cls, points: Iterable[A | None]) -> Self:
        """Validate affine integer points (None is infinity)."""
        spec = cls._spec
        out: list[Affine] = []
        seen: dict[tuple[Elem, Elem], Affine] = {}
        for i, item in enumerate(points):
            if item is None:
                out.append(None)
                continue
            point = cls._parse_affine(item, i)
            if point not in seen:
                if not spec.on_curve(point):
                    raise PointNotOnCurve(f"{spec.label} affine point {i}: y^2 != x^3 + b")
                cls._check_subgroup(point, i)
                seen[point] = point
            out.append(point)
        return cls._make(out)

    @classmethod
    def _check_subgroup(cls, point: Affine, index: int) -> None:
        if point is not None and not cls._spec.in_subgroup(point):
            raise PointNotInSubgroup(
                f"{cls._spec.label} point {index}: on the curve but r·P != O "
                "(outside the prime-order subgroup)"
            )

    @classmethod
    def _parse_affine(cls, item: object, index: int) -> tuple[Elem, Elem]:
        spec = cls._spec
        where = f"{spec.label} affine point {index}"
        if not isinstance(item, tuple) or len(item) != 2:
            raise InvalidEncoding(f"{where}: expected None or a tuple (x, y)")
        coords = []
        for name, value in zip("xy", item, strict=True):
            comps = (value,) if spec.field.degree == 1 else value
            if spec.field.degree == 2 and (not isinstance(value, tuple) or len(value) != 2):
                raise InvalidEncoding(f"{where}: {name} must be a tuple (c0, c1) of ints")
            elem = []
            for j, c in enumerate(comps):
                label = name if spec.field.degree == 1 else f"{name} c{j}"
                if type(c) is not int:
                    raise InvalidEncoding(
                        f"{where}: {label} must be an int, got {type(c).__name__}"
                    )
                if not 0 <= c < spec.field.q:
                    raise NonCanonicalCoordinate(
                        f"{where}: {label} = {c} is not in [0, q) for q = {spec.field.q}"
                    )
                elem.append(c)
            coords.append(tuple(elem))
        return (coords[0], coords[1])

    @classmethod
    def generator(cls) -> Self:
        return cls._make([cls._spec.generator])

    @classmethod
    def identity(cls) -> Self:
        return cls._make([None])

    # output ------------------------------------------------------------------------

    def to_bytes(self, *, compressed: bool) -> bytes:
        return b"".join(self._spec.encode(p, compressed) for p in self._points)

    def to_affine(self) -> list[A | None]:
        out: list[A | None] = []
        for p in self._points:
            if p is None:
                out.append(None)
            elif self._spec.field.degree == 1:
                out.append(cast(A, (p[0][0], p[1][0])))
            else:
                out.append(cast(A, (p[0], p[1])))
        return out

    # vector operations -------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._points)

    def __getitem__(self, key: int | slice) -> Self:
        """v[i] is a length-1 vector (negative i counts from the end); v[a:b] a vector."""
        if isinstance(key, slice):
            return self._make(self._points[key])
        if not isinstance(key, int):
            raise TypeError(f"{type(self).__name__} indices must be int or slice")
        return self._make([self._points[key]])

    def __iter__(self) -> Iterator[Self]:
        return (self._make([p]) for p in self._points)

    def concat(self, other: Self) -> Self:
        self._same_type(other)
        return self._make(self._points + other._points)

    def _same_type(self, other: object) -> None:
        if type(other) is not type(self):
            raise TypeError(
                f"expected {type(self).__module__}.{type(self).__name__}, "
                f"got {type(other).__module__}.{type(other).__name__}"
            )

    def _pairwise(self, other: Self, op: str) -> Iterator[tuple[Affine, Affine]]:
        self._same_type(other)
        if len(self) != len(other):
            raise InvalidArgument(
                f"{self._spec.label} {op}: lengths differ ({len(self)} and {len(other)})"
            )
        return zip(self._points, other._points, strict=True)

    def __add__(self, other: Self) -> Self:
        g = self._spec.group
        return self._make(
            g.lower(g.add(g.lift(a), g.lift(b))) for a, b in self._pairwise(other, "+")
        )

    def __neg__(self) -> Self:
        f = self._spec.field
        return self._make(None if p is None else (p[0], f.neg(p[1])) for p in self._points)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._points == other._points

    def __hash__(self) -> int:
        return hash((type(self).__qualname__, self._points))

    def __repr__(self) -> str:
        return f"<{self._spec.label} vector of {len(self)} points>"

    def mul(self, scalars: bytes) -> Self:
        """Elementwise k_i·P_i; a length-1 side (points or scalars) broadcasts."""
        ks = unpack_scalars(scalars, self._spec.r)
        points: list[Affine] = list(self._points)
        if len(points) == 1 and len(ks) != 1:
            points = points * len(ks)
        elif len(ks) == 1 and len(points) != 1:
            ks = ks * len(points)
        if len(points) != len(ks):
            raise InvalidArgument(
                f"{self._spec.label} mul: {len(points)} points but {len(ks)} scalars"
            )
        g = self._spec.group
        return self._make(g.lower(g.mul(g.lift(p), k)) for p, k in zip(points, ks, strict=True))

    # for the module-level msm / pairing ---------------------------------------------

    def _projective(self) -> list[Projective]:
        return [self._spec.group.lift(p) for p in self._points]


P = TypeVar("P", bound=PointVector[Any])


def msm(points: P, scalars: bytes, cls: type[P]) -> P:
    """sum k_i·P_i as a length-1 vector of ``cls`` (identity when empty)."""
    if type(points) is not cls:
        raise TypeError(f"expected {cls.__module__}.{cls.__name__}, got {type(points)!r}")
    spec = cls._spec
    count = scalar_count(scalars)
    if count != len(points):  # lengths before values, as in the native core
        raise InvalidArgument(f"{spec.label} msm: {len(points)} points but {count} scalars")
    ks = unpack_scalars(scalars, spec.r)
    g = spec.group
    total = g.msm(points._projective(), ks, spec.r.bit_length())
    return cls._make([g.lower(total)])


def pairing_check(
    g1s: PointVector[Any],
    g2s: PointVector[Any],
    g1_cls: type[PointVector[Any]],
    g2_cls: type[PointVector[Any]],
) -> bool:
    """prod_i e(g1s[i], g2s[i]) == 1 (True for empty vectors)."""
    if type(g1s) is not g1_cls or type(g2s) is not g2_cls:
        raise TypeError(
            f"pairing_check expects ({g1_cls.__module__}.G1, {g2_cls.__module__}.G2), "
            f"got ({type(g1s)!r}, {type(g2s)!r})"
        )
    if len(g1s) != len(g2s):
        raise InvalidArgument(f"pairing_check: {len(g1s)} G1 points but {len(g2s)} G2 points")
    spec1, spec2 = g1_cls._spec, g2_cls._spec
    return pairing_product_is_one(
        spec1.curve, spec1.group, spec2.group, list(zip(g1s._points, g2s._points, strict=True))
    )
