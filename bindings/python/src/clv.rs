//! `crm_engine.clv`: fitting and predicting with the BTYD models of
//! `crm_core::clv`. Columns come in as Arrow arrays (numpy through the buffer
//! protocol), are read as `f64` slices, and fits run without the GIL.
//! Fitted models cross as JSON (their serde form); column predictions come
//! back as little-endian `f64` bytes that Python views as a numpy array.

use arrow::array::{Array, AsArray, Float64Array};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Float64Type};
use crm_core::clv::bg_bb::{self, BetaGeoBetaBinom, DiscreteData};
use crm_core::clv::bg_nbd::{self, BetaGeo};
use crm_core::clv::gamma_gamma::{self, GammaGamma, SpendData};
use crm_core::clv::mbg_nbd::{self, ModifiedBetaGeo};
use crm_core::clv::pareto_nbd::{self, ParetoNbd};
use crm_core::clv::sbg::{self, ShiftedBetaGeo};
use crm_core::clv::value::{Discounting, customer_lifetime_value};
use crm_core::clv::{self, ClvError, FitOptions, Fitted, Parameters, RepeatData, RepeatModel};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use serde::Serialize;

use crate::error::{Error, Kind, Result, run};
use crate::input::InputTable;
use crm_core::error::Diagnostic;

const WHAT: &str = "clv";

/// One input column as `f64` (integers and decimals are cast; nulls are an
/// error naming the row).
fn floats(input: &InputTable, name: &str, role: &str) -> Result<Float64Array> {
    let a = input.column(name, role)?;
    let a = if a.data_type() == &DataType::Float64 {
        a
    } else {
        cast(&a, &DataType::Float64).map_err(|e| {
            Error::new(
                Kind::Dtype,
                format!("{WHAT}: column `{name}` ({role}) must be numeric: {e}"),
            )
            .column(name)
            .rule("column_type")
        })?
    };
    if a.null_count() > 0 {
        let row = (0..a.len()).find(|&i| a.is_null(i)).unwrap_or(0);
        return Err(Error::new(
            Kind::Value,
            format!("{WHAT}: row {}: column `{name}` ({role}) is null; the models need a value in every row", row + 1),
        )
        .at_index(row)
        .column(name)
        .rule("not_null"));
    }
    Ok(a.as_primitive::<Float64Type>().clone())
}

/// A crm-core error as a binding error; `names` maps the core's field names
/// (`x`, `t_x`, `T`, ...) to the caller's column names.
fn clv_error(e: ClvError, names: &[(&str, &str)]) -> Error {
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

/// The JSON handed to Python: the fit, or the best point of a fit that did
/// not converge (Python raises `ConvergenceError` with it).
fn fit_json<P: Serialize>(
    outcome: std::result::Result<Fitted<P>, ClvError>,
    names: &[(&str, &str)],
) -> Result<String> {
    let value = match outcome {
        Ok(fit) => serde_json::to_value(&fit),
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
        Error::new(
            Kind::Config,
            format!("{WHAT}: the {role} column must be named"),
        )
        .rule("column_named")
    })
}

/// Fits `model` on the named columns of `data`; returns the fit as JSON.
#[pyfunction]
#[pyo3(signature = (model, data, columns, l2_penalty, max_iterations, gradient_tolerance))]
pub fn clv_fit(
    py: Python<'_>,
    model: &str,
    data: &Bound<'_, PyAny>,
    columns: Vec<Option<String>>,
    l2_penalty: f64,
    max_iterations: usize,
    gradient_tolerance: f64,
) -> PyResult<String> {
    let input = InputTable::from_py("data", data)?;
    let options = FitOptions {
        l2_penalty,
        max_iterations,
        gradient_tolerance,
    };
    let model = model.to_owned();
    run(py, move || {
        let col = |i: usize, role: &str| -> Result<Float64Array> {
            floats(&input, column_name(&columns, i, role)?, role)
        };
        let weights = match columns.get(columns.len().saturating_sub(1)) {
            Some(Some(w)) if columns.len() >= 2 && model != "sbg" => {
                Some(floats(&input, w, "weights")?)
            }
            _ => None,
        };
        let w = weights.as_ref().map(|w| w.values().as_ref());
        let name = |i: usize| columns.get(i).and_then(|c| c.clone()).unwrap_or_default();
        let (n0, n1, n2) = (name(0), name(1), name(2));
        let wname = name(columns.len().saturating_sub(1));
        match model.as_str() {
            "bg_nbd" | "mbg_nbd" | "pareto_nbd" => {
                let names = [
                    ("x", n0.as_str()),
                    ("t_x", n1.as_str()),
                    ("T", n2.as_str()),
                    ("weights", wname.as_str()),
                ];
                let (x, t, a) = (col(0, "frequency")?, col(1, "recency")?, col(2, "T")?);
                let d = RepeatData::new(x.values(), t.values(), a.values(), w)
                    .map_err(|e| clv_error(e, &names))?;
                match model.as_str() {
                    "bg_nbd" => fit_json(bg_nbd::fit(&d, &options), &names),
                    "mbg_nbd" => fit_json(mbg_nbd::fit(&d, &options), &names),
                    _ => fit_json(pareto_nbd::fit(&d, &options), &names),
                }
            }
            "bg_bb" => {
                let names = [
                    ("x", n0.as_str()),
                    ("t_x", n1.as_str()),
                    ("n", n2.as_str()),
                    ("weights", wname.as_str()),
                ];
                let (x, t, n) = (
                    col(0, "frequency")?,
                    col(1, "recency")?,
                    col(2, "n_periods")?,
                );
                let d = DiscreteData::new(x.values(), t.values(), n.values(), w)
                    .map_err(|e| clv_error(e, &names))?;
                fit_json(bg_bb::fit(&d, &options), &names)
            }
            "gamma_gamma" => {
                let names = [
                    ("x", n0.as_str()),
                    ("monetary_value", n1.as_str()),
                    ("weights", wname.as_str()),
                ];
                let (x, m) = (col(0, "frequency")?, col(1, "monetary_value")?);
                let d =
                    SpendData::new(x.values(), m.values(), w).map_err(|e| clv_error(e, &names))?;
                fit_json(gamma_gamma::fit(&d, &options), &names)
            }
            "sbg" => {
                let names = [("survivors", n0.as_str())];
                let s = col(0, "survivors")?;
                fit_json(sbg::fit_survivors(s.values(), &options), &names)
            }
            other => Err(
                Error::new(Kind::Config, format!("{WHAT}: unknown model {other:?}"))
                    .rule("clv_model"),
            ),
        }
    })
}

fn params<P: Parameters>(values: &[f64]) -> Result<P> {
    let p = P::from_values(values).ok_or_else(|| {
        Error::new(
            Kind::Config,
            format!(
                "{WHAT}: expected {} parameters ({}), got {}",
                P::NAMES.len(),
                P::NAMES.join(", "),
                values.len()
            ),
        )
        .rule("clv_parameters")
    })?;
    p.validate().map_err(|e| clv_error(e, &[]))?;
    Ok(p)
}

/// What a column prediction needs besides the columns.
#[derive(Debug, Clone, Copy)]
struct Horizon {
    t: f64,
    periods: u32,
    period_length: f64,
    discount_rate: f64,
}

fn repeat_columns<M: RepeatModel + Parameters>(
    m: &M,
    what: &str,
    cols: &[Float64Array],
    names: &[(&str, &str)],
    h: Horizon,
) -> Result<Vec<f64>> {
    let v = |i: usize| cols[i].values().as_ref();
    let out = match what {
        "p_alive" => clv::p_alive(m, v(0), v(1), v(2)),
        "conditional_expected_purchases" => {
            clv::conditional_expected_purchases(m, h.t, v(0), v(1), v(2))
        }
        "customer_lifetime_value" => {
            let d = Discounting {
                periods: h.periods,
                period_length: h.period_length,
                discount_rate: h.discount_rate,
            };
            customer_lifetime_value(m, &d, v(0), v(1), v(2), v(3))
        }
        other => {
            return Err(Error::new(
                Kind::Config,
                format!("{WHAT}: unknown prediction {other:?}"),
            )
            .rule("clv_prediction"));
        }
    };
    out.map_err(|e| clv_error(e, names))
}

fn whole_u32(name: &str, v: f64) -> Result<u32> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX) {
        Ok(v as u32)
    } else {
        Err(Error::new(
            Kind::Config,
            format!("{WHAT}: `{name}` must be a whole number >= 0"),
        )
        .rule("clv_argument"))
    }
}

/// A per-customer prediction on the named columns of `data`, as `f64` bytes.
#[pyfunction]
#[pyo3(signature = (model, values, what, data, columns, t=0.0, periods=0, period_length=1.0, discount_rate=0.0))]
#[allow(clippy::too_many_arguments)]
pub fn clv_predict<'py>(
    py: Python<'py>,
    model: &str,
    values: Vec<f64>,
    what: &str,
    data: &Bound<'py, PyAny>,
    columns: Vec<String>,
    t: f64,
    periods: u32,
    period_length: f64,
    discount_rate: f64,
) -> PyResult<Bound<'py, PyBytes>> {
    let input = InputTable::from_py("data", data)?;
    let (model, what) = (model.to_owned(), what.to_owned());
    let h = Horizon {
        t,
        periods,
        period_length,
        discount_rate,
    };
    let out = run(py, move || {
        let roles = ["frequency", "recency", "T", "monetary_value"];
        let cols: Vec<Float64Array> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| floats(&input, c, roles.get(i).copied().unwrap_or("column")))
            .collect::<Result<_>>()?;
        let c = |i: usize| columns.get(i).map_or("", String::as_str);
        if let Some(first) = cols.first() {
            for (i, other) in cols.iter().enumerate().skip(1) {
                if other.len() != first.len() {
                    return Err(Error::new(
                        Kind::Value,
                        format!(
                            "{WHAT}: column `{}` has {} rows, expected {}",
                            c(i),
                            other.len(),
                            first.len()
                        ),
                    )
                    .column(c(i))
                    .rule("same_length"));
                }
            }
        }
        let need = |n: usize| -> Result<()> {
            if cols.len() == n {
                Ok(())
            } else {
                Err(Error::new(
                    Kind::Config,
                    format!("{WHAT}: {what} needs {n} columns, got {}", cols.len()),
                )
                .rule("clv_columns"))
            }
        };
        let names = [
            ("x", c(0)),
            ("t_x", c(1)),
            ("T", c(2)),
            ("n", c(2)),
            ("monetary_value", c(3)),
        ];
        match model.as_str() {
            "bg_nbd" | "mbg_nbd" | "pareto_nbd" => {
                need(if what == "customer_lifetime_value" {
                    4
                } else {
                    3
                })?;
                match model.as_str() {
                    "bg_nbd" => {
                        repeat_columns(&params::<BetaGeo>(&values)?, &what, &cols, &names, h)
                    }
                    "mbg_nbd" => repeat_columns(
                        &params::<ModifiedBetaGeo>(&values)?,
                        &what,
                        &cols,
                        &names,
                        h,
                    ),
                    _ => repeat_columns(&params::<ParetoNbd>(&values)?, &what, &cols, &names, h),
                }
            }
            "bg_bb" => {
                need(3)?;
                let m = params::<BetaGeoBetaBinom>(&values)?;
                let v = |i: usize| cols[i].values().as_ref();
                let r = match what.as_str() {
                    "p_alive" => bg_bb::p_alive(&m, v(0), v(1), v(2)),
                    "conditional_expected_purchases" => bg_bb::conditional_expected_purchases(
                        &m,
                        whole_u32("t", h.t)?,
                        v(0),
                        v(1),
                        v(2),
                    ),
                    other => {
                        return Err(Error::new(
                            Kind::Config,
                            format!("{WHAT}: unknown prediction {other:?}"),
                        )
                        .rule("clv_prediction"));
                    }
                };
                r.map_err(|e| clv_error(e, &names))
            }
            "gamma_gamma" => {
                need(2)?;
                let m = params::<GammaGamma>(&values)?;
                let names = [("x", c(0)), ("monetary_value", c(1))];
                gamma_gamma::conditional_expected_spend(&m, cols[0].values(), cols[1].values())
                    .map_err(|e| clv_error(e, &names))
            }
            other => Err(
                Error::new(Kind::Config, format!("{WHAT}: unknown model {other:?}"))
                    .rule("clv_model"),
            ),
        }
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
    let (model, what) = (model.to_owned(), what.to_owned());
    run(py, move || match model.as_str() {
        "bg_nbd" => repeat_curve(&params::<BetaGeo>(&values)?, &what, &points, t),
        "mbg_nbd" => repeat_curve(&params::<ModifiedBetaGeo>(&values)?, &what, &points, t),
        "pareto_nbd" => repeat_curve(&params::<ParetoNbd>(&values)?, &what, &points, t),
        "bg_bb" => {
            let m = params::<BetaGeoBetaBinom>(&values)?;
            match what.as_str() {
                "expected_purchases" => points
                    .iter()
                    .map(|&n| Ok(m.expected_purchases(whole_u32("t", n)?)))
                    .collect(),
                "p_purchases" => {
                    let n = whole_u32("t", t)?;
                    points
                        .iter()
                        .map(|&x| Ok(m.p_purchases(whole_u32("n", x)?, n)))
                        .collect()
                }
                other => Err(unknown(other)),
            }
        }
        "sbg" => {
            let m = params::<ShiftedBetaGeo>(&values)?;
            let f: fn(&ShiftedBetaGeo, u32) -> f64 = match what.as_str() {
                "survival" => ShiftedBetaGeo::survival,
                "churn" => ShiftedBetaGeo::churn,
                "retention_rate" => ShiftedBetaGeo::retention_rate,
                other => return Err(unknown(other)),
            };
            points
                .iter()
                .map(|&p| Ok(f(&m, whole_u32("t", p)?)))
                .collect()
        }
        other => Err(
            Error::new(Kind::Config, format!("{WHAT}: unknown model {other:?}")).rule("clv_model"),
        ),
    })
}

fn unknown(what: &str) -> Error {
    Error::new(Kind::Config, format!("{WHAT}: unknown prediction {what:?}")).rule("clv_prediction")
}

fn repeat_curve<M: RepeatModel + Parameters>(
    m: &M,
    what: &str,
    points: &[f64],
    t: f64,
) -> Result<Vec<f64>> {
    match what {
        "expected_purchases" => clv::expected_purchases(m, points).map_err(|e| clv_error(e, &[])),
        "p_purchases" => {
            let n: Vec<u32> = points
                .iter()
                .map(|&p| whole_u32("n", p))
                .collect::<Result<_>>()?;
            clv::p_purchases(m, &n, t).map_err(|e| clv_error(e, &[]))
        }
        other => Err(unknown(other)),
    }
}
