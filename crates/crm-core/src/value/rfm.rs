//! RFM: recency, frequency and monetary scores, and named segments.
//!
//! Following docs/DOMAIN.md section 5, at the analysis date:
//!
//! * **recency** = days since the customer's last purchase (fewer is better);
//! * **frequency** = purchase occasions (calendar days with purchases);
//! * **monetary** = total net spend, or mean spend per occasion
//!   ([`Monetary`]).
//!
//! Each is scored 1..=5, 5 best, by **quantile thresholds**: the four
//! thresholds of a metric are its 20th, 40th, 60th and 80th percentiles by
//! the nearest-rank method (`q_k` = the `ceil(k·n/5)`-th smallest value), and
//! a value scores 1 + the number of thresholds it exceeds (for recency,
//! where smaller is better, the score is reversed: 6 minus that). A score is
//! a function of the value alone, so **equal values always get equal
//! scores**; when a metric has few distinct values (most customers buy
//! once) some scores are simply not used. The thresholds used are returned,
//! and fixed thresholds (say, from a reference period) can be passed in
//! instead so that scores are comparable across periods.
//!
//! Segments are named by a [`SegmentTable`] of rules on score ranges. The
//! rules must not overlap and must cover every one of the 125 score
//! combinations, which [`SegmentTable::new`] checks, so every customer gets
//! exactly one segment. The [standard table](SegmentTable::standard) is the
//! widely used recency × frequency grid:
//!
//! | segment | R | F |
//! |---|---|---|
//! | Champions | 5 | 4–5 |
//! | Loyal | 3–4 | 4–5 |
//! | Potential loyalist | 4–5 | 2–3 |
//! | New | 5 | 1 |
//! | Promising | 4 | 1 |
//! | Need attention | 3 | 3 |
//! | About to sleep | 3 | 1–2 |
//! | At risk | 1–2 | 3–4 |
//! | Can't lose them | 1–2 | 5 |
//! | Lost | 1–2 | 1–2 |
//!
//! (M is 1–5 in every standard rule; a caller's table may use it.)
//!
//! # Example
//!
//! ```
//! use crm_core::value::rfm::{score, RfmInput, SegmentTable};
//! use rust_decimal_macros::dec;
//!
//! let recency = [1, 10, 30, 90, 200];
//! let frequency = [9, 5, 3, 2, 1];
//! let monetary = [dec!(900), dec!(500), dec!(300), dec!(200), dec!(50)];
//! let input = RfmInput { recency_days: &recency, frequency: &frequency, monetary: &monetary };
//! let out = score(&input, None, &SegmentTable::standard())?;
//! assert_eq!((out.scores[0].recency, out.scores[0].frequency), (5, 5));
//! assert_eq!(out.segment_name(0), Some("Champions"));
//! assert_eq!(out.segment_name(4), Some("Lost"));
//! assert_eq!(out.thresholds.frequency, [1, 2, 3, 5]);
//! # Ok::<(), crm_core::value::rfm::RfmError>(())
//! ```

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::records::summary::Summaries;
use crate::records::transaction::day_number;

/// The segment names of the [standard table](SegmentTable::standard), in
/// its order (see the module docs for their score ranges).
///
/// ```
/// use crm_core::value::rfm::{STANDARD_SEGMENTS, SegmentTable};
/// let t = SegmentTable::standard();
/// assert!(t.rules().iter().map(|r| r.name.as_str()).eq(STANDARD_SEGMENTS));
/// ```
pub const STANDARD_SEGMENTS: [&str; 10] = [
    "Champions",
    "Loyal",
    "Potential loyalist",
    "New",
    "Promising",
    "Need attention",
    "About to sleep",
    "At risk",
    "Can't lose them",
    "Lost",
];

/// Which spend the monetary score ranks.
///
/// # Example
///
/// ```
/// use crm_core::value::rfm::Monetary;
/// assert_eq!(Monetary::default(), Monetary::Total);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Monetary {
    /// Total net spend in the window. (`"Total"`, the earlier spelling, is
    /// still read.)
    #[default]
    #[serde(alias = "Total")]
    Total,
    /// Net spend per purchase occasion.
    #[serde(alias = "MeanPerOccasion")]
    MeanPerOccasion,
}

/// The thresholds of the three scores: the 20th, 40th, 60th and 80th
/// percentiles (nearest rank) of each metric.
///
/// # Example
///
/// ```
/// use crm_core::value::rfm::RfmThresholds;
/// use rust_decimal_macros::dec;
/// let t = RfmThresholds { recency_days: [10, 20, 30, 40], frequency: [1, 1, 2, 3], monetary: [dec!(10); 4] };
/// assert_eq!(t.recency_score(5), 5);
/// assert_eq!(t.recency_score(41), 1);
/// assert_eq!(t.frequency_score(1), 1);
/// assert_eq!(t.frequency_score(4), 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct RfmThresholds {
    /// Recency thresholds in days.
    pub recency_days: [i64; 4],
    /// Frequency thresholds in occasions.
    pub frequency: [u64; 4],
    /// Monetary thresholds.
    pub monetary: [Decimal; 4],
}

fn ascending<T: PartialOrd>(v: &T, q: &[T; 4]) -> u8 {
    1 + q.iter().filter(|t| v > *t).count() as u8
}

fn quantiles<T: Ord + Copy>(values: &[T]) -> Option<[T; 4]> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let at = |k: usize| sorted.get((k * n).div_ceil(5).saturating_sub(1)).copied();
    Some([at(1)?, at(2)?, at(3)?, at(4)?])
}

impl RfmThresholds {
    /// The quantile thresholds of the input, `None` for no customers.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::value::rfm::{RfmInput, RfmThresholds};
    /// use rust_decimal_macros::dec;
    /// let input = RfmInput { recency_days: &[3], frequency: &[1], monetary: &[dec!(5)] };
    /// assert_eq!(RfmThresholds::of(&input).map(|t| t.recency_days), Some([3; 4]));
    /// ```
    pub fn of(input: &RfmInput<'_>) -> Option<Self> {
        Some(RfmThresholds {
            recency_days: quantiles(input.recency_days)?,
            frequency: quantiles(input.frequency)?,
            monetary: quantiles(input.monetary)?,
        })
    }

    /// The recency score of `days` (5 = most recent).
    ///
    /// # Example
    ///
    /// See [`RfmThresholds`].
    pub fn recency_score(&self, days: i64) -> u8 {
        6 - ascending(&days, &self.recency_days)
    }

    /// The frequency score of `occasions`.
    ///
    /// # Example
    ///
    /// See [`RfmThresholds`].
    pub fn frequency_score(&self, occasions: u64) -> u8 {
        ascending(&occasions, &self.frequency)
    }

    /// The monetary score of `spend`.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::value::rfm::RfmThresholds;
    /// use rust_decimal_macros::dec;
    /// let t = RfmThresholds { recency_days: [0; 4], frequency: [0; 4], monetary: [dec!(1), dec!(2), dec!(3), dec!(4)] };
    /// assert_eq!(t.monetary_score(dec!(2.5)), 3);
    /// ```
    pub fn monetary_score(&self, spend: Decimal) -> u8 {
        ascending(&spend, &self.monetary)
    }
}

/// The three metrics of every customer, as columns of equal length.
///
/// # Example
///
/// See the [module docs](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RfmInput<'a> {
    /// Days since the last purchase.
    pub recency_days: &'a [i64],
    /// Purchase occasions.
    pub frequency: &'a [u64],
    /// Spend.
    pub monetary: &'a [Decimal],
}

/// One customer's scores, each 1..=5.
///
/// # Example
///
/// ```
/// use crm_core::value::rfm::RfmScore;
/// let s = RfmScore { recency: 5, frequency: 4, monetary: 3 };
/// assert_eq!(s.code(), "543");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct RfmScore {
    /// Recency score.
    pub recency: u8,
    /// Frequency score.
    pub frequency: u8,
    /// Monetary score.
    pub monetary: u8,
}

impl RfmScore {
    /// The usual three-digit code, R then F then M.
    ///
    /// # Example
    ///
    /// See [`RfmScore`].
    pub fn code(&self) -> String {
        format!("{}{}{}", self.recency, self.frequency, self.monetary)
    }
}

/// What is wrong with an RFM request.
///
/// # Example
///
/// ```
/// use crm_core::value::rfm::RfmError;
/// let e = RfmError::LengthMismatch { column: "frequency".into(), expected: 3, found: 2 };
/// assert_eq!(e.to_string(), "column `frequency` has 2 rows, expected 3");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub enum RfmError {
    /// A rule's range is not within 1..=5 or is empty.
    #[error("segment rule `{rule}` has the score range {lo}..={hi}, outside 1..=5 or empty")]
    BadRange {
        /// The rule.
        rule: String,
        /// Range start.
        lo: u8,
        /// Range end.
        hi: u8,
    },
    /// Two rules claim the same score combination.
    #[error("segment rules `{first}` and `{second}` overlap at score {score:?}")]
    Overlap {
        /// The earlier rule.
        first: String,
        /// The later rule.
        second: String,
        /// A combination both contain.
        score: RfmScore,
    },
    /// No rule covers a score combination.
    #[error("no segment rule covers score {score:?}")]
    Uncovered {
        /// The combination.
        score: RfmScore,
    },
    /// More than 65,535 rules.
    #[error("a segment table holds at most 65535 rules")]
    TooManyRules,
    /// The metric columns differ in length.
    #[error("column `{column}` has {found} rows, expected {expected}")]
    LengthMismatch {
        /// The column.
        column: String,
        /// The recency column's length.
        expected: usize,
        /// This column's length.
        found: usize,
    },
}

/// Scores, segments and the thresholds behind them.
///
/// # Example
///
/// See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct RfmResult {
    /// The thresholds used (all zero when there are no customers).
    pub thresholds: RfmThresholds,
    /// Scores, one per input row.
    pub scores: Vec<RfmScore>,
    /// Segment (index into `table.rules()`), one per input row.
    pub segments: Vec<usize>,
    /// The segment table used.
    pub table: SegmentTable,
}

impl RfmResult {
    /// The segment name of row `i`.
    ///
    /// # Example
    ///
    /// See the [module docs](self).
    pub fn segment_name(&self, i: usize) -> Option<&str> {
        let s = self.segments.get(i)?;
        self.table.rules().get(*s).map(|r| r.name.as_str())
    }
}

/// Scores the metrics, with the given thresholds or their own quantiles,
/// and names each customer's segment.
///
/// # Errors
///
/// [`RfmError::LengthMismatch`].
///
/// # Example
///
/// See the [module docs](self).
pub fn score(
    input: &RfmInput<'_>,
    thresholds: Option<&RfmThresholds>,
    table: &SegmentTable,
) -> Result<RfmResult, RfmError> {
    let n = input.recency_days.len();
    for (column, found) in [
        ("frequency", input.frequency.len()),
        ("monetary", input.monetary.len()),
    ] {
        if found != n {
            return Err(RfmError::LengthMismatch {
                column: column.into(),
                expected: n,
                found,
            });
        }
    }
    let thresholds = match thresholds {
        Some(t) => t.clone(),
        None => RfmThresholds::of(input).unwrap_or(RfmThresholds {
            recency_days: [0; 4],
            frequency: [0; 4],
            monetary: [Decimal::ZERO; 4],
        }),
    };
    let scores: Vec<RfmScore> = input
        .recency_days
        .iter()
        .zip(input.frequency)
        .zip(input.monetary)
        .map(|((r, f), m)| RfmScore {
            recency: thresholds.recency_score(*r),
            frequency: thresholds.frequency_score(*f),
            monetary: thresholds.monetary_score(*m),
        })
        .collect();
    let segments = scores
        .iter()
        .map(|s| table.segment_index(s).unwrap_or(0))
        .collect();
    Ok(RfmResult {
        thresholds,
        scores,
        segments,
        table: table.clone(),
    })
}

/// RFM of per-customer summaries at their analysis date: recency = days
/// from the last purchase to `as_of`, frequency = occasions, monetary as
/// chosen. Rows align with `summaries`.
///
/// # Errors
///
/// As [`score`].
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::value::rfm::{rfm, Monetary, SegmentTable};
/// use crm_core::records::summary::{summarize_transactions, SummaryConfig};
/// use crm_core::records::transaction::{CalendarConfig, Transaction, TxTime};
/// use rust_decimal_macros::dec;
///
/// let day = |d| TxTime::Date(NaiveDate::from_ymd_opt(2024, 1, d).unwrap());
/// let txs = vec![
///     Transaction::new(1_i64, day(2), dec!(10)),
///     Transaction::new(1_i64, day(30), dec!(90)),
///     Transaction::new(2_i64, day(3), dec!(5)),
/// ];
/// let cfg = SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 1, 31).unwrap());
/// let s = summarize_transactions(&txs, &cfg, &CalendarConfig::default())?.summaries;
/// let out = rfm(&s, Monetary::Total, None, &SegmentTable::standard())?;
/// // Recency 1 and 28 days: the nearest-rank quintiles are [1, 1, 28, 28].
/// assert_eq!(out.thresholds.recency_days, [1, 1, 28, 28]);
/// assert_eq!((out.scores[0].recency, out.scores[1].recency), (5, 3));
/// assert_eq!(out.segment_name(0), Some("Potential loyalist")); // R 5, F 2 of [1, 1, 2, 2]
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn rfm(
    summaries: &Summaries,
    monetary: Monetary,
    thresholds: Option<&RfmThresholds>,
    table: &SegmentTable,
) -> Result<RfmResult, RfmError> {
    score(
        &RfmMetrics::of_summaries(summaries, monetary).input(),
        thresholds,
        table,
    )
}

/// The three metrics of every customer as owned columns: what [`score`]
/// ranks and what a result table shows beside the scores.
///
/// Built from summaries ([`RfmMetrics::of_summaries`]) or from plain
/// per-customer columns ([`RfmMetrics::at`]: last purchase, occasions and
/// spend, as a table of another system has them), so that no caller has to
/// fake a [`Summaries`] to score customers.
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::value::rfm::{score, Monetary, RfmMetrics, SegmentTable};
/// use rust_decimal_macros::dec;
///
/// let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
/// let m = RfmMetrics::at(d(31), &[d(30), d(3)], &[2, 1], &[dec!(100), dec!(5)], Monetary::MeanPerOccasion)?;
/// assert_eq!(m.recency_days, vec![1, 28]);
/// assert_eq!(m.monetary, vec![dec!(50), dec!(5)]);
/// let out = score(&m.input(), None, &SegmentTable::standard())?;
/// assert_eq!(out.scores.len(), 2);
/// # Ok::<(), crm_core::value::rfm::RfmError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RfmMetrics {
    /// Days from the last purchase to the analysis date.
    pub recency_days: Vec<i64>,
    /// Purchase occasions.
    pub frequency: Vec<u64>,
    /// The spend ranked: total, or mean per occasion (0 without one).
    pub monetary: Vec<Decimal>,
}

impl RfmMetrics {
    /// The metrics of summaries at their analysis date, rows aligned.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::{Summaries, SummaryConfig};
    /// use crm_core::value::rfm::{Monetary, RfmMetrics};
    /// let s = Summaries::with_capacity(&SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()), 0);
    /// assert!(RfmMetrics::of_summaries(&s, Monetary::Total).recency_days.is_empty());
    /// ```
    pub fn of_summaries(summaries: &Summaries, monetary: Monetary) -> RfmMetrics {
        RfmMetrics {
            recency_days: recency_days(summaries.as_of, &summaries.last_purchase),
            frequency: summaries.occasions.clone(),
            monetary: monetary_of(monetary, &summaries.total_spend, &summaries.occasions),
        }
    }

    /// The metrics at `as_of` of plain per-customer columns: last purchase
    /// date, purchase occasions and total spend.
    ///
    /// # Errors
    ///
    /// [`RfmError::LengthMismatch`] when the columns differ in length.
    ///
    /// # Example
    ///
    /// See [`RfmMetrics`].
    pub fn at(
        as_of: NaiveDate,
        last_purchase: &[NaiveDate],
        occasions: &[u64],
        total_spend: &[Decimal],
        monetary: Monetary,
    ) -> Result<RfmMetrics, RfmError> {
        let n = last_purchase.len();
        for (column, found) in [("occasions", occasions.len()), ("spend", total_spend.len())] {
            if found != n {
                return Err(RfmError::LengthMismatch {
                    column: column.into(),
                    expected: n,
                    found,
                });
            }
        }
        Ok(RfmMetrics {
            recency_days: recency_days(as_of, last_purchase),
            frequency: occasions.to_vec(),
            monetary: monetary_of(monetary, total_spend, occasions),
        })
    }

    /// The columns as [`score`] reads them.
    ///
    /// ```
    /// use crm_core::value::rfm::RfmMetrics;
    /// assert!(RfmMetrics::default().input().recency_days.is_empty());
    /// ```
    pub fn input(&self) -> RfmInput<'_> {
        RfmInput {
            recency_days: &self.recency_days,
            frequency: &self.frequency,
            monetary: &self.monetary,
        }
    }
}

fn recency_days(as_of: NaiveDate, last_purchase: &[NaiveDate]) -> Vec<i64> {
    let as_of = i64::from(day_number(as_of));
    last_purchase
        .iter()
        .map(|d| as_of - i64::from(day_number(*d)))
        .collect()
}

fn monetary_of(monetary: Monetary, total_spend: &[Decimal], occasions: &[u64]) -> Vec<Decimal> {
    match monetary {
        Monetary::Total => total_spend.to_vec(),
        Monetary::MeanPerOccasion => total_spend
            .iter()
            .zip(occasions)
            .map(|(t, o)| {
                if *o == 0 {
                    Decimal::ZERO
                } else {
                    t.checked_div(Decimal::from(*o)).unwrap_or_default()
                }
            })
            .collect(),
    }
}

mod segments;
pub use segments::{ScoreRange, SegmentRule, SegmentTable};

#[cfg(test)]
mod tests;
