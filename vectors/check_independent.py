"""Check zkcredit's conformance vectors without zkcredit: a second implementation.

Usage::

    python vectors/check_independent.py [DIR]

This file does not import zkcredit. It has its own small implementations, written from
the specifications, on Python ints: strict decimal parsing, BN254 point encodings (arkworks
and snarkjs) with py_ecc's curve arithmetic, Poseidon with its parameters generated here
from the Grain LFSR (Poseidon paper, Appendix F, as circomlib uses them), Poseidon Merkle
trees (dense, and sparse for the depth-20 sorted revocation trees), Baby Jubjub, BLAKE-512
(constants computed from the digits of pi and square roots of primes, not copied),
EdDSA-Poseidon, the iden3 .r1cs/.wtns formats and a Groth16 verifier over py_ecc's
optimal-ate pairing. Ledger scenarios are not re-derived here (that
would be a second ledger): their final states are checked against the double-entry
identities only.

Error names in the vectors are the class names of zkcredit.errors; this checker derives the
same names from its own classification of each refusal (see vectors/README.md, "Refusals").
Prints per-family counts; exits 1 naming the file and case of every mismatch.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import sys
from collections.abc import Callable
from functools import cache
from math import isqrt
from pathlib import Path
from typing import Any

from py_ecc import optimized_bn128 as bn
from py_ecc.optimized_bn128 import optimized_pairing

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583
assert bn.curve_order == R and bn.field_modulus == Q


class Refused(Exception):
    """A refusal; ``name`` is the zkcredit.errors class name the vectors use for it."""

    def __init__(self, name: str, why: str = "") -> None:
        super().__init__(f"{name}: {why}")
        self.name = name


class Mismatch(Exception):
    pass


def outcome(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except Refused as exc:
        return {"error": exc.name}


# --- field ---------------------------------------------------------------------------------


def parse_decimal(text: Any, modulus: int, big: str = "NonCanonicalScalar") -> int:
    """Canonical decimal: ASCII digits, no sign/space, no leading zero, below the modulus;
    longer than the modulus's digits is refused before conversion."""
    if not isinstance(text, str) or not text:
        raise Refused("InvalidEncoding", "not a non-empty string")
    if not all("0" <= ch <= "9" for ch in text):
        raise Refused("InvalidEncoding", "not only ASCII digits")
    if len(text) > 1 and text[0] == "0":
        raise Refused("InvalidEncoding", "leading zero")
    if len(text) > len(str(modulus)) or int(text) >= modulus:
        raise Refused(big, "not below the modulus")
    return int(text)


def scalars_from_bytes(data: bytes) -> list[int]:
    if len(data) % 32:
        raise Refused("InvalidEncoding", "length is not a multiple of 32")
    out = [int.from_bytes(data[i:i + 32], "little") for i in range(0, len(data), 32)]
    if any(v >= R for v in out):
        raise Refused("NonCanonicalScalar", "element >= r")
    return out


def check_field(case: dict[str, Any], doc: dict[str, Any], d: Path) -> Any:
    op = case["op"]
    if op == "parse":
        return outcome(lambda: str(parse_decimal(case["input"], R)))
    if op == "from_bytes":
        return outcome(lambda: str(scalars_from_bytes(bytes.fromhex(case["input"]))[0]))
    a = [int(v) for v in case["args"]]

    def inv(x: int) -> int:
        if x == 0:
            raise Refused("DivisionByZero", "inverse of 0")
        return pow(x, R - 2, R)
    ops: dict[str, Callable[[], int]] = {
        "add": lambda: (a[0] + a[1]) % R, "sub": lambda: (a[0] - a[1]) % R,
        "mul": lambda: a[0] * a[1] % R, "neg": lambda: -a[0] % R, "inv": lambda: inv(a[0])}
    return outcome(lambda: str(ops[op]()))


# --- BN254 points --------------------------------------------------------------------------

# A point is None (infinity) or (x, y) with x, y tuples of 1 (G1) or 2 (G2) ints.
B1 = (3,)
B2 = tuple(bn.b2.coeffs)  # 3 / (9 + u)


def fq_elem(v: tuple[int, ...]) -> Any:
    return bn.FQ(v[0]) if len(v) == 1 else bn.FQ2(list(v))


def on_curve(pt: tuple[tuple[int, ...], tuple[int, ...]]) -> bool:
    x, y = fq_elem(pt[0]), fq_elem(pt[1])
    b = bn.FQ(3) if len(pt[0]) == 1 else bn.b2
    return bool(y * y == x * x * x + b)


def to_py_ecc(pt: Any) -> Any:
    if pt is None:
        raise Mismatch("the point at infinity has no affine form")
    x, y = fq_elem(pt[0]), fq_elem(pt[1])
    one = bn.FQ.one() if len(pt[0]) == 1 else bn.FQ2.one()
    return (x, y, one)


def from_py_ecc(p: Any, degree: int) -> Any:
    if bn.is_inf(p):
        return None
    x, y = bn.normalize(p)
    if degree == 1:
        return ((int(x),), (int(y),))
    return (tuple(int(c) for c in x.coeffs), tuple(int(c) for c in y.coeffs))


def in_subgroup(pt: Any) -> bool:
    if pt is None or len(pt[0]) == 1:
        return True  # BN254 G1 has cofactor 1
    return bool(bn.is_inf(bn.multiply(to_py_ecc(pt), R)))


def validate(pt: Any) -> Any:
    if pt is None:
        return None
    for c in (*pt[0], *pt[1]):
        if c >= Q:
            raise Refused("NonCanonicalCoordinate", "coordinate >= q")
    if not on_curve(pt):
        raise Refused("PointNotOnCurve", "y^2 != x^3 + b")
    if not in_subgroup(pt):
        raise Refused("PointNotInSubgroup", "r * P != O")
    return pt


def neg_elem(v: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(-c % Q for c in v)


def is_larger(y: tuple[int, ...]) -> bool:
    """arkworks' y > -y, Fq2 compared by c1 first."""
    return tuple(reversed(y)) > tuple(reversed(neg_elem(y)))


def sqrt_fq(a: int) -> int | None:
    r = pow(a, (Q + 1) // 4, Q)  # q = 3 mod 4
    return r if r * r % Q == a % Q else None


def sqrt_fq2(a: tuple[int, ...]) -> tuple[int, ...] | None:
    """Square root in Fq2 = Fq[u]/(u^2 + 1) for q = 3 mod 4 (the complex method)."""
    a0, a1 = a
    if a1 == 0:
        s = sqrt_fq(a0)
        if s is not None:
            return (s, 0)
        s = sqrt_fq(-a0 % Q)
        return (0, s) if s is not None else None
    norm = sqrt_fq((a0 * a0 + a1 * a1) % Q)
    if norm is None:
        return None
    half = pow(2, Q - 2, Q)
    for n in (norm, -norm % Q):
        x0 = sqrt_fq((a0 + n) * half % Q)
        if x0 is not None and x0 != 0:
            x1 = a1 * pow(2 * x0, Q - 2, Q) % Q
            cand = (x0, x1)
            sq = fq_elem(cand) * fq_elem(cand)
            if tuple(int(c) for c in sq.coeffs) == (a0, a1):
                return cand
    return None


def decode_arkworks(data: bytes, degree: int, compressed: bool) -> Any:
    """arkworks 0.5 short-Weierstrass encoding: LE coordinates (Fq2: c0 then c1), flags in
    the top two bits of the last byte (0x80: y is the larger root, 0x40: infinity)."""
    size = 32 * degree * (1 if compressed else 2)
    if len(data) != size:
        raise Refused("InvalidEncoding", f"expected {size} bytes")
    raw = bytearray(data)
    flags = raw[-1] & 0xC0
    raw[-1] &= 0x3F
    if flags == 0xC0:
        raise Refused("InvalidEncoding", "both flags set")
    if flags == 0x40:
        if any(raw):
            raise Refused("InvalidEncoding", "infinity with coordinate bits")
        return None
    words = [int.from_bytes(raw[i:i + 32], "little") for i in range(0, len(raw), 32)]
    if any(w >= Q for w in words):
        raise Refused("NonCanonicalCoordinate", "coordinate >= q")
    x = tuple(words[:degree])
    b = B1 if degree == 1 else B2
    rhs = fq_elem(x) * fq_elem(x) * fq_elem(x) + fq_elem(b)
    rhs_t = (int(rhs),) if degree == 1 else tuple(int(c) for c in rhs.coeffs)
    if compressed:
        root = sqrt_fq(rhs_t[0]) if degree == 1 else sqrt_fq2(rhs_t)
        if root is None:
            raise Refused("PointNotOnCurve", "no y for this x")
        y = (root,) if isinstance(root, int) else root
        if is_larger(y) != (flags == 0x80):
            y = neg_elem(y)
    else:
        y = tuple(words[degree:])
        if not on_curve((x, y)):
            raise Refused("PointNotOnCurve", "y^2 != x^3 + b")
        if is_larger(y) != (flags == 0x80):
            raise Refused("InvalidEncoding", "y-sign flag disagrees with y")
    return validate((x, y))


def encode_arkworks(pt: Any, degree: int, compressed: bool) -> bytes:
    if pt is None:
        out = bytearray(32 * degree * (1 if compressed else 2))
        out[-1] |= 0x40
        return bytes(out)
    x, y = pt
    out = bytearray(b"".join(c.to_bytes(32, "little") for c in (x if compressed else x + y)))
    if is_larger(y):
        out[-1] |= 0x80
    return bytes(out)


def decode_snarkjs(obj: Any, degree: int) -> Any:
    if not isinstance(obj, list) or len(obj) != 3:
        raise Refused("InvalidEncoding", "not a triple")
    if degree == 1:
        x, y, z = ((parse_decimal(v, Q, "NonCanonicalCoordinate"),) for v in obj)
    else:
        if not all(isinstance(p, list) and len(p) == 2 for p in obj):
            raise Refused("InvalidEncoding", "not pairs")
        x, y, z = (tuple(parse_decimal(v, Q, "NonCanonicalCoordinate") for v in p) for p in obj)
    one, zero = (1,) + (0,) * (degree - 1), (0,) * degree
    if z == one:
        return validate((x, y))
    if z == zero:
        if (x, y) != (zero, one):
            raise Refused("InvalidEncoding", "bad infinity")
        return None
    raise Refused("InvalidEncoding", "z is neither 0 nor 1")


def encode_snarkjs(pt: Any, degree: int) -> Any:
    if degree == 1:
        return ["0", "1", "0"] if pt is None else [str(pt[0][0]), str(pt[1][0]), "1"]
    if pt is None:
        return [["0", "0"], ["1", "0"], ["0", "0"]]
    return [[str(c) for c in pt[0]], [str(c) for c in pt[1]], ["1", "0"]]


def affine_json(pt: Any, degree: int) -> Any:
    if pt is None:
        return None
    if degree == 1:
        return [str(pt[0][0]), str(pt[1][0])]
    return [[str(c) for c in pt[0]], [str(c) for c in pt[1]]]


def check_points(case: dict[str, Any], doc: dict[str, Any], d: Path) -> Any:
    degree = {"G1": 1, "G2": 2}[case["group"]]
    if case["op"] == "decode":
        form = case["form"]
        if form == "snarkjs":
            return outcome(lambda: affine_json(decode_snarkjs(case["input"], degree), degree))
        return outcome(lambda: affine_json(decode_arkworks(
            bytes.fromhex(case["input"]), degree, form == "compressed"), degree))
    exp = case["expected"]
    gen = bn.G1 if degree == 1 else bn.G2
    pt = from_py_ecc(bn.multiply(gen, int(case["scalar"])), degree)

    def describe(p: Any) -> dict[str, Any]:
        return {"affine": affine_json(p, degree),
                "compressed": encode_arkworks(p, degree, True).hex(),
                "uncompressed": encode_arkworks(p, degree, False).hex(),
                "snarkjs": encode_snarkjs(p, degree)}
    got = describe(pt)
    for form in ("compressed", "uncompressed"):
        dec = outcome(lambda f=form: describe(decode_arkworks(bytes.fromhex(exp[f]), degree,
                                                              f == "compressed")))
        if dec != got:
            return dec
    dec = outcome(lambda: describe(decode_snarkjs(exp["snarkjs"], degree)))
    return dec if dec != got else got


# --- Poseidon ------------------------------------------------------------------------------

ROUNDS_F = 8
ROUNDS_P = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68]


def grain_bits(t: int, rounds_p: int) -> Any:
    """The self-shrinking Grain LFSR stream of the Poseidon reference parameter script."""
    seed = f"{1:02b}{0:04b}{254:012b}{t:012b}{ROUNDS_F:010b}{rounds_p:010b}" + "1" * 30
    state = [int(c) for c in seed]

    def clock() -> int:
        new = state[62] ^ state[51] ^ state[38] ^ state[23] ^ state[13] ^ state[0]
        state.pop(0)
        state.append(new)
        return new
    for _ in range(160):
        clock()
    while True:
        first = clock()
        second = clock()
        if first:
            yield second


@cache
def poseidon_params(t: int) -> tuple[list[int], list[list[int]]]:
    rounds_p = ROUNDS_P[t - 2]
    bits = grain_bits(t, rounds_p)

    def element() -> int:
        v = 0
        for _ in range(254):
            v = (v << 1) | next(bits)
        return v
    constants = []
    while len(constants) < (ROUNDS_F + rounds_p) * t:
        v = element()
        if v < R:
            constants.append(v)
    while True:
        xs = [element() % R for _ in range(2 * t)]
        if len(set(xs)) == 2 * t and all((xs[i] + xs[t + j]) % R for i in range(t)
                                         for j in range(t)):
            break
    mds = [[pow(xs[i] + xs[t + j], R - 2, R) for j in range(t)] for i in range(t)]
    return constants, mds


def poseidon(inputs: list[int]) -> int:
    if not 1 <= len(inputs) <= 16:
        raise Refused("InvalidArgument", "Poseidon takes 1..16 inputs")
    if any(not 0 <= v < R for v in inputs):
        raise Refused("NonCanonicalScalar", "input >= r")
    t = len(inputs) + 1
    constants, mds = poseidon_params(t)
    rounds_p = ROUNDS_P[t - 2]
    state = [0, *inputs]
    for rnd in range(ROUNDS_F + rounds_p):
        state = [(s + constants[rnd * t + i]) % R for i, s in enumerate(state)]
        full = rnd < ROUNDS_F // 2 or rnd >= ROUNDS_F // 2 + rounds_p
        state = [pow(s, 5, R) if full or i == 0 else s for i, s in enumerate(state)]
        state = [sum(mds[i][j] * state[j] for j in range(t)) % R for i in range(t)]
    return state[0]


def check_poseidon(case: dict[str, Any], doc: dict[str, Any], d: Path) -> Any:
    return outcome(lambda: str(poseidon([int(v) for v in case["inputs"]])))


# --- Merkle --------------------------------------------------------------------------------


def tree_layers(leaves: list[int], depth: int) -> list[list[int]]:
    layer = leaves + [0] * ((1 << depth) - len(leaves))
    layers, empty = [layer], 0
    for _ in range(depth):
        up = poseidon([empty, empty])
        layer = [up if layer[i] == layer[i + 1] == empty else poseidon(layer[i:i + 2])
                 for i in range(0, len(layer), 2)]
        layers.append(layer)
        empty = up
    return layers


def check_merkle(case: dict[str, Any], doc: dict[str, Any], d: Path) -> Any:
    op = case["op"]
    if op in ("root", "path"):
        layers = tree_layers([int(v) for v in case["leaves"]], case["depth"])
        if op == "root":
            return str(layers[-1][0])
        i, depth = case["index"], case["depth"]
        return {"root": str(layers[-1][0]), "leaf": str(layers[0][i]),
                "siblings": [str(layers[k][(i >> k) ^ 1]) for k in range(depth)],
                "path_bits": [(i >> k) & 1 for k in range(depth)]}

    def verify() -> bool:
        sibs, bits = [int(v) for v in case["siblings"]], case["path_bits"]
        if len(sibs) != len(bits):
            raise Refused("InvalidArgument", "lengths differ")
        if any(v >= R for v in [int(case["root"]), int(case["leaf"]), *sibs]):
            raise Refused("NonCanonicalScalar", "value >= r")
        if any(b not in (0, 1) or isinstance(b, bool) for b in bits):
            raise Refused("InvalidArgument", "path bit not 0/1")
        cur = int(case["leaf"])
        for s, b in zip(sibs, bits, strict=True):
            cur = poseidon([s, cur] if b else [cur, s])
        return cur == int(case["root"])
    return outcome(verify)


# --- Baby Jubjub, BLAKE-512, EdDSA-Poseidon --------------------------------------------------

BJJ_A, BJJ_D = 168700, 168696
BJJ_L = 2736030358979909402780800718157159386076813972158567259200215660948447373041
BASE8 = (5299619240641551281634865583518297030282874472190772894086521144482721001553,
         16950150798460657717958625567821834550301663161624707787222815936182638968203)


def bjj_add(p: tuple[int, int], q: tuple[int, int]) -> tuple[int, int]:
    (x1, y1), (x2, y2) = p, q
    k = BJJ_D * x1 * x2 * y1 * y2 % R
    x3 = (x1 * y2 + y1 * x2) * pow(1 + k, R - 2, R) % R
    y3 = (y1 * y2 - BJJ_A * x1 * x2) * pow(1 - k, R - 2, R) % R
    return (x3, y3)


def bjj_mul(p: tuple[int, int], k: int) -> tuple[int, int]:
    acc, cur = (0, 1), p
    while k:
        if k & 1:
            acc = bjj_add(acc, cur)
        cur = bjj_add(cur, cur)
        k >>= 1
    return acc


def bjj_point(p: tuple[int, int]) -> tuple[int, int]:
    if any(c >= R for c in p):
        raise Refused("NonCanonicalCoordinate", "coordinate >= p")
    x, y = p
    if (BJJ_A * x * x + y * y - 1 - BJJ_D * x * x * y * y) % R:
        raise Refused("PointNotOnCurve", "not on Baby Jubjub")
    return p


def bjj_pack(p: tuple[int, int]) -> bytes:
    out = bytearray(p[1].to_bytes(32, "little"))
    if p[0] > (R - 1) // 2:
        out[31] |= 0x80
    return bytes(out)


def _pi_hex_words(n: int) -> list[int]:
    """The first n 64-bit words of the fractional part of pi (Machin's formula)."""
    bits = 64 * n + 64
    one = 1 << bits

    def arctan_inv(x: int) -> int:
        total, term, k, sign = 0, one // x, 1, 1
        while term:
            total += sign * (term // k)
            term //= x * x
            k += 2
            sign = -sign
        return total
    pi = 4 * (4 * arctan_inv(5) - arctan_inv(239))
    frac = (pi - 3 * one) >> 64
    return [(frac >> (64 * (n - 1 - i))) & (2**64 - 1) for i in range(n)]


def _sqrt_prime_words() -> list[int]:
    """Fractional parts of the square roots of the first 8 primes (the SHA-512 IV)."""
    return [isqrt(p << 128) & (2**64 - 1) for p in (2, 3, 5, 7, 11, 13, 17, 19)]


BLAKE_C = _pi_hex_words(16)
BLAKE_IV = _sqrt_prime_words()
SIGMA = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
]
M64 = 2**64 - 1


def _rot(x: int, n: int) -> int:
    return ((x >> n) | (x << (64 - n))) & M64


def _blake_g(v: list[int], m: list[int], abcd: tuple[int, int, int, int], s0: int,
             s1: int) -> None:
    """BLAKE-512's G on the state words abcd with message words m[s0], m[s1]."""
    a, b, c, d = abcd
    v[a] = (v[a] + v[b] + (m[s0] ^ BLAKE_C[s1])) & M64
    v[d] = _rot(v[d] ^ v[a], 32)
    v[c] = (v[c] + v[d]) & M64
    v[b] = _rot(v[b] ^ v[c], 25)
    v[a] = (v[a] + v[b] + (m[s1] ^ BLAKE_C[s0])) & M64
    v[d] = _rot(v[d] ^ v[a], 16)
    v[c] = (v[c] + v[d]) & M64
    v[b] = _rot(v[b] ^ v[c], 11)


def blake512(msg: bytes) -> bytes:
    """BLAKE-512 (the SHA-3 finalist, 16 rounds), for messages of any length."""
    bitlen = len(msg) * 8
    padded = bytearray(msg) + b"\x80"
    while len(padded) % 128 != 112:
        padded += b"\x00"
    padded[-1] |= 0x01
    padded += bitlen.to_bytes(16, "big")
    h = list(BLAKE_IV)
    for blk in range(len(padded) // 128):
        block = padded[blk * 128:(blk + 1) * 128]
        m = [int.from_bytes(block[i * 8:i * 8 + 8], "big") for i in range(16)]
        # bits of the message hashed so far; 0 for a block holding only padding
        counted = min(bitlen, (blk + 1) * 1024) if blk * 1024 < bitlen else 0
        t0, t1 = counted & M64, counted >> 64
        v = [*h, BLAKE_C[0], BLAKE_C[1], BLAKE_C[2], BLAKE_C[3],
             t0 ^ BLAKE_C[4], t0 ^ BLAKE_C[5], t1 ^ BLAKE_C[6], t1 ^ BLAKE_C[7]]

        for rnd in range(16):
            s = SIGMA[rnd % 10]
            for i, (a, b, c, dd) in enumerate([(0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14),
                                               (3, 7, 11, 15), (0, 5, 10, 15), (1, 6, 11, 12),
                                               (2, 7, 8, 13), (3, 4, 9, 14)]):
                _blake_g(v, m, (a, b, c, dd), s[2 * i], s[2 * i + 1])
        h = [h[i] ^ v[i] ^ v[i + 8] for i in range(8)]
    return b"".join(w.to_bytes(8, "big") for w in h)


def eddsa_verify(a: tuple[int, int], msg: int, r8: tuple[int, int], s: int) -> bool:
    if s >= BJJ_L:
        raise Refused("NonCanonicalSignature", "S >= l")
    bjj_point(r8)
    if msg >= R:
        raise Refused("NonCanonicalScalar", "message >= p")
    bjj_point(a)
    if bjj_mul(a, 8) == (0, 1):
        raise Refused("LowOrderPoint", "key of order dividing 8")
    if bjj_mul(a, BJJ_L) != (0, 1):
        raise Refused("PointNotInSubgroup", "key outside the order-l subgroup")
    hm = poseidon([r8[0], r8[1], a[0], a[1], msg])
    if bjj_mul(BASE8, s) != bjj_add(r8, bjj_mul(a, 8 * hm)):
        raise Refused("InvalidSignature", "equation fails")
    return True


def check_eddsa(case: dict[str, Any], doc: dict[str, Any], d: Path) -> Any:
    def pt(v: list[str]) -> tuple[int, int]:
        return (int(v[0]), int(v[1]))
    if case["op"] == "verify":
        return outcome(lambda: eddsa_verify(pt(case["public_key"]), int(case["message"]),
                                            pt(case["R8"]), int(case["S"])))
    key, msg = bytes.fromhex(case["private_key"]), int(case["message"])
    digest = bytearray(blake512(key))
    digest[0] &= 0xF8
    digest[31] &= 0x7F
    digest[31] |= 0x40
    s = int.from_bytes(digest[:32], "little")
    a = bjj_mul(BASE8, s >> 3)
    r = int.from_bytes(blake512(bytes(digest[32:]) + msg.to_bytes(32, "little")), "little")
    r8 = bjj_mul(BASE8, r % BJJ_L)
    sig_s = (r % BJJ_L + poseidon([r8[0], r8[1], a[0], a[1], msg]) * s) % BJJ_L
    eddsa_verify(a, msg, r8, sig_s)
    return {"public_key": [str(a[0]), str(a[1])], "packed_public_key": bjj_pack(a).hex(),
            "R8": [str(r8[0]), str(r8[1])], "S": str(sig_s),
            "packed_signature": (bjj_pack(r8) + sig_s.to_bytes(32, "little")).hex()}


# --- iden3 .r1cs / .wtns and Groth16 -------------------------------------------------------


def iden3_sections(data: bytes, magic: bytes) -> dict[int, bytes]:
    if data[:4] != magic:
        raise Mismatch(f"not a {magic.decode()} file")
    n = int.from_bytes(data[8:12], "little")
    pos, out = 12, {}
    for _ in range(n):
        kind = int.from_bytes(data[pos:pos + 4], "little")
        size = int.from_bytes(data[pos + 4:pos + 12], "little")
        out[kind] = data[pos + 12:pos + 12 + size]
        pos += 12 + size
    return out


def read_r1cs(data: bytes) -> tuple[dict[str, int], list[list[dict[int, int]]]]:
    sec = iden3_sections(data, b"r1cs")
    h = sec[1]
    n8 = int.from_bytes(h[:4], "little")
    if int.from_bytes(h[4:4 + n8], "little") != R:
        raise Mismatch("r1cs prime is not the BN254 scalar field")
    vals = [int.from_bytes(h[4 + n8 + 4 * i:8 + n8 + 4 * i], "little") for i in range(4)]
    m = int.from_bytes(h[4 + n8 + 24:4 + n8 + 28], "little")
    header = {"n_wires": vals[0], "n_public": vals[1] + vals[2], "n_constraints": m}
    body, pos, constraints = sec[2], 0, []
    for _ in range(m):
        lcs = []
        for _ in range(3):
            terms = int.from_bytes(body[pos:pos + 4], "little")
            pos += 4
            lc = {}
            for _ in range(terms):
                wire = int.from_bytes(body[pos:pos + 4], "little")
                lc[wire] = int.from_bytes(body[pos + 4:pos + 4 + n8], "little")
                pos += 4 + n8
            lcs.append(lc)
        constraints.append(lcs)
    return header, constraints


def read_wtns(data: bytes) -> list[int]:
    sec = iden3_sections(data, b"wtns")
    n8 = int.from_bytes(sec[1][:4], "little")
    n = int.from_bytes(sec[1][4 + n8:8 + n8], "little")
    return [int.from_bytes(sec[2][i * n8:(i + 1) * n8], "little") for i in range(n)]


def groth16_verify(vk: dict[str, Any], public: Any, proof: dict[str, Any]) -> bool:
    if vk.get("protocol") != "groth16" or proof.get("protocol") != "groth16":
        raise Refused("UnsupportedFormat", "protocol")
    if vk.get("curve") != "bn128" or proof.get("curve") != "bn128":
        raise Refused("UnsupportedFormat", "curve")
    alpha = decode_snarkjs(vk["vk_alpha_1"], 1)
    beta, gamma, delta = (decode_snarkjs(vk[k], 2) for k in
                          ("vk_beta_2", "vk_gamma_2", "vk_delta_2"))
    ic = [decode_snarkjs(p, 1) for p in vk["IC"]]
    if gamma == delta or delta == from_py_ecc(bn.G2, 2):
        raise Refused("InvalidArgument", "degenerate key")
    if not isinstance(public, list) or len(public) != len(ic) - 1:
        raise Refused("InvalidArgument", "public input count")
    x = [parse_decimal(v, R) for v in public]
    a, b, c = (decode_snarkjs(proof["pi_a"], 1), decode_snarkjs(proof["pi_b"], 2),
               decode_snarkjs(proof["pi_c"], 1))
    if a is None or b is None or c is None:
        raise Refused("InvalidArgument", "proof point at infinity")
    acc = to_py_ecc(ic[0]) if ic[0] is not None else bn.Z1
    for xi, p in zip(x, ic[1:], strict=True):
        if p is not None:
            acc = bn.add(acc, bn.multiply(to_py_ecc(p), xi))
    # e(A, B) = e(alpha, beta) e(acc, gamma) e(C, delta)  <=>  product with negations = 1
    pairs = [(to_py_ecc(b), to_py_ecc(a)), (to_py_ecc(beta), bn.neg(to_py_ecc(alpha))),
             (to_py_ecc(gamma), bn.neg(acc)), (to_py_ecc(delta), bn.neg(to_py_ecc(c)))]
    f = bn.FQ12.one()
    for g2, g1 in pairs:
        if not bn.is_inf(g1):
            f = f * optimized_pairing.pairing(g2, g1, final_exponentiate=False)
    return bool(optimized_pairing.final_exponentiate(f) == bn.FQ12.one())


def check_groth16(case: dict[str, Any], doc: dict[str, Any], d: Path) -> Any:
    if case["op"] == "r1cs":
        return check_r1cs(case, d)
    return outcome(lambda: groth16_verify(doc["keys"][case["key"]], case["public"],
                                          case["proof"]))


def check_r1cs(case: dict[str, Any], d: Path) -> Any:
    header, constraints = parsed_r1cs(safe_file(d, case["r1cs"]))
    w = read_wtns(safe_file(d, case["wtns"]))
    for wire, value in case.get("override", []):
        w[wire] = int(value)
    if len(w) != header["n_wires"] or w[0] != 1:
        raise Mismatch("witness length or w[0]")

    def satisfied() -> dict[str, Any]:
        for k, (la, lb, lc) in enumerate(constraints):
            ev = [sum(cf * w[i] for i, cf in lc_.items()) % R for lc_ in (la, lb, lc)]
            if ev[0] * ev[1] % R != ev[2]:
                raise Refused("UnsatisfiedConstraint", f"constraint {k}")
        return {**header, "public": [str(v) for v in w[1:1 + header["n_public"]]]}
    return outcome(satisfied)


@cache
def parsed_r1cs(data: bytes) -> tuple[dict[str, int], list[list[dict[int, int]]]]:
    return read_r1cs(data)


def safe_file(d: Path, name: str) -> bytes:
    if "/" in name or "\\" in name or name.startswith("."):
        raise Mismatch(f"{name!r} is not a plain file name")
    data = (d / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


# --- commitments (issue 5) ---------------------------------------------------------------

TIME_LIMIT, MONEY_LIMIT = 1 << 40, 1 << 64


def record_fields(f: list[int]) -> list[int]:
    """A credit record's seven fields, validated by the contract's ranges."""
    if len(f) != 7 or any(type(v) is not int for v in f):
        raise Refused("InvalidArgument", "a record is 7 ints")
    opened, updated, amount, repaid, days, status, kind = f
    ok = (0 < opened < TIME_LIMIT and opened <= updated < TIME_LIMIT
          and 0 < amount < MONEY_LIMIT and 0 <= repaid < MONEY_LIMIT and 0 <= days < 1 << 16
          and 0 <= status <= 3 and 0 <= kind <= 4)
    if not ok:
        raise Refused("InvalidArgument", "a record field is out of range")
    return f


def nonzero_field(v: int) -> int:
    if v >= R:
        raise Refused("NonCanonicalScalar", "value >= r")
    if v == 0:
        raise Refused("InvalidArgument", "must be nonzero")
    return v


def record_leaf(f: list[int], salt: int) -> int:
    return poseidon([nonzero_field(salt), *record_fields(f)])


def hkdf_sha256(ikm: bytes, info: bytes, length: int) -> bytes:
    prk = hmac.new(bytes(32), ikm, hashlib.sha256).digest()
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
        i += 1
    return out[:length]


ED_P = 2**255 - 19
ED_D = -121665 * pow(121666, ED_P - 2, ED_P) % ED_P


def ed_add(p: tuple[int, int], q: tuple[int, int]) -> tuple[int, int]:
    (x1, y1), (x2, y2) = p, q
    k = ED_D * x1 * x2 * y1 * y2 % ED_P
    return ((x1 * y2 + x2 * y1) * pow(1 + k, ED_P - 2, ED_P) % ED_P,
            (y1 * y2 + x1 * x2) * pow(1 - k, ED_P - 2, ED_P) % ED_P)


def ed_base() -> tuple[int, int]:
    y = 4 * pow(5, ED_P - 2, ED_P) % ED_P
    xx = (y * y - 1) * pow(ED_D * y * y + 1, ED_P - 2, ED_P) % ED_P
    x = pow(xx, (ED_P + 3) // 8, ED_P)
    if x * x % ED_P != xx:
        x = x * pow(2, (ED_P - 1) // 4, ED_P) % ED_P
    return (ED_P - x if x & 1 else x, y)


def ed25519_public(seed: bytes) -> bytes:
    """RFC 8032 public key of a 32-byte private key."""
    h = hashlib.sha512(seed).digest()
    a = (int.from_bytes(h[:32], "little") & ((1 << 254) - 8)) | (1 << 254)
    acc, cur = (0, 1), ed_base()
    while a:
        if a & 1:
            acc = ed_add(acc, cur)
        cur = ed_add(cur, cur)
        a >>= 1
    return (acc[1] | ((acc[0] & 1) << 255)).to_bytes(32, "little")


def lender_id(name: str) -> int:
    digest = hashlib.sha256(b"zkcredit/lender/v1\0" + name.encode()).digest()
    return int.from_bytes(digest, "big") >> 8


def issuer_key(k: list[str]) -> tuple[int, int]:
    a = bjj_point((int(k[0]), int(k[1])))
    if bjj_mul(a, 8) == (0, 1):
        raise Refused("LowOrderPoint", "low-order key")
    if bjj_mul(a, BJJ_L) != (0, 1):
        raise Refused("PointNotInSubgroup", "key outside the subgroup")
    return a


ATTESTATION_DOMAIN = int.from_bytes(b"zkcredit/attestation/v2", "big")
REVOCATION_DOMAIN = int.from_bytes(b"zkcredit/revocation-list/v1", "big")
REVOCATION_DEPTH, REGISTRY_DEPTH = 20, 8
ID_LIMIT = 1 << 128


def field_element(v: int) -> int:
    if not 0 <= v < R:
        raise Refused("NonCanonicalScalar", "value >= r")
    return v


def time_value(t: Any) -> int:
    if type(t) is not int or not 0 <= t < TIME_LIMIT:
        raise Refused("InvalidArgument", "a time is an int in [0, 2^40)")
    return t


def revocation_id(v: int) -> int:
    if not 0 < v < ID_LIMIT:
        raise Refused("InvalidArgument", "a revocation id is in 1..2^128 - 1")
    return v


def attestation_message(com: int, holder: int, rid: int, nb: Any, na: Any) -> int:
    """v2: the checks in the documented order, then the six-input Poseidon."""
    field_element(com)
    field_element(holder)
    revocation_id(rid)
    time_value(nb)
    time_value(na)
    if nb > na:
        raise Refused("InvalidArgument", "not_before after not_after")
    return poseidon([ATTESTATION_DOMAIN, com, holder, rid, nb, na])


@cache
def empty_subtree(height: int) -> int:
    return 0 if height == 0 else poseidon([empty_subtree(height - 1)] * 2)


def sparse_levels(leaves: list[int], depth: int) -> list[dict[int, int]]:
    """The occupied nodes of each level of a deep tree with few leaves (the rest empty)."""
    levels = [dict(enumerate(leaves))]
    for h in range(depth):
        cur = levels[-1]
        levels.append({i: poseidon([cur.get(2 * i, empty_subtree(h)),
                                    cur.get(2 * i + 1, empty_subtree(h))])
                       for i in sorted({j >> 1 for j in cur})})
    return levels


def revocation_tree(ids: list[int]) -> tuple[list[int], list[int], list[dict[int, int]]]:
    """The sorted tree of a set of revoked ids: (0 then the ids ascending, leaves
    Poseidon([s_i, s_i+1]) with next 0 after the last, levels up to the root)."""
    s = [0, *sorted({revocation_id(x) for x in ids})]
    leaves = [poseidon([s[i], s[i + 1] if i + 1 < len(s) else 0]) for i in range(len(s))]
    return s, leaves, sparse_levels(leaves, REVOCATION_DEPTH)


def revocation_root(ids: list[int]) -> int:
    return revocation_tree(ids)[2][-1][0]


EXPOSURE_DOMAIN = int.from_bytes(b"zkcredit/exposure-slot/v1", "big")
SLOT_LIMIT = 255  # slot < k <= 255: the circuit range-checks both to 8 bits


def slot_nullifier(secret: int, epoch: Any, slot: Any) -> int:
    """Issue 12: Poseidon([EXPOSURE_DOMAIN, holder_secret, exposure_epoch, slot]) after the
    documented checks, in order, each an InvalidArgument: secret a nonzero field element,
    epoch an int below 2^40, slot an int below 255."""
    if not 0 < secret < R:
        raise Refused("InvalidArgument", "holder secret: a nonzero field element")
    if type(epoch) is not int or not 0 <= epoch < TIME_LIMIT:
        raise Refused("InvalidArgument", "exposure epoch: an int in [0, 2^40)")
    if type(slot) is not int or not 0 <= slot < SLOT_LIMIT:
        raise Refused("InvalidArgument", "slot: an int in [0, 255)")
    return poseidon([EXPOSURE_DOMAIN, secret, epoch, slot])


def check_commitments(case: dict[str, Any], doc: dict[str, Any], d: Path) -> Any:
    op = case["op"]

    def run() -> Any:
        if op == "record_leaf":
            return str(record_leaf(case["record"], int(case["salt"])))
        if op == "holder_commitment":
            return str(poseidon([nonzero_field(int(case["holder_secret"]))]))
        if op == "history":
            cap, recs, salts = case["capacity"], case["records"], case["salts"]
            if not (1 <= cap <= 1024 and cap & (cap - 1) == 0) or not 1 <= len(recs) <= cap:
                raise Refused("InvalidArgument", "capacity")
            leaves = [record_leaf(r, int(sl)) for r, sl in zip(recs, salts, strict=True)]
            leaves += [0] * (cap - len(leaves))
            root = tree_layers(leaves, cap.bit_length() - 1)[-1][0]
            hc = poseidon([nonzero_field(int(case["holder_secret"]))])
            com = poseidon([root, int(case["blinding"]), hc])
            return {"leaves": [str(x) for x in leaves], "root": str(root),
                    "holder_commitment": str(hc), "commitment": str(com)}
        if op == "attestation_message":
            return str(attestation_message(
                int(case["commitment"]), int(case["holder_commitment"]),
                int(case["revocation_id"]), case["not_before"], case["not_after"]))
        if op == "issuer_registry":
            keys = [issuer_key(k) for k in case["keys"]]
            roots = [revocation_root([int(x) for x in ids]) for ids in case["revoked"]]
            if len(roots) != len(keys):
                raise Mismatch("one revoked list per key")
            leaves = [poseidon([*k, rr]) for k, rr in zip(keys, roots, strict=True)]
            return {"revocation_roots": [str(x) for x in roots],
                    "leaves": [str(x) for x in leaves],
                    "root": str(tree_layers(leaves, REGISTRY_DEPTH)[-1][0])}
        if op == "lender_id":
            return str(lender_id(case["name"]))
        if op == "borrower_key":
            lid = lender_id(case["lender"])
            priv = hkdf_sha256(bytes.fromhex(case["seed"]),
                               b"zkcredit/lender-key/v1" + lid.to_bytes(32, "big"), 32)
            pub = ed25519_public(priv)
            kh = poseidon([int.from_bytes(pub[:16], "big"), int.from_bytes(pub[16:], "big")])
            return {"lender_id": str(lid), "private_key": priv.hex(), "public_key": pub.hex(),
                    "borrower_key_hash": str(kh)}
        if op == "nullifier":
            return str(poseidon([nonzero_field(int(case["holder_secret"])),
                                 int(case["lender_id"]), int(case["epoch"])]))
        if op == "slot_nullifier":
            return str(slot_nullifier(int(case["holder_secret"]), case["epoch"], case["slot"]))
        raise Mismatch(f"unknown op {op!r}")
    return outcome(run)


# --- revocation: sorted Merkle trees of revoked ids ---------------------------------------


def check_revocation(case: dict[str, Any], doc: dict[str, Any], d: Path) -> Any:
    op = case["op"]

    def run() -> Any:
        if op == "root":
            _, leaves, levels = revocation_tree([int(x) for x in case["revoked"]])
            return {"leaves": [str(x) for x in leaves], "root": str(levels[-1][0])}
        if op == "witness":
            s, leaves, levels = revocation_tree([int(x) for x in case["revoked"]])
            x = revocation_id(int(case["revocation_id"]))
            i = max(k for k, v in enumerate(s) if v <= x)  # the low leaf: s_i <= x
            if s[i] == x:
                raise Refused("AttestationRevoked", "the id is in the list")
            nxt = s[i + 1] if i + 1 < len(s) else 0
            assert s[i] < x and (x < nxt or nxt == 0)
            return {"low": str(s[i]), "next": str(nxt), "index": i, "leaf": str(leaves[i]),
                    "siblings": [str(levels[k].get((i >> k) ^ 1, empty_subtree(k)))
                                 for k in range(REVOCATION_DEPTH)],
                    "path_bits": [(i >> k) & 1 for k in range(REVOCATION_DEPTH)],
                    "root": str(levels[-1][0])}
        if op == "list_message":
            at = time_value(case["published_at"])
            return str(poseidon([REVOCATION_DOMAIN, field_element(int(case["root"])), at]))
        raise Mismatch(f"unknown op {op!r}")
    return outcome(run)


# --- score model v1 (issue 5) --------------------------------------------------------------


def model_fields(m: dict[str, Any]) -> list[int]:
    out = [1, m["base"], m["max_score"], m["late_days"], m["default_window"]]
    out += [len(m["on_time_bands"]), *(x for band in m["on_time_bands"] for x in band)]
    out += [len(m["default_points"]), *m["default_points"]]
    for key in ("delinquency_bands", "age_bands", "volume_bands"):
        out += [len(m[key]), *(x for band in m[key] for x in band)]
    return out


def model_id(fields: list[int]) -> int:
    items = [int.from_bytes(b"zkcredit/score-model", "big"), len(fields), *fields]
    h = 0
    for i in range(0, len(items), 15):
        h = poseidon([h, *items[i:i + 15]])
    return h


def evaluate(m: dict[str, Any], recs: list[list[int]], as_of: int) -> dict[str, Any]:
    if not 0 <= as_of < TIME_LIMIT:
        raise Refused("InvalidArgument", "as_of")
    for r in recs:
        record_fields(r)
    n, total = len(recs), m["base"]
    if n:
        on_time = sum(1 for r in recs if r[5] in (0, 1) and r[4] < m["late_days"])
        total += sum(p for pct, p in m["on_time_bands"] if 100 * on_time >= pct * n)
        recent = sum(1 for r in recs if r[5] == 3 and r[1] + m["default_window"] > as_of)
        if recent < len(m["default_points"]):
            total += m["default_points"][recent]
        worst = max(r[4] for r in recs)
        total += sum(p for days, p in m["delinquency_bands"] if worst < days)
        oldest = min(r[0] for r in recs)
        total += sum(p for secs, p in m["age_bands"] if oldest + secs <= as_of)
    volume = sum(r[3] for r in recs)
    total += sum(p for amount, p in m["volume_bands"] if volume >= amount)

    def no_default(months: int) -> bool:
        cutoff = as_of - months * 2_592_000
        return months == 0 or not any(r[5] == 3 and r[1] > cutoff for r in recs)
    return {"score": total,
            "no_default_within": {str(k): no_default(k) for k in (0, 12, 36, 120)},
            "total_outstanding": sum(max(r[2] - r[3], 0) for r in recs if r[5] != 1)}


def check_score_model(case: dict[str, Any], doc: dict[str, Any], d: Path) -> Any:
    m = doc["models"][case["model"]]
    if case["op"] == "model_id":
        fields = model_fields(m)
        return {"fields": [str(f) for f in fields], "model_id": str(model_id(fields))}
    return outcome(lambda: evaluate(m, case["records"], case["as_of"]))


# The threshold circuit's public signals (v3), in order.
PUBLIC_SIGNALS = ("registry_root", "model_id", "threshold", "as_of", "min_not_before",
                  "lender_id", "epoch", "nonce", "nullifier", "borrower_key_hash",
                  "no_default_months", "max_outstanding", "exposure_epoch",
                  "exposure_slots", "slot_nullifier")
SLOT_BITS = 8


def statement_violations(inputs: dict[str, Any]) -> list[str]:
    """The constraints of a threshold statement this checker can see in the prover's
    inputs without building the circuit (each would make it unsatisfiable): freshness
    (C11), the non-revocation bracket (C12), the per-lender nullifier, and issue 12's
    exposure slot (slot < k, both 8-bit, and the slot nullifier's hash)."""
    v = {k: [int(x) for x in val] if isinstance(val, list) else int(val)
         for k, val in inputs.items()}
    secret, rid = v["holder_secret"], v["revocation_id"]
    low, nxt = v["revocation_low"], v["revocation_next"]
    slot, slots = v["exposure_slot"], v["exposure_slots"]
    seen = []
    if v["min_not_before"] > v["not_before"]:
        seen.append("min_not_before > not_before")
    if not (low < rid and (rid < nxt or nxt == 0)):
        seen.append("the revocation leaf does not bracket the attestation's id")
    if v["nullifier"] != poseidon([secret, v["lender_id"], v["epoch"]]):
        seen.append("nullifier != Poseidon([holder_secret, lender_id, epoch])")
    if not slot < slots < 1 << SLOT_BITS:
        seen.append("not exposure_slot < exposure_slots < 2^8")
    if v["slot_nullifier"] != poseidon([EXPOSURE_DOMAIN, secret, v["exposure_epoch"], slot]):
        seen.append("slot_nullifier != Poseidon([EXPOSURE_DOMAIN, holder_secret, "
                    "exposure_epoch, exposure_slot])")
    return seen


def check_threshold_circuit(case: dict[str, Any], doc: dict[str, Any], d: Path) -> Any:
    """``r1cs`` cases in full. ``solve`` cases in part: a refusal agrees when a visible
    constraint fails (`statement_violations`); an accepted statement must violate none and
    publish its inputs' public values in the circuit's order, but its witness digest needs
    zkcredit's circuit builder, so it is counted as not checked. ``compile`` likewise."""
    if case["op"] == "r1cs":
        return check_r1cs(case, d)
    if case["op"] != "solve":
        raise NotChecked("compiling needs zkcredit's circuit builder")
    if list(doc["public_inputs"]) != list(PUBLIC_SIGNALS):
        raise Mismatch("the file's public_inputs are not the v3 circuit's")
    inputs, expected = case["inputs"], case["expected"]
    seen = statement_violations(inputs)
    if "error" in expected:
        if seen:
            return {"error": "UnsatisfiedConstraint"}
        raise NotChecked("the refused constraint is one this checker does not rebuild")
    if seen:
        raise Mismatch(f"an accepted statement violates: {'; '.join(seen)}")
    if expected["public"] != [inputs[name] for name in PUBLIC_SIGNALS]:
        raise Mismatch("the public signals are not the inputs' public values in order")
    raise NotChecked("the witness digest needs zkcredit's circuit builder")


class NotChecked(Exception):
    """A case this checker cannot re-derive in full (counted, not failed)."""


def check_presentations(case: dict[str, Any], doc: dict[str, Any], d: Path) -> Any:
    """Cases whose every step is accepted: check that every public signal is the
    challenge's and the policy's (min_not_before = max(0, as_of - max_attestation_age),
    epoch = as_of // epoch_seconds, exposure_epoch = as_of // exposure_epoch_seconds,
    exposure_slots = the policy's cap k, a registry root and model the policy lists), the
    Groth16 proof and the borrower-key hash, and re-derive each decision (with its slot
    nullifier and exposure epoch). Refusal reasons depend on the verifier's check order and
    replay store: not re-derived here."""
    if not all("decision" in e for e in case["expected"]):
        raise NotChecked("refusal reasons are the verifier's")
    policy = doc["policy"]
    tiers = {t["threshold"]: t["tier"] for t in policy["tiers"]}
    out = []
    for st in case["steps"]:
        p, ch = st["presentation"], st["challenge"]
        signals = dict(zip(PUBLIC_SIGNALS, p["public_signals"], strict=True))
        # every public signal is the challenge's, and the challenge is the policy's
        as_of = ch["as_of"]
        for name in PUBLIC_SIGNALS:
            if name in ch and signals[name] != str(ch[name]):
                raise Mismatch(f"an accepted presentation's {name} is not the challenge's")
        for name, want in (
                ("min_not_before", max(0, as_of - policy["max_attestation_age"])),
                ("epoch", as_of // policy["epoch_seconds"]),
                ("lender_id", lender_id(policy["lender_name"])),
                ("no_default_months", policy["no_default_months"]),
                ("max_outstanding", policy["max_outstanding"]),
                ("exposure_epoch", as_of // policy["exposure_epoch_seconds"]),
                ("exposure_slots", policy["exposure_slots"])):
            if signals[name] != str(want):
                raise Mismatch(f"an accepted presentation's {name} is not the policy's")
        if signals["registry_root"] not in policy["registry_roots"] or (
                signals["model_id"] not in policy["model_ids"]):
            raise Mismatch("an accepted presentation's registry or model is not the policy's")
        if not ch["issued_at"] <= st["now"] < ch["expires_at"]:
            raise Mismatch("accepted outside the challenge's lifetime")
        if not groth16_verify(doc["verifying_keys"][p["vk_hash"]], p["public_signals"],
                              p["proof"]):
            raise Mismatch("an accepted presentation's proof does not verify")
        key = bytes.fromhex(p["borrower_key"])
        kh = poseidon([int.from_bytes(key[:16], "big"), int.from_bytes(key[16:], "big")])
        if str(kh) != signals["borrower_key_hash"]:
            raise Mismatch("the borrower key hash does not match the key")
        out.append({"decision": {
            "borrower_id": signals["borrower_key_hash"],
            "tier": tiers[signals["threshold"]], "threshold": signals["threshold"],
            "model_id": signals["model_id"], "lender_id": str(lender_id(policy["lender_name"])),
            "nullifier": signals["nullifier"],
            "expires_at": st["now"] + policy["decision_lifetime"],
            "slot_nullifier": signals["slot_nullifier"],
            "exposure_epoch": int(signals["exposure_epoch"])}})
    return out


# --- driver -------------------------------------------------------------------------------------

CHECKERS: dict[str, Callable[[dict[str, Any], dict[str, Any], Path], Any]] = {
    "field": check_field, "points": check_points, "poseidon": check_poseidon,
    "merkle": check_merkle, "eddsa": check_eddsa, "groth16": check_groth16,
    "commitments": check_commitments, "revocation": check_revocation,
    "score_model": check_score_model,
    "threshold_circuit": check_threshold_circuit, "presentations": check_presentations,
}
def ledger_identities(case: dict[str, Any], doc: dict[str, Any], d: Path) -> None:
    """The double-entry identities of a published final ledger state (the numbers are not
    re-derived from the commands: that would take a second ledger)."""
    e = case["expected"]
    pool, acc, lines = e["pool"], e["accounts"], e["lines"].values()

    def role(kind: str) -> int:
        return sum(v for k, v in acc.items() if k.startswith("line:") and k.endswith(kind))
    checks = {
        "audit ok": (e["audit_ok"], True),
        "no negative account": (min(acc.values(), default=0) >= 0, True),
        "cash + debt + losses = deposits + interest + reserve": (
            pool["cash"] + pool["total_debt"] + pool["losses"],
            pool["deposits"] + pool["interest"] + pool["reserve"]),
        "total_debt = sum of line debt accounts": (pool["total_debt"], role(":debt")),
        "total_debt = sum of lines' debt": (pool["total_debt"], sum(x["debt"] for x in lines)),
        "total_collateral = custody": (pool["total_collateral"], acc["custody:collateral"]),
        "total_collateral = sum of lines' collateral": (
            pool["total_collateral"], sum(x["collateral"] for x in lines)),
        "total_collateral = sum of line collateral accounts": (
            pool["total_collateral"], role(":collateral")),
        "total_shares = sum of shares": (pool["total_shares"], sum(e["shares"].values())),
    }
    for name in ("cash", "deposits", "interest", "reserve", "losses"):
        checks[f"pool.{name} = pool:{name}"] = (pool[name], acc[f"pool:{name}"])
    for what, (x, y) in checks.items():
        if x != y:
            raise Mismatch(f"{what}: {x} != {y}")


CONSISTENCY = {"ledger": ledger_identities}


def main(argv: list[str]) -> int:
    d = Path(argv[0]) if argv else Path(__file__).resolve().parent
    failures: list[str] = []
    listed: dict[str, str] = {}
    for line in (d / "SHA256SUMS").read_text().splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    for name, digest in sorted(listed.items()):
        path = d / name
        if not path.is_file():
            failures.append(f"{name}: listed in SHA256SUMS but missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            failures.append(f"{name}: checksum mismatch")
    for path in sorted(d.iterdir()):
        if path.suffix in (".json", ".r1cs", ".wtns", ".gz") and path.name not in listed:
            failures.append(f"{path.name}: not listed in SHA256SUMS")
    for path in sorted(d.glob("*.json")):
        doc = json.loads(path.read_text())
        family = doc.get("family")
        if doc.get("format") != "zkcredit-vectors" or doc.get("version") != 1:
            failures.append(f"{path.name}: not a zkcredit-vectors v1 file")
            continue
        if family in CONSISTENCY:
            consistent = 0
            for case in doc["cases"]:
                try:
                    CONSISTENCY[family](case, doc, d)
                    consistent += 1
                except Exception as exc:  # any crash is a named failure
                    failures.append(f"{path.name}: case {case.get('id')}: "
                                    f"{type(exc).__name__}: {exc}")
            print(f"{family}: {consistent}/{len(doc['cases'])} final states satisfy the "
                  "accounting identities (not re-derived from the commands)")
            continue
        if family not in CHECKERS:
            print(f"{family}: no independent checker for this family yet")
            continue
        passed = skipped = 0
        for case in doc["cases"]:
            try:
                got = CHECKERS[family](case, doc, d)
            except NotChecked:
                skipped += 1
                continue
            except Exception as exc:  # any crash is a named failure
                failures.append(f"{path.name}: case {case.get('id')}: {type(exc).__name__}: "
                                f"{exc}")
                continue
            if got != case["expected"]:
                failures.append(f"{path.name}: case {case.get('id')}: expected "
                                f"{json.dumps(case['expected'])[:120]}, got "
                                f"{json.dumps(got)[:120]}")
            else:
                passed += 1
        note = f" ({skipped} not checked: outside this checker's scope)" if skipped else ""
        print(f"{family}: {passed}/{len(doc['cases']) - skipped} cases agree{note}")
    for f in failures:
        print(f"FAIL {f}", file=sys.stderr)
    print(f"{'FAILED' if failures else 'OK'}: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
