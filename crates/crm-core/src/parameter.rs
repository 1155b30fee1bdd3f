//! Parameters a caller gives as text or numbers (a decimal cut-off, an
//! analysis date, a time zone, a JSON configuration, a count of periods):
//! one parser per kind and one error, [`ParameterError`], so that every
//! front end checks a parameter the same way and names the same rule.
//!
//! The decimal rule is also the rule for decimal text in data: a decimal is
//! read **exactly or not at all**. A text with more than 28 decimal places
//! (Decimal's resolution) is refused, never rounded; digits beyond Decimal's
//! range are out of range ([`exact_decimal`]).
//!
//! Messages name the parameter and what it must be, never the value given
//! (a mistyped parameter may hold a customer's data).
//!
//! ```
//! use crm_core::error::{Diagnostic, ErrorClass};
//! use crm_core::parameter;
//! use rust_decimal_macros::dec;
//!
//! assert_eq!(parameter::decimal("cutoffs[0]", "0.8"), Ok(dec!(0.8)));
//! let e = parameter::decimal("cutoffs[0]", "alice@example.com").unwrap_err();
//! assert_eq!((e.rule(), e.field(), e.class()), ("decimal_parameter", Some("cutoffs[0]"), ErrorClass::Config));
//! assert!(!e.to_string().contains("alice"));
//! ```

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::error::{Diagnostic, ErrorClass};
use crate::records::reconciliation::{Expected, RejectReason};

/// Decimal's resolution: the most decimal places a [`Decimal`] holds.
pub const MAX_DECIMAL_PLACES: u32 = 28;

/// What is wrong with a parameter. Every variant names the parameter
/// (`name`) and never carries the value given.
///
/// ```
/// use crm_core::parameter::ParameterError;
/// let e = ParameterError::Date { name: "as_of".into() };
/// assert_eq!(e.to_string(), "as_of must be a date (YYYY-MM-DD)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParameterError {
    /// Not a decimal number, or not one Decimal holds exactly.
    #[error("{name} must be a decimal number ({reason})")]
    Decimal {
        /// The parameter.
        name: String,
        /// Why the text is not one.
        reason: RejectReason,
    },
    /// Not a calendar date.
    #[error("{name} must be a date (YYYY-MM-DD)")]
    Date {
        /// The parameter.
        name: String,
    },
    /// Not an IANA time zone name.
    #[error("{name} must be an IANA time zone name such as \"UTC\" or \"Asia/Shanghai\"")]
    TimeZone {
        /// The parameter.
        name: String,
    },
    /// Not valid JSON of the parameter's form.
    #[error("{name} is not valid: {problem}{}", position(*line, *column))]
    Json {
        /// The parameter.
        name: String,
        /// The 1-based line of the first problem (0: the text parsed, and
        /// the value it holds broke a rule of its type).
        line: usize,
        /// The 1-based column of the first problem.
        column: usize,
        /// What kind of problem (syntax, a wrong field or type, cut short).
        problem: &'static str,
    },
    /// A whole number outside its range, or a value that is not one.
    #[error("{name} must be a whole number from {min} to {max}")]
    WholeNumber {
        /// The parameter.
        name: String,
        /// The smallest value allowed.
        min: i64,
        /// The largest value allowed.
        max: u64,
    },
    /// A floating-point parameter that is not a finite number.
    #[error("{name} must be a finite number")]
    NotFinite {
        /// The parameter.
        name: String,
    },
    /// A column the call needs was not named.
    #[error("the {role} column must be named")]
    ColumnNotNamed {
        /// The column's role.
        role: String,
    },
    /// A list parameter of the wrong length.
    #[error("{name} needs {expected} items, got {found}")]
    Count {
        /// The parameter.
        name: String,
        /// How many it needs.
        expected: usize,
        /// How many were given.
        found: usize,
    },
    /// An argument of the wrong form: a number where a column name
    /// belongs, one value where a pair does. A front end checks the form of
    /// what its language passes; the rule and the words are the same in
    /// every front end.
    #[error("{name} must be {}", form.text())]
    Form {
        /// The parameter.
        name: String,
        /// What it must be.
        form: Form,
    },
    /// A parameter the call cannot do without.
    #[error("{name} is required{}", unless.as_deref().map(|u| format!(" unless {u}")).unwrap_or_default())]
    Required {
        /// The parameter.
        name: String,
        /// When it may be left out, if ever (the front end's words for
        /// another argument, never a value).
        unless: Option<String>,
    },
    /// A key that the parameter does not have (a column role, a component,
    /// a configuration field). The message lists the keys there are, never
    /// the one given, which may be anything a user typed.
    #[error("{name}: unknown key; the keys are {}", allowed.join(", "))]
    UnknownKey {
        /// The parameter.
        name: String,
        /// Its keys.
        allowed: Vec<String>,
    },
    /// Summaries of another window than the call's period: the per-customer
    /// dates of a summary only mean "in the period" when the summary covers
    /// exactly that period (or ends the day before it).
    #[error("{name}: {}", window.text())]
    SummaryWindow {
        /// The parameter.
        name: String,
        /// The window the summary must cover.
        window: Window,
    },
    /// A model asked for predictions before it has parameters.
    #[error("{name} has no parameters yet: fit it, or give its parameters")]
    NotFitted {
        /// The model.
        name: String,
    },
}

/// The form an argument must have ([`ParameterError::Form`]).
///
/// ```
/// use crm_core::parameter::Form;
/// use crm_core::vocabulary::Vocabulary;
/// assert_eq!("pair".parse::<Form>(), Ok(Form::Pair));
/// assert_eq!(Form::ColumnName.text(), "a column name (text)");
/// assert!(Form::names().contains(&"column_name"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// The name of a column of the input table.
    ColumnName,
    /// Two values (cut-offs, labels, a window's first and last day).
    Pair,
    /// Names mapped to values (column roles, weights, a configuration).
    Mapping,
    /// A decimal number: an integer, a float or decimal text.
    Number,
    /// Numbers (points of a curve).
    Numbers,
    /// A model of this library's lifetime-value models.
    Model,
    /// RFM thresholds: `recency_days`, `frequency` and `monetary` lists.
    Thresholds,
    /// A calibration / holdout split (with its repeat occasions per day).
    Split,
}

impl Form {
    /// What the argument must be, as the message says it.
    pub fn text(self) -> &'static str {
        match self {
            Form::ColumnName => "a column name (text)",
            Form::Pair => "a pair of two values",
            Form::Mapping => "a mapping of names to values",
            Form::Number => "a number (an integer, a float, a decimal or decimal text)",
            Form::Numbers => "finite numbers",
            Form::Model => "a BG/NBD, MBG/NBD, Pareto/NBD or Gamma-Gamma model",
            Form::Thresholds => {
                "a mapping of recency_days, frequency and monetary to lists of numbers"
            }
            Form::Split => "a calibration / holdout split (calibration_holdout's result)",
        }
    }
}

/// The window a summary must cover ([`ParameterError::SummaryWindow`]).
///
/// ```
/// use crm_core::parameter::Window;
/// assert_eq!("period".parse::<Window>(), Ok(Window::Period));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// Exactly the period: from its first day to its last.
    Period,
    /// Everything up to the day before the period's first day.
    DayBefore,
}

impl Window {
    /// What the summary must cover, as the message says it.
    pub fn text(self) -> &'static str {
        match self {
            Window::Period => {
                "the summary must cover exactly the period: summarize with the period's first day as its window start and its last day as the analysis date"
            }
            Window::DayBefore => {
                "the summary must end on the day before the period's first day: summarize with that day as the analysis date"
            }
        }
    }
}

fn position(line: usize, column: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(" at line {line}, column {column}")
    }
}

impl Diagnostic for ParameterError {
    fn rule(&self) -> &'static str {
        match self {
            ParameterError::Decimal { .. } => "decimal_parameter",
            ParameterError::Date { .. } => "date_parameter",
            ParameterError::TimeZone { .. } => "time_zone",
            ParameterError::Json { .. } => "json_parameter",
            ParameterError::WholeNumber { .. } => "whole_number_in_range",
            ParameterError::NotFinite { .. } => "finite_parameter",
            ParameterError::ColumnNotNamed { .. } => "column_named",
            ParameterError::Count { .. } => "parameter_count",
            ParameterError::Form { .. } => "argument_form",
            ParameterError::Required { .. } => "required_parameter",
            ParameterError::UnknownKey { .. } => "known_key",
            ParameterError::SummaryWindow { .. } => "summary_window",
            ParameterError::NotFitted { .. } => "clv_fitted",
        }
    }
    fn field(&self) -> Option<&str> {
        Some(match self {
            ParameterError::Decimal { name, .. }
            | ParameterError::Date { name }
            | ParameterError::TimeZone { name }
            | ParameterError::Json { name, .. }
            | ParameterError::WholeNumber { name, .. }
            | ParameterError::NotFinite { name }
            | ParameterError::Count { name, .. }
            | ParameterError::Form { name, .. }
            | ParameterError::Required { name, .. }
            | ParameterError::UnknownKey { name, .. }
            | ParameterError::SummaryWindow { name, .. }
            | ParameterError::NotFitted { name } => name,
            ParameterError::ColumnNotNamed { role } => role,
        })
    }
    fn class(&self) -> ErrorClass {
        ErrorClass::Config
    }
}

/// A decimal text, plain (`-12.50`) or scientific (`1.5e3`), read exactly:
/// the one rule for decimal text in data and in parameters.
///
/// * more than [`MAX_DECIMAL_PLACES`] significant decimal places:
///   [`RejectReason::TooManyDecimals`] (never rounded);
/// * more digits than Decimal's 96-bit range: [`RejectReason::OutOfRange`];
/// * `NaN`, `inf`: [`RejectReason::NotFinite`]; empty: [`RejectReason::Missing`];
/// * anything else: [`RejectReason::Unparseable`].
///
/// ```
/// use crm_core::parameter::exact_decimal;
/// use crm_core::records::reconciliation::RejectReason;
/// use rust_decimal_macros::dec;
/// assert_eq!(exact_decimal("29.330"), Ok(dec!(29.33)));
/// assert_eq!(exact_decimal("1.5e-3"), Ok(dec!(0.0015)));
/// let tiny = format!("0.{}1", "0".repeat(28)); // 29 decimal places
/// assert_eq!(exact_decimal(&tiny), Err(RejectReason::TooManyDecimals { max: 28 }));
/// assert_eq!(exact_decimal("1e-29"), Err(RejectReason::TooManyDecimals { max: 28 }));
/// assert_eq!(exact_decimal("NaN"), Err(RejectReason::NotFinite));
/// ```
pub fn exact_decimal(text: &str) -> Result<Decimal, RejectReason> {
    let s = text.trim();
    if s.is_empty() {
        return Err(RejectReason::Missing);
    }
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let negative = s.starts_with('-');
    let lower = unsigned.to_ascii_lowercase();
    if matches!(lower.as_str(), "nan" | "inf" | "infinity") {
        return Err(RejectReason::NotFinite);
    }
    let unparseable = RejectReason::Unparseable(Expected::Decimal);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => {
            let e = unsigned.get(i + 1..).unwrap_or_default();
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return Err(unparseable);
            }
            // An exponent beyond i64 is out of range (or zero: see below).
            (&unsigned[..i], e.parse::<i64>().ok())
        }
        None => (unsigned, Some(0)),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().chain(frac.bytes()).all(|c| c.is_ascii_digit())
    {
        return Err(unparseable);
    }
    // The digits without leading zeros, and the scale of their last one.
    let frac = frac.trim_end_matches('0');
    let digits: String = int.chars().chain(frac.chars()).collect();
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Ok(Decimal::ZERO);
    }
    let exponent = exponent.ok_or(RejectReason::OutOfRange)?;
    let mut scale = (frac.len() as i128) - i128::from(exponent);
    // At most 38 digits fit u128 exactly; Decimal holds at most 29.
    if digits.len() > 38 {
        let kept = digits.trim_end_matches('0');
        if kept.len() > 38 {
            return Err(RejectReason::OutOfRange);
        }
        scale -= (digits.len() - kept.len()) as i128;
        return finish(kept, scale, negative);
    }
    finish(digits, scale, negative)
}

/// `digits` × 10^-`scale` as a Decimal, exactly, or why not.
fn finish(digits: &str, mut scale: i128, negative: bool) -> Result<Decimal, RejectReason> {
    let mut m: u128 = digits.parse().map_err(|_| RejectReason::OutOfRange)?;
    while scale > i128::from(MAX_DECIMAL_PLACES) && m.is_multiple_of(10) {
        m /= 10;
        scale -= 1;
    }
    if scale > i128::from(MAX_DECIMAL_PLACES) {
        return Err(RejectReason::TooManyDecimals {
            max: MAX_DECIMAL_PLACES,
        });
    }
    while scale < 0 {
        m = m.checked_mul(10).ok_or(RejectReason::OutOfRange)?;
        scale += 1;
    }
    let m = i128::try_from(m).map_err(|_| RejectReason::OutOfRange)?;
    let m = if negative { -m } else { m };
    // Beyond 96 bits is out of Decimal's range.
    Decimal::try_from_i128_with_scale(m, scale as u32).map_err(|_| RejectReason::OutOfRange)
}

/// A decimal parameter (see [`exact_decimal`]).
///
/// # Errors
///
/// [`ParameterError::Decimal`] naming `name`.
///
/// ```
/// use crm_core::parameter::decimal;
/// assert!(decimal("discount", "0.1").is_ok() && decimal("discount", "ten").is_err());
/// ```
pub fn decimal(name: &str, text: &str) -> Result<Decimal, ParameterError> {
    exact_decimal(text).map_err(|reason| ParameterError::Decimal {
        name: name.to_owned(),
        reason,
    })
}

/// A date parameter, `YYYY-MM-DD`.
///
/// # Errors
///
/// [`ParameterError::Date`] naming `name`.
///
/// ```
/// use crm_core::parameter::date;
/// assert_eq!(date("as_of", "1997-09-30").map(|d| d.to_string()), Ok("1997-09-30".to_owned()));
/// assert!(date("as_of", "30/09/1997").is_err());
/// ```
pub fn date(name: &str, text: &str) -> Result<NaiveDate, ParameterError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| ParameterError::Date {
        name: name.to_owned(),
    })
}

/// An IANA time zone parameter.
///
/// # Errors
///
/// [`ParameterError::TimeZone`] naming `name`.
///
/// ```
/// use crm_core::parameter::time_zone;
/// assert_eq!(time_zone("tz", "Asia/Shanghai"), Ok(chrono_tz::Asia::Shanghai));
/// assert!(time_zone("tz", "Mars/Olympus").is_err());
/// ```
pub fn time_zone(name: &str, text: &str) -> Result<chrono_tz::Tz, ParameterError> {
    chrono_tz::Tz::from_str(text.trim()).map_err(|_| ParameterError::TimeZone {
        name: name.to_owned(),
    })
}

/// A JSON parameter of type `T` (a policy, a weight table, thresholds). The
/// error gives the position and the kind of problem, not serde's message,
/// which quotes the offending value.
///
/// # Errors
///
/// [`ParameterError::Json`] naming `name`.
///
/// ```
/// use crm_core::parameter::json;
/// use crm_core::value::rfm::Monetary;
/// assert_eq!(json::<Monetary>("monetary", "\"total\""), Ok(Monetary::Total));
/// let e = json::<Monetary>("monetary", "\"alice@example.com\"").unwrap_err();
/// assert!(!e.to_string().contains("alice"));
/// ```
pub fn json<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> Result<T, ParameterError> {
    serde_json::from_str(text).map_err(|e| ParameterError::Json {
        name: name.to_owned(),
        line: e.line(),
        column: e.column(),
        problem: match e.classify() {
            serde_json::error::Category::Io => "unreadable text",
            serde_json::error::Category::Syntax => "a JSON syntax error",
            serde_json::error::Category::Data => "a field or value of the wrong name or type",
            serde_json::error::Category::Eof => "the text ends early",
        },
    })
}

/// A JSON configuration of type `T` that overrides some of `T`'s fields:
/// the fields given replace the defaults (`T::default()`), objects merge
/// field by field, and a field `T` does not have is
/// [`ParameterError::UnknownKey`] listing the fields there are. So the
/// defaults live only in `T`, and a front end passes only what its caller
/// set.
///
/// # Errors
///
/// [`ParameterError::Json`] for text that is not a JSON object or breaks
/// `T`'s rules of form; [`ParameterError::UnknownKey`] for an unknown field
/// (named by its path, such as `config.service_levels`).
///
/// ```
/// use crm_core::parameter::{json_over_defaults, ParameterError};
/// use crm_core::relationship::degrees::DegreeConfig;
/// let c: DegreeConfig = json_over_defaults("config", r#"{"repeat_full_at": 6}"#)?;
/// assert_eq!((c.repeat_full_at, c.tenure_full_days), (6, DegreeConfig::default().tenure_full_days));
/// let e = json_over_defaults::<DegreeConfig>("config", r#"{"alice@example.com": 1}"#).unwrap_err();
/// assert!(matches!(&e, ParameterError::UnknownKey { allowed, .. } if allowed.contains(&"repeat_full_at".to_owned())));
/// assert!(!e.to_string().contains("alice"));
/// # Ok::<(), ParameterError>(())
/// ```
pub fn json_over_defaults<T>(name: &str, text: &str) -> Result<T, ParameterError>
where
    T: Default + serde::Serialize + serde::de::DeserializeOwned,
{
    let given: serde_json::Value = json(name, text)?;
    let mut merged = serde_json::to_value(T::default()).map_err(|_| ParameterError::Json {
        name: name.to_owned(),
        line: 0,
        column: 0,
        problem: "a configuration without a JSON form",
    })?;
    merge(name, &mut merged, given)?;
    json(name, &merged.to_string())
}

/// `given`'s fields over `base`'s, recursively into objects.
fn merge(
    name: &str,
    base: &mut serde_json::Value,
    given: serde_json::Value,
) -> Result<(), ParameterError> {
    let (serde_json::Value::Object(base), serde_json::Value::Object(given)) = (&mut *base, &given)
    else {
        *base = given;
        return Ok(());
    };
    for (key, value) in given.clone() {
        let Some(slot) = base.get_mut(&key) else {
            return Err(ParameterError::UnknownKey {
                name: name.to_owned(),
                allowed: base.keys().cloned().collect(),
            });
        };
        if slot.is_object() && value.is_object() {
            merge(&format!("{name}.{key}"), slot, value)?;
        } else {
            *slot = value;
        }
    }
    Ok(())
}

/// A whole-number parameter within `min..=max`, from the caller's integer
/// (`None`: the caller's value is not an integer, or beyond 64 bits).
///
/// # Errors
///
/// [`ParameterError::WholeNumber`] naming `name` and the range.
///
/// ```
/// use crm_core::parameter::whole_number;
/// assert_eq!(whole_number::<u32>("months", Some(12), 0, u32::MAX.into()), Ok(12));
/// assert!(whole_number::<u32>("months", Some(-1), 0, u32::MAX.into()).is_err());
/// assert!(whole_number::<u32>("months", None, 0, u32::MAX.into()).is_err());
/// ```
pub fn whole_number<T: TryFrom<i128>>(
    name: &str,
    value: Option<i128>,
    min: i64,
    max: u64,
) -> Result<T, ParameterError> {
    let err = || ParameterError::WholeNumber {
        name: name.to_owned(),
        min,
        max,
    };
    let v = value.ok_or_else(err)?;
    if v < i128::from(min) || v > i128::from(max) {
        return Err(err());
    }
    T::try_from(v).map_err(|_| err())
}

/// A finite floating-point parameter.
///
/// # Errors
///
/// [`ParameterError::NotFinite`] naming `name`.
///
/// ```
/// use crm_core::parameter::finite;
/// assert_eq!(finite("t", 2.5), Ok(2.5));
/// assert!(finite("t", f64::NAN).is_err());
/// ```
pub fn finite(name: &str, value: f64) -> Result<f64, ParameterError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ParameterError::NotFinite {
            name: name.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests;
