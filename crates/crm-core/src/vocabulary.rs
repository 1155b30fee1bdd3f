//! The names a user sees: one list per concept, owned here.
//!
//! Every enum that reaches a table, a JSON file, a command-line flag or a
//! Python argument (tier, behaviour, strategy, service model, decision,
//! move, unit, monetary basis, RFM segment, model kind…) implements
//! [`Vocabulary`]: its snake_case names, the list of all of them in report
//! order, and parsing that names the concept and the allowed values when a
//! name is unknown. Front ends take their choices and their column values
//! from here, so a name is spelled in exactly one place.
//!
//! ```
//! use crm_core::vocabulary::Vocabulary;
//! use crm_core::value::tier::Tier;
//!
//! assert_eq!(Tier::names(), ["most_valuable", "major", "ordinary", "inactive"]);
//! assert_eq!(<Tier as Vocabulary>::from_name("major"), Ok(Tier::Major));
//! let e = <Tier as Vocabulary>::from_name("gold").unwrap_err();
//! assert_eq!(e.to_string(), "unknown tier: expected one of most_valuable, major, ordinary, inactive");
//! ```

use std::fmt;

/// A closed set of names for one concept.
///
/// ```
/// use crm_core::vocabulary::Vocabulary;
/// use crm_core::value::behaviour::Behaviour;
/// assert_eq!(Behaviour::KIND, "behaviour");
/// assert_eq!(Behaviour::ALL.len(), Behaviour::names().len());
/// ```
pub trait Vocabulary: Sized + Copy + PartialEq + 'static {
    /// What the names name, singular ("tier"): used in errors and docs.
    const KIND: &'static str;
    /// Every value, in report order.
    const ALL: &'static [Self];

    /// The snake_case name used in JSON, CSV, Arrow, flags and Python.
    fn name(self) -> &'static str;

    /// Every name, in the order of [`Vocabulary::ALL`].
    fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|v| v.name()).collect()
    }

    /// The value of a name; the error lists the allowed names (and never
    /// repeats the input, which may be anything a user typed).
    fn from_name(name: &str) -> Result<Self, UnknownName> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.name() == name)
            .ok_or_else(|| UnknownName {
                kind: Self::KIND,
                allowed: Self::names(),
            })
    }

    /// The position of a value in [`Vocabulary::ALL`]: the code of a
    /// dictionary-encoded column.
    fn code(self) -> usize {
        Self::ALL.iter().position(|v| *v == self).unwrap_or(0)
    }
}

/// A name that is not in its concept's vocabulary.
///
/// ```
/// use crm_core::vocabulary::{UnknownName, Vocabulary};
/// use crm_core::value::tier::Tier;
/// let e: UnknownName = <Tier as Vocabulary>::from_name("").unwrap_err();
/// assert_eq!(e.kind, "tier");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// The concept ([`Vocabulary::KIND`]).
    pub kind: &'static str,
    /// Its names.
    pub allowed: Vec<&'static str>,
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {}: expected one of {}",
            self.kind,
            self.allowed.join(", ")
        )
    }
}

impl std::error::Error for UnknownName {}
