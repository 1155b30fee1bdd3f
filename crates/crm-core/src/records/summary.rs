//! Per-customer summaries: from transaction columns to the figures every
//! other part of the engine uses.
//!
//! A [`SummaryAccumulator`] reads transactions column by column
//! ([`ColumnBatch`]: customer keys, day numbers, amounts, optional quantity,
//! margin and discount flag, each with an optional Arrow-style validity
//! bitmap) and keeps one small record per customer. It is a **partial
//! summary**: two accumulators built over any split of the input
//! [merge](SummaryAccumulator::merge) into exactly the accumulator of the
//! whole input, and it serialises, so partial summaries can be computed on
//! many machines and combined. [`SummaryAccumulator::finish`] turns it into
//! [`Summaries`] (one row per customer, sorted by customer id) and a
//! [`Reconciliation`].
//!
//! ## Definitions
//!
//! At the analysis date `as_of` (always explicit: the engine never reads the
//! clock), over the transactions dated `window_start ..= as_of`:
//!
//! * an **occasion** is a calendar day with at least one transaction of the
//!   customer (docs/DOMAIN.md section 5). As in `lifetimes`, *every* transaction
//!   counts, returns included: a day with only a return is an occasion. Days
//!   are calendar days of the analysis zone ([`crate::records::transaction`]).
//! * **frequency** `x` = occasions − 1 (repeat occasions);
//! * **recency** `t_x` = last occasion − first occasion, and **age** `T` =
//!   `as_of` − first occasion, in the chosen [`Unit`]: days, or weeks as
//!   days / 7 (a fraction, not a count of calendar weeks: occasions stay
//!   calendar days whatever the unit);
//! * **monetary value** = mean net spend of the repeat occasions: the spend
//!   of all occasions but the first, divided by `x` (0 when `x` = 0), which
//!   is what `lifetimes.utils.summary_data_from_transaction_data` computes;
//! * **total spend** is the net sum of amounts (returns subtract), **mean
//!   spend** is total spend per transaction, **returns** count the rows with
//!   a negative amount and sum their amounts; **margin** and **quantity** sum
//!   the rows that carry them (`None` when none does); the **discount share**
//!   is the share of flagged-discounted rows among the rows with a flag.
//!
//! ### Window start
//!
//! A window start truncates the observation on the left: rows dated before
//! it are skipped (and reported), and a customer's first occasion is the
//! first one *in the window*. Use it to summarise a period; use the
//! [calibration / holdout split](CalibrationHoldoutAccumulator) to compare
//! two adjacent periods.
//!
//! ### Exact money
//!
//! Amounts are accumulated as `i128` mantissas at a fixed scale
//! ([`SummaryConfig::amount_scale`], default 6 decimal places). A decimal
//! amount with more decimal places than that is rejected, never rounded;
//! floating-point amounts (NaN and infinities rejected) are rounded to the
//! scale, since a float holds no more precision than that anyway. Amounts
//! whose mantissa exceeds 2^96 are rejected as out of range, and a sum that
//! would overflow is an error, never a wrap or a panic. Because all sums
//! are exact integers, the result does not depend on the input order or
//! the split into batches.
//!
//! ### How occasions are counted
//!
//! Distinct days per customer need the set of days, which an unsorted input
//! only gives at the end. The accumulator appends one 64-bit key
//! (customer index, day) per row whose day is neither the customer's current
//! first nor last day (so time-sorted input appends about one key per
//! occasion), and periodically radix-sorts and de-duplicates the keys into a
//! sorted, delta-encoded run of about 2 bytes per occasion. Memory therefore
//! grows with customers and their occasions, not with transactions.
//!
//! ### Memory
//!
//! Besides the input, a run holds per customer a 64-byte record, its id and
//! an index slot, plus the occasion run; [`finish`](SummaryAccumulator::finish)
//! puts the records into output order in place and converts them from the
//! back, freeing them as the output columns fill, so records and output are
//! never both whole in memory. The optional columns (quantity, margin,
//! discount) cost nothing when the input has none of them: their output
//! columns are then empty.
//!
//! ### Speed
//!
//! A batch is processed in chunks of 16k rows, in passes that each do one
//! thing: validate and reconcile every row; map customer ids to dense
//! indices (integer ids that are dense enough use a plain table, others a
//! hash map); then stage the used rows (customer index, day, amount). When
//! the stage holds a quarter as many rows as there are customers (at least
//! a million), it is sorted by customer index (a counting sort), each
//! customer's rows are sorted by day and folded, and the records are
//! updated in index order. Adding rows one at a time would instead read a
//! customer's record from main memory for almost every row once the
//! records outgrow the cache, and would buffer a key for almost every row
//! of an unsorted input to sort later; folded per customer, the distinct
//! days come out in order and merge straight into the occasion run. The
//! stage is flushed before anything reads the records (`merge`, `finish`,
//! serialisation), and records hold sums and extremes, so neither the
//! input order nor when a flush happens changes a result.
//!
//! # Example
//!
//! ```
//! use chrono::NaiveDate;
//! use crm_core::records::summary::{Amounts, ColumnBatch, Keys, SummaryAccumulator, SummaryConfig, Unit};
//! use crm_core::records::transaction::day_number;
//!
//! let d = |m, day| day_number(NaiveDate::from_ymd_opt(1997, m, day).unwrap());
//! let ids = [1_i64, 1, 1, 2];
//! let days = [d(1, 1), d(1, 18), d(8, 2), d(1, 1)];
//! let cents = [2933_i64, 2973, 1496, 6334];
//!
//! let config = SummaryConfig::new(NaiveDate::from_ymd_opt(1997, 9, 30).unwrap()).with_unit(Unit::Week);
//! let mut acc = SummaryAccumulator::new(config)?;
//! acc.add_batch(&ColumnBatch::new(1, Keys::Int(&ids), &days, Amounts::Scaled64 { mantissas: &cents, scale: 2 }))?;
//! let out = acc.finish()?;
//! let s = out.summaries.get(0).unwrap();
//! assert_eq!(s.frequency, 2);
//! assert_eq!(format!("{:.2}", s.recency), "30.43");
//! assert_eq!(s.monetary_value.to_string(), "22.345"); // (29.73 + 14.96) / 2
//! assert!(out.reconciliation.is_balanced());
//! # Ok::<(), crm_core::records::summary::SummaryError>(())
//! ```

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use hashbrown::HashMap;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::records::customer::CustomerId;
use crate::records::reconciliation::{
    Column, MAX_LISTED_REJECTIONS, Mantissa, Reconciliation, RejectReason, Rejection, Tally,
};
use crate::records::transaction::{
    CalendarConfig, DayConverter, Transaction, date_of_day, day_number, max_day, min_day,
};

/// Decimal places kept by default.
pub const DEFAULT_AMOUNT_SCALE: u32 = 6;

/// The most decimal places an accumulator can keep.
pub const MAX_AMOUNT_SCALE: u32 = 18;

/// The largest amount mantissa accepted (Decimal's 96-bit limit).
const MAX_MANTISSA: i128 = (1_i128 << 96) - 1;

/// Keys buffered before a compaction, at least (8 MiB).
const MIN_PENDING: usize = 1 << 20;

/// Output rows converted between two releases of the records' memory.
const FREE_EVERY: usize = 1 << 16;

/// Rows validated, indexed and added per pass.
const CHUNK: usize = 1 << 14;

/// How many rows ahead a customer's record is touched when rows are added
/// at once (measured: 24 beats 8 by a third on a 1M-customer input).
const LOOKAHEAD: usize = 24;

/// Customers from which used rows are staged rather than added at once:
/// below, their records (64 bytes each, 1 MiB) stay in a core's L2 cache
/// and staging gains nothing (measured: equal at 20k customers; at 100k,
/// 1M rows take 0.086–0.096 s staged, 0.095–0.121 s added at once). Small
/// in tests, so that both ways are exercised.
const STAGE_FROM_CUSTOMERS: usize = if cfg!(test) { 1 << 10 } else { 1 << 14 };

/// Used rows staged before a flush, at least (20 bytes a row, and 16 more
/// while they are sorted: 36 MiB); more with more customers.
const MIN_STAGE: usize = 1 << 20;

/// Powers of ten up to 10^36.
const POW10: [i128; 37] = {
    let mut p = [1_i128; 37];
    let mut i = 1;
    while i < 37 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

mod accumulator;
mod calibration;
mod columns;
mod config;
mod finish;
mod index;
mod output;
mod stage;

#[allow(unused_imports)]
pub use accumulator::*;
#[allow(unused_imports)]
pub use calibration::*;
#[allow(unused_imports)]
pub use columns::*;
#[allow(unused_imports)]
pub use config::*;
#[allow(unused_imports)]
pub use finish::*;
#[allow(unused_imports)]
pub use index::*;
#[allow(unused_imports)]
pub use output::*;

mod occasions;
use occasions::OccasionRun;
use stage::Stage;

#[cfg(test)]
mod tests;
