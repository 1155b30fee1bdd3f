//! Who is a customer in each period of a review, and the review's settings.
//!
//! A review compares tiers, and a tier is a customer's standing *in the
//! base*: whether somebody is a customer at all is a fact of the customer
//! base (docs/DOMAIN.md section 5: the firm's records, or the inactivity
//! rule), not of whether he happened to buy in a window. So by default
//! ([`Membership::Base`]) every period carries its members
//! ([`Period::with_members`]): the customers in the base on at least one day
//! of it ([`CustomerBase::members_during`](crate::relationship::customer_base::CustomerBase::members_during),
//! or [`members_by_inactivity`](crate::relationship::inactivity::members_by_inactivity)).
//! A member without a classification in the period (no purchase, no value)
//! is measured `inactive` with value 0 and moves as any other customer
//! measured there (demoted, or held by the grace rule); `new` means joining
//! the base and `lost` leaving it.
//!
//! [`Membership::Presence`] keeps the rule of earlier releases, only on
//! request: membership is presence in the period's classification, so a
//! quiet customer is lost at once and new when he buys again.
//!
//! ```
//! use crm_core::value::review::{review, Membership, MoveKind, Period, ReviewConfig, TierSnapshot};
//! use crm_core::value::tier::Tier;
//! use rust_decimal_macros::dec;
//! let snap = |id: i64, tier, value| TierSnapshot { customer: id.into(), tier, value, rank: None };
//! // Customer 2 bought in the first period only but is still a customer in the second.
//! let a = Period::new("a", vec![snap(1, Tier::MostValuable, dec!(90)), snap(2, Tier::Major, dec!(10))])
//!     .with_members([1.into(), 2.into()]);
//! let b = Period::new("b", vec![snap(1, Tier::MostValuable, dec!(80))]).with_members([1.into(), 2.into()]);
//! let r = review(&[a.clone(), b.clone()], &ReviewConfig::default())?;
//! assert_eq!(r[0].moves[1].kind, MoveKind::Demoted);
//! assert_eq!((r[0].moves[1].to, r[0].moves[1].current_value), (Some(Tier::Inactive), Some(dec!(0))));
//! // The old rule, by explicit choice: absent from the classification = lost.
//! let presence = ReviewConfig { membership: Membership::Presence, ..Default::default() };
//! assert_eq!(review(&[a, b], &presence)?[0].moves[1].kind, MoveKind::Lost);
//! # Ok::<(), crm_core::value::review::ReviewError>(())
//! ```

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{GraceRule, Period, ReviewError, TierSnapshot};
use crate::records::customer::CustomerId;
use crate::value::tier::Tier;

/// Where a review takes membership from.
///
/// ```
/// use crm_core::value::review::Membership;
/// use crm_core::vocabulary::Vocabulary;
/// assert_eq!(Membership::default(), Membership::Base);
/// assert_eq!(Membership::names(), ["base", "presence"]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Membership {
    /// From the customer base: every period carries its members; a member
    /// without a classification is measured inactive with value 0.
    #[default]
    Base,
    /// Presence in the period's classification (the rule of earlier
    /// releases): a customer absent from a period is lost, and new when he
    /// comes back.
    Presence,
}

/// The settings of a review.
///
/// ```
/// use crm_core::value::review::{Membership, ReviewConfig};
/// let c: ReviewConfig = serde_json::from_str(r#"{"membership": "presence"}"#).unwrap();
/// assert_eq!((c.membership, c.grace.demote_after), (Membership::Presence, 0));
/// assert_eq!(serde_json::to_string(&ReviewConfig::default()).unwrap(), r#"{"grace":{"demote_after":0},"membership":"base"}"#);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct ReviewConfig {
    /// How long a customer measured below its tier is held before demotion.
    pub grace: GraceRule,
    /// Where membership comes from.
    pub membership: Membership,
}

impl ReviewConfig {
    /// The default settings with a grace rule.
    ///
    /// ```
    /// use crm_core::value::review::{GraceRule, ReviewConfig};
    /// assert_eq!(ReviewConfig::with_grace(GraceRule { demote_after: 2 }).grace.demote_after, 2);
    /// ```
    pub fn with_grace(grace: GraceRule) -> ReviewConfig {
        ReviewConfig {
            grace,
            ..Default::default()
        }
    }
}

impl Period {
    /// With its members: the customers in the base on at least one day of
    /// the period (order and repeats do not matter).
    ///
    /// ```
    /// use crm_core::value::review::Period;
    /// let p = Period::new("q1", vec![]).with_members([2.into(), 1.into(), 2.into()]);
    /// assert_eq!(p.members.map(|m| m.len()), Some(2));
    /// ```
    #[must_use]
    pub fn with_members(mut self, members: impl IntoIterator<Item = CustomerId>) -> Period {
        let set: BTreeSet<CustomerId> = members.into_iter().collect();
        self.members = Some(set.into_iter().collect());
        self
    }
}

/// The snapshots the review compares: under [`Membership::Base`], the
/// period's classification checked against its members, plus every quiet
/// member measured inactive with value 0; under [`Membership::Presence`],
/// the classification as given.
pub(super) fn measured(
    p: &Period,
    membership: Membership,
) -> Result<Vec<TierSnapshot>, ReviewError> {
    if membership == Membership::Presence {
        return Ok(p.customers.clone());
    }
    let Some(members) = &p.members else {
        return Err(ReviewError::NoMembers {
            period: p.label.clone(),
        });
    };
    let members: BTreeSet<&CustomerId> = members.iter().collect();
    let mut out = p.customers.clone();
    let mut classified = BTreeSet::new();
    for (row, s) in (1..).zip(&p.customers) {
        if !members.contains(&s.customer) {
            return Err(ReviewError::NotAMember {
                period: p.label.clone(),
                customer: s.customer.clone(),
                row,
            });
        }
        classified.insert(&s.customer);
    }
    out.extend(
        members
            .into_iter()
            .filter(|c| !classified.contains(c))
            .map(|c| TierSnapshot {
                customer: c.clone(),
                tier: Tier::Inactive,
                value: rust_decimal::Decimal::ZERO,
                rank: None,
            }),
    );
    Ok(out)
}
