"""`zkcredit hash ...`: hash functions on the command line."""

from __future__ import annotations

import click

from zkcredit.errors import InvalidArgument
from zkcredit.hazmat.encoding import parse_decimal
from zkcredit.hazmat.poseidon import MAX_ARITY, SCALAR_MODULUS, poseidon_hash

__all__ = ["hash_group", "parse_field_element"]

def parse_field_element(text: str, what: str) -> int:
    """A strict decimal BN254 scalar (digits only, no sign, no leading zero, < r), by the
    one parser every format uses (`zkcredit.hazmat.encoding.parse_decimal`)."""
    return parse_decimal(text, SCALAR_MODULUS, what,
                         modulus_name="the BN254 scalar field modulus r")


@click.group("hash")
def hash_group() -> None:
    """Hash functions over the BN254 scalar field."""


@hash_group.command(
    "poseidon",
    context_settings={"ignore_unknown_options": True},  # so "-1" is refused as a number
)
@click.argument("inputs", nargs=-1)
def poseidon_command(inputs: tuple[str, ...]) -> None:
    """Print the circomlib Poseidon hash of 1 to 16 decimal field elements."""
    if not 1 <= len(inputs) <= MAX_ARITY:
        raise InvalidArgument(f"Poseidon takes 1 to {MAX_ARITY} inputs, got {len(inputs)}")
    values = [parse_field_element(text, f"input {i + 1}") for i, text in enumerate(inputs)]
    click.echo(str(poseidon_hash(values)))
