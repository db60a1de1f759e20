"""Baby Jubjub in-circuit (the curve of `zkcredit.hazmat.babyjub`: a*x^2 + y^2 = 1 + d*x^2*y^2
over the BN254 scalar field, a = 168700, d = 168696; BASE8 generates the subgroup of prime
order l). Points are `PointWires(x, y)` in twisted Edwards affine coordinates.

Inside the scalar multiplications some work is done on the birationally equivalent
Montgomery curve ``v^2 = u^3 + A*u^2 + u`` (A = 2(a+d)/(a-d) = 168698, B = 4/(a-d) = 1),
``u = (1+y)/(1-y)``, ``v = u/x``, where adding two distinct points costs 3 constraints and
doubling 4. Montgomery addition is incomplete (it cannot add P to ±P), so every gadget
below states why its additions are never exceptional; every division is a ``div`` hint
pinned by one product constraint whose divisor is provably nonzero there.

`assert_on_curve(c, p)`
    Constrains: ``a*x^2 + y^2 == 1 + d*x^2*y^2`` (3 constraints). Assumes: nothing.
`point_add(c, p, q)`
    Constrains: the complete twisted Edwards sum (6 constraints; 3 when q is a constant).
    Assumes: p and q on the curve (then the denominators ``1 ± d*x1*x2*y1*y2`` never vanish
    because d is not a square). Leaves free: nothing.
`point_double(c, p)`
    Constrains: 2p with the doubling formula that uses the curve equation (5 constraints).
    Assumes: p on the curve. Leaves free: nothing.
`mul_by_cofactor(c, p)`
    Constrains: 8p by three doublings (15 constraints); 8p is in the order-l subgroup.
    Assumes: p on the curve.
`fixed_base_mul(c, bits, base=BASE8)`
    Constrains: ``sum(b_i 2^i) * base`` for a constant base of order l (the bits are
    constrained boolean unless already proven so). 3-bit windows looked up in constant
    tables (3 constraints per window) and summed on the Montgomery curve (3 per window);
    window j's table holds ``(d + 2) * 8^j * base`` so every partial sum is a multiplier
    m with ``0 < m < l`` distinct from ± the next entry (checked when the circuit is built).
    The windows where that bound would fail (the top one for 251 bits) are added with the
    complete Edwards law, their table folding in ``-sum(2 * 8^j) * base``. About 2 constraints
    per bit (504 for 251 bits). Leaves free: nothing.
`scalar_mul(c, bits, p)`
    Constrains: ``sum(b_i 2^i) * p`` for a variable point p. Right-to-left double-and-add on
    the Montgomery curve in segments of at most 250 bits (as circomlib EscalarMulAny):
    within a segment with base Q the accumulator starts at Q and, before bit j is added,
    holds m*Q with m odd in [1, 2^j - 1] while the addend is 2^j*Q, so neither m = ±2^j nor
    a zero sum can occur (2^(j+1) < l); bit 0 of the segment is applied at the end by a
    complete Edwards addition of ``-(1 - b0) * Q``. 9 constraints per bit (4 double,
    3 add, 2 select). Assumes: p has order exactly l (in the prime-order subgroup and not
    the identity), e.g. ``mul_by_cofactor(A)`` with a nonzero x; a point of order 1, 2, 4 or 8
    makes the system unsatisfiable (``1 - y = 0`` in the Montgomery map), but points of
    order 2l, 4l or 8l are NOT handled. Leaves free: nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from zkcredit.circuit import Circuit, LinComb, R, Template
from zkcredit.errors import InvalidArgument, UnsafeCircuit
from zkcredit.hazmat import babyjub as bj

__all__ = [
    "MONT_A",
    "PointWires",
    "assert_on_curve",
    "fixed_base_mul",
    "mul_by_cofactor",
    "point_add",
    "point_double",
    "scalar_mul",
]

A = bj.A
D = bj.D
L = bj.SUBGROUP_ORDER
#: The Montgomery coefficient A = 2(a + d)/(a - d); B = 4/(a - d) = 1.
MONT_A = 2 * (A + D) * pow(A - D, R - 2, R) % R
#: Longest right-to-left segment of `scalar_mul`: 2^(k+1) <= l keeps every sum distinct.
SEGMENT_BITS = 250
WINDOW = 3


class PointWires(NamedTuple):
    """An affine Edwards point in-circuit: two linear combinations."""

    x: LinComb
    y: LinComb


class _Mont(NamedTuple):
    u: LinComb
    v: LinComb


def _div(c: Circuit, num: LinComb, den: LinComb, label: str) -> LinComb:
    """``num / den`` as a hint pinned by ``q * den = num`` (the caller proves den != 0)."""
    if den.is_constant() and num.is_constant():
        return c.constant(num.constant_value() * pow(den.constant_value(), R - 2, R))
    if den.is_constant():
        return num * pow(den.constant_value(), R - 2, R)
    (q,) = c.hint("div", [num, den], 1, label=label)
    c.assert_product(q, den, num, label)
    return q


def _ensure_bool(c: Circuit, b: LinComb) -> LinComb:
    if b.is_constant():
        if b.constant_value() not in (0, 1):
            raise InvalidArgument("a constant bit must be 0 or 1")
        return b
    if c.known_bits(b) != 1:
        c.assert_bool(b, "bit_bool")
        c.note_bound(b, 1)
    return b


def _point(c: Circuit, p: Sequence[LinComb | int]) -> PointWires:
    if len(p) != 2:
        raise InvalidArgument("a point is a pair (x, y)")
    return PointWires(c.lc(p[0]), c.lc(p[1]))


# --- Edwards arithmetic ---------------------------------------------------------------


def assert_on_curve(c: Circuit, p: Sequence[LinComb | int], label: str = "on_curve") -> None:
    """Constrain ``a*x^2 + y^2 == 1 + d*x^2*y^2``."""
    x, y = _point(c, p)
    with c.scope(c.unique(label)):
        xx = c.mul(x, x, "xx")
        yy = c.mul(y, y, "yy")
        c.assert_product(xx * D, yy, xx * A + yy - 1, "equation")


def point_add(
    c: Circuit, p: Sequence[LinComb | int], q: Sequence[LinComb | int], label: str = "add"
) -> PointWires:
    """The complete Edwards sum p + q (both on the curve)."""
    (x1, y1), (x2, y2) = _point(c, p), _point(c, q)
    with c.scope(c.unique(label)):
        beta = c.mul(x1, y2, "beta")
        gamma = c.mul(y1, x2, "gamma")
        delta = c.mul(y1 - x1 * A, x2 + y2, "delta")
        tau = c.mul(beta, gamma, "tau")
        x3 = _div(c, beta + gamma, 1 + tau * D, "x")
        y3 = _div(c, delta + beta * A - gamma, 1 - tau * D, "y")
    return PointWires(x3, y3)


def point_double(c: Circuit, p: Sequence[LinComb | int], label: str = "double") -> PointWires:
    """2p for p on the curve: x' = 2xy/(a x^2 + y^2), y' = (y^2 - a x^2)/(2 - a x^2 - y^2)."""
    x, y = _point(c, p)
    with c.scope(c.unique(label)):
        xx = c.mul(x, x, "xx")
        yy = c.mul(y, y, "yy")
        xy = c.mul(x, y, "xy")
        s = xx * A + yy
        x3 = _div(c, xy * 2, s, "x")
        y3 = _div(c, yy - xx * A, 2 - s, "y")
    return PointWires(x3, y3)


def mul_by_cofactor(c: Circuit, p: Sequence[LinComb | int], label: str = "mul8") -> PointWires:
    """8p by three doublings."""
    pt = _point(c, p)
    with c.scope(c.unique(label)):
        for i in range(3):
            pt = point_double(c, pt, f"dbl{i}")
    return pt


def _select_point(c: Circuit, b: LinComb, p1: PointWires, p0: PointWires) -> PointWires:
    return PointWires(p0.x + c.mul(b, p1.x - p0.x, "sel_x"), p0.y + c.mul(b, p1.y - p0.y, "sel_y"))


# --- Montgomery arithmetic (incomplete; callers prove the operands distinct) -------------


def _to_mont(c: Circuit, p: PointWires) -> _Mont:
    u = _div(c, 1 + p.y, 1 - p.y, "to_mont.u")
    v = _div(c, u, p.x, "to_mont.v")
    return _Mont(u, v)


def _from_mont(c: Circuit, m: _Mont) -> PointWires:
    x = _div(c, m.u, m.v, "from_mont.x")
    y = _div(c, m.u - 1, m.u + 1, "from_mont.y")
    return PointWires(x, y)


def _mont_add(c: Circuit, p: _Mont, q: _Mont, label: str) -> _Mont:
    lam = _div(c, q.v - p.v, q.u - p.u, f"{label}.lambda")
    u3 = c.mul(lam, lam, f"{label}.lambda2") - MONT_A - p.u - q.u
    v3 = c.mul(lam, p.u - u3, f"{label}.v") - p.v
    return _Mont(u3, v3)


def _mont_double(c: Circuit, p: _Mont, label: str) -> _Mont:
    uu = c.mul(p.u, p.u, f"{label}.uu")
    lam = _div(c, uu * 3 + p.u * (2 * MONT_A) + 1, p.v * 2, f"{label}.lambda")
    u3 = c.mul(lam, lam, f"{label}.lambda2") - MONT_A - p.u * 2
    v3 = c.mul(lam, p.u - u3, f"{label}.v") - p.v
    return _Mont(u3, v3)


# --- fixed base ---------------------------------------------------------------------------


def _mont_const(pt: bj.Point) -> tuple[int, int]:
    u = (1 + pt.y) * pow((1 - pt.y) % R, R - 2, R) % R
    return u, u * pow(pt.x, R - 2, R) % R


class _FixedPlan(NamedTuple):
    windows: tuple[tuple[int, int], ...]  # (first bit, width)
    n_mont: int  # windows 0 .. n_mont-1 are summed on the Montgomery curve
    tables: tuple[tuple[tuple[int, int], ...], ...]  # per window: (u, v) or (x, y)


@lru_cache(maxsize=8)
def _fixed_plan(base: bj.Point, n_bits: int) -> _FixedPlan:
    windows = tuple((i, min(WINDOW, n_bits - i)) for i in range(0, n_bits, WINDOW))
    # Montgomery windows while every sum stays in (0, l) and below the next addend.
    n_mont = 0
    acc_max = 0
    for pos, width in windows:
        t_min, t_max = 2 << pos, ((1 << width) + 1) << pos
        if n_mont and not (acc_max < t_min and acc_max + t_max < L):
            break
        acc_max += t_max
        n_mont += 1
    offset = sum(2 << pos for pos, _ in windows[:n_mont])
    tables: list[tuple[tuple[int, int], ...]] = []
    for j, (pos, width) in enumerate(windows):
        if j < n_mont:
            entries = (_mont_const(bj.mul(base, (d + 2) << pos)) for d in range(1 << width))
            tables.append(tuple(entries))
        else:
            k = -offset if j == n_mont else 0
            tables.append(tuple(bj.mul(base, ((d << pos) + k) % L) for d in range(1 << width)))
    if n_mont == len(windows) and offset:
        tables.append((bj.mul(base, -offset % L),))
    return _FixedPlan(windows, n_mont, tuple(tables))


def _lookup(
    c: Circuit, bits: Sequence[LinComb], table: Sequence[tuple[int, int]]
) -> tuple[LinComb, LinComb]:
    """The table entry at index ``sum(b_i 2^i)`` (multilinear; 1 + 2*[3 bits] constraints)."""
    b = list(bits)
    if len(b) == 1:
        t0, t1 = table
        return b[0] * (t1[0] - t0[0]) + t0[0], b[0] * (t1[1] - t0[1]) + t0[1]
    p = c.mul(b[0], b[1], "b01")

    def quad(t: Sequence[tuple[int, int]], k: int) -> LinComb:
        return c.linear_combination(
            ((t[1][k] - t[0][k], b[0]), (t[2][k] - t[0][k], b[1]),
             (t[3][k] - t[2][k] - t[1][k] + t[0][k], p)),
            t[0][k],
        )

    if len(b) == 2:
        return quad(table, 0), quad(table, 1)
    out = []
    for k in range(2):
        g0, g1 = quad(table[:4], k), quad(table[4:], k)
        out.append(g0 + c.mul(b[2], g1 - g0, f"b2.{k}"))
    return out[0], out[1]


def fixed_base_mul(
    c: Circuit,
    bits: Sequence[LinComb | int],
    base: tuple[int, int] = bj.BASE8,
    label: str = "fixed_mul",
) -> PointWires:
    """``sum(b_i 2^i) * base`` for a constant base of prime order l (bits LSB first)."""
    pt = bj.check_prime_order(base)
    n = len(bits)
    if not 2 <= n <= L.bit_length():
        raise UnsafeCircuit(f"fixed_base_mul: need 2 <= len(bits) <= {L.bit_length()}")
    plan = _fixed_plan(pt, n)
    with c.scope(c.unique(label)):
        bs = [_ensure_bool(c, c.lc(b)) for b in bits]
        acc_m: _Mont | None = None
        for j in range(plan.n_mont):
            pos, width = plan.windows[j]
            with c.scope(f"w{j}"):
                m = _Mont(*_lookup(c, bs[pos:pos + width], plan.tables[j]))
                acc_m = m if acc_m is None else _mont_add(c, acc_m, m, "add")
        assert acc_m is not None
        with c.scope("to_edwards"):
            acc = _from_mont(c, acc_m)
        for j in range(plan.n_mont, len(plan.windows)):
            pos, width = plan.windows[j]
            with c.scope(f"w{j}"):
                e = PointWires(*_lookup(c, bs[pos:pos + width], plan.tables[j]))
                acc = point_add(c, acc, e, "add")
        if len(plan.tables) > len(plan.windows):
            ox, oy = plan.tables[-1][0]
            acc = point_add(c, acc, (ox, oy), "offset")
    return acc


# --- variable base --------------------------------------------------------------------------


def _step_body(c: Circuit, ins: list[LinComb]) -> list[LinComb]:
    """One right-to-left step: D' = 2D, acc' = acc + b * D' (b proven boolean by the caller)."""
    b, acc_u, acc_v, d_u, d_v = ins
    dbl = _mont_double(c, _Mont(d_u, d_v), "dbl")
    added = _mont_add(c, _Mont(acc_u, acc_v), dbl, "add")
    return [
        acc_u + c.mul(b, added.u - acc_u, "sel_u"),
        acc_v + c.mul(b, added.v - acc_v, "sel_v"),
        dbl.u,
        dbl.v,
    ]


@lru_cache(maxsize=1)
def _step_template() -> Template:
    return Template.record("babyjub_mul_step", 5, _step_body)



def scalar_mul(
    c: Circuit,
    bits: Sequence[LinComb | int],
    p: Sequence[LinComb | int],
    label: str = "scalar_mul",
) -> PointWires:
    """``sum(b_i 2^i) * p`` for p of order exactly l (bits LSB first, constrained boolean)."""
    n = len(bits)
    if n < 2:
        raise InvalidArgument("scalar_mul needs at least 2 bits")
    base = _point(c, p)
    result: PointWires | None = None
    with c.scope(c.unique(label)):
        bs = [_ensure_bool(c, c.lc(b)) for b in bits]
        base_m = _to_mont(c, base)
        dbl_m = base_m
        start = 0
        seg = 0
        while start < n:
            stop = min(n, start + SEGMENT_BITS)
            with c.scope(f"seg{seg}"):
                if start:
                    base_m = _mont_double(c, dbl_m, "next_base")
                    base = _from_mont(c, base_m)
                acc_m, dbl_m = base_m, base_m
                for j in range(start + 1, stop):
                    au, av, du, dv = c.instantiate(
                        _step_template(), [bs[j], *acc_m, *dbl_m], f"bit{j}"
                    )
                    acc_m, dbl_m = _Mont(au, av), _Mont(du, dv)
                acc = _from_mont(c, acc_m)
                # acc = (v - b0 + 1) * Q: add -(1 - b0) * Q, i.e. identity when b0 = 1.
                b0 = bs[start]
                fix = PointWires(
                    c.mul(b0 - 1, base.x, "fix_x"), base.y + c.mul(b0, 1 - base.y, "fix_y")
                )
                acc = point_add(c, acc, fix, "bit0")
            result = acc if result is None else point_add(c, result, acc, f"sum{seg}")
            start = stop
            seg += 1
    assert result is not None
    return result
