//! MBG/NBD: the modified BG/NBD (Batislam, Denizel & Filiztekin 2007).
//!
//! As [`super::bg_nbd`], except that the customer may also leave right after
//! the *first* purchase (time 0), so dropout gets one more chance than there
//! are repeat purchases. The practical difference: a customer who never came
//! back is no longer certainly alive; P(alive) at `x = 0` is
//! `1 / (1 + a / b · ((α + T) / α)^r)`, below 1 and falling with `T`.
//!
//! On CDNOW the fit gives r = 0.525, α = 6.183, a = 0.891, b = 1.614, the
//! estimates BTYDplus (`mbgcnbd` with k = 1) publishes.
//!
//! ```
//! use crm_core::clv::mbg_nbd::ModifiedBetaGeo;
//! use crm_core::clv::RepeatModel;
//! let m = ModifiedBetaGeo { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 };
//! assert!(m.p_alive(0.0, 0.0, 38.86) < 1.0);
//! ```

use serde::{Deserialize, Serialize};

use super::beta_mixture;
use super::bg_nbd::{TimeIndex, ln_nbd, nbd_at_least, start, total_ll, total_ll_gradient};
use super::special::{ln_beta, ln_gamma};
use super::{ClvError, FitOptions, Fitted, RepeatData, RepeatModel, fit_model, log_add_exp};

/// MBG/NBD parameters: purchase rate Gamma(r, α), dropout probability
/// Beta(a, b).
///
/// ```
/// use crm_core::clv::mbg_nbd::ModifiedBetaGeo;
/// use crm_core::clv::Parameters;
/// assert_eq!(ModifiedBetaGeo::NAMES, ["r", "alpha", "a", "b"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct ModifiedBetaGeo {
    /// Shape of the purchase-rate distribution.
    pub r: f64,
    /// Scale of the purchase-rate distribution (in the data's time unit).
    pub alpha: f64,
    /// Dropout Beta, first shape.
    pub a: f64,
    /// Dropout Beta, second shape.
    pub b: f64,
}

super::parameters!(ModifiedBetaGeo { r, alpha, a, b });

/// Fits MBG/NBD by maximum likelihood.
///
/// # Errors
///
/// As [`super::bg_nbd::fit`].
///
/// ```
/// use crm_core::clv::{mbg_nbd, FitOptions, RepeatData};
/// let x = [0.0, 0.0, 1.0, 1.0, 2.0, 3.0, 5.0, 8.0, 2.0, 1.0];
/// let t_x = [0.0, 0.0, 5.0, 20.0, 30.0, 25.0, 35.0, 37.0, 10.0, 2.0];
/// let age = [39.0, 30.0, 39.0, 30.0, 39.0, 38.0, 39.0, 38.0, 35.0, 20.0];
/// let weights = [800.0, 500.0, 150.0, 120.0, 100.0, 80.0, 50.0, 20.0, 60.0, 100.0];
/// let d = RepeatData::new(&x, &t_x, &age, Some(&weights))?;
/// let fit = mbg_nbd::fit(&d, &FitOptions::default())?;
/// assert!(fit.log_likelihood < 0.0);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn fit(data: &RepeatData, options: &FitOptions) -> Result<Fitted<ModifiedBetaGeo>, ClvError> {
    data.require_some()?;
    let times = TimeIndex::new(data);
    fit_model(
        &start(data),
        data.total_weight(),
        data.rows(),
        options,
        &|p| total_ll(data, p, true),
        Some(&|p, g| total_ll_gradient(data, &times, p, true, g)),
    )
}

impl RepeatModel for ModifiedBetaGeo {
    fn log_likelihood_one(&self, x: f64, t_x: f64, age: f64) -> f64 {
        let ModifiedBetaGeo { r, alpha, a, b } = *self;
        let common = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + ln_beta(a, b + x + 1.0)
            - ln_beta(a, b);
        let u = -(r + x) * (alpha + age).ln();
        let v = a.ln() - (b + x).ln() - (r + x) * (alpha + t_x).ln();
        common + log_add_exp(u, v)
    }

    fn p_alive(&self, x: f64, t_x: f64, age: f64) -> f64 {
        let ModifiedBetaGeo { r, alpha, a, b } = *self;
        let l = a.ln() - (b + x).ln() + (r + x) * ((alpha + age).ln() - (alpha + t_x).ln());
        1.0 / (1.0 + l.exp())
    }

    /// E[(1 − p) · BG/NBD(a, b)] = b / (a + b) · `g(r, α, a, b + 1, t)`
    /// ([`super::beta_mixture`]). (lifetimes 0.11.3 writes the closed form
    /// with (b + 1) / (a − 1), which disagrees with Σ n · P(X(t) = n).)
    fn expected_purchases(&self, t: f64) -> f64 {
        let ModifiedBetaGeo { r, alpha, a, b } = *self;
        b / (a + b) * beta_mixture::expected(r, alpha, a, b + 1.0, t)
    }

    /// Given alive after `x` repeat purchases (and the first), the dropout
    /// probability is Beta(a, b + x + 1): `P(alive) · g(r + x, α + T, a, b + x + 1, t)`.
    fn conditional_expected_purchases(&self, t: f64, x: f64, t_x: f64, age: f64) -> f64 {
        let ModifiedBetaGeo { r, alpha, a, b } = *self;
        if t == 0.0 {
            return 0.0;
        }
        beta_mixture::expected(r + x, alpha + age, a, b + x + 1.0, t) * self.p_alive(x, t_x, age)
    }

    /// [`beta_mixture::expected_by_period`] times P(alive), computed once.
    fn conditional_purchases_by_period(&self, period: f64, n: u32, h: [f64; 3]) -> Vec<f64> {
        let (ModifiedBetaGeo { r, alpha, a, b }, [x, t_x, age]) = (*self, h);
        let alive = self.p_alive(x, t_x, age);
        beta_mixture::expected_by_period(r + x, alpha + age, a, b + x + 1.0, period, n)
            .into_iter()
            .map(|e| e * alive)
            .collect()
    }

    fn p_purchases(&self, n: u32, t: f64) -> f64 {
        let ModifiedBetaGeo { r, alpha, a, b } = *self;
        let nf = f64::from(n);
        // Alive after the first purchase and n repeats, with exactly n in (0, t];
        // or gone right after the n-th (or the first, n = 0) with at least n.
        let alive = (ln_beta(a, b + nf + 1.0) - ln_beta(a, b) + ln_nbd(r, alpha, n, t)).exp();
        let left = (ln_beta(a + 1.0, b + nf) - ln_beta(a, b)).exp();
        alive + left * nbd_at_least(r, alpha, n, t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clv::Parameters;
    use crate::clv::tests_data::cdnow;
    use proptest::prelude::*;

    /// BTYDplus's estimates on CDNOW, to 3 decimals.
    const PUBLISHED: ModifiedBetaGeo = ModifiedBetaGeo {
        r: 0.525,
        alpha: 6.183,
        a: 0.891,
        b: 1.614,
    };

    #[test]
    fn cdnow_reproduces_btydplus() {
        let fit = fit(&cdnow(), &FitOptions::default()).unwrap();
        for (name, (got, want)) in ModifiedBetaGeo::NAMES
            .iter()
            .zip(fit.params.values().into_iter().zip(PUBLISHED.values()))
        {
            assert!(
                (got - want).abs() <= 5e-4,
                "{name}: fitted {got}, published {want}"
            );
        }
        assert!(fit.report.converged);
        let fast = total_ll(&cdnow(), &PUBLISHED.values(), true);
        assert!((fast - cdnow().log_likelihood(&PUBLISHED)).abs() < 1e-6);
    }

    #[test]
    fn p_purchases_sum_to_one() {
        let s: f64 = (0..400).map(|n| PUBLISHED.p_purchases(n, 39.0)).sum();
        assert!((s - 1.0).abs() < 1e-9, "{s}");
        let mean: f64 = (0..400)
            .map(|n| f64::from(n) * PUBLISHED.p_purchases(n, 39.0))
            .sum();
        assert!(
            (mean - PUBLISHED.expected_purchases(39.0)).abs() < 1e-6,
            "{mean}"
        );
        // A brand-new customer's conditional expectation is the unconditional one.
        let c = PUBLISHED.conditional_expected_purchases(39.0, 0.0, 0.0, 1e-12);
        assert!((c - PUBLISHED.expected_purchases(39.0)).abs() < 1e-9, "{c}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// P(alive) is a probability, strictly below 1 even without repeat purchases.
        #[test]
        fn p_alive_stays_within_0_and_1(x in 0u32..2000, frac in 0.01_f64..1.0, age in 0.1_f64..200.0,
                                        r in 0.05_f64..5.0, alpha in 0.1_f64..50.0, a in 0.05_f64..5.0, b in 0.05_f64..10.0) {
            let m = ModifiedBetaGeo { r, alpha, a, b };
            let t_x = if x == 0 { 0.0 } else { frac * age };
            let p = m.p_alive(f64::from(x), t_x, age);
            prop_assert!((0.0..=1.0).contains(&p));
            if x == 0 { prop_assert!(p < 1.0); }
        }

        /// More time ahead never means fewer expected purchases.
        #[test]
        fn expected_purchases_increase_with_t(x in 0u32..300, frac in 0.01_f64..1.0, age in 0.1_f64..200.0, t in 0.1_f64..100.0) {
            let t_x = if x == 0 { 0.0 } else { frac * age };
            let e1 = PUBLISHED.conditional_expected_purchases(t, f64::from(x), t_x, age);
            let e2 = PUBLISHED.conditional_expected_purchases(1.5 * t, f64::from(x), t_x, age);
            prop_assert!(e1.is_finite() && e2 >= e1);
        }
    }
}
