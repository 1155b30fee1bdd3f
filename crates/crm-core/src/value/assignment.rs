//! Assignment: tier, behaviours and treatment for every customer of a base,
//! with the evidence behind each.
//!
//! [`assign`] is the one call a CRM team makes each period: it classifies the
//! customers by value ([`crate::value::tier`]), flags their behaviours
//! ([`crate::value::behaviour`]) and looks up their treatment
//! ([`crate::value::treatment`]). The result answers "why is this customer major,
//! and why is it served this way?" for every customer: the tier evidence, the
//! behaviour figures and the policy rule that decided.
//!
//! ```
//! use crm_core::value::assignment::{assign, AssignmentConfig};
//! use crm_core::value::behaviour::BehaviourSignals;
//! use crm_core::records::customer::CustomerId;
//! use crm_core::value::tier::Tier;
//! use crm_core::value::treatment::Strategy;
//! use rust_decimal_macros::dec;
//!
//! let ids: Vec<CustomerId> = vec!["acme".into(), "bolt".into(), "cask".into()];
//! let revenue = [dec!(900), dec!(80), dec!(20)];
//! let signals = [
//!     BehaviourSignals::default(),
//!     BehaviourSignals { spend: Some(dec!(80)), discount_spend: Some(dec!(70)), ..Default::default() },
//!     BehaviourSignals { margin: Some(dec!(4)), cost_to_serve: Some(dec!(15)), ..Default::default() },
//! ];
//! let a = assign(&ids, &revenue, Some(&signals), &AssignmentConfig::default())?;
//! let acme = a.get(0).unwrap();
//! assert_eq!(acme.tier.tier, Tier::MostValuable);
//! assert_eq!(acme.treatment.strategy, Strategy::Delight);
//! assert_eq!(a.get(1).unwrap().treatment.strategy, Strategy::Adapt);     // price-driven
//! assert_eq!(a.get(2).unwrap().treatment.strategy, Strategy::Disengage); // loses money
//! # Ok::<(), crm_core::value::assignment::AssignmentError>(())
//! ```

use hashbrown::HashSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::records::customer::CustomerId;
use crate::value::behaviour::{
    BehaviourError, BehaviourEvidence, BehaviourRules, BehaviourSet, BehaviourSignals,
};
use crate::value::tier::{
    Classification, Explanation, PartitionPlan, Tier, TierConfig, TierError, TierSummary, classify,
};
use crate::value::treatment::{Treatment, TreatmentPolicy};

/// Everything that decides an assignment.
///
/// ```
/// use crm_core::value::assignment::AssignmentConfig;
/// use crm_core::value::tier::TierConfig;
/// let by_count = AssignmentConfig { tiers: TierConfig::by_count(), ..Default::default() };
/// let json = serde_json::to_string(&by_count).unwrap();
/// let back: AssignmentConfig = serde_json::from_str(&json).unwrap();
/// assert_eq!(back, by_count);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct AssignmentConfig {
    /// Tier basis and cut-offs.
    pub tiers: TierConfig,
    /// Behaviour thresholds.
    pub behaviours: BehaviourRules,
    /// Treatment policy.
    pub policy: TreatmentPolicy,
}

/// Why an assignment could not be made.
///
/// ```
/// use crm_core::value::assignment::{assign, AssignmentConfig, AssignmentError};
/// use crm_core::records::customer::CustomerId;
/// use rust_decimal_macros::dec;
/// let ids = [CustomerId::from(7), CustomerId::from(7)];
/// let e = assign(&ids, &[dec!(1), dec!(2)], None, &AssignmentConfig::default()).unwrap_err();
/// assert_eq!(e.to_string(), "customer 7 appears twice (rows 1 and 2): values must be one row per customer");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum AssignmentError {
    /// Columns of different lengths.
    #[error(
        "column {column} has {actual} rows but ids has {expected}: every column must have one row per customer"
    )]
    LengthMismatch {
        /// The column's name.
        column: &'static str,
        /// Rows in the ids column.
        expected: usize,
        /// Rows in the other.
        actual: usize,
    },
    /// The same customer twice.
    #[error(
        "customer {customer} appears twice (rows {first_row} and {second_row}): values must be one row per customer"
    )]
    DuplicateCustomer {
        /// The id.
        customer: CustomerId,
        /// Its first row (1-based data row).
        first_row: usize,
        /// The repeat (1-based data row).
        second_row: usize,
    },
    /// A behaviour signal breaks its rule.
    #[error("customer {customer} (row {row}): {source}")]
    Behaviour {
        /// The id.
        customer: CustomerId,
        /// The row (1-based data row).
        row: usize,
        /// What is wrong.
        source: BehaviourError,
    },
    /// Classification failed.
    #[error(transparent)]
    Tier(#[from] TierError),
    /// The behaviour thresholds are invalid.
    #[error("invalid behaviour rules: {0}")]
    Rules(BehaviourError),
}

/// One customer's assignment with all its evidence.
///
/// ```
/// use crm_core::value::assignment::{assign, AssignmentConfig};
/// use crm_core::records::customer::CustomerId;
/// use rust_decimal_macros::dec;
/// let a = assign(&[CustomerId::from(1)], &[dec!(5)], None, &AssignmentConfig::default())?;
/// let row = a.get(0).unwrap();
/// let json = serde_json::to_value(&row).unwrap();
/// assert_eq!(json["customer"], 1);
/// assert_eq!(json["tier"]["tier"], "most_valuable");
/// assert_eq!(json["treatment"]["strategy"], "delight");
/// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Assignment {
    /// The customer.
    pub customer: CustomerId,
    /// The tier and why.
    pub tier: Explanation,
    /// The behaviours and their figures.
    pub behaviour: BehaviourEvidence,
    /// How to serve the customer.
    pub treatment: Treatment,
    /// The policy rule that gave the treatment (position in the policy).
    pub policy_rule: usize,
}

/// The assignments of a customer base for one period.
///
/// ```
/// use crm_core::value::assignment::{assign, AssignmentConfig};
/// use crm_core::records::customer::CustomerId;
/// use rust_decimal_macros::dec;
/// let ids: Vec<CustomerId> = (1..=4).map(CustomerId::from).collect();
/// let a = assign(&ids, &[dec!(1), dec!(2), dec!(3), dec!(4)], None, &AssignmentConfig::default())?;
/// assert_eq!(a.len(), 4);
/// assert_eq!(a.iter().filter(|r| r.treatment.response_hours == 24).count(), 1);
/// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Assignments {
    ids: Vec<CustomerId>,
    classification: Classification,
    /// One entry per customer, or empty when no signals were given (nobody
    /// flagged): a base of ten million customers without signals then
    /// carries no per-customer behaviour bytes. In JSON the field is absent
    /// in that case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    behaviour: Vec<BehaviourEvidence>,
    config: AssignmentConfig,
}

/// The evidence of a customer for whom no behaviour signal was given.
static UNFLAGGED: BehaviourEvidence = BehaviourEvidence {
    discount_share: None,
    net_margin: None,
    behaviours: BehaviourSet::EMPTY,
};

/// Assigns tier, behaviours and treatment to every customer.
///
/// `ids`, `values` and (when given) `signals` are columns of one row per
/// customer. Without signals nobody is flagged for a behaviour.
///
/// # Errors
///
/// Columns of different lengths, a repeated id, a behaviour figure that breaks
/// its rule (naming the customer and the row), invalid thresholds, or a
/// classification error.
///
/// ```
/// use crm_core::value::assignment::{assign, AssignmentConfig};
/// use crm_core::records::customer::CustomerId;
/// use rust_decimal_macros::dec;
/// let e = assign(&[CustomerId::from(1)], &[], None, &AssignmentConfig::default()).unwrap_err();
/// assert!(e.to_string().starts_with("column values has 0 rows but ids has 1"));
/// ```
pub fn assign(
    ids: &[CustomerId],
    values: &[Decimal],
    signals: Option<&[BehaviourSignals]>,
    config: &AssignmentConfig,
) -> Result<Assignments, AssignmentError> {
    assign_with(ids, values, signals, config, || {
        classify(values, &config.tiers)
    })
}

/// [`assign`] on columns the caller hands over: the ids and values move into
/// the result instead of being copied, which halves the peak memory of a
/// front end that converted them from its own columns (ten million customers:
/// 400 MB less). Same rules, same result, same errors as [`assign`].
///
/// # Errors
///
/// As [`assign`].
///
/// ```
/// use crm_core::value::assignment::{assign, assign_owned, AssignmentConfig};
/// use crm_core::records::customer::CustomerId;
/// use rust_decimal_macros::dec;
/// let ids: Vec<CustomerId> = (1..=3).map(CustomerId::from).collect();
/// let values = vec![dec!(5), dec!(3), dec!(0)];
/// let config = AssignmentConfig::default();
/// let copied = assign(&ids, &values, None, &config)?;
/// assert_eq!(assign_owned(ids, values, None, &config)?, copied);
/// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
/// ```
pub fn assign_owned(
    ids: Vec<CustomerId>,
    values: Vec<Decimal>,
    signals: Option<&[BehaviourSignals]>,
    config: &AssignmentConfig,
) -> Result<Assignments, AssignmentError> {
    check_len("values", ids.len(), values.len())?;
    let behaviour = check_and_assess(&ids, signals, config)?;
    let classification = Classification::of(values, &config.tiers)?;
    Ok(Assignments {
        ids,
        classification,
        behaviour,
        config: config.clone(),
    })
}

/// [`assign`] for one partition of a partitioned ranking: the tiers come from
/// the [`PartitionPlan`] (see [`crate::value::tier::partition`]), whose tier
/// configuration replaces `config.tiers`; behaviours and treatments are per
/// customer, as in [`assign`]. Ids are checked for repeats within the
/// partition only: a repeat across partitions is the caller's check.
///
/// # Errors
///
/// As [`assign`], and the plan's errors
/// ([`TierError::PartitionChanged`](crate::value::tier::TierError::PartitionChanged), …).
///
/// ```
/// use crm_core::value::assignment::{assign_partition, AssignmentConfig};
/// use crm_core::value::tier::{PartitionPlan, PartitionStats, Tier, TierConfig};
/// use crm_core::records::customer::CustomerId;
/// use rust_decimal_macros::dec;
/// let (a, b) = ([dec!(8)], [dec!(2)]);
/// let stats = [PartitionStats::of(0, &a)?, PartitionStats::of(1, &b)?];
/// let plan = PartitionPlan::new(&TierConfig::by_value(), &stats)?;
/// let second = assign_partition(&[CustomerId::from(2)], &b, None, &AssignmentConfig::default(), &plan, 1)?;
/// assert_eq!(second.tier(0), Some(Tier::Ordinary));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn assign_partition(
    ids: &[CustomerId],
    values: &[Decimal],
    signals: Option<&[BehaviourSignals]>,
    config: &AssignmentConfig,
    plan: &PartitionPlan,
    partition: u32,
) -> Result<Assignments, AssignmentError> {
    let config = AssignmentConfig {
        tiers: *plan.config(),
        ..config.clone()
    };
    assign_with(ids, values, signals, &config, || {
        plan.classify(partition, values)
    })
}

fn assign_with(
    ids: &[CustomerId],
    values: &[Decimal],
    signals: Option<&[BehaviourSignals]>,
    config: &AssignmentConfig,
    classify: impl FnOnce() -> Result<Classification, TierError>,
) -> Result<Assignments, AssignmentError> {
    check_len("values", ids.len(), values.len())?;
    let behaviour = check_and_assess(ids, signals, config)?;
    let classification = classify()?;
    Ok(Assignments {
        ids: ids.to_vec(),
        classification,
        behaviour,
        config: config.clone(),
    })
}

/// The checks every assignment makes before the tiers (signal column length,
/// behaviour rules, one row per customer) and each customer's behaviour
/// evidence: one entry per customer, or none when no signals were given.
fn check_and_assess(
    ids: &[CustomerId],
    signals: Option<&[BehaviourSignals]>,
    config: &AssignmentConfig,
) -> Result<Vec<BehaviourEvidence>, AssignmentError> {
    if let Some(s) = signals {
        check_len("signals", ids.len(), s.len())?;
    }
    config
        .behaviours
        .validate()
        .map_err(AssignmentError::Rules)?;
    check_unique(ids)?;
    match signals {
        Some(signals) => signals
            .iter()
            .zip(ids)
            .zip(1..)
            .map(|((s, id), row)| {
                config
                    .behaviours
                    .assess(s)
                    .map_err(|source| AssignmentError::Behaviour {
                        customer: id.clone(),
                        row,
                        source,
                    })
            })
            .collect(),
        None => Ok(Vec::new()),
    }
}

fn check_len(column: &'static str, expected: usize, actual: usize) -> Result<(), AssignmentError> {
    if expected == actual {
        Ok(())
    } else {
        Err(AssignmentError::LengthMismatch {
            column,
            expected,
            actual,
        })
    }
}

/// One row per customer, or an error naming the repeated id (the first
/// repeat in row order, with the row of its first occurrence).
///
/// Integer ids, what most order systems issue, are checked by sorting a copy
/// (8 bytes a customer, radix sort, sequential memory): about ten times faster
/// than hashing ten million ids into a set, whose probes miss the cache on
/// every insert. Text ids, and the error path, use a hash set; hashbrown's
/// default hasher (foldhash) is several times faster than SipHash, and ids are
/// not attacker-chosen keys in a long-lived table.
fn check_unique(ids: &[CustomerId]) -> Result<(), AssignmentError> {
    let ints: Option<Vec<i64>> = ids
        .iter()
        .map(|id| match id {
            CustomerId::Int(i) => Some(*i),
            CustomerId::Str(_) => None,
        })
        .collect();
    if let Some(mut ints) = ints {
        radsort::sort(&mut ints);
        if !ints.windows(2).any(|w| w[0] == w[1]) {
            return Ok(());
        }
    }
    let mut seen: HashSet<&CustomerId> = HashSet::with_capacity(ids.len());
    for (row, id) in (1..).zip(ids) {
        if !seen.insert(id) {
            let first_row = ids.iter().position(|x| x == id).map_or(row, |i| i + 1);
            return Err(AssignmentError::DuplicateCustomer {
                customer: id.clone(),
                first_row,
                second_row: row,
            });
        }
    }
    Ok(())
}

impl Assignments {
    /// Customers assigned.
    ///
    /// ```
    /// # use crm_core::value::assignment::{assign, AssignmentConfig};
    /// assert_eq!(assign(&[], &[], None, &AssignmentConfig::default())?.len(), 0);
    /// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when there is no customer.
    ///
    /// ```
    /// # use crm_core::value::assignment::{assign, AssignmentConfig};
    /// assert!(assign(&[], &[], None, &AssignmentConfig::default())?.is_empty());
    /// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The customer ids, in input order.
    ///
    /// ```
    /// # use crm_core::value::assignment::{assign, AssignmentConfig};
    /// # use crm_core::records::customer::CustomerId;
    /// # use rust_decimal_macros::dec;
    /// let a = assign(&["x".into()], &[dec!(1)], None, &AssignmentConfig::default())?;
    /// assert_eq!(a.ids(), &[CustomerId::from("x")]);
    /// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
    /// ```
    pub fn ids(&self) -> &[CustomerId] {
        &self.ids
    }

    /// The tier classification behind the assignments.
    ///
    /// ```
    /// # use crm_core::value::assignment::{assign, AssignmentConfig};
    /// # use rust_decimal_macros::dec;
    /// let a = assign(&[1.into()], &[dec!(3)], None, &AssignmentConfig::default())?;
    /// assert_eq!(a.classification().total(), dec!(3));
    /// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
    /// ```
    pub fn classification(&self) -> &Classification {
        &self.classification
    }

    /// The configuration used.
    ///
    /// ```
    /// # use crm_core::value::assignment::{assign, AssignmentConfig};
    /// let a = assign(&[], &[], None, &AssignmentConfig::default())?;
    /// assert_eq!(a.config(), &AssignmentConfig::default());
    /// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
    /// ```
    pub fn config(&self) -> &AssignmentConfig {
        &self.config
    }

    /// The tier of the customer at `index`.
    ///
    /// ```
    /// # use crm_core::value::assignment::{assign, AssignmentConfig};
    /// # use crm_core::value::tier::Tier;
    /// # use rust_decimal_macros::dec;
    /// let a = assign(&[1.into()], &[dec!(0)], None, &AssignmentConfig::default())?;
    /// assert_eq!(a.tier(0), Some(Tier::Inactive));
    /// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
    /// ```
    pub fn tier(&self, index: usize) -> Option<Tier> {
        self.classification.tier(index)
    }

    /// The behaviour evidence of the customer at `index`.
    ///
    /// ```
    /// # use crm_core::value::assignment::{assign, AssignmentConfig};
    /// # use rust_decimal_macros::dec;
    /// let a = assign(&[1.into()], &[dec!(1)], None, &AssignmentConfig::default())?;
    /// assert!(a.behaviour(0).unwrap().behaviours.is_empty());
    /// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
    /// ```
    pub fn behaviour(&self, index: usize) -> Option<&BehaviourEvidence> {
        if index >= self.len() {
            return None;
        }
        Some(self.behaviour.get(index).unwrap_or(&UNFLAGGED))
    }

    /// Every customer's behaviour evidence, in input order: the column a
    /// table of all customers reads.
    ///
    /// ```
    /// # use crm_core::value::assignment::{assign, AssignmentConfig};
    /// # use rust_decimal_macros::dec;
    /// let a = assign(&[1.into(), 2.into()], &[dec!(1), dec!(2)], None, &AssignmentConfig::default())?;
    /// assert_eq!(a.behaviours().len(), 2);
    /// assert!(a.behaviours().all(|b| b.behaviours.is_empty()));
    /// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
    /// ```
    pub fn behaviours(&self) -> impl ExactSizeIterator<Item = &BehaviourEvidence> + Clone + '_ {
        (0..self.len()).map(|i| self.behaviour.get(i).unwrap_or(&UNFLAGGED))
    }

    /// True when behaviour signals were given: without them nobody is
    /// flagged and the evidence figures are unknown for every customer (a
    /// table can write those columns as nulls without a per-customer pass).
    ///
    /// ```
    /// # use crm_core::value::assignment::{assign, AssignmentConfig};
    /// # use rust_decimal_macros::dec;
    /// let a = assign(&[1.into()], &[dec!(1)], None, &AssignmentConfig::default())?;
    /// assert!(!a.signals_given());
    /// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
    /// ```
    pub fn signals_given(&self) -> bool {
        !self.behaviour.is_empty()
    }

    /// The treatment of the customer at `index`, and the policy rule that gave it.
    ///
    /// ```
    /// # use crm_core::value::assignment::{assign, AssignmentConfig};
    /// # use crm_core::value::treatment::Strategy;
    /// # use rust_decimal_macros::dec;
    /// let a = assign(&[1.into()], &[dec!(1)], None, &AssignmentConfig::default())?;
    /// assert_eq!(a.treatment(0).unwrap().0.strategy, Strategy::Delight);
    /// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
    /// ```
    pub fn treatment(&self, index: usize) -> Option<(Treatment, usize)> {
        let tier = self.classification.tier(index)?;
        let set = self.behaviour(index)?.behaviours;
        let rule = self.config.policy.rule_index(tier, set);
        Some((self.config.policy.treatment(tier, set), rule))
    }

    /// The full assignment of the customer at `index`.
    ///
    /// ```
    /// # use crm_core::value::assignment::{assign, AssignmentConfig};
    /// # use rust_decimal_macros::dec;
    /// let a = assign(&[1.into()], &[dec!(1)], None, &AssignmentConfig::default())?;
    /// assert_eq!(a.get(0).unwrap().tier.rank, Some(1));
    /// assert!(a.get(1).is_none());
    /// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
    /// ```
    pub fn get(&self, index: usize) -> Option<Assignment> {
        let (treatment, policy_rule) = self.treatment(index)?;
        Some(Assignment {
            customer: self.ids.get(index)?.clone(),
            tier: self.classification.explain(index)?,
            behaviour: *self.behaviour(index)?,
            treatment,
            policy_rule,
        })
    }

    /// Every assignment, in input order.
    ///
    /// ```
    /// # use crm_core::value::assignment::{assign, AssignmentConfig};
    /// # use rust_decimal_macros::dec;
    /// let a = assign(&[1.into(), 2.into()], &[dec!(1), dec!(1)], None, &AssignmentConfig::default())?;
    /// assert_eq!(a.iter().count(), 2);
    /// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = Assignment> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// Per-tier totals, highest tier first.
    ///
    /// ```
    /// # use crm_core::value::assignment::{assign, AssignmentConfig};
    /// # use rust_decimal_macros::dec;
    /// let a = assign(&[1.into()], &[dec!(1)], None, &AssignmentConfig::default())?;
    /// assert_eq!(a.summary()[0].customers, 1);
    /// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
    /// ```
    pub fn summary(&self) -> Vec<TierSummary> {
        self.classification.summary()
    }

    /// The stable JSON form of the result: configuration, per-tier totals
    /// and every customer's assignment.
    ///
    /// ```
    /// # use crm_core::value::assignment::{assign, AssignmentConfig};
    /// # use rust_decimal_macros::dec;
    /// let a = assign(&[1.into()], &[dec!(1)], None, &AssignmentConfig::default())?;
    /// let r = a.report();
    /// assert_eq!(r.customers.len(), 1);
    /// assert_eq!(r.total, dec!(1));
    /// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
    /// ```
    pub fn report(&self) -> AssignmentReport {
        AssignmentReport {
            config: self.config.clone(),
            total: self.classification.total(),
            tiers: self.summary(),
            customers: self.iter().collect(),
        }
    }
}

/// The stable, self-describing JSON form of an assignment run.
///
/// ```
/// use crm_core::value::assignment::{assign, AssignmentConfig, AssignmentReport};
/// use rust_decimal_macros::dec;
/// let r = assign(&[1.into()], &[dec!(2)], None, &AssignmentConfig::default())?.report();
/// let json = serde_json::to_string(&r).unwrap();
/// let back: AssignmentReport = serde_json::from_str(&json).unwrap();
/// assert_eq!(back, r);
/// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct AssignmentReport {
    /// What decided.
    pub config: AssignmentConfig,
    /// The positive total value.
    pub total: Decimal,
    /// Per-tier totals.
    pub tiers: Vec<TierSummary>,
    /// Every customer.
    pub customers: Vec<Assignment>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn a_bad_signal_names_the_customer_and_row() {
        let ids: Vec<CustomerId> = vec![1.into(), "k-9".into()];
        let signals = [
            BehaviourSignals::default(),
            BehaviourSignals {
                spend: Some(dec!(-3)),
                ..Default::default()
            },
        ];
        let e = assign(
            &ids,
            &[dec!(1), dec!(2)],
            Some(&signals),
            &AssignmentConfig::default(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "customer k-9 (row 2): spend is negative: the rule is spend >= 0"
        );
    }

    #[test]
    fn explanation_answers_why_major() {
        let ids: Vec<CustomerId> = (1..=4).map(CustomerId::from).collect();
        let a = assign(
            &ids,
            &[dec!(40), dec!(30), dec!(20), dec!(10)],
            None,
            &AssignmentConfig::default(),
        )
        .unwrap();
        let row = a.get(1).unwrap();
        assert_eq!(row.tier.tier, Tier::Major);
        assert_eq!(row.tier.cumulative_share_before, Some(dec!(0.4)));
        assert_eq!(row.treatment.response_hours, 48);
    }
}
