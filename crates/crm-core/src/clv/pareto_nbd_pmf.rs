//! Pareto/NBD's conditional probability of `n` purchases in `(T, T + t]`
//! given a customer's history `(x, t_x, T)` (Fader & Hardie, "Deriving the
//! conditional PMF of the Pareto/NBD model", 2014, equation 16; lifetimes'
//! `ParetoNBDFitter.conditional_probability_of_n_purchases_up_to_time`).
//!
//! With `L` the customer's likelihood, `M = max(α, β)`, `z(y) = |α − β| /
//! (M + y)`, `p = r + x + n` when `α < β` and `s + 1` otherwise:
//!
//! ```text
//! P(n) = [n = 0] (1 − P(alive))
//!      + tⁿ/n! · Γ(r+x+n) αʳ βˢ / (Γ(r) (α+T+t)^{r+x+n} (β+T+t)ˢ) / L
//!      + αʳ βˢ B(r+x+n, s+1) / (Γ(r) Γ(s) L) · [ Γ(r+s+x) ₂F₁(r+s+x, p; r+s+x+n+1; z(T)) / (M+T)^{r+s+x}
//!        − Σᵢ₌₀ⁿ tⁱ/i! Γ(r+s+x+i) ₂F₁(r+s+x+i, p; r+s+x+n+1; z(T+t)) / (M+T+t)^{r+s+x+i} ]
//! ```
//!
//! Every term is a logarithm until the end; the bracket (a difference of
//! close terms) is summed relative to its largest term. `L` comes from
//! P(alive): `L = αʳ βˢ Γ(r+x) / (Γ(r) (α+T)^{r+x} (β+T)ˢ) / P(alive)`.
//!
//! ```
//! use crm_core::clv::pareto_nbd::ParetoNbd;
//! use crm_core::clv::pareto_nbd_pmf::conditional_probability_of_n_purchases;
//! let m = ParetoNbd { r: 0.5534, alpha: 10.5802, s: 0.6061, beta: 11.6562 };
//! let p: f64 = (0..200)
//!     .map(|n| conditional_probability_of_n_purchases(&m, n, 39.0, 2.0, 30.43, 38.86).unwrap())
//!     .sum();
//! assert!((p - 1.0).abs() < 1e-9);
//! ```

use super::pareto_nbd::ParetoNbd;
use super::special::{ln_beta, ln_gamma, ln_hyp2f1};
use super::{ClvError, RepeatModel};

/// P(exactly `n` purchases in `(age, age + t]` | `x` repeat purchases, the
/// last at `t_x`, first purchase `age` ago) under Pareto/NBD.
///
/// # Errors
///
/// [`ClvError::InvalidArgument`] for a `t` that is negative or not finite,
/// or a history that breaks `0 <= t_x <= age` (name `t_x`) or has a
/// negative or non-whole `x`; [`ClvError::NotFinite`] (row 1) when the
/// result is not a finite probability under these parameters.
///
/// # Example
///
/// See the [module docs](self).
pub fn conditional_probability_of_n_purchases(
    m: &ParetoNbd,
    n: u32,
    t: f64,
    x: f64,
    t_x: f64,
    age: f64,
) -> Result<f64, ClvError> {
    let bad = |name: &str, rule: &str| ClvError::InvalidArgument {
        name: name.into(),
        rule: rule.into(),
    };
    if !(t.is_finite() && t >= 0.0) {
        return Err(bad("t", "a finite time >= 0"));
    }
    if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0) {
        return Err(bad("x", "a whole number >= 0"));
    }
    if !(t_x.is_finite() && age.is_finite() && 0.0 <= t_x && t_x <= age) {
        return Err(bad("t_x", "0 <= t_x <= T"));
    }
    let p_alive = m.p_alive(x, t_x, age);
    let dead = if n == 0 { 1.0 - p_alive } else { 0.0 };
    if t == 0.0 {
        return Ok(if n == 0 { 1.0 } else { 0.0 });
    }
    if p_alive.is_nan() || p_alive <= 0.0 {
        return finite(dead);
    }
    let ParetoNbd { r, alpha, s, beta } = *m;
    let nf = f64::from(n);
    let prior = r * alpha.ln() + s * beta.ln() - ln_gamma(r);
    let ln_alive = prior + ln_gamma(r + x) - (r + x) * (alpha + age).ln() - s * (beta + age).ln();
    let ln_l = ln_alive - p_alive.ln();
    let first = nf * t.ln() - ln_gamma(nf + 1.0) + prior + ln_gamma(r + x + nf)
        - (r + x + nf) * (alpha + age + t).ln()
        - s * (beta + age + t).ln()
        - ln_l;
    let (big, p) = if alpha < beta {
        (beta, r + x + nf)
    } else {
        (alpha, s + 1.0)
    };
    let gap = (alpha - beta).abs();
    let rsx = r + s + x;
    let c = rsx + nf + 1.0;
    let common = prior - ln_gamma(s) + ln_beta(r + x + nf, s + 1.0) - ln_l;
    // tⁱ/i! Γ(r+s+x+i) ₂F₁(...; z(y)) / (M+y)^{r+s+x+i}, with the common factor.
    let term = |i: f64, y: f64| {
        common + ln_gamma(rsx + i) + ln_hyp2f1(rsx + i, p, c, gap / (big + y))
            - (rsx + i) * (big + y).ln()
            + i * t.ln()
            - ln_gamma(i + 1.0)
    };
    let second = term(0.0, age);
    let thirds: Vec<f64> = (0..=n).map(|i| term(f64::from(i), age + t)).collect();
    let top = thirds.iter().copied().fold(second, f64::max);
    let bracket =
        ((second - top).exp() - thirds.iter().map(|v| (v - top).exp()).sum::<f64>()) * top.exp();
    finite(dead + first.exp() + bracket.max(0.0))
}

fn finite(p: f64) -> Result<f64, ClvError> {
    if p.is_finite() {
        Ok(p.clamp(0.0, 1.0))
    } else {
        Err(ClvError::NotFinite {
            what: "conditional_probability_of_n_purchases".into(),
            row: 1,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CDNOW: ParetoNbd = ParetoNbd {
        r: 0.5534,
        alpha: 10.5802,
        s: 0.6061,
        beta: 11.6562,
    };

    /// (n, t, x, t_x, T, P): lifetimes 0.11.3's
    /// `conditional_probability_of_n_purchases_up_to_time` at these
    /// parameters, which agreed with an mpmath double integral over the
    /// posterior of (λ, μ) (30 digits) to 1e-14 relative; made by
    /// `bindings/python/tests/data/make_pareto_nbd_pmf_reference.py`.
    const LIFETIMES: [(u32, f64, f64, f64, f64, f64); 4] = [
        (0, 39.0, 0.0, 0.0, 38.86, 0.930_754_280_216_534_5),
        (2, 39.0, 2.0, 30.43, 38.86, 0.151_746_052_075_593_97),
        (1, 10.0, 1.0, 2.0, 38.86, 0.032_796_333_059_833_385),
        (3, 52.0, 7.0, 35.0, 38.0, 0.073_976_653_763_618_95),
    ];

    #[test]
    fn matches_lifetimes_and_the_mpmath_posterior_integral() {
        for (n, t, x, t_x, age, want) in LIFETIMES {
            let got = conditional_probability_of_n_purchases(&CDNOW, n, t, x, t_x, age).unwrap();
            assert!(
                (got - want).abs() <= 1e-11 * want,
                "n={n} x={x}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn probabilities_over_n_sum_to_one_and_the_mean_is_the_conditional_expectation() {
        for (x, t_x, age, t) in [
            (0.0, 0.0, 38.86, 39.0),
            (5.0, 35.0, 38.0, 52.0),
            (1.0, 2.0, 38.86, 10.0),
        ] {
            let ps: Vec<f64> = (0..400)
                .map(|n| conditional_probability_of_n_purchases(&CDNOW, n, t, x, t_x, age).unwrap())
                .collect();
            let total: f64 = ps.iter().sum();
            let mean: f64 = ps.iter().enumerate().map(|(n, p)| n as f64 * p).sum();
            assert!((total - 1.0).abs() < 1e-9, "sum {total}");
            let want = CDNOW.conditional_expected_purchases(t, x, t_x, age);
            assert!(
                (mean - want).abs() < 1e-8 * want.max(1.0),
                "mean {mean} vs {want}"
            );
        }
    }

    #[test]
    fn no_time_means_no_purchase_and_bad_arguments_are_errors() {
        assert_eq!(
            conditional_probability_of_n_purchases(&CDNOW, 0, 0.0, 1.0, 1.0, 2.0),
            Ok(1.0)
        );
        assert_eq!(
            conditional_probability_of_n_purchases(&CDNOW, 3, 0.0, 1.0, 1.0, 2.0),
            Ok(0.0)
        );
        for (t, x, t_x, age) in [
            (-1.0, 1.0, 1.0, 2.0),
            (1.0, 1.5, 1.0, 2.0),
            (1.0, 1.0, 3.0, 2.0),
            (f64::NAN, 0.0, 0.0, 1.0),
        ] {
            assert!(matches!(
                conditional_probability_of_n_purchases(&CDNOW, 1, t, x, t_x, age),
                Err(ClvError::InvalidArgument { .. })
            ));
        }
    }
}
