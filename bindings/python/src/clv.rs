//! `crm_engine.clv`: fitting and predicting with the BTYD models of
//! `crm_core::clv`. Columns come in as Arrow arrays (numpy through the buffer
//! protocol), are read as `f64` slices, and fits run without the GIL.
//! Fitted models cross as JSON (their serde form); column predictions come
//! back as little-endian `f64` bytes that Python views as a numpy array.
//!
//! The model names, their parameters and columns, the fit sets and the
//! predictions are crm-core's registry (`crm_core::clv::registry`): nothing
//! here matches on a model's name.

use arrow::array::{Array, AsArray, Float64Array};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Float64Type};
use crm_core::clv::choice::{self, HoldoutPurchases};
use crm_core::clv::horizon::{self, Horizon};
use crm_core::clv::intervals::{Level, PredictionIntervals, Uncertain};
use crm_core::clv::matrix::{FrequencyRecencyGrid, Matrix};
use crm_core::clv::model_file::{self, ClvColumns};
use crm_core::clv::predicted_tiers::{PredictedValue, assign_predicted};
use crm_core::clv::registry::{self, Model, ModelKind};
use crm_core::clv::value::Discounting;
use crm_core::clv::{ClvError, FitOptions};
use crm_core::records::summary::Unit;
use crm_core::vocabulary::Vocabulary;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::convert::{customer_ids, dtype_error, value_error};
use crate::error::{Error, Kind, Result, run, whole, whole_opt};
use crate::input::InputTable;
use crate::table::ArrowTable;
use crm_core::error::Diagnostic;
use crm_core::parameter::ParameterError;
use crm_io::columns::{ColumnError, ValueProblem};

pub(crate) const WHAT: &str = "clv";

/// One input column as `f64` (integers and decimals are cast; nulls are an
/// error naming the row).
pub(crate) fn floats(input: &InputTable, name: &str, role: &str) -> Result<Float64Array> {
    let a = input.column(name, role)?;
    let a = if a.data_type() == &DataType::Float64 {
        a
    } else {
        let numeric = a.data_type().is_numeric() || a.data_type() == &DataType::Null;
        let cast = if numeric {
            cast(&a, &DataType::Float64).ok()
        } else {
            None
        };
        cast.ok_or_else(|| dtype_error(WHAT, name, role, a.data_type(), "a numeric type"))?
    };
    if a.null_count() > 0 {
        let row = (0..a.len()).find(|&i| a.is_null(i)).unwrap_or(0);
        return Err(value_error(WHAT, name, row, ValueProblem::Missing));
    }
    Ok(a.as_primitive::<Float64Type>().clone())
}

/// A crm-core error as a binding error; `names` maps the core's field names
/// (`x`, `t_x`, `T`, ...) to the caller's column names.
pub(crate) fn clv_error(e: ClvError, names: &[(&str, &str)]) -> Error {
    let user = |field: &str| -> String {
        names
            .iter()
            .find(|(f, _)| *f == field)
            .map_or_else(|| field.to_owned(), |(_, u)| (*u).to_owned())
    };
    let mut err = Error::core(WHAT, &e);
    if let Some(field) = e.field() {
        err.column = Some(user(field));
    }
    err
}

/// The JSON handed to Python: the fit and its fit set, or the best point
/// of a fit that did not converge (Python raises `ConvergenceError` with it).
fn fit_json(
    outcome: std::result::Result<registry::ModelFit, ClvError>,
    names: &[(&str, &str)],
) -> Result<String> {
    let value = match outcome {
        // The fit's serde form, with its AIC and BIC beside it.
        Ok(fit) => {
            let criteria = fit
                .model
                .information_criteria()
                .map_err(|e| clv_error(e, names))?;
            serde_json::to_value(&fit).and_then(|mut v| {
                if let Some(o) = v.as_object_mut() {
                    o.insert(
                        "information_criteria".into(),
                        serde_json::to_value(criteria)?,
                    );
                }
                Ok(v)
            })
        }
        Err(ClvError::NotConverged {
            names: params,
            best,
            log_likelihood,
            report,
        }) => {
            let message = format!(
                "{WHAT}: the fit did not converge after {} iterations (gradient norm {:.3e}); the best point is in `best`",
                report.iterations, report.gradient_norm
            );
            serde_json::to_value(serde_json::json!({
                "error": message,
                "best": params.iter().zip(&best).map(|(n, v)| (n.clone(), serde_json::Value::from(*v))).collect::<serde_json::Map<String, serde_json::Value>>(),
                "log_likelihood": log_likelihood,
                "report": report,
            }))
        }
        Err(e) => return Err(clv_error(e, names)),
    };
    value.map(|v| v.to_string()).map_err(|e| {
        Error::new(
            Kind::Internal,
            format!("{WHAT}: could not write the fit: {e}"),
        )
    })
}

fn column_name<'a>(columns: &'a [Option<String>], i: usize, role: &str) -> Result<&'a str> {
    columns.get(i).and_then(|c| c.as_deref()).ok_or_else(|| {
        Error::core(
            WHAT,
            &ParameterError::ColumnNotNamed {
                role: role.to_owned(),
            },
        )
    })
}

/// The fit options from Python's arguments: `max_iterations` a whole
/// number (crm-core's rule), the floats as the Python layer checked them.
fn fit_options(
    py: Python<'_>,
    l2_penalty: f64,
    max_iterations: &Bound<'_, PyAny>,
    gradient_tolerance: f64,
) -> PyResult<FitOptions> {
    let max_iterations: usize = whole(WHAT, "max_iterations", max_iterations, 0, u32::MAX.into())
        .map_err(|e| e.into_pyerr(py))?;
    Ok(FitOptions {
        l2_penalty,
        max_iterations,
        gradient_tolerance,
    })
}

pub(crate) fn kind_of(model: &str) -> Result<ModelKind> {
    model
        .parse::<ModelKind>()
        .map_err(|e| Error::parameter("model", &e))
}

/// The registry's models: `(name, parameter names, fit columns, takes weights)`.
#[pyfunction]
pub fn clv_models() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>, bool)> {
    ModelKind::ALL
        .iter()
        .map(|k| {
            (
                k.name(),
                k.parameter_names().to_vec(),
                k.fit_columns().to_vec(),
                k.takes_weights(),
            )
        })
        .collect()
}

/// The length of a month on the clock `unit` ("day" or "week").
#[pyfunction]
pub fn clv_month_length(py: Python<'_>, unit: &str) -> PyResult<f64> {
    Ok(horizon::month_length(
        unit_of(unit).map_err(|e| e.into_pyerr(py))?,
    ))
}

fn unit_of(unit: &str) -> Result<Unit> {
    Unit::from_name(unit).map_err(|e| Error::parameter("unit", &e))
}

/// Fits `model` on the named columns of `data` (the kind's fit columns in
/// order, then an optional weights column); returns the fit as JSON.
#[pyfunction]
#[pyo3(signature = (model, data, columns, l2_penalty, max_iterations, gradient_tolerance))]
pub fn clv_fit(
    py: Python<'_>,
    model: &str,
    data: &Bound<'_, PyAny>,
    columns: Vec<Option<String>>,
    l2_penalty: f64,
    max_iterations: Bound<'_, PyAny>,
    gradient_tolerance: f64,
) -> PyResult<String> {
    let kind = kind_of(model).map_err(|e| e.into_pyerr(py))?;
    let options = fit_options(py, l2_penalty, &max_iterations, gradient_tolerance)?;
    let input = InputTable::from_py("data", data)?;
    run(py, move || {
        let roles = kind.fit_columns();
        let mut cols = Vec::with_capacity(roles.len());
        for (i, role) in roles.iter().enumerate() {
            cols.push(floats(&input, column_name(&columns, i, role)?, role)?);
        }
        let wname = match columns.get(roles.len()) {
            Some(Some(w)) if kind.takes_weights() => Some(w.clone()),
            _ => None,
        };
        let weights = match &wname {
            Some(w) => Some(floats(&input, w, "weights")?),
            None => None,
        };
        let mut names: Vec<(&str, &str)> = roles
            .iter()
            .enumerate()
            .map(|(i, r)| (*r, columns.get(i).and_then(|c| c.as_deref()).unwrap_or(r)))
            .collect();
        names.push(("weights", wname.as_deref().unwrap_or("weights")));
        let slices: Vec<&[f64]> = cols.iter().map(|c| c.values().as_ref()).collect();
        let w = weights.as_ref().map(|w| w.values().as_ref());
        fit_json(registry::fit(kind, &slices, w, &options), &names)
    })
}

pub(crate) fn model_of(kind: ModelKind, values: &[f64]) -> Result<Model> {
    Model::from_values(kind, values).map_err(|e| clv_error(e, &[]))
}

/// A `ConfigError` unless `columns` names `expected` columns.
pub(crate) fn column_count(columns: &[String], expected: usize) -> Result<()> {
    if columns.len() == expected {
        return Ok(());
    }
    Err(Error::core(
        WHAT,
        &ParameterError::Count {
            name: "columns".to_owned(),
            expected,
            found: columns.len(),
        },
    ))
}

pub(crate) fn same_lengths(cols: &[Float64Array], columns: &[String]) -> Result<()> {
    let c = |i: usize| columns.get(i).map_or("", String::as_str);
    if let Some(first) = cols.first() {
        for (i, other) in cols.iter().enumerate().skip(1) {
            if other.len() != first.len() {
                return Err(Error::core(
                    WHAT,
                    &ColumnError::Length {
                        column: c(i).to_owned(),
                        found: other.len(),
                        first: c(0).to_owned(),
                        expected: first.len(),
                    },
                ));
            }
        }
    }
    Ok(())
}

/// A per-customer prediction on the named columns of `data`, as `f64` bytes.
#[pyfunction]
#[pyo3(signature = (model, values, what, data, columns, t=0.0, periods=None, period_length=1.0, discount_rate=0.0, n=None))]
#[allow(clippy::too_many_arguments)]
pub fn clv_predict<'py>(
    py: Python<'py>,
    model: &str,
    values: Vec<f64>,
    what: &str,
    data: &Bound<'py, PyAny>,
    columns: Vec<String>,
    t: f64,
    periods: Option<Bound<'py, PyAny>>,
    period_length: f64,
    discount_rate: f64,
    n: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let kind = kind_of(model).map_err(|e| e.into_pyerr(py))?;
    let periods: u32 = whole_opt(WHAT, "time", periods.as_ref(), 0, u32::MAX.into())
        .map_err(|e| e.into_pyerr(py))?
        .unwrap_or(0);
    let n: u32 = whole_opt(WHAT, "n", n.as_ref(), 0, u32::MAX.into())
        .map_err(|e| e.into_pyerr(py))?
        .unwrap_or(0);
    let input = InputTable::from_py("data", data)?;
    let what = what.to_owned();
    let out = run(py, move || {
        let m = model_of(kind, &values)?;
        let roles = ["frequency", "recency", "T", "monetary_value"];
        let cols: Vec<Float64Array> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| floats(&input, c, roles.get(i).copied().unwrap_or("column")))
            .collect::<Result<_>>()?;
        same_lengths(&cols, &columns)?;
        let c = |i: usize| columns.get(i).map_or("", String::as_str);
        let need = |n: usize| -> Result<()> {
            if cols.len() == n {
                Ok(())
            } else {
                Err(Error::core(
                    &format!("{WHAT}: {what}"),
                    &ParameterError::Count {
                        name: "columns".to_owned(),
                        expected: n,
                        found: cols.len(),
                    },
                ))
            }
        };
        let v = |i: usize| cols[i].values().as_ref();
        let out = match what.as_str() {
            "p_alive" => {
                need(3)?;
                m.p_alive(v(0), v(1), v(2))
            }
            "conditional_expected_purchases" => {
                need(3)?;
                m.conditional_expected_purchases(t, v(0), v(1), v(2))
            }
            "conditional_probability_of_n_purchases" => {
                need(3)?;
                m.conditional_probability_of_n_purchases(n, t, v(0), v(1), v(2))
            }
            "customer_lifetime_value" => {
                need(4)?;
                let d = Discounting {
                    periods,
                    period_length,
                    discount_rate,
                };
                m.customer_lifetime_value(&d, v(0), v(1), v(2), v(3))
            }
            "conditional_expected_spend" => {
                need(2)?;
                let names = [("x", c(0)), ("monetary_value", c(1))];
                return m
                    .expected_spend(v(0), v(1))
                    .map_err(|e| clv_error(e, &names));
            }
            other => return Err(unknown(other)),
        };
        let third = if kind == ModelKind::BgBb { "n" } else { "T" };
        let names = [
            ("x", c(0)),
            ("t_x", c(1)),
            (third, c(2)),
            ("monetary_value", c(3)),
        ];
        out.map_err(|e| clv_error(e, &names))
    })?;
    let mut bytes = Vec::with_capacity(out.len() * 8);
    for v in out {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    Ok(PyBytes::new(py, &bytes))
}

/// A population-level curve: expected purchases or P(n purchases) for a new
/// customer, or the sBG survival, churn and retention curves.
#[pyfunction]
#[pyo3(signature = (model, values, what, points, t=0.0))]
pub fn clv_curve(
    py: Python<'_>,
    model: &str,
    values: Vec<f64>,
    what: &str,
    points: Vec<f64>,
    t: f64,
) -> PyResult<Vec<f64>> {
    let kind = kind_of(model).map_err(|e| e.into_pyerr(py))?;
    let what = what.to_owned();
    run(py, move || {
        model_of(kind, &values)?
            .curve(&what, &points, t)
            .map_err(|e| clv_error(e, &[]))
    })
}

/// A prediction over crm-core's frequency × recency grid of customers of
/// age `age` (`clv::matrix`): `p_alive`, or `expected_purchases` in the
/// next `t`. Returns the grid's frequencies, recencies and the values,
/// row-major.
#[pyfunction]
#[pyo3(signature = (model, values, what, age, max_frequency=None, max_recency=None, t=0.0))]
#[allow(clippy::too_many_arguments)]
pub fn clv_matrix(
    py: Python<'_>,
    model: &str,
    values: Vec<f64>,
    what: &str,
    age: f64,
    max_frequency: Option<Bound<'_, PyAny>>,
    max_recency: Option<f64>,
    t: f64,
) -> PyResult<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    let kind = kind_of(model).map_err(|e| e.into_pyerr(py))?;
    let max_frequency: Option<u32> = whole_opt(
        WHAT,
        "max_frequency",
        max_frequency.as_ref(),
        0,
        u32::MAX.into(),
    )
    .map_err(|e| e.into_pyerr(py))?;
    let what = what.to_owned();
    run(py, move || {
        let m = model_of(kind, &values)?;
        let grid = FrequencyRecencyGrid::new(age, max_frequency, max_recency)
            .map_err(|e| clv_error(e, &[]))?;
        let out = match what.as_str() {
            "p_alive" => Matrix::p_alive(&m, &grid),
            "expected_purchases" => Matrix::expected_purchases(&m, t, &grid),
            _ => {
                return Err(Error::parameter(
                    "what",
                    &crm_core::vocabulary::UnknownName {
                        kind: "matrix",
                        allowed: vec!["p_alive", "expected_purchases"],
                    },
                ));
            }
        }
        .map_err(|e| clv_error(e, &[]))?;
        Ok((out.grid.frequencies, out.grid.recencies, out.values))
    })
}

/// The per-customer predictions [`clv_predict`] dispatches on.
const PREDICTIONS: [&str; 5] = [
    "p_alive",
    "conditional_expected_purchases",
    "conditional_probability_of_n_purchases",
    "customer_lifetime_value",
    "conditional_expected_spend",
];

fn unknown(_what: &str) -> Error {
    Error::parameter(
        "what",
        &crm_core::vocabulary::UnknownName {
            kind: "prediction",
            allowed: PREDICTIONS.to_vec(),
        },
    )
}

/// The `clv_predictions` table of crm-io: each customer's P(alive),
/// expected purchases and spend over `months` months on the clock `unit`,
/// and discounted CLV at `discount_rate` a month. `columns` names customer,
/// frequency, recency, T and monetary value.
///
/// With a `level` (and both fits' covariances, row-major) it is the
/// `clv_intervals` table instead (crm-core's delta method), and the second
/// value the JSON of the totals' intervals; without, that value is `None`.
#[pyfunction]
#[pyo3(signature = (repeat, repeat_values, spend_values, data, columns, months, discount_rate, unit, level=None, repeat_covariance=None, spend_covariance=None))]
#[allow(clippy::too_many_arguments)]
pub fn clv_predictions(
    py: Python<'_>,
    repeat: &str,
    repeat_values: Vec<f64>,
    spend_values: Vec<f64>,
    data: &Bound<'_, PyAny>,
    columns: Vec<String>,
    months: Bound<'_, PyAny>,
    discount_rate: f64,
    unit: &str,
    level: Option<f64>,
    repeat_covariance: Option<Vec<f64>>,
    spend_covariance: Option<Vec<f64>>,
) -> PyResult<(ArrowTable, Option<String>)> {
    let kind = kind_of(repeat).map_err(|e| e.into_pyerr(py))?;
    let months: u32 =
        whole(WHAT, "months", &months, 0, u32::MAX.into()).map_err(|e| e.into_pyerr(py))?;
    let unit = unit_of(unit).map_err(|e| e.into_pyerr(py))?;
    let input = InputTable::from_py("data", data)?;
    run(py, move || {
        let r = model_of(kind, &repeat_values)?;
        let s = model_of(ModelKind::GammaGamma, &spend_values)?;
        let (ids, c) = prediction_columns(&input, &columns, unit)?;
        let horizon = Horizon {
            months,
            monthly_discount_rate: discount_rate,
        };
        let names = prediction_names(&columns);
        let err = |e| clv_error(e, &names);
        let (table, totals) = match level {
            None => {
                let p = model_file::predict(&r, &s, &c, &horizon).map_err(err)?;
                (crm_io::tables::clv::predictions(&ids.ids, &p), None)
            }
            Some(level) => {
                let level = Level::new(level).map_err(err)?;
                let uncertain = |m: Model, cov: Option<Vec<f64>>| {
                    cov.ok_or_else(|| ClvError::InvalidArgument {
                        name: "covariance".into(),
                        rule: format!(
                            "the {} model has no covariance (given by from_params, or its fit's information matrix is not positive definite): fit it to get intervals",
                            m.kind().name()
                        ),
                    })
                    .and_then(|cov| Uncertain::new(m, cov))
                    .map_err(err)
                };
                let (ur, us) = (
                    uncertain(r, repeat_covariance)?,
                    uncertain(s, spend_covariance)?,
                );
                let iv = PredictionIntervals::of(&ur, &us, &c, &horizon, level).map_err(err)?;
                let totals = serde_json::json!({
                    "level": iv.level,
                    "expected_purchases": iv.total_expected_purchases,
                    "clv": iv.total_clv,
                });
                (
                    crm_io::tables::clv::intervals(&ids.ids, &iv),
                    Some(totals.to_string()),
                )
            }
        };
        let batch = table
            .batch()
            .map_err(|e| Error::new(Kind::Internal, format!("{WHAT}: {e}")))?;
        let fields = batch.schema();
        let table = ArrowTable::from_columns(
            fields
                .fields()
                .iter()
                .zip(batch.columns())
                .map(|(f, a)| (f.name().as_str(), a.clone()))
                .collect(),
        )?;
        Ok((table, totals))
    })
}

/// The customer ids and the prediction columns named by `columns`
/// (customer, frequency, recency, T, monetary value) of `input`.
fn prediction_columns(
    input: &InputTable,
    columns: &[String],
    unit: Unit,
) -> Result<(crate::convert::Ids, ClvColumns)> {
    let name = |i: usize| columns.get(i).map_or("", String::as_str);
    column_count(columns, 5)?;
    let ids = customer_ids(WHAT, name(0), &input.column(name(0), "customer")?)?;
    let roles = ["frequency", "recency", "T", "monetary_value"];
    let cols: Vec<Float64Array> = (1..5)
        .map(|i| floats(input, name(i), roles[i - 1]))
        .collect::<Result<_>>()?;
    same_lengths(&cols, &columns[1..])?;
    let v = |i: usize| cols[i].values().to_vec();
    let c = ClvColumns {
        unit,
        x: v(0),
        t_x: v(1),
        age: v(2),
        monetary_value: v(3),
    };
    Ok((ids, c))
}

/// crm-core's field names of the prediction columns with the caller's.
fn prediction_names(columns: &[String]) -> [(&'static str, &str); 4] {
    let name = |i: usize| columns.get(i).map_or("", String::as_str);
    [
        ("x", name(1)),
        ("t_x", name(2)),
        ("T", name(3)),
        ("monetary_value", name(4)),
    ]
}

/// `crm_engine.clv.predicted_tiers`: the customers of `data` tiered on
/// their predicted `value` (`clv` or `expected_purchases`) over `months`
/// (crm-core's `clv::predicted_tiers::assign_predicted`), as `classify`'s
/// output. `columns` as for [`clv_predictions`].
#[pyfunction]
#[pyo3(signature = (repeat, repeat_values, spend_values, data, columns, months, discount_rate, unit, value, by, cutoffs, money))]
#[allow(clippy::too_many_arguments)]
pub fn clv_predicted_tiers(
    py: Python<'_>,
    repeat: &str,
    repeat_values: Vec<f64>,
    spend_values: Vec<f64>,
    data: &Bound<'_, PyAny>,
    columns: Vec<String>,
    months: Bound<'_, PyAny>,
    discount_rate: f64,
    unit: &str,
    value: &str,
    by: &str,
    cutoffs: Option<(String, String)>,
    money: &str,
) -> PyResult<crate::classify::ClassifyOutput> {
    let kind = kind_of(repeat).map_err(|e| e.into_pyerr(py))?;
    let months: u32 =
        whole(WHAT, "months", &months, 0, u32::MAX.into()).map_err(|e| e.into_pyerr(py))?;
    let unit = unit_of(unit).map_err(|e| e.into_pyerr(py))?;
    let value = PredictedValue::from_name(value)
        .map_err(|e| Error::parameter("value", &e).into_pyerr(py))?;
    let config =
        crate::classify::config(by, cutoffs, None, None, None).map_err(|e| e.into_pyerr(py))?;
    let money = crate::classify::money_type(money).map_err(|e| e.into_pyerr(py))?;
    let input = InputTable::from_py("data", data)?;
    run(py, move || {
        let r = model_of(kind, &repeat_values)?;
        let s = model_of(ModelKind::GammaGamma, &spend_values)?;
        let (ids, c) = prediction_columns(&input, &columns, unit)?;
        let names = prediction_names(&columns);
        let horizon = Horizon {
            months,
            monthly_discount_rate: discount_rate,
        };
        let p = model_file::predict(&r, &s, &c, &horizon).map_err(|e| clv_error(e, &names))?;
        let a = assign_predicted(&ids.ids, &p, value, &config)
            .map_err(|e| Error::core("predicted_tiers", &e))?;
        crate::classify::output(&a, money, &ids.array)
    })
}

/// Compares the repeat models (`crm_core::clv::choice::compare`) on the named
/// columns of `data` (frequency, recency, T) with optional weights and
/// holdout purchases, and chooses one (`choice::choose`). The JSON holds the
/// comparison, the choice (null when none can be made) and, then, the
/// error's message and rule.
#[pyfunction]
#[pyo3(signature = (data, columns, weights, holdout, holdout_duration, l2_penalty, max_iterations, gradient_tolerance))]
#[allow(clippy::too_many_arguments)]
pub fn clv_compare(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    columns: Vec<String>,
    weights: Option<String>,
    holdout: Option<String>,
    holdout_duration: Option<f64>,
    l2_penalty: f64,
    max_iterations: Bound<'_, PyAny>,
    gradient_tolerance: f64,
) -> PyResult<String> {
    let options = fit_options(py, l2_penalty, &max_iterations, gradient_tolerance)?;
    let input = InputTable::from_py("data", data)?;
    run(py, move || {
        column_count(&columns, 3)?;
        let roles = ["frequency", "recency", "T"];
        let mut cols: Vec<Float64Array> = (0..3)
            .map(|i| floats(&input, &columns[i], roles[i]))
            .collect::<Result<_>>()?;
        let mut named = columns.clone();
        for (name, role) in [(&weights, "weights"), (&holdout, "holdout")] {
            if let Some(n) = name {
                cols.push(floats(&input, n, role)?);
                named.push(n.clone());
            }
        }
        same_lengths(&cols, &named)?;
        let names = [
            ("x", columns[0].as_str()),
            ("t_x", columns[1].as_str()),
            ("T", columns[2].as_str()),
            ("weights", weights.as_deref().unwrap_or("weights")),
            ("actual_purchases", holdout.as_deref().unwrap_or("holdout")),
        ];
        let v = |i: usize| cols[i].values().as_ref();
        let w = weights.as_ref().map(|_| v(3));
        let h = match (&holdout, holdout_duration) {
            (Some(_), Some(duration)) => Some(HoldoutPurchases {
                duration,
                actual: v(cols.len() - 1),
            }),
            (None, None) => None,
            (Some(_), None) | (None, Some(_)) => {
                return Err(clv_error(
                    ClvError::InvalidArgument {
                        name: "holdout_duration".into(),
                        rule: "a holdout column and its duration go together".into(),
                    },
                    &names,
                ));
            }
        };
        let slices = [v(0), v(1), v(2)];
        let comparison =
            choice::compare(&slices, w, &options, h.as_ref()).map_err(|e| clv_error(e, &names))?;
        let (chosen, error) = match choice::choose(&comparison) {
            Ok(c) => (Some(c), None),
            Err(e) => (
                None,
                Some(serde_json::json!({"message": format!("{WHAT}: {e}"), "rule": e.rule()})),
            ),
        };
        serde_json::to_string(&serde_json::json!({
            "comparison": comparison,
            "choice": chosen,
            "error": error,
        }))
        .map_err(|e| {
            Error::new(
                Kind::Internal,
                format!("{WHAT}: could not write the comparison: {e}"),
            )
        })
    })
}

/// The likelihood-ratio test of a restricted model against the full model it
/// is nested in (`crm_core::clv::choice::likelihood_ratio`; the caller
/// asserts the nesting): `(statistic, df, p_value)`.
#[pyfunction]
pub fn clv_likelihood_ratio(
    py: Python<'_>,
    ll_restricted: f64,
    ll_full: f64,
    df: Bound<'_, PyAny>,
) -> PyResult<(f64, u32, f64)> {
    let df: u32 = whole(WHAT, "df", &df, 0, u32::MAX.into()).map_err(|e| e.into_pyerr(py))?;
    let t = choice::likelihood_ratio(ll_restricted, ll_full, df)
        .map_err(|e| clv_error(e, &[]).into_pyerr(py))?;
    Ok((t.statistic, t.df, t.p_value))
}
