//! The shifted-beta-geometric (sBG) model of contractual retention (Fader &
//! Hardie 2007, "How to project customer retention").
//!
//! In a contractual setting (subscriptions, memberships) the firm sees each
//! customer leave. Each customer renews every period with a constant
//! probability 1 − θ, and θ varies across customers as Beta(α, β). Because
//! the customers most likely to leave go first, the *aggregate* retention
//! rate rises over time: `r(t) = (β + t − 1) / (α + β + t − 1)`. Projecting a
//! constant retention rate, as a naive analyst would, underestimates the
//! long-run value of the base; the sBG fit from a few periods does not.
//!
//! The data are the survivors of a cohort at the end of periods 0, 1, …, n.
//! Fitted on years 1..7 of the paper's two series the fit reproduces
//! "regular" α = 0.704, β = 1.182 and "high end" α = 0.668, β = 3.806.
//!
//! ```
//! use crm_core::clv::sbg::{fit_survivors, ShiftedBetaGeo};
//! use crm_core::clv::FitOptions;
//! let regular = [1000.0, 631.0, 468.0, 382.0, 326.0, 289.0, 262.0, 241.0];
//! let fit = fit_survivors(&regular, &FitOptions::default())?;
//! assert!((fit.params.alpha - 0.704).abs() < 5e-4);
//! assert!(fit.params.retention_rate(8) > fit.params.retention_rate(1)); // retention rises
//! # Ok::<(), crm_core::clv::ClvError>(())
//! ```

use serde::{Deserialize, Serialize};

use super::special::ln_beta;
use super::{ClvError, FitOptions, Fitted, Parameters, fit_model, invalid};

/// sBG parameters: the churn probability θ ~ Beta(α, β).
///
/// ```
/// use crm_core::clv::sbg::ShiftedBetaGeo;
/// let m = ShiftedBetaGeo { alpha: 0.704, beta: 1.182 };
/// assert_eq!(m.survival(0), 1.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct ShiftedBetaGeo {
    /// Churn Beta, first shape.
    pub alpha: f64,
    /// Churn Beta, second shape.
    pub beta: f64,
}

super::parameters!(ShiftedBetaGeo { alpha, beta });

impl ShiftedBetaGeo {
    /// `S(t) = B(α, β + t) / B(α, β)`: the share of a cohort still active
    /// after `t` periods.
    ///
    /// ```
    /// use crm_core::clv::sbg::ShiftedBetaGeo;
    /// let m = ShiftedBetaGeo { alpha: 0.704, beta: 1.182 };
    /// assert!(m.survival(2) < m.survival(1));
    /// ```
    pub fn survival(&self, t: u32) -> f64 {
        (ln_beta(self.alpha, self.beta + f64::from(t)) - ln_beta(self.alpha, self.beta)).exp()
    }

    /// `P(T = t) = B(α + 1, β + t − 1) / B(α, β)`: the share of a cohort that
    /// leaves in period `t >= 1` (0 for `t = 0`).
    ///
    /// ```
    /// use crm_core::clv::sbg::ShiftedBetaGeo;
    /// let m = ShiftedBetaGeo { alpha: 0.704, beta: 1.182 };
    /// assert!((m.churn(1) - (1.0 - m.survival(1))).abs() < 1e-12);
    /// ```
    pub fn churn(&self, t: u32) -> f64 {
        if t == 0 {
            return 0.0;
        }
        (ln_beta(self.alpha + 1.0, self.beta + f64::from(t) - 1.0) - ln_beta(self.alpha, self.beta))
            .exp()
    }

    /// The retention rate of period `t >= 1`, `S(t) / S(t − 1) = (β + t − 1)
    /// / (α + β + t − 1)`.
    ///
    /// ```
    /// use crm_core::clv::sbg::ShiftedBetaGeo;
    /// let m = ShiftedBetaGeo { alpha: 0.704, beta: 1.182 };
    /// assert!((m.retention_rate(1) - m.survival(1)).abs() < 1e-12);
    /// ```
    pub fn retention_rate(&self, t: u32) -> f64 {
        let t = f64::from(t.max(1));
        (self.beta + t - 1.0) / (self.alpha + self.beta + t - 1.0)
    }

    /// Survival `S(0..=periods)` as a curve.
    ///
    /// ```
    /// use crm_core::clv::sbg::ShiftedBetaGeo;
    /// assert_eq!(ShiftedBetaGeo { alpha: 1.0, beta: 1.0 }.survival_curve(3).len(), 4);
    /// ```
    pub fn survival_curve(&self, periods: u32) -> Vec<f64> {
        (0..=periods).map(|t| self.survival(t)).collect()
    }

    /// Log-likelihood of survivor counts (see [`fit_survivors`]).
    ///
    /// ```
    /// use crm_core::clv::sbg::ShiftedBetaGeo;
    /// assert!(ShiftedBetaGeo { alpha: 1.0, beta: 1.0 }.log_likelihood(&[100.0, 50.0]) < 0.0);
    /// ```
    pub fn log_likelihood(&self, survivors: &[f64]) -> f64 {
        let n = survivors.len().saturating_sub(1);
        let mut ll = 0.0;
        for t in 1..=n {
            let lost = survivors[t - 1] - survivors[t];
            if lost > 0.0 {
                ll += lost * self.churn(t as u32).ln();
            }
        }
        if let Some(&last) = survivors.last()
            && last > 0.0
            && n > 0
        {
            ll += last * self.survival(n as u32).ln();
        }
        ll
    }
}

/// Fits sBG to the survivors of one cohort at the end of periods 0, 1, …, n
/// (`survivors[0]` is the cohort size): those lost in period t contribute
/// `ln P(T = t)`, those still active at n contribute `ln S(n)`.
///
/// # Errors
///
/// [`ClvError::InvalidInput`] (field `survivors`) when a count is negative,
/// not finite, or larger than the one before, or fewer than two counts are
/// given; [`ClvError::NoData`] when the cohort is empty;
/// [`ClvError::NotConverged`] as for the other models.
///
/// ```
/// use crm_core::clv::sbg::fit_survivors;
/// use crm_core::clv::FitOptions;
/// assert!(fit_survivors(&[100.0, 120.0], &FitOptions::default()).is_err());
/// ```
pub fn fit_survivors(
    survivors: &[f64],
    options: &FitOptions,
) -> Result<Fitted<ShiftedBetaGeo>, ClvError> {
    if survivors.len() < 2 {
        return Err(invalid(
            "survivors",
            survivors.len(),
            "needs the cohort size and at least one later count",
        ));
    }
    for (i, &s) in survivors.iter().enumerate() {
        if !(s.is_finite() && s >= 0.0) {
            return Err(invalid("survivors", i, "counts must be finite and >= 0"));
        }
        if i > 0 && s > survivors[i - 1] {
            return Err(invalid(
                "survivors",
                i,
                "survivors must not increase over time",
            ));
        }
    }
    let size = survivors[0];
    if size <= 0.0 {
        return Err(ClvError::NoData {
            reason: "the cohort is empty".into(),
        });
    }
    fit_model(
        &[1.0, 1.0],
        size,
        survivors.len(),
        options,
        &|p| ShiftedBetaGeo::from_values(p).map_or(f64::NAN, |m| m.log_likelihood(survivors)),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const REGULAR: [f64; 8] = [1000.0, 631.0, 468.0, 382.0, 326.0, 289.0, 262.0, 241.0];
    const HIGH_END: [f64; 8] = [1000.0, 869.0, 743.0, 653.0, 593.0, 551.0, 517.0, 491.0];

    #[test]
    fn retention_series_reproduce_fader_hardie_2007() {
        for (series, alpha, beta) in [(REGULAR, 0.704, 1.182), (HIGH_END, 0.668, 3.806)] {
            let fit = fit_survivors(&series, &FitOptions::default()).unwrap();
            assert!((fit.params.alpha - alpha).abs() <= 5e-4, "{:?}", fit.params);
            assert!((fit.params.beta - beta).abs() <= 5e-4, "{:?}", fit.params);
            assert!(fit.standard_errors.is_some());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Survival falls and the retention rate rises with time.
        #[test]
        fn survival_falls_and_retention_rises(alpha in 0.05_f64..10.0, beta in 0.05_f64..10.0, t in 1u32..100) {
            let m = ShiftedBetaGeo { alpha, beta };
            prop_assert!(m.survival(t) <= m.survival(t - 1));
            prop_assert!(m.retention_rate(t + 1) >= m.retention_rate(t));
            prop_assert!((m.survival(t) - m.survival(t - 1) * m.retention_rate(t)).abs() < 1e-9);
        }
    }
}
