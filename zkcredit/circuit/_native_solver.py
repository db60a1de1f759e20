"""The native witness solver: the solver program executed by the Rust core.

`NativeSolver` packs an R1CS and its solver `Program` into one binary *solver image*
(layout in ``native/core/src/solver.rs`` and docs/circuit.md), which the core parses and
validates once; each solve then passes only the packed input values (32-byte
little-endian) and gets back the packed witness, the value layout of ``.wtns`` files,
with the GIL released. Results and errors are those of the pure-Python reference
`zkcredit.circuit.solve` (tests/circuit/test_native_solver.py checks both agree).

The image rather than the program's JSON: the JSON carries no constraints, and the
``.r1cs`` form of the benchmark circuit is 20 MB and 0.6 s to write from Python, while its
image (coefficients interned in a table, indices as ``u32``) is 4.9 MB and about
0.1 s to pack (the program JSON alone is 0.44 MB and 24 ms, without the constraints).
"""

from __future__ import annotations

import sys
from array import array
from typing import TYPE_CHECKING

from zkcredit.errors import InvalidArgument, NativeUnavailable

from ._field import R
from ._program import Assignment, Program, SolveStep, input_values
from ._r1cs import R1CS

if TYPE_CHECKING:
    from zkcredit._native import _Bn254Solver

__all__ = ["IMAGE_MAGIC", "IMAGE_VERSION", "NativeSolver", "encode_solver_image",
           "unpack_witness"]

IMAGE_MAGIC = b"ZKCSOLVR"
IMAGE_VERSION = 1

_U32 = "I" if array("I").itemsize == 4 else "L"


def encode_solver_image(r1cs: R1CS, program: Program) -> bytes:
    """The binary solver image of ``r1cs`` with ``program`` (see the module docstring).

    Coefficients are reduced modulo r, as the reference does when it evaluates them;
    indices and params that do not fit in 32 bits raise `InvalidArgument`. Everything
    else (ranges, hint names and arities, the solving order) is validated by the core.
    """
    if program.n_wires != r1cs.n_wires:
        raise InvalidArgument(
            f"the program has {program.n_wires} wires, the system {r1cs.n_wires}"
        )
    coeff_index: dict[int, int] = {}  # as written -> table index
    table: dict[int, int] = {}  # value mod r -> table index, in index order
    hint_index: dict[str, int] = {}
    body = array(_U32)
    put = body.append
    extend = body.extend

    def lc(terms: tuple[tuple[int, int], ...]) -> None:
        put(len(terms))
        for wire, coeff in terms:
            index = coeff_index.get(coeff)
            if index is None:
                index = coeff_index[coeff] = table.setdefault(coeff % R, len(table))
            put(wire)
            put(index)

    try:
        for k in r1cs.constraints:
            lc(k.a)
            lc(k.b)
            lc(k.c)
        put(len(program.inputs))
        extend(slot.wire for slot in program.inputs)
        put(len(program.steps))
        for step in program.steps:
            if isinstance(step, SolveStep):
                extend((0, step.constraint, step.wire))
                continue
            put(1)
            put(hint_index.setdefault(step.hint, len(hint_index)))
            put(len(step.inputs))
            for terms in step.inputs:
                lc(terms)
            put(len(step.outputs))
            extend(step.outputs)
            put(len(step.params))
            extend(step.params)
    except OverflowError as exc:
        raise InvalidArgument(f"solver program index or param out of range: {exc}") from exc
    if sys.byteorder != "little":  # pragma: no cover - the image is little-endian
        body.byteswap()

    head = array(_U32, [IMAGE_VERSION, r1cs.n_wires, r1cs.n_constraints, len(table)])
    names = bytearray()
    names += len(hint_index).to_bytes(4, "little")
    for name in hint_index:
        raw = name.encode()
        names += len(raw).to_bytes(4, "little") + raw
    if sys.byteorder != "little":  # pragma: no cover
        head.byteswap()
    return b"".join((
        IMAGE_MAGIC,
        head.tobytes(),
        b"".join(value.to_bytes(32, "little") for value in table),
        bytes(names),
        body.tobytes(),
    ))


def unpack_witness(data: bytes) -> list[int]:
    """Packed 32-byte little-endian scalars as a list of ints."""
    view = memoryview(data)
    return [int.from_bytes(view[i : i + 32], "little") for i in range(0, len(data), 32)]


class NativeSolver:
    """The native solver of one R1CS and program: parsed and validated once, then
    `solve` / `solve_packed` per assignment. A malformed program raises a
    `MalformedInput` subclass when the solver is built."""

    __slots__ = ("_core", "program")

    def __init__(self, r1cs: R1CS, program: Program) -> None:
        try:  # imported here so the reference solver works without a compiled core
            from zkcredit._native import bn254  # noqa: PLC0415
        except ImportError as exc:  # pragma: no cover - only without a compiled core
            raise NativeUnavailable(
                "the compiled core zkcredit._native is not available; build it with "
                "`pip install --no-build-isolation -e .` (README set-up), or use "
                "CompiledCircuit.solve_reference"
            ) from exc
        image = encode_solver_image(r1cs, program)
        labels = [k.label for k in r1cs.constraints]
        self._core: _Bn254Solver = bn254.Solver(image, labels)
        self.program = program

    def solve_packed(self, assignment: Assignment) -> bytes:
        """The full witness as packed 32-byte little-endian scalars (`.wtns` values).

        Raises like the reference: `InvalidArgument` for a missing or unknown input,
        `NonCanonicalScalar` for a value outside [0, r), `UnsatisfiedConstraint` naming
        the first violated constraint (or the one a solve step cannot divide by).
        """
        values = input_values(self.program, assignment)
        packed = b"".join(v.to_bytes(32, "little") for v in values)
        return self._core.solve(packed)

    def solve(self, assignment: Assignment) -> list[int]:
        """The full witness as ints (`solve_packed`, unpacked)."""
        return unpack_witness(self.solve_packed(assignment))
