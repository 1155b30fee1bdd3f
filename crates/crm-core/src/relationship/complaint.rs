//! Complaints (投诉): the record, the service level, the period's figures.
//!
//! The texts call complaints a gift: they carry the most valuable information,
//! and a customer whose complaint was put right can end up more loyal than one
//! who never had a problem (docs/DOMAIN.md section 3). So the engine tracks how many
//! complaints there were (per active customer and per 1,000 orders), how many
//! were resolved, and how many were answered and resolved within the promised
//! service level; [`crate::relationship::period_metrics`] adds the loyalty of customers after
//! a resolved complaint.
//!
//! Rules this module fixes, each configurable or documented:
//!
//! - a complaint belongs to the period it was **opened** in; one opened before
//!   or after is skipped and counted as outside the period;
//! - a complaint is resolved if its `resolved` time falls on or before the
//!   period's last day; one resolved later, or never, is **open at the end**
//!   (it stays in the denominator of the resolution rate: not resolving is
//!   the failure the rate measures);
//! - the promised service level depends on the customer's tier
//!   ([`ServiceLevels`], default 24 h for the most valuable customers as in
//!   the tobacco text, 48 h for major, 72 h otherwise, as the default
//!   treatment policy promises); "on time" is `resolved − opened <= hours`,
//!   and the same for the first response;
//! - the `outcome` is a free label (accepted, refunded, rejected...) kept for
//!   the caller's breakdowns; resolution is read from the timestamp.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use crm_core::relationship::complaint::{Complaint, ServiceLevels};
//! use crm_core::value::tier::Tier;
//! let opened = Utc.with_ymd_and_hms(2024, 3, 1, 9, 0, 0).unwrap();
//! let c = Complaint::new(1, "phone", opened).resolved_at(Utc.with_ymd_and_hms(2024, 3, 2, 8, 0, 0).unwrap());
//! assert_eq!(c.hours_to_resolution(), Some(23));
//! assert!(c.resolved_within(ServiceLevels::default().hours(Some(Tier::MostValuable))));
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::records::customer::CustomerId;
use crate::value::tier::Tier;

/// One complaint as the service desk records it.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use crm_core::relationship::complaint::Complaint;
/// let c = Complaint::new("C-9", "email", Utc.with_ymd_and_hms(2024, 1, 2, 10, 0, 0).unwrap());
/// let json = serde_json::to_string(&c).unwrap();
/// assert_eq!(json, r#"{"customer":"C-9","channel":"email","opened":"2024-01-02T10:00:00Z","first_response":null,"resolved":null,"outcome":null}"#);
/// assert_eq!(serde_json::from_str::<Complaint>(&json).unwrap(), c);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Complaint {
    /// Who complained.
    pub customer: CustomerId,
    /// Where (phone, email, visit, ...).
    pub channel: String,
    /// When the complaint was received.
    pub opened: DateTime<Utc>,
    /// The first answer to the customer, if any.
    pub first_response: Option<DateTime<Utc>>,
    /// When it was put right, if it was.
    pub resolved: Option<DateTime<Utc>>,
    /// A free label of the outcome.
    pub outcome: Option<String>,
}

impl Complaint {
    /// An open complaint without response.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use crm_core::relationship::complaint::Complaint;
    /// assert!(Complaint::new(1, "phone", Utc.timestamp_opt(0, 0).unwrap()).resolved.is_none());
    /// ```
    pub fn new(customer: impl Into<CustomerId>, channel: &str, opened: DateTime<Utc>) -> Complaint {
        Complaint {
            customer: customer.into(),
            channel: channel.to_owned(),
            opened,
            first_response: None,
            resolved: None,
            outcome: None,
        }
    }

    /// With a first response.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use crm_core::relationship::complaint::Complaint;
    /// let t = Utc.timestamp_opt(3600, 0).unwrap();
    /// assert_eq!(Complaint::new(1, "x", Utc.timestamp_opt(0, 0).unwrap()).responded_at(t).first_response, Some(t));
    /// ```
    #[must_use]
    pub fn responded_at(mut self, t: DateTime<Utc>) -> Complaint {
        self.first_response = Some(t);
        self
    }

    /// With a resolution.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use crm_core::relationship::complaint::Complaint;
    /// let t = Utc.timestamp_opt(3600, 0).unwrap();
    /// assert_eq!(Complaint::new(1, "x", Utc.timestamp_opt(0, 0).unwrap()).resolved_at(t).resolved, Some(t));
    /// ```
    #[must_use]
    pub fn resolved_at(mut self, t: DateTime<Utc>) -> Complaint {
        self.resolved = Some(t);
        self
    }

    /// Whole hours from opening to resolution (rounded down).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use crm_core::relationship::complaint::Complaint;
    /// let c = Complaint::new(1, "x", Utc.timestamp_opt(0, 0).unwrap()).resolved_at(Utc.timestamp_opt(5400, 0).unwrap());
    /// assert_eq!(c.hours_to_resolution(), Some(1));
    /// ```
    pub fn hours_to_resolution(&self) -> Option<i64> {
        self.resolved.map(|r| (r - self.opened).num_hours())
    }

    /// Resolved within `hours` of opening (exactly `hours` counts)?
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use crm_core::relationship::complaint::Complaint;
    /// let c = Complaint::new(1, "x", Utc.timestamp_opt(0, 0).unwrap()).resolved_at(Utc.timestamp_opt(24 * 3600, 0).unwrap());
    /// assert!(c.resolved_within(24) && !c.resolved_within(23));
    /// ```
    pub fn resolved_within(&self, hours: u32) -> bool {
        within(self.opened, self.resolved, hours)
    }

    /// First response within `hours` of opening?
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use crm_core::relationship::complaint::Complaint;
    /// let c = Complaint::new(1, "x", Utc.timestamp_opt(0, 0).unwrap()).responded_at(Utc.timestamp_opt(60, 0).unwrap());
    /// assert!(c.responded_within(1));
    /// ```
    pub fn responded_within(&self, hours: u32) -> bool {
        within(self.opened, self.first_response, hours)
    }

    /// Checks the timestamps' order.
    ///
    /// # Errors
    ///
    /// A first response or resolution before the complaint was opened.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use crm_core::relationship::complaint::Complaint;
    /// let c = Complaint::new(1, "x", Utc.timestamp_opt(60, 0).unwrap()).resolved_at(Utc.timestamp_opt(0, 0).unwrap());
    /// assert_eq!(c.validate(4).unwrap_err().to_string(),
    ///     "complaints row 4 (customer 1): resolved is before opened: the rule is opened <= resolved");
    /// ```
    pub fn validate(&self, row: usize) -> Result<(), ComplaintError> {
        for (field, t) in [
            ("first_response", self.first_response),
            ("resolved", self.resolved),
        ] {
            if t.is_some_and(|t| t < self.opened) {
                return Err(ComplaintError::BeforeOpened {
                    row,
                    customer: self.customer.clone(),
                    field,
                });
            }
        }
        Ok(())
    }
}

fn within(opened: DateTime<Utc>, done: Option<DateTime<Utc>>, hours: u32) -> bool {
    done.is_some_and(|t| (t - opened).num_seconds() <= i64::from(hours) * 3600)
}

/// A complaint record that cannot be right.
///
/// ```
/// use crm_core::relationship::complaint::ComplaintError;
/// let e = ComplaintError::BeforeOpened { row: 0, customer: 7.into(), field: "first_response" };
/// assert!(e.to_string().contains("first_response"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum ComplaintError {
    /// A timestamp before the opening.
    #[error(
        "complaints row {row} (customer {customer}): {field} is before opened: the rule is opened <= {field}"
    )]
    BeforeOpened {
        /// The row (1-based data row).
        row: usize,
        /// The customer.
        customer: CustomerId,
        /// `first_response` or `resolved`.
        field: &'static str,
    },
}

/// Promised hours to answer and resolve a complaint, by value tier.
///
/// ```
/// use crm_core::relationship::complaint::ServiceLevels;
/// use crm_core::value::tier::Tier;
/// let s = ServiceLevels::default();
/// assert_eq!((s.hours(Some(Tier::MostValuable)), s.hours(Some(Tier::Major)), s.hours(None)), (24, 48, 72));
/// let json = serde_json::to_string(&s).unwrap();
/// assert_eq!(serde_json::from_str::<ServiceLevels>(&json).unwrap(), s);
/// // A field left out takes its default: front ends pass only what the
/// // caller set, so the defaults live here alone.
/// assert_eq!(serde_json::from_str::<ServiceLevels>(r#"{"major": 36}"#).unwrap().other, 72);
/// assert!(serde_json::from_str::<ServiceLevels>(r#"{"gold": 1}"#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ServiceLevels {
    /// Most valuable customers (default 24 h: the call back within 24 hours).
    pub most_valuable: u32,
    /// Major customers (default 48 h).
    pub major: u32,
    /// Ordinary and inactive customers, and customers without a known tier
    /// (default 72 h).
    pub other: u32,
}

impl Default for ServiceLevels {
    fn default() -> Self {
        ServiceLevels {
            most_valuable: 24,
            major: 48,
            other: 72,
        }
    }
}

impl ServiceLevels {
    /// The promised hours for a tier.
    ///
    /// ```
    /// use crm_core::relationship::complaint::ServiceLevels;
    /// use crm_core::value::tier::Tier;
    /// assert_eq!(ServiceLevels::default().hours(Some(Tier::Inactive)), 72);
    /// ```
    pub fn hours(&self, tier: Option<Tier>) -> u32 {
        match tier {
            Some(Tier::MostValuable) => self.most_valuable,
            Some(Tier::Major) => self.major,
            _ => self.other,
        }
    }
}
