//! The argument checks of the Python layer, as crm-core's and crm-io's own
//! errors.
//!
//! The Python functions check what only Python can see (that a column name
//! is a `str`, that cut-offs are a pair, that a mapping's keys are known)
//! before they call the engine. They do not write a rule id or a message:
//! each check calls one of these functions, which builds
//! [`ParameterError`] or [`ColumnError`] and returns its exception for the
//! caller to raise (`raise _crm_engine.argument_error(...)`), so a Python
//! check names the same rule, in the same words, as the CLI and the Rust
//! API. Nothing here takes the value that was wrong: only the parameter's
//! name, its form and the keys allowed.

use crm_core::parameter::{Form, ParameterError, Window};
use crm_core::records::customer::CustomerId;
use crm_core::vocabulary::Vocabulary;
use crm_io::columns::ColumnError;
use pyo3::exceptions::PyBaseException;
use pyo3::prelude::*;

use crate::error::{Error, Kind};

/// The exception of a crm-core or crm-io error, its message prefixed with
/// `call` (none when `call` is empty: a check shared by many calls).
fn exception(
    py: Python<'_>,
    call: &str,
    e: &dyn crm_core::error::Diagnostic,
) -> Py<PyBaseException> {
    Error::core(call, e).into_pyerr(py).into_value(py)
}

/// A vocabulary name the Python layer passes (a form, a window); an unknown
/// one is a bug of the package, not of its caller.
fn name_of<V: Vocabulary>(py: Python<'_>, name: &str) -> PyResult<V> {
    V::from_name(name).map_err(|e| {
        Error::new(
            Kind::Internal,
            format!("internal error in crm_engine (please report): {e}"),
        )
        .into_pyerr(py)
    })
}

/// `name` is not of the form it must have ([`ParameterError::Form`], rule
/// `argument_form`): `form` is one of crm-core's [`Form`] names
/// (`column_name`, `pair`, `mapping`, `number`, `numbers`, `model`,
/// `thresholds`).
#[pyfunction]
pub fn argument_error(
    py: Python<'_>,
    call: &str,
    name: &str,
    form: &str,
) -> PyResult<Py<PyBaseException>> {
    let form: Form = name_of(py, form)?;
    let e = ParameterError::Form {
        name: name.to_owned(),
        form,
    };
    Ok(exception(py, call, &e))
}

/// `name` was left out ([`ParameterError::Required`], rule
/// `required_parameter`); `unless` says when it may be.
#[pyfunction]
#[pyo3(signature = (call, name, unless = None))]
pub fn required_error(
    py: Python<'_>,
    call: &str,
    name: &str,
    unless: Option<String>,
) -> Py<PyBaseException> {
    let e = ParameterError::Required {
        name: name.to_owned(),
        unless,
    };
    exception(py, call, &e)
}

/// A key of `name` outside `allowed` ([`ParameterError::UnknownKey`], rule
/// `known_key`); the message lists `allowed`.
#[pyfunction]
pub fn unknown_key_error(
    py: Python<'_>,
    call: &str,
    name: &str,
    allowed: Vec<String>,
) -> Py<PyBaseException> {
    let e = ParameterError::UnknownKey {
        name: name.to_owned(),
        allowed,
    };
    exception(py, call, &e)
}

/// A summary `name` of another window than the call's period
/// ([`ParameterError::SummaryWindow`], rule `summary_window`); `window` is
/// `period` or `day_before`.
#[pyfunction]
pub fn summary_window_error(
    py: Python<'_>,
    call: &str,
    name: &str,
    window: &str,
) -> PyResult<Py<PyBaseException>> {
    let window: Window = name_of(py, window)?;
    let e = ParameterError::SummaryWindow {
        name: name.to_owned(),
        window,
    };
    Ok(exception(py, call, &e))
}

/// The model `name` has no parameters ([`ParameterError::NotFitted`], rule
/// `clv_fitted`).
#[pyfunction]
pub fn not_fitted_error(py: Python<'_>, call: &str, name: &str) -> Py<PyBaseException> {
    let e = ParameterError::NotFitted {
        name: name.to_owned(),
    };
    exception(py, call, &e)
}

/// `name` is not a date of any kind Python has ([`ParameterError::Date`],
/// rule `date_parameter`).
#[pyfunction]
pub fn date_error(py: Python<'_>, call: &str, name: &str) -> Py<PyBaseException> {
    let e = ParameterError::Date {
        name: name.to_owned(),
    };
    exception(py, call, &e)
}

/// A whole number `min..=max` from any Python object, or crm-core's
/// [`ParameterError::WholeNumber`] (rule `whole_number_in_range`).
#[pyfunction]
pub fn whole_number(
    py: Python<'_>,
    call: &str,
    name: &str,
    value: &Bound<'_, PyAny>,
    min: i64,
    max: u64,
) -> PyResult<i128> {
    crate::error::whole(call, name, value, min, max).map_err(|e| e.into_pyerr(py))
}

/// A finite float from any Python number, or crm-core's
/// [`ParameterError::NotFinite`] (rule `finite_parameter`).
#[pyfunction]
pub fn finite_number(
    py: Python<'_>,
    call: &str,
    name: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<f64> {
    crate::error::finite(call, name, value).map_err(|e| e.into_pyerr(py))
}

/// Decimal text read by crm-core's one decimal rule, or its
/// [`ParameterError::Decimal`] (rule `decimal_parameter`): the text is
/// returned as given, for the engine to read again where it is used.
#[pyfunction]
pub fn decimal_parameter(py: Python<'_>, call: &str, name: &str, text: String) -> PyResult<String> {
    match crm_core::parameter::decimal(name, &text) {
        Ok(_) => Ok(text),
        Err(e) => Err(Error::core(call, &e).into_pyerr(py)),
    }
}

/// A column `column` (for `role`) that a frame with columns `names` does
/// not have ([`ColumnError::missing`], rule `column_present`).
#[pyfunction]
pub fn missing_column_error(
    py: Python<'_>,
    call: &str,
    column: &str,
    role: &str,
    names: Vec<String>,
) -> Py<PyBaseException> {
    exception(py, call, &ColumnError::missing(column, role, &names))
}

/// A column Python cannot hand over as Arrow ([`ColumnError::Unreadable`],
/// rule `column_type`): `found` says what it holds (a type, not a value).
#[pyfunction]
pub fn unreadable_column_error(
    py: Python<'_>,
    call: &str,
    column: &str,
    found: String,
    expected: String,
) -> Py<PyBaseException> {
    let e = ColumnError::Unreadable {
        column: column.to_owned(),
        found,
        expected,
    };
    exception(py, call, &e)
}

/// A result column that does not fit its declared type
/// ([`ColumnError::Declared`], rule `declared_schema`); `found` is `None`
/// when the column is missing.
#[pyfunction]
#[pyo3(signature = (call, column, expected, found = None))]
pub fn declared_schema_error(
    py: Python<'_>,
    call: &str,
    column: &str,
    expected: String,
    found: Option<String>,
) -> Py<PyBaseException> {
    let e = ColumnError::Declared {
        column: column.to_owned(),
        found,
        expected,
    };
    exception(py, call, &e)
}

/// A customer id on `count` rows of a one-row-per-customer table
/// ([`ColumnError::Repeated`], rule `one_row_per_customer`); `customer` is
/// the id, an `int` or a `str`.
#[pyfunction]
pub fn repeated_customer_error(
    py: Python<'_>,
    call: &str,
    column: &str,
    customer: &Bound<'_, PyAny>,
    count: u64,
) -> PyResult<Py<PyBaseException>> {
    let customer = match customer.extract::<i64>() {
        Ok(i) if !customer.is_instance_of::<pyo3::types::PyBool>() => CustomerId::Int(i),
        _ => CustomerId::Str(customer.str()?.to_string()),
    };
    let e = ColumnError::Repeated {
        column: column.to_owned(),
        customer,
        count,
    };
    Ok(exception(py, call, &e))
}

/// The worker threads of one Spark task: a whole number from 1 to
/// [`crate::MAX_THREADS`], or crm-core's [`ParameterError::WholeNumber`]
/// naming `threads`.
#[pyfunction]
pub fn task_threads(py: Python<'_>, threads: &Bound<'_, PyAny>) -> PyResult<usize> {
    crate::error::whole("spark", "threads", threads, 1, crate::MAX_THREADS as u64)
        .map_err(|e| e.into_pyerr(py))
}
