"""`zkcredit proof ...`: Groth16 proofs on the command line (snarkjs JSON files).

``zkcredit proof verify VERIFICATION_KEY PUBLIC PROOF`` takes the same three files as
``snarkjs groth16 verify`` and exits 0 for a valid proof, 1 for a well-formed proof that
does not verify, 2 for malformed input (bad JSON, another curve or protocol, a point off
the curve, an input >= r, a wrong input count...), with one line on stderr and no
traceback (ADVERSARIAL E1, E2, E5).
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from zkcredit.cli._circuit import groth16_json, load_circuit
from zkcredit.cli._common import emit, progress
from zkcredit.cli._hash import parse_field_element

from zkcredit._files import read_json_file as read_json
from zkcredit._files import write_file_atomic
from zkcredit.errors import InvalidEncoding, NonCanonicalScalar, OutputExists
from zkcredit.hazmat import groth16
from zkcredit.hazmat.poseidon import SCALAR_MODULUS

__all__ = ["proof_group"]


@click.group("proof")
def proof_group() -> None:
    """Groth16 proofs (snarkjs JSON formats)."""


@proof_group.command("verify")
@click.argument("verification_key", metavar="VERIFICATION_KEY")
@click.argument("public", metavar="PUBLIC")
@click.argument("proof", metavar="PROOF")
@click.pass_context
def verify_command(ctx: click.Context, verification_key: str, public: str, proof: str) -> None:
    """Verify a Groth16 proof: exit 0 valid, 1 invalid, 2 malformed input."""
    vk = groth16.VerifyingKey.from_snarkjs(read_json(verification_key, "verification key"))
    inputs = groth16.public_from_snarkjs(read_json(public, "public inputs"), vk.curve)
    pr = groth16.Proof.from_snarkjs(read_json(proof, "proof"))
    if groth16.verify(vk, inputs, pr):
        emit(ctx, "OK: the proof is valid", {"valid": True})
        return
    emit(ctx, "INVALID: the proof does not verify", {"valid": False})
    ctx.exit(1)


def _value(name: str, v: object) -> int:
    if type(v) is int:
        if not 0 <= v < SCALAR_MODULUS:
            raise NonCanonicalScalar(f"input {name!r} is not in [0, r)")
        return v
    if isinstance(v, str):
        return parse_field_element(v, f"input {name!r}")
    raise InvalidEncoding(
        f"input {name!r} must be a decimal string or an integer, got {type(v).__name__}")


def parse_inputs(obj: object) -> dict[str, int | list[int]]:
    """An inputs JSON object: name -> field element or flat list of field elements
    (decimal strings or JSON integers; floats, bools, signs and hex are refused)."""
    if not isinstance(obj, dict):
        raise InvalidEncoding("inputs: expected a JSON object of name -> value")
    out: dict[str, int | list[int]] = {}
    for name, v in obj.items():
        if isinstance(v, list):
            out[name] = [_value(f"{name}[{i}]", x) for i, x in enumerate(v)]
        else:
            out[name] = _value(name, v)
    return out



@proof_group.command("create")
@click.argument("circuit", metavar="CIRCUIT")
@click.argument("proving_key", metavar="PROVING_KEY")
@click.argument("inputs", metavar="INPUTS")
@click.option("--proof", "proof_out", default="proof.json", show_default=True,
              help="Where to write the proof (snarkjs proof.json).")
@click.option("--public", "public_out", default="public.json", show_default=True,
              help="Where to write the public signals (snarkjs public.json).")
@click.pass_context
def create_command(ctx: click.Context, *, circuit: str, proving_key: str, inputs: str,
                   proof_out: str, public_out: str) -> None:
    """Prove CIRCUIT (built-in name or .r1cs/.program.json) for an INPUTS JSON file.

    Exit 1 and no file written if the inputs do not satisfy the circuit.
    """
    for out in (proof_out, public_out):
        if Path(out).exists() or Path(out).is_symlink():
            raise OutputExists(f"{out} already exists; refusing to overwrite it")
    t0 = time.perf_counter()
    assignment = parse_inputs(read_json(inputs, "inputs"))
    progress(ctx, 1, 4, f"loading circuit {circuit}")
    compiled = load_circuit(circuit).compiled
    progress(ctx, 2, 4, f"loading proving key {proving_key}")
    pk = groth16.ProvingKey.from_file(proving_key)
    progress(ctx, 3, 4, "solving the witness")
    witness = compiled.solve(assignment)
    progress(ctx, 4, 4, f"proving ({compiled.r1cs.n_constraints} constraints)")
    pr = groth16.prove(pk, compiled.r1cs, witness)
    public = compiled.public_values(witness)
    if not groth16.verify(pk.vk, public, pr):  # never hand out a proof that fails
        raise RuntimeError("the new proof does not verify under the key's verifying key")
    write_file_atomic(proof_out, groth16_json(pr.to_snarkjs()).encode())
    write_file_atomic(public_out, groth16_json(groth16.public_to_snarkjs(public)).encode())
    elapsed = time.perf_counter() - t0
    emit(ctx, f"wrote {proof_out} and {public_out} ({len(public)} public signals, "
              f"{elapsed:.2f} s)",
         {"proof": proof_out, "public": public_out,
          "public_signals": groth16.public_to_snarkjs(public), "seconds": round(elapsed, 3)})
