//! `calibration_holdout` and `clv_holdout_scores`: the calibration / holdout
//! split of transactions (crm_io::split_arrays, crm_core's
//! `CalibrationHoldout`) and the holdout scores of predictions
//! (crm_core::clv::validation), as Arrow tables.

use chrono::NaiveDate;
use crm_core::clv::holdout_groups::{GroupColumns, HoldoutGroups};
use crm_core::clv::tracking::{TrackingCurve, TrackingInput, repeat_model};
use crm_core::clv::validation::{HoldoutColumns, HoldoutScores};
use crm_core::records::summary::{DayOccasions, Unit};
use crm_core::vocabulary::Vocabulary;
use crm_io::tables;
use pyo3::prelude::*;

use crate::clv::{WHAT, clv_error, column_count, floats, kind_of, model_of, same_lengths};
use crate::convert::{Nulls, customer_ids, optional_u64};
use crate::error::{Error, Result, run};
use crate::input::InputTable;
use crate::records::dates;
use crate::summarize::{
    SummaryParams, TransactionColumns, date_param, json, read_transactions, summary_limits,
};
use crate::table::{ArrowTable, money_type};

/// What `calibration_holdout` hands to Python: the table, the
/// reconciliation as JSON, the calibration end, the observation end, the
/// unit, the holdout's length and the repeat occasions per day.
pub type SplitOutputPy = (
    ArrowTable,
    String,
    String,
    String,
    &'static str,
    f64,
    ArrowTable,
);

/// Python entry point (see `crm_engine.calibration_holdout`).
#[pyfunction]
#[pyo3(signature = (
    transactions, *, customer, time, amount, calibration_end, as_of, unit, since = None, tz, naive, strict,
    quantity = None, margin = None, discount = None, amount_scale = None, max_listed_rejections = None,
    money = "decimal128".to_owned()
))]
#[allow(clippy::too_many_arguments)]
pub fn calibration_holdout(
    py: Python<'_>,
    transactions: &Bound<'_, PyAny>,
    customer: String,
    time: String,
    amount: String,
    calibration_end: String,
    as_of: String,
    unit: String,
    since: Option<String>,
    tz: String,
    naive: String,
    strict: bool,
    quantity: Option<String>,
    margin: Option<String>,
    discount: Option<String>,
    amount_scale: Option<Bound<'_, PyAny>>,
    max_listed_rejections: Option<Bound<'_, PyAny>>,
    money: String,
) -> PyResult<SplitOutputPy> {
    let what = "calibration_holdout";
    let money = money_type(&money).map_err(|e| e.into_pyerr(py))?;
    let (amount_scale, max_listed_rejections) =
        summary_limits(what, amount_scale.as_ref(), max_listed_rejections.as_ref())
            .map_err(|e| e.into_pyerr(py))?;
    let params = SummaryParams {
        as_of,
        unit,
        since,
        tz,
        naive,
        strict,
        amount_scale,
        max_listed_rejections,
    };
    let (calendar, config) = params.configs().map_err(|e| e.into_pyerr(py))?;
    let cut = date_param("calibration_end", &calibration_end).map_err(|e| e.into_pyerr(py))?;
    let input = InputTable::from_py(what, transactions)?;
    let cols = TransactionColumns {
        customer,
        time,
        amount,
        quantity,
        margin,
        discount,
    };
    run(py, move || {
        let split = read_transactions(&input, &cols, |arrays, mapping| {
            crm_io::split_arrays(arrays, mapping, &calendar, config, cut)
        })?;
        Ok((
            ArrowTable::from_table(&tables::summaries::calibration_holdout(&split, money))?,
            json(&split.reconciliation)?,
            split.calibration.as_of.to_string(),
            split.observation_end.to_string(),
            split.calibration.unit.name(),
            split.duration_holdout,
            ArrowTable::from_table(&tables::validation::repeat_occasions(&split))?,
        ))
    })
}

/// Python entry point (see `crm_engine.clv` models' `tracking`): the
/// tracking curve of a split's calibration customers (`first_purchase_cal`
/// of `split`, `day` and `repeat_occasions` of `occasions`) under a fitted
/// repeat model, as crm-io's `tracking` table and the curve as JSON.
#[pyfunction]
#[pyo3(signature = (model, values, split, occasions, calibration_end, as_of, unit, period_days))]
#[allow(clippy::too_many_arguments)]
pub fn clv_tracking(
    py: Python<'_>,
    model: &str,
    values: Vec<f64>,
    split: &Bound<'_, PyAny>,
    occasions: &Bound<'_, PyAny>,
    calibration_end: String,
    as_of: String,
    unit: String,
    period_days: u32,
) -> PyResult<(ArrowTable, String)> {
    let what = "tracking";
    let kind = kind_of(model).map_err(|e| e.into_pyerr(py))?;
    let unit = Unit::from_name(&unit).map_err(|e| Error::parameter("unit", &e).into_pyerr(py))?;
    let cut = date_param("calibration_end", &calibration_end).map_err(|e| e.into_pyerr(py))?;
    let end = date_param("as_of", &as_of).map_err(|e| e.into_pyerr(py))?;
    let split = InputTable::from_py("split", split)?;
    let occasions = InputTable::from_py("repeat_occasions", occasions)?;
    run(py, move || {
        let model = model_of(kind, &values)?;
        let repeat = repeat_model(&model).map_err(|e| clv_error(e, &[]))?;
        let column = "first_purchase_cal";
        let first = split.column(column, "first purchase")?;
        let first: Vec<NaiveDate> = dates(what, column, &first, Nulls::Reject)?
            .into_iter()
            .flatten()
            .collect();
        let days = occasions.column("day", "day")?;
        let days = dates(what, "day", &days, Nulls::Reject)?;
        let counts = occasions.column("repeat_occasions", "repeat occasions")?;
        let counts = optional_u64(what, "repeat_occasions", "repeat occasions", &counts)?;
        if let Some(row) = counts.iter().position(Option::is_none) {
            return Err(crate::convert::value_error(
                what,
                "repeat_occasions",
                row,
                crm_io::columns::ValueProblem::Missing,
            ));
        }
        let repeat_occasions: Vec<DayOccasions> = days
            .into_iter()
            .zip(counts)
            .filter_map(|(day, n)| {
                Some(DayOccasions {
                    day: day?,
                    occasions: n?,
                })
            })
            .collect();
        let input = TrackingInput {
            first_purchase: &first,
            repeat_occasions: &repeat_occasions,
            calibration_end: cut,
            observation_end: end,
            unit,
        };
        let curve = TrackingCurve::new(repeat, &input, period_days)
            .map_err(|e| clv_error(e, &[("first_purchase", column)]))?;
        Ok((
            ArrowTable::from_table(&tables::validation::tracking(&curve))?,
            json(&curve)?,
        ))
    })
}

/// What `clv_holdout_scores` hands to Python: the scores, deciles and
/// Lorenz tables and the scores as JSON.
pub type ScoresOutputPy = (ArrowTable, ArrowTable, ArrowTable, String);

/// Python entry point (see `crm_engine.clv.holdout_scores`): `columns`
/// names customer, predicted purchases, actual purchases, predicted value
/// and actual value.
#[pyfunction]
pub fn clv_holdout_scores(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    columns: Vec<String>,
) -> PyResult<ScoresOutputPy> {
    let input = InputTable::from_py("data", data)?;
    run(py, move || {
        column_count(&columns, 5)?;
        let name = |i: usize| columns.get(i).map_or("", String::as_str);
        let ids = customer_ids(WHAT, name(0), &input.column(name(0), "customer")?)?;
        let roles = [
            "predicted_purchases",
            "actual_purchases",
            "predicted_value",
            "actual_value",
        ];
        let cols = (1..5)
            .map(|i| floats(&input, name(i), roles[i - 1]))
            .collect::<Result<Vec<_>>>()?;
        same_lengths(&cols, &columns[1..])?;
        let v = |i: usize| cols.get(i).map_or(&[][..], |c| c.values().as_ref());
        let names: Vec<(&str, &str)> = roles.iter().copied().zip((1..5).map(name)).collect();
        let s = HoldoutScores::of(&HoldoutColumns {
            customers: &ids.ids,
            predicted_purchases: v(0),
            actual_purchases: v(1),
            predicted_value: v(2),
            actual_value: v(3),
        })
        .map_err(|e| clv_error(e, &names))?;
        Ok((
            ArrowTable::from_table(&tables::validation::holdout_scores(&s))?,
            ArrowTable::from_table(&tables::validation::holdout_deciles(&s))?,
            ArrowTable::from_table(&tables::validation::holdout_lorenz(&s))?,
            json(&s)?,
        ))
    })
}

/// Python entry point (see `crm_engine.clv` models' `holdout_groups`): the
/// conditional expectations by calibration group of `data`'s customers
/// (`columns`: frequency, recency, T and holdout purchases) over a holdout
/// of `duration` under a fitted repeat model, as crm-io's
/// `holdout_groups` table and the groups as JSON.
#[pyfunction]
pub fn clv_holdout_groups(
    py: Python<'_>,
    model: &str,
    values: Vec<f64>,
    data: &Bound<'_, PyAny>,
    columns: Vec<String>,
    duration: f64,
    max_frequency: u64,
) -> PyResult<(ArrowTable, String)> {
    let kind = kind_of(model).map_err(|e| e.into_pyerr(py))?;
    let input = InputTable::from_py("data", data)?;
    run(py, move || {
        column_count(&columns, 4)?;
        let name = |i: usize| columns.get(i).map_or("", String::as_str);
        let model = model_of(kind, &values)?;
        repeat_model(&model).map_err(|e| clv_error(e, &[]))?;
        let roles = ["frequency", "recency", "T", "holdout purchases"];
        let cols = (0..4)
            .map(|i| floats(&input, name(i), roles[i]))
            .collect::<Result<Vec<_>>>()?;
        same_lengths(&cols, &columns)?;
        let v = |i: usize| cols.get(i).map_or(&[][..], |c| c.values().as_ref());
        let names = [
            ("x", name(0)),
            ("frequency", name(0)),
            ("t_x", name(1)),
            ("recency", name(1)),
            ("T", name(2)),
            ("actual_purchases", name(3)),
        ];
        let predicted = model
            .conditional_expected_purchases(duration, v(0), v(1), v(2))
            .map_err(|e| clv_error(e, &names))?;
        let groups = HoldoutGroups::of(
            &GroupColumns {
                frequency: v(0),
                recency: v(1),
                age: v(2),
                actual_purchases: v(3),
                predicted_purchases: &predicted,
            },
            max_frequency,
        )
        .map_err(|e| clv_error(e, &names))?;
        Ok((
            ArrowTable::from_table(&tables::validation::holdout_groups(&groups))?,
            json(&groups)?,
        ))
    })
}

/// Adds the functions to the extension module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(calibration_holdout, m)?)?;
    m.add_function(wrap_pyfunction!(clv_holdout_scores, m)?)?;
    m.add_function(wrap_pyfunction!(clv_tracking, m)?)?;
    m.add_function(wrap_pyfunction!(clv_holdout_groups, m)?)?;
    Ok(())
}
