//! The classification's invariants, as property tests, and its edge cases.

use super::exact::wide_mul;
use super::*;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// Values with ties, zeros, negatives and mixed scales.
fn values() -> impl Strategy<Value = Vec<Decimal>> {
    let one = prop_oneof![
        4 => (1_i64..40, 0_u32..3).prop_map(|(m, s)| Decimal::new(m * 10_i64.pow(s), s)), // ties across scales
        4 => (1_i64..1_000_000_000, 0_u32..6).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => Just(Decimal::ZERO),
        1 => (1_i64..1000).prop_map(|m| Decimal::new(-m, 1)),
    ];
    prop::collection::vec(one, 0..60)
}

fn config() -> impl Strategy<Value = TierConfig> {
    (prop::bool::ANY, 1_i64..99, 1_i64..=100).prop_filter_map("first < second", |(count, a, b)| {
        let cutoffs = Cutoffs::new(Decimal::new(a, 2), Decimal::new(b, 2)).ok()?;
        Some(TierConfig {
            basis: if count {
                TierBasis::Count
            } else {
                TierBasis::Value
            },
            cutoffs,
        })
    })
}

fn tiers_of(values: &[Decimal], config: &TierConfig) -> Vec<Tier> {
    classify(values, config).unwrap().tiers().collect()
}

/// Independent oracle: plain Decimal sums, the "smallest run of whole tie
/// groups whose share reaches the cut-off" read literally.
fn oracle(values: &[Decimal], config: &TierConfig) -> Vec<Tier> {
    let mut positive: Vec<Decimal> = values
        .iter()
        .copied()
        .filter(|v| *v > Decimal::ZERO)
        .collect();
    positive.sort_by(|a, b| b.cmp(a));
    let measure = |v: Decimal| {
        if config.basis == TierBasis::Value {
            v
        } else {
            Decimal::ONE
        }
    };
    let total: Decimal = positive.iter().map(|v| measure(*v)).sum();
    // The values at which each tier ends: walk groups until the run's
    // cumulative measure reaches cutoff × total.
    let mut ends = Vec::new();
    for cutoff in [config.cutoffs.first(), config.cutoffs.second()] {
        let target = cutoff * total;
        let mut cum = Decimal::ZERO;
        let mut end = None;
        let mut i = 0;
        while i < positive.len() {
            let v = positive[i];
            let n = positive[i..].iter().take_while(|w| **w == v).count();
            cum += measure(v) * Decimal::from(n);
            if cum >= target {
                end = Some(v);
                break;
            }
            i += n;
        }
        ends.push(end);
    }
    values
        .iter()
        .map(|v| {
            if *v <= Decimal::ZERO {
                Tier::Inactive
            } else if ends[0].is_some_and(|e| *v >= e) {
                Tier::MostValuable
            } else if ends[1].is_some_and(|e| *v >= e) {
                Tier::Major
            } else {
                Tier::Ordinary
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// docs/DOMAIN.md: every customer gets exactly one value tier; the shares of all tiers sum to 1.
    #[test]
    fn every_customer_gets_exactly_one_tier_and_shares_sum_to_one(v in values(), c in config()) {
        let cl = classify(&v, &c).unwrap();
        prop_assert_eq!(cl.len(), v.len());
        let s = cl.summary();
        prop_assert_eq!(s.iter().map(|t| t.customers).sum::<u64>(), v.len() as u64);
        let share: Decimal = s.iter().map(|t| t.value_share).sum();
        if v.iter().any(|x| *x > Decimal::ZERO) {
            prop_assert_eq!(share, Decimal::ONE);
        } else {
            prop_assert_eq!(share, Decimal::ZERO);
        }
    }

    /// docs/DOMAIN.md: customers whose value is zero or negative are inactive and take no share; shares are of the positive total.
    #[test]
    fn non_positive_value_is_inactive_and_takes_no_share(v in values(), c in config()) {
        let cl = classify(&v, &c).unwrap();
        let positive_total: Decimal = v.iter().filter(|x| **x > Decimal::ZERO).sum();
        prop_assert_eq!(cl.total(), positive_total);
        for (i, x) in v.iter().enumerate() {
            let why = cl.explain(i).unwrap();
            prop_assert_eq!(*x <= Decimal::ZERO, why.tier == Tier::Inactive);
            if *x <= Decimal::ZERO {
                prop_assert_eq!(why.share, None);
            } else {
                prop_assert_eq!(why.share, Some(*x / positive_total));
            }
        }
        prop_assert_eq!(cl.summary()[3].value_share, Decimal::ZERO);
    }

    /// docs/DOMAIN.md: input order does not matter.
    #[test]
    fn input_order_does_not_matter(v in values(), c in config(), seed in any::<u64>()) {
        let mut perm: Vec<usize> = (0..v.len()).collect();
        // Fisher-Yates with a tiny LCG: deterministic from the seed.
        let mut s = seed;
        for i in (1..perm.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            perm.swap(i, (s >> 33) as usize % (i + 1));
        }
        let shuffled: Vec<Decimal> = perm.iter().map(|&i| v[i]).collect();
        let a = classify(&v, &c).unwrap();
        let b = classify(&shuffled, &c).unwrap();
        for (j, &i) in perm.iter().enumerate() {
            prop_assert_eq!(a.tier(i), b.tier(j));
            prop_assert_eq!(a.rank(i), b.rank(j));
            let (mut x, mut y) = (a.explain(i).unwrap(), b.explain(j).unwrap());
            x.index = 0;
            y.index = 0;
            prop_assert_eq!(x, y);
        }
        prop_assert_eq!(a.summary(), b.summary());
    }

    /// docs/DOMAIN.md: customers with equal value always land in the same tier (a tie group is never split across a cut-off).
    /// The top of the ranking is the positive-valued customers sorted by
    /// value, largest first, ties in input order: read literally with a
    /// plain sort, for every length.
    #[test]
    fn top_customers_are_the_prefix_of_the_value_order(v in values(), c in config(), n in 0_usize..70) {
        let mut order: Vec<usize> = (0..v.len()).filter(|&i| v[i] > Decimal::ZERO).collect();
        order.sort_by(|&a, &b| v[b].cmp(&v[a]).then(a.cmp(&b)));
        order.truncate(n);
        prop_assert_eq!(classify(&v, &c).unwrap().top(n), order);
    }

    #[test]
    fn tie_group_is_never_split(v in values(), c in config()) {
        let t = tiers_of(&v, &c);
        for i in 0..v.len() {
            for j in 0..v.len() {
                if v[i] == v[j] {
                    prop_assert_eq!(t[i], t[j]);
                }
            }
        }
    }

    /// docs/DOMAIN.md: a customer with strictly larger value never lands in a lower tier.
    #[test]
    fn larger_value_never_lands_in_lower_tier(v in values(), c in config()) {
        let t = tiers_of(&v, &c);
        for i in 0..v.len() {
            for j in 0..v.len() {
                if v[i] > v[j] {
                    prop_assert!(t[i] >= t[j]);
                }
            }
        }
    }

    /// docs/DOMAIN.md: multiplying every value by the same positive number changes no tier.
    #[test]
    fn scaling_by_a_positive_number_changes_no_tier(v in values(), c in config(), k in (1_i64..10_000, 0_u32..4)) {
        let k = Decimal::new(k.0, k.1);
        let scaled: Vec<Decimal> = v.iter().map(|x| *x * k).collect();
        prop_assert_eq!(tiers_of(&v, &c), tiers_of(&scaled, &c));
    }

    /// docs/DOMAIN.md: adding a customer with zero value changes no other customer's tier.
    #[test]
    fn adding_a_zero_value_customer_changes_no_other_tier(v in values(), c in config(), at in any::<prop::sample::Index>()) {
        let pos = at.index(v.len() + 1);
        let mut more = v.clone();
        more.insert(pos, Decimal::ZERO);
        let mut t = tiers_of(&more, &c);
        prop_assert_eq!(t.remove(pos), Tier::Inactive);
        prop_assert_eq!(t, tiers_of(&v, &c));
    }

    /// docs/DOMAIN.md: the most-valuable set is the smallest run of whole tie groups from the top whose share reaches the cut-off; the same for major.
    #[test]
    fn tiers_are_the_smallest_runs_of_whole_groups_reaching_each_cutoff(v in values(), c in config()) {
        prop_assert_eq!(tiers_of(&v, &c), oracle(&v, &c));
    }
}

#[test]
fn cutoff_exactly_reached_keeps_the_next_group_out() {
    // 20 of 100 reaches 20 % exactly: the next group starts at 20 %, not below it.
    let c = classify(&[dec!(20), dec!(15), dec!(65)], &TierConfig::by_value()).unwrap();
    assert_eq!(c.tier(2), Some(Tier::MostValuable));
    assert_eq!(c.tier(0), Some(Tier::Ordinary)); // starts at 65 %
    let c = classify(&[dec!(20), dec!(80)], &TierConfig::by_value()).unwrap();
    assert_eq!(c.tier(0), Some(Tier::Ordinary)); // starts at 80 %
}

#[test]
fn second_cutoff_of_one_leaves_no_ordinary() {
    let cfg = TierConfig {
        basis: TierBasis::Value,
        cutoffs: Cutoffs::new(dec!(0.2), dec!(1)).unwrap(),
    };
    let c = classify(&[dec!(50), dec!(30), dec!(20)], &cfg).unwrap();
    assert_eq!(
        c.tiers().collect::<Vec<_>>(),
        [Tier::MostValuable, Tier::Major, Tier::Major]
    );
}

#[test]
fn mixed_scales_and_huge_values_sum_exactly() {
    let big = Decimal::from_i128_with_scale(10_i128.pow(20), 0);
    let tiny = Decimal::new(1, 6);
    let c = classify(&[big, tiny, dec!(1.50)], &TierConfig::by_value()).unwrap();
    assert_eq!(c.total(), dec!(100000000000000000001.500001));
    assert_eq!(c.tier(0), Some(Tier::MostValuable));
    assert_eq!(c.tier(1), Some(Tier::Ordinary));
    assert!(c.rank(1) > c.rank(2));
}

#[test]
fn trailing_zero_scales_do_not_overflow() {
    let big = Decimal::MAX / dec!(4);
    let padded = Decimal::new(10_000_000_000, 10); // 1.0000000000
    let c = classify(&[big, padded], &TierConfig::by_value()).unwrap();
    assert_eq!(c.tier(1), Some(Tier::Ordinary));
}

#[test]
fn a_sum_decimal_cannot_hold_exactly_is_an_error() {
    // 1e26 + 0.000001 needs 33 significant digits: no exact Decimal.
    let big = Decimal::from_i128_with_scale(10_i128.pow(26), 0);
    let e = classify(&[big, Decimal::new(1, 6)], &TierConfig::by_value()).unwrap_err();
    assert!(matches!(e, TierError::Overflow { .. }), "{e:?}");
}

#[test]
fn overflowing_sum_is_an_error_not_a_panic() {
    let e = classify(
        &[Decimal::MAX, Decimal::MAX, dec!(1)],
        &TierConfig::by_value(),
    )
    .unwrap_err();
    assert!(matches!(e, TierError::Overflow { .. }), "{e:?}");
    let e = classify(
        &[Decimal::MAX, Decimal::new(1, 28)],
        &TierConfig::by_value(),
    )
    .unwrap_err();
    assert!(matches!(e, TierError::Overflow { row: 1 | 2 }), "{e:?}");
}

#[test]
fn wide_mul_matches_schoolbook_on_edges() {
    let m = u128::MAX;
    // (2^128 - 1)^2 = 2^256 - 2^129 + 1
    assert_eq!(wide_mul(m, m), (m - 1, 1));
    assert_eq!(wide_mul(m, 2), (1, m - 1));
    assert_eq!(wide_mul(1 << 64, 1 << 64), (1, 0));
    assert_eq!(wide_mul(12345, 678), (0, 12345 * 678));
}

#[test]
fn classification_round_trips_through_json() {
    let c = classify(&[dec!(3), dec!(1.5), dec!(-2)], &TierConfig::by_count()).unwrap();
    let json = serde_json::to_string(&c).unwrap();
    let back: Classification = serde_json::from_str(&json).unwrap();
    assert_eq!(back, c);
    let bad = r#"{"basis":"value","cutoffs":{"first":"0.6","second":"0.5"}}"#;
    assert!(
        serde_json::from_str::<TierConfig>(bad)
            .unwrap_err()
            .to_string()
            .contains("0 < first < second <= 1")
    );
}
