//! Tiers on predicted value: the seeds' "most valuable" as future value.
//!
//! The value tiers of [`crate::value`] rank customers by what they spent.
//! Ranked instead by what the models predict over a horizon (discounted
//! CLV, or expected purchases), the same cut-offs name the customers who
//! *will* matter most; reviewed against the past tiers (with
//! [`crate::value::review`], membership by presence: both sides hold the
//! same customers) the moves say who is rising and who is fading.
//!
//! A prediction is an `f64`; the tiers sum money exactly in [`Decimal`].
//! Each prediction converts to the decimal nearest its value at
//! [`DECIMAL_PLACES`] = 6 places (a millionth of a currency unit, or of a
//! purchase): fine enough that only predictions equal to a millionth tie,
//! coarse enough that a million customers' sum stays exact. Every door
//! (the `crm` command, Python) goes through [`PredictedTiers::of`], so they
//! agree.
//!
//! ```
//! use crm_core::clv::model_file::Predictions;
//! use crm_core::clv::predicted_tiers::{PredictedTiers, PredictedValue};
//! use crm_core::value::assignment::{assign, AssignmentConfig};
//! use crm_core::value::review::MoveKind;
//! use crm_core::value::tier::Tier;
//! use rust_decimal_macros::dec;
//! let ids = [1.into(), 2.into(), 3.into()];
//! let config = AssignmentConfig::default();
//! // Customer 1 spent the most, but customer 3 is predicted to be worth the most.
//! let past = assign(&ids, &[dec!(900), dec!(300), dec!(100)], None, &config)?;
//! let p = Predictions { clv: vec![50.0, 120.0, 400.0], ..Predictions::default() };
//! let t = PredictedTiers::of(&past, &p, PredictedValue::Clv, &config)?;
//! assert_eq!(t.assignments.tier(2), Some(Tier::MostValuable));
//! assert_eq!(t.review.moves[2].kind, MoveKind::Promoted);
//! assert_eq!(t.review.moves[0].kind, MoveKind::Demoted);
//! # Ok::<(), crm_core::clv::predicted_tiers::PredictedTierError>(())
//! ```

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::model_file::Predictions;
use crate::error::{Diagnostic, ErrorClass};
use crate::value::assignment::{AssignmentConfig, AssignmentError, Assignments, assign};
use crate::value::review::{
    Membership, Period, PeriodReview, ReviewConfig, ReviewError, review_pair,
};
use crate::vocabulary::Vocabulary;

/// The decimal places predictions are compared at.
pub const DECIMAL_PLACES: u32 = 6;

/// Which prediction ranks the customers.
///
/// ```
/// use crm_core::clv::predicted_tiers::PredictedValue;
/// use crm_core::vocabulary::Vocabulary;
/// assert_eq!(PredictedValue::default(), PredictedValue::Clv);
/// assert_eq!(PredictedValue::from_name("expected_purchases")?, PredictedValue::ExpectedPurchases);
/// # Ok::<(), crm_core::vocabulary::UnknownName>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PredictedValue {
    /// Discounted CLV over the horizon (money: the default).
    #[default]
    Clv,
    /// Expected purchases over the horizon (a count, for a business without
    /// a spend model or where spend is not the point).
    ExpectedPurchases,
}

impl Vocabulary for PredictedValue {
    const KIND: &'static str = "predicted value";
    const ALL: &'static [Self] = &[PredictedValue::Clv, PredictedValue::ExpectedPurchases];

    fn name(self) -> &'static str {
        match self {
            PredictedValue::Clv => "clv",
            PredictedValue::ExpectedPurchases => "expected_purchases",
        }
    }
}

impl std::fmt::Display for PredictedValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl PredictedValue {
    /// The predictions' column of this value.
    pub fn column(self, p: &Predictions) -> &[f64] {
        match self {
            PredictedValue::Clv => &p.clv,
            PredictedValue::ExpectedPurchases => &p.expected_purchases,
        }
    }
}

/// Why predicted tiers could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PredictedTierError {
    /// A prediction that is not a finite number (never the case for the
    /// predictions of [`super::model_file::predict`]).
    #[error("row {row}: the predicted {value} is not a finite number (rule finite_prediction)")]
    NotFinite {
        /// The prediction's name.
        value: &'static str,
        /// The 1-based row.
        row: usize,
    },
    /// Tiering the predicted values failed.
    #[error(transparent)]
    Assignment(#[from] AssignmentError),
    /// Reviewing past against predicted tiers failed.
    #[error(transparent)]
    Review(#[from] ReviewError),
}

impl Diagnostic for PredictedTierError {
    fn rule(&self) -> &'static str {
        match self {
            PredictedTierError::NotFinite { .. } => "finite_prediction",
            PredictedTierError::Assignment(e) => e.rule(),
            PredictedTierError::Review(e) => e.rule(),
        }
    }
    fn row(&self) -> Option<u64> {
        match self {
            PredictedTierError::NotFinite { row, .. } => u64::try_from(*row).ok(),
            PredictedTierError::Assignment(e) => e.row(),
            PredictedTierError::Review(e) => e.row(),
        }
    }
    fn field(&self) -> Option<&str> {
        match self {
            PredictedTierError::NotFinite { value, .. } => Some(value),
            PredictedTierError::Assignment(e) => e.field(),
            PredictedTierError::Review(e) => e.field(),
        }
    }
    fn customer(&self) -> Option<&crate::CustomerId> {
        match self {
            PredictedTierError::NotFinite { .. } => None,
            PredictedTierError::Assignment(e) => e.customer(),
            PredictedTierError::Review(e) => e.customer(),
        }
    }
    fn class(&self) -> ErrorClass {
        match self {
            PredictedTierError::NotFinite { .. } => ErrorClass::Value,
            PredictedTierError::Assignment(e) => e.class(),
            PredictedTierError::Review(e) => e.class(),
        }
    }
}

/// The tiers on predicted value, and the moves from the past tiers.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictedTiers {
    /// Which prediction ranked the customers.
    pub value: PredictedValue,
    /// The customers tiered on it, in the past tiers' order.
    pub assignments: Assignments,
    /// Past (label `past`) against predicted (label `predicted`): one move
    /// per customer, promoted, demoted or unchanged.
    pub review: PeriodReview,
}

impl PredictedTiers {
    /// Tiers `past`'s customers on `value` of `predictions` (one entry per
    /// customer, in `past`'s order) with `config`'s cut-offs, and reviews
    /// the past tiers against them.
    ///
    /// # Errors
    ///
    /// [`PredictedTierError::NotFinite`] naming the row;
    /// [`PredictedTierError::Assignment`] for predictions of another
    /// length than the customers, or a tier error.
    pub fn of(
        past: &Assignments,
        predictions: &Predictions,
        value: PredictedValue,
        config: &AssignmentConfig,
    ) -> Result<PredictedTiers, PredictedTierError> {
        let assignments = assign_predicted(past.ids(), predictions, value, config)?;
        let review = review_pair(
            &Period::from_assignments("past", past),
            &Period::from_assignments("predicted", &assignments),
            &ReviewConfig {
                membership: Membership::Presence,
                ..ReviewConfig::default()
            },
        )?;
        Ok(PredictedTiers {
            value,
            assignments,
            review,
        })
    }
}

/// The tiers of `customers` on `value` of `predictions` (one entry per
/// customer, in order) with `config`'s cut-offs, without a review: the
/// tiers half of [`PredictedTiers::of`].
///
/// # Errors
///
/// As [`PredictedTiers::of`].
///
/// ```
/// use crm_core::clv::model_file::Predictions;
/// use crm_core::clv::predicted_tiers::{assign_predicted, PredictedValue};
/// use crm_core::value::assignment::AssignmentConfig;
/// use crm_core::value::tier::Tier;
/// let p = Predictions { expected_purchases: vec![0.0, 3.5], ..Predictions::default() };
/// let a = assign_predicted(&[1.into(), 2.into()], &p, PredictedValue::ExpectedPurchases, &AssignmentConfig::default())?;
/// assert_eq!((a.tier(0), a.tier(1)), (Some(Tier::Inactive), Some(Tier::MostValuable)));
/// # Ok::<(), crm_core::clv::predicted_tiers::PredictedTierError>(())
/// ```
pub fn assign_predicted(
    customers: &[crate::CustomerId],
    predictions: &Predictions,
    value: PredictedValue,
    config: &AssignmentConfig,
) -> Result<Assignments, PredictedTierError> {
    let values = value
        .column(predictions)
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            Decimal::from_f64_retain(v)
                .filter(|_| v.is_finite())
                .map(|d| d.round_dp(DECIMAL_PLACES))
                .ok_or(PredictedTierError::NotFinite {
                    value: value.name(),
                    row: i + 1,
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(assign(customers, &values, None, config)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::review::MoveKind;
    use crate::value::tier::Tier;
    use rust_decimal_macros::dec;

    fn past(n: i64) -> Assignments {
        let ids: Vec<_> = (1..=n).map(crate::CustomerId::from).collect();
        let values: Vec<Decimal> = (1..=n).map(|i| Decimal::from(i * 10)).collect();
        assign(&ids, &values, None, &AssignmentConfig::default()).unwrap()
    }

    #[test]
    fn the_tiers_equal_a_classification_of_the_predicted_values() {
        let past = past(20);
        let clv: Vec<f64> = (0..20).map(|i| f64::from((i * 7919) % 23) + 0.25).collect();
        let p = Predictions {
            clv: clv.clone(),
            expected_purchases: clv.iter().map(|v| 30.0 - v).collect(),
            ..Predictions::default()
        };
        let config = AssignmentConfig::default();
        let t = PredictedTiers::of(&past, &p, PredictedValue::Clv, &config).unwrap();
        // Independently: the decimals written out, classified directly.
        let decimals: Vec<Decimal> = clv
            .iter()
            .map(|v| format!("{v:.6}").parse::<Decimal>().unwrap())
            .collect();
        let direct = assign(past.ids(), &decimals, None, &config).unwrap();
        for i in 0..20 {
            assert_eq!(t.assignments.tier(i), direct.tier(i), "customer {i}");
        }
        // Every customer moves once; the counts add up.
        let c = t.review.counts;
        assert_eq!(c.promoted + c.demoted + c.unchanged, 20);
        assert_eq!(c.new + c.lost + c.held, 0);
        // On expected purchases the order reverses, and so do the moves.
        let e = PredictedTiers::of(&past, &p, PredictedValue::ExpectedPurchases, &config).unwrap();
        assert_eq!(e.value, PredictedValue::ExpectedPurchases);
        assert_ne!(e.assignments, t.assignments);
    }

    #[test]
    fn a_customer_moves_up_when_the_future_outranks_the_past() {
        let past = past(3); // values 10, 20, 30: customer 3 most valuable
        let p = Predictions {
            clv: vec![500.0, 1.0, 1.0],
            ..Predictions::default()
        };
        let t = PredictedTiers::of(&past, &p, PredictedValue::Clv, &AssignmentConfig::default())
            .unwrap();
        let kinds: Vec<MoveKind> = t.review.moves.iter().map(|m| m.kind).collect();
        assert_eq!(kinds[0], MoveKind::Promoted);
        assert_eq!(t.assignments.tier(0), Some(Tier::MostValuable));
        assert_eq!(t.review.moves[0].current_value, Some(dec!(500)));
    }

    #[test]
    fn predictions_compare_at_a_millionth_and_large_sums_stay_exact() {
        let past = past(4);
        let p = Predictions {
            clv: vec![1e-7, 123_456_789.123_456_7, 0.1 + 0.2, 2.000_000_4],
            ..Predictions::default()
        };
        let t = PredictedTiers::of(&past, &p, PredictedValue::Clv, &AssignmentConfig::default())
            .unwrap();
        let values: Vec<_> = t.review.moves.iter().map(|m| m.current_value).collect();
        assert_eq!(
            values,
            [
                Some(dec!(0)),
                Some(dec!(123456789.123457)),
                Some(dec!(0.3)),
                Some(dec!(2))
            ]
        );
        assert_eq!(t.assignments.tier(0), Some(Tier::Inactive));
    }

    #[test]
    fn a_bad_or_missing_prediction_is_an_error_naming_the_row() {
        let past = past(3);
        let config = AssignmentConfig::default();
        let p = Predictions {
            clv: vec![1.0, f64::NAN, 2.0],
            ..Predictions::default()
        };
        let e = PredictedTiers::of(&past, &p, PredictedValue::Clv, &config).unwrap_err();
        assert_eq!(
            e,
            PredictedTierError::NotFinite {
                value: "clv",
                row: 2
            }
        );
        assert_eq!(
            (e.rule(), e.row(), e.field()),
            ("finite_prediction", Some(2), Some("clv"))
        );
        let short = Predictions {
            clv: vec![1.0],
            ..Predictions::default()
        };
        assert!(matches!(
            PredictedTiers::of(&past, &short, PredictedValue::Clv, &config),
            Err(PredictedTierError::Assignment(
                AssignmentError::LengthMismatch { .. }
            ))
        ));
    }
}
