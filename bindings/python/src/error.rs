//! The errors of the glue and their Python exception classes.
//!
//! Every failure of a binding call becomes one [`Error`]: a kind (which
//! Python exception class), the message (the Rust message, which names the
//! row, the column and the rule) and the structured fields the exception
//! carries as attributes. Messages never quote a customer's data: at most a
//! customer id, as crm-core's own errors do.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crm_core::error::{Diagnostic, ErrorClass};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Which exception class of `crm_engine` an error raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A named column is not in the input (`ColumnError`).
    Column,
    /// A column has a type the call cannot read (`DtypeError`).
    Dtype,
    /// A value breaks a rule: NaN, null, out of range (`InvalidValueError`).
    Value,
    /// A customer appears twice (`DuplicateCustomerError`).
    Duplicate,
    /// A parameter is invalid (`ConfigError`).
    Config,
    /// An exact sum left Decimal's range (`DecimalOverflowError`).
    Overflow,
    /// Strict mode met a rejected row (`RejectedRowError`).
    Rejected,
    /// A bug: a Rust panic caught at the boundary (`InternalError`).
    Internal,
}

impl Kind {
    fn class_name(self) -> &'static str {
        match self {
            Kind::Column => "ColumnError",
            Kind::Dtype => "DtypeError",
            Kind::Value => "InvalidValueError",
            Kind::Duplicate => "DuplicateCustomerError",
            Kind::Config => "ConfigError",
            Kind::Overflow => "DecimalOverflowError",
            Kind::Rejected => "RejectedRowError",
            Kind::Internal => "InternalError",
        }
    }
}

/// A failed binding call, ready to become a Python exception.
#[derive(Debug, Clone)]
pub struct Error {
    /// The exception class.
    pub kind: Kind,
    /// The message: what is wrong, where, and which rule.
    pub message: String,
    /// The row when known: the 1-based data row of the input table, as
    /// crm-core counts (the first row is 1).
    pub row: Option<u64>,
    /// The column name when known.
    pub column: Option<String>,
    /// The rule broken, as a short snake_case name.
    pub rule: Option<&'static str>,
    /// The customer id when known (never any other customer data).
    pub customer: Option<String>,
}

/// The glue's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error of `kind` with a message and no structured fields.
    pub fn new(kind: Kind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            row: None,
            column: None,
            rule: None,
            customer: None,
        }
    }

    /// A crm-core (or crm-io) error: the exception class from its
    /// [`ErrorClass`], and the rule, 1-based row, field (as `column`) and
    /// customer from [`Diagnostic`], so the glue names no rule of its own.
    /// `what` (the call) prefixes the message, unless it is empty (a check
    /// shared by many calls).
    pub fn core(what: &str, e: &dyn Diagnostic) -> Error {
        let kind = match e.class() {
            ErrorClass::Value => Kind::Value,
            ErrorClass::Duplicate => Kind::Duplicate,
            ErrorClass::Column => Kind::Column,
            ErrorClass::Type => Kind::Dtype,
            ErrorClass::Config => Kind::Config,
            ErrorClass::Overflow => Kind::Overflow,
            ErrorClass::Rejected => Kind::Rejected,
            ErrorClass::NotConverged => Kind::Internal,
        };
        Error {
            kind,
            message: if what.is_empty() {
                e.to_string()
            } else {
                format!("{what}: {e}")
            },
            row: e.row(),
            column: e.field().map(str::to_owned),
            rule: Some(e.rule()),
            customer: e.customer().map(ToString::to_string),
        }
    }

    /// A parameter naming a value outside its crm-core vocabulary (a
    /// `ConfigError` listing the allowed names, never repeating the input),
    /// with the parameter as its field, as crm-core's `ParameterError`s
    /// have.
    pub fn parameter(name: &str, e: &crm_core::vocabulary::UnknownName) -> Error {
        Error {
            kind: Kind::Config,
            column: Some(name.to_owned()),
            ..Error::core(name, e)
        }
    }

    /// Sets the row: a 1-based data row.
    #[must_use]
    pub fn row(mut self, row: u64) -> Error {
        self.row = Some(row);
        self
    }

    /// Sets the row of the value at 0-based `index` of an input column: the
    /// 1-based data row `index + 1`.
    #[must_use]
    pub fn at_index(mut self, index: usize) -> Error {
        self.row = Some(index as u64 + 1);
        self
    }

    /// Sets the column.
    #[must_use]
    pub fn column(mut self, column: &str) -> Error {
        self.column = Some(column.to_owned());
        self
    }

    /// Sets the rule.
    #[must_use]
    pub fn rule(mut self, rule: &'static str) -> Error {
        self.rule = Some(rule);
        self
    }

    /// Sets the customer id.
    #[must_use]
    pub fn customer(mut self, customer: impl ToString) -> Error {
        self.customer = Some(customer.to_string());
        self
    }

    /// The Python exception: an instance of the class in `crm_engine._errors`
    /// with `row`, `column`, `rule` and `customer` attributes.
    pub fn into_pyerr(self, py: Python<'_>) -> PyErr {
        let build = || -> PyResult<PyErr> {
            let module = py.import("crm_engine._errors")?;
            let class = module.getattr(self.kind.class_name())?;
            let kwargs = PyDict::new(py);
            kwargs.set_item("row", self.row)?;
            kwargs.set_item("column", self.column.as_deref())?;
            kwargs.set_item("rule", self.rule)?;
            kwargs.set_item("customer", self.customer.as_deref())?;
            let instance = class.call((self.message.as_str(),), Some(&kwargs))?;
            Ok(PyErr::from_value(instance))
        };
        match build() {
            Ok(err) => err,
            // The package is always importable next to its extension; if it
            // is not, still say what went wrong.
            Err(_) => PyRuntimeError::new_err(self.message),
        }
    }
}

/// A whole-number argument within `min..=max`, from any Python object: a
/// negative, huge or non-integer value is crm-core's
/// [`ParameterError::WholeNumber`](crm_core::parameter::ParameterError)
/// (a `ConfigError`), never a builtin `OverflowError` or `TypeError`.
pub fn whole<T: TryFrom<i128>>(
    what: &str,
    name: &str,
    value: &Bound<'_, PyAny>,
    min: i64,
    max: u64,
) -> Result<T> {
    crm_core::parameter::whole_number(name, int_of(value), min, max)
        .map_err(|e| Error::core(what, &e))
}

/// A Python integer (not a `bool`) as `i128`, or `None`: what crm-core's
/// whole-number rule takes.
fn int_of(value: &Bound<'_, PyAny>) -> Option<i128> {
    if value.is_instance_of::<pyo3::types::PyBool>() {
        None
    } else {
        value.extract::<i128>().ok()
    }
}

/// A Python number (not a `bool`) as `f64`, NaN when it is not one: what
/// crm-core's finite rule takes.
fn float_of(value: &Bound<'_, PyAny>) -> f64 {
    if value.is_instance_of::<pyo3::types::PyBool>() {
        f64::NAN
    } else {
        value.extract::<f64>().unwrap_or(f64::NAN)
    }
}

/// An optional [`whole`] argument (`None` stays `None`).
pub fn whole_opt<T: TryFrom<i128>>(
    what: &str,
    name: &str,
    value: Option<&Bound<'_, PyAny>>,
    min: i64,
    max: u64,
) -> Result<Option<T>> {
    match value {
        Some(v) if !v.is_none() => whole(what, name, v, min, max).map(Some),
        _ => Ok(None),
    }
}

/// A floating-point argument from any Python number: a value that is not
/// one, or not finite (an int beyond a double's range), is a `ConfigError`.
pub fn finite(what: &str, name: &str, value: &Bound<'_, PyAny>) -> Result<f64> {
    crm_core::parameter::finite(name, float_of(value)).map_err(|e| Error::core(what, &e))
}

/// Runs `work` without the GIL, turning a panic into an `InternalError` so
/// that no Rust panic reaches Python, and the error into its exception.
pub fn run<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> Result<T> + Send,
{
    let outcome = py.detach(|| catch_unwind(AssertUnwindSafe(work)));
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(e.into_pyerr(py)),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(Error::new(
                Kind::Internal,
                format!("internal error in crm_engine (please report): {what}"),
            )
            .into_pyerr(py))
        }
    }
}

/// Like [`run`] but keeps the GIL (for work that touches Python objects);
/// still catches panics.
pub fn guard<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    F: FnOnce() -> PyResult<T>,
{
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(result) => result,
        Err(_) => Err(Error::new(
            Kind::Internal,
            "internal error in crm_engine (please report)",
        )
        .into_pyerr(py)),
    }
}
