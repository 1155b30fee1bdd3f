//! The customer base over time: who was a customer when.
//!
//! Retention, churn and growth (docs/DOMAIN.md section 5) count customers *at the
//! start* and *at the end* of a period, so the engine needs to know when each
//! relationship began and ended. That is a fact of the firm's records (an
//! account opened, a contract cancelled, or the firm's own inactivity rule
//! applied to purchases), not something the engine should guess, so the
//! caller supplies it as [`CustomerSpan`]s: one row per relationship, a
//! customer who left and came back has two.
//!
//! A customer is in the base on day `d` when `since <= d` and (`until` is
//! unknown or `d < until`): `until` is the first day the customer is no
//! longer one (the day he was lost). Spans of one customer must not overlap.
//!
//! Each span may carry the customer's value tier and segment; the latest span
//! (largest `since`) gives the customer's tier and segment for the
//! breakdowns and service levels of [`crate::relationship::survey`] and
//! [`crate::relationship::period_metrics`].
//!
//! ```
//! use chrono::NaiveDate;
//! use crm_core::relationship::customer_base::{CustomerBase, CustomerSpan};
//! use crm_core::value::tier::Tier;
//! let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
//! let base = CustomerBase::new(vec![
//!     CustomerSpan::new(1, d(1, 1), None).with_tier(Tier::MostValuable),
//!     CustomerSpan::new(2, d(1, 1), Some(d(2, 1))),
//! ])?;
//! assert!(base.in_base_on(&1.into(), d(3, 1)));
//! assert!(!base.in_base_on(&2.into(), d(2, 1))); // lost on 1 February
//! assert_eq!(base.tier(&1.into()), Some(Tier::MostValuable));
//! # Ok::<(), crm_core::relationship::customer_base::BaseError>(())
//! ```

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::records::customer::CustomerId;
use crate::value::tier::Tier;

/// One relationship: from `since` until (not including) `until`.
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::relationship::customer_base::CustomerSpan;
/// let s = CustomerSpan::new(7, NaiveDate::from_ymd_opt(2023, 5, 1).unwrap(), None).with_segment("retail");
/// let json = serde_json::to_string(&s).unwrap();
/// assert_eq!(json, r#"{"customer":7,"since":"2023-05-01","until":null,"tier":null,"segment":"retail"}"#);
/// assert_eq!(serde_json::from_str::<CustomerSpan>(&json).unwrap(), s);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct CustomerSpan {
    /// The customer.
    pub customer: CustomerId,
    /// First day as a customer.
    pub since: NaiveDate,
    /// First day no longer a customer (lost); `None` while still one.
    pub until: Option<NaiveDate>,
    /// The customer's value tier, when known (for service levels and breakdowns).
    pub tier: Option<Tier>,
    /// The customer's segment, when known (for breakdowns).
    pub segment: Option<String>,
}

impl CustomerSpan {
    /// A span without tier or segment.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::relationship::customer_base::CustomerSpan;
    /// let s = CustomerSpan::new("C-1", NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), None);
    /// assert!(s.tier.is_none());
    /// ```
    pub fn new(
        customer: impl Into<CustomerId>,
        since: NaiveDate,
        until: Option<NaiveDate>,
    ) -> CustomerSpan {
        CustomerSpan {
            customer: customer.into(),
            since,
            until,
            tier: None,
            segment: None,
        }
    }

    /// With a tier.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::{relationship::customer_base::CustomerSpan, value::tier::Tier};
    /// let s = CustomerSpan::new(1, NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), None).with_tier(Tier::Major);
    /// assert_eq!(s.tier, Some(Tier::Major));
    /// ```
    #[must_use]
    pub fn with_tier(mut self, tier: Tier) -> CustomerSpan {
        self.tier = Some(tier);
        self
    }

    /// With a segment.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::relationship::customer_base::CustomerSpan;
    /// let s = CustomerSpan::new(1, NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), None).with_segment("b2b");
    /// assert_eq!(s.segment.as_deref(), Some("b2b"));
    /// ```
    #[must_use]
    pub fn with_segment(mut self, segment: &str) -> CustomerSpan {
        self.segment = Some(segment.to_owned());
        self
    }

    /// Is the customer in the base on `day`?
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::relationship::customer_base::CustomerSpan;
    /// let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
    /// let s = CustomerSpan::new(1, d(2), Some(d(5)));
    /// assert!(!s.covers(d(1)) && s.covers(d(2)) && s.covers(d(4)) && !s.covers(d(5)));
    /// ```
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.since <= day && self.until.is_none_or(|u| day < u)
    }
}

/// A span that cannot be right.
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::relationship::customer_base::{BaseError, CustomerBase, CustomerSpan};
/// let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
/// let e = CustomerBase::new(vec![CustomerSpan::new(1, d(5), Some(d(2)))]).unwrap_err();
/// assert_eq!(e.to_string(), "customers row 1 (customer 1): until is before since: the rule is since <= until");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum BaseError {
    /// `until` before `since`.
    #[error(
        "customers row {row} (customer {customer}): until is before since: the rule is since <= until"
    )]
    EndsBeforeStart {
        /// The row (1-based data row).
        row: usize,
        /// The customer.
        customer: CustomerId,
    },
    /// Two spans of one customer overlap.
    #[error(
        "customers row {row} (customer {customer}): the span overlaps the span of row {other_row}: the rule is one span per customer at a time"
    )]
    Overlap {
        /// The row (1-based data row).
        row: usize,
        /// The other row (1-based data row).
        other_row: usize,
        /// The customer.
        customer: CustomerId,
    },
}

/// The validated base: every customer's spans, sorted by `since`.
///
/// ```
/// use crm_core::relationship::customer_base::CustomerBase;
/// let empty = CustomerBase::new(Vec::new())?;
/// assert_eq!(empty.customers().count(), 0);
/// # Ok::<(), crm_core::relationship::customer_base::BaseError>(())
/// ```
/// In JSON the base is its list of spans in input order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(try_from = "Vec<CustomerSpan>", into = "Vec<CustomerSpan>")]
pub struct CustomerBase {
    spans: BTreeMap<CustomerId, Vec<(usize, CustomerSpan)>>,
    rows: usize,
}

impl CustomerBase {
    /// Checks and indexes the spans.
    ///
    /// # Errors
    ///
    /// A span ending before it starts, or two overlapping spans of one
    /// customer (either would count a customer twice or never).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::relationship::customer_base::{CustomerBase, CustomerSpan};
    /// let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
    /// // left on the 3rd, back on the 3rd: adjacent, not overlapping
    /// let b = CustomerBase::new(vec![CustomerSpan::new(1, d(1), Some(d(3))), CustomerSpan::new(1, d(3), None)]);
    /// assert!(b.is_ok());
    /// assert!(CustomerBase::new(vec![CustomerSpan::new(1, d(1), None), CustomerSpan::new(1, d(3), None)]).is_err());
    /// ```
    pub fn new(spans: Vec<CustomerSpan>) -> Result<CustomerBase, BaseError> {
        let rows = spans.len();
        let mut by_customer: BTreeMap<CustomerId, Vec<(usize, CustomerSpan)>> = BTreeMap::new();
        for (row, s) in (1..).zip(spans) {
            if s.until.is_some_and(|u| u < s.since) {
                return Err(BaseError::EndsBeforeStart {
                    row,
                    customer: s.customer,
                });
            }
            by_customer
                .entry(s.customer.clone())
                .or_default()
                .push((row, s));
        }
        for list in by_customer.values_mut() {
            list.sort_by_key(|(row, s)| (s.since, *row));
            for pair in list.windows(2) {
                let ((other_row, a), (row, b)) = (&pair[0], &pair[1]);
                if a.until.is_none_or(|u| u > b.since) {
                    return Err(BaseError::Overlap {
                        row: *row,
                        other_row: *other_row,
                        customer: b.customer.clone(),
                    });
                }
            }
        }
        Ok(CustomerBase {
            spans: by_customer,
            rows,
        })
    }

    /// The rows given (spans).
    ///
    /// ```
    /// use crm_core::relationship::customer_base::CustomerBase;
    /// assert_eq!(CustomerBase::default().rows(), 0);
    /// ```
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Every customer, in id order.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::relationship::customer_base::{CustomerBase, CustomerSpan};
    /// let b = CustomerBase::new(vec![CustomerSpan::new(2, NaiveDate::MIN, None), CustomerSpan::new(1, NaiveDate::MIN, None)])?;
    /// assert_eq!(b.customers().map(|c| c.to_string()).collect::<Vec<_>>(), ["1", "2"]);
    /// # Ok::<(), crm_core::relationship::customer_base::BaseError>(())
    /// ```
    pub fn customers(&self) -> impl Iterator<Item = &CustomerId> {
        self.spans.keys()
    }

    /// Is `customer` in the base at all (any span)?
    ///
    /// ```
    /// use crm_core::relationship::customer_base::CustomerBase;
    /// assert!(!CustomerBase::default().contains(&1.into()));
    /// ```
    pub fn contains(&self, customer: &CustomerId) -> bool {
        self.spans.contains_key(customer)
    }

    /// The customer's spans, earliest first.
    ///
    /// ```
    /// use crm_core::relationship::customer_base::CustomerBase;
    /// assert_eq!(CustomerBase::default().spans(&1.into()).count(), 0);
    /// ```
    pub fn spans(&self, customer: &CustomerId) -> impl Iterator<Item = &CustomerSpan> {
        self.spans
            .get(customer)
            .into_iter()
            .flatten()
            .map(|(_, s)| s)
    }

    /// Is the customer in the base on `day`?
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::relationship::customer_base::CustomerBase;
    /// assert!(!CustomerBase::default().in_base_on(&1.into(), NaiveDate::MIN));
    /// ```
    pub fn in_base_on(&self, customer: &CustomerId, day: NaiveDate) -> bool {
        self.spans(customer).any(|s| s.covers(day))
    }

    /// The customer's memberships, earliest first: his spans joined where one
    /// ends on the day the next begins (`until` = the next `since`, as a
    /// contract renewal is recorded), each as (first day, first day no longer
    /// a customer). Membership is continuous across such a seam: nobody is
    /// lost there and nobody comes back. A span with `since` = `until`
    /// covers no day and makes no membership.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::relationship::customer_base::{CustomerBase, CustomerSpan};
    /// let d = |m| NaiveDate::from_ymd_opt(2024, m, 1).unwrap();
    /// let b = CustomerBase::new(vec![
    ///     CustomerSpan::new(1, d(1), Some(d(4))),
    ///     CustomerSpan::new(1, d(4), Some(d(7))), // renewed on 1 April
    ///     CustomerSpan::new(1, d(9), None),       // back in September
    /// ])?;
    /// assert_eq!(b.memberships(&1.into()), [(d(1), Some(d(7))), (d(9), None)]);
    /// # Ok::<(), crm_core::relationship::customer_base::BaseError>(())
    /// ```
    pub fn memberships(&self, customer: &CustomerId) -> Vec<(NaiveDate, Option<NaiveDate>)> {
        let mut out: Vec<(NaiveDate, Option<NaiveDate>)> = Vec::new();
        for s in self.spans(customer).filter(|s| s.until != Some(s.since)) {
            match out.last_mut() {
                Some(last) if last.1 == Some(s.since) => last.1 = s.until,
                _ => out.push((s.since, s.until)),
            }
        }
        out
    }

    /// Is the customer in the base on at least one day from `first` (or
    /// from the beginning, when `None`) to `last`, both included?
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::relationship::customer_base::{CustomerBase, CustomerSpan};
    /// let d = |m| NaiveDate::from_ymd_opt(2024, m, 1).unwrap();
    /// let b = CustomerBase::new(vec![CustomerSpan::new(1, d(1), Some(d(3)))])?;
    /// assert!(b.in_base_during(&1.into(), Some(d(2)), d(6)));
    /// assert!(!b.in_base_during(&1.into(), Some(d(3)), d(6))); // lost on 1 March
    /// assert!(b.in_base_during(&1.into(), None, d(1)));
    /// # Ok::<(), crm_core::relationship::customer_base::BaseError>(())
    /// ```
    pub fn in_base_during(
        &self,
        customer: &CustomerId,
        first: Option<NaiveDate>,
        last: NaiveDate,
    ) -> bool {
        self.spans(customer).any(|s| {
            s.since <= last
                && s.until
                    .is_none_or(|u| u > s.since && first.is_none_or(|f| u > f))
        })
    }

    /// The customers in the base on at least one day from `first` (or from
    /// the beginning) to `last`, in id order: the members of a review period
    /// ([`crate::value::review::Period::with_members`]).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::relationship::customer_base::{CustomerBase, CustomerSpan};
    /// let d = |m| NaiveDate::from_ymd_opt(2024, m, 1).unwrap();
    /// let b = CustomerBase::new(vec![CustomerSpan::new(1, d(1), Some(d(3))), CustomerSpan::new(2, d(5), None)])?;
    /// assert_eq!(b.members_during(Some(d(4)), d(6)), [2.into()]);
    /// # Ok::<(), crm_core::relationship::customer_base::BaseError>(())
    /// ```
    pub fn members_during(&self, first: Option<NaiveDate>, last: NaiveDate) -> Vec<CustomerId> {
        self.customers()
            .filter(|c| self.in_base_during(c, first, last))
            .cloned()
            .collect()
    }

    fn latest(&self, customer: &CustomerId) -> Option<&CustomerSpan> {
        self.spans(customer).last()
    }

    /// The tier of the customer's latest span.
    ///
    /// ```
    /// use crm_core::relationship::customer_base::CustomerBase;
    /// assert_eq!(CustomerBase::default().tier(&1.into()), None);
    /// ```
    pub fn tier(&self, customer: &CustomerId) -> Option<Tier> {
        self.latest(customer).and_then(|s| s.tier)
    }

    /// The segment of the customer's latest span.
    ///
    /// ```
    /// use crm_core::relationship::customer_base::CustomerBase;
    /// assert_eq!(CustomerBase::default().segment(&1.into()), None);
    /// ```
    pub fn segment(&self, customer: &CustomerId) -> Option<&str> {
        self.latest(customer).and_then(|s| s.segment.as_deref())
    }
}

impl TryFrom<Vec<CustomerSpan>> for CustomerBase {
    type Error = BaseError;

    fn try_from(spans: Vec<CustomerSpan>) -> Result<Self, Self::Error> {
        CustomerBase::new(spans)
    }
}

impl From<CustomerBase> for Vec<CustomerSpan> {
    fn from(base: CustomerBase) -> Self {
        let mut rows: Vec<(usize, CustomerSpan)> = base.spans.into_values().flatten().collect();
        rows.sort_by_key(|(row, _)| *row);
        rows.into_iter().map(|(_, s)| s).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_round_trip_keeps_input_order() {
        let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
        let base = CustomerBase::new(vec![
            CustomerSpan::new(2, d(1), None).with_tier(Tier::Major),
            CustomerSpan::new("a", d(1), Some(d(3))).with_segment("x"),
            CustomerSpan::new(2, NaiveDate::MIN, Some(d(1))),
        ])
        .unwrap();
        let json = serde_json::to_string(&base).unwrap();
        assert!(json.starts_with(r#"[{"customer":2,"since":"2024-01-01""#));
        assert_eq!(serde_json::from_str::<CustomerBase>(&json).unwrap(), base);
        assert_eq!(base.tier(&2.into()), Some(Tier::Major));
    }

    #[test]
    fn overlap_names_both_rows() {
        let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
        let e = CustomerBase::new(vec![
            CustomerSpan::new(1, d(1), Some(d(5))),
            CustomerSpan::new(1, d(4), None),
        ])
        .unwrap_err();
        assert_eq!(
            e,
            BaseError::Overlap {
                row: 2,
                other_row: 1,
                customer: 1.into()
            }
        );
    }
}
