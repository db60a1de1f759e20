"""Named hints: out-of-circuit computations the witness solver calls by name.

A hint computes one or more wires from the values of some linear combinations. It is
*not* a constraint: every gadget that calls a hint must constrain its outputs, and the
linter (ADVERSARIAL A9) refuses a hint output that no constraint mentions. A hint must be
a pure function of its inputs and integer parameters so a native solver can reproduce it
from its name alone; the table below is the contract (docs/circuit.md).

======================  ========  ==========================================  ========
name                    inputs    outputs                                     params
======================  ========  ==========================================  ========
``bits``                x         the n low bits of x, least significant      (n,)
                                  first
``inverse_or_zero``     x         1/x, or 0 when x = 0                        ()
``div``                 a, b      a/b in the field, or 0 when b = 0           ()
``int_divmod``          a, d      a // d and a % d as integers (d = 0: 0, a)  ()
======================  ========  ==========================================  ========
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from zkcredit.errors import InvalidArgument

from ._field import R

__all__ = ["HINTS", "HintFn", "run_hint"]

HintFn = Callable[[Sequence[int], Sequence[int]], list[int]]


def _bits(inputs: Sequence[int], params: Sequence[int]) -> list[int]:
    (x,), (n,) = inputs, params
    return [(x >> i) & 1 for i in range(n)]


def _inverse_or_zero(inputs: Sequence[int], params: Sequence[int]) -> list[int]:
    (x,) = inputs
    return [pow(x, R - 2, R) if x else 0]


def _div(inputs: Sequence[int], params: Sequence[int]) -> list[int]:
    a, b = inputs
    return [a * pow(b, R - 2, R) % R if b else 0]


def _int_divmod(inputs: Sequence[int], params: Sequence[int]) -> list[int]:
    a, d = inputs
    if d == 0:
        return [0, a]
    return [a // d, a % d]


#: The hint table, ``name: (inputs, params, function)``; names and arities are part of
#: the solver-program format (the native solver refuses a program that breaks them).
HINTS: dict[str, tuple[int, int, HintFn]] = {
    "bits": (1, 1, _bits),
    "inverse_or_zero": (1, 0, _inverse_or_zero),
    "div": (2, 0, _div),
    "int_divmod": (2, 0, _int_divmod),
}


def run_hint(name: str, inputs: Sequence[int], params: Sequence[int], n_out: int) -> list[int]:
    """Run the named hint; the result has exactly ``n_out`` canonical values."""
    try:
        n_in, n_params, fn = HINTS[name]
    except KeyError:
        raise InvalidArgument(f"unknown hint {name!r}") from None
    if len(inputs) != n_in:
        raise InvalidArgument(f"hint {name!r} takes {n_in} inputs, got {len(inputs)}")
    if len(params) != n_params:
        raise InvalidArgument(f"hint {name!r} takes {n_params} params, got {len(params)}")
    out = fn(inputs, params)
    if len(out) != n_out:
        raise InvalidArgument(f"hint {name!r} gave {len(out)} outputs, expected {n_out}")
    return [v % R for v in out]
