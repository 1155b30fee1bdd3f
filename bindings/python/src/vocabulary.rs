//! `vocabulary()`: crm-core's names, so that the Python package spells none.

use pyo3::prelude::*;

/// Every vocabulary of crm-core as `{kind: [names in report order]}`
/// (tier, tier_basis, decision, behaviour, strategy, service_model,
/// contact_cadence, move, membership, monetary, unit, naive_timestamps, rfm_segment,
/// survey_scale, component, contribution_scale).
#[pyfunction]
pub fn vocabulary() -> Vec<(&'static str, Vec<&'static str>)> {
    crm_core::vocabulary::all()
}
