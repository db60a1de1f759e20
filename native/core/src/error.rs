//! The one closed error enum of the core; the Python layer maps each variant
//! onto a class of `zkcredit.errors`.
use thiserror::Error;

/// Everything that can go wrong in a kernel call, by cause.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CoreError {
    /// Input bytes of the wrong length or with invalid flag bits.
    #[error("invalid encoding: {0}")]
    InvalidEncoding(String),
    /// A scalar-field element that is not below the modulus r.
    #[error("non-canonical scalar: {0}")]
    NonCanonicalScalar(String),
    /// A base-field coordinate that is not below the modulus q.
    #[error("non-canonical coordinate: {0}")]
    NonCanonicalCoordinate(String),
    /// A point that does not satisfy the curve equation.
    #[error("point not on curve: {0}")]
    PointNotOnCurve(String),
    /// A point on the curve but outside the prime-order subgroup.
    #[error("point not in the prime-order subgroup: {0}")]
    PointNotInSubgroup(String),
    /// A domain size that is not a power of two or exceeds the field's two-adicity.
    #[error("invalid evaluation domain: {0}")]
    InvalidDomain(String),
    /// Arguments that are individually well-formed but inconsistent (e.g. lengths differ).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Division by zero / inverse of zero.
    #[error("division by zero: {0}")]
    DivisionByZero(String),
}

/// Result alias used across the core.
pub type CoreResult<T> = Result<T, CoreError>;
