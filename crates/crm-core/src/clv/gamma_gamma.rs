//! Gamma-Gamma: the spend side of customer lifetime value (Fader, Hardie &
//! Lee 2005, "RFM and CLV"; Fader & Hardie 2013, "The Gamma-Gamma model of
//! monetary value").
//!
//! The value of each transaction of a customer is Gamma(p, ν); the customer's
//! ν varies as Gamma(q, γ). Given `x` repeat transactions with mean value
//! `z̄`, the model shrinks `z̄` towards the population mean `pγ / (q − 1)`, the
//! more so the fewer transactions there are. The model assumes spend is
//! independent of purchase frequency (check the correlation before use).
//!
//! Only customers with at least one repeat purchase carry information about
//! repeat spend: rows with `x = 0` are skipped by [`SpendData::new`] (and
//! counted), so a whole summary table can be passed as is.
//!
//! The parameter γ is called `v` here, as in lifetimes. On the 946 CDNOW
//! customers with repeat purchases the fit reproduces p = 6.25, q = 3.74,
//! log-likelihood −4055.9, and γ = 15.448 against the published 15.44 (a
//! truncation: lifetimes also finds 15.4477).
//!
//! ```
//! use crm_core::clv::gamma_gamma::GammaGamma;
//! let m = GammaGamma { p: 6.25, q: 3.74, v: 15.44 };
//! // One purchase at 100: shrunk strongly towards the population mean of ~35.
//! let e = m.conditional_expected_spend(1.0, 100.0).unwrap();
//! assert!(e < 100.0 && e > m.mean_spend().unwrap());
//! ```
//!
//! **`q <= 1`** (heavy-tailed spend: a real fit gives q = 0.38): the
//! population mean `pγ / (q − 1)` does not exist, and a repeat customer's
//! conditional mean `p(γ + x z̄)/(px + q − 1)` exists only for `px + q > 1`.
//! [`GammaGamma::mean_spend`] and [`GammaGamma::conditional_expected_spend`]
//! return `None` there, the column forms refuse the customer
//! ([`ClvError::SpendUndefined`], rule `mean_spend_undefined`), and the
//! registry's fit reports it ([`super::registry::FitWarning`]):
//!
//! ```
//! use crm_core::clv::gamma_gamma::GammaGamma;
//! let heavy = GammaGamma { p: 4.0, q: 0.38, v: 12.0 };
//! assert_eq!(heavy.mean_spend(), None);
//! assert!(heavy.conditional_expected_spend(0.0, 0.0).is_none());
//! assert!(heavy.conditional_expected_spend(3.0, 20.0).unwrap() > 0.0);
//! ```

use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

use super::special::{digamma, digamma_difference, ln_gamma, ln_gamma_ratio};
use super::{
    ClvError, FitOptions, Fitted, Parameters, check_len, check_weight, fit_model, invalid,
};

/// Gamma-Gamma parameters: transaction value Gamma(p, ν), ν ~ Gamma(q, γ = v).
///
/// ```
/// use crm_core::clv::gamma_gamma::GammaGamma;
/// use crm_core::clv::Parameters;
/// assert_eq!(GammaGamma::NAMES, ["p", "q", "v"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct GammaGamma {
    /// Shape of a customer's transaction-value distribution.
    pub p: f64,
    /// Shape of the distribution of ν across customers.
    pub q: f64,
    /// Scale γ of the distribution of ν across customers (money units).
    pub v: f64,
}

super::parameters!(GammaGamma { p, q, v });

/// Repeat customers' `(x, z̄)`, compressed with weights; `x = 0` rows skipped.
///
/// Rules: `x` a finite whole number `>= 0`; where `x > 0`, `z̄` finite and
/// `> 0`; weights finite and `>= 0`.
///
/// ```
/// use crm_core::clv::gamma_gamma::SpendData;
/// let d = SpendData::new(&[0.0, 2.0, 2.0], &[0.0, 10.0, 10.0], None)?;
/// assert_eq!((d.rows(), d.skipped(), d.total_weight()), (1, 1, 2.0));
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct SpendData {
    x: Vec<f64>,
    ln_m: Vec<f64>,
    m: Vec<f64>,
    weight: Vec<f64>,
    x_index: Vec<u32>,
    distinct_x: Vec<f64>,
    total_weight: f64,
    skipped: usize,
}

fn check_spend_row(row: usize, x: f64, m: f64) -> Result<(), ClvError> {
    if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0) {
        return Err(invalid(
            "x",
            row,
            "frequency must be a finite whole number >= 0",
        ));
    }
    if x > 0.0 && !(m.is_finite() && m > 0.0) {
        return Err(invalid(
            "monetary_value",
            row,
            "mean repeat spend must be finite and > 0 when frequency > 0",
        ));
    }
    Ok(())
}

impl SpendData {
    /// Checks and compresses `x` and the mean repeat spend `monetary_value`.
    ///
    /// # Errors
    ///
    /// [`ClvError::LengthMismatch`], or [`ClvError::InvalidInput`] naming the
    /// first bad row.
    ///
    /// ```
    /// use crm_core::clv::gamma_gamma::SpendData;
    /// assert!(SpendData::new(&[1.0], &[-5.0], None).is_err());
    /// ```
    pub fn new(
        x: &[f64],
        monetary_value: &[f64],
        weights: Option<&[f64]>,
    ) -> Result<SpendData, ClvError> {
        check_len("monetary_value", monetary_value.len(), x.len())?;
        if let Some(w) = weights {
            check_len("weights", w.len(), x.len())?;
        }
        let mut slot: HashMap<(u64, u64), usize> = HashMap::new();
        let mut rows: Vec<(f64, f64, f64)> = Vec::new();
        let mut skipped = 0;
        for i in 0..x.len() {
            check_spend_row(i, x[i], monetary_value[i])?;
            let w = weights.map_or(1.0, |w| w[i]);
            check_weight(i, w)?;
            if x[i] == 0.0 {
                skipped += 1;
                continue;
            }
            if w == 0.0 {
                continue;
            }
            let key = (x[i].to_bits(), monetary_value[i].to_bits());
            match slot.get(&key) {
                Some(&k) => rows[k].2 += w,
                None => {
                    slot.insert(key, rows.len());
                    rows.push((x[i], monetary_value[i], w));
                }
            }
        }
        rows.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut d = SpendData {
            x: vec![],
            ln_m: vec![],
            m: vec![],
            weight: vec![],
            x_index: vec![],
            distinct_x: vec![],
            total_weight: 0.0,
            skipped,
        };
        for (x, m, w) in rows {
            if d.distinct_x.last() != Some(&x) {
                d.distinct_x.push(x);
            }
            d.x_index.push((d.distinct_x.len() - 1) as u32);
            d.x.push(x);
            d.m.push(m);
            d.ln_m.push(m.ln());
            d.weight.push(w);
            d.total_weight += w;
        }
        Ok(d)
    }

    /// Rows after compression.
    ///
    /// ```
    /// use crm_core::clv::gamma_gamma::SpendData;
    /// assert_eq!(SpendData::new(&[1.0], &[3.0], None)?.rows(), 1);
    /// # Ok::<(), crm_core::clv::ClvError>(())
    /// ```
    pub fn rows(&self) -> usize {
        self.x.len()
    }

    /// Input rows skipped because `x = 0`.
    ///
    /// ```
    /// use crm_core::clv::gamma_gamma::SpendData;
    /// assert_eq!(SpendData::new(&[0.0], &[0.0], None)?.skipped(), 1);
    /// # Ok::<(), crm_core::clv::ClvError>(())
    /// ```
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// The sum of the weights of the repeat customers.
    ///
    /// ```
    /// use crm_core::clv::gamma_gamma::SpendData;
    /// assert_eq!(SpendData::new(&[1.0], &[3.0], Some(&[2.5]))?.total_weight(), 2.5);
    /// # Ok::<(), crm_core::clv::ClvError>(())
    /// ```
    pub fn total_weight(&self) -> f64 {
        self.total_weight
    }

    /// The total weighted log-likelihood of the mean spends under `model`
    /// (the density of z̄, as Fader & Hardie 2013 and lifetimes).
    ///
    /// ```
    /// use crm_core::clv::gamma_gamma::{GammaGamma, SpendData};
    /// let d = SpendData::new(&[2.0], &[20.0], None)?;
    /// assert!(d.log_likelihood(&GammaGamma { p: 6.25, q: 3.74, v: 15.44 }).is_finite());
    /// # Ok::<(), crm_core::clv::ClvError>(())
    /// ```
    pub fn log_likelihood(&self, model: &GammaGamma) -> f64 {
        let GammaGamma { p, q, v } = *model;
        let ln_v = v.ln();
        let table: Vec<f64> = self
            .distinct_x
            .iter()
            .map(|&x| x_terms(p, q, ln_v, x))
            .collect();
        let mut total = 0.0;
        for i in 0..self.x.len() {
            let px = p * self.x[i];
            let ll = table[self.x_index[i] as usize] + (px - 1.0) * self.ln_m[i]
                - (px + q) * (self.x[i] * self.m[i] / v).ln_1p();
            total += self.weight[i] * ll;
        }
        total
    }
}

/// The terms of a customer's log-likelihood that depend on `x` only, once
/// per distinct `x`: `ln Γ(px + q) − ln Γ(q) − ln Γ(px) − px ln γ + px ln x`.
///
/// The likelihood is written as `… − px ln γ − (px + q) ln(1 + x z̄/γ)`
/// rather than the textbook `q ln γ − (px + q) ln(x z̄ + γ)`: the same
/// value, but when customers do not differ in spend the maximum lies at
/// `q, γ → ∞` with `γ/q` fixed, and there the textbook form subtracts
/// numbers near 10⁹ and the optimiser sees rounding noise instead of the
/// slope it has to follow ([`ln_gamma_ratio`]).
fn x_terms(p: f64, q: f64, ln_v: f64, x: f64) -> f64 {
    let px = p * x;
    ln_gamma_ratio(q, px) - ln_gamma(px) + px * (x.ln() - ln_v)
}

impl SpendData {
    /// [`SpendData::log_likelihood`] and its gradient in `(p, q, γ)`, in one
    /// pass. Why: with it a quasi-Newton step costs one pass instead of
    /// seven (central differences on three parameters), and the Hessian of
    /// the standard errors six gradient calls instead of 19 passes.
    ///
    /// With `L = ln(x z̄ + γ)`:
    /// `∂p = x (ψ(px+q) − ψ(px) + ln x + ln z̄ − L)`,
    /// `∂q = ψ(px+q) − ψ(q) + ln γ − L`, `∂γ = q/γ − (px+q)/(x z̄ + γ)`,
    /// computed as `∂q = [ψ(px+q) − ψ(q)] − ln(1 + x z̄/γ)` and
    /// `∂γ = (q x z̄ − px γ) / (γ (x z̄ + γ))` so that neither subtracts two
    /// large, nearly equal numbers when `q` and `γ` run far out (see
    /// [`x_terms`]).
    fn log_likelihood_gradient(&self, model: &GammaGamma, grad: &mut [f64]) -> f64 {
        let GammaGamma { p, q, v } = *model;
        let ln_v = v.ln();
        // Per distinct x: value terms, ψ(px+q) − ψ(px) + ln x − ln γ, ψ(px+q) − ψ(q).
        let table: Vec<[f64; 3]> = self
            .distinct_x
            .iter()
            .map(|&x| {
                let px = p * x;
                let dg_ratio = digamma_difference(q, px);
                [
                    x_terms(p, q, ln_v, x),
                    dg_ratio + digamma(q) - digamma(px) + x.ln() - ln_v,
                    dg_ratio,
                ]
            })
            .collect();
        let (mut total, mut gp, mut gq, mut gv) = (0.0, 0.0, 0.0, 0.0);
        for i in 0..self.x.len() {
            let [c, dp, dq] = table[self.x_index[i] as usize];
            let (x, w) = (self.x[i], self.weight[i]);
            let px = p * x;
            let xm = x * self.m[i];
            let l1 = (xm / v).ln_1p();
            total += w * (c + (px - 1.0) * self.ln_m[i] - (px + q) * l1);
            gp += w * x * (dp + self.ln_m[i] - l1);
            gq += w * (dq - l1);
            gv += w * ((q * xm - px * v) / (v * (xm + v)));
        }
        grad[..3].copy_from_slice(&[gp, gq, gv]);
        total
    }
}

/// Fits Gamma-Gamma by maximum likelihood.
///
/// # Errors
///
/// As [`super::bg_nbd::fit`]; [`ClvError::NoData`] when no customer has a
/// repeat purchase.
///
/// ```
/// use crm_core::clv::gamma_gamma::{fit, SpendData};
/// use crm_core::clv::FitOptions;
/// let x = [1.0, 2.0, 3.0, 1.0, 5.0, 2.0, 4.0, 1.0];
/// let spend = [10.0, 25.0, 18.0, 40.0, 22.0, 15.0, 30.0, 12.0];
/// let d = SpendData::new(&x, &spend, Some(&[30.0, 20.0, 10.0, 8.0, 5.0, 12.0, 6.0, 25.0]))?;
/// assert!(fit(&d, &FitOptions::default()).is_ok());
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn fit(data: &SpendData, options: &FitOptions) -> Result<Fitted<GammaGamma>, ClvError> {
    if data.total_weight <= 0.0 {
        return Err(ClvError::NoData {
            reason: "no customers with a repeat purchase and positive weight".into(),
        });
    }
    let mean_m = data
        .m
        .iter()
        .zip(&data.weight)
        .map(|(m, w)| m * w)
        .sum::<f64>()
        / data.total_weight;
    let start = [1.0, 2.0, mean_m];
    fit_model(
        &start,
        data.total_weight,
        data.rows(),
        options,
        &|p| {
            let Some(m) = GammaGamma::from_values(p) else {
                return f64::NAN;
            };
            data.log_likelihood(&m)
        },
        Some(&|p, g| {
            let Some(m) = GammaGamma::from_values(p) else {
                return f64::NAN;
            };
            data.log_likelihood_gradient(&m, g)
        }),
    )
}

impl GammaGamma {
    /// The population mean transaction value `pγ / (q − 1)`; `None` when
    /// `q <= 1`, where it does not exist (see the module docs).
    ///
    /// ```
    /// use crm_core::clv::gamma_gamma::GammaGamma;
    /// assert!((GammaGamma { p: 2.0, q: 3.0, v: 10.0 }.mean_spend().unwrap() - 10.0).abs() < 1e-12);
    /// assert_eq!(GammaGamma { p: 2.0, q: 1.0, v: 10.0 }.mean_spend(), None);
    /// ```
    pub fn mean_spend(&self) -> Option<f64> {
        let m = self.p * self.v / (self.q - 1.0);
        (self.q > 1.0 && m.is_finite()).then_some(m)
    }

    /// Expected value of a customer's next transaction given `x` repeat
    /// transactions with mean `z̄`; the population mean when `x = 0`.
    /// `None` where the model leaves it undefined (`px + q <= 1`, or `x = 0`
    /// and `q <= 1`) or it is not finite.
    ///
    /// ```
    /// use crm_core::clv::gamma_gamma::GammaGamma;
    /// let m = GammaGamma { p: 6.25, q: 3.74, v: 15.44 };
    /// assert_eq!(m.conditional_expected_spend(0.0, 0.0), m.mean_spend());
    /// ```
    pub fn conditional_expected_spend(&self, x: f64, mean_spend: f64) -> Option<f64> {
        if x == 0.0 {
            return self.mean_spend();
        }
        let GammaGamma { p, q, v } = *self;
        let shape = p * x + q - 1.0;
        let e = p * (v + x * mean_spend) / shape;
        (shape > 0.0 && e.is_finite()).then_some(e)
    }
}

/// Column form of [`GammaGamma::conditional_expected_spend`].
///
/// # Errors
///
/// [`ClvError::LengthMismatch`], [`ClvError::InvalidInput`] for a bad row,
/// [`ClvError::InvalidArgument`] for a parameter that is not positive,
/// [`ClvError::SpendUndefined`] naming the first customer whose expected
/// spend the model leaves undefined (`q <= 1`, module docs).
///
/// ```
/// use crm_core::clv::gamma_gamma::{conditional_expected_spend, GammaGamma};
/// let m = GammaGamma { p: 6.25, q: 3.74, v: 15.44 };
/// assert_eq!(conditional_expected_spend(&m, &[0.0, 2.0], &[0.0, 22.35])?.len(), 2);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn conditional_expected_spend(
    model: &GammaGamma,
    x: &[f64],
    monetary_value: &[f64],
) -> Result<Vec<f64>, ClvError> {
    model.validate()?;
    check_len("monetary_value", monetary_value.len(), x.len())?;
    (0..x.len())
        .map(|i| {
            check_spend_row(i, x[i], monetary_value[i])?;
            model
                .conditional_expected_spend(x[i], monetary_value[i])
                .ok_or(ClvError::SpendUndefined { row: i + 1 })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clv::tests_data::cdnow_columns;
    use proptest::prelude::*;

    #[test]
    fn analytic_gradient_matches_central_differences() {
        let [mut x, _, _, mut zbar] = cdnow_columns();
        // and customers with many transactions
        x.extend([300.0, 10_000.0]);
        zbar.extend([35.0, 12.5]);
        let d = SpendData::new(&x, &zbar, None).unwrap();
        for p in [[6.25, 3.74, 15.44], [1.0, 2.0, 30.0], [0.3, 8.0, 4.0]] {
            let m = GammaGamma::from_values(&p).unwrap();
            let mut g = [0.0; 3];
            let ll = d.log_likelihood_gradient(&m, &mut g);
            let want = d.log_likelihood(&m);
            assert!(
                (ll - want).abs() < 1e-10 * want.abs(),
                "{p:?}: {ll} vs {want}"
            );
            for i in 0..3 {
                let h = 1e-5 * p[i];
                let (mut up, mut down) = (p, p);
                up[i] += h;
                down[i] -= h;
                let at = |v: [f64; 3]| d.log_likelihood(&GammaGamma::from_values(&v).unwrap());
                let num = (at(up) - at(down)) / (2.0 * h);
                assert!(
                    (g[i] - num).abs() < 1e-5 * num.abs().max(1.0),
                    "{p:?} {i}: {} vs {num}",
                    g[i]
                );
            }
        }
    }

    #[test]
    fn cdnow_reproduces_fader_hardie_2013() {
        let [x, _, _, zbar] = cdnow_columns();
        let d = SpendData::new(&x, &zbar, None).unwrap();
        assert_eq!((d.total_weight(), d.skipped()), (946.0, 2357 - 946));
        let fit = fit(&d, &FitOptions::default()).unwrap();
        // Published to 2 decimals: |fitted - published| <= 0.005 for p and q.
        // γ: the maximum is at 15.4477 (lifetimes finds 15.447748 too), so
        // the published 15.44 is truncated, not rounded: held to 0.01.
        let GammaGamma { p, q, v } = fit.params;
        assert!((p - 6.25).abs() <= 5e-3, "p = {p}");
        assert!((q - 3.74).abs() <= 5e-3, "q = {q}");
        assert!((v - 15.44).abs() <= 1e-2, "v = {v}");
        assert!(
            (fit.log_likelihood - -4055.9).abs() <= 0.05,
            "LL {}",
            fit.log_likelihood
        );
    }

    /// Customers whose transaction values share one ν: Gamma(2, ν = 0.1)
    /// values (a sum of two exponentials, from a fixed-seed SplitMix64), so
    /// the spend has no heterogeneity across customers to fit.
    fn spend_without_heterogeneity(customers: usize) -> (Vec<f64>, Vec<f64>) {
        let mut state = 0x5eed_u64;
        let mut uniform = move || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64 + 0.5 / (1u64 << 53) as f64
        };
        let (mut x, mut m) = (Vec::new(), Vec::new());
        for c in 0..customers {
            let n = 1 + c % 7;
            let total: f64 = (0..2 * n).map(|_| -uniform().ln() / 0.1).sum();
            x.push(n as f64);
            m.push(total / n as f64);
        }
        (x, m)
    }

    /// The maximum of the model without heterogeneity, the limit of
    /// Gamma-Gamma as q, γ → ∞ with q/γ = ν: x z̄ ~ Gamma(px, ν). For a
    /// given p the best ν is Σ px / Σ x z̄; p by golden-section search.
    /// An independent computation: no Gamma-Gamma code, no optimiser.
    fn homogeneous_maximum(x: &[f64], m: &[f64]) -> (f64, f64, f64) {
        let ll = |p: f64| {
            let nu = x.iter().map(|x| p * x).sum::<f64>()
                / x.iter().zip(m).map(|(x, m)| x * m).sum::<f64>();
            let ll = x
                .iter()
                .zip(m)
                .map(|(&x, &m)| {
                    let px = p * x;
                    px * (nu * x).ln() + (px - 1.0) * m.ln() - nu * x * m - ln_gamma(px)
                })
                .sum::<f64>();
            (ll, nu)
        };
        let (mut lo, mut hi) = (0.01, 100.0);
        let g = (5f64.sqrt() - 1.0) / 2.0;
        for _ in 0..200 {
            let (a, b) = (hi - g * (hi - lo), lo + g * (hi - lo));
            if ll(a).0 > ll(b).0 { hi = b } else { lo = a }
        }
        let p = (lo + hi) / 2.0;
        let (best, nu) = ll(p);
        (p, nu, best)
    }

    #[test]
    fn spend_without_heterogeneity_follows_the_ridge_to_the_homogeneous_maximum() {
        let (x, m) = spend_without_heterogeneity(20_000);
        let d = SpendData::new(&x, &m, None).unwrap();
        let fit = fit(&d, &FitOptions::default()).unwrap();
        let (p, nu, best) = homogeneous_maximum(&x, &m);
        let r = &fit.report;
        // One start, a few dozen passes: the slope along the ridge is
        // followed, not lost in rounding noise and restarted.
        assert!(r.converged && r.starts == 1 && r.evaluations < 200, "{r:?}");
        assert_eq!(r.at_bound, ["q", "v"], "{fit:?}");
        assert!(
            (fit.log_likelihood - best).abs() <= 1e-9 * best.abs(),
            "{} vs {best}",
            fit.log_likelihood
        );
        assert!(
            (fit.params.p - p).abs() <= 1e-4 * p,
            "p {} vs {p}",
            fit.params.p
        );
        let ratio = fit.params.q / fit.params.v;
        assert!((ratio - nu).abs() <= 1e-6 * nu, "q/γ {ratio} vs ν {nu}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// With q <= 1 every expected spend is either undefined (None) or a
        /// finite positive amount: never infinite or negative.
        #[test]
        fn heavy_tails_give_a_positive_spend_or_none(x in 0u32..50, m in 0.01_f64..1e4,
                                                      p in 0.01_f64..20.0, q in 0.01_f64..=1.0, v in 0.1_f64..100.0) {
            let g = GammaGamma { p, q, v };
            prop_assert_eq!(g.mean_spend(), None);
            match g.conditional_expected_spend(f64::from(x), m) {
                Some(e) => prop_assert!(e.is_finite() && e > 0.0 && p * f64::from(x) + q > 1.0),
                None => prop_assert!(x == 0 || p * f64::from(x) + q <= 1.0),
            }
        }

        /// The expected spend lies between the customer's own mean and the population mean.
        #[test]
        fn expected_spend_lies_between_own_and_population_mean(x in 1u32..200, m in 0.01_f64..1e4,
                                                              p in 0.1_f64..20.0, q in 1.1_f64..20.0, v in 0.1_f64..100.0) {
            let g = GammaGamma { p, q, v };
            let e = g.conditional_expected_spend(f64::from(x), m).unwrap();
            let mean = g.mean_spend().unwrap();
            let (lo, hi) = if m < mean { (m, mean) } else { (mean, m) };
            prop_assert!(e >= lo * (1.0 - 1e-12) && e <= hi * (1.0 + 1e-12));
        }
    }
}
