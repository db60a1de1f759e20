"""The iden3 binary formats: ``.r1cs`` (version 1) and ``.wtns`` (version 2).

Both are section files: a 4-byte magic (``r1cs`` / ``wtns``), a u32 version, a u32
section count, then sections of ``u32 type, u64 size, payload``. Integers are little
endian; field elements are ``n8 = 32``-byte little-endian integers in standard
(non-Montgomery) form.

``.r1cs`` sections: 1 header (``n8, prime, nWires, nPubOut, nPubIn, nPrvIn, u64 nLabels,
mConstraints``), 2 constraints (for each constraint A, B, C, each ``u32 nTerms`` then
``u32 wire, coeff`` per term), 3 wire-to-label map (``u64`` label id per wire).
Sections 4/5 (PLONK custom gates) are refused. ``.wtns`` sections: 1 header
(``n8, prime, nWitness``), 2 the witness values.

Readers validate: magic, version, section sizes, the prime (BN254 scalar field only),
wire indices < nWires, coefficients and values < prime. Anything else raises
`UnsupportedFormat` or `InvalidEncoding`.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

from zkcredit.errors import InvalidEncoding, NonCanonicalScalar, UnsupportedFormat

from ._field import R
from ._r1cs import R1CS, Constraint, Terms

__all__ = ["R1csFile", "read_r1cs", "read_wtns", "write_r1cs", "write_wtns"]

_N8 = 32


@dataclass(frozen=True, slots=True)
class R1csFile:
    """A parsed ``.r1cs``: the system and its wire-to-label map."""

    r1cs: R1CS
    n_labels: int
    wire_to_label: tuple[int, ...]
    section_order: tuple[int, ...] = (1, 2, 3)

    def to_bytes(self) -> bytes:
        """Re-serialize with the original label map and section order (byte-identical
        for files written by circom or by `write_r1cs`)."""
        return write_r1cs(
            self.r1cs,
            wire_to_label=self.wire_to_label,
            n_labels=self.n_labels,
            section_order=self.section_order,
        )


def _section_order(data: bytes) -> tuple[int, ...]:
    order = []
    pos = 12
    while pos + 12 <= len(data):
        stype, size = struct.unpack_from("<IQ", data, pos)
        order.append(stype)
        pos += 12 + size
    return tuple(order)


def _sections(data: bytes, magic: bytes, version: int) -> dict[int, list[memoryview]]:
    if len(data) < 12 or data[:4] != magic:
        raise UnsupportedFormat(f"not an iden3 {magic.decode()} file (bad magic)")
    (ver, n_sections) = struct.unpack_from("<II", data, 4)
    if ver != version:
        raise UnsupportedFormat(f"{magic.decode()} version {ver} is not supported")
    view = memoryview(data)
    pos = 12
    out: dict[int, list[memoryview]] = {}
    for _ in range(n_sections):
        if pos + 12 > len(data):
            raise InvalidEncoding("truncated section header")
        stype, size = struct.unpack_from("<IQ", data, pos)
        pos += 12
        if pos + size > len(data):
            raise InvalidEncoding(f"section {stype} runs past the end of the file")
        out.setdefault(stype, []).append(view[pos : pos + size])
        pos += size
    if pos != len(data):
        raise InvalidEncoding("trailing bytes after the last section")
    return out


def _one(sections: dict[int, list[memoryview]], stype: int) -> memoryview:
    found = sections.get(stype, [])
    if len(found) != 1:
        raise InvalidEncoding(f"expected exactly one section of type {stype}, got {len(found)}")
    return found[0]


def _field_header(buf: memoryview) -> tuple[int, int]:
    (n8,) = struct.unpack_from("<I", buf, 0)
    if n8 != _N8:
        raise UnsupportedFormat(f"field size n8 = {n8}: only 32-byte fields are supported")
    prime = int.from_bytes(buf[4 : 4 + n8], "little")
    if prime != R:
        raise UnsupportedFormat("prime is not the BN254 scalar field")
    return n8, 4 + n8


def _fe(buf: memoryview, pos: int) -> int:
    v = int.from_bytes(buf[pos : pos + _N8], "little")
    if v >= R:
        raise NonCanonicalScalar("field element >= prime in file")
    return v


def read_r1cs(data: bytes) -> R1csFile:
    """Parse an iden3 ``.r1cs`` (version 1)."""
    sections = _sections(data, b"r1cs", 1)
    for stype in sections:
        if stype not in (1, 2, 3):
            raise UnsupportedFormat(f"r1cs section type {stype} (custom gates) not supported")
    header = _one(sections, 1)
    _, pos = _field_header(header)
    if len(header) != pos + 28:
        raise InvalidEncoding("r1cs header section has the wrong size")
    n_wires, n_pub_out, n_pub_in, n_prv_in, n_labels, m = struct.unpack_from(
        "<IIIIQI", header, pos
    )
    if n_wires < 1 + n_pub_out + n_pub_in + n_prv_in:
        raise InvalidEncoding("r1cs header counts more inputs than wires")
    body = _one(sections, 2)
    raw = bytes(body)
    p = 0
    constraints: list[Constraint] = []
    try:
        for _ in range(m):
            lcs: list[Terms] = []
            for _ in range(3):
                (n,) = struct.unpack_from("<I", raw, p)
                p += 4
                terms: list[tuple[int, int]] = []
                for _ in range(n):
                    (wire,) = struct.unpack_from("<I", raw, p)
                    coeff = int.from_bytes(raw[p + 4 : p + 4 + _N8], "little")
                    if p + 4 + _N8 > len(raw):
                        raise InvalidEncoding("truncated constraint section")
                    p += 4 + _N8
                    if wire >= n_wires:
                        raise InvalidEncoding(f"wire {wire} >= nWires {n_wires}")
                    if coeff >= R:
                        raise NonCanonicalScalar("coefficient >= prime in r1cs")
                    terms.append((wire, coeff))
                lcs.append(tuple(terms))
            constraints.append(Constraint(lcs[0], lcs[1], lcs[2], f"c{len(constraints)}"))
    except struct.error as exc:
        raise InvalidEncoding("truncated constraint section") from exc
    if p != len(raw):
        raise InvalidEncoding("constraint section has trailing bytes")
    mapping = _one(sections, 3)
    if len(mapping) != 8 * n_wires:
        raise InvalidEncoding("wire-to-label section has the wrong size")
    labels = struct.unpack(f"<{n_wires}Q", mapping)
    r1cs = R1CS(
        n_wires=n_wires,
        n_public=n_pub_out + n_pub_in,
        n_private=n_prv_in,
        constraints=tuple(constraints),
        wire_names=tuple(f"label{lab}" for lab in labels),
        n_public_out=n_pub_out,
    )
    return R1csFile(r1cs, n_labels, tuple(labels), _section_order(data))


def _section(stype: int, payload: bytes) -> bytes:
    return struct.pack("<IQ", stype, len(payload)) + payload


def _prime_header() -> bytes:
    return struct.pack("<I", _N8) + R.to_bytes(_N8, "little")


def write_r1cs(
    r1cs: R1CS,
    *,
    wire_to_label: Sequence[int] | None = None,
    n_labels: int | None = None,
    section_order: Sequence[int] = (1, 2, 3),
) -> bytes:
    """Serialize to an iden3 ``.r1cs`` v1 (identity wire-to-label map by default).

    Terms are written in the order they are stored (sorted by wire for compiled
    systems), so parse → write reproduces the original bytes of a circom file.
    """
    labels = list(range(r1cs.n_wires)) if wire_to_label is None else list(wire_to_label)
    if len(labels) != r1cs.n_wires:
        raise InvalidEncoding("wire_to_label must have one entry per wire")
    header = _prime_header() + struct.pack(
        "<IIIIQI",
        r1cs.n_wires,
        r1cs.n_public_out,
        r1cs.n_public_in,
        r1cs.n_private,
        r1cs.n_wires if n_labels is None else n_labels,
        len(r1cs.constraints),
    )
    parts: list[bytes] = []
    for k in r1cs.constraints:
        for terms in (k.a, k.b, k.c):
            parts.append(struct.pack("<I", len(terms)))
            for wire, coeff in terms:
                parts.append(struct.pack("<I", wire) + coeff.to_bytes(_N8, "little"))
    body = b"".join(parts)
    mapping = struct.pack(f"<{len(labels)}Q", *labels)
    payloads = {1: header, 2: body, 3: mapping}
    if sorted(section_order) != [1, 2, 3]:
        raise InvalidEncoding("section_order must be a permutation of 1, 2, 3")
    return (
        b"r1cs"
        + struct.pack("<II", 1, 3)
        + b"".join(_section(t, payloads[t]) for t in section_order)
    )


def read_wtns(data: bytes) -> list[int]:
    """Parse an iden3 ``.wtns`` (version 2) into the witness values."""
    sections = _sections(data, b"wtns", 2)
    header = _one(sections, 1)
    _, pos = _field_header(header)
    if len(header) != pos + 4:
        raise InvalidEncoding("wtns header section has the wrong size")
    (n,) = struct.unpack_from("<I", header, pos)
    body = _one(sections, 2)
    if len(body) != n * _N8:
        raise InvalidEncoding("wtns witness section has the wrong size")
    return [_fe(body, i * _N8) for i in range(n)]


def write_wtns(witness: Sequence[int]) -> bytes:
    """Serialize a witness to an iden3 ``.wtns`` v2."""
    for v in witness:
        if not 0 <= v < R:
            raise NonCanonicalScalar("witness value is not a canonical field element")
    header = _prime_header() + struct.pack("<I", len(witness))
    body = b"".join(v.to_bytes(_N8, "little") for v in witness)
    return b"wtns" + struct.pack("<II", 2, 2) + _section(1, header) + _section(2, body)
