"""A pure-Python Groth16 verifier over snarkjs JSON: the oracle for `hazmat.groth16`.

Built only on `zkcredit.hazmat.reference.*` (py_ecc points and pairings) and
`zkcredit.hazmat.encoding`; it shares no code with the native verifier beyond the strict
text parsing. Slow (about a second per proof), for tests.

It applies the same rules as `zkcredit.hazmat.groth16.verify`: malformed input raises
(`UnsupportedFormat` for another protocol or curve, `InvalidArgument` for a wrong input
count, a degenerate key or A, B, C at infinity, `NonCanonicalScalar` for an input >= r,
the point decoders' errors for points off the curve or outside the subgroup); a
well-formed proof returns whether ``e(A, B) = e(alpha, beta) e(IC(x), gamma) e(C, delta)``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from zkcredit.errors import InvalidArgument, InvalidEncoding, UnsupportedFormat
from zkcredit.hazmat import encoding
from zkcredit.hazmat.reference import bls12_381, bn254

__all__ = ["verify_snarkjs"]

_CURVES = {"bn128": "bn254", "bls12381": "bls12_381"}


def _module(name: str) -> ModuleType:
    return bn254 if name == "bn254" else bls12_381


def _curve(obj: object, what: str) -> str:
    if not isinstance(obj, dict):
        raise InvalidEncoding(f"{what}: expected a JSON object")
    if obj.get("protocol") != "groth16":
        raise UnsupportedFormat(f"{what}: protocol {obj.get('protocol')!r} is not 'groth16'")
    curve = obj.get("curve")
    if curve not in _CURVES:
        raise UnsupportedFormat(f"{what}: curve {curve!r} is not supported")
    return _CURVES[curve]


def _field(obj: dict[str, Any], name: str, what: str) -> Any:
    if name not in obj:
        raise InvalidEncoding(f"{what}: missing field {name!r}")
    return obj[name]


def verify_snarkjs(vk: object, public: object, proof: object) -> bool:
    """Verify parsed snarkjs ``verification_key.json``, ``public.json`` and ``proof.json``."""
    curve = _curve(vk, "verification key")
    if _curve(proof, "proof") != curve:
        raise InvalidArgument("the proof and the verification key name different curves")
    assert isinstance(vk, dict) and isinstance(proof, dict)
    m = _module(curve)
    alpha = encoding.g1_from_snarkjs(m, _field(vk, "vk_alpha_1", "vk"), what="vk_alpha_1")
    beta = encoding.g2_from_snarkjs(m, _field(vk, "vk_beta_2", "vk"), what="vk_beta_2")
    gamma = encoding.g2_from_snarkjs(m, _field(vk, "vk_gamma_2", "vk"), what="vk_gamma_2")
    delta = encoding.g2_from_snarkjs(m, _field(vk, "vk_delta_2", "vk"), what="vk_delta_2")
    ic_list = _field(vk, "IC", "vk")
    if not isinstance(ic_list, list) or not ic_list:
        raise InvalidEncoding("vk: IC must be a non-empty array")
    ic = [encoding.g1_from_snarkjs(m, p, what=f"IC[{i}]") for i, p in enumerate(ic_list)]
    if delta.to_affine() == m.G2.generator().to_affine():
        raise InvalidArgument("verifying key: delta is the G2 generator")
    if gamma.to_affine() == delta.to_affine():
        raise InvalidArgument("verifying key: gamma == delta")

    if not isinstance(public, list):
        raise InvalidEncoding("public inputs: expected a JSON array")
    if len(public) != len(ic) - 1:
        raise InvalidArgument(
            f"the verifying key expects {len(ic) - 1} public inputs (len(IC) - 1), "
            f"got {len(public)}"
        )
    r = m.SCALAR_MODULUS
    x = [encoding.parse_decimal(v, r, f"public input {i}") for i, v in enumerate(public)]

    a = encoding.g1_from_snarkjs(m, _field(proof, "pi_a", "proof"), what="pi_a")
    b = encoding.g2_from_snarkjs(m, _field(proof, "pi_b", "proof"), what="pi_b")
    c = encoding.g1_from_snarkjs(m, _field(proof, "pi_c", "proof"), what="pi_c")
    for name, p in (("A", a), ("B", b), ("C", c)):
        if p.to_affine()[0] is None:
            raise InvalidArgument(f"proof: {name} is the point at infinity")

    acc = ic[0]
    if x:
        points = ic[1]
        for p in ic[2:]:
            points = points.concat(p)
        acc = acc + m.g1_msm(points, encoding.pack_scalars(x, r))
    g1s = a.concat(-alpha).concat(-acc).concat(-c)
    g2s = b.concat(beta).concat(gamma).concat(delta)
    return bool(m.pairing_check(g1s, g2s))
