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

/// Implements [`Vocabulary`] (and, on request, `Display` and `FromStr`) for a
/// fieldless enum from one list of `Variant => "name"` pairs, in report
/// order: the only place a name is spelled.
macro_rules! vocabulary {
    ($ty:ident, $kind:literal, [$($v:ident => $n:literal),+ $(,)?] $(, $extra:ident)*) => {
        impl $crate::vocabulary::Vocabulary for $ty {
            const KIND: &'static str = $kind;
            const ALL: &'static [$ty] = &[$($ty::$v),+];
            fn name(self) -> &'static str {
                match self {
                    $($ty::$v => $n),+
                }
            }
        }
        $(vocabulary!(@$extra $ty);)*
    };
    (@display $ty:ident) => {
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::vocabulary::Vocabulary::name(*self))
            }
        }
    };
    (@from_str $ty:ident) => {
        impl ::std::str::FromStr for $ty {
            type Err = $crate::vocabulary::UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$ty as $crate::vocabulary::Vocabulary>::from_name(s)
            }
        }
    };
}

use crate::parameter::{Form, Window};
use crate::records::summary::Unit;
use crate::records::transaction::NaiveTimestamps;
use crate::relationship::degrees::ContributionScale;
use crate::relationship::delivered_value::Component;
use crate::relationship::survey::SurveyScale;
use crate::value::behaviour::Behaviour;
use crate::value::review::{Membership, MoveKind};
use crate::value::rfm::Monetary;
use crate::value::tier::{Decision, Tier, TierBasis};
use crate::value::treatment::{Cadence, ServiceModel, Strategy};

vocabulary!(TierBasis, "tier_basis", [Value => "value", Count => "count"], display, from_str);
vocabulary!(Strategy, "strategy", [
    Delight => "delight", Care => "care", Develop => "develop", Adapt => "adapt",
    Disengage => "disengage",
], from_str);
vocabulary!(ServiceModel, "service_model", [
    OneToOne => "one_to_one", OneToMany => "one_to_many", FrontLine => "front_line",
], from_str);
vocabulary!(Cadence, "contact_cadence", [
    Weekly => "weekly", Fortnightly => "fortnightly", Monthly => "monthly",
    Quarterly => "quarterly", Yearly => "yearly", None => "none",
], from_str);
vocabulary!(Membership, "membership", [Base => "base", Presence => "presence"], display, from_str);
vocabulary!(MoveKind, "move", [
    Promoted => "promoted", Demoted => "demoted", Held => "held", Unchanged => "unchanged",
    New => "new", Lost => "lost",
], display, from_str);
vocabulary!(Monetary, "monetary", [Total => "total", MeanPerOccasion => "mean_per_occasion"],
    display, from_str);
vocabulary!(Unit, "unit", [Day => "day", Week => "week"], display, from_str);
vocabulary!(Form, "argument_form", [
    ColumnName => "column_name", Pair => "pair", Mapping => "mapping", Number => "number",
    Numbers => "numbers", Model => "model", Thresholds => "thresholds", Split => "split",
], display, from_str);
vocabulary!(Window, "summary_window", [Period => "period", DayBefore => "day_before"],
    display, from_str);
vocabulary!(NaiveTimestamps, "naive_timestamps", [WallClock => "wall_clock", Utc => "utc"],
    display, from_str);
vocabulary!(SurveyScale, "survey_scale", [Csat => "csat", Nps => "nps", Ces => "ces"], display, from_str);
vocabulary!(Component, "component", [
    ProductValue => "product_value", ServiceValue => "service_value",
    PersonnelValue => "personnel_value", ImageValue => "image_value",
    MonetaryCost => "monetary_cost", TimeCost => "time_cost", EnergyCost => "energy_cost",
    PhysicalCost => "physical_cost",
], from_str);
vocabulary!(ContributionScale, "contribution_scale", [
    Share => "share", RelativeToLargest => "relative_to_largest",
], display, from_str);
vocabulary!(@from_str Behaviour);

/// The names of a [`Decision`] (the rule that decided a tier), which
/// carries its cut-off and so is not a fieldless [`Vocabulary`].
///
/// ```
/// use crm_core::value::tier::Decision;
/// use crm_core::vocabulary::DECISIONS;
/// assert_eq!(Decision::NonPositiveValue.name(), DECISIONS[3]);
/// ```
pub const DECISIONS: [&str; 4] = [
    "before_first_cutoff",
    "before_second_cutoff",
    "past_second_cutoff",
    "non_positive_value",
];

impl Decision {
    /// The snake_case name of the rule, as in JSON's `rule` tag and
    /// [`DECISIONS`].
    ///
    /// ```
    /// use crm_core::value::tier::Decision;
    /// use rust_decimal_macros::dec;
    /// let d = Decision::BeforeFirstCutoff { cutoff: dec!(0.2) };
    /// assert_eq!(d.name(), "before_first_cutoff");
    /// assert_eq!(serde_json::to_value(d).unwrap()["rule"], "before_first_cutoff");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Decision::BeforeFirstCutoff { .. } => DECISIONS[0],
            Decision::BeforeSecondCutoff { .. } => DECISIONS[1],
            Decision::PastSecondCutoff { .. } => DECISIONS[2],
            Decision::NonPositiveValue => DECISIONS[3],
        }
    }
}

/// Every vocabulary, as (kind, names in report order): what front ends
/// offer as choices and what tables hold. The RFM segments are the names of
/// the [standard table](crate::value::rfm::SegmentTable::standard), in its
/// order; a caller's own table has its own names.
///
/// ```
/// use crm_core::vocabulary::all;
/// let v = all();
/// let tiers = v.iter().find(|(kind, _)| *kind == "tier").map(|(_, n)| n.clone());
/// assert_eq!(tiers, Some(vec!["most_valuable", "major", "ordinary", "inactive"]));
/// assert!(v.iter().any(|(kind, names)| *kind == "rfm_segment" && names[0] == "Champions"));
/// ```
pub fn all() -> Vec<(&'static str, Vec<&'static str>)> {
    fn of<V: Vocabulary>() -> (&'static str, Vec<&'static str>) {
        (V::KIND, V::names())
    }
    vec![
        of::<Tier>(),
        of::<TierBasis>(),
        ("decision", DECISIONS.to_vec()),
        of::<Behaviour>(),
        of::<Strategy>(),
        of::<ServiceModel>(),
        of::<Cadence>(),
        of::<MoveKind>(),
        of::<Membership>(),
        of::<Monetary>(),
        of::<Unit>(),
        of::<NaiveTimestamps>(),
        ("rfm_segment", crate::value::rfm::STANDARD_SEGMENTS.to_vec()),
        of::<SurveyScale>(),
        of::<Component>(),
        of::<ContributionScale>(),
        of::<crate::clv::registry::ModelKind>(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<V: Vocabulary + std::fmt::Display + std::str::FromStr>() {
        for v in V::ALL {
            assert_eq!(v.to_string(), v.name(), "{}", V::KIND);
            assert!(V::from_name(v.name()) == Ok(*v), "{}", V::KIND);
            assert!(v.name().parse::<V>().ok() == Some(*v), "{}", V::KIND);
        }
    }

    #[test]
    fn display_and_from_str_agree_with_the_names() {
        round_trips::<Tier>();
        round_trips::<TierBasis>();
        round_trips::<Behaviour>();
        round_trips::<Strategy>();
        round_trips::<ServiceModel>();
        round_trips::<Cadence>();
        round_trips::<MoveKind>();
        round_trips::<Monetary>();
        round_trips::<Unit>();
        round_trips::<NaiveTimestamps>();
        round_trips::<SurveyScale>();
        round_trips::<Component>();
        round_trips::<ContributionScale>();
    }

    #[test]
    fn names_are_unique_snake_case_and_kinds_unique() {
        let v = all();
        let mut kinds: Vec<_> = v.iter().map(|(k, _)| *k).collect();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds.len(), v.len());
        for (kind, names) in &v {
            let mut n = names.clone();
            n.sort_unstable();
            n.dedup();
            assert_eq!(n.len(), names.len(), "{kind}");
            if *kind != "rfm_segment" {
                assert!(
                    names.iter().all(|s| crate::error::is_snake_case(s)),
                    "{kind}"
                );
            }
        }
    }

    /// Every value of every enum kind as its serde JSON, and whether each
    /// name deserialises back to the same value: `(kind, forms, round trip)`.
    fn serde_forms() -> Vec<(&'static str, Vec<serde_json::Value>, bool)> {
        fn of<V: Vocabulary + serde::Serialize + serde::de::DeserializeOwned>()
        -> (&'static str, Vec<serde_json::Value>, bool) {
            let forms = V::ALL
                .iter()
                .map(|v| serde_json::to_value(v).unwrap_or_default())
                .collect();
            let back = V::ALL
                .iter()
                .all(|v| serde_json::from_value::<V>(serde_json::json!(v.name())).ok() == Some(*v));
            (V::KIND, forms, back)
        }
        vec![
            of::<Tier>(),
            of::<TierBasis>(),
            of::<Behaviour>(),
            of::<Strategy>(),
            of::<ServiceModel>(),
            of::<Cadence>(),
            of::<MoveKind>(),
            of::<Monetary>(),
            of::<Unit>(),
            of::<NaiveTimestamps>(),
            of::<SurveyScale>(),
            of::<Component>(),
            of::<ContributionScale>(),
            of::<crate::clv::registry::ModelKind>(),
            of::<crate::value::review::Membership>(),
        ]
    }

    #[test]
    fn every_kind_of_all_serialises_and_parses_as_its_vocabulary_names() {
        // Not enums with a bare serde name: a decision carries its evidence
        // (the cut-offs it passed), and RFM segments are a table's labels.
        let not_enums = ["decision", "rfm_segment"];
        let forms = serde_forms();
        for (kind, names) in all() {
            if not_enums.contains(&kind) {
                continue;
            }
            let found = forms.iter().find(|(k, _, _)| *k == kind);
            assert!(found.is_some(), "{kind}: add it to serde_forms");
            if let Some((_, forms, back)) = found {
                let expected: Vec<serde_json::Value> =
                    names.iter().map(|n| serde_json::json!(n)).collect();
                assert_eq!(forms, &expected, "{kind}");
                assert!(back, "{kind}: a name does not deserialise");
            }
        }
    }

    #[test]
    fn the_earlier_serde_spellings_of_unit_monetary_and_naive_timestamps_still_parse() {
        let unit: Result<Unit, _> = serde_json::from_str("\"Week\"");
        assert_eq!(unit.ok(), Some(Unit::Week));
        let m: Result<Monetary, _> = serde_json::from_str("\"MeanPerOccasion\"");
        assert_eq!(m.ok(), Some(Monetary::MeanPerOccasion));
        let n: Result<NaiveTimestamps, _> = serde_json::from_str("\"WallClock\"");
        assert_eq!(n.ok(), Some(NaiveTimestamps::WallClock));
    }
}
