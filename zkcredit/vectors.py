"""Check zkcredit's published conformance vectors (``vectors/``) with zkcredit's own code.

`check_vectors(directory, backend)` first checks ``SHA256SUMS`` (every listed file present
with that digest, no unlisted vector file), then runs every case of every family file
against ``backend``: ``"native"`` (the Rust core) or ``"reference"`` (pure Python: the
reference curve modules, reference Poseidon, ``groth16_reference``). The file format is
described in vectors/README.md; an independent checker that does not import zkcredit is
vectors/check_independent.py.

A case passes when the outcome computed here equals its ``"expected"``: a value, or
``{"error": "<class name in zkcredit.errors>"}`` for a refusal (the class must match
exactly, not a parent). Every failure names the file and the case id.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from zkcredit import credit, exposure, verifier
from zkcredit._files import loads_strict
from zkcredit.circuit import R1CS, check, read_r1cs, read_wtns, write_r1cs, write_wtns
from zkcredit.credit import revocation, threshold
from zkcredit.credit.history import check_field_element
from zkcredit.credit.records import check_salt
from zkcredit.decision import CreditDecision
from zkcredit.errors import (
    AttestationRevoked,
    InvalidArgument,
    InvalidEncoding,
    InvalidSignature,
    PresentationRefused,
    ZkCreditError,
)
from zkcredit.hazmat import (
    attestation,
    babyjub,
    eddsa,
    encoding,
    groth16,
    groth16_reference,
    poseidon,
)
from zkcredit.ledger import Ed25519RecordSigner, Ledger, ManualFeed

__all__ = [
    "BACKENDS",
    "DETERMINISTIC_FAMILIES",
    "FAMILY_FILES",
    "FORMAT",
    "MANIFEST",
    "VERSION",
    "VectorReport",
    "affine_json",
    "check_vectors",
    "ledger_snapshot",
    "manifest_lines",
    "run_ledger_steps",
    "write_manifest",
]

FORMAT: Final = "zkcredit-vectors"
VERSION: Final = 1
MANIFEST: Final = "SHA256SUMS"
BACKENDS: Final = ("native", "reference")
FAMILY_FILES: Final[dict[str, str]] = {
    "field": "field.json",
    "points": "points.json",
    "poseidon": "poseidon.json",
    "merkle": "merkle.json",
    "eddsa": "eddsa.json",
    "groth16": "groth16.json",
    "ledger": "ledger.json",
    "commitments": "commitments.json",
    "revocation": "revocation.json",
    "score_model": "score_model.json",
    "threshold_circuit": "threshold_circuit.json",
    "presentations": "presentations.json",
}
DETERMINISTIC_FAMILIES: Final = ("field", "points", "poseidon", "merkle", "eddsa", "ledger",
                                 "commitments", "revocation", "score_model",
                                 "threshold_circuit")
_VECTOR_SUFFIXES: Final = (".json", ".r1cs", ".wtns", ".gz")


@dataclass
class VectorReport:
    """What `check_vectors` found: cases passed per family, and every failure."""

    backend: str
    passed: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no file and no case failed."""
        return not self.failures


class _Mismatch(Exception):
    """A case whose outcome differs from its expected value (internal)."""


# --- manifest -------------------------------------------------------------------------


def _vector_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()
                  if p.is_file() and p.suffix in _VECTOR_SUFFIXES)


def manifest_lines(directory: Path) -> str:
    """``SHA256SUMS`` text (``sha256sum`` format) over every vector file in ``directory``."""
    return "".join(f"{hashlib.sha256((directory / name).read_bytes()).hexdigest()}  {name}\n"
                   for name in _vector_files(directory))


def write_manifest(directory: Path) -> None:
    """Rewrite ``directory/SHA256SUMS`` over the vector files there."""
    (directory / MANIFEST).write_text(manifest_lines(directory), encoding="ascii")


def _check_manifest(directory: Path, report: VectorReport) -> list[str]:
    path = directory / MANIFEST
    if not path.is_file():
        report.failures.append(f"{MANIFEST}: missing")
        return _vector_files(directory)
    listed: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="ascii").splitlines(), 1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or "/" in name or not name:
            report.failures.append(f"{MANIFEST}: line {n} is not '<sha256>  <file>'")
            continue
        listed[name] = digest
    for name, digest in listed.items():
        target = directory / name
        if not target.is_file():
            report.failures.append(f"{name}: listed in {MANIFEST} but missing")
        elif hashlib.sha256(target.read_bytes()).hexdigest() != digest:
            report.failures.append(f"{name}: checksum mismatch")
    for name in _vector_files(directory):
        if name not in listed:
            report.failures.append(f"{name}: not listed in {MANIFEST}")
    return sorted(set(listed) | set(_vector_files(directory)))


# --- helpers ----------------------------------------------------------------------------


def _outcome(fn: Callable[[], Any]) -> Any:
    """The value ``fn`` returns, or ``{"error": name}`` for a zkcredit refusal."""
    try:
        return fn()
    except ZkCreditError as exc:
        return {"error": type(exc).__name__}


def _expect(case: Mapping[str, Any], got: Any, what: str = "") -> None:
    want = case["expected"]
    if got != want:
        where = f" ({what})" if what else ""
        raise _Mismatch(f"expected{where} {_short(want)}, got {_short(got)}")


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 160 else text[:157] + "..."


def _ints(values: Sequence[str]) -> list[int]:
    return [int(v) for v in values]


class _Backend:
    """The modules one backend checks with."""

    def __init__(self, name: str) -> None:
        self.name = name
        # imported on demand: the native module raises NativeUnavailable without the core
        if name == "native":
            from zkcredit.hazmat.native import bn254  # noqa: PLC0415
        elif name == "reference":
            from zkcredit.hazmat.reference import bn254  # type: ignore[no-redef]  # noqa: PLC0415
        else:
            raise InvalidArgument(f"backend must be one of {BACKENDS}, got {name!r}")
        self.bn254: ModuleType = bn254
        self.r: int = bn254.SCALAR_MODULUS

    def poseidon(self, inputs: Sequence[int]) -> int:
        if self.name == "native":
            return poseidon.poseidon_hash(inputs)
        return poseidon.poseidon_hash_reference(inputs)


# --- field and points ------------------------------------------------------------------------


def _check_field(case: Mapping[str, Any], b: _Backend) -> None:
    m, r, op = b.bn254, b.r, case["op"]
    if op == "parse":
        _expect(case, _outcome(lambda: str(encoding.parse_decimal(case["input"], r, "input"))))
    elif op == "from_bytes":
        def from_bytes() -> str:
            data = bytes.fromhex(case["input"])
            # through the backend's own validation: (d + d) - d = d
            return str(encoding.unpack_scalars(m.fr_sub(m.fr_add(data, data), data), r)[0])
        _expect(case, _outcome(from_bytes))
    elif op in ("add", "sub", "mul", "neg", "inv"):
        fn = getattr(m, f"fr_{op}")
        args = [encoding.pack_scalars([v], r) for v in _ints(case["args"])]
        _expect(case, _outcome(lambda: str(encoding.unpack_scalars(fn(*args), r)[0])))
    else:
        raise _Mismatch(f"unknown op {op!r}")


def affine_json(aff: Any) -> Any:
    """A point's affine coordinates as the vectors write them (decimal strings; G2 as
    pairs; None for infinity), shared with the generator."""
    if aff is None:
        return None
    x, y = aff
    if isinstance(x, int):
        return [str(x), str(y)]
    return [[str(x[0]), str(x[1])], [str(y[0]), str(y[1])]]


def _affine_from_json(obj: Any) -> Any:
    if obj is None:
        return None
    x, y = obj
    if isinstance(x, str):
        return (int(x), int(y))
    return ((int(x[0]), int(x[1])), (int(y[0]), int(y[1])))


def _check_points(case: Mapping[str, Any], b: _Backend) -> None:
    group = case["group"]
    if group not in ("G1", "G2"):
        raise _Mismatch(f"unknown group {group!r}")
    cls = getattr(b.bn254, group)
    to_snark = encoding.g1_to_snarkjs if group == "G1" else encoding.g2_to_snarkjs
    from_snark = encoding.g1_from_snarkjs if group == "G1" else encoding.g2_from_snarkjs

    def describe(vec: Any) -> dict[str, Any]:
        return {"affine": affine_json(vec.to_affine()[0]),
                "compressed": vec.to_bytes(compressed=True).hex(),
                "uncompressed": vec.to_bytes(compressed=False).hex(), "snarkjs": to_snark(vec)}

    if case["op"] == "point":
        exp = case["expected"]
        if "scalar" in case:
            k = encoding.pack_scalars([int(case["scalar"])], b.r)
            vec = cls.generator().mul(k)
        else:
            vec = cls.from_affine([_affine_from_json(exp["affine"])])
        _expect(case, _outcome(lambda: describe(vec)), "encodings of the point")
        for form in ("compressed", "uncompressed"):
            def decoded(f: str = form) -> dict[str, Any]:
                return describe(cls.from_bytes(bytes.fromhex(exp[f]),
                                               compressed=f == "compressed"))
            _expect(case, _outcome(decoded), f"decoding the {form} bytes")
        _expect(case, _outcome(lambda: describe(from_snark(b.bn254, exp["snarkjs"]))),
                "decoding the snarkjs triple")
    elif case["op"] == "decode":
        form = case["form"]

        def decode() -> Any:
            if form == "snarkjs":
                return affine_json(from_snark(b.bn254, case["input"]).to_affine()[0])
            if form not in ("compressed", "uncompressed"):
                raise _Mismatch(f"unknown form {form!r}")
            vec = cls.from_bytes(bytes.fromhex(case["input"]), compressed=form == "compressed")
            return affine_json(vec.to_affine()[0])
        _expect(case, _outcome(decode))
    else:
        raise _Mismatch(f"unknown op {case['op']!r}")


# --- Poseidon, Merkle ----------------------------------------------------------------------


def _check_poseidon(case: Mapping[str, Any], b: _Backend) -> None:
    if case["op"] != "hash":
        raise _Mismatch(f"unknown op {case['op']!r}")
    _expect(case, _outcome(lambda: str(b.poseidon(_ints(case["inputs"])))))


def _ref_root(b: _Backend, leaves: list[int], depth: int) -> tuple[int, list[list[int]]]:
    """Root and full layers of a Poseidon tree, on the backend's Poseidon (small trees)."""
    layer = leaves + [0] * ((1 << depth) - len(leaves))
    layers = [layer]
    zero = 0  # the empty subtree of the current height: hashed once per level
    for _ in range(depth):
        up = b.poseidon([zero, zero])
        layer = [up if layer[i] == layer[i + 1] == zero else b.poseidon([layer[i], layer[i + 1]])
                 for i in range(0, len(layer), 2)]
        layers.append(layer)
        zero = up
    return layer[0], layers


def _check_merkle(case: Mapping[str, Any], b: _Backend) -> None:
    op = case["op"]
    native = b.name == "native"
    if op in ("root", "path"):
        depth, leaves = case["depth"], _ints(case["leaves"])
        if op == "root":
            if native:
                _expect(case, _outcome(lambda: str(poseidon.merkle_root(leaves, depth))))
            else:
                _expect(case, _outcome(lambda: str(_ref_root(b, leaves, depth)[0])))
            return
        index = case["index"]

        def path() -> dict[str, Any]:
            if native:
                p = poseidon.merkle_path(leaves, depth, index)
                root = poseidon.merkle_root(leaves, depth)
                sibs, leaf = list(p.siblings), p.leaf
            else:
                root, layers = _ref_root(b, leaves, depth)
                sibs = [layers[k][(index >> k) ^ 1] for k in range(depth)]
                leaf = layers[0][index]
            return {"root": str(root), "leaf": str(leaf), "siblings": [str(s) for s in sibs],
                    "path_bits": [(index >> k) & 1 for k in range(depth)]}
        _expect(case, _outcome(path))
    elif op == "verify":
        root, leaf = int(case["root"]), int(case["leaf"])
        sibs, bits = _ints(case["siblings"]), list(case["path_bits"])

        def verify() -> bool:
            if native:
                return poseidon.verify_merkle_path(root, leaf, sibs, bits)
            if len(sibs) != len(bits):
                raise InvalidArgument(f"{len(sibs)} siblings but {len(bits)} path bits")
            encoding.pack_scalars([root, leaf, *sibs], b.r)  # NonCanonicalScalar for any value >= r
            if any(type(bit) is not int or bit not in (0, 1) for bit in bits):
                raise InvalidArgument("path bits must be 0 or 1")
            cur = leaf
            for sibling, bit in zip(sibs, bits, strict=True):
                cur = b.poseidon([sibling, cur] if bit else [cur, sibling])
            return cur == root
        _expect(case, _outcome(verify))
    else:
        raise _Mismatch(f"unknown op {op!r}")


# --- EdDSA -------------------------------------------------------------------------------------


def _check_eddsa(case: Mapping[str, Any], b: _Backend) -> None:
    def pt(v: Sequence[str]) -> tuple[int, int]:
        return (int(v[0]), int(v[1]))

    def sign(key: bytes, msg: int) -> tuple[babyjub.Point, tuple[babyjub.Point, int]]:
        if b.name == "native":
            sig = eddsa.sign_poseidon(key, msg)
            return eddsa.prv2pub(key), (sig.R8, sig.S)
        s, prefix = eddsa.expand_private_key(key)
        a = babyjub.mul(babyjub.BASE8, s >> 3)
        r = eddsa.nonce_poseidon(prefix, msg)
        r8 = babyjub.mul(babyjub.BASE8, r)
        hm = b.poseidon([r8.x, r8.y, a.x, a.y, msg])
        return a, (r8, (r + hm * s) % babyjub.SUBGROUP_ORDER)

    def verify(a: tuple[int, int], msg: int, r8: tuple[int, int], s: int) -> bool:
        if b.name == "native":
            eddsa.verify_poseidon(a, msg, (r8, s))
            return True
        # the same checks in the same order as eddsa.verify_poseidon, reference Poseidon
        sig = eddsa._signature((r8, s))
        m = eddsa._message(msg)
        key = eddsa.check_issuer_key(a)
        hm = b.poseidon([sig.R8.x, sig.R8.y, key.x, key.y, m])
        left = babyjub.mul(babyjub.BASE8, sig.S)
        if left != babyjub.add(sig.R8, babyjub.mul(key, 8 * hm)):
            raise InvalidSignature("the EdDSA-Poseidon signature does not verify")
        return True

    if case["op"] == "sign":
        key, msg = bytes.fromhex(case["private_key"]), int(case["message"])

        def signed() -> dict[str, Any]:
            a, (r8, s) = sign(key, msg)
            verify(a, msg, r8, s)
            return {"public_key": [str(a.x), str(a.y)],
                    "packed_public_key": babyjub.pack_point(a).hex(),
                    "R8": [str(r8.x), str(r8.y)], "S": str(s),
                    "packed_signature": eddsa.pack_signature((r8, s)).hex()}
        _expect(case, _outcome(signed))
        exp = case["expected"]

        def unpacked() -> dict[str, Any]:
            r8, s = eddsa.unpack_signature(bytes.fromhex(exp["packed_signature"]))
            a = eddsa.unpack_public_key(bytes.fromhex(exp["packed_public_key"]))
            return {**exp, "public_key": [str(a.x), str(a.y)], "R8": [str(r8.x), str(r8.y)],
                    "S": str(s)}
        if isinstance(exp, dict) and "packed_signature" in exp:
            _expect(case, _outcome(unpacked), "unpacking the packed forms")
    elif case["op"] == "verify":
        _expect(case, _outcome(lambda: verify(pt(case["public_key"]), int(case["message"]),
                                              pt(case["R8"]), int(case["S"]))))
    else:
        raise _Mismatch(f"unknown op {case['op']!r}")


# --- Groth16 -------------------------------------------------------------------------------------


def _check_groth16(case: Mapping[str, Any], b: _Backend, doc: Mapping[str, Any],
                   directory: Path) -> None:
    if case["op"] == "verify":
        keys = doc.get("keys")
        if not isinstance(keys, dict) or case["key"] not in keys:
            raise _Mismatch(f"key {case['key']!r} is not in the file's \"keys\"")
        vk_json = keys[case["key"]]

        def verify() -> bool:
            if b.name == "native":
                vk = groth16.VerifyingKey.from_snarkjs(vk_json)
                return groth16.verify(vk, groth16.public_from_snarkjs(case["public"]),
                                      groth16.Proof.from_snarkjs(case["proof"]))
            return groth16_reference.verify_snarkjs(vk_json, case["public"], case["proof"])
        _expect(case, _outcome(verify))
    elif case["op"] == "r1cs":
        _check_r1cs_case(case, directory)
    else:
        raise _Mismatch(f"unknown op {case['op']!r}")


def _check_r1cs_case(case: Mapping[str, Any], directory: Path) -> None:
    """The named .r1cs (optionally .gz) and .wtns: shape, public wires, satisfaction; an
    ``override`` list of [wire, value] changes the witness first."""
    def r1cs() -> dict[str, Any]:
        system = _parsed_r1cs(_sibling(directory, case["r1cs"]))
        witness = read_wtns(_sibling(directory, case["wtns"]))
        for wire, value in case.get("override", []):
            witness[wire] = int(value)
        check(system, witness)
        return {"n_wires": system.n_wires, "n_public": system.n_public,
                "n_constraints": len(system.constraints),
                "public": [str(v) for v in witness[1:1 + system.n_public]]}
    _expect(case, _outcome(r1cs))


@lru_cache(maxsize=2)
def _parsed_r1cs(data: bytes) -> R1CS:
    """Parsed once per content: the threshold circuit's file is about 29 MB."""
    return read_r1cs(data).r1cs


def _sibling(directory: Path, name: object) -> bytes:
    if not isinstance(name, str) or "/" in name or "\\" in name or name.startswith("."):
        raise InvalidEncoding(f"{name!r} is not a file name in the vectors directory")
    data = (directory / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


# --- ledger -------------------------------------------------------------------------------------


class _Clock:
    def __init__(self, t: int) -> None:
        self.t = t

    def __call__(self) -> int:
        return self.t


def run_ledger_steps(url: str, t0: int, price: int, steps: Sequence[Mapping[str, Any]]
                     ) -> tuple[Any, list[Any]]:
    """Run a ledger scenario (vectors/README.md, "ledger") on a fresh ledger at ``url``.

    Returns the open ledger and, per step, the command's outcome (``{"receipt": values}``
    or ``{"error": class name}``) or None for clock and price steps.
    """
    clock = _Clock(t0)
    primary, fallback = ManualFeed(price, t0), ManualFeed(price, t0)
    ledger = Ledger(url, primary_feed=primary, fallback_feed=fallback,
                    record_signer=Ed25519RecordSigner(
                        Ed25519PrivateKey.from_private_bytes(b"\x02" * 32)),
                    audit_key=Ed25519PrivateKey.from_private_bytes(b"\x01" * 32), clock=clock)
    results: list[Any] = []
    current = price
    for n, step in enumerate(steps, 1):
        if "advance" in step:
            clock.t += int(step["advance"])
            if not step.get("keep_price_time"):
                primary.set(current, clock.t)
                fallback.set(current, clock.t)
            results.append(None)
        elif "price" in step:
            current = int(step["price"])
            primary.set(current, clock.t)
            fallback.set(current, clock.t)
            results.append(None)
        elif "cmd" in step:
            args = dict(step["args"])
            if "decision" in args:
                args["decision"] = CreditDecision.from_json_dict(args["decision"])
            for name in ("borrower_id", "lender_id"):
                if name in args:
                    args[name] = int(args[name])
            method = getattr(ledger, str(step["cmd"]))
            cid = str(step.get("id", f"cmd-{n}"))

            def run(m: Callable[..., Any] = method, c: str = cid,
                    a: dict[str, Any] = args) -> dict[str, Any]:
                return {"receipt": dict(m(c, **a).values)}
            results.append(_outcome(run))
        else:
            ledger.close()
            raise InvalidEncoding(f"step {n}: expected advance, price or cmd")
    return ledger, results


def ledger_snapshot(ledger: Any) -> dict[str, Any]:
    """Final state of a scenario: audit result, pool, every account, line and depositor."""
    with ledger.engine.connect() as conn:
        accounts = {str(n): int(v) for n, v in conn.execute(
            text("SELECT name, balance FROM accounts ORDER BY name"))}
        line_ids = [int(v) for (v,) in conn.execute(text("SELECT id FROM lines ORDER BY id"))]
        shares = {str(n): int(v) for n, v in conn.execute(
            text("SELECT id, shares FROM depositors ORDER BY id"))}
    return {"audit_ok": ledger.audit().ok,
            "pool": dataclasses.asdict(ledger.pool_state()),
            "accounts": accounts,
            "lines": {str(i): dataclasses.asdict(ledger.line(i)) for i in line_ids},
            "shares": shares}


def _check_ledger(case: Mapping[str, Any], b: _Backend, doc: Mapping[str, Any],
                  directory: Path) -> None:
    if case["op"] != "scenario":
        raise _Mismatch(f"unknown op {case['op']!r}")
    steps = case["steps"]
    with tempfile.TemporaryDirectory() as tmp:
        ledger, results = run_ledger_steps(f"sqlite:///{Path(tmp) / 'ledger.db'}",
                                           int(doc["t0"]), int(doc["price"]), steps)
        try:
            final = ledger_snapshot(ledger)
        finally:
            ledger.close()
    for n, (step, got) in enumerate(zip(steps, results, strict=True), 1):
        if "cmd" in step and got != step.get("expected"):
            raise _Mismatch(f"step {n} ({step['cmd']}): expected {_short(step.get('expected'))}"
                            f", got {_short(got)}")
    _expect(case, final, "final state")


# --- issue 5: commitments, score model, threshold circuit ----------------------------------


def _record(fields: Sequence[int]) -> credit.CreditRecord:
    return credit.CreditRecord.from_fields(list(fields))


def _check_commitments(case: Mapping[str, Any], b: _Backend) -> None:
    """Native: the library functions; reference: the library's validation, then the
    contract's formulas on the reference Poseidon."""
    op, native = case["op"], b.name == "native"

    def leaf(fields: Sequence[int], salt: int) -> int:
        rec = _record(fields)
        if native:
            return credit.record_leaf(rec, salt)
        return b.poseidon([check_salt(salt), *rec.to_fields()])

    def holder(secret: int) -> int:
        if native:
            return credit.holder_commitment(secret)
        return b.poseidon([check_field_element(secret, "holder secret", nonzero=True)])

    def run() -> Any:
        if op == "record_leaf":
            return str(leaf(case["record"], int(case["salt"])))
        if op == "holder_commitment":
            return str(holder(int(case["holder_secret"])))
        if op == "history":
            recs = [_record(r) for r in case["records"]]
            salts = _ints(case["salts"])
            hist = credit.History(recs, salts, case["capacity"])
            secret, blinding = int(case["holder_secret"]), int(case["blinding"])
            if native:
                leaves, root = hist.leaves(), hist.root()
                hc = credit.holder_commitment(secret)
                com = credit.history_commitment(root, blinding, hc)
            else:
                leaves = [leaf(r.to_fields(), sl) for r, sl in zip(recs, salts, strict=True)]
                leaves += [0] * (hist.capacity - len(leaves))
                root = _ref_root(b, leaves, hist.depth)[0]
                hc = holder(secret)
                com = b.poseidon([root, check_field_element(blinding, "blinding"), hc])
            return {"leaves": [str(x) for x in leaves], "root": str(root),
                    "holder_commitment": str(hc), "commitment": str(com)}
        if op == "attestation_message":
            com, hc, rid = (int(case[k]) for k in ("commitment", "holder_commitment",
                                                   "revocation_id"))
            nb, na = case["not_before"], case["not_after"]
            if native:
                return str(credit.attestation_message(com, hc, rid, nb, na))
            # the documented checks in order, then the formula on the reference Poseidon
            attestation.check_field(com, "commitment")
            attestation.check_field(hc, "holder_commitment")
            attestation.check_revocation_id(rid)
            attestation.check_time(nb, "not_before")
            attestation.check_time(na, "not_after")
            if nb > na:
                raise InvalidArgument("not_before is after not_after")
            return str(b.poseidon([attestation.ATTESTATION_DOMAIN, com, hc, rid, nb, na]))
        if op == "issuer_registry":
            keys = [(int(k[0]), int(k[1])) for k in case["keys"]]
            lists = [_ints(ids) for ids in case["revoked"]]
            if len(lists) != len(keys):
                raise InvalidEncoding("one revoked list per key")
            reg = credit.IssuerRegistry.of(keys)  # refuses a key before any list
            if native:
                roots = [credit.RevocationTree(ids).root for ids in lists]
                leaves = [credit.issuer_leaf(k, rr) for k, rr in zip(keys, roots, strict=True)]
                root = poseidon.merkle_root(leaves, reg.depth)
                if not any(lists) and root != reg.root:
                    raise _Mismatch("the registry's own root differs from its leaves' root")
            else:
                roots = [_ref_revocation(b, ids)[2] for ids in lists]
                leaves = [b.poseidon([k[0], k[1], rr]) for k, rr in zip(keys, roots, strict=True)]
                root = _ref_root(b, leaves, reg.depth)[0]
            return {"revocation_roots": [str(x) for x in roots],
                    "leaves": [str(x) for x in leaves], "root": str(root)}
        if op == "lender_id":
            return str(verifier.lender_id(case["name"]))
        if op == "borrower_key":
            lid = verifier.lender_id(case["lender"])
            key = verifier.derive_lender_key(bytes.fromhex(case["seed"]), lid)
            pub = key.public_key().public_bytes_raw()
            kh = (verifier.borrower_key_hash(pub) if native else b.poseidon(
                [int.from_bytes(pub[:16], "big"), int.from_bytes(pub[16:], "big")]))
            return {"lender_id": str(lid), "private_key": key.private_bytes_raw().hex(),
                    "public_key": pub.hex(), "borrower_key_hash": str(kh)}
        if op == "nullifier":
            args3 = (int(case["holder_secret"]), int(case["lender_id"]), int(case["epoch"]))
            if native:
                return str(threshold.nullifier(*args3))
            check_field_element(args3[0], "holder_secret", nonzero=True)
            return str(b.poseidon(list(args3)))
        if op == "slot_nullifier":
            secret, epoch, slot = int(case["holder_secret"]), case["epoch"], case["slot"]
            if native:
                return str(exposure.slot_nullifier(secret, epoch, slot))
            # the documented checks in the library's order (each InvalidArgument), then
            # the formula on the reference Poseidon
            if not 0 < secret < b.r:
                raise InvalidArgument("holder_secret must be a nonzero field element")
            if type(epoch) is not int or not 0 <= epoch < 1 << 40:
                raise InvalidArgument("exposure epoch must be an int in [0, 2^40)")
            if type(slot) is not int or not 0 <= slot < exposure.MAX_SLOTS:
                raise InvalidArgument(f"slot must be an int in [0, {exposure.MAX_SLOTS})")
            return str(b.poseidon([exposure.EXPOSURE_DOMAIN, secret, epoch, slot]))
        raise _Mismatch(f"unknown op {op!r}")
    _expect(case, _outcome(run))


def _ref_sparse(b: _Backend, leaves: list[int], depth: int
                ) -> tuple[int, list[dict[int, int]], list[int]]:
    """Root, the occupied nodes per level and the empty subtree per level of a deep tree
    with few leaves, on the backend's Poseidon."""
    empty = [0]
    for _ in range(depth):
        empty.append(b.poseidon([empty[-1], empty[-1]]))
    levels = [dict(enumerate(leaves))]
    for h in range(depth):
        cur = levels[-1]
        levels.append({i: b.poseidon([cur.get(2 * i, empty[h]), cur.get(2 * i + 1, empty[h])])
                       for i in sorted({j >> 1 for j in cur})})
    return levels[-1].get(0, empty[depth]), levels, empty


def _ref_revocation(b: _Backend, revoked: Sequence[int]
                    ) -> tuple[list[int], list[int], int, list[dict[int, int]], list[int]]:
    """Reference sorted tree: (sorted ids with the sentinel, leaves, root, levels, empty)."""
    ids = sorted({attestation.check_revocation_id(x, "revoked id") for x in revoked})
    s = [0, *ids]
    leaves = [b.poseidon([s[i], s[i + 1] if i + 1 < len(s) else 0]) for i in range(len(s))]
    root, levels, empty = _ref_sparse(b, leaves, revocation.REVOCATION_DEPTH)
    return s, leaves, root, levels, empty


def _check_revocation(case: Mapping[str, Any], b: _Backend) -> None:
    """Native: `RevocationTree` (root, witness) and `revocation_list_message`; reference:
    the id validation, then the sorted tree on the reference Poseidon."""
    op, native = case["op"], b.name == "native"
    depth = revocation.REVOCATION_DEPTH

    def run() -> Any:
        if op == "root":
            ids = _ints(case["revoked"])
            if native:
                tree = credit.RevocationTree(ids)
                s = [0, *tree.revoked]
                leaves = [poseidon.poseidon_hash([s[i], s[i + 1] if i + 1 < len(s) else 0])
                          for i in range(len(s))]
                if poseidon.merkle_root(leaves, depth) != tree.root:
                    raise _Mismatch("the tree's root is not its leaves' root")
                root = tree.root
            else:
                _, leaves, root, _, _ = _ref_revocation(b, ids)
            return {"leaves": [str(x) for x in leaves], "root": str(root)}
        if op == "witness":
            ids, x = _ints(case["revoked"]), int(case["revocation_id"])
            if native:
                tree = credit.RevocationTree(ids)
                w = tree.witness(x)
                low, nxt, root = w.low, w.next, tree.root
                leaf, sibs, bits = w.path.leaf, list(w.path.siblings), list(w.path.path_bits)
                index = sum(bit << k for k, bit in enumerate(bits))
            else:
                s, leaves, root, levels, empty = _ref_revocation(b, ids)
                attestation.check_revocation_id(x)
                index = max(i for i, v in enumerate(s) if v <= x)
                if s[index] == x:
                    raise AttestationRevoked("the id is revoked")
                low, nxt = s[index], s[index + 1] if index + 1 < len(s) else 0
                leaf = leaves[index]
                sibs = [levels[k].get((index >> k) ^ 1, empty[k]) for k in range(depth)]
                bits = [(index >> k) & 1 for k in range(depth)]
            return {"low": str(low), "next": str(nxt), "index": index, "leaf": str(leaf),
                    "siblings": [str(v) for v in sibs], "path_bits": bits, "root": str(root)}
        if op == "list_message":
            root, at = int(case["root"]), case["published_at"]
            if native:
                return str(revocation.revocation_list_message(root, at))
            attestation.check_time(at, "published_at")  # before the root, as the library
            check_field_element(root, "root")
            return str(b.poseidon([revocation.REVOCATION_DOMAIN, root, at]))
        raise _Mismatch(f"unknown op {op!r}")
    _expect(case, _outcome(run))


def _model(doc: Mapping[str, Any], name: str) -> credit.ScoreModelV1:
    params = dict(doc["models"][name])
    for key in ("on_time_bands", "delinquency_bands", "age_bands", "volume_bands"):
        params[key] = tuple(tuple(band) for band in params[key])
    params["default_points"] = tuple(params["default_points"])
    return credit.ScoreModelV1(**params)


def _check_score_model(case: Mapping[str, Any], b: _Backend, doc: Mapping[str, Any],
                       directory: Path) -> None:
    model = _model(doc, case["model"])
    if case["op"] == "model_id":
        fields = model.to_fields()
        if b.name == "native":
            mid = model.model_id()
        else:  # the documented chain on the reference Poseidon
            items = [credit.model.MODEL_ID_DOMAIN, len(fields), *fields]
            mid = 0
            for i in range(0, len(items), 15):
                mid = b.poseidon([mid, *items[i:i + 15]])
        _expect(case, {"fields": [str(f) for f in fields], "model_id": str(mid)})
    elif case["op"] == "evaluate":
        def evaluate() -> dict[str, Any]:
            recs = [_record(r) for r in case["records"]]
            as_of = case["as_of"]
            return {"score": credit.score(model, recs, as_of),
                    "no_default_within": {str(m): credit.no_default_within(recs, as_of, m)
                                          for m in (0, 12, 36, 120)},
                    "total_outstanding": credit.total_outstanding(recs)}
        _expect(case, _outcome(evaluate))
    else:
        raise _Mismatch(f"unknown op {case['op']!r}")


def _check_threshold(case: Mapping[str, Any], b: _Backend, doc: Mapping[str, Any],
                     directory: Path) -> None:
    op = case["op"]
    if op == "compile":
        r1cs = threshold.build_threshold_circuit(case["capacity"]).r1cs
        _expect(case, {"n_wires": r1cs.n_wires, "n_public": r1cs.n_public,
                       "n_constraints": len(r1cs.constraints),
                       "r1cs_sha256": hashlib.sha256(write_r1cs(r1cs)).hexdigest()})
    elif op == "solve":
        compiled = threshold.build_threshold_circuit(case["capacity"])
        inputs = {k: _ints(v) if isinstance(v, list) else int(v)
                  for k, v in case["inputs"].items()}

        def solve() -> dict[str, Any]:
            w = (compiled.solve(inputs) if b.name == "native"
                 else compiled.solve_reference(inputs))
            return {"public": [str(v) for v in threshold.public_signals(inputs)],
                    "wtns_sha256": hashlib.sha256(write_wtns(w)).hexdigest()}
        _expect(case, _outcome(solve))
    elif op == "r1cs":
        _check_r1cs_case(case, directory)
    else:
        raise _Mismatch(f"unknown op {op!r}")


def _check_presentations(case: Mapping[str, Any], b: _Backend, doc: Mapping[str, Any],
                         directory: Path) -> None:
    """Replays each case on a fresh `Verifier` (memory store primed with the issued
    challenges). The reference backend also re-verifies every accepted proof with
    ``groth16_reference`` (the Verifier itself always uses the native pairing)."""
    if case["op"] != "verify":
        raise _Mismatch(f"unknown op {case['op']!r}")
    policy = verifier.LenderPolicy.from_json(dict(doc["policy"]))
    keys = {name: groth16.VerifyingKey.from_snarkjs(vk)
            for name, vk in doc["verifying_keys"].items()}
    store = verifier.MemoryVerifierStore()
    v = verifier.Verifier(policy, keys, store)
    for raw in case["issued"]:
        ch = verifier.Challenge.from_json(dict(raw))
        store.record_challenge(ch.lender_id, ch.nonce, ch.to_json())
    got: list[Any] = []
    for st in case["steps"]:
        try:
            decision = v.verify(dict(st["presentation"]), dict(st["challenge"]), st["now"])
        except PresentationRefused as exc:
            got.append({"refused": exc.reason})
            continue
        got.append({"decision": decision.to_json_dict()})
        if b.name == "reference":
            p = st["presentation"]
            vk_json = doc["verifying_keys"][p["vk_hash"]]
            if not groth16_reference.verify_snarkjs(vk_json, p["public_signals"], p["proof"]):
                raise _Mismatch("the reference Groth16 verifier rejects an accepted proof")
    _expect(case, got)


# --- driver --------------------------------------------------------------------------------------

_SIMPLE: Final[dict[str, Callable[[Mapping[str, Any], _Backend], None]]] = {
    "field": _check_field, "points": _check_points, "poseidon": _check_poseidon,
    "merkle": _check_merkle, "eddsa": _check_eddsa, "commitments": _check_commitments,
    "revocation": _check_revocation,
}
_WITH_DOC: Final[dict[str, Callable[[Mapping[str, Any], _Backend, Mapping[str, Any], Path],
                                    None]]] = {
    "groth16": _check_groth16, "ledger": _check_ledger, "score_model": _check_score_model,
    "threshold_circuit": _check_threshold, "presentations": _check_presentations,
}


def _check_file(directory: Path, name: str, b: _Backend, report: VectorReport) -> None:
    try:
        doc = loads_strict((directory / name).read_bytes())
    except (OSError, ZkCreditError) as exc:
        report.failures.append(f"{name}: unreadable: {exc}")
        return
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        report.failures.append(f"{name}: not a {FORMAT} file")
        return
    if doc.get("version") != VERSION:
        report.failures.append(f"{name}: unsupported version {doc.get('version')!r}")
        return
    family = doc.get("family")
    if not isinstance(family, str) or FAMILY_FILES.get(family) != name:
        report.failures.append(f"{name}: family {family!r} does not belong in this file")
        return
    cases = doc.get("cases")
    if not isinstance(cases, list):
        report.failures.append(f"{name}: \"cases\" is not a list")
        return
    seen: set[str] = set()
    for i, case in enumerate(cases):
        cid = case.get("id") if isinstance(case, dict) else None
        label = f"{name}: case {cid}" if isinstance(cid, str) else f"{name}: case #{i}"
        if not isinstance(cid, str) or cid in seen or "expected" not in case:
            report.failures.append(f"{label}: needs a unique string id and an expected value")
            continue
        seen.add(cid)
        try:
            if family in _SIMPLE:
                _SIMPLE[family](case, b)
            else:
                _WITH_DOC[family](case, b, doc, directory)
        except _Mismatch as exc:
            report.failures.append(f"{label}: {exc}")
            continue
        except Exception as exc:  # a malformed case is a failure, not a crash
            report.failures.append(f"{label}: malformed case ({type(exc).__name__}: {exc})")
            continue
        report.passed[family] = report.passed.get(family, 0) + 1


def check_vectors(directory: str | Path, backend: str = "native") -> VectorReport:
    """Check ``SHA256SUMS`` and every case of every family file in ``directory`` against
    ``backend`` ("native" or "reference"); the report lists each failure by file and case."""
    b = _Backend(backend)
    root = Path(directory)
    if not root.is_dir():
        raise InvalidArgument(f"{root} is not a directory")
    report = VectorReport(backend=backend)
    files = _check_manifest(root, report)
    known = set(FAMILY_FILES.values())
    for name in files:
        if not name.endswith(".json") or not (root / name).is_file():
            continue
        if name not in known:
            report.failures.append(f"{name}: unknown family file")
            continue
        _check_file(root, name, b, report)
    return report
