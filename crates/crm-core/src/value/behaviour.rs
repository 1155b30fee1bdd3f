//! Behaviour classes that cut across the value tiers.
//!
//! Two kinds of customer call for a treatment of their own whatever their
//! value (docs/DOMAIN.md section 1):
//!
//! - [`Behaviour::PriceDriven`] (无忠诚对象客户 / 价格型客户): buys on price. The
//!   signal is the share of spend made on discount or promotion; at or above
//!   [`BehaviourRules::price_driven_min_discount_share`] (default 60 %) the
//!   customer is price-driven.
//! - [`Behaviour::Unprofitable`] (自私自利型客户): contributes nothing. The signal
//!   is margin minus cost to serve over the period; below
//!   [`BehaviourRules::unprofitable_below_net_margin`] (default 0, i.e. a
//!   negative net margin) the customer is unprofitable.
//!
//! Error messages name the field and the rule but never quote the figure: a
//! customer's spend or margin is personal data.
//!
//! A signal that is not known (no margin figure, no spend) decides nothing: the
//! customer is simply not flagged, and the evidence says the figure was
//! missing, so "not price-driven" and "could not tell" stay apart.
//!
//! ```
//! use crm_core::value::behaviour::{Behaviour, BehaviourRules, BehaviourSignals};
//! use rust_decimal_macros::dec;
//!
//! let rules = BehaviourRules::default();
//! let s = BehaviourSignals {
//!     spend: Some(dec!(100)),
//!     discount_spend: Some(dec!(75)),
//!     margin: Some(dec!(12)),
//!     cost_to_serve: Some(dec!(20)),
//! };
//! let e = rules.assess(&s)?;
//! assert_eq!(e.discount_share, Some(dec!(0.75)));
//! assert_eq!(e.net_margin, Some(dec!(-8)));
//! assert!(e.behaviours.contains(Behaviour::PriceDriven));
//! assert!(e.behaviours.contains(Behaviour::Unprofitable));
//! # Ok::<(), crm_core::value::behaviour::BehaviourError>(())
//! ```

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A behavioural class.
///
/// ```
/// use crm_core::value::behaviour::Behaviour;
/// assert_eq!(Behaviour::PriceDriven.as_str(), "price_driven");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Behaviour {
    /// Buys on price: a high share of spend on discount or promotion.
    PriceDriven,
    /// Margin after cost to serve is below the threshold (negative by default).
    Unprofitable,
}

impl crate::vocabulary::Vocabulary for Behaviour {
    const KIND: &'static str = "behaviour";
    const ALL: &'static [Behaviour] = &Behaviour::ALL;
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Behaviour {
    /// Both classes, in the order they are reported.
    ///
    /// ```
    /// use crm_core::value::behaviour::Behaviour;
    /// assert_eq!(Behaviour::ALL.len(), 2);
    /// ```
    pub const ALL: [Behaviour; 2] = [Behaviour::PriceDriven, Behaviour::Unprofitable];

    /// The snake_case name used in JSON, CSV and Python.
    ///
    /// ```
    /// use crm_core::value::behaviour::Behaviour;
    /// assert_eq!(Behaviour::Unprofitable.as_str(), "unprofitable");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Behaviour::PriceDriven => "price_driven",
            Behaviour::Unprofitable => "unprofitable",
        }
    }

    fn bit(self) -> u8 {
        match self {
            Behaviour::PriceDriven => 1,
            Behaviour::Unprofitable => 2,
        }
    }
}

impl fmt::Display for Behaviour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The set of behaviours a customer shows: empty, one or both.
///
/// Serialised as a list of names, e.g. `["price_driven"]`.
///
/// ```
/// use crm_core::value::behaviour::{Behaviour, BehaviourSet};
/// let s = BehaviourSet::EMPTY.with(Behaviour::Unprofitable);
/// assert!(s.contains(Behaviour::Unprofitable));
/// assert!(!s.contains(Behaviour::PriceDriven));
/// assert_eq!(serde_json::to_string(&s).unwrap(), r#"["unprofitable"]"#);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(from = "Vec<Behaviour>", into = "Vec<Behaviour>")]
pub struct BehaviourSet(u8);

impl BehaviourSet {
    /// No behaviour.
    pub const EMPTY: BehaviourSet = BehaviourSet(0);

    /// Every possible set, empty first: what a treatment policy must cover.
    ///
    /// ```
    /// use crm_core::value::behaviour::BehaviourSet;
    /// assert_eq!(BehaviourSet::all_sets().count(), 4);
    /// ```
    pub fn all_sets() -> impl Iterator<Item = BehaviourSet> {
        (0..4).map(BehaviourSet)
    }

    /// This set plus `b`.
    ///
    /// ```
    /// use crm_core::value::behaviour::{Behaviour, BehaviourSet};
    /// assert!(!BehaviourSet::EMPTY.with(Behaviour::PriceDriven).is_empty());
    /// ```
    #[must_use]
    pub fn with(self, b: Behaviour) -> BehaviourSet {
        BehaviourSet(self.0 | b.bit())
    }

    /// Is `b` in the set?
    ///
    /// ```
    /// use crm_core::value::behaviour::{Behaviour, BehaviourSet};
    /// assert!(!BehaviourSet::EMPTY.contains(Behaviour::PriceDriven));
    /// ```
    pub fn contains(self, b: Behaviour) -> bool {
        self.0 & b.bit() != 0
    }

    /// True when no behaviour is flagged.
    ///
    /// ```
    /// use crm_core::value::behaviour::BehaviourSet;
    /// assert!(BehaviourSet::EMPTY.is_empty());
    /// ```
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The behaviours in the set, in [`Behaviour::ALL`] order.
    ///
    /// ```
    /// use crm_core::value::behaviour::{Behaviour, BehaviourSet};
    /// let s = BehaviourSet::EMPTY.with(Behaviour::Unprofitable).with(Behaviour::PriceDriven);
    /// assert_eq!(s.iter().collect::<Vec<_>>(), Behaviour::ALL);
    /// ```
    pub fn iter(self) -> impl Iterator<Item = Behaviour> {
        Behaviour::ALL
            .into_iter()
            .filter(move |b| self.contains(*b))
    }
}

impl fmt::Display for BehaviourSet {
    /// Names joined by `+`, or `none`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        let names: Vec<&str> = self.iter().map(Behaviour::as_str).collect();
        f.write_str(&names.join("+"))
    }
}

impl From<Vec<Behaviour>> for BehaviourSet {
    fn from(list: Vec<Behaviour>) -> Self {
        list.into_iter()
            .fold(BehaviourSet::EMPTY, BehaviourSet::with)
    }
}

impl From<BehaviourSet> for Vec<Behaviour> {
    fn from(set: BehaviourSet) -> Self {
        set.iter().collect()
    }
}

/// One customer's behaviour figures for the period. Every field is optional:
/// an unknown figure flags nothing.
///
/// ```
/// use crm_core::value::behaviour::BehaviourSignals;
/// let unknown = BehaviourSignals::default();
/// assert!(unknown.margin.is_none());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct BehaviourSignals {
    /// Gross spend in the period (before returns), the denominator of the
    /// discount share.
    pub spend: Option<Decimal>,
    /// The part of `spend` made on discount or promotion.
    pub discount_spend: Option<Decimal>,
    /// Gross margin earned on the customer.
    pub margin: Option<Decimal>,
    /// What serving the customer cost (visits, support, logistics).
    pub cost_to_serve: Option<Decimal>,
}

/// The thresholds of the two behaviour classes.
///
/// ```
/// use crm_core::value::behaviour::BehaviourRules;
/// use rust_decimal_macros::dec;
/// let strict = BehaviourRules::new(dec!(0.8), dec!(0))?;
/// assert_eq!(strict.price_driven_min_discount_share, dec!(0.8));
/// assert!(BehaviourRules::new(dec!(1.2), dec!(0)).is_err());
/// # Ok::<(), crm_core::value::behaviour::BehaviourError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct BehaviourRules {
    /// Price-driven when discount spend / spend is at least this (default
    /// 0.60). Must be in (0, 1].
    pub price_driven_min_discount_share: Decimal,
    /// Unprofitable when margin − cost to serve is strictly below this
    /// (default 0: a loss).
    pub unprofitable_below_net_margin: Decimal,
}

impl Default for BehaviourRules {
    fn default() -> Self {
        BehaviourRules {
            price_driven_min_discount_share: Decimal::new(60, 2),
            unprofitable_below_net_margin: Decimal::ZERO,
        }
    }
}

/// What the behaviour classes found for one customer, with the figures.
///
/// ```
/// use crm_core::value::behaviour::{BehaviourRules, BehaviourSignals};
/// use rust_decimal_macros::dec;
/// let e = BehaviourRules::default().assess(&BehaviourSignals { spend: Some(dec!(0)), ..Default::default() })?;
/// assert_eq!(e.discount_share, None); // no spend: share undefined, not flagged
/// assert!(e.behaviours.is_empty());
/// # Ok::<(), crm_core::value::behaviour::BehaviourError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct BehaviourEvidence {
    /// discount spend / spend; `None` when either is unknown or spend is 0.
    pub discount_share: Option<Decimal>,
    /// margin − cost to serve; `None` when the margin is unknown. An unknown
    /// cost to serve counts as zero (nothing recorded, nothing spent).
    pub net_margin: Option<Decimal>,
    /// The classes flagged.
    pub behaviours: BehaviourSet,
}

/// A behaviour signal that breaks its rule.
///
/// ```
/// use crm_core::value::behaviour::{BehaviourError, BehaviourRules, BehaviourSignals};
/// use rust_decimal_macros::dec;
/// let s = BehaviourSignals { spend: Some(dec!(10)), discount_spend: Some(dec!(11)), ..Default::default() };
/// let e = BehaviourRules::default().assess(&s).unwrap_err();
/// assert!(e.to_string().contains("discount_spend"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum BehaviourError {
    /// A figure that must not be negative is.
    #[error("{field} is negative: the rule is {field} >= 0")]
    Negative {
        /// The field's name.
        field: &'static str,
        /// Its value.
        value: Decimal,
    },
    /// More discounted spend than spend.
    #[error("discount_spend exceeds spend: the rule is discount_spend <= spend")]
    DiscountExceedsSpend {
        /// The discounted spend.
        discount_spend: Decimal,
        /// The spend.
        spend: Decimal,
    },
    /// A threshold outside its range.
    #[error("price_driven_min_discount_share is {value}: the rule is 0 < share <= 1")]
    InvalidThreshold {
        /// The threshold given.
        value: Decimal,
    },
    /// The subtraction margin − cost to serve left Decimal's range.
    #[error("margin - cost_to_serve overflows Decimal")]
    Overflow,
}

impl BehaviourRules {
    /// Validated thresholds.
    ///
    /// # Errors
    ///
    /// [`BehaviourError::InvalidThreshold`] unless the discount share is in (0, 1].
    ///
    /// ```
    /// use crm_core::value::behaviour::BehaviourRules;
    /// use rust_decimal_macros::dec;
    /// assert!(BehaviourRules::new(dec!(0), dec!(0)).is_err());
    /// ```
    pub fn new(
        price_driven_min_discount_share: Decimal,
        unprofitable_below_net_margin: Decimal,
    ) -> Result<Self, BehaviourError> {
        let rules = BehaviourRules {
            price_driven_min_discount_share,
            unprofitable_below_net_margin,
        };
        rules.validate()?;
        Ok(rules)
    }

    /// Checks the thresholds (useful after deserialising).
    ///
    /// # Errors
    ///
    /// As [`BehaviourRules::new`].
    ///
    /// ```
    /// use crm_core::value::behaviour::BehaviourRules;
    /// assert!(BehaviourRules::default().validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<(), BehaviourError> {
        let s = self.price_driven_min_discount_share;
        if s > Decimal::ZERO && s <= Decimal::ONE {
            Ok(())
        } else {
            Err(BehaviourError::InvalidThreshold { value: s })
        }
    }

    /// Flags one customer's behaviours.
    ///
    /// # Errors
    ///
    /// Negative spend, discount spend or cost to serve, or discount spend
    /// above spend: figures that cannot be right and would flag wrongly.
    /// (A negative margin is allowed: selling at a loss happens.)
    ///
    /// ```
    /// use crm_core::value::behaviour::{Behaviour, BehaviourRules, BehaviourSignals};
    /// use rust_decimal_macros::dec;
    /// let s = BehaviourSignals { spend: Some(dec!(100)), discount_spend: Some(dec!(60)), ..Default::default() };
    /// // Exactly at the threshold counts: "a share of at least 60 %".
    /// assert!(BehaviourRules::default().assess(&s)?.behaviours.contains(Behaviour::PriceDriven));
    /// # Ok::<(), crm_core::value::behaviour::BehaviourError>(())
    /// ```
    pub fn assess(&self, signals: &BehaviourSignals) -> Result<BehaviourEvidence, BehaviourError> {
        for (field, value) in [
            ("spend", signals.spend),
            ("discount_spend", signals.discount_spend),
            ("cost_to_serve", signals.cost_to_serve),
        ] {
            if let Some(v) = value.filter(|v| v.is_sign_negative() && !v.is_zero()) {
                return Err(BehaviourError::Negative { field, value: v });
            }
        }
        let mut evidence = BehaviourEvidence::default();
        if let (Some(spend), Some(discount)) = (signals.spend, signals.discount_spend) {
            if discount > spend {
                return Err(BehaviourError::DiscountExceedsSpend {
                    discount_spend: discount,
                    spend,
                });
            }
            if !spend.is_zero() {
                evidence.discount_share = discount.checked_div(spend);
            }
        }
        if let Some(margin) = signals.margin {
            let cost = signals.cost_to_serve.unwrap_or(Decimal::ZERO);
            evidence.net_margin = Some(margin.checked_sub(cost).ok_or(BehaviourError::Overflow)?);
        }
        if evidence
            .discount_share
            .is_some_and(|s| s >= self.price_driven_min_discount_share)
        {
            evidence.behaviours = evidence.behaviours.with(Behaviour::PriceDriven);
        }
        if evidence
            .net_margin
            .is_some_and(|m| m < self.unprofitable_below_net_margin)
        {
            evidence.behaviours = evidence.behaviours.with(Behaviour::Unprofitable);
        }
        Ok(evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn unknown_figures_flag_nothing() {
        let e = BehaviourRules::default()
            .assess(&BehaviourSignals::default())
            .unwrap();
        assert_eq!(e, BehaviourEvidence::default());
    }

    #[test]
    fn break_even_is_not_unprofitable() {
        let s = BehaviourSignals {
            margin: Some(dec!(5)),
            cost_to_serve: Some(dec!(5)),
            ..Default::default()
        };
        let e = BehaviourRules::default().assess(&s).unwrap();
        assert_eq!(e.net_margin, Some(dec!(0)));
        assert!(!e.behaviours.contains(Behaviour::Unprofitable));
    }

    #[test]
    fn negative_cost_is_rejected_naming_the_field() {
        let s = BehaviourSignals {
            margin: Some(dec!(5)),
            cost_to_serve: Some(dec!(-1)),
            ..Default::default()
        };
        let e = BehaviourRules::default().assess(&s).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cost_to_serve is negative: the rule is cost_to_serve >= 0"
        );
    }

    fn amount() -> impl Strategy<Value = Decimal> {
        (0_i64..1_000_000, 0_u32..4).prop_map(|(m, s)| Decimal::new(m, s))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Raising the discounted part of spend never un-flags a price-driven customer.
        #[test]
        fn price_driven_is_monotone_in_discount_share(spend in amount(), a in amount(), b in amount()) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assume!(hi <= spend);
            let r = BehaviourRules::default();
            let at = |d| r.assess(&BehaviourSignals { spend: Some(spend), discount_spend: Some(d), ..Default::default() }).unwrap();
            if at(lo).behaviours.contains(Behaviour::PriceDriven) {
                prop_assert!(at(hi).behaviours.contains(Behaviour::PriceDriven));
            }
        }

        /// Unprofitable exactly when margin minus cost to serve is below the threshold.
        #[test]
        fn unprofitable_iff_net_margin_below_threshold(m in -1_000_000_i64..1_000_000, c in amount()) {
            let margin = Decimal::new(m, 2);
            let e = BehaviourRules::default()
                .assess(&BehaviourSignals { margin: Some(margin), cost_to_serve: Some(c), ..Default::default() })
                .unwrap();
            prop_assert_eq!(e.behaviours.contains(Behaviour::Unprofitable), margin - c < Decimal::ZERO);
        }
    }
}
