//! What the records say: purchases in, per-customer figures out.
//!
//! | module | concept |
//! |---|---|
//! | [`customer`] | the customer id, integer or text |
//! | [`transaction`] | one purchase row, its validation and its time zone |
//! | [`summary`] | per-customer summaries at an analysis date (occasions, spend, the BTYD triple), streamed by column and mergeable |
//! | [`reconciliation`] | what happened to every input row: read = used + skipped + rejected |
//!
//! ```
//! use crm_core::records::reconciliation::Reconciliation;
//! let r = Reconciliation::default();
//! assert!(r.is_balanced());
//! ```
pub mod customer;
pub mod reconciliation;
pub mod summary;
pub mod transaction;
