//! What an offer delivers, and how satisfied, loyal, contributing and
//! dependent customers are.
//!
//! | module | concept |
//! |---|---|
//! | [`delivered_value`] | customer delivered value (顾客让渡价值): total value − total cost, against competitors' offers |
//! | [`customer_base`] | who was a customer when, from the firm's records |
//! | [`inactivity`] | the same, derived from purchases by an explicit inactivity rule |
//! | [`period_metrics`] | how retention, churn, growth, repeat purchase and referral are counted over a period |
//! | [`complaint`] | complaints against the promised service level, and service recovery |
//! | [`survey`] | CSAT, NPS with its confidence interval, customer effort |
//! | [`degrees`] | the four degrees (四度): satisfaction, loyalty, contribution, dependency |
//! | [`economics`] | keeping against winning customers, R = X · Y − Z, simple lifetime value, customer equity |
//!
//! ```
//! use crm_core::relationship::economics::clv;
//! use rust_decimal_macros::dec;
//! assert_eq!(clv(dec!(120), dec!(0.75), dec!(0.05)), Ok(dec!(300)));
//! ```
pub mod complaint;
pub mod customer_base;
pub mod degrees;
pub mod delivered_value;
pub mod economics;
pub mod inactivity;
pub mod period_metrics;
pub mod survey;
