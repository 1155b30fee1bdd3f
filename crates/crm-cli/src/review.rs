//! `crm review`: the periodic review of tiers (docs/DOMAIN.md section 1: every
//! change explainable and auditable) between two adjacent periods read
//! from one transactions file.
//!
//! Membership comes from the customer base (crm-core's
//! [`Membership::Base`], the default): the `--customer-base` file, or the
//! inactivity rule `--inactive-days` applied to the purchases. A member
//! without a purchase in a period is measured inactive with value 0;
//! `--membership presence` keeps the old rule (absent = lost) by choice.

use std::path::PathBuf;

use chrono::{Days, NaiveDate};
use crm_core::records::summary::Summaries;
use crm_core::relationship::customer_base::CustomerBase;
use crm_core::relationship::inactivity::{InactivityRule, members_by_inactivity};
use crm_core::value::assignment::AssignmentConfig;
use crm_core::value::review::{Membership, Period, PeriodReview, ReviewConfig, review_pair};

use crate::assignments;
use crate::failure::{Failure, domain};
use crate::records::{self, IdKind};
use crate::source::Source;
use crate::vocabulary;

/// Where the review takes membership from.
#[derive(Debug, Clone, clap::Args)]
pub struct ReviewArgs {
    /// `base`: membership from the customer base (`--customer-base`, or the
    /// inactivity rule); a member without a purchase in a period is measured
    /// inactive with value 0. `presence`: the old rule, a customer without a
    /// purchase in a period is lost.
    #[arg(long, value_parser = vocabulary::names::<Membership>(), default_value_t = Membership::default())]
    pub membership: Membership,
    /// Without --customer-base: a customer is in the base until this many
    /// days pass without a purchase.
    #[arg(long, default_value_t = InactivityRule::default().days)]
    pub inactive_days: u32,
    /// The customer base: CSV with customer, since, [until], [tier], [segment].
    #[arg(long)]
    pub customer_base: Option<PathBuf>,
}

/// The members of each period: from the base file, or by the inactivity
/// rule from the purchase days both summaries hold (together, every day up
/// to `--as-of`).
fn with_members(
    periods: [(Period, Option<NaiveDate>, NaiveDate); 2],
    summaries: [&Summaries; 2],
    args: &ReviewArgs,
) -> Result<[Period; 2], Failure> {
    if args.membership == Membership::Presence {
        return Ok(periods.map(|p| p.0));
    }
    let base = match &args.customer_base {
        Some(path) => {
            let spans = records::customers(path, IdKind::of(&summaries[0].customers))?;
            Some(CustomerBase::new(spans).map_err(domain("customer base"))?)
        }
        None => None,
    };
    let rule = InactivityRule {
        days: args.inactive_days,
    };
    let days = || {
        summaries.iter().flat_map(|s| {
            (0..s.len()).flat_map(move |i| {
                [
                    (s.customers[i].clone(), s.first_purchase[i]),
                    (s.customers[i].clone(), s.last_purchase[i]),
                ]
            })
        })
    };
    let mut out = Vec::with_capacity(2);
    for (p, first, last) in periods {
        let members = match &base {
            Some(b) => b.members_during(first, last),
            None => members_by_inactivity(days(), first, last, rule)
                .map_err(|e| Failure::usage(format!("--inactive-days: {e}")))?,
        };
        out.push(p.with_members(members));
    }
    let [a, b]: [Period; 2] = out
        .try_into()
        .map_err(|_| Failure::internal("two periods".to_owned()))?;
    Ok([a, b])
}

/// Summarises and tiers both periods, then compares them.
pub fn run(
    source: &Source,
    config: &AssignmentConfig,
    previous_as_of: NaiveDate,
    args: &ReviewArgs,
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
    let [a, b] = with_members(
        [
            (
                Period::from_assignments(label(source.since, previous_as_of), &pa),
                source.since,
                previous_as_of,
            ),
            (
                Period::from_assignments(label(Some(current_start), source.as_of), &ca),
                Some(current_start),
                source.as_of,
            ),
        ],
        [&p.summaries, &c.summaries],
        args,
    )?;
    let review = ReviewConfig {
        membership: args.membership,
        ..Default::default()
    };
    review_pair(&a, &b, &review).map_err(domain("review"))
}
