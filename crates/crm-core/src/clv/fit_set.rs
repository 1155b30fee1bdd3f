//! Which customers a fit uses: one rule per model family, owned here so that
//! the `crm` command, the Python package and Spark fit on the same
//! customers, and every customer left out is counted under its reason.
//!
//! - **Repeat-purchase models** (BG/NBD, MBG/NBD, Pareto/NBD) use every
//!   customer observed for some time (`T > 0`). A customer whose first
//!   purchase falls on the analysis date has `T = 0`: nothing has been
//!   observed yet, the likelihood carries no information about them, so they
//!   are left out of the fit ([`Exclusion::NotObserved`]). The models still
//!   predict for them: the prediction of a new customer.
//! - **Gamma-Gamma** uses the repeat customers (`x > 0`) whose mean repeat
//!   spend is positive: the model is a distribution of positive amounts.
//!   Customers without a repeat purchase carry no information about repeat
//!   spend ([`Exclusion::NoRepeatPurchase`]); those whose repeat purchases
//!   net to zero or less (refunds) break the model's support
//!   ([`Exclusion::NonPositiveSpend`]). Predictions give both groups the
//!   model's population mean spend ([`expected_spend`]); where the fit has
//!   `q <= 1` that mean does not exist and their predictions are refused
//!   ([`ClvError::SpendUndefined`]).
//!
//! Rows that break a rule of the data (a fractional frequency, `t_x > T`, a
//! value that is not finite) are errors naming the row, never exclusions.
//!
//! ```
//! use crm_core::clv::fit_set::{spend_fit_set, Exclusion};
//! // x, mean repeat spend: one first-time buyer, one refund, two repeat buyers.
//! let s = spend_fit_set(&[0.0, 2.0, 1.0, 3.0], &[0.0, -5.0, 20.0, 12.5], None)?;
//! assert_eq!(s.rows, [2, 3]);
//! assert_eq!(s.fit_set.used, 2.0);
//! assert_eq!(s.fit_set.excluded(Exclusion::NoRepeatPurchase), 1.0);
//! assert_eq!(s.fit_set.excluded(Exclusion::NonPositiveSpend), 1.0);
//! # Ok::<(), crm_core::clv::ClvError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::gamma_gamma::GammaGamma;
use super::{ClvError, check_len, check_repeat_row, check_weight, invalid};
use crate::vocabulary::{UnknownName, Vocabulary};

/// Why a customer is left out of a fit.
///
/// ```
/// use crm_core::clv::fit_set::Exclusion;
/// use crm_core::vocabulary::Vocabulary;
/// assert_eq!(Exclusion::names(), ["not_observed", "no_repeat_purchase", "non_positive_spend"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// `T = 0`: the first purchase is on the analysis date, nothing observed.
    NotObserved,
    /// `x = 0`: no repeat purchase, so no repeat spend to learn from.
    NoRepeatPurchase,
    /// `x > 0` but the mean repeat spend is zero or less (refunds).
    NonPositiveSpend,
}

impl Vocabulary for Exclusion {
    const KIND: &'static str = "fit exclusion";
    const ALL: &'static [Self] = &[
        Exclusion::NotObserved,
        Exclusion::NoRepeatPurchase,
        Exclusion::NonPositiveSpend,
    ];

    fn name(self) -> &'static str {
        match self {
            Exclusion::NotObserved => "not_observed",
            Exclusion::NoRepeatPurchase => "no_repeat_purchase",
            Exclusion::NonPositiveSpend => "non_positive_spend",
        }
    }
}

impl fmt::Display for Exclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Exclusion {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_name(s)
    }
}

/// How many customers (the sum of their weights) a fit used and how many it
/// left out, by reason: `used + Σ excluded = customers`, always.
///
/// ```
/// use crm_core::clv::fit_set::{repeat_fit_set, Exclusion};
/// let s = repeat_fit_set(&[0.0, 1.0], &[0.0, 2.0], &[0.0, 5.0], None)?;
/// assert_eq!((s.fit_set.customers, s.fit_set.used), (2.0, 1.0));
/// assert_eq!(s.fit_set.excluded(Exclusion::NotObserved), 1.0);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct FitSet {
    /// Every customer handed to the fit.
    pub customers: f64,
    /// The customers the fit used.
    pub used: f64,
    /// The customers left out, one entry per reason that left any out, in
    /// the order of [`Exclusion`]'s vocabulary.
    pub excluded: Vec<Excluded>,
}

/// Customers left out of a fit for one reason.
///
/// ```
/// use crm_core::clv::fit_set::{Excluded, Exclusion};
/// let e = Excluded { reason: Exclusion::NotObserved, customers: 3.0 };
/// assert_eq!(e.reason.to_string(), "not_observed");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Excluded {
    /// Why.
    pub reason: Exclusion,
    /// How many (the sum of their weights).
    pub customers: f64,
}

impl FitSet {
    /// Every customer used, none left out.
    ///
    /// ```
    /// use crm_core::clv::fit_set::FitSet;
    /// assert!(FitSet::all(4.0).excluded.is_empty());
    /// ```
    pub fn all(customers: f64) -> FitSet {
        FitSet {
            customers,
            used: customers,
            excluded: Vec::new(),
        }
    }

    /// The customers left out for `reason` (0 when none).
    ///
    /// ```
    /// use crm_core::clv::fit_set::{FitSet, Exclusion};
    /// assert_eq!(FitSet::all(4.0).excluded(Exclusion::NotObserved), 0.0);
    /// ```
    pub fn excluded(&self, reason: Exclusion) -> f64 {
        self.excluded
            .iter()
            .filter(|e| e.reason == reason)
            .map(|e| e.customers)
            .sum()
    }

    /// All the customers left out, whatever the reason.
    ///
    /// ```
    /// use crm_core::clv::fit_set::FitSet;
    /// assert_eq!(FitSet::all(4.0).total_excluded(), 0.0);
    /// ```
    pub fn total_excluded(&self) -> f64 {
        self.excluded.iter().map(|e| e.customers).sum()
    }
}

/// The rows a fit uses (0-based positions in the input, ascending) and the
/// count of the others.
///
/// ```
/// use crm_core::clv::fit_set::repeat_fit_set;
/// let s = repeat_fit_set(&[1.0], &[1.0], &[2.0], None)?;
/// assert_eq!(s.take(&[7.5]), vec![7.5]);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// The rows used.
    pub rows: Vec<usize>,
    /// The counts.
    pub fit_set: FitSet,
}

impl Selection {
    /// The selected values of a column parallel to the input.
    pub fn take(&self, column: &[f64]) -> Vec<f64> {
        self.rows
            .iter()
            .filter_map(|&i| column.get(i).copied())
            .collect()
    }

    /// The selected weights, or `None` when there were none.
    pub fn take_weights(&self, weights: Option<&[f64]>) -> Option<Vec<f64>> {
        weights.map(|w| self.take(w))
    }
}

/// Tallies per reason, in vocabulary order.
struct Tally {
    customers: f64,
    used: f64,
    excluded: [f64; 3],
    rows: Vec<usize>,
}

impl Tally {
    fn new(n: usize) -> Tally {
        Tally {
            customers: 0.0,
            used: 0.0,
            excluded: [0.0; 3],
            rows: Vec::with_capacity(n),
        }
    }

    fn add(&mut self, row: usize, w: f64, reason: Option<Exclusion>) {
        self.customers += w;
        match reason {
            None => {
                self.used += w;
                self.rows.push(row);
            }
            Some(r) => self.excluded[r.code()] += w,
        }
    }

    fn finish(self, any_excluded: [bool; 3]) -> Selection {
        let excluded = Exclusion::ALL
            .iter()
            .zip(self.excluded)
            .zip(any_excluded)
            .filter(|(_, any)| *any)
            .map(|((r, c), _)| Excluded {
                reason: *r,
                customers: c,
            })
            .collect();
        Selection {
            rows: self.rows,
            fit_set: FitSet {
                customers: self.customers,
                used: self.used,
                excluded,
            },
        }
    }
}

fn weight_at(weights: Option<&[f64]>, i: usize) -> Result<f64, ClvError> {
    let w = weights.map_or(1.0, |w| w.get(i).copied().unwrap_or(f64::NAN));
    check_weight(i, w)?;
    Ok(w)
}

/// The customers a repeat-purchase fit (BG/NBD, MBG/NBD, Pareto/NBD) uses:
/// all but those with `T = 0` (see the module docs).
///
/// # Errors
///
/// [`ClvError::LengthMismatch`]; [`ClvError::InvalidInput`] naming the
/// first row (0-based) that breaks a rule of
/// [`RepeatData`](super::RepeatData) other than `T > 0`, or whose `T = 0`
/// comes with a repeat purchase.
///
/// ```
/// use crm_core::clv::fit_set::repeat_fit_set;
/// assert!(repeat_fit_set(&[1.0], &[0.0], &[0.0], None).is_err()); // a repeat purchase at T = 0
/// ```
pub fn repeat_fit_set(
    x: &[f64],
    t_x: &[f64],
    age: &[f64],
    weights: Option<&[f64]>,
) -> Result<Selection, ClvError> {
    check_len("t_x", t_x.len(), x.len())?;
    check_len("T", age.len(), x.len())?;
    if let Some(w) = weights {
        check_len("weights", w.len(), x.len())?;
    }
    let mut tally = Tally::new(x.len());
    let mut any = [false; 3];
    for i in 0..x.len() {
        let w = weight_at(weights, i)?;
        let reason = if age[i] == 0.0 && x[i] == 0.0 && t_x[i] == 0.0 {
            any[Exclusion::NotObserved.code()] = true;
            Some(Exclusion::NotObserved)
        } else {
            check_repeat_row(i, x[i], t_x[i], age[i])?;
            None
        };
        tally.add(i, w, reason);
    }
    Ok(tally.finish(any))
}

/// The customers a Gamma-Gamma fit uses: repeat customers with a positive
/// mean repeat spend (see the module docs).
///
/// # Errors
///
/// [`ClvError::LengthMismatch`]; [`ClvError::InvalidInput`] naming the first
/// row whose `x` is not a whole number `>= 0` or whose spend is not finite.
///
/// ```
/// use crm_core::clv::fit_set::spend_fit_set;
/// assert!(spend_fit_set(&[2.0], &[f64::NAN], None).is_err());
/// ```
pub fn spend_fit_set(
    x: &[f64],
    monetary_value: &[f64],
    weights: Option<&[f64]>,
) -> Result<Selection, ClvError> {
    check_len("monetary_value", monetary_value.len(), x.len())?;
    if let Some(w) = weights {
        check_len("weights", w.len(), x.len())?;
    }
    let mut tally = Tally::new(x.len());
    let mut any = [false; 3];
    for i in 0..x.len() {
        check_spend_values(i, x[i], monetary_value[i])?;
        let w = weight_at(weights, i)?;
        let reason = spend_exclusion(x[i], monetary_value[i]);
        if let Some(r) = reason {
            any[r.code()] = true;
        }
        tally.add(i, w, reason);
    }
    Ok(tally.finish(any))
}

fn check_spend_values(row: usize, x: f64, m: f64) -> Result<(), ClvError> {
    if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0) {
        return Err(invalid(
            "x",
            row,
            "frequency must be a finite whole number >= 0",
        ));
    }
    if !m.is_finite() {
        return Err(invalid(
            "monetary_value",
            row,
            "mean repeat spend must be finite",
        ));
    }
    Ok(())
}

/// The one spend rule: `None` when a customer is in the Gamma-Gamma fit set.
fn spend_exclusion(x: f64, m: f64) -> Option<Exclusion> {
    if x == 0.0 {
        Some(Exclusion::NoRepeatPurchase)
    } else if m > 0.0 {
        None
    } else {
        Some(Exclusion::NonPositiveSpend)
    }
}

/// Each customer's expected spend per purchase: the Gamma-Gamma conditional
/// expectation for the customers of the spend fit set, the population mean
/// `pγ / (q − 1)` for the others (no repeat purchase, or a repeat spend of
/// zero or less: the model has nothing to condition on).
///
/// # Errors
///
/// As [`spend_fit_set`], [`ClvError::InvalidArgument`] for a parameter
/// that is not positive, and [`ClvError::SpendUndefined`] naming the first
/// customer whose expected spend the model leaves undefined (`q <= 1`: no
/// population mean; see [`super::gamma_gamma`]).
///
/// ```
/// use crm_core::clv::fit_set::expected_spend;
/// use crm_core::clv::gamma_gamma::GammaGamma;
/// use crm_core::clv::ClvError;
/// let m = GammaGamma { p: 6.25, q: 3.74, v: 15.44 };
/// let e = expected_spend(&m, &[0.0, 2.0, 3.0], &[0.0, -4.0, 30.0])?;
/// assert_eq!(Some(e[0]), m.mean_spend());
/// assert_eq!(Some(e[1]), m.mean_spend());
/// assert_eq!(Some(e[2]), m.conditional_expected_spend(3.0, 30.0));
/// let heavy = GammaGamma { q: 0.38, ..m };
/// let err = expected_spend(&heavy, &[3.0, 0.0], &[30.0, 0.0]).unwrap_err();
/// assert_eq!(err, ClvError::SpendUndefined { row: 2 });
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn expected_spend(
    model: &GammaGamma,
    x: &[f64],
    monetary_value: &[f64],
) -> Result<Vec<f64>, ClvError> {
    use super::Parameters as _;
    model.validate()?;
    check_len("monetary_value", monetary_value.len(), x.len())?;
    let mean = model.mean_spend();
    (0..x.len())
        .map(|i| {
            check_spend_values(i, x[i], monetary_value[i])?;
            match spend_exclusion(x[i], monetary_value[i]) {
                None => model.conditional_expected_spend(x[i], monetary_value[i]),
                Some(_) => mean,
            }
            .ok_or(ClvError::SpendUndefined { row: i + 1 })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn repeat_rows_that_break_a_rule_are_errors_with_the_input_row() {
        let e =
            repeat_fit_set(&[0.0, 0.0, 1.5], &[0.0, 0.0, 1.0], &[0.0, 3.0, 3.0], None).unwrap_err();
        assert!(matches!(e, ClvError::InvalidInput { row: 3, ref field, .. } if field == "x"));
        let e = repeat_fit_set(&[0.0], &[0.0], &[-1.0], None).unwrap_err();
        assert!(matches!(e, ClvError::InvalidInput { row: 1, ref field, .. } if field == "T"));
    }

    #[test]
    fn weights_count_customers() {
        let s = spend_fit_set(&[0.0, 1.0], &[0.0, 3.0], Some(&[10.0, 2.0])).unwrap();
        assert_eq!(s.fit_set.customers, 12.0);
        assert_eq!(s.fit_set.excluded(Exclusion::NoRepeatPurchase), 10.0);
        assert_eq!(s.take_weights(Some(&[10.0, 2.0])), Some(vec![2.0]));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// No customer disappears: used + excluded = customers, and the
        /// selected rows are exactly the positive-spend repeat buyers.
        #[test]
        fn spend_fit_set_used_plus_excluded_is_every_customer(
            rows in proptest::collection::vec((0u32..5, -20.0_f64..50.0), 0..40)
        ) {
            let x: Vec<f64> = rows.iter().map(|r| f64::from(r.0)).collect();
            let m: Vec<f64> = rows.iter().map(|r| r.1).collect();
            let s = spend_fit_set(&x, &m, None).unwrap();
            prop_assert_eq!(s.fit_set.used + s.fit_set.total_excluded(), x.len() as f64);
            let want: Vec<usize> = (0..x.len()).filter(|&i| x[i] > 0.0 && m[i] > 0.0).collect();
            prop_assert_eq!(s.rows, want);
        }

        /// No customer disappears from a repeat fit either.
        #[test]
        fn repeat_fit_set_used_plus_excluded_is_every_customer(
            rows in proptest::collection::vec((0u32..5, 0.1_f64..1.0, 0u32..2), 0..40)
        ) {
            let mut x = vec![]; let mut t_x = vec![]; let mut age = vec![];
            for (xi, frac, observed) in rows {
                let a = if observed == 0 { 0.0 } else { 10.0 };
                let xi = if a == 0.0 { 0 } else { xi };
                x.push(f64::from(xi));
                t_x.push(if xi == 0 { 0.0 } else { frac * a });
                age.push(a);
            }
            let s = repeat_fit_set(&x, &t_x, &age, None).unwrap();
            prop_assert_eq!(s.fit_set.used + s.fit_set.total_excluded(), x.len() as f64);
            prop_assert!(s.rows.iter().all(|&i| age[i] > 0.0));
            prop_assert_eq!(s.fit_set.excluded(Exclusion::NotObserved), age.iter().filter(|a| **a == 0.0).count() as f64);
        }
    }
}
