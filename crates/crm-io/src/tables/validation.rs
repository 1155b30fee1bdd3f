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

use crm_core::clv::holdout::HoldoutForecast;
use crm_core::clv::tracking::TrackingCurve;
use crm_core::clv::validation::HoldoutScores;
use crm_core::records::summary::CalibrationHoldout;

use super::{MoneyType, Table, counts, dates, floats, ids, money, texts};

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
