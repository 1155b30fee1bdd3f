//! The RFM table (`rfm`): the three metrics, their scores, the code and
//! the segment of every customer.

use crm_core::CustomerId;
use crm_core::value::rfm::{RfmMetrics, RfmResult};

use super::{MoneyType, Table, counts, ids, integers, money, scores, texts};

/// One row per customer, in the order of `customers`: `recency_days`,
/// `frequency` (occasions), `monetary` (the spend ranked: total or mean per
/// occasion), `r_score`, `f_score`, `m_score` (1..5, 5 best), `rfm_code`
/// and `segment`.
///
/// ```
/// use crm_core::value::rfm::{score, RfmMetrics, SegmentTable};
/// use crm_io::tables::{MoneyType, rfm::rfm};
/// use rust_decimal_macros::dec;
/// let m = RfmMetrics { recency_days: vec![3], frequency: vec![2], monetary: vec![dec!(9.5)] };
/// let r = score(&m.input(), None, &SegmentTable::standard())?;
/// let t = rfm(&[7.into()], &m, &r, MoneyType::Decimal128);
/// assert_eq!(t.batch()?.num_rows(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn rfm(
    customers: &[CustomerId],
    m: &RfmMetrics,
    r: &RfmResult,
    money_type: MoneyType,
) -> Table {
    let mut t = Table::default();
    t.push("customer_id", ids(customers))
        .push("recency_days", integers(m.recency_days.iter().copied()))
        .push("frequency", counts(m.frequency.iter().copied()))
        .push(
            "monetary",
            money(
                money_type,
                m.monetary.iter().map(|d| Some(*d)).collect::<Vec<_>>(),
            ),
        )
        .push("r_score", scores(r.scores.iter().map(|s| s.recency)))
        .push("f_score", scores(r.scores.iter().map(|s| s.frequency)))
        .push("m_score", scores(r.scores.iter().map(|s| s.monetary)))
        .push("rfm_code", texts(r.scores.iter().map(|s| s.code())))
        .push(
            "segment",
            texts((0..r.scores.len()).map(|i| r.segment_name(i).unwrap_or(""))),
        );
    t
}
