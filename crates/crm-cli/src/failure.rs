//! Why a command failed, and the exit code and message that say so.
//!
//! Exit codes are part of the command's contract with scripts and
//! embedding products: 0 success, 1 internal error, 2 usage error (clap's
//! own code for a bad command line), 3 bad input. With `--json-errors` the
//! message is printed on stderr as one JSON object instead of prose, with
//! the file, row, column and rule when the input named them.

use std::fmt;

use crm_core::records::reconciliation::Rejection;
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
    /// The whole message.
    pub message: String,
    /// The file, when one is at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The row (1-based data row of the file), when one is at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    /// The column, when one is at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The rule broken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

impl Failure {
    /// A failure of `kind` with a message.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
            file: None,
            row: None,
            column: None,
            rule: None,
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

impl From<IoError> for Failure {
    fn from(e: IoError) -> Self {
        let message = e.to_string();
        match e {
            IoError::Read { source_name, .. } => Failure::input(message).file(source_name),
            IoError::Column {
                source_name,
                column,
                rule,
            } => Failure {
                column: Some(column),
                rule: Some(rule),
                ..Failure::input(message).file(source_name)
            },
            IoError::Rejected {
                source_name,
                rejection,
            } => rejected(message, source_name, &rejection),
            IoError::Summary { source_name, .. } => Failure::input(message).file(source_name),
        }
    }
}

fn rejected(message: String, file: String, r: &Rejection) -> Failure {
    Failure {
        row: Some(r.row),
        column: Some(r.column.clone()),
        rule: Some(r.reason.to_string()),
        ..Failure::input(message).file(file)
    }
}

/// Turns any displayable error of a domain step into bad input: domain
/// errors are about the data (a repeated id, an invalid cut-off).
pub fn domain<E: fmt::Display>(what: &str) -> impl Fn(E) -> Failure + '_ {
    move |e| Failure::input(format!("{what}: {e}"))
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
            rule: "is missing".into(),
        };
        let f = Failure::from(e);
        assert_eq!(f.kind, Kind::BadInput);
        assert_eq!(
            (f.file.as_deref(), f.column.as_deref(), f.rule.as_deref()),
            (Some("tx.csv"), Some("amount"), Some("is missing"))
        );
        assert_eq!(f.message, "tx.csv: column `amount` is missing");
    }
}
