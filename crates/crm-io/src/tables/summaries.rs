//! The per-customer summaries table (`summaries`) and the calibration /
//! holdout table (`calibration_holdout`, the summaries at the cut date and
//! the holdout figures, as `lifetimes`' `calibration_and_holdout_data`).
//!
//! The optional columns (quantity, margin, discounted transactions,
//! discount share) are always there: null (discounted transactions: 0, as
//! crm-core reads them) when the input had none, so the layout never
//! depends on the input.

use crm_core::records::summary::{CalibrationHoldout, Summaries};

use super::{MoneyType, Table, counts, dates, floats, ids, money};

/// One row per customer, sorted by customer id: the BTYD triple
/// (`frequency`, `recency`, `T`, `monetary_value`), the purchase dates,
/// spend, returns and the optional columns.
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::summary::{Summaries, SummaryConfig};
/// use crm_io::tables::{MoneyType, summaries::summaries};
/// let s = Summaries::with_capacity(&SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 1, 31).unwrap()), 0);
/// let t = summaries(&s, MoneyType::Decimal128);
/// assert_eq!(t.names()[..4], ["customer_id", "frequency", "recency", "T"]);
/// ```
pub fn summaries(s: &Summaries, m: MoneyType) -> Table {
    let mut t = Table::default();
    push_summaries(&mut t, s, m);
    t
}

fn push_summaries(t: &mut Table, s: &Summaries, m: MoneyType) {
    let n = s.len();
    let optional = s.quantity.len() == n;
    let all = |v: &[rust_decimal::Decimal]| v.iter().map(|d| Some(*d)).collect::<Vec<_>>();
    let or_none = |v: &[Option<rust_decimal::Decimal>]| {
        if optional { v.to_vec() } else { vec![None; n] }
    };
    t.push("customer_id", ids(&s.customers))
        .push("frequency", counts(s.frequency.iter().copied()))
        .push("recency", floats(s.recency.iter().map(|v| Some(*v))))
        .push("T", floats(s.age.iter().map(|v| Some(*v))))
        .push("monetary_value", money(m, all(&s.monetary_value)))
        .push("first_purchase", dates(&s.first_purchase))
        .push("last_purchase", dates(&s.last_purchase))
        .push("total_spend", money(m, all(&s.total_spend)))
        .push("occasions", counts(s.occasions.iter().copied()))
        .push("transactions", counts(s.transactions.iter().copied()))
        .push("mean_spend", money(m, all(&s.mean_spend)))
        .push("returns", counts(s.returns.iter().copied()))
        .push("returns_amount", money(m, all(&s.returns_amount)))
        .push("quantity", money(m, or_none(&s.quantity)))
        .push("margin", money(m, or_none(&s.margin)))
        .push(
            "discounted_transactions",
            counts((0..n).map(|i| {
                if optional {
                    s.discounted_transactions.get(i).copied().unwrap_or(0)
                } else {
                    0
                }
            })),
        )
        .push(
            "discount_share",
            floats((0..n).map(|i| {
                if optional {
                    s.discount_share.get(i).copied().flatten()
                } else {
                    None
                }
            })),
        );
}

/// One row per calibration customer, the layout of `lifetimes`'
/// `calibration_and_holdout_data`: `customer_id`, the [`summaries`] columns
/// at the cut date with the suffix `_cal` (`frequency_cal`, `recency_cal`,
/// `T_cal`, `monetary_value_cal`, ...), then `frequency_holdout` (occasions
/// in the holdout period), `monetary_value_holdout` (mean spend per holdout
/// occasion, 0 without one), `transactions_holdout` (rows),
/// `total_spend_holdout` (net spend; `lifetimes`' per-row mean is
/// `total_spend_holdout / transactions_holdout`) and `duration_holdout`
/// (the holdout's length in the unit, the same on every row, as `lifetimes`
/// gives it).
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::summary::{CalibrationHoldoutAccumulator, SummaryConfig};
/// use crm_io::tables::{MoneyType, summaries::calibration_holdout};
/// let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
/// let out = CalibrationHoldoutAccumulator::new(SummaryConfig::new(d(6, 30)), d(3, 31))?.finish()?;
/// let t = calibration_holdout(&out, MoneyType::Float64);
/// assert_eq!(t.names()[..5], ["customer_id", "frequency_cal", "recency_cal", "T_cal", "monetary_value_cal"]);
/// assert_eq!(t.names().last(), Some(&"duration_holdout"));
/// # Ok::<(), crm_core::records::summary::SummaryError>(())
/// ```
pub fn calibration_holdout(c: &CalibrationHoldout, m: MoneyType) -> Table {
    let mut t = Table::default();
    for (name, column) in summaries(&c.calibration, m).columns {
        if name == "customer_id" {
            t.push(&name, column);
        } else {
            t.push(&format!("{name}_cal"), column);
        }
    }
    let all = |v: &[rust_decimal::Decimal]| v.iter().map(|d| Some(*d)).collect::<Vec<_>>();
    t.push(
        "frequency_holdout",
        counts(c.frequency_holdout.iter().copied()),
    )
    .push(
        "monetary_value_holdout",
        money(m, all(&c.monetary_value_holdout)),
    )
    .push(
        "transactions_holdout",
        counts(c.transactions_holdout.iter().copied()),
    )
    .push("total_spend_holdout", money(m, all(&c.total_spend_holdout)))
    .push(
        "duration_holdout",
        floats(c.frequency_holdout.iter().map(|_| Some(c.duration_holdout))),
    );
    t
}
