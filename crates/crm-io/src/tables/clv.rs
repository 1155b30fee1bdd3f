//! The CLV predictions table: one row per customer, the layout of `crm clv
//! predict` (CSV, Parquet), of the Python package and of Spark.
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `customer_id` | `int64` (all ids integers) or `utf8` | the customer |
//! | `p_alive` | `float64` | P(alive) at the analysis date |
//! | `expected_purchases` | `float64` | expected purchases over the horizon |
//! | `expected_spend` | `float64` | expected spend per purchase |
//! | `clv` | `float64` | discounted CLV over the horizon |
//!
//! ```
//! use crm_core::CustomerId;
//! use crm_core::clv::model_file::Predictions;
//! use crm_io::tables::clv::predictions;
//! let p = Predictions { p_alive: vec![0.9], expected_purchases: vec![1.5], expected_spend: vec![30.0], clv: vec![44.1] };
//! let t = predictions(&[CustomerId::from(7)], &p);
//! assert_eq!(t.names(), ["customer_id", "p_alive", "expected_purchases", "expected_spend", "clv"]);
//! ```
//!
//! The intervals table (`crm clv predict --level`): the predictions table's
//! columns, each followed by the ends of its interval (`p_alive_lower`,
//! `p_alive_upper`, …, `clv_upper`), then `level` (float64, the same on
//! every row). The totals' intervals are in the JSON form only.
//!
//! The purchase probabilities table (Pareto/NBD's conditional PMF): one row
//! per customer and count, customers in order, counts `0..=max` and then
//! the rest.
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `customer_id` | `int64` or `utf8` | the customer |
//! | `purchases` | `int64` | `n`; on the last row of a customer `max + 1`, meaning that many or more |
//! | `label` | `utf8` | `"3"`, or `"11+"` on the last row |
//! | `probability` | `float64` | P(exactly `n`) over the horizon, or P(at least `max + 1`) |

use crm_core::CustomerId;
use crm_core::clv::intervals::{Bounds, PredictionIntervals};
use crm_core::clv::model_file::Predictions;
use crm_core::clv::pareto_nbd_pmf::PurchaseProbabilities;

use super::{Table, counts, floats, ids, texts};

/// The table's name in [`super::golden_layout`].
pub const PREDICTIONS: &str = "clv_predictions";

/// One row per customer, in `customers` order (the predictions' order).
/// A prediction column shorter than `customers` has nulls at the end
/// (never the case for [`crm_core::clv::model_file::ModelFile::predict`]).
pub fn predictions(customers: &[CustomerId], p: &Predictions) -> Table {
    let col = |v: &[f64]| floats((0..customers.len()).map(|i| v.get(i).copied()));
    let mut t = Table::default();
    t.push("customer_id", ids(customers))
        .push("p_alive", col(&p.p_alive))
        .push("expected_purchases", col(&p.expected_purchases))
        .push("expected_spend", col(&p.expected_spend))
        .push("clv", col(&p.clv));
    t
}

/// The intervals table's name in [`super::golden_layout`].
pub const INTERVALS: &str = "clv_intervals";

/// One row per customer, in `customers` order: each prediction and the
/// ends of its interval, then the level. Columns shorter than `customers`
/// end in nulls, as in [`predictions`].
///
/// ```
/// use crm_io::tables::golden_layout;
/// assert!(golden_layout("clv_intervals").unwrap().contains("clv_upper"));
/// ```
pub fn intervals(customers: &[CustomerId], iv: &PredictionIntervals) -> Table {
    let n = customers.len();
    let col = |v: &[f64]| floats((0..n).map(|i| v.get(i).copied()));
    let p = &iv.predictions;
    let mut t = Table::default();
    t.push("customer_id", ids(customers));
    let each: [(&str, &[f64], &Bounds); 4] = [
        ("p_alive", &p.p_alive, &iv.p_alive),
        (
            "expected_purchases",
            &p.expected_purchases,
            &iv.expected_purchases,
        ),
        ("expected_spend", &p.expected_spend, &iv.expected_spend),
        ("clv", &p.clv, &iv.clv),
    ];
    for (name, estimate, bounds) in each {
        t.push(name, col(estimate))
            .push(&format!("{name}_lower"), col(&bounds.lower))
            .push(&format!("{name}_upper"), col(&bounds.upper));
    }
    t.push("level", floats((0..n).map(|_| Some(iv.level.value()))));
    t
}

/// The purchase probabilities table's name in [`super::golden_layout`].
pub const PURCHASE_PROBABILITIES: &str = "purchase_probabilities";

/// One row per customer and count (`customers` in order; the counts
/// `0..=max_purchases`, then the open row "`max_purchases + 1` or more").
/// Customers beyond the probabilities' own are left out, never padded.
///
/// ```
/// use crm_core::CustomerId;
/// use crm_core::clv::pareto_nbd::ParetoNbd;
/// use crm_core::clv::pareto_nbd_pmf::PurchaseProbabilities;
/// use crm_io::tables::clv::purchase_probabilities;
/// let m = ParetoNbd { r: 0.5534, alpha: 10.5802, s: 0.6061, beta: 11.6562 };
/// let p = PurchaseProbabilities::of(&m, 1, 39.0, &[2.0], &[30.43], &[38.86])?;
/// let t = purchase_probabilities(&[CustomerId::from(7)], &p);
/// assert_eq!(t.names(), ["customer_id", "purchases", "label", "probability"]);
/// assert_eq!(t.batch().unwrap().num_rows(), 3); // 0, 1 and 2+
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn purchase_probabilities(customers: &[CustomerId], p: &PurchaseProbabilities) -> Table {
    let width = p.max_purchases as usize + 2;
    let n = customers.len().min(p.customers());
    let repeated: Vec<CustomerId> = customers[..n]
        .iter()
        .flat_map(|c| std::iter::repeat_n(c.clone(), width))
        .collect();
    let count = |i: usize| (i % width) as u64;
    let tail = u64::from(p.max_purchases) + 1;
    let mut t = Table::default();
    t.push("customer_id", ids(&repeated))
        .push("purchases", counts((0..n * width).map(count)))
        .push(
            "label",
            texts((0..n * width).map(|i| {
                let c = count(i);
                if c == tail {
                    format!("{c}+")
                } else {
                    c.to_string()
                }
            })),
        )
        .push(
            "probability",
            floats(p.probabilities[..n * width].iter().map(|&v| Some(v))),
        );
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::{golden_layout, layout};

    #[test]
    fn predictions_match_the_golden_layout() {
        let p = Predictions {
            p_alive: vec![0.5, 1.0],
            expected_purchases: vec![0.2, 3.0],
            expected_spend: vec![10.0, 20.0],
            clv: vec![2.0, 60.0],
        };
        let t = predictions(&[CustomerId::from(1), CustomerId::from(2)], &p);
        assert_eq!(
            Some(layout(PREDICTIONS, &t.schema()).as_str()),
            golden_layout(PREDICTIONS)
        );
        let batch = t.batch().unwrap();
        assert_eq!(batch.num_rows(), 2);
    }

    #[test]
    fn intervals_match_the_golden_layout() {
        use crm_core::clv::intervals::{Interval, Level};
        let b = || Bounds {
            lower: vec![0.1],
            upper: vec![0.9],
        };
        let total = Interval {
            estimate: 1.0,
            lower: 0.5,
            upper: 2.0,
            standard_error: 0.4,
        };
        let iv = PredictionIntervals {
            level: Level::default(),
            predictions: Predictions {
                p_alive: vec![0.5],
                expected_purchases: vec![0.5],
                expected_spend: vec![0.5],
                clv: vec![0.5],
            },
            p_alive: b(),
            expected_purchases: b(),
            expected_spend: b(),
            clv: b(),
            total_expected_purchases: total,
            total_clv: total,
        };
        let t = intervals(&[CustomerId::from(1)], &iv);
        assert_eq!(
            Some(layout(INTERVALS, &t.schema()).as_str()),
            golden_layout(INTERVALS)
        );
        assert_eq!(t.batch().unwrap().num_rows(), 1);
    }

    #[test]
    fn purchase_probabilities_match_the_golden_layout_and_keep_every_customer() {
        use crm_core::clv::pareto_nbd::ParetoNbd;
        let m = ParetoNbd {
            r: 0.5534,
            alpha: 10.5802,
            s: 0.6061,
            beta: 11.6562,
        };
        let p = PurchaseProbabilities::of(&m, 2, 39.0, &[0.0, 2.0], &[0.0, 30.43], &[38.86, 38.86])
            .unwrap();
        let t = purchase_probabilities(&[CustomerId::from(1), CustomerId::from(2)], &p);
        assert_eq!(
            Some(layout(PURCHASE_PROBABILITIES, &t.schema()).as_str()),
            golden_layout(PURCHASE_PROBABILITIES)
        );
        let batch = t.batch().unwrap();
        assert_eq!(batch.num_rows(), 8);
        let labels = batch
            .column(2)
            .as_any()
            .downcast_ref::<arrow::array::StringArray>()
            .unwrap();
        let got: Vec<&str> = labels.iter().map(Option::unwrap).collect();
        assert_eq!(got, ["0", "1", "2", "3+", "0", "1", "2", "3+"]);
    }

    #[test]
    fn short_columns_become_nulls_not_missing_rows() {
        let p = Predictions {
            p_alive: vec![0.5],
            ..Predictions::default()
        };
        let t = predictions(&[CustomerId::from(1), CustomerId::from(2)], &p);
        let batch = t.batch().unwrap();
        assert_eq!(batch.num_rows(), 2);
        assert_eq!(batch.column(4).null_count(), 2);
    }
}
