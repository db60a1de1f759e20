"""`zkcredit circuit ...`: built-in circuits, their files, development setup, verifiers.

A CIRCUIT argument is either the name of a built-in circuit (`zkcredit circuit list`) or
a compiled circuit on disk: ``NAME.r1cs`` (iden3) next to ``NAME.program.json`` (the
solver program), as ``circuit compile`` writes them; either file may be named.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
from zkcredit.cli._common import emit, progress

from zkcredit._files import loads_strict, read_file_bounded, read_json_file, write_file_atomic
from zkcredit.circuit import Circuit, CompiledCircuit, Program, read_r1cs, write_r1cs
from zkcredit.errors import InvalidArgument, InvalidEncoding, OutputExists
from zkcredit.hazmat import groth16
from zkcredit.hazmat.solidity import export_solidity_verifier

__all__ = [
    "CIRCUITS",
    "LoadedCircuit",
    "circuit_group",
    "load_circuit",
]

MAX_R1CS_BYTES = 1 << 30
"""A `.r1cs` larger than this is refused before reading (E3)."""
MAX_PROGRAM_BYTES = 256 << 20
PROVING_KEY_FILE = "proving_key.bin"
VERIFICATION_KEY_FILE = "verification_key.json"


@functools.cache
def _credit_score_bench() -> CompiledCircuit:
    """Compiled once per process (deterministic: same definition, same bytes)."""
    from zkcredit.circuits.credit_score_bench import credit_score_bench  # noqa: PLC0415

    c = Circuit("credit_score_bench")
    credit_score_bench(c)
    return c.compile()


def _credit_threshold() -> CompiledCircuit:
    """The issue-5 threshold circuit (capacity 32, the default score model)."""
    try:
        from zkcredit.credit.threshold import build_threshold_circuit  # noqa: PLC0415
    except ImportError:
        raise InvalidArgument("the credit-threshold circuit is not available in this build") \
            from None
    return build_threshold_circuit()


def _threshold_available() -> bool:
    return importlib.util.find_spec("zkcredit.credit.threshold") is not None


@dataclass(frozen=True)
class _Entry:
    build: Callable[[], CompiledCircuit]
    summary: str
    available: Callable[[], bool]


CIRCUITS: dict[str, _Entry] = {
    "credit-score-bench": _Entry(
        _credit_score_bench,
        "issue-3 benchmark statement: 32 records, Merkle commitment, score >= threshold",
        lambda: True,
    ),
    "credit-threshold": _Entry(
        _credit_threshold,
        "issue-5 credit attestation: issuer-signed history, model score and predicates",
        _threshold_available,
    ),
}
"""Built-in circuits by name; an entry whose module has not landed is listed unavailable."""


@dataclass(frozen=True)
class LoadedCircuit:
    """A compiled circuit and where it came from (a built-in name or a file)."""

    name: str
    compiled: CompiledCircuit
    r1cs_bytes: bytes

    @property
    def r1cs_sha256(self) -> str:
        return hashlib.sha256(self.r1cs_bytes).hexdigest()


def _read_program(path: Path) -> Program:
    data = read_file_bounded(path, "solver program", MAX_PROGRAM_BYTES)
    try:
        doc = loads_strict(data)
    except InvalidEncoding as exc:
        raise InvalidEncoding(f"solver program {path}: {exc}") from None
    if not isinstance(doc, dict):
        raise InvalidEncoding(f"solver program {path}: not a JSON object")
    return Program.from_json(data.decode("utf-8"))


def _is_name(ref: str) -> bool:
    return ref in CIRCUITS


def load_circuit(ref: str, *, need_program: bool = True) -> LoadedCircuit:
    """Compile a built-in circuit by name, or read ``X.r1cs`` (+ ``X.program.json``)."""
    if _is_name(ref):
        compiled = CIRCUITS[ref].build()
        return LoadedCircuit(ref, compiled, write_r1cs(compiled.r1cs))
    path = Path(ref)
    if path.name.endswith(".program.json"):
        stem = path.name[: -len(".program.json")]
        r1cs_path, program_path = path.with_name(stem + ".r1cs"), path
    elif path.suffix == ".r1cs":
        stem = path.stem
        r1cs_path, program_path = path, path.with_name(stem + ".program.json")
    else:
        known = ", ".join(CIRCUITS)
        raise InvalidArgument(
            f"{ref!r} is neither a built-in circuit ({known}) nor a .r1cs / .program.json file"
        )
    data = read_file_bounded(r1cs_path, "r1cs", MAX_R1CS_BYTES)
    try:
        r1cs = read_r1cs(data).r1cs
    except InvalidEncoding as exc:
        raise InvalidEncoding(f"r1cs {r1cs_path}: {exc}") from None
    if need_program:
        program = _read_program(program_path)
        if program.n_wires != r1cs.n_wires:
            raise InvalidEncoding(
                f"solver program {program_path} is for {program.n_wires} wires, "
                f"the r1cs has {r1cs.n_wires}"
            )
        compiled = CompiledCircuit(stem, r1cs, program)
        compiled.native_solver  # noqa: B018 - build now: validates program against the r1cs
    else:
        compiled = CompiledCircuit(stem, r1cs, Program(r1cs.n_wires, (), ()))
    return LoadedCircuit(stem, compiled, data)


def _ensure_dir(path: Path) -> None:
    if path.is_symlink():
        raise OutputExists(f"{path} is a symlink; refusing to write through it")
    path.mkdir(parents=True, exist_ok=True)


def _refuse_existing(*paths: Path) -> None:
    for p in paths:
        if p.exists() or p.is_symlink():
            raise OutputExists(f"{p} already exists; refusing to overwrite it")


@click.group("circuit")
def circuit_group() -> None:
    """Built-in circuits: compile, inspect, development setup, Solidity verifier."""


@circuit_group.command("list")
@click.pass_context
def list_command(ctx: click.Context) -> None:
    """List the built-in circuits."""
    rows = [{"name": n, "available": e.available(), "summary": e.summary}
            for n, e in CIRCUITS.items()]
    human = "\n".join(
        f"{r['name']:<20} {r['summary']}" + ("" if r["available"] else " (not available yet)")
        for r in rows)
    emit(ctx, human, {"circuits": rows})


@circuit_group.command("compile")
@click.argument("name")
@click.option("--out", "out", required=True, metavar="DIR", help="Output directory.")
@click.pass_context
def compile_command(ctx: click.Context, name: str, out: str) -> None:
    """Write NAME.r1cs (iden3) and NAME.program.json (solver program) into DIR."""
    if not _is_name(name):
        raise InvalidArgument(f"unknown circuit {name!r} (built-in: {', '.join(CIRCUITS)})")
    directory = Path(out)
    r1cs_path = directory / f"{name}.r1cs"
    program_path = directory / f"{name}.program.json"
    _refuse_existing(r1cs_path, program_path)
    loaded = load_circuit(name)
    _ensure_dir(directory)
    write_file_atomic(r1cs_path, loaded.r1cs_bytes)
    write_file_atomic(program_path, loaded.compiled.program.to_json().encode())
    r1cs = loaded.compiled.r1cs
    emit(ctx, f"wrote {r1cs_path} ({r1cs.n_constraints} constraints, {r1cs.n_wires} wires)\n"
              f"wrote {program_path}",
         {"r1cs": str(r1cs_path), "program": str(program_path),
          "constraints": r1cs.n_constraints, "wires": r1cs.n_wires,
          "r1cs_sha256": loaded.r1cs_sha256})


@circuit_group.command("info")
@click.argument("circuit", metavar="CIRCUIT")
@click.pass_context
def info_command(ctx: click.Context, circuit: str) -> None:
    """Constraints, wires, public inputs and SHA-256 of a built-in circuit or a .r1cs."""
    need_program = _is_name(circuit) or circuit.endswith(".program.json")
    loaded = load_circuit(circuit, need_program=need_program)
    r1cs, program = loaded.compiled.r1cs, loaded.compiled.program
    public = [s.name for s in program.inputs if s.public]
    data = {"name": loaded.name, "constraints": r1cs.n_constraints, "wires": r1cs.n_wires,
            "public_inputs": r1cs.n_public, "public_outputs": r1cs.n_public_out,
            "private_inputs": r1cs.n_private, "public_names": public,
            "r1cs_sha256": loaded.r1cs_sha256}
    human = [f"circuit         {loaded.name}", f"constraints     {r1cs.n_constraints}",
             f"wires           {r1cs.n_wires}", f"public inputs   {r1cs.n_public}"
             + (f" ({', '.join(public)})" if public else ""),
             f"private inputs  {r1cs.n_private}", f"r1cs sha256     {loaded.r1cs_sha256}"]
    emit(ctx, "\n".join(human), data)


@circuit_group.command("setup")
@click.argument("circuit", metavar="CIRCUIT")
@click.option("--out", "out", required=True, metavar="DIR",
              help=f"Output directory for {PROVING_KEY_FILE} and {VERIFICATION_KEY_FILE}.")
@click.pass_context
def setup_command(ctx: click.Context, circuit: str, out: str) -> None:
    """DEVELOPMENT Groth16 setup (single party: whoever runs it could forge proofs).

    Writes DIR/proving_key.bin and DIR/verification_key.json (snarkjs format); refuses
    to overwrite either.
    """
    directory = Path(out)
    pk_path, vk_path = directory / PROVING_KEY_FILE, directory / VERIFICATION_KEY_FILE
    _refuse_existing(pk_path, vk_path)
    click.echo("DEVELOPMENT SETUP: single-party, not for production — whoever runs it "
               "could forge proofs.", err=True)
    t0 = time.perf_counter()
    progress(ctx, 1, 3, f"loading circuit {circuit}")
    loaded = load_circuit(circuit, need_program=False)
    r1cs = loaded.compiled.r1cs
    progress(ctx, 2, 3, f"setup over {r1cs.n_constraints} constraints, {r1cs.n_wires} wires")
    pk, vk = groth16.setup(r1cs)
    progress(ctx, 3, 3, "writing keys")
    _ensure_dir(directory)
    write_file_atomic(pk_path, pk.to_bytes())
    write_file_atomic(vk_path, (groth16_json(vk.to_snarkjs())).encode())
    elapsed = time.perf_counter() - t0
    emit(ctx, f"development setup (single party) done in {elapsed:.2f} s\n"
              f"proving key: {pk_path}\nverification key: {vk_path}",
         {"setup": pk.metadata.get("setup"), "proving_key": str(pk_path),
          "verification_key": str(vk_path), "r1cs_sha256": pk.metadata.get("r1cs_sha256"),
          "seconds": round(elapsed, 3)})


def groth16_json(obj: object) -> str:
    """snarkjs-style pretty JSON text for keys, proofs and public signals."""
    return json.dumps(obj, indent=1) + "\n"


@circuit_group.command("export-verifier")
@click.argument("verification_key", metavar="VERIFICATION_KEY")
@click.option("--out", "out", required=True, metavar="FILE.sol", help="Solidity output file.")
@click.option("--contract", "contract", default="Groth16Verifier", show_default=True,
              help="Contract name.")
@click.pass_context
def export_verifier_command(ctx: click.Context, verification_key: str, out: str,
                            contract: str) -> None:
    """Write a Solidity verifier contract for a snarkjs verification_key.json (BN254)."""
    if not contract.isascii() or not contract.isidentifier():
        raise InvalidArgument(f"contract name {contract!r} is not a Solidity identifier")
    vk = groth16.VerifyingKey.from_snarkjs(read_json_file(verification_key,
                                                          "verification key"))
    source = export_solidity_verifier(vk, contract)
    write_file_atomic(out, source.encode())
    emit(ctx, f"wrote {out} (contract {contract}, {vk.n_public} public inputs)",
         {"solidity": out, "contract": contract, "public_inputs": vk.n_public})
