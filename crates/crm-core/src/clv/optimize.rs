//! The optimiser behind every fit: BFGS on the log-parameters with the
//! model's analytic gradient (BG/NBD, MBG/NBD, Pareto/NBD, Gamma-Gamma) or
//! central difference gradients (the others), a Nelder–Mead fallback, and a
//! finite-difference Hessian for standard errors (differences of the
//! analytic gradient when there is one).
//!
//! Why not `argmin`: the problems here have two to four parameters and a
//! likelihood that costs microseconds on compressed data; the search must be
//! deterministic, must return the best point on failure (for
//! [`super::ClvError::NotConverged`]) and should not allocate per iteration
//! beyond a few 4-element vectors. That is about 150 lines of textbook code
//! (Nocedal & Wright, algorithm 6.1 with Armijo backtracking; Nelder–Mead with
//! the standard coefficients), against a framework and its dependency tree in
//! every build of crm-core. Not measured against argmin: the reason is build
//! weight and control of the failure path, not speed.

use super::{FitOptions, FitReport};

/// The result of a search: the log-parameters, the objective and the report.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub theta: Vec<f64>,
    pub report: FitReport,
}

/// An analytic gradient: fills the gradient at `x` and returns the
/// objective there (infinite when not finite), so that a line search pays
/// one pass for both.
pub(crate) type Gradient<'a> = &'a dyn Fn(&[f64], &mut [f64]) -> f64;

struct Counted<'a> {
    f: &'a dyn Fn(&[f64]) -> f64,
    analytic: Option<Gradient<'a>>,
    evaluations: usize,
    /// The largest component of the last gradient: far from the optimum
    /// (above 1e-3) forward differences are accurate enough and cost half.
    last_norm: f64,
}

impl Counted<'_> {
    fn eval(&mut self, x: &[f64]) -> f64 {
        self.evaluations += 1;
        let v = (self.f)(x);
        if v.is_nan() { f64::INFINITY } else { v }
    }

    /// The analytic gradient when the model has one; otherwise central
    /// differences, step `1e-5 * max(1, |x_i|)`: truncation error ~h² and
    /// rounding error ~ε/h both near 1e-10 for objectives of order 1.
    fn gradient(&mut self, x: &[f64], fx: f64, g: &mut [f64]) -> bool {
        if let Some(grad) = self.analytic {
            self.evaluations += 1;
            return grad(x, g).is_finite() && g.iter().all(|v| v.is_finite());
        }
        let mut y = x.to_vec();
        if self.last_norm > 1e-3 && fx.is_finite() {
            for i in 0..x.len() {
                let h = 1e-7 * x[i].abs().max(1.0);
                y[i] = x[i] + h;
                g[i] = (self.eval(&y) - fx) / h;
                y[i] = x[i];
                if !g[i].is_finite() {
                    return false;
                }
            }
            self.last_norm = norm_inf(g);
            return true;
        }
        for i in 0..x.len() {
            let h = 1e-5 * x[i].abs().max(1.0);
            y[i] = x[i] + h;
            let up = self.eval(&y);
            y[i] = x[i] - h;
            let down = self.eval(&y);
            y[i] = x[i];
            g[i] = (up - down) / (2.0 * h);
            if !g[i].is_finite() {
                return false;
            }
        }
        self.last_norm = norm_inf(g);
        true
    }
}

fn norm_inf(g: &[f64]) -> f64 {
    g.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// Minimises `f` from `start`. `Ok` when the gradient criterion was met,
/// `Err` with the best point otherwise.
pub(crate) fn minimise(
    f: &dyn Fn(&[f64]) -> f64,
    analytic: Option<Gradient<'_>>,
    start: &[f64],
    options: &FitOptions,
) -> Result<Outcome, Outcome> {
    let mut c = Counted {
        f,
        analytic,
        evaluations: 0,
        last_norm: f64::INFINITY,
    };
    let mut report = FitReport {
        iterations: 0,
        evaluations: 0,
        converged: false,
        gradient_norm: f64::INFINITY,
        used_simplex: false,
        starts: 1,
        at_bound: Vec::new(),
        hessian_condition: None,
    };
    let mut x = start.to_vec();
    // With an analytic gradient the first point costs one gradient pass,
    // and BFGS starts from that gradient (not a value pass, then a gradient
    // pass at the same point).
    let mut first_gradient = vec![0.0; x.len()];
    let mut fx = match analytic {
        Some(grad) => {
            c.evaluations += 1;
            let v = grad(&x, &mut first_gradient);
            let ok = v.is_finite() && first_gradient.iter().all(|g| g.is_finite());
            if !ok {
                first_gradient.clear();
            }
            if v.is_nan() { f64::INFINITY } else { v }
        }
        None => {
            first_gradient.clear();
            c.eval(&x)
        }
    };
    if !fx.is_finite() {
        report.used_simplex = true;
        let (sx, sf) = nelder_mead(&mut c, &x, 400);
        x = sx;
        fx = sf;
        first_gradient.clear();
    }
    let (mut x, fx, mut ok) = bfgs(&mut c, x, fx, &first_gradient, options, &mut report);
    if !ok && fx.is_finite() {
        // Restart: a simplex search from the best point, then BFGS again.
        report.used_simplex = true;
        let (sx, sf) = nelder_mead(&mut c, &x, 400);
        let again = bfgs(&mut c, sx, sf, &[], options, &mut report);
        if again.1 <= fx {
            (x, ok) = (again.0, again.2);
        }
    }
    report.converged = ok;
    report.evaluations = c.evaluations;
    let out = Outcome { theta: x, report };
    if ok { Ok(out) } else { Err(out) }
}

/// `first_gradient`: the gradient at `x` when already known (else empty).
fn bfgs(
    c: &mut Counted<'_>,
    mut x: Vec<f64>,
    mut fx: f64,
    first_gradient: &[f64],
    options: &FitOptions,
    report: &mut FitReport,
) -> (Vec<f64>, f64, bool) {
    let n = x.len();
    let mut g = vec![0.0; n];
    if first_gradient.len() == n {
        g.copy_from_slice(first_gradient);
    } else if !fx.is_finite() || !c.gradient(&x, fx, &mut g) {
        return (x, fx, false);
    }
    if !fx.is_finite() {
        return (x, fx, false);
    }
    let mut h = identity(n);
    let mut fresh = true;
    let mut p = vec![0.0; n];
    let mut xn = vec![0.0; n];
    let mut gn = vec![0.0; n];
    let mut stalled = 0;
    for _ in 0..options.max_iterations {
        report.gradient_norm = norm_inf(&g);
        if report.gradient_norm < options.gradient_tolerance {
            return (x, fx, true);
        }
        report.iterations += 1;
        for i in 0..n {
            p[i] = -(0..n).map(|j| h[i * n + j] * g[j]).sum::<f64>();
        }
        let mut slope: f64 = p.iter().zip(&g).map(|(a, b)| a * b).sum();
        if slope >= 0.0 {
            h = identity(n);
            fresh = true;
            for i in 0..n {
                p[i] = -g[i];
            }
            slope = -g.iter().map(|v| v * v).sum::<f64>();
        }
        // Cap a step at 2 in log-parameter space (a factor e² per parameter).
        let len = norm_inf(&p);
        let mut step = if len > 2.0 { 2.0 / len } else { 1.0 };
        let mut fnew = f64::INFINITY;
        let mut accepted = false;
        let analytic = c.analytic;
        for _ in 0..60 {
            for i in 0..n {
                xn[i] = x[i] + step * p[i];
            }
            fnew = match analytic {
                Some(grad) => {
                    c.evaluations += 1;
                    let v = grad(&xn, &mut gn);
                    if v.is_nan() { f64::INFINITY } else { v }
                }
                None => c.eval(&xn),
            };
            if fnew.is_finite() && fnew <= fx + 1e-4 * step * slope {
                accepted = true;
                break;
            }
            if analytic.is_some() && approximately_wolfe(fx, slope, fnew, &p, &gn) {
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            // No descent along the direction: at the floor of the rounding
            // noise. Converged only if the gradient is nearly small enough.
            return (
                x,
                fx,
                report.gradient_norm < options.gradient_tolerance * 100.0,
            );
        }
        let have_gradient = analytic.is_some() && gn.iter().all(|v| v.is_finite());
        if !have_gradient && !c.gradient(&xn, fnew, &mut gn) {
            return (x, fx, false);
        }
        let s: Vec<f64> = (0..n).map(|i| xn[i] - x[i]).collect();
        let y: Vec<f64> = (0..n).map(|i| gn[i] - g[i]).collect();
        let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
        if sy > 1e-18 {
            if fresh {
                // Scale the identity before the first update (Nocedal &
                // Wright eq. 6.20): the first steps then have the right length.
                let yy: f64 = y.iter().map(|v| v * v).sum();
                let scale = sy / yy;
                for v in h.iter_mut() {
                    *v *= scale;
                }
                fresh = false;
            }
            let hy: Vec<f64> = (0..n)
                .map(|i| (0..n).map(|j| h[i * n + j] * y[j]).sum())
                .collect();
            let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
            let rho = 1.0 / sy;
            for i in 0..n {
                for j in 0..n {
                    h[i * n + j] +=
                        (1.0 + yhy * rho) * rho * s[i] * s[j] - rho * (hy[i] * s[j] + s[i] * hy[j]);
                }
            }
        } else {
            h = identity(n);
            fresh = true;
        }
        if fx - fnew <= 1e-15 * fx.abs().max(1.0) {
            stalled += 1;
        } else {
            stalled = 0;
        }
        x.copy_from_slice(&xn);
        fx = fnew;
        g.copy_from_slice(&gn);
        if stalled >= 5 {
            report.gradient_norm = norm_inf(&g);
            return (
                x,
                fx,
                report.gradient_norm < options.gradient_tolerance * 100.0,
            );
        }
    }
    report.gradient_norm = norm_inf(&g);
    (x, fx, report.gradient_norm < options.gradient_tolerance)
}

/// Hager & Zhang's approximate Wolfe conditions (2005, "A new conjugate
/// gradient method with guaranteed descent and an efficient line search"),
/// for a step the sufficient-decrease test cannot judge: near the optimum
/// of a likelihood summed over a million customers, the decrease a step
/// makes (about `gradient² / curvature`, 10⁻¹⁶ at a gradient of 10⁻⁸) is
/// below the rounding of the objective itself, so every trial "fails" and
/// the search backtracks sixty times before giving up short of the
/// tolerance. The analytic gradient is exact to far below that, so the step
/// is accepted when the objective has not risen beyond its rounding
/// (10⁻¹⁰ relative) and the slope along the direction has flattened from
/// `slope` to within `[0.9 slope, −(1 − 2·10⁻⁴) slope]`.
fn approximately_wolfe(fx: f64, slope: f64, fnew: f64, direction: &[f64], gnew: &[f64]) -> bool {
    if !(fnew.is_finite() && fnew <= fx + 1e-10 * fx.abs().max(1.0)) {
        return false;
    }
    let new_slope: f64 = direction.iter().zip(gnew).map(|(d, g)| d * g).sum();
    new_slope.is_finite() && new_slope >= 0.9 * slope && new_slope <= -(1.0 - 2e-4) * slope
}

fn identity(n: usize) -> Vec<f64> {
    let mut m = vec![0.0; n * n];
    for i in 0..n {
        m[i * n + i] = 1.0;
    }
    m
}

/// Nelder–Mead with the standard coefficients (1, 2, 0.5, 0.5) from a simplex
/// of steps 0.5 in each log-parameter.
fn nelder_mead(c: &mut Counted<'_>, start: &[f64], iterations: usize) -> (Vec<f64>, f64) {
    let n = start.len();
    let mut pts: Vec<Vec<f64>> = vec![start.to_vec()];
    for i in 0..n {
        let mut p = start.to_vec();
        p[i] += 0.5;
        pts.push(p);
    }
    let mut vals: Vec<f64> = pts.iter().map(|p| c.eval(p)).collect();
    for _ in 0..iterations {
        let mut order: Vec<usize> = (0..=n).collect();
        order.sort_by(|&a, &b| vals[a].total_cmp(&vals[b]));
        pts = order.iter().map(|&i| pts[i].clone()).collect();
        vals = order.iter().map(|&i| vals[i]).collect();
        if (vals[n] - vals[0]).abs() <= 1e-12 * vals[0].abs().max(1.0) && vals[n].is_finite() {
            break;
        }
        let centroid: Vec<f64> = (0..n)
            .map(|j| pts[..n].iter().map(|p| p[j]).sum::<f64>() / n as f64)
            .collect();
        let along = |t: f64| -> Vec<f64> {
            (0..n)
                .map(|j| centroid[j] + t * (pts[n][j] - centroid[j]))
                .collect()
        };
        let xr = along(-1.0);
        let fr = c.eval(&xr);
        if fr < vals[0] {
            let xe = along(-2.0);
            let fe = c.eval(&xe);
            if fe < fr {
                pts[n] = xe;
                vals[n] = fe;
            } else {
                pts[n] = xr;
                vals[n] = fr;
            }
        } else if fr < vals[n - 1] {
            pts[n] = xr;
            vals[n] = fr;
        } else {
            let xc = if fr < vals[n] {
                along(-0.5)
            } else {
                along(0.5)
            };
            let fc = c.eval(&xc);
            if fc < vals[n].min(fr) {
                pts[n] = xc;
                vals[n] = fc;
            } else {
                for i in 1..=n {
                    let best = pts[0].clone();
                    for (v, b) in pts[i].iter_mut().zip(&best) {
                        *v = b + 0.5 * (*v - b);
                    }
                    vals[i] = c.eval(&pts[i]);
                }
            }
        }
    }
    let best = (0..=n)
        .min_by(|&a, &b| vals[a].total_cmp(&vals[b]))
        .unwrap_or(0);
    (pts[best].clone(), vals[best])
}

/// What the curvature of the log-likelihood at the estimate says: the
/// standard errors and the condition of the information matrix.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Precision {
    /// `sqrt(diag((-H)^-1))`, `None` when `-H` is not positive definite.
    pub standard_errors: Option<Vec<f64>>,
    /// `(-H)^-1` row-major, exactly when there are standard errors.
    pub covariance: Option<Vec<f64>>,
    /// The condition number of `-H` on the log-parameters
    /// ([`FitReport::hessian_condition`]).
    pub condition: Option<f64>,
}

/// [`Precision`] from `H`, the Hessian of the total log-likelihood `ll` on
/// the natural parameters by central differences (steps 1e-4 of each
/// parameter).
pub(crate) fn precision(ll: &dyn Fn(&[f64]) -> f64, p: &[f64]) -> Precision {
    let n = p.len();
    let h: Vec<f64> = p.iter().map(|v| 1e-4 * v.abs().max(1e-8)).collect();
    let mut m = vec![0.0; n * n];
    let mut q = p.to_vec();
    let f0 = ll(p);
    for i in 0..n {
        for j in i..n {
            let v = if i == j {
                q[i] = p[i] + h[i];
                let up = ll(&q);
                q[i] = p[i] - h[i];
                let down = ll(&q);
                q[i] = p[i];
                (up - 2.0 * f0 + down) / (h[i] * h[i])
            } else {
                let mut at = |si: f64, sj: f64| {
                    q[i] = p[i] + si * h[i];
                    q[j] = p[j] + sj * h[j];
                    let v = ll(&q);
                    q[i] = p[i];
                    q[j] = p[j];
                    v
                };
                (at(1.0, 1.0) - at(1.0, -1.0) - at(-1.0, 1.0) + at(-1.0, -1.0))
                    / (4.0 * h[i] * h[j])
            };
            m[i * n + j] = -v;
            m[j * n + i] = -v;
        }
    }
    precision_of_information(&m, p)
}

/// As [`precision`], with the Hessian from central differences of an
/// analytic gradient of the total log-likelihood (`2n` gradient calls instead
/// of `2n² + 1` likelihood calls), symmetrised.
pub(crate) fn precision_from_gradient(
    grad: &dyn Fn(&[f64], &mut [f64]) -> f64,
    p: &[f64],
) -> Precision {
    let n = p.len();
    let mut m = vec![0.0; n * n];
    let (mut q, mut up, mut down) = (p.to_vec(), vec![0.0; n], vec![0.0; n]);
    for j in 0..n {
        let h = 1e-5 * p[j].abs().max(1e-8);
        q[j] = p[j] + h;
        grad(&q, &mut up);
        q[j] = p[j] - h;
        grad(&q, &mut down);
        q[j] = p[j];
        for i in 0..n {
            m[i * n + j] = -(up[i] - down[i]) / (2.0 * h);
        }
    }
    for i in 0..n {
        for j in 0..i {
            let v = 0.5 * (m[i * n + j] + m[j * n + i]);
            m[i * n + j] = v;
            m[j * n + i] = v;
        }
    }
    precision_of_information(&m, p)
}

/// The standard errors and condition from the observed information `m`
/// (`-H`, row-major) on the natural parameters `p`.
fn precision_of_information(m: &[f64], p: &[f64]) -> Precision {
    let n = p.len();
    let Some(inv) = invert_spd(m, n) else {
        return Precision {
            standard_errors: None,
            covariance: None,
            condition: None,
        };
    };
    let standard_errors: Option<Vec<f64>> = (0..n)
        .map(|i| {
            let v = inv[i * n + i];
            if v > 0.0 && v.is_finite() {
                Some(v.sqrt())
            } else {
                None
            }
        })
        .collect();
    // The triangular solves leave rounding asymmetry; the covariance is
    // symmetric by definition.
    let symmetric: Vec<f64> = (0..n * n)
        .map(|k| 0.5 * (inv[k] + inv[(k % n) * n + k / n]))
        .collect();
    let covariance = standard_errors
        .as_ref()
        .filter(|_| symmetric.iter().all(|v| v.is_finite()))
        .map(|_| symmetric);
    // On θ = ln p the information is D m D with D = diag(p) (the gradient
    // term of the change of variables vanishes at the optimum).
    let scaled: Vec<f64> = (0..n * n).map(|k| m[k] * p[k / n] * p[k % n]).collect();
    Precision {
        standard_errors,
        covariance,
        condition: condition_number(&scaled, n),
    }
}

/// Largest over smallest eigenvalue of a symmetric matrix (cyclic Jacobi
/// rotations; the matrices here are at most 8 × 8), `None` unless every
/// eigenvalue is positive and the ratio finite.
pub(crate) fn condition_number(a: &[f64], n: usize) -> Option<f64> {
    let mut a = a.to_vec();
    if n == 0 || a.iter().any(|v| !v.is_finite()) {
        return None;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum();
        let diag: f64 = (0..n).map(|i| a[i * n + i] * a[i * n + i]).sum();
        if off <= 1e-30 * diag {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                // The smaller root of t² + 2θt − 1 = 0 (t = 1 when θ = 0).
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let akp = a[k * n + p];
                    let akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let apk = a[p * n + k];
                    let aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
            }
        }
    }
    let eig = (0..n).map(|i| a[i * n + i]);
    let (lo, hi) = eig.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let ratio = hi / lo;
    (lo > 0.0 && ratio.is_finite()).then_some(ratio)
}

/// Inverse of a symmetric positive definite matrix by Cholesky; `None` when
/// it is not positive definite.
fn invert_spd(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = a[i * n + j] - (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum::<f64>();
            if i == j {
                if s.is_nan() || s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    // Solve L L^T X = I column by column.
    let mut inv = vec![0.0; n * n];
    for col in 0..n {
        let mut y = vec![0.0; n];
        for i in 0..n {
            let b = if i == col { 1.0 } else { 0.0 };
            y[i] = (b - (0..i).map(|k| l[i * n + k] * y[k]).sum::<f64>()) / l[i * n + i];
        }
        for i in (0..n).rev() {
            let s = y[i]
                - (i + 1..n)
                    .map(|k| l[k * n + i] * inv[k * n + col])
                    .sum::<f64>();
            inv[i * n + col] = s / l[i * n + i];
        }
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_a_rosenbrock_valley() {
        let f = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let o = minimise(
            &f,
            None,
            &[-1.2, 1.0],
            &FitOptions {
                gradient_tolerance: 1e-7,
                ..FitOptions::default()
            },
        )
        .unwrap();
        assert!(
            (o.theta[0] - 1.0).abs() < 1e-4 && (o.theta[1] - 1.0).abs() < 1e-4,
            "{o:?}"
        );
    }

    #[test]
    fn an_exact_gradient_reaches_the_tolerance_below_the_objectives_rounding() {
        // The value carries rounding noise of 1e-12 (as a mean over a
        // million customers does: here a hash of the point), the gradient
        // is exact. In the flat (quartic) direction the last steps decrease
        // the value by less than the noise, so trial steps seem to go up,
        // yet the search must go on to 1e-9.
        let value = |x: &[f64]| 3.0 + (x[0] - 1.0).powi(4) + 50.0 * (x[1] + 2.0).powi(2);
        let f = |x: &[f64]| {
            let h = (x[0].to_bits() ^ x[1].to_bits().rotate_left(29))
                .wrapping_mul(0x9e37_79b9_7f4a_7c15);
            value(x) + 1e-12 * ((h >> 11) as f64 / (1u64 << 53) as f64)
        };
        let g = |x: &[f64], out: &mut [f64]| {
            out[0] = 4.0 * (x[0] - 1.0).powi(3);
            out[1] = 100.0 * (x[1] + 2.0);
            f(x)
        };
        let options = FitOptions {
            gradient_tolerance: 1e-9,
            ..FitOptions::default()
        };
        let o = minimise(&f, Some(&g), &[4.0, 3.0], &options).unwrap();
        let r = &o.report;
        assert!(r.gradient_norm < 1e-9 && r.evaluations < 100, "{r:?}");
        assert!(
            (o.theta[0] - 1.0).abs() < 1e-3 && (o.theta[1] + 2.0).abs() < 1e-10,
            "{o:?}"
        );
    }

    #[test]
    fn standard_errors_of_a_quadratic() {
        // ll = -(x²/2σ²): se = σ.
        let ll = |p: &[f64]| -(p[0] - 3.0).powi(2) / (2.0 * 0.25) - (p[1] - 2.0).powi(2) / 2.0;
        let precision = precision(&ll, &[3.0, 2.0]);
        let se = precision.standard_errors.unwrap();
        assert!((se[0] - 0.5).abs() < 1e-4 && (se[1] - 1.0).abs() < 1e-4);
        // -H = diag(4, 1); on the log-parameters D(-H)D = diag(4·9, 1·4):
        // condition 36 / 4 = 9.
        let c = precision.condition.unwrap();
        assert!((c - 9.0).abs() < 1e-3, "{c}");
    }

    #[test]
    fn the_condition_number_is_the_ratio_of_the_extreme_eigenvalues() {
        // [[2, 1], [1, 2]]: eigenvalues 3 and 1 (closed form (a+d)/2 ± sqrt(((a−d)/2)² + b²)).
        let c = condition_number(&[2.0, 1.0, 1.0, 2.0], 2).unwrap();
        assert!((c - 3.0).abs() < 1e-12, "{c}");
        // Q diag(1, 10, 1000) Qᵀ for the rotation Q of 30° in the (0,1) plane and
        // 45° in the (1,2) plane: eigenvalues kept, so condition 1000.
        let (c30, s30) = (3f64.sqrt() / 2.0, 0.5);
        let r = std::f64::consts::FRAC_1_SQRT_2;
        let q1 = [c30, -s30, 0.0, s30, c30, 0.0, 0.0, 0.0, 1.0];
        let q2 = [1.0, 0.0, 0.0, 0.0, r, -r, 0.0, r, r];
        let mul = |a: &[f64], b: &[f64]| -> Vec<f64> {
            (0..9)
                .map(|k| (0..3).map(|m| a[k / 3 * 3 + m] * b[m * 3 + k % 3]).sum())
                .collect()
        };
        let q = mul(&q1, &q2);
        let qt: Vec<f64> = (0..9).map(|k| q[k % 3 * 3 + k / 3]).collect();
        let d = [1.0, 0.0, 0.0, 0.0, 10.0, 0.0, 0.0, 0.0, 1000.0];
        let a = mul(&mul(&q, &d), &qt);
        let c = condition_number(&a, 3).unwrap();
        assert!((c - 1000.0).abs() < 1e-8, "{c}");
        // Not positive definite, or not finite: no condition.
        assert_eq!(condition_number(&[1.0, 2.0, 2.0, 1.0], 2), None);
        assert_eq!(condition_number(&[f64::NAN, 0.0, 0.0, 1.0], 2), None);
        assert_eq!(condition_number(&[], 0), None);
    }
}
