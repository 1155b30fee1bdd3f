//! The report's "past and predicted tiers" section: the customers tiered
//! on their predicted CLV with the report's cut-offs, reviewed against
//! their tiers on past spend (crm-core's `clv::predicted_tiers`), so that
//! the report says who is moving up and who down.

use std::fmt::Write as _;
use std::path::Path;

use crm_core::clv::model_file::Predictions;
use crm_core::clv::predicted_tiers::{PredictedTiers, PredictedValue};
use crm_core::value::assignment::{AssignmentConfig, Assignments};
use crm_core::value::review::{MoveCounts, Transition};
use crm_core::value::tier::{Tier, TierSummary};
use crm_io::tables::MoneyType;
use serde::Serialize;

use crate::failure::Failure;
use crate::table::WriteTable;

/// The section's figures in `result.json`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PredictedTiersJson {
    /// The prediction that ranked the customers (`clv`).
    pub value: PredictedValue,
    /// The tiers on it (same cut-offs as the past tiers).
    pub tiers: Vec<TierSummary>,
    /// Promoted, demoted and unchanged from past to predicted.
    pub counts: MoveCounts,
    /// The non-empty cells of past tier × predicted tier.
    pub transitions: Vec<Transition>,
}

/// Tiers the customers on their predicted CLV, writes
/// `predicted_tiers.csv` (the tiers layout) and `tier_moves.csv` (the
/// review layout) into `dir`, and returns the section's figures.
pub fn run(
    past: &Assignments,
    predictions: &Predictions,
    config: &AssignmentConfig,
    dir: &Path,
) -> Result<PredictedTiersJson, Failure> {
    let value = PredictedValue::Clv;
    let t = crate::clv_command::predicted_tiers(past, predictions, value, config)?;
    crate::tables::tiers(&t.assignments)?.write(&dir.join("predicted_tiers.csv"))?;
    crm_io::tables::review::moves(&t.review, MoneyType::Decimal128)
        .write(&dir.join("tier_moves.csv"))?;
    let PredictedTiers {
        assignments,
        review,
        ..
    } = t;
    Ok(PredictedTiersJson {
        value,
        tiers: assignments.summary(),
        counts: review.counts,
        transitions: review.transitions(),
    })
}

/// The section: counts, then the matrix with past tiers as rows.
pub fn section(md: &mut String, j: &PredictedTiersJson, months: u32) {
    let _ = writeln!(md, "\n## Past and predicted tiers\n");
    let c = &j.counts;
    let _ = writeln!(
        md,
        "The same cut-offs on each customer's predicted CLV over {months} months instead of past spend: {} customers move up, {} down, {} stay. Rows: tier on past spend; columns: tier on predicted CLV. Per customer: `predicted_tiers.csv`, `tier_moves.csv`.\n",
        c.promoted, c.demoted, c.unchanged
    );
    let names: Vec<&str> = Tier::ALL.iter().map(|t| t.as_str()).collect();
    let _ = writeln!(md, "| past \\ predicted | {} |", names.join(" | "));
    let _ = writeln!(md, "|---|{}", "---:|".repeat(names.len()));
    for from in Tier::ALL {
        let cells: Vec<String> = Tier::ALL
            .iter()
            .map(|to| {
                j.transitions
                    .iter()
                    .find(|t| t.from == Some(from) && t.to == Some(*to))
                    .map_or(0, |t| t.customers)
                    .to_string()
            })
            .collect();
        let _ = writeln!(md, "| {} | {} |", from.as_str(), cells.join(" | "));
    }
}
