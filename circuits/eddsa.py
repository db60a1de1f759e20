"""EdDSA-Poseidon signature verification in-circuit (circomlib ``EdDSAPoseidonVerifier``,
`zkcredit.hazmat.eddsa.verify_poseidon`).

`eddsa_poseidon_verify(c, ax, ay, s, r8x, r8y, msg)`
    Constrains, for the public key A = (ax, ay), the signature (R8 = (r8x, r8y), S) and the
    message msg (any field element):

    - ``S < l`` as an integer: S is decomposed into 251 bits and compared with the constant
      l - 1, so S + l (for which the curve equation also holds) is refused, not reduced;
    - A and R8 on the curve;
    - A not of low order: 8*A is computed by three doublings and its x must be nonzero,
      which refuses the identity, (0, -1), the order-4 and the order-8 points (with such a
      key R8 = k*B8, S = k "verifies" every message);
    - ``h = Poseidon([r8x, r8y, ax, ay, msg])`` decomposed into its canonical 254 bits
      (`to_bits_strict`, alias-checked);
    - ``S * B8 == R8 + h * (8*A)``.

    Assumes: nothing about the inputs. Leaves free: nothing. A valid signature from
    `zkcredit.hazmat.eddsa.sign_poseidon` (or circomlibjs ``signPoseidon``) satisfies it;
    the key need not be in the order-l subgroup (as in circomlib; 8*A is), registry keys are
    checked with `zkcredit.hazmat.eddsa.check_issuer_key` outside the circuit.
    Cost: 4,165 constraints (circomlib's verifier: 4,207 at circom --O2, 8,086 at --O1).
"""

from __future__ import annotations

from zkcredit.circuit import Circuit, LinComb
from zkcredit.hazmat.babyjub import BASE8, SUBGROUP_ORDER

from .babyjub import (
    assert_on_curve,
    fixed_base_mul,
    mul_by_cofactor,
    point_add,
    scalar_mul,
)
from .bits import assert_bits_le_constant, to_bits, to_bits_strict
from .poseidon import poseidon

__all__ = ["S_BITS", "eddsa_poseidon_verify"]

#: l < 2^251: S is decomposed into this many bits before the comparison with l - 1.
S_BITS = SUBGROUP_ORDER.bit_length()


def eddsa_poseidon_verify(  # noqa: PLR0917 -- positional order fixed by the issue-5 contract
    c: Circuit,
    ax: LinComb | int,
    ay: LinComb | int,
    s: LinComb | int,
    r8x: LinComb | int,
    r8y: LinComb | int,
    msg: LinComb | int,
    label: str = "eddsa",
) -> None:
    """Constrain (R8, S) to be a valid EdDSA-Poseidon signature of msg under the key A."""
    ax, ay, s, r8x, r8y, msg = (c.lc(v) for v in (ax, ay, s, r8x, r8y, msg))
    with c.scope(c.unique(label)):
        s_bits = to_bits(c, s, S_BITS, "s_bits")
        assert_bits_le_constant(c, s_bits, SUBGROUP_ORDER - 1, "s_lt_l")
        assert_on_curve(c, (ax, ay), "a_on_curve")
        assert_on_curve(c, (r8x, r8y), "r8_on_curve")
        a8 = mul_by_cofactor(c, (ax, ay), "a_times_8")
        c.assert_nonzero(a8.x, "a_not_low_order")
        h = poseidon(c, [r8x, r8y, ax, ay, msg], "h")
        h_bits = to_bits_strict(c, h, "h_bits")
        left = fixed_base_mul(c, s_bits, BASE8, "s_b8")
        right = point_add(c, (r8x, r8y), scalar_mul(c, h_bits, a8, "h_a8"), "r8_plus")
        c.assert_equal(left.x, right.x, "x")
        c.assert_equal(left.y, right.y, "y")
