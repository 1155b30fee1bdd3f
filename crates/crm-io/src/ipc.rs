//! Arrow IPC streams: the bytes of a pickled result table (the Python
//! `ArrowTable.from_ipc`) and the Arrow schema embedded in Parquet files.
//!
//! Bytes from outside are hostile: a corrupted length must not become a
//! 140 TB allocation, and a corrupted schema must not reach the `unwrap`s
//! and `panic!`s of `arrow_ipc::convert::fb_to_schema`. So before any
//! decoding, [`check_stream`] walks the stream's framing and checks every
//! length against the buffer (metadata length, body length, each buffer's
//! offset and length inside the body) and every schema with
//! [`check_schema`]; only then does arrow-ipc's [`StreamDecoder`] (which
//! slices the given buffer instead of allocating what a header claims)
//! decode it, with array validation on, under the panic guard of
//! [`crate::damaged`].

use arrow::array::RecordBatch;
use arrow::buffer::Buffer;
use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use arrow_ipc::reader::StreamDecoder;
use arrow_ipc::writer::StreamWriter;
use arrow_ipc::{
    DateUnit, Endianness, Field, IntervalUnit, Message, MessageHeader, Precision, Schema, TimeUnit,
    Type,
};

use crate::{IoError, damaged};

/// The format name in [`IoError::Damaged`].
pub const FORMAT: &str = "Arrow IPC";

/// The continuation marker before each message's length.
const CONTINUATION: u32 = 0xFFFF_FFFF;

/// Decodes an Arrow IPC stream (as [`write_stream`] writes it) into its
/// schema and record batches.
///
/// # Errors
///
/// [`IoError::Damaged`] (rule `well_formed`) naming `source_name` for bytes
/// that are not a whole, valid stream: truncated, a length beyond the
/// buffer, a corrupted schema, arrays that fail validation, or a decoder
/// panic.
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use arrow::array::{ArrayRef, Int64Array, RecordBatch};
/// let batch = RecordBatch::try_from_iter([("n", Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef)])?;
/// let bytes = crm_io::ipc::write_stream(&batch.schema(), &[batch.clone()])?;
/// let (schema, batches) = crm_io::ipc::read_stream(&bytes, "blob")?;
/// assert_eq!((schema, batches), (batch.schema(), vec![batch]));
/// let e = crm_io::ipc::read_stream(&bytes[..bytes.len() - 9], "blob").unwrap_err();
/// assert!(e.to_string().starts_with("blob: damaged Arrow IPC data"), "{e}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_stream(
    bytes: &[u8],
    source_name: &str,
) -> Result<(SchemaRef, Vec<RecordBatch>), IoError> {
    check_stream(bytes).map_err(|d| IoError::damaged(source_name, FORMAT, d))?;
    let fail = |e: ArrowError| IoError::damaged(source_name, FORMAT, e);
    damaged::guarded(source_name, FORMAT, || {
        let mut decoder = StreamDecoder::new();
        let mut buffer = Buffer::from(bytes);
        let mut batches = Vec::new();
        while let Some(batch) = decoder.decode(&mut buffer).map_err(fail)? {
            batches.push(batch);
        }
        decoder.finish().map_err(fail)?;
        let schema = decoder
            .schema()
            .ok_or_else(|| IoError::damaged(source_name, FORMAT, "the stream has no schema"))?;
        Ok((schema, batches))
    })
}

/// Writes `batches` as an Arrow IPC stream (uncompressed, little-endian):
/// what [`read_stream`] reads.
///
/// # Errors
///
/// Arrow's error when a batch does not match `schema`.
///
/// # Example
///
/// See [`read_stream`].
pub fn write_stream(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<Vec<u8>, ArrowError> {
    let mut out = Vec::new();
    let mut w = StreamWriter::try_new(&mut out, schema)?;
    for b in batches {
        w.write(b)?;
    }
    w.finish()?;
    drop(w);
    Ok(out)
}

/// Checks the framing of a whole stream without decoding any array: each
/// message's metadata and body lie inside `bytes`, the metadata is a valid
/// flatbuffer, the first message is a schema that passes [`check_schema`],
/// and each batch's buffers lie inside its body. Returns what is broken.
///
/// # Errors
///
/// A sentence saying what is broken (never the bytes themselves).
///
/// # Example
///
/// ```
/// assert!(crm_io::ipc::check_stream(&[0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x10]).is_err());
/// ```
pub fn check_stream(bytes: &[u8]) -> Result<(), String> {
    let mut pos = 0usize;
    let mut schema = None;
    while pos < bytes.len() {
        let mut len = read_u32(bytes, pos)?;
        pos += 4;
        if len == CONTINUATION {
            len = read_u32(bytes, pos)?;
            pos += 4;
        }
        let len = i32::from_le_bytes(len.to_le_bytes());
        if len == 0 {
            // End of stream: nothing may follow.
            return if pos == bytes.len() {
                seen(schema)
            } else {
                Err(format!(
                    "{} bytes follow the end of the stream",
                    bytes.len() - pos
                ))
            };
        }
        let len = usize::try_from(len)
            .map_err(|_| format!("a message at byte {pos} has a negative length"))?;
        let meta = bytes
            .get(pos..)
            .and_then(|rest| rest.get(..len))
            .ok_or_else(|| format!("a message at byte {pos} is longer than the data"))?;
        let message = arrow_ipc::root_as_message(meta)
            .map_err(|_| format!("the message at byte {pos} is not a valid flatbuffer"))?;
        pos += len;
        let body = usize::try_from(message.bodyLength())
            .map_err(|_| format!("the message body at byte {pos} has a negative length"))?;
        if body > bytes.len() - pos {
            return Err(format!(
                "the message body at byte {pos} is longer than the data"
            ));
        }
        check_message(&message, body, &mut schema)?;
        pos += body;
    }
    // A writer always ends the stream with a zero length: without it, a
    // stream cut at a message boundary would silently lose its last rows.
    Err("the stream has no end marker (it is truncated)".to_owned())
}

fn seen(schema: Option<Schema<'_>>) -> Result<(), String> {
    match schema {
        Some(_) => Ok(()),
        None => Err("the stream has no schema".to_owned()),
    }
}

fn read_u32(bytes: &[u8], pos: usize) -> Result<u32, String> {
    bytes
        .get(pos..pos.saturating_add(4))
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_le_bytes)
        .ok_or_else(|| format!("the stream is truncated at byte {pos}"))
}

/// One message: a schema first (and only once), then record and
/// dictionary batches whose buffers lie inside the `body` bytes and whose
/// columns' validity bitmaps cover their lengths.
fn check_message<'a>(
    message: &Message<'a>,
    body: usize,
    schema: &mut Option<Schema<'a>>,
) -> Result<(), String> {
    let header = message.header_type();
    let known = match (header, *schema) {
        (MessageHeader::Schema, None) => {
            let fb = message
                .header_as_schema()
                .ok_or("the schema message has no schema")?;
            check_schema(&fb)?;
            *schema = Some(fb);
            return Ok(());
        }
        (MessageHeader::Schema, Some(_)) => return Err("the stream has a second schema".to_owned()),
        (_, None) => return Err("the stream does not begin with a schema".to_owned()),
        (_, Some(known)) => known,
    };
    let fields = known.fields().ok_or("the schema has no field list")?;
    let (batch, columns) = match header {
        MessageHeader::RecordBatch => (
            message.header_as_record_batch(),
            fields.iter().map(|f| (f, true)).collect::<Vec<_>>(),
        ),
        MessageHeader::DictionaryBatch => {
            let dictionary = message
                .header_as_dictionary_batch()
                .ok_or("a dictionary message has no dictionary")?;
            let field = dictionary_field(fields.iter(), dictionary.id())
                .ok_or("a dictionary batch belongs to no column")?;
            (dictionary.data(), vec![(field, false)])
        }
        _ => return Err("the stream holds a message that is not a table's".to_owned()),
    };
    let batch = batch.ok_or("a batch message has no batch")?;
    if batch.compression().is_some() {
        return Err("compressed batches are not read".to_owned());
    }
    if batch.length() < 0 {
        return Err("a batch has a negative length".to_owned());
    }
    let nodes: Vec<_> = batch.nodes().iter().flatten().collect();
    for node in &nodes {
        if node.length() < 0 || node.null_count() < 0 || node.null_count() > node.length() {
            return Err("a column of a batch has an impossible length".to_owned());
        }
    }
    let buffers: Vec<_> = batch.buffers().iter().flatten().collect();
    for buffer in &buffers {
        let inside = usize::try_from(buffer.offset())
            .ok()
            .zip(usize::try_from(buffer.length()).ok())
            .and_then(|(o, l)| o.checked_add(l))
            .is_some_and(|end| end <= body);
        if !inside {
            return Err("a buffer of a batch lies outside the message body".to_owned());
        }
        // The format pads every buffer to a multiple of 8 bytes; a decoder
        // handed a misaligned one asserts instead of refusing it.
        if buffer.offset() % 8 != 0 {
            return Err("a buffer of a batch is not aligned to 8 bytes".to_owned());
        }
    }
    let variadic: Vec<i64> = batch.variadicBufferCounts().iter().flatten().collect();
    let mut layout = Layout {
        nodes: nodes.iter().map(|n| (n.length(), n.null_count())).collect(),
        buffers: buffers.iter().map(|b| b.length()).collect(),
        variadic,
        node: 0,
        buffer: 0,
        count: 0,
    };
    for (field, may_be_dictionary) in columns {
        layout.column(&field, may_be_dictionary)?;
    }
    Ok(())
}

/// The field, anywhere in the schema, whose dictionary has `id`.
fn dictionary_field<'a>(fields: impl Iterator<Item = Field<'a>>, id: i64) -> Option<Field<'a>> {
    for field in fields {
        if field.dictionary().is_some_and(|d| d.id() == id) {
            return Some(field);
        }
        if let Some(found) = field
            .children()
            .and_then(|c| dictionary_field(c.iter(), id))
        {
            return Some(found);
        }
    }
    None
}

/// Walks a batch's nodes and buffers in the order arrow-ipc's decoder takes
/// them, checking that each validity bitmap covers its column's length
/// (arrow-data asserts it, and panics, before validating anything).
struct Layout {
    nodes: Vec<(i64, i64)>,
    buffers: Vec<i64>,
    variadic: Vec<i64>,
    node: usize,
    buffer: usize,
    count: usize,
}

impl Layout {
    /// The next node, and its `buffers` buffers (the first is the validity
    /// bitmap when the type has one).
    fn take(&mut self, buffers: usize, validity: bool) -> Result<(), String> {
        let short = || "a batch has fewer columns or buffers than its schema needs".to_owned();
        let &(length, nulls) = self.nodes.get(self.node).ok_or_else(short)?;
        self.node += 1;
        let first = self.buffer;
        self.buffer += buffers;
        if self.buffer > self.buffers.len() {
            return Err(short());
        }
        if validity && nulls > 0 {
            let bits = self.buffers[first].saturating_mul(8);
            if bits < length {
                return Err("a column's validity bitmap is shorter than the column".to_owned());
            }
        }
        Ok(())
    }

    /// [`Layout::take`] of a variable-width column (validity, offsets of
    /// `width` bytes, data), whose offsets buffer must hold whole offsets.
    fn take_offsets(&mut self, width: usize) -> Result<(), String> {
        self.take(3, true)?;
        let offsets = self.buffers.get(self.buffer - 2).copied().unwrap_or(0);
        match usize::try_from(offsets) {
            Ok(bytes) if bytes % width != 0 => {
                Err("a column's offsets buffer does not hold whole offsets".to_owned())
            }
            _ => Ok(()),
        }
    }

    /// [`Layout::take`] of a fixed-width column (validity, values) whose
    /// values buffer must hold whole values of `width` bytes: arrow-buffer
    /// asserts it when the decoder views the bytes as values.
    fn take_values(&mut self, width: Option<usize>) -> Result<(), String> {
        self.take(2, true)?;
        let values = self.buffers.get(self.buffer - 1).copied().unwrap_or(0);
        match (width, usize::try_from(values)) {
            (Some(w), Ok(bytes)) if bytes % w != 0 => {
                Err("a column's values buffer does not hold whole values".to_owned())
            }
            _ => Ok(()),
        }
    }

    fn column(&mut self, field: &Field<'_>, may_be_dictionary: bool) -> Result<(), String> {
        if may_be_dictionary && field.dictionary().is_some() {
            // The indices; the values come in a dictionary batch.
            let width = field
                .dictionary()
                .and_then(|d| d.indexType())
                .and_then(|i| usize::try_from(i.bitWidth() / 8).ok());
            return self.take_values(width);
        }
        let children = |layout: &mut Layout| -> Result<(), String> {
            for child in field.children().iter().flat_map(|c| c.iter()) {
                layout.column(&child, true)?;
            }
            Ok(())
        };
        match field.type_type() {
            Type::Null => self.take(0, false),
            Type::Utf8 | Type::Binary => self.take_offsets(4),
            Type::LargeUtf8 | Type::LargeBinary => self.take_offsets(8),
            Type::Utf8View | Type::BinaryView => {
                let extra = self
                    .variadic
                    .get(self.count)
                    .copied()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or("a view column has no buffer count")?;
                self.count += 1;
                self.take(extra.saturating_add(2), true)
            }
            Type::List | Type::LargeList | Type::Map => {
                self.take(2, true)?;
                children(self)
            }
            Type::ListView | Type::LargeListView => {
                self.take(3, true)?;
                children(self)
            }
            Type::FixedSizeList | Type::Struct_ => {
                self.take(1, true)?;
                children(self)
            }
            Type::RunEndEncoded => {
                self.take(0, false)?;
                children(self)
            }
            _ => self.take_values(value_width(field)),
        }
    }
}

/// The byte width of one value of a fixed-width column (`None`: booleans,
/// which are bits, and types without a fixed width).
fn value_width(field: &Field<'_>) -> Option<usize> {
    let bits = |b: i32| usize::try_from(b / 8).ok().filter(|&w| w > 0);
    match field.type_type() {
        Type::Int => field.type_as_int().and_then(|t| bits(t.bitWidth())),
        Type::FloatingPoint => field.type_as_floating_point().map(|t| match t.precision() {
            Precision::HALF => 2,
            Precision::SINGLE => 4,
            _ => 8,
        }),
        Type::Decimal => field.type_as_decimal().and_then(|t| bits(t.bitWidth())),
        Type::Date => field.type_as_date().map(|t| match t.unit() {
            DateUnit::DAY => 4,
            _ => 8,
        }),
        Type::Time => field.type_as_time().and_then(|t| bits(t.bitWidth())),
        Type::Timestamp | Type::Duration => Some(8),
        Type::Interval => field.type_as_interval().map(|t| match t.unit() {
            IntervalUnit::YEAR_MONTH => 4,
            IntervalUnit::DAY_TIME => 8,
            _ => 16,
        }),
        Type::FixedSizeBinary => field
            .type_as_fixed_size_binary()
            .and_then(|t| usize::try_from(t.byteWidth()).ok())
            .filter(|&w| w > 0),
        _ => None,
    }
}

/// Checks an IPC schema for everything that `arrow_ipc::convert::fb_to_schema`
/// would `unwrap` or `panic!` on: missing type tables, unknown units and
/// widths, wrong child counts, out-of-range decimal precision or scale,
/// negative widths, big-endian data; union columns (never in a table of
/// crm_engine, nor in Parquet) are refused.
///
/// # Errors
///
/// A sentence naming the column at fault (by name: a schema's field names
/// are column names, not customer data).
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use arrow::array::{ArrayRef, Int64Array, RecordBatch};
/// let batch = RecordBatch::try_from_iter([("n", Arc::new(Int64Array::from(vec![1])) as ArrayRef)])?;
/// let bytes = crm_io::ipc::write_stream(&batch.schema(), &[])?;
/// let message = arrow_ipc::root_as_message(&bytes[8..]).map_err(|e| e.to_string())?;
/// assert_eq!(crm_io::ipc::check_schema(&message.header_as_schema().unwrap()), Ok(()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_schema(schema: &Schema<'_>) -> Result<(), String> {
    if schema.endianness() != Endianness::Little {
        return Err("the data is big-endian".to_owned());
    }
    let fields = schema.fields().ok_or("the schema has no field list")?;
    for field in fields.iter() {
        check_field(&field, true)?;
    }
    Ok(())
}

fn check_field(field: &Field<'_>, may_be_dictionary: bool) -> Result<(), String> {
    let name = field.name().unwrap_or_default();
    let bad = |what: &str| format!("column `{name}` {what}");
    if may_be_dictionary && let Some(dictionary) = field.dictionary() {
        let index = dictionary
            .indexType()
            .ok_or_else(|| bad("is a dictionary without an index type"))?;
        if !matches!(index.bitWidth(), 8 | 16 | 32 | 64) {
            return Err(bad("has a dictionary index of an unknown width"));
        }
        return check_field(field, false);
    }
    let children = || field.children().map_or(0, |c| c.len());
    let ok = match field.type_type() {
        Type::Null
        | Type::Bool
        | Type::Binary
        | Type::BinaryView
        | Type::LargeBinary
        | Type::Utf8
        | Type::Utf8View
        | Type::LargeUtf8 => true,
        Type::Int => field
            .type_as_int()
            .is_some_and(|t| matches!(t.bitWidth(), 8 | 16 | 32 | 64)),
        Type::FixedSizeBinary => field
            .type_as_fixed_size_binary()
            .is_some_and(|t| t.byteWidth() >= 0),
        Type::FloatingPoint => field.type_as_floating_point().is_some_and(|t| {
            matches!(
                t.precision(),
                Precision::HALF | Precision::SINGLE | Precision::DOUBLE
            )
        }),
        Type::Date => field
            .type_as_date()
            .is_some_and(|t| matches!(t.unit(), DateUnit::DAY | DateUnit::MILLISECOND)),
        Type::Time => field.type_as_time().is_some_and(|t| {
            matches!(
                (t.bitWidth(), t.unit()),
                (32, TimeUnit::SECOND | TimeUnit::MILLISECOND)
                    | (64, TimeUnit::MICROSECOND | TimeUnit::NANOSECOND)
            )
        }),
        Type::Timestamp => field
            .type_as_timestamp()
            .is_some_and(|t| known_unit(t.unit())),
        Type::Duration => field
            .type_as_duration()
            .is_some_and(|t| known_unit(t.unit())),
        Type::Interval => field.type_as_interval().is_some_and(|t| {
            matches!(
                t.unit(),
                IntervalUnit::YEAR_MONTH | IntervalUnit::DAY_TIME | IntervalUnit::MONTH_DAY_NANO
            )
        }),
        Type::List | Type::LargeList | Type::ListView | Type::LargeListView => children() == 1,
        Type::FixedSizeList => {
            children() == 1
                && field
                    .type_as_fixed_size_list()
                    .is_some_and(|t| t.listSize() >= 0)
        }
        Type::Map => field.type_as_map().is_some() && children() == 1,
        Type::RunEndEncoded => children() == 2,
        Type::Struct_ => true,
        Type::Decimal => field.type_as_decimal().is_some_and(|t| {
            let max = match t.bitWidth() {
                32 => 9,
                64 => 18,
                128 => 38,
                256 => 76,
                _ => 0,
            };
            (1..=max).contains(&t.precision()) && i8::try_from(t.scale()).is_ok()
        }),
        _ => return Err(bad("has a type that is not read")),
    };
    if !ok {
        return Err(bad("has a malformed type"));
    }
    for child in field.children().iter().flat_map(|c| c.iter()) {
        check_field(&child, true)?;
    }
    Ok(())
}

fn known_unit(unit: TimeUnit) -> bool {
    matches!(
        unit,
        TimeUnit::SECOND | TimeUnit::MILLISECOND | TimeUnit::MICROSECOND | TimeUnit::NANOSECOND
    )
}
