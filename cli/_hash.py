"""`zkcredit hash ...`: hash functions on the command line."""

from __future__ import annotations

import click

from zkcredit.errors import InvalidArgument, InvalidEncoding, NonCanonicalScalar
from zkcredit.hazmat.poseidon import MAX_ARITY, SCALAR_MODULUS, poseidon_hash

__all__ = ["hash_group", "parse_field_element"]

# r has 77 decimal digits; anything longer is refused before conversion to int.
_MAX_DIGITS = len(str(SCALAR_MODULUS))


def _show(text: str) -> str:
    """A short, printable rendering of user input for error messages."""
    shown = text if len(text) <= 24 else f"{text[:10]}...{text[-6:]} ({len(text)} chars)"
    return repr(shown)


def parse_field_element(text: str, position: int) -> int:
    """Parses a strict decimal field element: digits only, no sign, no leading zeros, < r."""
    if not text:
        raise InvalidEncoding(f"input {position} is empty")
    if not (text.isascii() and text.isdigit()):
        raise InvalidEncoding(
            f"input {position} ({_show(text)}) is not a decimal number (digits 0-9 only, "
            "no sign, no hex)"
        )
    if len(text) > 1 and text[0] == "0":
        raise InvalidEncoding(f"input {position} ({_show(text)}) has a leading zero")
    if len(text) > _MAX_DIGITS:
        raise NonCanonicalScalar(
            f"input {position} ({_show(text)}) is not below the BN254 scalar field modulus r"
        )
    value = int(text)
    if value >= SCALAR_MODULUS:
        raise NonCanonicalScalar(
            f"input {position} ({_show(text)}) is not below the BN254 scalar field modulus r"
        )
    return value


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
    values = [parse_field_element(text, i + 1) for i, text in enumerate(inputs)]
    click.echo(str(poseidon_hash(values)))
