//! Text encodings of columns a text format cannot carry as they are.
//!
//! CSV has no list type: a `list<utf8>` column (the behaviours of the
//! tiers table) is written as its items joined with `;` (empty text for an
//! empty list, a missing field for a null list). Every front end that
//! writes CSV goes through [`csv_ready`], so the encoding is the same
//! everywhere.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema};

use crate::IoError;

/// The separator of list items in CSV.
pub const LIST_SEPARATOR: char = ';';

/// `batch` with every `list<utf8>` column joined into `utf8` text
/// ([`LIST_SEPARATOR`]); other columns unchanged (shared, not copied).
///
/// # Errors
///
/// Only if the rebuilt batch is inconsistent, which would be a bug.
///
/// ```
/// use std::sync::Arc;
/// use arrow::array::{Array, AsArray, ListBuilder, RecordBatch, StringBuilder};
/// let mut l = ListBuilder::new(StringBuilder::new());
/// l.values().append_value("price_driven");
/// l.values().append_value("unprofitable");
/// l.append(true);
/// l.append(true);
/// let batch = RecordBatch::try_from_iter([("behaviours", Arc::new(l.finish()) as _)]).unwrap();
/// let text = crm_io::tables::text::csv_ready(&batch)?;
/// let col = text.column(0).as_string::<i32>();
/// assert_eq!(col.value(0), "price_driven;unprofitable");
/// assert_eq!(col.value(1), "");
/// # Ok::<(), crm_io::IoError>(())
/// ```
pub fn csv_ready(batch: &RecordBatch) -> Result<RecordBatch, IoError> {
    let schema = batch.schema();
    let mut fields = Vec::with_capacity(batch.num_columns());
    let mut columns = Vec::with_capacity(batch.num_columns());
    for (field, column) in schema.fields().iter().zip(batch.columns()) {
        match column.data_type() {
            DataType::List(item) if item.data_type() == &DataType::Utf8 => {
                fields.push(Field::new(field.name(), DataType::Utf8, true));
                columns.push(joined(column));
            }
            _ => {
                fields.push(field.as_ref().clone());
                columns.push(column.clone());
            }
        }
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| IoError::read("result table", e))
}

fn joined(column: &ArrayRef) -> ArrayRef {
    let lists = column.as_list::<i32>();
    let mut out = StringBuilder::with_capacity(lists.len(), 0);
    let mut text = String::new();
    for i in 0..lists.len() {
        if lists.is_null(i) {
            out.append_null();
            continue;
        }
        text.clear();
        let items = lists.value(i);
        for (k, item) in items.as_string::<i32>().iter().enumerate() {
            if k > 0 {
                text.push(LIST_SEPARATOR);
            }
            text.push_str(item.unwrap_or(""));
        }
        out.append_value(&text);
    }
    Arc::new(out.finish())
}
