//! `summarize` and `rfm`: transactions to per-customer summaries
//! (crm_io::summarize_arrays, crm_core::records::summary) and RFM scores
//! (crm_core::value::rfm), as Arrow tables.

use arrow::array::Date32Array;
use arrow::datatypes::DataType;
use chrono::NaiveDate;
use crm_core::CustomerId;
use crm_core::records::reconciliation::Reconciliation;
use crm_core::records::summary::{Summaries, SummaryConfig, Unit};
use crm_core::records::transaction::{CalendarConfig, NaiveTimestamps};
use crm_core::value::rfm::{Monetary, RfmError, RfmMetrics, RfmThresholds, SegmentTable, score};
use crm_core::vocabulary::Vocabulary;
use crm_io::tables::{self, MoneyType};
use crm_io::{ColumnMapping, IoError, TransactionArrays, summarize_arrays};
use pyo3::prelude::*;

use crate::convert::{customer_ids, dtype_error, required_decimals, value_error};
use crate::error::{Error, Kind, Result, run, whole_opt};
use crate::input::{InputTable, same_length};
use crate::table::{ArrowTable, money_type};
use crm_io::columns::ValueProblem;

/// Parameters of a summary, as Python passes them.
#[derive(Debug, Clone)]
pub struct SummaryParams {
    /// Analysis date, `YYYY-MM-DD`.
    pub as_of: String,
    /// `day` or `week`.
    pub unit: String,
    /// Window start, `YYYY-MM-DD`.
    pub since: Option<String>,
    /// IANA time zone.
    pub tz: String,
    /// `wall_clock` or `utc`.
    pub naive: String,
    /// Stop at the first rejected row.
    pub strict: bool,
    /// Decimal places kept for amounts.
    pub amount_scale: Option<u32>,
    /// Rejections listed individually.
    pub max_listed_rejections: Option<usize>,
}

pub fn date_param(name: &str, text: &str) -> Result<NaiveDate> {
    crm_core::parameter::date(name, text).map_err(|e| Error::core("summarize", &e))
}

impl SummaryParams {
    /// The calendar and the summary configuration.
    pub fn configs(&self) -> Result<(CalendarConfig, SummaryConfig)> {
        let as_of = date_param("as_of", &self.as_of)?;
        let zone = crm_core::parameter::time_zone("tz", &self.tz)
            .map_err(|e| Error::core("summarize", &e))?;
        let naive_timestamps =
            NaiveTimestamps::from_name(&self.naive).map_err(|e| Error::parameter("naive", &e))?;
        let unit = Unit::from_name(&self.unit).map_err(|e| Error::parameter("unit", &e))?;
        let mut config = SummaryConfig::new(as_of).with_unit(unit);
        if let Some(since) = &self.since {
            config = config.with_window_start(date_param("since", since)?);
        }
        if self.strict {
            config = config.strict();
        }
        if let Some(scale) = self.amount_scale {
            config.amount_scale = scale;
        }
        if let Some(m) = self.max_listed_rejections {
            config.max_listed_rejections = m;
        }
        Ok((
            CalendarConfig {
                zone,
                naive_timestamps,
            },
            config,
        ))
    }
}

/// Column names of a transaction table.
#[derive(Debug, Clone)]
pub struct TransactionColumns {
    /// Customer id.
    pub customer: String,
    /// Date or timestamp.
    pub time: String,
    /// Amount.
    pub amount: String,
    /// Optional quantity.
    pub quantity: Option<String>,
    /// Optional margin.
    pub margin: Option<String>,
    /// Optional discount flag.
    pub discount: Option<String>,
}

fn io_error(e: IoError) -> Error {
    Error::core("summarize", &e)
}

/// Reads the transaction columns of `input` and hands them, with their
/// names, to `read` (a crm-io reader of arrays into an accumulator).
pub fn read_transactions<T>(
    input: &InputTable,
    cols: &TransactionColumns,
    read: impl FnOnce(&TransactionArrays<'_>, &ColumnMapping) -> std::result::Result<T, IoError>,
) -> Result<T> {
    let customer = input.column(&cols.customer, "customer")?;
    let date = input.column(&cols.time, "time")?;
    let amount = input.column(&cols.amount, "amount")?;
    let quantity = cols
        .quantity
        .as_deref()
        .map(|c| input.column(c, "quantity"))
        .transpose()?;
    let margin = cols
        .margin
        .as_deref()
        .map(|c| input.column(c, "margin"))
        .transpose()?;
    let discount = cols
        .discount
        .as_deref()
        .map(|c| input.column(c, "discount"))
        .transpose()?;
    let mut named = vec![
        (cols.customer.as_str(), &customer),
        (cols.time.as_str(), &date),
        (cols.amount.as_str(), &amount),
    ];
    for (name, col) in [
        (&cols.quantity, &quantity),
        (&cols.margin, &margin),
        (&cols.discount, &discount),
    ] {
        if let (Some(n), Some(c)) = (name, col) {
            named.push((n.as_str(), c));
        }
    }
    same_length(input.what, &named)?;
    let arrays = TransactionArrays {
        customer: &customer,
        date: &date,
        amount: &amount,
        quantity: quantity.as_ref(),
        margin: margin.as_ref(),
        discount: discount.as_ref(),
    };
    let mut mapping = ColumnMapping::new(
        cols.customer.as_str(),
        cols.time.as_str(),
        cols.amount.as_str(),
    );
    mapping.quantity = cols.quantity.as_deref().map(Into::into);
    mapping.margin = cols.margin.as_deref().map(Into::into);
    mapping.discount = cols.discount.as_deref().map(Into::into);
    read(&arrays, &mapping).map_err(io_error)
}

/// Summaries and reconciliation of a transaction table.
pub fn summarize_table(
    input: &InputTable,
    cols: &TransactionColumns,
    params: &SummaryParams,
) -> Result<(Summaries, Reconciliation)> {
    let (calendar, config) = params.configs()?;
    let out = read_transactions(input, cols, |arrays, mapping| {
        summarize_arrays(arrays, mapping, &calendar, config)
    })?;
    Ok((out.summaries, out.reconciliation))
}

/// The per-customer table of summaries, sorted by customer id, in the
/// layout of `crm_io::tables::summaries` (the `crm` command's too).
pub fn summary_table(s: &Summaries, money: MoneyType) -> Result<ArrowTable> {
    ArrowTable::from_table(&tables::summaries::summaries(s, money))
}

/// What `summarize` hands to Python: the table, the reconciliation as JSON,
/// the analysis date, window start and unit.
pub type SummaryOutputPy = (ArrowTable, String, String, Option<String>, &'static str);

pub fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| {
        Error::new(
            Kind::Internal,
            format!("internal error serialising a report: {e}"),
        )
    })
}

/// The `amount_scale` and `max_listed_rejections` arguments of a summary,
/// as whole numbers.
pub fn summary_limits(
    what: &str,
    amount_scale: Option<&Bound<'_, PyAny>>,
    max_listed_rejections: Option<&Bound<'_, PyAny>>,
) -> Result<(Option<u32>, Option<usize>)> {
    let amount_scale = whole_opt(what, "amount_scale", amount_scale, 0, u32::MAX.into())?;
    let max_listed_rejections = whole_opt(
        what,
        "max_listed_rejections",
        max_listed_rejections,
        0,
        i64::MAX as u64,
    )?;
    Ok((amount_scale, max_listed_rejections))
}

/// Python entry point (see `crm_engine.summarize`).
#[pyfunction]
#[pyo3(signature = (
    transactions, *, customer, time, amount, as_of, unit, since = None, tz, naive, strict, quantity = None,
    margin = None, discount = None, amount_scale = None, max_listed_rejections = None,
    money = "decimal128".to_owned()
))]
#[allow(clippy::too_many_arguments)]
pub fn summarize(
    py: Python<'_>,
    transactions: &Bound<'_, PyAny>,
    customer: String,
    time: String,
    amount: String,
    as_of: String,
    unit: String,
    since: Option<String>,
    tz: String,
    naive: String,
    strict: bool,
    quantity: Option<String>,
    margin: Option<String>,
    discount: Option<String>,
    amount_scale: Option<Bound<'_, PyAny>>,
    max_listed_rejections: Option<Bound<'_, PyAny>>,
    money: String,
) -> PyResult<SummaryOutputPy> {
    let money = money_type(&money).map_err(|e| e.into_pyerr(py))?;
    let (amount_scale, max_listed_rejections) = summary_limits(
        "summarize",
        amount_scale.as_ref(),
        max_listed_rejections.as_ref(),
    )
    .map_err(|e| e.into_pyerr(py))?;
    let params = SummaryParams {
        as_of,
        unit,
        since,
        tz,
        naive,
        strict,
        amount_scale,
        max_listed_rejections,
    };
    params.configs().map_err(|e| e.into_pyerr(py))?;
    let input = InputTable::from_py("summarize", transactions)?;
    let cols = TransactionColumns {
        customer,
        time,
        amount,
        quantity,
        margin,
        discount,
    };
    run(py, move || {
        let (s, r) = summarize_table(&input, &cols, &params)?;
        Ok((
            summary_table(&s, money)?,
            json(&r)?,
            s.as_of.to_string(),
            s.window_start.map(|d| d.to_string()),
            s.unit.name(),
        ))
    })
}

fn rfm_error(e: RfmError) -> Error {
    Error::core("rfm", &e)
}

/// The RFM metrics of a per-customer table with a last purchase date, an
/// occasions count and a spend column (another system's summaries), at
/// `as_of`: what crm_core::value::rfm scores, without any other summary
/// figure.
pub fn metrics_of_table(
    input: &InputTable,
    customer: &str,
    last_purchase: &str,
    occasions: &str,
    spend: &str,
    as_of: NaiveDate,
    monetary: Monetary,
) -> Result<(Vec<CustomerId>, RfmMetrics)> {
    let what = input.what;
    let id_col = input.column(customer, "customer")?;
    let last_col = input.column(last_purchase, "last_purchase")?;
    let occ_col = input.column(occasions, "occasions")?;
    let spend_col = input.column(spend, "monetary")?;
    same_length(
        what,
        &[
            (customer, &id_col),
            (last_purchase, &last_col),
            (occasions, &occ_col),
            (spend, &spend_col),
        ],
    )?;
    let ids = customer_ids(what, customer, &id_col)?;
    let days = match last_col.data_type() {
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _) => {
            arrow::compute::cast(&last_col, &DataType::Date32)
        }
        other => {
            return Err(dtype_error(
                what,
                last_purchase,
                "last_purchase",
                other,
                "a date",
            ));
        }
    }
    .map_err(|_| {
        dtype_error(
            what,
            last_purchase,
            "last_purchase",
            last_col.data_type(),
            "a date",
        )
    })?;
    let days = days
        .as_any()
        .downcast_ref::<Date32Array>()
        .cloned()
        .ok_or_else(|| {
            dtype_error(
                what,
                last_purchase,
                "last_purchase",
                last_col.data_type(),
                "a date",
            )
        })?;
    let occ = crate::convert::optional_u64(what, occasions, "occasions", &occ_col)?;
    let spend_values = required_decimals(what, spend, "monetary", &spend_col)?;
    let mut last = Vec::with_capacity(days.len());
    let mut counts = Vec::with_capacity(days.len());
    for (row, (d, o)) in days.iter().zip(occ).enumerate() {
        let missing = |c: &str| value_error(what, c, row, ValueProblem::Missing);
        let day = d.ok_or_else(|| missing(last_purchase))?;
        let date = crm_core::records::transaction::date_of_day(day)
            .ok_or_else(|| value_error(what, last_purchase, row, ValueProblem::OutOfRange))?;
        last.push(date);
        counts.push(o.ok_or_else(|| missing(occasions))?);
    }
    let metrics =
        RfmMetrics::at(as_of, &last, &counts, &spend_values, monetary).map_err(rfm_error)?;
    Ok((ids.ids, metrics))
}

/// What `rfm` hands to Python: the table, thresholds JSON, segment table JSON.
pub type RfmOutputPy = (ArrowTable, String, String);

/// Python entry point (see `crm_engine.rfm`).
#[pyfunction]
#[pyo3(signature = (
    data, *, from_transactions, customer, monetary, thresholds_json = None, segments_json = None, time = None,
    amount = None, as_of, unit = "day".to_owned(), since = None, tz = "UTC".to_owned(), naive = "wall_clock".to_owned(),
    strict = false, last_purchase = None, occasions = None, spend = None, money = "decimal128".to_owned()
))]
#[allow(clippy::too_many_arguments)]
pub fn rfm_scores(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    from_transactions: bool,
    customer: String,
    monetary: String,
    thresholds_json: Option<String>,
    segments_json: Option<String>,
    time: Option<String>,
    amount: Option<String>,
    as_of: String,
    unit: String,
    since: Option<String>,
    tz: String,
    naive: String,
    strict: bool,
    last_purchase: Option<String>,
    occasions: Option<String>,
    spend: Option<String>,
    money: String,
) -> PyResult<(RfmOutputPy, Option<(ArrowTable, String)>)> {
    let money = money_type(&money).map_err(|e| e.into_pyerr(py))?;
    let monetary = Monetary::from_name(&monetary)
        .map_err(|e| Error::parameter("monetary", &e).into_pyerr(py))?;
    let thresholds: Option<RfmThresholds> = thresholds_json
        .map(|j| crm_core::parameter::json("thresholds", &j))
        .transpose()
        .map_err(|e| Error::core("rfm", &e).into_pyerr(py))?;
    let table = match segments_json {
        None => SegmentTable::standard(),
        Some(j) => crm_core::parameter::json("segments", &j)
            .map_err(|e| Error::core("rfm", &e).into_pyerr(py))?,
    };
    let params = SummaryParams {
        as_of,
        unit,
        since,
        tz,
        naive,
        strict,
        amount_scale: None,
        max_listed_rejections: None,
    };
    let (_, config) = params.configs().map_err(|e| e.into_pyerr(py))?;
    let input = InputTable::from_py(
        if from_transactions {
            "rfm (transactions)"
        } else {
            "rfm"
        },
        data,
    )?;
    let need = |v: Option<String>, role: &str| {
        v.ok_or_else(|| {
            Error::core(
                "rfm",
                &crm_core::parameter::ParameterError::ColumnNotNamed {
                    role: role.to_owned(),
                },
            )
        })
    };
    run(py, move || {
        let (customers, metrics, summary_out) = if from_transactions {
            let cols = TransactionColumns {
                customer: customer.clone(),
                time: need(time, "time")?,
                amount: need(amount, "amount")?,
                quantity: None,
                margin: None,
                discount: None,
            };
            let (s, r) = summarize_table(&input, &cols, &params)?;
            let st = summary_table(&s, money)?;
            let m = RfmMetrics::of_summaries(&s, monetary);
            (s.customers, m, Some((st, json(&r)?)))
        } else {
            let (ids, m) = metrics_of_table(
                &input,
                &customer,
                &need(last_purchase, "last_purchase")?,
                &need(occasions, "occasions")?,
                &need(spend, "spend")?,
                config.as_of,
                monetary,
            )?;
            (ids, m, None)
        };
        let r = score(&metrics.input(), thresholds.as_ref(), &table).map_err(rfm_error)?;
        let out = ArrowTable::from_table(&tables::rfm::rfm(&customers, &metrics, &r, money))?;
        Ok(((out, json(&r.thresholds)?, json(&r.table)?), summary_out))
    })
}
