//! Pareto/NBD (Schmittlein, Morrison & Colombo 1987), the original BTYD
//! model.
//!
//! While alive, a customer buys at a Poisson rate λ ~ Gamma(r, α); the
//! lifetime is exponential with rate μ ~ Gamma(s, β), so a customer may leave
//! at any moment, not only after a purchase. The likelihood (Fader & Hardie,
//! "A note on deriving the Pareto/NBD model and related expressions", 2005)
//! needs the Gauss hypergeometric function `₂F₁`, written here with the
//! argument in `[0, 1)` for both `α >= β` and `α < β` and evaluated in log
//! space ([`super::special::ln_hyp2f1`]): the difference of the two
//! `₂F₁` terms of `A₀` is taken as `F(t_x) + ln(1 − e^{F(T) − F(t_x)})`, so a
//! frequency of 10,000 gives a finite, correct likelihood and P(alive), where
//! lifetimes overflows above about 300 and CLVTools returned NaN at 221.
//!
//! On CDNOW the fit reproduces r = 0.553, α = 10.578, s = 0.606,
//! log-likelihood −9595.0, and β = 11.668 against the published 11.669: β is
//! nearly unidentified (standard error ≈ 6) and the fitted point has a higher
//! likelihood than the published one.
//!
//! ```
//! use crm_core::clv::pareto_nbd::ParetoNbd;
//! use crm_core::clv::RepeatModel;
//! let m = ParetoNbd { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 };
//! let p = m.p_alive(10_000.0, 38.0, 38.86);
//! assert!(p.is_finite() && p > 0.0 && p <= 1.0);
//! ```

use serde::{Deserialize, Serialize};

use super::special::{
    digamma, ln_beta, ln_gamma, ln_hyp2f1, ln_hyp2f1_c_a1_grad_counted, ln_hyp2f1_counted,
};
use super::{
    ClvError, FitOptions, Fitted, Parameters, RepeatData, RepeatModel, fit_model, log_add_exp,
};

mod series_budget;
use series_budget::SeriesBudget;

/// Pareto/NBD parameters: purchase rate Gamma(r, α), dropout rate Gamma(s, β).
///
/// ```
/// use crm_core::clv::pareto_nbd::ParetoNbd;
/// use crm_core::clv::Parameters;
/// assert_eq!(ParetoNbd::NAMES, ["r", "alpha", "s", "beta"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct ParetoNbd {
    /// Shape of the purchase-rate distribution.
    pub r: f64,
    /// Scale of the purchase-rate distribution.
    pub alpha: f64,
    /// Shape of the dropout-rate distribution.
    pub s: f64,
    /// Scale of the dropout-rate distribution.
    pub beta: f64,
}

super::parameters!(ParetoNbd { r, alpha, s, beta });

impl ParetoNbd {
    /// `F(y) = ln [₂F₁(...; z(y)) / (max(α, β) + y)^{r+s+x}]`, one of the two
    /// terms of `A₀`.
    fn ln_f(&self, x: f64, y: f64) -> f64 {
        self.ln_f_counted(x, y, &mut 0)
    }

    /// [`Self::ln_f`], adding the series terms summed to `terms`.
    fn ln_f_counted(&self, x: f64, y: f64, terms: &mut u64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let rsx = r + s + x;
        if alpha >= beta {
            ln_hyp2f1_counted(rsx, s + 1.0, rsx + 1.0, (alpha - beta) / (alpha + y), terms)
                - rsx * (alpha + y).ln()
        } else {
            ln_hyp2f1_counted(rsx, r + x, rsx + 1.0, (beta - alpha) / (beta + y), terms)
                - rsx * (beta + y).ln()
        }
    }

    /// [`Self::ln_f`] and its partial derivatives in `(r, α, s, β)`.
    ///
    /// With `a = r+s+x`, `m = max(α, β)`, `ln F = ln ₂F₁(a, b; a+1; z) − a ln(m+y)`
    /// and `D_a, D_b, D_z` the derivatives of `ln ₂F₁`
    /// ([`super::special::ln_hyp2f1_c_a1_grad`]):
    /// for `α >= β` (`b = s+1`, `z = (α−β)/(α+y)`):
    /// `∂r = D_a − ln(α+y)`, `∂α = D_z (β+y)/(α+y)² − a/(α+y)`,
    /// `∂s = D_a + D_b − ln(α+y)`, `∂β = −D_z/(α+y)`;
    /// for `α < β` (`b = r+x`, `z = (β−α)/(β+y)`):
    /// `∂r = D_a + D_b − ln(β+y)`, `∂α = −D_z/(β+y)`,
    /// `∂s = D_a − ln(β+y)`, `∂β = D_z (α+y)/(β+y)² − a/(β+y)`.
    /// Adds the series terms summed to `terms`.
    fn ln_f_grad(&self, x: f64, y: f64, terms: &mut u64) -> (f64, [f64; 4]) {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let a = r + s + x;
        if alpha >= beta {
            let ay = alpha + y;
            let [v, da, db, dz] =
                ln_hyp2f1_c_a1_grad_counted(a, s + 1.0, (alpha - beta) / ay, terms);
            let l = ay.ln();
            let dz = dz / ay;
            (
                v - a * l,
                [da - l, dz * (beta + y) / ay - a / ay, da + db - l, -dz],
            )
        } else {
            let by = beta + y;
            let [v, da, db, dz] = ln_hyp2f1_c_a1_grad_counted(a, r + x, (beta - alpha) / by, terms);
            let l = by.ln();
            let dz = dz / by;
            (
                v - a * l,
                [da + db - l, -dz, da - l, dz * (alpha + y) / by - a / by],
            )
        }
    }

    /// `ln A₀ = ln(F(t_x) − F(T))` in log space; −∞ when `t_x = T`.
    fn ln_a0(&self, x: f64, t_x: f64, age: f64) -> f64 {
        let f1 = self.ln_f(x, t_x);
        let f2 = self.ln_f(x, age);
        let d = f2 - f1;
        if d >= 0.0 {
            f64::NEG_INFINITY
        } else {
            f1 + (-d.exp_m1()).ln()
        }
    }

    /// `ln` of the odds "gone : alive" given the history: by the ₂F₁ closed
    /// form, and where that is not finite (parameters near 10^±300, a ₂F₁
    /// argument within rounding of 1) by [`Self::ln_gone_odds_by_integral`].
    fn ln_gone_odds(&self, x: f64, t_x: f64, age: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let l = s.ln() - (r + s + x).ln()
            + (r + x) * (alpha + age).ln()
            + s * (beta + age).ln()
            + self.ln_a0(x, t_x, age);
        if l.is_finite() || t_x >= age {
            l
        } else {
            self.ln_gone_odds_by_integral(x, t_x, age)
        }
    }

    /// The odds "gone : alive" are `s ∫_{t_x}^{T} ((α+T)/(α+τ))^(r+x)
    /// ((β+T)/(β+τ))^s / (β+τ) dτ` (the likelihood's two parts divided);
    /// here their logarithm, by Gauss–Legendre panels in `u = ln((m+τ)/(m+t_x))`
    /// with `m = min(α, β)`, where that factor is exactly exponential. With
    /// `M = max(α, β)`, exponents `e_m` and `e_M` (`r + x` for `α`, `s + 1` for
    /// `β`), the integrand is `e^{top + Δ(u)}`, `Δ(u) = (1 − e_m) u − e_M
    /// ln((M+τ)/(M+t_x))`, everything in log space and relative to the value
    /// at `t_x` (finite for any positive parameters). The slope of `Δ`,
    /// `1 − e_m − e_M g` with `g = (m+τ)/(M+τ) <= 1` monotone, is monotone
    /// and bounded, so panels of width `1/(2(|slope| + 1))` never vanish and
    /// the walk stops once the rest is provably below e⁻⁴⁰ of the sum. NaN
    /// only beyond 20,000 panels.
    fn ln_gone_odds_by_integral(&self, x: f64, t_x: f64, age: f64) -> f64 {
        use super::beta_mixture::{GL16, LogSum};
        let ParetoNbd { r, alpha, s, beta } = *self;
        let rx = r + x;
        let span = age - t_x;
        let top = rx * (span / (alpha + t_x)).ln_1p()
            + s * (span / (beta + t_x)).ln_1p()
            + (alpha.min(beta) + t_x).ln()
            - (beta + t_x).ln();
        let ((base, e_base), (other, e_other)) = if alpha < beta {
            ((alpha + t_x, rx), (beta + t_x, s + 1.0))
        } else {
            ((beta + t_x, s + 1.0), (alpha + t_x, rx))
        };
        let width = (span / base).ln_1p();
        // τ − t_x = base (e^u − 1).
        let moved = |u: f64| (base * u.exp_m1()).min(span);
        let delta = |u: f64| (1.0 - e_base) * u - e_other * (moved(u) / other).ln_1p();
        let slope = |u: f64| 1.0 - e_base - e_other * ((base + moved(u)) / (other + moved(u)));
        let mut total = LogSum::new(f64::NEG_INFINITY);
        let mut start = 0.0_f64;
        for _ in 0..20_000 {
            if start >= width {
                return s.ln() + top + total.ln();
            }
            let step = (0.5 / (slope(start).abs() + 1.0)).min(width - start);
            let (c, hw) = (start + 0.5 * step, 0.5 * step);
            for &(node, weight) in &GL16 {
                for u in [c - hw * node, c + hw * node] {
                    total.add(delta(u) + (weight * hw).ln());
                }
            }
            start += step;
            // Decreasing on the rest when the slope is negative at both ends:
            // the rest is then below e^Δ × its length.
            let rest = delta(start) + (width - start).max(0.0).ln();
            if slope(start).max(slope(width)) < 0.0 && rest < total.ln() - 40.0 {
                return s.ln() + top + total.ln();
            }
        }
        f64::NAN
    }

    /// `ln P(alive) = −ln(1 + odds)`.
    fn ln_p_alive(&self, x: f64, t_x: f64, age: f64) -> f64 {
        -log_add_exp(0.0, self.ln_gone_odds(x, t_x, age))
    }

    /// `ln[(r+x)(β+T)/(α+T) · P(alive)]`: the factor of the conditional
    /// expectation before the dropout integral.
    fn ln_conditional_factor(&self, x: f64, t_x: f64, age: f64) -> f64 {
        let ParetoNbd { r, alpha, beta, .. } = *self;
        (r + x).ln() + (beta + age).ln() - (alpha + age).ln() + self.ln_p_alive(x, t_x, age)
    }
}

/// `[1 − e^{(s−1) q}] / (s − 1)`, with its limit `−q` at `s = 1`.
fn dropout_integral(s: f64, q: f64) -> f64 {
    if (s - 1.0).abs() < 1e-10 {
        -q
    } else {
        -((s - 1.0) * q).exp_m1() / (s - 1.0)
    }
}

/// Fits Pareto/NBD by maximum likelihood.
///
/// # Errors
///
/// As [`super::bg_nbd::fit`].
///
/// ```
/// use crm_core::clv::{pareto_nbd, FitOptions, RepeatData};
/// let x = [0.0, 0.0, 1.0, 1.0, 2.0, 3.0, 5.0, 8.0, 2.0, 1.0];
/// let t_x = [0.0, 0.0, 5.0, 20.0, 30.0, 25.0, 35.0, 37.0, 10.0, 2.0];
/// let age = [39.0, 30.0, 39.0, 30.0, 39.0, 38.0, 39.0, 38.0, 35.0, 20.0];
/// let weights = [800.0, 500.0, 150.0, 120.0, 100.0, 80.0, 50.0, 20.0, 60.0, 100.0];
/// let d = RepeatData::new(&x, &t_x, &age, Some(&weights))?;
/// let fit = pareto_nbd::fit(&d, &FitOptions::default())?;
/// assert!(fit.report.converged && fit.params.s > 0.0);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn fit(data: &RepeatData, options: &FitOptions) -> Result<Fitted<ParetoNbd>, ClvError> {
    data.require_some()?;
    // Start with both rate distributions alike, Gamma(0.5, α₀) with the
    // mean rate 0.5/α₀ of the data (BG/NBD's start has r = 1 for the same
    // mean). Why: at β = α the argument of ₂F₁ is 0, and the search stays
    // near α ≈ β, where the series need ~15 terms; from the former start
    // (s = 1, β = mean age) it crossed α ≪ β, where they need 50–100. Shapes
    // below 1 are what customer bases fit (CDNOW: 0.55 and 0.61). On CDNOW
    // this cuts the fit from 27 to 22 iterations and the series terms summed
    // by about 40 %; the optimum is the same.
    let [r, alpha, _, _] = super::bg_nbd::start(data);
    let alpha = alpha * 0.5 / r;
    let start = [0.5, alpha, 0.5, alpha];
    let ages = AgePairs::new(data);
    let budget = SeriesBudget::new(data.rows());
    fit_model(
        &start,
        data.total_weight(),
        data.rows(),
        options,
        &|p| {
            budget.pass(p, &mut [], |terms, limit, _| {
                total_ll(data, p, terms, limit)
            })
        },
        Some(&|p, g| {
            budget.pass(p, g, |terms, limit, g| {
                total_ll_gradient(data, &ages, p, g, terms, limit)
            })
        }),
    )
}

/// The total log-likelihood over compressed data: the Gamma-function terms
/// once per distinct `x`, and per row the two `₂F₁` terms of `A₀` (the one
/// at `t_x = 0` of the customers without repeat purchases is shared).
fn total_ll(data: &RepeatData, p: &[f64], terms: &mut u64, limit: u64) -> f64 {
    let Some(m) = ParetoNbd::from_values(p) else {
        return f64::NAN;
    };
    let ParetoNbd { r, alpha, s, beta } = m;
    let lg_r = ln_gamma(r);
    let base = r * alpha.ln() + s * beta.ln();
    let table: Vec<(f64, f64)> = data
        .distinct_x
        .iter()
        .map(|&x| (ln_gamma(r + x) - lg_r + base, s.ln() - (r + s + x).ln()))
        .collect();
    let f_zero = m.ln_f_counted(0.0, 0.0, terms);
    let mut total = 0.0;
    for i in 0..data.x.len() {
        if *terms > limit {
            return f64::NAN;
        }
        let (x, t_x, age) = (data.x[i], data.t_x[i], data.age[i]);
        let (a1, ln_ratio) = table[data.x_index[i] as usize];
        let alive = -(r + x) * (alpha + age).ln() - s * (beta + age).ln();
        let f1 = if x == 0.0 {
            f_zero
        } else {
            m.ln_f_counted(x, t_x, terms)
        };
        let d = m.ln_f_counted(x, age, terms) - f1;
        let ln_a0 = if d >= 0.0 {
            f64::NEG_INFINITY
        } else {
            f1 + (-d.exp_m1()).ln()
        };
        total += data.weight[i] * (a1 + log_add_exp(alive, ln_ratio + ln_a0));
    }
    total
}

/// The distinct `(x, T)` pairs of compressed data and each row's pair.
///
/// Why: `F(T)`, the second `₂F₁` term of a row, and the logarithms of
/// `α + T` and `β + T` depend on `x` and `T` only, and customers recorded on
/// a calendar share few ages: CDNOW's 1,016 compressed rows hold 464 pairs,
/// so a gradient pass sums 1,396 series instead of 1,948. Built once per fit.
struct AgePairs {
    /// `(x, T)`, sorted.
    pairs: Vec<(f64, f64)>,
    /// Each row's index in `pairs`.
    row: Vec<u32>,
}

impl AgePairs {
    fn new(data: &RepeatData) -> AgePairs {
        let mut order: Vec<u32> = (0..data.x.len() as u32).collect();
        order.sort_unstable_by(|&i, &j| {
            let (i, j) = (i as usize, j as usize);
            data.x[i]
                .total_cmp(&data.x[j])
                .then(data.age[i].total_cmp(&data.age[j]))
        });
        let mut pairs: Vec<(f64, f64)> = Vec::new();
        let mut row = vec![0u32; data.x.len()];
        for i in order {
            let key = (data.x[i as usize], data.age[i as usize]);
            if pairs.last() != Some(&key) {
                pairs.push(key);
            }
            row[i as usize] = (pairs.len() - 1) as u32;
        }
        AgePairs { pairs, row }
    }
}

/// What a gradient pass needs of one `(x, T)` pair: `ln F(T)` and its
/// gradient, `ln(α+T)`, `ln(β+T)`, `1/(α+T)`, `1/(β+T)`.
type AgeTerms = (f64, [f64; 4], f64, f64, f64, f64);

/// [`total_ll`] and its gradient in `(r, α, s, β)`, in one pass.
///
/// Why: with central differences a quasi-Newton step costs nine likelihood
/// passes (four parameters) and the Hessian of the standard errors 33; the
/// analytic gradient costs about 1.5 passes and turns the Hessian into eight
/// gradient calls. Per row, with `ℓ = a₁ + ln(e^{alive} + e^{gone})`,
/// `gone = ln s − ln(r+s+x) + ln A₀` and `w_alive + w_gone = 1`:
/// `∂ℓ = ∂a₁ + w_alive ∂alive + w_gone ∂gone`, where
/// `∂a₁ = (ψ(r+x) − ψ(r) + ln α, r/α, ln β, s/β)`,
/// `∂alive = (−ln(α+T), −(r+x)/(α+T), −ln(β+T), −s/(β+T))`,
/// and, with `d = ln F(T) − ln F(t_x) < 0`,
/// `∂ ln A₀ = (∂ ln F(t_x) − e^d ∂ ln F(T)) / (1 − e^d)`
/// (see [`ParetoNbd::ln_f_grad`]). When `t_x = T` (`A₀ = 0`) the `gone`
/// term has weight 0 and is left out, as in the likelihood.
/// `ages` must be [`AgePairs::new`] of the same `data`.
fn total_ll_gradient(
    data: &RepeatData,
    ages: &AgePairs,
    p: &[f64],
    grad: &mut [f64],
    terms: &mut u64,
    limit: u64,
) -> f64 {
    let Some(m) = ParetoNbd::from_values(p) else {
        return f64::NAN;
    };
    let ParetoNbd { r, alpha, s, beta } = m;
    let lg_r = ln_gamma(r);
    let dg_r = digamma(r);
    let (ln_alpha, ln_beta_) = (alpha.ln(), beta.ln());
    let base = r * ln_alpha + s * ln_beta_;
    let (r_over_alpha, s_over_beta, inv_s) = (r / alpha, s / beta, 1.0 / s);
    // Per distinct x: a₁, ln s − ln(r+s+x), ψ(r+x) − ψ(r) + ln α, 1/(r+s+x).
    let table: Vec<[f64; 4]> = data
        .distinct_x
        .iter()
        .map(|&x| {
            let rsx = r + s + x;
            [
                ln_gamma(r + x) - lg_r + base,
                s.ln() - rsx.ln(),
                digamma(r + x) - dg_r + ln_alpha,
                1.0 / rsx,
            ]
        })
        .collect();
    let mut at_age: Vec<AgeTerms> = Vec::with_capacity(ages.pairs.len());
    for &(x, age) in &ages.pairs {
        if *terms > limit {
            return f64::NAN;
        }
        let (f2, g2) = m.ln_f_grad(x, age, terms);
        let (at, bt) = (alpha + age, beta + age);
        at_age.push((f2, g2, at.ln(), bt.ln(), 1.0 / at, 1.0 / bt));
    }
    let f_zero = m.ln_f_grad(0.0, 0.0, terms);
    let mut total = 0.0;
    let mut g = [0.0; 4];
    for i in 0..data.x.len() {
        if *terms > limit {
            return f64::NAN;
        }
        let (x, t_x, w) = (data.x[i], data.t_x[i], data.weight[i]);
        let [a1, ln_ratio, d_r, inv_rsx] = table[data.x_index[i] as usize];
        let (f2, g2, lat, lbt, inv_at, inv_bt) = at_age[ages.row[i] as usize];
        let alive = -(r + x) * lat - s * lbt;
        let d_a1 = [d_r, r_over_alpha, ln_beta_, s_over_beta];
        let d_alive = [-lat, -(r + x) * inv_at, -lbt, -s * inv_bt];
        let (f1, g1) = if x == 0.0 {
            f_zero
        } else {
            m.ln_f_grad(x, t_x, terms)
        };
        let d = f2 - f1;
        if d >= 0.0 {
            total += w * (a1 + alive);
            for k in 0..4 {
                g[k] += w * (d_a1[k] + d_alive[k]);
            }
            continue;
        }
        let e = d.exp();
        let one_minus = -d.exp_m1();
        let gone = ln_ratio + f1 + one_minus.ln();
        let diff = gone - alive;
        // `ln(1 + q)` for `0 < q <= 1`: see `bg_nbd::total_ll_gradient`.
        let (lse, w_gone) = if diff < 0.0 {
            let q = diff.exp();
            (alive + (1.0 + q).ln(), q / (1.0 + q))
        } else {
            let q = (-diff).exp();
            (gone + (1.0 + q).ln(), 1.0 / (1.0 + q))
        };
        let w_alive = 1.0 - w_gone;
        let d_ratio = [-inv_rsx, 0.0, inv_s - inv_rsx, 0.0];
        let inv_om = 1.0 / one_minus;
        total += w * (a1 + lse);
        for k in 0..4 {
            let d_a0 = (g1[k] - e * g2[k]) * inv_om;
            g[k] += w * (d_a1[k] + w_alive * d_alive[k] + w_gone * (d_ratio[k] + d_a0));
        }
    }
    grad[..4].copy_from_slice(&g);
    total
}

impl RepeatModel for ParetoNbd {
    fn log_likelihood_one(&self, x: f64, t_x: f64, age: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let a1 = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + s * beta.ln();
        let alive = -(r + x) * (alpha + age).ln() - s * (beta + age).ln();
        let gone = s.ln() - (r + s + x).ln() + self.ln_a0(x, t_x, age);
        a1 + log_add_exp(alive, gone)
    }

    fn p_alive(&self, x: f64, t_x: f64, age: f64) -> f64 {
        self.ln_p_alive(x, t_x, age).exp()
    }

    fn expected_purchases(&self, t: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        r * beta / alpha * dropout_integral(s, (beta / (beta + t)).ln())
    }

    /// `(r+x)/(α+T) · (β+T) [1 − ((β+T)/(β+T+t))^(s−1)]/(s−1) · P(alive)`, as
    /// a sum of logarithms (each factor may leave `f64` where the product
    /// does not).
    fn conditional_expected_purchases(&self, t: f64, x: f64, t_x: f64, age: f64) -> f64 {
        let ParetoNbd { s, beta, .. } = *self;
        let q = -(t / (beta + age)).ln_1p();
        (self.ln_conditional_factor(x, t_x, age) + dropout_integral(s, q).ln()).exp()
    }

    /// The factor before the dropout integral (with P(alive)) once for all
    /// periods.
    fn conditional_purchases_by_period(&self, period: f64, n: u32, h: [f64; 3]) -> Vec<f64> {
        let (ParetoNbd { s, beta, .. }, [x, t_x, age]) = (*self, h);
        let factor = self.ln_conditional_factor(x, t_x, age);
        super::increments(period, n, |t| {
            (factor + dropout_integral(s, -(t / (beta + age)).ln_1p()).ln()).exp()
        })
    }

    /// Fader & Hardie (2006), "Deriving an expression for P(X(t) = x) under
    /// the Pareto/NBD model".
    fn p_purchases(&self, n: u32, t: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let x = f64::from(n);
        let alive = super::bg_nbd::ln_nbd(r, alpha, n, t) + s * (beta / (beta + t)).ln();
        let c = r + s + x + 1.0;
        let (ln_b1, ln_b2) = if alpha >= beta {
            let b1 = ln_hyp2f1(r + s, s + 1.0, c, (alpha - beta) / alpha) - (r + s) * alpha.ln();
            let b2 = move |j: f64| {
                ln_hyp2f1(r + s + j, s + 1.0, c, (alpha - beta) / (alpha + t))
                    - (r + s + j) * (alpha + t).ln()
            };
            (b1, Box::new(b2) as Box<dyn Fn(f64) -> f64>)
        } else {
            let b1 = ln_hyp2f1(r + s, r + x, c, (beta - alpha) / beta) - (r + s) * beta.ln();
            let b2 = move |j: f64| {
                ln_hyp2f1(r + s + j, r + x, c, (beta - alpha) / (beta + t))
                    - (r + s + j) * (beta + t).ln()
            };
            (b1, Box::new(b2) as Box<dyn Fn(f64) -> f64>)
        };
        let lg_rs = ln_gamma(r + s);
        let ln_t = t.ln();
        let mut inner = 1.0;
        for j in 0..=n {
            let jf = f64::from(j);
            let tj = if j == 0 { 0.0 } else { jf * ln_t };
            inner -=
                (ln_gamma(r + s + jf) - lg_rs - ln_gamma(jf + 1.0) + tj + ln_b2(jf) - ln_b1).exp();
        }
        let pre = r * alpha.ln() + s * beta.ln() + ln_beta(r + x, s + 1.0) - ln_beta(r, s) + ln_b1;
        (alive.exp() + pre.exp() * inner.max(0.0)).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clv::tests_data::cdnow;
    use proptest::prelude::*;

    const PUBLISHED: ParetoNbd = ParetoNbd {
        r: 0.553,
        alpha: 10.578,
        s: 0.606,
        beta: 11.669,
    };

    #[test]
    fn data_without_dropout_stop_the_fit_within_its_series_budget() {
        // 4,000 customers who all keep buying at one rate: the likelihood
        // rises as beta / alpha grows without bound, where the series grow
        // with it. The fit stops, not converged, once a pass sums more than
        // the budget, instead of running for minutes.
        let (mut x, mut t_x, mut age) = (vec![], vec![], vec![]);
        for i in 0..4_000_u32 {
            let t = 200.0 + f64::from(i % 800);
            let n = (t / 10.0).floor() + f64::from(i % 7) - 3.0;
            x.push(n);
            t_x.push(t - f64::from(i % 5));
            age.push(t);
        }
        let data = RepeatData::new(&x, &t_x, &age, None).unwrap();
        let started = std::time::Instant::now();
        match fit(&data, &FitOptions::default()) {
            Err(ClvError::NotConverged { report, .. }) => assert!(!report.converged),
            Ok(f) => panic!("converged at {:?}", f.params),
            Err(e) => panic!("{e}"),
        }
        // Generous: the budget bounds the work, not the machine's speed.
        assert!(started.elapsed().as_secs() < 60);
    }

    #[test]
    fn cdnow_reproduces_fader_hardie() {
        let fit = fit(&cdnow(), &FitOptions::default()).unwrap();
        // r, α, s to 3 decimals. β is flat (standard error about 6): the
        // published 11.669 comes from a solver that stopped early. Our
        // 11.6679 has the *higher* log-likelihood (−9594.97393 against
        // −9594.97401 at the published point), so β is held to 0.002.
        for (name, (got, want)) in ParetoNbd::NAMES
            .iter()
            .zip(fit.params.values().into_iter().zip(PUBLISHED.values()))
        {
            let tolerance = if *name == "beta" { 2e-3 } else { 5e-4 };
            assert!(
                (got - want).abs() <= tolerance,
                "{name}: fitted {got}, published {want}"
            );
        }
        assert!(fit.log_likelihood > cdnow().log_likelihood(&PUBLISHED));
        assert!(
            (fit.log_likelihood - -9595.0).abs() <= 0.05,
            "LL {}",
            fit.log_likelihood
        );
        assert!(fit.standard_errors.is_some());
        let fast = total_ll(&cdnow(), &PUBLISHED.values(), &mut 0, u64::MAX);
        assert!((fast - cdnow().log_likelihood(&PUBLISHED)).abs() < 1e-8);
    }

    #[test]
    fn analytic_gradient_matches_central_differences() {
        // CDNOW plus customers with very large frequencies, at points on both
        // sides of α = β (the two forms of ₂F₁) and near the optimum.
        let [mut x, mut t_x, mut age, _] = crate::clv::tests_data::cdnow_columns();
        for (xi, ti, ai) in [
            (300.0, 30.0, 38.0),
            (1_000.0, 37.5, 38.0),
            (10_000.0, 38.0, 38.86),
            (5.0, 38.86, 38.86),
        ] {
            x.push(xi);
            t_x.push(ti);
            age.push(ai);
        }
        let data = RepeatData::new(&x, &t_x, &age, None).unwrap();
        for p in [
            [0.553, 10.578, 0.606, 11.669],
            [0.553, 12.0, 0.606, 9.0],
            [1.2, 3.0, 0.3, 30.0],
            [0.3, 25.0, 2.0, 5.0],
            [0.8, 7.0, 1.0, 7.0],
        ] {
            let mut g = [0.0; 4];
            let ll = total_ll_gradient(&data, &AgePairs::new(&data), &p, &mut g, &mut 0, u64::MAX);
            let want = total_ll(&data, &p, &mut 0, u64::MAX);
            assert!(
                (ll - want).abs() < 1e-9 * want.abs(),
                "{p:?}: {ll} vs {want}"
            );
            for i in 0..4 {
                // Steps of 1e-4: the rounding noise of a total near −1e5 (the
                // x = 10,000 customer) is ~1e-11 / h, the truncation ~h².
                let h = 1e-4 * p[i];
                let (mut up, mut down) = (p, p);
                up[i] += h;
                down[i] -= h;
                let num = (total_ll(&data, &up, &mut 0, u64::MAX)
                    - total_ll(&data, &down, &mut 0, u64::MAX))
                    / (2.0 * h);
                assert!(
                    (g[i] - num).abs() < 1e-5 * num.abs().max(1.0),
                    "{p:?} {i}: {} vs {num}",
                    g[i]
                );
            }
        }
    }

    #[test]
    fn p_purchases_sum_to_one_and_match_the_mean() {
        for m in [
            PUBLISHED,
            ParetoNbd {
                r: 0.553,
                alpha: 12.0,
                s: 0.606,
                beta: 9.0,
            },
        ] {
            let p: Vec<f64> = (0..60).map(|n| m.p_purchases(n, 39.0)).collect();
            let s: f64 = p.iter().sum();
            assert!((s - 1.0).abs() < 1e-6, "{m:?}: {s}");
            let mean: f64 = p.iter().enumerate().map(|(n, p)| n as f64 * p).sum();
            assert!(
                (mean - m.expected_purchases(39.0)).abs() < 1e-3,
                "{m:?}: {mean}"
            );
        }
    }

    #[test]
    fn frequency_up_to_10000_stays_finite() {
        for x in [221.0, 300.0, 1_000.0, 10_000.0] {
            for m in [
                PUBLISHED,
                ParetoNbd {
                    r: 0.553,
                    alpha: 12.0,
                    s: 0.606,
                    beta: 9.0,
                },
            ] {
                let ll = m.log_likelihood_one(x, 30.0, 38.86);
                let p = m.p_alive(x, 30.0, 38.86);
                let e = m.conditional_expected_purchases(39.0, x, 30.0, 38.86);
                assert!(
                    ll.is_finite() && p.is_finite() && e.is_finite(),
                    "x = {x}: {ll} {p} {e}"
                );
                assert!((0.0..=1.0).contains(&p));
            }
        }
        // The log-likelihood agrees with the closed form at t_x = T (no A0 term).
        let m = PUBLISHED;
        let x = 10_000.0;
        let direct = ln_gamma(m.r + x) - ln_gamma(m.r) + m.r * m.alpha.ln() + m.s * m.beta.ln()
            - (m.r + x) * (m.alpha + 38.86f64).ln()
            - m.s * (m.beta + 38.86f64).ln();
        assert!((m.log_likelihood_one(x, 38.86, 38.86) - direct).abs() < 1e-9 * direct.abs());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// P(alive) is a probability for any history and parameters.
        #[test]
        fn p_alive_stays_within_0_and_1(x in 0u32..3000, frac in 0.01_f64..1.0, age in 0.1_f64..200.0,
                                        r in 0.05_f64..5.0, alpha in 0.1_f64..50.0, s in 0.05_f64..5.0, beta in 0.1_f64..50.0) {
            let m = ParetoNbd { r, alpha, s, beta };
            let t_x = if x == 0 { 0.0 } else { frac * age };
            let p = m.p_alive(f64::from(x), t_x, age);
            prop_assert!((0.0..=1.0).contains(&p), "{}", p);
        }

        /// The odds by the integral equal the ₂F₁ closed form where that is
        /// finite (two independent computations).
        #[test]
        fn gone_odds_by_integral_equal_the_closed_form(x in prop_oneof![0u32..20, 0u32..10_001], frac in 0.0_f64..0.999,
                age in 0.1_f64..500.0, r in 0.05_f64..5.0, alpha in 0.1_f64..50.0, s in 0.05_f64..5.0, beta in 0.1_f64..50.0) {
            let m = ParetoNbd { r, alpha, s, beta };
            let (x, t_x) = (f64::from(x), if x == 0 { 0.0 } else { frac * age });
            let closed = m.ln_gone_odds(x, t_x, age);
            let integral = m.ln_gone_odds_by_integral(x, t_x, age);
            prop_assume!(closed.is_finite());
            prop_assert!((closed - integral).abs() <= 1e-10 * closed.abs().max(1.0), "{} vs {}", closed, integral);
        }

        /// Extreme but valid parameters (10^±300), frequencies up to 10,000 and
        /// ages and horizons up to 10⁶ periods: P(alive) is a probability and
        /// the conditional expectation finite; it is at most the posterior
        /// mean rate times t (a dropout can only lower it).
        #[test]
        fn predictions_are_finite_for_extreme_parameters(
            lr in -300.0_f64..300.0, la in -300.0_f64..300.0, ls in -300.0_f64..300.0, lb in -300.0_f64..300.0,
            x in 0u32..10_001, frac in 0.0_f64..1.0, lage in -3.0_f64..6.0, lt in -3.0_f64..6.0,
        ) {
            let p = |l: f64| 10f64.powf(l);
            let m = ParetoNbd { r: p(lr), alpha: p(la), s: p(ls), beta: p(lb) };
            let (age, t) = (p(lage), p(lt));
            let (x, t_x) = (f64::from(x), if x == 0 { 0.0 } else { frac * age });
            let alive = m.p_alive(x, t_x, age);
            prop_assert!((0.0..=1.0).contains(&alive), "{}", alive);
            let e = m.conditional_expected_purchases(t, x, t_x, age);
            let ln_bound = (m.r + x).ln() - (m.alpha + age).ln() + t.ln();
            prop_assert!(e.is_finite() && e >= 0.0 || ln_bound > 709.0, "{} {}", e, ln_bound);
            prop_assert!(e.ln() <= ln_bound + 1e-9 * ln_bound.abs().max(1.0), "{} {}", e, ln_bound);
        }

        /// More time ahead never means fewer expected purchases.
        #[test]
        fn expected_purchases_increase_with_t(x in 0u32..300, frac in 0.01_f64..1.0, age in 0.1_f64..200.0, t in 0.1_f64..100.0) {
            let t_x = if x == 0 { 0.0 } else { frac * age };
            let e1 = PUBLISHED.conditional_expected_purchases(t, f64::from(x), t_x, age);
            let e2 = PUBLISHED.conditional_expected_purchases(1.5 * t, f64::from(x), t_x, age);
            prop_assert!(e1.is_finite() && e2 >= e1);
            prop_assert!(PUBLISHED.expected_purchases(1.5 * t) >= PUBLISHED.expected_purchases(t));
        }
    }
}
