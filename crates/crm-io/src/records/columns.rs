//! One column of a record table, converted cell by cell: the column's type
//! is checked when it is opened (a type error names no row), each cell's
//! value when the reader reaches its row, so the first bad value in row
//! order is the one reported.

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::compute::cast;
use arrow::datatypes::{
    DataType, Date32Type, Float64Type, Int64Type, TimeUnit, TimestampMicrosecondType,
};
use chrono::{DateTime, NaiveDate, Utc};
use crm_core::records::customer::CustomerId;
use crm_core::vocabulary::UnknownName;

use super::{IdKind, RecordError, RecordTable};

/// Why a cell has no value of its column's kind: a rule id and its words.
#[derive(Debug, Clone, Copy)]
struct Bad {
    rule: &'static str,
    problem: &'static str,
}

const NOT_A_DATE: Bad = Bad {
    rule: "date_value",
    problem: "value is not a date (a date, a timestamp or YYYY-MM-DD text)",
};
const NOT_A_TIME: Bad = Bad {
    rule: "time_value",
    problem: "value is not a time (a timestamp, a date or ISO 8601 text)",
};
const NOT_WHOLE: Bad = Bad {
    rule: "whole_number",
    problem: "value is not a whole number",
};
const BEYOND_I64: Bad = Bad {
    rule: "in_range",
    problem: "value is beyond 64-bit integers",
};
const NOT_AN_INT_ID: Bad = Bad {
    rule: "integer_id",
    problem: "customer id is not an integer, as the transactions' ids are",
};

/// Reads the cell of a (non-null) row.
type Each<'a, T> = Box<dyn Fn(usize) -> Result<Option<T>, Bad> + 'a>;

/// A converted column: each cell a value, null (`None`), or a bad value.
/// An absent optional column has no cells (every row `None`).
pub(super) struct Column<T> {
    source: String,
    name: String,
    cells: Option<Vec<Result<Option<T>, Bad>>>,
}

/// The columns of one table, opened by role.
pub(super) struct Cells<'a> {
    table: &'a RecordTable,
}

fn is_text(dt: &DataType) -> bool {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => is_text(v),
        _ => false,
    }
}

impl<'a> Cells<'a> {
    pub(super) fn new(table: &'a RecordTable) -> Cells<'a> {
        Cells { table }
    }

    /// The column of `role`: an error when `required` and absent.
    fn open(
        &self,
        role: &'static str,
        required: bool,
    ) -> Result<Option<(String, &'a ArrayRef)>, RecordError> {
        let found = if required {
            Some(self.table.required(role)?)
        } else {
            self.table.optional(role)
        };
        Ok(found.map(|(n, a)| (n.to_owned(), a)))
    }

    fn type_error(
        &self,
        column: &str,
        role: &'static str,
        dt: &DataType,
        expected: &'static str,
    ) -> RecordError {
        RecordError::Type {
            source_name: self.table.source.clone(),
            column: column.to_owned(),
            role,
            found: dt.to_string(),
            expected,
        }
    }

    /// `array` cast to `target`, or the type error of `expected`.
    fn cast_to(
        &self,
        column: &str,
        role: &'static str,
        array: &ArrayRef,
        target: &DataType,
        expected: &'static str,
    ) -> Result<ArrayRef, RecordError> {
        cast(array, target).map_err(|_| self.type_error(column, role, array.data_type(), expected))
    }

    /// Converts every cell of `role`'s column with `each(row)`.
    fn convert<T>(
        &self,
        role: &'static str,
        required: bool,
        prepare: impl FnOnce(&str, &ArrayRef) -> Result<Each<'a, T>, RecordError>,
    ) -> Result<Column<T>, RecordError> {
        let Some((name, array)) = self.open(role, required)? else {
            return Ok(Column {
                source: self.table.source.clone(),
                name: self.table.column_name(role).to_owned(),
                cells: None,
            });
        };
        let each = prepare(&name, array)?;
        let nulls = array.logical_nulls();
        let cells = (0..array.len())
            .map(|row| {
                if nulls.as_ref().is_some_and(|n| n.is_null(row)) {
                    Ok(None)
                } else {
                    each(row)
                }
            })
            .collect();
        Ok(Column {
            source: self.table.source.clone(),
            name,
            cells: Some(cells),
        })
    }

    /// Customer ids: integer or text columns, read as the table's
    /// [`IdKind`] says.
    pub(super) fn ids(
        &self,
        role: &'static str,
        required: bool,
    ) -> Result<Column<CustomerId>, RecordError> {
        const EXPECTED: &str = "customer ids (integers or text)";
        const FLOAT: &str = "customer ids (integers or text; a float id column usually means an integer column \
                             with missing values: drop them or cast the column to int64)";
        let kind = self.table.ids;
        self.convert(role, required, |name, array| {
            let dt = array.data_type();
            if dt.is_integer() {
                let ints = self.cast_to(name, role, array, &DataType::Int64, EXPECTED)?;
                Ok(Box::new(move |row| {
                    let a = ints.as_primitive::<Int64Type>();
                    if a.is_null(row) {
                        return Err(BEYOND_I64);
                    }
                    let v = a.value(row);
                    Ok(Some(match kind {
                        IdKind::Text => CustomerId::Str(v.to_string()),
                        IdKind::AsGiven | IdKind::Int => CustomerId::Int(v),
                    }))
                }))
            } else if is_text(dt) || matches!(dt, DataType::Null) {
                let text = self.cast_to(name, role, array, &DataType::Utf8, EXPECTED)?;
                Ok(Box::new(move |row| {
                    let v = text.as_string::<i32>().value(row);
                    match kind {
                        IdKind::Int => v
                            .parse::<i64>()
                            .map(|i| Some(CustomerId::Int(i)))
                            .map_err(|_| NOT_AN_INT_ID),
                        IdKind::AsGiven | IdKind::Text => Ok(Some(CustomerId::Str(v.to_owned()))),
                    }
                }))
            } else if dt.is_floating() {
                Err(self.type_error(name, role, dt, FLOAT))
            } else {
                Err(self.type_error(name, role, dt, EXPECTED))
            }
        })
    }

    /// Calendar days: dates, timestamps (their day) or `YYYY-MM-DD` text.
    pub(super) fn days(
        &self,
        role: &'static str,
        required: bool,
    ) -> Result<Column<NaiveDate>, RecordError> {
        const EXPECTED: &str = "a date, a timestamp or YYYY-MM-DD text";
        self.convert(role, required, |name, array| {
            let days = self.temporal(name, role, array, &DataType::Date32, EXPECTED)?;
            Ok(Box::new(move |row| {
                let a = days.as_primitive::<Date32Type>();
                if a.is_null(row) {
                    return Err(NOT_A_DATE);
                }
                NaiveDate::from_num_days_from_ce_opt(a.value(row).saturating_add(719_163))
                    .map(Some)
                    .ok_or(NOT_A_DATE)
            }))
        })
    }

    /// Instants: timestamps (zone-less ones are UTC), dates (midnight UTC)
    /// or ISO 8601 / RFC 3339 text.
    pub(super) fn times(
        &self,
        role: &'static str,
        required: bool,
    ) -> Result<Column<DateTime<Utc>>, RecordError> {
        const EXPECTED: &str = "a timestamp, a date or ISO 8601 text";
        // Zone-less: zoned timestamps lose their zone first (their values
        // are UTC), and text with an offset is converted to UTC by the cast.
        let target = DataType::Timestamp(TimeUnit::Microsecond, None);
        self.convert(role, required, |name, array| {
            let times = self.temporal(name, role, array, &target, EXPECTED)?;
            Ok(Box::new(move |row| {
                let a = times.as_primitive::<TimestampMicrosecondType>();
                if a.is_null(row) {
                    return Err(NOT_A_TIME);
                }
                DateTime::from_timestamp_micros(a.value(row))
                    .map(Some)
                    .ok_or(NOT_A_TIME)
            }))
        })
    }

    /// A temporal or text column cast to `target` (a cell the cast cannot
    /// read becomes null there, and the caller reports it).
    fn temporal(
        &self,
        name: &str,
        role: &'static str,
        array: &ArrayRef,
        target: &DataType,
        expected: &'static str,
    ) -> Result<ArrayRef, RecordError> {
        let dt = array.data_type();
        let readable = matches!(
            dt,
            DataType::Timestamp(_, _) | DataType::Date32 | DataType::Date64 | DataType::Null
        ) || is_text(dt);
        if !readable {
            return Err(self.type_error(name, role, dt, expected));
        }
        let plain = if is_text(dt) && !matches!(dt, DataType::Utf8) {
            self.cast_to(name, role, array, &DataType::Utf8, expected)?
        } else {
            utc_values(array)
        };
        self.cast_to(name, role, &plain, target, expected)
    }

    /// Text (names, segments, channels), dictionary-encoded or not.
    pub(super) fn texts(
        &self,
        role: &'static str,
        required: bool,
    ) -> Result<Column<String>, RecordError> {
        self.convert(role, required, |name, array| {
            let dt = array.data_type();
            if !is_text(dt) && !matches!(dt, DataType::Null) {
                return Err(self.type_error(name, role, dt, "text"));
            }
            let text = self.cast_to(name, role, array, &DataType::Utf8, "text")?;
            Ok(Box::new(move |row| {
                Ok(Some(text.as_string::<i32>().value(row).to_owned()))
            }))
        })
    }

    /// Whole numbers: integers, whole floats (NaN is null, as pandas writes
    /// a missing integer) or integer text.
    pub(super) fn whole(
        &self,
        role: &'static str,
        required: bool,
    ) -> Result<Column<i64>, RecordError> {
        const EXPECTED: &str = "whole numbers (integers, whole floats or integer text)";
        self.convert(role, required, |name, array| {
            let dt = array.data_type();
            if dt.is_integer() {
                let ints = self.cast_to(name, role, array, &DataType::Int64, EXPECTED)?;
                Ok(Box::new(move |row| {
                    let a = ints.as_primitive::<Int64Type>();
                    if a.is_null(row) {
                        Err(BEYOND_I64)
                    } else {
                        Ok(Some(a.value(row)))
                    }
                }))
            } else if dt.is_floating() {
                let floats = self.cast_to(name, role, array, &DataType::Float64, EXPECTED)?;
                Ok(Box::new(move |row| {
                    let x = floats.as_primitive::<Float64Type>().value(row);
                    if x.is_nan() {
                        Ok(None)
                    } else if !x.is_finite() || x.fract() != 0.0 {
                        Err(NOT_WHOLE)
                    } else if x.abs() >= 9.2e18 {
                        Err(BEYOND_I64)
                    } else {
                        // Whole and within i64: the conversion is exact.
                        Ok(Some(x as i64))
                    }
                }))
            } else if is_text(dt) || matches!(dt, DataType::Null) {
                let text = self.cast_to(name, role, array, &DataType::Utf8, EXPECTED)?;
                Ok(Box::new(move |row| {
                    text.as_string::<i32>()
                        .value(row)
                        .parse::<i64>()
                        .map(Some)
                        .map_err(|_| NOT_WHOLE)
                }))
            } else {
                Err(self.type_error(name, role, dt, EXPECTED))
            }
        })
    }
}

/// A zoned timestamp column as the zone-less column of its UTC values
/// (Arrow stores zoned timestamps in UTC), so that no time-zone name needs
/// to be understood; any other column as it is.
fn utc_values(array: &ArrayRef) -> ArrayRef {
    use arrow::array::PrimitiveArray;
    use arrow::datatypes::{
        TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType,
    };
    fn strip<T: arrow::datatypes::ArrowTimestampType>(a: &ArrayRef) -> ArrayRef {
        let p: &PrimitiveArray<T> = a.as_primitive::<T>();
        std::sync::Arc::new(p.clone().with_timezone_opt(None::<String>))
    }
    match array.data_type() {
        DataType::Timestamp(unit, Some(_)) => match unit {
            TimeUnit::Second => strip::<TimestampSecondType>(array),
            TimeUnit::Millisecond => strip::<TimestampMillisecondType>(array),
            TimeUnit::Microsecond => strip::<TimestampMicrosecondType>(array),
            TimeUnit::Nanosecond => strip::<TimestampNanosecondType>(array),
        },
        _ => array.clone(),
    }
}

impl<T: Clone> Column<T> {
    /// The cell at 0-based `row`: its value, `None` when null or the column
    /// is absent, or the error of a bad value.
    pub(super) fn get(&self, row: usize) -> Result<Option<T>, RecordError> {
        match self.cells.as_ref().and_then(|c| c.get(row)) {
            None => Ok(None),
            Some(Ok(v)) => Ok(v.clone()),
            Some(Err(bad)) => Err(self.value(row, bad.rule, bad.problem)),
        }
    }

    /// The value of a required cell: null is "missing".
    pub(super) fn need(&self, row: usize) -> Result<T, RecordError> {
        self.get(row)?
            .ok_or_else(|| self.value(row, "not_null", "value is missing (null or empty)"))
    }

    /// The error of a bad value at 0-based `row`.
    pub(super) fn value(
        &self,
        row: usize,
        rule: &'static str,
        problem: &'static str,
    ) -> RecordError {
        RecordError::Value {
            source_name: self.source.clone(),
            row: row as u64 + 1,
            column: self.name.clone(),
            rule,
            problem,
        }
    }

    /// A name outside crm-core's vocabulary at 0-based `row`.
    pub(super) fn unknown(&self, row: usize, error: UnknownName) -> RecordError {
        RecordError::Name {
            source_name: self.source.clone(),
            row: row as u64 + 1,
            column: self.name.clone(),
            error,
        }
    }
}
