//! The tiers table the `crm` command writes: crm-io's layout
//! (`crates/crm-io/schemas/tiers.json`) with exact money. The other result
//! tables (summaries, RFM, review, metrics, CLV) come from `crm_io::tables`
//! directly.

use crm_core::value::assignment::Assignments;
use crm_io::tables::{MoneyType, Table};

use crate::failure::Failure;

/// One row per customer: tier, rank, shares, behaviours and treatment.
pub fn tiers(a: &Assignments) -> Result<Table, Failure> {
    Ok(crm_io::tables::tiers::table(a, MoneyType::Decimal128))
}
