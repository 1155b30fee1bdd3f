//! `period_metrics`, `survey_metrics` and `degrees`: the relationship
//! metrics of crm_core (period_metrics, survey, degrees) as Arrow tables.

use arrow::array::Date32Array;
use chrono::Datelike;
use crm_core::relationship::degrees::{
    CustomerFacts, DegreeConfig, DegreeData, DegreeReport, degrees as core_degrees,
};
use crm_core::relationship::inactivity::{
    InactivityRule, join_purchase_dates, spans_by_inactivity,
};
use crm_core::relationship::period_metrics::{
    PeriodConfig, PeriodData, period_metrics as core_period_metrics,
};
use crm_core::relationship::survey::{SurveyConfig, SurveyMetrics, survey_report};
use crm_io::tables::metrics::Given;
use pyo3::prelude::*;
use rust_decimal::Decimal;

use crate::convert::{Nulls, ids_array};
use crate::error::{Error, Result, run};
use crate::input::InputTable;
use crate::records::{
    Names, activity, answers, complaints, customer_base, customer_column, float_col, int_col, json,
    numbers, optional_numbers, period, purchase_days, referrals, text_col, whole,
};
use crate::table::ArrowTable;

fn table_of(what: &'static str, data: Option<&Bound<'_, PyAny>>) -> PyResult<Option<InputTable>> {
    data.map(|d| InputTable::from_py(what, d)).transpose()
}

fn config<T>(what: &str, text: Option<&str>) -> Result<T>
where
    T: serde::de::DeserializeOwned + serde::Serialize + Default,
{
    match text {
        None => Ok(T::default()),
        Some(j) => {
            crm_core::parameter::json_over_defaults("config", j).map_err(|e| Error::core(what, &e))
        }
    }
}

/// The complaint and referral tables that were given, read.
fn event_lists(
    comp_in: Option<&InputTable>,
    ref_in: Option<&InputTable>,
    n: impl Fn(&str) -> Names,
) -> Result<(
    Vec<crm_core::relationship::complaint::Complaint>,
    Vec<crm_core::relationship::period_metrics::Referral>,
)> {
    let c = comp_in
        .map(|t| complaints(t, &n("complaints")))
        .transpose()?
        .unwrap_or_default();
    let r = ref_in
        .map(|t| referrals(t, &n("referrals")))
        .transpose()?
        .unwrap_or_default();
    Ok((c, r))
}

fn value_error(what: &str, e: impl crm_core::error::Diagnostic) -> Error {
    Error::core(what, &e)
}

/// Python entry point (see `crm_engine.period_metrics`).
#[pyfunction]
#[pyo3(signature = (customers, *, first_day, last_day, names, activity_table = None, complaints_table = None, referrals_table = None, config_json = None))]
#[allow(clippy::too_many_arguments)]
pub fn period_metrics(
    py: Python<'_>,
    customers: &Bound<'_, PyAny>,
    first_day: String,
    last_day: String,
    names: std::collections::HashMap<String, Names>,
    activity_table: Option<&Bound<'_, PyAny>>,
    complaints_table: Option<&Bound<'_, PyAny>>,
    referrals_table: Option<&Bound<'_, PyAny>>,
    config_json: Option<String>,
) -> PyResult<(ArrowTable, String)> {
    let base_in = InputTable::from_py("customers", customers)?;
    let act_in = table_of("activity", activity_table)?;
    let comp_in = table_of("complaints", complaints_table)?;
    let ref_in = table_of("referrals", referrals_table)?;
    run(py, move || {
        let n = |k: &str| names.get(k).cloned().unwrap_or_default();
        let p = period(&first_day, &last_day)?;
        let cfg: PeriodConfig = config("period_metrics", config_json.as_deref())?;
        let (complaints, referrals) = event_lists(comp_in.as_ref(), ref_in.as_ref(), n)?;
        let data = PeriodData {
            base: customer_base(&base_in, &n("customers"))?,
            activity: act_in
                .as_ref()
                .map(|t| activity(t, &n("activity")))
                .transpose()?
                .unwrap_or_default(),
            complaints,
            referrals,
        };
        let m =
            core_period_metrics(&data, p, &cfg).map_err(|e| value_error("period_metrics", e))?;
        let given = Given {
            complaints: comp_in.is_some(),
            referrals: ref_in.is_some(),
            surveys: None,
        };
        let table = crm_io::tables::metrics::metrics(&m, given)
            .map_err(|e| Error::core("period_metrics", &e))?;
        Ok((ArrowTable::from_table(&table)?, json(&m)?))
    })
}

/// Python entry point (see `crm_engine.customer_base`).
#[pyfunction]
#[pyo3(signature = (during, *, first_day, last_day, names, inactive_days = None, before = None))]
pub fn customer_base_by_inactivity(
    py: Python<'_>,
    during: &Bound<'_, PyAny>,
    first_day: String,
    last_day: String,
    names: Names,
    inactive_days: Option<&Bound<'_, PyAny>>,
    before: Option<&Bound<'_, PyAny>>,
) -> PyResult<ArrowTable> {
    // The inactivity rule's own default and bounds.
    let inactive_days: u32 = crate::error::whole_opt(
        "customer_base",
        "inactive_days",
        inactive_days,
        InactivityRule::MIN_DAYS.into(),
        u32::MAX.into(),
    )
    .map_err(|e| e.into_pyerr(py))?
    .unwrap_or(InactivityRule::default().days);
    let during_in = InputTable::from_py("during", during)?;
    let before_in = table_of("before", before)?;
    run(py, move || {
        let p = period(&first_day, &last_day)?;
        let rows = |t: &InputTable| purchase_days(t, &names);
        let before_rows = before_in
            .as_ref()
            .map(rows)
            .transpose()?
            .unwrap_or_default();
        let dates = join_purchase_dates(before_rows, rows(&during_in)?)
            .map_err(|e| value_error("customer_base", e))?;
        let rule = InactivityRule {
            days: inactive_days,
        };
        let spans =
            spans_by_inactivity(&dates, p, rule).map_err(|e| value_error("customer_base", e))?;
        let ids: Vec<_> = spans.iter().map(|s| s.customer.clone()).collect();
        let day = |d: chrono::NaiveDate| d.num_days_from_ce() - 719_163;
        ArrowTable::from_columns(vec![
            ("customer", ids_array(&ids)),
            (
                "since",
                std::sync::Arc::new(Date32Array::from_iter_values(
                    spans.iter().map(|s| day(s.since)),
                )),
            ),
            (
                "until",
                std::sync::Arc::new(
                    spans
                        .iter()
                        .map(|s| s.until.map(day))
                        .collect::<Date32Array>(),
                ),
            ),
        ])
    })
}

fn survey_rows(groups: &[(&str, String, SurveyMetrics)]) -> Result<ArrowTable> {
    let g = |f: fn(&SurveyMetrics) -> Option<Decimal>| float_col(groups.iter().map(|r| f(&r.2)));
    let c = |f: fn(&SurveyMetrics) -> u64| int_col(groups.iter().map(|r| f(&r.2)));
    ArrowTable::from_columns(vec![
        ("by", text_col(groups.iter().map(|r| Some(r.0)))),
        ("group", text_col(groups.iter().map(|r| Some(r.1.as_str())))),
        ("csat_answers", c(|m| m.csat.answers)),
        ("csat", g(|m| m.csat.score)),
        ("nps_answers", c(|m| m.nps.answers)),
        ("promoters", c(|m| m.nps.promoters)),
        ("passives", c(|m| m.nps.passives)),
        ("detractors", c(|m| m.nps.detractors)),
        ("nps", g(|m| m.nps.score)),
        ("nps_ci_low", g(|m| m.nps.ci_low)),
        ("nps_ci_high", g(|m| m.nps.ci_high)),
        ("ces_answers", c(|m| m.ces.answers)),
        ("ces_mean", g(|m| m.ces.mean)),
        ("ces_agree_share", g(|m| m.ces.agree_share)),
    ])
}

/// Python entry point (see `crm_engine.survey_metrics`).
#[pyfunction]
#[pyo3(signature = (answers_table, customers, *, first_day, last_day, names, confidence_z))]
pub fn survey_metrics(
    py: Python<'_>,
    answers_table: &Bound<'_, PyAny>,
    customers: &Bound<'_, PyAny>,
    first_day: String,
    last_day: String,
    names: std::collections::HashMap<String, Names>,
    confidence_z: String,
) -> PyResult<(ArrowTable, String)> {
    let ans_in = InputTable::from_py("answers", answers_table)?;
    let base_in = InputTable::from_py("customers", customers)?;
    run(py, move || {
        let n = |k: &str| names.get(k).cloned().unwrap_or_default();
        let p = period(&first_day, &last_day)?;
        let z: Decimal = crm_core::parameter::decimal("confidence_z", &confidence_z)
            .map_err(|e| Error::core("survey_metrics", &e))?;
        let base = customer_base(&base_in, &n("customers"))?;
        let list = answers(&ans_in, &n("answers"))?;
        let r = survey_report(&list, &base, p, &SurveyConfig { confidence_z: z })
            .map_err(|e| value_error("survey_metrics", e))?;
        let mut groups = vec![("all", "all".to_owned(), r.overall)];
        groups.extend(r.by_tier.iter().map(|(k, m)| ("tier", k.clone(), *m)));
        groups.extend(r.by_segment.iter().map(|(k, m)| ("segment", k.clone(), *m)));
        Ok((survey_rows(&groups)?, json(&r)?))
    })
}

fn facts(input: &InputTable, names: &Names) -> Result<Vec<CustomerFacts>> {
    let ids = customer_column(input, names, "customer")?;
    let value: Vec<Decimal> = numbers(input, names, "value", Nulls::Reject)?
        .into_iter()
        .flatten()
        .collect();
    let occasions = whole(input, names, "occasions")?;
    let tenure = whole(input, names, "tenure_days")?;
    let spend = match optional_numbers(input, names, "spend")? {
        Some(v) => v
            .into_iter()
            .zip(&value)
            .map(|(s, v)| s.unwrap_or(*v))
            .collect(),
        None => value.clone(),
    };
    let category =
        optional_numbers(input, names, "category_spend")?.unwrap_or_else(|| vec![None; ids.len()]);
    Ok(ids
        .into_iter()
        .enumerate()
        .map(|(row, c)| {
            CustomerFacts::new(
                c,
                value[row],
                occasions[row],
                tenure[row],
                spend[row],
                category[row],
            )
        })
        .collect())
}

fn degrees_tables(r: &DegreeReport) -> Result<(ArrowTable, ArrowTable)> {
    let c = &r.customers;
    let ids: Vec<_> = c.iter().map(|x| x.customer.clone()).collect();
    let per_customer = ArrowTable::from_columns(vec![
        ("customer_id", crate::convert::ids_array(&ids)),
        ("satisfaction", float_col(c.iter().map(|x| x.satisfaction))),
        ("loyalty", float_col(c.iter().map(|x| Some(x.loyalty)))),
        ("contribution", float_col(c.iter().map(|x| x.contribution))),
        ("dependency", float_col(c.iter().map(|x| x.dependency))),
        ("index", float_col(c.iter().map(|x| x.index))),
        (
            "index_coverage",
            float_col(c.iter().map(|x| Some(x.index_coverage))),
        ),
        ("answers", int_col(c.iter().map(|x| x.inputs.answers))),
        (
            "mean_answer",
            float_col(c.iter().map(|x| x.inputs.mean_answer)),
        ),
        ("complaints", int_col(c.iter().map(|x| x.inputs.complaints))),
        (
            "open_complaints",
            int_col(c.iter().map(|x| x.inputs.open_complaints)),
        ),
        ("occasions", int_col(c.iter().map(|x| x.inputs.occasions))),
        (
            "tenure_days",
            int_col(c.iter().map(|x| x.inputs.tenure_days)),
        ),
        ("referrals", int_col(c.iter().map(|x| x.inputs.referrals))),
        (
            "repeat_part",
            float_col(c.iter().map(|x| Some(x.inputs.loyalty_parts[0]))),
        ),
        (
            "tenure_part",
            float_col(c.iter().map(|x| Some(x.inputs.loyalty_parts[1]))),
        ),
        (
            "referral_part",
            float_col(c.iter().map(|x| Some(x.inputs.loyalty_parts[2]))),
        ),
        ("value", float_col(c.iter().map(|x| Some(x.inputs.value)))),
        (
            "total_value",
            float_col(c.iter().map(|x| Some(x.inputs.total_value))),
        ),
        ("spend", float_col(c.iter().map(|x| Some(x.inputs.spend)))),
        (
            "category_spend",
            float_col(c.iter().map(|x| x.inputs.category_spend)),
        ),
    ])?;
    let b = &r.base;
    let rows = [
        ("satisfaction", b.satisfaction),
        ("loyalty", b.loyalty),
        ("contribution", b.contribution),
        ("dependency", b.dependency),
        ("index", b.index),
    ];
    let base = ArrowTable::from_columns(vec![
        ("degree", text_col(rows.iter().map(|r| Some(r.0)))),
        ("known", int_col(rows.iter().map(|r| r.1.known))),
        ("unknown", int_col(rows.iter().map(|r| r.1.unknown))),
        ("mean", float_col(rows.iter().map(|r| r.1.mean))),
    ])?;
    Ok((per_customer, base))
}

/// Python entry point (see `crm_engine.degrees`).
#[pyfunction]
#[pyo3(signature = (customers, *, first_day, last_day, names, answers_table = None, complaints_table = None, referrals_table = None, config_json = None))]
#[allow(clippy::too_many_arguments)]
pub fn degrees(
    py: Python<'_>,
    customers: &Bound<'_, PyAny>,
    first_day: String,
    last_day: String,
    names: std::collections::HashMap<String, Names>,
    answers_table: Option<&Bound<'_, PyAny>>,
    complaints_table: Option<&Bound<'_, PyAny>>,
    referrals_table: Option<&Bound<'_, PyAny>>,
    config_json: Option<String>,
) -> PyResult<(ArrowTable, ArrowTable, String)> {
    let facts_in = InputTable::from_py("customers", customers)?;
    let ans_in = table_of("answers", answers_table)?;
    let comp_in = table_of("complaints", complaints_table)?;
    let ref_in = table_of("referrals", referrals_table)?;
    run(py, move || {
        let n = |k: &str| names.get(k).cloned().unwrap_or_default();
        let p = period(&first_day, &last_day)?;
        let cfg: DegreeConfig = config("degrees", config_json.as_deref())?;
        let (complaints, referrals) = event_lists(comp_in.as_ref(), ref_in.as_ref(), n)?;
        let data = DegreeData {
            customers: facts(&facts_in, &n("customers"))?,
            answers: ans_in
                .as_ref()
                .map(|t| answers(t, &n("answers")))
                .transpose()?
                .unwrap_or_default(),
            complaints,
            referrals,
        };
        let r = core_degrees(&data, p, &cfg).map_err(|e| value_error("degrees", e))?;
        let (per_customer, base) = degrees_tables(&r)?;
        Ok((per_customer, base, json(&r)?))
    })
}
