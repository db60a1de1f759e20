//! The native witness solver (`zkcredit_core::solver`), exposed in `bn254` as `Solver`.
//!
//! Built once from a solver image (`zkcredit.circuit._native_solver`) and the constraint
//! labels; `solve` takes the packed input values and returns the packed witness with the
//! GIL released. An unsatisfiable witness raises `zkcredit.errors.UnsatisfiedConstraint`
//! with the reference solver's message, `.index` and `.label`.
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use zkcredit_core::error::CoreError;
use zkcredit_core::solver::{SolveError, Solver};

use crate::errors::PyCoreError;

/// A parsed, validated solver program with its constraint system.
#[pyclass(name = "Solver", module = "zkcredit._native.bn254", frozen)]
pub struct PySolver {
    inner: Solver,
    labels: Vec<String>,
}

fn unsatisfied(py: Python<'_>, index: usize, label: &str, message: String) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let class = py
            .import("zkcredit.errors")?
            .getattr("UnsatisfiedConstraint")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("index", index)?;
        kwargs.set_item("label", label)?;
        Ok(PyErr::from_value(class.call((message,), Some(&kwargs))?))
    };
    build().unwrap_or_else(|e| e)
}

#[pymethods]
impl PySolver {
    /// Parses and validates `image`; `labels` has one entry per constraint.
    #[new]
    fn new(py: Python<'_>, image: &[u8], labels: Vec<String>) -> PyResult<Self> {
        let inner = py
            .allow_threads(|| Solver::from_bytes(image))
            .map_err(PyCoreError::from)?;
        if labels.len() != inner.n_constraints() {
            return Err(PyCoreError(CoreError::InvalidArgument(format!(
                "{} labels for {} constraints",
                labels.len(),
                inner.n_constraints()
            )))
            .into());
        }
        Ok(PySolver { inner, labels })
    }

    /// The packed witness (32-byte little-endian scalars) for the packed input values.
    fn solve<'py>(&self, py: Python<'py>, inputs: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        match py.allow_threads(|| self.inner.solve_bytes(inputs)) {
            Ok(witness) => Ok(PyBytes::new(py, &witness)),
            Err(SolveError::Core(e)) => Err(PyCoreError(e).into()),
            Err(SolveError::Unsatisfied { constraint }) => {
                let label = &self.labels[constraint];
                let shown = if label.is_empty() {
                    "unlabelled"
                } else {
                    label
                };
                let message = format!("constraint #{constraint} ({shown}) is not satisfied");
                Err(unsatisfied(py, constraint, label, message))
            }
            Err(SolveError::ZeroDivisor { constraint, wire }) => {
                let label = &self.labels[constraint];
                let message = format!(
                    "constraint #{constraint} ({label}) cannot be solved for wire {wire}: it is \
                     multiplied by zero"
                );
                Err(unsatisfied(py, constraint, label, message))
            }
        }
    }

    /// Number of wires (the witness has this many scalars).
    #[getter]
    fn n_wires(&self) -> usize {
        self.inner.n_wires()
    }

    /// Number of constraints.
    #[getter]
    fn n_constraints(&self) -> usize {
        self.inner.n_constraints()
    }

    /// Number of input values `solve` takes.
    #[getter]
    fn n_inputs(&self) -> usize {
        self.inner.n_inputs()
    }

    /// Number of program steps.
    #[getter]
    fn n_steps(&self) -> usize {
        self.inner.n_steps()
    }
}

/// Registers `Solver` into the `bn254` submodule.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PySolver>()
}
