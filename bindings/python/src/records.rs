//! Reading the relationship records from Arrow tables, and the output
//! columns and metric tables of the relationship calls.
//!
//! The customer base, complaints, referrals and survey answers are read by
//! crm-io ([`crm_io::records`]), as the `crm` command reads its files: one
//! set of column names, accepted types and error rules. Activity, purchase
//! days and customer facts are read here. Column names come from Python as
//! a mapping of role to column name (the package fills in the defaults).
//! Optional columns are read when present. Times may be Arrow timestamps
//! (naive ones are read as UTC), dates, or ISO 8601 text; a value that is
//! not a time is an error naming the row.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Float64Array, Int64Array, StringArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Date32Type, TimeUnit, TimestampMicrosecondType};
use chrono::{DateTime, NaiveDate, Utc};
use crm_core::CustomerId;
use crm_core::relationship::complaint::Complaint;
use crm_core::relationship::customer_base::CustomerBase;
use crm_core::relationship::period_metrics::{MetricPeriod, PeriodActivity, Referral};
use crm_core::relationship::survey::SurveyAnswer;
use crm_io::records::{self as io, RecordError, RecordTable};
use rust_decimal::Decimal;

use crate::convert::{Nulls, customer_ids, decimals, f64_ratio, optional_u64, strings};
use crate::error::{Error, Kind, Result};
use crate::input::InputTable;
use crm_io::columns::ValueProblem;

/// Role → column name, as Python passes it.
pub type Names = HashMap<String, String>;

/// The column name of a role (the role itself when not mapped).
pub fn name<'a>(names: &'a Names, role: &'a str) -> &'a str {
    names.get(role).map_or(role, String::as_str)
}

fn value_error(what: &str, column: &str, row: usize, problem: ValueProblem) -> Error {
    crate::convert::value_error(what, column, row, problem)
}

fn dtype(what: &str, column: &str, dt: &DataType, expected: &str) -> Error {
    crate::convert::dtype_error(what, column, column, dt, expected)
}

/// Casts a time column, reporting values the cast could not read.
fn cast_time(
    what: &str,
    column: &str,
    array: &ArrayRef,
    target: &DataType,
    expected: &str,
) -> Result<ArrayRef> {
    let dt = array.data_type();
    let readable = matches!(
        dt,
        DataType::Timestamp(_, _)
            | DataType::Date32
            | DataType::Date64
            | DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Null
    );
    if !readable {
        return Err(dtype(what, column, dt, expected));
    }
    let out = cast(array, target).map_err(|_| dtype(what, column, dt, expected))?;
    if let Some(row) = (0..array.len()).find(|&r| array.is_valid(r) && out.is_null(r)) {
        return Err(value_error(what, column, row, ValueProblem::NotATime));
    }
    Ok(out)
}

fn null_check<T>(
    what: &str,
    column: &str,
    v: Vec<Option<T>>,
    nulls: Nulls,
) -> Result<Vec<Option<T>>> {
    if nulls == Nulls::Reject
        && let Some(row) = v.iter().position(Option::is_none)
    {
        return Err(value_error(what, column, row, ValueProblem::Missing));
    }
    Ok(v)
}

/// A time column as UTC instants.
pub fn timestamps(
    what: &str,
    column: &str,
    array: &ArrayRef,
    nulls: Nulls,
) -> Result<Vec<Option<DateTime<Utc>>>> {
    let target = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    let t = cast_time(
        what,
        column,
        array,
        &target,
        "a timestamp, date or ISO 8601 text",
    )?;
    let a = t.as_primitive::<TimestampMicrosecondType>();
    let v = (0..a.len())
        .map(|r| {
            a.is_valid(r)
                .then(|| a.value(r))
                .and_then(DateTime::from_timestamp_micros)
        })
        .collect();
    null_check(what, column, v, nulls)
}

/// A date column (timestamps keep their UTC day).
pub fn dates(
    what: &str,
    column: &str,
    array: &ArrayRef,
    nulls: Nulls,
) -> Result<Vec<Option<NaiveDate>>> {
    let t = cast_time(
        what,
        column,
        array,
        &DataType::Date32,
        "a date, timestamp or ISO 8601 text",
    )?;
    let a = t.as_primitive::<Date32Type>();
    let v = (0..a.len())
        .map(|r| {
            a.is_valid(r)
                .then(|| a.value(r))
                .and_then(|d| NaiveDate::from_num_days_from_ce_opt(d + 719_163))
        })
        .collect();
    null_check(what, column, v, nulls)
}

/// A period from two ISO dates.
pub fn period(first_day: &str, last_day: &str) -> Result<MetricPeriod> {
    let parse = |field: &str, text: &str| {
        crm_core::parameter::date(field, text).map_err(|e| Error::core("period", &e))
    };
    MetricPeriod::new(parse("first_day", first_day)?, parse("last_day", last_day)?)
        .map_err(|e| Error::core("period", &e))
}

/// Reads `role` when its column is present.
fn optional(input: &InputTable, names: &Names, role: &str) -> Result<Option<(String, ArrayRef)>> {
    let col = name(names, role).to_owned();
    if !input.has(&col) {
        return Ok(None);
    }
    let a = input.column(&col, role)?;
    Ok(Some((col, a)))
}

fn required(input: &InputTable, names: &Names, role: &str) -> Result<(String, ArrayRef)> {
    let col = name(names, role).to_owned();
    let a = input.column(&col, role)?;
    Ok((col, a))
}

fn ids(input: &InputTable, names: &Names, role: &str) -> Result<Vec<CustomerId>> {
    let (col, a) = required(input, names, role)?;
    Ok(customer_ids(input.what, &col, &a)?.ids)
}

fn opt_strings(input: &InputTable, names: &Names, role: &str) -> Result<Vec<Option<String>>> {
    let n = input.num_rows();
    match optional(input, names, role)? {
        None => Ok(vec![None; n]),
        Some((col, a)) => {
            let s = strings(input.what, &col, role, &a)?;
            Ok(s.iter().map(|x| x.map(str::to_owned)).collect())
        }
    }
}

fn counts(input: &InputTable, names: &Names, role: &str) -> Result<Vec<u64>> {
    let (col, a) = required(input, names, role)?;
    let v = null_check(
        input.what,
        &col,
        optional_u64(input.what, &col, role, &a)?,
        Nulls::Reject,
    )?;
    Ok(v.into_iter().flatten().collect())
}

/// The record table of a relationship input: every column, with the
/// package's role → column mapping; crm-io reads it ([`crm_io::records`],
/// the readers the `crm` command uses too).
fn record_table(input: &InputTable, names: &Names) -> Result<RecordTable> {
    let mut columns = Vec::with_capacity(input.names().len());
    for n in input.names() {
        columns.push((n.clone(), input.column(n, n)?));
    }
    Ok(RecordTable::from_columns(input.what, columns)
        .map_err(record_error)?
        .with_columns(names))
}

/// A reader's error: its message already names the table, the 1-based row,
/// the column and the rule.
fn record_error(e: RecordError) -> Error {
    Error {
        message: e.to_string(),
        ..Error::core("", &e)
    }
}

/// The customer base: customer, since, until (optional), tier (optional), segment (optional).
pub fn customer_base(input: &InputTable, names: &Names) -> Result<CustomerBase> {
    let spans = io::customer_base(&record_table(input, names)?).map_err(record_error)?;
    CustomerBase::new(spans).map_err(|e| Error::core(input.what, &e))
}

/// Per-customer first and last purchase days: customer, first_purchase,
/// last_purchase (the columns of a summary table).
pub fn purchase_days(
    input: &InputTable,
    names: &Names,
) -> Result<Vec<(CustomerId, NaiveDate, NaiveDate)>> {
    let customers = ids(input, names, "customer")?;
    let day = |role: &str| -> Result<Vec<NaiveDate>> {
        let (col, a) = required(input, names, role)?;
        Ok(dates(input.what, &col, &a, Nulls::Reject)?
            .into_iter()
            .map(|d| d.unwrap_or_default())
            .collect())
    };
    let (first, last) = (day("first_purchase")?, day("last_purchase")?);
    Ok(customers
        .into_iter()
        .enumerate()
        .map(|(row, c)| (c, first[row], last[row]))
        .collect())
}

/// Activity: customer, occasions, orders, last_purchase (null without purchases).
pub fn activity(input: &InputTable, names: &Names) -> Result<Vec<PeriodActivity>> {
    let customers = ids(input, names, "customer")?;
    let occasions = counts(input, names, "occasions")?;
    let orders = counts(input, names, "orders")?;
    let (col, a) = required(input, names, "last_purchase")?;
    let last = dates(input.what, &col, &a, Nulls::Keep)?;
    Ok(customers
        .into_iter()
        .enumerate()
        .map(|(row, c)| PeriodActivity::new(c, occasions[row], orders[row], last[row]))
        .collect())
}

/// Complaints: customer, opened, first_response, resolved, channel, outcome.
pub fn complaints(input: &InputTable, names: &Names) -> Result<Vec<Complaint>> {
    io::complaints(&record_table(input, names)?).map_err(record_error)
}

/// Referrals: referrer, time, referred (optional).
pub fn referrals(input: &InputTable, names: &Names) -> Result<Vec<Referral>> {
    io::referrals(&record_table(input, names)?).map_err(record_error)
}

/// Survey answers: customer, time, scale (csat, nps, ces), score.
pub fn answers(input: &InputTable, names: &Names) -> Result<Vec<SurveyAnswer>> {
    io::answers(&record_table(input, names)?).map_err(record_error)
}

/// A numeric column of decimals (nulls as given).
pub fn numbers(
    input: &InputTable,
    names: &Names,
    role: &str,
    nulls: Nulls,
) -> Result<Vec<Option<Decimal>>> {
    let (col, a) = required(input, names, role)?;
    decimals(input.what, &col, role, &a, nulls)
}

/// The same, `None` for every row when the column is absent.
pub fn optional_numbers(
    input: &InputTable,
    names: &Names,
    role: &str,
) -> Result<Option<Vec<Option<Decimal>>>> {
    match optional(input, names, role)? {
        None => Ok(None),
        Some((col, a)) => Ok(Some(decimals(input.what, &col, role, &a, Nulls::Keep)?)),
    }
}

/// Whole-number column.
pub fn whole(input: &InputTable, names: &Names, role: &str) -> Result<Vec<u64>> {
    counts(input, names, role)
}

/// Customer ids of `role`.
pub fn customer_column(input: &InputTable, names: &Names, role: &str) -> Result<Vec<CustomerId>> {
    ids(input, names, role)
}

/// Text column of `role` (optional).
pub fn text_column(input: &InputTable, names: &Names, role: &str) -> Result<Vec<Option<String>>> {
    opt_strings(input, names, role)
}

/// Output: decimals as float64 (null = undefined).
pub fn float_col(v: impl IntoIterator<Item = Option<Decimal>>) -> ArrayRef {
    Arc::new(
        v.into_iter()
            .map(|d| d.map(f64_ratio))
            .collect::<Float64Array>(),
    )
}

/// Output: counts as int64.
pub fn int_col(v: impl IntoIterator<Item = u64>) -> ArrayRef {
    Arc::new(
        v.into_iter()
            .map(|x| i64::try_from(x).unwrap_or(i64::MAX))
            .collect::<Int64Array>(),
    )
}

/// Output: text.
pub fn text_col<S: AsRef<str>>(v: impl IntoIterator<Item = Option<S>>) -> ArrayRef {
    Arc::new(v.into_iter().collect::<StringArray>())
}

/// Output: booleans.
pub fn bool_col(v: impl IntoIterator<Item = bool>) -> ArrayRef {
    Arc::new(v.into_iter().map(Some).collect::<BooleanArray>())
}

/// A report as JSON.
pub fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| {
        Error::new(
            Kind::Internal,
            format!("internal error serialising a report: {e}"),
        )
    })
}
