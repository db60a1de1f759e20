"""Native-only behaviour of the curve kernels (`zkcredit.hazmat.native.*`).

Every malformed input of ADVERSARIAL.md B4 is rejected with its own error class, on
both curves and in every form; encodings round-trip and match an independent
encoder written here from the format description; the algebra (B9) holds: MSM equals
the naive sum, FFT∘IFFT is the identity, pairings are bilinear and non-degenerate.
The comparison against the pure-Python reference lives in test_native_vs_reference.py.
"""

from __future__ import annotations

import importlib
import secrets
import sys
import threading
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

from zkcredit import errors

CURVES = ("bn254", "bls12_381")
GROUPS = ("G1", "G2")
FORMS = (True, False)  # compressed?


def native(curve: str) -> ModuleType:
    return importlib.import_module(f"zkcredit.hazmat.native.{curve}")


# --- an independent model of the two formats (ints, no arkworks) ------------------------


@dataclass(frozen=True)
class Spec:
    """Enough of a curve to build on-curve points and their arkworks bytes by hand."""

    name: str
    q: int
    r: int
    b1: int
    b2: tuple[int, int]  # the twist's b in Fq2 = Fq[u]/(u^2 + 1)
    fq_bytes: int
    zcash: bool  # BLS12-381's big-endian ZCash layout, else arkworks' little-endian one

    # Fq2 arithmetic on (c0, c1) pairs; both curves use u^2 = -1.
    def mul2(self, a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
        q = self.q
        return ((a[0] * b[0] - a[1] * b[1]) % q, (a[0] * b[1] + a[1] * b[0]) % q)

    def sqrt1(self, a: int) -> int | None:
        y = pow(a, (self.q + 1) // 4, self.q)  # q = 3 mod 4 on both curves
        return y if y * y % self.q == a % self.q else None

    def sqrt2(self, a: tuple[int, int]) -> tuple[int, int] | None:
        q = self.q
        n = self.sqrt1((a[0] * a[0] + a[1] * a[1]) % q)
        if n is None:
            return None
        inv2 = pow(2, -1, q)
        for t in ((a[0] + n) * inv2 % q, (a[0] - n) * inv2 % q):
            x0 = self.sqrt1(t)
            if x0 is None:
                continue
            # x0 == 0 only when a = -c^2 for c in Fq; then x = c·u
            x = (0, self.sqrt1(-a[0] % q) or 0) if x0 == 0 else (x0, a[1] * pow(2 * x0, -1, q) % q)
            if self.mul2(x, x) == (a[0] % q, a[1] % q):
                return x
        return None

    def rhs(self, x: Any) -> Any:
        if isinstance(x, int):
            return (x * x * x + self.b1) % self.q
        x3 = self.mul2(self.mul2(x, x), x)
        return ((x3[0] + self.b2[0]) % self.q, (x3[1] + self.b2[1]) % self.q)

    def on_curve_point(self, group: str, seed: int) -> tuple[Any, Any]:
        """Some point (x, y) on the curve (G1) or the twist (G2), not necessarily in G."""
        x: Any
        while True:
            seed += 1
            x = seed if group == "G1" else (seed, 7 * seed + 1)
            y = self.sqrt1(self.rhs(x)) if group == "G1" else self.sqrt2(self.rhs(x))
            if y is not None:
                return x, y

    # arkworks' bytes
    def neg(self, y: Any) -> Any:
        return (-y) % self.q if isinstance(y, int) else ((-y[0]) % self.q, (-y[1]) % self.q)

    def larger(self, y: Any) -> bool:
        """Is y > -y in arkworks' order (Fq2: c1 first, then c0)?"""
        key = (lambda v: v) if isinstance(y, int) else (lambda v: (v[1], v[0]))
        return bool(key(y) > key(self.neg(y)))

    def fq(self, v: int) -> bytes:
        return v.to_bytes(self.fq_bytes, "big" if self.zcash else "little")

    def coord(self, c: Any) -> bytes:
        if isinstance(c, int):
            return self.fq(c)
        return self.fq(c[1]) + self.fq(c[0]) if self.zcash else self.fq(c[0]) + self.fq(c[1])

    def encode(self, point: tuple[Any, Any] | None, compressed: bool, group: str) -> bytes:
        width = self.fq_bytes * (1 if group == "G1" else 2)
        if point is None:
            raw = bytearray(width if compressed else 2 * width)
            if self.zcash:
                raw[0] |= 0x40 | (0x80 if compressed else 0)
            else:
                raw[-1] |= 0x40
            return bytes(raw)
        x, y = point
        raw = bytearray(self.coord(x) if compressed else self.coord(x) + self.coord(y))
        if self.zcash:
            raw[0] |= (0x80 | (0x20 if self.larger(y) else 0)) if compressed else 0
        elif self.larger(y):
            raw[-1] |= 0x80
        return bytes(raw)


SPECS = {
    "bn254": Spec(
        name="bn254",
        q=0x30644E72E131A029B85045B68181585D97816A916871CA8D3C208C16D87CFD47,
        r=0x30644E72E131A029B85045B68181585D2833E84879B9709143E1F593F0000001,
        b1=3,
        # 3 / (9 + u) = 3 (9 - u) / 82
        b2=(
            27 * pow(82, -1, 0x30644E72E131A029B85045B68181585D97816A916871CA8D3C208C16D87CFD47)
            % 0x30644E72E131A029B85045B68181585D97816A916871CA8D3C208C16D87CFD47,
            -3
            * pow(82, -1, 0x30644E72E131A029B85045B68181585D97816A916871CA8D3C208C16D87CFD47)
            % 0x30644E72E131A029B85045B68181585D97816A916871CA8D3C208C16D87CFD47,
        ),
        fq_bytes=32,
        zcash=False,
    ),
    "bls12_381": Spec(
        name="bls12_381",
        q=int(
            "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f624"
            "1eabfffeb153ffffb9feffffffffaaab",
            16,
        ),
        r=0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001,
        b1=4,
        b2=(4, 4),
        fq_bytes=48,
        zcash=True,
    ),
}


def public(point: tuple[Any, Any]) -> Any:
    """The to_affine() form: ints for G1, (c0, c1) tuples for G2."""
    return point


def pack(values: list[int]) -> bytes:
    return b"".join(v.to_bytes(32, "little") for v in values)


def unpack(data: bytes) -> list[int]:
    return [int.from_bytes(data[i : i + 32], "little") for i in range(0, len(data), 32)]


def group_of(mod: ModuleType, group: str) -> Any:
    return getattr(mod, group)


def random_points(mod: ModuleType, group: str, n: int) -> Any:
    return group_of(mod, group).generator().mul(mod.fr_random(n))


# --- constants ------------------------------------------------------------------------


@pytest.mark.parametrize("curve", CURVES)
def test_constants(curve: str) -> None:
    mod, spec = native(curve), SPECS[curve]
    got = {
        name: getattr(mod, name)
        for name in (
            "NAME", "SCALAR_MODULUS", "BASE_MODULUS", "TWO_ADICITY", "MULTIPLICATIVE_GENERATOR",
            "SCALAR_BYTES", "G1_COMPRESSED_BYTES", "G1_UNCOMPRESSED_BYTES",
            "G2_COMPRESSED_BYTES", "G2_UNCOMPRESSED_BYTES",
        )
    }
    want = {
        "NAME": curve,
        "SCALAR_MODULUS": spec.r,
        "BASE_MODULUS": spec.q,
        "TWO_ADICITY": {"bn254": 28, "bls12_381": 32}[curve],
        "MULTIPLICATIVE_GENERATOR": {"bn254": 5, "bls12_381": 7}[curve],
        "SCALAR_BYTES": 32,
        "G1_COMPRESSED_BYTES": spec.fq_bytes,
        "G1_UNCOMPRESSED_BYTES": 2 * spec.fq_bytes,
        "G2_COMPRESSED_BYTES": 2 * spec.fq_bytes,
        "G2_UNCOMPRESSED_BYTES": 4 * spec.fq_bytes,
    }
    assert got == want
    s = got["TWO_ADICITY"]
    assert (spec.r - 1) % (1 << s) == 0
    assert ((spec.r - 1) >> s) % 2 == 1


# --- scalar vectors -------------------------------------------------------------------


@pytest.mark.parametrize("curve", CURVES)
def test_scalar_ops_and_errors(curve: str) -> None:
    mod = native(curve)
    r = mod.SCALAR_MODULUS
    a = [0, 1, r - 1, 12345, secrets.randbelow(r)]
    b = [5, r - 1, r - 1, 0, secrets.randbelow(r)]
    pa, pb = pack(a), pack(b)
    assert unpack(mod.fr_add(pa, pb)) == [(x + y) % r for x, y in zip(a, b, strict=True)]
    assert unpack(mod.fr_sub(pa, pb)) == [(x - y) % r for x, y in zip(a, b, strict=True)]
    assert unpack(mod.fr_mul(pa, pb)) == [x * y % r for x, y in zip(a, b, strict=True)]
    assert unpack(mod.fr_neg(pa)) == [-x % r for x in a]
    assert unpack(mod.fr_inv(pack(a[1:]))) == [pow(x, -1, r) for x in a[1:]]
    assert mod.fr_add(b"", b"") == b""

    with pytest.raises(errors.DivisionByZero):
        mod.fr_inv(pa)  # a[0] == 0
    for bad in (pack([r]), pack([r + 1]), b"\xff" * 32):
        with pytest.raises(errors.NonCanonicalScalar):
            mod.fr_neg(bad)
        with pytest.raises(errors.NonCanonicalScalar):
            mod.fr_add(bad, pack([1]))
    for short in (b"\x00", b"\x00" * 33, pa[:-1]):
        with pytest.raises(errors.InvalidEncoding):
            mod.fr_neg(short)
    with pytest.raises(errors.InvalidArgument):
        mod.fr_add(pa, pb[:32])
    with pytest.raises(errors.InvalidArgument):
        mod.fr_mul(pa, b"")
    # every one of them is a MalformedInput (and a ValueError)
    with pytest.raises(ValueError):
        mod.fr_sub(pack([r]), pack([0]))


@pytest.mark.parametrize("curve", CURVES)
def test_fr_random(curve: str) -> None:
    mod = native(curve)
    data = mod.fr_random(2000)
    values = unpack(data)
    assert len(values) == 2000
    assert all(0 <= v < mod.SCALAR_MODULUS for v in values)
    assert len(set(values)) == 2000
    # uniform over [0, r): the top half of the range is hit
    assert any(v > mod.SCALAR_MODULUS // 2 for v in values)
    assert mod.fr_random(0) == b""
    assert mod.fr_random(1) != mod.fr_random(1)


# --- encodings: round trips ----------------------------------------------------------


@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize("group", GROUPS)
def test_round_trips_and_independent_encoder(curve: str, group: str) -> None:
    mod, spec = native(curve), SPECS[curve]
    cls = group_of(mod, group)
    v = random_points(mod, group, 6).concat(cls.identity()).concat(cls.generator())
    affine = v.to_affine()
    assert affine[6] is None
    assert cls.from_affine(affine) == v
    for compressed in FORMS:
        data = v.to_bytes(compressed=compressed)
        size = getattr(mod, f"{group}_{'' if compressed else 'UN'}COMPRESSED_BYTES")
        assert len(data) == len(v) * size
        assert cls.from_bytes(data, compressed=compressed) == v
        # the hand-written encoder agrees byte for byte
        mine = b"".join(spec.encode(p, compressed, group) for p in affine)
        assert mine == data
    assert cls.from_bytes(b"", compressed=True) == cls.from_affine([])
    assert len(cls.from_affine([])) == 0


def test_generators_are_the_standard_ones() -> None:
    assert native("bn254").G1.generator().to_affine() == [(1, 2)]
    g2 = native("bn254").G2.generator().to_affine()[0]
    assert g2 is not None
    assert g2[0][0] == int(
        "10857046999023057135944570762232829481370756359578518086990519993285655852781"
    )
    g1 = native("bls12_381").G1.generator().to_affine()[0]
    assert g1 is not None
    assert g1[0] == int(
        "17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb"
        "3af00adb22c6bb",
        16,
    )


# --- encodings: every malformed case raises its own class (B4) -------------------------


def flip(data: bytes, index: int, mask: int) -> bytes:
    raw = bytearray(data)
    raw[index] ^= mask
    return bytes(raw)


@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize("compressed", FORMS)
def test_decoding_rejects_each_case(curve: str, group: str, compressed: bool) -> None:
    mod, spec = native(curve), SPECS[curve]
    cls = group_of(mod, group)
    good_vec = random_points(mod, group, 2)
    good = good_vec[1].to_bytes(compressed=compressed)
    point = good_vec[1].to_affine()[0]
    assert point is not None

    def rejects(data: bytes, error: type[Exception]) -> None:
        with pytest.raises(error):
            cls.from_bytes(data, compressed=compressed)
        # inside a longer vector too (parallel decoding keeps the class)
        with pytest.raises(error):
            cls.from_bytes(good_vec.to_bytes(compressed=compressed) + data, compressed=compressed)

    # wrong length
    rejects(good[:-1], errors.InvalidEncoding)
    rejects(good + b"\x00", errors.InvalidEncoding)

    # coordinate >= q (the first serialized component of x set to q, flags kept)
    q_bytes = spec.fq(spec.q)
    raw = bytearray(good)
    flag_at, flag_mask = (0, 0xE0) if spec.zcash else (len(raw) - 1, 0xC0)
    flags = raw[flag_at] & flag_mask
    raw[: spec.fq_bytes] = q_bytes
    raw[flag_at] |= flags
    rejects(bytes(raw), errors.NonCanonicalCoordinate)

    # the point at infinity with non-zero coordinates
    identity = cls.identity().to_bytes(compressed=compressed)
    assert spec.encode(None, compressed, group) == identity
    rejects(flip(identity, len(identity) // 2, 0x01), errors.InvalidEncoding)

    # flags
    if spec.zcash:
        rejects(flip(good, 0, 0x80), errors.InvalidEncoding)  # compression bit wrong
        rejects(flip(identity, 0, 0x20), errors.InvalidEncoding)  # sign bit on infinity
        if not compressed:
            rejects(flip(good, 0, 0x20), errors.InvalidEncoding)  # sign bit, uncompressed
    else:
        rejects(flip(identity, len(identity) - 1, 0x80), errors.InvalidEncoding)  # both bits
        if not compressed:
            # arkworks ignores a wrong y-sign bit here; a second encoding is refused
            rejects(flip(good, len(good) - 1, 0x80), errors.InvalidEncoding)

    # off the curve: y + 1 (uncompressed), or an x with no y (compressed)
    x, y = point
    if compressed:
        seed = 10
        while True:
            seed += 1
            bad_x: Any = seed if group == "G1" else (seed, seed + 3)
            root = spec.sqrt1(spec.rhs(bad_x)) if group == "G1" else spec.sqrt2(spec.rhs(bad_x))
            if root is None:
                break
        rejects(spec.encode((bad_x, 1 if group == "G1" else (1, 0)), True, group),
                errors.PointNotOnCurve)
    else:
        y1 = (y + 1) % spec.q if group == "G1" else ((y[0] + 1) % spec.q, y[1])
        rejects(spec.encode((x, y1), False, group), errors.PointNotOnCurve)

    # on the curve (or twist) but outside the prime-order subgroup
    if not (curve == "bn254" and group == "G1"):  # BN254 G1 has cofactor 1
        outside = spec.on_curve_point(group, 1000)
        rejects(spec.encode(outside, compressed, group), errors.PointNotInSubgroup)
        with pytest.raises(errors.PointNotInSubgroup):
            cls.from_affine([public(outside)])


@pytest.mark.parametrize("curve", CURVES)
def test_swapped_fp2_order_is_rejected(curve: str) -> None:
    mod, spec = native(curve), SPECS[curve]
    for p in mod.G2.generator().mul(mod.fr_random(4)).to_affine():
        assert p is not None
        (x0, x1), (y0, y1) = p
        swapped = ((x1, x0), (y1, y0))
        with pytest.raises(errors.PointNotOnCurve):
            mod.G2.from_affine([swapped])
        with pytest.raises(errors.PointNotOnCurve):
            mod.G2.from_bytes(spec.encode(swapped, False, "G2"), compressed=False)
        with pytest.raises((errors.PointNotOnCurve, errors.PointNotInSubgroup)):
            mod.G2.from_bytes(spec.encode(swapped, True, "G2"), compressed=True)


@pytest.mark.parametrize("curve", CURVES)
def test_from_affine_rejects_each_case(curve: str) -> None:
    mod, spec = native(curve), SPECS[curve]
    q = spec.q
    (x, y) = mod.G1.generator().to_affine()[0] or (0, 0)
    for bad, error in [
        ((q, y), errors.NonCanonicalCoordinate),
        ((x, y + q), errors.NonCanonicalCoordinate),
        ((-1, y), errors.NonCanonicalCoordinate),
        ((x, 1 << 1000), errors.NonCanonicalCoordinate),
        ((x, (y + 1) % q), errors.PointNotOnCurve),
        ((0, 0), errors.PointNotOnCurve),
        ((x,), errors.InvalidEncoding),
        ((x, y, 1), errors.InvalidEncoding),
        ((str(x), y), errors.InvalidEncoding),
        ((True, y), errors.InvalidEncoding),
        ([x, y], errors.InvalidEncoding),
    ]:
        with pytest.raises(error):
            mod.G1.from_affine([bad])
    g2 = mod.G2.generator().to_affine()[0]
    assert g2 is not None
    (x0, x1), (y0, y1) = g2
    for bad2, error in [
        (((x0, x1 + q), (y0, y1)), errors.NonCanonicalCoordinate),
        (((x0, x1), (y0, (y1 + 1) % q)), errors.PointNotOnCurve),
        ((x0, (y0, y1)), errors.InvalidEncoding),
        (((x0, x1, 0), (y0, y1)), errors.InvalidEncoding),
    ]:
        with pytest.raises(error):
            mod.G2.from_affine([bad2])
    with pytest.raises(errors.MalformedInput):
        mod.G1.from_affine([None, (x, (y + 1) % q)])


# --- the vector type ------------------------------------------------------------------


@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize("group", GROUPS)
def test_vector_semantics(curve: str, group: str) -> None:
    mod = native(curve)
    cls = group_of(mod, group)
    scalars = mod.fr_random(5)
    v = cls.generator().mul(scalars)
    assert len(v) == 5
    assert v[-1] == v[4]
    assert v[1:3] == v[1].concat(v[2])
    assert v[::2] == v[0].concat(v[2]).concat(v[4])
    assert len(v[5:]) == 0
    assert [len(p) for p in v] == [1] * 5  # iteration yields length-1 vectors
    with pytest.raises(IndexError):
        v[5]
    with pytest.raises(TypeError):
        v["0"]
    # elementwise algebra
    zeros = v + (-v)
    assert zeros == cls.identity().mul(pack([0] * 5))
    assert all(p == cls.identity() for p in zeros)
    assert v + v == v.mul(pack([2]))  # a length-1 scalar vector broadcasts
    assert v.mul(pack([1] * 5)) == v
    per_element = [cls.generator().mul(scalars[32 * i : 32 * i + 32]) for i in range(5)]
    assert [v[i] for i in range(5)] == per_element
    with pytest.raises(errors.InvalidArgument):
        v + v[:2]
    with pytest.raises(errors.InvalidArgument):
        v.mul(pack([1, 2]))
    with pytest.raises(errors.NonCanonicalScalar):
        v.mul(pack([mod.SCALAR_MODULUS]))
    # value semantics: equal vectors hash equally; vectors are immutable
    again = cls.from_bytes(v.to_bytes(compressed=True), compressed=True)
    assert again == v and hash(again) == hash(v)
    assert v != v[:4]
    assert v != object()
    with pytest.raises(AttributeError):
        v.points = None  # type: ignore[attr-defined]
    # the two curves' classes do not mix
    other = native("bls12_381" if curve == "bn254" else "bn254")
    with pytest.raises(TypeError):
        v + group_of(other, group).generator()
    assert repr(cls.identity()).endswith(f"{group} vector of 1 point(s)>")


# --- MSM equals the naive sum (B9) ------------------------------------------------------


@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize("group", GROUPS)
def test_msm_equals_naive_sum(curve: str, group: str) -> None:
    mod = native(curve)
    cls = group_of(mod, group)
    msm = mod.g1_msm if group == "G1" else mod.g2_msm
    r = mod.SCALAR_MODULUS
    for n in (0, 1, 2, 17, 64):
        points = random_points(mod, group, n)
        scalars = unpack(mod.fr_random(n))
        if n >= 2:
            points = points[:1].concat(cls.identity()).concat(points[2:])  # identity point
            scalars[0] = 0  # zero scalar
        if n >= 4:
            points = points[:3].concat(points[2:3]).concat(points[4:])  # repeated point
            scalars[3] = r - 1
        naive = cls.identity()
        for i in range(n):
            naive = naive + points[i].mul(pack([scalars[i]]))
        got = msm(points, pack(scalars))
        assert len(got) == 1
        assert got == naive, n
    with pytest.raises(errors.InvalidArgument):
        msm(random_points(mod, group, 3), mod.fr_random(2))
    with pytest.raises(errors.NonCanonicalScalar):
        msm(cls.generator(), pack([r]))
    with pytest.raises(errors.InvalidEncoding):
        msm(cls.generator(), b"\x01")


def test_msm_is_thread_safe_and_releases_the_gil() -> None:
    mod = native("bn254")
    points = random_points(mod, "G1", 2048)
    scalars = mod.fr_random(2048)
    expected = mod.g1_msm(points, scalars)
    results: list[Any] = []

    def work() -> None:
        results.append(mod.g1_msm(points, scalars))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


# --- FFT --------------------------------------------------------------------------------


@pytest.mark.parametrize("curve", CURVES)
def test_fft_round_trips_and_naive_evaluation(curve: str) -> None:
    mod = native(curve)
    r, g = mod.SCALAR_MODULUS, mod.MULTIPLICATIVE_GENERATOR
    for log_n in (0, 1, 2, 5, 10):
        n = 1 << log_n
        coeffs = mod.fr_random(n)
        assert mod.ifft(mod.fft(coeffs)) == coeffs
        assert mod.fft(mod.ifft(coeffs)) == coeffs
        assert mod.coset_ifft(mod.coset_fft(coeffs)) == coeffs
        if n <= 32:
            c = unpack(coeffs)
            omega = pow(g, (r - 1) // n, r)

            def at(x: int, c: list[int] = c) -> int:
                return sum(ci * pow(x, i, r) for i, ci in enumerate(c)) % r

            assert unpack(mod.fft(coeffs)) == [at(pow(omega, i, r)) for i in range(n)]
            assert unpack(mod.coset_fft(coeffs)) == [at(g * pow(omega, i, r)) for i in range(n)]
    for bad_n in (0, 3, 6, 100):
        for f in (mod.fft, mod.ifft, mod.coset_fft, mod.coset_ifft):
            with pytest.raises(errors.InvalidDomain):
                f(bytes(32 * bad_n))
    with pytest.raises(errors.InvalidEncoding):
        mod.fft(bytes(33))
    with pytest.raises(errors.NonCanonicalScalar):
        mod.fft(pack([r, 0]))


# --- pairing (B9) ---------------------------------------------------------------------


@pytest.mark.parametrize("curve", CURVES)
def test_pairing_bilinearity_and_non_degeneracy(curve: str) -> None:
    mod = native(curve)
    r = mod.SCALAR_MODULUS
    a, b = secrets.randbelow(r - 1) + 1, secrets.randbelow(r - 1) + 1
    g1, g2 = mod.G1.generator(), mod.G2.generator()
    a_g1 = g1.mul(pack([a]))
    b_g2 = g2.mul(pack([b]))
    minus_ab_g1 = g1.mul(pack([(-a * b) % r]))
    # e(aP, bQ) · e(-abP, Q) == 1
    assert mod.pairing_check(a_g1.concat(minus_ab_g1), b_g2.concat(g2))
    # e(aP, bQ) · e(-abP, bQ)... is not 1 unless ab == a
    assert not mod.pairing_check(a_g1.concat(a_g1), b_g2.concat(g2))
    # e(P, Q) != 1
    assert not mod.pairing_check(g1, g2)
    # e(P, Q)^r == 1: r·P is the identity
    assert g1.mul(pack([r - 1])) + g1 == mod.G1.identity()
    # identities and the empty product
    assert mod.pairing_check(mod.G1.identity(), g2)
    assert mod.pairing_check(g1, mod.G2.identity())
    assert mod.pairing_check(mod.G1.from_affine([]), mod.G2.from_affine([]))
    with pytest.raises(errors.InvalidArgument):
        mod.pairing_check(g1, mod.G2.from_affine([]))
    with pytest.raises(TypeError):
        mod.pairing_check(g2, g1)


# --- NativeUnavailable ------------------------------------------------------------------


def test_missing_core_raises_native_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "zkcredit._native", None)
    for curve in CURVES:
        monkeypatch.delitem(sys.modules, f"zkcredit._native.{curve}", raising=False)
        monkeypatch.delitem(sys.modules, f"zkcredit.hazmat.native.{curve}", raising=False)
        with pytest.raises(errors.NativeUnavailable, match="not available"):
            importlib.import_module(f"zkcredit.hazmat.native.{curve}")
