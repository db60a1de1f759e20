"""Groth16 over BN254 (default) and BLS12-381: setup, prove, verify, batch verify.

This is hazmat: it proves and verifies exactly what it is given. Recipes build on it.

::

    from zkcredit.hazmat import groth16

    pk, vk = groth16.setup(compiled.r1cs)              # DEVELOPMENT setup (see below)
    proof = groth16.prove(pk, compiled.r1cs, witness)  # zero-knowledge
    ok = groth16.verify(vk, public_inputs, proof)      # bool

Rules (STYLE §8, ADVERSARIAL B1-B6, B8, B12):

* `verify` / `batch_verify` are the only functions returning a bool for a proof. Every
  malformed input raises a `MalformedInput` subclass before any pairing: a public-input
  count other than ``len(IC) - 1`` (`InvalidArgument`), an input >= r
  (`NonCanonicalScalar`, never reduced), a point off the curve or outside the subgroup,
  A, B or C at infinity (`InvalidArgument`).
* Verifying keys with gamma == delta, or delta == the G2 generator, are refused when
  they are built or loaded (`InvalidArgument`).
* `setup` is a single-party development setup: the five secrets come from the operating
  system's randomness inside the native core and are never returned, logged or
  serialized; whoever runs it could forge proofs. Keys carry
  ``metadata["setup"] == "development (single party; not for production)"``.
* `prove` is zero-knowledge (fresh r, s from the OS); `prove_no_zk` is for tests.
* (−A, −B, C) and re-randomized proofs verify: Groth16 proofs are malleable, so a proof's
  bytes must never be used as a replay key (ADVERSARIAL B5, C5).

Formats: snarkjs JSON (`VerifyingKey.to_snarkjs` / `from_snarkjs`, `Proof.to_snarkjs` /
`from_snarkjs`, `public_to_snarkjs` / `public_from_snarkjs`) with curve ``"bn128"`` for
BN254 and ``"bls12381"`` for BLS12-381, and a versioned binary proving-key file
(`ProvingKey.to_bytes` / `from_bytes`, layout in docs/groth16.md).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import struct
from array import array
from collections.abc import Sequence
from types import ModuleType
from typing import Any, Final

from zkcredit._files import read_file_bounded
from zkcredit.circuit import R1CS
from zkcredit.errors import (
    InvalidArgument,
    InvalidEncoding,
    UnsatisfiedConstraint,
    UnsupportedFormat,
)
from zkcredit.hazmat import encoding

__all__ = [
    "CURVES",
    "DEVELOPMENT_SETUP",
    "PreparedVerifyingKey",
    "Proof",
    "ProvingKey",
    "VerifyingKey",
    "batch_verify",
    "prepare_verifying_key",
    "prove",
    "prove_no_zk",
    "public_from_snarkjs",
    "public_to_snarkjs",
    "rerandomize",
    "setup",
    "verify",
]

CURVES: Final = ("bn254", "bls12_381")
"""Curve names, as the algebra modules spell them; BN254 is the default."""

_SNARKJS_CURVE: Final = {"bn254": "bn128", "bls12_381": "bls12381"}
_CURVE_FROM_SNARKJS: Final = {v: k for k, v in _SNARKJS_CURVE.items()}
_CURVE_ID: Final = {"bn254": 1, "bls12_381": 2}

DEVELOPMENT_SETUP: Final = "development (single party; not for production)"

PK_MAGIC: Final = b"ZKCG16PK"
PK_VERSION: Final = 1
MAX_PROVING_KEY_BYTES = 4 << 30
"""A proving key file larger than this is refused before it is read (E3)."""
_PK_HEADER = struct.Struct("<8sHBB32sI")  # magic, version, curve id, flags, sha256, meta len


def _native(curve: str) -> ModuleType:
    """The algebra module of ``curve`` (imported on first use)."""
    if curve not in CURVES:
        raise UnsupportedFormat(f"unknown curve {curve!r}; supported: {', '.join(CURVES)}")
    return importlib.import_module(f"zkcredit.hazmat.native.{curve}")


def _core(curve: str) -> Any:
    """The compiled core's submodule of ``curve``."""
    _native(curve)  # a clear NativeUnavailable if the core is missing
    return getattr(importlib.import_module("zkcredit._native"), curve)


# --- R1CS and witness encodings ------------------------------------------------------

_MATRIX_CACHE: dict[tuple[int, str], tuple[R1CS, Any, str]] = {}


def _matrices(r1cs: R1CS, curve: str) -> tuple[Any, str]:
    """A, B, C decoded once by the native core from their compact byte form, and the
    SHA-256 of that form (cached per object: an R1CS is immutable)."""
    if not isinstance(r1cs, R1CS):
        raise InvalidArgument(f"expected an R1CS, got {type(r1cs).__name__}")
    if r1cs.prime != _native(curve).SCALAR_MODULUS:
        raise InvalidArgument(f"the R1CS is over another field than the {curve} scalar field")
    hit = _MATRIX_CACHE.get((id(r1cs), curve))
    if hit is not None and hit[0] is r1cs:
        return hit[1], hit[2]
    cs = r1cs.constraints
    parts = [struct.pack("<III", r1cs.n_wires, r1cs.n_public, len(cs))]
    try:
        for pick in (0, 1, 2):
            lens = array("I")
            wires = array("I")
            coeffs: list[bytes] = []
            for k in cs:
                terms = k.a if pick == 0 else k.b if pick == 1 else k.c
                lens.append(len(terms))
                for wire, coeff in terms:
                    wires.append(wire)
                    coeffs.append(coeff.to_bytes(32, "little"))
            parts += [struct.pack("<I", len(wires)), lens.tobytes(), wires.tobytes()]
            parts.append(b"".join(coeffs))
    except (OverflowError, TypeError) as exc:
        raise InvalidArgument(f"the R1CS has a malformed wire or coefficient: {exc}") from exc
    data = b"".join(parts)
    digest = hashlib.sha256(data).hexdigest()
    native = _core(curve).Groth16Matrices(data)
    if len(_MATRIX_CACHE) >= 4:
        _MATRIX_CACHE.clear()
    _MATRIX_CACHE[(id(r1cs), curve)] = (r1cs, native, digest)
    return native, digest


def _scalars(values: Sequence[int], curve: str) -> bytes:
    return encoding.pack_scalars(values, _native(curve).SCALAR_MODULUS)


# --- keys and proofs ------------------------------------------------------------------


class VerifyingKey:
    """A Groth16 verifying key (validated, degenerate keys refused when built)."""

    __slots__ = ("_data", "_prepared", "curve")

    def __init__(self, curve: str, data: bytes) -> None:
        core = _core(curve)
        self.curve: Final[str] = curve
        self._data = bytes(data)
        # Validation happens here (points, gamma != delta, delta != generator).
        self._prepared = core.Groth16PreparedVerifyingKey(self._data)

    @classmethod
    def from_bytes(cls, curve: str, data: bytes) -> VerifyingKey:
        """From the core's byte form (docs/groth16.md), fully validated."""
        return cls(curve, data)

    def to_bytes(self) -> bytes:
        return self._data

    @property
    def n_public(self) -> int:
        """Number of public inputs (``len(IC) - 1``)."""
        return int(self._prepared.n_public)

    def _points(self) -> tuple[Any, Any, Any, Any, Any]:
        m = _native(self.curve)
        g1, g2 = m.G1_UNCOMPRESSED_BYTES, m.G2_UNCOMPRESSED_BYTES
        d = self._data
        alpha = m.G1.from_bytes(d[:g1], compressed=False)
        g2s = m.G2.from_bytes(d[g1 : g1 + 3 * g2], compressed=False)
        ic = m.G1.from_bytes(d[g1 + 3 * g2 + 4 :], compressed=False)
        return alpha, g2s[0], g2s[1], g2s[2], ic

    def to_snarkjs(self) -> dict[str, Any]:
        """The snarkjs ``verification_key.json`` object."""
        alpha, beta, gamma, delta, ic = self._points()
        return {
            "protocol": "groth16",
            "curve": _SNARKJS_CURVE[self.curve],
            "nPublic": self.n_public,
            "vk_alpha_1": encoding.g1_to_snarkjs(alpha),
            "vk_beta_2": encoding.g2_to_snarkjs(beta),
            "vk_gamma_2": encoding.g2_to_snarkjs(gamma),
            "vk_delta_2": encoding.g2_to_snarkjs(delta),
            "IC": [encoding.g1_to_snarkjs(ic[i]) for i in range(len(ic))],
        }

    @classmethod
    def from_snarkjs(cls, obj: object) -> VerifyingKey:
        """From a parsed snarkjs ``verification_key.json`` (strict; ``vk_alphabeta_12``,
        if present, is ignored and recomputed)."""
        curve = _check_header(obj, "verification key")
        assert isinstance(obj, dict)
        m = _native(curve)
        for field in ("vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2", "IC"):
            if field not in obj:
                raise InvalidEncoding(f"verification key: missing field {field!r}")
        ic_list = obj["IC"]
        if not isinstance(ic_list, list) or not ic_list:
            raise InvalidEncoding("verification key: IC must be a non-empty array")
        if "nPublic" in obj and (
            type(obj["nPublic"]) is not int or obj["nPublic"] != len(ic_list) - 1
        ):
            raise InvalidEncoding(
                f"verification key: nPublic = {obj['nPublic']!r} but IC has {len(ic_list)} "
                "points (nPublic must be len(IC) - 1)"
            )
        alpha = encoding.g1_from_snarkjs(m, obj["vk_alpha_1"], what="vk_alpha_1")
        g2 = [
            encoding.g2_from_snarkjs(m, obj[name], what=name)
            for name in ("vk_beta_2", "vk_gamma_2", "vk_delta_2")
        ]
        ic = [encoding.g1_from_snarkjs(m, p, what=f"IC[{i}]") for i, p in enumerate(ic_list)]
        data = alpha.to_bytes(compressed=False)
        data += b"".join(p.to_bytes(compressed=False) for p in g2)
        data += struct.pack("<I", len(ic)) + b"".join(p.to_bytes(compressed=False) for p in ic)
        return cls(curve, data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VerifyingKey):
            return NotImplemented
        return (self.curve, self._data) == (other.curve, other._data)

    def __hash__(self) -> int:
        return hash((self.curve, self._data))

    def __repr__(self) -> str:
        return f"VerifyingKey(curve={self.curve!r}, n_public={self.n_public})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (VerifyingKey, (self.curve, self._data))


class PreparedVerifyingKey:
    """A verifying key with e(alpha, beta), -gamma and -delta precomputed."""

    __slots__ = ("_native", "vk")

    def __init__(self, vk: VerifyingKey) -> None:
        self.vk: Final = vk
        self._native = vk._prepared

    @property
    def curve(self) -> str:
        return self.vk.curve

    @property
    def n_public(self) -> int:
        return self.vk.n_public

    def __reduce__(self) -> tuple[Any, ...]:
        return (PreparedVerifyingKey, (self.vk,))


def prepare_verifying_key(vk: VerifyingKey) -> PreparedVerifyingKey:
    """Precompute what every verification with ``vk`` needs."""
    if not isinstance(vk, VerifyingKey):
        raise InvalidArgument(f"expected a VerifyingKey, got {type(vk).__name__}")
    return PreparedVerifyingKey(vk)


class Proof:
    """A Groth16 proof (A, B, C), validated: points on the curve, in the subgroup, and
    none at infinity."""

    __slots__ = ("_data", "curve")

    def __init__(self, curve: str, data: bytes) -> None:
        m = _native(curve)
        g1, g2 = m.G1_UNCOMPRESSED_BYTES, m.G2_UNCOMPRESSED_BYTES
        data = bytes(data)
        if len(data) != 2 * g1 + g2:
            raise InvalidEncoding(f"proof: expected {2 * g1 + g2} bytes, got {len(data)}")
        a = m.G1.from_bytes(data[:g1], compressed=False)
        b = m.G2.from_bytes(data[g1 : g1 + g2], compressed=False)
        c = m.G1.from_bytes(data[g1 + g2 :], compressed=False)
        for name, p, ident in (("A", a, m.G1), ("B", b, m.G2), ("C", c, m.G1)):
            if p == ident.identity():
                raise InvalidArgument(f"proof: {name} is the point at infinity")
        self.curve: Final[str] = curve
        self._data = data

    @classmethod
    def from_bytes(cls, curve: str, data: bytes) -> Proof:
        """From ``A || B || C`` in the curve's uncompressed arkworks form."""
        return cls(curve, data)

    def to_bytes(self) -> bytes:
        return self._data

    def _points(self) -> tuple[Any, Any, Any]:
        m = _native(self.curve)
        g1, g2 = m.G1_UNCOMPRESSED_BYTES, m.G2_UNCOMPRESSED_BYTES
        d = self._data
        return (
            m.G1.from_bytes(d[:g1], compressed=False),
            m.G2.from_bytes(d[g1 : g1 + g2], compressed=False),
            m.G1.from_bytes(d[g1 + g2 :], compressed=False),
        )

    def to_snarkjs(self) -> dict[str, Any]:
        """The snarkjs ``proof.json`` object."""
        a, b, c = self._points()
        return {
            "pi_a": encoding.g1_to_snarkjs(a),
            "pi_b": encoding.g2_to_snarkjs(b),
            "pi_c": encoding.g1_to_snarkjs(c),
            "protocol": "groth16",
            "curve": _SNARKJS_CURVE[self.curve],
        }

    @classmethod
    def from_snarkjs(cls, obj: object) -> Proof:
        """From a parsed snarkjs ``proof.json`` (strict)."""
        curve = _check_header(obj, "proof")
        assert isinstance(obj, dict)
        m = _native(curve)
        for field in ("pi_a", "pi_b", "pi_c"):
            if field not in obj:
                raise InvalidEncoding(f"proof: missing field {field!r}")
        a = encoding.g1_from_snarkjs(m, obj["pi_a"], what="pi_a")
        b = encoding.g2_from_snarkjs(m, obj["pi_b"], what="pi_b")
        c = encoding.g1_from_snarkjs(m, obj["pi_c"], what="pi_c")
        return cls(
            curve,
            a.to_bytes(compressed=False)
            + b.to_bytes(compressed=False)
            + c.to_bytes(compressed=False),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Proof):
            return NotImplemented
        return (self.curve, self._data) == (other.curve, other._data)

    def __hash__(self) -> int:
        return hash((self.curve, self._data))

    def __repr__(self) -> str:
        return f"Proof(curve={self.curve!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Proof, (self.curve, self._data))


def _check_header(obj: object, what: str) -> str:
    """The curve of a snarkjs JSON object; refuses other protocols and curves."""
    if not isinstance(obj, dict):
        raise InvalidEncoding(f"{what}: expected a JSON object, got {type(obj).__name__}")
    protocol = obj.get("protocol")
    if protocol != "groth16":
        raise UnsupportedFormat(f"{what}: protocol {protocol!r} is not supported (only 'groth16')")
    name = obj.get("curve")
    if not isinstance(name, str) or name not in _CURVE_FROM_SNARKJS:
        raise UnsupportedFormat(
            f"{what}: curve {name!r} is not supported "
            f"(expected one of {', '.join(repr(c) for c in _CURVE_FROM_SNARKJS)})"
        )
    return _CURVE_FROM_SNARKJS[name]


def public_from_snarkjs(obj: object, curve: str = "bn254") -> list[int]:
    """Public inputs from a parsed snarkjs ``public.json``: an array of canonical decimal
    strings (strict: no sign, hex, exponent or leading zeros; each < r, never reduced)."""
    if not isinstance(obj, list):
        raise InvalidEncoding(f"public inputs: expected a JSON array, got {type(obj).__name__}")
    r = _native(curve).SCALAR_MODULUS
    return [encoding.parse_decimal(v, r, f"public input {i}") for i, v in enumerate(obj)]


def public_to_snarkjs(values: Sequence[int]) -> list[str]:
    """The snarkjs ``public.json`` array."""
    return [str(v) for v in values]


def _pk_digest(fields: tuple[bytes, int, int, int], meta_len: int, *parts: Any) -> bytes:
    """SHA-256 over the header (without the digest itself), metadata and body."""
    h = hashlib.sha256(struct.pack("<8sHBBI", *fields, meta_len))
    for part in parts:
        h.update(part)
    return h.digest()


class ProvingKey:
    """A Groth16 proving key (native memory) with its verifying key and metadata.

    ``metadata`` holds exactly: ``format``, ``curve``, ``setup`` (`DEVELOPMENT_SETUP` for
    keys from `setup`), ``r1cs_sha256`` (of the matrices it was made for), ``n_wires``,
    ``n_public``, ``n_constraints``. No secret of the setup is stored anywhere.
    """

    __slots__ = ("_native", "curve", "metadata", "vk")

    def __init__(self, curve: str, native: Any, metadata: dict[str, Any]) -> None:
        self.curve: Final[str] = curve
        self._native = native
        self.metadata: Final[dict[str, Any]] = dict(metadata)
        self.vk: Final = VerifyingKey(curve, native.verifying_key_bytes())

    @property
    def n_public(self) -> int:
        return self.vk.n_public

    def to_bytes(self) -> bytes:
        """The versioned binary file: header (magic, version, curve, flags, SHA-256 over
        the other header fields, the metadata and the body, metadata length), metadata
        JSON, then the key body (docs/groth16.md)."""
        meta = json.dumps(self.metadata, sort_keys=True, separators=(",", ":")).encode()
        body: bytes = self._native.to_bytes()
        fields = (PK_MAGIC, PK_VERSION, _CURVE_ID[self.curve], 0)
        digest = _pk_digest(fields, len(meta), meta, body)
        return _PK_HEADER.pack(*fields, digest, len(meta)) + meta + body

    @classmethod
    def from_bytes(cls, data: bytes, *, validate_points: bool = False) -> ProvingKey:
        """Load a proving key file. Refuses another magic, version or curve
        (`UnsupportedFormat`) and any byte that does not match the file's SHA-256
        (`InvalidEncoding`). After the hash matches, the query points are decoded without
        the curve/subgroup checks (fast); ``validate_points=True`` checks every point too.
        The embedded verifying key is always fully validated."""
        data = bytes(data)
        if len(data) < _PK_HEADER.size:
            raise InvalidEncoding(f"proving key: {len(data)} bytes is shorter than the header")
        magic, version, curve_id, flags, digest, meta_len = _PK_HEADER.unpack_from(data)
        if magic != PK_MAGIC:
            raise UnsupportedFormat("proving key: not a zkcredit Groth16 proving key (magic)")
        if version != PK_VERSION:
            raise UnsupportedFormat(
                f"proving key: format version {version} is not supported (only {PK_VERSION})"
            )
        curves = {v: k for k, v in _CURVE_ID.items()}
        if curve_id not in curves:
            raise UnsupportedFormat(f"proving key: unknown curve id {curve_id}")
        if flags != 0:
            raise UnsupportedFormat(f"proving key: unknown flags {flags:#x}")
        rest = memoryview(data)[_PK_HEADER.size :]
        fields = (magic, version, curve_id, flags)
        if _pk_digest(fields, meta_len, rest, b"") != digest:
            raise InvalidEncoding("proving key: the SHA-256 over the file does not match")
        if meta_len > len(rest):
            raise InvalidEncoding("proving key: truncated metadata")
        try:
            metadata = json.loads(bytes(rest[:meta_len]))
        except ValueError as exc:
            raise InvalidEncoding(f"proving key: bad metadata JSON ({exc})") from exc
        curve = curves[curve_id]
        if not isinstance(metadata, dict) or metadata.get("curve") != curve:
            raise InvalidEncoding("proving key: metadata does not name the header's curve")
        core = _core(curve)
        body = bytes(rest[meta_len:])
        if validate_points:
            native = core.Groth16ProvingKey.from_bytes(body)
        else:
            native = core.Groth16ProvingKey.from_bytes_unchecked(body)
        return cls(curve, native, metadata)

    @classmethod
    def from_file(
        cls, path: str | os.PathLike[str], *, validate_points: bool = False
    ) -> ProvingKey:
        """`from_bytes` on a file, refusing one over `MAX_PROVING_KEY_BYTES` before reading
        it (E3); an unreadable file is `InvalidEncoding` naming it."""
        data = read_file_bounded(path, "proving key", MAX_PROVING_KEY_BYTES)
        return cls.from_bytes(data, validate_points=validate_points)

    def __reduce__(self) -> tuple[Any, ...]:
        return (ProvingKey.from_bytes, (self.to_bytes(),))

    def __repr__(self) -> str:
        return (
            f"ProvingKey(curve={self.curve!r}, n_public={self.n_public}, "
            f"setup={self.metadata.get('setup')!r})"
        )


# --- the three stages -----------------------------------------------------------------


def setup(r1cs: R1CS, curve: str = "bn254") -> tuple[ProvingKey, VerifyingKey]:
    """DEVELOPMENT setup for ``r1cs`` on ``curve`` (single party, OS randomness; whoever
    runs it could forge proofs). The keys' metadata says so."""
    matrices, digest = _matrices(r1cs, curve)
    native = _core(curve).groth16_setup(matrices)
    metadata = {
        "format": "zkcredit-groth16-proving-key",
        "curve": curve,
        "setup": DEVELOPMENT_SETUP,
        "r1cs_sha256": digest,
        "n_wires": r1cs.n_wires,
        "n_public": r1cs.n_public,
        "n_constraints": r1cs.n_constraints,
    }
    pk = ProvingKey(curve, native, metadata)
    return pk, pk.vk


_UNSAT = re.compile(r"does not satisfy constraint (\d+)")


def _prove(pk: ProvingKey, r1cs: R1CS, witness: Sequence[int] | bytes, zk: bool) -> Proof:
    if not isinstance(pk, ProvingKey):
        raise InvalidArgument(f"expected a ProvingKey, got {type(pk).__name__}")
    matrices, digest = _matrices(r1cs, pk.curve)
    if pk.metadata.get("r1cs_sha256") != digest:
        raise InvalidArgument(
            "the proving key was made for another constraint system (the circuit changed "
            "since the setup?): run the setup again for this circuit"
        )
    # A packed witness (`CompiledCircuit.solve_packed`) goes to the core as it is: the core
    # checks its length and that every scalar is canonical; a list is packed here.
    w = bytes(witness) if isinstance(witness, bytes | bytearray) else _scalars(
        witness, pk.curve)
    core = _core(pk.curve)
    fn = core.groth16_prove if zk else core.groth16_prove_no_zk
    try:
        data = fn(pk._native, matrices, w)
    except InvalidArgument as exc:
        hit = _UNSAT.search(str(exc))
        if hit is None:
            raise
        k = int(hit.group(1))
        label = r1cs.constraints[k].label
        raise UnsatisfiedConstraint(
            f"the witness does not satisfy constraint {k} ({label or 'unlabelled'})",
            index=k,
            label=label,
        ) from None
    return Proof(pk.curve, data)


def prove(pk: ProvingKey, r1cs: R1CS, witness: Sequence[int] | bytes) -> Proof:
    """A zero-knowledge proof that ``witness`` (a full wire assignment, as ints or packed
    32-byte little-endian scalars) satisfies ``r1cs``. Refuses a witness that does not
    (`UnsatisfiedConstraint`, nothing made)."""
    return _prove(pk, r1cs, witness, True)


def prove_no_zk(pk: ProvingKey, r1cs: R1CS, witness: Sequence[int] | bytes) -> Proof:
    """A deterministic proof with r = s = 0. NOT zero-knowledge: tests only."""
    return _prove(pk, r1cs, witness, False)


def _prepared(vk: VerifyingKey | PreparedVerifyingKey) -> PreparedVerifyingKey:
    if isinstance(vk, PreparedVerifyingKey):
        return vk
    if isinstance(vk, VerifyingKey):
        return PreparedVerifyingKey(vk)
    raise InvalidArgument(f"expected a VerifyingKey, got {type(vk).__name__}")


def _check_inputs(pvk: PreparedVerifyingKey, public_inputs: Sequence[int]) -> bytes:
    if isinstance(public_inputs, str | bytes) or not isinstance(public_inputs, Sequence):
        raise InvalidArgument("public inputs must be a sequence of ints")
    if len(public_inputs) != pvk.n_public:
        raise InvalidArgument(
            f"the verifying key expects {pvk.n_public} public inputs (len(IC) - 1), "
            f"got {len(public_inputs)}"
        )
    data: bytes = _scalars(public_inputs, pvk.curve)
    return data


def _check_proof(pvk: PreparedVerifyingKey, proof: Proof) -> bytes:
    if not isinstance(proof, Proof):
        raise InvalidArgument(f"expected a Proof, got {type(proof).__name__}")
    if proof.curve != pvk.curve:
        raise InvalidArgument(f"a {proof.curve} proof for a {pvk.curve} verifying key")
    return proof.to_bytes()


def verify(
    vk: VerifyingKey | PreparedVerifyingKey, public_inputs: Sequence[int], proof: Proof
) -> bool:
    """True iff ``proof`` is valid for ``public_inputs`` under ``vk``. Malformed input
    raises (see the module docstring); this is the one place that returns a bool."""
    pvk = _prepared(vk)
    x = _check_inputs(pvk, public_inputs)
    p = _check_proof(pvk, proof)
    return bool(_core(pvk.curve).groth16_verify(pvk._native, x, p))


def batch_verify(
    vk: VerifyingKey | PreparedVerifyingKey,
    items: Sequence[tuple[Sequence[int], Proof]],
) -> bool:
    """True iff every ``(public_inputs, proof)`` verifies (one random linear combination
    with OS randomness, one final exponentiation; wrong with probability ~ n/r). Every
    item is checked for malformation first. On False, use `verify` to find the bad one."""
    pvk = _prepared(vk)
    xs = [_check_inputs(pvk, x) for x, _ in items]
    ps = [_check_proof(pvk, p) for _, p in items]
    return bool(_core(pvk.curve).groth16_batch_verify(pvk._native, xs, ps))


def rerandomize(vk: VerifyingKey | PreparedVerifyingKey, proof: Proof) -> Proof:
    """Another valid proof of the same statement, unlinkable to ``proof``:
    ``A' = A / t``, ``B' = t B + t u delta``, ``C' = C + u A`` with t, u fresh from
    the OS. It verifies iff ``proof`` does: this malleability is why a
    proof's bytes must never serve as a replay key (ADVERSARIAL B5, C5)."""
    pvk = _prepared(vk)
    _check_proof(pvk, proof)
    m = _native(pvk.curve)
    _, _, _, delta, _ = pvk.vk._points()
    a, b, c = proof._points()
    t = m.fr_random(1)
    u = m.fr_random(1)
    t_inv = m.fr_inv(t)
    # e(A/t, tB + tu delta) = e(A, B) e(uA, delta), so C' = C + uA.
    a2 = a.mul(t_inv)
    b2 = b.mul(t) + delta.mul(m.fr_mul(t, u))
    c2 = c + a.mul(u)
    data = a2.to_bytes(compressed=False) + b2.to_bytes(compressed=False)
    return Proof(pvk.curve, data + c2.to_bytes(compressed=False))
