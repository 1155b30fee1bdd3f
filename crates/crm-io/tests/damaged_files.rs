//! Damaged Parquet files and Arrow IPC streams: truncated, bit-flipped, or
//! with a length field set to something huge, every one ends in a result or
//! a typed `IoError::Damaged`/`Read` naming the source, never a panic that
//! escapes, an abort, or an allocation a length field asked for.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, Date32Array, Decimal128Array, DictionaryArray, Float64Array, Int32Array, Int64Array,
    RecordBatch, StringArray,
};
use arrow::datatypes::Int8Type;
use chrono::NaiveDate;
use crm_core::error::Diagnostic;
use crm_core::records::summary::SummaryConfig;
use crm_io::ipc::{read_stream, write_stream};
use crm_io::parquet_input::summarize_parquet_bytes;
use crm_io::{ColumnMapping, IoError};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use proptest::prelude::*;

type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

fn transactions() -> Fallible<RecordBatch> {
    let n = 60;
    let customer: Vec<i64> = (0..n).map(|i| i % 7).collect();
    let date: Vec<i32> = (0..n).map(|i| 9_800 + (i as i32) * 3).collect();
    let amount = Decimal128Array::from(
        (0..n)
            .map(|i| i128::from(100 + i * 37))
            .collect::<Vec<i128>>(),
    )
    .with_precision_and_scale(12, 2)?;
    let quantity: Vec<i32> = (0..n).map(|i| (i % 4) as i32).collect();
    Ok(RecordBatch::try_from_iter([
        ("customer", Arc::new(Int64Array::from(customer)) as ArrayRef),
        ("date", Arc::new(Date32Array::from(date)) as ArrayRef),
        ("amount", Arc::new(amount) as ArrayRef),
        ("quantity", Arc::new(Int32Array::from(quantity)) as ArrayRef),
    ])?)
}

/// A small real Parquet file: several row groups and pages, an embedded
/// Arrow schema.
fn parquet_file() -> Fallible<Vec<u8>> {
    let batch = transactions()?;
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(25))
        .set_data_page_row_count_limit(10)
        .build();
    let mut out = Vec::new();
    let mut w = ArrowWriter::try_new(&mut out, batch.schema(), Some(props))?;
    w.write(&batch)?;
    w.close()?;
    Ok(out)
}

/// A result-like table as an IPC stream: the types crm_engine tables hold.
fn ipc_stream() -> Fallible<Vec<u8>> {
    let tier: DictionaryArray<Int8Type> = vec!["most_valuable", "major", "minor"]
        .into_iter()
        .collect();
    let batch = RecordBatch::try_from_iter([
        (
            "customer",
            Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef,
        ),
        (
            "name",
            Arc::new(StringArray::from(vec![Some("a"), None, Some("c")])) as ArrayRef,
        ),
        (
            "value",
            Arc::new(Float64Array::from(vec![1.5, 2.5, f64::NAN])) as ArrayRef,
        ),
        ("tier", Arc::new(tier) as ArrayRef),
    ])?;
    Ok(write_stream(
        &batch.schema(),
        &[batch.clone(), batch.slice(1, 2)],
    )?)
}

fn summarize(bytes: Vec<u8>) -> Result<crm_core::records::summary::SummaryOutput, IoError> {
    crm_io::damaged::quiet_guarded_panics();
    let config = SummaryConfig::new(NaiveDate::from_ymd_opt(1997, 6, 30).unwrap_or_default());
    let mapping = ColumnMapping::default().with_quantity("quantity");
    summarize_parquet_bytes(bytes, "tx.parquet", &mapping, &crm_io::utc(), config)
}

/// The outcome of damaged Parquet bytes is a summary that reconciles, or an
/// error about the file (damaged, unreadable, or a column no longer of a
/// readable type), naming it.
fn parquet_outcome_is_typed(bytes: Vec<u8>) {
    match summarize(bytes) {
        Ok(out) => assert!(out.reconciliation.is_balanced()),
        Err(e) => {
            assert!(e.to_string().starts_with("tx.parquet: "), "{e}");
            assert!(!e.rule().is_empty());
        }
    }
}

/// The outcome of damaged IPC bytes is a table that survives a round trip
/// or a damaged error, and validation (not the panic guard) recognised it.
fn ipc_outcome_is_typed(bytes: &[u8]) {
    let before = crm_io::damaged::caught_on_this_thread();
    let outcome = read_stream(bytes, "blob");
    assert_eq!(
        crm_io::damaged::caught_on_this_thread(),
        before,
        "{outcome:?}"
    );
    match outcome {
        Ok((schema, batches)) => {
            let again = write_stream(&schema, &batches).ok();
            let back = again.and_then(|a| read_stream(&a, "again").ok());
            assert_eq!(back, Some((schema, batches)));
        }
        Err(e) => {
            assert!(matches!(e, IoError::Damaged { .. }), "{e:?}");
            assert_eq!(e.rule(), "well_formed");
            assert!(
                e.to_string().starts_with("blob: damaged Arrow IPC data: "),
                "{e}"
            );
        }
    }
}

#[test]
fn the_intact_files_read() -> Fallible<()> {
    let out = summarize(parquet_file()?)?;
    assert_eq!(out.reconciliation.rows_read, 60);
    let (_, batches) = read_stream(&ipc_stream()?, "blob")?;
    assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 5);
    Ok(())
}

#[test]
fn every_truncation_of_a_parquet_file_is_a_damaged_file_naming_it() -> Fallible<()> {
    let file = parquet_file()?;
    for len in 0..file.len() {
        let e = summarize(file[..len].to_vec()).err();
        assert!(matches!(e, Some(IoError::Damaged { .. })), "{len}: {e:?}");
        let e = e.ok_or("no error")?;
        assert!(
            e.to_string()
                .starts_with("tx.parquet: damaged Parquet data: "),
            "{e}"
        );
    }
    Ok(())
}

#[test]
fn every_truncation_of_an_ipc_stream_is_damaged_without_a_decoder_panic() -> Fallible<()> {
    let stream = ipc_stream()?;
    let before = crm_io::damaged::caught_on_this_thread();
    // Even a cut at a message boundary: the end-of-stream marker is
    // required, so no batch disappears silently.
    for len in 0..stream.len() {
        let e = read_stream(&stream[..len], "blob").err();
        assert!(matches!(e, Some(IoError::Damaged { .. })), "{len}: {e:?}");
    }
    assert_eq!(crm_io::damaged::caught_on_this_thread(), before);
    Ok(())
}

#[test]
fn a_huge_or_negative_length_in_any_ipc_length_field_is_refused_before_allocating() -> Fallible<()>
{
    let stream = ipc_stream()?;
    let before = crm_io::damaged::caught_on_this_thread();
    // Every aligned 4- and 8-byte word set to a huge or negative length:
    // the metadata lengths, the body lengths and buffer offsets inside the
    // flatbuffers (a 140 TB allocation before validation).
    for at in (0..stream.len()).step_by(4) {
        for word in [
            u64::MAX,
            0x7FFF_FFFF_FFFF_FFFF,
            0x0000_8000_0000_0000,
            0x7FFF_FFFF,
        ] {
            let mut bad = stream.clone();
            let bytes = word.to_le_bytes();
            let end = (at + 8).min(bad.len());
            bad[at..end].copy_from_slice(&bytes[..end - at]);
            ipc_outcome_is_typed(&bad);
        }
    }
    assert_eq!(crm_io::damaged::caught_on_this_thread(), before);
    Ok(())
}

#[test]
fn a_huge_length_in_the_parquet_footer_or_its_chunks_is_a_damaged_file() -> Fallible<()> {
    let file = parquet_file()?;
    for at in (0..file.len()).step_by(2) {
        for word in [u32::MAX, 0x7FFF_FFFF, 0x0010_0000] {
            let mut bad = file.clone();
            let end = (at + 4).min(bad.len());
            bad[at..end].copy_from_slice(&word.to_le_bytes()[..end - at]);
            parquet_outcome_is_typed(bad);
        }
    }
    Ok(())
}

#[test]
fn an_encrypted_parquet_footer_is_unreadable_not_damaged() -> Fallible<()> {
    let mut file = parquet_file()?;
    let n = file.len();
    file[n - 4..].copy_from_slice(b"PARE");
    let e = summarize(file).err().ok_or("no error")?;
    assert_eq!((e.rule(), e.source_name()), ("readable", "tx.parquet"));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn bit_flipped_parquet_files_end_in_a_summary_or_a_typed_error_naming_the_file(
        flips in prop::collection::vec((any::<prop::sample::Index>(), 0_u8..8), 1..6),
    ) {
        let mut file = parquet_file().map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (i, bit) in flips {
            let i = i.index(file.len());
            file[i] ^= 1 << bit;
        }
        parquet_outcome_is_typed(file);
    }

    #[test]
    fn bit_flipped_ipc_streams_end_in_a_table_or_a_damaged_error(
        flips in prop::collection::vec((any::<prop::sample::Index>(), 0_u8..8), 1..6),
    ) {
        let mut stream = ipc_stream().map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (i, bit) in flips {
            let i = i.index(stream.len());
            stream[i] ^= 1 << bit;
        }
        ipc_outcome_is_typed(&stream);
    }

    #[test]
    fn arbitrary_bytes_are_never_a_panic_as_parquet_or_ipc(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        ipc_outcome_is_typed(&bytes);
        let mut framed = b"PAR1".to_vec();
        framed.extend_from_slice(&bytes);
        framed.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        framed.extend_from_slice(b"PAR1");
        parquet_outcome_is_typed(framed);
    }
}

/// A page header that declares more data than its page's bytes can hold
/// (here 8,191 bytes in an uncompressed page of fewer, written in place of
/// the true size with the varint's length kept) is refused before the
/// decoder allocates it; under a codec, up to 2 GB would have been.
#[test]
fn a_page_header_declaring_more_than_its_bytes_is_a_damaged_file() -> Fallible<()> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let file = parquet_file()?;
    let reader = SerializedFileReader::new(bytes::Bytes::from(file.clone()))?;
    let column = reader.metadata().row_group(0).column(0);
    let at = usize::try_from(
        column
            .dictionary_page_offset()
            .unwrap_or(column.data_page_offset()),
    )?;
    // Field 1 (type, one byte), then field 2 (uncompressed size): 0x15, varint.
    assert_eq!((file[at], file[at + 2]), (0x15, 0x15));
    let mut end = at + 3;
    while file[end] & 0x80 != 0 {
        end += 1;
    }
    let mut bad = file.clone();
    for b in &mut bad[at + 3..end] {
        *b = 0xFE;
    }
    bad[end] = 0x7F;
    let e = summarize(bad)
        .err()
        .ok_or("a page claiming 8,191 bytes was read")?;
    assert!(matches!(e, IoError::Damaged { .. }), "{e:?}");
    assert!(e.to_string().contains("declares"), "{e}");
    // The intact file still reads, and a compressed one too.
    assert!(summarize(file).is_ok());
    let batch = transactions()?;
    let props = WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .set_data_page_row_count_limit(10)
        .build();
    let mut snappy = Vec::new();
    let mut w = ArrowWriter::try_new(&mut snappy, batch.schema(), Some(props))?;
    w.write(&batch)?;
    w.close()?;
    assert_eq!(summarize(snappy)?.reconciliation.rows_read, 60);
    Ok(())
}
