"""Property tests: the native core (arkworks) and the pure-Python reference agree (B9).

For both curves: scalar-field arithmetic and scalar encodings; point encode/decode in
every form (compressed, uncompressed, affine, snarkjs JSON) with byte equality across
backends; MSM at sizes 0, 1, 2, 17 and 1000 with zero scalars, identity points and
repeated points; FFT/IFFT/coset round trips and FFT against naive evaluation; pairing
bilinearity, non-degeneracy and product checks.

py_ecc is slow (milliseconds per scalar multiplication, ~0.3 s per Miller loop), so the
point and pairing properties run few examples; the field and FFT ones run more.
"""

from __future__ import annotations

import random
import secrets
from functools import cache
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zkcredit.hazmat import encoding

from ._support import API, CURVES, pack, pair, slow_settings, unpack

GROUPS = ("G1", "G2")


def scalars_of(r: int) -> st.SearchStrategy[int]:
    """Scalars in [0, r) with the edges (0, 1, r-1, ...) over-represented."""
    edges = st.sampled_from([0, 1, 2, r - 1, r - 2, (r - 1) // 2, (r + 1) // 2])
    return st.one_of(edges, st.integers(0, r - 1))


def raw(v: Any) -> bytes:
    """A vector's canonical bytes (uncompressed), comparable across backends."""
    data: bytes = v.to_bytes(compressed=False)
    return data


def msm_of(module: ModuleType, group: str) -> Any:
    return module.g1_msm if group == "G1" else module.g2_msm


# --- constants and the scalar field -------------------------------------------------


@pytest.mark.parametrize("curve", CURVES)
def test_constants_agree(curve: str) -> None:
    nat, ref = pair(curve)
    for name in API:
        if name.isupper() and name not in ("G1", "G2"):
            assert getattr(nat, name) == getattr(ref, name), name


@pytest.mark.parametrize("curve", CURVES)
@slow_settings(60)
@given(data=st.data())
def test_field_arithmetic(curve: str, data: st.DataObject) -> None:
    nat, ref = pair(curve)
    r = ref.SCALAR_MODULUS
    n = data.draw(st.integers(0, 6), label="n")
    a = data.draw(st.lists(scalars_of(r), min_size=n, max_size=n), label="a")
    b = data.draw(st.lists(scalars_of(r), min_size=n, max_size=n), label="b")
    pa, pb = pack(a), pack(b)
    expected = {
        "fr_add": [(x + y) % r for x, y in zip(a, b, strict=True)],
        "fr_sub": [(x - y) % r for x, y in zip(a, b, strict=True)],
        "fr_mul": [x * y % r for x, y in zip(a, b, strict=True)],
    }
    for name, want in expected.items():
        assert getattr(nat, name)(pa, pb) == getattr(ref, name)(pa, pb) == pack(want), name
    assert nat.fr_neg(pa) == ref.fr_neg(pa) == pack([-x % r for x in a])
    nonzero = [x or 1 for x in a]
    inv = nat.fr_inv(pack(nonzero))
    assert inv == ref.fr_inv(pack(nonzero)) == pack([pow(x, -1, r) for x in nonzero])


def _outcome(f: Any, *args: Any) -> Any:
    try:
        return ("ok", f(*args))
    except Exception as exc:  # comparing which error class each backend raises
        return ("error", type(exc).__name__)


@pytest.mark.parametrize("curve", CURVES)
@slow_settings(100)
@given(data=st.data())
def test_scalar_decoding_agrees(curve: str, data: st.DataObject) -> None:
    """Arbitrary bytes (wrong lengths, elements >= r): same result or same error class."""
    nat, ref = pair(curve)
    r = ref.SCALAR_MODULUS
    near_r = st.integers(max(0, r - 3), r + 3)
    element = st.one_of(scalars_of(r), near_r, st.integers(0, 2**256 - 1))
    values = data.draw(st.lists(element, max_size=4), label="values")
    blob = b"".join(v.to_bytes(32, "little") for v in values)
    blob += data.draw(st.binary(max_size=2), label="tail")
    for name in ("fr_neg", "fr_inv", "fft"):
        assert _outcome(getattr(nat, name), blob) == _outcome(getattr(ref, name), blob), name
    assert _outcome(nat.fr_add, blob, blob) == _outcome(ref.fr_add, blob, blob)


@pytest.mark.parametrize("curve", CURVES)
@slow_settings(30)
@given(data=st.data())
def test_scalar_multiplication_agrees_including_bad_scalars(
    curve: str, data: st.DataObject
) -> None:
    nat, ref = pair(curve)
    r = ref.SCALAR_MODULUS
    value = data.draw(st.one_of(scalars_of(r), st.integers(r, 2**256 - 1)), label="k")
    blob = value.to_bytes(32, "little")
    got_nat = _outcome(lambda s: raw(nat.G1.generator().mul(s)), blob)
    got_ref = _outcome(lambda s: raw(ref.G1.generator().mul(s)), blob)
    assert got_nat == got_ref


# --- points ---------------------------------------------------------------------------


@cache
def pool(curve: str, group: str, size: int) -> tuple[Any, Any, list[bytes], list[int]]:
    """``size`` random points k_i·G plus the identity, in both backends.

    Built natively and decoded by the reference (one validation per distinct point), so
    later tests can index and concatenate without repeating the slow checks.
    """
    nat, ref = pair(curve)
    r = ref.SCALAR_MODULUS
    ks = [secrets.randbelow(r - 1) + 1 for _ in range(size)] + [0]
    nat_vec = getattr(nat, group).generator().mul(pack(ks))
    encoded = nat_vec.to_bytes(compressed=True)
    ref_vec = getattr(ref, group).from_bytes(encoded, compressed=True)
    width = len(encoded) // len(ks)
    chunks = [encoded[i * width : (i + 1) * width] for i in range(len(ks))]
    return nat_vec, ref_vec, chunks, ks


def pick(curve: str, group: str, size: int, indices: list[int]) -> tuple[Any, Any]:
    """Vectors of the pool's points at ``indices`` (repeats allowed) in both backends."""
    nat, ref = pair(curve)
    _, ref_pool, chunks, _ = pool(curve, group, size)
    nat_vec = getattr(nat, group).from_bytes(b"".join(chunks[i] for i in indices), compressed=True)
    ref_vec = getattr(ref, group).from_bytes(b"", compressed=True)
    for i in indices:
        ref_vec = ref_vec.concat(ref_pool[i])
    return nat_vec, ref_vec


@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize(("group", "examples"), [("G1", 25), ("G2", 6)])
def test_point_encodings_agree(curve: str, group: str, examples: int) -> None:
    nat, ref = pair(curve)
    r = ref.SCALAR_MODULUS
    to_json = encoding.g1_to_snarkjs if group == "G1" else encoding.g2_to_snarkjs
    from_json = encoding.g1_from_snarkjs if group == "G1" else encoding.g2_from_snarkjs

    @slow_settings(examples)
    @given(k=scalars_of(r))
    def check(k: int) -> None:
        nat_p = getattr(nat, group).generator().mul(pack([k]))
        ref_p = getattr(ref, group).generator().mul(pack([k]))
        for compressed in (True, False):
            data = nat_p.to_bytes(compressed=compressed)
            assert data == ref_p.to_bytes(compressed=compressed), f"{compressed=} k={k}"
            assert getattr(ref, group).from_bytes(data, compressed=compressed) == ref_p
            assert getattr(nat, group).from_bytes(data, compressed=compressed) == nat_p
        affine = nat_p.to_affine()
        assert affine == ref_p.to_affine()
        assert getattr(ref, group).from_affine(affine) == ref_p
        assert getattr(nat, group).from_affine(affine) == nat_p
        js = to_json(nat_p)
        assert js == to_json(ref_p)
        assert from_json(nat, js) == nat_p
        assert from_json(ref, js) == ref_p

    check()


@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize(("group", "examples"), [("G1", 60), ("G2", 20)])
def test_mutated_encodings_decode_alike(curve: str, group: str, examples: int) -> None:
    """Flip bits of valid encodings: both backends accept the same point or raise the same
    error class (flags, canonical coordinates, curve equation, subgroup)."""
    nat, ref = pair(curve)
    _, _, chunks, _ = pool(curve, group, 4)

    def decode(module: ModuleType, data: bytes, compressed: bool) -> Any:
        return raw(getattr(module, group).from_bytes(data, compressed=compressed))

    @slow_settings(examples)
    @given(
        which=st.integers(0, 4),
        compressed=st.booleans(),
        flips=st.lists(st.tuples(st.integers(0, 191), st.integers(0, 7)), min_size=1, max_size=3),
        top=st.booleans(),
    )
    def check(which: int, compressed: bool, flips: list[tuple[int, int]], top: bool) -> None:
        point = getattr(nat, group).from_bytes(chunks[which], compressed=True)
        data = bytearray(point.to_bytes(compressed=compressed))
        for byte, bit in flips:
            if top:  # aim at the flag bits (first byte for BLS12-381, last for BN254)
                at = 0 if curve == "bls12_381" else len(data) - 1
                data[at] ^= 1 << (5 + bit % 3)
            else:
                data[byte % len(data)] ^= 1 << bit
        blob = bytes(data)
        got = _outcome(decode, nat, blob, compressed)
        want = _outcome(decode, ref, blob, compressed)
        assert got == want, (blob.hex(), compressed)

    check()


@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize("group", GROUPS)
@slow_settings(15)
@given(data=st.data())
def test_point_arithmetic_agrees(curve: str, group: str, data: st.DataObject) -> None:
    ref = pair(curve)[1]
    r = ref.SCALAR_MODULUS
    size = 8
    n = data.draw(st.integers(0, 4), label="n")
    idx_a = data.draw(st.lists(st.integers(0, size), min_size=n, max_size=n), label="a")
    idx_b = data.draw(st.lists(st.integers(0, size), min_size=n, max_size=n), label="b")
    na, ra = pick(curve, group, size, idx_a)
    nb, rb = pick(curve, group, size, idx_b)
    assert raw(na) == raw(ra) and len(na) == len(ra) == n
    assert raw(na + nb) == raw(ra + rb)
    assert raw(na + -nb) == raw(ra + -rb)
    assert raw(-na) == raw(-ra)
    assert raw(na.concat(nb)) == raw(ra.concat(rb))
    assert (na == nb) == (ra == rb)
    ks = data.draw(st.lists(scalars_of(r), min_size=n, max_size=n), label="ks")
    assert raw(na.mul(pack(ks))) == raw(ra.mul(pack(ks)))
    if n:
        i = data.draw(st.integers(0, n - 1), label="i")
        assert raw(na[i]) == raw(ra[i])
        assert raw(na[-1]) == raw(ra[-1])
        assert raw(na[i:]) == raw(ra[i:]) and raw(na[::2]) == raw(ra[::2])
        # a length-1 vector broadcasts against n scalars
        assert raw(na[i].mul(pack(ks))) == raw(ra[i].mul(pack(ks)))


@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize("n", [0, 1, 2, 17])
def test_msm_agrees(curve: str, group: str, n: int) -> None:
    nat, ref = pair(curve)
    r = ref.SCALAR_MODULUS
    size = 24 if group == "G1" else 8  # index `size` is the identity
    examples = {"G1": 12, "G2": 4}[group] if n == 17 else 10

    @slow_settings(examples)
    @given(
        indices=st.lists(st.integers(0, size), min_size=n, max_size=n),
        scalars=st.lists(st.one_of(st.just(0), scalars_of(r)), min_size=n, max_size=n),
    )
    def check(indices: list[int], scalars: list[int]) -> None:
        nat_pts, ref_pts = pick(curve, group, size, indices)
        got = msm_of(nat, group)(nat_pts, pack(scalars))
        want = msm_of(ref, group)(ref_pts, pack(scalars))
        assert len(got) == 1 and raw(got) == raw(want), (indices, scalars)
        # and both equal the discrete-log bookkeeping: sum k_i * s_i * G
        ks = pool(curve, group, size)[3]
        exponent = sum(ks[i] * s for i, s in zip(indices, scalars, strict=True)) % r
        assert raw(want) == raw(getattr(ref, group).generator().mul(pack([exponent])))

    check()


@pytest.mark.slow
@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize("group", GROUPS)
def test_msm_1000_agrees(curve: str, group: str) -> None:
    """Size 1000: ~10% zero scalars, the identity and many repeated points; two examples."""
    nat, ref = pair(curve)
    r = ref.SCALAR_MODULUS
    size = 200 if group == "G1" else 16
    for _ in range(2 if group == "G1" else 1):
        seed = secrets.randbits(64)
        rng = random.Random(seed)
        indices = [rng.randrange(size + 1) for _ in range(1000)]
        scalars = [0 if rng.random() < 0.1 else rng.randrange(r) for _ in range(1000)]
        scalars[:3] = [r - 1, 1, 0]
        nat_pts, ref_pts = pick(curve, group, size, indices)
        got = msm_of(nat, group)(nat_pts, pack(scalars))
        want = msm_of(ref, group)(ref_pts, pack(scalars))
        assert raw(got) == raw(want), f"MSM-1000 disagreement, reproduce with seed {seed}"


# --- FFT ------------------------------------------------------------------------------


def naive_evaluations(coeffs: list[int], points: list[int], r: int) -> list[int]:
    out = []
    for x in points:
        acc = 0
        for c in reversed(coeffs):
            acc = (acc * x + c) % r
        out.append(acc)
    return out


@pytest.mark.parametrize("curve", CURVES)
@slow_settings(40)
@given(data=st.data())
def test_fft_agrees_and_round_trips(curve: str, data: st.DataObject) -> None:
    nat, ref = pair(curve)
    r, g = ref.SCALAR_MODULUS, ref.MULTIPLICATIVE_GENERATOR
    n = 1 << data.draw(st.integers(0, 6), label="log n")
    coeffs = data.draw(st.lists(scalars_of(r), min_size=n, max_size=n), label="coeffs")
    c = pack(coeffs)
    evals = nat.fft(c)
    assert evals == ref.fft(c)
    omega = pow(g, (r - 1) // n, r)
    domain = [pow(omega, i, r) for i in range(n)]
    assert unpack(evals) == naive_evaluations(coeffs, domain, r)
    coset = nat.coset_fft(c)
    assert coset == ref.coset_fft(c)
    assert unpack(coset) == naive_evaluations(coeffs, [g * w % r for w in domain], r)
    assert nat.ifft(evals) == ref.ifft(evals) == c
    assert nat.coset_ifft(coset) == ref.coset_ifft(coset) == c
    # ifft/coset_ifft of arbitrary data agree too (not only of fft outputs)
    assert nat.ifft(c) == ref.ifft(c)
    assert nat.coset_ifft(c) == ref.coset_ifft(c)


@pytest.mark.parametrize("curve", CURVES)
def test_fft_agrees_at_1024(curve: str) -> None:
    nat, ref = pair(curve)
    c = nat.fr_random(1024)
    assert nat.fft(c) == ref.fft(c)
    assert nat.coset_fft(c) == ref.coset_fft(c)
    assert nat.ifft(nat.fft(c)) == c
    assert ref.coset_ifft(nat.coset_fft(c)) == c


# --- pairings -------------------------------------------------------------------------


def both_mul(curve: str, group: str, k: int) -> tuple[Any, Any]:
    """k·G in both backends, checked equal."""
    nat, ref = pair(curve)
    n = getattr(nat, group).generator().mul(pack([k]))
    f = getattr(ref, group).generator().mul(pack([k]))
    assert raw(n) == raw(f)
    return n, f


@pytest.mark.parametrize("curve", CURVES)
@slow_settings(3)
@given(data=st.data())
def test_pairing_bilinear_and_non_degenerate(curve: str, data: st.DataObject) -> None:
    nat, ref = pair(curve)
    r = ref.SCALAR_MODULUS
    nonzero = st.integers(1, r - 1)
    a = data.draw(nonzero, label="a")
    b = data.draw(nonzero, label="b")
    na, ra = both_mul(curve, "G1", a)
    nab, rab = both_mul(curve, "G1", (-a * b) % r)
    nb, rb = both_mul(curve, "G2", b)
    nq, rq = nat.G2.generator(), ref.G2.generator()
    # e(aP, bQ) · e(-abP, Q) == 1
    assert nat.pairing_check(na.concat(nab), nb.concat(nq))
    assert ref.pairing_check(ra.concat(rab), rb.concat(rq))
    # e(aP, bQ) != 1
    assert not nat.pairing_check(na, nb)
    assert not ref.pairing_check(ra, rb)


@pytest.mark.parametrize("curve", CURVES)
def test_pairing_order_identity_and_empty(curve: str) -> None:
    nat, ref = pair(curve)
    r = ref.SCALAR_MODULUS
    for m in (nat, ref):
        p, q = m.G1.generator(), m.G2.generator()
        # e(P, Q)^r == 1, written e((r-1)P, Q) · e(P, Q)
        assert m.pairing_check(p.mul(pack([r - 1])).concat(p), q.concat(q))
        assert not m.pairing_check(p.concat(p), q.concat(q))
        assert m.pairing_check(m.G1.identity(), q)
        assert m.pairing_check(p, m.G2.identity())
        empty1 = m.G1.from_bytes(b"", compressed=True)
        empty2 = m.G2.from_bytes(b"", compressed=True)
        assert m.pairing_check(empty1, empty2)


@pytest.mark.parametrize("curve", CURVES)
@slow_settings(3)
@given(data=st.data())
def test_pairing_product_checks_agree(curve: str, data: st.DataObject) -> None:
    """prod e(a_i P, b_i Q) == 1 iff sum a_i b_i == 0, with identity entries mixed in."""
    nat, ref = pair(curve)
    r = ref.SCALAR_MODULUS
    n = data.draw(st.integers(2, 3), label="pairs")
    a = data.draw(st.lists(st.integers(0, r - 1), min_size=n, max_size=n), label="a")
    b = data.draw(st.lists(st.integers(1, r - 1), min_size=n, max_size=n), label="b")
    rest = sum(x * y for x, y in zip(a[:-1], b[:-1], strict=True))
    a[-1] = -rest * pow(b[-1], -1, r) % r
    tamper = data.draw(st.booleans(), label="tamper")
    if tamper:
        a[0] = (a[0] + 1) % r
    ng1 = nat.G1.generator().mul(pack(a))
    rg1 = ref.G1.from_bytes(ng1.to_bytes(compressed=True), compressed=True)
    assert raw(rg1) == raw(ref.G1.generator().mul(pack(a)))
    ng2 = nat.G2.generator().mul(pack(b))
    rg2 = ref.G2.from_bytes(ng2.to_bytes(compressed=True), compressed=True)
    got = nat.pairing_check(ng1, ng2)
    assert got == ref.pairing_check(rg1, rg2) == (not tamper)


@pytest.mark.parametrize("curve", CURVES)
def test_every_curve_module_exports_exactly_the_documented_api(curve: str) -> None:
    """E1: native and reference modules export the same names (native BN254 adds Poseidon)."""
    nat, ref = pair(curve)
    extras = {"poseidon", "poseidon_many"} if curve == "bn254" else set()
    assert set(ref.__all__) == set(API)
    assert set(nat.__all__) == set(API) | extras
