//! Tests of the conditional expectations by group: the CDNOW split's groups
//! against a direct customer-by-customer tally, the invariance under
//! customer order, and the refusals.

use proptest::prelude::*;

use super::*;
use crate::clv::FitOptions;
use crate::clv::holdout::tests::cdnow_split;
use crate::clv::registry::ModelKind;

/// The mean of `values` over the customers `member` selects, by a plain
/// left-to-right sum (not the module's sorted sum).
fn tally(member: impl Fn(usize) -> bool, values: &[f64]) -> (u64, f64) {
    let (mut n, mut sum) = (0_u64, 0.0);
    for (i, v) in values.iter().enumerate() {
        if member(i) {
            n += 1;
            sum += v;
        }
    }
    (n, sum / n as f64)
}

#[test]
fn cdnow_groups_are_the_means_of_their_customers() -> Result<(), ClvError> {
    let split = cdnow_split();
    let f = HoldoutForecast::fit(&split, ModelKind::BgNbd, &FitOptions::default())?;
    let g = HoldoutGroups::of_forecast(&split, &f, 7)?;
    let c = &split.calibration;
    let actual: Vec<f64> = split.frequency_holdout.iter().map(|&x| x as f64).collect();
    let n = c.len() as u64;
    for grouping in Grouping::ALL {
        let groups = g.by(grouping);
        assert_eq!(groups.iter().map(|g| g.customers).sum::<u64>(), n);
        assert!(groups.windows(2).all(|w| w[0].group < w[1].group));
        for grp in groups {
            let member = |i: usize| match grouping {
                Grouping::Frequency if grp.and_more => c.frequency[i] >= grp.group,
                Grouping::Frequency => c.frequency[i] == grp.group,
                Grouping::Recency => c.recency[i].floor() as u64 == grp.group,
                Grouping::TimeSinceLastPurchase => {
                    (c.age[i] - c.recency[i]).floor() as u64 == grp.group
                }
            };
            let (k, mean_actual) = tally(member, &actual);
            let (_, mean_predicted) = tally(member, &f.predicted_purchases);
            assert_eq!(grp.customers, k, "{grouping:?} {}", grp.group);
            assert!((grp.actual_purchases - mean_actual).abs() <= 1e-12 * mean_actual.max(1.0));
            assert!(
                (grp.predicted_purchases - mean_predicted).abs() <= 1e-12 * mean_predicted.max(1.0)
            );
        }
    }
    // 39 weeks of calibration: frequency groups 0 … 6 and 7+, recency and
    // time since the last purchase 0 … 38 at most.
    let freq = g.by(Grouping::Frequency);
    assert_eq!(freq.len(), 8);
    assert!(freq[7].and_more && freq[..7].iter().all(|g| !g.and_more));
    assert!(g.by(Grouping::Recency).iter().all(|g| g.group <= 38));
    // Customers who never bought again have recency 0: all of group 0.
    let zero = freq[0].customers;
    assert!(g.by(Grouping::Recency)[0].customers >= zero);
    Ok(())
}

fn columns() -> impl Strategy<Value = Vec<(f64, f64, f64, f64, f64)>> {
    prop::collection::vec(
        (
            0_u32..12,
            0.0_f64..20.0,
            0.0_f64..10.0,
            0_u32..9,
            0.0_f64..6.0,
        )
            .prop_map(|(x, t_x, gap, a, p)| (f64::from(x), t_x, t_x + gap, f64::from(a), p)),
        1..60,
    )
}

fn groups_of(rows: &[(f64, f64, f64, f64, f64)], max: u64) -> Result<HoldoutGroups, ClvError> {
    let col = |k: fn(&(f64, f64, f64, f64, f64)) -> f64| rows.iter().map(k).collect::<Vec<_>>();
    let (x, t_x, age, a, p) = (
        col(|r| r.0),
        col(|r| r.1),
        col(|r| r.2),
        col(|r| r.3),
        col(|r| r.4),
    );
    HoldoutGroups::of(
        &GroupColumns {
            frequency: &x,
            recency: &t_x,
            age: &age,
            actual_purchases: &a,
            predicted_purchases: &p,
        },
        max,
    )
}

proptest! {
    #[test]
    fn groups_do_not_depend_on_customer_order(
        rows in columns(),
        seed in any::<u64>(),
        max in 1_u64..9,
    ) {
        let g = groups_of(&rows, max).unwrap();
        let mut shuffled = rows.clone();
        // A deterministic shuffle from the seed.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(groups_of(&shuffled, max).unwrap(), g);
    }

    #[test]
    fn every_grouping_holds_every_customer_once(rows in columns(), max in 1_u64..9) {
        let g = groups_of(&rows, max).unwrap();
        for grouping in Grouping::ALL {
            let n: u64 = g.by(grouping).iter().map(|g| g.customers).sum();
            prop_assert_eq!(n, rows.len() as u64);
        }
        prop_assert!(g.by(Grouping::Frequency).iter().all(|g| g.group <= max));
    }
}

#[test]
fn values_outside_a_columns_kind_are_refused_with_their_row() {
    let ok = (1.0, 2.0, 5.0, 1.0, 0.5);
    let cases: [(usize, f64, &str); 9] = [
        (0, 1.5, "frequency"),
        (0, -1.0, "frequency"),
        (0, f64::NAN, "frequency"),
        (1, f64::INFINITY, "recency"),
        (1, -0.5, "recency"),
        (2, 1.0, "T"), // below the recency
        (3, 1e300, "actual_purchases"),
        (4, -0.1, "predicted_purchases"),
        (4, f64::NAN, "predicted_purchases"),
    ];
    for (column, value, field) in cases {
        let mut bad = ok;
        match column {
            0 => bad.0 = value,
            1 => bad.1 = value,
            2 => bad.2 = value,
            3 => bad.3 = value,
            _ => bad.4 = value,
        }
        match groups_of(&[ok, ok, bad], 7) {
            Err(ClvError::InvalidInput {
                field: f,
                row,
                rule,
            }) => {
                assert_eq!((f.as_str(), row), (field, 3), "{value}");
                assert!(rule.contains("holdout_groups"));
            }
            other => panic!("{field} = {value}: {other:?}"),
        }
    }
}

#[test]
fn no_customers_unequal_columns_and_no_open_group_are_refused() {
    assert!(matches!(groups_of(&[], 7), Err(ClvError::NoData { .. })));
    assert!(matches!(
        groups_of(&[(1.0, 1.0, 2.0, 0.0, 0.1)], 0),
        Err(ClvError::InvalidArgument { .. })
    ));
    let err = HoldoutGroups::of(
        &GroupColumns {
            frequency: &[1.0, 2.0],
            recency: &[1.0, 2.0],
            age: &[3.0],
            actual_purchases: &[0.0, 0.0],
            predicted_purchases: &[0.1, 0.1],
        },
        7,
    );
    assert!(matches!(err, Err(ClvError::LengthMismatch { .. })));
}

#[test]
fn huge_predictions_that_overflow_a_groups_sum_are_refused() {
    let big = (1.0, 1.0, 2.0, 0.0, f64::MAX);
    assert!(matches!(
        groups_of(&[big, big], 7),
        Err(ClvError::InvalidArgument { .. })
    ));
}
