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

use super::data::{check_len, check_prediction_row};
use super::pareto_nbd::ParetoNbd;
use super::registry::{Model, unsupported};
use super::special::{ln_beta, ln_gamma, ln_hyp2f1};
use super::{ClvError, Parameters, RepeatModel};

/// The largest `n` of a [`PurchaseProbabilities`] table: 200.
///
/// Why a limit: P(n) sums `n + 2` hypergeometric terms, so a table of
/// `0..=n` costs about `n²/2` of them per customer; an unbounded `n` is an
/// unbounded amount of work. Two hundred purchases in one horizon is far
/// beyond what a repeat-purchase model is fitted to predict; the table's
/// last column, P(more than n), holds the rest.
///
/// ```
/// use crm_core::clv::pareto_nbd_pmf::MAX_PURCHASES;
/// assert_eq!(MAX_PURCHASES, 200);
/// ```
pub const MAX_PURCHASES: u32 = 200;

/// Each customer's P(exactly `n` purchases in `(T, T + t]`) from the
/// columns of their histories (the columnar form of
/// [`conditional_probability_of_n_purchases`]). A customer first seen on
/// the analysis date (`x = t_x = T = 0`) is predicted as a new customer.
///
/// # Errors
///
/// [`ClvError::LengthMismatch`] for columns of different lengths;
/// [`ClvError::InvalidInput`] naming the row for a history that breaks the
/// rules of the repeat models' input; [`ClvError::InvalidArgument`] for a
/// bad `t` or parameter; [`ClvError::NotFinite`] naming the row.
///
/// ```
/// use crm_core::clv::pareto_nbd::ParetoNbd;
/// use crm_core::clv::pareto_nbd_pmf::conditional_probabilities_of_n_purchases;
/// let m = ParetoNbd { r: 0.5534, alpha: 10.5802, s: 0.6061, beta: 11.6562 };
/// let p = conditional_probabilities_of_n_purchases(&m, 0, 39.0, &[0.0, 2.0], &[0.0, 30.43], &[38.86, 38.86])?;
/// assert!(p[0] > p[1]); // no purchase is likelier for the customer who never came back
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn conditional_probabilities_of_n_purchases(
    m: &ParetoNbd,
    n: u32,
    t: f64,
    x: &[f64],
    t_x: &[f64],
    age: &[f64],
) -> Result<Vec<f64>, ClvError> {
    m.validate()?;
    check_len("t_x", t_x.len(), x.len())?;
    check_len("T", age.len(), x.len())?;
    (0..x.len())
        .map(|i| {
            check_prediction_row(i, x[i], t_x[i], age[i])?;
            conditional_probability_of_n_purchases(m, n, t, x[i], t_x[i], age[i])
                .map_err(|e| at_row(e, i))
        })
        .collect()
}

/// P(0), P(1), …, P(`max_purchases`) purchases in `(T, T + t]` and P(more)
/// for every customer: the distribution behind the expected purchases.
///
/// ```
/// use crm_core::clv::pareto_nbd::ParetoNbd;
/// use crm_core::clv::pareto_nbd_pmf::PurchaseProbabilities;
/// let m = ParetoNbd { r: 0.5534, alpha: 10.5802, s: 0.6061, beta: 11.6562 };
/// let p = PurchaseProbabilities::of(&m, 3, 39.0, &[0.0, 2.0], &[0.0, 30.43], &[38.86, 38.86])?;
/// let row = p.customer(1);
/// assert_eq!(row.len(), 5); // P(0..=3) and P(more than 3)
/// assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PurchaseProbabilities {
    /// The largest `n` with its own column.
    pub max_purchases: u32,
    /// The horizon `t` on the histories' clock.
    pub t: f64,
    /// Row-major: customer `i`'s `max_purchases + 2` probabilities
    /// (`n = 0..=max_purchases`, then more than `max_purchases`).
    pub probabilities: Vec<f64>,
}

impl PurchaseProbabilities {
    /// Every customer's probabilities of `0..=max_purchases` purchases and
    /// of more, over `t`.
    ///
    /// # Errors
    ///
    /// As [`conditional_probabilities_of_n_purchases`];
    /// [`ClvError::InvalidArgument`] (name `max_purchases`) above
    /// [`MAX_PURCHASES`].
    pub fn of(
        m: &ParetoNbd,
        max_purchases: u32,
        t: f64,
        x: &[f64],
        t_x: &[f64],
        age: &[f64],
    ) -> Result<PurchaseProbabilities, ClvError> {
        if max_purchases > MAX_PURCHASES {
            return Err(ClvError::InvalidArgument {
                name: "max_purchases".into(),
                rule: format!(
                    "at most {MAX_PURCHASES} (crm_core::clv::pareto_nbd_pmf::MAX_PURCHASES)"
                ),
            });
        }
        m.validate()?;
        check_len("t_x", t_x.len(), x.len())?;
        check_len("T", age.len(), x.len())?;
        let width = max_purchases as usize + 2;
        let mut probabilities = Vec::with_capacity(x.len().saturating_mul(width));
        for i in 0..x.len() {
            check_prediction_row(i, x[i], t_x[i], age[i])?;
            let mut total = 0.0;
            for n in 0..=max_purchases {
                let p = conditional_probability_of_n_purchases(m, n, t, x[i], t_x[i], age[i])
                    .map_err(|e| at_row(e, i))?;
                total += p;
                probabilities.push(p);
            }
            // Rounding can take the sum a hair past 1: the rest is never negative.
            probabilities.push((1.0 - total).max(0.0));
        }
        Ok(PurchaseProbabilities {
            max_purchases,
            t,
            probabilities,
        })
    }

    /// The number of customers.
    pub fn customers(&self) -> usize {
        self.probabilities.len() / (self.max_purchases as usize + 2)
    }

    /// Customer `i`'s probabilities (`n = 0..=max_purchases`, then more).
    ///
    /// # Panics
    ///
    /// When `i` is not below [`PurchaseProbabilities::customers`].
    pub fn customer(&self, i: usize) -> &[f64] {
        let w = self.max_purchases as usize + 2;
        &self.probabilities[i * w..(i + 1) * w]
    }
}

/// The Pareto/NBD PMF through the registry's model (other kinds have none).
impl Model {
    /// P(exactly `n` purchases in `(T, T + t]`) per customer, given each
    /// history (Pareto/NBD only: the conditional PMF of
    /// this module).
    ///
    /// # Errors
    ///
    /// As [`conditional_probabilities_of_n_purchases`];
    /// [`ClvError::InvalidArgument`] for another kind.
    ///
    /// ```
    /// use crm_core::clv::registry::{Model, ModelKind};
    /// let m = Model::from_values(ModelKind::ParetoNbd, &[0.5534, 10.5802, 0.6061, 11.6562])?;
    /// let p = m.conditional_probability_of_n_purchases(2, 39.0, &[2.0], &[30.43], &[38.86])?;
    /// assert!((p[0] - 0.151_746_052_075_594).abs() < 1e-12);
    /// let bg = Model::from_values(ModelKind::BgNbd, &[0.243, 4.414, 0.793, 2.426])?;
    /// assert!(bg.conditional_probability_of_n_purchases(2, 39.0, &[2.0], &[30.43], &[38.86]).is_err());
    /// # Ok::<(), crm_core::clv::ClvError>(())
    /// ```
    pub fn conditional_probability_of_n_purchases(
        &self,
        n: u32,
        t: f64,
        x: &[f64],
        t_x: &[f64],
        age: &[f64],
    ) -> Result<Vec<f64>, ClvError> {
        match self {
            Model::ParetoNbd(p) => {
                super::data::check_horizon("t", t)?;
                conditional_probabilities_of_n_purchases(p, n, t, x, t_x, age)
            }
            _ => Err(unsupported(
                self.kind(),
                "conditional_probability_of_n_purchases",
            )),
        }
    }

    /// Every customer's P(0 … `max_purchases` purchases, and more) in
    /// `(T, T + t]` (Pareto/NBD only).
    ///
    /// # Errors
    ///
    /// As [`PurchaseProbabilities::of`]; [`ClvError::InvalidArgument`] for
    /// another kind.
    pub fn purchase_probabilities(
        &self,
        max_purchases: u32,
        t: f64,
        x: &[f64],
        t_x: &[f64],
        age: &[f64],
    ) -> Result<PurchaseProbabilities, ClvError> {
        match self {
            Model::ParetoNbd(p) => {
                super::data::check_horizon("t", t)?;
                PurchaseProbabilities::of(p, max_purchases, t, x, t_x, age)
            }
            _ => Err(unsupported(self.kind(), "purchase_probabilities")),
        }
    }
}

/// The scalar's errors name row 1; a column's name the customer's row.
fn at_row(e: ClvError, i: usize) -> ClvError {
    match e {
        ClvError::NotFinite { what, .. } => ClvError::NotFinite {
            what,
            row: i.saturating_add(1),
        },
        other => other,
    }
}

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

    #[test]
    fn the_columns_equal_the_scalar_and_a_bad_row_is_named() {
        let (x, t_x, age) = (
            [0.0, 2.0, 7.0, 0.0],
            [0.0, 30.43, 35.0, 0.0],
            [38.86, 38.86, 38.0, 0.0],
        );
        let got =
            conditional_probabilities_of_n_purchases(&CDNOW, 2, 39.0, &x, &t_x, &age).unwrap();
        for i in 0..4 {
            let want =
                conditional_probability_of_n_purchases(&CDNOW, 2, 39.0, x[i], t_x[i], age[i])
                    .unwrap();
            assert_eq!(got[i].to_bits(), want.to_bits());
        }
        let e = conditional_probabilities_of_n_purchases(
            &CDNOW,
            1,
            1.0,
            &[0.0, 1.0],
            &[0.0, 3.0],
            &[1.0, 2.0],
        );
        assert!(
            matches!(e, Err(ClvError::InvalidInput { row: 2, .. })),
            "{e:?}"
        );
        let e =
            conditional_probabilities_of_n_purchases(&CDNOW, 1, 1.0, &[0.0], &[0.0, 1.0], &[1.0]);
        assert!(matches!(e, Err(ClvError::LengthMismatch { .. })));
    }

    #[test]
    fn each_table_row_is_a_distribution_whose_tail_is_the_rest() {
        let (x, t_x, age) = ([0.0, 2.0, 7.0], [0.0, 30.43, 35.0], [38.86, 38.86, 38.0]);
        let p = PurchaseProbabilities::of(&CDNOW, 4, 52.0, &x, &t_x, &age).unwrap();
        assert_eq!(p.customers(), 3);
        for i in 0..3 {
            let row = p.customer(i);
            assert_eq!(row.len(), 6);
            let head: f64 = row[..5].iter().sum();
            assert!((row[5] - (1.0 - head).max(0.0)).abs() == 0.0);
            for (n, &v) in row[..5].iter().enumerate() {
                let want = conditional_probability_of_n_purchases(
                    &CDNOW, n as u32, 52.0, x[i], t_x[i], age[i],
                )
                .unwrap();
                assert_eq!(v.to_bits(), want.to_bits());
            }
        }
        // The heavy buyer is likelier to make more than 4 purchases.
        assert!(p.customer(2)[5] > p.customer(0)[5]);
        let e = PurchaseProbabilities::of(&CDNOW, MAX_PURCHASES + 1, 1.0, &x, &t_x, &age);
        assert!(
            matches!(e, Err(ClvError::InvalidArgument { ref name, .. }) if name == "max_purchases")
        );
    }
}
