//! Which repeat-purchase model a fit uses: one the caller names, or the one
//! a comparison of all of them chooses ([`super::choice`]).
//!
//! A CRM team rarely knows in advance whether its customers "leave after a
//! purchase" (BG/NBD), "may leave right after the first" (MBG/NBD) or
//! "leave at any time" (Pareto/NBD). `auto` fits every repeat model on the
//! same fit set, chooses by BIC ([`super::choice::choose`]; there is no
//! holdout in a plain fit) and keeps the comparison, so the front end can
//! say which model was used and why ([`ChosenRepeat::reason`]).
//!
//! ```
//! use crm_core::clv::model_file::ClvColumns;
//! use crm_core::clv::repeat_choice::{fit_repeat_by, RepeatModelChoice};
//! use crm_core::clv::FitOptions;
//! use crm_core::error::Diagnostic;
//! use crm_core::records::summary::Unit;
//!
//! // 24 customers in six histories (weeks).
//! let mut c = ClvColumns { unit: Unit::Week, ..ClvColumns::default() };
//! for _ in 0..4 {
//!     for (x, t_x, age) in [(0.0, 0.0, 39.0), (1.0, 5.0, 39.0), (3.0, 30.0, 39.0),
//!                           (0.0, 0.0, 20.0), (6.0, 37.0, 38.0), (2.0, 9.0, 30.0)] {
//!         c.x.push(x);
//!         c.t_x.push(t_x);
//!         c.age.push(age);
//!         c.monetary_value.push(0.0);
//!     }
//! }
//! let choice: RepeatModelChoice = "auto".parse()?;
//! match fit_repeat_by(choice, &c, &FitOptions::default()) {
//!     Ok(chosen) => {
//!         assert!(chosen.comparison.is_some());
//!         assert!(chosen.reason().unwrap().contains("lowest BIC"));
//!     }
//!     // Six histories may pin no model's four parameters.
//!     Err(e) => assert_eq!(e.rule(), "no_model_converged"),
//! }
//! # Ok::<(), crm_core::clv::ClvError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use super::choice::{self, Choice, ChoiceCriterion, ModelComparison};
use super::model_file::{ClvColumns, fit_repeat};
use super::registry::{ModelFit, ModelKind};
use super::{ClvError, FitOptions};
use crate::vocabulary::Vocabulary;

/// The repeat-purchase model of a fit: `auto` or a model of
/// [`ModelKind::REPEAT`].
///
/// ```
/// use crm_core::clv::registry::ModelKind;
/// use crm_core::clv::repeat_choice::RepeatModelChoice;
/// assert_eq!("auto".parse::<RepeatModelChoice>()?, RepeatModelChoice::Auto);
/// assert_eq!("pareto_nbd".parse::<RepeatModelChoice>()?, RepeatModelChoice::Model(ModelKind::ParetoNbd));
/// use crm_core::error::Diagnostic;
/// let e = "gamma_gamma".parse::<RepeatModelChoice>().unwrap_err();
/// assert_eq!(e.rule(), "clv_argument");
/// assert!(e.to_string().contains("auto, bg_nbd, mbg_nbd, pareto_nbd"));
/// assert_eq!(RepeatModelChoice::names(), ["auto", "bg_nbd", "mbg_nbd", "pareto_nbd"]);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RepeatModelChoice {
    /// Fit every repeat model and use the one [`choice::choose`] picks.
    Auto,
    /// Fit this model.
    Model(ModelKind),
}

impl RepeatModelChoice {
    /// The name of the automatic choice.
    pub const AUTO: &'static str = "auto";

    /// Every accepted name: `auto`, then the repeat models in registry order.
    pub fn names() -> Vec<&'static str> {
        std::iter::once(Self::AUTO)
            .chain(ModelKind::REPEAT.iter().map(|k| k.name()))
            .collect()
    }
}

impl FromStr for RepeatModelChoice {
    type Err = ClvError;

    fn from_str(name: &str) -> Result<Self, ClvError> {
        if name == Self::AUTO {
            return Ok(RepeatModelChoice::Auto);
        }
        match name.parse::<ModelKind>() {
            Ok(k) if k.is_repeat() => Ok(RepeatModelChoice::Model(k)),
            _ => Err(ClvError::InvalidArgument {
                name: "model".into(),
                rule: format!("expected one of {}", Self::names().join(", ")),
            }),
        }
    }
}

impl fmt::Display for RepeatModelChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RepeatModelChoice::Auto => f.write_str(Self::AUTO),
            RepeatModelChoice::Model(k) => f.write_str(k.name()),
        }
    }
}

/// A fitted repeat model, with the comparison and choice behind it when it
/// was chosen automatically.
#[derive(Debug, Clone, PartialEq)]
pub struct ChosenRepeat {
    /// The fit to use.
    pub fit: ModelFit,
    /// Every repeat model on the same fit set (`auto` only).
    pub comparison: Option<ModelComparison>,
    /// What chose [`ChosenRepeat::fit`] and what was passed over (`auto` only).
    pub choice: Option<Choice>,
}

impl ChosenRepeat {
    /// Why this model, in one sentence: the criterion, the chosen model's
    /// figure and the others' (`None` when the model was named, not chosen).
    ///
    /// ```
    /// # use crm_core::clv::model_file::ClvColumns;
    /// # use crm_core::clv::registry::ModelKind;
    /// # use crm_core::clv::repeat_choice::{fit_repeat_by, RepeatModelChoice};
    /// # use crm_core::clv::FitOptions;
    /// let c = ClvColumns { x: vec![0.0, 1.0, 3.0, 2.0], t_x: vec![0.0, 5.0, 30.0, 12.0],
    ///                      age: vec![39.0, 39.0, 39.0, 35.0], monetary_value: vec![0.0; 4],
    ///                      ..ClvColumns::default() };
    /// if let Ok(named) = fit_repeat_by(RepeatModelChoice::Model(ModelKind::BgNbd), &c, &FitOptions::default()) {
    ///     assert_eq!(named.reason(), None);
    /// }
    /// ```
    pub fn reason(&self) -> Option<String> {
        let (comparison, choice) = (self.comparison.as_ref()?, self.choice.as_ref()?);
        let figure = |kind: ModelKind| {
            let row = comparison.rows.iter().find(|r| r.kind == kind)?;
            match choice.criterion {
                ChoiceCriterion::Bic => row.bic,
                ChoiceCriterion::HoldoutMae => row.holdout_mae,
            }
        };
        let what = match choice.criterion {
            ChoiceCriterion::Bic => "the lowest BIC",
            ChoiceCriterion::HoldoutMae => "the lowest holdout mean absolute error",
        };
        let shown = |v: Option<f64>| v.map_or_else(|| "none".to_owned(), |v| format!("{v:.1}"));
        let mut others: Vec<String> = comparison
            .rows
            .iter()
            .filter(|r| r.kind != choice.kind)
            .map(|r| format!("{} {}", r.kind.name(), shown(figure(r.kind))))
            .collect();
        for s in &choice.skipped {
            others.push(format!("{} skipped: {}", s.kind.name(), s.reason.name()));
        }
        Some(format!(
            "{}: {what} ({}; {})",
            choice.kind.name(),
            shown(figure(choice.kind)),
            others.join(", ")
        ))
    }
}

/// Fits the repeat model `choice` names on the fit set of `columns`, or,
/// for [`RepeatModelChoice::Auto`], every repeat model
/// ([`choice::compare`], no holdout) and the one [`choice::choose`] picks:
/// the lowest BIC among the fits that converged.
///
/// # Errors
///
/// The fit's errors ([`fit_repeat`], [`choice::compare`]);
/// [`ClvError::NoModelConverged`] when `auto` finds no model that converged.
///
/// # Example
///
/// See the [module docs](self).
pub fn fit_repeat_by(
    choice: RepeatModelChoice,
    columns: &ClvColumns,
    options: &FitOptions,
) -> Result<ChosenRepeat, ClvError> {
    if let RepeatModelChoice::Model(kind) = choice {
        return Ok(ChosenRepeat {
            fit: fit_repeat(kind, columns, options)?,
            comparison: None,
            choice: None,
        });
    }
    let cols: [&[f64]; 3] = [&columns.x, &columns.t_x, &columns.age];
    let comparison = choice::compare(&cols, None, options, None)?;
    let chosen = choice::choose(&comparison)?;
    let fit = comparison.chosen_fit(&chosen)?;
    Ok(ChosenRepeat {
        fit,
        comparison: Some(comparison),
        choice: Some(chosen),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clv::tests_data::cdnow_columns;
    use crate::records::summary::Unit;

    fn cdnow() -> ClvColumns {
        let [x, t_x, age, m] = cdnow_columns();
        ClvColumns {
            unit: Unit::Week,
            x,
            t_x,
            age,
            monetary_value: m,
        }
    }

    #[test]
    fn auto_uses_the_fit_of_the_lowest_bic_and_a_named_model_its_own_fit() {
        let c = cdnow();
        let options = FitOptions::default();
        let auto = fit_repeat_by(RepeatModelChoice::Auto, &c, &options).unwrap();
        let comparison = auto.comparison.as_ref().unwrap();
        // The lowest BIC by a plain scan of the rows, not by `choose`.
        let lowest = comparison
            .rows
            .iter()
            .filter(|r| r.converged)
            .min_by(|a, b| a.bic.unwrap().total_cmp(&b.bic.unwrap()))
            .unwrap();
        assert_eq!(auto.fit.model.kind(), lowest.kind);
        // The same model named explicitly gives the same fit.
        let named = fit_repeat_by(RepeatModelChoice::Model(lowest.kind), &c, &options).unwrap();
        assert_eq!(named.fit, auto.fit);
        assert_eq!((named.comparison.is_none(), named.reason()), (true, None));
        let why = auto.reason().unwrap();
        assert!(
            why.starts_with(&format!("{}: the lowest BIC (", lowest.kind.name())),
            "{why}"
        );
        for r in &comparison.rows {
            assert!(why.contains(r.kind.name()), "{why}");
        }
    }

    #[test]
    fn every_name_parses_back_to_itself() {
        for name in RepeatModelChoice::names() {
            assert_eq!(name.parse::<RepeatModelChoice>().unwrap().to_string(), name);
        }
        assert!("".parse::<RepeatModelChoice>().is_err());
        assert!("bg_bb".parse::<RepeatModelChoice>().is_err());
    }
}
