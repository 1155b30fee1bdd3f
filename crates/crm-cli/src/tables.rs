//! The tiers table (with treatments and evidence); the other result tables
//! (summaries, RFM, review, metrics) are built by `crm_io::tables`.

use crm_core::value::assignment::Assignments;
use crm_io::tables::{Table, counts, decimals, ids, optional_counts, texts};

/// One row per customer: tier, rank, shares, behaviours and treatment.
pub fn tiers(a: &Assignments) -> Table {
    let rows: Vec<_> = a.iter().collect();
    let mut t = Table::default();
    t.push("customer_id", ids(a.ids()))
        .push("value", decimals(rows.iter().map(|r| Some(r.tier.value))))
        .push("tier", texts(rows.iter().map(|r| r.tier.tier.as_str())))
        .push("rank", optional_counts(rows.iter().map(|r| r.tier.rank)))
        .push("share", decimals(rows.iter().map(|r| r.tier.share)))
        .push(
            "cumulative_share_before",
            decimals(rows.iter().map(|r| r.tier.cumulative_share_before)),
        )
        .push(
            "cumulative_share_after",
            decimals(rows.iter().map(|r| r.tier.cumulative_share_after)),
        )
        .push(
            "behaviours",
            texts(rows.iter().map(|r| {
                r.behaviour
                    .behaviours
                    .iter()
                    .map(|b| b.as_str())
                    .collect::<Vec<_>>()
                    .join(";")
            })),
        )
        .push(
            "strategy",
            texts(rows.iter().map(|r| r.treatment.strategy.as_str())),
        )
        .push(
            "service_model",
            texts(rows.iter().map(|r| r.treatment.service_model.as_str())),
        )
        .push(
            "contact",
            texts(rows.iter().map(|r| r.treatment.contact.as_str())),
        )
        .push(
            "response_hours",
            counts(rows.iter().map(|r| u64::from(r.treatment.response_hours))),
        )
        .push(
            "policy_rule",
            counts(rows.iter().map(|r| r.policy_rule as u64)),
        );
    t
}
