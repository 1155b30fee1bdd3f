//! Expected purchases of the BG/NBD family, finite for any horizon.
//!
//! Every expectation of BG/NBD and MBG/NBD is one function: the expected
//! number of purchases in the next `t` of a customer who is alive now, buys
//! at a Gamma(r, α) rate and leaves after each purchase with a Beta(a, b)
//! probability `p`,
//!
//! `g(r, α, a, b, t) = E_p[(1 − (1 + p t/α)^(−r)) / p]`
//!
//! (given `p`, the purchases before dropout number `(1 − e^{−λ p t}) / p` on
//! average; averaged over λ that is `(1 − (α/(α + p t))^r) / p`). The papers
//! write it with `₂F₁(r, b; a + b − 1; t/(α + t))`; a history updates the
//! parameters to `(r + x, α + T, a, b + x)` (BG/NBD) and the result is
//! multiplied by P(alive).
//!
//! # Why not only the series
//!
//! The ₂F₁ series needs about `1/(1 − z)` terms with `z = t/(α + t)`: at
//! 30,000 weeks on CDNOW's parameters that is 200,000 terms, and the former
//! code returned NaN there (lifetimes gives 21.085). The closed form also
//! divides by `a − 1` (0/0 at `a = 1`) and needs `a + b > 1`. [`expected`]
//! therefore uses the series only where it is short and well conditioned
//! (`z` small enough for at most 5,000 terms, `|a − 1| >= 10⁻³`, `a + b > 1`)
//! and otherwise integrates the definition over `p` numerically:
//!
//! - in the logistic variable `s = ln(p / (1 − p))`, where the Beta density
//!   times `dp` is `p^a (1 − p)^b ds / B(a, b)`: smooth, with exponential
//!   tails of rates `a` (left) and `b` (right) and singularities no closer
//!   than π/2 to the real axis;
//! - Gauss–Legendre panels of 16 points, of width `min(1.5, w)` with `w`
//!   the width of the peak, walking out from the peak until the integrand
//!   falls below `e^{−46}` of its largest value or the tails' closed forms
//!   hold to 10⁻¹⁵ (then `e^{ψ}/a` and `e^{ψ}/b`);
//! - everything in log space, with `ln B(a, b)` from Stirling's series where
//!   the arguments are large ([`ln_beta_stable`]), so parameters near 10^±300
//!   stay finite;
//! - when the Beta distribution is so narrow that `p` is all but fixed
//!   (relative variance below 10⁻⁶), the delta method
//!   `h(p̄) + h''(p̄) Var(p)/2` (error about 10⁻¹²).
//!
//! The cost does not grow with `t` or `x`: at most a few hundred evaluations
//! of the integrand. Both paths are checked against each other and against
//! mpmath (the Python tests) over `x <= 10,000` and `t <= 10⁶`.
//!
//! ```
//! use crm_core::clv::beta_mixture::expected;
//! // CDNOW's published BG/NBD parameters: lifetimes gives 21.085 at 30,000 weeks.
//! let e = expected(0.243, 4.414, 0.793, 2.426, 30_000.0);
//! assert!((e - 21.0848).abs() < 1e-3);
//! ```

use super::special::{ln_gamma, ln_hyp2f1};

/// `g(r, α, a, b, t)` of the module docs: expected purchases in `(0, t]` of
/// an alive customer. NaN for parameters that are not positive or a `t`
/// that is negative or not finite (callers check those first); may be
/// infinite only where the value exceeds `f64`.
///
/// ```
/// use crm_core::clv::beta_mixture::expected;
/// assert_eq!(expected(0.5, 2.0, 1.5, 3.0, 0.0), 0.0);
/// // At a = 1 the closed form is 0/0; the integral is not.
/// assert!(expected(0.5, 2.0, 1.0, 3.0, 10.0).is_finite());
/// ```
pub fn expected(r: f64, alpha: f64, a: f64, b: f64, t: f64) -> f64 {
    if !(r > 0.0 && alpha > 0.0 && a > 0.0 && b > 0.0 && t >= 0.0 && t.is_finite()) {
        return f64::NAN;
    }
    if !(r.is_finite() && alpha.is_finite() && a.is_finite() && b.is_finite()) {
        return f64::NAN;
    }
    if t == 0.0 {
        return 0.0;
    }
    if let Some(v) = by_series(r, alpha, a, b, t) {
        return v;
    }
    by_integral(r, alpha, a, b, t)
}

/// Expected purchases of an alive customer in each of `periods`
/// consecutive periods of length `period`: element `k − 1` is
/// `g(kΔ) − g((k − 1)Δ)` with `g` = [`expected`] and `Δ = period` (what a
/// discounted lifetime value sums, [`super::value`]).
///
/// The same figures as differences of [`expected`], without one integral or
/// long series per period (a 1,200-month horizon was 1,200 of them per
/// customer). The increments are integrals of the derivative
/// `dg/du = r · H(u)`, `H(u) = ₂F₁(r + 1, a; a + b; −u) = E_p[(1 + p u)^(−r−1)]`
/// on `u = t/α`, taken period by period from the Taylor series of `H`
/// around the period's start: `H` solves the hypergeometric equation
/// `u(1 + u)H'' + [c + (r + a + 2)u]H' + (r + 1)a H = 0` (`c = a + b`), so the
/// coefficients follow from a three-term recurrence and the series
/// converges with ratio `Δ/(α + (k − 1)Δ)` (its radius is `1 + u`: the only
/// singularity of `H` is at `u = −1`). Near `u = 0` the equation's other
/// solutions vary on the scale `u / max(r + 1, a + b)`, which the
/// recurrence would amplify, so the first `max(r + 1, a + b)/2 + 2` periods
/// are differences of [`expected`] and the stepping starts after them, from
/// `H` and `H'` by the ₂F₁ series. The stepped sum is checked against
/// [`expected`] at the horizon (to 10⁻¹¹); where it disagrees, or the
/// stepping cannot start (parameters near 10^±300, frequencies in the
/// thousands), every period is a difference of [`expected`].
///
/// ```
/// use crm_core::clv::beta_mixture::{expected, expected_by_period};
/// let by_period = expected_by_period(0.243, 4.414 + 38.86, 0.793, 2.426 + 2.0, 4.345, 1_200);
/// let total: f64 = by_period.iter().sum();
/// let direct = expected(0.243, 4.414 + 38.86, 0.793, 2.426 + 2.0, 4.345 * 1_200.0);
/// assert!((total - direct).abs() <= 1e-10 * direct);
/// ```
pub fn expected_by_period(
    r: f64,
    alpha: f64,
    a: f64,
    b: f64,
    period: f64,
    periods: u32,
) -> Vec<f64> {
    let n = periods as usize;
    let at = |k: usize| expected(r, alpha, a, b, k as f64 * period);
    let mut out = Vec::with_capacity(n);
    let largest = (r + 1.0).max(a + b);
    // The first period stepped (1-based); the ones before are differences.
    let start = if largest.is_finite() && largest < 1e6 {
        ((largest / 2.0).ceil() as usize + 2).max(3)
    } else {
        usize::MAX
    };
    let mut before = 0.0;
    for k in 1..=n.min(start.saturating_sub(1)) {
        let now = at(k);
        out.push(now - before);
        before = now;
    }
    if out.len() == n {
        return out;
    }
    if let Some(stepped) = stepped_periods(r, alpha, a, b, period, start, n) {
        let total = before + stepped.iter().sum::<f64>();
        let direct = at(n);
        if (total - direct).abs() <= 1e-11 * direct {
            out.extend(stepped);
            return out;
        }
    }
    for k in start..=n {
        let now = at(k);
        out.push(now - before);
        before = now;
    }
    out
}

/// The increments of [`expected_by_period`] for periods `start..=last` by
/// the Taylor steps of its docs; `None` when a step does not converge or
/// leaves `f64`.
fn stepped_periods(
    r: f64,
    alpha: f64,
    a: f64,
    b: f64,
    period: f64,
    start: usize,
    last: usize,
) -> Option<Vec<f64>> {
    let sigma = period / alpha;
    let equation = Hypergeometric {
        a: r + 1.0,
        b: a,
        c: a + b,
    };
    // H and H' at the start of period `start`, u0 = (start − 1)σ, by Pfaff's
    // transformation to z = u/(1 + u) (all parameters positive):
    // H = (1+u)^(−r−1) ₂F₁(r+1, b; a+b; z),
    // H' = −(r+1)a/(a+b) (1+u)^(−r−2) ₂F₁(r+2, b; a+b+1; z).
    let u0 = (start - 1) as f64 * sigma;
    let (ln_1u, z) = (u0.ln_1p(), u0 / (1.0 + u0));
    let mut h = (-(r + 1.0) * ln_1u + ln_hyp2f1(r + 1.0, b, a + b, z)).exp();
    let mut dh = -(r + 1.0) * a / (a + b)
        * (-(r + 2.0) * ln_1u + ln_hyp2f1(r + 2.0, b, a + b + 1.0, z)).exp();
    let mut out = Vec::with_capacity(last + 1 - start);
    for k in start..=last {
        let u = (k - 1) as f64 * sigma;
        let step = equation.taylor_step(u, sigma, h, dh)?;
        out.push(r * sigma * step.mean);
        h = step.value;
        dh = step.slope;
    }
    Some(out)
}

/// `H(u) = ₂F₁(a, b; c; −u)` as the solution of its differential equation.
struct Hypergeometric {
    a: f64,
    b: f64,
    c: f64,
}

/// One Taylor step of [`Hypergeometric`]: the mean of `H` over the step
/// and `H`, `H'` at its end.
struct Step {
    mean: f64,
    value: f64,
    slope: f64,
}

impl Hypergeometric {
    /// From `H(u0) = h`, `H'(u0) = dh` over `(u0, u0 + σ]`, `u0 > 0`, with
    /// the scaled coefficients `φ_n = H⁽ⁿ⁾(u0) σⁿ / n!`:
    /// `u0(1+u0)(n+2)(n+1) φ_{n+2} = −[((1+2u0)n + c + (a+b+1)u0)(n+1) σ φ_{n+1} + (n+a)(n+b) σ² φ_n]`.
    fn taylor_step(&self, u0: f64, sigma: f64, h: f64, dh: f64) -> Option<Step> {
        let denominator = u0 * (1.0 + u0);
        let linear = self.c + (self.a + self.b + 1.0) * u0;
        let slope = 1.0 + 2.0 * u0;
        let (mut previous, mut current) = (h, dh * sigma);
        let mut value = previous + current;
        let mut derivative = current;
        let mut integral = previous + current / 2.0;
        for n in 0..400u32 {
            let nf = f64::from(n);
            let next = -((slope * nf + linear) * (nf + 1.0) * sigma * current
                + (nf + self.a) * (nf + self.b) * sigma * sigma * previous)
                / (denominator * (nf + 2.0) * (nf + 1.0));
            value += next;
            derivative += (nf + 2.0) * next;
            integral += next / (nf + 3.0);
            if !(value.is_finite() && value > 0.0) {
                return None;
            }
            if n >= 2 && (next.abs() + current.abs()) * (nf + 3.0) <= 1e-18 * value {
                return Some(Step {
                    mean: integral,
                    value,
                    slope: derivative / sigma,
                });
            }
            previous = current;
            current = next;
        }
        None
    }
}

/// The closed form with the ₂F₁ series, where that is short and well
/// conditioned; `None` elsewhere.
pub(crate) fn by_series(r: f64, alpha: f64, a: f64, b: f64, t: f64) -> Option<f64> {
    let c = a + b - 1.0;
    if c.is_nan() || c <= 0.0 || (a - 1.0).abs() < 1e-3 {
        return None;
    }
    let z = t / (alpha + t);
    // Terms grow while z (r+k)(b+k)/((c+k)(k+1)) > 1: about z·max(r, b)/(1 − z).
    let terms = (z * r.max(b).max(1.0) + 50.0) / (1.0 - z);
    if terms.is_nan() || terms > 5_000.0 {
        return None;
    }
    let inner = -r * (t / alpha).ln_1p() + ln_hyp2f1(r, b, c, z);
    let v = c / (a - 1.0) * -inner.exp_m1();
    (v.is_finite() && v >= 0.0).then_some(v)
}

/// `ln B(a, b)` without the cancellation of `ln Γ(a) + ln Γ(b) − ln Γ(a + b)`
/// at large arguments (Stirling's series for the large ones).
///
/// ```
/// use crm_core::clv::beta_mixture::ln_beta_stable;
/// assert!((ln_beta_stable(2.0, 3.0) - (1.0f64 / 12.0).ln()).abs() < 1e-13);
/// // B(1, b) = 1/b, even at b = 1e300.
/// assert!((ln_beta_stable(1.0, 1e300) + 1e300f64.ln()).abs() < 1e-10);
/// ```
pub fn ln_beta_stable(a: f64, b: f64) -> f64 {
    let (small, large) = if a < b { (a, b) } else { (b, a) };
    const BIG: f64 = 10.0;
    if small >= BIG {
        // ½ ln 2π − ½ ln(a+b) + (a−½) ln(a/(a+b)) + (b−½) ln(b/(a+b)) + δ(a) + δ(b) − δ(a+b)
        let sum = a + b;
        0.5 * (2.0 * std::f64::consts::PI).ln()
            - 0.5 * sum.ln()
            - (a - 0.5) * (b / a).ln_1p()
            - (b - 0.5) * (a / b).ln_1p()
            + stirling_delta(a)
            + stirling_delta(b)
            - stirling_delta(sum)
    } else if large >= BIG {
        // ln Γ(s) + ln Γ(l) − ln Γ(s + l), the last two by Stirling:
        // −(l − ½) ln(1 + s/l) − s ln(s + l) + s + δ(l) − δ(s + l).
        let sum = small + large;
        ln_gamma(small) - (large - 0.5) * (small / large).ln_1p() - small * sum.ln()
            + small
            + stirling_delta(large)
            - stirling_delta(sum)
    } else {
        ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
    }
}

/// `ln Γ(x) − [(x − ½) ln x − x + ½ ln 2π]` for `x >= 10` (Stirling's series
/// to `x⁻¹³`, error below 10⁻¹⁶ there).
fn stirling_delta(x: f64) -> f64 {
    let f = 1.0 / (x * x);
    (1.0 / 12.0
        - f * (1.0 / 360.0
            - f * (1.0 / 1260.0
                - f * (1.0 / 1680.0 - f * (1.0 / 1188.0 - f * (691.0 / 360_360.0 - f / 156.0))))))
        / x
}

/// The integrand of [`by_integral`] in log space, in the logistic variable.
struct Integrand {
    r: f64,
    a: f64,
    b: f64,
    /// `ln(t/α)`.
    ln_u: f64,
    ln_r: f64,
    ln_beta: f64,
}

/// `(ln p, ln(1 − p))` for `p = 1/(1 + e^{−s})`, without overflow.
fn ln_logistic(s: f64) -> (f64, f64) {
    if s >= 0.0 {
        let e = (-s).exp().ln_1p();
        (-e, -s - e)
    } else {
        let e = s.exp().ln_1p();
        (s - e, -e)
    }
}

impl Integrand {
    /// `ln h(p)`, `h(p) = (1 − (1 + p u)^(−r)) / p`, from `ln p`.
    fn ln_h(&self, lp: f64) -> f64 {
        let lpu = lp + self.ln_u;
        // l = ln(1 + p u) and its logarithm.
        let (l, ln_l) = if lpu < -40.0 {
            (lpu.exp(), lpu)
        } else if lpu > 40.0 {
            let l = lpu + (-lpu).exp().ln_1p();
            (l, l.ln())
        } else {
            let l = lpu.exp().ln_1p();
            (l, l.ln())
        };
        let rl = self.r * l;
        // ln(1 − e^{−rl}), from ln r + ln l where rl is small (no underflow).
        let ln_num = if rl < 1e-5 {
            self.ln_r + ln_l + (rl * (rl / 6.0 - 0.5)).ln_1p()
        } else {
            (-(-rl).exp_m1()).ln()
        };
        ln_num - lp
    }

    /// `ψ(s) = ln [p^a (1 − p)^b h(p) / B(a, b)]`: the integrand over `ds`.
    fn psi(&self, s: f64) -> f64 {
        let (lp, lq) = ln_logistic(s);
        self.a * lp + self.b * lq + self.ln_h(lp) - self.ln_beta
    }
}

/// Gauss–Legendre nodes and weights on [−1, 1], 16 points (the positive half).
pub(crate) const GL16: [(f64, f64); 8] = [
    (0.095_012_509_837_637_44, 0.189_450_610_455_068_5),
    (0.281_603_550_779_258_9, 0.182_603_415_044_923_6),
    (0.458_016_777_657_227_4, 0.169_156_519_395_002_5),
    (0.617_876_244_402_643_8, 0.149_595_988_816_576_7),
    (0.755_404_408_355_003, 0.124_628_971_255_533_9),
    (0.865_631_202_387_831_7, 0.095_158_511_682_492_78),
    (0.944_575_023_073_232_6, 0.062_253_523_938_647_89),
    (0.989_400_934_991_649_9, 0.027_152_459_411_754_09),
];

/// The numerical integral of the module docs (NaN when it cannot be done in
/// a bounded number of panels).
pub(crate) fn by_integral(r: f64, alpha: f64, a: f64, b: f64, t: f64) -> f64 {
    let f = Integrand {
        r,
        a,
        b,
        ln_u: t.ln() - alpha.ln(),
        ln_r: r.ln(),
        ln_beta: ln_beta_stable(a, b),
    };
    let sum = a + b;
    let mean = a / sum;
    // Relative variance of p, and of p on the scale 1/u where h bends.
    // (The bend of h at p ≈ 1/u adds var/(p̄ + 1/u)², never more than var/p̄².)
    // Var(p)/p̄² = (b/a)/(a+b+1) and Var(p)/(1−p̄)² = (a/b)/(a+b+1), in
    // that form so that nothing underflows for p̄ near 10⁻³⁰⁰.
    let scale = mean.min(b / sum);
    let rel = (b / a).max(a / b) / (sum + 1.0);
    if rel < 1e-6 {
        return delta_method(&f, mean, rel, scale);
    }
    // The peak: the best of the Beta part's mode, the bend of h and the
    // mode of p^(a−1) (1−p)^b, then a golden-section search around it.
    let mut candidates = vec![(a / b).ln(), -f.ln_u];
    if a > 1.0 {
        candidates.push(((a - 1.0) / b).ln());
    }
    let mut s0 = f64::NAN;
    let mut best = f64::NEG_INFINITY;
    for c in candidates {
        let c = c.clamp(-745.0, 745.0);
        let v = f.psi(c);
        if v > best || s0.is_nan() {
            best = v;
            s0 = c;
        }
    }
    let p0 = 1.0 / (1.0 + (-s0).exp());
    let curvature = sum * p0 * (1.0 - p0);
    let w = (1.0 / (curvature + 1.0).sqrt()).min(1.5);
    let (mut lo, mut hi) = (s0 - 4.0 * w - 2.0, s0 + 4.0 * w + 2.0);
    let g = 0.618_033_988_749_894_9;
    for _ in 0..60 {
        let m1 = hi - g * (hi - lo);
        let m2 = lo + g * (hi - lo);
        if f.psi(m1) >= f.psi(m2) {
            hi = m2;
        } else {
            lo = m1;
        }
        if hi - lo < 1e-3 * w {
            break;
        }
    }
    let mid = 0.5 * (lo + hi);
    let (s_peak, peak) = if f.psi(mid) > best {
        (mid, f.psi(mid))
    } else {
        (s0, best)
    };
    let p = 1.0 / (1.0 + (-s_peak).exp());
    let w = (1.0 / (sum * p * (1.0 - p) + 1.0).sqrt()).min(1.5);
    if !peak.is_finite() {
        return f64::NAN;
    }
    // Where the tails' closed forms hold to 1e-15 (module docs).
    let left_tail = (1e-15_f64).ln()
        - super::log_add_exp(((b - 1.0).abs() + 1.0).ln(), (r + 1.0).ln() + f.ln_u);
    let right_tail = -((1e-15_f64).ln() - (a + r + 3.0).ln());
    let mut total = LogSum::new(peak);
    for direction in [-1.0_f64, 1.0] {
        let mut start = s_peak;
        let mut top = peak;
        let mut panels = 0;
        loop {
            let end = start + direction * w;
            let (c, hw) = (0.5 * (start + end), 0.5 * w);
            for &(x, wt) in &GL16 {
                for s in [c - hw * x, c + hw * x] {
                    let v = f.psi(s);
                    top = top.max(v);
                    total.add(v + (wt * hw).ln());
                }
            }
            let at_end = f.psi(end);
            start = end;
            panels += 1;
            let tail = if direction < 0.0 {
                end <= left_tail
            } else {
                end >= right_tail
            };
            if tail {
                // e^{ψ}/a on the left, e^{ψ}/b on the right.
                let rate = if direction < 0.0 { a } else { b };
                total.add(at_end - rate.ln());
                break;
            }
            if at_end < top - 46.0 {
                break;
            }
            if panels > 4_000 {
                return f64::NAN;
            }
        }
    }
    total.ln().exp()
}

/// A sum of exponentials `Σ e^{v}` kept as `e^{reference} · sum`, the
/// reference moving up with the largest term (no overflow, no underflow of
/// the terms that matter).
pub(crate) struct LogSum {
    reference: f64,
    sum: f64,
}

impl LogSum {
    pub(crate) fn new(reference: f64) -> LogSum {
        LogSum {
            reference,
            sum: 0.0,
        }
    }

    pub(crate) fn add(&mut self, v: f64) {
        if v.is_nan() {
            self.sum = f64::NAN;
        } else if v > self.reference + 30.0 {
            self.sum = self.sum * (self.reference - v).exp() + 1.0;
            self.reference = v;
        } else {
            self.sum += (v - self.reference).exp();
        }
    }

    pub(crate) fn ln(&self) -> f64 {
        self.reference + self.sum.ln()
    }
}

/// `E[h(p)] ≈ h(p̄) + h''(p̄) Var(p) / 2` for a nearly fixed `p`.
/// `rel` is `Var(p) / scale²`; the step is `10⁻⁴ scale`, so that
/// `h'' Var = (second difference) · rel / 10⁻⁸` needs no `scale²` (which
/// underflows for `p` near 10⁻²⁰⁰).
fn delta_method(f: &Integrand, mean: f64, rel: f64, scale: f64) -> f64 {
    let h = |p: f64| (f.ln_h(p.ln())).exp();
    const K: f64 = 1e-4;
    let d = K * scale;
    let (lo, mid, hi) = (h(mean - d), h(mean), h(mean + d));
    mid + 0.5 * (hi - 2.0 * mid + lo) * (rel / (K * K))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn stable_ln_beta_matches_ln_gamma_where_that_is_exact() {
        for (a, b) in [
            (0.5, 0.7),
            (3.0, 40.0),
            (12.0, 15.5),
            (0.2, 1e4),
            (2e3, 3e3),
        ] {
            let (ga, gb, gab) = (ln_gamma(a), ln_gamma(b), ln_gamma(a + b));
            let direct = ga + gb - gab;
            // The direct form's own rounding error is about ε (|ln Γ(a)| + ...).
            let tolerance = 1e-14 * (ga.abs() + gb.abs() + gab.abs()).max(1.0);
            assert!(
                (ln_beta_stable(a, b) - direct).abs() <= tolerance,
                "{a} {b}: {} vs {direct}",
                ln_beta_stable(a, b)
            );
        }
        // B(a, 1) = 1/a and B(a, 2) = 1/(a(a+1)) at huge a.
        for a in [1e20, 1e100, 1e300] {
            assert!((ln_beta_stable(a, 1.0) + a.ln()).abs() < 1e-12 * a.ln());
            assert!((ln_beta_stable(2.0, a) + a.ln() + (a + 1.0).ln()).abs() < 1e-12 * a.ln());
        }
    }

    #[test]
    fn the_integral_tends_to_the_known_limits() {
        // t → ∞ with a > 1: E[1/p] = (a + b − 1)/(a − 1).
        let (a, b) = (2.5, 3.0);
        let e = by_integral(0.8, 3.0, a, b, 1e300);
        assert!((e - (a + b - 1.0) / (a - 1.0)).abs() < 1e-9, "{e}");
        // a → 0: no dropout, E = r t / α.
        let e = by_integral(0.8, 3.0, 1e-300, 2.0, 7.0);
        assert!((e - 0.8 * 7.0 / 3.0).abs() < 1e-9, "{e}");
        // A nearly fixed p: (1 − (1 + p t/α)^−r)/p.
        let (a, b) = (3e8, 7e8);
        let want = (1.0 - (1.0_f64 + 0.3 * 10.0 / 2.0).powf(-0.8)) / 0.3;
        let e = expected(0.8, 2.0, a, b, 10.0);
        assert!((e - want).abs() < 1e-8 * want, "{e} {want}");
    }

    #[test]
    fn lifetimes_value_at_30000_weeks() {
        // lifetimes' 21.085 on the published CDNOW parameters; mpmath (40
        // digits): 21.0848015659.
        let e = expected(0.243, 4.414, 0.793, 2.426, 30_000.0);
        assert!((e - 21.084_801_565_9).abs() < 1e-8, "{e}");
        // 10⁶ weeks: mpmath 53.540478253.
        let e = expected(0.243, 4.414, 0.793, 2.426, 1e6);
        assert!((e - 53.540_478_253).abs() < 1e-7, "{e}");
    }

    /// The differences of [`expected`] at the period ends: what the lifetime
    /// value summed before [`expected_by_period`].
    fn differences(r: f64, alpha: f64, a: f64, b: f64, period: f64, periods: u32) -> Vec<f64> {
        crate::clv::increments(period, periods, |t| expected(r, alpha, a, b, t))
    }

    /// `Σ_k d^k e_k` and the same with `|e_k|`, the scale of its rounding.
    fn discounted(e: &[f64], rate: f64) -> (f64, f64) {
        let mut factor = 1.0;
        let (mut sum, mut scale) = (0.0, 0.0);
        for v in e {
            factor /= 1.0 + rate;
            sum += v * factor;
            scale += v.abs() * factor;
        }
        (sum, scale)
    }

    #[test]
    fn a_century_of_months_on_cdnow_is_stepped_and_equals_the_differences() {
        // Every CDNOW customer (weeks), 1,200 months: the stepped periods sum
        // to the direct value at the horizon, and the first 60 months agree
        // with the differences of `expected` period by period.
        let [x, _, age, _] = crate::clv::tests_data::cdnow_columns();
        let (r, alpha, a, b) = (0.243, 4.414, 0.793, 2.426);
        for (x, age) in x.iter().zip(&age).step_by(7) {
            let (r, alpha, b) = (r + x, alpha + age, b + x);
            let e = expected_by_period(r, alpha, a, b, 4.345, 1_200);
            assert_eq!(e.len(), 1_200);
            assert!(e.iter().all(|v| v.is_finite() && *v >= 0.0), "{x} {age}");
            // The stepped figures passed the check at the horizon (no fallback).
            let start = ((r + 1.0).max(a + b) / 2.0).ceil() as usize + 2;
            let stepped = stepped_periods(r, alpha, a, b, 4.345, start, 1_200);
            assert_eq!(stepped.as_deref(), Some(&e[start - 1..]), "{x} {age}");
            let d = differences(r, alpha, a, b, 4.345, 60);
            for (k, (s, d)) in e.iter().zip(&d).enumerate() {
                assert!(
                    (s - d).abs() <= 1e-10 * d.abs().max(1e-300) + 1e-14,
                    "{x} {age} {k}: {s} {d}"
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        /// The per-period expectations equal the differences of `expected`
        /// (the former computation), and so does their discounted sum to
        /// 10⁻¹⁰, for frequencies up to 10,000 and horizons up to 150 periods.
        #[test]
        fn expected_by_period_equals_the_differences_of_expected(
            r in 0.01_f64..10.0, alpha in 0.01_f64..100.0, a in 0.01_f64..10.0, b in 0.01_f64..10.0,
            x in prop_oneof![0u32..50, 0u32..10_001], age in 0.01_f64..200.0,
            period in 0.1_f64..30.0, periods in 1u32..150, rate in 0.0_f64..0.1,
        ) {
            let (r, alpha, b) = (r + f64::from(x), alpha + age, b + f64::from(x));
            let e = expected_by_period(r, alpha, a, b, period, periods);
            let d = differences(r, alpha, a, b, period, periods);
            prop_assert_eq!(e.len(), d.len());
            let (se, scale) = discounted(&e, rate);
            let (sd, _) = discounted(&d, rate);
            prop_assert!((se - sd).abs() <= 1e-10 * sd.abs().max(scale), "{} vs {}", se, sd);
        }

        /// Where both apply, the integral agrees with the ₂F₁ series (two
        /// independent computations), for frequencies up to 10,000.
        #[test]
        fn integral_and_series_agree_where_both_apply(
            r in 0.05_f64..5.0, alpha in 0.5_f64..50.0, a in 0.05_f64..5.0, b in 0.05_f64..10.0,
            x in prop_oneof![0u32..20, 0u32..10_001], age in 0.5_f64..200.0, t in 0.01_f64..100.0,
        ) {
            let (r, alpha, b) = (r + f64::from(x), alpha + if x > 0 { age } else { 0.0 }, b + f64::from(x));
            if let Some(series) = by_series(r, alpha, a, b, t) {
                let integral = by_integral(r, alpha, a, b, t);
                prop_assert!((integral - series).abs() <= 1e-8 * series.max(1e-12), "{} vs {}", integral, series);
            }
        }

        /// Finite and non-decreasing in t, for x <= 10,000 and t <= 10⁶.
        #[test]
        fn expected_is_finite_and_grows_with_t(
            r in 0.01_f64..10.0, alpha in 0.01_f64..100.0, a in 0.01_f64..10.0, b in 0.01_f64..10.0,
            x in 0u32..10_001, age in 0.01_f64..1000.0, t in 0.0_f64..1e6, more in 1.0_f64..10.0,
        ) {
            let (r, alpha, b) = (r + f64::from(x), alpha + age, b + f64::from(x));
            let e1 = expected(r, alpha, a, b, t);
            let e2 = expected(r, alpha, a, b, (t * more).min(1e6));
            prop_assert!(e1.is_finite() && e1 >= 0.0, "{}", e1);
            prop_assert!(e2 >= e1 * (1.0 - 1e-9), "{} {}", e1, e2);
        }

        /// Extreme but valid parameters: finite, or NaN for the caller to
        /// refuse; infinite only where the value exceeds f64 (it is at most r t / α).
        #[test]
        fn extreme_parameters_give_finite_values_or_nan(
            lr in -300.0_f64..300.0, la in -300.0_f64..300.0, lpa in -300.0_f64..300.0, lb in -300.0_f64..300.0,
            lt in -300.0_f64..6.0,
        ) {
            let p = |l: f64| 10f64.powf(l);
            let e = expected(p(lr), p(la), p(lpa), p(lb), p(lt));
            let beyond_f64 = lr + lt - la > 307.0;
            prop_assert!(e.is_nan() || (e.is_finite() && e >= 0.0) || beyond_f64, "{}", e);
        }
    }
}
