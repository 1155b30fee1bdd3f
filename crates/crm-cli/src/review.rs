//! `crm review`: the periodic review of tiers (docs/DOMAIN.md section 1: every
//! change explainable and auditable) between two adjacent periods read
//! from one transactions file.

use chrono::{Days, NaiveDate};
use crm_core::value::assignment::AssignmentConfig;
use crm_core::value::review::{Period, PeriodReview, review_pair};

use crate::assignments;
use crate::failure::{Failure, domain};
use crate::source::Source;

/// Summarises and tiers both periods, then compares them.
pub fn run(
    source: &Source,
    config: &AssignmentConfig,
    previous_as_of: NaiveDate,
    quiet: bool,
) -> Result<PeriodReview, Failure> {
    if previous_as_of >= source.as_of {
        return Err(Failure::usage(format!(
            "--previous-as-of {previous_as_of} must be before --as-of {}",
            source.as_of
        )));
    }
    if source.since.is_some_and(|s| s > previous_as_of) {
        return Err(Failure::usage(
            "--since must not be after --previous-as-of".to_owned(),
        ));
    }
    let current_start = previous_as_of
        .checked_add_days(Days::new(1))
        .ok_or_else(|| Failure::usage("--previous-as-of is out of range".to_owned()))?;
    let previous = Source {
        as_of: previous_as_of,
        ..source.clone()
    };
    let current = Source {
        since: Some(current_start),
        ..source.clone()
    };
    let label = |from: Option<NaiveDate>, to: NaiveDate| match from {
        Some(f) => format!("{f}..{to}"),
        None => format!("..{to}"),
    };
    let p = previous.summarize(quiet)?;
    let c = current.summarize(quiet)?;
    let pa = assignments(&p.summaries, config)?;
    let ca = assignments(&c.summaries, config)?;
    review_pair(
        &Period::from_assignments(label(source.since, previous_as_of), &pa),
        &Period::from_assignments(label(Some(current_start), source.as_of), &ca),
    )
    .map_err(domain("review"))
}
