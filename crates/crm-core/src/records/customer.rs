//! Customer identifiers.
//!
//! A customer is named by an integer or a string, whichever the source system
//! uses. The id is the only piece of a customer record that may appear in an
//! error message or a log line: it is how an analyst finds the offending row,
//! and it carries no personal data by itself.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The id of one customer: an integer or a string.
///
/// In JSON an integer id is a number and a string id is a string, so a
/// product that embeds crm-engine sends ids as it stores them.
///
/// # Example
///
/// ```
/// use crm_core::records::customer::CustomerId;
///
/// let a = CustomerId::from(42_i64);
/// let b = CustomerId::from("C-0042");
/// assert_eq!(a.to_string(), "42");
/// assert_eq!(b.to_string(), "C-0042");
/// assert_eq!(serde_json::to_string(&a).unwrap(), "42");
/// assert_eq!(serde_json::to_string(&b).unwrap(), "\"C-0042\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum CustomerId {
    /// A numeric id, as most order systems issue them.
    Int(i64),
    /// A textual id (an account code, a UUID, ...).
    Str(String),
}

impl fmt::Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CustomerId::Int(i) => write!(f, "{i}"),
            CustomerId::Str(s) => f.write_str(s),
        }
    }
}

impl From<i64> for CustomerId {
    fn from(value: i64) -> Self {
        CustomerId::Int(value)
    }
}

impl From<&str> for CustomerId {
    fn from(value: &str) -> Self {
        CustomerId::Str(value.to_owned())
    }
}

impl From<String> for CustomerId {
    fn from(value: String) -> Self {
        CustomerId::Str(value)
    }
}
