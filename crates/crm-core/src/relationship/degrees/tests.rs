use super::*;
use crate::relationship::complaint::Complaint;
use chrono::{NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal_macros::dec;

fn jan() -> MetricPeriod {
    MetricPeriod::new(
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2024, 1, 31).unwrap(),
    )
    .unwrap()
}

fn at(day: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, day, 12, 0, 0).unwrap()
}

fn answer(c: i64, scale: SurveyScale, score: u8) -> SurveyAnswer {
    SurveyAnswer {
        customer: c.into(),
        time: at(10),
        scale,
        score,
    }
}

fn sample() -> DegreeData {
    DegreeData {
        customers: vec![
            CustomerFacts::new(1, dec!(600), 3, 365, dec!(600), Some(dec!(800))),
            CustomerFacts::new(2, dec!(400), 1, 1000, dec!(400), None),
        ],
        answers: vec![
            answer(1, SurveyScale::Csat, 4),
            answer(1, SurveyScale::Nps, 9),
            SurveyAnswer {
                customer: 2.into(),
                time: Utc.with_ymd_and_hms(2024, 2, 2, 0, 0, 0).unwrap(),
                scale: SurveyScale::Csat,
                score: 1,
            },
        ],
        complaints: vec![Complaint::new(1, "phone", at(3))], // open at the end
        referrals: vec![Referral {
            referrer: 1.into(),
            referred: None,
            time: at(5),
        }],
    }
}

#[test]
fn hand_computed_degrees() {
    let r = degrees(&sample(), jan(), &DegreeConfig::default()).unwrap();
    let c1 = &r.customers[0];
    // satisfaction: CSAT 4 → 0.75, NPS 9 → 0.9; mean 0.825; one open complaint −0.1 → 0.725
    assert_eq!(c1.satisfaction, Some(dec!(0.725)));
    // loyalty parts: repeat (3 − 1) / 3 = 0.6667, tenure 365 / 730 = 0.5, referral 1 / 2 = 0.5
    // loyalty = 0.5 · 0.6667 + 0.25 · 0.5 + 0.25 · 0.5 = 0.3333 + 0.25 = 0.58333...
    assert_eq!(c1.loyalty.round_dp(4), dec!(0.5833));
    // contribution 600 / 1000 = 0.6; dependency 600 / 800 = 0.75
    assert_eq!(
        (c1.contribution, c1.dependency),
        (Some(dec!(0.6)), Some(dec!(0.75)))
    );
    // index = 0.4·0.725 + 0.3·0.58333 + 0.15·0.6 + 0.15·0.75 = 0.29 + 0.175 + 0.09 + 0.1125 = 0.6675
    assert_eq!(c1.index.unwrap().round_dp(4), dec!(0.6675));
    assert_eq!(c1.index_coverage, dec!(1));
    let c2 = &r.customers[1];
    // customer 2 answered only in February: unknown satisfaction, not zero
    assert_eq!(c2.satisfaction, None);
    // loyalty: repeat 0, tenure 1 (capped), referral 0 → 0.25
    assert_eq!(c2.loyalty, dec!(0.25));
    // index over loyalty and contribution: (0.3·0.25 + 0.15·0.4) / 0.45 = 0.135 / 0.45 = 0.3
    assert_eq!(c2.index, Some(dec!(0.3)));
    assert_eq!(c2.index_coverage, dec!(0.45));
    assert_eq!(
        r.base.satisfaction,
        DegreeSummary {
            known: 1,
            unknown: 1,
            mean: Some(dec!(0.725))
        }
    );
    assert_eq!(r.base.share_of_wallet, Some(dec!(0.75)));
    assert_eq!(
        r.rows.answers,
        RowCounts {
            read: 3,
            used: 2,
            outside_period: 1
        }
    );
}

#[test]
fn require_satisfaction_makes_the_index_unknown() {
    let c = DegreeConfig {
        require_satisfaction: true,
        ..Default::default()
    };
    let r = degrees(&sample(), jan(), &c).unwrap();
    assert_eq!(r.customers[1].index, None);
    assert!(r.customers[0].index.is_some());
}

#[test]
fn relative_to_largest_scales_contribution() {
    let c = DegreeConfig {
        contribution_scale: ContributionScale::RelativeToLargest,
        ..Default::default()
    };
    let r = degrees(&sample(), jan(), &c).unwrap();
    // 600 / 600 = 1, 400 / 600 = 0.666...
    assert_eq!(r.customers[0].contribution, Some(dec!(1)));
}

#[test]
fn contribution_without_a_positive_total_is_unknown_not_zero() {
    // Nobody brought positive value: 0 and −50 of a positive total of 0.
    let mut d = sample();
    d.customers[0].value = dec!(0);
    d.customers[1].value = dec!(-50);
    for scale in [
        ContributionScale::Share,
        ContributionScale::RelativeToLargest,
    ] {
        let c = DegreeConfig {
            contribution_scale: scale,
            ..Default::default()
        };
        let r = degrees(&d, jan(), &c).unwrap();
        assert_eq!(
            r.customers
                .iter()
                .map(|c| c.contribution)
                .collect::<Vec<_>>(),
            [None, None]
        );
        assert_eq!(
            r.base.contribution,
            DegreeSummary {
                known: 0,
                unknown: 2,
                mean: None
            }
        );
        // customer 1: index over satisfaction 0.725, loyalty 0.58333.., dependency 0.75:
        // (0.4·0.725 + 0.3·0.583333.. + 0.15·0.75) / 0.85 = (0.29 + 0.175 + 0.1125) / 0.85 = 0.679411..
        let c1 = &r.customers[0];
        assert_eq!(c1.index.unwrap().round_dp(4), dec!(0.6794));
        assert_eq!(c1.index_coverage, dec!(0.85));
        // customer 2: loyalty 0.25 alone (coverage 0.3): index 0.25
        assert_eq!(r.customers[1].index, Some(dec!(0.25)));
        assert_eq!(r.customers[1].index_coverage, dec!(0.3));
    }
}

#[test]
fn spend_above_category_is_rejected() {
    let mut d = sample();
    d.customers[0].category_spend = Some(dec!(10));
    assert_eq!(
        degrees(&d, jan(), &DegreeConfig::default()).unwrap_err(),
        DegreeError::SpendAboveCategory {
            row: 1,
            customer: 1.into()
        }
    );
}

#[test]
fn serde_round_trip() {
    let d = sample();
    assert_eq!(
        serde_json::from_str::<DegreeData>(&serde_json::to_string(&d).unwrap()).unwrap(),
        d
    );
    let r = degrees(&d, jan(), &DegreeConfig::default()).unwrap();
    assert_eq!(
        serde_json::from_str::<DegreeReport>(&serde_json::to_string(&r).unwrap()).unwrap(),
        r
    );
}

fn data() -> impl Strategy<Value = DegreeData> {
    let fact = (
        -1000_i64..100_000,
        0_u64..10,
        0_u64..2000,
        0_i64..1000,
        proptest::option::of(0_i64..1000),
    );
    let ans = (0_i64..6, 0_u8..3, 0_u8..11);
    (
        proptest::collection::vec(fact, 0..6),
        proptest::collection::vec(ans, 0..12),
        proptest::collection::vec((0_i64..6, any::<bool>()), 0..6),
    )
        .prop_map(|(facts, answers, complaints)| {
            let n = facts.len() as i64;
            let customers = facts
                .into_iter()
                .enumerate()
                .map(|(i, (v, occ, ten, s, extra))| {
                    CustomerFacts::new(
                        i as i64,
                        Decimal::from(v),
                        occ,
                        ten,
                        Decimal::from(s),
                        extra.map(|e| Decimal::from(s + e)),
                    )
                })
                .collect();
            let scales = [SurveyScale::Csat, SurveyScale::Nps, SurveyScale::Ces];
            let answers = answers
                .into_iter()
                .filter(|a| a.0 < n)
                .map(|(c, s, score)| {
                    let scale = scales[usize::from(s)];
                    answer(c, scale, score.clamp(scale.range().0, scale.range().1))
                })
                .collect();
            let complaints = complaints
                .into_iter()
                .filter(|c| c.0 < n)
                .map(|(c, res)| {
                    let x = Complaint::new(c, "x", at(2));
                    if res { x.resolved_at(at(4)) } else { x }
                })
                .collect();
            DegreeData {
                customers,
                answers,
                complaints,
                referrals: vec![],
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every degree and the index lie in [0, 1].
    #[test]
    fn degrees_stay_within_0_and_1(d in data()) {
        let r = degrees(&d, jan(), &DegreeConfig::default()).unwrap();
        let unit = |x: Decimal| x >= Decimal::ZERO && x <= Decimal::ONE;
        for c in &r.customers {
            prop_assert!(c.satisfaction.is_none_or(unit) && unit(c.loyalty) && c.contribution.is_none_or(unit));
            prop_assert!(c.dependency.is_none_or(unit) && c.index.is_none_or(unit) && unit(c.index_coverage));
        }
    }

    /// Contribution is known exactly when some customer brought positive value,
    /// and then the known shares sum to 1.
    #[test]
    fn contribution_is_unknown_exactly_when_the_positive_total_is_zero(d in data()) {
        let r = degrees(&d, jan(), &DegreeConfig::default()).unwrap();
        let any_positive = d.customers.iter().any(|c| c.value > Decimal::ZERO);
        for c in &r.customers {
            prop_assert_eq!(c.contribution.is_some(), any_positive);
        }
        prop_assert_eq!(r.base.contribution.known, if any_positive { r.customers.len() as u64 } else { 0 });
        if any_positive {
            let sum: Decimal = r.customers.iter().filter_map(|c| c.contribution).sum();
            prop_assert!((sum - Decimal::ONE).abs() < dec!(0.000000000000000000001));
        }
    }

    /// Reversing every input gives the same report.
    #[test]
    fn degrees_do_not_depend_on_input_order(d in data()) {
        let a = degrees(&d, jan(), &DegreeConfig::default()).unwrap();
        let mut rev = d.clone();
        rev.customers.reverse();
        rev.answers.reverse();
        rev.complaints.reverse();
        prop_assert_eq!(a, degrees(&rev, jan(), &DegreeConfig::default()).unwrap());
    }
}
