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

use crm_core::CustomerId;
use crm_core::clv::model_file::Predictions;

use super::{Table, floats, ids};

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
