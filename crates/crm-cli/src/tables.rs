//! The per-customer tables each subcommand writes: summaries, tiers with
//! their treatments and evidence, RFM scores and segments.
//!
//! Column names match the Python package's tables, so a file written here
//! reads the same in a notebook.

use crm_core::records::summary::Summaries;
use crm_core::value::assignment::Assignments;
use crm_core::value::rfm::RfmResult;

use crate::failure::Failure;
use crate::table::{Table, counts, dates, decimals, floats, ids, texts};

/// One row per customer: the summary figures, sorted by customer id.
pub fn summaries(s: &Summaries) -> Table {
    let n = s.len();
    let optional = s.quantity.len() == n;
    let mut t = Table::default();
    t.push("customer_id", ids(&s.customers))
        .push("frequency", counts(s.frequency.iter().copied()))
        .push("recency", floats(s.recency.iter().map(|v| Some(*v))))
        .push("T", floats(s.age.iter().map(|v| Some(*v))))
        .push(
            "monetary_value",
            decimals(s.monetary_value.iter().map(|v| Some(*v))),
        )
        .push("first_purchase", dates(&s.first_purchase))
        .push("last_purchase", dates(&s.last_purchase))
        .push(
            "total_spend",
            decimals(s.total_spend.iter().map(|v| Some(*v))),
        )
        .push("occasions", counts(s.occasions.iter().copied()))
        .push("transactions", counts(s.transactions.iter().copied()))
        .push(
            "mean_spend",
            decimals(s.mean_spend.iter().map(|v| Some(*v))),
        )
        .push("returns", counts(s.returns.iter().copied()))
        .push(
            "returns_amount",
            decimals(s.returns_amount.iter().map(|v| Some(*v))),
        );
    if optional {
        t.push("quantity", decimals(s.quantity.iter().copied()))
            .push("margin", decimals(s.margin.iter().copied()))
            .push(
                "discounted_transactions",
                counts(s.discounted_transactions.iter().copied()),
            )
            .push("discount_share", floats(s.discount_share.iter().copied()));
    }
    t
}

/// One row per customer: tier, rank, shares, behaviours and treatment, in
/// crm-io's tiers layout (`crates/crm-io/schemas/tiers.json`).
pub fn tiers(a: &Assignments) -> Result<Table, Failure> {
    let layout = crm_io::tables::tiers::table(a, crm_io::tables::MoneyType::Decimal128);
    let batch = layout
        .batch()
        .map_err(|e| Failure::internal(format!("building the tiers table: {e}")))?;
    let mut t = Table::default();
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        t.push(field.name(), column.clone());
    }
    Ok(t)
}

/// One row per customer: recency days, occasions, spend, scores, segment.
pub fn rfm(s: &Summaries, r: &RfmResult) -> Table {
    let as_of = crm_core::records::transaction::day_number(s.as_of);
    let mut t = Table::default();
    t.push("customer_id", ids(&s.customers))
        .push(
            "recency_days",
            counts(
                s.last_purchase.iter().map(|d| {
                    (as_of - crm_core::records::transaction::day_number(*d)).max(0) as u64
                }),
            ),
        )
        .push("occasions", counts(s.occasions.iter().copied()))
        .push(
            "total_spend",
            decimals(s.total_spend.iter().map(|v| Some(*v))),
        )
        .push("r", counts(r.scores.iter().map(|x| u64::from(x.recency))))
        .push("f", counts(r.scores.iter().map(|x| u64::from(x.frequency))))
        .push("m", counts(r.scores.iter().map(|x| u64::from(x.monetary))))
        .push(
            "segment",
            texts((0..r.scores.len()).map(|i| r.segment_name(i).unwrap_or(""))),
        );
    t
}
