use chrono::NaiveDate;
use rust_decimal_macros::dec;

use super::*;
use crate::clv::FitReport;
use crate::records::reconciliation::Expected;
use crate::relationship::customer_base::{CustomerBase, CustomerSpan};
use crate::relationship::delivered_value::Component;
use crate::relationship::survey::SurveyScale;
use crate::value::assignment::{AssignmentConfig, assign};
use crate::value::behaviour::BehaviourSet;
use crate::value::review::{Period, ReviewConfig, TierSnapshot, review_pair};
use crate::value::rfm::RfmScore;
use crate::value::tier::Tier;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default()
}

/// One value of every variant of every error enum (built by hand, so a new
/// variant breaks the exhaustive matches in error.rs, not this list).
fn every_variant() -> Vec<Box<dyn Diagnostic>> {
    let c = || CustomerId::from(7);
    let score = RfmScore {
        recency: 1,
        frequency: 1,
        monetary: 1,
    };
    let rejection = Rejection {
        row: 3,
        column: "amount".into(),
        reason: RejectReason::Missing,
    };
    let reasons = [
        RejectReason::Missing,
        RejectReason::Unparseable(Expected::Date),
        RejectReason::NotFinite,
        RejectReason::OutOfRange,
        RejectReason::TooManyDecimals { max: 2 },
        RejectReason::InvalidUtf8,
        RejectReason::Malformed,
    ];
    let complaint = ComplaintError::BeforeOpened {
        row: 1,
        customer: c(),
        field: "resolved",
    };
    let survey = SurveyError::UnknownCustomer {
        row: 1,
        customer: c(),
    };
    let base = BaseError::EndsBeforeStart {
        row: 1,
        customer: c(),
    };
    let behaviour = BehaviourError::Overflow;
    let mut v: Vec<Box<dyn Diagnostic>> = vec![
        Box::new(UnknownName {
            kind: "tier",
            allowed: Tier::names(),
        }),
        Box::new(TierError::InvalidCutoffs {
            first: dec!(1),
            second: dec!(0),
        }),
        Box::new(TierError::Overflow { row: 1 }),
        Box::new(TierError::TooManyCustomers { count: 1 }),
        Box::new(TierError::UnknownTier {
            name: String::new(),
        }),
        Box::new(BehaviourError::Negative {
            field: "spend",
            value: dec!(-1),
        }),
        Box::new(BehaviourError::DiscountExceedsSpend {
            discount_spend: dec!(2),
            spend: dec!(1),
        }),
        Box::new(BehaviourError::InvalidThreshold { value: dec!(2) }),
        Box::new(behaviour.clone()),
        Box::new(AssignmentError::LengthMismatch {
            column: "values",
            expected: 1,
            actual: 2,
        }),
        Box::new(AssignmentError::DuplicateCustomer {
            customer: c(),
            first_row: 1,
            second_row: 2,
        }),
        Box::new(AssignmentError::Behaviour {
            customer: c(),
            row: 1,
            source: behaviour.clone(),
        }),
        Box::new(AssignmentError::Tier(TierError::Overflow { row: 1 })),
        Box::new(AssignmentError::Rules(behaviour)),
        Box::new(PolicyError::Uncovered {
            tier: Tier::Major,
            behaviours: BehaviourSet::EMPTY,
        }),
        Box::new(ReviewError::DuplicateCustomer {
            period: "p".into(),
            customer: c(),
            first_row: 1,
            second_row: 2,
        }),
        Box::new(RfmError::BadRange {
            rule: "r".into(),
            lo: 0,
            hi: 9,
        }),
        Box::new(RfmError::Overlap {
            first: "a".into(),
            second: "b".into(),
            score,
        }),
        Box::new(RfmError::Uncovered { score }),
        Box::new(RfmError::TooManyRules),
        Box::new(RfmError::LengthMismatch {
            column: "f".into(),
            expected: 1,
            found: 2,
        }),
        Box::new(SummaryError::Rejected(rejection.clone())),
        Box::new(SummaryError::CustomerOverflow { customer: c() }),
        Box::new(SummaryError::TotalsOverflow),
        Box::new(SummaryError::ColumnLength {
            column: "a".into(),
            expected: 1,
            found: 2,
        }),
        Box::new(SummaryError::InvalidScale { scale: 30 }),
        Box::new(SummaryError::WindowAfterAsOf {
            window_start: day(),
            as_of: day(),
        }),
        Box::new(SummaryError::CalibrationEnd {
            calibration_end: day(),
            observation_end: day(),
        }),
        Box::new(SummaryError::Incompatible {
            setting: "unit".into(),
        }),
        Box::new(SummaryError::Corrupt("x".into())),
        Box::new(base.clone()),
        Box::new(BaseError::Overlap {
            row: 2,
            other_row: 1,
            customer: c(),
        }),
        Box::new(complaint.clone()),
        Box::new(SurveyError::ScoreOutOfRange {
            row: 1,
            customer: c(),
            scale: SurveyScale::Csat,
            score: 9,
        }),
        Box::new(survey.clone()),
        Box::new(SurveyError::InvalidZ { value: dec!(0) }),
        Box::new(DegreeError::InvalidConfig {
            field: "repeat_full_at",
            rule: ">= 2",
        }),
        Box::new(DegreeError::DuplicateCustomer {
            row: 2,
            customer: c(),
        }),
        Box::new(DegreeError::Negative {
            row: 1,
            customer: c(),
            field: "spend",
        }),
        Box::new(DegreeError::SpendAboveCategory {
            row: 1,
            customer: c(),
        }),
        Box::new(DegreeError::UnknownCustomer {
            input: "referrals",
            row: 1,
            customer: c(),
        }),
        Box::new(DegreeError::Overflow),
        Box::new(DegreeError::Survey(survey)),
        Box::new(DegreeError::Complaint(complaint.clone())),
        Box::new(DeliveredValueError::Negative {
            offer: "o".into(),
            row: 1,
            component: Component::TimeCost,
        }),
        Box::new(DeliveredValueError::NegativeWeight {
            component: Component::TimeCost,
        }),
        Box::new(DeliveredValueError::DuplicateOffer {
            offer: "o".into(),
            first_row: 1,
            second_row: 2,
        }),
        Box::new(DeliveredValueError::OurOfferMissing { ours: "o".into() }),
        Box::new(DeliveredValueError::Overflow {
            offer: "o".into(),
            component: Component::TimeCost,
        }),
        Box::new(EconomicsError::OutOfRange {
            field: "rate".into(),
            value: dec!(-2),
            rule: ">= 0",
        }),
        Box::new(EconomicsError::Overflow { what: "clv" }),
        Box::new(InactivityError::ZeroDays),
        Box::new(InactivityError::RuleShorterThanPeriod {
            days: 1,
            period_days: 2,
        }),
        Box::new(InactivityError::Dates {
            row: 1,
            customer: c(),
            field: "last_in",
            rule: "x",
        }),
        Box::new(InactivityError::SummaryWindow {
            which: "before",
            window_start: None,
            as_of: day(),
            rule: "x",
        }),
        Box::new(InactivityError::DuplicateCustomer {
            which: "period",
            row: 2,
            customer: c(),
        }),
        Box::new(InactivityError::Base(base)),
        Box::new(PeriodError::EmptyPeriod {
            first_day: day(),
            last_day: day(),
        }),
        Box::new(PeriodError::UnknownCustomer {
            input: "referrals",
            row: 1,
            customer: c(),
        }),
        Box::new(PeriodError::DuplicateCustomer {
            row: 2,
            customer: c(),
        }),
        Box::new(PeriodError::InvalidActivity {
            row: 1,
            customer: c(),
            field: "f",
            rule: "x",
        }),
        Box::new(PeriodError::SummaryWindow {
            window_start: None,
            as_of: day(),
        }),
        Box::new(PeriodError::Complaint(complaint)),
        Box::new(ClvError::LengthMismatch {
            column: "x".into(),
            found: 1,
            expected: 2,
        }),
        Box::new(ClvError::InvalidInput {
            field: "x".into(),
            row: 1,
            rule: "r".into(),
        }),
        Box::new(ClvError::NoData { reason: "r".into() }),
        Box::new(ClvError::NotFinite {
            what: "clv".into(),
            row: 3,
        }),
        Box::new(ClvError::HorizonTooLong {
            name: "months".into(),
            limit: 1200,
        }),
        Box::new(ClvError::SpendUndefined { row: 2 }),
        Box::new(ClvError::InvalidArgument {
            name: "months".into(),
            rule: "r".into(),
        }),
        Box::new(ClvError::NoModelConverged {
            models: vec![crate::clv::registry::ModelKind::BgNbd],
        }),
        Box::new(ClvError::NotConverged {
            names: vec![],
            best: vec![],
            log_likelihood: 0.0,
            report: Box::new(FitReport {
                iterations: 1,
                evaluations: 1,
                converged: false,
                gradient_norm: 1.0,
                used_simplex: false,
                starts: 1,
                at_bound: Vec::new(),
                hessian_condition: None,
            }),
        }),
        Box::new(rejection),
    ];
    for reason in reasons {
        v.push(Box::new(Rejection {
            row: 1,
            column: "a".into(),
            reason,
        }));
    }
    v
}

#[test]
fn every_variant_has_a_non_empty_snake_case_rule() {
    for e in every_variant() {
        assert!(is_snake_case(e.rule()), "{e}: {:?}", e.rule());
        assert!(is_snake_case(e.class().name()), "{e}");
    }
}

#[test]
fn every_reported_row_is_1_based() {
    for e in every_variant() {
        assert_ne!(e.row(), Some(0), "{e}");
    }
}

#[test]
fn a_row_in_a_message_is_the_row_reported() {
    for e in every_variant() {
        if let Some(r) = e.row() {
            assert!(
                e.to_string().contains(&format!("row {r}"))
                    || e.to_string().contains(&format!("rows 1 and {r}")),
                "{e}"
            );
        }
    }
}

#[test]
fn a_duplicate_customer_in_data_row_2_reports_row_2() {
    let ids = [CustomerId::from(1), CustomerId::from(1)];
    let e = assign(
        &ids,
        &[dec!(1), dec!(2)],
        None,
        &AssignmentConfig::default(),
    );
    let e = e.err().map(|e| (e.rule(), e.row(), e.class()));
    assert_eq!(
        e,
        Some(("one_row_per_customer", Some(2), ErrorClass::Duplicate))
    );

    let snap = |c: i64| TierSnapshot {
        customer: c.into(),
        tier: Tier::Major,
        value: dec!(1),
        rank: Some(1),
    };
    let p = Period::new("p", vec![snap(1), snap(1)]);
    let e = review_pair(&p, &Period::new("q", vec![]), &ReviewConfig::default())
        .err()
        .map(|e| (e.row(), e.class()));
    assert_eq!(e, Some((Some(2), ErrorClass::Duplicate)));
}

#[test]
fn a_bad_span_in_data_row_1_reports_row_1() {
    let later = NaiveDate::from_ymd_opt(2024, 2, 1).unwrap_or_default();
    let spans = vec![CustomerSpan::new(5, later, Some(day()))];
    let e = CustomerBase::new(spans)
        .err()
        .map(|e| (e.rule(), e.row(), e.customer().cloned()));
    assert_eq!(
        e,
        Some(("since_before_until", Some(1), Some(CustomerId::from(5))))
    );
}

#[test]
fn a_tier_overflow_reports_a_1_based_row() {
    let values = [rust_decimal::Decimal::MAX, rust_decimal::Decimal::MAX];
    let e = crate::value::tier::classify(&values, &crate::value::tier::TierConfig::by_value());
    let row = e.err().and_then(|e| e.row());
    assert!(matches!(row, Some(1 | 2)), "{row:?}");
}
