//! What a fit found that its user must know before predicting with it
//! ([`FitWarning`]): each front end prints or returns these, in crm-core's
//! words ([`FitWarning::text`]).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::vocabulary::Vocabulary;

/// What a fit found that its user must know before predicting with it.
///
/// ```
/// use crm_core::clv::registry::FitWarning;
/// use crm_core::vocabulary::Vocabulary;
/// assert_eq!(FitWarning::names(), ["mean_spend_undefined", "parameter_at_bound", "weakly_identified"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FitWarning {
    /// Gamma-Gamma fitted `q <= 1` (heavy-tailed spend): the population mean
    /// spend does not exist, so the expected spend of a customer outside the
    /// fit set (and of a repeat customer with `p·x + q <= 1`) is refused
    /// ([`ClvError::SpendUndefined`](super::ClvError::SpendUndefined)); see [`super::gamma_gamma`].
    MeanSpendUndefined,
    /// A parameter went to the edge of its range ([`FitReport::at_bound`](super::FitReport::at_bound)):
    /// the data fit a simpler model as well, and that parameter says little.
    ParameterAtBound,
    /// The information matrix is not positive definite, or its condition
    /// ([`FitReport::hessian_condition`](super::FitReport::hessian_condition)) is above
    /// [`FitWarning::WEAKLY_IDENTIFIED_ABOVE`]: some combination of the
    /// parameters is barely pinned down by the data, so their standard
    /// errors are missing or unreliable (predictions may still be sound).
    WeaklyIdentified,
}

impl FitWarning {
    /// The condition number above which a fit is [`FitWarning::WeaklyIdentified`]:
    /// 10⁸, where half of a double's digits are lost in inverting the matrix.
    pub const WEAKLY_IDENTIFIED_ABOVE: f64 = 1e8;

    /// What the warning means, after the model's name, for a front end to
    /// print.
    ///
    /// ```
    /// use crm_core::clv::registry::FitWarning;
    /// assert!(FitWarning::ParameterAtBound.text().starts_with("drove a parameter"));
    /// ```
    pub fn text(self) -> &'static str {
        match self {
            FitWarning::MeanSpendUndefined => {
                "fitted q <= 1 (spend too heavy-tailed): the population mean spend is undefined, so CLV cannot be predicted for customers outside its fit set"
            }
            FitWarning::ParameterAtBound => {
                "drove a parameter to the edge of its range (the fit report's at_bound): the data fit a simpler model as well, and that parameter says little"
            }
            FitWarning::WeaklyIdentified => {
                "is weakly identified (the information matrix is singular or its condition number is above 1e8): its standard errors are missing or unreliable"
            }
        }
    }
}

impl Vocabulary for FitWarning {
    const KIND: &'static str = "fit warning";
    const ALL: &'static [Self] = &[
        FitWarning::MeanSpendUndefined,
        FitWarning::ParameterAtBound,
        FitWarning::WeaklyIdentified,
    ];

    fn name(self) -> &'static str {
        match self {
            FitWarning::MeanSpendUndefined => "mean_spend_undefined",
            FitWarning::ParameterAtBound => "parameter_at_bound",
            FitWarning::WeaklyIdentified => "weakly_identified",
        }
    }
}

impl fmt::Display for FitWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
