//! CSV input, including the whitespace-separated CDNOW format.
//!
//! Records are parsed straight into column buffers of [`CsvOptions::batch_rows`]
//! rows, which go to the accumulator as one [`ColumnBatch`] each; nothing
//! else of the file is kept. Rows are numbered from 1 over the data records
//! (the header and blank lines are not counted).
//!
//! Fields are parsed as follows: customer ids as text (default) or as
//! integers ([`IdType`]; `0001` is 1); dates as `YYYY-MM-DD`, `YYYYMMDD`,
//! RFC 3339 timestamps (converted to the analysis zone), zone-less
//! `YYYY-MM-DD HH:MM:SS` (read as the calendar says) or any of
//! [`CsvOptions::date_formats`] (chrono syntax); amounts, quantities and
//! margins as decimals (plain or scientific; `NaN`/`inf` rejected as not
//! finite); discount flags as `true`/`false`, `yes`/`no`, `1`/`0`. An empty
//! or absent optional field means "not recorded"; an empty required field
//! is a missing value.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crm_core::records::reconciliation::{Column, RejectReason};
use crm_core::records::summary::{
    Amounts, ColumnBatch, Flags, Keys, SummaryConfig, SummaryError, SummaryOutput, Validity, pack,
};
use crm_core::records::transaction::{CalendarConfig, DayConverter};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::parse::{parse_day, parse_decimal, parse_flag, parse_id};
use crate::{ColumnMapping, ColumnRef, IoError, Sink, accumulator};

/// How customer ids are read from text.
///
/// # Example
///
/// ```
/// use crm_io::IdType;
/// assert_eq!(IdType::default(), IdType::Text);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum IdType {
    /// As text, exactly as written (lossless; the default).
    #[default]
    Text,
    /// As 64-bit integers (a non-integer id is rejected).
    Int,
}

/// How a CSV file is laid out.
///
/// # Example
///
/// ```
/// use crm_io::CsvOptions;
/// let o = CsvOptions { delimiter: b';', ..CsvOptions::default() };
/// assert!(o.has_header);
/// assert!(CsvOptions::cdnow().whitespace);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvOptions {
    /// Field delimiter (ignored when `whitespace`).
    pub delimiter: u8,
    /// Quote character (ignored when `whitespace`).
    pub quote: u8,
    /// Whether the first record names the columns.
    pub has_header: bool,
    /// Fields separated by runs of spaces and tabs, no quoting (CDNOW).
    pub whitespace: bool,
    /// How customer ids are read.
    pub id_type: IdType,
    /// Rows per batch handed to the accumulator.
    pub batch_rows: usize,
    /// Extra chrono formats for dates, tried after the built-in ones.
    pub date_formats: Vec<String>,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: b',',
            quote: b'"',
            has_header: true,
            whitespace: false,
            id_type: IdType::Text,
            batch_rows: 64 * 1024,
            date_formats: Vec::new(),
        }
    }
}

impl CsvOptions {
    /// The CDNOW sample layout: no header, whitespace-separated, integer ids.
    /// Use with [`CsvOptions::cdnow_mapping`].
    ///
    /// # Example
    ///
    /// ```
    /// use crm_io::CsvOptions;
    /// assert!(!CsvOptions::cdnow().has_header);
    /// ```
    pub fn cdnow() -> Self {
        CsvOptions {
            has_header: false,
            whitespace: true,
            id_type: IdType::Int,
            ..CsvOptions::default()
        }
    }

    /// The CDNOW columns: original id, customer id, date (yyyymmdd), CDs,
    /// dollars; the customer is the second column.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_io::{ColumnRef, CsvOptions};
    /// assert_eq!(CsvOptions::cdnow_mapping().customer, ColumnRef::Index(1));
    /// ```
    pub fn cdnow_mapping() -> ColumnMapping {
        ColumnMapping::new(1, 2, 4).with_quantity(3)
    }
}

/// Column buffers of one batch.
#[derive(Default)]
struct Buffers {
    rows: Vec<u64>,
    ints: Vec<i64>,
    offsets: Vec<i32>,
    data: Vec<u8>,
    days: Vec<i32>,
    amounts: Vec<Decimal>,
    qty: Vec<Decimal>,
    qty_ok: Vec<bool>,
    margin: Vec<Decimal>,
    margin_ok: Vec<bool>,
    flags: Vec<bool>,
    flags_ok: Vec<bool>,
}

impl Buffers {
    fn clear(&mut self) {
        self.rows.clear();
        self.ints.clear();
        self.offsets.clear();
        self.data.clear();
        self.days.clear();
        self.amounts.clear();
        self.qty.clear();
        self.qty_ok.clear();
        self.margin.clear();
        self.margin_ok.clear();
        self.flags.clear();
        self.flags_ok.clear();
    }
}

/// Resolved column positions.
struct Positions {
    customer: usize,
    date: usize,
    amount: usize,
    quantity: Option<usize>,
    margin: Option<usize>,
    discount: Option<usize>,
}

fn resolve(
    mapping: &ColumnMapping,
    header: Option<&[Vec<u8>]>,
    source: &str,
) -> Result<Positions, IoError> {
    let find = |r: &ColumnRef| -> Result<usize, IoError> {
        match (r, header) {
            (ColumnRef::Index(i), _) => Ok(*i),
            (ColumnRef::Name(n), Some(h)) => h
                .iter()
                .position(|f| f.trim_ascii() == n.as_bytes())
                .ok_or_else(|| IoError::column(source, r, "is not in the header")),
            (ColumnRef::Name(_), None) => Err(IoError::column(
                source,
                r,
                "is named but the file has no header: use a position",
            )),
        }
    };
    let opt = |r: &Option<ColumnRef>| r.as_ref().map(find).transpose();
    Ok(Positions {
        customer: find(&mapping.customer)?,
        date: find(&mapping.date)?,
        amount: find(&mapping.amount)?,
        quantity: opt(&mapping.quantity)?,
        margin: opt(&mapping.margin)?,
        discount: opt(&mapping.discount)?,
    })
}

/// Parses records into buffers and hands full batches to the sink.
struct Batcher<'a, S> {
    sink: &'a mut S,
    opts: &'a CsvOptions,
    pos: Positions,
    conv: DayConverter,
    buf: Buffers,
    strict: bool,
}

type Fail = (Column, RejectReason);

impl<S: Sink> Batcher<'_, S> {
    fn flush(&mut self) -> Result<(), SummaryError> {
        let b = &self.buf;
        let n = b.rows.len();
        if n == 0 {
            return Ok(());
        }
        let first = b.rows.first().copied().unwrap_or(1);
        let keys = match self.opts.id_type {
            IdType::Int => Keys::Int(&b.ints),
            IdType::Text => Keys::Utf8 {
                offsets: &b.offsets,
                data: &b.data,
            },
        };
        let (qv, mv, fv) = (pack(&b.qty_ok), pack(&b.margin_ok), pack(&b.flags_ok));
        let mut batch = ColumnBatch::new(first, keys, &b.days, Amounts::Decimal(&b.amounts));
        batch.row_numbers = Some(&b.rows);
        if self.pos.quantity.is_some() {
            batch.quantities = Some((Amounts::Decimal(&b.qty), Some(Validity::new(&qv, 0))));
        }
        if self.pos.margin.is_some() {
            batch.margins = Some((Amounts::Decimal(&b.margin), Some(Validity::new(&mv, 0))));
        }
        if self.pos.discount.is_some() {
            batch.discounted = Some((Flags::Bool(&b.flags), Some(Validity::new(&fv, 0))));
        }
        let r = self.sink.add_batch(&batch);
        self.buf.clear();
        r
    }

    /// One data record; `field(i)` gives field `i` when present.
    fn record<'f>(
        &mut self,
        row: u64,
        field: impl Fn(usize) -> Option<&'f [u8]>,
    ) -> Result<(), SummaryError> {
        let text = |i: usize| -> Result<&'f str, RejectReason> {
            let f = field(i).ok_or(RejectReason::Missing)?;
            std::str::from_utf8(f).map_err(|_| RejectReason::InvalidUtf8)
        };
        let optional = |i: Option<usize>| -> Option<Result<&'f str, RejectReason>> {
            let t = text(i?);
            match t {
                Ok(s) if s.trim().is_empty() => None,
                Err(RejectReason::Missing) => None,
                t => Some(t),
            }
        };
        // Parse the amount first: a rejected row still reconciles its amount.
        let amount = text(self.pos.amount).and_then(parse_decimal);
        let parsed: Result<_, Fail> = (|| {
            let id_text = text(self.pos.customer)
                .map_err(|r| (Column::Customer, r))?
                .trim();
            if id_text.is_empty() {
                return Err((Column::Customer, RejectReason::Missing));
            }
            let id = match self.opts.id_type {
                IdType::Int => Some(parse_id(id_text).map_err(|r| (Column::Customer, r))?),
                IdType::Text => None,
            };
            let day = text(self.pos.date)
                .and_then(|t| parse_day(t, &self.opts.date_formats, &mut self.conv))
                .map_err(|r| (Column::Date, r))?;
            let amount = amount.map_err(|r| (Column::Amount, r))?;
            let num = |i: Option<usize>, c: Column| match optional(i) {
                None => Ok(None),
                Some(t) => t.and_then(parse_decimal).map(Some).map_err(|r| (c, r)),
            };
            let qty = num(self.pos.quantity, Column::Quantity)?;
            let margin = num(self.pos.margin, Column::Margin)?;
            let flag = match optional(self.pos.discount) {
                None => None,
                Some(t) => Some(t.and_then(parse_flag).map_err(|r| (Column::Discount, r))?),
            };
            Ok((id_text, id, day, amount, qty, margin, flag))
        })();
        match parsed {
            Ok((id_text, id, day, amount, qty, margin, flag)) => {
                let b = &mut self.buf;
                match id {
                    Some(k) => b.ints.push(k),
                    None => {
                        if b.offsets.is_empty() {
                            b.offsets.push(0);
                        }
                        b.data.extend_from_slice(id_text.as_bytes());
                        b.offsets
                            .push(i32::try_from(b.data.len()).unwrap_or(i32::MAX));
                    }
                }
                b.rows.push(row);
                b.days.push(day);
                b.amounts.push(amount);
                b.qty.push(qty.unwrap_or_default());
                b.qty_ok.push(qty.is_some());
                b.margin.push(margin.unwrap_or_default());
                b.margin_ok.push(margin.is_some());
                b.flags.push(flag.unwrap_or(false));
                b.flags_ok.push(flag.is_some());
                if b.rows.len() >= self.opts.batch_rows.max(1) || b.data.len() > (1 << 30) {
                    self.flush()?;
                }
                Ok(())
            }
            Err((column, reason)) => {
                if self.strict {
                    // Earlier rows first: strict mode stops at the first rejected row.
                    self.flush()?;
                }
                let amount = if column == Column::Amount {
                    None
                } else {
                    amount.ok()
                };
                self.sink.reject(row, column, reason, amount)
            }
        }
    }
}

/// Reads CSV text into a [`Sink`]; returns the number of data records.
/// `strict` makes the reader hand earlier rows over before a rejected one,
/// so that a strict sink stops at the first rejected row.
///
/// # Errors
///
/// [`IoError::Column`] for a mapped column missing from the header,
/// [`IoError::Read`] when the input cannot be read, [`IoError::Rejected`]
/// and [`IoError::Summary`] from the sink.
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::summary::{CalibrationHoldoutAccumulator, SummaryConfig};
/// use crm_io::csv_input::{read_csv_into, CsvOptions};
/// use crm_io::ColumnMapping;
///
/// let data = "customer;date;amount\na;2024-01-05;10\na;2024-02-05;20\na;2024-04-01;5\n";
/// let config = SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 6, 30).unwrap());
/// let mut split = CalibrationHoldoutAccumulator::new(config, NaiveDate::from_ymd_opt(2024, 3, 31).unwrap())?;
/// let opts = CsvOptions { delimiter: b';', ..CsvOptions::default() };
/// read_csv_into(data.as_bytes(), "inline", &opts, &ColumnMapping::default(), &crm_io::utc(), false, &mut split)?;
/// let out = split.finish()?;
/// assert_eq!((out.calibration.frequency[0], out.frequency_holdout[0]), (1, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_csv_into<R: Read, S: Sink>(
    reader: R,
    source_name: &str,
    opts: &CsvOptions,
    mapping: &ColumnMapping,
    calendar: &CalendarConfig,
    strict: bool,
    sink: &mut S,
) -> Result<u64, IoError> {
    let wrap = |e: SummaryError| IoError::from_summary(source_name, e);
    let mut row = 0_u64;
    if opts.whitespace {
        let mut lines = BufReader::new(reader);
        let mut line = Vec::new();
        let mut header: Option<Vec<Vec<u8>>> = None;
        let mut batcher: Option<Batcher<'_, S>> = None;
        let mut sink = Some(sink);
        loop {
            line.clear();
            let got = lines
                .read_until(b'\n', &mut line)
                .map_err(|e| IoError::read(source_name, e))?;
            if got == 0 {
                break;
            }
            let fields: Vec<&[u8]> = line
                .split(|c| c.is_ascii_whitespace())
                .filter(|f| !f.is_empty())
                .collect();
            if fields.is_empty() {
                continue;
            }
            if opts.has_header && header.is_none() {
                header = Some(fields.iter().map(|f| f.to_vec()).collect());
                continue;
            }
            if batcher.is_none() {
                let pos = resolve(mapping, header.as_deref(), source_name)?;
                let Some(sink) = sink.take() else { break };
                batcher = Some(Batcher {
                    sink,
                    opts,
                    pos,
                    conv: DayConverter::new(*calendar),
                    buf: Buffers::default(),
                    strict,
                });
            }
            row += 1;
            if let Some(b) = batcher.as_mut() {
                b.record(row, |i| fields.get(i).copied()).map_err(wrap)?;
            }
        }
        match batcher.as_mut() {
            Some(b) => b.flush().map_err(wrap)?,
            None => {
                resolve(mapping, header.as_deref(), source_name)?;
            }
        }
        return Ok(row);
    }
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(opts.delimiter)
        .quote(opts.quote)
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = csv::ByteRecord::new();
    let mut header: Option<Vec<Vec<u8>>> = None;
    if opts.has_header {
        match rdr.read_byte_record(&mut record) {
            Ok(true) => header = Some(record.iter().map(|f| f.to_vec()).collect()),
            Ok(false) => {}
            Err(e) => return Err(IoError::read(source_name, e)),
        }
    }
    let pos = resolve(mapping, header.as_deref(), source_name)?;
    let mut b = Batcher {
        sink,
        opts,
        pos,
        conv: DayConverter::new(*calendar),
        buf: Buffers::default(),
        strict,
    };
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                row += 1;
                b.record(row, |i| record.get(i)).map_err(wrap)?;
            }
            Err(e) if e.is_io_error() => return Err(IoError::read(source_name, e)),
            Err(_) => {
                row += 1;
                if strict {
                    b.flush().map_err(wrap)?;
                }
                b.sink
                    .reject(row, Column::Record, RejectReason::Malformed, None)
                    .map_err(wrap)?;
            }
        }
    }
    b.flush().map_err(wrap)?;
    Ok(row)
}

/// Summarises CSV text from a reader; `source_name` labels errors.
///
/// # Errors
///
/// As [`read_csv_into`], and [`IoError::Summary`] for a bad configuration.
///
/// # Example
///
/// See the [crate docs](crate).
pub fn summarize_csv_reader<R: Read>(
    reader: R,
    source_name: &str,
    opts: &CsvOptions,
    mapping: &ColumnMapping,
    calendar: &CalendarConfig,
    config: SummaryConfig,
) -> Result<SummaryOutput, IoError> {
    let strict = config.strict;
    let mut acc = accumulator(source_name, config, mapping)?;
    read_csv_into(
        reader,
        source_name,
        opts,
        mapping,
        calendar,
        strict,
        &mut acc,
    )?;
    acc.finish()
        .map_err(|e| IoError::from_summary(source_name, e))
}

/// Summarises a CSV file.
///
/// # Errors
///
/// As [`summarize_csv_reader`]; an unopenable file is an [`IoError::Read`].
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::summary::SummaryConfig;
/// use crm_io::{summarize_csv, CsvOptions};
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/data/CDNOW_sample.txt");
/// let config = SummaryConfig::new(NaiveDate::from_ymd_opt(1997, 9, 30).unwrap());
/// let out = summarize_csv(path, &CsvOptions::cdnow(), &CsvOptions::cdnow_mapping(), &crm_io::utc(), config)?;
/// assert_eq!(out.summaries.len(), 2357);
/// assert_eq!(out.reconciliation.rows_read, 6919);
/// # Ok::<(), crm_io::IoError>(())
/// ```
pub fn summarize_csv(
    path: impl AsRef<Path>,
    opts: &CsvOptions,
    mapping: &ColumnMapping,
    calendar: &CalendarConfig,
    config: SummaryConfig,
) -> Result<SummaryOutput, IoError> {
    let name = path.as_ref().display().to_string();
    let file = File::open(path.as_ref()).map_err(|e| IoError::read(&name, e))?;
    summarize_csv_reader(file, &name, opts, mapping, calendar, config)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use crm_core::records::summary::SummaryConfig;
    use proptest::prelude::*;

    use super::*;

    fn config() -> SummaryConfig {
        SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 12, 31).unwrap_or_default())
    }

    fn run(
        text: &str,
        opts: &CsvOptions,
        mapping: &ColumnMapping,
        config: SummaryConfig,
    ) -> Result<SummaryOutput, IoError> {
        summarize_csv_reader(
            text.as_bytes(),
            "t.csv",
            opts,
            mapping,
            &crate::utc(),
            config,
        )
    }

    #[test]
    fn every_kind_of_bad_row_gets_its_documented_treatment() -> Result<(), IoError> {
        let text = "customer,date,amount,promo\n\
                    a,2024-01-01,10,yes\n\
                    ,2024-01-02,5,no\n\
                    b,2024-13-01,5,\n\
                    c,2024-01-03,NaN,\n\
                    d,2024-01-03,inf,\n\
                    e,2025-01-01,7,\n\
                    f,2024-01-04,1.5,perhaps\n\
                    g,2024-01-04\n\
                    a,2024-01-05,2.5,0\n";
        let out = run(
            text,
            &CsvOptions::default(),
            &ColumnMapping::default().with_discount("promo"),
            config(),
        )?;
        let r = &out.reconciliation;
        let got: Vec<String> = r.rejections.iter().map(|r| r.to_string()).collect();
        assert_eq!(
            got,
            vec![
                "row 2, column `customer`: value is missing",
                "row 3, column `date`: value is not a date",
                "row 4, column `amount`: value is NaN or infinite",
                "row 5, column `amount`: value is NaN or infinite",
                "row 7, column `promo`: value is not a boolean",
                "row 8, column `amount`: value is missing",
            ]
        );
        assert_eq!(
            (
                r.rows_read,
                r.rows_used,
                r.rows_skipped_after_as_of,
                r.rows_rejected
            ),
            (9, 2, 1, 6)
        );
        assert_eq!(r.amount_read, Decimal::new(31, 0));
        assert_eq!(r.amount_rejected, Decimal::new(115, 1));
        assert!(r.is_balanced());
        assert_eq!(out.summaries.discount_share, vec![Some(0.5)]);
        Ok(())
    }

    #[test]
    fn strict_mode_names_file_row_column_and_rule() {
        let text = "customer,date,amount\na,2024-01-01,1\nb,2024-01-01,x\nc,someday,1\n";
        let out = run(
            text,
            &CsvOptions::default(),
            &ColumnMapping::default(),
            config().strict(),
        );
        assert_eq!(
            out.err().map(|e| e.to_string()),
            Some(
                "t.csv: strict mode: row 2, column `amount`: value is not a decimal number"
                    .to_owned()
            )
        );
    }

    #[test]
    fn header_problems_are_errors() {
        let out = run(
            "id,date,amount\n",
            &CsvOptions::default(),
            &ColumnMapping::default(),
            config(),
        );
        assert_eq!(
            out.err().map(|e| e.to_string()),
            Some("t.csv: column `customer` is not in the header".to_owned())
        );
        let opts = CsvOptions {
            has_header: false,
            ..CsvOptions::default()
        };
        assert!(matches!(
            run("1,2,3\n", &opts, &ColumnMapping::default(), config()),
            Err(IoError::Column { .. })
        ));
        assert!(matches!(
            run(
                "",
                &CsvOptions::default(),
                &ColumnMapping::default(),
                config()
            ),
            Err(IoError::Column { .. })
        ));
    }

    #[test]
    fn delimiters_quotes_and_positions() -> Result<(), IoError> {
        let text = "\"x;1\";20240105;\"1,5\"\n\"x;1\";2024-01-06;2\n";
        let opts = CsvOptions {
            delimiter: b';',
            has_header: false,
            ..CsvOptions::default()
        };
        let out = run(text, &opts, &ColumnMapping::new(0, 1, 2), config())?;
        // "1,5" is not a decimal (comma), so one row is rejected.
        assert_eq!(
            out.summaries.customers,
            vec![crm_core::CustomerId::from("x;1")]
        );
        assert_eq!(out.reconciliation.rows_rejected, 1);
        Ok(())
    }

    #[test]
    fn a_missing_file_is_a_read_error() {
        let out = summarize_csv(
            "/nonexistent/tx.csv",
            &CsvOptions::default(),
            &ColumnMapping::default(),
            &crate::utc(),
            config(),
        );
        assert!(matches!(out, Err(IoError::Read { .. })));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic_and_always_reconcile(bytes in prop::collection::vec(any::<u8>(), 0..400), ws: bool) {
            let opts = CsvOptions { whitespace: ws, has_header: false, batch_rows: 3, ..CsvOptions::default() };
            let mapping = ColumnMapping::new(0, 1, 2).with_quantity(3).with_discount(4);
            let out = summarize_csv_reader(bytes.as_slice(), "fuzz", &opts, &mapping, &crate::utc(), config());
            if let Ok(out) = out {
                prop_assert!(out.reconciliation.is_balanced());
            }
        }

        #[test]
        fn batch_size_never_changes_the_result(
            rows in prop::collection::vec((0_u8..10, 1_u32..28, -500_i64..5000, any::<bool>()), 0..80),
            size in 1_usize..20,
        ) {
            let mut text = String::from("customer,date,amount\n");
            for (c, d, a, bad) in &rows {
                let amount = if *bad { "?".to_owned() } else { Decimal::new(*a, 2).to_string() };
                text.push_str(&format!("c{c},2024-02-{d:02},{amount}\n"));
            }
            let one = run(&text, &CsvOptions { batch_rows: 1 << 20, ..CsvOptions::default() }, &ColumnMapping::default(), config());
            let many = run(&text, &CsvOptions { batch_rows: size, ..CsvOptions::default() }, &ColumnMapping::default(), config());
            prop_assert!(one.is_ok() && many.is_ok());
            prop_assert_eq!(one.ok(), many.ok());
        }
    }
}
