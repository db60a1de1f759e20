"""The builder, compiled form, solver program, checker and linter."""

from __future__ import annotations

import subprocess
import sys

import pytest
from zkcredit.circuits.bits import to_bits

from zkcredit.circuit import (
    Circuit,
    HintStep,
    Program,
    SolveStep,
    check,
    first_unsatisfied,
    write_r1cs,
)
from zkcredit.errors import (
    CircuitError,
    InvalidArgument,
    NonCanonicalScalar,
    UnsafeCircuit,
    UnsatisfiedConstraint,
    UnsupportedFormat,
)

from ._support import R


def _cubic(c: Circuit) -> None:
    x = c.private("x")
    y = c.public("y")
    with c.scope("cubic"):
        c.assert_equal(x * x * x + 2 * x + 5, y, "y = x^3 + 2x + 5")


def test_wire_order_is_one_public_private_internal() -> None:
    c = Circuit()
    a = c.private("a")
    p = c.public("p")
    b = c.private("b")
    q = c.public("q")
    c.assert_equal(a * b, p + q)
    r1cs = c.compile().r1cs
    assert r1cs.wire_names[:5] == ("one", "p", "q", "a", "b")
    assert (r1cs.n_public, r1cs.n_private, r1cs.n_wires) == (2, 2, 6)
    assert list(r1cs.public_wires()) == [1, 2]


def test_products_and_constants() -> None:
    c = Circuit()
    x = c.private("x")
    c.public("y")
    (wire,) = x.terms
    assert (3 * x * 2).terms == {wire: 6}
    before = c.n_constraints
    z = (x + 1) * 7 - x * 2  # constants are free
    assert c.n_constraints == before
    w = z * (x - 3)  # one product: one constraint
    assert c.n_constraints == before + 1
    assert w.terms and not w.is_constant()
    k = c.constant(4) * c.constant(5)
    assert k.constant_value() == 20
    with pytest.raises(TypeError):
        bool(x)


def test_solve_and_check_name_the_failing_constraint() -> None:
    c = Circuit("cubic")
    _cubic(c)
    compiled = c.compile()
    w = compiled.solve({"x": 3, "y": 27 + 6 + 5})
    assert compiled.public_values(w) == [38]
    with pytest.raises(UnsatisfiedConstraint) as info:
        compiled.solve({"x": 3, "y": 39})
    assert info.value.label == "cubic/y = x^3 + 2x + 5"
    assert "cubic/y = x^3 + 2x + 5" in str(info.value)
    bad = list(w)
    bad[-1] = (bad[-1] + 1) % R
    assert first_unsatisfied(compiled.r1cs, bad) is not None
    with pytest.raises(UnsatisfiedConstraint) as info2:
        check(compiled.r1cs, bad)
    assert info2.value.label.startswith("cubic/")


def test_solver_input_validation() -> None:
    c = Circuit()
    _cubic(c)
    compiled = c.compile()
    with pytest.raises(InvalidArgument):
        compiled.solve({"x": 3})
    with pytest.raises(InvalidArgument):
        compiled.solve({"x": 3, "y": 38, "z": 1})
    with pytest.raises(NonCanonicalScalar):
        compiled.solve({"x": 3 + R, "y": 38})
    with pytest.raises(NonCanonicalScalar):
        compiled.solve({"x": -1, "y": 38})
    with pytest.raises(InvalidArgument):
        check(compiled.r1cs, [1, 2])


def test_compilation_is_deterministic_byte_for_byte() -> None:
    def build() -> tuple[bytes, str]:
        c = Circuit()
        x = c.private("x")
        bits = to_bits(c, x, 16)
        c.assert_equal(bits[3] * bits[5] + x, c.public("y"))
        compiled = c.compile()
        return write_r1cs(compiled.r1cs), compiled.program.to_json()

    assert build() == build()


def test_program_json_round_trip_and_format_checks() -> None:
    c = Circuit()
    x = c.private("x")
    to_bits(c, x, 8)
    c.assert_equal(x * x, c.public("y"))
    compiled = c.compile()
    program = compiled.program
    assert any(isinstance(s, HintStep) and s.hint == "bits" for s in program.steps)
    assert any(isinstance(s, SolveStep) for s in program.steps)
    again = Program.from_json(program.to_json())
    assert again == program
    with pytest.raises(UnsupportedFormat):
        Program.from_json(program.to_json().replace('"version":1', '"version":2'))
    with pytest.raises(UnsupportedFormat):
        Program.from_json("{}")


def test_constant_assertions_are_refused_when_false() -> None:
    c = Circuit()
    c.assert_equal(c.constant(3), 3)  # true: no constraint
    assert c.n_constraints == 0
    with pytest.raises(UnsafeCircuit):
        c.assert_equal(c.constant(3), 4)
    with pytest.raises(UnsafeCircuit):
        c.assert_bool(c.constant(2))


def test_values_from_two_circuits_do_not_mix() -> None:
    a, b = Circuit(), Circuit()
    with pytest.raises(InvalidArgument):
        _ = a.private("x") + b.private("y")


def test_duplicate_input_names_are_refused() -> None:
    c = Circuit()
    c.private("x")
    with pytest.raises(InvalidArgument):
        c.public("x")


def test_unknown_hint_is_refused() -> None:
    c = Circuit()
    with pytest.raises(InvalidArgument):
        c.hint("nope", [c.private("x")], 1)


def test_labels_nest_with_scopes() -> None:
    c = Circuit()
    x = c.private("x")
    with c.scope("outer"), c.scope("inner"):
        c.assert_bool(x, "b")
    c.assert_equal(x, c.public("y"))
    labels = [k.label for k in c.compile().r1cs.constraints]
    assert labels == ["outer/inner/b", "equal"]


def test_program_validation_catches_a_wire_never_assigned() -> None:
    c = Circuit()
    x = c.private("x")
    c._new_wire("internal", "orphan")  # a wire no step assigns
    c.assert_equal(x, c.public("y"))
    with pytest.raises(CircuitError):
        c.compile(lint_errors=False)


def test_compilation_is_identical_across_processes() -> None:
    # Hash randomization must not leak into wire numbering or the program.
    script = (
        "from zkcredit.circuit import Circuit, write_r1cs\n"
        "from zkcredit.circuits.merkle import assert_merkle_inclusion\n"
        "import hashlib\n"
        "c = Circuit()\n"
        "assert_merkle_inclusion(c, c.public('root'), c.private('leaf'),"
        " c.private_list('bit', 2), c.private_list('sib', 2))\n"
        "k = c.compile()\n"
        "print(hashlib.sha256(write_r1cs(k.r1cs) + k.program.to_json().encode()).hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


def test_values_refuse_python_comparisons() -> None:
    c = Circuit()
    x = c.private("x")
    with pytest.raises(TypeError):
        _ = x == 3
    with pytest.raises(TypeError):
        _ = x < 3  # type: ignore[operator]
