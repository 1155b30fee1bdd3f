//! The holdout validation tables of `crm clv validate` and
//! `crm_engine.clv.holdout_scores` (crm-core's [`crm_core::clv::holdout`]
//! and [`crm_core::clv::validation`]):
//!
//! | table | rows | columns |
//! |---|---|---|
//! | `holdout_forecast` | one per calibration customer | `customer_id`, `frequency_cal`, `recency_cal`, `T_cal`, `monetary_value_cal`, `frequency_holdout`, `predicted_purchases`, `total_spend_holdout`, `predicted_value`, `expected_spend`, `duration_holdout` |
//! | `holdout_scores` | one | `customers`, `mae`, `rmse`, `predicted_total`, `actual_total`, `aggregate_error`, `aggregate_relative_error`, `correlation`, `gini` (null where undefined) |
//! | `holdout_deciles` | one per non-empty decile, 1 (highest predicted value) first | `decile`, `customers`, mean `predicted_purchases`, `actual_purchases`, `predicted_value`, `actual_value` |
//! | `holdout_lorenz` | one per point, from (0, 0) | `customer_share`, `value_share` |
//! | `repeat_occasions` | one per day with a repeat occasion of a calibration customer | `day`, `repeat_occasions` |
//! | `holdout_groups` | one per group of calibration customers: by `frequency` (the last `7+`), then `recency`, then `time_since_last_purchase` (whole units) | `grouping`, `group`, `label` (`"3"`, `"7+"`), `customers`, mean `actual_purchases` and `predicted_purchases` in the holdout |
//! | `model_comparison` | one per repeat model, in the registry's order | `model`, `converged` (`yes` or `no`), `log_likelihood`, `parameters` (k), `observations` (n), `aic`, `bic`, `bic_rank` (1 = lowest among converged fits), `holdout_mae`, `holdout_rmse` (null where undefined) |
//! | `tracking` | one per period, calibration then holdout | `period`, `first_day`, `last_day`, `phase` (`calibration` or `holdout`), `actual_repeat_purchases`, `actual_cumulative`, `expected_repeat_purchases`, `expected_cumulative` |
//!
//! ```
//! use crm_core::CustomerId;
//! use crm_core::clv::validation::{HoldoutColumns, HoldoutScores};
//! use crm_io::tables::validation::{holdout_deciles, holdout_lorenz, holdout_scores};
//! let ids = [CustomerId::from(1), CustomerId::from(2)];
//! let s = HoldoutScores::of(&HoldoutColumns {
//!     customers: &ids, predicted_purchases: &[1.0, 2.0], actual_purchases: &[0.0, 2.0],
//!     predicted_value: &[10.0, 20.0], actual_value: &[0.0, 30.0],
//! })?;
//! assert_eq!(holdout_scores(&s).batch()?.num_rows(), 1);
//! assert_eq!(holdout_deciles(&s).batch()?.num_rows(), 2);
//! assert_eq!(holdout_lorenz(&s).names(), ["customer_share", "value_share"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crm_core::clv::choice::ModelComparison;
use crm_core::clv::holdout::HoldoutForecast;
use crm_core::clv::holdout_groups::HoldoutGroups;
use crm_core::clv::tracking::TrackingCurve;
use crm_core::clv::validation::HoldoutScores;
use crm_core::records::summary::CalibrationHoldout;
use crm_core::vocabulary::Vocabulary;

use super::{MoneyType, Table, counts, dates, floats, ids, money, optional_counts, texts};

/// The split's repeat occasions per day (the actual side of the tracking
/// curve), in day order.
///
/// ```
/// use crm_io::tables::golden_layout;
/// assert!(golden_layout("repeat_occasions").is_some());
/// ```
pub fn repeat_occasions(split: &CalibrationHoldout) -> Table {
    let r = &split.repeat_occasions;
    let days: Vec<_> = r.iter().map(|d| d.day).collect();
    let mut t = Table::default();
    t.push("day", dates(&days))
        .push("repeat_occasions", counts(r.iter().map(|d| d.occasions)));
    t
}

/// The tracking curve, one row per period.
///
/// ```
/// use crm_io::tables::golden_layout;
/// assert!(golden_layout("tracking").is_some());
/// ```
pub fn tracking(curve: &TrackingCurve) -> Table {
    let p = &curve.periods;
    let first: Vec<_> = p.iter().map(|p| p.first_day).collect();
    let last: Vec<_> = p.iter().map(|p| p.last_day).collect();
    let mut t = Table::default();
    t.push("period", counts(p.iter().map(|p| u64::from(p.period))))
        .push("first_day", dates(&first))
        .push("last_day", dates(&last))
        .push(
            "phase",
            texts(
                p.iter()
                    .map(|p| if p.holdout { "holdout" } else { "calibration" }),
            ),
        )
        .push(
            "actual_repeat_purchases",
            counts(p.iter().map(|p| p.actual)),
        )
        .push(
            "actual_cumulative",
            counts(p.iter().map(|p| p.actual_cumulative)),
        )
        .push(
            "expected_repeat_purchases",
            floats(p.iter().map(|p| Some(p.expected))),
        )
        .push(
            "expected_cumulative",
            floats(p.iter().map(|p| Some(p.expected_cumulative))),
        );
    t
}

/// The conditional expectations by calibration group, one row per group.
///
/// ```
/// use crm_io::tables::golden_layout;
/// assert!(golden_layout("holdout_groups").is_some());
/// ```
pub fn holdout_groups(groups: &HoldoutGroups) -> Table {
    let g = &groups.groups;
    let mut t = Table::default();
    t.push("grouping", texts(g.iter().map(|g| g.grouping.name())))
        .push("group", counts(g.iter().map(|g| g.group)))
        .push(
            "label",
            texts(g.iter().map(|g| {
                let plus = if g.and_more { "+" } else { "" };
                format!("{}{plus}", g.group)
            })),
        )
        .push("customers", counts(g.iter().map(|g| g.customers)))
        .push(
            "actual_purchases",
            floats(g.iter().map(|g| Some(g.actual_purchases))),
        )
        .push(
            "predicted_purchases",
            floats(g.iter().map(|g| Some(g.predicted_purchases))),
        );
    t
}

/// Every repeat model of a comparison, one row each.
///
/// ```
/// use crm_io::tables::golden_layout;
/// assert!(golden_layout("model_comparison").is_some());
/// ```
pub fn model_comparison(c: &ModelComparison) -> Table {
    let r = &c.rows;
    let mut t = Table::default();
    t.push("model", texts(r.iter().map(|r| r.kind.name())))
        .push(
            "converged",
            texts(r.iter().map(|r| if r.converged { "yes" } else { "no" })),
        )
        .push("log_likelihood", floats(r.iter().map(|r| r.log_likelihood)))
        .push("parameters", counts(r.iter().map(|r| r.parameters as u64)))
        .push(
            "observations",
            floats(r.iter().map(|r| Some(r.observations))),
        )
        .push("aic", floats(r.iter().map(|r| r.aic)))
        .push("bic", floats(r.iter().map(|r| r.bic)))
        .push(
            "bic_rank",
            optional_counts(r.iter().map(|r| r.bic_rank.map(|k| k as u64))),
        )
        .push("holdout_mae", floats(r.iter().map(|r| r.holdout_mae)))
        .push("holdout_rmse", floats(r.iter().map(|r| r.holdout_rmse)));
    t
}

/// The per-customer forecast: the calibration triple and spend, actual
/// and predicted holdout purchases and value, side by side.
///
/// ```
/// use crm_io::tables::golden_layout;
/// assert!(golden_layout("holdout_forecast").is_some());
/// ```
pub fn holdout_forecast(split: &CalibrationHoldout, f: &HoldoutForecast, m: MoneyType) -> Table {
    let c = &split.calibration;
    let all = |v: &[rust_decimal::Decimal]| v.iter().map(|d| Some(*d)).collect::<Vec<_>>();
    let col = |v: &[f64]| floats((0..c.len()).map(|i| v.get(i).copied()));
    let mut t = Table::default();
    t.push("customer_id", ids(&c.customers))
        .push("frequency_cal", counts(c.frequency.iter().copied()))
        .push("recency_cal", col(&c.recency))
        .push("T_cal", col(&c.age))
        .push("monetary_value_cal", money(m, all(&c.monetary_value)))
        .push(
            "frequency_holdout",
            counts(split.frequency_holdout.iter().copied()),
        )
        .push("predicted_purchases", col(&f.predicted_purchases))
        .push(
            "total_spend_holdout",
            money(m, all(&split.total_spend_holdout)),
        )
        .push("predicted_value", col(&f.predicted_value))
        .push("expected_spend", col(&f.expected_spend))
        .push(
            "duration_holdout",
            floats(c.customers.iter().map(|_| Some(split.duration_holdout))),
        );
    t
}

/// The scores, one row.
///
/// See the [module docs](self).
pub fn holdout_scores(s: &HoldoutScores) -> Table {
    let one = |v: Option<f64>| floats([v]);
    let mut t = Table::default();
    t.push("customers", counts([s.customers]))
        .push("mae", one(Some(s.mae)))
        .push("rmse", one(Some(s.rmse)))
        .push("predicted_total", one(Some(s.predicted_total)))
        .push("actual_total", one(Some(s.actual_total)))
        .push("aggregate_error", one(Some(s.aggregate_error)))
        .push("aggregate_relative_error", one(s.aggregate_relative_error))
        .push("correlation", one(s.correlation))
        .push("gini", one(s.gini));
    t
}

/// The decile calibration table.
///
/// See the [module docs](self).
pub fn holdout_deciles(s: &HoldoutScores) -> Table {
    let d = &s.deciles;
    let col =
        |f: fn(&crm_core::clv::validation::Decile) -> f64| floats(d.iter().map(|x| Some(f(x))));
    let mut t = Table::default();
    t.push("decile", counts(d.iter().map(|x| u64::from(x.decile))))
        .push("customers", counts(d.iter().map(|x| x.customers)))
        .push("predicted_purchases", col(|x| x.predicted_purchases))
        .push("actual_purchases", col(|x| x.actual_purchases))
        .push("predicted_value", col(|x| x.predicted_value))
        .push("actual_value", col(|x| x.actual_value));
    t
}

/// The Lorenz curve points.
///
/// See the [module docs](self).
pub fn holdout_lorenz(s: &HoldoutScores) -> Table {
    let mut t = Table::default();
    t.push(
        "customer_share",
        floats(s.lorenz.iter().map(|p| Some(p.customer_share))),
    )
    .push(
        "value_share",
        floats(s.lorenz.iter().map(|p| Some(p.value_share))),
    );
    t
}
