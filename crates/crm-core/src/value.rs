//! Who matters how much, and how to serve each (分析客户价值，区别对待).
//!
//! | module | concept |
//! |---|---|
//! | [`tier`] | value tiers by cumulative share of value or of customer count: the rule for a most valuable, major, ordinary and inactive customer |
//! | [`behaviour`] | price-driven and unprofitable customers, cutting across the tiers |
//! | [`treatment`] | the replaceable policy from tier and behaviour to strategy, service model, contact cadence and response service level |
//! | [`assignment`] | all three for a customer base, with the evidence of every decision |
//! | [`review`] | periodic reviews: promotions, demotions, new and lost customers |
//! | [`rfm`] | recency, frequency and money scored 1–5, and the segments named from them |
//!
//! ```
//! use crm_core::value::tier::{classify, Tier, TierConfig};
//! use rust_decimal_macros::dec;
//! let c = classify(&[dec!(400), dec!(100)], &TierConfig::by_value())?;
//! assert_eq!(c.tier(0), Some(Tier::MostValuable));
//! # Ok::<(), crm_core::value::tier::TierError>(())
//! ```
pub mod assignment;
pub mod behaviour;
pub mod review;
pub mod rfm;
pub mod tier;
pub mod treatment;
