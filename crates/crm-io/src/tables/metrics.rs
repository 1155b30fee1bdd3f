//! The metrics table (`metrics`): a period's loyalty and relationship
//! figures as `metric`, `value` rows, the one table `crm metrics` writes and
//! Python's `period_metrics` returns.
//!
//! Each metric is named by its path in crm-core's report, dotted
//! (`retention_rate`, `base.at_start`, `complaints.resolution_rate`,
//! `rows.complaints.read`, `surveys.overall.nps.score`), so the names are
//! crm-core's field names and no door keeps a list of its own; rows are
//! sorted by name. The value is `float64`: the figures mix counts and
//! rates, are read rather than summed, and their exact decimals are in the
//! report's JSON (`crm metrics --output m.json`, Python's `.data`). A rate
//! that is undefined (nobody in its denominator) is null, never 0.
//!
//! Complaint figures (`complaints.*`, `service_recovery.*`,
//! `rows.complaints.*`) appear only when complaints were given, referral
//! figures (`referrals`, `referrers`, `referrers_not_active`,
//! `referral_rate`, `rows.referrals.*`) only when referrals were given, and
//! survey figures (`surveys.*`) only with survey answers: without their
//! records these figures are unknown, and a 0 would say otherwise.

use crm_core::relationship::period_metrics::PeriodMetrics;
use crm_core::relationship::survey::SurveyReport;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::Value;

use super::{Table, floats, texts};
use crate::IoError;

/// Which relationship records the figures were computed with.
///
/// ```
/// use crm_io::tables::metrics::Given;
/// assert!(!Given::default().complaints);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Given<'a> {
    /// Complaints were given.
    pub complaints: bool,
    /// Referrals were given.
    pub referrals: bool,
    /// The survey report, when answers were given.
    pub surveys: Option<&'a SurveyReport>,
}

/// The metric names that need complaint records.
fn complaint_figure(name: &str) -> bool {
    name.starts_with("complaints.")
        || name.starts_with("service_recovery.")
        || name.starts_with("rows.complaints.")
}

/// The metric names that need referral records.
fn referral_figure(name: &str) -> bool {
    matches!(
        name,
        "referrals" | "referrers" | "referrers_not_active" | "referral_rate"
    ) || name.starts_with("rows.referrals.")
}

/// Every number of a report as (dotted path, value): JSON numbers, and
/// text that is a decimal (crm-core writes decimals as text); null stays
/// null (undefined). Dates, names and flags are not figures.
fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Option<f64>)>) {
    let key = |k: &str| {
        if prefix.is_empty() {
            k.to_owned()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        Value::Object(map) => map.iter().for_each(|(k, x)| flatten(&key(k), x, out)),
        Value::Null => out.push((prefix.to_owned(), None)),
        Value::Number(n) => out.push((prefix.to_owned(), n.as_f64())),
        Value::String(s) => {
            if let Ok(d) = s.parse::<Decimal>() {
                out.push((prefix.to_owned(), d.to_f64()));
            }
        }
        Value::Bool(_) | Value::Array(_) => {}
    }
}

fn figures<T: serde::Serialize>(
    prefix: &str,
    value: &T,
    out: &mut Vec<(String, Option<f64>)>,
) -> Result<(), IoError> {
    let v = serde_json::to_value(value).map_err(|e| IoError::read("metrics table", e))?;
    flatten(prefix, &v, out);
    Ok(())
}

/// The metrics table of a period: one row per figure (see the module
/// docs for which appear), sorted by name.
///
/// # Errors
///
/// [`IoError::Read`] if the report cannot be serialised (not expected).
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::relationship::customer_base::{CustomerBase, CustomerSpan};
/// use crm_core::relationship::period_metrics::{period_metrics, MetricPeriod, PeriodConfig, PeriodData};
/// use crm_io::tables::metrics::{metrics, Given};
/// let d = |m, d| NaiveDate::from_ymd_opt(2024, m, d).unwrap();
/// let base = CustomerBase::new(vec![CustomerSpan::new(1, d(1, 1), None)]).unwrap();
/// let data = PeriodData { base, activity: vec![], complaints: vec![], referrals: vec![] };
/// let period = MetricPeriod::new(d(3, 1), d(3, 31)).unwrap();
/// let m = period_metrics(&data, period, &PeriodConfig::default()).unwrap();
/// let t = metrics(&m, Given::default())?;
/// assert_eq!(t.names(), vec!["metric", "value"]);
/// # Ok::<(), crm_io::IoError>(())
/// ```
pub fn metrics(m: &PeriodMetrics, given: Given<'_>) -> Result<Table, IoError> {
    let mut rows = Vec::new();
    figures("", m, &mut rows)?;
    rows.retain(|(name, _)| {
        (given.complaints || !complaint_figure(name)) && (given.referrals || !referral_figure(name))
    });
    if let Some(s) = given.surveys {
        figures("surveys", s, &mut rows)?;
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let mut t = Table::default();
    t.push("metric", texts(rows.iter().map(|(k, _)| k.as_str())))
        .push("value", floats(rows.iter().map(|(_, v)| *v)));
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Array;
    use chrono::{NaiveDate, TimeZone, Utc};
    use crm_core::relationship::complaint::Complaint;
    use crm_core::relationship::customer_base::{CustomerBase, CustomerSpan};
    use crm_core::relationship::period_metrics::{
        MetricPeriod, PeriodConfig, PeriodData, period_metrics,
    };
    use crm_core::relationship::survey::{SurveyAnswer, SurveyConfig, SurveyScale, survey_report};

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, m, day).unwrap()
    }

    fn rows(t: &Table) -> Vec<(String, Option<f64>)> {
        let b = t.batch().unwrap();
        let names = b
            .column(0)
            .as_any()
            .downcast_ref::<arrow::array::StringArray>()
            .unwrap();
        let values = b
            .column(1)
            .as_any()
            .downcast_ref::<arrow::array::Float64Array>()
            .unwrap();
        (0..b.num_rows())
            .map(|i| {
                (
                    names.value(i).to_owned(),
                    values.is_valid(i).then(|| values.value(i)),
                )
            })
            .collect()
    }

    #[test]
    fn figures_of_records_not_given_are_absent_and_undefined_rates_are_null() {
        let base = CustomerBase::new(vec![
            CustomerSpan::new(1, d(3, 5), None),
            CustomerSpan::new(2, d(1, 1), None),
        ])
        .unwrap();
        let opened = Utc.with_ymd_and_hms(2024, 3, 6, 9, 0, 0).unwrap();
        let data = PeriodData {
            base,
            activity: vec![],
            complaints: vec![Complaint::new(1, "phone", opened)],
            referrals: vec![],
        };
        let period = MetricPeriod::new(d(3, 1), d(3, 31)).unwrap();
        let m = period_metrics(&data, period, &PeriodConfig::default()).unwrap();
        let bare = rows(&metrics(&m, Given::default()).unwrap());
        let names: Vec<&str> = bare.iter().map(|(n, _)| n.as_str()).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        assert!(names.contains(&"base.at_start") && names.contains(&"retention_rate"));
        assert!(
            !names
                .iter()
                .any(|n| complaint_figure(n) || referral_figure(n)),
            "{names:?}"
        );
        assert!(!names.iter().any(|n| n.starts_with("period")), "{names:?}");
        let get = |rows: &[(String, Option<f64>)], k: &str| {
            rows.iter().find(|(n, _)| n == k).map(|(_, v)| *v)
        };
        assert_eq!(get(&bare, "base.at_start"), Some(Some(1.0)));
        assert_eq!(get(&bare, "retention_rate"), Some(Some(1.0)));
        // Nobody active: the repeat-purchase rate is undefined, not 0.
        assert_eq!(get(&bare, "repeat_purchase_rate"), Some(None));

        let answers = [SurveyAnswer {
            customer: 1.into(),
            time: opened,
            scale: SurveyScale::Csat,
            score: 5,
        }];
        let s = survey_report(&answers, &data.base, period, &SurveyConfig::default()).unwrap();
        let full = rows(
            &metrics(
                &m,
                Given {
                    complaints: true,
                    referrals: true,
                    surveys: Some(&s),
                },
            )
            .unwrap(),
        );
        assert_eq!(get(&full, "complaints.complaints"), Some(Some(1.0)));
        assert_eq!(get(&full, "rows.complaints.read"), Some(Some(1.0)));
        assert_eq!(get(&full, "referral_rate"), Some(None));
        assert_eq!(get(&full, "surveys.overall.csat.score"), Some(Some(1.0)));
        assert!(full.len() > bare.len());
    }
}
