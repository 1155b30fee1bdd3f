//! The model registry: every model of [`crate::clv`] by name, and the one
//! dispatch from a name to its fit and its predictions, so that front ends
//! (the `crm` command, the Python package, Spark) never match on model
//! names themselves.
//!
//! [`ModelKind`] names the models; [`Model`] is a model with its parameters,
//! [`FittedModel`] one with its fit, both tagged with the kind in their serde
//! form (`{"kind": "bg_nbd", ...}`). [`fit`] takes the kind's columns
//! ([`ModelKind::fit_columns`]), applies the kind's fit set
//! ([`super::fit_set`]) and fits.
//!
//! ```
//! use crm_core::clv::registry::{fit, ModelKind};
//! use crm_core::clv::FitOptions;
//! let kind: ModelKind = "gamma_gamma".parse()?;
//! assert_eq!(kind.fit_columns(), ["x", "monetary_value"]);
//! let x = [0.0, 1.0, 2.0, 3.0, 1.0, 4.0];
//! let m = [0.0, 20.0, 35.0, 28.0, 12.0, 40.0];
//! let fitted = fit(kind, &[&x, &m], None, &FitOptions::default());
//! // Five repeat customers may not pin three parameters; either way the fit set is known.
//! if let Ok(f) = fitted {
//!     assert_eq!(f.fit_set.used, 5.0);
//!     assert_eq!(f.model.kind(), ModelKind::GammaGamma);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::bg_bb::{self, BetaGeoBetaBinom, DiscreteData};
use super::bg_nbd::{self, BetaGeo};
use super::fit_set::{self, FitSet};
pub use super::fit_warning::FitWarning;
use super::gamma_gamma::{self, GammaGamma, SpendData};
use super::mbg_nbd::{self, ModifiedBetaGeo};
use super::pareto_nbd::{self, ParetoNbd};
use super::sbg::{self, ShiftedBetaGeo};
use super::value::{Discounting, customer_lifetime_value};
use super::{ClvError, FitOptions, FitReport, Fitted, Parameters, RepeatData, RepeatModel};
use crate::vocabulary::{UnknownName, Vocabulary};

/// The models of [`crate::clv`].
///
/// ```
/// use crm_core::clv::registry::ModelKind;
/// use crm_core::vocabulary::Vocabulary;
/// assert_eq!(ModelKind::names(), ["bg_nbd", "mbg_nbd", "pareto_nbd", "bg_bb", "gamma_gamma", "sbg"]);
/// assert_eq!(ModelKind::ParetoNbd.to_string(), "pareto_nbd");
/// assert!(ModelKind::REPEAT.iter().all(|k| k.is_repeat()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[allow(
    clippy::enum_variant_names,
    reason = "the models' own names end in NBD"
)]
pub enum ModelKind {
    /// BG/NBD (Fader, Hardie & Lee 2005).
    BgNbd,
    /// MBG/NBD (Batislam et al. 2007): a customer may leave without a repeat purchase.
    MbgNbd,
    /// Pareto/NBD (Schmittlein et al. 1987): dropout at any time.
    ParetoNbd,
    /// BG/BB: discrete periods.
    BgBb,
    /// Gamma-Gamma: spend per transaction.
    GammaGamma,
    /// sBG: contractual retention.
    Sbg,
}

impl Vocabulary for ModelKind {
    const KIND: &'static str = "clv model";
    const ALL: &'static [Self] = &[
        ModelKind::BgNbd,
        ModelKind::MbgNbd,
        ModelKind::ParetoNbd,
        ModelKind::BgBb,
        ModelKind::GammaGamma,
        ModelKind::Sbg,
    ];

    fn name(self) -> &'static str {
        match self {
            ModelKind::BgNbd => "bg_nbd",
            ModelKind::MbgNbd => "mbg_nbd",
            ModelKind::ParetoNbd => "pareto_nbd",
            ModelKind::BgBb => "bg_bb",
            ModelKind::GammaGamma => "gamma_gamma",
            ModelKind::Sbg => "sbg",
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ModelKind {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_name(s)
    }
}

impl ModelKind {
    /// The continuous-time repeat-purchase models: those a CLV model file
    /// pairs with Gamma-Gamma.
    pub const REPEAT: &'static [ModelKind] =
        &[ModelKind::BgNbd, ModelKind::MbgNbd, ModelKind::ParetoNbd];

    /// Whether this is one of [`ModelKind::REPEAT`].
    ///
    /// ```
    /// use crm_core::clv::registry::ModelKind;
    /// assert!(ModelKind::MbgNbd.is_repeat() && !ModelKind::BgBb.is_repeat());
    /// ```
    pub fn is_repeat(self) -> bool {
        Self::REPEAT.contains(&self)
    }

    /// The name papers and reports use ("BG/NBD").
    ///
    /// ```
    /// use crm_core::clv::registry::ModelKind;
    /// assert_eq!(ModelKind::GammaGamma.label(), "Gamma-Gamma");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            ModelKind::BgNbd => "BG/NBD",
            ModelKind::MbgNbd => "MBG/NBD",
            ModelKind::ParetoNbd => "Pareto/NBD",
            ModelKind::BgBb => "BG/BB",
            ModelKind::GammaGamma => "Gamma-Gamma",
            ModelKind::Sbg => "sBG",
        }
    }

    /// The parameter names, in order.
    ///
    /// ```
    /// use crm_core::clv::registry::ModelKind;
    /// assert_eq!(ModelKind::ParetoNbd.parameter_names(), ["r", "alpha", "s", "beta"]);
    /// ```
    pub fn parameter_names(self) -> &'static [&'static str] {
        match self {
            ModelKind::BgNbd => BetaGeo::NAMES,
            ModelKind::MbgNbd => ModifiedBetaGeo::NAMES,
            ModelKind::ParetoNbd => ParetoNbd::NAMES,
            ModelKind::BgBb => BetaGeoBetaBinom::NAMES,
            ModelKind::GammaGamma => GammaGamma::NAMES,
            ModelKind::Sbg => ShiftedBetaGeo::NAMES,
        }
    }

    /// The columns [`fit`] reads, in order, by the names errors use.
    ///
    /// ```
    /// use crm_core::clv::registry::ModelKind;
    /// assert_eq!(ModelKind::BgBb.fit_columns(), ["x", "t_x", "n"]);
    /// ```
    pub fn fit_columns(self) -> &'static [&'static str] {
        match self {
            ModelKind::BgNbd | ModelKind::MbgNbd | ModelKind::ParetoNbd => &["x", "t_x", "T"],
            ModelKind::BgBb => &["x", "t_x", "n"],
            ModelKind::GammaGamma => &["x", "monetary_value"],
            ModelKind::Sbg => &["survivors"],
        }
    }

    /// Whether [`fit`] takes weights (all but sBG, whose input is one cohort).
    ///
    /// ```
    /// use crm_core::clv::registry::ModelKind;
    /// assert!(ModelKind::BgNbd.takes_weights() && !ModelKind::Sbg.takes_weights());
    /// ```
    pub fn takes_weights(self) -> bool {
        self != ModelKind::Sbg
    }
}

/// A model with its parameters, of any kind; serde form `{"kind": ..., <parameters>}`.
///
/// ```
/// use crm_core::clv::registry::{Model, ModelKind};
/// let m = Model::from_values(ModelKind::BgNbd, &[0.243, 4.414, 0.793, 2.426])?;
/// let e = m.conditional_expected_purchases(39.0, &[2.0], &[30.43], &[38.86])?;
/// assert!((e[0] - 1.226).abs() < 5e-4);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[allow(
    clippy::enum_variant_names,
    reason = "the models' own names end in NBD"
)]
pub enum Model {
    /// BG/NBD.
    BgNbd(BetaGeo),
    /// MBG/NBD.
    MbgNbd(ModifiedBetaGeo),
    /// Pareto/NBD.
    ParetoNbd(ParetoNbd),
    /// BG/BB.
    BgBb(BetaGeoBetaBinom),
    /// Gamma-Gamma.
    GammaGamma(GammaGamma),
    /// sBG.
    Sbg(ShiftedBetaGeo),
}

pub(crate) fn unsupported(kind: ModelKind, prediction: &str) -> ClvError {
    ClvError::InvalidArgument {
        name: "model".into(),
        rule: format!("{} has no prediction `{prediction}`", kind.name()),
    }
}

fn whole(name: &str, v: f64) -> Result<u32, ClvError> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX) {
        Ok(v as u32)
    } else {
        Err(ClvError::InvalidArgument {
            name: name.into(),
            rule: "must be a whole number of periods >= 0".into(),
        })
    }
}

impl Model {
    /// A model of `kind` from its parameter values in the order of
    /// [`ModelKind::parameter_names`].
    ///
    /// # Errors
    ///
    /// [`ClvError::InvalidArgument`] for a wrong count or a parameter that is
    /// not finite and positive.
    pub fn from_values(kind: ModelKind, values: &[f64]) -> Result<Model, ClvError> {
        fn make<P: Parameters>(values: &[f64], wrap: fn(P) -> Model) -> Result<Model, ClvError> {
            let p = P::from_values(values).ok_or_else(|| ClvError::InvalidArgument {
                name: "parameters".into(),
                rule: format!(
                    "expected {} values ({})",
                    P::NAMES.len(),
                    P::NAMES.join(", ")
                ),
            })?;
            p.validate()?;
            Ok(wrap(p))
        }
        match kind {
            ModelKind::BgNbd => make(values, Model::BgNbd),
            ModelKind::MbgNbd => make(values, Model::MbgNbd),
            ModelKind::ParetoNbd => make(values, Model::ParetoNbd),
            ModelKind::BgBb => make(values, Model::BgBb),
            ModelKind::GammaGamma => make(values, Model::GammaGamma),
            ModelKind::Sbg => make(values, Model::Sbg),
        }
    }

    /// The kind.
    ///
    /// ```
    /// use crm_core::clv::registry::{Model, ModelKind};
    /// let m = Model::from_values(ModelKind::Sbg, &[0.704, 1.182])?;
    /// assert_eq!((m.kind(), m.values()), (ModelKind::Sbg, vec![0.704, 1.182]));
    /// assert!(m.repeat().is_none());
    /// # Ok::<(), crm_core::clv::ClvError>(())
    /// ```
    pub fn kind(&self) -> ModelKind {
        match self {
            Model::BgNbd(_) => ModelKind::BgNbd,
            Model::MbgNbd(_) => ModelKind::MbgNbd,
            Model::ParetoNbd(_) => ModelKind::ParetoNbd,
            Model::BgBb(_) => ModelKind::BgBb,
            Model::GammaGamma(_) => ModelKind::GammaGamma,
            Model::Sbg(_) => ModelKind::Sbg,
        }
    }

    /// The parameter values, in the order of [`ModelKind::parameter_names`].
    pub fn values(&self) -> Vec<f64> {
        match self {
            Model::BgNbd(p) => p.values(),
            Model::MbgNbd(p) => p.values(),
            Model::ParetoNbd(p) => p.values(),
            Model::BgBb(p) => p.values(),
            Model::GammaGamma(p) => p.values(),
            Model::Sbg(p) => p.values(),
        }
    }

    /// The continuous-time repeat model, when this is one.
    pub fn repeat(&self) -> Option<&dyn RepeatModel> {
        match self {
            Model::BgNbd(p) => Some(p),
            Model::MbgNbd(p) => Some(p),
            Model::ParetoNbd(p) => Some(p),
            _ => None,
        }
    }

    /// P(alive) per customer: `(x, t_x, T)` for the repeat models, `(x, t_x, n)` for BG/BB.
    ///
    /// # Errors
    ///
    /// As [`super::p_alive`]; [`ClvError::InvalidArgument`] for a kind without it.
    pub fn p_alive(&self, x: &[f64], t_x: &[f64], age: &[f64]) -> Result<Vec<f64>, ClvError> {
        match self {
            Model::BgNbd(p) => super::p_alive(p, x, t_x, age),
            Model::MbgNbd(p) => super::p_alive(p, x, t_x, age),
            Model::ParetoNbd(p) => super::p_alive(p, x, t_x, age),
            Model::BgBb(p) => bg_bb::p_alive(p, x, t_x, age),
            _ => Err(unsupported(self.kind(), "p_alive")),
        }
    }

    /// Expected purchases in the next `t` per customer (BG/BB: `t` whole periods).
    ///
    /// # Errors
    ///
    /// As [`Model::p_alive`], and for a `t` that is negative (or not whole for BG/BB).
    pub fn conditional_expected_purchases(
        &self,
        t: f64,
        x: &[f64],
        t_x: &[f64],
        age: &[f64],
    ) -> Result<Vec<f64>, ClvError> {
        match self {
            Model::BgNbd(p) => super::conditional_expected_purchases(p, t, x, t_x, age),
            Model::MbgNbd(p) => super::conditional_expected_purchases(p, t, x, t_x, age),
            Model::ParetoNbd(p) => super::conditional_expected_purchases(p, t, x, t_x, age),
            Model::BgBb(p) => bg_bb::conditional_expected_purchases(p, whole("t", t)?, x, t_x, age),
            _ => Err(unsupported(self.kind(), "conditional_expected_purchases")),
        }
    }

    /// Discounted CLV per customer (repeat models only).
    ///
    /// # Errors
    ///
    /// As [`customer_lifetime_value`]; [`ClvError::InvalidArgument`] for a kind without it.
    pub fn customer_lifetime_value(
        &self,
        discounting: &Discounting,
        x: &[f64],
        t_x: &[f64],
        age: &[f64],
        spend: &[f64],
    ) -> Result<Vec<f64>, ClvError> {
        match self {
            Model::BgNbd(p) => customer_lifetime_value(p, discounting, x, t_x, age, spend),
            Model::MbgNbd(p) => customer_lifetime_value(p, discounting, x, t_x, age, spend),
            Model::ParetoNbd(p) => customer_lifetime_value(p, discounting, x, t_x, age, spend),
            _ => Err(unsupported(self.kind(), "customer_lifetime_value")),
        }
    }

    /// Expected spend per customer (Gamma-Gamma, with the rule of
    /// [`fit_set::expected_spend`]: the population mean outside the fit set).
    ///
    /// # Errors
    ///
    /// As [`fit_set::expected_spend`]; [`ClvError::InvalidArgument`] for another kind.
    pub fn expected_spend(&self, x: &[f64], monetary_value: &[f64]) -> Result<Vec<f64>, ClvError> {
        match self {
            Model::GammaGamma(p) => fit_set::expected_spend(p, x, monetary_value),
            _ => Err(unsupported(self.kind(), "conditional_expected_spend")),
        }
    }

    /// A population curve at each point: `expected_purchases` (of a new
    /// customer in `(0, t]`), `p_purchases` (P(exactly n) in `(0, t]` for
    /// each n), or for sBG `survival`, `churn`, `retention_rate` per period.
    ///
    /// # Errors
    ///
    /// [`ClvError::InvalidArgument`] for an unknown curve, a negative point,
    /// or one that must be whole and is not.
    pub fn curve(&self, what: &str, points: &[f64], t: f64) -> Result<Vec<f64>, ClvError> {
        let repeat = |m: &dyn RepeatModel| -> Result<Vec<f64>, ClvError> {
            match what {
                "expected_purchases" => points
                    .iter()
                    .map(|&p| {
                        super::check_horizon("t", p)?;
                        super::data::finite_at("t", m.expected_purchases(p))
                    })
                    .collect(),
                "p_purchases" => {
                    super::check_horizon("t", t)?;
                    points
                        .iter()
                        .map(|&n| super::data::finite_at("n", m.p_purchases(whole("n", n)?, t)))
                        .collect()
                }
                other => Err(unsupported(self.kind(), other)),
            }
        };
        match self {
            Model::BgNbd(p) => repeat(p),
            Model::MbgNbd(p) => repeat(p),
            Model::ParetoNbd(p) => repeat(p),
            Model::BgBb(m) => match what {
                "expected_purchases" => points
                    .iter()
                    .map(|&n| Ok(m.expected_purchases(whole("t", n)?)))
                    .collect(),
                "p_purchases" => {
                    let n = whole("t", t)?;
                    points
                        .iter()
                        .map(|&x| Ok(m.p_purchases(whole("n", x)?, n)))
                        .collect()
                }
                other => Err(unsupported(self.kind(), other)),
            },
            Model::Sbg(m) => {
                let f: fn(&ShiftedBetaGeo, u32) -> f64 = match what {
                    "survival" => ShiftedBetaGeo::survival,
                    "churn" => ShiftedBetaGeo::churn,
                    "retention_rate" => ShiftedBetaGeo::retention_rate,
                    other => return Err(unsupported(self.kind(), other)),
                };
                points.iter().map(|&p| Ok(f(m, whole("t", p)?))).collect()
            }
            Model::GammaGamma(_) => Err(unsupported(self.kind(), what)),
        }
    }
}

/// A fitted model of any kind; serde form `{"kind": ..., "params": ..., ...}`
/// (the fields of [`Fitted`]).
///
/// ```
/// use crm_core::clv::registry::{FittedModel, ModelKind};
/// use crm_core::clv::{sbg, FitOptions};
/// let f = FittedModel::Sbg(sbg::fit_survivors(&[1000.0, 631.0, 468.0, 382.0], &FitOptions::default())?);
/// assert_eq!(f.kind(), ModelKind::Sbg);
/// assert_eq!(f.model().values().len(), 2);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[allow(
    clippy::enum_variant_names,
    reason = "the models' own names end in NBD"
)]
pub enum FittedModel {
    /// BG/NBD.
    BgNbd(Fitted<BetaGeo>),
    /// MBG/NBD.
    MbgNbd(Fitted<ModifiedBetaGeo>),
    /// Pareto/NBD.
    ParetoNbd(Fitted<ParetoNbd>),
    /// BG/BB.
    BgBb(Fitted<BetaGeoBetaBinom>),
    /// Gamma-Gamma.
    GammaGamma(Fitted<GammaGamma>),
    /// sBG.
    Sbg(Fitted<ShiftedBetaGeo>),
}

/// The fields every [`Fitted`] has, whatever its parameters.
macro_rules! each_fit {
    ($self:expr, $f:ident => $body:expr) => {
        match $self {
            FittedModel::BgNbd($f) => $body,
            FittedModel::MbgNbd($f) => $body,
            FittedModel::ParetoNbd($f) => $body,
            FittedModel::BgBb($f) => $body,
            FittedModel::GammaGamma($f) => $body,
            FittedModel::Sbg($f) => $body,
        }
    };
}

impl FittedModel {
    /// The kind.
    pub fn kind(&self) -> ModelKind {
        self.model().kind()
    }

    /// The model with its fitted parameters.
    pub fn model(&self) -> Model {
        match self {
            FittedModel::BgNbd(f) => Model::BgNbd(f.params),
            FittedModel::MbgNbd(f) => Model::MbgNbd(f.params),
            FittedModel::ParetoNbd(f) => Model::ParetoNbd(f.params),
            FittedModel::BgBb(f) => Model::BgBb(f.params),
            FittedModel::GammaGamma(f) => Model::GammaGamma(f.params),
            FittedModel::Sbg(f) => Model::Sbg(f.params),
        }
    }

    /// The total log-likelihood at the estimate.
    pub fn log_likelihood(&self) -> f64 {
        each_fit!(self, f => f.log_likelihood)
    }

    /// The standard errors, in parameter order (`None` at a flat optimum).
    pub fn standard_errors(&self) -> Option<Vec<f64>> {
        each_fit!(self, f => f.standard_errors.as_ref().map(Parameters::values))
    }

    /// The covariance of the parameter estimates, row-major in the order
    /// of [`ModelKind::parameter_names`] ([`Fitted::covariance`]).
    pub fn covariance(&self) -> Option<&[f64]> {
        each_fit!(self, f => f.covariance.as_deref())
    }

    /// How the optimiser went.
    pub fn report(&self) -> &FitReport {
        each_fit!(self, f => &f.report)
    }

    /// The customers (total weight) fitted.
    pub fn customers(&self) -> f64 {
        each_fit!(self, f => f.customers)
    }

    /// The rows after compression.
    pub fn rows(&self) -> usize {
        each_fit!(self, f => f.rows)
    }

    /// The Gamma-Gamma fit, when this is one.
    pub fn gamma_gamma(&self) -> Option<&Fitted<GammaGamma>> {
        match self {
            FittedModel::GammaGamma(f) => Some(f),
            _ => None,
        }
    }
}

/// A fit and the customers it used.
///
/// ```
/// use crm_core::clv::registry::{fit, ModelKind};
/// use crm_core::clv::FitOptions;
/// let f = fit(ModelKind::Sbg, &[&[1000.0, 631.0, 468.0, 382.0]], None, &FitOptions::default())?;
/// assert_eq!(f.fit_set.used, 4.0);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct ModelFit {
    /// The fitted model.
    pub model: FittedModel,
    /// Which customers it used, and why the others were left out.
    pub fit_set: FitSet,
    /// What the fit found that predictions depend on (empty when nothing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<FitWarning>,
}

/// Fits `kind` on its columns ([`ModelKind::fit_columns`], in that order)
/// with optional weights (customers per row), after selecting the kind's
/// fit set ([`super::fit_set`]: repeat models leave out `T = 0`,
/// Gamma-Gamma keeps repeat customers with positive spend; BG/BB and sBG
/// use every row).
///
/// # Errors
///
/// [`ClvError::InvalidArgument`] for a wrong number of columns; the kind's
/// data and fit errors otherwise (rows named by their input position).
pub fn fit(
    kind: ModelKind,
    columns: &[&[f64]],
    weights: Option<&[f64]>,
    options: &FitOptions,
) -> Result<ModelFit, ClvError> {
    if columns.len() != kind.fit_columns().len() {
        return Err(ClvError::InvalidArgument {
            name: "columns".into(),
            rule: format!(
                "{} fits on {} columns ({})",
                kind.name(),
                kind.fit_columns().len(),
                kind.fit_columns().join(", ")
            ),
        });
    }
    let col = |i: usize| columns.get(i).copied().unwrap_or(&[]);
    // Errors on the selected rows name the input row.
    let at = |rows: &[usize]| {
        let rows = rows.to_vec();
        move |e: ClvError| match e {
            ClvError::InvalidInput { field, row, rule } => ClvError::InvalidInput {
                field,
                // `row` is 1-based in the selection: the input's 1-based row.
                row: row
                    .checked_sub(1)
                    .and_then(|i| rows.get(i))
                    .map_or(row, |r| r + 1),
                rule,
            },
            other => other,
        }
    };
    let mut fitted = match kind {
        ModelKind::BgNbd | ModelKind::MbgNbd | ModelKind::ParetoNbd => {
            let s = fit_set::repeat_fit_set(col(0), col(1), col(2), weights)?;
            let w = s.take_weights(weights);
            let data = RepeatData::new(
                &s.take(col(0)),
                &s.take(col(1)),
                &s.take(col(2)),
                w.as_deref(),
            )
            .map_err(at(&s.rows))?;
            let model = match kind {
                ModelKind::BgNbd => FittedModel::BgNbd(bg_nbd::fit(&data, options)?),
                ModelKind::MbgNbd => FittedModel::MbgNbd(mbg_nbd::fit(&data, options)?),
                _ => FittedModel::ParetoNbd(pareto_nbd::fit(&data, options)?),
            };
            ModelFit {
                model,
                fit_set: s.fit_set,
                warnings: Vec::new(),
            }
        }
        ModelKind::GammaGamma => {
            let s = fit_set::spend_fit_set(col(0), col(1), weights)?;
            let w = s.take_weights(weights);
            let data = SpendData::new(&s.take(col(0)), &s.take(col(1)), w.as_deref())
                .map_err(at(&s.rows))?;
            let fitted = gamma_gamma::fit(&data, options)?;
            let warnings = if fitted.params.mean_spend().is_none() {
                vec![FitWarning::MeanSpendUndefined]
            } else {
                Vec::new()
            };
            ModelFit {
                model: FittedModel::GammaGamma(fitted),
                fit_set: s.fit_set,
                warnings,
            }
        }
        ModelKind::BgBb => {
            let data = DiscreteData::new(col(0), col(1), col(2), weights)?;
            ModelFit {
                fit_set: FitSet::all(data.total_weight()),
                model: FittedModel::BgBb(bg_bb::fit(&data, options)?),
                warnings: Vec::new(),
            }
        }
        ModelKind::Sbg => {
            let f = sbg::fit_survivors(col(0), options)?;
            ModelFit {
                fit_set: FitSet::all(col(0).len() as f64),
                model: FittedModel::Sbg(f),
                warnings: Vec::new(),
            }
        }
    };
    let report = fitted.model.report();
    if !report.at_bound.is_empty() {
        fitted.warnings.push(FitWarning::ParameterAtBound);
    }
    if report
        .hessian_condition
        .is_none_or(|c| c > FitWarning::WEAKLY_IDENTIFIED_ABOVE)
    {
        fitted.warnings.push(FitWarning::WeaklyIdentified);
    }
    Ok(fitted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clv::tests_data::cdnow_columns;

    #[test]
    fn every_kind_round_trips_through_its_name_and_serde() {
        for &k in ModelKind::ALL {
            assert_eq!(k.name().parse::<ModelKind>(), Ok(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.name()));
            assert_eq!(k.parameter_names().len(), k.parameter_names().len());
        }
        let e = "bgnbd".parse::<ModelKind>().unwrap_err();
        assert!(e.to_string().contains("bg_nbd, mbg_nbd"));
    }

    #[test]
    fn registry_fit_on_cdnow_equals_the_model_modules_fit() {
        let [x, t_x, age, zbar] = cdnow_columns();
        let options = FitOptions::default();
        let f = fit(ModelKind::BgNbd, &[&x, &t_x, &age], None, &options).unwrap();
        let direct =
            bg_nbd::fit(&RepeatData::new(&x, &t_x, &age, None).unwrap(), &options).unwrap();
        assert_eq!(f.model, FittedModel::BgNbd(direct));
        assert_eq!(f.fit_set, FitSet::all(2357.0));
        let g = fit(ModelKind::GammaGamma, &[&x, &zbar], None, &options).unwrap();
        let gg = g.model.gamma_gamma().unwrap();
        // The published fit on the 946 repeat customers (Fader & Hardie 2013).
        assert_eq!(g.fit_set.used, 946.0);
        assert_eq!(
            g.fit_set.excluded(fit_set::Exclusion::NoRepeatPurchase),
            1411.0
        );
        assert!((gg.params.p - 6.25).abs() < 5e-3 && (gg.params.q - 3.74).abs() < 5e-3);
        let json = serde_json::to_string(&g.model).unwrap();
        assert!(json.starts_with("{\"kind\":\"gamma_gamma\""));
        assert_eq!(serde_json::from_str::<FittedModel>(&json).unwrap(), g.model);
    }

    #[test]
    fn not_observed_customers_are_left_out_and_rows_keep_their_input_numbers() {
        let x = [0.0, 1.0, 2.0, 0.0, 1.5];
        let t_x = [0.0, 3.0, 5.0, 0.0, 1.0];
        let age = [0.0, 6.0, 6.0, 6.0, 6.0];
        let e = fit(
            ModelKind::BgNbd,
            &[&x, &t_x, &age],
            None,
            &FitOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(e, ClvError::InvalidInput { row: 5, ref field, .. } if field == "x"));
    }

    #[test]
    fn predictions_a_kind_lacks_are_errors() {
        let m = Model::from_values(ModelKind::GammaGamma, &[6.25, 3.74, 15.44]).unwrap();
        assert!(m.p_alive(&[1.0], &[1.0], &[2.0]).is_err());
        assert!(Model::from_values(ModelKind::BgNbd, &[1.0]).is_err());
        assert!(Model::from_values(ModelKind::BgNbd, &[1.0, 1.0, -1.0, 1.0]).is_err());
    }
}
