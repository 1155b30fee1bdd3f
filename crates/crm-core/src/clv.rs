//! Customer lifetime value: the "buy till you die" (BTYD) models.
//!
//! DOMAIN.md asks firms to move from one-off transactions to customer
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

pub mod bg_bb;
pub mod bg_nbd;
pub mod gamma_gamma;
pub mod mbg_nbd;
mod optimize;
pub mod pareto_nbd;
pub mod sbg;
pub mod special;
pub mod value;

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};
use serde::{Deserialize, Serialize};

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
        /// How the search went.
        report: FitReport,
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
    /// Probability that a new customer makes exactly `n` repeat purchases in
    /// `(0, t]`.
    fn p_purchases(&self, n: u32, t: f64) -> f64;
}

/// The repeat-purchase summaries of a customer base, compressed: identical
/// `(x, t_x, T)` customers become one row with the sum of their weights.
///
/// Built from columns (slices), so Arrow or numpy columns pass without a
/// per-row object. The rules, each an [`ClvError::InvalidInput`] naming field
/// and row:
///
/// - every value finite; `x` a whole number `>= 0`; `T > 0`; `0 <= t_x <= T`;
/// - `x = 0` exactly when `t_x = 0` (no repeat purchase, no recency);
/// - weights finite and `>= 0` (rows of weight zero are dropped).
///
/// ```
/// use crm_core::clv::RepeatData;
/// let d = RepeatData::new(&[0.0, 0.0, 1.0], &[0.0, 0.0, 3.0], &[5.0, 5.0, 5.0], Some(&[1.0, 2.0, 1.0]))?;
/// assert_eq!(d.rows(), 2);
/// assert_eq!(d.total_weight(), 4.0);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct RepeatData {
    x: Vec<f64>,
    t_x: Vec<f64>,
    age: Vec<f64>,
    weight: Vec<f64>,
    /// Index of each row's `x` in `distinct_x`.
    x_index: Vec<u32>,
    distinct_x: Vec<f64>,
    total_weight: f64,
}

fn check_len(column: &str, found: usize, expected: usize) -> Result<(), ClvError> {
    if found == expected {
        Ok(())
    } else {
        Err(ClvError::LengthMismatch {
            column: column.into(),
            found,
            expected,
        })
    }
}

/// The error of the value at 0-based `index` of a column: reported as the
/// 1-based data row `index + 1`, as every crm-core error counts rows.
fn invalid(field: &str, index: usize, rule: &str) -> ClvError {
    ClvError::InvalidInput {
        field: field.into(),
        row: index.saturating_add(1),
        rule: rule.into(),
    }
}

/// Checks one customer's `(x, t_x, T)` against the rules of [`RepeatData`].
fn check_repeat_row(row: usize, x: f64, t_x: f64, age: f64) -> Result<(), ClvError> {
    if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0) {
        return Err(invalid(
            "x",
            row,
            "frequency must be a finite whole number >= 0",
        ));
    }
    if !(age.is_finite() && age > 0.0) {
        return Err(invalid("T", row, "age must be finite and > 0"));
    }
    if !(t_x.is_finite() && t_x >= 0.0) {
        return Err(invalid("t_x", row, "recency must be finite and >= 0"));
    }
    if t_x > age {
        return Err(invalid(
            "t_x",
            row,
            "recency must not exceed age (t_x <= T)",
        ));
    }
    if x == 0.0 && t_x != 0.0 {
        return Err(invalid("t_x", row, "recency must be 0 when frequency is 0"));
    }
    if x > 0.0 && t_x == 0.0 {
        return Err(invalid(
            "t_x",
            row,
            "recency must be > 0 when frequency is > 0",
        ));
    }
    Ok(())
}

fn check_weight(row: usize, w: f64) -> Result<(), ClvError> {
    if w.is_finite() && w >= 0.0 {
        Ok(())
    } else {
        Err(invalid("weights", row, "weights must be finite and >= 0"))
    }
}

impl RepeatData {
    /// Checks and compresses the columns `x`, `t_x`, `T` (here `age`) and
    /// optional `weights` (default 1 per row).
    ///
    /// # Errors
    ///
    /// [`ClvError::LengthMismatch`] when the columns differ in length;
    /// [`ClvError::InvalidInput`] for the first row that breaks a rule (see
    /// the type's docs).
    ///
    /// ```
    /// use crm_core::clv::{ClvError, RepeatData};
    /// let e = RepeatData::new(&[0.0], &[1.0], &[5.0], None).unwrap_err();
    /// assert!(matches!(e, ClvError::InvalidInput { ref field, row: 1, .. } if field == "t_x"));
    /// ```
    pub fn new(
        x: &[f64],
        t_x: &[f64],
        age: &[f64],
        weights: Option<&[f64]>,
    ) -> Result<RepeatData, ClvError> {
        let n = x.len();
        check_len("t_x", t_x.len(), n)?;
        check_len("T", age.len(), n)?;
        if let Some(w) = weights {
            check_len("weights", w.len(), n)?;
        }
        // The table holds indices into `keys` (4 bytes a slot, not 32), so
        // that it stays in cache: on 100,000 customers the probes of a wider
        // table were most of the compression's time.
        let hasher = DefaultHashBuilder::default();
        let mut slot: HashTable<u32> = HashTable::with_capacity(n.min(1 << 16));
        let mut bits: Vec<(u64, u64, u64)> = Vec::new();
        let mut keys: Vec<(f64, f64, f64, f64)> = Vec::new();
        for i in 0..n {
            check_repeat_row(i, x[i], t_x[i], age[i])?;
            let w = weights.map_or(1.0, |w| w[i]);
            check_weight(i, w)?;
            if w == 0.0 {
                continue;
            }
            // +0.0 normalises -0.0 so that the bit patterns compare as values.
            let key = (
                (x[i] + 0.0).to_bits(),
                (t_x[i] + 0.0).to_bits(),
                (age[i] + 0.0).to_bits(),
            );
            let hash = hasher.hash_one(key);
            match slot.find(hash, |&k| bits[k as usize] == key) {
                Some(&k) => keys[k as usize].3 += w,
                None => {
                    slot.insert_unique(hash, keys.len() as u32, |&k| {
                        hasher.hash_one(bits[k as usize])
                    });
                    bits.push(key);
                    keys.push((x[i] + 0.0, t_x[i] + 0.0, age[i] + 0.0, w));
                }
            }
        }
        // Sorted rows make the likelihood's summation order, and so the fit,
        // independent of the input order.
        // Radix order of finite values >= +0.0 is numeric order; about five
        // times faster than a comparison sort on 27,000 distinct rows.
        radsort::sort_by_key(&mut keys, |k| (k.0, k.1, k.2));
        let mut d = RepeatData {
            x: Vec::with_capacity(keys.len()),
            t_x: Vec::with_capacity(keys.len()),
            age: Vec::with_capacity(keys.len()),
            weight: Vec::with_capacity(keys.len()),
            x_index: Vec::with_capacity(keys.len()),
            distinct_x: Vec::new(),
            total_weight: 0.0,
        };
        for (xi, ti, ai, wi) in keys {
            if d.distinct_x.last() != Some(&xi) {
                d.distinct_x.push(xi);
            }
            d.x_index.push((d.distinct_x.len() - 1) as u32);
            d.x.push(xi);
            d.t_x.push(ti);
            d.age.push(ai);
            d.weight.push(wi);
            d.total_weight += wi;
        }
        Ok(d)
    }

    /// The number of rows after compression.
    ///
    /// ```
    /// use crm_core::clv::RepeatData;
    /// assert_eq!(RepeatData::new(&[], &[], &[], None)?.rows(), 0);
    /// # Ok::<(), crm_core::clv::ClvError>(())
    /// ```
    pub fn rows(&self) -> usize {
        self.x.len()
    }

    /// The sum of the weights: the number of customers.
    ///
    /// ```
    /// use crm_core::clv::RepeatData;
    /// assert_eq!(RepeatData::new(&[1.0], &[1.0], &[2.0], Some(&[3.0]))?.total_weight(), 3.0);
    /// # Ok::<(), crm_core::clv::ClvError>(())
    /// ```
    pub fn total_weight(&self) -> f64 {
        self.total_weight
    }

    /// The compressed rows as `(x, t_x, T, weight)`, sorted.
    ///
    /// ```
    /// use crm_core::clv::RepeatData;
    /// let d = RepeatData::new(&[1.0, 0.0], &[1.0, 0.0], &[2.0, 2.0], None)?;
    /// assert_eq!(d.iter().next(), Some((0.0, 0.0, 2.0, 1.0)));
    /// # Ok::<(), crm_core::clv::ClvError>(())
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (f64, f64, f64, f64)> + '_ {
        (0..self.x.len()).map(|i| (self.x[i], self.t_x[i], self.age[i], self.weight[i]))
    }

    /// The total weighted log-likelihood of `model` over the data.
    ///
    /// ```
    /// use crm_core::clv::{bg_nbd::BetaGeo, RepeatData};
    /// let d = RepeatData::new(&[0.0], &[0.0], &[39.0], None)?;
    /// let m = BetaGeo { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    /// assert!(d.log_likelihood(&m) < 0.0);
    /// # Ok::<(), crm_core::clv::ClvError>(())
    /// ```
    pub fn log_likelihood<M: RepeatModel>(&self, model: &M) -> f64 {
        self.iter()
            .map(|(x, t_x, a, w)| w * model.log_likelihood_one(x, t_x, a))
            .sum()
    }

    fn require_some(&self) -> Result<(), ClvError> {
        if self.total_weight > 0.0 {
            Ok(())
        } else {
            Err(ClvError::NoData {
                reason: "no customers with positive weight".into(),
            })
        }
    }
}

fn check_horizon(name: &str, t: f64) -> Result<(), ClvError> {
    if t.is_finite() && t >= 0.0 {
        Ok(())
    } else {
        Err(ClvError::InvalidArgument {
            name: name.into(),
            rule: "must be finite and >= 0".into(),
        })
    }
}

fn per_row<F: Fn(f64, f64, f64) -> f64>(
    x: &[f64],
    t_x: &[f64],
    age: &[f64],
    f: F,
) -> Result<Vec<f64>, ClvError> {
    check_len("t_x", t_x.len(), x.len())?;
    check_len("T", age.len(), x.len())?;
    let mut out = Vec::with_capacity(x.len());
    for i in 0..x.len() {
        check_repeat_row(i, x[i], t_x[i], age[i])?;
        out.push(f(x[i], t_x[i], age[i]));
    }
    Ok(out)
}

/// P(alive) for each customer (columns in, a column out).
///
/// # Errors
///
/// [`ClvError::LengthMismatch`] or [`ClvError::InvalidInput`] as for
/// [`RepeatData::new`]; [`ClvError::InvalidArgument`] for a parameter that is
/// not positive.
///
/// ```
/// use crm_core::clv::{p_alive, bg_nbd::BetaGeo};
/// let m = BetaGeo { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
/// let p = p_alive(&m, &[0.0, 2.0], &[0.0, 30.43], &[38.86, 38.86])?;
/// assert_eq!(p[0], 1.0); // BG/NBD: no repeat purchase, no chance to leave
/// assert!(p[1] < 1.0);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn p_alive<M: RepeatModel + Parameters>(
    model: &M,
    x: &[f64],
    t_x: &[f64],
    age: &[f64],
) -> Result<Vec<f64>, ClvError> {
    model.validate()?;
    per_row(x, t_x, age, |x, t_x, a| model.p_alive(x, t_x, a))
}

/// Expected purchases in the next `t` periods of each customer, given the
/// history (columns in, a column out).
///
/// # Errors
///
/// As [`p_alive`], and [`ClvError::InvalidArgument`] when `t` is negative or
/// not finite.
///
/// ```
/// use crm_core::clv::{conditional_expected_purchases, bg_nbd::BetaGeo};
/// let m = BetaGeo { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
/// let e = conditional_expected_purchases(&m, 39.0, &[2.0], &[30.43], &[38.86])?;
/// assert!((e[0] - 1.226).abs() < 5e-4);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn conditional_expected_purchases<M: RepeatModel + Parameters>(
    model: &M,
    t: f64,
    x: &[f64],
    t_x: &[f64],
    age: &[f64],
) -> Result<Vec<f64>, ClvError> {
    model.validate()?;
    check_horizon("t", t)?;
    per_row(x, t_x, age, |x, t_x, a| {
        model.conditional_expected_purchases(t, x, t_x, a)
    })
}

/// Expected repeat purchases of a new customer in `(0, t]` for each `t`.
///
/// # Errors
///
/// [`ClvError::InvalidArgument`] when a `t` is negative or not finite, or a
/// parameter is not positive.
///
/// ```
/// use crm_core::clv::{expected_purchases, bg_nbd::BetaGeo};
/// let m = BetaGeo { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
/// let e = expected_purchases(&m, &[0.0, 39.0, 78.0])?;
/// assert!(e[0] == 0.0 && e[1] < e[2]);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn expected_purchases<M: RepeatModel + Parameters>(
    model: &M,
    t: &[f64],
) -> Result<Vec<f64>, ClvError> {
    model.validate()?;
    t.iter()
        .map(|&t| {
            check_horizon("t", t)?;
            Ok(model.expected_purchases(t))
        })
        .collect()
}

/// P(a new customer makes exactly `n` repeat purchases in `(0, t]`) for each
/// `n` in `n`.
///
/// # Errors
///
/// As [`expected_purchases`].
///
/// ```
/// use crm_core::clv::{p_purchases, bg_nbd::BetaGeo};
/// let m = BetaGeo { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
/// let p = p_purchases(&m, &[0, 1, 2], 39.0)?;
/// assert!((p[0] - 0.5737864).abs() < 1e-6);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn p_purchases<M: RepeatModel + Parameters>(
    model: &M,
    n: &[u32],
    t: f64,
) -> Result<Vec<f64>, ClvError> {
    model.validate()?;
    check_horizon("t", t)?;
    Ok(n.iter().map(|&n| model.p_purchases(n, t)).collect())
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
    let theta0: Vec<f64> = start.iter().map(|v| v.ln()).collect();
    let analytic: Option<optimize::Gradient<'_>> =
        gradient.map(|_| &grad_theta as optimize::Gradient<'_>);
    let outcome = optimize::minimise(&objective, analytic, &theta0, options);
    let (o, ok) = match outcome {
        Ok(o) => (o, true),
        Err(o) => (o, false),
    };
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
            report: o.report,
        });
    }
    let se = match gradient {
        Some(g) => optimize::standard_errors_from_gradient(g, &natural),
        None => optimize::standard_errors(total_ll, &natural),
    }
    .and_then(|v| P::from_values(&v));
    let params = P::from_values(&natural).ok_or_else(|| ClvError::InvalidArgument {
        name: "parameters".into(),
        rule: "internal: wrong parameter count".into(),
    })?;
    Ok(Fitted {
        params,
        log_likelihood: ll,
        standard_errors: se,
        report: o.report,
        customers,
        rows,
    })
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
    fn bad_rows_name_field_and_row() {
        let e = RepeatData::new(&[0.0, 1.5], &[0.0, 1.0], &[2.0, 2.0], None).unwrap_err();
        assert_eq!(
            e,
            invalid("x", 1, "frequency must be a finite whole number >= 0")
        );
        let e = RepeatData::new(&[1.0], &[0.0], &[2.0], None).unwrap_err();
        assert!(matches!(e, ClvError::InvalidInput { ref field, .. } if field == "t_x"));
        let e = RepeatData::new(&[1.0], &[f64::NAN], &[2.0], None).unwrap_err();
        assert!(matches!(e, ClvError::InvalidInput { ref field, .. } if field == "t_x"));
        let e = RepeatData::new(&[1.0], &[1.0], &[2.0], Some(&[-1.0])).unwrap_err();
        assert!(matches!(e, ClvError::InvalidInput { ref field, .. } if field == "weights"));
        let e = RepeatData::new(&[1.0], &[1.0, 2.0], &[2.0], None).unwrap_err();
        assert!(matches!(e, ClvError::LengthMismatch { .. }));
        let e = bg_nbd::fit(
            &RepeatData::new(&[], &[], &[], None).unwrap(),
            &FitOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(e, ClvError::NoData { .. }));
    }

    #[test]
    fn compression_is_independent_of_order() {
        let a =
            RepeatData::new(&[1.0, 0.0, 1.0], &[2.0, 0.0, 2.0], &[3.0, 3.0, 3.0], None).unwrap();
        let b =
            RepeatData::new(&[0.0, 1.0, 1.0], &[0.0, 2.0, 2.0], &[3.0, 3.0, 3.0], None).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.rows(), 2);
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
