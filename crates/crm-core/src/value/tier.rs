//! Customer value tiers (分析客户价值，区别对待).
//!
//! Customers differ in how much they matter, and the firm's attitude to each
//! follows from its value. This module ranks customers by their value over a
//! period, largest first, walks the cumulative share of the total and cuts the
//! ranking into four tiers:
//!
//! | tier | Chinese | default rule, by value share | by count share |
//! |---|---|---|---|
//! | [`Tier::MostValuable`] | 最有价值客户 | the top customers bringing the first 20 % of value | the top 5 % of customers |
//! | [`Tier::Major`] | 主要客户 | the next ones up to 50 % cumulative | up to 20 % of customers |
//! | [`Tier::Ordinary`] | 普通客户 | everyone else with positive value | the rest with positive value |
//! | [`Tier::Inactive`] | 无效客户 | value zero or negative | value zero or negative |
//!
//! The value is whatever the caller chooses (revenue, gross margin, any
//! measure): the classifier only sees one [`Decimal`] per customer.
//!
//! # The rule, precisely
//!
//! Customers with equal value form a *tie group*. Walking the groups from the
//! largest value down, a group belongs to the first tier when the cumulative
//! share of the groups *before* it is still below the first cut-off, so the
//! most valuable set is the smallest run of whole tie groups whose share
//! reaches the cut-off: the group that crosses the line is inside. The same
//! holds for the major tier at the second cut-off. Consequences, each of them
//! a property test in this module:
//!
//! - every customer gets exactly one tier, and the tiers' shares sum to 1;
//! - zero or negative value is inactive and takes no share: shares are of the
//!   positive total;
//! - input order does not matter, and a tie group is never split;
//! - a strictly larger value never lands in a lower tier;
//! - scaling every value by the same positive number changes no tier;
//! - adding a customer with zero value changes no other customer's tier;
//! - the first customer always lands in the first tier (it alone may hold
//!   most of the value: a single customer is most valuable).
//!
//! Sums and the cut-off comparisons are exact: values are brought to a common
//! decimal scale and summed as 128-bit integers, and "cumulative share below
//! the cut-off" is decided as `before × 10^k < c × 10^k × total` in 256-bit
//! arithmetic, never by a rounded division. Shares reported in explanations
//! are divisions rounded to `Decimal`'s 28 significant digits.
//!
//! # Worked examples
//!
//! Ties at a cut-off. Values 30, 30, 20, 10, 10 (total 100), default cut-offs
//! 20 % and 50 %. The first tie group {30, 30} starts at 0 %, below 20 %: most
//! valuable, even though it takes the cumulative share to 60 % (a tie group is
//! never split). The group {20} starts at 60 %, past 50 %: ordinary, and so
//! does {10, 10}, starting at 80 %. Nobody is major.
//!
//! ```
//! use crm_core::value::tier::{classify, Tier, TierConfig};
//! use rust_decimal_macros::dec;
//!
//! let c = classify(&[dec!(30), dec!(10), dec!(20), dec!(30), dec!(10)], &TierConfig::by_value())?;
//! let tiers: Vec<Tier> = (0..5).map(|i| c.tier(i).unwrap()).collect();
//! use Tier::*;
//! assert_eq!(tiers, [MostValuable, Ordinary, Ordinary, MostValuable, Ordinary]);
//! let why = c.explain(3).unwrap();
//! assert_eq!(why.rank, Some(1));            // both 30s share rank 1
//! assert_eq!(why.tie_group_size, 2);
//! assert_eq!(why.cumulative_share_before, Some(dec!(0)));
//! assert_eq!(why.cumulative_share_after, Some(dec!(0.6)));
//! assert_eq!(c.explain(2).unwrap().rank, Some(3)); // competition rank: 1, 1, 3
//! # Ok::<(), crm_core::value::tier::TierError>(())
//! ```
//!
//! A single customer holds 100 % and is most valuable. All customers equal form
//! one tie group starting at 0 %: all most valuable.
//!
//! ```
//! use crm_core::value::tier::{classify, Tier, TierConfig};
//! use rust_decimal_macros::dec;
//!
//! let one = classify(&[dec!(12.5)], &TierConfig::by_value())?;
//! assert_eq!(one.tier(0), Some(Tier::MostValuable));
//!
//! let equal = classify(&[dec!(7); 10], &TierConfig::by_value())?;
//! assert!((0..10).all(|i| equal.tier(i) == Some(Tier::MostValuable)));
//! # Ok::<(), crm_core::value::tier::TierError>(())
//! ```
//!
//! Zero and negative values are inactive and take no share; the shares of the
//! others are of the positive total (here 60 + 40 = 100: 60 starts at 0 %, most
//! valuable; 40 starts at 60 %, past 50 %: ordinary).
//!
//! ```
//! use crm_core::value::tier::{classify, Tier, TierConfig};
//! use rust_decimal_macros::dec;
//!
//! let c = classify(&[dec!(60), dec!(0), dec!(-25), dec!(40)], &TierConfig::by_value())?;
//! assert_eq!(c.tier(1), Some(Tier::Inactive));
//! assert_eq!(c.tier(2), Some(Tier::Inactive));
//! assert_eq!(c.tier(3), Some(Tier::Ordinary));
//! assert_eq!(c.total(), dec!(100));
//! assert_eq!(c.explain(3).unwrap().share, Some(dec!(0.4)));
//! assert_eq!(c.explain(2).unwrap().share, None); // inactive: no share
//! # Ok::<(), crm_core::value::tier::TierError>(())
//! ```
//!
//! An empty input is an empty result, not an error.
//!
//! ```
//! use crm_core::value::tier::{classify, TierConfig};
//!
//! let c = classify(&[], &TierConfig::by_value())?;
//! assert!(c.is_empty());
//! assert_eq!(c.summary().iter().map(|s| s.customers).sum::<u64>(), 0);
//! # Ok::<(), crm_core::value::tier::TierError>(())
//! ```
//!
//! By customer count (the Pareto rule, 二八定律): with 20 customers and the
//! default 5 % / 20 %, the first customer is 5 % of the count and most
//! valuable, the next three reach 20 % and are major.
//!
//! ```
//! use crm_core::value::tier::{classify, Tier, TierConfig};
//! use rust_decimal::Decimal;
//!
//! let values: Vec<Decimal> = (1..=20).map(Decimal::from).collect();
//! let c = classify(&values, &TierConfig::by_count())?;
//! assert_eq!(c.tier(19), Some(Tier::MostValuable)); // value 20
//! assert_eq!(c.tier(16), Some(Tier::Major));        // value 17: count before = 3 < 4
//! assert_eq!(c.tier(15), Some(Tier::Ordinary));     // value 16: count before = 4, not < 4
//! # Ok::<(), crm_core::value::tier::TierError>(())
//! ```

mod classification;
mod config;
mod exact;
mod explanation;
pub mod partition;
#[cfg(test)]
mod tests;

pub use classification::{Classification, TierSummary, classify};
pub use config::{Cutoffs, Tier, TierBasis, TierConfig, TierError};
pub use explanation::{Decision, Evidence, EvidenceColumns, Explanation, GroupEvidence};
pub use partition::{PartitionPlan, PartitionStats};
