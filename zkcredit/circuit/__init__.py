"""The circuit layer: an R1CS builder, its compiled form, solver, checker and linter.

Typical use::

    from zkcredit.circuit import Circuit

    c = Circuit("square")
    x = c.private("x")
    y = c.public("y")
    c.assert_equal(x * x, y, "y = x^2")
    compiled = c.compile()
    witness = compiled.solve({"x": 3, "y": 9})      # native solver
    same = compiled.solve_reference({"x": 3, "y": 9})  # pure-Python reference

Wire order follows iden3: 1, public signals, private inputs, internal wires. Gadgets live
in `zkcredit.circuits`; the iden3 ``.r1cs`` / ``.wtns`` formats are read and written
by `read_r1cs` / `write_r1cs` / `read_wtns` / `write_wtns`.
"""

from __future__ import annotations

from ._builder import Circuit, CompiledCircuit, LinComb, Template, Var
from ._field import R
from ._hints import HINTS
from ._iden3 import R1csFile, read_r1cs, read_wtns, write_r1cs, write_wtns
from ._lint import LintIssue, lint
from ._native_solver import NativeSolver, encode_solver_image
from ._program import (
    HintStep,
    InputSlot,
    Program,
    SolveStep,
    flatten_assignment,
    input_values,
    solve,
)
from ._r1cs import R1CS, Constraint, check, first_unsatisfied

__all__ = [
    "HINTS",
    "R1CS",
    "Circuit",
    "CompiledCircuit",
    "Constraint",
    "HintStep",
    "InputSlot",
    "LinComb",
    "LintIssue",
    "NativeSolver",
    "Program",
    "R",
    "R1csFile",
    "SolveStep",
    "Template",
    "Var",
    "check",
    "encode_solver_image",
    "first_unsatisfied",
    "flatten_assignment",
    "input_values",
    "lint",
    "read_r1cs",
    "read_wtns",
    "solve",
    "write_r1cs",
    "write_wtns",
]
