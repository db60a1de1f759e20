//! Mapping of `CoreError` onto the Python classes of `zkcredit.errors` (C3).
use pyo3::import_exception;
use pyo3::PyErr;
use zkcredit_core::error::CoreError;

import_exception!(zkcredit.errors, InvalidEncoding);
import_exception!(zkcredit.errors, NonCanonicalScalar);
import_exception!(zkcredit.errors, NonCanonicalCoordinate);
import_exception!(zkcredit.errors, PointNotOnCurve);
import_exception!(zkcredit.errors, PointNotInSubgroup);
import_exception!(zkcredit.errors, InvalidDomain);
import_exception!(zkcredit.errors, InvalidArgument);
import_exception!(zkcredit.errors, DivisionByZero);

/// Newtype so that `?` converts core errors into Python exceptions.
pub struct PyCoreError(pub CoreError);

impl From<CoreError> for PyCoreError {
    fn from(e: CoreError) -> Self {
        PyCoreError(e)
    }
}

impl From<PyCoreError> for PyErr {
    fn from(e: PyCoreError) -> PyErr {
        let msg = e.0.to_string();
        match e.0 {
            CoreError::InvalidEncoding(_) => InvalidEncoding::new_err(msg),
            CoreError::NonCanonicalScalar(_) => NonCanonicalScalar::new_err(msg),
            CoreError::NonCanonicalCoordinate(_) => NonCanonicalCoordinate::new_err(msg),
            CoreError::PointNotOnCurve(_) => PointNotOnCurve::new_err(msg),
            CoreError::PointNotInSubgroup(_) => PointNotInSubgroup::new_err(msg),
            CoreError::InvalidDomain(_) => InvalidDomain::new_err(msg),
            CoreError::InvalidArgument(_) => InvalidArgument::new_err(msg),
            CoreError::DivisionByZero(_) => DivisionByZero::new_err(msg),
        }
    }
}
