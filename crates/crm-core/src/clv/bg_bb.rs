//! BG/BB: the beta-geometric / beta-Bernoulli model for discrete
//! opportunities (Fader, Hardie & Shang 2010, "Customer-base analysis in a
//! discrete-time noncontractual setting").
//!
//! Some businesses see at most one transaction per period: a yearly donation,
//! an annual event, a cruise per season. In each period an alive customer
//! transacts with probability p ~ Beta(α, β) and, at the start of each next
//! period, leaves with probability θ ~ Beta(γ, δ). A customer is summarised by
//! `x` (periods with a transaction), `t_x` (the last such period, 0 when
//! `x = 0`) and `n` (periods observed). Data of this kind compress very well:
//! the 11,104 donors of Fader, Hardie & Shang fit in 22 rows with weights.
//!
//! On those donations the fit reproduces α = 1.204, β = 0.750, γ = 0.657,
//! δ = 2.783.
//!
//! ```
//! use crm_core::clv::bg_bb::BetaGeoBetaBinom;
//! let m = BetaGeoBetaBinom { alpha: 1.204, beta: 0.750, gamma: 0.657, delta: 2.783 };
//! assert!(m.p_alive(6, 6, 6) > m.p_alive(1, 1, 6));
//! ```

use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

use super::special::{ln_beta, ln_gamma};
use super::{
    ClvError, FitOptions, Fitted, Parameters, check_len, check_weight, fit_model, invalid,
    log_add_exp,
};

/// BG/BB parameters: transaction probability Beta(α, β), dropout probability
/// Beta(γ, δ).
///
/// ```
/// use crm_core::clv::bg_bb::BetaGeoBetaBinom;
/// use crm_core::clv::Parameters;
/// assert_eq!(BetaGeoBetaBinom::NAMES, ["alpha", "beta", "gamma", "delta"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct BetaGeoBetaBinom {
    /// Transaction Beta, first shape.
    pub alpha: f64,
    /// Transaction Beta, second shape.
    pub beta: f64,
    /// Dropout Beta, first shape.
    pub gamma: f64,
    /// Dropout Beta, second shape.
    pub delta: f64,
}

super::parameters!(BetaGeoBetaBinom {
    alpha,
    beta,
    gamma,
    delta
});

/// Discrete-time histories `(x, t_x, n)`, compressed with weights.
///
/// Rules (each an [`ClvError::InvalidInput`] naming field and row): whole
/// numbers; `0 <= x <= t_x <= n`, `n >= 1`; `x = 0` exactly when `t_x = 0`;
/// weights finite and `>= 0`.
///
/// ```
/// use crm_core::clv::bg_bb::DiscreteData;
/// let d = DiscreteData::new(&[0.0, 1.0, 1.0], &[0.0, 2.0, 2.0], &[6.0, 6.0, 6.0], None)?;
/// assert_eq!(d.rows(), 2);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct DiscreteData {
    rows: Vec<(u32, u32, u32, f64)>,
    total_weight: f64,
}

fn whole(field: &str, row: usize, v: f64) -> Result<u32, ClvError> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX) {
        Ok(v as u32)
    } else {
        Err(invalid(field, row, "must be a whole number >= 0"))
    }
}

fn check_row(row: usize, x: f64, t_x: f64, n: f64) -> Result<(u32, u32, u32), ClvError> {
    let (x, t_x, n) = (
        whole("x", row, x)?,
        whole("t_x", row, t_x)?,
        whole("n", row, n)?,
    );
    if n == 0 {
        return Err(invalid("n", row, "periods observed must be >= 1"));
    }
    if t_x > n {
        return Err(invalid(
            "t_x",
            row,
            "recency must not exceed the periods observed (t_x <= n)",
        ));
    }
    if x > t_x {
        return Err(invalid(
            "x",
            row,
            "frequency must not exceed recency (x <= t_x)",
        ));
    }
    if (x == 0) != (t_x == 0) {
        return Err(invalid(
            "t_x",
            row,
            "recency is 0 exactly when frequency is 0",
        ));
    }
    Ok((x, t_x, n))
}

impl DiscreteData {
    /// Checks and compresses the columns.
    ///
    /// # Errors
    ///
    /// [`ClvError::LengthMismatch`], or [`ClvError::InvalidInput`] for the
    /// first row that breaks a rule.
    ///
    /// ```
    /// use crm_core::clv::bg_bb::DiscreteData;
    /// assert!(DiscreteData::new(&[2.0], &[1.0], &[6.0], None).is_err()); // x > t_x
    /// ```
    pub fn new(
        x: &[f64],
        t_x: &[f64],
        n: &[f64],
        weights: Option<&[f64]>,
    ) -> Result<DiscreteData, ClvError> {
        check_len("t_x", t_x.len(), x.len())?;
        check_len("n", n.len(), x.len())?;
        if let Some(w) = weights {
            check_len("weights", w.len(), x.len())?;
        }
        let mut slot: HashMap<(u32, u32, u32), usize> = HashMap::new();
        let mut rows: Vec<(u32, u32, u32, f64)> = Vec::new();
        for i in 0..x.len() {
            let key = check_row(i, x[i], t_x[i], n[i])?;
            let w = weights.map_or(1.0, |w| w[i]);
            check_weight(i, w)?;
            if w == 0.0 {
                continue;
            }
            match slot.get(&key) {
                Some(&k) => rows[k].3 += w,
                None => {
                    slot.insert(key, rows.len());
                    rows.push((key.0, key.1, key.2, w));
                }
            }
        }
        rows.sort_by_key(|r| (r.0, r.1, r.2));
        let total_weight = rows.iter().map(|r| r.3).sum();
        Ok(DiscreteData { rows, total_weight })
    }

    /// Rows after compression.
    ///
    /// ```
    /// use crm_core::clv::bg_bb::DiscreteData;
    /// assert_eq!(DiscreteData::new(&[], &[], &[], None)?.rows(), 0);
    /// # Ok::<(), crm_core::clv::ClvError>(())
    /// ```
    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    /// The sum of the weights.
    ///
    /// ```
    /// use crm_core::clv::bg_bb::DiscreteData;
    /// assert_eq!(DiscreteData::new(&[1.0], &[1.0], &[2.0], Some(&[5.0]))?.total_weight(), 5.0);
    /// # Ok::<(), crm_core::clv::ClvError>(())
    /// ```
    pub fn total_weight(&self) -> f64 {
        self.total_weight
    }

    /// The total weighted log-likelihood of `model`.
    ///
    /// ```
    /// use crm_core::clv::bg_bb::{BetaGeoBetaBinom, DiscreteData};
    /// let m = BetaGeoBetaBinom { alpha: 1.204, beta: 0.750, gamma: 0.657, delta: 2.783 };
    /// assert!(DiscreteData::new(&[1.0], &[1.0], &[6.0], None)?.log_likelihood(&m) < 0.0);
    /// # Ok::<(), crm_core::clv::ClvError>(())
    /// ```
    pub fn log_likelihood(&self, model: &BetaGeoBetaBinom) -> f64 {
        self.rows
            .iter()
            .map(|&(x, t, n, w)| w * model.log_likelihood_one(x, t, n))
            .sum()
    }
}

/// Fits BG/BB by maximum likelihood.
///
/// # Errors
///
/// As [`super::bg_nbd::fit`].
///
/// ```
/// use crm_core::clv::bg_bb::{fit, DiscreteData};
/// use crm_core::clv::FitOptions;
/// let x = [0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 4.0];
/// let t_x = [0.0, 1.0, 3.0, 2.0, 4.0, 4.0, 4.0];
/// let weights = [400.0, 100.0, 50.0, 60.0, 80.0, 90.0, 120.0];
/// let d = DiscreteData::new(&x, &t_x, &[4.0; 7], Some(&weights))?;
/// let f = fit(&d, &FitOptions::default())?;
/// assert!(f.log_likelihood < 0.0);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn fit(
    data: &DiscreteData,
    options: &FitOptions,
) -> Result<Fitted<BetaGeoBetaBinom>, ClvError> {
    if data.total_weight <= 0.0 {
        return Err(ClvError::NoData {
            reason: "no customers with positive weight".into(),
        });
    }
    fit_model(
        &[1.0, 1.0, 1.0, 1.0],
        data.total_weight,
        data.rows(),
        options,
        &|p| {
            let Some(m) = BetaGeoBetaBinom::from_values(p) else {
                return f64::NAN;
            };
            data.log_likelihood(&m)
        },
        None,
    )
}

impl BetaGeoBetaBinom {
    /// Log-likelihood of one history: `x` transactions, the last in period
    /// `t_x`, in `n` periods. The arguments must satisfy the rules of
    /// [`DiscreteData`].
    ///
    /// ```
    /// use crm_core::clv::bg_bb::BetaGeoBetaBinom;
    /// let m = BetaGeoBetaBinom { alpha: 1.2, beta: 0.75, gamma: 0.66, delta: 2.8 };
    /// assert!(m.log_likelihood_one(0, 0, 6) < 0.0);
    /// ```
    pub fn log_likelihood_one(&self, x: u32, t_x: u32, n: u32) -> f64 {
        let BetaGeoBetaBinom {
            alpha,
            beta,
            gamma,
            delta,
        } = *self;
        let (x, t_x, n) = (f64::from(x), f64::from(t_x), f64::from(n));
        let lb_ab = ln_beta(alpha, beta);
        let lb_gd = ln_beta(gamma, delta);
        let mut ll = ln_beta(alpha + x, beta + n - x) - lb_ab + ln_beta(gamma, delta + n) - lb_gd;
        let mut i = 0.0;
        while i < n - t_x {
            let term = ln_beta(alpha + x, beta + t_x - x + i) - lb_ab
                + ln_beta(gamma + 1.0, delta + t_x + i)
                - lb_gd;
            ll = log_add_exp(ll, term);
            i += 1.0;
        }
        ll
    }

    /// P(alive at the start of period `n + 1`) given the history.
    ///
    /// ```
    /// use crm_core::clv::bg_bb::BetaGeoBetaBinom;
    /// let m = BetaGeoBetaBinom { alpha: 1.204, beta: 0.750, gamma: 0.657, delta: 2.783 };
    /// assert!((0.0..=1.0).contains(&m.p_alive(0, 0, 6)));
    /// ```
    pub fn p_alive(&self, x: u32, t_x: u32, n: u32) -> f64 {
        let BetaGeoBetaBinom {
            alpha,
            beta,
            gamma,
            delta,
        } = *self;
        let (xf, nf) = (f64::from(x), f64::from(n));
        let l = ln_beta(alpha + xf, beta + nf - xf) - ln_beta(alpha, beta)
            + ln_beta(gamma, delta + nf + 1.0)
            - ln_beta(gamma, delta)
            - self.log_likelihood_one(x, t_x, n);
        l.exp().min(1.0)
    }

    /// Expected transactions in periods `n + 1 ..= n + n_star` given the
    /// history.
    ///
    /// ```
    /// use crm_core::clv::bg_bb::BetaGeoBetaBinom;
    /// let m = BetaGeoBetaBinom { alpha: 1.204, beta: 0.750, gamma: 0.657, delta: 2.783 };
    /// assert!(m.conditional_expected_purchases(5, 6, 6, 6) > m.conditional_expected_purchases(5, 1, 1, 6));
    /// ```
    pub fn conditional_expected_purchases(&self, n_star: u32, x: u32, t_x: u32, n: u32) -> f64 {
        let BetaGeoBetaBinom {
            alpha,
            beta,
            gamma,
            delta,
        } = *self;
        let (xf, nf, ns) = (f64::from(x), f64::from(n), f64::from(n_star));
        let ln_part = ln_beta(alpha + xf + 1.0, beta + nf - xf)
            - ln_beta(alpha, beta)
            - self.log_likelihood_one(x, t_x, n)
            + ln_gamma(gamma + delta)
            - ln_gamma(1.0 + delta);
        let bracket = (ln_gamma(1.0 + delta + nf) - ln_gamma(gamma + delta + nf)).exp()
            - (ln_gamma(1.0 + delta + nf + ns) - ln_gamma(gamma + delta + nf + ns)).exp();
        ln_part.exp() * delta / (gamma - 1.0) * bracket
    }

    /// Expected transactions of a new customer in its first `n` periods.
    ///
    /// ```
    /// use crm_core::clv::bg_bb::BetaGeoBetaBinom;
    /// let m = BetaGeoBetaBinom { alpha: 1.204, beta: 0.750, gamma: 0.657, delta: 2.783 };
    /// assert!(m.expected_purchases(6) > m.expected_purchases(5));
    /// ```
    pub fn expected_purchases(&self, n: u32) -> f64 {
        let BetaGeoBetaBinom {
            alpha,
            beta,
            gamma,
            delta,
        } = *self;
        let nf = f64::from(n);
        let ratio = (ln_gamma(gamma + delta) - ln_gamma(gamma + delta + nf)
            + ln_gamma(1.0 + delta + nf)
            - ln_gamma(1.0 + delta))
        .exp();
        alpha / (alpha + beta) * delta / (gamma - 1.0) * (1.0 - ratio)
    }

    /// P(a new customer transacts in exactly `x` of its first `n` periods).
    ///
    /// ```
    /// use crm_core::clv::bg_bb::BetaGeoBetaBinom;
    /// let m = BetaGeoBetaBinom { alpha: 1.204, beta: 0.750, gamma: 0.657, delta: 2.783 };
    /// let total: f64 = (0..=6).map(|x| m.p_purchases(x, 6)).sum();
    /// assert!((total - 1.0).abs() < 1e-12);
    /// ```
    pub fn p_purchases(&self, x: u32, n: u32) -> f64 {
        if x > n {
            return 0.0;
        }
        let BetaGeoBetaBinom {
            alpha,
            beta,
            gamma,
            delta,
        } = *self;
        let (xf, nf) = (f64::from(x), f64::from(n));
        let ln_choose =
            |a: f64, b: f64| ln_gamma(a + 1.0) - ln_gamma(b + 1.0) - ln_gamma(a - b + 1.0);
        let lb_ab = ln_beta(alpha, beta);
        let lb_gd = ln_beta(gamma, delta);
        let mut p = (ln_choose(nf, xf) + ln_beta(alpha + xf, beta + nf - xf) - lb_ab
            + ln_beta(gamma, delta + nf)
            - lb_gd)
            .exp();
        for i in x..n {
            let i = f64::from(i);
            p += (ln_choose(i, xf) + ln_beta(alpha + xf, beta + i - xf) - lb_ab
                + ln_beta(gamma + 1.0, delta + i)
                - lb_gd)
                .exp();
        }
        p
    }
}

/// Column form of [`BetaGeoBetaBinom::p_alive`], with the input checks of
/// [`DiscreteData`].
///
/// # Errors
///
/// [`ClvError::LengthMismatch`] or [`ClvError::InvalidInput`].
///
/// ```
/// use crm_core::clv::bg_bb::{p_alive, BetaGeoBetaBinom};
/// let m = BetaGeoBetaBinom { alpha: 1.204, beta: 0.750, gamma: 0.657, delta: 2.783 };
/// assert_eq!(p_alive(&m, &[1.0, 0.0], &[1.0, 0.0], &[6.0, 6.0])?.len(), 2);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn p_alive(
    model: &BetaGeoBetaBinom,
    x: &[f64],
    t_x: &[f64],
    n: &[f64],
) -> Result<Vec<f64>, ClvError> {
    model.validate()?;
    columns(x, t_x, n, |x, t, n| model.p_alive(x, t, n))
}

/// Column form of [`BetaGeoBetaBinom::conditional_expected_purchases`].
///
/// # Errors
///
/// As [`p_alive`].
///
/// ```
/// use crm_core::clv::bg_bb::{conditional_expected_purchases, BetaGeoBetaBinom};
/// let m = BetaGeoBetaBinom { alpha: 1.204, beta: 0.750, gamma: 0.657, delta: 2.783 };
/// assert!(conditional_expected_purchases(&m, 5, &[6.0], &[6.0], &[6.0])?[0] > 0.0);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn conditional_expected_purchases(
    model: &BetaGeoBetaBinom,
    n_star: u32,
    x: &[f64],
    t_x: &[f64],
    n: &[f64],
) -> Result<Vec<f64>, ClvError> {
    model.validate()?;
    columns(x, t_x, n, |x, t, n| {
        model.conditional_expected_purchases(n_star, x, t, n)
    })
}

fn columns(
    x: &[f64],
    t_x: &[f64],
    n: &[f64],
    f: impl Fn(u32, u32, u32) -> f64,
) -> Result<Vec<f64>, ClvError> {
    check_len("t_x", t_x.len(), x.len())?;
    check_len("n", n.len(), x.len())?;
    (0..x.len())
        .map(|i| check_row(i, x[i], t_x[i], n[i]).map(|(x, t, n)| f(x, t, n)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clv::tests_data::donations;
    use proptest::prelude::*;

    const PUBLISHED: BetaGeoBetaBinom = BetaGeoBetaBinom {
        alpha: 1.204,
        beta: 0.750,
        gamma: 0.657,
        delta: 2.783,
    };

    #[test]
    fn donations_reproduce_fader_hardie_shang_2010() {
        let [x, t, n, w] = donations();
        let d = DiscreteData::new(&x, &t, &n, Some(&w)).unwrap();
        assert_eq!(d.total_weight(), 11_104.0);
        let fit = fit(&d, &FitOptions::default()).unwrap();
        for (name, (got, want)) in BetaGeoBetaBinom::NAMES
            .iter()
            .zip(fit.params.values().into_iter().zip(PUBLISHED.values()))
        {
            assert!(
                (got - want).abs() <= 5e-4,
                "{name}: fitted {got}, published {want}"
            );
        }
        // The paper's log-likelihood, -33,225.6.
        assert!(
            (fit.log_likelihood - -33_225.6).abs() <= 0.1,
            "LL {}",
            fit.log_likelihood
        );
    }

    #[test]
    fn p_purchases_match_the_mean() {
        let mean: f64 = (0..=6)
            .map(|x| f64::from(x) * PUBLISHED.p_purchases(x, 6))
            .sum();
        assert!((mean - PUBLISHED.expected_purchases(6)).abs() < 1e-10);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// P(alive) is a probability.
        #[test]
        fn p_alive_stays_within_0_and_1(n in 1u32..30, tf in 0.0_f64..1.0, xf in 0.0_f64..1.0,
                                        a in 0.1_f64..5.0, b in 0.1_f64..5.0, g in 0.1_f64..5.0, d in 0.1_f64..5.0) {
            let t_x = (tf * f64::from(n)).round() as u32;
            let x = if t_x == 0 { 0 } else { ((xf * f64::from(t_x)).round() as u32).max(1) };
            let p = BetaGeoBetaBinom { alpha: a, beta: b, gamma: g, delta: d }.p_alive(x, t_x, n);
            prop_assert!((0.0..=1.0).contains(&p));
        }

        /// More periods ahead never mean fewer expected transactions.
        #[test]
        fn expected_purchases_increase_with_t(n_star in 1u32..20, x in 0u32..=6) {
            let t_x = x;
            let e1 = PUBLISHED.conditional_expected_purchases(n_star, x, t_x, 6);
            let e2 = PUBLISHED.conditional_expected_purchases(n_star + 1, x, t_x, 6);
            prop_assert!(e2 >= e1 && e1 > 0.0);
        }
    }
}
