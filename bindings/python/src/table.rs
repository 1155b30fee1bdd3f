//! `ArrowTable`: the Arrow result of every call, readable by pyarrow, polars
//! and pandas through the Arrow PyCapsule interface, and picklable (the
//! state is the table in Arrow IPC stream format).

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, StructArray};
use arrow::datatypes::{Field, Schema, SchemaRef};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule, PyTuple};
use pyo3_arrow::ffi::{ArrayIterator, to_schema_pycapsule, to_stream_pycapsule};

use crm_io::tables::MoneyType;

use crate::error::{Error, Kind, Result, run};

/// An immutable Arrow table made by crm_engine.
///
/// Read it with `pa.table(t)`, `pl.from_arrow(t)` / `pl.DataFrame(t)`, or
/// through the `crm_engine` result classes (`.to_pandas()`).
#[pyclass(module = "crm_engine._crm_engine", name = "ArrowTable", frozen)]
#[derive(Debug, Clone)]
pub struct ArrowTable {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
}

impl ArrowTable {
    /// A table of one batch built from named columns.
    pub fn from_columns(columns: Vec<(&str, ArrayRef)>) -> Result<ArrowTable> {
        let fields: Vec<Field> = columns
            .iter()
            .map(|(name, a)| Field::new(*name, a.data_type().clone(), true))
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let arrays = columns.into_iter().map(|(_, a)| a).collect();
        let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(|e| {
            Error::new(
                Kind::Internal,
                format!("internal error building the result table: {e}"),
            )
        })?;
        Ok(ArrowTable {
            schema,
            batches: vec![batch],
        })
    }

    /// A table of one batch from a crm-io result table (the one layout of
    /// every front end: `crm_io::tables`).
    pub fn from_table(table: &crm_io::tables::Table) -> Result<ArrowTable> {
        let batch = table.batch().map_err(|e| {
            Error::new(
                Kind::Internal,
                format!("internal error building the result table: {e}"),
            )
        })?;
        Ok(ArrowTable {
            schema: batch.schema(),
            batches: vec![batch],
        })
    }

    /// The batches.
    pub fn batches(&self) -> &[RecordBatch] {
        &self.batches
    }

    fn ipc(&self) -> Result<Vec<u8>> {
        crm_io::ipc::write_stream(&self.schema, &self.batches).map_err(|e| {
            Error::new(
                Kind::Internal,
                format!("could not serialise the table: {e}"),
            )
        })
    }

    /// The table of Arrow IPC stream bytes: crm-io checks every length
    /// against the buffer before decoding and catches decoder panics, so a
    /// corrupted blob is an `InvalidValueError` (rule `well_formed`), never
    /// an abort or an `InternalError`.
    fn from_ipc_bytes(bytes: &[u8]) -> Result<ArrowTable> {
        let (schema, batches) = crm_io::ipc::read_stream(bytes, "the IPC bytes")
            .map_err(|e| Error::core("ArrowTable.from_ipc", &e))?;
        Ok(ArrowTable { schema, batches })
    }
}

#[pymethods]
impl ArrowTable {
    /// Rebuilds a table from the bytes of :meth:`to_ipc` (Arrow IPC stream).
    #[staticmethod]
    fn from_ipc(py: Python<'_>, data: &[u8]) -> PyResult<ArrowTable> {
        let data = data.to_vec();
        run(py, move || ArrowTable::from_ipc_bytes(&data))
    }

    /// The table in Arrow IPC stream format.
    fn to_ipc<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = run(py, || self.ipc())?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Rows in the table.
    #[getter]
    fn num_rows(&self) -> usize {
        self.batches.iter().map(|b| b.num_rows()).sum()
    }

    /// The column names, in order.
    #[getter]
    fn column_names(&self) -> Vec<String> {
        self.schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    fn __len__(&self) -> usize {
        self.num_rows()
    }

    fn __repr__(&self) -> String {
        let cols: Vec<String> = self
            .schema
            .fields()
            .iter()
            .map(|f| format!("{}: {}", f.name(), f.data_type()))
            .collect();
        format!("ArrowTable({} rows; {})", self.num_rows(), cols.join(", "))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<ArrowTable>() {
            Ok(o) => {
                let o = o.get();
                self.schema == o.schema && self.batches == o.batches
            }
            Err(_) => false,
        }
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let ctor = slf.get_type().getattr("from_ipc")?;
        let bytes = slf.get().to_ipc(py)?;
        PyTuple::new(py, [ctor.into_any(), PyTuple::new(py, [bytes])?.into_any()])
    }

    /// Arrow PyCapsule interface: the schema.
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        Ok(to_schema_pycapsule(py, self.schema.as_ref())?)
    }

    /// Arrow PyCapsule interface: the table as a stream of record batches.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyCapsule>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let fields = self.schema.fields().clone();
        let batches = self.batches.clone();
        let reader = batches
            .into_iter()
            .map(|b| Ok(Arc::new(StructArray::from(b)) as ArrayRef));
        let field = Arc::new(
            Field::new_struct("", fields, false).with_metadata(self.schema.metadata().clone()),
        );
        let reader = Box::new(ArrayIterator::new(reader, field));
        Ok(to_stream_pycapsule(py, reader, requested_schema)?)
    }
}

/// The money type a Python caller named (`"decimal128"` or `"float64"`).
pub fn money_type(text: &str) -> Result<MoneyType> {
    text.parse().map_err(|e| Error::core("money", &e))
}

/// The golden layout of a result table (`crates/crm-io/schemas/<table>.json`),
/// or `None` for a table without one. Tests compare it with [`layout`].
#[pyfunction]
pub fn golden_layout(table: &str) -> Option<&'static str> {
    crm_io::tables::golden_layout(table)
}

/// The layout of `table` in the golden files' form, named `name`.
#[pyfunction]
pub fn layout(table: &ArrowTable, name: &str) -> String {
    crm_io::tables::layout(name, &table.schema)
}
