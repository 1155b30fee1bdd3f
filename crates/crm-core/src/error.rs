//! One language for every error: which rule, where, and for whom.
//!
//! Every error enum of the crate implements [`Diagnostic`]: a stable
//! snake_case rule id, the 1-based data row, the field (column) and the
//! customer concerned, and a coarse [`ErrorClass`] that front ends turn into
//! an exit code or an exception type. The CLI's `--json-errors` and the
//! Python exceptions' `.rule`/`.row`/`.column`/`.customer` come from here,
//! so a rule is named in exactly one place.
//!
//! **Rows are 1-based data rows, as files count them**: the first row of
//! values (after any header) is row 1, and so is the first element of a
//! slice passed to a function. Every `row` field of every error of this
//! crate follows that convention.
//!
//! ```
//! use crm_core::error::{Diagnostic, ErrorClass};
//! use crm_core::value::assignment::{assign, AssignmentConfig};
//! use rust_decimal_macros::dec;
//!
//! let ids = [1.into(), 1.into()];
//! let e = assign(&ids, &[dec!(1), dec!(2)], None, &AssignmentConfig::default()).unwrap_err();
//! assert_eq!(e.rule(), "one_row_per_customer");
//! assert_eq!(e.row(), Some(2)); // the repeat is the second data row
//! assert_eq!(e.customer().map(|c| c.to_string()), Some("1".into()));
//! assert_eq!(e.class(), ErrorClass::Duplicate);
//! ```

use std::fmt;

use crate::clv::ClvError;
use crate::records::customer::CustomerId;
use crate::records::reconciliation::{RejectReason, Rejection};
use crate::records::summary::SummaryError;
use crate::relationship::complaint::ComplaintError;
use crate::relationship::customer_base::BaseError;
use crate::relationship::degrees::DegreeError;
use crate::relationship::delivered_value::DeliveredValueError;
use crate::relationship::economics::EconomicsError;
use crate::relationship::inactivity::InactivityError;
use crate::relationship::period_metrics::PeriodError;
use crate::relationship::survey::SurveyError;
use crate::value::assignment::AssignmentError;
use crate::value::behaviour::BehaviourError;
use crate::value::review::ReviewError;
use crate::value::rfm::RfmError;
use crate::value::tier::TierError;
use crate::value::treatment::PolicyError;
use crate::vocabulary::{UnknownName, Vocabulary};

/// What kind of mistake an error is: decides the exception type of a front
/// end (and nothing else).
///
/// ```
/// use crm_core::error::ErrorClass;
/// assert_eq!(ErrorClass::Duplicate.name(), "duplicate");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// A value breaks its rule (a negative figure, an unknown name): value-like.
    Value,
    /// A key appears twice where one row per key is required: value-like.
    Duplicate,
    /// A column is missing or has the wrong length: key-like.
    Column,
    /// A column holds the wrong type: type-like.
    Type,
    /// A parameter or configuration is invalid: value-like.
    Config,
    /// An exact sum left Decimal's range: overflow-like.
    Overflow,
    /// Strict mode met a rejected input row: value-like.
    Rejected,
    /// A model fit stopped before converging: runtime-like.
    NotConverged,
}

impl ErrorClass {
    /// The snake_case name (as in `--json-errors`' `class`).
    ///
    /// ```
    /// use crm_core::error::ErrorClass;
    /// assert_eq!(ErrorClass::NotConverged.name(), "not_converged");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            ErrorClass::Value => "value",
            ErrorClass::Duplicate => "duplicate",
            ErrorClass::Column => "column",
            ErrorClass::Type => "type",
            ErrorClass::Config => "config",
            ErrorClass::Overflow => "overflow",
            ErrorClass::Rejected => "rejected",
            ErrorClass::NotConverged => "not_converged",
        }
    }
}

/// The structured facts of an error, beside its message.
///
/// Rows are **1-based data rows** (the first value row of a file, or the
/// first element of a slice, is row 1). Messages and facts never carry an
/// input value other than a customer id.
///
/// ```
/// use crm_core::error::{Diagnostic, ErrorClass};
/// use crm_core::value::tier::{Cutoffs, TierError};
/// use rust_decimal_macros::dec;
/// let e: TierError = Cutoffs::new(dec!(0.6), dec!(0.5)).unwrap_err();
/// assert_eq!((e.rule(), e.row(), e.class()), ("cutoffs_in_order", None, ErrorClass::Config));
/// ```
pub trait Diagnostic: fmt::Display {
    /// The rule broken: a stable snake_case id, fit for scripts.
    fn rule(&self) -> &'static str;
    /// The 1-based data row concerned, if one is.
    fn row(&self) -> Option<u64> {
        None
    }
    /// The field (column or parameter) concerned, if one is.
    fn field(&self) -> Option<&str> {
        None
    }
    /// The customer concerned, if one is.
    fn customer(&self) -> Option<&CustomerId> {
        None
    }
    /// The kind of mistake.
    fn class(&self) -> ErrorClass;
}

/// True when `s` is a non-empty snake_case id (`[a-z][a-z0-9_]*`, no
/// doubled or trailing `_`): the form of every [`Diagnostic::rule`].
///
/// ```
/// use crm_core::error::is_snake_case;
/// assert!(is_snake_case("one_row_per_customer"));
/// assert!(!is_snake_case("Row") && !is_snake_case("") && !is_snake_case("a__b"));
/// ```
pub fn is_snake_case(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('_')
        && !s.contains("__")
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn row(r: usize) -> Option<u64> {
    Some(r as u64)
}

impl Diagnostic for UnknownName {
    fn rule(&self) -> &'static str {
        "known_name"
    }
    fn field(&self) -> Option<&str> {
        Some(self.kind)
    }
    fn class(&self) -> ErrorClass {
        ErrorClass::Value
    }
}

impl RejectReason {
    /// The rule id of a rejection reason.
    ///
    /// ```
    /// use crm_core::records::reconciliation::RejectReason;
    /// assert_eq!(RejectReason::NotFinite.rule(), "finite");
    /// ```
    pub fn rule(&self) -> &'static str {
        match self {
            RejectReason::Missing => "not_null",
            RejectReason::Unparseable(_) => "parseable",
            RejectReason::NotFinite => "finite",
            RejectReason::OutOfRange => "in_range",
            RejectReason::TooManyDecimals { .. } => "decimal_places",
            RejectReason::InvalidUtf8 => "utf8",
            RejectReason::Malformed => "well_formed",
        }
    }
}

impl Diagnostic for Rejection {
    fn rule(&self) -> &'static str {
        self.reason.rule()
    }
    fn row(&self) -> Option<u64> {
        Some(self.row)
    }
    fn field(&self) -> Option<&str> {
        Some(&self.column)
    }
    fn class(&self) -> ErrorClass {
        ErrorClass::Rejected
    }
}

impl Diagnostic for TierError {
    fn rule(&self) -> &'static str {
        match self {
            TierError::InvalidCutoffs { .. } => "cutoffs_in_order",
            TierError::Overflow { .. } => "decimal_range",
            TierError::TooManyCustomers { .. } => "customer_count",
            TierError::UnknownTier { .. } => "known_name",
            TierError::NotRangePartitioned { .. } => "range_partitioned",
            TierError::IncompletePartitions { .. } => "every_partition_once",
            TierError::PartitionChanged { .. } => "stable_partitions",
            TierError::PartitionOverflow { .. } => "decimal_range",
        }
    }
    fn row(&self) -> Option<u64> {
        match self {
            TierError::Overflow { row: r } => row(*r),
            _ => None,
        }
    }
    fn field(&self) -> Option<&str> {
        match self {
            TierError::InvalidCutoffs { .. } => Some("cutoffs"),
            TierError::Overflow { .. } => Some("value"),
            TierError::UnknownTier { .. } => Some("tier"),
            TierError::PartitionOverflow { .. } => Some("value"),
            TierError::TooManyCustomers { .. }
            | TierError::NotRangePartitioned { .. }
            | TierError::IncompletePartitions { .. }
            | TierError::PartitionChanged { .. } => None,
        }
    }
    fn class(&self) -> ErrorClass {
        match self {
            TierError::InvalidCutoffs { .. } => ErrorClass::Config,
            TierError::Overflow { .. } | TierError::PartitionOverflow { .. } => {
                ErrorClass::Overflow
            }
            TierError::TooManyCustomers { .. }
            | TierError::UnknownTier { .. }
            | TierError::NotRangePartitioned { .. }
            | TierError::IncompletePartitions { .. }
            | TierError::PartitionChanged { .. } => ErrorClass::Value,
        }
    }
}

impl Diagnostic for BehaviourError {
    fn rule(&self) -> &'static str {
        match self {
            BehaviourError::Negative { .. } => "non_negative",
            BehaviourError::DiscountExceedsSpend { .. } => "discount_within_spend",
            BehaviourError::InvalidThreshold { .. } => "share_in_unit_interval",
            BehaviourError::Overflow => "decimal_range",
        }
    }
    fn field(&self) -> Option<&str> {
        Some(match self {
            BehaviourError::Negative { field, .. } => field,
            BehaviourError::DiscountExceedsSpend { .. } => "discount_spend",
            BehaviourError::InvalidThreshold { .. } => "price_driven_min_discount_share",
            BehaviourError::Overflow => "margin",
        })
    }
    fn class(&self) -> ErrorClass {
        match self {
            BehaviourError::InvalidThreshold { .. } => ErrorClass::Config,
            BehaviourError::Overflow => ErrorClass::Overflow,
            _ => ErrorClass::Value,
        }
    }
}

impl Diagnostic for AssignmentError {
    fn rule(&self) -> &'static str {
        match self {
            AssignmentError::LengthMismatch { .. } => "equal_length",
            AssignmentError::DuplicateCustomer { .. } => "one_row_per_customer",
            AssignmentError::Behaviour { source, .. } => source.rule(),
            AssignmentError::Tier(e) => e.rule(),
            AssignmentError::Rules(e) => e.rule(),
        }
    }
    fn row(&self) -> Option<u64> {
        match self {
            AssignmentError::DuplicateCustomer { second_row, .. } => row(*second_row),
            AssignmentError::Behaviour { row: r, .. } => row(*r),
            AssignmentError::Tier(e) => e.row(),
            _ => None,
        }
    }
    fn field(&self) -> Option<&str> {
        match self {
            AssignmentError::LengthMismatch { column, .. } => Some(column),
            AssignmentError::DuplicateCustomer { .. } => None,
            AssignmentError::Behaviour { source, .. } => source.field(),
            AssignmentError::Tier(e) => e.field(),
            AssignmentError::Rules(e) => e.field(),
        }
    }
    fn customer(&self) -> Option<&CustomerId> {
        match self {
            AssignmentError::DuplicateCustomer { customer, .. }
            | AssignmentError::Behaviour { customer, .. } => Some(customer),
            _ => None,
        }
    }
    fn class(&self) -> ErrorClass {
        match self {
            AssignmentError::LengthMismatch { .. } => ErrorClass::Column,
            AssignmentError::DuplicateCustomer { .. } => ErrorClass::Duplicate,
            AssignmentError::Behaviour { source, .. } => source.class(),
            AssignmentError::Tier(e) => e.class(),
            AssignmentError::Rules(_) => ErrorClass::Config,
        }
    }
}

impl Diagnostic for PolicyError {
    fn rule(&self) -> &'static str {
        "policy_covers_every_case"
    }
    fn class(&self) -> ErrorClass {
        ErrorClass::Config
    }
}

impl Diagnostic for ReviewError {
    fn rule(&self) -> &'static str {
        match self {
            ReviewError::DuplicateCustomer { .. } => "one_row_per_customer",
            ReviewError::NoMembers { .. } => "membership_from_customer_base",
            ReviewError::NotAMember { .. } => "classified_customer_is_member",
        }
    }
    fn row(&self) -> Option<u64> {
        match self {
            ReviewError::DuplicateCustomer { second_row, .. } => row(*second_row),
            ReviewError::NotAMember { row: r, .. } => row(*r),
            ReviewError::NoMembers { .. } => None,
        }
    }
    fn customer(&self) -> Option<&CustomerId> {
        match self {
            ReviewError::DuplicateCustomer { customer, .. }
            | ReviewError::NotAMember { customer, .. } => Some(customer),
            ReviewError::NoMembers { .. } => None,
        }
    }
    fn class(&self) -> ErrorClass {
        match self {
            ReviewError::DuplicateCustomer { .. } => ErrorClass::Duplicate,
            ReviewError::NoMembers { .. } => ErrorClass::Config,
            ReviewError::NotAMember { .. } => ErrorClass::Value,
        }
    }
}

impl Diagnostic for RfmError {
    fn rule(&self) -> &'static str {
        match self {
            RfmError::BadRange { .. } => "segment_score_range",
            RfmError::Overlap { .. } => "segments_disjoint",
            RfmError::Uncovered { .. } => "segments_cover_every_score",
            RfmError::TooManyRules => "segment_table_size",
            RfmError::LengthMismatch { .. } => "equal_length",
        }
    }
    fn field(&self) -> Option<&str> {
        match self {
            RfmError::LengthMismatch { column, .. } => Some(column),
            _ => Some("segments"),
        }
    }
    fn class(&self) -> ErrorClass {
        match self {
            RfmError::LengthMismatch { .. } => ErrorClass::Column,
            _ => ErrorClass::Config,
        }
    }
}

impl Diagnostic for SummaryError {
    fn rule(&self) -> &'static str {
        match self {
            SummaryError::Rejected(r) => r.rule(),
            SummaryError::CustomerOverflow { .. } | SummaryError::TotalsOverflow => {
                "accumulator_range"
            }
            SummaryError::ColumnLength { .. } => "equal_length",
            SummaryError::InvalidScale { .. } => "amount_scale",
            SummaryError::WindowAfterAsOf { .. } => "window_before_as_of",
            SummaryError::CalibrationEnd { .. } => "calibration_end_in_window",
            SummaryError::Incompatible { .. } => "compatible_partials",
            SummaryError::Corrupt(_) => "partial_intact",
        }
    }
    fn row(&self) -> Option<u64> {
        match self {
            SummaryError::Rejected(r) => r.row(),
            _ => None,
        }
    }
    fn field(&self) -> Option<&str> {
        match self {
            SummaryError::Rejected(r) => r.field(),
            SummaryError::ColumnLength { column, .. } => Some(column),
            SummaryError::Incompatible { setting } => Some(setting),
            SummaryError::WindowAfterAsOf { .. } => Some("window_start"),
            SummaryError::CalibrationEnd { .. } => Some("calibration_end"),
            _ => None,
        }
    }
    fn customer(&self) -> Option<&CustomerId> {
        match self {
            SummaryError::CustomerOverflow { customer } => Some(customer),
            _ => None,
        }
    }
    fn class(&self) -> ErrorClass {
        match self {
            SummaryError::Rejected(_) => ErrorClass::Rejected,
            SummaryError::CustomerOverflow { .. } | SummaryError::TotalsOverflow => {
                ErrorClass::Overflow
            }
            SummaryError::ColumnLength { .. } => ErrorClass::Column,
            SummaryError::Corrupt(_) => ErrorClass::Value,
            _ => ErrorClass::Config,
        }
    }
}

impl Diagnostic for BaseError {
    fn rule(&self) -> &'static str {
        match self {
            BaseError::EndsBeforeStart { .. } => "since_before_until",
            BaseError::Overlap { .. } => "one_span_at_a_time",
        }
    }
    fn row(&self) -> Option<u64> {
        match self {
            BaseError::EndsBeforeStart { row: r, .. } | BaseError::Overlap { row: r, .. } => {
                row(*r)
            }
        }
    }
    fn field(&self) -> Option<&str> {
        match self {
            BaseError::EndsBeforeStart { .. } => Some("until"),
            BaseError::Overlap { .. } => Some("since"),
        }
    }
    fn customer(&self) -> Option<&CustomerId> {
        match self {
            BaseError::EndsBeforeStart { customer, .. } | BaseError::Overlap { customer, .. } => {
                Some(customer)
            }
        }
    }
    fn class(&self) -> ErrorClass {
        ErrorClass::Value
    }
}

impl Diagnostic for ComplaintError {
    fn rule(&self) -> &'static str {
        "after_opened"
    }
    fn row(&self) -> Option<u64> {
        let ComplaintError::BeforeOpened { row: r, .. } = self;
        row(*r)
    }
    fn field(&self) -> Option<&str> {
        let ComplaintError::BeforeOpened { field, .. } = self;
        Some(field)
    }
    fn customer(&self) -> Option<&CustomerId> {
        let ComplaintError::BeforeOpened { customer, .. } = self;
        Some(customer)
    }
    fn class(&self) -> ErrorClass {
        ErrorClass::Value
    }
}

impl Diagnostic for SurveyError {
    fn rule(&self) -> &'static str {
        match self {
            SurveyError::ScoreOutOfRange { .. } => "score_on_scale",
            SurveyError::UnknownCustomer { .. } => "known_customer",
            SurveyError::InvalidZ { .. } => "confidence_z_positive",
        }
    }
    fn row(&self) -> Option<u64> {
        match self {
            SurveyError::ScoreOutOfRange { row: r, .. }
            | SurveyError::UnknownCustomer { row: r, .. } => row(*r),
            SurveyError::InvalidZ { .. } => None,
        }
    }
    fn field(&self) -> Option<&str> {
        Some(match self {
            SurveyError::ScoreOutOfRange { .. } => "score",
            SurveyError::UnknownCustomer { .. } => "customer",
            SurveyError::InvalidZ { .. } => "confidence_z",
        })
    }
    fn customer(&self) -> Option<&CustomerId> {
        match self {
            SurveyError::ScoreOutOfRange { customer, .. }
            | SurveyError::UnknownCustomer { customer, .. } => Some(customer),
            SurveyError::InvalidZ { .. } => None,
        }
    }
    fn class(&self) -> ErrorClass {
        match self {
            SurveyError::InvalidZ { .. } => ErrorClass::Config,
            _ => ErrorClass::Value,
        }
    }
}

impl Diagnostic for DegreeError {
    fn rule(&self) -> &'static str {
        match self {
            DegreeError::InvalidConfig { .. } => "degree_config",
            DegreeError::DuplicateCustomer { .. } => "one_row_per_customer",
            DegreeError::Negative { .. } => "non_negative",
            DegreeError::SpendAboveCategory { .. } => "spend_within_category",
            DegreeError::UnknownCustomer { .. } => "known_customer",
            DegreeError::Overflow => "decimal_range",
            DegreeError::Survey(e) => e.rule(),
            DegreeError::Complaint(e) => e.rule(),
        }
    }
    fn row(&self) -> Option<u64> {
        match self {
            DegreeError::DuplicateCustomer { row: r, .. }
            | DegreeError::Negative { row: r, .. }
            | DegreeError::SpendAboveCategory { row: r, .. }
            | DegreeError::UnknownCustomer { row: r, .. } => row(*r),
            DegreeError::Survey(e) => e.row(),
            DegreeError::Complaint(e) => e.row(),
            DegreeError::InvalidConfig { .. } | DegreeError::Overflow => None,
        }
    }
    fn field(&self) -> Option<&str> {
        match self {
            DegreeError::InvalidConfig { field, .. } | DegreeError::Negative { field, .. } => {
                Some(field)
            }
            DegreeError::SpendAboveCategory { .. } => Some("spend"),
            DegreeError::UnknownCustomer { .. } | DegreeError::DuplicateCustomer { .. } => {
                Some("customer")
            }
            DegreeError::Overflow => Some("value"),
            DegreeError::Survey(e) => e.field(),
            DegreeError::Complaint(e) => e.field(),
        }
    }
    fn customer(&self) -> Option<&CustomerId> {
        match self {
            DegreeError::DuplicateCustomer { customer, .. }
            | DegreeError::Negative { customer, .. }
            | DegreeError::SpendAboveCategory { customer, .. }
            | DegreeError::UnknownCustomer { customer, .. } => Some(customer),
            DegreeError::Survey(e) => e.customer(),
            DegreeError::Complaint(e) => e.customer(),
            DegreeError::InvalidConfig { .. } | DegreeError::Overflow => None,
        }
    }
    fn class(&self) -> ErrorClass {
        match self {
            DegreeError::InvalidConfig { .. } => ErrorClass::Config,
            DegreeError::DuplicateCustomer { .. } => ErrorClass::Duplicate,
            DegreeError::Overflow => ErrorClass::Overflow,
            DegreeError::Survey(e) => e.class(),
            DegreeError::Complaint(e) => e.class(),
            _ => ErrorClass::Value,
        }
    }
}

impl Diagnostic for DeliveredValueError {
    fn rule(&self) -> &'static str {
        match self {
            DeliveredValueError::Negative { .. } => "non_negative",
            DeliveredValueError::NegativeWeight { .. } => "non_negative_weight",
            DeliveredValueError::DuplicateOffer { .. } => "one_row_per_offer",
            DeliveredValueError::OurOfferMissing { .. } => "our_offer_compared",
            DeliveredValueError::Overflow { .. } => "decimal_range",
        }
    }
    fn row(&self) -> Option<u64> {
        match self {
            DeliveredValueError::Negative { row: r, .. } => row(*r),
            DeliveredValueError::DuplicateOffer { second_row, .. } => row(*second_row),
            _ => None,
        }
    }
    fn field(&self) -> Option<&str> {
        match self {
            DeliveredValueError::Negative { component, .. }
            | DeliveredValueError::NegativeWeight { component }
            | DeliveredValueError::Overflow { component, .. } => Some(component.name()),
            DeliveredValueError::DuplicateOffer { .. } => Some("offer"),
            DeliveredValueError::OurOfferMissing { .. } => Some("ours"),
        }
    }
    fn class(&self) -> ErrorClass {
        match self {
            DeliveredValueError::Negative { .. } => ErrorClass::Value,
            DeliveredValueError::DuplicateOffer { .. } => ErrorClass::Duplicate,
            DeliveredValueError::Overflow { .. } => ErrorClass::Overflow,
            _ => ErrorClass::Config,
        }
    }
}

impl Diagnostic for EconomicsError {
    fn rule(&self) -> &'static str {
        match self {
            EconomicsError::OutOfRange { .. } => "parameter_range",
            EconomicsError::Overflow { .. } => "decimal_range",
        }
    }
    fn field(&self) -> Option<&str> {
        match self {
            EconomicsError::OutOfRange { field, .. } => Some(field),
            EconomicsError::Overflow { what } => Some(what),
        }
    }
    fn class(&self) -> ErrorClass {
        match self {
            EconomicsError::OutOfRange { .. } => ErrorClass::Config,
            EconomicsError::Overflow { .. } => ErrorClass::Overflow,
        }
    }
}

impl Diagnostic for InactivityError {
    fn rule(&self) -> &'static str {
        match self {
            InactivityError::ZeroDays => "inactivity_days_positive",
            InactivityError::RuleShorterThanPeriod { .. } => "inactivity_covers_period",
            InactivityError::Dates { .. } => "purchase_dates_consistent",
            InactivityError::SummaryWindow { .. } => "summary_window",
            InactivityError::DuplicateCustomer { .. } => "one_row_per_customer",
            InactivityError::Base(e) => e.rule(),
        }
    }
    fn row(&self) -> Option<u64> {
        match self {
            InactivityError::Dates { row: r, .. }
            | InactivityError::DuplicateCustomer { row: r, .. } => row(*r),
            InactivityError::Base(e) => e.row(),
            _ => None,
        }
    }
    fn field(&self) -> Option<&str> {
        match self {
            InactivityError::ZeroDays | InactivityError::RuleShorterThanPeriod { .. } => {
                Some("inactivity_days")
            }
            InactivityError::Dates { field, .. } => Some(field),
            InactivityError::SummaryWindow { .. } => Some("window_start"),
            InactivityError::DuplicateCustomer { .. } => Some("customer"),
            InactivityError::Base(e) => e.field(),
        }
    }
    fn customer(&self) -> Option<&CustomerId> {
        match self {
            InactivityError::Dates { customer, .. }
            | InactivityError::DuplicateCustomer { customer, .. } => Some(customer),
            InactivityError::Base(e) => e.customer(),
            _ => None,
        }
    }
    fn class(&self) -> ErrorClass {
        match self {
            InactivityError::Dates { .. } => ErrorClass::Value,
            InactivityError::DuplicateCustomer { .. } => ErrorClass::Duplicate,
            InactivityError::Base(e) => e.class(),
            _ => ErrorClass::Config,
        }
    }
}

impl Diagnostic for PeriodError {
    fn rule(&self) -> &'static str {
        match self {
            PeriodError::EmptyPeriod { .. } => "period_in_order",
            PeriodError::UnknownCustomer { .. } => "known_customer",
            PeriodError::DuplicateCustomer { .. } => "one_row_per_customer",
            PeriodError::InvalidActivity { .. } => "activity_consistent",
            PeriodError::SummaryWindow { .. } => "summary_window",
            PeriodError::Complaint(e) => e.rule(),
        }
    }
    fn row(&self) -> Option<u64> {
        match self {
            PeriodError::UnknownCustomer { row: r, .. }
            | PeriodError::DuplicateCustomer { row: r, .. }
            | PeriodError::InvalidActivity { row: r, .. } => row(*r),
            PeriodError::Complaint(e) => e.row(),
            _ => None,
        }
    }
    fn field(&self) -> Option<&str> {
        match self {
            PeriodError::EmptyPeriod { .. } => Some("last_day"),
            PeriodError::UnknownCustomer { .. } | PeriodError::DuplicateCustomer { .. } => {
                Some("customer")
            }
            PeriodError::InvalidActivity { field, .. } => Some(field),
            PeriodError::SummaryWindow { .. } => Some("window_start"),
            PeriodError::Complaint(e) => e.field(),
        }
    }
    fn customer(&self) -> Option<&CustomerId> {
        match self {
            PeriodError::UnknownCustomer { customer, .. }
            | PeriodError::DuplicateCustomer { customer, .. }
            | PeriodError::InvalidActivity { customer, .. } => Some(customer),
            PeriodError::Complaint(e) => e.customer(),
            _ => None,
        }
    }
    fn class(&self) -> ErrorClass {
        match self {
            PeriodError::EmptyPeriod { .. } | PeriodError::SummaryWindow { .. } => {
                ErrorClass::Config
            }
            PeriodError::DuplicateCustomer { .. } => ErrorClass::Duplicate,
            PeriodError::Complaint(e) => e.class(),
            _ => ErrorClass::Value,
        }
    }
}

impl Diagnostic for ClvError {
    fn rule(&self) -> &'static str {
        match self {
            ClvError::LengthMismatch { .. } => "equal_length",
            ClvError::InvalidInput { .. } => "clv_input",
            ClvError::NoData { .. } => "no_data",
            ClvError::InvalidArgument { .. } => "clv_argument",
            ClvError::NotConverged { .. } => "convergence",
            ClvError::NotFinite { .. } => "finite_prediction",
            ClvError::HorizonTooLong { .. } => "horizon_limit",
            ClvError::SpendUndefined { .. } => "mean_spend_undefined",
            ClvError::NoModelConverged { .. } => "no_model_converged",
        }
    }
    fn row(&self) -> Option<u64> {
        match self {
            ClvError::InvalidInput { row: r, .. }
            | ClvError::NotFinite { row: r, .. }
            | ClvError::SpendUndefined { row: r } => row(*r),
            _ => None,
        }
    }
    fn field(&self) -> Option<&str> {
        match self {
            ClvError::LengthMismatch { column, .. } => Some(column),
            ClvError::InvalidInput { field, .. } => Some(field),
            ClvError::InvalidArgument { name, .. } | ClvError::HorizonTooLong { name, .. } => {
                Some(name)
            }
            ClvError::NotFinite { what, .. } => Some(what),
            ClvError::SpendUndefined { .. } => Some("monetary_value"),
            _ => None,
        }
    }
    fn class(&self) -> ErrorClass {
        match self {
            ClvError::LengthMismatch { .. } => ErrorClass::Column,
            ClvError::InvalidInput { .. }
            | ClvError::NoData { .. }
            | ClvError::NotFinite { .. }
            | ClvError::SpendUndefined { .. } => ErrorClass::Value,
            ClvError::InvalidArgument { .. } | ClvError::HorizonTooLong { .. } => {
                ErrorClass::Config
            }
            ClvError::NotConverged { .. } | ClvError::NoModelConverged { .. } => {
                ErrorClass::NotConverged
            }
        }
    }
}

#[cfg(test)]
mod tests;
