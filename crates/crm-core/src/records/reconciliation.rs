//! Reconciliation: what happened to every input row.
//!
//! Every summarising call reports how many rows it **read**, how many it
//! **used**, how many it **skipped** (a valid row outside the observation
//! window: dated after `as_of`, or before the window start) and how many it
//! **rejected** (an invalid row, with its row number, column and the rule it
//! broke), and the amounts of each. The books always balance:
//!
//! * rows: `used + skipped + rejected = read`;
//! * amounts: `used + skipped + rejected = read`, where a rejected row whose
//!   amount could not be read contributes nothing to either side (those rows
//!   are counted in [`Reconciliation::rows_rejected_without_amount`]).
//!
//! Checks run in column order — customer id, date, amount, then the optional
//! columns (quantity, margin, discount flag) — and the first failed check is
//! the reason given; a valid row is then skipped or used by its date.
//!
//! Row numbers are 1-based positions in the input stream as the caller
//! numbers them (for files: the data record, the header not counted).
//! Rejections are listed in row order; the list keeps the first
//! [`MAX_LISTED_REJECTIONS`] rows by default (a caller can change the cap),
//! while the counts per column and rule stay complete. In **strict** mode the
//! first rejected row stops the run with an error naming the row, the column
//! and the rule.
//!
//! Messages never quote the offending value: a row number and a column name
//! let an analyst find it, and no personal data leaks through logs.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How many rejected rows are listed individually unless the caller says
/// otherwise.
pub const MAX_LISTED_REJECTIONS: usize = 10_000;

/// The columns a transaction row is read from.
///
/// # Example
///
/// ```
/// use crm_core::records::reconciliation::Column;
/// assert_eq!(Column::Amount.default_name(), "amount");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub enum Column {
    /// The customer id.
    Customer,
    /// The date or timestamp.
    Date,
    /// The amount (negative = return).
    Amount,
    /// The optional quantity.
    Quantity,
    /// The optional margin.
    Margin,
    /// The optional discount flag.
    Discount,
    /// The record as a whole (a malformed CSV line, a wrong field count).
    Record,
}

impl Column {
    /// The name used when the caller does not name the column.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::reconciliation::Column;
    /// assert_eq!(Column::Customer.default_name(), "customer");
    /// ```
    pub fn default_name(self) -> &'static str {
        match self {
            Column::Customer => "customer",
            Column::Date => "date",
            Column::Amount => "amount",
            Column::Quantity => "quantity",
            Column::Margin => "margin",
            Column::Discount => "discount",
            Column::Record => "(record)",
        }
    }
}

/// What kind of value a column should hold (used in parse-failure rules).
///
/// # Example
///
/// ```
/// use crm_core::records::reconciliation::Expected;
/// assert_eq!(Expected::Date.to_string(), "a date");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub enum Expected {
    /// A calendar date or a timestamp.
    Date,
    /// A decimal number.
    Decimal,
    /// An integer.
    Integer,
    /// A boolean flag (true/false, 1/0, yes/no).
    Boolean,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expected::Date => "a date",
            Expected::Decimal => "a decimal number",
            Expected::Integer => "an integer",
            Expected::Boolean => "a boolean",
        })
    }
}

/// The rule a rejected row broke.
///
/// # Example
///
/// ```
/// use crm_core::records::reconciliation::RejectReason;
/// assert_eq!(RejectReason::NotFinite.to_string(), "value is NaN or infinite");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub enum RejectReason {
    /// The value is missing (null, empty field, or too few fields).
    Missing,
    /// The value cannot be parsed as what the column holds.
    Unparseable(Expected),
    /// A floating-point value is NaN or infinite.
    NotFinite,
    /// The value is outside the representable range (a date beyond chrono's
    /// range, an amount beyond 2^96 at the accumulator's scale, an unsigned
    /// id beyond `i64::MAX`).
    OutOfRange,
    /// The amount has more decimal places than the accumulator keeps; it is
    /// rejected rather than rounded, so no money is lost silently.
    TooManyDecimals {
        /// The number of decimal places kept.
        max: u32,
    },
    /// Text that is not valid UTF-8.
    InvalidUtf8,
    /// The record itself is malformed (CSV quoting, wrong field count).
    Malformed,
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectReason::Missing => f.write_str("value is missing"),
            RejectReason::Unparseable(e) => write!(f, "value is not {e}"),
            RejectReason::NotFinite => f.write_str("value is NaN or infinite"),
            RejectReason::OutOfRange => f.write_str("value is out of range"),
            RejectReason::TooManyDecimals { max } => {
                write!(f, "value has more than {max} decimal places")
            }
            RejectReason::InvalidUtf8 => f.write_str("text is not valid UTF-8"),
            RejectReason::Malformed => f.write_str("record is malformed"),
        }
    }
}

/// One rejected row: where it is and which rule it broke.
///
/// # Example
///
/// ```
/// use crm_core::records::reconciliation::{RejectReason, Rejection};
/// let r = Rejection { row: 17, column: "amount".into(), reason: RejectReason::NotFinite };
/// assert_eq!(r.to_string(), "row 17, column `amount`: value is NaN or infinite");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Rejection {
    /// 1-based row number in the input stream.
    pub row: u64,
    /// The column name, as the caller named it.
    pub column: String,
    /// The rule broken.
    pub reason: RejectReason,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "row {}, column `{}`: {}",
            self.row, self.column, self.reason
        )
    }
}

/// How many rows broke one rule in one column.
///
/// # Example
///
/// ```
/// use crm_core::records::reconciliation::{RejectReason, RuleCount};
/// let c = RuleCount { column: "date".into(), reason: RejectReason::Missing, rows: 3 };
/// assert_eq!(c.rows, 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct RuleCount {
    /// The column name.
    pub column: String,
    /// The rule.
    pub reason: RejectReason,
    /// The number of rows rejected for it.
    pub rows: u64,
}

/// The reconciliation report of one summarising run.
///
/// # Example
///
/// ```
/// use crm_core::records::reconciliation::Reconciliation;
/// let r = Reconciliation::default();
/// assert!(r.is_balanced());
/// assert_eq!(r.rows_skipped(), 0);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Reconciliation {
    /// Rows read.
    pub rows_read: u64,
    /// Rows used in the summaries.
    pub rows_used: u64,
    /// Valid rows dated after `as_of`.
    pub rows_skipped_after_as_of: u64,
    /// Valid rows dated before the window start.
    pub rows_skipped_before_window: u64,
    /// Rows rejected.
    pub rows_rejected: u64,
    /// Rejected rows whose amount could not be read (they count in no amount).
    pub rows_rejected_without_amount: u64,
    /// Sum of the amounts that could be read.
    pub amount_read: Decimal,
    /// Sum of the amounts used.
    pub amount_used: Decimal,
    /// Sum of the amounts skipped as after `as_of`.
    pub amount_skipped_after_as_of: Decimal,
    /// Sum of the amounts skipped as before the window start.
    pub amount_skipped_before_window: Decimal,
    /// Sum of the readable amounts of rejected rows.
    pub amount_rejected: Decimal,
    /// Rejected-row counts per column and rule, sorted.
    pub rejected_by_rule: Vec<RuleCount>,
    /// The rejected rows, in row order (at most the cap chosen; see
    /// [`Reconciliation::rejections_truncated`]).
    pub rejections: Vec<Rejection>,
    /// Whether more rows were rejected than are listed in `rejections`.
    pub rejections_truncated: bool,
}

impl Reconciliation {
    /// Skipped rows of both kinds.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::reconciliation::Reconciliation;
    /// let r = Reconciliation { rows_skipped_after_as_of: 2, rows_skipped_before_window: 3, ..Default::default() };
    /// assert_eq!(r.rows_skipped(), 5);
    /// ```
    pub fn rows_skipped(&self) -> u64 {
        self.rows_skipped_after_as_of + self.rows_skipped_before_window
    }

    /// Skipped amounts of both kinds.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::reconciliation::Reconciliation;
    /// use rust_decimal_macros::dec;
    /// let r = Reconciliation { amount_skipped_after_as_of: dec!(2), amount_skipped_before_window: dec!(3), ..Default::default() };
    /// assert_eq!(r.amount_skipped(), dec!(5));
    /// ```
    pub fn amount_skipped(&self) -> Decimal {
        self.amount_skipped_after_as_of + self.amount_skipped_before_window
    }

    /// Whether rows and amounts add up: `used + skipped + rejected = read`
    /// for both, and the per-rule counts add up to the rejected rows.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::reconciliation::Reconciliation;
    /// let r = Reconciliation { rows_read: 3, rows_used: 2, ..Default::default() };
    /// assert!(!r.is_balanced());
    /// ```
    pub fn is_balanced(&self) -> bool {
        let rows = self.rows_used + self.rows_skipped() + self.rows_rejected == self.rows_read;
        let amounts =
            self.amount_used + self.amount_skipped() + self.amount_rejected == self.amount_read;
        let rules = self.rejected_by_rule.iter().map(|c| c.rows).sum::<u64>() == self.rows_rejected;
        let listed = self.rejections.len() as u64 <= self.rows_rejected;
        rows && amounts
            && rules
            && listed
            && self.rows_rejected_without_amount <= self.rows_rejected
    }
}

/// An amount sum at a fixed scale, as kept by the accumulator.
pub(crate) type Mantissa = i128;

/// The running counts behind a [`Reconciliation`], with amounts as exact
/// mantissas at the accumulator's scale.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub(crate) struct Tally {
    pub(crate) rows_read: u64,
    pub(crate) rows_used: u64,
    pub(crate) rows_after: u64,
    pub(crate) rows_before: u64,
    pub(crate) rows_rejected: u64,
    pub(crate) rows_rejected_without_amount: u64,
    pub(crate) amount_read: Mantissa,
    pub(crate) amount_used: Mantissa,
    pub(crate) amount_after: Mantissa,
    pub(crate) amount_before: Mantissa,
    pub(crate) amount_rejected: Mantissa,
    pub(crate) by_rule: Vec<RuleCount>,
    pub(crate) rejections: Vec<Rejection>,
    pub(crate) truncated: bool,
}

/// A sum left the range of the accumulator (2^127 at its scale).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TallyOverflow;

fn add(a: &mut Mantissa, b: Mantissa) -> Result<(), TallyOverflow> {
    *a = a.checked_add(b).ok_or(TallyOverflow)?;
    Ok(())
}

impl Tally {
    pub(crate) fn read(&mut self, amount: Option<Mantissa>) -> Result<(), TallyOverflow> {
        self.rows_read += 1;
        if let Some(a) = amount {
            add(&mut self.amount_read, a)?;
        }
        Ok(())
    }

    pub(crate) fn used(&mut self, amount: Mantissa) -> Result<(), TallyOverflow> {
        self.rows_used += 1;
        add(&mut self.amount_used, amount)
    }

    pub(crate) fn after(&mut self, amount: Mantissa) -> Result<(), TallyOverflow> {
        self.rows_after += 1;
        add(&mut self.amount_after, amount)
    }

    pub(crate) fn before(&mut self, amount: Mantissa) -> Result<(), TallyOverflow> {
        self.rows_before += 1;
        add(&mut self.amount_before, amount)
    }

    pub(crate) fn rejected(
        &mut self,
        rejection: Rejection,
        amount: Option<Mantissa>,
        cap: usize,
    ) -> Result<(), TallyOverflow> {
        self.rows_rejected += 1;
        match amount {
            Some(a) => add(&mut self.amount_rejected, a)?,
            None => self.rows_rejected_without_amount += 1,
        }
        match self
            .by_rule
            .iter_mut()
            .find(|c| c.reason == rejection.reason && c.column == rejection.column)
        {
            Some(c) => c.rows += 1,
            None => self.by_rule.push(RuleCount {
                column: rejection.column.clone(),
                reason: rejection.reason,
                rows: 1,
            }),
        }
        self.rejections.push(rejection);
        if self.rejections.len() > cap.saturating_mul(2).max(16) {
            self.trim(cap);
        }
        Ok(())
    }

    /// Keeps the `cap` lowest-numbered rejections, in row order.
    pub(crate) fn trim(&mut self, cap: usize) {
        self.rejections.sort();
        if self.rejections.len() > cap {
            self.rejections.truncate(cap);
            self.truncated = true;
        }
    }

    pub(crate) fn merge(&mut self, other: Tally, cap: usize) -> Result<(), TallyOverflow> {
        self.rows_read += other.rows_read;
        self.rows_used += other.rows_used;
        self.rows_after += other.rows_after;
        self.rows_before += other.rows_before;
        self.rows_rejected += other.rows_rejected;
        self.rows_rejected_without_amount += other.rows_rejected_without_amount;
        add(&mut self.amount_read, other.amount_read)?;
        add(&mut self.amount_used, other.amount_used)?;
        add(&mut self.amount_after, other.amount_after)?;
        add(&mut self.amount_before, other.amount_before)?;
        add(&mut self.amount_rejected, other.amount_rejected)?;
        for c in other.by_rule {
            match self
                .by_rule
                .iter_mut()
                .find(|s| s.reason == c.reason && s.column == c.column)
            {
                Some(s) => s.rows += c.rows,
                None => self.by_rule.push(c),
            }
        }
        self.truncated |= other.truncated;
        self.rejections.extend(other.rejections);
        self.trim(cap);
        Ok(())
    }

    /// The public report, amounts as decimals at `scale`.
    pub(crate) fn report(&self, scale: u32, cap: usize) -> Option<Reconciliation> {
        let d = |m: Mantissa| {
            Decimal::try_from_i128_with_scale(m, scale)
                .ok()
                .map(|d| d.normalize())
        };
        let mut t = self.clone();
        t.trim(cap);
        let mut by_rule = t.by_rule;
        by_rule.sort();
        Some(Reconciliation {
            rows_read: t.rows_read,
            rows_used: t.rows_used,
            rows_skipped_after_as_of: t.rows_after,
            rows_skipped_before_window: t.rows_before,
            rows_rejected: t.rows_rejected,
            rows_rejected_without_amount: t.rows_rejected_without_amount,
            amount_read: d(t.amount_read)?,
            amount_used: d(t.amount_used)?,
            amount_skipped_after_as_of: d(t.amount_after)?,
            amount_skipped_before_window: d(t.amount_before)?,
            amount_rejected: d(t.amount_rejected)?,
            rejected_by_rule: by_rule,
            rejections: t.rejections,
            rejections_truncated: t.truncated,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rej(row: u64) -> Rejection {
        Rejection {
            row,
            column: "amount".into(),
            reason: RejectReason::NotFinite,
        }
    }

    #[test]
    fn tally_balances_and_caps_the_list_keeping_the_first_rows() {
        let mut t = Tally::default();
        for row in (1..=50).rev() {
            assert!(t.read(None).is_ok());
            assert!(t.rejected(rej(row), None, 5).is_ok());
        }
        assert!(t.read(Some(250)).is_ok());
        assert!(t.used(250).is_ok());
        let r = t.report(2, 5);
        assert!(r.is_some());
        if let Some(r) = r {
            assert!(r.is_balanced());
            assert_eq!(r.rows_rejected, 50);
            assert_eq!(
                r.rejections.iter().map(|r| r.row).collect::<Vec<_>>(),
                vec![1, 2, 3, 4, 5]
            );
            assert!(r.rejections_truncated);
            assert_eq!(r.amount_used, Decimal::new(250, 2));
        }
    }

    #[test]
    fn overflow_is_reported_not_panicking() {
        let mut t = Tally::default();
        assert!(t.read(Some(i128::MAX)).is_ok());
        assert_eq!(t.read(Some(1)), Err(TallyOverflow));
    }

    #[test]
    fn messages_name_row_column_rule_and_no_value() {
        let r = Rejection {
            row: 3,
            column: "order_date".into(),
            reason: RejectReason::Unparseable(Expected::Date),
        };
        assert_eq!(
            r.to_string(),
            "row 3, column `order_date`: value is not a date"
        );
    }
}
