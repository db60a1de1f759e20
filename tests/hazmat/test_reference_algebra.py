"""Decoding rejects every malformed input of ADVERSARIAL.md B4 with its own error class.

Each case runs on all four curve modules (native and reference, BN254 and BLS12-381):
the malformed bytes are built with the reference's encoder, so a native module that
passes here also agrees with the reference on the byte format. Reference-only
behaviours (MSM vs the naive sum, e(g1, g2)^r = 1, square roots, import hygiene) and
the strict text encodings (decimal strings, snarkjs JSON points) are tested too.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from zkcredit.errors import (
    DivisionByZero,
    InvalidArgument,
    InvalidDomain,
    InvalidEncoding,
    NonCanonicalCoordinate,
    NonCanonicalScalar,
    PointNotInSubgroup,
    PointNotOnCurve,
)
from zkcredit.hazmat import encoding
from zkcredit.hazmat.reference import bls12_381 as ref_bls
from zkcredit.hazmat.reference import bn254 as ref_bn

from ._support import (
    CURVES,
    MODULES,
    load,
    pack,
    point_outside_subgroup,
    public_affine,
    reference_spec,
    unpack,
)

GROTH16 = Path(__file__).resolve().parents[1] / "data" / "external" / "groth16"
FORMS = ["compressed", "uncompressed", "affine", "snarkjs"]
BYTE_FORMS = ["compressed", "uncompressed"]


@pytest.fixture(params=MODULES)
def mod(request: pytest.FixtureRequest) -> ModuleType:
    return load(request.param)


def curve_of(mod: ModuleType) -> str:
    return mod.__name__.rsplit(".", 1)[1]


def sample_point(curve: str, group: str, k: int = 7) -> tuple[Any, Any]:
    """k·generator in the reference's internal form (tuples of ints)."""
    ref = ref_bn if curve == "bn254" else ref_bls
    vec = getattr(ref, group).generator().mul(pack([k]))
    point = vec._points[0]
    assert point is not None
    return point


def decode(mod: ModuleType, group: str, form: str, point: tuple[Any, Any] | None) -> Any:
    """Feed a (possibly invalid) internal-form point to ``mod`` in the given form."""
    curve = curve_of(mod)
    spec = reference_spec(curve, group)
    cls = getattr(mod, group)
    if form in BYTE_FORMS:
        compressed = form == "compressed"
        return cls.from_bytes(spec.encode(point, compressed), compressed=compressed)
    if form == "affine":
        return cls.from_affine([None if point is None else public_affine(point)])
    parse = encoding.g1_from_snarkjs if group == "G1" else encoding.g2_from_snarkjs
    return parse(mod, to_snarkjs(point, group))


def to_snarkjs(point: tuple[Any, Any] | None, group: str) -> Any:
    if point is None:
        return ["0", "1", "0"] if group == "G1" else [["0", "0"], ["1", "0"], ["0", "0"]]
    x, y = point
    if len(x) == 1:
        return [str(x[0]), str(y[0]), "1"]
    return [[str(c) for c in x], [str(c) for c in y], ["1", "0"]]


# --- B4: malformed points ----------------------------------------------------------


@pytest.mark.parametrize("group", ["G1", "G2"])
@pytest.mark.parametrize("form", FORMS)
def test_valid_point_decodes_in_every_form(mod: ModuleType, group: str, form: str) -> None:
    point = sample_point(curve_of(mod), group)
    got = decode(mod, group, form, point)
    assert got.to_affine() == [public_affine(point)]
    assert decode(mod, group, form, None) == getattr(mod, group).identity()


@pytest.mark.parametrize("group", ["G1", "G2"])
@pytest.mark.parametrize("form", ["uncompressed", "affine", "snarkjs"])
def test_off_curve_y_plus_one(mod: ModuleType, group: str, form: str) -> None:
    curve = curve_of(mod)
    x, y = sample_point(curve, group)
    q = mod.BASE_MODULUS
    bad_y = ((y[0] + 1) % q, *y[1:])
    with pytest.raises(PointNotOnCurve):
        decode(mod, group, form, (x, bad_y))


@pytest.mark.parametrize("group", ["G1", "G2"])
def test_compressed_x_with_no_point(mod: ModuleType, group: str) -> None:
    spec = reference_spec(curve_of(mod), group)
    x = spec.field.zero()
    while spec.field.sqrt(spec.rhs(x)) is not None:  # x^3 + b must be a non-square
        x = ((x[0] + 1) % spec.field.q, *x[1:])
    with pytest.raises(PointNotOnCurve):
        decode(mod, group, "compressed", (x, spec.field.zero()))


def _aliased(value: int, q: int, limit_bits: int) -> int:
    """value + q if that still fits below the flag bits, else q itself (both >= q)."""
    return value + q if value + q < 1 << limit_bits else q


_COORDINATE_CASES = [
    (group, form, coordinate, component)
    for group, components in (("G1", [0]), ("G2", [0, 1]))
    for form in FORMS
    for coordinate in (["x"] if form == "compressed" else ["x", "y"])
    for component in components
]


@pytest.mark.parametrize(("group", "form", "coordinate", "component"), _COORDINATE_CASES)
@pytest.mark.parametrize("alias", [False, True])
def test_coordinate_not_below_q(
    mod: ModuleType, group: str, form: str, coordinate: str, component: int, alias: bool
) -> None:
    curve = curve_of(mod)
    spec = reference_spec(curve, group)
    q = mod.BASE_MODULUS
    limit = 254 if curve == "bn254" else 381  # bits left free by the flags
    x, y = (list(c) for c in sample_point(curve, group))
    target = x if coordinate == "x" else y
    target[component] = _aliased(target[component], q, limit) if alias else q
    bad = (tuple(x), tuple(y))
    if form in BYTE_FORMS:
        data = spec.encode(bad, form == "compressed")
        with pytest.raises(NonCanonicalCoordinate):
            getattr(mod, group).from_bytes(data, compressed=form == "compressed")
    else:
        with pytest.raises(NonCanonicalCoordinate):
            decode(mod, group, form, bad)


@pytest.mark.parametrize("group", ["G1", "G2"])
def test_negative_affine_coordinate(mod: ModuleType, group: str) -> None:
    x, y = public_affine(sample_point(curve_of(mod), group))
    bad = (-1, y) if group == "G1" else ((-1, x[1]), y)
    with pytest.raises(NonCanonicalCoordinate):
        getattr(mod, group).from_affine([bad])


@pytest.mark.parametrize("group", ["G1", "G2"])
@pytest.mark.parametrize("form", FORMS)
def test_point_outside_prime_order_subgroup(mod: ModuleType, group: str, form: str) -> None:
    curve = curve_of(mod)
    if curve == "bn254" and group == "G1":
        pytest.skip("BN254 G1 has cofactor 1: every curve point is in the subgroup")
    point = point_outside_subgroup(curve, group)
    with pytest.raises(PointNotInSubgroup):
        decode(mod, group, form, point)


def _expected_error(spec: Any, point: tuple[Any, Any], compressed: bool) -> type[Exception]:
    x = point[0]
    if compressed:
        root = spec.field.sqrt(spec.rhs(x))
        if root is None:
            return PointNotOnCurve
        return PointNotInSubgroup if not spec.in_subgroup((x, root)) else type(None)
    if not spec.on_curve(point):
        return PointNotOnCurve
    return PointNotInSubgroup if not spec.in_subgroup(point) else type(None)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("k", [1, 7, 12345])
def test_swapped_fp2_components(mod: ModuleType, form: str, k: int) -> None:
    curve = curve_of(mod)
    spec = reference_spec(curve, "G2")
    x, y = sample_point(curve, "G2", k)
    swapped = (x[::-1], y[::-1])
    expected = _expected_error(spec, swapped, form == "compressed")
    assert expected is not type(None), "swapping produced a valid point; pick another k"
    with pytest.raises(expected):
        decode(mod, "G2", form, swapped)


# flags -----------------------------------------------------------------------------


def _encodings(mod: ModuleType, group: str) -> dict[str, bytes]:
    curve = curve_of(mod)
    spec = reference_spec(curve, group)
    point = sample_point(curve, group)
    larger = point if spec.field.is_larger(point[1]) else (point[0], spec.field.neg(point[1]))
    smaller = (larger[0], spec.field.neg(larger[1]))
    return {
        "compressed_larger": spec.encode(larger, True),
        "compressed_smaller": spec.encode(smaller, True),
        "uncompressed_larger": spec.encode(larger, False),
        "uncompressed_smaller": spec.encode(smaller, False),
        "compressed_infinity": spec.encode(None, True),
        "uncompressed_infinity": spec.encode(None, False),
    }


def _flip(data: bytes, index: int, mask: int, *, set_bits: bool = True) -> bytes:
    out = bytearray(data)
    if set_bits:
        out[index] |= mask
    else:
        out[index] &= ~mask & 0xFF
    return bytes(out)


def _bad_flag_cases(mod: ModuleType, group: str) -> list[tuple[str, bytes, bool]]:
    enc = _encodings(mod, group)
    cases: list[tuple[str, bytes, bool]] = []
    if curve_of(mod) == "bn254":  # flags in the last byte: 0x80 y-sign, 0x40 infinity
        for form in BYTE_FORMS:
            c = form == "compressed"
            larger, smaller, inf = (enc[f"{form}_{k}"] for k in ("larger", "smaller", "infinity"))
            cases += [
                (f"{form}: infinity and y-sign both set", _flip(larger, -1, 0x40), c),
                (f"{form}: infinity flag on a real point", _flip(smaller, -1, 0x40), c),
                (f"{form}: infinity with y-sign", _flip(inf, -1, 0x80), c),
                (f"{form}: infinity with a stray bit", _flip(inf, 0, 0x01), c),
            ]
        cases += [
            (
                "uncompressed: y-sign flag set on the smaller y",
                _flip(enc["uncompressed_smaller"], -1, 0x80),
                False,
            ),
            (
                "uncompressed: y-sign flag missing on the larger y",
                _flip(enc["uncompressed_larger"], -1, 0x80, set_bits=False),
                False,
            ),
        ]
    else:  # ZCash: first byte 0x80 compressed, 0x40 infinity, 0x20 y-sign
        cases += [
            (
                "compressed without the compression flag",
                _flip(enc["compressed_smaller"], 0, 0x80, set_bits=False),
                True,
            ),
            (
                "uncompressed with the compression flag",
                _flip(enc["uncompressed_smaller"], 0, 0x80),
                False,
            ),
            (
                "uncompressed with the y-sign flag",
                _flip(enc["uncompressed_smaller"], 0, 0x20),
                False,
            ),
            (
                "compressed infinity with the y-sign flag",
                _flip(enc["compressed_infinity"], 0, 0x20),
                True,
            ),
            (
                "compressed infinity with a stray bit",
                _flip(enc["compressed_infinity"], -1, 0x01),
                True,
            ),
            (
                "uncompressed infinity with a stray bit",
                _flip(enc["uncompressed_infinity"], -1, 0x01),
                False,
            ),
            (
                "infinity flag on a real point (compressed)",
                _flip(enc["compressed_smaller"], 0, 0x40),
                True,
            ),
            (
                "infinity flag on a real point (uncompressed)",
                _flip(enc["uncompressed_smaller"], 0, 0x40),
                False,
            ),
            (
                "compressed bytes read as uncompressed-sized pair",
                enc["compressed_smaller"] * 2,
                False,
            ),
        ]
    return cases


@pytest.mark.parametrize("group", ["G1", "G2"])
def test_bad_flags(mod: ModuleType, group: str) -> None:
    cls = getattr(mod, group)
    for label, data, compressed in _bad_flag_cases(mod, group):
        with pytest.raises(InvalidEncoding):
            cls.from_bytes(data, compressed=compressed)
            pytest.fail(f"accepted: {label}")


@pytest.mark.parametrize("group", ["G1", "G2"])
def test_compressed_sign_flag_selects_the_root(mod: ModuleType, group: str) -> None:
    enc = _encodings(mod, group)
    cls = getattr(mod, group)
    larger = cls.from_bytes(enc["compressed_larger"], compressed=True)
    smaller = cls.from_bytes(enc["compressed_smaller"], compressed=True)
    assert larger == -smaller and larger != smaller
    assert cls.from_bytes(enc["uncompressed_larger"], compressed=False) == larger


@pytest.mark.parametrize("group", ["G1", "G2"])
@pytest.mark.parametrize("compressed", [True, False])
def test_wrong_length(mod: ModuleType, group: str, compressed: bool) -> None:
    cls = getattr(mod, group)
    size = getattr(mod, f"{group}_{'COMPRESSED' if compressed else 'UNCOMPRESSED'}_BYTES")
    good = cls.generator().to_bytes(compressed=compressed)
    assert len(good) == size
    assert len(cls.from_bytes(b"", compressed=compressed)) == 0
    assert len(cls.from_bytes(good * 3, compressed=compressed)) == 3
    for bad in (good[:-1], good + b"\x00", good * 2 + good[:1], good[:1]):
        with pytest.raises(InvalidEncoding):
            cls.from_bytes(bad, compressed=compressed)


def test_encoding_sizes(mod: ModuleType) -> None:
    sizes = {
        "bn254": (32, 64, 64, 128),
        "bls12_381": (48, 96, 96, 192),
    }[curve_of(mod)]
    assert sizes == (
        mod.G1_COMPRESSED_BYTES,
        mod.G1_UNCOMPRESSED_BYTES,
        mod.G2_COMPRESSED_BYTES,
        mod.G2_UNCOMPRESSED_BYTES,
    )
    assert mod.SCALAR_BYTES == 32


def test_known_generator_encodings(mod: ModuleType) -> None:
    g1 = mod.G1.generator()
    g2 = mod.G2.generator()
    if curve_of(mod) == "bn254":
        assert g1.to_bytes(compressed=True) == (1).to_bytes(32, "little")
        assert g1.to_bytes(compressed=False) == (1).to_bytes(32, "little") + (2).to_bytes(
            32, "little"
        )
        assert g1.to_affine() == [(1, 2)]
    else:  # the ZCash/IETF serialized generators
        assert g1.to_bytes(compressed=True).hex() == (
            "97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac58"
            "6c55e83ff97a1aeffb3af00adb22c6bb"
        )
        assert g2.to_bytes(compressed=True).hex() == (
            "93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049"
            "334cf11213945d57e5ac7d055d042b7e024aa2b2f08f0a91260805272dc51051"
            "c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8"
        )
    identity_c = mod.G1.identity().to_bytes(compressed=True)
    if curve_of(mod) == "bn254":
        assert identity_c == bytes(31) + b"\x40"
        assert mod.G2.identity().to_bytes(compressed=False) == bytes(127) + b"\x40"
    else:
        assert identity_c == b"\xc0" + bytes(47)
        assert mod.G2.identity().to_bytes(compressed=False) == b"\x40" + bytes(191)


# --- scalars and argument checks ---------------------------------------------------


def test_scalar_vector_errors(mod: ModuleType) -> None:
    r = mod.SCALAR_MODULUS
    one = pack([1])
    for bad in (pack([r]), pack([r + 1]), b"\xff" * 32, pack([1, r])):
        n = len(bad) // 32
        with pytest.raises(NonCanonicalScalar):
            mod.fr_add(bad, one * n)
        with pytest.raises(NonCanonicalScalar):
            mod.fr_neg(bad)
        with pytest.raises(NonCanonicalScalar):
            mod.G1.generator().mul(bad)
    for bad_length in (b"\x01", bytes(31), bytes(33), bytes(65)):
        with pytest.raises(InvalidEncoding):
            mod.fr_neg(bad_length)
    with pytest.raises(InvalidArgument):
        mod.fr_add(pack([1, 2]), one)
    with pytest.raises(DivisionByZero):
        mod.fr_inv(pack([3, 0]))
    assert mod.fr_neg(b"") == b""
    assert mod.fr_inv(pack([1, r - 1])) == pack([1, r - 1])


def test_fr_random(mod: ModuleType) -> None:
    assert mod.fr_random(0) == b""
    values = unpack(mod.fr_random(16))
    assert len(values) == 16 and all(0 <= v < mod.SCALAR_MODULUS for v in values)
    assert len(set(values)) == 16


@pytest.mark.parametrize("n", [0, 3, 5, 6, 12, 24])
def test_fft_rejects_bad_domain(mod: ModuleType, n: int) -> None:
    data = pack([1] * n)
    for f in (mod.fft, mod.ifft, mod.coset_fft, mod.coset_ifft):
        with pytest.raises(InvalidDomain):
            f(data)


def test_fft_rejects_non_canonical(mod: ModuleType) -> None:
    with pytest.raises(NonCanonicalScalar):
        mod.fft(pack([1, mod.SCALAR_MODULUS]))
    with pytest.raises(InvalidEncoding):
        mod.fft(bytes(33))


def test_length_mismatches(mod: ModuleType) -> None:
    g1, g2 = mod.G1.generator(), mod.G2.generator()
    two = g1.concat(g1)
    with pytest.raises(InvalidArgument):
        mod.g1_msm(two, pack([1]))
    with pytest.raises(InvalidArgument):
        mod.g2_msm(g2, pack([1, 2]))
    with pytest.raises(InvalidArgument):
        mod.pairing_check(two, g2)
    with pytest.raises(InvalidArgument):
        _ = two + g1
    with pytest.raises(InvalidArgument):
        _ = g1 + two
    with pytest.raises(InvalidArgument):
        two.concat(two).mul(pack([1, 2]))


def test_vector_basics(mod: ModuleType) -> None:
    g = mod.G1.generator()
    v = g.mul(pack([1, 2, 3]))
    assert len(v) == 3 and v[1] == g + g and v[2] == g + g + g
    assert v.concat(mod.G1.identity())[3] == mod.G1.identity()
    assert (v + -v) == mod.G1.identity().mul(pack([1, 1, 1]))
    assert v[1:] == v[1].concat(v[2]) and v[-1] == v[2] and len(v[3:]) == 0
    with pytest.raises(IndexError):
        v[3]
    minus = -v
    assert -minus == v and minus + v == v + minus
    assert mod.g1_msm(mod.G1.from_bytes(b"", compressed=True), b"") == mod.G1.identity()
    assert mod.pairing_check(
        mod.G1.from_bytes(b"", compressed=True), mod.G2.from_bytes(b"", compressed=True)
    )


# --- snarkjs JSON points -----------------------------------------------------------


@pytest.fixture(params=["native.bn254", "reference.bn254"])
def bn(request: pytest.FixtureRequest) -> ModuleType:
    return load(request.param)


def _json(name: str) -> Any:
    return json.loads((GROTH16 / "multiplier_range" / name).read_text())


def test_snarkjs_verification_key_and_proof_round_trip(bn: ModuleType) -> None:
    vk = _json("verification_key.json")
    proof = _json("proof.json")
    g1s = {"vk_alpha_1": vk["vk_alpha_1"], "pi_a": proof["pi_a"], "pi_c": proof["pi_c"]}
    g1s.update({f"IC[{i}]": p for i, p in enumerate(vk["IC"])})
    g2s = {k: vk[k] for k in ("vk_beta_2", "vk_gamma_2", "vk_delta_2")} | {"pi_b": proof["pi_b"]}
    for name, obj in g1s.items():
        point = encoding.g1_from_snarkjs(bn, obj, what=name)
        assert encoding.g1_to_snarkjs(point) == obj, name
    for name, obj in g2s.items():
        point = encoding.g2_from_snarkjs(bn, obj, what=name)
        assert encoding.g2_to_snarkjs(point) == obj, name


@pytest.mark.parametrize(
    ("case", "field", "error"),
    [
        ("g1_pi_a_x_plus_1", "pi_a", PointNotOnCurve),
        ("g2_pi_b_x_c0_plus_1", "pi_b", PointNotOnCurve),
    ],
)
def test_snarkjs_tampered_points_refused(
    bn: ModuleType, case: str, field: str, error: type[Exception]
) -> None:
    proof = _json(f"tampered/{case}.proof.json")
    parse = encoding.g1_from_snarkjs if field != "pi_b" else encoding.g2_from_snarkjs
    with pytest.raises(error, match=field):
        parse(bn, proof[field], what=field)


def test_snarkjs_on_curve_tampering_decodes(bn: ModuleType) -> None:
    proof = _json("proof.json")
    a = encoding.g1_from_snarkjs(bn, proof["pi_a"])
    b = encoding.g2_from_snarkjs(bn, proof["pi_b"])
    c = encoding.g1_from_snarkjs(bn, proof["pi_c"])
    negated = _json("tampered/g1_pi_c_y_negated.proof.json")
    assert encoding.g1_from_snarkjs(bn, negated["pi_c"]) == -c
    malleated = _json("tampered/malleated_neg_a_neg_b.proof.json")
    assert encoding.g1_from_snarkjs(bn, malleated["pi_a"]) == -a
    assert encoding.g2_from_snarkjs(bn, malleated["pi_b"]) == -b
    swapped = _json("tampered/a_c_swapped.proof.json")
    assert encoding.g1_from_snarkjs(bn, swapped["pi_a"]) == c


def test_snarkjs_infinity_and_bad_shapes(bn: ModuleType) -> None:
    assert encoding.g1_from_snarkjs(bn, ["0", "1", "0"]) == bn.G1.identity()
    g2_inf = [["0", "0"], ["1", "0"], ["0", "0"]]
    assert encoding.g2_from_snarkjs(bn, g2_inf) == bn.G2.identity()
    assert encoding.g1_to_snarkjs(bn.G1.identity()) == ["0", "1", "0"]
    assert encoding.g2_to_snarkjs(bn.G2.identity()) == g2_inf
    gen = encoding.g1_to_snarkjs(bn.G1.generator())
    assert gen == ["1", "2", "1"]
    q = str(bn.BASE_MODULUS)
    bad_g1: list[tuple[Any, type[Exception], str]] = [
        (["1", "2", "2"], InvalidEncoding, "projective"),
        (["1", "2", "0"], InvalidEncoding, "infinity"),
        (["0", "0", "0"], InvalidEncoding, "infinity"),
        (["1", "2"], InvalidEncoding, "3 elements"),
        (["1", "2", "1", "1"], InvalidEncoding, "3 elements"),
        ("1,2,1", InvalidEncoding, "array"),
        ([1, 2, 1], InvalidEncoding, "decimal string"),
        (["01", "2", "1"], InvalidEncoding, "leading zero"),
        (["1", "+2", "1"], InvalidEncoding, "not a decimal"),
        (["1", " 2", "1"], InvalidEncoding, "not a decimal"),
        ([q, "2", "1"], NonCanonicalCoordinate, "x"),
        (["1", "3", "1"], PointNotOnCurve, "G1 point"),
        (["1", "9" * 5000, "1"], NonCanonicalCoordinate, "digits"),
    ]
    for obj, error, message in bad_g1:
        with pytest.raises(error, match=message):
            encoding.g1_from_snarkjs(bn, obj)
    g2 = encoding.g2_to_snarkjs(bn.G2.generator())
    with pytest.raises(InvalidEncoding, match="projective"):
        encoding.g2_from_snarkjs(bn, [g2[0], g2[1], ["1", "1"]])
    with pytest.raises(PointNotOnCurve):
        encoding.g2_from_snarkjs(bn, [g2[0][::-1], g2[1][::-1], ["1", "0"]])
    with pytest.raises(InvalidEncoding, match="2 elements"):
        encoding.g2_from_snarkjs(bn, [g2[0] + ["0"], g2[1], ["1", "0"]])
    with pytest.raises(InvalidArgument):
        encoding.g1_to_snarkjs(bn.G1.generator().concat(bn.G1.generator()))


# --- strict decimal and scalar-vector encodings -------------------------------------

R = ref_bn.SCALAR_MODULUS


@pytest.mark.parametrize("text", ["0", "1", "42", str(R - 1)])
def test_parse_decimal_accepts(text: str) -> None:
    assert encoding.parse_decimal(text, R, "v") == int(text)


@pytest.mark.parametrize(
    "text",
    ["", "00", "01", "-1", "+1", " 1", "1 ", "1\n", "1_000", "1e3", "0x10", "١٢", "½", "²", "1.0"],
)
def test_parse_decimal_rejects_malformed(text: str) -> None:
    with pytest.raises(InvalidEncoding, match="where"):
        encoding.parse_decimal(text, R, "where")


def test_parse_decimal_non_canonical_and_huge() -> None:
    with pytest.raises(NonCanonicalScalar):
        encoding.parse_decimal(str(R), R, "v")
    with pytest.raises(NonCanonicalCoordinate):
        encoding.parse_decimal(str(R + 5), R, "v", noncanonical=NonCanonicalCoordinate)
    start = time.perf_counter()
    with pytest.raises(NonCanonicalScalar, match="5000 digits"):
        encoding.parse_decimal("9" * 5000, R, "v")
    with pytest.raises(InvalidEncoding):
        encoding.parse_decimal("9" * 4999 + "x", R, "v")
    with pytest.raises(InvalidEncoding):
        encoding.parse_decimal("0" * 50000, R, "v")
    assert time.perf_counter() - start < 0.5
    with pytest.raises(InvalidEncoding):
        encoding.parse_decimal(12, R, "v")


def test_pack_unpack_scalars_strict() -> None:
    assert encoding.unpack_scalars(encoding.pack_scalars([0, 1, R - 1], R), R) == [0, 1, R - 1]
    with pytest.raises(NonCanonicalScalar):
        encoding.pack_scalars([R], R)
    with pytest.raises(NonCanonicalScalar):
        encoding.pack_scalars([-1], R)
    with pytest.raises(InvalidEncoding):
        encoding.pack_scalars([True], R)
    with pytest.raises(InvalidEncoding):
        encoding.unpack_scalars(bytes(31), R)
    with pytest.raises(NonCanonicalScalar, match="element 1"):
        encoding.unpack_scalars(pack([0, R]), R)


# --- reference-only behaviours (B9 on the oracle itself) ----------------------------


@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize("group", ["G1", "G2"])
def test_reference_msm_equals_naive_sum(curve: str, group: str) -> None:
    ref = ref_bn if curve == "bn254" else ref_bls
    cls = getattr(ref, group)
    msm = ref.g1_msm if group == "G1" else ref.g2_msm
    r = ref.SCALAR_MODULUS
    base = cls.generator().mul(pack([3, 5, 11]))
    points = base.concat(cls.identity()).concat(base[0]).concat(base[1])  # repeats, identity
    for scalars in ([0, 0, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6], [r - 1, 0, 7, 9, 1, r - 2]):
        naive = cls.identity()
        for i, k in enumerate(scalars):
            naive = naive + points[i].mul(pack([k]))
        assert msm(points, pack(scalars)) == naive
        exponent = (
            3 * scalars[0] + 5 * scalars[1] + 11 * scalars[2] + 3 * scalars[4] + 5 * scalars[5]
        ) % r
        assert naive == cls.generator().mul(pack([exponent]))


@pytest.mark.parametrize("curve", CURVES)
def test_reference_pairing_order_and_bilinearity(curve: str) -> None:
    ref = ref_bn if curve == "bn254" else ref_bls
    r = ref.SCALAR_MODULUS
    p, q = ref.G1.generator(), ref.G2.generator()
    # e(P, Q)^(r-1) · e(P, Q) = e(P, Q)^r = 1
    assert ref.pairing_check(p.mul(pack([r - 1])).concat(p), q.concat(q))
    assert not ref.pairing_check(p, q)
    a, b = 6, 35
    lhs = p.mul(pack([a])).concat(-p.mul(pack([a * b])))
    assert ref.pairing_check(lhs, q.mul(pack([b])).concat(q))
    assert not ref.pairing_check(lhs, q.mul(pack([b + 1])).concat(q))
    assert ref.pairing_check(ref.G1.identity(), q)


@pytest.mark.parametrize("curve", CURVES)
def test_reference_fft_matches_naive(curve: str) -> None:
    ref = ref_bn if curve == "bn254" else ref_bls
    r, g = ref.SCALAR_MODULUS, ref.MULTIPLICATIVE_GENERATOR
    coeffs = [(i * 7919 + 1) ** 5 % r for i in range(16)]
    omega = pow(g, (r - 1) // 16, r)
    assert pow(omega, 8, r) == r - 1  # primitive
    naive = [sum(c * pow(omega, i * j, r) for j, c in enumerate(coeffs)) % r for i in range(16)]
    assert unpack(ref.fft(pack(coeffs))) == naive
    coset = [
        sum(c * pow(g * pow(omega, i, r), j, r) for j, c in enumerate(coeffs)) % r
        for i in range(16)
    ]
    assert unpack(ref.coset_fft(pack(coeffs))) == coset
    assert unpack(ref.ifft(pack(naive))) == coeffs
    assert unpack(ref.coset_ifft(pack(coset))) == coeffs
    assert unpack(ref.fft(pack([5]))) == [5]


@pytest.mark.parametrize("curve", CURVES)
def test_reference_fq2_square_roots(curve: str) -> None:
    spec = reference_spec(curve, "G2")
    f = spec.field
    squares = non_squares = 0
    for i in range(1, 40):
        a = ((i * 1234567) ** 3 % f.q, (i * 7654321) ** 5 % f.q)
        root = f.sqrt(f.mul(a, a))
        assert root in (a, f.neg(a))
        maybe = f.sqrt(a)
        if maybe is None:
            non_squares += 1
        else:
            squares += 1
            assert f.mul(maybe, maybe) == a
    assert squares and non_squares
    assert f.sqrt((0, 5)) is None or f.mul(f.sqrt((0, 5)), f.sqrt((0, 5))) == (0, 5)


def test_reference_points_are_immutable() -> None:
    g = ref_bn.G1.generator()
    with pytest.raises(AttributeError):
        g._points = ()
    with pytest.raises(TypeError):
        ref_bn.G1()
    with pytest.raises(TypeError):
        ref_bn.g1_msm(ref_bn.G2.generator(), pack([1]))  # type: ignore[arg-type]


def test_reference_import_keeps_recursion_limit() -> None:
    code = (
        "import sys; before = sys.getrecursionlimit(); "
        "import zkcredit.hazmat.reference.bn254, zkcredit.hazmat.reference.bls12_381; "
        "assert sys.getrecursionlimit() == before, sys.getrecursionlimit()"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_types_and_check_order(mod: ModuleType) -> None:
    """Both backends: only ``bytes`` (TypeError otherwise), tuples for affine points, and
    lengths are compared before element values are checked."""
    r = mod.SCALAR_MODULUS
    g = mod.G1.generator()
    data = g.to_bytes(compressed=True)
    for wrong in (bytearray(data), memoryview(data), data.hex()):
        with pytest.raises(TypeError):
            mod.G1.from_bytes(wrong, compressed=True)
    with pytest.raises(TypeError):
        mod.fr_add(bytearray(32), bytes(32))
    with pytest.raises(TypeError):
        g.mul(bytearray(32))
    x, y = g.to_affine()[0]
    with pytest.raises(InvalidEncoding):
        mod.G1.from_affine([[x, y]])
    assert mod.G1.from_affine(((x, y),)) == g  # any iterable of tuples
    (x0, x1), (y0, y1) = mod.G2.generator().to_affine()[0]
    with pytest.raises(InvalidEncoding):
        mod.G2.from_affine([([x0, x1], [y0, y1])])
    with pytest.raises(InvalidArgument):
        mod.fr_add(pack([r]), pack([1, 2]))
    with pytest.raises(InvalidArgument):
        mod.g1_msm(g, pack([1, r]))
    with pytest.raises(NonCanonicalScalar):
        g.concat(g).mul(pack([1, 2, r]))
    with pytest.raises(InvalidDomain):
        mod.fft(pack([1, 2, r]))
    with pytest.raises(PointNotOnCurve, match="0"):
        mod.G1.from_affine([(1, 3), (mod.BASE_MODULUS, 2)])


@pytest.mark.parametrize("bad", [-1, True, 2**70, (1 << 28) + 1, 1.0, "3"])
@pytest.mark.parametrize("name", MODULES)
def test_fr_random_count_is_validated_alike(name: str, bad: object) -> None:
    """Both backends refuse a bool, negative, float, str or oversized count the same way."""
    module = load(name, "fr_random")
    with pytest.raises(InvalidArgument, match="fr_random"):
        module.fr_random(bad)
    assert len(module.fr_random(3)) == 96
