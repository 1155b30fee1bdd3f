//! Why a command failed, and the exit code and message that say so.
//!
//! Exit codes are part of the command's contract with scripts and
//! embedding products: 0 success, 1 internal error, 2 usage error (clap's
//! own code for a bad command line), 3 bad input. With `--json-errors` the
//! message is printed on stderr as one JSON object instead of prose, with
//! the file, row, column and rule when the input named them.

use std::fmt;

use crm_core::error::{Diagnostic, ErrorClass};
use crm_io::IoError;
use serde::Serialize;

/// What kind of failure: decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A bug or an environment problem: exit 1.
    Internal,
    /// The command line itself is wrong: exit 2.
    Usage,
    /// The input (a file, a value in it) breaks a rule: exit 3.
    BadInput,
}

impl Kind {
    /// The process exit code.
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Internal => 1,
            Kind::Usage => 2,
            Kind::BadInput => 3,
        }
    }
}

/// A failure with everything a user needs to fix the input.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// The kind (and exit code).
    pub kind: Kind,
    /// The whole message (boxed, as the rare fields, to keep `Result`s small).
    pub message: Box<str>,
    /// The file, when one is at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The row (1-based data row of the file, as crm-core counts), when one
    /// is at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    /// The column, when one is at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The rule broken: crm-core's snake_case rule id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
    /// The customer concerned (its id, never other data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<Box<str>>,
}

impl Failure {
    /// A failure of `kind` with a message.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into().into_boxed_str(),
            file: None,
            row: None,
            column: None,
            rule: None,
            customer: None,
        }
    }

    /// Bad input.
    pub fn input(message: impl Into<String>) -> Self {
        Failure::new(Kind::BadInput, message)
    }

    /// A usage error that clap cannot see (e.g. an unknown file extension).
    pub fn usage(message: impl Into<String>) -> Self {
        Failure::new(Kind::Usage, message)
    }

    /// An internal error.
    pub fn internal(message: impl Into<String>) -> Self {
        Failure::new(Kind::Internal, message)
    }

    /// Names the file at fault.
    pub fn file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Prints the failure on stderr, as prose or JSON.
    pub fn report(&self, json: bool) {
        if json {
            match serde_json::to_string(self) {
                Ok(s) => eprintln!("{s}"),
                Err(_) => eprintln!(
                    "{{\"kind\":\"internal\",\"message\":\"cannot serialise the error\"}}"
                ),
            }
        } else {
            eprintln!("error: {}", self.message);
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Failure {
    /// A domain or read error as bad input, with its rule, 1-based row,
    /// column (the field) and customer from [`Diagnostic`]: the CLI names no
    /// rule of its own. `what` prefixes the message (the step or the file).
    pub fn diagnosed(what: &str, e: &dyn Diagnostic) -> Failure {
        let message = if what.is_empty() {
            e.to_string()
        } else {
            format!("{what}: {e}")
        };
        let kind = match e.class() {
            ErrorClass::NotConverged => Kind::Internal,
            _ => Kind::BadInput,
        };
        Failure {
            row: e.row(),
            column: e.field().map(str::to_owned),
            rule: Some(e.rule()),
            customer: e.customer().map(|c| c.to_string().into_boxed_str()),
            ..Failure::new(kind, message)
        }
    }
}

impl From<IoError> for Failure {
    fn from(e: IoError) -> Self {
        let file = e.source_name().to_owned();
        Failure::diagnosed("", &e).file(file)
    }
}

/// Turns an error of a domain step into bad input: domain errors are about
/// the data (a repeated id, an invalid cut-off).
pub fn domain<E: Diagnostic>(what: &str) -> impl Fn(E) -> Failure + '_ {
    move |e| Failure::diagnosed(what, &e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_contract() {
        assert_eq!(Kind::Internal.exit_code(), 1);
        assert_eq!(Kind::Usage.exit_code(), 2);
        assert_eq!(Kind::BadInput.exit_code(), 3);
    }

    #[test]
    fn column_errors_keep_file_column_and_rule() {
        let e = IoError::Column {
            source_name: "tx.csv".into(),
            column: "amount".into(),
            rule: "is not in the header".into(),
        };
        let f = Failure::from(e);
        assert_eq!(f.kind, Kind::BadInput);
        assert_eq!(
            (f.file.as_deref(), f.column.as_deref(), f.rule),
            (Some("tx.csv"), Some("amount"), Some("column_present"))
        );
        assert_eq!(&*f.message, "tx.csv: column `amount` is not in the header");
    }

    #[test]
    fn a_duplicate_customer_in_row_2_is_reported_as_row_2() {
        use crm_core::value::assignment::{AssignmentConfig, assign};
        let ids = [1.into(), 1.into()];
        let values = [rust_decimal::Decimal::ONE, rust_decimal::Decimal::TWO];
        let e = assign(&ids, &values, None, &AssignmentConfig::default());
        let f = e.map_err(domain("value tiers")).err();
        let f = f.map(|f| (f.kind, f.row, f.rule, f.customer));
        assert_eq!(
            f,
            Some((
                Kind::BadInput,
                Some(2),
                Some("one_row_per_customer"),
                Some("1".into())
            ))
        );
    }
}
