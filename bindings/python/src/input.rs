//! Reading the caller's table: any object with the Arrow PyCapsule interface
//! (`__arrow_c_stream__` or `__arrow_c_array__`), or a mapping of column name
//! to array (numpy arrays through the buffer protocol, Arrow arrays, polars
//! or pyarrow series). Import is zero-copy; a column split into chunks is
//! joined once.

use arrow::array::{Array, ArrayRef, RecordBatch};
use arrow::compute::concat;
use arrow::datatypes::{DataType, SchemaRef};
use pyo3::prelude::*;
use pyo3::types::{PyMapping, PyString};
use pyo3_arrow::input::AnyArray;
use pyo3_arrow::{PyRecordBatch, PyTable};

use crm_io::columns::ColumnError;

use crate::error::{Error, Kind, Result};

/// The class name of a Python exception, without its message: pyarrow's
/// messages quote the values they could not convert (personal data).
fn exception_name(py: Python<'_>, e: &PyErr) -> String {
    e.get_type(py)
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "error".to_owned())
}

/// The columns of one input table, as Arrow chunks.
#[derive(Debug)]
pub struct InputTable {
    /// What the caller called the input, for messages (e.g. `transactions`).
    pub what: &'static str,
    names: Vec<String>,
    /// Each column's type (an empty stream has no chunk to tell it).
    types: Vec<DataType>,
    chunks: Vec<Vec<ArrayRef>>,
}

impl InputTable {
    /// Reads a Python object (see the module docs). Holds the GIL.
    pub fn from_py(what: &'static str, data: &Bound<'_, PyAny>) -> PyResult<InputTable> {
        let py = data.py();
        if data.hasattr(pyo3::intern!(py, "__arrow_c_stream__"))?
            && !data.is_instance_of::<PyMapping>()
        {
            let table: PyTable = data.extract().map_err(|e| {
                Error::new(
                    Kind::Dtype,
                    format!(
                        "{what}: could not read the Arrow stream ({}): a column holds values of mixed or \
                         unsupported types",
                        exception_name(py, &e)
                    ),
                )
                .into_pyerr(py)
            })?;
            let (batches, schema) = table.into_inner();
            return Ok(Self::from_batches(what, &schema, &batches));
        }
        if data.hasattr(pyo3::intern!(py, "__arrow_c_array__"))? {
            let batch: PyRecordBatch = data.extract().map_err(|e| {
                Error::new(
                    Kind::Dtype,
                    format!(
                        "{what}: expected a table (an Arrow struct array or record batch; {})",
                        exception_name(py, &e)
                    ),
                )
                .into_pyerr(py)
            })?;
            let batch = batch.into_inner();
            return Ok(Self::from_batches(what, &batch.schema(), &[batch]));
        }
        if let Ok(mapping) = data.cast::<PyMapping>() {
            let mut names = Vec::new();
            let mut types = Vec::new();
            let mut chunks = Vec::new();
            for item in mapping.items()?.iter() {
                let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
                let name = key.cast::<PyString>().map_err(|_| {
                    Error::new(
                        Kind::Dtype,
                        format!("{what}: column names of a mapping must be strings"),
                    )
                    .into_pyerr(py)
                })?;
                let name = name.to_str()?.to_owned();
                let array: AnyArray = value.extract().map_err(|e| {
                    Error::new(
                        Kind::Dtype,
                        format!(
                            "{what}: column `{name}` is not an array crm_engine can read (numpy numeric array, \
                             Arrow array or series; {})",
                            exception_name(py, &e)
                        ),
                    )
                    .column(&name)
                    .into_pyerr(py)
                })?;
                let chunked = array.into_chunked_array().map_err(|_| {
                    Error::new(
                        Kind::Dtype,
                        format!("{what}: column `{name}` could not be read as one Arrow array"),
                    )
                    .column(&name)
                    .into_pyerr(py)
                })?;
                let (arrays, field) = chunked.into_inner();
                names.push(name);
                types.push(field.data_type().clone());
                chunks.push(arrays);
            }
            return Ok(InputTable {
                what,
                names,
                types,
                chunks,
            });
        }
        let type_name = data
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "?".to_owned());
        Err(Error::new(
            Kind::Dtype,
            format!(
                "{what}: expected a table (pyarrow, polars, pandas >= 2.2, duckdb: anything with \
                 __arrow_c_stream__) or a mapping of column name to array, got {type_name}"
            ),
        )
        .into_pyerr(py))
    }

    /// A table from Arrow record batches (what the Python readers produce;
    /// public for the Rust-only baseline benchmark).
    pub fn from_batches(
        what: &'static str,
        schema: &SchemaRef,
        batches: &[RecordBatch],
    ) -> InputTable {
        let names = schema.fields().iter().map(|f| f.name().clone()).collect();
        let types = schema
            .fields()
            .iter()
            .map(|f| f.data_type().clone())
            .collect();
        let chunks = (0..schema.fields().len())
            .map(|i| batches.iter().map(|b| b.column(i).clone()).collect())
            .collect();
        InputTable {
            what,
            names,
            types,
            chunks,
        }
    }

    /// The column names, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Is there a column called `name`?
    pub fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// The column `name` as one array; `role` says what it is for, in the
    /// message of a missing column.
    pub fn column(&self, name: &str, role: &str) -> Result<ArrayRef> {
        let Some(i) = self.names.iter().position(|n| n == name) else {
            return Err(Error::core(
                self.what,
                &ColumnError::missing(name, role, &self.names),
            ));
        };
        let parts = &self.chunks[i];
        match parts.len() {
            0 => Ok(arrow::array::new_empty_array(&self.types[i])),
            1 => Ok(parts[0].clone()),
            _ => {
                let refs: Vec<&dyn Array> = parts.iter().map(|a| a.as_ref()).collect();
                concat(&refs).map_err(|_| {
                    crate::convert::dtype_error(
                        self.what,
                        name,
                        role,
                        &self.types[i],
                        "one type in every chunk",
                    )
                })
            }
        }
    }

    /// Rows in the table (the length of its first column; columns of a
    /// mapping are checked against each other by the caller).
    pub fn num_rows(&self) -> usize {
        self.chunks
            .first()
            .map(|c| c.iter().map(|a| a.len()).sum())
            .unwrap_or(0)
    }
}

/// Checks that the columns of a call have one length.
pub fn same_length(what: &str, columns: &[(&str, &ArrayRef)]) -> Result<usize> {
    let Some((first_name, first)) = columns.first() else {
        return Ok(0);
    };
    for (name, c) in &columns[1..] {
        if c.len() != first.len() {
            return Err(Error::core(
                what,
                &ColumnError::Length {
                    column: (*name).to_owned(),
                    found: c.len(),
                    first: (*first_name).to_owned(),
                    expected: first.len(),
                },
            ));
        }
    }
    Ok(first.len())
}
