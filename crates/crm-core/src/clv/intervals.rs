//! How sure a prediction is: intervals for each customer's P(alive),
//! expected purchases, expected spend and CLV, and for the totals over the
//! customers, from the estimation error of the fitted parameters.
//!
//! A fit's [`covariance`](super::Fitted::covariance) (the inverse of the
//! observed information) says how far the data pin the parameters down.
//! The delta method carries it into a prediction `g(θ)`: with `∇g` the
//! gradient on the log-parameters `θ = ln p` (central differences, steps of
//! [`STEP`]) and `Σθ = D⁻¹ Σ D⁻¹` (`D = diag(p)`) their covariance,
//! `se(g) = √(∇gᵀ Σθ ∇g)`. The interval is built on a scale where `g` is
//! unbounded and then mapped back, so that it never leaves the range of
//! the quantity:
//!
//! - P(alive), in `[0, 1]`: on the logit, `expit(logit g ± z·se / (g(1 − g)))`;
//! - purchases, spend, CLV and the totals, all `> 0`: on the log,
//!   `g · exp(± z·se / g)`;
//!
//! with `z = Φ⁻¹((1 + level) / 2)` ([`Level`], default [`DEFAULT_LEVEL`] =
//! 90 %). The repeat and spend models are fitted separately (Gamma-Gamma
//! assumes spend independent of the purchase process), so their
//! covariances form two blocks.
//!
//! What the interval is of: the model's **expectation** for the customer,
//! as uncertain as the parameters are; not the purchases the customer will
//! actually make (those also vary by chance around it). On data simulated
//! from known parameters the 90 % interval holds the expectation under the
//! true parameters in about 90 % of the fits (the tests here check it).
//!
//! Work: `1 + 2k` evaluations of the predictions for `k` parameters (15
//! for BG/NBD with Gamma-Gamma), in chunks of [`CHUNK`] customers, so
//! memory grows with the chunk, not with the customers.
//!
//! ```
//! use crm_core::clv::horizon::Horizon;
//! use crm_core::clv::intervals::{Level, PredictionIntervals, Uncertain};
//! use crm_core::clv::model_file::ClvColumns;
//! use crm_core::clv::registry::{Model, ModelKind};
//! use crm_core::records::summary::Unit;
//! let bg = Model::from_values(ModelKind::BgNbd, &[0.243, 4.414, 0.793, 2.426])?;
//! // A diagonal covariance: standard errors of 10 % of each parameter.
//! let cov = |v: &[f64]| {
//!     let k = v.len();
//!     (0..k * k).map(|i| if i / k == i % k { (0.1 * v[i / k]).powi(2) } else { 0.0 }).collect()
//! };
//! let repeat = Uncertain::new(bg, cov(&bg.values()))?;
//! let gg = Model::from_values(ModelKind::GammaGamma, &[6.25, 3.74, 15.44])?;
//! let spend = Uncertain::new(gg, cov(&gg.values()))?;
//! let c = ClvColumns { unit: Unit::Week, x: vec![2.0], t_x: vec![30.43], age: vec![38.86], monetary_value: vec![25.0] };
//! let h = Horizon { months: 12, monthly_discount_rate: 0.01 };
//! let iv = PredictionIntervals::of(&repeat, &spend, &c, &h, Level::default())?;
//! let (lo, est, hi) = (iv.clv.lower[0], iv.predictions.clv[0], iv.clv.upper[0]);
//! assert!(0.0 < lo && lo < est && est < hi);
//! assert!(iv.p_alive.upper[0] <= 1.0);
//! # Ok::<(), crm_core::clv::ClvError>(())
//! ```

use serde::{Deserialize, Serialize};

use super::ClvError;
use super::data::check_len;
use super::fit_warning::FitWarning;
use super::horizon::Horizon;
use super::model_file::{ClvColumns, Predictions, predict};
use super::registry::{FittedModel, Model};
use super::special::normal_quantile;
use crate::vocabulary::Vocabulary;

/// The level of an interval when none is given: 90 %.
pub const DEFAULT_LEVEL: f64 = 0.90;

/// The step of the central differences on the log-parameters: 10⁻⁴
/// (a relative change of 0.01 % of each parameter).
pub const STEP: f64 = 1e-4;

/// Customers evaluated together: 65,536.
pub const CHUNK: usize = 1 << 16;

/// The probability an interval is meant to hold, strictly between 0 and 1.
///
/// ```
/// use crm_core::clv::intervals::Level;
/// let l = Level::new(0.95)?;
/// assert!((l.z() - 1.959_963_984_540_054).abs() < 1e-12);
/// assert!(Level::new(1.0).is_err() && Level::new(f64::NAN).is_err());
/// assert_eq!(Level::default().value(), 0.9);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(try_from = "f64", into = "f64")]
pub struct Level(f64);

impl Level {
    /// A level, checked.
    ///
    /// # Errors
    ///
    /// [`ClvError::InvalidArgument`] (name `level`) unless `0 < level < 1`.
    pub fn new(level: f64) -> Result<Level, ClvError> {
        if level > 0.0 && level < 1.0 {
            Ok(Level(level))
        } else {
            Err(ClvError::InvalidArgument {
                name: "level".into(),
                rule:
                    "an interval's level is a probability strictly between 0 and 1 (0.9 for 90 %)"
                        .into(),
            })
        }
    }

    /// The level as a probability.
    pub fn value(self) -> f64 {
        self.0
    }

    /// `Φ⁻¹((1 + level) / 2)`: how many standard errors each side.
    pub fn z(self) -> f64 {
        normal_quantile(0.5 + 0.5 * self.0)
    }
}

impl Default for Level {
    fn default() -> Level {
        Level(DEFAULT_LEVEL)
    }
}

impl TryFrom<f64> for Level {
    type Error = ClvError;
    fn try_from(v: f64) -> Result<Level, ClvError> {
        Level::new(v)
    }
}

impl From<Level> for f64 {
    fn from(l: Level) -> f64 {
        l.0
    }
}

/// A model with the covariance of its parameter estimates.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertain {
    model: Model,
    covariance: Vec<f64>,
}

impl Uncertain {
    /// `model` with `covariance` (row-major, `k × k` in the order of the
    /// model's parameters, on the natural parameters).
    ///
    /// # Errors
    ///
    /// [`ClvError::InvalidArgument`] (name `covariance`) for a matrix of the
    /// wrong size, not finite, not symmetric, or with a negative variance.
    pub fn new(model: Model, covariance: Vec<f64>) -> Result<Uncertain, ClvError> {
        let k = model.values().len();
        let bad = |rule: &str| ClvError::InvalidArgument {
            name: "covariance".into(),
            rule: rule.into(),
        };
        if covariance.len() != k * k {
            return Err(bad(&format!(
                "a {k} × {k} matrix of the {} parameters",
                model.kind().name()
            )));
        }
        if covariance.iter().any(|v| !v.is_finite()) {
            return Err(bad("finite numbers"));
        }
        for i in 0..k {
            if covariance[i * k + i] < 0.0 {
                return Err(bad("variances >= 0 on the diagonal"));
            }
            for j in 0..i {
                let (a, b) = (covariance[i * k + j], covariance[j * k + i]);
                if (a - b).abs() > 1e-9 * a.abs().max(b.abs()).max(f64::MIN_POSITIVE) {
                    return Err(bad("a symmetric matrix"));
                }
            }
        }
        Ok(Uncertain { model, covariance })
    }

    /// A fitted model with its fit's covariance.
    ///
    /// # Errors
    ///
    /// [`ClvError::InvalidArgument`] (name `covariance`) when the fit has
    /// none (its information matrix was not positive definite, or it was
    /// written before fits kept it), or when it is weakly identified (a
    /// parameter [`at_bound`](super::FitReport::at_bound), or a
    /// [`hessian_condition`](super::FitReport::hessian_condition) above
    /// [`FitWarning::WEAKLY_IDENTIFIED_ABOVE`]): intervals from a flat
    /// likelihood would look precise and mean nothing.
    pub fn of_fit(fit: &FittedModel) -> Result<Uncertain, ClvError> {
        let report = fit.report();
        let weak = match report.hessian_condition {
            Some(c) => c > FitWarning::WEAKLY_IDENTIFIED_ABOVE,
            None => true,
        };
        if !report.at_bound.is_empty() || (weak && fit.covariance().is_some()) {
            return Err(ClvError::InvalidArgument {
                name: "covariance".into(),
                rule: format!(
                    "the {} fit is weakly identified (a parameter at the edge of its range, or an information matrix with a condition number above 1e8): its covariance says little, so it gives no intervals",
                    fit.kind().name()
                ),
            });
        }
        match fit.covariance() {
            Some(c) => Uncertain::new(fit.model(), c.to_vec()),
            None => Err(ClvError::InvalidArgument {
                name: "covariance".into(),
                rule: format!(
                    "the {} fit has no covariance (its information matrix is not positive definite, or the fit was saved before fits kept it): refit to get intervals",
                    fit.kind().name()
                ),
            }),
        }
    }

    /// The model.
    pub fn model(&self) -> &Model {
        &self.model
    }
}

/// One figure with its interval and standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Interval {
    /// The prediction at the fitted parameters.
    pub estimate: f64,
    /// The lower end.
    pub lower: f64,
    /// The upper end.
    pub upper: f64,
    /// The delta-method standard error of the estimate.
    pub standard_error: f64,
}

/// The ends of one prediction's intervals, one entry per customer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Bounds {
    /// Lower ends.
    pub lower: Vec<f64>,
    /// Upper ends.
    pub upper: Vec<f64>,
}

/// Every customer's predictions with their intervals, and the totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct PredictionIntervals {
    /// The level of every interval.
    pub level: Level,
    /// The predictions at the fitted parameters (those of
    /// [`super::model_file::predict`]).
    pub predictions: Predictions,
    /// P(alive) now.
    pub p_alive: Bounds,
    /// Expected purchases over the horizon.
    pub expected_purchases: Bounds,
    /// Expected spend per purchase.
    pub expected_spend: Bounds,
    /// Discounted CLV over the horizon.
    pub clv: Bounds,
    /// The customers' expected purchases over the horizon, summed.
    pub total_expected_purchases: Interval,
    /// The customers' CLV summed (the customer equity of these customers).
    pub total_clv: Interval,
}

/// Which scale an interval is built on.
#[derive(Clone, Copy)]
enum Scale {
    Logit,
    Log,
}

impl PredictionIntervals {
    /// The intervals of every customer's predictions over `horizon` from a
    /// repeat model and Gamma-Gamma with their covariances (customers with
    /// `T = 0` as new customers, as [`super::model_file::predict`]).
    ///
    /// # Errors
    ///
    /// As [`super::model_file::predict`] (rows counted over all the
    /// columns); [`ClvError::NotFinite`] naming the row when an interval
    /// end is not finite (a standard error too large for `f64`).
    pub fn of(
        repeat: &Uncertain,
        spend: &Uncertain,
        columns: &ClvColumns,
        horizon: &Horizon,
        level: Level,
    ) -> Result<PredictionIntervals, ClvError> {
        let blocks = [repeat, spend];
        let theta: Vec<f64> = blocks
            .iter()
            .flat_map(|b| b.model.values())
            .map(f64::ln)
            .collect();
        let k = theta.len();
        let sigma = log_covariance(&blocks);
        let models = |t: &[f64]| -> Result<(Model, Model), ClvError> {
            let kr = repeat.model.values().len();
            let exp = |s: &[f64]| s.iter().map(|v| v.exp()).collect::<Vec<_>>();
            Ok((
                Model::from_values(repeat.model.kind(), &exp(&t[..kr]))?,
                Model::from_values(spend.model.kind(), &exp(&t[kr..]))?,
            ))
        };
        let z = level.z();
        let n = columns.x.len();
        check_len("t_x", columns.t_x.len(), n)?;
        check_len("T", columns.age.len(), n)?;
        check_len("monetary_value", columns.monetary_value.len(), n)?;
        let mut out = PredictionIntervals {
            level,
            predictions: Predictions::default(),
            p_alive: Bounds::default(),
            expected_purchases: Bounds::default(),
            expected_spend: Bounds::default(),
            clv: Bounds::default(),
            total_expected_purchases: Interval::zero(),
            total_clv: Interval::zero(),
        };
        let (mut grad_purchases, mut grad_clv) = (vec![0.0; k], vec![0.0; k]);
        let (mut sum_purchases, mut sum_clv) = (0.0, 0.0);
        for start in (0..n).step_by(CHUNK) {
            let end = (start + CHUNK).min(n);
            let chunk = slice(columns, start, end);
            let at = |t: &[f64]| -> Result<Predictions, ClvError> {
                let (r, s) = models(t)?;
                predict(&r, &s, &chunk, horizon).map_err(|e| offset(e, start))
            };
            let base = at(&theta)?;
            // gradients[j] = ∂(each output)/∂θ_j, per customer of the chunk.
            let mut gradients = Vec::with_capacity(k);
            let mut t = theta.clone();
            for j in 0..k {
                t[j] = theta[j] + STEP;
                let up = at(&t)?;
                t[j] = theta[j] - STEP;
                let down = at(&t)?;
                t[j] = theta[j];
                gradients.push(difference(&up, &down));
            }
            let pick = |p: &Predictions, which: usize| -> Vec<f64> {
                match which {
                    0 => p.p_alive.clone(),
                    1 => p.expected_purchases.clone(),
                    2 => p.expected_spend.clone(),
                    _ => p.clv.clone(),
                }
            };
            for (which, scale) in [Scale::Logit, Scale::Log, Scale::Log, Scale::Log]
                .into_iter()
                .enumerate()
            {
                let estimates = pick(&base, which);
                let grads: Vec<Vec<f64>> = gradients.iter().map(|g| pick(g, which)).collect();
                let bounds = match which {
                    0 => &mut out.p_alive,
                    1 => &mut out.expected_purchases,
                    2 => &mut out.expected_spend,
                    _ => &mut out.clv,
                };
                for (i, &g) in estimates.iter().enumerate() {
                    let row: Vec<f64> = grads.iter().map(|c| c[i]).collect();
                    let se = quadratic_form(&row, &sigma).sqrt();
                    let (lo, hi) = ends(g, se, z, scale, start + i)?;
                    bounds.lower.push(lo);
                    bounds.upper.push(hi);
                }
            }
            for j in 0..k {
                grad_purchases[j] += gradients[j].expected_purchases.iter().sum::<f64>();
                grad_clv[j] += gradients[j].clv.iter().sum::<f64>();
            }
            sum_purchases += base.expected_purchases.iter().sum::<f64>();
            sum_clv += base.clv.iter().sum::<f64>();
            append(&mut out.predictions, base);
        }
        out.total_expected_purchases = total(sum_purchases, &grad_purchases, &sigma, z)?;
        out.total_clv = total(sum_clv, &grad_clv, &sigma, z)?;
        Ok(out)
    }
}

impl Interval {
    fn zero() -> Interval {
        Interval {
            estimate: 0.0,
            lower: 0.0,
            upper: 0.0,
            standard_error: 0.0,
        }
    }
}

/// `Σθ = D⁻¹ Σ D⁻¹` of the blocks, block-diagonal, row-major.
fn log_covariance(blocks: &[&Uncertain]) -> Vec<f64> {
    let values: Vec<Vec<f64>> = blocks.iter().map(|b| b.model.values()).collect();
    let k: usize = values.iter().map(Vec::len).sum();
    let mut sigma = vec![0.0; k * k];
    let mut at = 0;
    for (b, p) in blocks.iter().zip(&values) {
        let kb = p.len();
        for i in 0..kb {
            for j in 0..kb {
                sigma[(at + i) * k + at + j] = b.covariance[i * kb + j] / (p[i] * p[j]);
            }
        }
        at += kb;
    }
    sigma
}

/// `gᵀ Σ g`, never below 0 (rounding of a nearly singular Σ).
fn quadratic_form(g: &[f64], sigma: &[f64]) -> f64 {
    let k = g.len();
    let mut v = 0.0;
    for i in 0..k {
        for j in 0..k {
            v += g[i] * sigma[i * k + j] * g[j];
        }
    }
    v.max(0.0)
}

/// Central differences of every output, `(up − down) / 2h`.
fn difference(up: &Predictions, down: &Predictions) -> Predictions {
    let d = |a: &[f64], b: &[f64]| -> Vec<f64> {
        a.iter()
            .zip(b)
            .map(|(u, d)| (u - d) / (2.0 * STEP))
            .collect()
    };
    Predictions {
        p_alive: d(&up.p_alive, &down.p_alive),
        expected_purchases: d(&up.expected_purchases, &down.expected_purchases),
        expected_spend: d(&up.expected_spend, &down.expected_spend),
        clv: d(&up.clv, &down.clv),
    }
}

/// The ends of the interval of `g` with standard error `se`.
fn ends(g: f64, se: f64, z: f64, scale: Scale, index: usize) -> Result<(f64, f64), ClvError> {
    let (lo, hi) = match scale {
        Scale::Logit if g > 0.0 && g < 1.0 && se > 0.0 => {
            let centre = (g / (1.0 - g)).ln();
            let half = z * se / (g * (1.0 - g));
            let expit = |v: f64| 1.0 / (1.0 + (-v).exp());
            (expit(centre - half), expit(centre + half))
        }
        Scale::Log if g > 0.0 && se > 0.0 => {
            let half = z * se / g;
            (g * (-half).exp(), g * half.exp())
        }
        // A figure the parameters cannot move (P(alive) = 1 for BG/NBD
        // without a repeat purchase), or 0: no width.
        _ => (g, g),
    };
    if lo.is_finite() && hi.is_finite() {
        Ok((lo, hi))
    } else {
        Err(ClvError::NotFinite {
            what: "interval".into(),
            row: index.saturating_add(1),
        })
    }
}

fn total(sum: f64, grad: &[f64], sigma: &[f64], z: f64) -> Result<Interval, ClvError> {
    let se = quadratic_form(grad, sigma).sqrt();
    let (lower, upper) = ends(sum, se, z, Scale::Log, 0).map_err(|_| ClvError::NotFinite {
        what: "interval of the total".into(),
        row: 1,
    })?;
    Ok(Interval {
        estimate: sum,
        lower,
        upper,
        standard_error: se,
    })
}

fn slice(c: &ClvColumns, start: usize, end: usize) -> ClvColumns {
    let part = |v: &[f64]| v.get(start..end.min(v.len())).unwrap_or(&[]).to_vec();
    ClvColumns {
        unit: c.unit,
        x: part(&c.x),
        t_x: part(&c.t_x),
        age: part(&c.age),
        monetary_value: part(&c.monetary_value),
    }
}

/// An error of a chunk, with its row counted over all the columns.
fn offset(e: ClvError, start: usize) -> ClvError {
    match e {
        ClvError::InvalidInput { field, row, rule } => ClvError::InvalidInput {
            field,
            row: row + start,
            rule,
        },
        ClvError::NotFinite { what, row } => ClvError::NotFinite {
            what,
            row: row + start,
        },
        other => other,
    }
}

fn append(to: &mut Predictions, p: Predictions) {
    to.p_alive.extend(p.p_alive);
    to.expected_purchases.extend(p.expected_purchases);
    to.expected_spend.extend(p.expected_spend);
    to.clv.extend(p.clv);
}

#[cfg(test)]
mod tests;
