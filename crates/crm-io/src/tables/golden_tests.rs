//! Each builder's layout is its committed golden file
//! (`crates/crm-io/schemas/<table>.json`), whatever the input: with and
//! without the optional columns, empty or not.

use chrono::NaiveDate;
use crm_core::records::summary::{
    Amounts, CalibrationHoldoutAccumulator, ColumnBatch, Keys, Summaries, SummaryConfig,
    summarize_transactions,
};
use crm_core::records::transaction::{CalendarConfig, Transaction, TxTime, day_number};
use crm_core::value::review::{Membership, Period, ReviewConfig, TierSnapshot, review_pair};
use crm_core::value::rfm::{Monetary, RfmMetrics, SegmentTable, score};
use crm_core::value::tier::Tier;
use rust_decimal_macros::dec;

use super::{GOLDEN, MoneyType, Table, golden_layout, layout, metrics, review, rfm, summaries};

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, m, d).unwrap()
}

fn sample() -> Summaries {
    let t = |c: i64, d, a| Transaction::new(c, TxTime::Date(day(1, d)), a);
    let txs = vec![
        t(1, 2, dec!(10.25)),
        t(1, 20, dec!(3)),
        t(2, 5, dec!(7.5)),
        t(3, 9, dec!(-1)),
        t(3, 9, dec!(4)),
    ];
    summarize_transactions(
        &txs,
        &SummaryConfig::new(day(1, 31)),
        &CalendarConfig::default(),
    )
    .unwrap()
    .summaries
}

fn assert_golden(name: &str, t: &Table) {
    let want = golden_layout(name).unwrap_or_else(|| panic!("no golden file for {name}"));
    assert_eq!(layout(name, &t.schema()), want, "table {name}");
    t.batch().unwrap();
}

#[test]
fn summaries_match_their_golden_file_with_and_without_optional_columns() {
    let s = sample();
    assert_golden(
        "summaries",
        &summaries::summaries(&s, MoneyType::Decimal128),
    );
    let empty = Summaries::with_capacity(&SummaryConfig::new(day(1, 31)), 0);
    assert_golden(
        "summaries",
        &summaries::summaries(&empty, MoneyType::Decimal128),
    );
    let mut with = s.clone();
    with.quantity = vec![Some(dec!(1.5)); s.len()];
    with.margin = vec![None; s.len()];
    with.discounted_transactions = vec![1; s.len()];
    with.discount_share = vec![Some(0.5); s.len()];
    assert_golden(
        "summaries",
        &summaries::summaries(&with, MoneyType::Decimal128),
    );
}

#[test]
fn calibration_holdout_matches_its_golden_file() {
    let d = |m, x| day_number(day(m, x));
    let mut acc =
        CalibrationHoldoutAccumulator::new(SummaryConfig::new(day(6, 30)), day(3, 31)).unwrap();
    let days = [d(1, 5), d(2, 5), d(4, 1), d(5, 2)];
    acc.add_batch(&ColumnBatch::new(
        1,
        Keys::Int(&[1, 1, 1, 2]),
        &days,
        Amounts::Float(&[1.0, 2.0, 3.0, 6.0]),
    ))
    .unwrap();
    let c = acc.finish().unwrap();
    assert_golden(
        "calibration_holdout",
        &summaries::calibration_holdout(&c, MoneyType::Decimal128),
    );
    let r = super::validation::repeat_occasions(&c);
    assert_golden("repeat_occasions", &r);
    // Customer 1's second and third days; customer 2 starts in the holdout.
    assert_eq!(r.batch().unwrap().num_rows(), 2);
}

#[test]
fn rfm_matches_its_golden_file() {
    let s = sample();
    for m in [Monetary::Total, Monetary::MeanPerOccasion] {
        let metrics = RfmMetrics::of_summaries(&s, m);
        let r = score(&metrics.input(), None, &SegmentTable::standard()).unwrap();
        assert_golden(
            "rfm",
            &rfm::rfm(&s.customers, &metrics, &r, MoneyType::Decimal128),
        );
    }
}

#[test]
fn review_matches_its_golden_file() {
    let snap = |c: i64, tier, v| TierSnapshot {
        customer: c.into(),
        tier,
        value: v,
        rank: Some(1),
    };
    let a = Period::new(
        "a",
        vec![
            snap(1, Tier::Major, dec!(5)),
            snap(2, Tier::Ordinary, dec!(1)),
        ],
    );
    let b = Period::new(
        "b",
        vec![
            snap(1, Tier::MostValuable, dec!(9.5)),
            snap(3, Tier::Major, dec!(2)),
        ],
    );
    let presence = ReviewConfig {
        membership: Membership::Presence,
        ..Default::default()
    };
    let r = review_pair(&a, &b, &presence).unwrap();
    assert_golden("review", &review::moves(&r, MoneyType::Decimal128));
}

#[test]
fn metrics_match_their_golden_file() {
    use crm_core::relationship::customer_base::{CustomerBase, CustomerSpan};
    use crm_core::relationship::period_metrics::{
        MetricPeriod, PeriodConfig, PeriodData, period_metrics,
    };
    let d = |m, day| chrono::NaiveDate::from_ymd_opt(2024, m, day).unwrap();
    let data = PeriodData {
        base: CustomerBase::new(vec![CustomerSpan::new(1, d(1, 1), None)]).unwrap(),
        activity: vec![],
        complaints: vec![],
        referrals: vec![],
    };
    let period = MetricPeriod::new(d(3, 1), d(3, 31)).unwrap();
    let m = period_metrics(&data, period, &PeriodConfig::default()).unwrap();
    for given in [
        metrics::Given::default(),
        metrics::Given {
            complaints: true,
            referrals: true,
            surveys: None,
        },
    ] {
        assert_golden("metrics", &metrics::metrics(&m, given).unwrap());
    }
}

#[test]
fn float64_money_changes_only_the_money_columns() {
    let s = sample();
    let exact = summaries::summaries(&s, MoneyType::Decimal128).schema();
    let float = summaries::summaries(&s, MoneyType::Float64).schema();
    assert_eq!(exact.fields().len(), float.fields().len());
    for (e, f) in exact.fields().iter().zip(float.fields()) {
        assert_eq!(e.name(), f.name());
        if matches!(e.data_type(), arrow::datatypes::DataType::Decimal128(..)) {
            assert_eq!(
                f.data_type(),
                &arrow::datatypes::DataType::Float64,
                "{}",
                e.name()
            );
        } else {
            assert_eq!(e.data_type(), f.data_type(), "{}", e.name());
        }
    }
}

#[test]
fn every_golden_file_is_in_the_layout_form() {
    for (name, text) in GOLDEN {
        assert!(
            text.starts_with(&format!("{{\"table\": \"{name}\", \"columns\": [\n")),
            "{name}"
        );
        assert!(text.ends_with("\n]}\n"), "{name}");
    }
}

/// Every value of a decimal column reads back as the same `Decimal`
/// (or, past 28 significant digits, as that decimal rounded to the
/// column's scale), whatever mix of magnitudes and scales it holds.
#[test]
fn decimal_columns_read_back_into_decimals_without_losing_an_amount_digit() {
    use arrow::array::{Array, Decimal128Array};
    use rust_decimal::Decimal;
    let third = Decimal::ONE / Decimal::from(3);
    let cases: Vec<Vec<Option<Decimal>>> = vec![
        vec![Some(dec!(100)), Some(third), None],
        vec![Some(dec!(1.50)), Some(dec!(-2.125))],
        vec![Some(Decimal::MAX), Some(dec!(0.5))],
        vec![Some(dec!(22.345000000000000000000000000)), Some(dec!(7))],
    ];
    for values in cases {
        let a = super::decimals(values.clone());
        let a = a.as_any().downcast_ref::<Decimal128Array>().unwrap();
        let scale = a.scale() as u32;
        for (i, v) in values.iter().enumerate() {
            match v {
                None => assert!(a.is_null(i)),
                Some(v) => {
                    let back = Decimal::try_from_i128_with_scale(a.value(i), scale).unwrap();
                    assert_eq!(back, v.round_dp(scale), "{v} at scale {scale}");
                    if v.normalize().scale() <= scale {
                        assert_eq!(back, *v);
                    }
                }
            }
        }
    }
}

#[test]
fn holdout_tables_match_their_golden_files_with_undefined_scores_as_nulls() {
    use crm_core::clv::validation::{HoldoutColumns, HoldoutScores};
    use crm_core::records::customer::CustomerId;
    let ids = [CustomerId::from(1), CustomerId::from(2)];
    // No actual purchase or value: relative error, correlation and Gini are null.
    let s = HoldoutScores::of(&HoldoutColumns {
        customers: &ids,
        predicted_purchases: &[1.0, 2.0],
        actual_purchases: &[0.0, 0.0],
        predicted_value: &[1.0, 2.0],
        actual_value: &[0.0, 0.0],
    })
    .unwrap();
    let t = super::validation::holdout_scores(&s);
    assert_golden("holdout_scores", &t);
    assert_eq!(t.batch().unwrap().column(8).null_count(), 1);
    assert_golden("holdout_deciles", &super::validation::holdout_deciles(&s));
    assert_golden("holdout_lorenz", &super::validation::holdout_lorenz(&s));
}

#[test]
fn tracking_tables_match_their_golden_files() {
    use chrono::NaiveDate;
    use crm_core::clv::bg_nbd::BetaGeo;
    use crm_core::clv::tracking::{TrackingCurve, TrackingInput};
    use crm_core::records::summary::{DayOccasions, Unit};
    let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).unwrap();
    let occasions = [DayOccasions {
        day: day(9),
        occasions: 2,
    }];
    let input = TrackingInput {
        first_purchase: &[day(1), day(3)],
        repeat_occasions: &occasions,
        calibration_end: day(14),
        observation_end: day(21),
        unit: Unit::Week,
    };
    let model = BetaGeo {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };
    let curve = TrackingCurve::new(&model, &input, 7).unwrap();
    let t = super::validation::tracking(&curve);
    assert_golden("tracking", &t);
    assert_eq!(t.batch().unwrap().num_rows(), 3);
}

#[test]
fn holdout_groups_table_matches_its_golden_file() {
    use crm_core::clv::holdout_groups::{GroupColumns, HoldoutGroups};
    let g = HoldoutGroups::of(
        &GroupColumns {
            frequency: &[0.0, 3.0, 9.0],
            recency: &[0.0, 4.5, 20.0],
            age: &[30.0, 30.0, 30.0],
            actual_purchases: &[0.0, 1.0, 4.0],
            predicted_purchases: &[0.1, 1.2, 3.5],
        },
        7,
    )
    .unwrap();
    let t = super::validation::holdout_groups(&g);
    assert_golden("holdout_groups", &t);
    let batch = t.batch().unwrap();
    // 3 frequency groups (the last "7+"), 3 recency, 3 time since last purchase.
    assert_eq!(batch.num_rows(), 9);
    let labels = batch
        .column(2)
        .as_any()
        .downcast_ref::<arrow::array::StringArray>()
        .unwrap();
    assert_eq!(labels.value(2), "7+");
}

#[test]
fn model_comparison_table_matches_its_golden_file() {
    use crm_core::clv::FitOptions;
    use crm_core::clv::choice::compare;
    let x = [0.0, 0.0, 1.0, 1.0, 2.0, 3.0, 5.0, 8.0, 2.0, 1.0];
    let t_x = [0.0, 0.0, 5.0, 20.0, 30.0, 25.0, 35.0, 37.0, 10.0, 2.0];
    let age = [39.0, 30.0, 39.0, 30.0, 39.0, 38.0, 39.0, 38.0, 35.0, 20.0];
    let w = [
        800.0, 500.0, 150.0, 120.0, 100.0, 80.0, 50.0, 20.0, 60.0, 100.0,
    ];
    let c = compare(&[&x, &t_x, &age], Some(&w), &FitOptions::default(), None).unwrap();
    let t = super::validation::model_comparison(&c);
    assert_golden("model_comparison", &t);
    let batch = t.batch().unwrap();
    assert_eq!(batch.num_rows(), 3);
    // No holdout: both holdout columns are null.
    assert_eq!(batch.column(8).null_count(), 3);
}
