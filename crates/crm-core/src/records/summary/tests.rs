//! Tests of the summary accumulator: examples, a naive reference model, and
//! the invariants the issue asks for (order independence, mergeable partial
//! summaries, reconciliation that always adds up).

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use rust_decimal_macros::dec;

use super::*;
use crate::records::reconciliation::Expected;

/// One generated input row: `None` marks a missing value.
#[derive(Debug, Clone)]
struct Row {
    id: Option<i64>,
    day: Option<i32>,
    cents: i64,
    nan: bool,
}

fn as_of() -> NaiveDate {
    date_of_day(100).unwrap_or_default()
}

fn row() -> impl Strategy<Value = Row> {
    (
        prop_oneof![9 => (0_i64..25).prop_map(Some), 1 => Just(None)],
        prop_oneof![19 => (0_i32..120).prop_map(Some), 1 => Just(None)],
        -5_000_i64..50_000,
        prop::bool::weighted(0.05),
    )
        .prop_map(|(id, day, cents, nan)| Row {
            id,
            day,
            cents,
            nan,
        })
}

fn config(window: bool) -> SummaryConfig {
    let c = SummaryConfig::new(as_of());
    if window {
        c.with_window_start(date_of_day(10).unwrap_or_default())
    } else {
        c
    }
}

/// The columns of `rows`, with ids as integers or as Arrow-layout text.
struct Cols {
    ids: Vec<i64>,
    offsets: Vec<i32>,
    data: Vec<u8>,
    id_valid: Vec<u8>,
    days: Vec<i32>,
    day_valid: Vec<u8>,
    amounts: Vec<f64>,
}

fn cols(rows: &[Row]) -> Cols {
    let mut data = Vec::new();
    let mut offsets = vec![0_i32];
    for r in rows {
        if let Some(id) = r.id {
            data.extend_from_slice(format!("c{id}").as_bytes());
        }
        offsets.push(data.len() as i32);
    }
    Cols {
        ids: rows.iter().map(|r| r.id.unwrap_or(0)).collect(),
        offsets,
        data,
        id_valid: pack(&rows.iter().map(|r| r.id.is_some()).collect::<Vec<_>>()),
        days: rows.iter().map(|r| r.day.unwrap_or(0)).collect(),
        day_valid: pack(&rows.iter().map(|r| r.day.is_some()).collect::<Vec<_>>()),
        amounts: rows
            .iter()
            .map(|r| {
                if r.nan {
                    f64::NAN
                } else {
                    r.cents as f64 / 100.0
                }
            })
            .collect(),
    }
}

fn add(
    acc: &mut SummaryAccumulator,
    rows: &[Row],
    first_row: u64,
    text: bool,
) -> Result<(), SummaryError> {
    let c = cols(rows);
    let keys = if text {
        Keys::Utf8 {
            offsets: &c.offsets,
            data: &c.data,
        }
    } else {
        Keys::Int(&c.ids)
    };
    let mut b = ColumnBatch::new(first_row, keys, &c.days, Amounts::Float(&c.amounts));
    b.customers_validity = Some(Validity::new(&c.id_valid, 0));
    b.days_validity = Some(Validity::new(&c.day_valid, 0));
    acc.add_batch(&b)
}

fn run(rows: &[Row], window: bool, text: bool) -> Result<SummaryOutput, SummaryError> {
    let mut acc = SummaryAccumulator::new(config(window))?;
    add(&mut acc, rows, 1, text)?;
    acc.finish()
}

/// The reconciliation without the row-numbered list (which moves with the
/// input order).
fn totals(r: &Reconciliation) -> Reconciliation {
    Reconciliation {
        rejections: Vec::new(),
        rejections_truncated: false,
        ..r.clone()
    }
}

#[test]
fn cdnow_customer_one_in_weeks() -> Result<(), SummaryError> {
    let d = |m, day| {
        NaiveDate::from_ymd_opt(1997, m, day)
            .map(day_number)
            .unwrap_or_default()
    };
    let days = [d(1, 1), d(1, 18), d(8, 2), d(12, 12)];
    let cents = [2933_i64, 2973, 1496, 2648];
    let cfg = SummaryConfig::new(NaiveDate::from_ymd_opt(1997, 9, 30).unwrap_or_default())
        .with_unit(Unit::Week);
    let mut acc = SummaryAccumulator::new(cfg)?;
    acc.add_batch(&ColumnBatch::new(
        1,
        Keys::Int(&[1; 4]),
        &days,
        Amounts::Scaled64 {
            mantissas: &cents,
            scale: 2,
        },
    ))?;
    let out = acc.finish()?;
    let s = out.summaries.get(0).ok_or(SummaryError::TotalsOverflow)?;
    assert_eq!(s.frequency, 2);
    assert_eq!(format!("{:.2} {:.2}", s.recency, s.age), "30.43 38.86");
    assert_eq!(s.monetary_value, dec!(22.345));
    assert_eq!(s.total_spend, dec!(74.02));
    assert_eq!(out.reconciliation.rows_skipped_after_as_of, 1);
    assert_eq!(out.reconciliation.amount_skipped_after_as_of, dec!(26.48));
    Ok(())
}

#[test]
fn same_day_purchases_are_one_occasion_and_returns_count() -> Result<(), SummaryError> {
    let mut acc = SummaryAccumulator::new(config(false))?;
    let amounts = [dec!(10), dec!(5), dec!(-3), dec!(7)];
    acc.add_batch(&ColumnBatch::new(
        1,
        Keys::Text(&["a", "a", "a", "a"]),
        &[5, 5, 9, 5],
        Amounts::Decimal(&amounts),
    ))?;
    let s = acc
        .finish()?
        .summaries
        .get(0)
        .ok_or(SummaryError::TotalsOverflow)?;
    assert_eq!(
        (s.occasions, s.frequency, s.transactions, s.returns),
        (2, 1, 4, 1)
    );
    assert_eq!(s.total_spend, dec!(19));
    assert_eq!(s.returns_amount, dec!(-3));
    // A return-only day is an occasion; its spend is the repeat spend.
    assert_eq!(s.monetary_value, dec!(-3));
    assert_eq!(s.mean_spend, dec!(4.75));
    Ok(())
}

#[test]
fn too_many_decimals_and_huge_amounts_are_rejected_not_rounded() -> Result<(), SummaryError> {
    let mut cfg = config(false);
    cfg.amount_scale = 2;
    let mut acc = SummaryAccumulator::new(cfg)?;
    let amounts = [dec!(1.001), dec!(1.10), Decimal::MAX, dec!(2)];
    acc.add_batch(&ColumnBatch::new(
        1,
        Keys::Int(&[1, 1, 1, 1]),
        &[1, 2, 3, 4],
        Amounts::Decimal(&amounts),
    ))?;
    let r = acc.finish()?.reconciliation;
    assert_eq!(r.rows_used, 2);
    assert_eq!(
        r.rejections.iter().map(|r| r.reason).collect::<Vec<_>>(),
        vec![
            RejectReason::TooManyDecimals { max: 2 },
            RejectReason::OutOfRange
        ]
    );
    assert!(r.is_balanced());
    Ok(())
}

#[test]
fn strict_mode_fails_on_the_first_rejected_row() -> Result<(), SummaryError> {
    let mut acc = SummaryAccumulator::new(
        config(false)
            .with_names(ColumnNames {
                amount: "dollars".into(),
                ..ColumnNames::default()
            })
            .strict(),
    )?;
    let b = ColumnBatch::new(
        40,
        Keys::Int(&[1, 2, 3]),
        &[1, 2, 3],
        Amounts::Float(&[1.0, f64::INFINITY, f64::NAN]),
    );
    let err = acc.add_batch(&b);
    assert_eq!(
        err,
        Err(SummaryError::Rejected(Rejection {
            row: 41,
            column: "dollars".into(),
            reason: RejectReason::NotFinite
        }))
    );
    Ok(())
}

#[test]
fn mismatched_column_lengths_are_an_error() -> Result<(), SummaryError> {
    let mut acc = SummaryAccumulator::new(config(false))?;
    let b = ColumnBatch::new(1, Keys::Int(&[1, 2]), &[1], Amounts::Float(&[1.0, 2.0]));
    assert!(matches!(
        acc.add_batch(&b),
        Err(SummaryError::ColumnLength { .. })
    ));
    assert_eq!(acc.rows_read(), 0);
    Ok(())
}

#[test]
fn invalid_utf8_and_empty_ids_are_rejected() -> Result<(), SummaryError> {
    let mut acc = SummaryAccumulator::new(config(false))?;
    let data = [b'a', 0xff, b'b'];
    let b = ColumnBatch::new(
        1,
        Keys::Utf8 {
            offsets: &[0, 1, 2, 2, 3],
            data: &data,
        },
        &[1, 1, 1, 1],
        Amounts::Float(&[1.0; 4]),
    );
    acc.add_batch(&b)?;
    let r = acc.finish()?.reconciliation;
    assert_eq!(r.rows_used, 2);
    assert_eq!(
        r.rejections
            .iter()
            .map(|r| (r.row, r.reason))
            .collect::<Vec<_>>(),
        vec![(2, RejectReason::InvalidUtf8), (3, RejectReason::Missing)]
    );
    Ok(())
}

#[test]
fn optional_columns_are_summed_and_missing_values_are_not_recorded() -> Result<(), SummaryError> {
    let mut acc = SummaryAccumulator::new(config(false))?;
    let qv = pack(&[true, false, true]);
    let mut b = ColumnBatch::new(
        1,
        Keys::Int(&[1, 1, 2]),
        &[1, 2, 3],
        Amounts::Float(&[10.0, 20.0, 5.0]),
    );
    b.quantities = Some((
        Amounts::Scaled64 {
            mantissas: &[2, 99, 1],
            scale: 0,
        },
        Some(Validity::new(&qv, 0)),
    ));
    b.discounted = Some((Flags::Bool(&[true, false, false]), None));
    acc.add_batch(&b)?;
    // A later batch without optional columns still creates extra slots.
    acc.add_batch(&ColumnBatch::new(
        4,
        Keys::Int(&[3]),
        &[4],
        Amounts::Float(&[1.0]),
    ))?;
    let s = acc.finish()?.summaries;
    assert_eq!(s.quantity, vec![Some(dec!(2)), Some(dec!(1)), None]);
    assert_eq!(s.discount_share, vec![Some(0.5), Some(0.0), None]);
    assert_eq!(s.margin, vec![None, None, None]);
    Ok(())
}

#[test]
fn calibration_end_must_be_inside_the_window() {
    let c = config(true);
    assert!(CalibrationHoldoutAccumulator::new(c.clone(), as_of()).is_err());
    assert!(CalibrationHoldoutAccumulator::new(c, date_of_day(5).unwrap_or_default()).is_err());
}

#[test]
fn bad_configurations_are_errors() {
    let mut c = config(false);
    c.amount_scale = 19;
    assert_eq!(
        SummaryAccumulator::new(c).err(),
        Some(SummaryError::InvalidScale { scale: 19 })
    );
    let c = config(false).with_window_start(date_of_day(101).unwrap_or_default());
    assert!(matches!(
        SummaryAccumulator::new(c),
        Err(SummaryError::WindowAfterAsOf { .. })
    ));
}

#[test]
fn merge_refuses_other_settings() -> Result<(), SummaryError> {
    let mut a = SummaryAccumulator::new(config(false))?;
    let b = SummaryAccumulator::new(config(true))?;
    assert!(matches!(a.merge(b), Err(SummaryError::Incompatible { .. })));
    Ok(())
}

#[test]
fn corrupt_serialised_partials_are_errors() {
    let text = r#"{"config":{"as_of":"1970-04-11","window_start":null,"unit":"Day","amount_scale":6,"strict":false,"max_listed_rejections":10,"names":{"customer":"c","date":"d","amount":"a","quantity":"q","margin":"m","discount":"x"}},"ids":[1,1],"cells":[],"extra":[],"occasions":[],"tally":{"rows_read":0,"rows_used":0,"rows_after":0,"rows_before":0,"rows_rejected":0,"rows_rejected_without_amount":0,"amount_read":0,"amount_used":0,"amount_after":0,"amount_before":0,"amount_rejected":0,"by_rule":[],"rejections":[],"truncated":false}}"#;
    assert!(serde_json::from_str::<SummaryAccumulator>(text).is_err());
}

#[test]
fn unparseable_rows_from_readers_are_reconciled() -> Result<(), SummaryError> {
    let mut acc = SummaryAccumulator::new(config(false))?;
    acc.reject(
        1,
        Column::Date,
        RejectReason::Unparseable(Expected::Date),
        Some(dec!(4.5)),
    )?;
    acc.add_batch(&ColumnBatch::new(
        2,
        Keys::Int(&[1]),
        &[1],
        Amounts::Float(&[1.5]),
    ))?;
    let r = acc.finish()?.reconciliation;
    assert_eq!((r.rows_read, r.rows_used, r.rows_rejected), (2, 1, 1));
    assert_eq!((r.amount_read, r.amount_rejected), (dec!(6), dec!(4.5)));
    assert!(r.is_balanced());
    Ok(())
}

/// Per customer of the reference: its days, its day totals, its rows.
type Model = BTreeMap<i64, (BTreeSet<i32>, BTreeMap<i32, i64>, u64)>;

/// The naive reference: per customer, the set of days and the day totals.
fn model(rows: &[Row], window: bool) -> Model {
    let lo = if window { 10 } else { i32::MIN };
    let mut m = Model::new();
    for r in rows {
        if let (Some(id), Some(day), false) = (r.id, r.day, r.nan)
            && (lo..=100).contains(&day)
        {
            let e = m.entry(id).or_default();
            e.0.insert(day);
            *e.1.entry(day).or_default() += r.cents;
            e.2 += 1;
        }
    }
    m
}

/// `n` rows of ids below `ids` (2 % missing), days below 120 (2 %
/// missing), 3 % NaN amounts, from a fixed-seed generator.
fn wide_rows(seed: u64, n: usize, ids: u64) -> Vec<Row> {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|_| Row {
            id: (next() % 50 != 0).then(|| (next() % ids) as i64),
            day: (next() % 50 != 0).then(|| (next() % 120) as i32),
            cents: (next() % 55_000) as i64 - 5_000,
            nan: next() % 100 < 3,
        })
        .collect()
}

/// Asserts that `out` is what the naive model of `rows` gives.
fn matches_model(out: &SummaryOutput, rows: &[Row], window: bool) -> Result<(), TestCaseError> {
    let m = model(rows, window);
    prop_assert_eq!(out.summaries.len(), m.len());
    for (i, (id, (days, totals, n))) in m.iter().enumerate() {
        let s = out.summaries.get(i);
        prop_assert!(s.is_some());
        let Some(s) = s else { continue };
        let first = days.first().copied().unwrap_or_default();
        let last = days.last().copied().unwrap_or_default();
        let total: i64 = totals.values().sum();
        let first_spend = totals.get(&first).copied().unwrap_or_default();
        let x = days.len() as u64 - 1;
        prop_assert_eq!(&s.customer, &CustomerId::Int(*id));
        prop_assert_eq!(s.frequency, x);
        prop_assert_eq!(s.transactions, *n);
        prop_assert_eq!(s.first_purchase, date_of_day(first).unwrap_or_default());
        prop_assert_eq!(s.recency, f64::from(last - first));
        prop_assert_eq!(s.age, f64::from(100 - first));
        prop_assert_eq!(s.total_spend, Decimal::new(total, 2));
        let zbar = if x == 0 {
            Decimal::ZERO
        } else {
            Decimal::new(total - first_spend, 2) / Decimal::from(x)
        };
        prop_assert_eq!(s.monetary_value, zbar);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn summary_matches_a_naive_model(rows in prop::collection::vec(row(), 0..200), window: bool) {
        let out = run(&rows, window, false);
        prop_assert!(out.is_ok());
        if let Ok(out) = out {
            matches_model(&out, &rows, window)?;
        }
    }

    /// Thousands of customers, so that the staged rows are partitioned by
    /// customer (more than one group of 4,096), against the naive model and
    /// against the same rows added a few at a time (in input order).
    #[test]
    fn partitioning_rows_by_customer_never_changes_a_summary(seed: u64, window: bool) {
        let rows = wide_rows(seed, 20_000, 6_000);
        let out = run(&rows, window, false);
        prop_assert!(out.is_ok());
        let Ok(out) = out else { return Ok(()) };
        matches_model(&out, &rows, window)?;
        let mut acc = SummaryAccumulator::new(config(window))?;
        for (k, part) in rows.chunks(5).enumerate() {
            add(&mut acc, part, 1 + 5 * k as u64, false)?;
        }
        let small = acc.finish()?;
        prop_assert_eq!(&out.summaries, &small.summaries);
        prop_assert_eq!(totals(&out.reconciliation), totals(&small.reconciliation));
    }

    /// Accumulators holding staged rows serialise and merge like the whole:
    /// two halves, one of them through JSON, then merged.
    #[test]
    fn staged_rows_serialise_and_merge_exactly(seed: u64, cut in 0_usize..20_000) {
        let rows = wide_rows(seed, 20_000, 6_000);
        let whole = run(&rows, false, false)?;
        let (left, right) = rows.split_at(cut);
        let mut a = SummaryAccumulator::new(config(false))?;
        add(&mut a, left, 1, false)?;
        let mut b = SummaryAccumulator::new(config(false))?;
        add(&mut b, right, 1 + cut as u64, false)?;
        let json = serde_json::to_string(&a).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut a: SummaryAccumulator =
            serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        a.merge(b)?;
        let merged = a.finish()?;
        prop_assert_eq!(&merged.summaries, &whole.summaries);
        prop_assert_eq!(totals(&merged.reconciliation), totals(&whole.reconciliation));
    }

    #[test]
    fn input_order_never_changes_a_summary(
        (rows, shuffled) in prop::collection::vec(row(), 0..200).prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
        window: bool,
        text: bool,
    ) {
        let a = run(&rows, window, text);
        let b = run(&shuffled, window, text);
        prop_assert!(a.is_ok() && b.is_ok());
        if let (Ok(a), Ok(b)) = (a, b) {
            prop_assert_eq!(&a.summaries, &b.summaries);
            prop_assert_eq!(totals(&a.reconciliation), totals(&b.reconciliation));
        }
    }

    #[test]
    fn merged_partial_summaries_of_any_split_equal_the_whole(
        rows in prop::collection::vec(row(), 0..200),
        cuts in prop::collection::vec(0_usize..200, 0..6),
        window: bool,
        text: bool,
        through_json: bool,
    ) {
        let whole = run(&rows, window, text);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(rows.len())).collect();
        cuts.push(0);
        cuts.push(rows.len());
        cuts.sort_unstable();
        let mut parts = Vec::new();
        for w in cuts.windows(2) {
            let (a, b) = (w[0], w[1]);
            let acc = SummaryAccumulator::new(config(window));
            prop_assert!(acc.is_ok());
            let Ok(mut acc) = acc else { return Ok(()) };
            prop_assert!(add(&mut acc, &rows[a..b], a as u64 + 1, text).is_ok());
            if through_json {
                let json = serde_json::to_string(&acc);
                prop_assert!(json.is_ok());
                let back = serde_json::from_str::<SummaryAccumulator>(&json.unwrap_or_default());
                prop_assert!(back.is_ok(), "{:?}", back.err());
                let Ok(back) = back else { return Ok(()) };
                acc = back;
            }
            parts.push(acc);
        }
        // Merge in reverse order: the order of merging must not matter either.
        let mut merged = parts.pop();
        while let (Some(m), Some(p)) = (merged.as_mut(), parts.pop()) {
            prop_assert!(m.merge(p).is_ok());
        }
        let merged = merged.map(SummaryAccumulator::finish);
        prop_assert!(matches!(merged, Some(Ok(_))));
        prop_assert!(whole.is_ok());
        if let (Some(Ok(m)), Ok(w)) = (merged, whole) {
            prop_assert_eq!(m, w);
        }
    }

    #[test]
    fn reconciliation_always_adds_up(rows in prop::collection::vec(row(), 0..300), window: bool, text: bool, cap in 0_usize..20) {
        let mut cfg = config(window);
        cfg.max_listed_rejections = cap;
        let acc = SummaryAccumulator::new(cfg);
        prop_assert!(acc.is_ok());
        let Ok(mut acc) = acc else { return Ok(()) };
        prop_assert!(add(&mut acc, &rows, 1, text).is_ok());
        let out = acc.finish();
        prop_assert!(out.is_ok());
        let Ok(out) = out else { return Ok(()) };
        let r = &out.reconciliation;
        prop_assert!(r.is_balanced(), "{:?}", r);
        prop_assert_eq!(r.rows_read, rows.len() as u64);
        let bad = rows.iter().filter(|r| r.id.is_none() || r.day.is_none() || r.nan).count() as u64;
        prop_assert_eq!(r.rows_rejected, bad);
        prop_assert_eq!(r.rejections.len() as u64, bad.min(cap as u64));
        prop_assert!(r.rejections.windows(2).all(|w| w[0].row < w[1].row));
        let used: u64 = out.summaries.transactions.iter().sum();
        prop_assert_eq!(r.rows_used, used);
        let spent: Decimal = out.summaries.total_spend.iter().sum();
        prop_assert_eq!(r.amount_used, spent);
    }

    #[test]
    fn calibration_and_holdout_partition_the_observation(rows in prop::collection::vec(row(), 0..200), cut in 10_i32..99) {
        let acc = CalibrationHoldoutAccumulator::new(config(true), date_of_day(cut).unwrap_or_default());
        prop_assert!(acc.is_ok());
        let Ok(mut acc) = acc else { return Ok(()) };
        let c = cols(&rows);
        let mut b = ColumnBatch::new(1, Keys::Int(&c.ids), &c.days, Amounts::Float(&c.amounts));
        b.customers_validity = Some(Validity::new(&c.id_valid, 0));
        b.days_validity = Some(Validity::new(&c.day_valid, 0));
        prop_assert!(acc.add_batch(&b).is_ok());
        let out = acc.finish();
        prop_assert!(out.is_ok());
        let Ok(out) = out else { return Ok(()) };
        prop_assert!(out.reconciliation.is_balanced());
        let whole = model(&rows, true);
        for (i, id) in out.calibration.customers.iter().enumerate() {
            let CustomerId::Int(k) = id else { continue };
            let days = whole.get(k).map(|e| e.0.iter().filter(|d| **d > cut).count() as u64).unwrap_or(0);
            prop_assert_eq!(out.frequency_holdout.get(i).copied(), Some(days));
        }
        prop_assert_eq!(out.duration_holdout, f64::from(100 - cut));
    }
}

/// The split of `rows` at day `cut`, fed in batches of `chunk` rows.
fn split_in_chunks(
    rows: &[Row],
    cut: i32,
    chunk: usize,
) -> Result<CalibrationHoldout, SummaryError> {
    let mut acc =
        CalibrationHoldoutAccumulator::new(config(true), date_of_day(cut).unwrap_or_default())?;
    for (i, part) in rows.chunks(chunk.max(1)).enumerate() {
        let c = cols(part);
        let mut b = ColumnBatch::new(
            1 + (i * chunk.max(1)) as u64,
            Keys::Int(&c.ids),
            &c.days,
            Amounts::Float(&c.amounts),
        );
        b.customers_validity = Some(Validity::new(&c.id_valid, 0));
        b.days_validity = Some(Validity::new(&c.day_valid, 0));
        acc.add_batch(&b)?;
    }
    acc.finish()
}

/// The reference repeat occasions per day: every day of a customer whose
/// first day is in the calibration (≤ `cut`), but that first day.
fn repeat_days(rows: &[Row], cut: i32) -> Vec<DayOccasions> {
    let mut by_day = BTreeMap::<i32, u64>::new();
    for (days, _, _) in model(rows, true).values() {
        if days.first().is_some_and(|d| *d <= cut) {
            for d in days.iter().skip(1) {
                *by_day.entry(*d).or_default() += 1;
            }
        }
    }
    by_day
        .into_iter()
        .filter_map(|(d, occasions)| {
            Some(DayOccasions {
                day: date_of_day(d)?,
                occasions,
            })
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn repeat_occasions_per_day_are_the_calibration_customers_later_days_in_any_batching(
        rows in prop::collection::vec(row(), 0..300),
        cut in 10_i32..99,
        chunk in 1_usize..64,
    ) {
        let out = split_in_chunks(&rows, cut, chunk);
        prop_assert!(out.is_ok());
        let Ok(out) = out else { return Ok(()) };
        prop_assert_eq!(&out.repeat_occasions, &repeat_days(&rows, cut));
        let counted: u64 = out.repeat_occasions.iter().map(|d| d.occasions).sum();
        let frequencies: u64 = out.calibration.frequency.iter().chain(&out.frequency_holdout).sum();
        prop_assert_eq!(counted, frequencies);
        let mut reversed = rows.clone();
        reversed.reverse();
        let again = split_in_chunks(&reversed, cut, rows.len().max(1));
        prop_assert_eq!(again.ok().map(|o| o.repeat_occasions), Some(out.repeat_occasions));
    }
}

#[test]
fn repeat_occasions_survive_compaction_of_many_rows() -> Result<(), SummaryError> {
    let rows = wide_rows(7, 60_000, 700);
    let out = split_in_chunks(&rows, 55, 4_096)?;
    assert_eq!(out.repeat_occasions, repeat_days(&rows, 55));
    assert!(
        out.repeat_occasions
            .iter()
            .map(|d| d.occasions)
            .sum::<u64>()
            > 10_000
    );
    Ok(())
}

#[test]
fn the_direct_id_table_moves_hashed_ids_when_it_grows() {
    let mut index = CustomerIndex::default();
    // Beyond the table's reach with one customer: hashed.
    let far = 2_000_000_i64;
    assert_eq!(index.int(far), Some((0, true)));
    assert_eq!(index.int(-5), Some((1, true)));
    // Enough customers that the table may reach `far`.
    for k in 0..600_000 {
        assert!(index.int(k).is_some_and(|(_, new)| new));
    }
    assert_eq!(index.int(far + 1).map(|(_, new)| new), Some(true));
    assert!(index.direct.len() > far as usize);
    // `far` was moved, not duplicated.
    assert_eq!(index.int(far), Some((0, false)));
    assert_eq!(index.int(-5), Some((1, false)));
    assert_eq!(index.int(i64::MAX).map(|(_, new)| new), Some(true));
    assert_eq!(index.ids.len(), 600_004);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn sparse_and_negative_integer_ids_summarise_like_dense_ones(
        rows in prop::collection::vec(row(), 0..150),
        spread in prop_oneof![Just(1_i64), Just(-1), Just(1_000_003), Just(i64::MAX / 64)],
    ) {
        let spread_rows: Vec<Row> = rows.iter().map(|r| Row { id: r.id.map(|k| k.wrapping_mul(spread)), ..r.clone() }).collect();
        let a = run(&rows, false, false);
        let b = run(&spread_rows, false, false);
        prop_assert!(a.is_ok() && b.is_ok());
        if let (Ok(a), Ok(b)) = (a, b) {
            let key = |s: &Summaries| {
                let mut v: Vec<(u64, u64, Decimal)> = (0..s.len()).map(|i| (s.occasions[i], s.transactions[i], s.total_spend[i])).collect();
                v.sort();
                v
            };
            prop_assert_eq!(key(&a.summaries), key(&b.summaries));
            prop_assert_eq!(totals(&a.reconciliation), totals(&b.reconciliation));
        }
    }
}
