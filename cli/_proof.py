"""`zkcredit proof ...`: Groth16 proofs on the command line (snarkjs JSON files).

``zkcredit proof verify VERIFICATION_KEY PUBLIC PROOF`` takes the same three files as
``snarkjs groth16 verify`` and exits 0 for a valid proof, 1 for a well-formed proof that
does not verify, 2 for malformed input (bad JSON, another curve or protocol, a point off
the curve, an input >= r, a wrong input count...), with one line on stderr and no
traceback (ADVERSARIAL E1, E2, E5).
"""

from __future__ import annotations

import click

from zkcredit._files import read_json_file as read_json
from zkcredit.hazmat import groth16

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
        click.echo("OK: the proof is valid")
        return
    click.echo("INVALID: the proof does not verify")
    ctx.exit(1)
