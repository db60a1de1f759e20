"""The one exception tree of zkcredit, also raised from the Rust core.

Every class carries the CLI exit code it maps to (P1): 2 for input that is malformed
or unusable, 1 for a well-formed request that is refused (invalid proof, policy
refusal, ledger rule). The tree::

    ZkCreditError
    ├── MalformedInput (ValueError)            exit 2: the input itself is wrong
    │   ├── InvalidEncoding                    wrong length, bad flags, bad decimal/hex text
    │   ├── NonCanonicalScalar                 scalar >= r where canonical form is required
    │   ├── NonCanonicalCoordinate             point coordinate >= q
    │   ├── PointNotOnCurve                    fails the curve equation
    │   ├── PointNotInSubgroup                 on the curve, outside the prime-order subgroup
    │   ├── InvalidDomain                      FFT size not a power of two / too large
    │   ├── InvalidArgument                    well-formed pieces that do not fit together
    │   ├── DivisionByZero                     inverse of zero requested
    │   └── UnsupportedFormat                  unknown "format"/version/curve/protocol
    ├── InvalidProof                           exit 1: a proof that does not verify
    │   (attestation: InvalidSignature < InvalidProof; LowOrderPoint, NonCanonicalSignature: exit 2)
    ├── Refused                                exit 1: a well-formed request a rule refuses
    │   (credit: AttestationOutsideWindow, AttestationStale, AttestationRevoked,
    │    IssuerNotRegistered, BooksMismatch, IdentityConflict, RevocationListOutdated < Refused;
    │    verifier: InvalidEd25519Signature < InvalidProof)
    ├── CircuitError                           exit 1: circuit building, solving, checking
    │   ├── UnsafeCircuit                      refused at build time (aliasing widths, lint)
    │   ├── UnsatisfiedConstraint              a witness violates a named constraint
    │   └── InvalidAssignmentAccepted          test harness: a wrong witness satisfied the system
    ├── TranscriptInvalid (InvalidProof)       exit 1: a setup transcript / ceremony check fails
    ├── WalletError                            exit 1: wallet files (tampered, wrong version)
    │   └── WrongPassphrase                    AES-GCM authentication failed
    ├── OutputExists (Refused)                 exit 1: a key/secret file would be overwritten (E4)
    ├── PresentationRefused (Refused)          exit 1: the verifier refuses; carries .reason
    ├── LedgerError                            exit 1: ledger rule violations (see below)
    │   └── ...                                defined in the ledger section
    │       (the ledger's InvalidAmount is a MalformedInput: exit 2)
    └── NativeUnavailable                      the compiled core is missing
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "AttestationOutsideWindow",
    "AttestationRevoked",
    "AttestationStale",
    "AuditFailed",
    "AuditLogInvalid",
    "BooksMismatch",
    "CircuitError",
    "CreditLimitExceeded",
    "DivisionByZero",
    "DuplicateLine",
    "ExposureCapReached",
    "ExposureEpochClosed",
    "IdempotencyConflict",
    "IdentityConflict",
    "InsufficientBalance",
    "InsufficientLiquidity",
    "InvalidAmount",
    "InvalidArgument",
    "InvalidAssignmentAccepted",
    "InvalidDomain",
    "InvalidEd25519Signature",
    "InvalidEncoding",
    "InvalidProof",
    "InvalidSignature",
    "IssuerNotRegistered",
    "LedgerError",
    "LineClosed",
    "LineExpired",
    "LowOrderPoint",
    "MalformedInput",
    "NativeUnavailable",
    "NonCanonicalCoordinate",
    "NonCanonicalScalar",
    "NonCanonicalSignature",
    "NotInDefault",
    "NotLiquidatable",
    "OracleUnavailable",
    "OutputExists",
    "PointNotInSubgroup",
    "PointNotOnCurve",
    "PresentationRefused",
    "PriceDeviation",
    "Refused",
    "RevocationListOutdated",
    "RiskLimit",
    "SelfLiquidation",
    "StalePrice",
    "StorageError",
    "TranscriptInvalid",
    "UnhealthyPosition",
    "UnknownLine",
    "UnsafeCircuit",
    "UnsatisfiedConstraint",
    "UnsupportedFormat",
    "WalletError",
    "WrongPassphrase",
    "ZkCreditError",
]


class ZkCreditError(Exception):
    """Base of every error zkcredit raises on purpose."""

    exit_code: ClassVar[int] = 1


# --- malformed input (exit 2) -------------------------------------------------------


class MalformedInput(ZkCreditError, ValueError):
    """Input that is not well-formed: it is rejected before any work is done."""

    exit_code: ClassVar[int] = 2


class InvalidEncoding(MalformedInput):
    """Bytes or text of the wrong length or shape (flags, digits, JSON structure)."""


class NonCanonicalScalar(MalformedInput):
    """A scalar-field element given as a value >= r; never silently reduced."""


class NonCanonicalCoordinate(MalformedInput):
    """A point coordinate given as a value >= q (the base-field modulus)."""


class PointNotOnCurve(MalformedInput):
    """Coordinates that do not satisfy the curve equation."""


class PointNotInSubgroup(MalformedInput):
    """A curve point outside the prime-order subgroup (small-subgroup attack)."""


class InvalidDomain(MalformedInput):
    """An FFT size that is not a power of two or exceeds the field's two-adicity."""


class InvalidArgument(MalformedInput):
    """Arguments each well-formed but inconsistent with one another (e.g. lengths)."""


class DivisionByZero(MalformedInput):
    """The inverse of zero was requested."""


class UnsupportedFormat(MalformedInput):
    """A file or object with an unknown format name, version, curve or protocol."""


# --- refusals (exit 1) --------------------------------------------------------------


class InvalidProof(ZkCreditError):
    """A well-formed proof that does not verify."""


class Refused(ZkCreditError):
    """A well-formed request that a rule or policy refuses."""


class NativeUnavailable(ZkCreditError):
    """The compiled core `zkcredit._native` could not be imported."""


# --- attestation: Baby Jubjub keys and EdDSA-Poseidon signatures --------------------


class LowOrderPoint(PointNotInSubgroup):
    """A Baby Jubjub point whose order divides the cofactor 8 (the identity (0, 1), (0, -1),
    the order-4 and order-8 points) where a key or prime-order point is required: with such a
    public key an EdDSA signature verifies for every message without any private key."""


class NonCanonicalSignature(NonCanonicalScalar):
    """An EdDSA signature scalar S >= l (the Baby Jubjub subgroup order). The verification
    equation still holds for S + l, so accepting it would make signatures malleable."""


class InvalidSignature(InvalidProof):
    """A well-formed EdDSA-Poseidon signature that does not verify under the key and message."""


# --- setup transcripts, wallets, verifier (exit 1) --------------------------------


class TranscriptInvalid(InvalidProof):
    """A powers-of-tau or phase-2 transcript (or a key checked against one) that fails
    verification: a tampered point, a contribution hash mismatch, another circuit's key."""


class WalletError(ZkCreditError):
    """A wallet or secret file that cannot be used: tampered, truncated, wrong version."""


class WrongPassphrase(WalletError):
    """The passphrase does not open the wallet (AES-GCM authentication fails). A tampered
    file fails the same check; the message says both are possible."""


class OutputExists(Refused):
    """Refusing to overwrite an existing file or follow a symlink when writing a key or
    secret (ADVERSARIAL E4)."""


class PresentationRefused(Refused):
    """The lender's verifier refuses a presentation; ``reason`` is a stable reason code
    (e.g. ``"nonce-reused"``, ``"issuer-not-in-registry"``) listed in docs/verifier.md."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason


# --- circuit (exit 1) ---------------------------------------------------------------


class CircuitError(ZkCreditError):
    """Base of the circuit layer's errors (building, solving and checking R1CS)."""


class UnsafeCircuit(CircuitError):
    """A circuit refused when it is built: a width that can alias in the field, or a
    linter finding (a wire in no constraint, an unconstrained hint output, ...)."""


class UnsatisfiedConstraint(CircuitError):
    """A witness that violates a constraint; names the first one by index and label."""

    def __init__(self, message: str, *, index: int = -1, label: str = "") -> None:
        super().__init__(message)
        self.index = index
        self.label = label


class InvalidAssignmentAccepted(CircuitError):
    """Raised by `zkcredit.testing.check_circuit` when an assignment that must be
    refused satisfies the constraint system: an under-constrained circuit."""


# --- ledger (exit 1) ----------------------------------------------------------------


class LedgerError(ZkCreditError):
    """Base of the ledger's rule violations."""


class InvalidAmount(MalformedInput):
    """A money amount that is not a plain non-negative int below 2^63 (float, bool, ...)."""


class IdempotencyConflict(LedgerError):
    """A command id reused with a different payload (TigerBeetle's `exists_with_different_*`)."""


class InsufficientLiquidity(LedgerError):
    """The pool does not hold the cash a draw or withdrawal needs."""


class InsufficientBalance(LedgerError):
    """Shares, collateral or another balance is smaller than the amount asked for."""


class CreditLimitExceeded(LedgerError):
    """A draw would take the line's debt above its credit limit."""


class UnhealthyPosition(LedgerError):
    """An action would leave the health factor below 1 or under the required collateral."""


class NotLiquidatable(LedgerError):
    """Liquidation asked for a position whose health factor is not strictly below 1."""


class SelfLiquidation(LedgerError):
    """A borrower tried to liquidate its own line."""


class NotInDefault(LedgerError):
    """Default asked for a line whose payment is not past due plus the grace period."""


class OracleUnavailable(LedgerError):
    """No trustworthy price: both feeds broken, frozen, or disagreeing."""


class StalePrice(OracleUnavailable):
    """The price is older than the feed's heartbeat."""


class PriceDeviation(OracleUnavailable):
    """The price moved past the circuit breaker and the other feed does not confirm it."""


class RiskLimit(LedgerError):
    """Volatility puts the value-at-risk past the configured ceiling: no new credit."""


class LineExpired(LedgerError):
    """The line's credit decision has expired; renew it with a new decision."""


class LineClosed(LedgerError):
    """The line is closed (defaulted or written off) and accepts no more commands."""


class UnknownLine(LedgerError):
    """No line with that id."""


class DuplicateLine(LedgerError):
    """A line for this (lender, nullifier) already exists: one line per nullifier per lender."""


class ExposureCapReached(LedgerError):
    """The exposure slot is already claimed (by another lender or line): the borrower has
    used every line slot of this exposure epoch (issue 12, docs/exposure.md)."""


class ExposureEpochClosed(LedgerError):
    """A claim names an exposure epoch that is not the registry's current one (or the one
    just before, a grace for challenges issued at the boundary)."""


class StorageError(LedgerError):
    """The database cannot be opened or used (pragmas, a missing directory, not a
    database), or a transaction kept conflicting after bounded retries."""


class AuditFailed(LedgerError):
    """The books do not balance or an aggregate differs from the sum it summarizes."""


class AuditLogInvalid(LedgerError):
    """The signed audit log of emitted records fails its hash chain or a signature."""


# --- attestations and the issuer registry (issue 5, C2) -----------------------------


class AttestationOutsideWindow(Refused):
    """An attestation used at a time outside its [not_before, not_after] validity window."""


class IssuerNotRegistered(Refused):
    """An issuer key that is not (or no longer) in the issuer registry."""


class AttestationRevoked(Refused):
    """An attestation whose revocation id is in its issuer's published revocation list."""


class AttestationStale(Refused):
    """An attestation older than the lender's freshness bound (not_before < min_not_before)."""


class BooksMismatch(Refused):
    """A disclosed history that differs from what the issuer holds for the subject."""


class IdentityConflict(Refused):
    """A holder commitment other than the one the issuer bound to the subject."""


class RevocationListOutdated(Refused):
    """A revocation list not newer than the one already applied (a replayed or old list)."""


# --- verifier (owner: zkcredit/verifier) --------------------------------------------


class InvalidEd25519Signature(InvalidProof):
    """A well-formed Ed25519 signature (canonical S, A and R of prime order) that does not
    verify under the key and message."""
