//! Model choice: which repeat-purchase model to trust on a data set.
//!
//! A better log-likelihood alone does not make a better model: a model with
//! more parameters fits the calibration data at least as well by
//! construction. This module gives the three standard answers, all computed
//! from figures a fit already has:
//!
//! - **information criteria** ([`InformationCriteria`], and
//!   [`FittedModel::information_criteria`]): `AIC = 2k − 2 LL` and
//!   `BIC = k ln n − 2 LL`, with `k` the model's free parameters, `LL` the
//!   total log-likelihood at the estimate and `n` the observations, here the
//!   customers of the fit set (the weighted count, [`FittedModel::customers`]:
//!   each customer is one independent observation of the likelihood, so a
//!   weighted row of `w` identical customers counts `w` times). Lower is
//!   better; they may compare non-nested models fitted to the *same*
//!   customers.
//! - the **likelihood-ratio test** ([`likelihood_ratio`]) for *nested*
//!   models: `2 (LL_full − LL_restricted)` against the chi-square
//!   distribution with `df` = the number of parameters the restriction fixes.
//! - a **comparison** of every repeat model on one data set ([`compare`]),
//!   optionally with the error of its holdout predictions, and a **choice**
//!   ([`choose`]): the lowest holdout mean absolute error when a holdout is
//!   given, else the lowest BIC; a fit that did not converge is never chosen
//!   and the choice lists it as skipped.
//!
//! # Which models are nested
//!
//! The likelihood-ratio test is valid only when the restricted model is the
//! full model with some parameters fixed at values *inside* its parameter
//! space. **No pair of models of the registry is nested that way**, so the
//! library offers only the generic test, and its caller asserts the nesting:
//!
//! - BG/NBD and Pareto/NBD are not nested: dropout after a purchase with
//!   probability `p ~ Beta(a, b)` and dropout at an exponential time with
//!   rate `μ ~ Gamma(s, β)` are different stories, neither a special case of
//!   the other. Compare them by AIC, BIC or holdout error.
//! - BG/NBD and MBG/NBD are not nested either: MBG/NBD lets a customer
//!   leave right after the first purchase, and no value of its parameters
//!   switches that off.
//! - Each of the three contains the plain NBD (no dropout) only as a *limit*
//!   on the edge of its parameter space (`a → 0` for BG/NBD, `μ → 0` for
//!   Pareto/NBD). There the statistic is not chi-square distributed (for one
//!   parameter on the boundary it is the mixture `½χ²₀ + ½χ²₁`, Self & Liang
//!   1987) and the plain chi-square p-value is too large, by a factor of 2
//!   for one parameter: the test is conservative, not wrong in the direction
//!   of false discoveries.
//! - A model against the *same* model with a parameter fixed inside its
//!   range (BG/NBD with `a = b`, Pareto/NBD with `s = 1`, a fit with a
//!   parameter held at a value from another data set) is nested with `df`
//!   the number of parameters fixed: that is the case [`likelihood_ratio`]
//!   is for, with the log-likelihoods of the two fits.
//!
//! ```
//! use crm_core::clv::choice::{choose, compare, ChoiceCriterion};
//! use crm_core::clv::FitOptions;
//!
//! // x, t_x, T (weeks): 1,980 customers in ten distinct histories.
//! let x = [0.0, 0.0, 1.0, 1.0, 2.0, 3.0, 5.0, 8.0, 2.0, 1.0];
//! let t_x = [0.0, 0.0, 5.0, 20.0, 30.0, 25.0, 35.0, 37.0, 10.0, 2.0];
//! let age = [39.0, 30.0, 39.0, 30.0, 39.0, 38.0, 39.0, 38.0, 35.0, 20.0];
//! let weights = [800.0, 500.0, 150.0, 120.0, 100.0, 80.0, 50.0, 20.0, 60.0, 100.0];
//! let comparison = compare(&[&x, &t_x, &age], Some(&weights), &FitOptions::default(), None)?;
//! assert_eq!(comparison.rows.len(), 3); // BG/NBD, MBG/NBD, Pareto/NBD, in that order
//! match choose(&comparison) {
//!     Ok(choice) => {
//!         assert_eq!(choice.criterion, ChoiceCriterion::Bic);
//!         let row = comparison.rows.iter().find(|r| r.kind == choice.kind).unwrap();
//!         assert_eq!(row.bic_rank, Some(1));
//!     }
//!     // Ten histories may not pin four parameters of any model.
//!     Err(e) => assert!(e.to_string().contains("no model converged")),
//! }
//! # Ok::<(), crm_core::clv::ClvError>(())
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use super::registry::{self, FittedModel, ModelFit, ModelKind};
use super::special::regularized_gamma_q;
use super::{ClvError, FitOptions, check_horizon, check_len, check_weight, fit_set, invalid};
use crate::vocabulary::Vocabulary;

/// The information criteria of one fit: what it takes to compare models
/// with different numbers of parameters on the same customers.
///
/// ```
/// use crm_core::clv::choice::InformationCriteria;
/// // BG/NBD on CDNOW (Fader, Hardie & Lee 2005): LL = −9582.4, k = 4, n = 2,357.
/// let c = InformationCriteria::new(-9582.4, 4, 2357.0)?;
/// assert!((c.aic - 19_172.8).abs() < 1e-9);          // 8 + 19,164.8
/// assert!((c.bic - 19_195.860_58).abs() < 1e-5);     // 4 ln 2357 + 19,164.8
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct InformationCriteria {
    /// The total log-likelihood at the estimate.
    pub log_likelihood: f64,
    /// The free parameters `k`.
    pub parameters: usize,
    /// The observations `n`: the customers fitted (a weighted count).
    pub observations: f64,
    /// Akaike's criterion `2k − 2 LL` (lower is better).
    pub aic: f64,
    /// Schwarz's Bayesian criterion `k ln n − 2 LL` (lower is better).
    pub bic: f64,
}

impl InformationCriteria {
    /// The criteria of a log-likelihood with `parameters` free parameters on
    /// `observations` customers.
    ///
    /// # Errors
    ///
    /// [`ClvError::InvalidArgument`] for a log-likelihood that is not
    /// finite, observations that are not finite and positive, or criteria
    /// beyond `f64`.
    ///
    /// # Example
    ///
    /// See [`InformationCriteria`].
    pub fn new(
        log_likelihood: f64,
        parameters: usize,
        observations: f64,
    ) -> Result<InformationCriteria, ClvError> {
        if !log_likelihood.is_finite() {
            return Err(argument("log_likelihood", "must be finite"));
        }
        if !(observations.is_finite() && observations > 0.0) {
            return Err(argument("observations", "must be finite and > 0"));
        }
        let k = parameters as f64;
        let aic = 2.0 * k - 2.0 * log_likelihood;
        let bic = k * observations.ln() - 2.0 * log_likelihood;
        if !(aic.is_finite() && bic.is_finite()) {
            return Err(argument(
                "log_likelihood",
                "the criteria must be finite in f64",
            ));
        }
        Ok(InformationCriteria {
            log_likelihood,
            parameters,
            observations,
            aic,
            bic,
        })
    }
}

fn argument(name: &str, rule: &str) -> ClvError {
    ClvError::InvalidArgument {
        name: name.into(),
        rule: rule.into(),
    }
}

/// The information criteria of a fitted model (see the [module docs](self)).
impl FittedModel {
    /// The free parameters `k`: every parameter of the kind is estimated.
    ///
    /// ```
    /// use crm_core::clv::registry::FittedModel;
    /// use crm_core::clv::{sbg, FitOptions};
    /// let f = FittedModel::Sbg(sbg::fit_survivors(&[1000.0, 631.0, 468.0, 382.0], &FitOptions::default())?);
    /// assert_eq!((f.parameter_count(), f.observations()), (2, 1000.0));
    /// # Ok::<(), crm_core::clv::ClvError>(())
    /// ```
    pub fn parameter_count(&self) -> usize {
        self.kind().parameter_names().len()
    }

    /// The observations `n` of BIC: the customers of the fit set, a
    /// weighted count (the cohort size for sBG).
    pub fn observations(&self) -> f64 {
        self.customers()
    }

    /// Log-likelihood, `k`, `n`, AIC and BIC of this fit.
    ///
    /// # Errors
    ///
    /// As [`InformationCriteria::new`] (only for a fit read from a file
    /// with figures no fit produces).
    ///
    /// ```
    /// use crm_core::clv::registry::FittedModel;
    /// use crm_core::clv::{sbg, FitOptions};
    /// let f = FittedModel::Sbg(sbg::fit_survivors(&[1000.0, 631.0, 468.0, 382.0], &FitOptions::default())?);
    /// let c = f.information_criteria()?;
    /// assert_eq!(c.aic, 4.0 - 2.0 * f.log_likelihood());
    /// assert_eq!(c.bic, f.bic()?);
    /// # Ok::<(), crm_core::clv::ClvError>(())
    /// ```
    pub fn information_criteria(&self) -> Result<InformationCriteria, ClvError> {
        InformationCriteria::new(
            self.log_likelihood(),
            self.parameter_count(),
            self.observations(),
        )
    }

    /// `AIC = 2k − 2 LL`.
    ///
    /// # Errors
    ///
    /// As [`FittedModel::information_criteria`].
    pub fn aic(&self) -> Result<f64, ClvError> {
        self.information_criteria().map(|c| c.aic)
    }

    /// `BIC = k ln n − 2 LL`.
    ///
    /// # Errors
    ///
    /// As [`FittedModel::information_criteria`].
    pub fn bic(&self) -> Result<f64, ClvError> {
        self.information_criteria().map(|c| c.bic)
    }
}

/// The outcome of a likelihood-ratio test.
///
/// ```
/// use crm_core::clv::choice::likelihood_ratio;
/// // Fixing one parameter costs 1.92 log-likelihood units: the 5 % critical value.
/// let t = likelihood_ratio(-1001.920_729_410_347, -1000.0, 1)?;
/// assert!((t.statistic - 3.841_458_820_694).abs() < 1e-9 && (t.p_value - 0.05).abs() < 1e-12);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct LikelihoodRatio {
    /// `2 (LL_full − LL_restricted)`, at least 0.
    pub statistic: f64,
    /// The degrees of freedom: the parameters the restriction fixes.
    pub df: u32,
    /// `P(χ²_df >= statistic)`: small values reject the restricted model.
    pub p_value: f64,
}

/// The likelihood-ratio test of a restricted model against the full model
/// it is nested in, with `df` the number of parameters the restriction
/// fixes.
///
/// **The caller asserts the nesting** (see the [module docs](self) for why
/// no two models of the registry qualify): the restricted model must be the
/// full one with `df` parameters fixed inside their range, fitted to the
/// same customers.
///
/// A full model whose log-likelihood is below the restricted one's by at
/// most 1e-6 of its size (the optimiser's tolerance) counts as a tie,
/// statistic 0 and p-value 1.
///
/// # Errors
///
/// [`ClvError::InvalidArgument`]: a log-likelihood that is not finite;
/// `df = 0`; a full model that fits worse than the restricted one beyond
/// that tolerance (rule `nested_fit`: the models are not nested, or a fit
/// stopped early).
///
/// ```
/// use crm_core::clv::choice::likelihood_ratio;
/// let t = likelihood_ratio(-2010.0, -2000.0, 2)?;
/// assert_eq!(t.statistic, 20.0);
/// assert!((t.p_value - (-10.0f64).exp()).abs() < 1e-18); // df = 2: e^{-x/2}
/// assert!(likelihood_ratio(-1990.0, -2000.0, 2).is_err());
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn likelihood_ratio(
    ll_restricted: f64,
    ll_full: f64,
    df: u32,
) -> Result<LikelihoodRatio, ClvError> {
    if !ll_restricted.is_finite() {
        return Err(argument("ll_restricted", "must be finite"));
    }
    if !ll_full.is_finite() {
        return Err(argument("ll_full", "must be finite"));
    }
    let gain = ll_full - ll_restricted;
    let tolerance = 1e-6 * ll_full.abs().max(ll_restricted.abs()).max(1.0);
    if gain < -tolerance {
        return Err(argument(
            "ll_full",
            "nested_fit: the full model's log-likelihood must be at least the restricted model's",
        ));
    }
    let statistic = 2.0 * gain.max(0.0);
    if !statistic.is_finite() {
        return Err(argument("ll_full", "the statistic must be finite in f64"));
    }
    Ok(LikelihoodRatio {
        statistic,
        df,
        p_value: chi_square_survival(statistic, df)?,
    })
}

/// The chi-square survival function `P(χ²_df >= x)`, the p-value of a
/// likelihood-ratio statistic: `Q(df/2, x/2)` by
/// [`regularized_gamma_q`].
///
/// # Errors
///
/// [`ClvError::InvalidArgument`] for `df = 0` or an `x` that is negative or
/// not finite.
///
/// ```
/// use crm_core::clv::choice::chi_square_survival;
/// // The 5 % critical values of the tables: 3.841 (df 1), 5.991 (df 2), 7.815 (df 3).
/// assert!((chi_square_survival(3.841_458_820_694_124, 1)? - 0.05).abs() < 1e-13);
/// assert!((chi_square_survival(5.991_464_547_107_979, 2)? - 0.05).abs() < 1e-13);
/// assert!((chi_square_survival(7.814_727_903_251_178, 3)? - 0.05).abs() < 1e-13);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn chi_square_survival(x: f64, df: u32) -> Result<f64, ClvError> {
    if df == 0 {
        return Err(argument("df", "must be at least 1"));
    }
    if !(x.is_finite() && x >= 0.0) {
        return Err(argument("statistic", "must be finite and >= 0"));
    }
    let p = regularized_gamma_q(f64::from(df) / 2.0, x / 2.0);
    if p.is_finite() {
        Ok(p)
    } else {
        Err(argument("df", "the chi-square tail did not settle"))
    }
}

/// What [`choose`] ranks by.
///
/// ```
/// use crm_core::clv::choice::ChoiceCriterion;
/// use crm_core::vocabulary::Vocabulary;
/// assert_eq!(ChoiceCriterion::names(), ["bic", "holdout_mae"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChoiceCriterion {
    /// The lowest BIC (no holdout given).
    Bic,
    /// The lowest mean absolute error of holdout purchases per customer
    /// (ties by BIC).
    HoldoutMae,
}

impl Vocabulary for ChoiceCriterion {
    const KIND: &'static str = "model choice criterion";
    const ALL: &'static [Self] = &[ChoiceCriterion::Bic, ChoiceCriterion::HoldoutMae];

    fn name(self) -> &'static str {
        match self {
            ChoiceCriterion::Bic => "bic",
            ChoiceCriterion::HoldoutMae => "holdout_mae",
        }
    }
}

impl fmt::Display for ChoiceCriterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The customers' purchases in a holdout period after the calibration the
/// models are fitted on, to score each model's predictions.
///
/// `actual` is parallel to the columns given to [`compare`] (a weighted row
/// stands for that many customers with the same figures, the holdout
/// purchases included). Every row is scored, those outside the fit set
/// (`T = 0`) predicted as new customers, as [`super::holdout`] does.
///
/// ```
/// use crm_core::clv::choice::HoldoutPurchases;
/// let h = HoldoutPurchases { duration: 39.0, actual: &[0.0, 2.0, 1.0] };
/// assert_eq!(h.actual.len(), 3);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct HoldoutPurchases<'a> {
    /// The holdout's length on the columns' clock.
    pub duration: f64,
    /// Purchases (occasions) of each row's customers in the holdout.
    pub actual: &'a [f64],
}

/// One model of a comparison. Figures of a fit that did not converge are
/// those at the best point found; `log_likelihood`, `aic` and `bic` are
/// `None` only when that point has no finite log-likelihood.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct ModelComparisonRow {
    /// The model.
    pub kind: ModelKind,
    /// Whether its fit converged (a fit that did not is never chosen).
    pub converged: bool,
    /// The total log-likelihood.
    pub log_likelihood: Option<f64>,
    /// The free parameters `k`.
    pub parameters: usize,
    /// The observations `n` (customers in the fit set, weighted).
    pub observations: f64,
    /// `2k − 2 LL`.
    pub aic: Option<f64>,
    /// `k ln n − 2 LL`.
    pub bic: Option<f64>,
    /// 1 for the lowest BIC among the converged fits (ties in comparison
    /// order); `None` for a fit that did not converge.
    pub bic_rank: Option<usize>,
    /// Mean absolute error of holdout purchases per customer (with a
    /// holdout and a converged fit).
    pub holdout_mae: Option<f64>,
    /// Root mean squared error of holdout purchases per customer.
    pub holdout_rmse: Option<f64>,
}

/// Every repeat model fitted on one data set, side by side.
///
/// ```
/// use crm_core::clv::choice::{compare, ChoiceCriterion};
/// use crm_core::clv::FitOptions;
/// let (x, t_x, age) = ([0.0, 1.0, 3.0], [0.0, 2.0, 9.0], [10.0, 10.0, 10.0]);
/// let c = compare(&[&x, &t_x, &age], Some(&[50.0, 30.0, 20.0]), &FitOptions::default(), None)?;
/// assert_eq!(c.criterion, ChoiceCriterion::Bic);
/// assert_eq!(c.fits.len(), c.rows.iter().filter(|r| r.converged).count());
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct ModelComparison {
    /// One row per model of [`ModelKind::REPEAT`], in that order.
    pub rows: Vec<ModelComparisonRow>,
    /// What [`choose`] ranks by: the holdout error when a holdout was given.
    pub criterion: ChoiceCriterion,
    /// The converged fits, in row order.
    pub fits: Vec<ModelFit>,
}

impl ModelComparison {
    /// The fit of `kind`, when it converged.
    ///
    /// ```
    /// use crm_core::clv::choice::compare;
    /// use crm_core::clv::registry::ModelKind;
    /// use crm_core::clv::FitOptions;
    /// let (x, t_x, age) = ([0.0, 1.0, 3.0], [0.0, 2.0, 9.0], [10.0, 10.0, 10.0]);
    /// let c = compare(&[&x, &t_x, &age], None, &FitOptions::default(), None)?;
    /// let converged = c.rows.iter().any(|r| r.kind == ModelKind::BgNbd && r.converged);
    /// assert_eq!(c.fit(ModelKind::BgNbd).is_some(), converged);
    /// # Ok::<(), crm_core::clv::ClvError>(())
    /// ```
    pub fn fit(&self, kind: ModelKind) -> Option<&ModelFit> {
        self.fits.iter().find(|f| f.model.kind() == kind)
    }

    /// The fit of the model `choice` chose ([`choose`] of this comparison).
    ///
    /// # Errors
    ///
    /// [`ClvError::InvalidArgument`] (an internal error) when the chosen
    /// model has no fit here: a choice of another comparison.
    ///
    /// ```
    /// use crm_core::clv::choice::{choose, compare};
    /// use crm_core::clv::FitOptions;
    /// let (x, t_x, age) = ([0.0, 1.0, 3.0, 2.0], [0.0, 2.0, 9.0, 5.0], [10.0, 10.0, 10.0, 8.0]);
    /// let c = compare(&[&x, &t_x, &age], Some(&[500.0, 300.0, 200.0, 100.0]), &FitOptions::default(), None)?;
    /// if let Ok(choice) = choose(&c) {
    ///     assert_eq!(c.chosen_fit(&choice)?.model.kind(), choice.kind);
    /// }
    /// # Ok::<(), crm_core::clv::ClvError>(())
    /// ```
    pub fn chosen_fit(&self, choice: &Choice) -> Result<ModelFit, ClvError> {
        self.fit(choice.kind)
            .cloned()
            .ok_or_else(|| ClvError::InvalidArgument {
                name: "model".into(),
                rule: "internal: the chosen model has no fit".into(),
            })
    }
}

/// Fits every repeat model ([`ModelKind::REPEAT`]: BG/NBD, MBG/NBD,
/// Pareto/NBD) on the columns `x, t_x, T` with optional weights, as
/// [`registry::fit`] does, and reports each one's log-likelihood, `k`, `n`,
/// AIC, BIC and BIC rank, and with a holdout the error of its predicted
/// holdout purchases (weighted by `weights`).
///
/// A fit that does not converge is a row with `converged = false`, not an
/// error: the comparison says so, and [`choose`] skips it.
///
/// # Errors
///
/// The columns' errors, as [`registry::fit`] (the same for every model);
/// [`ClvError::LengthMismatch`] and [`ClvError::InvalidInput`] for the
/// holdout's `actual_purchases` (finite and `>= 0`);
/// [`ClvError::InvalidArgument`] for a holdout duration that is negative or
/// not finite; a prediction's [`ClvError::NotFinite`].
///
/// # Example
///
/// See the [module docs](self).
pub fn compare(
    columns: &[&[f64]],
    weights: Option<&[f64]>,
    options: &FitOptions,
    holdout: Option<&HoldoutPurchases<'_>>,
) -> Result<ModelComparison, ClvError> {
    let [x, t_x, age] = columns else {
        return Err(argument(
            "columns",
            "the repeat models fit on 3 columns (x, t_x, T)",
        ));
    };
    let observations = fit_set::repeat_fit_set(x, t_x, age, weights)?.fit_set.used;
    if let Some(h) = holdout {
        check_holdout(h, x.len())?;
    }
    let mut rows = Vec::with_capacity(ModelKind::REPEAT.len());
    let mut fits = Vec::new();
    for &kind in ModelKind::REPEAT {
        let parameters = kind.parameter_names().len();
        let (converged, ll, n) = match registry::fit(kind, columns, weights, options) {
            Ok(fit) => {
                let n = fit.model.observations();
                let ll = fit.model.log_likelihood();
                fits.push(fit);
                (true, ll, n)
            }
            Err(ClvError::NotConverged { log_likelihood, .. }) => {
                (false, log_likelihood, observations)
            }
            Err(e) => return Err(e),
        };
        let criteria = InformationCriteria::new(ll, parameters, n).ok();
        let mut row = ModelComparisonRow {
            kind,
            converged,
            log_likelihood: criteria.map(|c| c.log_likelihood),
            parameters,
            observations: n,
            aic: criteria.map(|c| c.aic),
            bic: criteria.map(|c| c.bic),
            bic_rank: None,
            holdout_mae: None,
            holdout_rmse: None,
        };
        if let (Some(h), Some(fit)) = (holdout, fits.last().filter(|_| converged)) {
            let (mae, rmse) = holdout_error(fit, h, columns, weights)?;
            row.holdout_mae = Some(mae);
            row.holdout_rmse = Some(rmse);
        }
        rows.push(row);
    }
    let mut order: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].converged && rows[i].bic.is_some())
        .collect();
    order.sort_by(|&i, &j| by_bic(&rows[i], &rows[j]).then(i.cmp(&j)));
    for (rank, i) in order.into_iter().enumerate() {
        rows[i].bic_rank = Some(rank + 1);
    }
    Ok(ModelComparison {
        rows,
        criterion: if holdout.is_some() {
            ChoiceCriterion::HoldoutMae
        } else {
            ChoiceCriterion::Bic
        },
        fits,
    })
}

fn check_holdout(h: &HoldoutPurchases<'_>, rows: usize) -> Result<(), ClvError> {
    check_horizon("duration", h.duration)?;
    check_len("actual_purchases", h.actual.len(), rows)?;
    match h.actual.iter().position(|a| !(a.is_finite() && *a >= 0.0)) {
        Some(i) => Err(invalid("actual_purchases", i, "must be finite and >= 0")),
        None => Ok(()),
    }
}

/// Weighted MAE and RMSE of the fit's conditional expected purchases over
/// the holdout against the actual purchases.
fn holdout_error(
    fit: &ModelFit,
    h: &HoldoutPurchases<'_>,
    columns: &[&[f64]],
    weights: Option<&[f64]>,
) -> Result<(f64, f64), ClvError> {
    let [x, t_x, age] = columns else {
        return Err(argument("columns", "3 columns (x, t_x, T)"));
    };
    let predicted = fit
        .model
        .model()
        .conditional_expected_purchases(h.duration, x, t_x, age)?;
    let (mut total, mut abs, mut sq) = (0.0, 0.0, 0.0);
    for (i, (p, a)) in predicted.iter().zip(h.actual).enumerate() {
        let w = match weights {
            Some(w) => {
                let v = w.get(i).copied().unwrap_or(f64::NAN);
                check_weight(i, v)?;
                v
            }
            None => 1.0,
        };
        total += w;
        abs += w * (p - a).abs();
        sq += w * (p - a) * (p - a);
    }
    let (mae, rmse) = (abs / total, (sq / total).sqrt());
    if mae.is_finite() && rmse.is_finite() {
        Ok((mae, rmse))
    } else {
        Err(argument(
            "actual_purchases",
            "finite_scores: the holdout errors must be finite in f64",
        ))
    }
}

fn by_bic(a: &ModelComparisonRow, b: &ModelComparisonRow) -> std::cmp::Ordering {
    let key = |r: &ModelComparisonRow| r.bic.unwrap_or(f64::INFINITY);
    key(a).total_cmp(&key(b))
}

/// Why [`choose`] passed over a model.
///
/// ```
/// use crm_core::clv::choice::SkipReason;
/// use crm_core::vocabulary::Vocabulary;
/// assert_eq!(SkipReason::names(), ["not_converged", "no_score"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Its fit did not converge.
    NotConverged,
    /// It has no finite figure for the criterion (a row built by hand
    /// without a holdout score, or a fit without a finite log-likelihood).
    NoScore,
}

impl Vocabulary for SkipReason {
    const KIND: &'static str = "model choice skip reason";
    const ALL: &'static [Self] = &[SkipReason::NotConverged, SkipReason::NoScore];

    fn name(self) -> &'static str {
        match self {
            SkipReason::NotConverged => "not_converged",
            SkipReason::NoScore => "no_score",
        }
    }
}

/// A model [`choose`] passed over, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Skipped {
    /// The model.
    pub kind: ModelKind,
    /// Why.
    pub reason: SkipReason,
}

/// The model chosen, by what, and the models passed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Choice {
    /// The model chosen.
    pub kind: ModelKind,
    /// What it was chosen by.
    pub criterion: ChoiceCriterion,
    /// The models passed over, in comparison order (empty when none was).
    pub skipped: Vec<Skipped>,
}

/// Chooses a model of a comparison: by the comparison's criterion, the
/// lowest holdout MAE (ties by BIC) when it was made with a holdout, else
/// the lowest BIC; remaining ties go to the earlier row. A fit that did not
/// converge, or a row without a finite figure for the criterion, is never
/// chosen: it is listed in [`Choice::skipped`].
///
/// # Errors
///
/// [`ClvError::NoModelConverged`] (rule `no_model_converged`) when no row
/// can be chosen.
///
/// # Example
///
/// See the [module docs](self).
pub fn choose(comparison: &ModelComparison) -> Result<Choice, ClvError> {
    let criterion = comparison.criterion;
    let score = |r: &ModelComparisonRow| match criterion {
        ChoiceCriterion::Bic => r.bic,
        ChoiceCriterion::HoldoutMae => r.holdout_mae.filter(|_| r.bic.is_some()),
    };
    let mut skipped = Vec::new();
    let mut best: Option<&ModelComparisonRow> = None;
    for row in &comparison.rows {
        let reason = if !row.converged {
            Some(SkipReason::NotConverged)
        } else if score(row).is_none_or(|s| !s.is_finite()) {
            Some(SkipReason::NoScore)
        } else {
            None
        };
        if let Some(reason) = reason {
            skipped.push(Skipped {
                kind: row.kind,
                reason,
            });
            continue;
        }
        let better = best.is_none_or(|b| {
            let s = |r: &ModelComparisonRow| score(r).unwrap_or(f64::INFINITY);
            s(row).total_cmp(&s(b)).then_with(|| by_bic(row, b)).is_lt()
        });
        if better {
            best = Some(row);
        }
    }
    match best {
        Some(row) => Ok(Choice {
            kind: row.kind,
            criterion,
            skipped,
        }),
        None => Err(ClvError::NoModelConverged {
            models: comparison.rows.iter().map(|r| r.kind).collect(),
        }),
    }
}

/// The names of models, comma-separated, for messages.
pub(crate) fn kind_names(models: &[ModelKind]) -> String {
    let names: Vec<&str> = models.iter().map(|k| k.name()).collect();
    names.join(", ")
}

#[cfg(test)]
mod tests;
