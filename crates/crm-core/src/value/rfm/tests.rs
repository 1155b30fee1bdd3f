//! Tests of RFM scoring and segments.

use super::*;
use proptest::prelude::*;

#[test]
fn the_standard_table_is_a_partition_with_the_issue_names() {
    let t = SegmentTable::new(SegmentTable::standard().rules().to_vec());
    assert!(t.is_ok());
    let standard = SegmentTable::standard();
    let names: Vec<&str> = standard.rules().iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Champions",
            "Loyal",
            "Potential loyalist",
            "New",
            "Promising",
            "Need attention",
            "About to sleep",
            "At risk",
            "Can't lose them",
            "Lost"
        ]
    );
}

#[test]
fn gaps_and_bad_ranges_are_reported() {
    let all = ScoreRange::ALL;
    let gap = SegmentTable::new(vec![SegmentRule::new("a", ScoreRange::new(1, 4), all, all)]);
    assert_eq!(
        gap,
        Err(RfmError::Uncovered {
            score: RfmScore {
                recency: 5,
                frequency: 1,
                monetary: 1
            }
        })
    );
    let bad = SegmentTable::new(vec![SegmentRule::new("a", ScoreRange::new(0, 5), all, all)]);
    assert!(matches!(bad, Err(RfmError::BadRange { .. })));
    assert!(serde_json::from_str::<SegmentTable>("[]").is_err());
}

#[test]
fn the_table_round_trips_through_json() {
    let t = SegmentTable::standard();
    let json = serde_json::to_string(&t).unwrap_or_default();
    assert_eq!(serde_json::from_str::<SegmentTable>(&json).ok(), Some(t));
}

#[test]
fn empty_input_scores_nothing() {
    let out = score(
        &RfmInput {
            recency_days: &[],
            frequency: &[],
            monetary: &[],
        },
        None,
        &SegmentTable::standard(),
    );
    assert_eq!(out.map(|o| o.scores.len()), Ok(0));
}

#[test]
fn length_mismatch_is_an_error() {
    let out = score(
        &RfmInput {
            recency_days: &[1],
            frequency: &[],
            monetary: &[],
        },
        None,
        &SegmentTable::standard(),
    );
    assert!(matches!(out, Err(RfmError::LengthMismatch { .. })));
}

fn input() -> impl Strategy<Value = (Vec<i64>, Vec<u64>, Vec<i64>)> {
    (1_usize..200).prop_flat_map(|n| {
        (
            prop::collection::vec(0_i64..400, n),
            prop::collection::vec(1_u64..12, n),
            prop::collection::vec(-100_i64..5_000, n),
        )
    })
}

proptest! {
    #[test]
    fn equal_values_get_equal_scores_and_better_values_never_score_lower((r, f, m) in input()) {
        let money: Vec<Decimal> = m.iter().map(|c| Decimal::new(*c, 2)).collect();
        let out = score(&RfmInput { recency_days: &r, frequency: &f, monetary: &money }, None, &SegmentTable::standard());
        prop_assert!(out.is_ok());
        let Ok(out) = out else { return Ok(()) };
        for i in 0..r.len() {
            for j in 0..r.len() {
                let (a, b) = (out.scores[i], out.scores[j]);
                if r[i] <= r[j] { prop_assert!(a.recency >= b.recency); }
                if f[i] <= f[j] { prop_assert!(a.frequency <= b.frequency); }
                if money[i] <= money[j] { prop_assert!(a.monetary <= b.monetary); }
            }
        }
        prop_assert!(out.scores.iter().all(|s| (1..=5).contains(&s.recency) && (1..=5).contains(&s.frequency) && (1..=5).contains(&s.monetary)));
    }

    #[test]
    fn distinct_values_fill_the_quintiles(n in 5_usize..300) {
        // n distinct values: each score holds between floor(n/5) and ceil(n/5) customers.
        let f: Vec<u64> = (0..n as u64).rev().collect();
        let r: Vec<i64> = (0..n as i64).collect();
        let money: Vec<Decimal> = (0..n as i64).map(Decimal::from).collect();
        let out = score(&RfmInput { recency_days: &r, frequency: &f, monetary: &money }, None, &SegmentTable::standard());
        prop_assert!(out.is_ok());
        let Ok(out) = out else { return Ok(()) };
        for s in 1..=5_u8 {
            let k = out.scores.iter().filter(|x| x.frequency == s).count();
            prop_assert!(k >= n / 5 && k <= n.div_ceil(5), "score {} has {} of {}", s, k, n);
        }
    }

    #[test]
    fn every_score_has_exactly_one_standard_segment(r in 1_u8..=5, f in 1_u8..=5, m in 1_u8..=5) {
        let s = RfmScore { recency: r, frequency: f, monetary: m };
        let t = SegmentTable::standard();
        prop_assert_eq!(t.rules().iter().filter(|rule| rule.matches(&s)).count(), 1);
        prop_assert!(t.segment(&s).is_some_and(|rule| rule.matches(&s)));
    }
}
