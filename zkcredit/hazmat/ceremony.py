"""Multi-party Groth16 setup over BN254 with a verifiable transcript (ADVERSARIAL B7).

Usage::

    t1 = ceremony.new_phase1(10)                       # domains up to 2^10
    t1 = ceremony.contribute_phase1(t1)                # each participant, in turn
    ceremony.verify_phase1(t1)
    t2 = ceremony.new_phase2(t1, r1cs)                 # deterministic from t1 and the R1CS
    t2 = ceremony.contribute_phase2(t2)                # each participant, in turn
    t2 = ceremony.beacon_phase2(t2, beacon, 10)        # optional public-randomness finish
    pk, vk = ceremony.finalize(t1, r1cs, t2)           # verifies everything first
    ceremony.verify_proving_key(t1, r1cs, t2, pk)      # a key received on its own

The keys are secure if at least one contributor was honest (its secrets came from the OS
and were discarded, as this module does: they never reach Python). Every check that fails
raises `TranscriptInvalid` naming the contribution and the check. `groth16.setup` stays
the single-party development setup. Transcript files: docs/groth16.md, "Ceremony (B7)".
"""

from __future__ import annotations

import importlib
import os
import struct
from pathlib import Path
from typing import Any, Final

from zkcredit._files import write_file_atomic
from zkcredit.circuit import R1CS
from zkcredit.errors import (
    InvalidArgument,
    InvalidEncoding,
    TranscriptInvalid,
    UnsupportedFormat,
)
from zkcredit.hazmat import groth16

__all__ = [
    "CEREMONY_MAGIC",
    "CEREMONY_VERSION",
    "MAX_BEACON_EXP",
    "MAX_POWER",
    "Phase1Transcript",
    "Phase2Transcript",
    "beacon_phase2",
    "contribute_phase1",
    "contribute_phase2",
    "finalize",
    "new_phase1",
    "new_phase2",
    "read_transcript",
    "verify_phase1",
    "verify_phase2",
    "verify_proving_key",
    "write_transcript",
]

CEREMONY_MAGIC: Final = b"ZKCCRMNY"
CEREMONY_VERSION: Final = 1
MAX_POWER: Final = 20
MAX_BEACON_EXP: Final = 28
_CURVE = "bn254"
_CURVE_ID: Final = 1
_HEADER = struct.Struct("<8sHBB")  # magic, version, curve id, phase (1 or 2)


def _core() -> Any:
    """The compiled core's BN254 submodule (the only ceremony curve)."""
    groth16._native(_CURVE)  # a clear NativeUnavailable if the core is missing
    return importlib.import_module("zkcredit._native").bn254


def _parse(data: bytes, phase: int | None) -> tuple[int, bytes]:
    """(phase, body) of a transcript file; refuses other magics, versions and curves."""
    data = bytes(data)
    if len(data) < _HEADER.size:
        raise InvalidEncoding(f"ceremony transcript: {len(data)} bytes is shorter than the header")
    magic, version, curve_id, got = _HEADER.unpack_from(data)
    if magic != CEREMONY_MAGIC:
        raise UnsupportedFormat("ceremony transcript: not a zkcredit ceremony transcript (magic)")
    if version != CEREMONY_VERSION:
        raise UnsupportedFormat(
            f"ceremony transcript: format version {version} is not supported "
            f"(only {CEREMONY_VERSION})"
        )
    if curve_id != _CURVE_ID:
        raise UnsupportedFormat(f"ceremony transcript: curve id {curve_id} is not supported")
    if got not in (1, 2) or (phase is not None and got != phase):
        raise UnsupportedFormat(f"ceremony transcript: phase {got}, expected {phase or '1 or 2'}")
    return got, data[_HEADER.size :]


class Phase1Transcript:
    """A powers-of-tau transcript (contributions and the current accumulator)."""

    __slots__ = ("_body", "hash", "n_contributions", "power")

    def __init__(self, body: bytes) -> None:
        power, count, digest = _core().ceremony_phase1_info(body)
        self._body: Final = bytes(body)
        self.power: Final[int] = power
        self.n_contributions: Final[int] = count
        self.hash: Final[str] = bytes(digest).hex()

    def to_bytes(self) -> bytes:
        """The file form: header (magic, version, curve, phase 1), then the body."""
        return _HEADER.pack(CEREMONY_MAGIC, CEREMONY_VERSION, _CURVE_ID, 1) + self._body

    @classmethod
    def from_bytes(cls, data: bytes) -> Phase1Transcript:
        """Decode a file form (every point validated; not a verification)."""
        return cls(_parse(data, 1)[1])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Phase1Transcript) and other._body == self._body

    def __hash__(self) -> int:
        return hash(self._body)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Phase1Transcript.from_bytes, (self.to_bytes(),))

    def __repr__(self) -> str:
        return (
            f"Phase1Transcript(power={self.power}, contributions={self.n_contributions}, "
            f"hash={self.hash[:16]}...)"
        )


class Phase2Transcript:
    """A circuit-specific transcript (contributions to delta and the current key)."""

    __slots__ = ("_body", "hash", "n_contributions")

    def __init__(self, body: bytes) -> None:
        count, digest, _ = _core().ceremony_phase2_info(body)
        self._body: Final = bytes(body)
        self.n_contributions: Final[int] = count
        self.hash: Final[str] = bytes(digest).hex()

    def to_bytes(self) -> bytes:
        """The file form: header (magic, version, curve, phase 2), then the body."""
        return _HEADER.pack(CEREMONY_MAGIC, CEREMONY_VERSION, _CURVE_ID, 2) + self._body

    @classmethod
    def from_bytes(cls, data: bytes) -> Phase2Transcript:
        """Decode a file form (every point validated; not a verification)."""
        return cls(_parse(data, 2)[1])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Phase2Transcript) and other._body == self._body

    def __hash__(self) -> int:
        return hash(self._body)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Phase2Transcript.from_bytes, (self.to_bytes(),))

    def __repr__(self) -> str:
        return f"Phase2Transcript(contributions={self.n_contributions}, hash={self.hash[:16]}...)"


def _check_type(obj: object, cls: type, what: str) -> None:
    if not isinstance(obj, cls):
        raise InvalidArgument(f"{what}: expected a {cls.__name__}, got {type(obj).__name__}")


def _small_int(value: object, lo: int, hi: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise InvalidArgument(f"{what} must be an integer in {lo}..{hi}, got {value!r}")
    return value


def new_phase1(power: int) -> Phase1Transcript:
    """The empty powers-of-tau transcript for circuits whose domain is at most 2^power."""
    p = _small_int(power, 1, MAX_POWER, "power")
    return Phase1Transcript(_core().ceremony_phase1_new(p))


def contribute_phase1(transcript: Phase1Transcript) -> Phase1Transcript:
    """``transcript`` with one more contribution (secrets from the OS, never returned)."""
    _check_type(transcript, Phase1Transcript, "contribute_phase1")
    return Phase1Transcript(_core().ceremony_phase1_contribute(transcript._body))


def verify_phase1(transcript: Phase1Transcript) -> None:
    """Check every contribution and the accumulator; raises `TranscriptInvalid`."""
    _check_type(transcript, Phase1Transcript, "verify_phase1")
    _core().ceremony_phase1_verify(transcript._body)


def _r1cs(r1cs: R1CS) -> tuple[Any, bytes]:
    matrices, digest = groth16._matrices(r1cs, _CURVE)
    return matrices, bytes.fromhex(digest)


def new_phase2(phase1: Phase1Transcript, r1cs: R1CS) -> Phase2Transcript:
    """The phase-2 transcript for ``r1cs``: its delta = 1 key, derived deterministically
    from ``phase1`` (verify ``phase1`` first; `verify_phase2` does it again)."""
    _check_type(phase1, Phase1Transcript, "new_phase2")
    matrices, digest = _r1cs(r1cs)
    return Phase2Transcript(_core().ceremony_phase2_new(phase1._body, matrices, digest))


def contribute_phase2(transcript: Phase2Transcript) -> Phase2Transcript:
    """``transcript`` with one more delta contribution (secret from the OS, discarded)."""
    _check_type(transcript, Phase2Transcript, "contribute_phase2")
    return Phase2Transcript(_core().ceremony_phase2_contribute(transcript._body))


def beacon_phase2(
    transcript: Phase2Transcript, value: bytes, iterations_exp: int
) -> Phase2Transcript:
    """``transcript`` with a contribution whose secret is derived from a public 32-byte
    beacon ``value`` by 2^iterations_exp SHA-256 iterations (anyone can recheck it)."""
    _check_type(transcript, Phase2Transcript, "beacon_phase2")
    if not isinstance(value, bytes) or len(value) != 32:
        raise InvalidArgument("the beacon value must be 32 bytes")
    exp = _small_int(iterations_exp, 0, MAX_BEACON_EXP, "iterations_exp")
    return Phase2Transcript(_core().ceremony_phase2_beacon(transcript._body, value, exp))


def verify_phase2(phase1: Phase1Transcript, r1cs: R1CS, transcript: Phase2Transcript) -> None:
    """Check ``phase1``, then that ``transcript`` derives from it and ``r1cs`` with a valid
    chain of delta contributions; raises `TranscriptInvalid`."""
    _check_type(phase1, Phase1Transcript, "verify_phase2")
    _check_type(transcript, Phase2Transcript, "verify_phase2")
    matrices, digest = _r1cs(r1cs)
    _core().ceremony_phase2_verify(phase1._body, matrices, digest, transcript._body)


def finalize(
    phase1: Phase1Transcript, r1cs: R1CS, transcript: Phase2Transcript
) -> tuple[groth16.ProvingKey, groth16.VerifyingKey]:
    """Verify both phases, then return the ceremony's keys; their metadata names the
    ceremony (both final hashes and the contribution counts)."""
    verify_phase2(phase1, r1cs, transcript)
    _, digest = groth16._matrices(r1cs, _CURVE)
    _, _, body = _core().ceremony_phase2_info(transcript._body)
    native = _core().Groth16ProvingKey.from_bytes(body)
    metadata = {
        "format": "zkcredit-groth16-proving-key",
        "curve": _CURVE,
        "setup": (
            f"ceremony (phase 1 {phase1.hash}, {phase1.n_contributions} contributions; "
            f"phase 2 {transcript.hash}, {transcript.n_contributions} contributions)"
        ),
        "r1cs_sha256": digest,
        "n_wires": r1cs.n_wires,
        "n_public": r1cs.n_public,
        "n_constraints": r1cs.n_constraints,
    }
    pk = groth16.ProvingKey(_CURVE, native, metadata)
    return pk, pk.vk


def verify_proving_key(
    phase1: Phase1Transcript, r1cs: R1CS, transcript: Phase2Transcript, pk: groth16.ProvingKey
) -> None:
    """Check both phases and that ``pk`` is exactly the transcript's final key for
    ``r1cs`` (for a key received apart from its transcript); raises `TranscriptInvalid`."""
    if not isinstance(pk, groth16.ProvingKey):
        raise InvalidArgument(f"expected a ProvingKey, got {type(pk).__name__}")
    verify_phase2(phase1, r1cs, transcript)
    _, digest = groth16._matrices(r1cs, _CURVE)
    _, _, body = _core().ceremony_phase2_info(transcript._body)
    if pk.curve != _CURVE or pk.metadata.get("r1cs_sha256") != digest:
        raise TranscriptInvalid("the proving key was made for another R1CS or curve")
    if pk._native.to_bytes() != body:
        raise TranscriptInvalid("the proving key is not the final key of this transcript")


def write_transcript(
    path: str | os.PathLike[str],
    transcript: Phase1Transcript | Phase2Transcript,
    *,
    replace: bool = False,
) -> Path:
    """Write a transcript file atomically (refuses to overwrite unless ``replace``)."""
    if not isinstance(transcript, (Phase1Transcript, Phase2Transcript)):
        raise InvalidArgument(f"expected a transcript, got {type(transcript).__name__}")
    return write_file_atomic(path, transcript.to_bytes(), replace=replace)


def read_transcript(path: str | os.PathLike[str]) -> Phase1Transcript | Phase2Transcript:
    """Read a transcript file of either phase (decoded and validated, not verified)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InvalidArgument(f"cannot read the transcript {path}: {exc.strerror}") from exc
    phase, body = _parse(data, None)
    return Phase1Transcript(body) if phase == 1 else Phase2Transcript(body)
