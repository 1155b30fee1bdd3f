//! Survey metrics: CSAT, NPS and customer effort (满意度调查).
//!
//! Satisfaction is measured first by asking (docs/DOMAIN.md section 3). Three
//! standard questions, each on its own scale ([`SurveyScale`]):
//!
//! | metric | scale | figure |
//! |---|---|---|
//! | CSAT | 1–5 | share of answers 4 or 5 |
//! | NPS | 0–10 | % promoters (9–10) − % detractors (0–6); passives (7–8) count in the denominator; −100..100 |
//! | CES | 1–7 agreement ("the firm made it easy") | the mean, and the share answering 5–7 |
//!
//! The NPS comes with a confidence interval, because a score from forty
//! answers moves by ten points with a few answers more or less. With `p` and
//! `d` the shares of promoters and detractors among `n` answers, the variance
//! of the difference of the two shares of one multinomial sample is
//! `var = (p + d − (p − d)²) / n`; the interval is
//! `100 · ((p − d) ± z · √var)` clipped to [−100, 100] (normal
//! approximation, `z` = 1.96 for 95 % by default; poor below about 30
//! answers, which the answer count lets the reader judge).
//!
//! Answers are counted in the period they were given; an answer outside it
//! is skipped and counted. Results come for the whole base and by tier and
//! by segment (from [`crate::relationship::customer_base`]); customers without a tier or
//! segment are grouped under `"unknown"`. With no answer a metric is `None`:
//! unknown, not zero.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use crm_core::relationship::survey::{nps, SurveyAnswer, SurveyScale};
//! use rust_decimal_macros::dec;
//! // 5 promoters, 3 passives, 2 detractors: 50 % − 20 % = 30
//! let scores = [10, 9, 9, 10, 9, 8, 7, 7, 3, 6];
//! let n = nps(scores.iter().copied(), dec!(1.96));
//! assert_eq!(n.score, Some(dec!(30)));
//! ```

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, MathematicalOps};
use serde::{Deserialize, Serialize};

use crate::records::customer::CustomerId;
use crate::relationship::customer_base::CustomerBase;
use crate::relationship::period_metrics::{MetricPeriod, RowCounts, share};

/// The question an answer belongs to.
///
/// ```
/// use crm_core::relationship::survey::SurveyScale;
/// assert_eq!(SurveyScale::Nps.range(), (0, 10));
/// assert_eq!("ces".parse::<SurveyScale>(), Ok(SurveyScale::Ces));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SurveyScale {
    /// Customer satisfaction, 1–5.
    Csat,
    /// Likelihood to recommend, 0–10.
    Nps,
    /// Customer effort, 1–7 agreement that the firm made it easy.
    Ces,
}

impl SurveyScale {
    /// The lowest and highest answer.
    ///
    /// ```
    /// use crm_core::relationship::survey::SurveyScale;
    /// assert_eq!(SurveyScale::Csat.range(), (1, 5));
    /// ```
    pub fn range(self) -> (u8, u8) {
        match self {
            SurveyScale::Csat => (1, 5),
            SurveyScale::Nps => (0, 10),
            SurveyScale::Ces => (1, 7),
        }
    }

    /// The name used in JSON and Python.
    ///
    /// ```
    /// use crm_core::relationship::survey::SurveyScale;
    /// assert_eq!(SurveyScale::Csat.as_str(), "csat");
    /// ```
    pub fn as_str(self) -> &'static str {
        crate::vocabulary::Vocabulary::name(self)
    }

    /// An answer brought to [0, 1], worst to best: (s − low) / (high − low).
    ///
    /// ```
    /// use crm_core::relationship::survey::SurveyScale;
    /// use rust_decimal_macros::dec;
    /// assert_eq!(SurveyScale::Csat.normalised(4), dec!(0.75));
    /// ```
    pub fn normalised(self, score: u8) -> Decimal {
        let (lo, hi) = self.range();
        let s = score.clamp(lo, hi);
        Decimal::from(s - lo) / Decimal::from(hi - lo)
    }
}

/// One answer to one survey question.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use crm_core::relationship::survey::{SurveyAnswer, SurveyScale};
/// let a = SurveyAnswer { customer: 3.into(), time: Utc.with_ymd_and_hms(2024, 2, 1, 12, 0, 0).unwrap(), scale: SurveyScale::Nps, score: 9 };
/// let json = serde_json::to_string(&a).unwrap();
/// assert_eq!(json, r#"{"customer":3,"time":"2024-02-01T12:00:00Z","scale":"nps","score":9}"#);
/// assert_eq!(serde_json::from_str::<SurveyAnswer>(&json).unwrap(), a);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct SurveyAnswer {
    /// Who answered.
    pub customer: CustomerId,
    /// When.
    pub time: DateTime<Utc>,
    /// Which question.
    pub scale: SurveyScale,
    /// The answer on the question's scale.
    pub score: u8,
}

impl SurveyAnswer {
    /// Checks the score against its scale.
    ///
    /// # Errors
    ///
    /// [`SurveyError::ScoreOutOfRange`] naming the row.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use crm_core::relationship::survey::{SurveyAnswer, SurveyScale};
    /// let a = SurveyAnswer { customer: 3.into(), time: Utc.timestamp_opt(0, 0).unwrap(), scale: SurveyScale::Csat, score: 0 };
    /// assert_eq!(a.validate(2).unwrap_err().to_string(), "answers row 2 (customer 3): csat score 0 is outside 1..=5");
    /// ```
    pub fn validate(&self, row: usize) -> Result<(), SurveyError> {
        let (lo, hi) = self.scale.range();
        if (lo..=hi).contains(&self.score) {
            Ok(())
        } else {
            Err(SurveyError::ScoreOutOfRange {
                row,
                customer: self.customer.clone(),
                scale: self.scale,
                score: self.score,
            })
        }
    }
}

/// A survey input that cannot be right.
///
/// ```
/// use crm_core::relationship::survey::SurveyScale;
/// let e = "stars".parse::<SurveyScale>().unwrap_err();
/// assert_eq!(e.to_string(), "unknown survey_scale: expected one of csat, nps, ces");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum SurveyError {
    /// A score outside its scale.
    #[error("answers row {row} (customer {customer}): {} score {score} is outside {}..={}", scale.as_str(), scale.range().0, scale.range().1)]
    ScoreOutOfRange {
        /// The row (1-based data row).
        row: usize,
        /// The customer.
        customer: CustomerId,
        /// The scale.
        scale: SurveyScale,
        /// The score given.
        score: u8,
    },
    /// An answer of a customer not in the base.
    #[error(
        "answers row {row}: customer {customer} is not in the customer base: the rule is every answer names a known customer"
    )]
    UnknownCustomer {
        /// The row (1-based data row).
        row: usize,
        /// The customer.
        customer: CustomerId,
    },
    /// A confidence multiplier that is not positive.
    #[error("confidence_z is {value}: the rule is z > 0")]
    InvalidZ {
        /// The value given.
        value: Decimal,
    },
}

/// CSAT: share of 4–5 answers on the 1–5 scale.
///
/// ```
/// use crm_core::relationship::survey::{csat, Csat};
/// assert_eq!(Csat::default().score, None);
/// assert_eq!(serde_json::to_string(&csat([5, 1].into_iter())).unwrap(), r#"{"answers":2,"satisfied":1,"score":"0.5"}"#);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Csat {
    /// Answers.
    pub answers: u64,
    /// Answers 4 or 5.
    pub satisfied: u64,
    /// satisfied / answers, in [0, 1].
    pub score: Option<Decimal>,
}

/// NPS with its parts and confidence interval.
///
/// ```
/// use crm_core::relationship::survey::nps;
/// use rust_decimal_macros::dec;
/// let all_passive = nps([7, 8, 8].into_iter(), dec!(1.96));
/// assert_eq!(all_passive.score, Some(dec!(0)));
/// assert_eq!((all_passive.ci_low, all_passive.ci_high), (Some(dec!(0)), Some(dec!(0)))); // no spread
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Nps {
    /// Answers.
    pub answers: u64,
    /// 9–10.
    pub promoters: u64,
    /// 7–8.
    pub passives: u64,
    /// 0–6.
    pub detractors: u64,
    /// 100 · (promoters − detractors) / answers, in [−100, 100].
    pub score: Option<Decimal>,
    /// Lower end of the interval (clipped at −100).
    pub ci_low: Option<Decimal>,
    /// Upper end of the interval (clipped at 100).
    pub ci_high: Option<Decimal>,
}

/// Customer effort: mean on 1–7 and the share answering 5–7.
///
/// ```
/// use crm_core::relationship::survey::Ces;
/// assert_eq!(Ces::default().mean, None);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Ces {
    /// Answers.
    pub answers: u64,
    /// Mean answer.
    pub mean: Option<Decimal>,
    /// Answers 5–7.
    pub agree: u64,
    /// agree / answers.
    pub agree_share: Option<Decimal>,
}

/// The three figures for one group of answers.
///
/// ```
/// use crm_core::relationship::survey::SurveyMetrics;
/// assert_eq!(SurveyMetrics::default().nps.answers, 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct SurveyMetrics {
    /// CSAT.
    pub csat: Csat,
    /// NPS.
    pub nps: Nps,
    /// Customer effort.
    pub ces: Ces,
}

/// Survey figures for the base, by tier and by segment.
///
/// ```
/// use crm_core::relationship::survey::SurveyReport;
/// let r = SurveyReport::default();
/// assert!(r.by_tier.is_empty());
/// assert_eq!(serde_json::from_str::<SurveyReport>(&serde_json::to_string(&r).unwrap()).unwrap(), r);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct SurveyReport {
    /// Every answer in the period.
    pub overall: SurveyMetrics,
    /// By tier name (`"unknown"` without a tier).
    pub by_tier: BTreeMap<String, SurveyMetrics>,
    /// By segment (`"unknown"` without a segment).
    pub by_segment: BTreeMap<String, SurveyMetrics>,
    /// Answers: used (in the period) and outside the period.
    pub rows: RowCounts,
}

/// Settings: the NPS interval's z (default 1.96, 95 %).
///
/// ```
/// use crm_core::relationship::survey::SurveyConfig;
/// assert_eq!(SurveyConfig::default().confidence_z.to_string(), "1.96");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct SurveyConfig {
    /// The normal quantile of the interval.
    pub confidence_z: Decimal,
}

impl Default for SurveyConfig {
    fn default() -> Self {
        SurveyConfig {
            confidence_z: Decimal::new(196, 2),
        }
    }
}

/// CSAT of scores on 1–5 (scores are assumed valid).
///
/// ```
/// use crm_core::relationship::survey::csat;
/// use rust_decimal_macros::dec;
/// assert_eq!(csat([5, 4, 3, 1].into_iter()).score, Some(dec!(0.5))); // 2 of 4
/// ```
pub fn csat(scores: impl Iterator<Item = u8>) -> Csat {
    let (mut answers, mut satisfied) = (0, 0);
    for s in scores {
        answers += 1;
        satisfied += u64::from(s >= 4);
    }
    Csat {
        answers,
        satisfied,
        score: share(satisfied, answers),
    }
}

/// NPS of scores on 0–10 with the interval at `z` (see the module docs).
///
/// ```
/// use crm_core::relationship::survey::nps;
/// use rust_decimal_macros::dec;
/// let n = nps([10, 0].into_iter(), dec!(1.96));
/// // p = d = 0.5: var = (1 − 0) / 2 = 0.5, √0.5 · 1.96 ≈ 1.386 → clipped to ±100
/// assert_eq!((n.score, n.ci_low, n.ci_high), (Some(dec!(0)), Some(dec!(-100)), Some(dec!(100))));
/// ```
pub fn nps(scores: impl Iterator<Item = u8>, z: Decimal) -> Nps {
    let mut n = Nps::default();
    for s in scores {
        n.answers += 1;
        match s {
            9.. => n.promoters += 1,
            7 | 8 => n.passives += 1,
            _ => n.detractors += 1,
        }
    }
    let (Some(p), Some(d)) = (
        share(n.promoters, n.answers),
        share(n.detractors, n.answers),
    ) else {
        return n;
    };
    let hundred = Decimal::ONE_HUNDRED;
    let diff = p - d;
    let var = ((p + d - diff * diff) / Decimal::from(n.answers)).max(Decimal::ZERO);
    let half = var.sqrt().unwrap_or(Decimal::ZERO) * z;
    n.score = Some(diff * hundred);
    n.ci_low = Some(((diff - half) * hundred).max(-hundred));
    n.ci_high = Some(((diff + half) * hundred).min(hundred));
    n
}

/// Customer effort of scores on 1–7.
///
/// ```
/// use crm_core::relationship::survey::ces;
/// use rust_decimal_macros::dec;
/// let c = ces([7, 5, 3].into_iter()); // mean 15 / 3 = 5; 2 of 3 agree
/// assert_eq!((c.mean, c.agree), (Some(dec!(5)), 2));
/// ```
pub fn ces(scores: impl Iterator<Item = u8>) -> Ces {
    let (mut answers, mut sum, mut agree) = (0_u64, 0_u64, 0_u64);
    for s in scores {
        answers += 1;
        sum += u64::from(s);
        agree += u64::from(s >= 5);
    }
    Ces {
        answers,
        mean: share(sum, answers),
        agree,
        agree_share: share(agree, answers),
    }
}

fn metrics_of(answers: &[&SurveyAnswer], z: Decimal) -> SurveyMetrics {
    let of = |scale| {
        answers
            .iter()
            .filter(move |a| a.scale == scale)
            .map(|a| a.score)
    };
    SurveyMetrics {
        csat: csat(of(SurveyScale::Csat)),
        nps: nps(of(SurveyScale::Nps), z),
        ces: ces(of(SurveyScale::Ces)),
    }
}

fn grouped<'a>(
    answers: &[&'a SurveyAnswer],
    key: impl Fn(&CustomerId) -> String,
    z: Decimal,
) -> BTreeMap<String, SurveyMetrics> {
    let mut groups: BTreeMap<String, Vec<&'a SurveyAnswer>> = BTreeMap::new();
    for a in answers {
        groups.entry(key(&a.customer)).or_default().push(a);
    }
    groups
        .into_iter()
        .map(|(k, v)| (k, metrics_of(&v, z)))
        .collect()
}

/// The answers of the period, checked: valid scores, known customers.
pub(crate) fn answers_in_period<'a>(
    answers: &'a [SurveyAnswer],
    period: MetricPeriod,
    known: impl Fn(&CustomerId) -> bool,
    rows: &mut RowCounts,
) -> Result<Vec<&'a SurveyAnswer>, SurveyError> {
    let mut used = Vec::new();
    for (row, a) in (1..).zip(answers) {
        a.validate(row)?;
        if !known(&a.customer) {
            return Err(SurveyError::UnknownCustomer {
                row,
                customer: a.customer.clone(),
            });
        }
        rows.tally(period.contains(a.time));
        if period.contains(a.time) {
            used.push(a);
        }
    }
    Ok(used)
}

/// CSAT, NPS and CES of the answers given in the period, overall, by tier and
/// by segment.
///
/// # Errors
///
/// A score outside its scale, an answer of a customer not in the base, or a
/// non-positive `z`.
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// use crm_core::relationship::customer_base::{CustomerBase, CustomerSpan};
/// use crm_core::relationship::period_metrics::MetricPeriod;
/// use crm_core::relationship::survey::{survey_report, SurveyAnswer, SurveyConfig, SurveyScale};
/// use crm_core::value::tier::Tier;
/// use rust_decimal_macros::dec;
/// let day = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
/// let base = CustomerBase::new(vec![CustomerSpan::new(1, day, None).with_tier(Tier::Major), CustomerSpan::new(2, day, None)])?;
/// let at = Utc.with_ymd_and_hms(2024, 1, 5, 0, 0, 0).unwrap();
/// let answers = vec![
///     SurveyAnswer { customer: 1.into(), time: at, scale: SurveyScale::Csat, score: 5 },
///     SurveyAnswer { customer: 2.into(), time: at, scale: SurveyScale::Csat, score: 2 },
/// ];
/// let r = survey_report(&answers, &base, MetricPeriod::new(day, day + chrono::Days::new(30))?, &SurveyConfig::default())?;
/// assert_eq!(r.overall.csat.score, Some(dec!(0.5)));
/// assert_eq!(r.by_tier["major"].csat.score, Some(dec!(1)));
/// assert_eq!(r.by_tier["unknown"].csat.score, Some(dec!(0)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn survey_report(
    answers: &[SurveyAnswer],
    base: &CustomerBase,
    period: MetricPeriod,
    config: &SurveyConfig,
) -> Result<SurveyReport, SurveyError> {
    let z = config.confidence_z;
    if z <= Decimal::ZERO {
        return Err(SurveyError::InvalidZ { value: z });
    }
    let mut rows = RowCounts::default();
    let used = answers_in_period(answers, period, |c| base.contains(c), &mut rows)?;
    let unknown = || "unknown".to_owned();
    Ok(SurveyReport {
        overall: metrics_of(&used, z),
        by_tier: grouped(
            &used,
            |c| base.tier(c).map_or_else(unknown, |t| t.as_str().to_owned()),
            z,
        ),
        by_segment: grouped(
            &used,
            |c| base.segment(c).map_or_else(unknown, str::to_owned),
            z,
        ),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn nps_interval_by_hand() {
        // 50 promoters, 30 passives, 20 detractors of n = 100: p = 0.5, d = 0.2
        // score 30; var = (0.5 + 0.2 − 0.3²) / 100 = 0.61 / 100 = 0.0061
        // √0.0061 = 0.078102...; × 1.96 = 0.153080...; CI 30 ± 15.308 = [14.692, 45.308]
        let scores = std::iter::repeat_n(9, 50)
            .chain(std::iter::repeat_n(7, 30))
            .chain(std::iter::repeat_n(0, 20));
        let n = nps(scores, dec!(1.96));
        assert_eq!(n.score, Some(dec!(30)));
        assert_eq!(n.ci_low.unwrap().round_dp(3), dec!(14.692));
        assert_eq!(n.ci_high.unwrap().round_dp(3), dec!(45.308));
    }

    #[test]
    fn csat_and_ces_by_hand() {
        // CSAT 5, 4, 4, 2, 1: 3 of 5 satisfied = 0.6
        assert_eq!(csat([5, 4, 4, 2, 1].into_iter()).score, Some(dec!(0.6)));
        // CES 7, 6, 2, 1: mean 16 / 4 = 4; agree 2 of 4 = 0.5
        let c = ces([7, 6, 2, 1].into_iter());
        assert_eq!((c.mean, c.agree_share), (Some(dec!(4)), Some(dec!(0.5))));
    }

    #[test]
    fn no_answer_is_unknown_not_zero() {
        let n = nps(std::iter::empty(), dec!(1.96));
        assert_eq!((n.score, n.ci_low), (None, None));
        assert_eq!(csat(std::iter::empty()).score, None);
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, d).unwrap()
    }

    #[test]
    fn answers_outside_the_period_are_skipped_and_counted() {
        let base = CustomerBase::new(vec![
            crate::relationship::customer_base::CustomerSpan::new(1, day(1), None)
                .with_segment("b2b"),
        ])
        .unwrap();
        let a = |d, s| SurveyAnswer {
            customer: 1.into(),
            time: Utc.with_ymd_and_hms(2024, 1, d, 0, 0, 0).unwrap(),
            scale: SurveyScale::Nps,
            score: s,
        };
        let r = survey_report(
            &[a(5, 10), a(20, 0)],
            &base,
            MetricPeriod::new(day(1), day(10)).unwrap(),
            &SurveyConfig::default(),
        )
        .unwrap();
        assert_eq!(
            r.rows,
            RowCounts {
                read: 2,
                used: 1,
                outside_period: 1
            }
        );
        assert_eq!(r.by_segment["b2b"].nps.score, Some(dec!(100)));
        let back: SurveyReport = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
        let c = SurveyConfig::default();
        assert_eq!(
            serde_json::from_str::<SurveyConfig>(&serde_json::to_string(&c).unwrap()).unwrap(),
            c
        );
        let n = nps([9, 9, 3].into_iter(), dec!(1.96));
        assert_eq!(
            serde_json::from_str::<Nps>(&serde_json::to_string(&n).unwrap()).unwrap(),
            n
        );
    }

    #[test]
    fn unknown_customer_is_an_error() {
        let a = SurveyAnswer {
            customer: 5.into(),
            time: Utc.timestamp_opt(0, 0).unwrap(),
            scale: SurveyScale::Csat,
            score: 3,
        };
        let e = survey_report(
            &[a],
            &CustomerBase::default(),
            MetricPeriod::new(day(1), day(2)).unwrap(),
            &SurveyConfig::default(),
        );
        assert_eq!(
            e.unwrap_err(),
            SurveyError::UnknownCustomer {
                row: 1,
                customer: 5.into()
            }
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// NPS and both ends of its interval lie in [−100, 100], low <= score <= high.
        #[test]
        fn nps_stays_within_minus_100_and_100(scores in proptest::collection::vec(0_u8..=10, 0..200)) {
            let n = nps(scores.iter().copied(), dec!(1.96));
            if let (Some(s), Some(lo), Some(hi)) = (n.score, n.ci_low, n.ci_high) {
                prop_assert!(dec!(-100) <= lo && lo <= s && s <= hi && hi <= dec!(100));
            }
            prop_assert_eq!(n.promoters + n.passives + n.detractors, scores.len() as u64);
        }

        /// Shuffling the answers changes nothing; CSAT and the CES share stay in [0, 1].
        #[test]
        fn survey_metrics_do_not_depend_on_order(mut scores in proptest::collection::vec(1_u8..=5, 0..100)) {
            let a = (csat(scores.iter().copied()), nps(scores.iter().copied(), dec!(1.96)), ces(scores.iter().copied()));
            scores.reverse();
            let b = (csat(scores.iter().copied()), nps(scores.iter().copied(), dec!(1.96)), ces(scores.iter().copied()));
            prop_assert_eq!(a, b);
            prop_assert!(a.0.score.is_none_or(|s| s >= Decimal::ZERO && s <= Decimal::ONE));
        }
    }
}
