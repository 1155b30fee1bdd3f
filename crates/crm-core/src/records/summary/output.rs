//! The summaries (per customer and as columns) and the one-call entry points.

#[allow(unused_imports)]
use super::*;

/// One customer's summary.
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::summary::{summarize_transactions, SummaryConfig};
/// use crm_core::records::transaction::{CalendarConfig, Transaction, TxTime};
/// use rust_decimal_macros::dec;
///
/// let day = |d| TxTime::Date(NaiveDate::from_ymd_opt(2024, 1, d).unwrap());
/// let txs = vec![Transaction::new(9_i64, day(1), dec!(10)), Transaction::new(9_i64, day(4), dec!(-2))];
/// let cfg = SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 1, 31).unwrap());
/// let out = summarize_transactions(&txs, &cfg, &CalendarConfig::default())?;
/// let s = out.summaries.get(0).unwrap();
/// assert_eq!((s.occasions, s.returns, s.total_spend), (2, 1, dec!(8)));
/// assert_eq!((s.recency, s.age), (3.0, 30.0));
/// # Ok::<(), crm_core::records::summary::SummaryError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct CustomerSummary {
    /// The customer.
    pub customer: CustomerId,
    /// Day of the first transaction in the window.
    pub first_purchase: NaiveDate,
    /// Day of the last transaction in the window.
    pub last_purchase: NaiveDate,
    /// Distinct days with a transaction.
    pub occasions: u64,
    /// Transactions (rows).
    pub transactions: u64,
    /// Net spend.
    pub total_spend: Decimal,
    /// Net spend per transaction.
    pub mean_spend: Decimal,
    /// Rows with a negative amount.
    pub returns: u64,
    /// Their sum (zero or negative).
    pub returns_amount: Decimal,
    /// Summed quantity, when recorded.
    pub quantity: Option<Decimal>,
    /// Summed margin, when recorded.
    pub margin: Option<Decimal>,
    /// Rows flagged as discounted.
    pub discounted_transactions: u64,
    /// Discounted rows / rows with a flag, when any row has a flag.
    pub discount_share: Option<f64>,
    /// BTYD `x`: repeat occasions.
    pub frequency: u64,
    /// BTYD `t_x`: last − first occasion, in the unit.
    pub recency: f64,
    /// BTYD `T`: as_of − first occasion, in the unit.
    pub age: f64,
    /// Mean net spend of the repeat occasions (0 without repeats).
    pub monetary_value: Decimal,
}

/// Per-customer summaries, one column per figure, rows sorted by customer
/// id (integer ids before text ids).
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::summary::{Summaries, SummaryConfig};
/// let s = Summaries::with_capacity(&SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 1, 31).unwrap()), 0);
/// assert!(s.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Summaries {
    /// The analysis date.
    pub as_of: NaiveDate,
    /// The window start.
    pub window_start: Option<NaiveDate>,
    /// The unit of recency and age.
    pub unit: Unit,
    /// See [`CustomerSummary::customer`].
    pub customers: Vec<CustomerId>,
    /// See [`CustomerSummary::first_purchase`].
    pub first_purchase: Vec<NaiveDate>,
    /// See [`CustomerSummary::last_purchase`].
    pub last_purchase: Vec<NaiveDate>,
    /// See [`CustomerSummary::occasions`].
    pub occasions: Vec<u64>,
    /// See [`CustomerSummary::transactions`].
    pub transactions: Vec<u64>,
    /// See [`CustomerSummary::total_spend`].
    pub total_spend: Vec<Decimal>,
    /// See [`CustomerSummary::mean_spend`].
    pub mean_spend: Vec<Decimal>,
    /// See [`CustomerSummary::returns`].
    pub returns: Vec<u64>,
    /// See [`CustomerSummary::returns_amount`].
    pub returns_amount: Vec<Decimal>,
    /// See [`CustomerSummary::quantity`]; empty when the input had none
    /// of the optional columns (quantity, margin, discount flag), so that
    /// they cost no memory then.
    pub quantity: Vec<Option<Decimal>>,
    /// See [`CustomerSummary::margin`]; empty like `quantity`.
    pub margin: Vec<Option<Decimal>>,
    /// See [`CustomerSummary::discounted_transactions`]; empty like
    /// `quantity` (read as 0 each).
    pub discounted_transactions: Vec<u64>,
    /// See [`CustomerSummary::discount_share`]; empty like `quantity`.
    pub discount_share: Vec<Option<f64>>,
    /// See [`CustomerSummary::frequency`].
    pub frequency: Vec<u64>,
    /// See [`CustomerSummary::recency`].
    pub recency: Vec<f64>,
    /// See [`CustomerSummary::age`].
    pub age: Vec<f64>,
    /// See [`CustomerSummary::monetary_value`].
    pub monetary_value: Vec<Decimal>,
}

impl Summaries {
    /// Empty columns for `config`, with room for `n` customers.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::{Summaries, SummaryConfig, Unit};
    /// let c = SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 1, 31).unwrap()).with_unit(Unit::Week);
    /// assert_eq!(Summaries::with_capacity(&c, 10).unit, Unit::Week);
    /// ```
    pub fn with_capacity(config: &SummaryConfig, n: usize) -> Self {
        Summaries {
            as_of: config.as_of,
            window_start: config.window_start,
            unit: config.unit,
            customers: Vec::with_capacity(n),
            first_purchase: Vec::with_capacity(n),
            last_purchase: Vec::with_capacity(n),
            occasions: Vec::with_capacity(n),
            transactions: Vec::with_capacity(n),
            total_spend: Vec::with_capacity(n),
            mean_spend: Vec::with_capacity(n),
            returns: Vec::with_capacity(n),
            returns_amount: Vec::with_capacity(n),
            quantity: Vec::with_capacity(n),
            margin: Vec::with_capacity(n),
            discounted_transactions: Vec::with_capacity(n),
            discount_share: Vec::with_capacity(n),
            frequency: Vec::with_capacity(n),
            recency: Vec::with_capacity(n),
            age: Vec::with_capacity(n),
            monetary_value: Vec::with_capacity(n),
        }
    }

    /// The number of customers.
    ///
    /// # Example
    ///
    /// See [`summarize_transactions`].
    pub fn len(&self) -> usize {
        self.customers.len()
    }

    /// Whether there are no customers.
    ///
    /// # Example
    ///
    /// See [`Summaries::with_capacity`].
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
    }

    /// The position of `customer`, if summarised.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::{summarize_transactions, SummaryConfig};
    /// use crm_core::records::transaction::{CalendarConfig, Transaction, TxTime};
    /// use crm_core::CustomerId;
    /// use rust_decimal_macros::dec;
    /// let t = TxTime::Date(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
    /// let txs = vec![Transaction::new("b", t, dec!(1)), Transaction::new("a", t, dec!(1))];
    /// let out = summarize_transactions(&txs, &SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 2, 1).unwrap()), &CalendarConfig::default())?;
    /// assert_eq!(out.summaries.position(&CustomerId::from("b")), Some(1));
    /// # Ok::<(), crm_core::records::summary::SummaryError>(())
    /// ```
    pub fn position(&self, customer: &CustomerId) -> Option<usize> {
        self.customers.binary_search(customer).ok()
    }

    /// Row `i` as one struct.
    ///
    /// # Example
    ///
    /// See [`CustomerSummary`].
    pub fn get(&self, i: usize) -> Option<CustomerSummary> {
        Some(CustomerSummary {
            customer: self.customers.get(i)?.clone(),
            first_purchase: *self.first_purchase.get(i)?,
            last_purchase: *self.last_purchase.get(i)?,
            occasions: *self.occasions.get(i)?,
            transactions: *self.transactions.get(i)?,
            total_spend: *self.total_spend.get(i)?,
            mean_spend: *self.mean_spend.get(i)?,
            returns: *self.returns.get(i)?,
            returns_amount: *self.returns_amount.get(i)?,
            quantity: self.quantity.get(i).copied().flatten(),
            margin: self.margin.get(i).copied().flatten(),
            discounted_transactions: self.discounted_transactions.get(i).copied().unwrap_or(0),
            discount_share: self.discount_share.get(i).copied().flatten(),
            frequency: *self.frequency.get(i)?,
            recency: *self.recency.get(i)?,
            age: *self.age.get(i)?,
            monetary_value: *self.monetary_value.get(i)?,
        })
    }

    /// Reverses the order of the rows (the columns that have them).
    pub(super) fn reverse_rows(&mut self) {
        self.customers.reverse();
        self.first_purchase.reverse();
        self.last_purchase.reverse();
        self.occasions.reverse();
        self.transactions.reverse();
        self.total_spend.reverse();
        self.mean_spend.reverse();
        self.returns.reverse();
        self.returns_amount.reverse();
        self.quantity.reverse();
        self.margin.reverse();
        self.discounted_transactions.reverse();
        self.discount_share.reverse();
        self.frequency.reverse();
        self.recency.reverse();
        self.age.reverse();
        self.monetary_value.reverse();
    }

    /// All rows as structs, in order.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::{Summaries, SummaryConfig};
    /// let s = Summaries::with_capacity(&SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 1, 31).unwrap()), 0);
    /// assert_eq!(s.iter().count(), 0);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = CustomerSummary> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// Summaries with their reconciliation.
///
/// # Example
///
/// See [`SummaryAccumulator::finish`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct SummaryOutput {
    /// One row per customer.
    pub summaries: Summaries,
    /// What happened to every input row.
    pub reconciliation: Reconciliation,
}

/// Builds the columns of a slice of [`Transaction`]s (row numbers 1..) in
/// `calendar` and summarises them. Convenient for small inputs and tests;
/// large inputs go through [`SummaryAccumulator::add_batch`].
///
/// # Errors
///
/// As [`SummaryAccumulator::add_batch`] and [`SummaryAccumulator::finish`].
///
/// # Example
///
/// See [`CustomerSummary`].
pub fn summarize_transactions(
    transactions: &[Transaction],
    config: &SummaryConfig,
    calendar: &CalendarConfig,
) -> Result<SummaryOutput, SummaryError> {
    let mut acc = SummaryAccumulator::new(config.clone())?;
    add_transactions(&mut acc, transactions, 1, calendar)?;
    acc.finish()
}

/// Adds a slice of [`Transaction`]s, numbered from `first_row`, to an
/// accumulator (through the same columnar path as every other input).
///
/// # Errors
///
/// As [`SummaryAccumulator::add_batch`].
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::summary::{add_transactions, SummaryAccumulator, SummaryConfig};
/// use crm_core::records::transaction::{CalendarConfig, Transaction, TxTime};
/// use rust_decimal_macros::dec;
/// let t = TxTime::Date(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
/// let mut acc = SummaryAccumulator::new(SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 2, 1).unwrap()))?;
/// add_transactions(&mut acc, &[Transaction::new(1_i64, t, dec!(5))], 1, &CalendarConfig::default())?;
/// assert_eq!(acc.rows_read(), 1);
/// # Ok::<(), crm_core::records::summary::SummaryError>(())
/// ```
pub fn add_transactions(
    acc: &mut SummaryAccumulator,
    transactions: &[Transaction],
    first_row: u64,
    calendar: &CalendarConfig,
) -> Result<(), SummaryError> {
    let mut conv = DayConverter::new(*calendar);
    // A key column has one type: integer and text ids go in two batches;
    // explicit row numbers keep the reconciliation in input order.
    for text in [false, true] {
        let sel: Vec<(u64, &Transaction)> = transactions
            .iter()
            .enumerate()
            .filter(|(_, t)| matches!(t.customer, CustomerId::Str(_)) == text)
            .map(|(i, t)| (first_row.saturating_add(i as u64), t))
            .collect();
        if sel.is_empty() {
            continue;
        }
        let rows: Vec<u64> = sel.iter().map(|(r, _)| *r).collect();
        let ints: Vec<i64> = sel
            .iter()
            .map(|(_, t)| {
                if let CustomerId::Int(k) = t.customer {
                    k
                } else {
                    0
                }
            })
            .collect();
        let texts: Vec<&str> = sel
            .iter()
            .map(|(_, t)| {
                if let CustomerId::Str(s) = &t.customer {
                    s.as_str()
                } else {
                    ""
                }
            })
            .collect();
        let days: Vec<i32> = sel
            .iter()
            .map(|(_, t)| conv.day_of(&t.time).unwrap_or(i32::MIN))
            .collect();
        let amounts: Vec<Decimal> = sel.iter().map(|(_, t)| t.amount).collect();
        let qty: Vec<Decimal> = sel
            .iter()
            .map(|(_, t)| t.quantity.unwrap_or_default())
            .collect();
        let mar: Vec<Decimal> = sel
            .iter()
            .map(|(_, t)| t.margin.unwrap_or_default())
            .collect();
        let flags: Vec<bool> = sel
            .iter()
            .map(|(_, t)| t.discounted.unwrap_or(false))
            .collect();
        let qv = pack(
            &sel.iter()
                .map(|(_, t)| t.quantity.is_some())
                .collect::<Vec<_>>(),
        );
        let mv = pack(
            &sel.iter()
                .map(|(_, t)| t.margin.is_some())
                .collect::<Vec<_>>(),
        );
        let fv = pack(
            &sel.iter()
                .map(|(_, t)| t.discounted.is_some())
                .collect::<Vec<_>>(),
        );
        let keys = if text {
            Keys::Text(&texts)
        } else {
            Keys::Int(&ints)
        };
        let mut batch = ColumnBatch::new(first_row, keys, &days, Amounts::Decimal(&amounts));
        batch.row_numbers = Some(&rows);
        batch.quantities = Some((Amounts::Decimal(&qty), Some(Validity::new(&qv, 0))));
        batch.margins = Some((Amounts::Decimal(&mar), Some(Validity::new(&mv, 0))));
        batch.discounted = Some((Flags::Bool(&flags), Some(Validity::new(&fv, 0))));
        acc.add_batch(&batch)?;
    }
    Ok(())
}

/// Packs bools into an Arrow-style bitmap.
///
/// # Example
///
/// ```
/// use crm_core::records::summary::{pack, Validity};
/// let bits = pack(&[true, false, true]);
/// assert_eq!(bits, vec![0b101]);
/// assert!(Validity::new(&bits, 0).is_valid(2));
/// ```
pub fn pack(flags: &[bool]) -> Vec<u8> {
    let mut out = vec![0_u8; flags.len().div_ceil(8)];
    for (i, f) in flags.iter().enumerate() {
        if *f && let Some(b) = out.get_mut(i >> 3) {
            *b |= 1 << (i & 7);
        }
    }
    out
}
