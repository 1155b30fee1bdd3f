use std::sync::Arc;

use arrow::array::{
    BooleanArray, Date32Array, Float64Array, Int64Array, LargeStringArray, StringArray, UInt64Array,
};
use chrono::NaiveDate;
use crm_core::records::summary::SummaryConfig;
use proptest::prelude::*;

use super::*;

fn config() -> SummaryConfig {
    SummaryConfig::new(NaiveDate::from_ymd_opt(1970, 4, 10).unwrap_or_default())
}

fn arr(a: impl Array + 'static) -> ArrayRef {
    Arc::new(a)
}

#[test]
fn wrong_column_types_are_errors_naming_the_column() {
    let customer = arr(Int64Array::from(vec![1]));
    let date = arr(Date32Array::from(vec![1]));
    let amount = arr(BooleanArray::from(vec![true]));
    let out = summarize_arrays(
        &TransactionArrays::new(&customer, &date, &amount),
        &ColumnMapping::default(),
        &crate::utc(),
        config(),
    );
    assert_eq!(
        out.err().map(|e| e.to_string()),
        Some("arrays: column `amount` has type Boolean, expected a number or text".to_owned())
    );
    let date = arr(Float64Array::from(vec![1.0]));
    let amount = arr(Float64Array::from(vec![1.0]));
    let out = summarize_arrays(
        &TransactionArrays::new(&customer, &date, &amount),
        &ColumnMapping::default(),
        &crate::utc(),
        config(),
    );
    assert!(matches!(out, Err(IoError::Column { .. })));
}

#[test]
fn missing_columns_are_errors() -> Result<(), ArrowError> {
    let batch = RecordBatch::try_from_iter([("customer", arr(Int64Array::from(vec![1])))])?;
    let out = summarize_record_batches(
        [Ok(batch)],
        &ColumnMapping::default(),
        &crate::utc(),
        config(),
    );
    assert_eq!(
        out.err().map(|e| e.to_string()),
        Some("record batches: column `date` is not in the schema".to_owned())
    );
    Ok(())
}

#[test]
fn sliced_arrays_nulls_and_text_ids_are_read_in_place() -> Result<(), IoError> {
    let customer = arr(LargeStringArray::from(vec![
        Some("x"),
        Some("a"),
        None,
        Some("a"),
        Some("b"),
    ]))
    .slice(1, 4);
    let date = arr(Date32Array::from(vec![
        Some(9),
        Some(1),
        Some(2),
        None,
        Some(3),
    ]))
    .slice(1, 4);
    let amount = arr(Float64Array::from(vec![0.0, 1.0, 2.0, 3.0, 4.0])).slice(1, 4);
    let mut arrays = TransactionArrays::new(&customer, &date, &amount);
    let flags = arr(BooleanArray::from(vec![false, true, true, false, false])).slice(1, 4);
    arrays.discount = Some(&flags);
    let out = summarize_arrays(
        &arrays,
        &ColumnMapping::default().with_discount("discount"),
        &crate::utc(),
        config(),
    )?;
    assert_eq!(out.summaries.customers.len(), 2);
    assert_eq!(out.summaries.discount_share, vec![Some(1.0), Some(0.0)]);
    let r = &out.reconciliation;
    assert_eq!(
        r.rejections
            .iter()
            .map(|r| (r.row, r.column.as_str()))
            .collect::<Vec<_>>(),
        vec![(2, "customer"), (3, "date")]
    );
    Ok(())
}

#[test]
fn ids_beyond_i64_and_bad_text_are_rejected_in_row_order() -> Result<(), IoError> {
    let customer = arr(UInt64Array::from(vec![1, u64::MAX, 2]));
    let date = arr(StringArray::from(vec!["1970-01-02", "1970-01-03", "soon"]));
    let amount = arr(StringArray::from(vec!["1.5", "2", "3"]));
    let out = summarize_arrays(
        &TransactionArrays::new(&customer, &date, &amount),
        &ColumnMapping::default(),
        &crate::utc(),
        config(),
    )?;
    let r = &out.reconciliation;
    assert_eq!(r.rows_used, 1);
    assert_eq!(
        r.rejections
            .iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>(),
        vec![
            "row 2, column `customer`: value is out of range",
            "row 3, column `date`: value is not a date"
        ]
    );
    assert_eq!(r.amount_rejected.to_string(), "5");
    assert!(r.is_balanced());
    Ok(())
}

#[test]
fn strict_mode_stops_at_the_first_rejected_row() {
    let customer = arr(Int64Array::from(vec![1, 2, 3]));
    let date = arr(StringArray::from(vec!["1970-01-02", "1970-01-03", "never"]));
    let amount = arr(Float64Array::from(vec![1.0, f64::NAN, 1.0]));
    let out = summarize_arrays(
        &TransactionArrays::new(&customer, &date, &amount),
        &ColumnMapping::default(),
        &crate::utc(),
        config().strict(),
    );
    assert_eq!(
        out.err().map(|e| e.to_string()),
        Some("arrays: strict mode: row 2, column `amount`: value is NaN or infinite".to_owned())
    );
}

proptest! {
    #[test]
    fn record_batches_of_any_size_give_the_same_summary(
        rows in prop::collection::vec((0_i64..30, 0_i32..120, -1000_i64..10_000), 1..150),
        size in 1_usize..40,
    ) {
        let customer = arr(Int64Array::from(rows.iter().map(|r| r.0).collect::<Vec<_>>()));
        let date = arr(Date32Array::from(rows.iter().map(|r| r.1).collect::<Vec<_>>()));
        let amount = arr(Float64Array::from(rows.iter().map(|r| r.2 as f64 / 100.0).collect::<Vec<_>>()));
        let batch = RecordBatch::try_from_iter([("customer", customer), ("date", date), ("amount", amount)]);
        prop_assert!(batch.is_ok());
        let Ok(batch) = batch else { return Ok(()) };
        let whole = summarize_record_batches([Ok(batch.clone())], &ColumnMapping::default(), &crate::utc(), config());
        let pieces: Vec<_> = (0..batch.num_rows()).step_by(size).map(|s| Ok(batch.slice(s, size.min(batch.num_rows() - s)))).collect();
        let split = summarize_record_batches(pieces, &ColumnMapping::default(), &crate::utc(), config());
        prop_assert!(whole.is_ok() && split.is_ok());
        prop_assert_eq!(whole.ok(), split.ok());
    }
}

fn one_customer(amount: ArrayRef, config: SummaryConfig) -> Result<SummaryOutput, IoError> {
    let n = amount.len();
    let customer = arr(Int64Array::from(vec![1; n]));
    let date = arr(Date32Array::from(vec![1; n]));
    summarize_arrays(
        &TransactionArrays::new(&customer, &date, &amount),
        &ColumnMapping::default(),
        &crate::utc(),
        config,
    )
}

#[test]
fn a_float32_amount_is_its_shortest_repr_as_in_classify() {
    let amount = arr(arrow::array::Float32Array::from(vec![1_234_567.1_f32]));
    let out = one_customer(amount, config()).map(|o| o.summaries.total_spend[0].to_string());
    assert_eq!(out.ok().as_deref(), Some("1234567.1"));
}

#[test]
fn a_decimal256_that_does_not_fit_is_out_of_range_naming_the_row() {
    use arrow::array::Decimal256Array;
    use arrow::datatypes::i256;
    let values = Decimal256Array::from(vec![Some(i256::from_i128(1250)), Some(i256::MAX), None])
        .with_precision_and_scale(76, 2);
    let amount = arr(values.unwrap_or_else(|_| Decimal256Array::from(vec![i256::ZERO])));
    let out = one_customer(amount.clone(), config());
    let r = out.as_ref().map(|o| o.reconciliation.rejections.clone());
    let r = r.unwrap_or_default();
    assert_eq!(r.len(), 2, "{r:?}");
    assert_eq!((r[0].row, r[0].reason), (2, RejectReason::OutOfRange));
    assert_eq!((r[1].row, r[1].reason), (3, RejectReason::Missing));
    assert_eq!(
        out.map(|o| o.summaries.total_spend[0].to_string()).ok(),
        Some("12.5".to_owned())
    );
    let strict = one_customer(amount, config().strict());
    assert!(matches!(
        strict,
        Err(IoError::Rejected { rejection, .. }) if rejection.row == 2 && rejection.reason == RejectReason::OutOfRange
    ));
}

#[test]
fn a_text_amount_with_29_decimals_is_rejected_also_in_strict_mode() {
    let tiny = format!("1.{}1", "0".repeat(28));
    let amount = arr(StringArray::from(vec!["2.5", tiny.as_str()]));
    let lenient = one_customer(amount.clone(), config());
    let r = lenient
        .map(|o| o.reconciliation.rejections)
        .unwrap_or_default();
    assert_eq!(r.len(), 1);
    assert_eq!(
        (r[0].row, r[0].reason),
        (2, RejectReason::TooManyDecimals { max: 28 })
    );
    let strict = one_customer(amount, config().strict());
    assert!(matches!(
        strict,
        Err(IoError::Rejected { rejection, .. }) if rejection.row == 2
    ));
}

proptest! {
    #[test]
    fn a_text_amount_is_summed_exactly_or_rejected_never_rounded(
        m in any::<i64>(), places in 0_usize..36,
    ) {
        let digits = format!("{:0>w$}", m.unsigned_abs(), w = places + 1);
        let (int, frac) = digits.split_at(digits.len() - places);
        let sign = if m < 0 { "-" } else { "" };
        let text = if places == 0 { format!("{sign}{int}") } else { format!("{sign}{int}.{frac}") };
        let mut c = config();
        c.amount_scale = 18;
        let amount = arr(StringArray::from(vec![text.as_str()]));
        let out = one_customer(amount, c).map_err(|e| TestCaseError::fail(e.to_string()))?;
        match out.summaries.total_spend.first() {
            Some(total) => {
                // Exact: the total written back is the text's value.
                let back = crm_core::parameter::exact_decimal(&text);
                prop_assert_eq!(back.map(|d| d.normalize()), Ok(total.normalize()));
            }
            None => prop_assert_eq!(out.reconciliation.rows_rejected, 1),
        }
    }
}
