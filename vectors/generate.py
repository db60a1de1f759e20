"""Generate zkcredit's published conformance vectors (vectors/README.md describes the format).

Usage::

    python vectors/generate.py [--out DIR] [--family NAME ...] [--regenerate-groth16]
                               [--regenerate-presentations]

Every family except groth16 and presentations is deterministic: inputs come from fixed
constants or from SHA-512 / SHA-256 of a label, so regenerating gives identical bytes.
Groth16 keys and proofs are random (the setup and the prover draw from the OS); those two
families are generated once, committed, and only regenerated on ``--regenerate-groth16`` /
``--regenerate-presentations`` (or when their file is missing). The generator asserts,
case by case, that zkcredit's native and reference backends agree where it computes both,
and that every refusal has exactly its expected class, before writing anything; then it
rewrites SHA256SUMS over every vector file.
"""

# ruff: noqa: PLR0917, S106 -- positional case builders; "holder_secret" fields are test values
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from zkcredit import credit, errors, exposure, verifier
from zkcredit.circuit import Circuit, check, write_r1cs, write_wtns
from zkcredit.credit import revocation, threshold
from zkcredit.hazmat import babyjub, eddsa, encoding, groth16, groth16_reference, poseidon
from zkcredit.hazmat.attestation import REVOCATION_ID_BITS, sign_attestation
from zkcredit.hazmat.native import bn254 as native
from zkcredit.hazmat.reference import _field
from zkcredit.hazmat.reference import bn254 as reference
from zkcredit.ledger import LedgerConfig
from zkcredit.vectors import (
    DETERMINISTIC_FAMILIES,
    FAMILY_FILES,
    FORMAT,
    VERSION,
    affine_json,
    ledger_snapshot,
    run_ledger_steps,
    write_manifest,
)

R = native.SCALAR_MODULUS
Q = native.BASE_MODULUS
P_BJJ = babyjub.FIELD_MODULUS
L_BJJ = babyjub.SUBGROUP_ORDER
GENERATOR = "vectors/generate.py (zkcredit)"
Case = dict[str, Any]


def derive(label: str, modulus: int = R) -> int:
    """A fixed pseudo-random element of [0, modulus), reproducible from its label."""
    wide = hashlib.sha512(b"zkcredit/vectors/v1/" + label.encode()).digest()
    return int.from_bytes(wide, "big") % modulus


def derive_bytes(label: str, n: int = 32) -> bytes:
    return hashlib.sha256(b"zkcredit/vectors/v1/" + label.encode()).digest()[:n]


def err(exc_type: type[errors.ZkCreditError]) -> dict[str, str]:
    return {"error": exc_type.__name__}


def expect_error(fn: Callable[[], object], want: type[Exception], what: str) -> None:
    """Assert zkcredit refuses with exactly ``want``: the generator never writes a guess."""
    try:
        fn()
    except Exception as exc:  # compared against the expected class below
        if type(exc) is not want:
            raise AssertionError(f"{what}: expected {want.__name__}, got {exc!r}") from exc
        return
    raise AssertionError(f"{what}: expected {want.__name__}, nothing was raised")


def envelope(family: str, cases: list[Case], **extra: Any) -> dict[str, Any]:
    ids = [c["id"] for c in cases]
    if len(set(ids)) != len(ids):
        raise AssertionError(f"{family}: duplicate case ids")
    return {"format": FORMAT, "family": family, "version": VERSION, "generator": GENERATOR,
            **extra, "cases": cases}


# --- field -----------------------------------------------------------------------------


def _le(v: int) -> str:
    return v.to_bytes(32, "little").hex()


def gen_field() -> dict[str, Any]:
    cases: list[Case] = []
    valid = {"zero": 0, "one": 1, "r-minus-1": R - 1, "two-pow-128": 2**128,
             "two-pow-253": 2**253, "derived-a": derive("field/a"), "derived-b": derive("field/b")}
    for name, v in valid.items():
        cases.append({"id": f"parse-{name}", "op": "parse", "description":
                      f"canonical decimal of {name}", "input": str(v), "expected": str(v)})
        cases.append({"id": f"bytes-{name}", "op": "from_bytes", "description":
                      f"32-byte little-endian encoding of {name}", "input": _le(v),
                      "expected": str(v)})
    bad: list[tuple[str, str, str, type[errors.ZkCreditError]]] = [
        ("r", str(R), "r itself is not below r", errors.NonCanonicalScalar),
        ("r-plus-1", str(R + 1), "r + 1 is not reduced", errors.NonCanonicalScalar),
        ("two-pow-256", str(2**256), "77 digits, above r", errors.NonCanonicalScalar),
        ("5000-digits", "9" * 5000, "5000 digits, refused by length before int()",
         errors.NonCanonicalScalar),
        ("leading-zero", "007", "leading zeros are not canonical", errors.InvalidEncoding),
        ("zero-zero", "00", "two zeros", errors.InvalidEncoding),
        ("plus-sign", "+5", "a sign is not allowed", errors.InvalidEncoding),
        ("minus-sign", "-1", "negative", errors.InvalidEncoding),
        ("hex", "0x10", "hex text is not decimal", errors.InvalidEncoding),
        ("empty", "", "empty string", errors.InvalidEncoding),
        ("space", " 1", "whitespace", errors.InvalidEncoding),
        ("exponent", "1e3", "exponent notation", errors.InvalidEncoding),
        ("arabic-indic", "\u0661\u0662", "non-ASCII digits", errors.InvalidEncoding),
    ]
    for name, text, why, exc in bad:
        expect_error(lambda t=text: encoding.parse_decimal(t, R, "x"), exc, name)
        cases.append({"id": f"parse-{name}", "op": "parse", "description": why,
                      "input": text, "expected": err(exc)})
    bad_bytes = [("r", R.to_bytes(32, "little").hex(), errors.NonCanonicalScalar),
                 ("all-ff", "ff" * 32, errors.NonCanonicalScalar),
                 ("31-bytes", "01" * 31, errors.InvalidEncoding),
                 ("33-bytes", "00" * 33, errors.InvalidEncoding)]
    for name, hx, exc in bad_bytes:
        expect_error(lambda h=hx: encoding.unpack_scalars(bytes.fromhex(h), R), exc, name)
        cases.append({"id": f"bytes-{name}", "op": "from_bytes", "description":
                      f"32-byte LE scalar refused: {name}", "input": hx, "expected": err(exc)})
    a, b = derive("field/a"), derive("field/b")
    ops: list[tuple[str, str, list[int], int | None]] = [
        ("add", "add", [a, b], (a + b) % R), ("add-wrap", "add", [R - 1, 2], 1),
        ("sub", "sub", [a, b], (a - b) % R), ("sub-wrap", "sub", [0, 1], R - 1),
        ("mul", "mul", [a, b], a * b % R), ("neg", "neg", [a], -a % R), ("neg-zero", "neg", [0], 0),
        ("inv", "inv", [a], pow(a, -1, R)), ("inv-one", "inv", [1], 1),
        ("inv-zero", "inv", [0], None)]
    for name, op, args, want in ops:
        fn = getattr(native, f"fr_{op}")
        packed = [encoding.pack_scalars([x], R) for x in args]
        if want is None:
            expect_error(lambda f=fn, p=packed: f(*p), errors.DivisionByZero, name)
            expected: Any = err(errors.DivisionByZero)
        else:
            got = encoding.unpack_scalars(fn(*packed), R)[0]
            ref = encoding.unpack_scalars(getattr(reference, f"fr_{op}")(*packed), R)[0]
            if not got == ref == want:
                raise AssertionError(f"field {name}: native {got}, reference {ref}, int {want}")
            expected = str(want)
        cases.append({"id": f"op-{name}", "op": op, "description": f"scalar-field {op}",
                      "args": [str(x) for x in args], "expected": expected})
    return envelope("field", cases, modulus=str(R))


# --- points ----------------------------------------------------------------------------



def _point_case(group: str, name: str, vec: Any, scalar: int | None) -> Case:
    m_ref = getattr(reference, group)
    aff = vec.to_affine()[0]
    comp, unc = vec.to_bytes(compressed=True), vec.to_bytes(compressed=False)
    ref = m_ref.from_affine([aff])
    if ref.to_bytes(compressed=True) != comp or ref.to_bytes(compressed=False) != unc:
        raise AssertionError(f"{group} {name}: native and reference encodings differ")
    snark = encoding.g1_to_snarkjs(vec) if group == "G1" else encoding.g2_to_snarkjs(vec)
    case: Case = {"id": f"{group.lower()}-{name}", "op": "point", "group": group,
                  "description": f"BN254 {group} {name}: affine, arkworks compressed and "
                  "uncompressed bytes, snarkjs triple",
                  "expected": {"affine": affine_json(aff), "compressed": comp.hex(),
                               "uncompressed": unc.hex(), "snarkjs": snark}}
    if scalar is not None:
        case["scalar"] = str(scalar)
    return case


def _decode_case(group: str, name: str, form: str, data: Any, why: str,
                 exc: type[errors.ZkCreditError]) -> Case:
    for m in (native, reference):
        cls = getattr(m, group)
        if form == "snarkjs":
            dec = encoding.g1_from_snarkjs if group == "G1" else encoding.g2_from_snarkjs
            expect_error(lambda d=dec, mm=m: d(mm, data), exc, f"{group} {name} {m.NAME}")
        else:
            expect_error(lambda c=cls: c.from_bytes(bytes.fromhex(data),
                                                    compressed=form == "compressed"),
                         exc, f"{group} {name} ({m.__name__})")
    return {"id": f"{group.lower()}-{name}", "op": "decode", "group": group, "form": form,
            "description": why, "input": data, "expected": err(exc)}


def _set_flags(hx: str, mask: int) -> str:
    raw = bytearray(bytes.fromhex(hx))
    raw[-1] |= mask
    return raw.hex()


def _g2_not_in_subgroup() -> tuple[tuple[int, int], tuple[int, int]]:
    """The first twist point with x = (k, 0), k = 1, 2, ..., outside the r-torsion."""
    fq2 = _field.Field(Q, 2)
    b2 = fq2.mul((3, 0), fq2.inv((9, 1)))
    for k in range(1, 1000):
        x = (k, 0)
        y = fq2.sqrt(fq2.add(fq2.mul(fq2.mul(x, x), x), b2))
        if y is None:
            continue
        pt = (x, (y[0], y[1]))
        try:
            reference.G2.from_affine([pt])
        except errors.PointNotInSubgroup:
            return pt
    raise AssertionError("no twist point outside the subgroup found")


def gen_points() -> dict[str, Any]:
    cases: list[Case] = []
    g1, g2 = native.G1.generator(), native.G2.generator()
    cases.append(_point_case("G1", "generator", g1, 1))
    cases.append(_point_case("G1", "identity", native.G1.identity(), 0))
    cases.append(_point_case("G1", "negated-generator", -g1, R - 1))
    for i in range(3):
        k = derive(f"points/g1/{i}")
        cases.append(_point_case("G1", f"derived-{i}", g1.mul(encoding.pack_scalars([k], R)), k))
    cases.append(_point_case("G2", "generator", g2, 1))
    cases.append(_point_case("G2", "identity", native.G2.identity(), 0))
    for i in range(2):
        k = derive(f"points/g2/{i}")
        cases.append(_point_case("G2", f"derived-{i}", g2.mul(encoding.pack_scalars([k], R)), k))

    (gx, gy) = g1.to_affine()[0]
    unc = g1.to_bytes(compressed=False).hex()
    comp = g1.to_bytes(compressed=True).hex()
    off = (gx.to_bytes(32, "little") + (gy + 1).to_bytes(32, "little")).hex()
    big_x = ((gx + Q).to_bytes(32, "little") + gy.to_bytes(32, "little")).hex()
    # an x with no curve point: x^3 + 3 a non-square
    nx = next(x for x in range(1, 100) if pow((x**3 + 3) % Q, (Q - 1) // 2, Q) == Q - 1)
    cases += [
        _decode_case("G1", "uncompressed-off-curve", "uncompressed", off,
                     "generator with y + 1: not on the curve", errors.PointNotOnCurve),
        _decode_case("G1", "uncompressed-x-plus-q", "uncompressed", big_x,
                     "generator with x + q: a non-canonical coordinate",
                     errors.NonCanonicalCoordinate),
        _decode_case("G1", "compressed-no-point", "compressed", nx.to_bytes(32, "little").hex(),
                     f"x = {nx}: x^3 + 3 is not a square", errors.PointNotOnCurve),
        _decode_case("G1", "compressed-both-flags", "compressed", _set_flags(comp, 0xC0),
                     "infinity and y-sign flags both set", errors.InvalidEncoding),
        _decode_case("G1", "uncompressed-sign-flag-wrong", "uncompressed",
                     _set_flags(unc, 0x80) if not int(unc[-2:], 16) & 0x80 else
                     (bytes.fromhex(unc)[:-1] + bytes([bytes.fromhex(unc)[-1] & 0x7F])).hex(),
                     "y-sign flag disagreeing with y", errors.InvalidEncoding),
        _decode_case("G1", "infinity-nonzero-bits", "compressed",
                     _set_flags("01" + "00" * 31, 0x40),
                     "infinity flag with coordinate bits set", errors.InvalidEncoding),
        _decode_case("G1", "short", "compressed", comp[:-2], "31 bytes",
                     errors.InvalidEncoding),
        _decode_case("G1", "snarkjs-off-curve", "snarkjs", [str(gx), str(gy + 1), "1"],
                     "snarkjs generator with y + 1", errors.PointNotOnCurve),
        _decode_case("G1", "snarkjs-x-plus-q", "snarkjs", [str(gx + Q), str(gy), "1"],
                     "snarkjs x + q", errors.NonCanonicalCoordinate),
        _decode_case("G1", "snarkjs-z-2", "snarkjs", [str(gx), str(gy), "2"],
                     "projective z other than 0 or 1", errors.InvalidEncoding),
        _decode_case("G1", "snarkjs-leading-zero", "snarkjs", ["0" + str(gx), str(gy), "1"],
                     "coordinate with a leading zero", errors.InvalidEncoding),
        _decode_case("G1", "snarkjs-bad-infinity", "snarkjs", ["1", "1", "0"],
                     "z = 0 with x, y other than 0, 1", errors.InvalidEncoding),
    ]
    (x, y) = g2.to_affine()[0]
    swapped = [[str(x[1]), str(x[0])], [str(y[1]), str(y[0])], ["1", "0"]]
    ns = _g2_not_in_subgroup()
    ns_vec_unc = b"".join(c.to_bytes(32, "little") for c in (*ns[0], *ns[1]))
    larger = _field.Field(Q, 2).is_larger(ns[1])
    ns_unc = bytearray(ns_vec_unc)
    ns_comp = bytearray(ns_vec_unc[:64])
    if larger:
        ns_unc[-1] |= 0x80
        ns_comp[-1] |= 0x80
    g2_off = [[str(x[0]), str(x[1])], [str(y[0]), str((y[1] + 1) % Q)], ["1", "0"]]
    cases += [
        _decode_case("G2", "snarkjs-swapped-fp2", "snarkjs", swapped,
                     "generator with c0/c1 swapped in every Fp2 (the EIP-197 order)",
                     errors.PointNotOnCurve),
        _decode_case("G2", "snarkjs-off-curve", "snarkjs", g2_off, "generator with y.c1 + 1",
                     errors.PointNotOnCurve),
        _decode_case("G2", "snarkjs-not-in-subgroup", "snarkjs",
                     [[str(ns[0][0]), str(ns[0][1])], [str(ns[1][0]), str(ns[1][1])],
                      ["1", "0"]],
                     "a twist point outside the r-torsion", errors.PointNotInSubgroup),
        _decode_case("G2", "uncompressed-not-in-subgroup", "uncompressed", ns_unc.hex(),
                     "a twist point outside the r-torsion", errors.PointNotInSubgroup),
        _decode_case("G2", "compressed-not-in-subgroup", "compressed", ns_comp.hex(),
                     "a twist point outside the r-torsion", errors.PointNotInSubgroup),
        _decode_case("G2", "snarkjs-c1-plus-q", "snarkjs",
                     [[str(x[0]), str(x[1] + Q)], [str(y[0]), str(y[1])], ["1", "0"]],
                     "x.c1 + q", errors.NonCanonicalCoordinate),
    ]
    return envelope("points", cases, curve="bn254", base_modulus=str(Q))


# --- Poseidon and Merkle -----------------------------------------------------------------


def gen_poseidon() -> dict[str, Any]:
    cases: list[Case] = []
    for n in range(1, 17):
        inputs_list = {"counting": list(range(1, n + 1)),
                       "derived": [derive(f"poseidon/{n}/{i}") for i in range(n)],
                       "max": [R - 1] * n}
        if n <= 2:
            inputs_list["zeros"] = [0] * n
        for name, inputs in inputs_list.items():
            h = poseidon.poseidon_hash(inputs)
            if h != poseidon.poseidon_hash_reference(inputs):
                raise AssertionError(f"poseidon {n} {name}: native and reference differ")
            cases.append({"id": f"arity-{n}-{name}", "op": "hash", "description":
                          f"circomlib Poseidon({n}) of {name} inputs",
                          "inputs": [str(x) for x in inputs], "expected": str(h)})
    for name, inputs, exc in [("input-r", [1, R], errors.NonCanonicalScalar),
                              ("arity-0", [], errors.InvalidArgument),
                              ("arity-17", list(range(17)), errors.InvalidArgument)]:
        expect_error(lambda i=inputs: poseidon.poseidon_hash(i), exc, name)
        cases.append({"id": f"reject-{name}", "op": "hash", "description": f"refused: {name}",
                      "inputs": [str(x) for x in inputs], "expected": err(exc)})
    return envelope("poseidon", cases, field="bn254-scalar", parameters="circomlib")


def gen_merkle() -> dict[str, Any]:
    cases: list[Case] = []
    trees = {"empty-d0": (0, []), "one-d0": (0, [derive("merkle/one")]),
             "empty-d4": (4, []),
             "partial-d3": (3, [derive(f"merkle/p/{i}") for i in range(5)]),
             "full-d3": (3, [derive(f"merkle/f/{i}") for i in range(8)]),
             "sparse-d8": (8, [derive(f"merkle/s/{i}") for i in range(3)]),
             "registry-d8": (8, [derive(f"merkle/r/{i}") for i in range(10)])}
    for name, (depth, leaves) in trees.items():
        root = poseidon.merkle_root(leaves, depth)
        cases.append({"id": f"root-{name}", "op": "root", "description":
                      f"root of a depth-{depth} tree with {len(leaves)} leaves (rest 0)",
                      "depth": depth, "leaves": [str(x) for x in leaves],
                      "expected": str(root)})
        for index in sorted({0, len(leaves) - 1 if leaves else 0, (1 << depth) - 1}):
            path = poseidon.merkle_path(leaves, depth, index)
            if not poseidon.verify_merkle_path(root, path.leaf, path.siblings, path.path_bits):
                raise AssertionError(f"merkle {name} {index}: path does not verify")
            cases.append({"id": f"path-{name}-{index}", "op": "path", "description":
                          f"inclusion path of position {index}", "depth": depth,
                          "leaves": [str(x) for x in leaves], "index": index,
                          "expected": {"root": str(root), "leaf": str(path.leaf),
                                       "siblings": [str(s) for s in path.siblings],
                                       "path_bits": list(path.path_bits)}})
    depth, leaves = trees["partial-d3"]
    root = poseidon.merkle_root(leaves, depth)
    p = poseidon.merkle_path(leaves, depth, 2)
    sib, bits = list(p.siblings), list(p.path_bits)

    def verify_case(name: str, why: str, root_: int, leaf: int, sibs: Sequence[int],
                    bits_: Sequence[int], expected: Any) -> Case:
        if isinstance(expected, dict):
            exc = getattr(errors, expected["error"])
            expect_error(lambda: poseidon.verify_merkle_path(root_, leaf, sibs, bits_), exc,
                         name)
        elif poseidon.verify_merkle_path(root_, leaf, sibs, bits_) is not expected:
            raise AssertionError(f"merkle {name}: expected {expected}")
        return {"id": f"verify-{name}", "op": "verify", "description": why,
                "root": str(root_), "leaf": str(leaf), "siblings": [str(s) for s in sibs],
                "path_bits": list(bits_), "expected": expected}

    flipped = [bits[0] ^ 1, *bits[1:]]
    cases += [
        verify_case("valid", "the path of position 2", root, p.leaf, sib, bits, True),
        verify_case("flipped-bit", "direction bit 0 flipped", root, p.leaf, sib, flipped,
                    False),
        verify_case("swapped-siblings", "siblings 0 and 1 swapped", root, p.leaf,
                    [sib[1], sib[0], *sib[2:]], bits, False),
        verify_case("wrong-leaf", "leaf + 1", root, (p.leaf + 1) % R, sib, bits, False),
        verify_case("empty-leaf", "the empty leaf 0 at an empty position with a real leaf's "
                    "path", root, 0, sib, bits, False),
        verify_case("bit-2", "direction bit 2", root, p.leaf, sib, [2, *bits[1:]],
                    err(errors.InvalidArgument)),
        verify_case("bit-r-minus-1", "direction bit r - 1", root, p.leaf, sib,
                    [R - 1, *bits[1:]], err(errors.InvalidArgument)),
        verify_case("short-bits", "one path bit missing", root, p.leaf, sib, bits[:-1],
                    err(errors.InvalidArgument)),
        verify_case("sibling-plus-r", "sibling 0 + r", root, p.leaf, [sib[0] + R, *sib[1:]],
                    bits, err(errors.NonCanonicalScalar)),
    ]
    return envelope("merkle", cases, hash="poseidon", empty_leaf="0")


# --- Baby Jubjub EdDSA-Poseidon ------------------------------------------------------------


def _pt(p: tuple[int, int]) -> list[str]:
    return [str(p[0]), str(p[1])]


def gen_eddsa() -> dict[str, Any]:
    cases: list[Case] = []
    signed = []
    for i in range(4):
        key = derive_bytes(f"eddsa/key/{i}")
        msg = derive(f"eddsa/msg/{i}", P_BJJ) if i else 0
        pub = eddsa.prv2pub(key)
        sig = eddsa.sign_poseidon(key, msg)
        eddsa.verify_poseidon(pub, msg, sig)
        signed.append((pub, msg, sig))
        cases.append({"id": f"sign-{i}", "op": "sign", "description":
                      "deterministic circomlibjs signPoseidon; verifies",
                      "private_key": key.hex(), "message": str(msg),
                      "expected": {"public_key": _pt(pub),
                                   "packed_public_key": babyjub.pack_point(pub).hex(),
                                   "R8": _pt(sig.R8), "S": str(sig.S),
                                   "packed_signature": eddsa.pack_signature(sig).hex()}})
    pub, msg, sig = signed[1]

    def verify_case(name: str, why: str, a: Sequence[int], m: int, r8: Sequence[int], s: int,
                    exc: type[Exception] | None) -> Case:
        call = lambda: eddsa.verify_poseidon((a[0], a[1]), m, ((r8[0], r8[1]), s))  # noqa: E731
        if exc is None:
            call()
            expected: Any = True
        else:
            expect_error(call, exc, f"eddsa {name}")
            expected = {"error": exc.__name__}
        return {"id": f"verify-{name}", "op": "verify", "description": why,
                "public_key": [str(a[0]), str(a[1])], "message": str(m),
                "R8": [str(r8[0]), str(r8[1])], "S": str(s), "expected": expected}

    k = derive("eddsa/lowkey", L_BJJ)
    r8k = babyjub.mul(babyjub.BASE8, k)
    order2 = (0, P_BJJ - 1)
    mixed = babyjub.add(pub, order2)
    cases += [
        verify_case("valid", "the signature of sign-1", pub, msg, sig.R8, sig.S, None),
        verify_case("s-plus-l", "S + l: the equation holds but S is not canonical", pub, msg,
                    sig.R8, sig.S + L_BJJ, errors.NonCanonicalSignature),
        verify_case("wrong-message", "message + 1", pub, msg + 1, sig.R8, sig.S,
                    errors.InvalidSignature),
        verify_case("wrong-key", "another signer's key", signed[2][0], msg, sig.R8, sig.S,
                    errors.InvalidSignature),
        verify_case("identity-key", "key = identity (0, 1) with R8 = k*B8, S = k: verifies "
                    "for any message under circomlibjs", babyjub.IDENTITY, msg, r8k, k,
                    errors.LowOrderPoint),
        verify_case("order-2-key", "key = (0, -1), a point of order 2", order2, msg, r8k, k,
                    errors.LowOrderPoint),
        verify_case("mixed-order-key", "key + (0, -1): not in the prime-order subgroup", mixed,
                    msg, sig.R8, sig.S, errors.PointNotInSubgroup),
        verify_case("r8-off-curve", "R8 with y + 1", pub, msg, (sig.R8[0], (sig.R8[1] + 1) %
                    P_BJJ), sig.S, errors.PointNotOnCurve),
        verify_case("key-x-plus-p", "key x + p", (pub[0] + P_BJJ, pub[1]), msg, sig.R8, sig.S,
                    errors.NonCanonicalCoordinate),
        verify_case("message-p", "message = p (not reduced)", pub, P_BJJ, sig.R8, sig.S,
                    errors.NonCanonicalScalar),
    ]
    return envelope("eddsa", cases, curve="babyjubjub", hash="poseidon",
                    base8=_pt(babyjub.BASE8), subgroup_order=str(L_BJJ))


# --- Groth16 --------------------------------------------------------------------------------


def groth16_circuit() -> Any:
    """x * y = product, x + y = total: two public inputs, two private."""
    c = Circuit("vectors/groth16")
    product = c.public("product")
    total = c.public("total")
    x = c.private("x")
    y = c.private("y")
    c.assert_equal(x * y, product, "x * y = product")
    c.assert_equal(x + y, total, "x + y = total")
    return c.compile()


def _neg_g1(p: list[str]) -> list[str]:
    return [p[0], str((Q - int(p[1])) % Q), p[2]]


def _neg_g2(p: list[list[str]]) -> list[list[str]]:
    return [p[0], [str((Q - int(p[1][0])) % Q), str((Q - int(p[1][1])) % Q)], p[2]]


def gen_groth16(out: Path) -> dict[str, Any]:
    compiled = groth16_circuit()
    r1cs = compiled.r1cs
    pk, vk = groth16.setup(r1cs)
    _, vk_other = groth16.setup(r1cs)
    x, y = derive("groth16/x"), derive("groth16/y")
    witness = compiled.solve({"product": x * y % R, "total": (x + y) % R, "x": x, "y": y})
    public = [x * y % R, (x + y) % R]
    proof = groth16.prove(pk, r1cs, witness)
    second = groth16.prove(pk, r1cs, witness)
    (out / "groth16_circuit.r1cs").write_bytes(write_r1cs(r1cs))
    (out / "groth16_circuit.wtns").write_bytes(write_wtns(witness))
    pj = proof.to_snarkjs()
    pub = [str(v) for v in public]
    keys = {"main": vk.to_snarkjs(), "other": vk_other.to_snarkjs()}
    ns = _g2_not_in_subgroup()
    ns_snark = [[str(ns[0][0]), str(ns[0][1])], [str(ns[1][0]), str(ns[1][1])], ["1", "0"]]
    raw: list[tuple[str, str, str, list[str], dict[str, Any], Any]] = [
        ("valid", "an honest zero-knowledge proof", "main", pub, pj, True),
        ("valid-second-proof", "a second proof of the same statement (fresh r, s)", "main",
         pub, second.to_snarkjs(), True),
        ("malleated-neg-a-neg-b", "(-A, -B, C): accepted, Groth16 is malleable (B5)", "main",
         pub, {**pj, "pi_a": _neg_g1(pj["pi_a"]), "pi_b": _neg_g2(pj["pi_b"])}, True),
        ("rerandomized", "groth16.rerandomize(proof): accepted (B5)", "main", pub,
         groth16.rerandomize(vk, proof).to_snarkjs(), True),
        ("wrong-public-input", "public input 0 + 1", "main",
         [str((public[0] + 1) % R), pub[1]], pj, False),
        ("swapped-public-inputs", "the two public inputs swapped", "main", [pub[1], pub[0]],
         pj, False),
        ("wrong-key", "the same circuit's key from another setup", "other", pub, pj, False),
        ("aliased-input", "public input 0 + r: refused, never reduced (B2)", "main",
         [str(public[0] + R), pub[1]], pj, err(errors.NonCanonicalScalar)),
        ("too-few-inputs", "one public input for a key that takes two (B3)", "main", pub[:1],
         pj, err(errors.InvalidArgument)),
        ("too-many-inputs", "three public inputs for a key that takes two (B3)", "main",
         [*pub, "1"], pj, err(errors.InvalidArgument)),
        ("a-off-curve", "A with y + 1 (B4)", "main", pub,
         {**pj, "pi_a": [pj["pi_a"][0], str((int(pj["pi_a"][1]) + 1) % Q), "1"]},
         err(errors.PointNotOnCurve)),
        ("a-infinity", "A at infinity (B4)", "main", pub, {**pj, "pi_a": ["0", "1", "0"]},
         err(errors.InvalidArgument)),
        ("b-not-in-subgroup", "B on the twist, outside the r-torsion (B4)", "main", pub,
         {**pj, "pi_b": ns_snark}, err(errors.PointNotInSubgroup)),
        ("c-x-plus-q", "C with x + q (B4)", "main", pub,
         {**pj, "pi_c": [str(int(pj["pi_c"][0]) + Q), pj["pi_c"][1], "1"]},
         err(errors.NonCanonicalCoordinate)),
        ("b-swapped-fp2", "B with c0/c1 swapped (EIP-197 order) (B4)", "main", pub,
         {**pj, "pi_b": [[p[1], p[0]] for p in pj["pi_b"][:2]] + [["1", "0"]]},
         err(errors.PointNotOnCurve)),
    ]
    cases: list[Case] = []
    for name, why, key, inputs, prf, expected in raw:
        for label, fn in (("native", lambda k=key, i=inputs, p=prf: groth16.verify(
                groth16.VerifyingKey.from_snarkjs(keys[k]),
                groth16.public_from_snarkjs(i), groth16.Proof.from_snarkjs(p))),
                          ("reference", lambda k=key, i=inputs, p=prf:
                           groth16_reference.verify_snarkjs(keys[k], i, p))):
            if isinstance(expected, dict):
                expect_error(fn, getattr(errors, expected["error"]), f"groth16 {name} {label}")
            elif fn() is not expected:
                raise AssertionError(f"groth16 {name} {label}: expected {expected}")
        cases.append({"id": name, "op": "verify", "description": why, "key": key,
                      "public": inputs, "proof": prf, "expected": expected})
    cases.append({"id": "r1cs-witness", "op": "r1cs", "description":
                  "the committed witness satisfies the committed R1CS; its public wires are "
                  "the public inputs of the valid proof", "r1cs": "groth16_circuit.r1cs",
                  "wtns": "groth16_circuit.wtns", "expected": {"n_wires": r1cs.n_wires,
                  "n_public": r1cs.n_public, "n_constraints": len(r1cs.constraints),
                  "public": pub}})
    return envelope("groth16", cases, curve="bn254", keys=keys)


# --- ledger -----------------------------------------------------------------------------------

T0 = 1_700_000_000
PRICE = 3_000_000
DAY = 86_400


def _decision(tier: int, nullifier: int, borrower: int, expires: int) -> dict[str, Any]:
    """A `CreditDecision.to_json_dict()`; its exposure slot (issue 12) is a constant of the
    nullifier (these ledgers have no exposure registry, so no claim is made)."""
    return {"borrower_id": str(borrower), "tier": tier, "threshold": "700", "model_id": "99",
            "lender_id": "7", "nullifier": str(nullifier), "expires_at": expires,
            "slot_nullifier": str(1000 + nullifier), "exposure_epoch": T0 // (30 * DAY)}


def _scenarios() -> list[dict[str, Any]]:
    year = 365 * DAY
    limit = LedgerConfig().terms(2).credit_limit
    return [
        {"id": "deposit-draw-repay", "description":
         "one lender, one tier-3 line: draw, 30 days of interest, full repayment",
         "steps": [
             {"cmd": "deposit", "args": {"depositor": "lp1", "amount": 100_000_000}},
             {"cmd": "open_line", "args": {"decision": _decision(3, 11, 5, T0 + year)}},
             {"cmd": "deposit_collateral", "args": {"line_id": 1, "amount": 10**8}},
             {"cmd": "draw", "args": {"line_id": 1, "amount": 1_000_000}},
             {"advance": 30 * DAY},
             {"cmd": "accrue", "args": {"line_id": 1}},
             {"cmd": "repay", "args": {"line_id": 1, "amount": 2_000_000}}]},
        {"id": "limits-and-refusals", "description":
         "draw at the limit + 1 refused, a second line for one nullifier refused, a retry of "
         "cmd-1 with its payload returns the stored receipt, with another payload refused, "
         "withdrawals above 2^63 or above the shares held refused",
         "steps": [
             {"cmd": "deposit", "args": {"depositor": "lp1", "amount": 50_000_000}},
             {"cmd": "deposit", "args": {"depositor": "lp2", "amount": 25_000_000}},
             {"cmd": "open_line", "args": {"decision": _decision(2, 21, 6, T0 + year)}},
             {"cmd": "open_line", "args": {"decision": _decision(1, 21, 8, T0 + year)}},
             {"cmd": "deposit_collateral", "args": {"line_id": 1, "amount": 10**9}},
             {"cmd": "draw", "args": {"line_id": 1, "amount": limit + 1}},
             {"cmd": "draw", "args": {"line_id": 1, "amount": limit}},
             {"cmd": "deposit", "id": "cmd-1", "args": {"depositor": "lp1",
                                                        "amount": 50_000_000}},
             {"cmd": "deposit", "id": "cmd-1", "args": {"depositor": "lp1", "amount": 1}},
             {"cmd": "withdraw", "args": {"depositor": "lp2", "shares": 10**20}},
             {"cmd": "withdraw", "args": {"depositor": "lp2", "shares": 25 * 10**12 + 1}},
             {"cmd": "withdraw", "args": {"depositor": "lp2", "shares": 5 * 10**12}}]},
        {"id": "stale-price-and-liquidation", "description":
         "a stale price refuses draws; a crash makes the line liquidatable",
         "steps": [
             {"cmd": "deposit", "args": {"depositor": "lp1", "amount": 100_000_000}},
             {"cmd": "open_unproven_line", "args": {"borrower_id": "77", "lender_id": "7"}},
             {"cmd": "deposit_collateral", "args": {"line_id": 1, "amount": 10**7}},
             {"cmd": "draw", "args": {"line_id": 1, "amount": 100_000}},
             {"advance": 2 * DAY, "keep_price_time": True},
             {"cmd": "draw", "args": {"line_id": 1, "amount": 1_000}},
             {"price": PRICE // 10},
             {"cmd": "liquidate", "args": {"line_id": 1, "liquidator": "keeper",
                                           "amount": 50_000}},
             {"cmd": "liquidate", "args": {"line_id": 1, "liquidator": "keeper",
                                           "amount": 50_000}}]},
    ]


def gen_ledger() -> dict[str, Any]:
    cases: list[Case] = []
    for scenario in _scenarios():
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'ledger.db'}"
            ledger, results = run_ledger_steps(url, T0, PRICE, scenario["steps"])
            try:
                final = ledger_snapshot(ledger)
            finally:
                ledger.close()
        if not final["audit_ok"]:
            raise AssertionError(f"ledger {scenario['id']}: audit failed")
        steps = [dict(s, expected=r) if "cmd" in s else s
                 for s, r in zip(scenario["steps"], results, strict=True)]
        cases.append({"id": scenario["id"], "op": "scenario", "description":
                      scenario["description"], "steps": steps, "expected": final})
    return envelope("ledger", cases, t0=T0, price=PRICE, config="LedgerConfig()",
                    keys={"audit": "01" * 32, "record_signer": "02" * 32})


# --- issue 5: commitments, score model, threshold circuit -------------------------------------

T_REC = 1_600_000_000
MONTH = 2_592_000


def _record(i: int, status: int, kind: int, *, amount: int = 500_000, repaid: int = 500_000,
            days_late: int = 0, age: int = 24 * MONTH) -> list[int]:
    opened = T_REC - age + i * 86_400
    return [opened, opened + age // 2, amount, repaid, days_late, status, kind]


SAMPLE_RECORDS = [
    _record(0, 1, 0, amount=1_200_000, repaid=1_200_000),            # closed loan
    _record(1, 0, 1, amount=300_000, repaid=120_000, days_late=12),   # current card
    _record(2, 2, 2, amount=80_000, repaid=20_000, days_late=45),     # late BNPL
    _record(3, 3, 4, amount=50_000, repaid=0, days_late=180, age=30 * MONTH),  # default
    _record(4, 0, 3, amount=20_000_000, repaid=3_000_000, age=60 * MONTH),     # mortgage
]


def _records(rows: Sequence[Sequence[int]]) -> list[credit.CreditRecord]:
    return [credit.CreditRecord.from_fields(list(r)) for r in rows]


def gen_commitments() -> dict[str, Any]:
    cases: list[Case] = []

    def add(cid: str, op: str, why: str, fn: Callable[[], Any], *,
            refused: type[errors.ZkCreditError] | None = None, **fields: Any) -> None:
        """One case; ``refused`` is the exact class it must be refused with (None: accepted)."""
        try:
            expected: Any = fn()
        except errors.ZkCreditError as exc:
            if type(exc) is not refused:
                raise AssertionError(f"commitments {cid}: unexpected {exc!r}") from exc
            expected = err(refused)
        else:
            if refused is not None:
                raise AssertionError(f"commitments {cid}: expected {refused.__name__}")
        cases.append({"id": cid, "op": op, "description": why, **fields, "expected": expected})

    for i, rec in enumerate(SAMPLE_RECORDS):
        salt = derive(f"commit/salt/{i}") or 1
        add(f"record-leaf-{i}", "record_leaf", "Poseidon([salt, *record.to_fields()])",
            lambda r=rec, sl=salt: str(credit.record_leaf(credit.CreditRecord.from_fields(r),
                                                           sl)),
            record=rec, salt=str(salt))
    good = SAMPLE_RECORDS[1]
    bad_records = [
        ("amount-zero", [*good[:2], 0, *good[3:]], "amount 0"),
        ("opened-zero", [0, *good[1:]], "opened_at 0"),
        ("updated-before-opened", [good[0], good[0] - 1, *good[2:]], "updated_at < opened_at"),
        ("days-late-65536", [*good[:4], 65536, *good[5:]], "days_late >= 2^16"),
        ("amount-2-64", [*good[:2], 2**64, *good[3:]], "amount >= 2^64"),
        ("status-4", [*good[:5], 4, good[6]], "status outside 0..3"),
        ("kind-5", [*good[:6], 5], "kind outside 0..4"),
    ]
    for name, rec, why in bad_records:
        add(f"record-leaf-{name}", "record_leaf", f"refused: {why}",
            lambda r=rec: str(credit.record_leaf(credit.CreditRecord.from_fields(r), 7)),
            refused=errors.InvalidArgument, record=rec, salt="7")
    for name, salt, exc in (("salt-zero", 0, errors.InvalidArgument),
                            ("salt-r", R, errors.NonCanonicalScalar)):
        add(f"record-leaf-{name}", "record_leaf", f"refused: {name}",
            lambda sl=salt: str(credit.record_leaf(credit.CreditRecord.from_fields(good), sl)),
            refused=exc, record=good, salt=str(salt))
    for cap, n in ((1, 1), (2, 1), (8, 5), (32, 5)):
        rows = SAMPLE_RECORDS[:n]
        salts = [derive(f"commit/h{cap}/salt/{i}") or 1 for i in range(n)]
        secret = derive(f"commit/h{cap}/secret") or 1
        blinding = derive(f"commit/h{cap}/blinding")

        def history(rows: list[list[int]] = rows, salts: list[int] = salts, cap: int = cap,
                    secret: int = secret, blinding: int = blinding) -> dict[str, Any]:
            h = credit.History(_records(rows), salts, cap)
            hc = credit.holder_commitment(secret)
            return {"leaves": [str(x) for x in h.leaves()], "root": str(h.root()),
                    "holder_commitment": str(hc),
                    "commitment": str(credit.history_commitment(h.root(), blinding, hc))}
        add(f"history-n{cap}-{n}-records", "history",
            "leaves (records, then 0), Merkle root, Poseidon([secret]), "
            "Poseidon([root, blinding, holder_commitment])", history,
            records=rows, salts=[str(x) for x in salts], capacity=cap,
            holder_secret=str(secret), blinding=str(blinding))
    add("holder-commitment-zero", "holder_commitment", "refused: secret 0",
        lambda: str(credit.holder_commitment(0)), refused=errors.InvalidArgument,
        holder_secret="0")
    add("history-capacity-3", "history", "refused: capacity not a power of two",
        lambda: credit.History(_records(SAMPLE_RECORDS[:1]), [1], 3).root(),
        refused=errors.InvalidArgument, records=SAMPLE_RECORDS[:1], salts=["1"], capacity=3,
        holder_secret="1", blinding="0")
    com = derive("commit/att/commitment")
    holder = credit.holder_commitment(derive("commit/att/holder-secret") or 1)
    rid = derive("commit/att/revocation-id", 1 << 128) or 1
    day = 86_400
    # (name, commitment, holder commitment, revocation id, not_before, not_after, refusal)
    messages: list[tuple[str, int, int, int, int, int, type[errors.ZkCreditError] | None]] = [
        ("window", com, holder, rid, T_REC, T_REC + 90 * day, None),
        ("instant", com, holder, rid, T_REC, T_REC, None),
        ("revocation-id-1", com, holder, 1, T_REC, T_REC + 90 * day, None),
        ("revocation-id-max", com, holder, (1 << 128) - 1, T_REC, T_REC + 90 * day, None),
        ("times-max", com, holder, rid, 0, 2**40 - 1, None),
        ("commitment-r", R, holder, rid, T_REC, T_REC + day, errors.NonCanonicalScalar),
        ("holder-commitment-r", com, R, rid, T_REC, T_REC + day, errors.NonCanonicalScalar),
        ("revocation-id-0", com, holder, 0, T_REC, T_REC + day, errors.InvalidArgument),
        ("revocation-id-2-128", com, holder, 1 << 128, T_REC, T_REC + day,
         errors.InvalidArgument),
        ("reversed", com, holder, rid, T_REC + 1, T_REC, errors.InvalidArgument),
        ("not-after-2-40", com, holder, rid, T_REC, 2**40, errors.InvalidArgument),
    ]
    for name, c_, h_, r_, nb, na, exc in messages:
        add(f"attestation-message-{name}", "attestation_message",
            ("Poseidon([ATTESTATION_DOMAIN, commitment, holder_commitment, revocation_id, "
             "not_before, not_after])" if exc is None else f"refused: {name}"),
            lambda c_=c_, h_=h_, r_=r_, nb=nb, na=na: str(
                credit.attestation_message(c_, h_, r_, nb, na)),
            refused=exc, commitment=str(c_), holder_commitment=str(h_), revocation_id=str(r_),
            not_before=nb, not_after=na)
    issuer_keys = [derive_bytes(f"commit/issuer/{i}") for i in range(3)]
    keys = [eddsa.prv2pub(k) for k in issuer_keys]
    revoked_1 = sorted(derive(f"commit/revoked/{i}", 1 << 128) or 1 for i in range(3))

    def registry(lists: dict[int, list[int]]) -> dict[str, Any]:
        """Through the registry itself: each issuer in ``lists`` signs and applies a list."""
        reg = credit.IssuerRegistry.of(keys)
        for slot, ids in lists.items():
            reg.apply_revocations(credit.RevocationList.sign(issuer_keys[slot], ids, T_REC))
        roots = [credit.RevocationTree(lists.get(i, [])).root for i in range(len(keys))]
        leaves = [credit.issuer_leaf(k, rr) for k, rr in zip(keys, roots, strict=True)]
        if poseidon.merkle_root(leaves, credit.issuer.REGISTRY_DEPTH) != reg.root:
            raise AssertionError("issuer registry: leaves do not give the registry's root")
        return {"revocation_roots": [str(x) for x in roots],
                "leaves": [str(x) for x in leaves], "root": str(reg.root)}
    add("issuer-registry-3", "issuer_registry",
        "depth-8 tree of Poseidon([A.x, A.y, revocation_root]) in slots 0.., empty leaves 0; "
        "no revocation list: the empty list's root",
        lambda: registry({}), keys=[_pt(k) for k in keys], revoked=[[], [], []])
    add("issuer-registry-3-revocations", "issuer_registry",
        "the same keys after issuer 1 applied a list revoking three ids and issuer 2 an "
        "empty list (same leaf as no list)",
        lambda: registry({1: revoked_1, 2: []}), keys=[_pt(k) for k in keys],
        revoked=[[], [str(x) for x in revoked_1], []])
    add("issuer-registry-identity-key", "issuer_registry", "refused: the identity as a key",
        lambda: str(credit.IssuerRegistry.of([babyjub.IDENTITY]).root),
        refused=errors.LowOrderPoint, keys=[["0", "1"]], revoked=[[]])
    add("issuer-registry-revoked-id-0", "issuer_registry", "refused: revoked id 0",
        lambda: registry({0: [0]}), refused=errors.InvalidArgument,
        keys=[_pt(keys[0])], revoked=[["0"]])
    for name in ("lender-a", "Example Bank, N.A.", "z" * 64):
        add(f"lender-id-{name[:12].replace(' ', '-').replace(',', '')}", "lender_id",
            "sha256(b'zkcredit/lender/v1\\0' + name) >> 8", lambda n=name:
            str(verifier.lender_id(n)), name=name)
    for i, lender in enumerate(("lender-a", "lender-b")):
        seed = derive_bytes(f"commit/wallet-seed/{i}")

        def borrower(seed: bytes = seed, lender: str = lender) -> dict[str, Any]:
            lid = verifier.lender_id(lender)
            key = verifier.derive_lender_key(seed, lid)
            priv = key.private_bytes_raw()
            pub = key.public_key().public_bytes_raw()
            return {"lender_id": str(lid), "private_key": priv.hex(), "public_key": pub.hex(),
                    "borrower_key_hash": str(verifier.borrower_key_hash(pub))}
        add(f"borrower-key-{i}", "borrower_key",
            "HKDF-SHA256(seed, info = tag || lender_id) -> Ed25519 key; Poseidon of the "
            "public key's 16-byte halves", borrower, seed=seed.hex(), lender=lender)
    for i in range(2):
        secret, lid, epoch = derive(f"commit/null/{i}") or 1, verifier.lender_id("lender-a"), i
        add(f"nullifier-{i}", "nullifier", "Poseidon([holder_secret, lender_id, epoch])",
            lambda s_=secret, l_=lid, e_=epoch: str(threshold.nullifier(s_, l_, e_)),
            holder_secret=str(secret), lender_id=str(lid), epoch=str(epoch))
    add("nullifier-secret-zero", "nullifier", "refused: holder secret 0",
        lambda: str(threshold.nullifier(0, 1, 0)), refused=errors.InvalidArgument,
        holder_secret="0", lender_id="1", epoch="0")
    # issue 12: slot nullifiers, one per (holder, exposure epoch, slot < k), lender-free
    xsecret = derive("commit/slot/secret") or 1
    xepoch = T_REC // (30 * day)
    slots: list[tuple[str, str, int, int, int, type[errors.ZkCreditError] | None]] = [
        ("epoch-0-slot-0", "the first slot of exposure epoch 0",
         derive("commit/slot/secret-0") or 1, 0, 0, None),
        ("slot-0", "slot 0 of an exposure epoch", xsecret, xepoch, 0, None),
        ("slot-1", "slot 1 of the same epoch: unrelated to slot 0", xsecret, xepoch, 1, None),
        ("next-epoch-slot-1", "slot 1 of the next epoch: unrelated to this epoch's",
         xsecret, xepoch + 1, 1, None),
        ("max", "the largest inputs: secret r - 1, epoch 2^40 - 1, slot 254", R - 1,
         2**40 - 1, exposure.MAX_SLOTS - 1, None),
        ("slot-255", "refused: slot 255 (slots are below k <= 255)", xsecret, xepoch, 255,
         errors.InvalidArgument),
        ("slot-256", "refused: slot 256 (outside the circuit's 8 bits)", xsecret, xepoch, 256,
         errors.InvalidArgument),
        ("secret-zero", "refused: holder secret 0", 0, xepoch, 0, errors.InvalidArgument),
        ("epoch-2-40", "refused: exposure epoch 2^40", xsecret, 2**40, 0,
         errors.InvalidArgument),
    ]

    def slot_nullifier(secret: int, epoch: int, slot: int) -> str:
        value = exposure.slot_nullifier(secret, epoch, slot)
        if value != poseidon.poseidon_hash_reference([exposure.EXPOSURE_DOMAIN, secret, epoch,
                                                      slot]):
            raise AssertionError("slot nullifier: native and reference Poseidon differ")
        return str(value)
    for name, why, s_, e_, k_, exc in slots:
        add(f"slot-nullifier-{name}", "slot_nullifier",
            why if exc is not None else
            f"Poseidon([EXPOSURE_DOMAIN, holder_secret, exposure_epoch, slot]): {why}",
            lambda s_=s_, e_=e_, k_=k_: slot_nullifier(s_, e_, k_),
            refused=exc, holder_secret=str(s_), epoch=e_, slot=k_)
    return envelope("commitments", cases, hash="poseidon")


# --- revocation: the sorted Merkle tree of an issuer's revoked ids ----------------------------

ID_LIMIT = 1 << REVOCATION_ID_BITS


def _revocation_sets() -> dict[str, list[int]]:
    mid = sorted(derive(f"revocation/several/{i}", ID_LIMIT) or 1 for i in range(3))
    return {"empty": [], "one": [derive("revocation/one", ID_LIMIT) or 1],
            "several": [1, *mid, ID_LIMIT - 1]}


def gen_revocation() -> dict[str, Any]:
    """Roots of `RevocationTree` over fixed sets, non-revocation witnesses, refusals."""
    cases: list[Case] = []
    depth = revocation.REVOCATION_DEPTH
    sets = _revocation_sets()

    def tree_json(ids: Sequence[int]) -> dict[str, Any]:
        tree = credit.RevocationTree(ids)
        s_ = [0, *tree.revoked]
        leaves = [poseidon.poseidon_hash([s_[i], s_[i + 1] if i + 1 < len(s_) else 0])
                  for i in range(len(s_))]
        if poseidon.merkle_root(leaves, depth) != tree.root:
            raise AssertionError("revocation: leaves do not give the tree's root")
        return {"leaves": [str(x) for x in leaves], "root": str(tree.root)}

    for name, ids in sets.items():
        cases.append({"id": f"root-{name}", "op": "root", "description":
                      f"sorted tree over {len(ids)} revoked id(s): leaves Poseidon([s_i, "
                      "s_i+1]) after the sentinel 0, next 0 for the last, rest 0",
                      "revoked": [str(x) for x in ids], "expected": tree_json(ids)})
    several = sets["several"]
    shuffled = [several[3], several[0], several[4], several[1], several[3], several[2]]
    if tree_json(shuffled) != tree_json(several):
        raise AssertionError("revocation: the tree depends on the order of the ids")
    cases.append({"id": "root-several-unordered", "op": "root", "description":
                  "the several set listed out of order with a repeat: the same tree (a "
                  "function of the set)", "revoked": [str(x) for x in shuffled],
                  "expected": tree_json(several)})
    for name, bad in (("id-0", 0), ("id-2-128", ID_LIMIT)):
        expect_error(lambda b=bad: credit.RevocationTree([5, b]), errors.InvalidArgument, name)
        cases.append({"id": f"root-refused-{name}", "op": "root", "description":
                      f"refused: revoked {name} (ids are 1..2^128 - 1)",
                      "revoked": ["5", str(bad)], "expected": err(errors.InvalidArgument)})

    def witness(ids: Sequence[int], x: int) -> dict[str, Any]:
        tree = credit.RevocationTree(ids)
        w = tree.witness(x)
        index = sum(bit << k for k, bit in enumerate(w.path.path_bits))
        if not (w.low < x and (x < w.next or w.next == 0)):
            raise AssertionError("revocation: the witness does not bracket the id")
        if not poseidon.verify_merkle_path(tree.root, w.path.leaf, w.path.siblings,
                                           w.path.path_bits):
            raise AssertionError("revocation: the witness path does not verify")
        return {"low": str(w.low), "next": str(w.next), "index": index,
                "leaf": str(w.path.leaf), "siblings": [str(v) for v in w.path.siblings],
                "path_bits": list(w.path.path_bits), "root": str(tree.root)}

    gap = (several[2] + several[3]) // 2
    raw: list[tuple[str, str, str, int, type[errors.ZkCreditError] | None]] = [
        ("empty", "empty", "nothing revoked: the sentinel leaf (0, 0)",
         derive("revocation/query/empty", ID_LIMIT) or 1, None),
        ("one-below", "one", "below the only revoked id: low 0",
         sets["one"][0] // 2 or 1, None),
        ("one-above", "one", "above the only revoked id: next 0 (+infinity)",
         sets["one"][0] + 1, None),
        ("several-after-1", "several", "2, just above the revoked 1", 2, None),
        ("several-gap", "several", "between the third and fourth revoked ids", gap, None),
        ("several-below-max", "several", "2^128 - 2, just below the revoked 2^128 - 1",
         ID_LIMIT - 2, None),
        ("refused-revoked", "several", "refused: the id is revoked", several[2],
         errors.AttestationRevoked),
        ("refused-revoked-1", "several", "refused: the smallest id, revoked", 1,
         errors.AttestationRevoked),
        ("refused-revoked-max", "several", "refused: the largest id, revoked", ID_LIMIT - 1,
         errors.AttestationRevoked),
        ("refused-id-0", "one", "refused: id 0 (the sentinel is never an id)", 0,
         errors.InvalidArgument),
        ("refused-id-2-128", "one", "refused: id 2^128", ID_LIMIT, errors.InvalidArgument),
    ]
    for name, set_name, why, x, exc in raw:
        ids = sets[set_name]
        if exc is None:
            expected: Any = witness(ids, x)
        else:
            expect_error(lambda i=ids, x_=x: credit.RevocationTree(i).witness(x_), exc, name)
            expected = err(exc)
        cases.append({"id": f"witness-{name}", "op": "witness", "description": why,
                      "revoked": [str(v) for v in ids], "revocation_id": str(x),
                      "expected": expected})
    root = credit.RevocationTree(several).root
    for name, rt, at, exc in (("several", root, T_REC, None),
                              ("empty", revocation.empty_revocation_root(), 0, None),
                              ("published-at-2-40", root, 2**40, errors.InvalidArgument)):
        if exc is None:
            expected = str(revocation.revocation_list_message(rt, at))
        else:
            expect_error(lambda r_=rt, a_=at: revocation.revocation_list_message(r_, a_), exc,
                         name)
            expected = err(exc)
        cases.append({"id": f"list-message-{name}", "op": "list_message", "description":
                      "Poseidon([REVOCATION_DOMAIN, root, published_at]): what an issuer "
                      "signs for its list" if exc is None else f"refused: {name}",
                      "root": str(rt), "published_at": at, "expected": expected})
    return envelope("revocation", cases, hash="poseidon", depth=depth, sentinel="0",
                    id_bits=REVOCATION_ID_BITS,
                    empty_root=str(revocation.empty_revocation_root()),
                    list_domain=str(revocation.REVOCATION_DOMAIN))


def _model_json(model: credit.ScoreModelV1) -> dict[str, Any]:
    return {"base": model.base, "max_score": model.max_score, "late_days": model.late_days,
            "on_time_bands": [list(b) for b in model.on_time_bands],
            "default_window": model.default_window,
            "default_points": list(model.default_points),
            "delinquency_bands": [list(b) for b in model.delinquency_bands],
            "age_bands": [list(b) for b in model.age_bands],
            "volume_bands": [list(b) for b in model.volume_bands]}


def gen_score_model() -> dict[str, Any]:
    models = {"v1-default": credit.DEFAULT_MODEL,
              "v1-strict": credit.ScoreModelV1(base=250, late_days=15,
                                               default_points=(160,),
                                               volume_bands=((100_000, 30), (2_000_000, 30)))}
    cases: list[Case] = []
    for name, model in models.items():
        cases.append({"id": f"model-id-{name}", "op": "model_id", "description":
                      "to_fields() and the chained Poseidon model id", "model": name,
                      "expected": {"fields": [str(f) for f in model.to_fields()],
                                   "model_id": str(model.model_id())}})
    histories = {"empty": [], "closed-only": SAMPLE_RECORDS[:1],
                 "clean": [SAMPLE_RECORDS[0], SAMPLE_RECORDS[1], SAMPLE_RECORDS[4]],
                 "late": SAMPLE_RECORDS[:3], "with-default": SAMPLE_RECORDS}
    as_ofs = {"now": T_REC + MONTH, "later": T_REC + 90 * MONTH}
    for name, model in models.items():
        for hname, rows in histories.items():
            for aname, as_of in as_ofs.items():
                recs = _records(rows)
                cases.append({
                    "id": f"evaluate-{name}-{hname}-{aname}", "op": "evaluate",
                    "description": "score, no_default_within for 0/12/36/120 months, "
                    "total_outstanding", "model": name, "records": rows, "as_of": as_of,
                    "expected": {
                        "score": credit.score(model, recs, as_of),
                        "no_default_within": {str(m): credit.no_default_within(recs, as_of, m)
                                              for m in (0, 12, 36, 120)},
                        "total_outstanding": credit.total_outstanding(recs)}})
    expect_error(lambda: credit.score(credit.DEFAULT_MODEL, [], 2**40),
                 errors.InvalidArgument, "as_of 2^40")
    cases.append({"id": "evaluate-as-of-2-40", "op": "evaluate", "description":
                  "refused: as_of >= 2^40", "model": "v1-default", "records": [],
                  "as_of": 2**40, "expected": err(errors.InvalidArgument)})
    return envelope("score_model", cases, models={k: _model_json(m) for k, m in models.items()},
                    seconds_per_month=MONTH)


THRESHOLD_CAPACITY = 2
#: Issue 12: the exposure cap k and epoch length of the threshold and presentation vectors.
EXPOSURE_SLOTS = 3
EXPOSURE_EPOCH_SECONDS = 30 * DAY


def _slot_hash(secret: int, epoch: int, slot: int) -> int:
    """The slot nullifier formula without the library's range checks (for forgeries)."""
    return poseidon.poseidon_hash([exposure.EXPOSURE_DOMAIN, secret, epoch, slot])


def _sorted_leaves(ids: Sequence[int]) -> list[int]:
    """The leaves of the sorted revocation tree over ``ids`` (the contract's formula)."""
    s_ = [0, *sorted(set(ids))]
    return [poseidon.poseidon_hash([s_[i], s_[i + 1] if i + 1 < len(s_) else 0])
            for i in range(len(s_))]


def threshold_statement() -> tuple[dict[str, Any], Any, dict[str, Any]]:
    """A deterministic statement for the capacity-2 threshold circuit: (inputs, compiled,
    the pieces the adversarial solve cases rebuild from)."""
    recs = _records([SAMPLE_RECORDS[0]])
    hist = credit.History(recs, [derive("threshold/salt") or 1], THRESHOLD_CAPACITY)
    secret, blinding = derive("threshold/secret") or 1, derive("threshold/blinding")
    issuer_key = derive_bytes("threshold/issuer")
    keys = [eddsa.prv2pub(derive_bytes("threshold/other")), eddsa.prv2pub(issuer_key)]
    registry = credit.IssuerRegistry.of(keys)
    revoked = [derive(f"threshold/revoked/{i}", ID_LIMIT) or 1 for i in range(3)]
    registry.apply_revocations(credit.RevocationList.sign(issuer_key, revoked, T_REC))
    rid = derive("threshold/revocation-id", ID_LIMIT) or 1
    as_of = T_REC + MONTH
    att = sign_attestation(issuer_key, hist.commitment(blinding, secret),
                           holder_commitment=credit.holder_commitment(secret),
                           revocation_id=rid, not_before=as_of - DAY, not_after=as_of + DAY)
    pub = verifier.derive_lender_key(derive_bytes("threshold/seed"),
                                     verifier.lender_id("lender-a")).public_key()
    inputs = threshold.threshold_assignment(
        hist, secret, blinding, att, registry, lender_id=verifier.lender_id("lender-a"),
        epoch=3, nonce=derive("threshold/nonce"), as_of=as_of,
        min_not_before=as_of - 30 * DAY, threshold=600,
        borrower_key_hash=verifier.borrower_key_hash(pub.public_bytes_raw()),
        no_default_months=12, max_outstanding=1_000_000,
        exposure_epoch=as_of // EXPOSURE_EPOCH_SECONDS, exposure_slots=EXPOSURE_SLOTS,
        exposure_slot=1)
    parts = {"issuer_key": issuer_key, "keys": keys, "revoked": revoked, "attestation": att,
             "secret": secret}
    return inputs, threshold.build_threshold_circuit(THRESHOLD_CAPACITY), parts


def _revoked_inputs(inputs: dict[str, Any], parts: dict[str, Any], low_is_id: bool
                    ) -> dict[str, Any]:
    """The honest inputs after the issuer revoked the attestation (a newer list), with the
    best non-revocation witness a cheating prover has: the id's predecessor leaf (next =
    id) or the id's own leaf (low = id), and the new registry root and paths."""
    att = parts["attestation"]
    ids = sorted({*parts["revoked"], att.revocation_id})
    new_registry = credit.IssuerRegistry.of(parts["keys"])
    new_registry.apply_revocations(credit.RevocationList.sign(parts["issuer_key"], ids,
                                                              T_REC + 1))
    s_ = [0, *ids]
    i = s_.index(att.revocation_id) - (0 if low_is_id else 1)
    leaves = _sorted_leaves(ids)
    rpath = poseidon.merkle_path(leaves, revocation.REVOCATION_DEPTH, i)
    gpath = new_registry.path(att.issuer)
    out = dict(inputs)
    out.update({"registry_root": new_registry.root, "revocation_low": s_[i],
                "revocation_next": s_[i + 1] if i + 1 < len(s_) else 0,
                "revocation_path_bits": list(rpath.path_bits),
                "revocation_siblings": list(rpath.siblings),
                "registry_path_bits": list(gpath.path_bits),
                "registry_siblings": list(gpath.siblings)})
    expect_error(lambda: new_registry.non_revocation(att), errors.AttestationRevoked,
                 "threshold: revoked attestation")
    return out


def _input_json(inputs: dict[str, Any]) -> dict[str, Any]:
    return {k: [str(x) for x in v] if isinstance(v, list) else str(v)
            for k, v in inputs.items()}


def _solve_case(compiled: Any, name: str, why: str, inputs: dict[str, Any],
                refused: type[errors.ZkCreditError] | None = None) -> Case:
    """A `solve` case, after checking that the native and reference solvers agree."""
    if refused is None:
        witness = compiled.solve(inputs)
        if compiled.solve_reference(inputs) != witness:
            raise AssertionError(f"threshold {name}: native and reference witnesses differ")
        expected: Any = {"public": [str(v) for v in threshold.public_signals(inputs)],
                         "wtns_sha256": hashlib.sha256(write_wtns(witness)).hexdigest()}
    else:
        expect_error(lambda: compiled.solve(inputs), refused, f"threshold {name} native")
        expect_error(lambda: compiled.solve_reference(inputs), refused,
                     f"threshold {name} reference")
        expected = err(refused)
    return {"id": name, "op": "solve", "description": why, "capacity": THRESHOLD_CAPACITY,
            "inputs": _input_json(inputs), "expected": expected}


def gen_threshold_circuit(out: Path) -> dict[str, Any]:
    inputs, compiled, parts = threshold_statement()
    r1cs = compiled.r1cs
    witness = compiled.solve(inputs)
    r1cs_bytes = write_r1cs(r1cs)
    wtns_bytes = write_wtns(witness)
    # gzip with mtime 0: the same R1CS always gives the same file
    (out / "threshold_circuit.r1cs.gz").write_bytes(gzip.compress(r1cs_bytes, 9, mtime=0))
    (out / "threshold_circuit.wtns").write_bytes(wtns_bytes)
    names = threshold.PUBLIC_INPUTS
    n_public = len(names)
    public = [str(v) for v in threshold.public_signals(inputs)]
    if public != [str(v) for v in witness[1:1 + n_public]] or r1cs.n_public != n_public:
        raise AssertionError("threshold: public wires differ from the public signals")
    shape = {"n_wires": r1cs.n_wires, "n_public": r1cs.n_public,
             "n_constraints": len(r1cs.constraints)}
    not_before = parts["attestation"].not_before
    secret = parts["secret"]
    xepoch, xslots, xslot = (inputs[k] for k in ("exposure_epoch", "exposure_slots",
                                                 "exposure_slot"))
    cases: list[Case] = [
        {"id": "compile", "op": "compile", "description": "the compiled circuit's iden3 .r1cs "
         "bytes (SHA-256 of the uncompressed file) and shape", "capacity": THRESHOLD_CAPACITY,
         "expected": {**shape, "r1cs_sha256": hashlib.sha256(r1cs_bytes).hexdigest()}},
        _solve_case(compiled, "solve", "the witness solved from the prover inputs equals the "
                    "committed .wtns (the issuer has revoked three other ids)", inputs),
        _solve_case(compiled, "solve-min-not-before-equal", "min_not_before = the "
                    "attestation's not_before: accepted (the bound is inclusive)",
                    {**inputs, "min_not_before": not_before}),
        _solve_case(compiled, "solve-min-not-before-above", "min_not_before = not_before + "
                    "1: the attestation is too old for this challenge (C11)",
                    {**inputs, "min_not_before": not_before + 1},
                    errors.UnsatisfiedConstraint),
        _solve_case(compiled, "solve-revoked-predecessor-leaf", "the attestation's id "
                    "revoked by a newer list; the predecessor leaf (next = id) and the new "
                    "registry root (C12)", _revoked_inputs(inputs, parts, low_is_id=False),
                    errors.UnsatisfiedConstraint),
        _solve_case(compiled, "solve-revoked-own-leaf", "the attestation's id revoked by a "
                    "newer list; its own leaf (low = id) and the new registry root (C12)",
                    _revoked_inputs(inputs, parts, low_is_id=True),
                    errors.UnsatisfiedConstraint),
        _solve_case(compiled, "solve-exposure-slot-last", "exposure slot k - 1 with its "
                    "slot nullifier: accepted (slot < k, issue 12)",
                    {**inputs, "exposure_slot": xslots - 1,
                     "slot_nullifier": _slot_hash(secret, xepoch, xslots - 1)}),
        _solve_case(compiled, "solve-exposure-slot-equal-k", "exposure slot k, its "
                    "nullifier hashed consistently: a (k+1)-th line in the epoch (issue 12)",
                    {**inputs, "exposure_slot": xslots,
                     "slot_nullifier": _slot_hash(secret, xepoch, xslots)},
                    errors.UnsatisfiedConstraint),
        _solve_case(compiled, "solve-slot-nullifier-other-epoch", "the slot nullifier of "
                    "the previous exposure epoch under this epoch's public exposure_epoch "
                    "(issue 12)",
                    {**inputs, "slot_nullifier": _slot_hash(secret, xepoch - 1, xslot)},
                    errors.UnsatisfiedConstraint),
        {"id": "r1cs-witness", "op": "r1cs", "description": "the committed witness satisfies "
         "the committed R1CS; public wires in the circuit's PUBLIC_INPUTS order",
         "r1cs": "threshold_circuit.r1cs.gz", "wtns": "threshold_circuit.wtns",
         "expected": {**shape, "public": public}},
    ]
    if cases[1]["expected"]["wtns_sha256"] != hashlib.sha256(wtns_bytes).hexdigest():
        raise AssertionError("threshold: the solve case is not the committed witness")
    tampered_values = {
        "threshold": witness[1 + names.index("threshold")] + 1,
        "min_not_before": not_before + 1,
        "nullifier": (witness[1 + names.index("nullifier")] + 1) % R,
        "nonce": (witness[1 + names.index("nonce")] + 1) % R,
        "borrower_key_hash": (witness[1 + names.index("borrower_key_hash")] + 1) % R,
        "registry_root": (witness[1 + names.index("registry_root")] + 1) % R,
        "exposure_epoch": xepoch + 1,
        "exposure_slots": xslots + 1,
        "slot_nullifier": (witness[1 + names.index("slot_nullifier")] + 1) % R,
    }
    for name, wire_value in tampered_values.items():
        wire = 1 + names.index(name)
        tampered = list(witness)
        tampered[wire] = wire_value
        if check_unsat(r1cs, tampered):
            raise AssertionError(f"threshold: tampered {name} still satisfies")
        why = ("public min_not_before set to the attestation's not_before + 1 in the "
               "witness: unsatisfiable" if name == "min_not_before"
               else f"public {name} + 1 in the witness: unsatisfiable")
        cases.append({"id": f"r1cs-tampered-{name.replace('_', '-')}", "op": "r1cs",
                      "description": why,
                      "r1cs": "threshold_circuit.r1cs.gz", "wtns": "threshold_circuit.wtns",
                      "override": [[wire, str(wire_value)]],
                      "expected": err(errors.UnsatisfiedConstraint)})
    return envelope("threshold_circuit", cases, capacity=THRESHOLD_CAPACITY,
                    circuit_id=threshold.circuit_id(THRESHOLD_CAPACITY),
                    public_inputs=list(names), model="v1-default")


def check_unsat(r1cs: Any, witness: list[int]) -> bool:
    """True when ``witness`` satisfies ``r1cs``."""
    try:
        check(r1cs, witness)
    except errors.UnsatisfiedConstraint:
        return False
    return True


# --- presentations (issue 5 §6) ------------------------------------------------------------

T_PRESENT = T_REC + MONTH


def gen_presentations() -> dict[str, Any]:
    """Presentations for the capacity-2 circuit under a development key (random proofs),
    each with the verifier's decision or refusal reason."""
    compiled = threshold.build_threshold_circuit(THRESHOLD_CAPACITY)
    r1cs = compiled.r1cs
    pk, vk = groth16.setup(r1cs)
    vkh = verifier.vk_hash(vk)
    cid = threshold.circuit_id(THRESHOLD_CAPACITY)
    recs = _records([SAMPLE_RECORDS[0]])
    hist = credit.History(recs, [derive("present/salt") or 1], THRESHOLD_CAPACITY)
    secret, blinding = derive("present/secret") or 1, derive("present/blinding")
    issuer_key = derive_bytes("present/issuer")
    commitment = hist.commitment(blinding, secret)

    def attest(label: str, not_before: int, not_after: int) -> credit.Attestation:
        return sign_attestation(issuer_key, commitment,
                                holder_commitment=credit.holder_commitment(secret),
                                revocation_id=derive(f"present/revocation-id/{label}",
                                                     ID_LIMIT) or 1,
                                not_before=not_before, not_after=not_after)

    att = attest("current", T_PRESENT - DAY, T_PRESENT + 30 * DAY)
    # older than the policy's max_attestation_age (30 days), still inside its own window
    old_att = attest("old", T_PRESENT - 60 * DAY, T_PRESENT + 30 * DAY)
    # revoked by the issuer's second list
    revoked_att = attest("revoked", T_PRESENT - 2 * DAY, T_PRESENT + 30 * DAY)
    others = [derive(f"present/revoked/{i}", ID_LIMIT) or 1 for i in range(2)]
    # registry_a: the issuer's first list; registry_b: a newer one also revoking revoked_att
    registry_a = credit.IssuerRegistry.of([eddsa.prv2pub(issuer_key)])
    registry_a.apply_revocations(credit.RevocationList.sign(issuer_key, others,
                                                            T_PRESENT - 10 * DAY))
    registry_b = credit.IssuerRegistry.of([eddsa.prv2pub(issuer_key)])
    registry_b.apply_revocations(credit.RevocationList.sign(issuer_key, others,
                                                            T_PRESENT - 10 * DAY))
    registry_b.apply_revocations(credit.RevocationList.sign(
        issuer_key, [*others, revoked_att.revocation_id], T_PRESENT - DAY))
    expect_error(lambda: registry_b.non_revocation(revoked_att), errors.AttestationRevoked,
                 "presentations: revoked attestation")
    policy = verifier.LenderPolicy(
        lender_name="lender-a", verifying_keys={vkh: cid}, registry_roots=[registry_b.root],
        model_ids=[credit.DEFAULT_MODEL.model_id()], tiers={1: 600, 2: 700},
        no_default_months=12, max_outstanding=1_000_000, max_attestation_age=30 * DAY,
        exposure_slots=EXPOSURE_SLOTS, exposure_epoch_seconds=EXPOSURE_EPOCH_SECONDS)
    seed = derive_bytes("present/wallet-seed")
    key = verifier.derive_lender_key(seed, policy.lender_id)
    other_key = verifier.derive_lender_key(derive_bytes("present/other-seed"), policy.lender_id)

    def challenge(n: int, now: int, threshold_: int = 700) -> verifier.Challenge:
        return verifier.Challenge(
            lender_id=policy.lender_id, nonce=derive(f"present/nonce/{n}") >> 8,
            registry_root=registry_b.root, model_id=credit.DEFAULT_MODEL.model_id(),
            threshold=threshold_, no_default_months=12, max_outstanding=1_000_000,
            as_of=now, min_not_before=max(0, now - policy.max_attestation_age),
            epoch=policy.epoch(now), issued_at=now,
            expires_at=now + policy.challenge_lifetime, circuit_id=cid, vk_hash=vkh,
            exposure_epoch=policy.exposure_epoch(now), exposure_slots=policy.exposure_slots)

    def prove(ch: verifier.Challenge, a: credit.Attestation = att,
              reg: credit.IssuerRegistry = registry_b, min_not_before: int | None = None,
              exposure_slot: int = 0, exposure_slots: int | None = None,
              exposure_epoch: int | None = None) -> tuple[list[int], groth16.Proof]:
        """An honest proof for ``ch`` spending ``exposure_slot``, or for a weaker or
        stronger statement when ``min_not_before``, ``exposure_slots`` (the cap k) or
        ``exposure_epoch`` differ from the challenge's."""
        pub = key.public_key().public_bytes_raw()
        inputs = threshold.threshold_assignment(
            hist, secret, blinding, a, reg, lender_id=ch.lender_id, epoch=ch.epoch,
            nonce=ch.nonce, as_of=ch.as_of,
            min_not_before=ch.min_not_before if min_not_before is None else min_not_before,
            threshold=ch.threshold, borrower_key_hash=verifier.borrower_key_hash(pub),
            no_default_months=ch.no_default_months, max_outstanding=ch.max_outstanding,
            exposure_epoch=ch.exposure_epoch if exposure_epoch is None else exposure_epoch,
            exposure_slots=ch.exposure_slots if exposure_slots is None else exposure_slots,
            exposure_slot=exposure_slot)
        return threshold.public_signals(inputs), groth16.prove(pk, r1cs, compiled.solve(inputs))

    def sign(signals: Sequence[int], proof: groth16.Proof, k: Any = key) -> dict[str, Any]:
        return verifier.sign_presentation(k, cid, vkh, signals, proof).to_json_dict()

    ch1, ch2 = challenge(1, T_PRESENT), challenge(2, T_PRESENT + 60)
    ch650 = challenge(3, T_PRESENT, 650)
    ch_stale, ch_revoked, ch_mnb = (challenge(4, T_PRESENT), challenge(5, T_PRESENT),
                                    challenge(6, T_PRESENT))
    ch_cap, ch_xepoch = challenge(7, T_PRESENT), challenge(8, T_PRESENT)
    expect_error(lambda: prove(ch_stale, old_att), errors.AttestationStale,
                 "presentations: old attestation")
    sig1, proof1 = prove(ch1)
    sig2, proof2 = prove(ch2)
    sig650, proof650 = prove(ch650)
    stale = sign(*prove(ch_stale, old_att, min_not_before=old_att.not_before))
    old_root = sign(*prove(ch_revoked, revoked_att, registry_a))
    stronger = sign(*prove(ch_mnb, min_not_before=ch_mnb.min_not_before + 1))
    # issue 12: a (k+1)-th line under a cap of k + 1, and a fresh slot of the next epoch
    k = policy.exposure_slots
    over_cap = sign(*prove(ch_cap, exposure_slots=k + 1, exposure_slot=k))
    next_epoch = sign(*prove(ch_xepoch, exposure_epoch=ch_xepoch.exposure_epoch + 1))
    for label, pres in (("stale", stale), ("old root", old_root), ("stronger", stronger),
                        ("over cap", over_cap), ("next epoch", next_epoch)):
        # valid proofs of another statement: the verifier must refuse them on the signals
        if not groth16.verify(vk, groth16.public_from_snarkjs(pres["public_signals"]),
                              groth16.Proof.from_snarkjs(pres["proof"])):
            raise AssertionError(f"presentations {label}: the proof does not verify")
    p1, p2 = sign(sig1, proof1), sign(sig2, proof2)
    first = "01" if p1["signature"][:2] == "00" else "00"
    bad_sig = dict(p1, signature=first + p1["signature"][2:])
    k_null = threshold.PUBLIC_INPUTS.index("nullifier")
    plus_r = dict(p1, public_signals=[*p1["public_signals"][:k_null],
                                      str(int(p1["public_signals"][k_null]) + R),
                                      *p1["public_signals"][k_null + 1:]])
    now = T_PRESENT + 5

    def step(p: dict[str, Any], ch: verifier.Challenge, at: int = now) -> dict[str, Any]:
        return {"presentation": p, "challenge": ch.to_json_dict(), "now": at}

    # (id, description, issued challenges, steps, the last step's refusal or None: accepted)
    raw: list[tuple[str, str, list[verifier.Challenge], list[dict[str, Any]], str | None]] = [
        ("valid", "an honest presentation answering its challenge: tier 2", [ch1],
         [step(p1, ch1)], None),
        ("replay-same-presentation", "the same presentation twice (C5)", [ch1],
         [step(p1, ch1), step(p1, ch1)], "nullifier-reused"),
        ("replay-new-proof-same-nullifier", "a fresh proof for a second challenge in the "
         "same epoch carries the same nullifier (C5)", [ch1, ch2],
         [step(p1, ch1), step(p2, ch2, T_PRESENT + 65)], "nullifier-reused"),
        ("replay-rerandomized", "the first proof re-randomized and re-signed (B5, C5)", [ch1],
         [step(p1, ch1), step(sign(sig1, groth16.rerandomize(vk, proof1)), ch1)],
         "nullifier-reused"),
        ("unknown-challenge", "a challenge this verifier never issued", [],
         [step(p1, ch1)], "unknown-challenge"),
        ("challenge-expired", "presented at expires_at", [ch1],
         [step(p1, ch1, ch1.expires_at)], "challenge-expired"),
        ("nonce-mismatch", "answering challenge 1's nonce to challenge 2", [ch1, ch2],
         [step(p1, ch2, T_PRESENT + 65)], "nonce-mismatch"),
        ("bad-signature", "the borrower signature's first byte changed", [ch1],
         [step(bad_sig, ch1)], "bad-signature"),
        ("key-hash-mismatch", "re-signed by a key the proof is not bound to (C8)", [ch1],
         [step(sign(sig1, proof1, other_key), ch1)], "key-hash-mismatch"),
        ("proof-invalid", "challenge 2's proof with challenge 1's signals, re-signed", [ch1],
         [step(sign(sig1, proof2), ch1)], "proof-invalid"),
        ("threshold-not-accepted", "a threshold (650) no tier uses", [ch650],
         [step(sign(sig650, proof650), ch650)], "threshold-not-accepted"),
        ("malformed-nullifier-plus-r", "nullifier + r: refused before any lookup (C6)", [ch1],
         [step(plus_r, ch1)], "malformed"),
        ("attestation-stale", "an attestation 60 days old under a 30-day "
         "max_attestation_age: a valid proof for min_not_before = its not_before, below the "
         "challenge's (C11)", [ch_stale], [step(stale, ch_stale)], "attestation-stale"),
        ("min-not-before-above-challenge", "a valid proof for min_not_before one second "
         "above the challenge's: not the statement asked for", [ch_mnb],
         [step(stronger, ch_mnb)], "predicate-mismatch"),
        ("revoked-old-registry-root", "a revoked attestation proven against the registry "
         "root from before the revocation list that revokes it (C12)", [ch_revoked],
         [step(old_root, ch_revoked)], "registry-not-accepted"),
        ("exposure-slots-above-policy", "a valid proof spending slot k under a cap of k + 1: "
         "its public exposure_slots is not the policy's k (issue 12)", [ch_cap],
         [step(over_cap, ch_cap)], "exposure-mismatch"),
        ("exposure-epoch-other", "a valid proof spending a slot of the next exposure epoch: "
         "its public exposure_epoch is not the challenge's (issue 12)", [ch_xepoch],
         [step(next_epoch, ch_xepoch)], "exposure-mismatch"),
    ]
    cases: list[Case] = []
    for name, why, issued, steps, refusal in raw:
        store = verifier.MemoryVerifierStore()
        v = verifier.Verifier(policy, {vkh: vk}, store)
        for ch in issued:
            store.record_challenge(ch.lender_id, ch.nonce, ch.to_json())
        for st in steps:
            try:
                decision = v.verify(st["presentation"], st["challenge"], st["now"])
                st["expected"] = {"decision": decision.to_json_dict()}
            except errors.PresentationRefused as exc:
                st["expected"] = {"refused": exc.reason}
        last = steps[-1]["expected"]
        want = {"decision"} if refusal is None else {"refused"}
        if set(last) != want or (refusal is not None and last["refused"] != refusal):
            raise AssertionError(f"presentations {name}: unexpected outcome {last}")
        if any("refused" in st["expected"] for st in steps[:-1]):
            raise AssertionError(f"presentations {name}: an earlier step was refused")
        cases.append({"id": name, "op": "verify", "description": why,
                      "issued": [ch.to_json_dict() for ch in issued], "steps": steps,
                      "expected": [st.pop("expected") for st in steps]})
    return envelope("presentations", cases, policy=policy.to_json_dict(),
                    verifying_keys={vkh: vk.to_snarkjs()})


GENERATORS: dict[str, Callable[[], dict[str, Any]]] = {
    "field": gen_field, "points": gen_points, "poseidon": gen_poseidon,
    "merkle": gen_merkle, "eddsa": gen_eddsa, "ledger": gen_ledger,
    "commitments": gen_commitments, "revocation": gen_revocation,
    "score_model": gen_score_model,
}


def dump(obj: Any) -> bytes:
    return (json.dumps(obj, indent=1, ensure_ascii=True) + "\n").encode("ascii")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--family", action="append", choices=sorted(FAMILY_FILES))
    parser.add_argument("--regenerate-groth16", action="store_true")
    parser.add_argument("--regenerate-presentations", action="store_true")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    families = args.family or list(DETERMINISTIC_FAMILIES)
    for family in families:
        if family in ("groth16", "presentations"):
            continue
        doc = gen_threshold_circuit(out) if family == "threshold_circuit" else GENERATORS[family]()
        (out / FAMILY_FILES[family]).write_bytes(dump(doc))
        print(f"wrote {FAMILY_FILES[family]}")
    pres = out / FAMILY_FILES["presentations"]
    if args.regenerate_presentations or "presentations" in (args.family or []) or (
            not pres.exists()):
        pres.write_bytes(dump(gen_presentations()))
        print("wrote presentations.json (random key and proofs)")
    g16 = out / FAMILY_FILES["groth16"]
    if args.regenerate_groth16 or "groth16" in (args.family or []) or not g16.exists():
        g16.write_bytes(dump(gen_groth16(out)))
        print("wrote groth16.json, groth16_circuit.r1cs, groth16_circuit.wtns (random proofs)")
    write_manifest(out)
    print("wrote SHA256SUMS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
