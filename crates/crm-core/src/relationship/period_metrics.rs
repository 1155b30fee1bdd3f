//! Relationship metrics over a period (保留率、流失率、增长率、重复购买率、推荐率、投诉率).
//!
//! CRM performance is watched through a handful of rates between two dates
//! (docs/DOMAIN.md sections 3 and 5). They are simple fractions, and the work is in
//! saying exactly what is counted, so that two analysts get the same number:
//!
//! | metric | definition here |
//! |---|---|
//! | retention | (E − N) / S: S in the base at the start, E at the end, N in E but not in S (acquired or come back) = retained / S |
//! | churn | customers of S lost during the period / S |
//! | growth | (E − S) / S |
//! | acquisition | N / S: the new customers of the retention formula (in the base at the end, not at the start: acquired or come back); the gross count of customers who joined during the period (`joined`, also those who left again) stands beside it |
//! | repeat purchase | active customers with two or more purchase occasions / active customers |
//! | referral | active customers who referred at least once in the period / active customers |
//! | complaint rate | complaints opened in the period / active customers, and per 1,000 orders |
//! | resolution, on time | resolved by the period end / complaints; resolved within the promised hours / resolved |
//!
//! *Start* is the end of the day before the first day; *end* is the end of
//! the last day ([`crate::relationship::customer_base`] says who is in the base on a day).
//! A customer of S who is lost and comes back within the period counts as
//! both lost and retained, so retention + churn = 1 exactly when no customer
//! comes back; and growth = acquisition + retention − 1 always. Who is lost
//! and who comes back is read off the memberships
//! ([`CustomerBase::memberships`]), not the spans: one span ending on the day
//! the next begins (a contract renewal) is one continuous membership. An *active* customer made at least one purchase occasion in
//! the period; purchase figures come from [`PeriodActivity`] rows, which
//! [`PeriodActivity::from_summaries`] makes from the summaries of
//! [`crate::records::summary`] computed over the period's window.
//!
//! Every rate is a [`Decimal`] fraction in [0, 1] (growth and acquisition can
//! exceed 1 and growth can be negative; complaints per customer can exceed 1)
//! or `None` when its denominator is zero: an empty period, or a period with
//! no customer at its start, has an undefined retention, not 0 and not NaN.
//! Events (complaints, referrals) outside the period are skipped and counted
//! in [`RowCounts`]; an event of a customer not in the base is an error.
//!
//! The service-recovery comparison puts the repeat-purchase rate of active
//! customers whose every complaint in the period was resolved next to that of
//! active customers who did not complain, and adds the share who bought again
//! on a day after their last resolution.
//!
//! ```
//! use chrono::{NaiveDate, TimeZone, Utc};
//! use crm_core::relationship::customer_base::{CustomerBase, CustomerSpan};
//! use crm_core::relationship::period_metrics::{period_metrics, MetricPeriod, PeriodActivity, PeriodConfig, PeriodData};
//! use rust_decimal_macros::dec;
//! let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
//! let base = CustomerBase::new(vec![
//!     CustomerSpan::new(1, d(1, 1), None),
//!     CustomerSpan::new(2, d(1, 1), Some(d(2, 10))), // lost in February
//!     CustomerSpan::new(3, d(2, 5), None),           // acquired in February
//! ])?;
//! let data = PeriodData { base, activity: vec![PeriodActivity::new(1, 2, 2, Some(d(2, 20)))], ..Default::default() };
//! let m = period_metrics(&data, MetricPeriod::new(d(2, 1), d(2, 29))?, &PeriodConfig::default())?;
//! // S = {1, 2}, E = {1, 3}, N = {3}: retention (2 − 1) / 2, churn 1 / 2, growth 0
//! assert_eq!((m.retention_rate, m.churn_rate, m.growth_rate), (Some(dec!(0.5)), Some(dec!(0.5)), Some(dec!(0))));
//! assert_eq!(m.repeat_purchase_rate, Some(dec!(1)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::records::customer::CustomerId;
use crate::records::summary::Summaries;
use crate::relationship::complaint::{Complaint, ComplaintError, ServiceLevels};
use crate::relationship::customer_base::CustomerBase;

/// The period: from the first to the last day, both included (UTC days for
/// timestamps).
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// use crm_core::relationship::period_metrics::MetricPeriod;
/// let p = MetricPeriod::new(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2024, 1, 31).unwrap())?;
/// assert!(p.contains(Utc.with_ymd_and_hms(2024, 1, 31, 23, 59, 59).unwrap()));
/// assert!(!p.contains(Utc.with_ymd_and_hms(2024, 2, 1, 0, 0, 0).unwrap()));
/// assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"first_day":"2024-01-01","last_day":"2024-01-31"}"#);
/// # Ok::<(), crm_core::relationship::period_metrics::PeriodError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct MetricPeriod {
    /// The first day.
    pub first_day: NaiveDate,
    /// The last day (included).
    pub last_day: NaiveDate,
}

impl MetricPeriod {
    /// A period; the last day may equal the first.
    ///
    /// # Errors
    ///
    /// [`PeriodError::EmptyPeriod`] when the last day is before the first.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::relationship::period_metrics::MetricPeriod;
    /// let d = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
    /// assert!(MetricPeriod::new(d, d.pred_opt().unwrap()).is_err());
    /// ```
    pub fn new(first_day: NaiveDate, last_day: NaiveDate) -> Result<MetricPeriod, PeriodError> {
        if last_day < first_day {
            return Err(PeriodError::EmptyPeriod {
                first_day,
                last_day,
            });
        }
        Ok(MetricPeriod {
            first_day,
            last_day,
        })
    }

    /// Is the day in the period?
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::relationship::period_metrics::MetricPeriod;
    /// let d = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
    /// assert!(MetricPeriod::new(d, d)?.contains_day(d));
    /// # Ok::<(), crm_core::relationship::period_metrics::PeriodError>(())
    /// ```
    pub fn contains_day(&self, day: NaiveDate) -> bool {
        self.first_day <= day && day <= self.last_day
    }

    /// Is the instant on a day of the period (UTC)?
    ///
    /// ```
    /// use chrono::{NaiveDate, TimeZone, Utc};
    /// use crm_core::relationship::period_metrics::MetricPeriod;
    /// let d = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    /// assert!(MetricPeriod::new(d, d)?.contains(Utc.timestamp_opt(0, 0).unwrap()));
    /// # Ok::<(), crm_core::relationship::period_metrics::PeriodError>(())
    /// ```
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.contains_day(t.date_naive())
    }

    /// Did the instant happen by the end of the last day?
    ///
    /// ```
    /// use chrono::{NaiveDate, TimeZone, Utc};
    /// use crm_core::relationship::period_metrics::MetricPeriod;
    /// let d = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    /// assert!(!MetricPeriod::new(d, d)?.by_end(Utc.timestamp_opt(86_400, 0).unwrap()));
    /// # Ok::<(), crm_core::relationship::period_metrics::PeriodError>(())
    /// ```
    pub fn by_end(&self, t: DateTime<Utc>) -> bool {
        t.date_naive() <= self.last_day
    }
}

/// What happened to the rows of one input: read = used + outside_period.
/// (Rows that break a rule stop the run with an error naming the row.)
///
/// ```
/// use crm_core::relationship::period_metrics::RowCounts;
/// let r = RowCounts { read: 5, used: 3, outside_period: 2 };
/// assert!(r.adds_up());
/// assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"read":5,"used":3,"outside_period":2}"#);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct RowCounts {
    /// Rows given.
    pub read: u64,
    /// Rows counted in the metrics.
    pub used: u64,
    /// Rows skipped because they fall outside the period.
    pub outside_period: u64,
}

impl RowCounts {
    /// Does read = used + outside_period hold?
    ///
    /// ```
    /// use crm_core::relationship::period_metrics::RowCounts;
    /// assert!(RowCounts::default().adds_up());
    /// ```
    pub fn adds_up(&self) -> bool {
        self.read == self.used + self.outside_period
    }

    pub(crate) fn tally(&mut self, used: bool) {
        self.read += 1;
        if used {
            self.used += 1;
        } else {
            self.outside_period += 1;
        }
    }
}

/// `n / d` as a decimal fraction without trailing zeros (`0.8`, not
/// `0.80`); `None` when `d` is zero (undefined).
pub(crate) fn share(n: u64, d: u64) -> Option<Decimal> {
    if d == 0 {
        None
    } else {
        Decimal::from(n)
            .checked_div(Decimal::from(d))
            .map(|x| x.normalize())
    }
}

/// One customer's purchases in the period.
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::relationship::period_metrics::PeriodActivity;
/// let a = PeriodActivity::new(5, 3, 4, NaiveDate::from_ymd_opt(2024, 1, 9));
/// assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"customer":5,"occasions":3,"orders":4,"last_purchase":"2024-01-09"}"#);
/// assert_eq!(serde_json::from_str::<PeriodActivity>(&serde_json::to_string(&a).unwrap()).unwrap(), a);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct PeriodActivity {
    /// The customer.
    pub customer: CustomerId,
    /// Purchase occasions (days with a purchase) in the period.
    pub occasions: u64,
    /// Orders (transactions) in the period.
    pub orders: u64,
    /// The last purchase day in the period; `None` without purchases.
    pub last_purchase: Option<NaiveDate>,
}

impl PeriodActivity {
    /// One customer's activity.
    ///
    /// ```
    /// use crm_core::relationship::period_metrics::PeriodActivity;
    /// assert_eq!(PeriodActivity::new(1, 0, 0, None).occasions, 0);
    /// ```
    pub fn new(
        customer: impl Into<CustomerId>,
        occasions: u64,
        orders: u64,
        last_purchase: Option<NaiveDate>,
    ) -> Self {
        PeriodActivity {
            customer: customer.into(),
            occasions,
            orders,
            last_purchase,
        }
    }

    /// Activity rows from summaries computed over exactly this period
    /// (`window_start` = first day, `as_of` = last day).
    ///
    /// # Errors
    ///
    /// [`PeriodError::SummaryWindow`] when the summaries cover another window.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::relationship::period_metrics::{MetricPeriod, PeriodActivity};
    /// use crm_core::records::summary::{Summaries, SummaryConfig};
    /// let (a, b) = (NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2024, 1, 31).unwrap());
    /// let s = Summaries::with_capacity(&SummaryConfig::new(b).with_window_start(a), 0);
    /// assert!(PeriodActivity::from_summaries(&s, MetricPeriod::new(a, b)?)?.is_empty());
    /// # Ok::<(), crm_core::relationship::period_metrics::PeriodError>(())
    /// ```
    pub fn from_summaries(
        s: &Summaries,
        period: MetricPeriod,
    ) -> Result<Vec<PeriodActivity>, PeriodError> {
        if s.window_start != Some(period.first_day) || s.as_of != period.last_day {
            return Err(PeriodError::SummaryWindow {
                window_start: s.window_start,
                as_of: s.as_of,
            });
        }
        Ok((0..s.customers.len())
            .map(|i| {
                PeriodActivity::new(
                    s.customers[i].clone(),
                    s.occasions[i],
                    s.transactions[i],
                    Some(s.last_purchase[i]),
                )
            })
            .collect())
    }
}

/// A referral event: `referrer` brought (or tried to bring) a new customer.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use crm_core::relationship::period_metrics::Referral;
/// let r = Referral { referrer: 1.into(), referred: Some(9.into()), time: Utc.with_ymd_and_hms(2024, 1, 5, 0, 0, 0).unwrap() };
/// let json = serde_json::to_string(&r).unwrap();
/// assert_eq!(json, r#"{"referrer":1,"referred":9,"time":"2024-01-05T00:00:00Z"}"#);
/// assert_eq!(serde_json::from_str::<Referral>(&json).unwrap(), r);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Referral {
    /// The customer who referred.
    pub referrer: CustomerId,
    /// The customer referred, when known.
    pub referred: Option<CustomerId>,
    /// When.
    pub time: DateTime<Utc>,
}

/// Everything the period metrics read.
///
/// ```
/// use crm_core::relationship::period_metrics::PeriodData;
/// let d = PeriodData::default();
/// assert_eq!(serde_json::to_string(&d).unwrap(), r#"{"base":[],"activity":[],"complaints":[],"referrals":[]}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct PeriodData {
    /// Who was a customer when (with tiers for the service levels).
    pub base: CustomerBase,
    /// Purchases in the period, one row per customer (customers without a
    /// row made no purchase).
    pub activity: Vec<PeriodActivity>,
    /// Complaint records (any period: those opened outside are skipped).
    pub complaints: Vec<Complaint>,
    /// Referral events (any period).
    pub referrals: Vec<Referral>,
}

/// Settings of the period metrics.
///
/// ```
/// use crm_core::relationship::period_metrics::PeriodConfig;
/// assert_eq!(PeriodConfig::default().service_levels.most_valuable, 24);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct PeriodConfig {
    /// The promised response and resolution hours by tier.
    pub service_levels: ServiceLevels,
}

/// Input that cannot be right.
///
/// ```
/// use crm_core::relationship::period_metrics::PeriodError;
/// let e = PeriodError::UnknownCustomer { input: "referrals", row: 3, customer: 8.into() };
/// assert_eq!(e.to_string(), "referrals row 3: customer 8 is not in the customer base: the rule is every event names a known customer");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum PeriodError {
    /// Last day before the first.
    #[error(
        "period last_day {last_day} is before first_day {first_day}: the rule is first_day <= last_day"
    )]
    EmptyPeriod {
        /// First day.
        first_day: NaiveDate,
        /// Last day.
        last_day: NaiveDate,
    },
    /// An event of a customer who is not in the base.
    #[error(
        "{input} row {row}: customer {customer} is not in the customer base: the rule is every event names a known customer"
    )]
    UnknownCustomer {
        /// Which input.
        input: &'static str,
        /// The row (1-based data row).
        row: usize,
        /// The customer.
        customer: CustomerId,
    },
    /// Two activity rows of one customer.
    #[error(
        "activity row {row}: customer {customer} appears twice: the rule is one activity row per customer"
    )]
    DuplicateCustomer {
        /// The second row (1-based data row).
        row: usize,
        /// The customer.
        customer: CustomerId,
    },
    /// An activity row that contradicts itself or the period.
    #[error("activity row {row} (customer {customer}): {field} breaks the rule {rule}")]
    InvalidActivity {
        /// The row (1-based data row).
        row: usize,
        /// The customer.
        customer: CustomerId,
        /// The field.
        field: &'static str,
        /// The rule.
        rule: &'static str,
    },
    /// Summaries of another window than the period.
    #[error(
        "summaries cover {window_start:?}..={as_of}, not the period: the rule is window_start = first_day and as_of = last_day"
    )]
    SummaryWindow {
        /// Their window start.
        window_start: Option<NaiveDate>,
        /// Their analysis date.
        as_of: NaiveDate,
    },
    /// A complaint record that cannot be right.
    #[error(transparent)]
    Complaint(#[from] ComplaintError),
}

fn check_activity(a: &PeriodActivity, row: usize, period: MetricPeriod) -> Result<(), PeriodError> {
    let bad = |field, rule| {
        Err(PeriodError::InvalidActivity {
            row,
            customer: a.customer.clone(),
            field,
            rule,
        })
    };
    if a.occasions > a.orders {
        return bad("occasions", "occasions <= orders");
    }
    match a.last_purchase {
        None if a.occasions > 0 => bad("last_purchase", "known when occasions > 0"),
        Some(day) if !period.contains_day(day) => bad("last_purchase", "within the period"),
        _ => Ok(()),
    }
}

/// The activity rows by customer, checked.
fn activity_index(
    data: &PeriodData,
    period: MetricPeriod,
    rows: &mut RowCounts,
) -> Result<BTreeMap<CustomerId, PeriodActivity>, PeriodError> {
    let mut out = BTreeMap::new();
    for (row, a) in (1..).zip(&data.activity) {
        if !data.base.contains(&a.customer) {
            return Err(PeriodError::UnknownCustomer {
                input: "activity",
                row,
                customer: a.customer.clone(),
            });
        }
        check_activity(a, row, period)?;
        if out.insert(a.customer.clone(), a.clone()).is_some() {
            return Err(PeriodError::DuplicateCustomer {
                row,
                customer: a.customer.clone(),
            });
        }
        rows.tally(true);
    }
    Ok(out)
}

fn base_movement(base: &CustomerBase, period: MetricPeriod, rows: &mut RowCounts) -> BaseMovement {
    let mut m = BaseMovement::default();
    for c in base.customers() {
        let spans: Vec<_> = base.spans(c).collect();
        for s in &spans {
            rows.tally(s.since <= period.last_day && s.until.is_none_or(|u| u >= period.first_day));
        }
        let at_start = period
            .first_day
            .pred_opt()
            .is_some_and(|d| base.in_base_on(c, d));
        let at_end = base.in_base_on(c, period.last_day);
        m.at_start += u64::from(at_start);
        m.at_end += u64::from(at_end);
        m.retained += u64::from(at_start && at_end);
        m.entered += u64::from(at_end && !at_start);
        // Memberships, not spans: a span ending on the day the next begins
        // (a renewal) is neither a loss nor a return.
        let memberships = base.memberships(c);
        m.lost += u64::from(
            at_start
                && memberships
                    .iter()
                    .any(|(_, until)| until.is_some_and(|u| period.contains_day(u))),
        );
        let mut joined = false;
        for (i, (since, _)) in memberships.iter().enumerate() {
            if period.contains_day(*since) {
                joined = true;
                if i == 0 {
                    m.acquired += 1
                } else {
                    m.returned += 1
                }
            }
        }
        m.joined += u64::from(joined);
    }
    m
}

/// Per customer: complaints in the period, how many resolved by the end, and the last resolution.
#[derive(Default)]
struct Tally {
    complaints: u64,
    resolved: u64,
    last_resolved: Option<DateTime<Utc>>,
}

fn complaint_metrics(
    data: &PeriodData,
    period: MetricPeriod,
    levels: &ServiceLevels,
    rows: &mut RowCounts,
) -> Result<(ComplaintMetrics, BTreeMap<CustomerId, Tally>), PeriodError> {
    let mut m = ComplaintMetrics::default();
    let mut tally: BTreeMap<CustomerId, Tally> = BTreeMap::new();
    for (row, c) in (1..).zip(&data.complaints) {
        c.validate(row)?;
        if !data.base.contains(&c.customer) {
            return Err(PeriodError::UnknownCustomer {
                input: "complaints",
                row,
                customer: c.customer.clone(),
            });
        }
        let used = period.contains(c.opened);
        rows.tally(used);
        if !used {
            continue;
        }
        let hours = levels.hours(data.base.tier(&c.customer));
        let resolved = c.resolved.filter(|t| period.by_end(*t));
        let responded = c.first_response.is_some_and(|t| period.by_end(t));
        m.complaints += 1;
        *m.by_channel.entry(c.channel.clone()).or_default() += 1;
        m.resolved += u64::from(resolved.is_some());
        m.resolved_on_time += u64::from(resolved.is_some() && c.resolved_within(hours));
        m.responded += u64::from(responded);
        m.responded_on_time += u64::from(responded && c.responded_within(hours));
        let t = tally.entry(c.customer.clone()).or_default();
        t.complaints += 1;
        t.resolved += u64::from(resolved.is_some());
        t.last_resolved = t.last_resolved.max(resolved);
    }
    m.open_at_end = m.complaints - m.resolved;
    m.resolution_rate = share(m.resolved, m.complaints);
    m.on_time_rate = share(m.resolved_on_time, m.resolved);
    m.response_on_time_rate = share(m.responded_on_time, m.responded);
    Ok((m, tally))
}

fn service_recovery(
    activity: &BTreeMap<CustomerId, PeriodActivity>,
    tally: &BTreeMap<CustomerId, Tally>,
) -> ServiceRecovery {
    let mut r = ServiceRecovery::default();
    for a in activity.values().filter(|a| a.occasions > 0) {
        let repeat = u64::from(a.occasions >= 2);
        match tally.get(&a.customer) {
            None => {
                r.no_complaint_customers += 1;
                r.no_complaint_repeaters += repeat;
            }
            Some(t) if t.resolved == t.complaints => {
                r.resolved_complainants += 1;
                r.resolved_repeaters += repeat;
                let after = matches!((a.last_purchase, t.last_resolved), (Some(p), Some(res)) if p > res.date_naive());
                r.bought_after_resolution += u64::from(after);
            }
            Some(_) => {}
        }
    }
    r.repeat_rate_after_resolved_complaint = share(r.resolved_repeaters, r.resolved_complainants);
    r.repurchase_after_resolution_rate = share(r.bought_after_resolution, r.resolved_complainants);
    r.repeat_rate_no_complaint = share(r.no_complaint_repeaters, r.no_complaint_customers);
    r
}

/// The referrers in the period, checked against the base.
fn referrers(
    data: &PeriodData,
    period: MetricPeriod,
    rows: &mut RowCounts,
) -> Result<BTreeSet<CustomerId>, PeriodError> {
    let mut out = BTreeSet::new();
    for (row, r) in (1..).zip(&data.referrals) {
        if !data.base.contains(&r.referrer) {
            return Err(PeriodError::UnknownCustomer {
                input: "referrals",
                row,
                customer: r.referrer.clone(),
            });
        }
        let used = period.contains(r.time);
        rows.tally(used);
        if used {
            out.insert(r.referrer.clone());
        }
    }
    Ok(out)
}

/// Growth (E − S) / S, which may be negative.
fn growth(m: &BaseMovement) -> Option<Decimal> {
    if m.at_start == 0 {
        return None;
    }
    (Decimal::from(m.at_end) - Decimal::from(m.at_start)).checked_div(Decimal::from(m.at_start))
}

/// The period's relationship metrics.
///
/// # Errors
///
/// An event or activity row of a customer not in the base, two activity
/// rows of one customer, an activity row that contradicts itself or lies
/// outside the period, or a complaint answered or resolved before it was
/// opened; each names the input, the row and the rule.
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// use crm_core::relationship::complaint::Complaint;
/// use crm_core::relationship::customer_base::{CustomerBase, CustomerSpan};
/// use crm_core::relationship::period_metrics::{period_metrics, MetricPeriod, PeriodActivity, PeriodConfig, PeriodData};
/// use crm_core::value::tier::Tier;
/// use rust_decimal_macros::dec;
/// let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
/// let t = |day, h| Utc.with_ymd_and_hms(2024, 1, day, h, 0, 0).unwrap();
/// let base = CustomerBase::new(vec![CustomerSpan::new(1, d(1), None).with_tier(Tier::MostValuable)])?;
/// let data = PeriodData {
///     base,
///     activity: vec![PeriodActivity::new(1, 1, 1, Some(d(3)))],
///     complaints: vec![Complaint::new(1, "phone", t(10, 9)).resolved_at(t(11, 12))], // 27 h > 24 h
///     referrals: vec![],
/// };
/// let m = period_metrics(&data, MetricPeriod::new(d(2), d(31))?, &PeriodConfig::default())?;
/// assert_eq!(m.complaints.resolution_rate, Some(dec!(1)));
/// assert_eq!(m.complaints.on_time_rate, Some(dec!(0)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn period_metrics(
    data: &PeriodData,
    period: MetricPeriod,
    config: &PeriodConfig,
) -> Result<PeriodMetrics, PeriodError> {
    let mut rows = PeriodRows::default();
    let base = base_movement(&data.base, period, &mut rows.customers);
    let activity = activity_index(data, period, &mut rows.activity)?;
    let (mut complaints, tally) =
        complaint_metrics(data, period, &config.service_levels, &mut rows.complaints)?;
    let referring = referrers(data, period, &mut rows.referrals)?;
    let active: Vec<&PeriodActivity> = activity.values().filter(|a| a.occasions > 0).collect();
    let active_customers = active.len() as u64;
    let repeat_customers = active.iter().filter(|a| a.occasions >= 2).count() as u64;
    let orders = activity.values().map(|a| a.orders).sum::<u64>();
    let referrers = active
        .iter()
        .filter(|a| referring.contains(&a.customer))
        .count() as u64;
    complaints.per_active_customer = share(complaints.complaints, active_customers);
    complaints.per_1000_orders = share(complaints.complaints.saturating_mul(1000), orders);
    Ok(PeriodMetrics {
        period,
        retention_rate: share(base.retained, base.at_start),
        churn_rate: share(base.lost, base.at_start),
        growth_rate: growth(&base),
        acquisition_rate: share(base.entered, base.at_start),
        base,
        active_customers,
        repeat_customers,
        repeat_purchase_rate: share(repeat_customers, active_customers),
        orders,
        referrals: rows.referrals.used,
        referrers,
        referrers_not_active: referring.len() as u64 - referrers,
        referral_rate: share(referrers, active_customers),
        complaints,
        service_recovery: service_recovery(&activity, &tally),
        rows,
    })
}

mod report;
pub use report::{BaseMovement, ComplaintMetrics, PeriodMetrics, PeriodRows, ServiceRecovery};

#[cfg(test)]
mod tests;
