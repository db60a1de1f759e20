"""Every gadget through check_circuit, with valid and invalid assignments (G4)."""

from __future__ import annotations

import pytest
from zkcredit.circuits import (
    bits,
    boolean,
    compare,
    division,
    is_zero,
    minmax,
    range_check,
    select,
    sums,
)

from zkcredit.circuit import Circuit
from zkcredit.errors import InvalidAssignmentAccepted, UnsafeCircuit
from zkcredit.testing import Tamper, check_circuit

from ._support import R


def test_boolean() -> None:
    def f(c: Circuit) -> None:
        boolean.boolean(c, c.private("x"))

    check_circuit(f, valid=[{"x": 0}, {"x": 1}], invalid=[{"x": 2}, {"x": R - 1}])


@pytest.mark.parametrize(
    ("op", "fn"),
    [
        ("and", lambda a, b: a & b),
        ("or", lambda a, b: a | b),
        ("xor", lambda a, b: a ^ b),
    ],
)
def test_boolean_ops(op: str, fn: object) -> None:
    gadget = {"and": boolean.bool_and, "or": boolean.bool_or, "xor": boolean.bool_xor}[op]

    def f(c: Circuit) -> None:
        a = boolean.boolean(c, c.private("a"))
        b = boolean.boolean(c, c.private("b"))
        c.assert_equal(gadget(c, a, b), c.public("out"))

    table = [(a, b) for a in (0, 1) for b in (0, 1)]
    valid = [{"a": a, "b": b, "out": fn(a, b)} for a, b in table]  # type: ignore[operator]
    invalid = [{"a": a, "b": b, "out": 1 - fn(a, b)} for a, b in table]  # type: ignore[operator]
    invalid.append({"a": 2, "b": 0, "out": 2 if op != "and" else 0})
    check_circuit(f, valid=valid, invalid=invalid)


def test_bool_not() -> None:
    def f(c: Circuit) -> None:
        c.assert_equal(boolean.bool_not(c, boolean.boolean(c, c.private("a"))), c.public("o"))

    check_circuit(f, valid=[{"a": 0, "o": 1}, {"a": 1, "o": 0}], invalid=[{"a": 1, "o": 1}])


def _bits_circuit(n: int):  # type: ignore[no-untyped-def]
    def f(c: Circuit) -> None:
        x = c.private("x")
        out = c.public_list("b", n)
        for got, want in zip(bits.to_bits(c, x, n), out, strict=True):
            c.assert_equal(got, want)
        c.assert_equal(bits.from_bits(c, out), x, "recompose")

    return f


def test_to_bits() -> None:
    n = 8

    def a(x: int) -> dict[str, object]:
        return {"x": x, "b": [(x >> i) & 1 for i in range(n)]}

    check_circuit(
        _bits_circuit(n),
        valid=[a(0), a(1), a(0xA5), a(255)],
        invalid=[
            {"x": 256, "b": [0] * 8},
            {"x": 5, "b": [1, 0, 1, 0, 0, 0, 0, 1]},
            {"x": R - 1, "b": [1] * 8},
        ],
        tampered=[Tamper(a(5), "b[0]")],
    )


def test_to_bits_refuses_aliasing_widths() -> None:
    c = Circuit()
    with pytest.raises(UnsafeCircuit):
        bits.to_bits(c, c.private("x"), 254)
    with pytest.raises(UnsafeCircuit):
        bits.to_bits(c, c.private("y"), 0)


def test_to_bits_strict() -> None:
    def f(c: Circuit) -> None:
        x = c.private("x")
        c.assert_equal(bits.from_bits(c, bits.to_bits_strict(c, x)), c.public("y"))

    cc = check_circuit(
        f,
        valid=[{"x": v, "y": v} for v in (0, 1, 2**253, R - 1, R - 2**28)],
        invalid=[{"x": 1, "y": 2}, {"x": R - 1, "y": R - 2}],
    )
    # 254 boolean constraints, the alias chain, the equality.
    assert cc.r1cs.n_constraints < 254 + 254 + 2


def test_assert_bits_le_constant() -> None:
    k = 0b1011_0110

    def f(c: Circuit) -> None:
        bs = [boolean.boolean(c, v) for v in c.private_list("b", 8)]
        bits.assert_bits_le_constant(c, bs, k)

    def a(x: int) -> dict[str, object]:
        return {"b": [(x >> i) & 1 for i in range(8)]}

    check_circuit(
        f, valid=[a(0), a(k), a(k - 1), a(0x7F)], invalid=[a(k + 1), a(0xFF), a(0xB8)]
    )


def test_range_check_bits() -> None:
    def f(c: Circuit) -> None:
        range_check.assert_bits(c, c.private("x"), 16)

    check_circuit(
        f, valid=[{"x": 0}, {"x": 65535}], invalid=[{"x": 65536}, {"x": R - 1}, {"x": 2**200}]
    )


@pytest.mark.parametrize(("lo", "hi"), [(300, 850), (0, 7), (5, 5), (10, 2**40)])
def test_range_check_interval(lo: int, hi: int) -> None:
    def f(c: Circuit) -> None:
        range_check.range_check(c, c.private("v"), lo, hi)

    valid = [{"v": v} for v in {lo, hi, (lo + hi) // 2}]
    invalid = [{"v": v} for v in (hi + 1, R - 1, (lo - 1) % R)]
    check_circuit(f, valid=valid, invalid=invalid)


_CMP = {
    "less_than": (compare.less_than, lambda a, b: int(a < b)),
    "less_equal": (compare.less_equal, lambda a, b: int(a <= b)),
    "greater_than": (compare.greater_than, lambda a, b: int(a > b)),
    "greater_equal": (compare.greater_equal, lambda a, b: int(a >= b)),
}


@pytest.mark.parametrize("name", sorted(_CMP))
def test_comparisons(name: str) -> None:
    gadget, fn = _CMP[name]
    n = 16

    def f(c: Circuit) -> None:
        c.assert_equal(gadget(c, c.private("a"), c.private("b"), n), c.public("out"))

    pairs = [(0, 0), (1, 2), (2, 1), (65535, 0), (0, 65535), (65535, 65535), (300, 301)]
    valid = [{"a": a, "b": b, "out": fn(a, b)} for a, b in pairs]
    invalid = [{"a": a, "b": b, "out": 1 - fn(a, b)} for a, b in pairs]
    invalid += [
        {"a": 65536, "b": 0, "out": o} for o in (0, 1)
    ] + [{"a": R - 254, "b": 2, "out": o} for o in (0, 1)]
    check_circuit(f, valid=valid, invalid=invalid, reference=None)


_ASSERT_CMP = {
    "assert_lt": (compare.assert_lt, lambda a, b: a < b),
    "assert_le": (compare.assert_le, lambda a, b: a <= b),
    "assert_gt": (compare.assert_gt, lambda a, b: a > b),
    "assert_ge": (compare.assert_ge, lambda a, b: a >= b),
}


@pytest.mark.parametrize("name", sorted(_ASSERT_CMP))
def test_assert_comparisons(name: str) -> None:
    gadget, fn = _ASSERT_CMP[name]

    def f(c: Circuit) -> None:
        gadget(c, c.private("a"), c.private("b"), 10)

    pairs = [(0, 0), (1, 2), (2, 1), (1023, 0), (0, 1023), (1023, 1023)]
    valid = [{"a": a, "b": b} for a, b in pairs if fn(a, b)]
    invalid = [{"a": a, "b": b} for a, b in pairs if not fn(a, b)]
    invalid += [{"a": 1024, "b": 0}, {"a": 0, "b": 1024}, {"a": R - 1, "b": 5}]
    check_circuit(f, valid=valid, invalid=invalid)


def test_comparison_skips_proven_ranges() -> None:
    c = Circuit()
    a, b = c.private("a"), c.private("b")
    range_check.assert_bits(c, a, 16)
    range_check.assert_bits(c, b, 16)
    before = c.n_constraints
    compare.less_than(c, a, b, 16)
    assert c.n_constraints - before == 17  # only the n + 1 bits of a + 2^n - b
    before = c.n_constraints
    compare.less_than(c, a, b, 8)  # narrower than proven: must re-check both inputs
    assert c.n_constraints - before == 8 + 8 + 9


def test_is_zero_and_is_equal() -> None:
    def f(c: Circuit) -> None:
        c.assert_equal(is_zero.is_zero(c, c.private("x")), c.public("z"))
        c.assert_equal(is_zero.is_equal(c, c.private("a"), c.private("b")), c.public("e"))

    def a(x: int, p: int, q: int) -> dict[str, int]:
        return {"x": x, "z": int(x == 0), "a": p, "b": q, "e": int(p == q)}

    valid = [a(0, 1, 1), a(1, 1, 2), a(R - 1, 0, R - 1), a(7, 5, 5)]
    invalid = [{**a(0, 1, 1), "z": 0}, {**a(3, 1, 1), "z": 1}, {**a(0, 1, 2), "e": 1},
               {**a(0, 4, 4), "e": 0}]
    check_circuit(f, valid=valid, invalid=invalid)


def test_select_and_mux() -> None:
    def f(c: Circuit) -> None:
        c.assert_equal(
            select.select(c, c.private("s"), c.private("a"), c.private("b")), c.public("o")
        )
        vals = c.private_list("v", 4)
        c.assert_equal(select.mux(c, c.private_list("i", 2), vals), c.public("m"))

    def a(s: int, i: int, o: int | None = None, m: int | None = None) -> dict[str, object]:
        v = [10, 11, 12, 13]
        return {"s": s, "a": 7, "b": 9, "o": (7 if s else 9) if o is None else o,
                "v": v, "i": [i & 1, i >> 1], "m": v[i] if m is None else m}

    valid = [a(s, i) for s in (0, 1) for i in range(4)]
    invalid = [a(0, 0, o=7), a(1, 2, m=11), {**a(0, 0), "s": 2, "o": 5},
               {**a(0, 0), "i": [2, 0], "m": 12}]
    check_circuit(f, valid=valid, invalid=invalid)


def test_sums_and_weighted_sums() -> None:
    def f(c: Circuit) -> None:
        xs = c.private_list("x", 3)
        c.assert_equal(sums.sum_values(c, xs), c.public("s"))
        c.assert_equal(sums.weighted_sum(c, [2, 3, -1], xs, 5), c.public("w"))

    valid = [{"x": [1, 2, 3], "s": 6, "w": 5 + 2 + 6 - 3}, {"x": [0, 0, 1], "s": 1, "w": 4}]
    invalid = [{"x": [1, 2, 3], "s": 7, "w": 10}, {"x": [1, 2, 3], "s": 6, "w": 11}]
    check_circuit(f, valid=valid, invalid=invalid)


def test_min_max_clamp() -> None:
    n = 12

    def f(c: Circuit) -> None:
        a, b = c.private("a"), c.private("b")
        c.assert_equal(minmax.min_value(c, a, b, n), c.public("mn"))
        c.assert_equal(minmax.max_value(c, a, b, n), c.public("mx"))
        c.assert_equal(minmax.clamp(c, a, 300, 850, n), c.public("cl"))

    def a(x: int, y: int) -> dict[str, int]:
        return {"a": x, "b": y, "mn": min(x, y), "mx": max(x, y), "cl": min(max(x, 300), 850)}

    valid = [a(0, 0), a(1, 2), a(4095, 3), a(300, 850), a(851, 299), a(299, 4000)]
    invalid = [{**a(1, 2), "mn": 2}, {**a(1, 2), "mx": 1}, {**a(900, 0), "cl": 900},
               {**a(4096, 0), "mn": 0, "mx": 4096}, {**a(5, 0), "cl": 5}]
    check_circuit(f, valid=valid, invalid=invalid)


def test_division_gadgets() -> None:
    def f(c: Circuit) -> None:
        x, a, b = c.private("x"), c.private("a"), c.private("b")
        c.assert_equal(division.inverse(c, x), c.public("ix"))
        c.assert_equal(division.div(c, a, b), c.public("q"))

    def asg(x: int, a: int, b: int) -> dict[str, int]:
        return {"x": x, "ix": pow(x, R - 2, R), "a": a, "b": b, "q": a * pow(b, R - 2, R) % R}

    valid = [asg(1, 0, 1), asg(5, 10, 2), asg(R - 1, 3, 7)]
    invalid = [{**asg(2, 1, 1), "ix": 2}, {**asg(2, 4, 2), "q": 3}, {**asg(0, 1, 1), "ix": 0},
               {**asg(1, 0, 1), "b": 0, "q": 0}]
    check_circuit(f, valid=valid, invalid=invalid)


def test_int_divmod() -> None:
    d = 2_592_000

    def f(c: Circuit) -> None:
        q, rem = division.int_divmod(c, c.private("a"), d, 41)
        c.assert_equal(q, c.public("q"))
        c.assert_equal(rem, c.public("r"))

    def a(x: int) -> dict[str, int]:
        return {"a": x, "q": x // d, "r": x % d}

    valid = [a(0), a(d - 1), a(d), a(2**41 - 1), a(123_456_789)]
    invalid = [{**a(d), "q": 0, "r": d}, {**a(5 * d + 3), "q": 4, "r": d + 3},
               {"a": 2**41, "q": 2**41 // d, "r": 2**41 % d}]
    check_circuit(f, valid=valid, invalid=invalid)


def test_check_circuit_fails_an_underconstrained_circuit() -> None:
    # circomlib's LessThan misuse: no range check on the inputs, so r - 254 "<" 2.
    def f(c: Circuit) -> None:
        a, b = c.private("a"), c.private("b")
        diff = bits.to_bits(c, a + 256 - b, 9)
        c.assert_equal(1 - diff[8], c.public("lt"))

    with pytest.raises(InvalidAssignmentAccepted):
        check_circuit(
            f, valid=[{"a": 1, "b": 2, "lt": 1}], invalid=[{"a": R - 254, "b": 2, "lt": 1}]
        )
