//! The record readers from both doors: CSV text (what the `crm` command
//! reads) and typed Arrow columns (what the Python package passes).

use std::sync::Arc;

use arrow::array::{
    ArrayRef, Date32Array, DictionaryArray, Float64Array, Int32Array, Int64Array, NullArray,
    StringArray, TimestampSecondArray, UInt64Array,
};
use arrow::datatypes::Int8Type;
use chrono::{NaiveDate, TimeZone, Utc};
use crm_core::error::{Diagnostic, ErrorClass};
use proptest::prelude::*;

use super::*;

fn csv(text: &str) -> RecordTable {
    RecordTable::from_csv("f.csv", text.as_bytes()).unwrap()
}

fn arrow(columns: Vec<(&str, ArrayRef)>) -> RecordTable {
    RecordTable::from_columns(
        "table",
        columns
            .into_iter()
            .map(|(n, c)| (n.to_owned(), c))
            .collect(),
    )
    .unwrap()
}

fn facts(e: &RecordError) -> (&'static str, Option<u64>, Option<&str>, ErrorClass) {
    (e.rule(), e.row(), e.field(), e.class())
}

#[test]
fn columns_are_found_by_name_in_any_order_and_extra_columns_are_ignored() {
    let t = csv("time,referrer,extra\n2024-03-01,7,x\n2024-03-02T10:00:00+02:00,8,y\n");
    let r = referrals(&t.with_ids(IdKind::Int)).unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].referrer, CustomerId::Int(7));
    assert_eq!(
        r[0].time,
        Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap()
    );
    assert_eq!(r[1].time.to_rfc3339(), "2024-03-02T08:00:00+00:00");
    assert_eq!(r[1].referred, None);
}

#[test]
fn errors_name_source_1_based_row_column_and_rule_without_the_cell() {
    let t = csv("customer,time,scale,score\n1,2024-03-01,csat,4\n2,2024-03-01,csat,secret-text\n");
    let e = answers(&t).unwrap_err();
    assert_eq!(
        facts(&e),
        ("whole_number", Some(2), Some("score"), ErrorClass::Value)
    );
    assert!(
        e.to_string().starts_with("f.csv row 2, column `score`: "),
        "{e}"
    );
    assert!(!e.to_string().contains("secret"), "{e}");
}

#[test]
fn ids_follow_the_transactions_kind() {
    let t = csv("customer,since\nabc,2024-01-01\n");
    let e = customer_base(&t.clone().with_ids(IdKind::Int)).unwrap_err();
    assert_eq!(
        facts(&e),
        ("integer_id", Some(1), Some("customer"), ErrorClass::Value)
    );
    assert!(!e.to_string().contains("abc"), "{e}");
    assert_eq!(
        customer_base(&t.with_ids(IdKind::Text)).unwrap()[0].customer,
        CustomerId::Str("abc".into())
    );
    // An integer column matches text transactions by its decimal form.
    let t = arrow(vec![
        ("customer", Arc::new(Int64Array::from(vec![7])) as ArrayRef),
        (
            "since",
            Arc::new(Date32Array::from(vec![19_723])) as ArrayRef,
        ),
    ]);
    assert_eq!(
        customer_base(&t.clone().with_ids(IdKind::Text)).unwrap()[0].customer,
        CustomerId::Str("7".into())
    );
    assert_eq!(customer_base(&t).unwrap()[0].customer, CustomerId::Int(7));
}

#[test]
fn an_unknown_name_lists_the_core_names_without_the_cell() {
    let t = csv("customer,time,scale,score\n1,2024-03-01,stars-secret,4\n");
    let e = answers(&t).unwrap_err();
    assert_eq!(
        facts(&e),
        ("known_name", Some(1), Some("scale"), ErrorClass::Value)
    );
    let m = e.to_string();
    assert!(m.contains("csat, nps, ces") && !m.contains("secret"), "{m}");
    let t = csv("customer,since,tier\n1,2024-01-01,gold-secret\n");
    let e = customer_base(&t).unwrap_err();
    assert_eq!(
        facts(&e),
        ("known_name", Some(1), Some("tier"), ErrorClass::Value)
    );
}

#[test]
fn a_missing_column_is_named_with_its_role_and_the_columns_there_are() {
    let t = csv("customer,channel\n1,phone\n");
    let e = complaints(&t).unwrap_err();
    assert_eq!(
        facts(&e),
        ("column_present", None, Some("opened"), ErrorClass::Column)
    );
    assert_eq!(
        e.to_string(),
        "f.csv: column `opened` (opened) is not in the table (its columns: customer, channel)"
    );
}

#[test]
fn a_role_mapped_to_another_column_is_read_and_named_by_that_column() {
    let roles = [("referrer".to_owned(), "who".to_owned())].into();
    let t = csv("who,time\n1,2024-03-01\n2,soon\n").with_columns(&roles);
    let e = referrals(&t).unwrap_err();
    assert_eq!(
        facts(&e),
        ("time_value", Some(2), Some("time"), ErrorClass::Value)
    );
    let t = csv("who,time\n1,2024-03-01\n").with_columns(&roles);
    assert_eq!(
        referrals(&t).unwrap()[0].referrer,
        CustomerId::Str("1".into())
    );
    let e = referrals(&csv("referrer,time\n1,x\n").with_columns(&roles)).unwrap_err();
    assert_eq!(facts(&e).2, Some("who"));
}

#[test]
fn an_empty_cell_is_missing_in_a_required_column_and_unknown_in_an_optional_one() {
    let t = csv("customer,channel,opened,resolved\n1,,2024-03-01T09:00:00Z,\n2,phone,,\n");
    let e = complaints(&t).unwrap_err();
    assert_eq!(
        facts(&e),
        ("not_null", Some(2), Some("opened"), ErrorClass::Value)
    );
    let c = complaints(&csv("customer,opened,resolved\n1,2024-03-01T09:00:00Z,\n")).unwrap();
    assert_eq!(
        (c[0].channel.as_str(), c[0].resolved),
        (UNKNOWN_CHANNEL, None)
    );
}

#[test]
fn the_first_bad_value_in_row_order_is_reported() {
    // Row 1 has a bad tier (a later column), row 2 a bad since.
    let t = csv("customer,since,tier\n1,2024-01-01,gold\n2,never,major\n");
    assert_eq!(customer_base(&t).unwrap_err().row(), Some(1));
    let t = csv("customer,since,tier\n1,2024-01-01,major\n2,never,gold\n");
    let e = customer_base(&t).unwrap_err();
    assert_eq!((e.row(), e.field()), (Some(2), Some("since")));
}

#[test]
fn typed_arrow_columns_are_read_as_their_text_forms_are() {
    let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
    let midnight = Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap();
    let dict: DictionaryArray<Int8Type> = vec!["nps", "csat"].into_iter().collect();
    let typed = arrow(vec![
        (
            "customer",
            Arc::new(Int32Array::from(vec![1, 2])) as ArrayRef,
        ),
        (
            "time",
            Arc::new(Date32Array::from(vec![19_783, 19_783])) as ArrayRef,
        ),
        ("scale", Arc::new(dict) as ArrayRef),
        (
            "score",
            Arc::new(Float64Array::from(vec![9.0, 4.0])) as ArrayRef,
        ),
    ]);
    let text =
        csv("customer,time,scale,score\n1,2024-03-01,nps,9\n2,2024-03-01T00:00:00Z,csat,4\n");
    let (a, b) = (
        answers(&typed).unwrap(),
        answers(&text.with_ids(IdKind::Int)).unwrap(),
    );
    assert_eq!(a, b);
    assert_eq!((a[0].time, a[1].score), (midnight, 4));
    let base = arrow(vec![
        (
            "customer",
            Arc::new(StringArray::from(vec!["C-1"])) as ArrayRef,
        ),
        (
            "since",
            Arc::new(TimestampSecondArray::from(vec![
                midnight.timestamp() + 3600,
            ])) as ArrayRef,
        ),
        ("until", Arc::new(NullArray::new(1)) as ArrayRef),
    ]);
    let spans = customer_base(&base).unwrap();
    assert_eq!((spans[0].since, spans[0].until), (day, None));
    // Zoned timestamps (pyarrow's `timestamp("s", tz="UTC")`) as days and times.
    let zoned = || -> ArrayRef {
        Arc::new(TimestampSecondArray::from(vec![midnight.timestamp() + 3600]).with_timezone("UTC"))
    };
    let t = arrow(vec![
        ("customer", Arc::new(Int64Array::from(vec![1])) as ArrayRef),
        ("since", zoned()),
        ("opened", zoned()),
    ]);
    assert_eq!(customer_base(&t).unwrap()[0].since, day);
    assert_eq!(
        complaints(&t).unwrap()[0].opened,
        midnight + chrono::Duration::hours(1)
    );
}

#[test]
fn wrong_types_are_type_errors_naming_the_column_and_never_a_row() {
    let floats = arrow(vec![
        (
            "referrer",
            Arc::new(Float64Array::from(vec![1.0])) as ArrayRef,
        ),
        (
            "time",
            Arc::new(StringArray::from(vec!["2024-03-01"])) as ArrayRef,
        ),
    ]);
    let e = referrals(&floats).unwrap_err();
    assert_eq!(
        facts(&e),
        ("column_type", None, Some("referrer"), ErrorClass::Type)
    );
    assert!(e.to_string().contains("cast the column to int64"), "{e}");
    let ints_as_time = arrow(vec![
        ("referrer", Arc::new(Int64Array::from(vec![1])) as ArrayRef),
        ("time", Arc::new(Int64Array::from(vec![5])) as ArrayRef),
    ]);
    let e = referrals(&ints_as_time).unwrap_err();
    assert_eq!(
        facts(&e),
        ("column_type", None, Some("time"), ErrorClass::Type)
    );
}

#[test]
fn out_of_range_ids_and_scores_are_value_errors_with_their_rule() {
    let t = arrow(vec![
        (
            "referrer",
            Arc::new(UInt64Array::from(vec![1, u64::MAX])) as ArrayRef,
        ),
        (
            "time",
            Arc::new(StringArray::from(vec!["2024-03-01", "2024-03-01"])) as ArrayRef,
        ),
    ]);
    let e = referrals(&t).unwrap_err();
    assert_eq!(
        facts(&e),
        ("in_range", Some(2), Some("referrer"), ErrorClass::Value)
    );
    for score in ["-1", "256", "4.5"] {
        let t = csv(&format!(
            "customer,time,scale,score\n1,2024-03-01,nps,{score}\n"
        ));
        let e = answers(&t).unwrap_err();
        let want = if score == "4.5" {
            "whole_number"
        } else {
            "score_on_scale"
        };
        assert_eq!((e.rule(), e.row()), (want, Some(1)), "{score}");
    }
}

#[test]
fn columns_of_different_lengths_and_malformed_csv_records_are_refused() {
    let e = RecordTable::from_columns(
        "t",
        vec![
            (
                "a".to_owned(),
                Arc::new(Int64Array::from(vec![1])) as ArrayRef,
            ),
            (
                "b".to_owned(),
                Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef,
            ),
        ],
    )
    .unwrap_err();
    assert_eq!(
        facts(&e),
        ("equal_length", None, Some("b"), ErrorClass::Column)
    );
    let e =
        RecordTable::from_csv("m.csv", "customer,since\n1,2024-01-01\n2\n".as_bytes()).unwrap_err();
    assert_eq!((e.rule(), e.row()), ("readable", Some(2)));
    assert!(e.to_string().starts_with("m.csv row 2: "), "{e}");
}

#[test]
fn a_parquet_file_reads_as_its_csv_twin() {
    let dir = std::env::temp_dir().join(format!("crm-io-records-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let batch = RecordBatch::try_from_iter([
        (
            "customer",
            Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef,
        ),
        (
            "since",
            Arc::new(Date32Array::from(vec![19_723, 19_724])) as ArrayRef,
        ),
        (
            "tier",
            Arc::new(StringArray::from(vec![Some("major"), None])) as ArrayRef,
        ),
    ])
    .unwrap();
    let path = dir.join("base.PARQUET");
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&path).unwrap(),
        batch.schema(),
        None,
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let from_parquet = customer_base(&RecordTable::read_file(&path).unwrap()).unwrap();
    let text = csv("customer,since,tier\n1,2024-01-01,major\n2,2024-01-02,\n");
    assert_eq!(
        from_parquet,
        customer_base(&text.with_ids(IdKind::Int)).unwrap()
    );
    let csv_path = dir.join("base.csv");
    std::fs::write(&csv_path, "customer,since\n1,2024-13-01\n").unwrap();
    let e = customer_base(&RecordTable::read_file(&csv_path).unwrap()).unwrap_err();
    assert!(
        e.to_string().starts_with(&csv_path.display().to_string()),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Invariant: any cell text either reads or is an error naming a
    /// 1-based row within the table and never the cell; no row is dropped.
    #[test]
    fn any_cells_give_every_row_or_an_error_at_a_real_row_without_the_cell(
        cells in proptest::collection::vec(("[a-z0-9:+ -]{0,12}", "[a-z0-9:T-]{0,20}", "[a-z]{0,5}", "-?[0-9]{0,3}"), 0..12)
    ) {
        let mut text = String::from("customer,time,scale,score\n");
        for (c, t, s, n) in &cells {
            text.push_str(&format!("{c},{t},{s},{n}\n"));
        }
        let table = csv(&text);
        match answers(&table) {
            Ok(a) => prop_assert_eq!(a.len(), cells.len()),
            Err(e) => {
                let row = e.row().unwrap_or(0);
                prop_assert!(row >= 1 && row as usize <= cells.len(), "{}", e);
                let (c, t, s, n) = &cells[row as usize - 1];
                let message = e.to_string();
                let after = message.split_once(": ").map_or("", |(_, m)| m);
                for cell in [c, t, s, n] {
                    let cell = cell.trim();
                    if cell.len() >= 4 && !"value is missing (null or empty) not a time date whole number customer id integer".contains(cell) {
                        prop_assert!(!after.contains(cell), "{}", message);
                    }
                }
            }
        }
    }
}
