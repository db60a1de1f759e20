"""`zkcredit proof ...`: Groth16 proofs on the command line (snarkjs JSON files).

``zkcredit proof verify VERIFICATION_KEY PUBLIC PROOF`` takes the same three files as
``snarkjs groth16 verify`` and exits 0 for a valid proof, 1 for a well-formed proof that
does not verify, 2 for malformed input (bad JSON, another curve or protocol, a point off
the curve, an input >= r, a wrong input count...), with one line on stderr and no
traceback (ADVERSARIAL E1, E2, E5).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from zkcredit.errors import InvalidEncoding
from zkcredit.hazmat import groth16

__all__ = ["proof_group", "read_json"]

MAX_JSON_BYTES = 64 * 1024 * 1024
"""Files larger than this are refused before parsing (E3)."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InvalidEncoding(f"duplicate JSON key {key!r}")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise InvalidEncoding(f"{name} is not valid JSON")


def read_json(path: str, what: str) -> Any:
    """Strict JSON from a file: bounded size, no NaN/Infinity, no duplicate keys, no
    deep nesting; every failure is `InvalidEncoding` naming the file."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_JSON_BYTES:
            raise InvalidEncoding(f"{what} {path}: {size} bytes is too large")
        text = p.read_bytes().decode("utf-8")
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except InvalidEncoding as exc:
        raise InvalidEncoding(f"{what} {path}: {exc}") from None
    except OSError as exc:
        raise InvalidEncoding(f"{what} {path}: cannot read ({exc.strerror})") from None
    except (ValueError, RecursionError) as exc:
        # UnicodeDecodeError and json.JSONDecodeError are ValueErrors.
        raise InvalidEncoding(f"{what} {path}: not valid JSON ({type(exc).__name__})") from None


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
