//! Conditional expectations by calibration group: the mean holdout
//! purchases of the customers who share a calibration figure, actual
//! against predicted (Fader, Hardie & Lee 2005, figure 3: CDNOW's holdout
//! transactions by calibration frequency).
//!
//! A model can get the total right and every group wrong: too many
//! purchases for the customers who bought once, too few for the heavy
//! buyers. Grouping the holdout forecast shows where it errs. Three
//! groupings, each over every customer:
//!
//! - [`Grouping::Frequency`]: the calibration frequency (repeat occasions),
//!   `0, 1, …, max_frequency − 1`, and a last group of `max_frequency`
//!   and more (`and_more`), the "7+" of the published figure;
//! - [`Grouping::Recency`]: the calibration recency (first to last
//!   purchase) in whole units of the clock, rounded down: group `k` holds
//!   `k ≤ recency < k + 1`;
//! - [`Grouping::TimeSinceLastPurchase`]: `T − recency` (last purchase to
//!   the cut) in whole units, rounded down.
//!
//! Each group's `actual_purchases` is the mean of its customers' holdout
//! purchases and `predicted_purchases` the mean of their predictions, the
//! model's conditional expected purchases over the holdout (what
//! [`super::holdout::HoldoutForecast`] computes). lifetimes'
//! `plot_calibration_purchases_vs_holdout_purchases` takes the same means,
//! by the exact value of each column; the frequency groups below
//! `max_frequency` are its groups, while recency and time since last
//! purchase are grouped here by whole units, since their exact values (in
//! weeks, multiples of a seventh) make one group per handful of customers.
//!
//! A group's means do not depend on the order of the customers: actual
//! purchases are summed exactly as integers and predictions in ascending
//! order. Groups are listed by grouping, then by group, and empty groups
//! are left out.
//!
//! ```
//! use crm_core::clv::holdout_groups::{GroupColumns, Grouping, HoldoutGroups};
//! let g = HoldoutGroups::of(
//!     &GroupColumns {
//!         frequency: &[0.0, 0.0, 2.0, 9.0],
//!         recency: &[0.0, 0.0, 3.5, 10.2],
//!         age: &[12.0, 5.0, 12.0, 12.0],
//!         actual_purchases: &[0.0, 1.0, 2.0, 6.0],
//!         predicted_purchases: &[0.2, 0.4, 1.5, 5.0],
//!     },
//!     7,
//! )?;
//! let zero = &g.by(Grouping::Frequency)[0];
//! assert_eq!((zero.group, zero.customers, zero.actual_purchases), (0, 2, 0.5));
//! assert!((zero.predicted_purchases - 0.3).abs() < 1e-15);
//! let last = g.by(Grouping::Frequency).last().unwrap();
//! assert_eq!((last.group, last.and_more), (7, true));   // frequency 9 is in "7+"
//! assert_eq!(g.by(Grouping::Recency)[1].group, 3);      // recency 3.5 → 3
//! assert_eq!(g.by(Grouping::TimeSinceLastPurchase)[0].group, 1); // 12 − 10.2 → 1
//! # Ok::<(), crm_core::clv::ClvError>(())
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ClvError;
use super::holdout::HoldoutForecast;
use crate::records::summary::CalibrationHoldout;

/// The frequency of the last, open group unless told otherwise: "7+", as
/// in the published CDNOW figure.
pub const DEFAULT_MAX_FREQUENCY: u64 = 7;

/// The largest whole number an `f64` holds exactly (2^53): a frequency,
/// holdout count or group above it cannot be told from its neighbours.
const MAX_WHOLE: f64 = 9_007_199_254_740_992.0;

/// What the customers are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// Calibration frequency, the last group open ("7+").
    Frequency,
    /// Calibration recency in whole units.
    Recency,
    /// `T − recency` at the cut, in whole units.
    TimeSinceLastPurchase,
}

impl Grouping {
    /// Every grouping, in the order the groups are listed.
    pub const ALL: [Grouping; 3] = [
        Grouping::Frequency,
        Grouping::Recency,
        Grouping::TimeSinceLastPurchase,
    ];

    /// The grouping's name in tables and JSON.
    ///
    /// ```
    /// use crm_core::clv::holdout_groups::Grouping;
    /// assert_eq!(Grouping::TimeSinceLastPurchase.name(), "time_since_last_purchase");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Grouping::Frequency => "frequency",
            Grouping::Recency => "recency",
            Grouping::TimeSinceLastPurchase => "time_since_last_purchase",
        }
    }
}

/// The columns to group, parallel, one entry per customer, on the clock
/// the model was fitted on.
#[derive(Debug, Clone, Copy)]
pub struct GroupColumns<'a> {
    /// Calibration frequency (repeat occasions): whole and not negative.
    pub frequency: &'a [f64],
    /// Calibration recency: finite and not negative.
    pub recency: &'a [f64],
    /// Calibration `T` (first purchase to the cut): finite, at least
    /// `recency`.
    pub age: &'a [f64],
    /// Purchases in the holdout: whole and not negative.
    pub actual_purchases: &'a [f64],
    /// Expected holdout purchases, predicted at the cut: finite.
    pub predicted_purchases: &'a [f64],
}

/// One group of customers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct HoldoutGroup {
    /// What the group shares.
    pub grouping: Grouping,
    /// The shared figure: the frequency, or the whole units of recency or
    /// of time since the last purchase.
    pub group: u64,
    /// Whether the group also holds every larger figure (the last
    /// frequency group).
    pub and_more: bool,
    /// Customers in the group.
    pub customers: u64,
    /// Their mean holdout purchases.
    pub actual_purchases: f64,
    /// Their mean predicted holdout purchases.
    pub predicted_purchases: f64,
}

/// Conditional expectations by calibration group (see the [module
/// docs](self)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct HoldoutGroups {
    /// The frequency of the last, open frequency group.
    pub max_frequency: u64,
    /// The groups: by frequency, then recency, then time since the last
    /// purchase; within each by group.
    pub groups: Vec<HoldoutGroup>,
}

/// A value that is not of the column's kind, at its 1-based row.
fn invalid(field: &str, row: usize, rule: &str) -> ClvError {
    ClvError::InvalidInput {
        field: field.into(),
        row: row + 1,
        rule: format!("{rule} (rule holdout_groups)"),
    }
}

/// `v` as a whole number of at most 2^53, or the error for `field`.
fn whole(field: &str, row: usize, v: f64) -> Result<u64, ClvError> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= MAX_WHOLE {
        Ok(v as u64)
    } else {
        Err(invalid(field, row, "a whole number from 0 to 2^53"))
    }
}

/// `v` rounded down to whole units, `v` finite and not negative.
fn units(field: &str, row: usize, v: f64) -> Result<u64, ClvError> {
    if (0.0..=MAX_WHOLE).contains(&v) {
        Ok(v.floor() as u64)
    } else {
        Err(invalid(field, row, "a finite number from 0 to 2^53"))
    }
}

/// One group's customers while they are collected.
#[derive(Default)]
struct Members {
    actual: u128,
    predicted: Vec<f64>,
}

impl HoldoutGroups {
    /// Groups the columns; `max_frequency` is the frequency of the last,
    /// open group (at least 1).
    ///
    /// # Errors
    ///
    /// [`ClvError::NoData`] without customers; [`ClvError::LengthMismatch`]
    /// for columns of other lengths than `frequency`;
    /// [`ClvError::InvalidInput`] (the column and 1-based row, rule
    /// `holdout_groups`) for a frequency or holdout count that is not a
    /// whole number from 0 to 2^53, a recency or `T` that is not finite and
    /// not negative, a `T` below the recency, or a prediction that is not
    /// finite and not negative; [`ClvError::InvalidArgument`] for
    /// `max_frequency` = 0.
    ///
    /// # Example
    ///
    /// See the [module docs](self).
    pub fn of(c: &GroupColumns<'_>, max_frequency: u64) -> Result<HoldoutGroups, ClvError> {
        if max_frequency == 0 {
            return Err(ClvError::InvalidArgument {
                name: "max_frequency".into(),
                rule: "the open frequency group starts at 1 or more (rule holdout_groups)".into(),
            });
        }
        let n = c.frequency.len();
        if n == 0 {
            return Err(ClvError::NoData {
                reason: "no customer to group".into(),
            });
        }
        for (name, col) in [
            ("recency", c.recency),
            ("T", c.age),
            ("actual_purchases", c.actual_purchases),
            ("predicted_purchases", c.predicted_purchases),
        ] {
            if col.len() != n {
                return Err(ClvError::LengthMismatch {
                    column: name.into(),
                    found: col.len(),
                    expected: n,
                });
            }
        }
        let mut members = BTreeMap::<(Grouping, u64), Members>::new();
        for i in 0..n {
            let x = whole("frequency", i, c.frequency[i])?;
            let actual = whole("actual_purchases", i, c.actual_purchases[i])?;
            let recency = units("recency", i, c.recency[i])?;
            let (t_x, age) = (c.recency[i], c.age[i]);
            if !(age.is_finite() && age >= t_x) {
                return Err(invalid("T", i, "a finite number at least the recency"));
            }
            let since = units("T", i, age - t_x)?;
            let p = c.predicted_purchases[i];
            if !(p.is_finite() && p >= 0.0) {
                return Err(invalid(
                    "predicted_purchases",
                    i,
                    "a finite number, not negative",
                ));
            }
            for key in [
                (Grouping::Frequency, x.min(max_frequency)),
                (Grouping::Recency, recency),
                (Grouping::TimeSinceLastPurchase, since),
            ] {
                let m = members.entry(key).or_default();
                m.actual += u128::from(actual);
                m.predicted.push(p);
            }
        }
        let mut groups = Vec::with_capacity(members.len());
        for ((grouping, group), mut m) in members {
            m.predicted.sort_by(f64::total_cmp);
            let k = m.predicted.len() as f64;
            let predicted = m.predicted.iter().sum::<f64>() / k;
            if !predicted.is_finite() {
                return Err(ClvError::InvalidArgument {
                    name: "predicted_purchases".into(),
                    rule: "the predictions of a group must sum to a finite number (rule holdout_groups)".into(),
                });
            }
            groups.push(HoldoutGroup {
                grouping,
                group,
                and_more: grouping == Grouping::Frequency && group == max_frequency,
                customers: m.predicted.len() as u64,
                actual_purchases: m.actual as f64 / k,
                predicted_purchases: predicted,
            });
        }
        Ok(HoldoutGroups {
            max_frequency,
            groups,
        })
    }

    /// The groups of a forecast made on `split` (its calibration customers,
    /// in the split's order).
    ///
    /// # Errors
    ///
    /// Those of [`HoldoutGroups::of`]; none for a forecast of this split.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::clv::FitOptions;
    /// use crm_core::clv::holdout::HoldoutForecast;
    /// use crm_core::clv::holdout_groups::{Grouping, HoldoutGroups};
    /// use crm_core::clv::registry::ModelKind;
    /// use crm_core::records::summary::{Amounts, CalibrationHoldoutAccumulator, ColumnBatch, Keys, SummaryConfig};
    /// use crm_core::records::transaction::day_number;
    ///
    /// let d = |m, day| day_number(NaiveDate::from_ymd_opt(2024, m, day).unwrap());
    /// let config = SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 12, 31).unwrap());
    /// let mut acc = CalibrationHoldoutAccumulator::new(config, NaiveDate::from_ymd_opt(2024, 6, 30).unwrap())?;
    /// let (mut keys, mut days, mut amounts) = (vec![], vec![], vec![]);
    /// for c in 0..40_i64 {
    ///     for k in 0..=(c % 4) {
    ///         keys.push(c);
    ///         days.push(d(1 + (k as u32 * 3 + c as u32) % 12, 1 + (c as u32 % 27)));
    ///         amounts.push(5.0 + k as f64);
    ///     }
    /// }
    /// acc.add_batch(&ColumnBatch::new(1, Keys::Int(&keys), &days, Amounts::Float(&amounts)))?;
    /// let split = acc.finish()?;
    /// let f = HoldoutForecast::fit(&split, ModelKind::BgNbd, &FitOptions::default())?;
    /// let g = HoldoutGroups::of_forecast(&split, &f, 7)?;
    /// let n: u64 = g.by(Grouping::Frequency).iter().map(|g| g.customers).sum();
    /// assert_eq!(n as usize, split.calibration.len());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn of_forecast(
        split: &CalibrationHoldout,
        forecast: &HoldoutForecast,
        max_frequency: u64,
    ) -> Result<HoldoutGroups, ClvError> {
        let c = &split.calibration;
        let frequency: Vec<f64> = c.frequency.iter().map(|&x| x as f64).collect();
        let actual: Vec<f64> = split.frequency_holdout.iter().map(|&x| x as f64).collect();
        HoldoutGroups::of(
            &GroupColumns {
                frequency: &frequency,
                recency: &c.recency,
                age: &c.age,
                actual_purchases: &actual,
                predicted_purchases: &forecast.predicted_purchases,
            },
            max_frequency,
        )
    }

    /// The groups of one grouping, in order.
    ///
    /// See the [module docs](self).
    pub fn by(&self, grouping: Grouping) -> &[HoldoutGroup] {
        let start = self.groups.partition_point(|g| g.grouping < grouping);
        let end = self.groups.partition_point(|g| g.grouping <= grouping);
        &self.groups[start..end]
    }
}

#[cfg(test)]
mod tests;
