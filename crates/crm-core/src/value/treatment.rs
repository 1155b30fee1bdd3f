//! Treatments: how to serve each customer, from its tier and behaviours.
//!
//! The texts tie the firm's attitude to a customer's value (区别对待): delight
//! the most valuable and yield on principle (取悦、有原则地屈从), care for the
//! major ones (关怀重视), cultivate ordinary ones selectively (培养发展), adapt to
//! price-driven ones opportunistically (争取、随机适应), and keep unprofitable
//! ones at arm's length (冷漠舍弃). They also name the service model: one-to-one
//! account management for large customers (一对一), one-to-many by region for
//! medium and small ones (一对多), front-line staff for scattered small buyers;
//! and a concrete service level for key customers: a weekly visit and a call
//! back within 24 hours.
//!
//! A [`TreatmentPolicy`] is an ordered list of [`PolicyRule`]s; the first rule
//! that matches a customer's tier and behaviours gives the [`Treatment`]. The
//! whole policy is the caller's to replace; [`TreatmentPolicy::new`] refuses a
//! policy that leaves any (tier, behaviours) combination without a treatment,
//! so a policy in hand always answers.
//!
//! # The default policy
//!
//! | when | strategy | service model | contact | response |
//! |---|---|---|---|---|
//! | unprofitable (any tier) | disengage | front line | none scheduled | 72 h |
//! | most valuable, price-driven | adapt | one-to-one | weekly | 24 h |
//! | major, price-driven | adapt | one-to-many | monthly | 48 h |
//! | ordinary or inactive, price-driven | adapt | front line | quarterly | 72 h |
//! | most valuable | delight | one-to-one | weekly | 24 h |
//! | major | care | one-to-many | fortnightly | 48 h |
//! | ordinary | develop | one-to-many | quarterly | 72 h |
//! | inactive | disengage | front line | none scheduled | 72 h |
//!
//! Choices where the texts are silent, for a careful analyst: unprofitable
//! comes first because a customer who loses money is not to be courted
//! whatever its revenue (the texts: "contributes nothing"); a price-driven
//! customer keeps its tier's service model (a most-valuable account still has
//! its account manager) but is won with promotions rather than delight.
//!
//! ```
//! use crm_core::value::behaviour::{Behaviour, BehaviourSet};
//! use crm_core::value::tier::Tier;
//! use crm_core::value::treatment::{Cadence, ServiceModel, Strategy, TreatmentPolicy};
//!
//! let policy = TreatmentPolicy::default();
//! let t = policy.treatment(Tier::MostValuable, BehaviourSet::EMPTY);
//! assert_eq!(t.strategy, Strategy::Delight);
//! assert_eq!(t.service_model, ServiceModel::OneToOne);
//! assert_eq!(t.contact, Cadence::Weekly);
//! assert_eq!(t.response_hours, 24);
//!
//! let loss = BehaviourSet::EMPTY.with(Behaviour::Unprofitable);
//! assert_eq!(policy.treatment(Tier::MostValuable, loss).strategy, Strategy::Disengage);
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::value::behaviour::{Behaviour, BehaviourSet};
use crate::value::tier::Tier;

/// The firm's attitude to a customer.
///
/// ```
/// use crm_core::value::treatment::Strategy;
/// assert_eq!(serde_json::to_string(&Strategy::Delight).unwrap(), "\"delight\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Delight, yield on principle (取悦、有原则地屈从): frequent contact, ask
    /// for opinions, build long-term mutual trust.
    Delight,
    /// Care and attention (关怀重视): large future potential, small customer
    /// share today.
    Care,
    /// Cultivate selectively (培养发展): pick those with potential.
    Develop,
    /// Win with promotions, adapt opportunistically (争取、随机适应).
    Adapt,
    /// Keep at arm's length, let go (冷漠舍弃).
    Disengage,
}

impl Strategy {
    /// The snake_case name used in JSON, CSV and Python.
    ///
    /// ```
    /// use crm_core::value::treatment::Strategy;
    /// assert_eq!(Strategy::Adapt.as_str(), "adapt");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Delight => "delight",
            Strategy::Care => "care",
            Strategy::Develop => "develop",
            Strategy::Adapt => "adapt",
            Strategy::Disengage => "disengage",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who serves the customer.
///
/// ```
/// use crm_core::value::treatment::ServiceModel;
/// assert_eq!(serde_json::to_string(&ServiceModel::OneToOne).unwrap(), "\"one_to_one\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ServiceModel {
    /// A dedicated account manager (一对一).
    OneToOne,
    /// A regional team serving many customers (一对多).
    OneToMany,
    /// Front-line staff, as customers come.
    FrontLine,
}

impl ServiceModel {
    /// The snake_case name used in JSON, CSV and Python.
    ///
    /// ```
    /// use crm_core::value::treatment::ServiceModel;
    /// assert_eq!(ServiceModel::FrontLine.as_str(), "front_line");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceModel::OneToOne => "one_to_one",
            ServiceModel::OneToMany => "one_to_many",
            ServiceModel::FrontLine => "front_line",
        }
    }
}

impl fmt::Display for ServiceModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How often the firm reaches out unprompted.
///
/// ```
/// use crm_core::value::treatment::Cadence;
/// assert_eq!(Cadence::Weekly.days(), Some(7));
/// assert_eq!(Cadence::None.days(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// Every week (the key-account visit of the texts).
    Weekly,
    /// Every two weeks.
    Fortnightly,
    /// Every month.
    Monthly,
    /// Every quarter.
    Quarterly,
    /// Every year.
    Yearly,
    /// No scheduled contact.
    None,
}

impl Cadence {
    /// The snake_case name used in JSON, CSV and Python.
    ///
    /// ```
    /// use crm_core::value::treatment::Cadence;
    /// assert_eq!(Cadence::Monthly.as_str(), "monthly");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Weekly => "weekly",
            Cadence::Fortnightly => "fortnightly",
            Cadence::Monthly => "monthly",
            Cadence::Quarterly => "quarterly",
            Cadence::Yearly => "yearly",
            Cadence::None => "none",
        }
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Cadence {
    /// Days between contacts, `None` when there is no schedule.
    ///
    /// ```
    /// use crm_core::value::treatment::Cadence;
    /// assert_eq!(Cadence::Quarterly.days(), Some(91));
    /// ```
    pub fn days(self) -> Option<u32> {
        match self {
            Cadence::Weekly => Some(7),
            Cadence::Fortnightly => Some(14),
            Cadence::Monthly => Some(30),
            Cadence::Quarterly => Some(91),
            Cadence::Yearly => Some(365),
            Cadence::None => None,
        }
    }
}

/// How to serve one customer.
///
/// ```
/// use crm_core::value::treatment::{Cadence, ServiceModel, Strategy, Treatment};
/// let t = Treatment::new(Strategy::Care, ServiceModel::OneToMany, Cadence::Monthly, 48);
/// assert_eq!(t.to_string(), "care, one_to_many, monthly contact, response within 48 h");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Treatment {
    /// The attitude.
    pub strategy: Strategy,
    /// Who serves.
    pub service_model: ServiceModel,
    /// How often to reach out.
    pub contact: Cadence,
    /// Promised time to respond to anything the customer raises, in hours.
    pub response_hours: u32,
}

impl Treatment {
    /// Builds a treatment.
    ///
    /// ```
    /// use crm_core::value::treatment::{Cadence, ServiceModel, Strategy, Treatment};
    /// let t = Treatment::new(Strategy::Delight, ServiceModel::OneToOne, Cadence::Weekly, 24);
    /// assert_eq!(t.response_hours, 24);
    /// ```
    pub const fn new(
        strategy: Strategy,
        service_model: ServiceModel,
        contact: Cadence,
        response_hours: u32,
    ) -> Self {
        Treatment {
            strategy,
            service_model,
            contact,
            response_hours,
        }
    }
}

impl fmt::Display for Treatment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let contact = match self.contact {
            Cadence::None => String::from("no scheduled contact"),
            c => format!("{} contact", c.as_str()),
        };
        write!(
            f,
            "{}, {}, {contact}, response within {} h",
            self.strategy.as_str(),
            self.service_model.as_str(),
            self.response_hours
        )
    }
}

/// Which behaviours a rule asks for.
///
/// ```
/// use crm_core::value::behaviour::{Behaviour, BehaviourSet};
/// use crm_core::value::treatment::BehaviourMatch;
/// let pd = BehaviourSet::EMPTY.with(Behaviour::PriceDriven);
/// assert!(BehaviourMatch::Has(Behaviour::PriceDriven).matches(pd));
/// assert!(!BehaviourMatch::None.matches(pd));
/// assert!(BehaviourMatch::Any.matches(pd));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum BehaviourMatch {
    /// Whatever the behaviours.
    Any,
    /// No behaviour flagged.
    None,
    /// This behaviour flagged (others may be too).
    Has(Behaviour),
}

impl BehaviourMatch {
    /// Does a customer with `set` match?
    ///
    /// ```
    /// use crm_core::value::behaviour::BehaviourSet;
    /// use crm_core::value::treatment::BehaviourMatch;
    /// assert!(BehaviourMatch::None.matches(BehaviourSet::EMPTY));
    /// ```
    pub fn matches(self, set: BehaviourSet) -> bool {
        match self {
            BehaviourMatch::Any => true,
            BehaviourMatch::None => set.is_empty(),
            BehaviourMatch::Has(b) => set.contains(b),
        }
    }
}

/// One line of a policy: when it applies, and the treatment it gives.
///
/// ```
/// use crm_core::value::tier::Tier;
/// use crm_core::value::treatment::{BehaviourMatch, Cadence, PolicyRule, ServiceModel, Strategy, Treatment};
/// let r = PolicyRule {
///     tiers: vec![Tier::Major],
///     behaviours: BehaviourMatch::Any,
///     treatment: Treatment::new(Strategy::Care, ServiceModel::OneToMany, Cadence::Monthly, 48),
/// };
/// assert!(r.tiers.contains(&Tier::Major));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct PolicyRule {
    /// The tiers it applies to; empty means every tier.
    pub tiers: Vec<Tier>,
    /// The behaviours it asks for.
    pub behaviours: BehaviourMatch,
    /// What it gives.
    pub treatment: Treatment,
}

impl PolicyRule {
    fn matches(&self, tier: Tier, set: BehaviourSet) -> bool {
        (self.tiers.is_empty() || self.tiers.contains(&tier)) && self.behaviours.matches(set)
    }
}

/// A policy that leaves some customers without a treatment.
///
/// ```
/// use crm_core::value::treatment::{PolicyError, TreatmentPolicy};
/// let e = TreatmentPolicy::new(vec![]).unwrap_err();
/// assert!(matches!(e, PolicyError::Uncovered { .. }));
/// assert!(e.to_string().contains("most_valuable"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum PolicyError {
    /// No rule matches this combination.
    #[error(
        "the treatment policy has no rule for tier {tier} with behaviours {behaviours}: add a rule that matches it (an empty tier list matches every tier)"
    )]
    Uncovered {
        /// The tier.
        tier: Tier,
        /// The behaviours.
        behaviours: BehaviourSet,
    },
}

/// An ordered list of rules; the first that matches gives the treatment.
///
/// Deserialising validates coverage, as [`TreatmentPolicy::new`] does.
///
/// ```
/// use crm_core::value::behaviour::BehaviourSet;
/// use crm_core::value::tier::Tier;
/// use crm_core::value::treatment::{BehaviourMatch, Cadence, PolicyRule, ServiceModel, Strategy, Treatment, TreatmentPolicy};
///
/// // One treatment for everybody: the simplest complete policy.
/// let flat = TreatmentPolicy::new(vec![PolicyRule {
///     tiers: vec![],
///     behaviours: BehaviourMatch::Any,
///     treatment: Treatment::new(Strategy::Develop, ServiceModel::FrontLine, Cadence::Yearly, 96),
/// }])?;
/// assert_eq!(flat.treatment(Tier::MostValuable, BehaviourSet::EMPTY).response_hours, 96);
/// # Ok::<(), crm_core::value::treatment::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(try_from = "Vec<PolicyRule>", into = "Vec<PolicyRule>")]
pub struct TreatmentPolicy {
    rules: Vec<PolicyRule>,
    /// Rule index per (tier code, behaviour bits): the lookup table.
    table: [[u16; 4]; 4],
}

impl TryFrom<Vec<PolicyRule>> for TreatmentPolicy {
    type Error = PolicyError;
    fn try_from(rules: Vec<PolicyRule>) -> Result<Self, Self::Error> {
        TreatmentPolicy::new(rules)
    }
}

impl From<TreatmentPolicy> for Vec<PolicyRule> {
    fn from(p: TreatmentPolicy) -> Self {
        p.rules
    }
}

impl TreatmentPolicy {
    /// A policy from its rules, checked to cover every tier and behaviour set.
    ///
    /// # Errors
    ///
    /// [`PolicyError::Uncovered`] naming the first combination no rule matches.
    ///
    /// ```
    /// use crm_core::value::treatment::TreatmentPolicy;
    /// let p = TreatmentPolicy::new(TreatmentPolicy::default().rules().to_vec())?;
    /// assert_eq!(p, TreatmentPolicy::default());
    /// # Ok::<(), crm_core::value::treatment::PolicyError>(())
    /// ```
    pub fn new(rules: Vec<PolicyRule>) -> Result<TreatmentPolicy, PolicyError> {
        let mut table = [[0_u16; 4]; 4];
        for tier in Tier::ALL {
            for set in BehaviourSet::all_sets() {
                let index = rules.iter().position(|r| r.matches(tier, set)).ok_or(
                    PolicyError::Uncovered {
                        tier,
                        behaviours: set,
                    },
                )?;
                table[tier_slot(tier)][set_slot(set)] = index as u16;
            }
        }
        Ok(TreatmentPolicy { rules, table })
    }

    /// The rules, in the order they are tried.
    ///
    /// ```
    /// use crm_core::value::treatment::TreatmentPolicy;
    /// assert_eq!(TreatmentPolicy::default().rules().len(), 8);
    /// ```
    pub fn rules(&self) -> &[PolicyRule] {
        &self.rules
    }

    /// The treatment of a customer in `tier` with `behaviours`.
    ///
    /// ```
    /// use crm_core::value::behaviour::{Behaviour, BehaviourSet};
    /// use crm_core::value::tier::Tier;
    /// use crm_core::value::treatment::{ServiceModel, Strategy, TreatmentPolicy};
    /// let pd = BehaviourSet::EMPTY.with(Behaviour::PriceDriven);
    /// let t = TreatmentPolicy::default().treatment(Tier::MostValuable, pd);
    /// assert_eq!((t.strategy, t.service_model), (Strategy::Adapt, ServiceModel::OneToOne));
    /// ```
    pub fn treatment(&self, tier: Tier, behaviours: BehaviourSet) -> Treatment {
        self.rules[self.rule_index(tier, behaviours)].treatment
    }

    /// Which rule (position in [`TreatmentPolicy::rules`]) decides for `tier`
    /// and `behaviours`: the audit trail of a treatment.
    ///
    /// ```
    /// use crm_core::value::behaviour::BehaviourSet;
    /// use crm_core::value::tier::Tier;
    /// use crm_core::value::treatment::TreatmentPolicy;
    /// assert_eq!(TreatmentPolicy::default().rule_index(Tier::MostValuable, BehaviourSet::EMPTY), 4);
    /// ```
    pub fn rule_index(&self, tier: Tier, behaviours: BehaviourSet) -> usize {
        usize::from(self.table[tier_slot(tier)][set_slot(behaviours)])
    }
}

fn tier_slot(tier: Tier) -> usize {
    match tier {
        Tier::MostValuable => 0,
        Tier::Major => 1,
        Tier::Ordinary => 2,
        Tier::Inactive => 3,
    }
}

fn set_slot(set: BehaviourSet) -> usize {
    usize::from(set.contains(Behaviour::PriceDriven))
        | (usize::from(set.contains(Behaviour::Unprofitable)) << 1)
}

impl Default for TreatmentPolicy {
    /// The policy in the module documentation.
    fn default() -> Self {
        use Cadence as C;
        use ServiceModel as M;
        use Strategy as S;
        let rule = |tiers: &[Tier], behaviours, treatment| PolicyRule {
            tiers: tiers.to_vec(),
            behaviours,
            treatment,
        };
        let rules = vec![
            rule(
                &[],
                BehaviourMatch::Has(Behaviour::Unprofitable),
                Treatment::new(S::Disengage, M::FrontLine, C::None, 72),
            ),
            rule(
                &[Tier::MostValuable],
                BehaviourMatch::Has(Behaviour::PriceDriven),
                Treatment::new(S::Adapt, M::OneToOne, C::Weekly, 24),
            ),
            rule(
                &[Tier::Major],
                BehaviourMatch::Has(Behaviour::PriceDriven),
                Treatment::new(S::Adapt, M::OneToMany, C::Monthly, 48),
            ),
            rule(
                &[Tier::Ordinary, Tier::Inactive],
                BehaviourMatch::Has(Behaviour::PriceDriven),
                Treatment::new(S::Adapt, M::FrontLine, C::Quarterly, 72),
            ),
            rule(
                &[Tier::MostValuable],
                BehaviourMatch::Any,
                Treatment::new(S::Delight, M::OneToOne, C::Weekly, 24),
            ),
            rule(
                &[Tier::Major],
                BehaviourMatch::Any,
                Treatment::new(S::Care, M::OneToMany, C::Fortnightly, 48),
            ),
            rule(
                &[Tier::Ordinary],
                BehaviourMatch::Any,
                Treatment::new(S::Develop, M::OneToMany, C::Quarterly, 72),
            ),
            rule(
                &[Tier::Inactive],
                BehaviourMatch::Any,
                Treatment::new(S::Disengage, M::FrontLine, C::None, 72),
            ),
        ];
        // The table above covers every combination; a failure here is a bug
        // caught by the `default_policy_is_complete` test, and falls back to
        // the first rule for everybody rather than panicking.
        TreatmentPolicy::new(rules.clone()).unwrap_or(TreatmentPolicy {
            rules,
            table: [[0; 4]; 4],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_is_complete() {
        let d = TreatmentPolicy::default();
        assert_eq!(TreatmentPolicy::new(d.rules().to_vec()), Ok(d));
    }

    #[test]
    fn default_policy_matches_the_domain_table() {
        let p = TreatmentPolicy::default();
        let none = BehaviourSet::EMPTY;
        assert_eq!(
            p.treatment(Tier::MostValuable, none),
            Treatment::new(
                Strategy::Delight,
                ServiceModel::OneToOne,
                Cadence::Weekly,
                24
            )
        );
        assert_eq!(p.treatment(Tier::Major, none).strategy, Strategy::Care);
        assert_eq!(
            p.treatment(Tier::Ordinary, none).strategy,
            Strategy::Develop
        );
        assert_eq!(
            p.treatment(Tier::Inactive, none).strategy,
            Strategy::Disengage
        );
        let both = none
            .with(Behaviour::PriceDriven)
            .with(Behaviour::Unprofitable);
        for tier in Tier::ALL {
            assert_eq!(
                p.treatment(tier, both).strategy,
                Strategy::Disengage,
                "{tier}"
            );
            assert_eq!(
                p.treatment(tier, none.with(Behaviour::PriceDriven))
                    .strategy,
                Strategy::Adapt,
                "{tier}"
            );
        }
    }

    #[test]
    fn policy_round_trips_through_json_and_rejects_gaps() {
        let p = TreatmentPolicy::default();
        let json = serde_json::to_string(&p).unwrap();
        let back: TreatmentPolicy = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        let gap = r#"[{"tiers":["major"],"behaviours":"any","treatment":{"strategy":"care","service_model":"one_to_many","contact":"monthly","response_hours":48}}]"#;
        let err = serde_json::from_str::<TreatmentPolicy>(gap)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no rule for tier most_valuable"), "{err}");
    }
}
