//! The inactivity rule: who is a customer, read off the purchases alone.
//!
//! Retention, churn and growth (docs/DOMAIN.md section 5) need to know when each
//! relationship began and ended ([`crate::relationship::customer_base`]). When the firm
//! keeps no such record (no accounts, no contracts) the analyst's usual
//! stand-in is an *inactivity rule*: a customer joins on the day of his first
//! purchase and is lost once `days` days pass without another one. In
//! symbols, a customer is in the base on day `d` when he made a purchase on
//! some day `p` with `p <= d < p + days`.
//!
//! The rule is a choice, not a fact, so it is explicit and configurable; the
//! default of 365 days is the horizon a careful analyst would pick for a
//! retailer reporting yearly (a year without a purchase is a lost customer,
//! a seasonal buyer is not). Shorter cycles (subscriptions, groceries) want
//! a shorter rule and a shorter period.
//!
//! **Why the rule must be at least as long as the period.** The engine derives
//! the spans from per-customer summaries of two windows (everything before
//! the period, and the period itself), not from every purchase day: that keeps
//! memory proportional to customers. With `days` no shorter than the period,
//! no gap between two purchases inside the period can reach `days`, so the
//! only events the period can hold are the ones the summaries see: a loss
//! `days` after the last purchase before the period (when no purchase in the
//! period came first), and a return or first purchase on the first purchase
//! day in the period. [`base_by_inactivity`] refuses shorter rules with
//! [`InactivityError::RuleShorterThanPeriod`] instead of missing losses.
//!
//! ```
//! use chrono::NaiveDate;
//! use crm_core::relationship::inactivity::{base_by_inactivity, InactivityRule, PurchaseDates};
//! use crm_core::relationship::period_metrics::MetricPeriod;
//! let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
//! let period = MetricPeriod::new(d(3, 1), d(3, 31))?;
//! let rule = InactivityRule { days: 60 };
//! let base = base_by_inactivity(&[
//!     // bought in January and not since: lost on 60 days after 5 January
//!     PurchaseDates::before(1, d(1, 2), d(1, 5)),
//!     // bought in February and March: still a customer
//!     PurchaseDates::before(2, d(2, 1), d(2, 20)).with_period(d(3, 3), d(3, 9)),
//!     // first purchase in March: acquired
//!     PurchaseDates::in_period(3, d(3, 15), d(3, 15)),
//! ], period, rule)?;
//! assert!(base.in_base_on(&1.into(), d(3, 4)) && !base.in_base_on(&1.into(), d(3, 5)));
//! assert!(base.in_base_on(&2.into(), d(3, 31)));
//! assert!(!base.in_base_on(&3.into(), d(3, 14)) && base.in_base_on(&3.into(), d(3, 15)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::records::customer::CustomerId;
use crate::records::summary::Summaries;
use crate::relationship::customer_base::{BaseError, CustomerBase, CustomerSpan};
use crate::relationship::period_metrics::MetricPeriod;

/// A customer is lost once `days` days pass without a purchase.
///
/// ```
/// use crm_core::relationship::inactivity::InactivityRule;
/// assert_eq!(InactivityRule::default().days, 365);
/// assert_eq!(serde_json::to_string(&InactivityRule { days: 90 }).unwrap(), r#"{"days":90}"#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct InactivityRule {
    /// Days without a purchase after which the customer is lost: a
    /// purchase on day `p` keeps him in the base up to day `p + days - 1`.
    pub days: u32,
}

impl InactivityRule {
    /// The shortest rule: a purchase keeps a customer in the base for at
    /// least the day it was made.
    ///
    /// ```
    /// use crm_core::relationship::inactivity::InactivityRule;
    /// assert_eq!(InactivityRule::MIN_DAYS, 1);
    /// ```
    pub const MIN_DAYS: u32 = 1;

    /// Whether the rule can find the base of `period` from per-customer
    /// purchase dates: at least [`InactivityRule::MIN_DAYS`], and no shorter
    /// than the period (see the module documentation). A front end may call
    /// it before reading any file.
    ///
    /// # Errors
    ///
    /// [`InactivityError::ZeroDays`] or
    /// [`InactivityError::RuleShorterThanPeriod`].
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::relationship::inactivity::{InactivityError, InactivityRule};
    /// use crm_core::relationship::period_metrics::MetricPeriod;
    /// let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
    /// let march = MetricPeriod::new(d(3, 1), d(3, 31))?;
    /// assert!(InactivityRule::default().check_for(march).is_ok());
    /// assert!(matches!(
    ///     InactivityRule { days: 30 }.check_for(march),
    ///     Err(InactivityError::RuleShorterThanPeriod { period_days: 31, .. })
    /// ));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_for(self, period: MetricPeriod) -> Result<(), InactivityError> {
        if self.days < InactivityRule::MIN_DAYS {
            return Err(InactivityError::ZeroDays);
        }
        let period_days = (period.last_day - period.first_day).num_days() + 1;
        if i64::from(self.days) < period_days {
            return Err(InactivityError::RuleShorterThanPeriod {
                days: self.days,
                period_days,
            });
        }
        Ok(())
    }
}

impl Default for InactivityRule {
    /// A year: see the module documentation for why.
    fn default() -> Self {
        InactivityRule { days: 365 }
    }
}

/// One customer's purchase days around a period: the first and last before
/// it, and the first and last in it. Either pair may be missing, not both.
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::relationship::inactivity::PurchaseDates;
/// let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
/// let p = PurchaseDates::before("C-7", d(2), d(9));
/// assert_eq!((p.first_in, p.last_in), (None, None));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct PurchaseDates {
    /// The customer.
    pub customer: CustomerId,
    /// First purchase day before the period.
    pub first_before: Option<NaiveDate>,
    /// Last purchase day before the period.
    pub last_before: Option<NaiveDate>,
    /// First purchase day in the period.
    pub first_in: Option<NaiveDate>,
    /// Last purchase day in the period.
    pub last_in: Option<NaiveDate>,
}

impl PurchaseDates {
    /// A customer who bought before the period (and, so far, not in it).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::relationship::inactivity::PurchaseDates;
    /// let d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    /// assert_eq!(PurchaseDates::before(1, d, d).last_before, Some(d));
    /// ```
    pub fn before(
        customer: impl Into<CustomerId>,
        first: NaiveDate,
        last: NaiveDate,
    ) -> PurchaseDates {
        PurchaseDates {
            customer: customer.into(),
            first_before: Some(first),
            last_before: Some(last),
            first_in: None,
            last_in: None,
        }
    }

    /// A customer whose first purchase falls in the period.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::relationship::inactivity::PurchaseDates;
    /// let d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    /// assert_eq!(PurchaseDates::in_period(1, d, d).first_before, None);
    /// ```
    pub fn in_period(
        customer: impl Into<CustomerId>,
        first: NaiveDate,
        last: NaiveDate,
    ) -> PurchaseDates {
        PurchaseDates {
            customer: customer.into(),
            first_before: None,
            last_before: None,
            first_in: Some(first),
            last_in: Some(last),
        }
    }

    /// Adds the purchases in the period.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::relationship::inactivity::PurchaseDates;
    /// let d = |m| NaiveDate::from_ymd_opt(2024, m, 1).unwrap();
    /// let p = PurchaseDates::before(1, d(1), d(1)).with_period(d(3), d(4));
    /// assert_eq!((p.first_in, p.last_in), (Some(d(3)), Some(d(4))));
    /// ```
    pub fn with_period(mut self, first: NaiveDate, last: NaiveDate) -> PurchaseDates {
        self.first_in = Some(first);
        self.last_in = Some(last);
        self
    }
}

/// Why the base cannot be derived.
///
/// ```
/// use crm_core::relationship::inactivity::InactivityError;
/// let e = InactivityError::RuleShorterThanPeriod { days: 30, period_days: 90 };
/// assert_eq!(
///     e.to_string(),
///     "inactivity rule of 30 days is shorter than the 90-day period: the rule is days >= period length \
///      (losses inside the period would go unseen); use a shorter period or supply the customer base"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum InactivityError {
    /// A rule of zero days would make nobody a customer.
    #[error("inactivity rule of 0 days: the rule is days >= 1")]
    ZeroDays,
    /// The rule is shorter than the period (see the module documentation).
    #[error(
        "inactivity rule of {days} days is shorter than the {period_days}-day period: the rule is days >= period length \
         (losses inside the period would go unseen); use a shorter period or supply the customer base"
    )]
    RuleShorterThanPeriod {
        /// The rule's days.
        days: u32,
        /// The period's length in days.
        period_days: i64,
    },
    /// A row whose dates contradict each other or the period.
    #[error("purchase dates row {row} (customer {customer}): {field} breaks the rule {rule}")]
    Dates {
        /// The row (1-based data row).
        row: usize,
        /// The customer.
        customer: CustomerId,
        /// The field.
        field: &'static str,
        /// The rule.
        rule: &'static str,
    },
    /// Summaries of the wrong windows.
    #[error("{which} summaries cover {window_start:?}..={as_of}: the rule is {rule}")]
    SummaryWindow {
        /// `before` or `period`.
        which: &'static str,
        /// Their window start.
        window_start: Option<NaiveDate>,
        /// Their analysis date.
        as_of: NaiveDate,
        /// What they should cover.
        rule: &'static str,
    },
    /// A customer with two rows of dates on one side.
    #[error(
        "{which} dates row {row}: customer {customer} appears twice: the rule is one row per customer"
    )]
    DuplicateCustomer {
        /// `before` or `period`.
        which: &'static str,
        /// The second row (1-based data row).
        row: usize,
        /// The customer.
        customer: CustomerId,
    },
    /// The derived spans do not make a base (one customer twice in a row).
    #[error(transparent)]
    Base(#[from] BaseError),
}

/// The purchase dates of every customer of either summary, in customer
/// order: `before` covers the days before the period (its `as_of` is the
/// day before the first day), `during` covers the period exactly.
///
/// # Errors
///
/// [`InactivityError::SummaryWindow`] when either summary covers another
/// window.
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::relationship::inactivity::purchase_dates;
/// use crm_core::relationship::period_metrics::MetricPeriod;
/// use crm_core::records::summary::{Summaries, SummaryConfig};
/// let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
/// let before = Summaries::with_capacity(&SummaryConfig::new(d(2, 29)), 0);
/// let during = Summaries::with_capacity(&SummaryConfig::new(d(3, 31)).with_window_start(d(3, 1)), 0);
/// assert!(purchase_dates(&before, &during, MetricPeriod::new(d(3, 1), d(3, 31))?)?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn purchase_dates(
    before: &Summaries,
    during: &Summaries,
    period: MetricPeriod,
) -> Result<Vec<PurchaseDates>, InactivityError> {
    if before.as_of.succ_opt() != Some(period.first_day) {
        return Err(window_error(
            "before",
            before,
            "as_of = the day before the period's first day",
        ));
    }
    if during.window_start != Some(period.first_day) || during.as_of != period.last_day {
        return Err(window_error(
            "period",
            during,
            "window_start = first_day and as_of = last_day",
        ));
    }
    let rows = |s: &Summaries| {
        (0..s.len())
            .map(|i| {
                (
                    s.customers[i].clone(),
                    s.first_purchase[i],
                    s.last_purchase[i],
                )
            })
            .collect::<Vec<_>>()
    };
    join_purchase_dates(rows(before), rows(during))
}

/// Joins per-customer (customer, first purchase, last purchase) rows of the
/// days before the period and of the period into [`PurchaseDates`], in
/// customer order: the form of [`purchase_dates`] for callers that hold
/// the dates as columns of their own (a table, a query result).
///
/// # Errors
///
/// [`InactivityError::DuplicateCustomer`] when a customer has two rows on
/// one side (his dates would be ambiguous).
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::relationship::inactivity::join_purchase_dates;
/// let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
/// let rows = join_purchase_dates(
///     vec![(1.into(), d(1, 3), d(2, 9))],
///     vec![(2.into(), d(3, 5), d(3, 5)), (1.into(), d(3, 1), d(3, 20))],
/// )?;
/// assert_eq!((rows[0].last_before, rows[0].last_in), (Some(d(2, 9)), Some(d(3, 20))));
/// assert_eq!((rows[1].first_before, rows[1].first_in), (None, Some(d(3, 5))));
/// # Ok::<(), crm_core::relationship::inactivity::InactivityError>(())
/// ```
pub fn join_purchase_dates(
    before: Vec<(CustomerId, NaiveDate, NaiveDate)>,
    during: Vec<(CustomerId, NaiveDate, NaiveDate)>,
) -> Result<Vec<PurchaseDates>, InactivityError> {
    let mut rows: Vec<(usize, PurchaseDates)> = before
        .into_iter()
        .zip(1..)
        .map(|((c, first, last), row)| (row, PurchaseDates::before(c, first, last)))
        .collect();
    rows.sort_by(|a, b| a.1.customer.cmp(&b.1.customer).then(a.0.cmp(&b.0)));
    duplicates("before", &rows)?;
    let mut fresh = Vec::new();
    let mut seen = Vec::with_capacity(during.len());
    for (row, (customer, first, last)) in (1..).zip(during) {
        seen.push((row, PurchaseDates::in_period(customer, first, last)));
    }
    seen.sort_by(|a, b| a.1.customer.cmp(&b.1.customer).then(a.0.cmp(&b.0)));
    duplicates("period", &seen)?;
    for (_, p) in seen {
        match rows.binary_search_by(|r| r.1.customer.cmp(&p.customer)) {
            Ok(at) => {
                rows[at].1.first_in = p.first_in;
                rows[at].1.last_in = p.last_in;
            }
            Err(_) => fresh.push(p),
        }
    }
    let mut out: Vec<PurchaseDates> = rows.into_iter().map(|(_, p)| p).collect();
    out.append(&mut fresh);
    out.sort_by(|a, b| a.customer.cmp(&b.customer));
    Ok(out)
}

/// The first repeated customer of rows sorted by customer (then row).
fn duplicates(
    which: &'static str,
    sorted: &[(usize, PurchaseDates)],
) -> Result<(), InactivityError> {
    match sorted
        .windows(2)
        .find(|w| w[0].1.customer == w[1].1.customer)
    {
        Some(w) => Err(InactivityError::DuplicateCustomer {
            which,
            row: w[1].0,
            customer: w[1].1.customer.clone(),
        }),
        None => Ok(()),
    }
}

fn window_error(which: &'static str, s: &Summaries, rule: &'static str) -> InactivityError {
    InactivityError::SummaryWindow {
        which,
        window_start: s.window_start,
        as_of: s.as_of,
        rule,
    }
}

/// The customer base over the period under the inactivity rule: one span
/// per relationship, a second one when a customer was lost before his first
/// purchase in the period and came back with it. A span still open at the
/// period's end has no `until` (he is still a customer as far as the period
/// knows).
///
/// # Errors
///
/// A zero-day rule, a rule shorter than the period, or dates that
/// contradict each other or the period (before-dates on or after its first
/// day, period dates outside it, a first day after a last day, a row with
/// neither pair).
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::relationship::inactivity::{base_by_inactivity, InactivityRule, PurchaseDates};
/// use crm_core::relationship::period_metrics::MetricPeriod;
/// let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
/// // last bought 1 January, lost 31 days later (1 February), back on 20 March
/// let p = PurchaseDates::before(1, d(1, 1), d(1, 1)).with_period(d(3, 20), d(3, 20));
/// let base = base_by_inactivity(&[p], MetricPeriod::new(d(3, 1), d(3, 31))?, InactivityRule { days: 31 })?;
/// let spans: Vec<_> = base.spans(&1.into()).map(|s| (s.since, s.until)).collect();
/// assert_eq!(spans, [(d(1, 1), Some(d(2, 1))), (d(3, 20), None)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn base_by_inactivity(
    dates: &[PurchaseDates],
    period: MetricPeriod,
    rule: InactivityRule,
) -> Result<CustomerBase, InactivityError> {
    Ok(CustomerBase::new(spans_by_inactivity(
        dates, period, rule,
    )?)?)
}

/// The spans of [`base_by_inactivity`] before they are checked and
/// indexed, so that a caller can add tiers or segments first without
/// holding two copies of a large base.
///
/// # Errors
///
/// As [`base_by_inactivity`], except overlapping spans (which the rule
/// cannot produce from valid dates; [`CustomerBase::new`] checks them).
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::relationship::inactivity::{spans_by_inactivity, InactivityRule, PurchaseDates};
/// use crm_core::relationship::period_metrics::MetricPeriod;
/// let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
/// let p = PurchaseDates::in_period(1, d(3, 2), d(3, 9));
/// let spans = spans_by_inactivity(&[p], MetricPeriod::new(d(3, 1), d(3, 31))?, InactivityRule { days: 31 })?;
/// assert_eq!((spans[0].since, spans[0].until), (d(3, 2), None));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn spans_by_inactivity(
    dates: &[PurchaseDates],
    period: MetricPeriod,
    rule: InactivityRule,
) -> Result<Vec<CustomerSpan>, InactivityError> {
    rule.check_for(period)?;
    let mut spans = Vec::with_capacity(dates.len());
    for (row, p) in (1..).zip(dates) {
        check(row, p, period)?;
        // The day a purchase on `day` stops holding the customer; `None`
        // when that is after the period (or past the calendar's end).
        let lost_after = |day: NaiveDate| {
            day.checked_add_days(Days::new(u64::from(rule.days)))
                .filter(|&u| u <= period.last_day)
        };
        let lapse = |day: NaiveDate| day.checked_add_days(Days::new(u64::from(rule.days)));
        match (p.first_before.zip(p.last_before), p.first_in.zip(p.last_in)) {
            (Some((first, last)), None) => spans.push(CustomerSpan::new(
                p.customer.clone(),
                first,
                lost_after(last),
            )),
            (Some((first, last)), Some((back, end))) => match lapse(last) {
                // Lost before coming back: two relationships.
                Some(lost) if lost < back => {
                    spans.push(CustomerSpan::new(p.customer.clone(), first, Some(lost)));
                    spans.push(CustomerSpan::new(p.customer.clone(), back, lost_after(end)));
                }
                _ => spans.push(CustomerSpan::new(
                    p.customer.clone(),
                    first,
                    lost_after(end),
                )),
            },
            (None, Some((first, end))) => spans.push(CustomerSpan::new(
                p.customer.clone(),
                first,
                lost_after(end),
            )),
            (None, None) => no_purchase(row, p)?,
        }
    }
    Ok(spans)
}

/// The customers the rule keeps in the base on at least one day from
/// `first` (or from the beginning, when `None`) to `last`, in id order: the
/// members of a review period ([`crate::value::review::Period::with_members`]).
///
/// `purchases` are (customer, purchase day) pairs, any number per customer
/// and in any order (the first and last purchase days of each summary
/// window will do): a customer is a member when his latest purchase on or
/// before `last`, `p`, keeps him to `p + days − 1 >= first`. That latest day
/// decides alone, so the rule may be shorter or longer than the period.
///
/// # Errors
///
/// [`InactivityError::ZeroDays`] for a rule of 0 days.
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::relationship::inactivity::{members_by_inactivity, InactivityRule};
/// let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
/// let bought = [(1.into(), d(1, 5)), (2.into(), d(3, 2)), (3.into(), d(5, 9)), (2.into(), d(1, 1))];
/// let rule = InactivityRule { days: 60 };
/// // April: 1 lapsed on 5 March; 2 is kept to 30 April; 3 buys only in May
/// assert_eq!(members_by_inactivity(bought.clone(), Some(d(4, 1)), d(4, 30), rule)?, [2.into()]);
/// # Ok::<(), crm_core::relationship::inactivity::InactivityError>(())
/// ```
pub fn members_by_inactivity(
    purchases: impl IntoIterator<Item = (CustomerId, NaiveDate)>,
    first: Option<NaiveDate>,
    last: NaiveDate,
    rule: InactivityRule,
) -> Result<Vec<CustomerId>, InactivityError> {
    if rule.days < InactivityRule::MIN_DAYS {
        return Err(InactivityError::ZeroDays);
    }
    let mut latest: std::collections::BTreeMap<CustomerId, NaiveDate> =
        std::collections::BTreeMap::new();
    for (c, day) in purchases.into_iter().filter(|(_, day)| *day <= last) {
        let e = latest.entry(c).or_insert(day);
        *e = (*e).max(day);
    }
    let kept = |p: NaiveDate| {
        first.is_none_or(|f| {
            // kept through p + days − 1; past the calendar's end means kept
            p.checked_add_days(Days::new(u64::from(rule.days)))
                .is_none_or(|lapse| lapse > f)
        })
    };
    Ok(latest
        .into_iter()
        .filter(|(_, p)| kept(*p))
        .map(|(c, _)| c)
        .collect())
}

fn no_purchase(row: usize, p: &PurchaseDates) -> Result<(), InactivityError> {
    Err(InactivityError::Dates {
        row,
        customer: p.customer.clone(),
        field: "first_before/first_in",
        rule: "a customer has at least one purchase",
    })
}

fn check(row: usize, p: &PurchaseDates, period: MetricPeriod) -> Result<(), InactivityError> {
    let bad = |field, rule| {
        Err(InactivityError::Dates {
            row,
            customer: p.customer.clone(),
            field,
            rule,
        })
    };
    match (p.first_before, p.last_before) {
        (Some(f), Some(l)) if f > l => return bad("first_before", "first_before <= last_before"),
        (Some(_), Some(l)) if l >= period.first_day => {
            return bad("last_before", "last_before < the period's first day");
        }
        (Some(_), None) | (None, Some(_)) => {
            return bad("first_before/last_before", "both or neither");
        }
        _ => {}
    }
    match (p.first_in, p.last_in) {
        (Some(f), Some(l)) if f > l => bad("first_in", "first_in <= last_in"),
        (Some(f), Some(l)) if !(period.contains_day(f) && period.contains_day(l)) => {
            bad("first_in/last_in", "inside the period")
        }
        (Some(_), None) | (None, Some(_)) => bad("first_in/last_in", "both or neither"),
        (None, None) if p.first_before.is_none() => no_purchase(row, p),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Duration::days(n)
    }

    /// The dates the engine would read off the summaries of a set of days.
    fn dates_of(
        customer: i64,
        days: &BTreeSet<i64>,
        start: i64,
        end: i64,
    ) -> Option<PurchaseDates> {
        let before: Vec<i64> = days.iter().copied().filter(|&d| d < start).collect();
        let during: Vec<i64> = days
            .iter()
            .copied()
            .filter(|&d| (start..=end).contains(&d))
            .collect();
        let mut p = PurchaseDates {
            customer: customer.into(),
            first_before: None,
            last_before: None,
            first_in: None,
            last_in: None,
        };
        if let (Some(f), Some(l)) = (before.first(), before.last()) {
            p.first_before = Some(day(*f));
            p.last_before = Some(day(*l));
        }
        if let (Some(f), Some(l)) = (during.first(), during.last()) {
            p.first_in = Some(day(*f));
            p.last_in = Some(day(*l));
        }
        (p.first_before.is_some() || p.first_in.is_some()).then_some(p)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The members of a period are exactly the customers the rule keeps in
        /// the base on some day of it, counted day by day over every purchase.
        #[test]
        fn members_are_in_the_base_on_some_day_of_the_period(
            bought in proptest::collection::vec((0_i64..6, 0_u64..200), 0..20),
            start in proptest::option::of(0_u64..200),
            len in 0_u64..120,
            days in 1_u32..150,
        ) {
            let day0 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
            let at = |n: u64| day0 + Days::new(n);
            let last = at(start.unwrap_or(0) + len);
            let first = start.map(at);
            let got = members_by_inactivity(
                bought.iter().map(|(c, n)| (CustomerId::from(*c), at(*n))),
                first,
                last,
                InactivityRule { days },
            ).unwrap();
            let lo = start.map_or(0, |s| s as i64 - 400).max(-400);
            let want: Vec<CustomerId> = (0_i64..6)
                .filter(|c| {
                    (lo..).map(|n| day0 + chrono::Duration::days(n)).take_while(|d| *d <= last)
                        .filter(|d| first.is_none_or(|f| *d >= f))
                        .any(|d| bought.iter().any(|(b, n)| b == c && at(*n) <= d && (d - at(*n)).num_days() < i64::from(days)))
                })
                .map(CustomerId::from)
                .collect();
            prop_assert_eq!(got, want);
        }

        /// The derived spans say "in the base" on exactly the days the rule
        /// itself does (a purchase p with p <= d < p + days), on every day
        /// from the day before the period to its last: the oracle reads
        /// every purchase day, the engine only the four dates per customer.
        #[test]
        fn derived_base_matches_the_rule_on_every_day_of_the_period(
            customers in prop::collection::vec(prop::collection::btree_set(0i64..150, 1..8), 1..12),
            start in 20i64..80,
            len in 1i64..40,
            extra in 0u32..60,
        ) {
            let end = start + len - 1;
            let rule = InactivityRule { days: len as u32 + extra };
            let rows: Vec<PurchaseDates> = customers.iter().enumerate()
                .filter_map(|(c, days)| dates_of(c as i64, days, start, end)).collect();
            let period = MetricPeriod::new(day(start), day(end)).unwrap();
            let base = base_by_inactivity(&rows, period, rule).unwrap();
            for (c, days) in customers.iter().enumerate() {
                for d in (start - 1)..=end {
                    let oracle = days.iter().any(|&p| p <= d && d < p + i64::from(rule.days));
                    prop_assert_eq!(base.in_base_on(&(c as i64).into(), day(d)), oracle, "customer {} day {}", c, d);
                }
            }
        }
    }

    #[test]
    fn a_customer_twice_on_one_side_is_refused() {
        let rows = vec![(1.into(), day(0), day(1)), (1.into(), day(2), day(3))];
        match join_purchase_dates(Vec::new(), rows) {
            Err(InactivityError::DuplicateCustomer {
                which: "period",
                row: 2,
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_rule_shorter_than_the_period_is_refused() {
        let period = MetricPeriod::new(day(0), day(9)).unwrap();
        assert_eq!(
            base_by_inactivity(&[], period, InactivityRule { days: 9 }).unwrap_err(),
            InactivityError::RuleShorterThanPeriod {
                days: 9,
                period_days: 10
            }
        );
        assert!(base_by_inactivity(&[], period, InactivityRule { days: 10 }).is_ok());
        assert_eq!(
            base_by_inactivity(&[], period, InactivityRule { days: 0 }).unwrap_err(),
            InactivityError::ZeroDays
        );
    }

    #[test]
    fn contradictory_dates_name_the_row_and_the_rule() {
        let period = MetricPeriod::new(day(10), day(19)).unwrap();
        let rule = InactivityRule { days: 30 };
        let cases = [
            (
                PurchaseDates::before(1, day(5), day(2)),
                "first_before <= last_before",
            ),
            (
                PurchaseDates::before(1, day(5), day(10)),
                "last_before < the period's first day",
            ),
            (
                PurchaseDates::in_period(1, day(12), day(20)),
                "inside the period",
            ),
            (
                PurchaseDates::in_period(1, day(15), day(12)),
                "first_in <= last_in",
            ),
            (
                PurchaseDates {
                    customer: 1.into(),
                    first_before: None,
                    last_before: None,
                    first_in: None,
                    last_in: None,
                },
                "a customer has at least one purchase",
            ),
        ];
        for (p, want) in cases {
            let ok = PurchaseDates::in_period(0, day(10), day(10));
            match base_by_inactivity(&[ok, p], period, rule) {
                Err(InactivityError::Dates { row: 2, rule, .. }) => assert_eq!(rule, want),
                other => panic!("{want}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_purchase_on_the_day_of_the_loss_keeps_the_customer() {
        // last before on day 0, rule 20: lost on day 20 unless he buys by then;
        // buying on day 20 itself keeps him (p <= d < p + days holds for p = 20).
        let period = MetricPeriod::new(day(15), day(30)).unwrap();
        let p = PurchaseDates::before(1, day(0), day(0)).with_period(day(20), day(20));
        let base = base_by_inactivity(&[p], period, InactivityRule { days: 20 }).unwrap();
        assert_eq!(base.spans(&1.into()).count(), 1);
        let p = PurchaseDates::before(1, day(0), day(0)).with_period(day(21), day(21));
        let base = base_by_inactivity(&[p], period, InactivityRule { days: 20 }).unwrap();
        assert_eq!(
            base.spans(&1.into())
                .map(|s| (s.since, s.until))
                .collect::<Vec<_>>(),
            [(day(0), Some(day(20))), (day(21), None)]
        );
    }
}
