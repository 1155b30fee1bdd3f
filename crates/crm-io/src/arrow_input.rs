//! Arrow input: record batches and arrays into a crm-core accumulator,
//! without building rows.
//!
//! Accepted column types:
//!
//! | field | types |
//! |---|---|
//! | customer | `Int8`..`Int64`, `UInt8`..`UInt64` (values beyond `i64` rejected), `Utf8`, `LargeUtf8`, `Utf8View`, dictionaries of these |
//! | date | `Date32`, `Date64`, `Timestamp(unit, zone)` (converted to the analysis zone; zone-less ones follow [`crm_core::records::transaction::NaiveTimestamps`]), text (parsed per row) |
//! | amount, quantity, margin | `Decimal32`/`64`/`128`/`256` (exact; a value beyond Decimal's range is rejected as out of range), `Int*`/`UInt*` (exact), `Float32`/`Float64` (by the shortest representation, rounded to the scale; NaN/inf rejected; see [`crate::columns`]), text (parsed exactly per row) |
//! | discount | `Boolean`, integers (non-zero = true), text (`true`/`false`, `yes`/`no`, `1`/`0`, …) |
//!
//! Any other type is an [`IoError::Column`] naming the column and the type.
//! Integer, boolean, decimal, float and date columns are read in place;
//! only timestamps (to days), narrow integers and text are converted.

use std::collections::BTreeMap;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::compute::cast;
use arrow::datatypes::{
    DataType, Date32Type, Date64Type, Int64Type, TimeUnit as ArrowTimeUnit,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow::error::ArrowError;
use crm_core::records::reconciliation::{Column, RejectReason};
use crm_core::records::summary::{
    CalibrationHoldout, ColumnBatch, Flags, Keys, SummaryConfig, SummaryOutput, Validity,
};
use crm_core::records::transaction::{CalendarConfig, DayConverter, TimeUnit};

use crate::parse::{parse_day, parse_flag};
use crate::{ColumnMapping, ColumnRef, IoError, Sink, accumulator};

/// The transaction columns of one batch, as Arrow arrays of equal length.
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use arrow::array::{ArrayRef, Date32Array, Float64Array, Int64Array};
/// use crm_io::TransactionArrays;
/// let customer: ArrayRef = Arc::new(Int64Array::from(vec![1, 2]));
/// let date: ArrayRef = Arc::new(Date32Array::from(vec![0, 1]));
/// let amount: ArrayRef = Arc::new(Float64Array::from(vec![9.5, 3.0]));
/// let cols = TransactionArrays::new(&customer, &date, &amount);
/// assert!(cols.quantity.is_none());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TransactionArrays<'a> {
    /// Customer ids.
    pub customer: &'a ArrayRef,
    /// Dates or timestamps.
    pub date: &'a ArrayRef,
    /// Amounts.
    pub amount: &'a ArrayRef,
    /// Quantities.
    pub quantity: Option<&'a ArrayRef>,
    /// Margins.
    pub margin: Option<&'a ArrayRef>,
    /// Discount flags.
    pub discount: Option<&'a ArrayRef>,
}

impl<'a> TransactionArrays<'a> {
    /// The three required arrays.
    ///
    /// # Example
    ///
    /// See [`TransactionArrays`].
    pub fn new(customer: &'a ArrayRef, date: &'a ArrayRef, amount: &'a ArrayRef) -> Self {
        TransactionArrays {
            customer,
            date,
            amount,
            quantity: None,
            margin: None,
            discount: None,
        }
    }
}

/// Reads Arrow batches into a [`Sink`], numbering rows across batches.
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use arrow::array::{ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch};
/// use chrono::NaiveDate;
/// use crm_core::records::summary::{SummaryAccumulator, SummaryConfig};
/// use crm_io::{ArrowReader, ColumnMapping};
///
/// let batch = RecordBatch::try_from_iter([
///     ("customer", Arc::new(Int64Array::from(vec![1, 1, 2])) as ArrayRef),
///     ("date", Arc::new(Date32Array::from(vec![0, 3, 1])) as ArrayRef),
///     ("amount", Arc::new(Float64Array::from(vec![10.0, 2.5, f64::NAN])) as ArrayRef),
/// ])?;
/// let config = SummaryConfig::new(NaiveDate::from_ymd_opt(1970, 1, 31).unwrap());
/// let mut reader = ArrowReader::new(SummaryAccumulator::new(config)?, ColumnMapping::default(), crm_io::utc(), "batches");
/// reader.add_record_batch(&batch)?;
/// let out = reader.into_sink().finish()?;
/// assert_eq!(out.summaries.frequency, vec![1]);
/// assert_eq!(out.reconciliation.rows_rejected, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ArrowReader<S> {
    sink: S,
    mapping: ColumnMapping,
    conv: DayConverter,
    source_name: String,
    next_row: u64,
    /// chrono formats tried for text dates after the built-in ones.
    pub date_formats: Vec<String>,
}

impl<S: Sink> ArrowReader<S> {
    /// A reader into `sink`; `source_name` labels errors.
    ///
    /// # Example
    ///
    /// See [`ArrowReader`].
    pub fn new(
        sink: S,
        mapping: ColumnMapping,
        calendar: CalendarConfig,
        source_name: impl Into<String>,
    ) -> Self {
        ArrowReader {
            sink,
            mapping,
            conv: DayConverter::new(calendar),
            source_name: source_name.into(),
            next_row: 1,
            date_formats: Vec::new(),
        }
    }

    /// Rows seen so far.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::{SummaryAccumulator, SummaryConfig};
    /// use crm_io::{ArrowReader, ColumnMapping};
    /// let acc = SummaryAccumulator::new(SummaryConfig::new(NaiveDate::from_ymd_opt(1970, 1, 31).unwrap()))?;
    /// assert_eq!(ArrowReader::new(acc, ColumnMapping::default(), crm_io::utc(), "x").rows(), 0);
    /// # Ok::<(), crm_core::records::summary::SummaryError>(())
    /// ```
    pub fn rows(&self) -> u64 {
        self.next_row - 1
    }

    /// The sink, to finish it.
    ///
    /// # Example
    ///
    /// See [`ArrowReader`].
    pub fn into_sink(self) -> S {
        self.sink
    }

    /// Adds a record batch, its columns chosen by the mapping.
    ///
    /// # Errors
    ///
    /// [`IoError::Column`] for a missing column or a wrong type (nothing of
    /// the batch is added), [`IoError::Rejected`] in strict mode,
    /// [`IoError::Summary`].
    ///
    /// # Example
    ///
    /// See [`ArrowReader`].
    pub fn add_record_batch(&mut self, batch: &RecordBatch) -> Result<(), IoError> {
        let pick = |r: &ColumnRef| -> Result<&ArrayRef, IoError> {
            let ix = match r {
                ColumnRef::Name(n) => batch.schema_ref().index_of(n).ok(),
                ColumnRef::Index(i) => Some(*i),
            };
            ix.and_then(|i| batch.columns().get(i))
                .ok_or_else(|| IoError::column(&self.source_name, r, "is not in the schema"))
        };
        let pick_opt = |r: &Option<ColumnRef>| r.as_ref().map(pick).transpose();
        let arrays = TransactionArrays {
            customer: pick(&self.mapping.customer)?,
            date: pick(&self.mapping.date)?,
            amount: pick(&self.mapping.amount)?,
            quantity: pick_opt(&self.mapping.quantity)?,
            margin: pick_opt(&self.mapping.margin)?,
            discount: pick_opt(&self.mapping.discount)?,
        };
        self.add_arrays(&arrays)
    }

    /// Adds arrays directly (the Python bindings' path).
    ///
    /// # Errors
    ///
    /// As [`ArrowReader::add_record_batch`]; arrays of unequal length are an
    /// [`IoError::Summary`] naming the column.
    ///
    /// # Example
    ///
    /// See [`summarize_arrays`].
    pub fn add_arrays(&mut self, arrays: &TransactionArrays<'_>) -> Result<(), IoError> {
        let p = Prepared::new(
            arrays,
            &self.mapping,
            &mut self.conv,
            &self.date_formats,
            &self.source_name,
        )?;
        let first_row = self.next_row;
        let n = arrays.customer.len();
        self.next_row = self.next_row.saturating_add(n as u64);
        p.feed(&mut self.sink, first_row)
            .map_err(|e| IoError::from_summary(&self.source_name, e))
    }
}

/// Summarises a sequence of record batches.
///
/// # Errors
///
/// As [`ArrowReader::add_record_batch`]; a failed batch of the sequence is
/// an [`IoError::Read`].
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use arrow::array::{ArrayRef, Float64Array, RecordBatch, StringArray};
/// use chrono::NaiveDate;
/// use crm_core::records::summary::SummaryConfig;
/// use crm_io::{summarize_record_batches, ColumnMapping};
///
/// let batch = RecordBatch::try_from_iter([
///     ("id", Arc::new(StringArray::from(vec!["a", "b"])) as ArrayRef),
///     ("when", Arc::new(StringArray::from(vec!["2024-01-02T10:00:00+08:00", "not a date"])) as ArrayRef),
///     ("amount", Arc::new(Float64Array::from(vec![5.0, 6.0])) as ArrayRef),
/// ])?;
/// let config = SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 1, 31).unwrap());
/// let out = summarize_record_batches([Ok(batch)], &ColumnMapping::new("id", "when", "amount"), &crm_io::utc(), config)?;
/// assert_eq!(out.summaries.len(), 1);
/// assert_eq!(out.reconciliation.rejections[0].to_string(), "row 2, column `when`: value is not a date");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn summarize_record_batches<I>(
    batches: I,
    mapping: &ColumnMapping,
    calendar: &CalendarConfig,
    config: SummaryConfig,
) -> Result<SummaryOutput, IoError>
where
    I: IntoIterator<Item = Result<RecordBatch, ArrowError>>,
{
    let source = "record batches";
    let acc = accumulator(source, config, mapping)?;
    let mut reader = ArrowReader::new(acc, mapping.clone(), *calendar, source);
    for b in batches {
        let b = b.map_err(|e| IoError::read(source, e))?;
        reader.add_record_batch(&b)?;
    }
    reader
        .into_sink()
        .finish()
        .map_err(|e| IoError::from_summary(source, e))
}

/// Summarises whole arrays in one call, for bindings that hold a table's
/// columns: `arrays` gives the columns, `names` the column names used in
/// messages.
///
/// # Errors
///
/// As [`ArrowReader::add_arrays`].
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use arrow::array::{ArrayRef, Decimal128Array, Int32Array, TimestampSecondArray};
/// use chrono::NaiveDate;
/// use crm_core::records::summary::SummaryConfig;
/// use crm_io::{summarize_arrays, ColumnMapping, TransactionArrays};
///
/// let customer: ArrayRef = Arc::new(Int32Array::from(vec![7, 7, 7]));
/// // 1970-01-01 23:00 UTC is 1970-01-02 in Shanghai.
/// let ts: ArrayRef = Arc::new(TimestampSecondArray::from(vec![3_600, 82_800, 200_000]).with_timezone("UTC"));
/// let cents: ArrayRef = Arc::new(Decimal128Array::from(vec![1_000, 250, -500]).with_precision_and_scale(12, 2)?);
/// let shanghai = crm_core::records::transaction::CalendarConfig::in_zone(chrono_tz::Asia::Shanghai);
/// let config = SummaryConfig::new(NaiveDate::from_ymd_opt(1970, 1, 10).unwrap());
/// let out = summarize_arrays(&TransactionArrays::new(&customer, &ts, &cents), &ColumnMapping::default(), &shanghai, config)?;
/// assert_eq!(out.summaries.occasions, vec![3]);
/// assert_eq!(out.summaries.total_spend[0].to_string(), "7.5");
/// assert_eq!(out.summaries.returns, vec![1]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn summarize_arrays(
    arrays: &TransactionArrays<'_>,
    names: &ColumnMapping,
    calendar: &CalendarConfig,
    config: SummaryConfig,
) -> Result<SummaryOutput, IoError> {
    let source = "arrays";
    let acc = accumulator(source, config, names)?;
    let mut reader = ArrowReader::new(acc, names.clone(), *calendar, source);
    reader.add_arrays(arrays)?;
    reader
        .into_sink()
        .finish()
        .map_err(|e| IoError::from_summary(source, e))
}

/// Splits whole arrays at `calibration_end` into calibration summaries and
/// holdout figures (`lifetimes`' `calibration_and_holdout_data`), as
/// [`summarize_arrays`] reads them; `config.as_of` is the observation end.
///
/// # Errors
///
/// As [`summarize_arrays`]; [`IoError::Summary`] for a cut outside the
/// observation.
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use arrow::array::{ArrayRef, Date32Array, Float64Array, Int64Array};
/// use chrono::NaiveDate;
/// use crm_core::records::summary::SummaryConfig;
/// use crm_io::{split_arrays, ColumnMapping, TransactionArrays};
/// let customer: ArrayRef = Arc::new(Int64Array::from(vec![1, 1, 1]));
/// let date: ArrayRef = Arc::new(Date32Array::from(vec![19_723, 19_750, 19_850]));
/// let amount: ArrayRef = Arc::new(Float64Array::from(vec![10.0, 20.0, 5.0]));
/// let config = SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 6, 30).unwrap());
/// let cut = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
/// let out = split_arrays(&TransactionArrays::new(&customer, &date, &amount), &ColumnMapping::default(), &crm_io::utc(), config, cut)?;
/// assert_eq!((out.calibration.frequency[0], out.frequency_holdout[0]), (1, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn split_arrays(
    arrays: &TransactionArrays<'_>,
    names: &ColumnMapping,
    calendar: &CalendarConfig,
    config: SummaryConfig,
    calibration_end: chrono::NaiveDate,
) -> Result<CalibrationHoldout, IoError> {
    let source = "arrays";
    let acc = crate::calibration_accumulator(source, config, names, calibration_end)?;
    let mut reader = ArrowReader::new(acc, names.clone(), *calendar, source);
    reader.add_arrays(arrays)?;
    reader
        .into_sink()
        .finish()
        .map_err(|e| IoError::from_summary(source, e))
}

fn validity(a: &dyn Array) -> Option<Validity<'_>> {
    a.nulls()
        .map(|n| Validity::new(n.inner().values(), n.inner().offset()))
}

/// A flag column ready for crm-core.
enum FlagPrep {
    Arrow(ArrayRef),
    Parsed(ArrayRef, Vec<bool>),
}

/// Casts a dictionary to its values and a view to its plain layout.
fn plain(a: &ArrayRef) -> Result<ArrayRef, ArrowError> {
    match a.data_type() {
        DataType::Dictionary(_, v) => plain(&cast(a, v)?),
        DataType::Utf8View => cast(a, &DataType::Utf8),
        _ => Ok(a.clone()),
    }
}

struct Prepared {
    n: usize,
    customer: ArrayRef,
    date: ArrayRef,
    days: Option<Vec<i32>>,
    amount: AmountPrep,
    quantity: Option<AmountPrep>,
    margin: Option<AmountPrep>,
    discount: Option<FlagPrep>,
    /// Rows rejected while converting: row index -> (column, rule).
    pre: BTreeMap<usize, (Column, RejectReason)>,
}

impl Prepared {
    fn new(
        arrays: &TransactionArrays<'_>,
        mapping: &ColumnMapping,
        conv: &mut DayConverter,
        formats: &[String],
        source: &str,
    ) -> Result<Self, IoError> {
        let n = arrays.customer.len();
        let bad_type = |r: &ColumnRef, dt: &DataType, expected: &str| {
            IoError::column(source, r, format!("has type {dt}, expected {expected}"))
        };
        let arrow_err = |r: &ColumnRef, e: ArrowError| {
            IoError::column(source, r, format!("cannot be converted: {e}"))
        };
        let mut pre = BTreeMap::new();

        // Customer.
        let c = plain(arrays.customer).map_err(|e| arrow_err(&mapping.customer, e))?;
        let customer = match c.data_type() {
            DataType::Int64 | DataType::Utf8 | DataType::LargeUtf8 => c,
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32 => {
                cast(&c, &DataType::Int64).map_err(|e| arrow_err(&mapping.customer, e))?
            }
            DataType::UInt64 => {
                let u = c.as_primitive::<arrow::datatypes::UInt64Type>();
                for (i, v) in u.values().iter().enumerate() {
                    if *v > i64::MAX as u64 && u.is_valid(i) {
                        pre.insert(i, (Column::Customer, RejectReason::OutOfRange));
                    }
                }
                let opts = arrow::compute::CastOptions {
                    safe: true,
                    ..Default::default()
                };
                arrow::compute::cast_with_options(&c, &DataType::Int64, &opts)
                    .map_err(|e| arrow_err(&mapping.customer, e))?
            }
            dt => return Err(bad_type(&mapping.customer, dt, "integers or text")),
        };

        // Date.
        let d = plain(arrays.date).map_err(|e| arrow_err(&mapping.date, e))?;
        let days = match d.data_type() {
            DataType::Date32 => None,
            DataType::Date64 => Some(
                d.as_primitive::<Date64Type>()
                    .values()
                    .iter()
                    .map(|ms| i32::try_from(ms.div_euclid(86_400_000)).unwrap_or(i32::MIN))
                    .collect(),
            ),
            DataType::Timestamp(unit, tz) => {
                let has_zone = tz.is_some();
                let (values, unit) = match unit {
                    ArrowTimeUnit::Second => (
                        d.as_primitive::<TimestampSecondType>().values(),
                        TimeUnit::Second,
                    ),
                    ArrowTimeUnit::Millisecond => (
                        d.as_primitive::<TimestampMillisecondType>().values(),
                        TimeUnit::Millisecond,
                    ),
                    ArrowTimeUnit::Microsecond => (
                        d.as_primitive::<TimestampMicrosecondType>().values(),
                        TimeUnit::Microsecond,
                    ),
                    ArrowTimeUnit::Nanosecond => (
                        d.as_primitive::<TimestampNanosecondType>().values(),
                        TimeUnit::Nanosecond,
                    ),
                };
                Some(
                    values
                        .iter()
                        .map(|v| {
                            conv.day_of_timestamp(*v, unit, has_zone)
                                .unwrap_or(i32::MIN)
                        })
                        .collect(),
                )
            }
            DataType::Utf8 | DataType::LargeUtf8 => {
                let texts: Box<dyn Iterator<Item = Option<&str>>> = match d.data_type() {
                    DataType::Utf8 => Box::new(d.as_string::<i32>().iter()),
                    _ => Box::new(d.as_string::<i64>().iter()),
                };
                let mut days = Vec::with_capacity(n);
                for (i, t) in texts.enumerate() {
                    days.push(match t.map(|t| parse_day(t, formats, conv)) {
                        Some(Ok(day)) => day,
                        Some(Err(reason)) => {
                            pre.entry(i).or_insert((Column::Date, reason));
                            0
                        }
                        None => 0,
                    });
                }
                Some(days)
            }
            dt => return Err(bad_type(&mapping.date, dt, "a date, a timestamp or text")),
        };

        let amount = amount_prep(
            arrays.amount,
            &mapping.amount,
            Column::Amount,
            &mut pre,
            source,
        )?;
        let quantity = match (arrays.quantity, &mapping.quantity) {
            (Some(a), r) => Some(amount_prep(
                a,
                r.as_ref().unwrap_or(&"quantity".into()),
                Column::Quantity,
                &mut pre,
                source,
            )?),
            (None, _) => None,
        };
        let margin = match (arrays.margin, &mapping.margin) {
            (Some(a), r) => Some(amount_prep(
                a,
                r.as_ref().unwrap_or(&"margin".into()),
                Column::Margin,
                &mut pre,
                source,
            )?),
            (None, _) => None,
        };
        let discount = match arrays.discount {
            Some(a) => {
                let r = mapping
                    .discount
                    .clone()
                    .unwrap_or_else(|| "discount".into());
                let a = plain(a).map_err(|e| arrow_err(&r, e))?;
                Some(match a.data_type() {
                    DataType::Boolean => FlagPrep::Arrow(a),
                    DataType::Int8
                    | DataType::Int16
                    | DataType::Int32
                    | DataType::Int64
                    | DataType::UInt8
                    | DataType::UInt16
                    | DataType::UInt32
                    | DataType::UInt64 => {
                        FlagPrep::Arrow(cast(&a, &DataType::Boolean).map_err(|e| arrow_err(&r, e))?)
                    }
                    DataType::Utf8 | DataType::LargeUtf8 => {
                        let s = cast(&a, &DataType::Utf8).map_err(|e| arrow_err(&r, e))?;
                        let mut flags = Vec::with_capacity(n);
                        for (i, t) in s.as_string::<i32>().iter().enumerate() {
                            flags.push(match t.map(parse_flag) {
                                Some(Ok(f)) => f,
                                Some(Err(reason)) => {
                                    pre.entry(i).or_insert((Column::Discount, reason));
                                    false
                                }
                                None => false,
                            });
                        }
                        FlagPrep::Parsed(a, flags)
                    }
                    dt => return Err(bad_type(&r, dt, "a boolean")),
                })
            }
            None => None,
        };
        let mut p = Prepared {
            n,
            customer,
            date: d,
            days,
            amount,
            quantity,
            margin,
            discount,
            pre,
        };
        p.settle_precedence();
        Ok(p)
    }

    /// A row rejected while converting reports the first failing column in
    /// the order customer, date, amount, as crm-core would.
    fn settle_precedence(&mut self) {
        if self.pre.is_empty() {
            return;
        }
        let customer_null = |i: usize| self.customer.is_null(i);
        let date_null = |i: usize| self.date.is_null(i);
        let (amounts, av) = self.amount.amounts();
        let mut fixed = Vec::new();
        for (i, (col, _)) in &self.pre {
            let i = *i;
            if customer_null(i) && *col > Column::Customer {
                fixed.push((i, (Column::Customer, RejectReason::Missing)));
            } else if date_null(i) && *col > Column::Date {
                fixed.push((i, (Column::Date, RejectReason::Missing)));
            } else if *col > Column::Amount {
                if av.is_some_and(|v| !v.is_valid(i)) {
                    fixed.push((i, (Column::Amount, RejectReason::Missing)));
                } else if amounts.decimal(i).is_none() {
                    fixed.push((i, (Column::Amount, RejectReason::NotFinite)));
                }
            }
        }
        for (i, v) in fixed {
            self.pre.insert(i, v);
        }
    }

    fn batch(&self, first_row: u64) -> ColumnBatch<'_> {
        let customers = match self.customer.data_type() {
            DataType::Utf8 => {
                let s = self.customer.as_string::<i32>();
                Keys::Utf8 {
                    offsets: s.value_offsets(),
                    data: s.values(),
                }
            }
            DataType::LargeUtf8 => {
                let s = self.customer.as_string::<i64>();
                Keys::LargeUtf8 {
                    offsets: s.value_offsets(),
                    data: s.values(),
                }
            }
            _ => Keys::Int(self.customer.as_primitive::<Int64Type>().values()),
        };
        let days: &[i32] = match &self.days {
            Some(d) => d,
            None => self.date.as_primitive::<Date32Type>().values(),
        };
        let (amounts, amounts_validity) = self.amount.amounts();
        let mut b = ColumnBatch::new(first_row, customers, days, amounts);
        b.customers_validity = validity(self.customer.as_ref());
        b.days_validity = validity(self.date.as_ref());
        b.amounts_validity = amounts_validity;
        b.quantities = self.quantity.as_ref().map(AmountPrep::amounts);
        b.margins = self.margin.as_ref().map(AmountPrep::amounts);
        b.discounted = self.discount.as_ref().map(|f| match f {
            FlagPrep::Arrow(a) => {
                let v = a.as_boolean().values();
                (
                    Flags::Bits {
                        bits: v.values(),
                        offset: v.offset(),
                        len: a.len(),
                    },
                    validity(a.as_ref()),
                )
            }
            FlagPrep::Parsed(a, flags) => (Flags::Bool(flags), validity(a.as_ref())),
        });
        b
    }

    /// Feeds the batch, rows rejected during conversion in their place, so
    /// that strict mode stops at the first rejected row.
    fn feed<S: Sink>(
        &self,
        sink: &mut S,
        first_row: u64,
    ) -> Result<(), crm_core::records::summary::SummaryError> {
        let batch = self.batch(first_row);
        if self.pre.is_empty() {
            return sink.add_batch(&batch);
        }
        let mut start = 0;
        for (i, (col, reason)) in &self.pre {
            let i = *i;
            if i > start {
                sink.add_batch(&batch.slice(start, i - start))?;
            }
            let amount = if *col == Column::Amount
                || batch.amounts_validity.is_some_and(|v| !v.is_valid(i))
            {
                None
            } else {
                batch.amounts.decimal(i)
            };
            sink.reject(first_row.saturating_add(i as u64), *col, *reason, amount)?;
            start = i + 1;
        }
        if start < self.n {
            sink.add_batch(&batch.slice(start, self.n - start))?;
        }
        Ok(())
    }
}

mod amount;

use amount::{AmountPrep, amount_prep};

#[cfg(test)]
mod tests;
