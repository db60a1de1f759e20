"""Property tests: random integers through comparison and division gadgets agree with
plain Python (complements the seed-corpus fuzz of A11)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from zkcredit.circuits import compare, division, minmax

from zkcredit.circuit import Circuit, CompiledCircuit
from zkcredit.errors import UnsatisfiedConstraint

from ._support import R

N = 48


def _build() -> CompiledCircuit:
    c = Circuit("props")
    a, b = c.private("a"), c.private("b")
    c.assert_equal(compare.less_than(c, a, b, N), c.public("lt"))
    c.assert_equal(minmax.max_value(c, a, b, N), c.public("mx"))
    q, r = division.int_divmod(c, a, 1_000_003, N)
    c.assert_equal(q, c.public("q"))
    c.assert_equal(r, c.public("r"))
    return c.compile()


COMPILED = _build()
values = st.one_of(st.integers(0, 2**N - 1), st.integers(2**N, R - 1),
                   st.sampled_from([0, 1, 2**N - 1, 2**N, R - 1]))


@settings(max_examples=60, deadline=None)
@given(values, values)
def test_comparison_and_divmod_agree_with_python(a: int, b: int) -> None:
    in_range = a < 2**N and b < 2**N
    lt = int(a < b)
    expected = {"a": a, "b": b, "lt": lt, "mx": max(a, b) % R, "q": a // 1_000_003,
                "r": a % 1_000_003}
    try:
        COMPILED.solve(expected)
        accepted = True
    except UnsatisfiedConstraint:
        accepted = False
    assert accepted == in_range
    if in_range:
        try:
            COMPILED.solve({**expected, "lt": 1 - lt})
        except UnsatisfiedConstraint:
            pass
        else:
            raise AssertionError("a wrong comparison result was accepted")
