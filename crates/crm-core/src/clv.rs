//! Customer lifetime value: the "buy till you die" (BTYD) models.
//!
//! docs/DOMAIN.md asks firms to move from one-off transactions to customer
//! lifetime value (section 3) and to predict each customer's next purchase
//! (section 4). A firm rarely sees a customer leave: in a *non-contractual*
//! setting the customer simply stops buying. The BTYD models separate the two
//! stories behind a quiet customer — "buys rarely" and "has gone" — from three
//! figures per customer: the number of repeat purchases `x` (frequency), the
//! time of the last one `t_x` (recency) and the time since the first `T`
//! (age), all on one clock (weeks for CDNOW). [`crate::records::summary::Summaries`]
//! produces exactly these columns.
//!
//! | model | module | setting | what it adds |
//! |---|---|---|---|
//! | BG/NBD | [`bg_nbd`] | continuous time, non-contractual | the easy, fast standard (Fader, Hardie & Lee 2005) |
//! | MBG/NBD | [`mbg_nbd`] | continuous time, non-contractual | a customer with no repeat purchase may also have left |
//! | Pareto/NBD | [`pareto_nbd`] | continuous time, non-contractual | dropout at any time, not only after a purchase |
//! | BG/BB | [`bg_bb`] | discrete periods (yes/no per period) | donations, yearly events |
//! | Gamma-Gamma | [`gamma_gamma`] | spend per transaction | the money side of CLV |
//! | sBG | [`sbg`] | contractual (renewals seen) | survival curve and retention rates |
//!
//! Every model is fitted by maximum likelihood ([`FitOptions`], [`Fitted`]):
//! deterministic starting values, a quasi-Newton search on the logarithms of
//! the parameters (they are all positive), a fit report, and standard errors
//! from the Hessian of the log-likelihood. The log-likelihood is always the
//! *total* over customers on the data's own clock, the figure the papers
//! publish. Identical customers are compressed into one weighted row
//! ([`RepeatData`]) before fitting: CDNOW's 2,357 customers become far fewer
//! rows, and 100,000 customers summarised on a daily clock compress too.
//!
//! Around the models: [`registry`] names them and dispatches fits and
//! predictions by name ([`registry::ModelKind`]); [`fit_set`] says which
//! customers each fit uses and counts the others; [`horizon`] turns months
//! into the summaries' clock; [`model_file`] is the versioned file of a
//! fitted purchase and spend model; [`choice`] compares fits (AIC, BIC,
//! likelihood-ratio test, holdout error) and chooses a model.
//!
//! Discounted lifetime value lives in [`value`]; the special functions
//! (log-gamma, log-beta, the Gauss hypergeometric function in log space) in
//! [`special`].
//!
//! ```
//! use crm_core::clv::{bg_nbd, FitOptions, RepeatData, RepeatModel};
//!
//! // x, t_x, T (weeks): 1,980 customers in ten distinct histories.
//! let x = [0.0, 0.0, 1.0, 1.0, 2.0, 3.0, 5.0, 8.0, 2.0, 1.0];
//! let t_x = [0.0, 0.0, 5.0, 20.0, 30.0, 25.0, 35.0, 37.0, 10.0, 2.0];
//! let age = [39.0, 30.0, 39.0, 30.0, 39.0, 38.0, 39.0, 38.0, 35.0, 20.0];
//! let weights = [800.0, 500.0, 150.0, 120.0, 100.0, 80.0, 50.0, 20.0, 60.0, 100.0];
//! let data = RepeatData::new(&x, &t_x, &age, Some(&weights))?;
//! assert_eq!(data.total_weight(), 1980.0);
//! let fit = bg_nbd::fit(&data, &FitOptions::default())?;
//! let p = fit.params.p_alive(2.0, 30.0, 39.0);
//! assert!((0.0..=1.0).contains(&p));
//! # Ok::<(), crm_core::clv::ClvError>(())
//! ```

pub mod beta_mixture;
pub mod bg_bb;
pub mod bg_nbd;
pub mod choice;
mod data;
pub mod fit_set;
pub mod fit_warning;
pub mod gamma_gamma;
pub mod holdout;
pub mod holdout_groups;
pub mod holdout_validation;
pub mod horizon;
pub mod intervals;
pub mod matrix;
pub mod mbg_nbd;
pub mod model_file;
mod optimize;
pub mod pareto_nbd;
pub mod pareto_nbd_pmf;
pub mod predicted_tiers;
pub mod registry;
pub mod repeat_choice;
pub mod sbg;
pub mod special;
pub mod tracking;
pub mod validation;
pub mod value;

use serde::{Deserialize, Serialize};

pub use data::{
    RepeatData, conditional_expected_purchases, expected_purchases, p_alive, p_purchases,
};
pub(crate) use data::{
    check_horizon, check_len, check_prediction_row, check_repeat_row, check_weight, invalid,
};

/// What went wrong in a CLV fit or prediction.
///
/// Messages name the field, the row (1-based data row) and the rule;
/// they never quote a customer's figures.
///
/// ```
/// use crm_core::clv::{ClvError, RepeatData};
/// let e = RepeatData::new(&[1.0], &[5.0], &[4.0], None).unwrap_err();
/// assert!(matches!(e, ClvError::InvalidInput { row: 1, .. }));
/// assert!(e.to_string().contains("t_x"));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum ClvError {
    /// Two columns that must be parallel have different lengths.
    #[error("column `{column}` has {found} rows, expected {expected}")]
    LengthMismatch {
        /// The column that does not match.
        column: String,
        /// Its length.
        found: usize,
        /// The length of the first column.
        expected: usize,
    },
    /// A value breaks a rule of the model's input.
    #[error("row {row}: `{field}` breaks the rule: {rule}")]
    InvalidInput {
        /// The column.
        field: String,
        /// The 1-based data row.
        row: usize,
        /// The rule broken.
        rule: String,
    },
    /// There is nothing to fit: no rows, or all weights zero.
    #[error("nothing to fit: {reason}")]
    NoData {
        /// Why.
        reason: String,
    },
    /// A model parameter or call argument breaks its rule (a horizon below
    /// zero, a negative discount rate, a parameter that is not positive).
    #[error("argument `{name}` breaks the rule: {rule}")]
    InvalidArgument {
        /// The argument.
        name: String,
        /// The rule broken.
        rule: String,
    },
    /// A prediction for one customer is not finite in `f64` under the model's
    /// parameters (extreme parameters, or a value beyond `f64`): refused
    /// rather than returned as NaN or infinity.
    #[error(
        "row {row}: the {what} of this customer is not finite under these model parameters (rule finite_prediction)"
    )]
    NotFinite {
        /// The prediction (`p_alive`, `conditional_expected_purchases`, `clv`, ...).
        what: String,
        /// The customer's 1-based data row.
        row: usize,
    },
    /// A horizon longer than [`horizon::MAX_PERIODS`] periods.
    #[error(
        "argument `{name}` breaks the rule horizon_limit: a horizon is at most {limit} periods (crm_core::clv::horizon::MAX_PERIODS)"
    )]
    HorizonTooLong {
        /// The argument (`months`, `periods`).
        name: String,
        /// The limit, [`horizon::MAX_PERIODS`].
        limit: u32,
    },
    /// Gamma-Gamma's expected spend is undefined for this customer: with
    /// `q <= 1` the population mean spend `pγ/(q − 1)` does not exist (the
    /// fitted spend distribution is too heavy-tailed), and a customer's
    /// conditional mean needs `p·x + q > 1`.
    #[error(
        "row {row}: the expected spend of this customer is undefined under this Gamma-Gamma model (rule mean_spend_undefined: q <= 1 has no population mean, and a repeat customer needs p*x + q > 1); use another spend estimate"
    )]
    SpendUndefined {
        /// The customer's 1-based data row.
        row: usize,
    },
    /// The optimiser stopped before it met its convergence criterion. The
    /// best point found is carried so that a caller may still use or inspect
    /// it.
    #[error(
        "the fit did not converge after {} iterations (gradient norm {:.3e}); the best point found is in the error",
        report.iterations, report.gradient_norm
    )]
    NotConverged {
        /// Parameter names, in the model's order.
        names: Vec<String>,
        /// The best parameters found, in the same order.
        best: Vec<f64>,
        /// The log-likelihood (total) at the best point.
        log_likelihood: f64,
        /// How the search went (boxed: it keeps every `ClvError` small).
        report: Box<FitReport>,
    },
    /// No model of a comparison converged ([`choice::choose`]): there is
    /// nothing that may be chosen, and a fit that stopped early is never
    /// chosen in its place.
    #[error(
        "no model converged ({}): none can be chosen (rule no_model_converged)",
        choice::kind_names(.models)
    )]
    NoModelConverged {
        /// The models compared, none of which converged, in comparison order.
        models: Vec<registry::ModelKind>,
    },
}

/// How to fit a model.
///
/// ```
/// use crm_core::clv::FitOptions;
/// let o = FitOptions { l2_penalty: 0.01, ..FitOptions::default() };
/// assert_eq!(o.max_iterations, 500);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct FitOptions {
    /// Coefficient of an L2 penalty `λ Σ θ²` on the natural parameters,
    /// added to the *mean* negative log-likelihood per customer (as lifetimes'
    /// `penalizer_coef`, so the same coefficient means the same thing). Zero
    /// (the default) is plain maximum likelihood.
    pub l2_penalty: f64,
    /// The most quasi-Newton iterations before giving up with
    /// [`ClvError::NotConverged`].
    pub max_iterations: usize,
    /// Convergence: the largest component of the gradient of the mean
    /// negative log-likelihood with respect to the log-parameters.
    pub gradient_tolerance: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            l2_penalty: 0.0,
            max_iterations: 500,
            gradient_tolerance: 1e-8,
        }
    }
}

/// How a fit went.
///
/// ```
/// use crm_core::clv::{bg_nbd, ClvError, FitOptions, RepeatData};
/// let data = RepeatData::new(&[0.0, 1.0, 3.0], &[0.0, 2.0, 9.0], &[10.0, 10.0, 10.0], Some(&[50.0, 30.0, 20.0]))?;
/// match bg_nbd::fit(&data, &FitOptions::default()) {
///     Ok(fit) => assert!(fit.report.converged),
///     // Three histories may not pin four parameters: the best point is kept.
///     Err(ClvError::NotConverged { best, report, .. }) => assert!(!report.converged && best.len() == 4),
///     Err(e) => return Err(e),
/// }
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct FitReport {
    /// Quasi-Newton (BFGS) iterations, over all restarts.
    pub iterations: usize,
    /// Objective evaluations, including those for numerical gradients.
    pub evaluations: usize,
    /// Whether the gradient criterion was met.
    pub converged: bool,
    /// Largest gradient component of the mean negative log-likelihood with
    /// respect to the log-parameters at the end.
    pub gradient_norm: f64,
    /// Whether the Nelder–Mead fallback was needed.
    pub used_simplex: bool,
    /// Deterministic starting points tried: 1 when the first one converged;
    /// up to [`FitReport::STARTS`] when a start failed and the search began
    /// again from the next (the start scaled by 10, by 1/10, then every
    /// parameter at 1). `iterations` and `evaluations` count them all.
    #[serde(default = "one_start")]
    pub starts: usize,
    /// The parameters the search drove to the edge of their range (below
    /// [`FitReport::EDGE`]⁻¹ or above [`FitReport::EDGE`]): the likelihood
    /// is flat in that direction, typically because a simpler model fits as
    /// well (for BG/NBD, `b` growing without bound is "nobody drops out").
    /// The fit converged, but such a parameter, and its standard error, say
    /// little. Empty when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at_bound: Vec<String>,
    /// The condition number of the observed information (the negative
    /// Hessian of the total log-likelihood) on the log-parameters, at the
    /// estimate: its largest over its smallest eigenvalue. On log-parameters
    /// it does not depend on the units of money or time. Near 1 every
    /// direction is pinned down alike; above about 10⁸ some combination of
    /// parameters is barely identified by the data (a ridge), and the
    /// standard errors of the parameters in it are unreliable. `None` when
    /// the matrix is not positive definite (then there are no standard
    /// errors either) or the fit did not converge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hessian_condition: Option<f64>,
}

fn one_start() -> usize {
    1
}

impl FitReport {
    /// The most starting points a fit tries.
    pub const STARTS: usize = 4;
    /// How far from 1 a parameter may go before it is at the edge of its
    /// range ([`FitReport::at_bound`]): 10⁸ (and 10⁻⁸).
    pub const EDGE: f64 = 1e8;
}

/// A fitted model: the parameters, the total log-likelihood, their standard
/// errors and the fit report.
///
/// `standard_errors` are the square roots of the diagonal of the inverse of
/// the negative Hessian of the total (unpenalised) log-likelihood at the
/// estimate, with the Hessian taken by central finite differences on the
/// natural parameters: of the analytic gradient (steps of 10⁻⁵ of each
/// parameter) for the models that have one (BG/NBD, MBG/NBD, Pareto/NBD,
/// Gamma-Gamma), else of the log-likelihood (steps of 10⁻⁴). `None` when
/// that matrix is not positive definite (a boundary or flat optimum).
///
/// ```
/// use crm_core::clv::{sbg, FitOptions};
/// let fit = sbg::fit_survivors(&[1000.0, 631.0, 468.0, 382.0], &FitOptions::default())?;
/// let json = serde_json::to_string(&fit).unwrap();
/// let back: crm_core::clv::Fitted<sbg::ShiftedBetaGeo> = serde_json::from_str(&json).unwrap();
/// assert_eq!(back, fit);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Fitted<P> {
    /// The maximum-likelihood parameters.
    pub params: P,
    /// The total log-likelihood at `params` (not a mean), on the data's clock.
    pub log_likelihood: f64,
    /// Standard errors, in the same shape as `params`.
    pub standard_errors: Option<P>,
    /// The covariance of the estimates (the inverse of the observed
    /// information), row-major in the order of [`Parameters::NAMES`]:
    /// what [`intervals`] propagates into predictions. Present exactly when
    /// `standard_errors` are (absent in files written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covariance: Option<Vec<f64>>,
    /// How the optimiser went.
    pub report: FitReport,
    /// The total weight (number of customers) fitted.
    pub customers: f64,
    /// The rows after compression of identical customers.
    pub rows: usize,
}

/// The parameters of a model as a named vector.
///
/// ```
/// use crm_core::clv::{bg_nbd::BetaGeo, Parameters};
/// let p = BetaGeo::from_values(&[0.243, 4.414, 0.793, 2.426]).unwrap();
/// assert_eq!(BetaGeo::NAMES, ["r", "alpha", "a", "b"]);
/// assert_eq!(p.values()[1], 4.414);
/// ```
pub trait Parameters: Sized {
    /// The names, in order.
    const NAMES: &'static [&'static str];
    /// The values, in the order of [`Parameters::NAMES`].
    fn values(&self) -> Vec<f64>;
    /// From values in that order; `None` when the count is wrong.
    fn from_values(values: &[f64]) -> Option<Self>;
    /// Checks that every parameter is finite and positive.
    ///
    /// # Errors
    ///
    /// [`ClvError::InvalidArgument`] naming the first parameter that is not.
    fn validate(&self) -> Result<(), ClvError> {
        for (name, v) in Self::NAMES.iter().zip(self.values()) {
            if !(v.is_finite() && v > 0.0) {
                return Err(ClvError::InvalidArgument {
                    name: (*name).to_owned(),
                    rule: "model parameters must be finite and greater than 0".into(),
                });
            }
        }
        Ok(())
    }
}

/// Implements [`Parameters`] for a struct of `f64` fields, in field order.
macro_rules! parameters {
    ($ty:ident { $($field:ident),+ }) => {
        impl $crate::clv::Parameters for $ty {
            const NAMES: &'static [&'static str] = &[$(stringify!($field)),+];
            fn values(&self) -> Vec<f64> {
                vec![$(self.$field),+]
            }
            fn from_values(values: &[f64]) -> Option<Self> {
                let mut it = values.iter().copied();
                let p = $ty { $($field: it.next()?),+ };
                if it.next().is_some() { None } else { Some(p) }
            }
        }
    };
}
use parameters;

/// The predictions shared by the continuous-time repeat-purchase models
/// (BG/NBD, MBG/NBD, Pareto/NBD). Scalars in, scalars out; the column forms
/// with input checks are [`p_alive`], [`conditional_expected_purchases`] and
/// friends in this module.
///
/// ```
/// use crm_core::clv::{bg_nbd::BetaGeo, RepeatModel};
/// let m = BetaGeo { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
/// let e = m.conditional_expected_purchases(39.0, 2.0, 30.43, 38.86);
/// assert!((e - 1.226).abs() < 5e-4);
/// ```
pub trait RepeatModel {
    /// Log-likelihood of one customer with `x` repeat purchases, the last at
    /// `t_x`, observed for `age`.
    fn log_likelihood_one(&self, x: f64, t_x: f64, age: f64) -> f64;
    /// Probability that the customer is still alive at `age`.
    fn p_alive(&self, x: f64, t_x: f64, age: f64) -> f64;
    /// Expected repeat purchases of a new customer in `(0, t]`.
    fn expected_purchases(&self, t: f64) -> f64;
    /// Expected purchases in `(age, age + t]` given the customer's history.
    fn conditional_expected_purchases(&self, t: f64, x: f64, t_x: f64, age: f64) -> f64;
    /// Expected purchases given the history `h = [x, t_x, age]` in each of
    /// `n` periods of length `period` after `age`: element `k − 1` is the expectation for
    /// `(age + (k−1)·period, age + k·period]`, what a discounted lifetime
    /// value sums ([`value`]). A value that is not finite is passed on for
    /// the caller to refuse. By default the differences of
    /// [`RepeatModel::conditional_expected_purchases`] at the period ends;
    /// models override it with the same figures at a lower cost.
    fn conditional_purchases_by_period(&self, period: f64, n: u32, h: [f64; 3]) -> Vec<f64> {
        let [x, t_x, age] = h;
        increments(period, n, |t| {
            self.conditional_expected_purchases(t, x, t_x, age)
        })
    }
    /// Probability that a new customer makes exactly `n` repeat purchases in
    /// `(0, t]`.
    fn p_purchases(&self, n: u32, t: f64) -> f64;
}

/// `f(k·period) − f((k−1)·period)` for `k = 1..=n`, with `f(0) = 0`: the
/// per-period figures of a cumulative expectation.
pub(crate) fn increments(period: f64, n: u32, mut f: impl FnMut(f64) -> f64) -> Vec<f64> {
    let mut before = 0.0;
    (1..=n)
        .map(|k| {
            let now = f(f64::from(k) * period);
            let increment = now - before;
            before = now;
            increment
        })
        .collect()
}

/// The total log-likelihood with its gradient on the natural parameters
/// (fills the gradient, returns the log-likelihood).
type LlGradient<'a> = &'a dyn Fn(&[f64], &mut [f64]) -> f64;

/// Fits any model given its mean-negative-log-likelihood closure on the
/// natural parameters; shared by the model modules.
fn fit_model<P: Parameters>(
    start: &[f64],
    customers: f64,
    rows: usize,
    options: &FitOptions,
    total_ll: &dyn Fn(&[f64]) -> f64,
    gradient: Option<LlGradient<'_>>,
) -> Result<Fitted<P>, ClvError> {
    if !(options.l2_penalty.is_finite() && options.l2_penalty >= 0.0) {
        return Err(ClvError::InvalidArgument {
            name: "l2_penalty".into(),
            rule: "must be finite and >= 0".into(),
        });
    }
    if !(options.gradient_tolerance.is_finite() && options.gradient_tolerance > 0.0) {
        return Err(ClvError::InvalidArgument {
            name: "gradient_tolerance".into(),
            rule: "must be finite and > 0".into(),
        });
    }
    let lambda = options.l2_penalty;
    let objective = |theta: &[f64]| -> f64 {
        let mut p = [0.0; 8];
        let p = &mut p[..theta.len()];
        for (pi, t) in p.iter_mut().zip(theta) {
            *pi = t.exp();
        }
        let ll = total_ll(p);
        let penalty: f64 = p.iter().map(|v| v * v).sum::<f64>() * lambda;
        let v = -ll / customers + penalty;
        if v.is_finite() { v } else { f64::INFINITY }
    };
    // d/dθ of the objective from d(ll)/dp: chain rule through p = e^θ.
    let grad_theta = |theta: &[f64], out: &mut [f64]| -> f64 {
        let Some(g) = gradient else {
            return f64::INFINITY;
        };
        let (mut p, mut dp) = ([0.0; 8], [0.0; 8]);
        let n = theta.len();
        for (pi, t) in p.iter_mut().zip(theta) {
            *pi = t.exp();
        }
        let ll = g(&p[..n], &mut dp[..n]);
        for i in 0..n {
            out[i] = -p[i] * dp[i] / customers + 2.0 * lambda * p[i] * p[i];
        }
        let penalty: f64 = p[..n].iter().map(|v| v * v).sum::<f64>() * lambda;
        let v = -ll / customers + penalty;
        if v.is_finite() { v } else { f64::INFINITY }
    };
    let analytic: Option<optimize::Gradient<'_>> =
        gradient.map(|_| &grad_theta as optimize::Gradient<'_>);
    let (mut o, ok) = search_from_starts(start, &objective, analytic, options);
    let natural: Vec<f64> = o.theta.iter().map(|t| t.exp()).collect();
    // The gradient pass returns the log-likelihood too, and costs less than
    // the value-only pass of the large-data models (whose per-time caches
    // it has).
    let ll = match gradient {
        Some(g) => {
            let mut scratch = [0.0; 8];
            g(&natural, &mut scratch[..natural.len()])
        }
        None => total_ll(&natural),
    };
    if !ok {
        return Err(ClvError::NotConverged {
            names: P::NAMES.iter().map(|s| (*s).to_owned()).collect(),
            best: natural,
            log_likelihood: ll,
            report: Box::new(o.report),
        });
    }
    let precision = match gradient {
        Some(g) => optimize::precision_from_gradient(g, &natural),
        None => optimize::precision(total_ll, &natural),
    };
    o.report.hessian_condition = precision.condition;
    o.report.at_bound = P::NAMES
        .iter()
        .zip(&natural)
        .filter(|(_, v)| !(1.0 / FitReport::EDGE..=FitReport::EDGE).contains(*v))
        .map(|(n, _)| (*n).to_owned())
        .collect();
    let se = precision.standard_errors.and_then(|v| P::from_values(&v));
    let params = P::from_values(&natural).ok_or_else(|| ClvError::InvalidArgument {
        name: "parameters".into(),
        rule: "internal: wrong parameter count".into(),
    })?;
    Ok(Fitted {
        params,
        log_likelihood: ll,
        standard_errors: se,
        covariance: precision.covariance,
        report: o.report,
        customers,
        rows,
    })
}

/// Minimises `objective` (on the log-parameters) from the log of `start`,
/// and, when that search does not converge, from the next deterministic
/// start ([`FitReport::starts`]) until one does: a start far from the
/// optimum can fail where another succeeds. Returns the first converged
/// search, or the best point of all when none converged, with the counts of
/// every search.
fn search_from_starts(
    start: &[f64],
    objective: &dyn Fn(&[f64]) -> f64,
    analytic: Option<optimize::Gradient<'_>>,
    options: &FitOptions,
) -> (optimize::Outcome, bool) {
    let log_start: Vec<f64> = start.iter().map(|v| v.ln()).collect();
    let shifted = |by: f64| -> Vec<f64> { log_start.iter().map(|t| t + by).collect() };
    let starts: [Vec<f64>; FitReport::STARTS] = [
        log_start.clone(),
        shifted(std::f64::consts::LN_10),
        shifted(-std::f64::consts::LN_10),
        vec![0.0; start.len()],
    ];
    let run = |theta0: &[f64]| match optimize::minimise(objective, analytic, theta0, options) {
        Ok(o) => (o, true),
        Err(o) => (o, false),
    };
    let (first, ok) = run(&starts[0]);
    if ok {
        return (first, true);
    }
    let (mut iterations, mut evaluations) = (first.report.iterations, first.report.evaluations);
    let mut best = (objective(&first.theta), first);
    for (k, theta0) in starts.iter().enumerate().skip(1) {
        let (o, ok) = run(theta0);
        iterations += o.report.iterations;
        evaluations += o.report.evaluations;
        let value = objective(&o.theta);
        if ok || value < best.0 {
            best = (value, o);
        }
        best.1.report.iterations = iterations;
        best.1.report.evaluations = evaluations;
        best.1.report.starts = k + 1;
        if ok {
            return (best.1, true);
        }
    }
    (best.1, false)
}

/// `ln(e^u + e^v)` without overflow.
fn log_add_exp(u: f64, v: f64) -> f64 {
    if u == f64::NEG_INFINITY {
        return v;
    }
    if v == f64::NEG_INFINITY {
        return u;
    }
    let (hi, lo) = if u > v { (u, v) } else { (v, u) };
    hi + (lo - hi).exp().ln_1p()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_converged_fit_reports_its_starts_bounds_and_condition() {
        let fit = bg_nbd::fit(&tests_data::cdnow(), &FitOptions::default()).unwrap();
        let r = &fit.report;
        assert!(
            r.converged && r.starts == 1 && r.at_bound.is_empty(),
            "{r:?}"
        );
        // The published CDNOW fit is well identified: a finite condition
        // well below the weak-identification threshold, and above 1 (the
        // four parameters are not pinned down equally).
        let c = r.hessian_condition.unwrap();
        assert!(
            c > 1.0 && c < registry::FitWarning::WEAKLY_IDENTIFIED_ABOVE,
            "{c}"
        );
        let json = serde_json::to_string(&fit).unwrap();
        let back: Fitted<bg_nbd::BetaGeo> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, fit);
        // A saved report of before these fields still reads (one start).
        let old = r#"{"iterations":3,"evaluations":9,"converged":true,"gradient_norm":1e-9,"used_simplex":false}"#;
        let old: FitReport = serde_json::from_str(old).unwrap();
        assert_eq!(
            (old.starts, old.at_bound.len(), old.hessian_condition),
            (1, 0, None)
        );
    }

    #[test]
    fn a_fit_that_fails_from_every_start_says_so_and_counts_them_all() {
        let options = FitOptions {
            max_iterations: 1,
            ..FitOptions::default()
        };
        let one = |o: &FitOptions| match bg_nbd::fit(&tests_data::cdnow(), o) {
            Err(ClvError::NotConverged { report, .. }) => *report,
            other => panic!("{other:?}"),
        };
        let r = one(&options);
        assert_eq!((r.converged, r.starts), (false, FitReport::STARTS), "{r:?}");
        // Every start's iterations are counted: more than one search makes.
        assert!(r.iterations >= FitReport::STARTS, "{r:?}");
    }

    #[test]
    fn a_parameter_driven_to_the_edge_is_reported_and_warned() {
        // Every customer bought at the same steady pace up to the end: no
        // sign of dropout, so BG/NBD's dropout odds go to zero (a → 0 or
        // b → ∞) and the model reduces to the NBD.
        let n = 200;
        let x: Vec<f64> = (0..n).map(|i| f64::from(1 + i % 5)).collect();
        let t_x: Vec<f64> = vec![40.0; n as usize];
        let age: Vec<f64> = vec![40.0; n as usize];
        let f = registry::fit(
            registry::ModelKind::BgNbd,
            &[&x, &t_x, &age],
            None,
            &FitOptions::default(),
        );
        let f = f.unwrap();
        let r = f.model.report();
        // The dropout odds go to zero (a); the purchase rates are hardly
        // heterogeneous either, so r and alpha may grow together.
        assert!(r.converged && r.at_bound.contains(&"a".to_owned()), "{r:?}");
        assert!(f.warnings.contains(&registry::FitWarning::ParameterAtBound));
        // So flat a likelihood leaves no usable information matrix.
        assert_eq!(r.hessian_condition, None);
        assert!(f.warnings.contains(&registry::FitWarning::WeaklyIdentified));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// log_add_exp agrees with the naive sum where that is safe.
        #[test]
        fn log_add_exp_matches_naive_sum(u in -50.0_f64..50.0, v in -50.0_f64..50.0) {
            let naive = (u.exp() + v.exp()).ln();
            prop_assert!((log_add_exp(u, v) - naive).abs() < 1e-12 * naive.abs().max(1.0));
        }
    }
}

/// The bundled public data sets, for the golden tests.
#[cfg(test)]
pub(crate) mod tests_data {
    use super::RepeatData;

    const CDNOW: &str =
        include_str!("../../../examples/data/cdnow_customers_summary_with_transactions.csv");
    const DONATIONS: &str = include_str!("../../../examples/data/donations.csv");

    /// The CDNOW columns `x, t_x, T, zbar` (weeks, 2,357 customers).
    pub(crate) fn cdnow_columns() -> [Vec<f64>; 4] {
        let mut cols: [Vec<f64>; 4] = Default::default();
        for line in CDNOW.lines().skip(1) {
            let f: Vec<f64> = line
                .split(',')
                .skip(1)
                .map(|v| v.trim().parse().unwrap())
                .collect();
            for (c, v) in cols.iter_mut().zip(f) {
                c.push(v);
            }
        }
        cols
    }

    pub(crate) fn cdnow() -> RepeatData {
        let [x, t_x, age, _] = cdnow_columns();
        RepeatData::new(&x, &t_x, &age, None).unwrap()
    }

    /// The donations columns `frequency, recency, periods, weights`.
    pub(crate) fn donations() -> [Vec<f64>; 4] {
        let mut cols: [Vec<f64>; 4] = Default::default();
        for line in DONATIONS.lines().skip(1) {
            let f: Vec<f64> = line.split(',').map(|v| v.trim().parse().unwrap()).collect();
            for (c, v) in cols.iter_mut().zip(f) {
                c.push(v);
            }
        }
        cols
    }
}
