//! # crm-core: the customer-relationship domain, as pure functions
//!
//! crm-core answers the questions a CRM team asks of its customer records.
//! It holds the rules and nothing else: no files, no threads, no clock, no
//! global state. Money is [`rust_decimal::Decimal`], dates are [`chrono`],
//! every public type is `serde`, and every error says what is wrong and for
//! which customer.
//!
//! ## Who matters how much: value tiers
//!
//! Rank the customers by their value over a period, walk the cumulative share
//! of the total, and cut: the customers who bring the first 20 % of value are
//! *most valuable* (最有价值客户), the next ones up to 50 % are *major*
//! (主要客户), the rest with positive value are *ordinary* (普通客户), and those
//! with zero or negative value are *inactive* (无效客户). See [`tier`](value::tier).
//!
//! ```
//! use crm_core::value::tier::{classify, Tier, TierConfig};
//! use rust_decimal_macros::dec;
//!
//! let values = [dec!(400), dec!(300), dec!(200), dec!(100), dec!(0)];
//! let tiers = classify(&values, &TierConfig::by_value())?;
//! assert_eq!(tiers.tier(0), Some(Tier::MostValuable)); // starts at 0 %, below 20 %
//! assert_eq!(tiers.tier(1), Some(Tier::Major));        // starts at 40 %: below 50 %
//! assert_eq!(tiers.tier(2), Some(Tier::Ordinary));     // starts at 70 %: past 50 %
//! assert_eq!(tiers.tier(4), Some(Tier::Inactive));     // zero value takes no share
//! # Ok::<(), crm_core::value::tier::TierError>(())
//! ```
//!
//! ## How to serve each: behaviours and treatments
//!
//! Two behavioural classes cut across the tiers: *price-driven* customers
//! (价格型客户) who buy mostly on promotion, and *unprofitable* ones
//! (自私自利型客户) whose margin does not cover their cost to serve
//! ([`behaviour`](value::behaviour)). A [`treatment::TreatmentPolicy`](value::treatment::TreatmentPolicy) maps a tier and its
//! behaviours to a strategy, a service model, a contact cadence and a response
//! service level. [`assignment::assign`](value::assignment::assign) does all three for a customer base and
//! keeps the evidence for every decision, and [`review`](value::review) compares periods:
//! promotions, demotions, new and lost customers, with the figures behind
//! each move.
//!
//! ## What each customer did: summaries, RFM, reconciliation
//!
//! Purchase records ([`transaction`](records::transaction)) become per-customer figures at an
//! explicit analysis date ([`summary`](records::summary)): first and last purchase, purchase
//! occasions, spend, returns, margin, and the BTYD triple (frequency,
//! recency, age) with the mean repeat spend. The accumulator reads columns,
//! not rows, and its partial summaries merge exactly, so a split input gives
//! the same answer. Every run reports what happened to every row
//! ([`reconciliation`](records::reconciliation)), and [`rfm`](value::rfm) scores recency, frequency and money
//! 1–5 by quantiles and names segments from a replaceable rule table.
//!
//! ## What an offer delivers, and how loyal customers are
//!
//! A customer chooses the offer that leaves him the most: total customer
//! value (product, service, personnel, image) minus total customer cost
//! (money, time, energy, stamina). [`delivered_value`](relationship::delivered_value) computes it exactly
//! and says which components put the firm ahead of or behind its best
//! competitor. The relationship itself is measured over a period
//! ([`period_metrics`](relationship::period_metrics): retention, churn, growth, repeat purchase, referral,
//! complaints against the promised service level, and the loyalty of
//! customers after a resolved complaint; who was a customer when comes from
//! the firm's records ([`customer_base`](relationship::customer_base)) or, without them, from an explicit
//! [`inactivity`](relationship::inactivity) rule), by asking ([`survey`](relationship::survey): CSAT, NPS
//! with its confidence interval, customer effort), and per customer as the
//! four degrees ([`degrees`](relationship::degrees): satisfaction, loyalty, contribution,
//! dependency, each a score in [0, 1] with its inputs). [`economics`](relationship::economics) holds
//! the arithmetic the texts argue with: keeping against winning customers,
//! R = X · Y − Z, lifetime value and customer equity. A ratio without a
//! denominator is `None`, never 0 or NaN: "unknown" and "zero" stay apart.
//!
//! ```
//! use crm_core::relationship::survey::nps;
//! use rust_decimal_macros::dec;
//! // 3 promoters, 1 passive, 1 detractor of 5: 60 % − 20 % = 40
//! assert_eq!(nps([10, 9, 9, 8, 2].into_iter(), dec!(1.96)).score, Some(dec!(40)));
//! assert_eq!(nps(std::iter::empty(), dec!(1.96)).score, None);
//! ```
//!
//! ## Where the rules come from
//!
//! The rule set is `docs/DOMAIN.md` in the repository, distilled from
//! management texts on CRM, with the Chinese terms; its section numbers are
//! the ones the items' documentation cites ("docs/DOMAIN.md section 1"). Where the
//! texts leave a rule open the crate picks what a careful analyst would
//! expect, makes it configurable and says so in the item's documentation.
//! `docs/DESIGN.md` says where each rule lives (one module each), how the
//! crates fit together and what the front ends may and may not do: parse
//! arguments, call crm-core and crm-io, map errors, and nothing else. Every
//! default is a crm-core constructor (for tiers
//! [`TierConfig::default_for`](value::tier::TierConfig::default_for)) and
//! the names a user sees are listed once, in [`vocabulary`].
#![deny(missing_docs)]

pub mod clv;
pub mod error;
pub mod parameter;
pub mod records;
pub mod relationship;
pub mod value;
pub mod vocabulary;

pub use records::customer::CustomerId;
pub use records::reconciliation::Reconciliation;
pub use records::summary::{CustomerSummary, Summaries};
pub use records::transaction::Transaction;
pub use relationship::customer_base::CustomerBase;
pub use value::assignment::{Assignment, AssignmentConfig, Assignments, assign};
pub use value::review::PeriodReview;
pub use value::rfm::RfmResult;
pub use value::tier::{Classification, Tier, TierConfig, classify};
pub use value::treatment::{Treatment, TreatmentPolicy};

/// The README's Rust quick start, compiled and run as a doctest so that it
/// stays true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeQuickStart;
