//! Tests of the tracking curve: the cohort sum against each customer's own
//! expectation, the actual curve against the split's frequencies, the
//! period alignment and the refusals.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::clv::bg_nbd::BetaGeo;
use crate::clv::holdout::tests::cdnow_split;
use crate::clv::registry::ModelKind;

/// BG/NBD on CDNOW, Fader, Hardie & Lee (2005).
const CDNOW: BetaGeo = BetaGeo {
    r: 0.243,
    alpha: 4.414,
    a: 0.793,
    b: 2.426,
};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

#[test]
fn cdnow_tracks_39_weeks_of_calibration_and_39_of_holdout() -> Result<(), ClvError> {
    let split = cdnow_split();
    let model = Model::BgNbd(CDNOW);
    let curve = TrackingCurve::of_split(&split, &model, 7)?;
    assert_eq!(curve.customers, 2357);
    assert_eq!(curve.periods.len(), 78);
    let cut = &curve.periods[38];
    assert_eq!(
        (cut.first_day, cut.last_day, cut.holdout),
        (day(1997, 9, 24), day(1997, 9, 30), false)
    );
    assert_eq!(curve.periods[0].first_day, day(1997, 1, 1));
    assert!(curve.periods[39].holdout);
    assert_eq!(curve.periods[77].last_day, day(1998, 6, 30));
    // The actual curve counts every repeat occasion of the split.
    let calibration: u64 = split.calibration.frequency.iter().sum();
    let holdout: u64 = split.frequency_holdout.iter().sum();
    assert_eq!(cut.actual_cumulative, calibration);
    assert_eq!(curve.periods[77].actual_cumulative, calibration + holdout);
    // At the cut, the sum of each customer's expectation at its own age T.
    let at_cut: f64 = split
        .calibration
        .age
        .iter()
        .map(|&t| CDNOW.expected_purchases(t))
        .sum();
    assert!((cut.expected_cumulative - at_cut).abs() <= 1e-9 * at_cut);
    // And 39 weeks later, at T + 39.
    let at_end: f64 = split
        .calibration
        .age
        .iter()
        .map(|&t| CDNOW.expected_purchases(t + 39.0))
        .sum();
    assert!((curve.periods[77].expected_cumulative - at_end).abs() <= 1e-9 * at_end);
    // The paper's parameters predict 1,668.8 holdout repeat purchases of
    // the 1,882 there were: BG/NBD runs below CDNOW's holdout, as in the
    // paper's tracking plot, but not far.
    let (predicted, actual) = (at_end - at_cut, holdout as f64);
    assert_eq!(actual, 1882.0);
    assert!((predicted - 1668.809).abs() < 1e-3, "{predicted}");
    Ok(())
}

#[test]
fn expected_periods_add_up_to_the_cumulative_curve() -> Result<(), ClvError> {
    let curve = TrackingCurve::of_split(&cdnow_split(), &Model::BgNbd(CDNOW), 10)?;
    let mut sum = 0.0;
    for p in &curve.periods {
        assert!(p.expected >= 0.0);
        sum += p.expected;
        assert!((sum - p.expected_cumulative).abs() < 1e-9 * p.expected_cumulative.max(1.0));
    }
    // Periods are aligned on the cut: one ends on it.
    assert!(
        curve
            .periods
            .iter()
            .any(|p| p.last_day == day(1997, 9, 30) && !p.holdout)
    );
    Ok(())
}

#[test]
fn refusals_name_their_rule() {
    let split = cdnow_split();
    let rule = |r: Result<TrackingCurve, ClvError>| match r {
        Err(ClvError::InvalidArgument { name, rule }) => format!("{name}: {rule}"),
        other => format!("{other:?}"),
    };
    let bg = Model::BgNbd(CDNOW);
    assert!(rule(TrackingCurve::of_split(&split, &bg, 0)).contains("rule tracking_period"));
    let gg = Model::from_values(ModelKind::GammaGamma, &[6.0, 4.0, 16.0]);
    if let Ok(gg) = gg {
        assert!(rule(TrackingCurve::of_split(&split, &gg, 7)).contains("rule tracking_model"));
    }
    // 20,000 daily cohorts tracked by the day over 80 years.
    let many: Vec<NaiveDate> = (0..20_000_u64)
        .map(|d| day(1944, 1, 1) + chrono::Days::new(d))
        .collect();
    let input = TrackingInput {
        first_purchase: &many,
        repeat_occasions: &[],
        calibration_end: day(2024, 1, 2),
        observation_end: day(2024, 1, 3),
        unit: Unit::Day,
    };
    assert!(rule(TrackingCurve::new(&CDNOW, &input, 1)).contains("rule tracking_size"));
    // Two customers 2,000 years apart, by the day: too many ages to evaluate.
    let ancient = [day(1, 1, 1), day(2024, 1, 1)];
    let far = TrackingInput {
        first_purchase: &ancient,
        ..input
    };
    let why = rule(TrackingCurve::new(&CDNOW, &far, 1));
    assert!(
        why.starts_with("first_purchase:") && why.contains("rule tracking_size"),
        "{why}"
    );
    let late = TrackingInput {
        first_purchase: &[day(2024, 1, 1), day(2024, 1, 5)],
        ..input
    };
    assert!(rule(TrackingCurve::new(&CDNOW, &late, 1)).contains("rule tracking_dates"));
    let early = [DayOccasions {
        day: day(2023, 12, 31),
        occasions: 1,
    }];
    let before = TrackingInput {
        first_purchase: &[day(2024, 1, 1)],
        repeat_occasions: &early,
        ..input
    };
    assert!(rule(TrackingCurve::new(&CDNOW, &before, 1)).contains("rule tracking_dates"));
    let huge = [
        DayOccasions {
            day: day(2024, 1, 2),
            occasions: u64::MAX,
        },
        DayOccasions {
            day: day(2024, 1, 3),
            occasions: 1,
        },
    ];
    let overflow = TrackingInput {
        repeat_occasions: &huge,
        ..before
    };
    assert!(rule(TrackingCurve::new(&CDNOW, &overflow, 1)).starts_with("repeat_occasions:"));
    let empty = TrackingInput {
        first_purchase: &[],
        ..input
    };
    assert!(matches!(
        TrackingCurve::new(&CDNOW, &empty, 1),
        Err(ClvError::NoData { .. })
    ));
    let reversed = TrackingInput {
        calibration_end: day(2024, 1, 3),
        observation_end: day(2024, 1, 3),
        ..late
    };
    assert!(rule(TrackingCurve::new(&CDNOW, &reversed, 1)).contains("rule tracking_dates"));
}

proptest! {
    #[test]
    fn the_order_of_customers_and_occasions_never_changes_the_curve(
        births in prop::collection::vec(0_i32..30, 1..40),
        // After every first purchase: repeat occasions in both parts.
        occasions in prop::collection::vec((31_i32..90, 1_u64..4), 0..40),
        period in 1_u32..15,
    ) {
        let base = day(2024, 1, 1);
        let at = |d: i32| base + chrono::Days::new(u64::try_from(d).unwrap_or(0));
        let first: Vec<NaiveDate> = births.iter().map(|&d| at(d)).collect();
        let occ: Vec<DayOccasions> = occasions.iter().map(|&(d, n)| DayOccasions { day: at(d), occasions: n }).collect();
        let input = TrackingInput {
            first_purchase: &first,
            repeat_occasions: &occ,
            calibration_end: at(60),
            observation_end: at(90),
            unit: Unit::Week,
        };
        let one = TrackingCurve::new(&CDNOW, &input, period);
        let (mut f2, mut o2) = (first.clone(), occ.clone());
        f2.reverse();
        o2.reverse();
        let two = TrackingCurve::new(&CDNOW, &TrackingInput { first_purchase: &f2, repeat_occasions: &o2, ..input }, period);
        prop_assert_eq!(&one, &two);
        let Ok(curve) = one else { return Ok(()) };
        let total: u64 = occasions.iter().map(|o| o.1).sum();
        prop_assert_eq!(curve.periods.last().map(|p| p.actual_cumulative), Some(total));
        // Brute force: each customer's own expectation at each period end.
        for p in &curve.periods {
            let e = (p.last_day - base).num_days();
            let want: f64 = births
                .iter()
                .filter(|&&b| i64::from(b) < e)
                .map(|&b| CDNOW.expected_purchases((e - i64::from(b)) as f64 / 7.0))
                .sum();
            prop_assert!((p.expected_cumulative - want).abs() <= 1e-12 * want.max(1.0));
        }
    }
}
