//! BG/NBD: the beta-geometric / negative binomial model (Fader, Hardie & Lee
//! 2005, "Counting your customers the easy way").
//!
//! While alive, a customer buys at a Poisson rate λ, and λ varies across
//! customers as Gamma(r, α). After each *repeat* purchase the customer leaves
//! with probability p, and p varies as Beta(a, b). The model needs only
//! `(x, t_x, T)` per customer and is the fast, robust default of the family.
//!
//! **A customer with no repeat purchase is alive for sure** (P(alive) = 1 at
//! `x = 0`): in BG/NBD dropout only happens right after a purchase, so a
//! customer who never came back has had no chance to leave. This is the
//! model's own assumption, not a bug, and it is what lifetimes' users keep
//! asking about. When it matters (many one-off buyers), use
//! [`super::mbg_nbd`], where the customer may also leave right after the first
//! purchase and P(alive) at `x = 0` is below 1.
//!
//! On CDNOW (2,357 customers, weeks) the fit reproduces the published
//! r = 0.243, α = 4.414, a = 0.793, b = 2.426, log-likelihood −9582.4.
//!
//! ```
//! use crm_core::clv::bg_nbd::BetaGeo;
//! use crm_core::clv::RepeatModel;
//! let m = BetaGeo { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
//! assert_eq!(m.p_alive(0.0, 0.0, 38.86), 1.0);
//! assert!((m.p_purchases(0, 39.0) - 0.5737864).abs() < 1e-6);
//! ```

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};
use serde::{Deserialize, Serialize};

use super::beta_mixture;
use super::special::{digamma_difference, ln_beta, ln_gamma, ln_gamma_ratio};
use super::{ClvError, FitOptions, Fitted, RepeatData, RepeatModel, fit_model, log_add_exp};

/// BG/NBD parameters: purchase rate Gamma(r, α), dropout probability
/// Beta(a, b).
///
/// ```
/// use crm_core::clv::bg_nbd::BetaGeo;
/// let m = BetaGeo { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
/// assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"r":0.243,"alpha":4.414,"a":0.793,"b":2.426}"#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct BetaGeo {
    /// Shape of the purchase-rate distribution.
    pub r: f64,
    /// Scale of the purchase-rate distribution (in the data's time unit).
    pub alpha: f64,
    /// Dropout Beta, first shape.
    pub a: f64,
    /// Dropout Beta, second shape.
    pub b: f64,
}

super::parameters!(BetaGeo { r, alpha, a, b });

/// `ln NB_j(t)`: the log probability of `j` purchases in `(0, t]` for an
/// alive customer under Gamma(r, α) rates.
pub(super) fn ln_nbd(r: f64, alpha: f64, j: u32, t: f64) -> f64 {
    let j = f64::from(j);
    let base = r * (alpha / (alpha + t)).ln();
    if j == 0.0 {
        return base;
    }
    ln_gamma(r + j) - ln_gamma(r) - ln_gamma(j + 1.0) + base + j * (t / (alpha + t)).ln()
}

/// `P(N(t) >= n)` for the NBD, `1 - Σ_{j<n} NB_j`.
pub(super) fn nbd_at_least(r: f64, alpha: f64, n: u32, t: f64) -> f64 {
    let below: f64 = (0..n).map(|j| ln_nbd(r, alpha, j, t).exp()).sum();
    (1.0 - below).clamp(0.0, 1.0)
}

/// The total log-likelihood of BG/NBD (`modified = false`) or MBG/NBD
/// (`modified = true`) over compressed data. The Gamma-function terms depend
/// on `x` only, so they are computed once per distinct `x`; the row loop costs
/// two logarithms, one exponential and one `ln_1p`, and allocates nothing.
pub(super) fn total_ll(data: &RepeatData, p: &[f64], modified: bool) -> f64 {
    let (r, alpha, a, b) = (p[0], p[1], p[2], p[3]);
    let shift = if modified { 1.0 } else { 0.0 };
    let ln_alpha = alpha.ln();
    let ln_a = a.ln();
    let mut table = Vec::with_capacity(2 * data.distinct_x.len());
    for &x in &data.distinct_x {
        let common = x_terms(r, ln_alpha, a, b, x, shift);
        // ln(a / (b + x - 1)) for BG/NBD (only x > 0), ln(a / (b + x)) for MBG/NBD.
        let second = if modified || x > 0.0 {
            ln_a - (b + x - 1.0 + shift).ln()
        } else {
            f64::NEG_INFINITY
        };
        table.push(common);
        table.push(second);
    }
    let mut total = 0.0;
    for i in 0..data.x.len() {
        let k = data.x_index[i] as usize;
        let x = data.x[i];
        let u = -(r + x) * (data.age[i] / alpha).ln_1p();
        let second = table[2 * k + 1];
        let v = if second == f64::NEG_INFINITY {
            second
        } else {
            second - (r + x) * (data.t_x[i] / alpha).ln_1p()
        };
        total += data.weight[i] * (table[2 * k] + log_add_exp(u, v));
    }
    total
}

/// The terms of a customer's log-likelihood that depend on `x` only:
/// `ln Γ(r + x) − ln Γ(r) − x ln α + ln B(a, b + x + s) − ln B(a, b)` with
/// `s` = 1 for MBG/NBD, as differences that cancel nothing large.
///
/// The textbook form `… + r ln α − (r + x) ln(α + t)` is rewritten as
/// `… − x ln α − (r + x) ln(1 + t/α)`: the same value, but when customers do
/// not differ in purchase rate the maximum lies at `r, α → ∞` with `r/α`
/// fixed, and there the textbook form subtracts numbers near 10⁹ and the
/// optimiser follows rounding noise (as Gamma-Gamma's `q, γ`;
/// [`ln_gamma_ratio`], [`digamma_difference`]).
fn x_terms(r: f64, ln_alpha: f64, a: f64, b: f64, x: f64, shift: f64) -> f64 {
    ln_gamma_ratio(r, x) - x * ln_alpha + ln_gamma_ratio(b, x + shift)
        - ln_gamma_ratio(a + b, x + shift)
}

/// The distinct values among the recencies and ages of compressed data, and
/// each row's index into them.
///
/// Why: data recorded on a calendar (a daily clock, weekly periods) has few
/// distinct ages and recencies however many customers it holds; the 100,000
/// simulated customers of the benchmark compress to about 27,000 rows but
/// have under 600 distinct times. The logarithms `ln(α + t)` and the
/// reciprocals `1/(α + t)` of the gradient pass are then computed once per
/// distinct time, and the row loop is left with one `exp`.
/// Built once per fit; with no repeated times it costs one extra lookup a
/// row.
pub(super) struct TimeIndex {
    times: Vec<f64>,
    t_x: Vec<u32>,
    age: Vec<u32>,
}

impl TimeIndex {
    pub(super) fn new(data: &RepeatData) -> TimeIndex {
        // Times in order of first appearance (the data are sorted, so this
        // is deterministic); a hash table of indices, small enough to stay
        // in cache, finds each row's.
        let hasher = DefaultHashBuilder::default();
        let mut slot: HashTable<u32> = HashTable::new();
        let mut times: Vec<f64> = Vec::new();
        let mut find = |v: f64| -> u32 {
            let bits = v.to_bits();
            let hash = hasher.hash_one(bits);
            if let Some(&k) = slot.find(hash, |&k| times[k as usize].to_bits() == bits) {
                return k;
            }
            let k = times.len() as u32;
            slot.insert_unique(hash, k, |&k| hasher.hash_one(times[k as usize].to_bits()));
            times.push(v);
            k
        };
        let t_x = data.t_x.iter().map(|&v| find(v)).collect();
        let age = data.age.iter().map(|&v| find(v)).collect();
        TimeIndex { times, t_x, age }
    }
}

/// [`total_ll`] and its gradient with respect to `(r, α, a, b)`, in one
/// pass: the analytic gradient lets the quasi-Newton search take one
/// likelihood pass per step instead of nine (central differences on four
/// parameters), which is most of the speed of the BG/NBD fits.
///
/// With `u = −(r+x) ln(α+T)`, `v = ln a − ln(b+x−1) − (r+x) ln(α+t_x)` and
/// the weights `w_u, w_v` of the log-sum-exp (they sum to 1):
/// `∂/∂r = ψ(r+x) − ψ(r) + ln α − w_u ln(α+T) − w_v ln(α+t_x)`,
/// `∂/∂α = r/α − (r+x) (w_u/(α+T) + w_v/(α+t_x))`,
/// `∂/∂a = ψ(a+b) − ψ(a+b+x) + w_v/a`,
/// `∂/∂b = ψ(b+x) − ψ(b) + ψ(a+b) − ψ(a+b+x) − w_v/(b+x−1)`
/// (MBG/NBD: `x + 1` in the Beta terms and `b + x` in `v`).
/// `times` must be [`TimeIndex::new`] of the same `data`.
pub(super) fn total_ll_gradient(
    data: &RepeatData,
    times: &TimeIndex,
    p: &[f64],
    modified: bool,
    grad: &mut [f64],
) -> f64 {
    let (r, alpha, a, b) = (p[0], p[1], p[2], p[3]);
    let shift = if modified { 1.0 } else { 0.0 };
    let (ln_alpha, ln_a) = (alpha.ln(), a.ln());
    // Per distinct x: value, ln(a / (b+x−1+shift)), ∂r, ∂a, ∂b parts, 1/(b+x−1+shift).
    let mut table = Vec::with_capacity(6 * data.distinct_x.len());
    for &x in &data.distinct_x {
        let dd_ab = digamma_difference(a + b, x + shift);
        let has_second = modified || x > 0.0;
        let bx = b + x - 1.0 + shift;
        table.extend_from_slice(&[
            x_terms(r, ln_alpha, a, b, x, shift),
            if has_second {
                ln_a - bx.ln()
            } else {
                f64::NEG_INFINITY
            },
            digamma_difference(r, x),
            -dd_ab,
            digamma_difference(b, x + shift) - dd_ab,
            if has_second { 1.0 / bx } else { 0.0 },
        ]);
    }
    // Per distinct time t: ln(1 + t/α), 1/(α + t) and t/α. The α-gradient of
    // a term, `r/α − (r + x)/(α + t)`, is computed as `(r t/α − x)/(α + t)`:
    // the same number without the difference of two nearly equal ones when
    // r and α run far out.
    let logs: Vec<(f64, f64, f64)> = times
        .times
        .iter()
        .map(|&t| {
            let t_over_alpha = t / alpha;
            (t_over_alpha.ln_1p(), 1.0 / (alpha + t), t_over_alpha)
        })
        .collect();
    let (mut total, mut gr, mut galpha, mut ga, mut gb) = (0.0, 0.0, 0.0, 0.0, 0.0);
    // The log-sum-exp of a row is `max(u, v) + ln(1 + e)`, `0 < e <= 1`.
    // For the rows of weight 1 (most rows of large data: customers with
    // repeat purchases rarely share a history) the factors `1 + e` are
    // multiplied and their product logged when it passes 1e300 (each
    // factor is at most 2, so it cannot overflow): one logarithm per few
    // hundred rows instead of one per row, which was a quarter of the fit's
    // time. Rounding: the product of n factors carries a relative error of
    // about n·ε/2, the same as the sum of n logarithms.
    let mut product = 1.0_f64;
    let inv_a = 1.0 / a;
    for i in 0..data.x.len() {
        let k = 6 * data.x_index[i] as usize;
        let (x, w) = (data.x[i], data.weight[i]);
        let rx = r + x;
        let (lt, inv_at, t_a) = logs[times.age[i] as usize];
        let u = -rx * lt;
        let dalpha_u = (r * t_a - x) * inv_at;
        let second = table[k + 1];
        if second == f64::NEG_INFINITY {
            total += w * (table[k] + u);
            gr += w * (table[k + 2] - lt);
            galpha += w * dalpha_u;
            ga += w * table[k + 3];
            gb += w * table[k + 4];
            continue;
        }
        let (ltx, inv_atx, tx_a) = logs[times.t_x[i] as usize];
        let v = second - rx * ltx;
        let d = v - u;
        let e = (-d.abs()).exp();
        let one_plus = 1.0 + e;
        let s = 1.0 / one_plus;
        let (top, wu, wv) = if d < 0.0 {
            (u, s, e * s)
        } else {
            (v, e * s, s)
        };
        total += w * (table[k] + top);
        if w == 1.0 {
            product *= one_plus;
            if product > 1e300 {
                total += product.ln();
                product = 1.0;
            }
        } else {
            total += w * one_plus.ln();
        }
        gr += w * (table[k + 2] - wu * lt - wv * ltx);
        galpha += w * (wu * dalpha_u + wv * (r * tx_a - x) * inv_atx);
        ga += w * (table[k + 3] + wv * inv_a);
        gb += w * (table[k + 4] - wv * table[k + 5]);
    }
    total += product.ln();
    grad[..4].copy_from_slice(&[gr, galpha, ga, gb]);
    total
}

/// Deterministic starting values shared by BG/NBD and MBG/NBD: r = 1, α so
/// that the mean rate r/α matches the observed mean of x/T, a = b = 1.
pub(super) fn start(data: &RepeatData) -> [f64; 4] {
    let (mut sx, mut st) = (0.0, 0.0);
    for (x, _, age, w) in data.iter() {
        sx += w * x;
        st += w * age;
    }
    let alpha = if sx > 0.0 {
        (st / sx).clamp(1e-3, 1e6)
    } else {
        st.max(1.0) / data.total_weight().max(1.0)
    };
    [1.0, alpha, 1.0, 1.0]
}

/// Fits BG/NBD by maximum likelihood.
///
/// # Errors
///
/// [`ClvError::NoData`] without customers; [`ClvError::InvalidArgument`] for
/// bad options; [`ClvError::NotConverged`] (with the best point) when the
/// search does not converge.
///
/// ```
/// use crm_core::clv::{bg_nbd, FitOptions, RepeatData};
/// let x = [0.0, 0.0, 1.0, 1.0, 2.0, 3.0, 5.0, 8.0, 2.0, 1.0];
/// let t_x = [0.0, 0.0, 5.0, 20.0, 30.0, 25.0, 35.0, 37.0, 10.0, 2.0];
/// let age = [39.0, 30.0, 39.0, 30.0, 39.0, 38.0, 39.0, 38.0, 35.0, 20.0];
/// let weights = [800.0, 500.0, 150.0, 120.0, 100.0, 80.0, 50.0, 20.0, 60.0, 100.0];
/// let d = RepeatData::new(&x, &t_x, &age, Some(&weights))?;
/// let fit = bg_nbd::fit(&d, &FitOptions::default())?;
/// assert!(fit.log_likelihood < 0.0 && fit.params.r > 0.0);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn fit(data: &RepeatData, options: &FitOptions) -> Result<Fitted<BetaGeo>, ClvError> {
    data.require_some()?;
    let times = TimeIndex::new(data);
    fit_model(
        &start(data),
        data.total_weight(),
        data.rows(),
        options,
        &|p| total_ll(data, p, false),
        Some(&|p, g| total_ll_gradient(data, &times, p, false, g)),
    )
}

impl RepeatModel for BetaGeo {
    fn log_likelihood_one(&self, x: f64, t_x: f64, age: f64) -> f64 {
        let BetaGeo { r, alpha, a, b } = *self;
        let common =
            ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + ln_beta(a, b + x) - ln_beta(a, b);
        let u = -(r + x) * (alpha + age).ln();
        let v = if x > 0.0 {
            a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + t_x).ln()
        } else {
            f64::NEG_INFINITY
        };
        common + log_add_exp(u, v)
    }

    fn p_alive(&self, x: f64, t_x: f64, age: f64) -> f64 {
        if x == 0.0 {
            return 1.0;
        }
        let BetaGeo { r, alpha, a, b } = *self;
        let l = a.ln() - (b + x - 1.0).ln() + (r + x) * ((alpha + age).ln() - (alpha + t_x).ln());
        1.0 / (1.0 + l.exp())
    }

    /// `g(r, α, a, b, t)` of [`super::beta_mixture`]: finite for any
    /// horizon, and at `a = 1` where the closed form is 0/0.
    fn expected_purchases(&self, t: f64) -> f64 {
        let BetaGeo { r, alpha, a, b } = *self;
        beta_mixture::expected(r, alpha, a, b, t)
    }

    /// Given alive, the rate is Gamma(r + x, α + T) and the dropout
    /// probability Beta(a, b + x): `P(alive) · g(r + x, α + T, a, b + x, t)`.
    fn conditional_expected_purchases(&self, t: f64, x: f64, t_x: f64, age: f64) -> f64 {
        let BetaGeo { r, alpha, a, b } = *self;
        if t == 0.0 {
            return 0.0;
        }
        beta_mixture::expected(r + x, alpha + age, a, b + x, t) * self.p_alive(x, t_x, age)
    }

    /// [`beta_mixture::expected_by_period`] times P(alive), computed once.
    fn conditional_purchases_by_period(&self, period: f64, n: u32, h: [f64; 3]) -> Vec<f64> {
        let (BetaGeo { r, alpha, a, b }, [x, t_x, age]) = (*self, h);
        let alive = self.p_alive(x, t_x, age);
        beta_mixture::expected_by_period(r + x, alpha + age, a, b + x, period, n)
            .into_iter()
            .map(|e| e * alive)
            .collect()
    }

    fn p_purchases(&self, n: u32, t: f64) -> f64 {
        let BetaGeo { r, alpha, a, b } = *self;
        let nf = f64::from(n);
        let alive = (ln_beta(a, b + nf) - ln_beta(a, b) + ln_nbd(r, alpha, n, t)).exp();
        if n == 0 {
            return alive;
        }
        let left = (ln_beta(a + 1.0, b + nf - 1.0) - ln_beta(a, b)).exp();
        alive + left * nbd_at_least(r, alpha, n, t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clv::tests_data::cdnow;
    use crate::clv::{Parameters, conditional_expected_purchases};
    use proptest::prelude::*;

    const PUBLISHED: BetaGeo = BetaGeo {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };

    #[test]
    fn cdnow_reproduces_fader_hardie_lee_2005() {
        let data = cdnow();
        let fit = fit(&data, &FitOptions::default()).unwrap();
        for (name, (got, want)) in BetaGeo::NAMES
            .iter()
            .zip(fit.params.values().into_iter().zip(PUBLISHED.values()))
        {
            assert!(
                (got - want).abs() <= 5e-4,
                "{name}: fitted {got}, published {want}"
            );
        }
        assert!(
            (fit.log_likelihood - -9582.4).abs() <= 0.05,
            "LL {}",
            fit.log_likelihood
        );
        assert!(fit.report.converged);
        let se = fit.standard_errors.unwrap();
        assert!(se.r > 0.0 && se.r < 0.1, "{se:?}");
        // The published conditional expectation and P(0 purchases in 39 weeks).
        let e = fit
            .params
            .conditional_expected_purchases(39.0, 2.0, 30.43, 38.86);
        assert!((e - 1.226).abs() <= 5e-4, "E = {e}");
        // The published 0.5737864 is computed from the rounded parameters;
        // at the unrounded fit (r = 0.24259, not 0.243) it moves by 5e-4.
        assert!((fit.params.p_purchases(0, 39.0) - 0.5737864).abs() <= 1e-3);
        assert!((PUBLISHED.p_purchases(0, 39.0) - 0.5737864).abs() <= 5e-7);
        // Fitted JSON round-trips.
        let json = serde_json::to_string(&fit).unwrap();
        assert_eq!(serde_json::from_str::<Fitted<BetaGeo>>(&json).unwrap(), fit);
    }

    #[test]
    fn scalar_and_compressed_likelihoods_agree() {
        let data = cdnow();
        let fast = total_ll(&data, &PUBLISHED.values(), false);
        assert!((fast - data.log_likelihood(&PUBLISHED)).abs() < 1e-6);
    }

    #[test]
    fn analytic_gradient_matches_finite_differences() {
        let data = cdnow();
        for modified in [false, true] {
            let p = [0.3, 5.0, 0.8, 2.0];
            let mut g = [0.0; 4];
            let ll = total_ll_gradient(&data, &TimeIndex::new(&data), &p, modified, &mut g);
            assert!((ll - total_ll(&data, &p, modified)).abs() < 1e-8);
            for i in 0..4 {
                let h = 1e-6 * p[i];
                let (mut up, mut down) = (p, p);
                up[i] += h;
                down[i] -= h;
                let num =
                    (total_ll(&data, &up, modified) - total_ll(&data, &down, modified)) / (2.0 * h);
                assert!(
                    (g[i] - num).abs() < 1e-5 * num.abs().max(1.0),
                    "{modified} {i}: {} vs {num}",
                    g[i]
                );
            }
        }
    }

    /// Against 50-digit values (mpmath: `loggamma`, `log`, and `diff` for the
    /// gradient) of the textbook likelihood on five histories, at CDNOW's
    /// parameters and far out on the ridge `r, α → ∞` (customers without
    /// heterogeneity in purchase rate), where the textbook form in `f64`
    /// keeps only seven digits. The references are printed to 17–20
    /// digits, more than an `f64` holds: kept as mpmath printed them.
    #[test]
    #[allow(clippy::excessive_precision)]
    fn likelihood_and_gradient_match_high_precision_values_far_out_on_the_ridge() {
        let (x, t_x, age) = (
            [0.0, 1.0, 3.0, 7.0, 2.0],
            [0.0, 5.0, 30.0, 37.0, 9.0],
            [39.0, 39.0, 39.0, 38.0, 30.0],
        );
        let data = RepeatData::new(&x, &t_x, &age, None).unwrap();
        let cases: [([f64; 4], bool, f64, [f64; 4]); 4] = [
            (
                [0.243, 4.414, 0.793, 2.426],
                false,
                -48.260742439091187406,
                [
                    11.220827718963411,
                    -0.21339643725956779,
                    -0.69818935874723502,
                    0.15442930139806336,
                ],
            ),
            (
                [0.243, 4.414, 0.793, 2.426],
                true,
                -49.129919133364871663,
                [
                    11.864754433837269,
                    -0.2163184080113741,
                    -1.4741150847793098,
                    0.41054834886931047,
                ],
            ),
            (
                [2e7, 3e8, 0.5, 2.0],
                false,
                -47.420111552989660263,
                [
                    1.4745323207512973e-7,
                    -9.8302167982986771e-9,
                    -0.77157245904440989,
                    0.10420477769503027,
                ],
            ),
            (
                [2e7, 3e8, 0.5, 2.0],
                true,
                -47.010508171530618216,
                [
                    2.3179006707423299e-7,
                    -1.5452672033077236e-8,
                    -0.81511197200936999,
                    0.13357597332287168,
                ],
            ),
        ];
        for (p, modified, want, want_g) in cases {
            let ll = total_ll(&data, &p, modified);
            assert!(
                (ll - want).abs() <= 1e-13 * want.abs(),
                "{p:?} {modified}: {ll} vs {want}"
            );
            let mut g = [0.0; 4];
            let with_g = total_ll_gradient(&data, &TimeIndex::new(&data), &p, modified, &mut g);
            assert!(
                (with_g - want).abs() <= 1e-13 * want.abs(),
                "{with_g} vs {want}"
            );
            // On the log-parameters, as the optimiser sees them.
            for i in 0..4 {
                let (got, exact) = (g[i] * p[i], want_g[i] * p[i]);
                assert!(
                    (got - exact).abs() <= 1e-10 * exact.abs().max(1.0),
                    "{p:?} {modified} {i}: {got} vs {exact}"
                );
            }
        }
    }

    #[test]
    fn p_purchases_sum_to_one() {
        let s: f64 = (0..400).map(|n| PUBLISHED.p_purchases(n, 39.0)).sum();
        assert!((s - 1.0).abs() < 1e-9, "{s}");
        // and their mean is the unconditional expectation
        let mean: f64 = (0..400)
            .map(|n| f64::from(n) * PUBLISHED.p_purchases(n, 39.0))
            .sum();
        assert!((mean - PUBLISHED.expected_purchases(39.0)).abs() < 1e-6);
        let c = PUBLISHED.conditional_expected_purchases(39.0, 0.0, 0.0, 1e-12);
        assert!((c - PUBLISHED.expected_purchases(39.0)).abs() < 1e-9, "{c}");
    }

    #[test]
    fn long_horizons_and_large_frequencies_stay_finite() {
        // The issue's cases: 3·10⁴ weeks (lifetimes 21.085) and x = 10,000
        // with t_x = T = 1 week, NaN from t ≈ 104 weeks before.
        assert!((PUBLISHED.expected_purchases(30_000.0) - 21.0848).abs() < 1e-3);
        let mut last = 0.0;
        for t in [1.0, 52.0, 104.0, 1e3, 1e4, 1e5, 1e6] {
            let e = PUBLISHED.conditional_expected_purchases(t, 10_000.0, 1.0, 1.0);
            assert!(e.is_finite() && e > last, "t = {t}: {e}");
            last = e;
        }
        // At a = 1 the closed form is 0/0.
        let m = BetaGeo {
            a: 1.0,
            ..PUBLISHED
        };
        assert!(m.expected_purchases(39.0).is_finite());
    }

    #[test]
    fn large_frequencies_stay_finite() {
        for x in [300.0, 1_000.0, 10_000.0] {
            let p = PUBLISHED.p_alive(x, 38.0, 38.86);
            let e = PUBLISHED.conditional_expected_purchases(39.0, x, 38.0, 38.86);
            assert!(p.is_finite() && (0.0..=1.0).contains(&p));
            assert!(e.is_finite() && e > 0.0, "x = {x}: {e}");
            assert!(PUBLISHED.log_likelihood_one(x, 38.0, 38.86).is_finite());
        }
    }

    fn history() -> impl Strategy<Value = (f64, f64, f64)> {
        (0u32..500, 0.01_f64..1.0, 0.1_f64..200.0).prop_map(|(x, frac, age)| {
            let t_x = if x == 0 { 0.0 } else { (frac * age).max(1e-3) };
            (f64::from(x), t_x, age)
        })
    }

    fn params() -> impl Strategy<Value = BetaGeo> {
        (0.05_f64..5.0, 0.1_f64..50.0, 0.05_f64..5.0, 0.05_f64..10.0)
            .prop_map(|(r, alpha, a, b)| BetaGeo { r, alpha, a, b })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// P(alive) is a probability, and 1 for a customer without repeat purchases.
        #[test]
        fn p_alive_stays_within_0_and_1(m in params(), (x, t_x, age) in history()) {
            let p = m.p_alive(x, t_x, age);
            prop_assert!((0.0..=1.0).contains(&p));
            if x == 0.0 { prop_assert_eq!(p, 1.0); }
        }

        /// More time ahead never means fewer expected purchases.
        #[test]
        fn expected_purchases_increase_with_t(m in params(), (x, t_x, age) in history(), t in 0.1_f64..100.0) {
            prop_assume!((m.a - 1.0).abs() > 1e-3 && m.a + m.b > 1.01);
            let e1 = conditional_expected_purchases(&m, t, &[x], &[t_x], &[age]).unwrap()[0];
            let e2 = conditional_expected_purchases(&m, t * 1.5, &[x], &[t_x], &[age]).unwrap()[0];
            prop_assert!(e1.is_finite() && e2 >= e1 - 1e-9 * e1.abs().max(1.0), "{} {}", e1, e2);
            prop_assert!(m.expected_purchases(t * 1.5) >= m.expected_purchases(t) - 1e-9);
        }

        /// Compressing identical customers into weights changes nothing in the fit.
        #[test]
        fn compressed_and_uncompressed_data_give_the_same_fit(rows in prop::collection::vec(history(), 5..25), copies in 2usize..4) {
            let rows: Vec<(f64, f64, f64)> = rows.into_iter().map(|(x, t, a)| (x.min(20.0), t, a)).collect();
            let (x, t, a): (Vec<f64>, Vec<f64>, Vec<f64>) = rows.iter().flat_map(|r| std::iter::repeat_n(*r, copies)).fold(
                (vec![], vec![], vec![]), |mut acc, (x, t, a)| { acc.0.push(x); acc.1.push(t); acc.2.push(a); acc });
            let plain = RepeatData::new(&x, &t, &a, None).unwrap();
            let (x1, t1, a1): (Vec<f64>, Vec<f64>, Vec<f64>) = rows.iter().fold(
                (vec![], vec![], vec![]), |mut acc, (x, t, a)| { acc.0.push(*x); acc.1.push(*t); acc.2.push(*a); acc });
            let w = vec![copies as f64; x1.len()];
            let weighted = RepeatData::new(&x1, &t1, &a1, Some(&w)).unwrap();
            let o = FitOptions { l2_penalty: 0.01, ..FitOptions::default() };
            match (fit(&plain, &o), fit(&weighted, &o)) {
                (Ok(f1), Ok(f2)) => {
                    for (p, q) in f1.params.values().into_iter().zip(f2.params.values()) {
                        prop_assert!((p - q).abs() <= 1e-9 * p.abs().max(1.0), "{:?} vs {:?}", f1.params, f2.params);
                    }
                }
                (Err(e1), Err(e2)) => prop_assert_eq!(e1, e2),
                (a, b) => prop_assert!(false, "{:?} vs {:?}", a, b),
            }
        }
    }
}
