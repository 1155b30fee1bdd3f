//! Holdout scores: how well predictions made at the calibration end match
//! what customers did in the holdout period (Fader, Hardie & Lee 2005's
//! validation practice).
//!
//! From four parallel columns (predicted and actual holdout purchases,
//! predicted and actual holdout value) and the customer ids:
//!
//! - per-customer **MAE** and **RMSE** of holdout purchases;
//! - the **aggregate** error: total predicted minus total actual purchases,
//!   and the same relative to the actual total;
//! - the **Pearson correlation** of predicted and actual purchases;
//! - the **Gini** coefficient of predicted value against actual holdout
//!   value, with its **Lorenz** (cumulative gains) curve: customers ranked
//!   by predicted value, highest first, against the cumulative share of the
//!   actual value they hold; `gini = 2 · area − 1` (0 for a ranking no
//!   better than chance);
//! - a **decile** table: predicted against actual, per tenth of customers
//!   by predicted value (decile 1 the highest).
//!
//! Ranks break ties of predicted value by customer id (ascending), so the
//! curve and the deciles do not depend on the input order. Decile `k`
//! (1-based) holds the customers of 0-based rank `r` with
//! `⌊10 r / n⌋ = k − 1`: sizes differ by at most one, and with fewer than
//! ten customers some deciles are empty and left out.
//!
//! A statistic whose denominator is zero is `None`, never NaN: the
//! correlation when either column is constant, the relative aggregate
//! error when no actual purchase happened, the Gini and the curve's shares
//! when the actual total value is not positive.
//!
//! ```
//! use crm_core::clv::validation::{HoldoutColumns, HoldoutScores};
//! use crm_core::records::customer::CustomerId;
//! let ids: Vec<CustomerId> = vec![1.into(), 2.into(), 3.into(), 4.into()];
//! let s = HoldoutScores::of(&HoldoutColumns {
//!     customers: &ids,
//!     predicted_purchases: &[1.0, 2.0, 0.5, 0.0],
//!     actual_purchases: &[1.0, 3.0, 0.0, 0.0],
//!     predicted_value: &[10.0, 20.0, 5.0, 0.0],
//!     actual_value: &[10.0, 30.0, 0.0, 0.0],
//! })?;
//! assert_eq!(s.mae, 0.375);                      // (0 + 1 + 0.5 + 0) / 4
//! assert_eq!(s.aggregate_error, -0.5);           // 3.5 predicted, 4 actual
//! assert_eq!(s.deciles[0].customers, 1);         // 4 customers: deciles 1, 3, 6, 8
//! # Ok::<(), crm_core::clv::ClvError>(())
//! ```

use serde::{Deserialize, Serialize};

use super::ClvError;
use crate::records::customer::CustomerId;

/// Number of groups of the calibration table.
pub const DECILES: usize = 10;

/// Points of the Lorenz curve kept in [`HoldoutScores::lorenz`]: the curve
/// at every hundredth of the customers (all customers when fewer).
pub const LORENZ_POINTS: usize = 100;

/// The columns to score, parallel, one entry per customer. Value is money
/// as the nearest `f64` (a statistic, not an amount).
#[derive(Debug, Clone, Copy)]
pub struct HoldoutColumns<'a> {
    /// The customers (ties of predicted value are broken by id).
    pub customers: &'a [CustomerId],
    /// Expected purchases in the holdout period, predicted at its start.
    pub predicted_purchases: &'a [f64],
    /// Purchases (occasions) in the holdout period.
    pub actual_purchases: &'a [f64],
    /// Predicted value in the holdout period (e.g. expected purchases ×
    /// expected spend per purchase).
    pub predicted_value: &'a [f64],
    /// Net spend in the holdout period.
    pub actual_value: &'a [f64],
}

/// One point of the Lorenz (cumulative gains) curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct LorenzPoint {
    /// Share of customers, highest predicted value first (0 to 1).
    pub customer_share: f64,
    /// Their share of the actual holdout value.
    pub value_share: f64,
}

/// One row of the calibration table: a tenth of the customers by
/// predicted value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Decile {
    /// 1 (highest predicted value) to 10.
    pub decile: u8,
    /// Customers in the decile.
    pub customers: u64,
    /// Mean predicted holdout purchases.
    pub predicted_purchases: f64,
    /// Mean actual holdout purchases.
    pub actual_purchases: f64,
    /// Mean predicted holdout value.
    pub predicted_value: f64,
    /// Mean actual holdout value.
    pub actual_value: f64,
}

/// The holdout scores of one set of predictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct HoldoutScores {
    /// Customers scored.
    pub customers: u64,
    /// Mean absolute error of holdout purchases per customer.
    pub mae: f64,
    /// Root mean squared error of holdout purchases per customer.
    pub rmse: f64,
    /// Total predicted holdout purchases.
    pub predicted_total: f64,
    /// Total actual holdout purchases.
    pub actual_total: f64,
    /// `predicted_total − actual_total`.
    pub aggregate_error: f64,
    /// `aggregate_error / actual_total` (None when no purchase happened).
    pub aggregate_relative_error: Option<f64>,
    /// Pearson correlation of predicted and actual purchases (None when
    /// either is constant).
    pub correlation: Option<f64>,
    /// Gini of predicted value against actual value: `2 · area under the
    /// Lorenz curve − 1` (None when the actual total value is not positive).
    pub gini: Option<f64>,
    /// The Lorenz curve from (0, 0) to (1, 1), at every hundredth of the
    /// customers (empty when `gini` is None).
    pub lorenz: Vec<LorenzPoint>,
    /// The calibration table, decile 1 (highest predicted value) first.
    pub deciles: Vec<Decile>,
}

fn check(name: &str, values: &[f64], n: usize) -> Result<(), ClvError> {
    if values.len() != n {
        return Err(ClvError::LengthMismatch {
            column: name.into(),
            found: values.len(),
            expected: n,
        });
    }
    match values.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(ClvError::InvalidInput {
            field: name.into(),
            row: i + 1,
            rule: "finite_value: a finite number".into(),
        }),
        None => Ok(()),
    }
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Pearson's r by the two-pass formula (None for a constant column).
fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    let (ma, mb) = (mean(a), mean(b));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (dx, dy) = (x - ma, y - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    let r = sab / (saa.sqrt() * sbb.sqrt());
    (saa > 0.0 && sbb > 0.0 && r.is_finite()).then(|| r.clamp(-1.0, 1.0))
}

impl HoldoutScores {
    /// Scores the columns.
    ///
    /// # Errors
    ///
    /// [`ClvError::NoData`] without customers; [`ClvError::LengthMismatch`]
    /// for columns of other lengths than `customers`;
    /// [`ClvError::InvalidInput`] (the column and 1-based row) for a value
    /// that is not finite.
    ///
    /// # Example
    ///
    /// See the [module docs](self).
    pub fn of(c: &HoldoutColumns<'_>) -> Result<HoldoutScores, ClvError> {
        let n = c.customers.len();
        if n == 0 {
            return Err(ClvError::NoData {
                reason: "no customer to score".into(),
            });
        }
        check("predicted_purchases", c.predicted_purchases, n)?;
        check("actual_purchases", c.actual_purchases, n)?;
        check("predicted_value", c.predicted_value, n)?;
        check("actual_value", c.actual_value, n)?;
        let (p, a) = (c.predicted_purchases, c.actual_purchases);
        let (mut abs, mut sq) = (0.0, 0.0);
        for (x, y) in p.iter().zip(a) {
            abs += (x - y).abs();
            sq += (x - y) * (x - y);
        }
        let nf = n as f64;
        let predicted_total: f64 = p.iter().sum();
        let actual_total: f64 = a.iter().sum();
        let aggregate_error = predicted_total - actual_total;
        // Rank: predicted value descending, then customer id ascending.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&i, &j| {
            c.predicted_value[j]
                .total_cmp(&c.predicted_value[i])
                .then_with(|| c.customers[i].cmp(&c.customers[j]))
        });
        let (gini, lorenz) = lorenz(&order, c.actual_value);
        let scores = HoldoutScores {
            customers: n as u64,
            mae: abs / nf,
            rmse: (sq / nf).sqrt(),
            predicted_total,
            actual_total,
            aggregate_error,
            aggregate_relative_error: (actual_total != 0.0).then(|| aggregate_error / actual_total),
            correlation: pearson(p, a),
            gini,
            lorenz,
            deciles: deciles(&order, c),
        };
        if scores.all_finite() {
            Ok(scores)
        } else {
            Err(ClvError::InvalidArgument {
                name: "holdout columns".into(),
                rule: "finite_scores: the columns' sums must be finite in f64".into(),
            })
        }
    }

    /// Whether every figure is finite (sums of finite values can overflow).
    fn all_finite(&self) -> bool {
        let options = [self.aggregate_relative_error, self.correlation, self.gini];
        [
            self.mae,
            self.rmse,
            self.predicted_total,
            self.actual_total,
            self.aggregate_error,
        ]
        .iter()
        .chain(options.iter().flatten())
        .chain(
            self.lorenz
                .iter()
                .flat_map(|p| [&p.customer_share, &p.value_share]),
        )
        .chain(self.deciles.iter().flat_map(|d| {
            [
                &d.predicted_purchases,
                &d.actual_purchases,
                &d.predicted_value,
                &d.actual_value,
            ]
        }))
        .all(|v| v.is_finite())
    }
}

/// The Gini coefficient (trapezoids over every customer) and the curve at
/// every hundredth of the customers.
fn lorenz(order: &[usize], actual: &[f64]) -> (Option<f64>, Vec<LorenzPoint>) {
    let n = order.len();
    let total: f64 = actual.iter().sum();
    if total <= 0.0 || !total.is_finite() {
        return (None, Vec::new());
    }
    let mut points = vec![LorenzPoint {
        customer_share: 0.0,
        value_share: 0.0,
    }];
    let mut next = 1_usize;
    let (mut cum, mut area) = (0.0, 0.0);
    for (rank, &i) in order.iter().enumerate() {
        let before = cum / total;
        cum += actual[i];
        area += (before + cum / total) / 2.0;
        let m = rank + 1;
        // Keep the point at m when m = ceil(k n / 100) for the next k.
        while next <= LORENZ_POINTS && m * LORENZ_POINTS >= next * n {
            if points
                .last()
                .is_some_and(|p| p.customer_share < m as f64 / n as f64)
            {
                points.push(LorenzPoint {
                    customer_share: m as f64 / n as f64,
                    value_share: cum / total,
                });
            }
            next += 1;
        }
    }
    let gini = 2.0 * area / n as f64 - 1.0;
    (gini.is_finite().then_some(gini), points)
}

fn deciles(order: &[usize], c: &HoldoutColumns<'_>) -> Vec<Decile> {
    let n = order.len();
    let mut sums = [[0.0_f64; 4]; DECILES];
    let mut counts = [0_u64; DECILES];
    for (rank, &i) in order.iter().enumerate() {
        let d = rank * DECILES / n;
        if let (Some(s), Some(k)) = (sums.get_mut(d), counts.get_mut(d)) {
            s[0] += c.predicted_purchases[i];
            s[1] += c.actual_purchases[i];
            s[2] += c.predicted_value[i];
            s[3] += c.actual_value[i];
            *k += 1;
        }
    }
    (0..DECILES)
        .filter(|&d| counts[d] > 0)
        .map(|d| {
            let k = counts[d] as f64;
            Decile {
                decile: (d + 1) as u8,
                customers: counts[d],
                predicted_purchases: sums[d][0] / k,
                actual_purchases: sums[d][1] / k,
                predicted_value: sums[d][2] / k,
                actual_value: sums[d][3] / k,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: i64) -> Vec<CustomerId> {
        (1..=n).map(CustomerId::from).collect()
    }

    fn scores(p: &[f64], a: &[f64], pv: &[f64], av: &[f64]) -> HoldoutScores {
        let c = ids(p.len() as i64);
        HoldoutScores::of(&HoldoutColumns {
            customers: &c,
            predicted_purchases: p,
            actual_purchases: a,
            predicted_value: pv,
            actual_value: av,
        })
        .unwrap()
    }

    #[test]
    fn errors_and_correlation_match_hand_computed_figures() {
        // Errors 1, -1, 2, 0: MAE 1, RMSE sqrt(6/4); totals 9 and 7.
        let s = scores(
            &[2.0, 1.0, 4.0, 2.0],
            &[1.0, 2.0, 2.0, 2.0],
            &[1.0; 4],
            &[1.0; 4],
        );
        assert_eq!(s.mae, 1.0);
        assert_eq!(s.rmse, 1.5_f64.sqrt());
        assert_eq!((s.predicted_total, s.actual_total), (9.0, 7.0));
        assert_eq!(s.aggregate_relative_error, Some(2.0 / 7.0));
        // Means 2.25 and 1.75; dx = -.25 -1.25 1.75 -.25, dy = -.75 .25 .25 .25:
        // sxy = .1875 - .3125 + .4375 - .0625 = .25; sxx = 4.75; syy = .75.
        let r = 0.25 / (4.75_f64 * 0.75).sqrt();
        assert!((s.correlation.unwrap() - r).abs() < 1e-15);
    }

    #[test]
    fn a_constant_column_has_no_correlation() {
        let s = scores(&[1.0, 1.0], &[0.0, 3.0], &[1.0, 1.0], &[0.0, 0.0]);
        assert_eq!(s.correlation, None);
        assert_eq!(s.gini, None); // no actual value
        assert!(s.lorenz.is_empty());
    }

    #[test]
    fn gini_of_a_perfect_ranking_of_one_buyer_in_four() {
        // Ranked first holds all value: curve 0, 1, 1, 1, 1 at quarters;
        // area = (0.5 + 1 + 1 + 1) / 4 = 0.875, Gini 0.75.
        let s = scores(
            &[0.0; 4],
            &[0.0; 4],
            &[4.0, 3.0, 2.0, 1.0],
            &[10.0, 0.0, 0.0, 0.0],
        );
        assert_eq!(s.gini, Some(0.75));
        // The worst ranking gives -0.75, a ranking by ties broken by id the same as by id.
        let w = scores(
            &[0.0; 4],
            &[0.0; 4],
            &[1.0, 2.0, 3.0, 4.0],
            &[10.0, 0.0, 0.0, 0.0],
        );
        assert_eq!(w.gini, Some(-0.75));
        let t = scores(&[0.0; 4], &[0.0; 4], &[1.0; 4], &[10.0, 0.0, 0.0, 0.0]);
        assert_eq!(t.gini, Some(0.75));
        assert_eq!(s.lorenz.len(), 5);
        assert_eq!(
            s.lorenz[1],
            LorenzPoint {
                customer_share: 0.25,
                value_share: 1.0
            }
        );
    }

    #[test]
    fn the_lorenz_curve_keeps_every_hundredth_of_many_customers() {
        let n = 1000;
        let v: Vec<f64> = (0..n).map(|i| f64::from(n - i)).collect();
        let s = scores(&vec![0.0; 1000], &vec![0.0; 1000], &v, &v);
        assert_eq!(s.lorenz.len(), LORENZ_POINTS + 1);
        assert_eq!(s.lorenz[10].customer_share, 0.1);
        // Top tenth of 1000..1 holds (1000 + 901) * 100 / 2 / 500500.
        assert!((s.lorenz[10].value_share - 95_050.0 / 500_500.0).abs() < 1e-15);
        assert_eq!(s.lorenz.last().unwrap().value_share, 1.0);
    }

    #[test]
    fn deciles_split_as_evenly_as_possible_and_rank_by_predicted_value() {
        // 12 customers: ranks 0,1 -> decile 1; 2 -> 2; ... sizes 2,1,1,1,1,2,1,1,1,1.
        let pv: Vec<f64> = (0..12).map(f64::from).collect();
        let s = scores(&pv, &pv, &pv, &pv);
        let sizes: Vec<u64> = s.deciles.iter().map(|d| d.customers).collect();
        assert_eq!(sizes, vec![2, 1, 1, 1, 1, 2, 1, 1, 1, 1]);
        assert_eq!(s.deciles[0].predicted_value, 10.5); // 11 and 10
        assert_eq!(s.deciles[9].actual_value, 0.0);
        let few = scores(&[1.0, 2.0, 3.0], &[0.0; 3], &[1.0, 2.0, 3.0], &[0.0; 3]);
        let numbers: Vec<u8> = few.deciles.iter().map(|d| d.decile).collect();
        assert_eq!(numbers, vec![1, 4, 7]);
    }

    #[test]
    fn sums_beyond_f64_are_an_error_not_infinity() {
        let c = ids(2);
        let big = [f64::MAX, f64::MAX];
        let e = HoldoutScores::of(&HoldoutColumns {
            customers: &c,
            predicted_purchases: &big,
            actual_purchases: &[0.0, 0.0],
            predicted_value: &[1.0, 1.0],
            actual_value: &[1.0, 1.0],
        })
        .unwrap_err();
        assert!(matches!(e, ClvError::InvalidArgument { .. }));
    }

    #[test]
    fn bad_columns_are_typed_errors() {
        let c = ids(2);
        let ok = [1.0, 2.0];
        let cols = |p: &'static [f64]| HoldoutColumns {
            customers: &[],
            predicted_purchases: p,
            actual_purchases: p,
            predicted_value: p,
            actual_value: p,
        };
        assert!(matches!(
            HoldoutScores::of(&cols(&[])),
            Err(ClvError::NoData { .. })
        ));
        let nan = [1.0, f64::NAN];
        let e = HoldoutScores::of(&HoldoutColumns {
            customers: &c,
            predicted_purchases: &ok,
            actual_purchases: &ok,
            predicted_value: &nan,
            actual_value: &ok,
        })
        .unwrap_err();
        assert!(
            matches!(e, ClvError::InvalidInput { row: 2, ref field, .. } if field == "predicted_value")
        );
        let e = HoldoutScores::of(&HoldoutColumns {
            customers: &c,
            predicted_purchases: &ok[..1],
            actual_purchases: &ok,
            predicted_value: &ok,
            actual_value: &ok,
        })
        .unwrap_err();
        assert!(matches!(
            e,
            ClvError::LengthMismatch {
                found: 1,
                expected: 2,
                ..
            }
        ));
    }
}
