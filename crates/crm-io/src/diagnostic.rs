//! [`IoError`] speaks crm-core's error language ([`Diagnostic`]): a rule id,
//! the 1-based data row, the column and the class, so front ends map a read
//! failure exactly as they map a domain error.

use crm_core::error::{Diagnostic, ErrorClass};
use crm_core::records::customer::CustomerId;

use crate::IoError;

/// What is wrong with a mapped column, from the fixed texts the readers
/// give ([`IoError::Column`]'s `rule` begins with one of them).
fn column_rule(rule: &str) -> (&'static str, ErrorClass) {
    if rule.starts_with("is not in the") {
        ("column_present", ErrorClass::Column)
    } else if rule.starts_with("has type") || rule.starts_with("cannot be converted") {
        ("column_type", ErrorClass::Type)
    } else {
        ("column_readable", ErrorClass::Column)
    }
}

/// ```
/// use crm_core::error::{Diagnostic, ErrorClass};
/// use crm_io::IoError;
/// let e = IoError::Column { source_name: "tx.csv".into(), column: "amount".into(), rule: "is not in the header".into() };
/// assert_eq!((e.rule(), e.field(), e.class()), ("column_present", Some("amount"), ErrorClass::Column));
/// ```
impl Diagnostic for IoError {
    fn rule(&self) -> &'static str {
        match self {
            IoError::Read { .. } => "readable",
            IoError::Damaged { .. } => "well_formed",
            IoError::Column { rule, .. } => column_rule(rule).0,
            IoError::Rejected { rejection, .. } => rejection.rule(),
            IoError::Summary { error, .. } => error.rule(),
        }
    }
    fn row(&self) -> Option<u64> {
        match self {
            IoError::Rejected { rejection, .. } => rejection.row(),
            IoError::Summary { error, .. } => error.row(),
            _ => None,
        }
    }
    fn field(&self) -> Option<&str> {
        match self {
            IoError::Read { .. } | IoError::Damaged { .. } => None,
            IoError::Column { column, .. } => Some(column),
            IoError::Rejected { rejection, .. } => rejection.field(),
            IoError::Summary { error, .. } => error.field(),
        }
    }
    fn customer(&self) -> Option<&CustomerId> {
        match self {
            IoError::Summary { error, .. } => error.customer(),
            _ => None,
        }
    }
    fn class(&self) -> ErrorClass {
        match self {
            IoError::Read { .. } | IoError::Damaged { .. } => ErrorClass::Value,
            IoError::Column { rule, .. } => column_rule(rule).1,
            IoError::Rejected { .. } => ErrorClass::Rejected,
            IoError::Summary { error, .. } => error.class(),
        }
    }
}

/// ```
/// use crm_core::error::{Diagnostic, ErrorClass};
/// let e = "float32".parse::<crm_io::tables::MoneyType>().unwrap_err();
/// assert_eq!((e.rule(), e.field(), e.class()), ("known_name", Some("money"), ErrorClass::Config));
/// ```
#[cfg(feature = "arrow")]
impl Diagnostic for crate::tables::UnknownMoneyType {
    fn rule(&self) -> &'static str {
        "known_name"
    }
    fn field(&self) -> Option<&str> {
        Some("money")
    }
    fn class(&self) -> ErrorClass {
        ErrorClass::Config
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_core::records::reconciliation::{RejectReason, Rejection};

    #[test]
    fn a_rejected_row_keeps_its_1_based_row_column_and_rule() {
        let e = IoError::Rejected {
            source_name: "tx.csv".into(),
            rejection: Rejection {
                row: 2,
                column: "amount".into(),
                reason: RejectReason::NotFinite,
            },
        };
        assert_eq!(
            (e.rule(), e.row(), e.field()),
            ("finite", Some(2), Some("amount"))
        );
        assert_eq!(e.class(), ErrorClass::Rejected);
    }

    #[test]
    fn every_reader_text_has_a_snake_case_rule() {
        for text in [
            "is not in the header",
            "is not in the schema",
            "has type Utf8, expected a date",
            "cannot be converted: x",
            "other",
        ] {
            let (rule, _) = column_rule(text);
            assert!(crm_core::error::is_snake_case(rule), "{text}");
        }
    }
}
