//! Discounted customer lifetime value.
//!
//! A customer's value over the next `periods` periods is the expected spend
//! of each period, discounted: `Σ_{k=1}^{H} m · (E[Y(kΔ)] − E[Y((k−1)Δ)]) /
//! (1 + d)^k`, where `E[Y(t)]` is the conditional expected number of
//! purchases in the next `t` time units (from a fitted repeat-purchase model),
//! `Δ` the length of a period in the data's time unit, `d` the discount rate
//! per period and `m` the expected spend per purchase (from
//! [`super::gamma_gamma`], or any other estimate). This is what lifetimes'
//! `customer_lifetime_value` computes (its `time` is `periods`, its
//! `freq` fixes `Δ`: 4.345 weeks or 30 days a month), so the figures can be
//! compared.
//!
//! Each period adds a non-negative amount divided by `(1 + d)^k`, so value
//! falls as the discount rate rises and grows with the horizon (both are
//! property tests).
//!
//! ```
//! use crm_core::clv::value::{customer_lifetime_value, Discounting};
//! use crm_core::clv::bg_nbd::BetaGeo;
//! let m = BetaGeo { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
//! let d = Discounting { periods: 12, period_length: 4.345, discount_rate: 0.01 };
//! let clv = customer_lifetime_value(&m, &d, &[2.0], &[30.43], &[38.86], &[30.0])?;
//! assert!(clv[0] > 0.0);
//! # Ok::<(), crm_core::clv::ClvError>(())
//! ```

use serde::{Deserialize, Serialize};

use super::{ClvError, Parameters, RepeatModel, check_len, check_prediction_row, invalid};

/// How to discount: `periods` periods of `period_length` time units each, at
/// `discount_rate` per period.
///
/// ```
/// use crm_core::clv::value::Discounting;
/// let monthly_on_weeks = Discounting { periods: 12, period_length: 4.345, discount_rate: 0.01 };
/// assert_eq!(monthly_on_weeks.periods, 12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Discounting {
    /// The horizon, in periods.
    pub periods: u32,
    /// The length of one period in the data's time unit (> 0).
    pub period_length: f64,
    /// The discount rate per period (>= 0).
    pub discount_rate: f64,
}

impl Discounting {
    fn validate(&self) -> Result<(), ClvError> {
        super::horizon::check_periods("periods", self.periods)?;
        if !(self.period_length.is_finite() && self.period_length > 0.0) {
            return Err(ClvError::InvalidArgument {
                name: "period_length".into(),
                rule: "must be finite and > 0".into(),
            });
        }
        if !(self.discount_rate.is_finite() && self.discount_rate >= 0.0) {
            return Err(ClvError::InvalidArgument {
                name: "discount_rate".into(),
                rule: "must be finite and >= 0".into(),
            });
        }
        Ok(())
    }
}

/// Discounted lifetime value of each customer (see the module docs).
///
/// # Errors
///
/// [`ClvError::LengthMismatch`]; [`ClvError::InvalidInput`] for a bad
/// history row or a spend that is negative or not finite (field
/// `monetary_value`); [`ClvError::InvalidArgument`] for bad discounting or
/// model parameters; [`ClvError::HorizonTooLong`] beyond
/// [`super::horizon::MAX_PERIODS`] periods; [`ClvError::NotFinite`] naming
/// the row when a period's expected purchases are not finite (a term is
/// never dropped as zero, so the value grows with the horizon).
///
/// ```
/// use crm_core::clv::value::{customer_lifetime_value, Discounting};
/// use crm_core::clv::pareto_nbd::ParetoNbd;
/// let m = ParetoNbd { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 };
/// let low = Discounting { periods: 24, period_length: 4.345, discount_rate: 0.01 };
/// let high = Discounting { discount_rate: 0.05, ..low };
/// let a = customer_lifetime_value(&m, &low, &[3.0], &[20.0], &[38.0], &[25.0])?;
/// let b = customer_lifetime_value(&m, &high, &[3.0], &[20.0], &[38.0], &[25.0])?;
/// assert!(b[0] < a[0]);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn customer_lifetime_value<M: RepeatModel + Parameters>(
    model: &M,
    discounting: &Discounting,
    x: &[f64],
    t_x: &[f64],
    age: &[f64],
    spend: &[f64],
) -> Result<Vec<f64>, ClvError> {
    model.validate()?;
    discounting.validate()?;
    check_len("t_x", t_x.len(), x.len())?;
    check_len("T", age.len(), x.len())?;
    check_len("monetary_value", spend.len(), x.len())?;
    let mut out = Vec::with_capacity(x.len());
    for i in 0..x.len() {
        check_prediction_row(i, x[i], t_x[i], age[i])?;
        if !(spend[i].is_finite() && spend[i] >= 0.0) {
            return Err(invalid(
                "monetary_value",
                i,
                "expected spend must be finite and >= 0",
            ));
        }
        let mut value = 0.0;
        let mut factor = 1.0;
        let history = [x[i], t_x[i], age[i]];
        let by_period = model.conditional_purchases_by_period(
            discounting.period_length,
            discounting.periods,
            history,
        );
        for increment in by_period {
            if !increment.is_finite() {
                return Err(ClvError::NotFinite {
                    what: "clv".into(),
                    row: i + 1,
                });
            }
            factor /= 1.0 + discounting.discount_rate;
            // Rounding may make a tiny increment negative; it is never NaN here.
            value += spend[i] * increment.max(0.0) * factor;
        }
        if !value.is_finite() {
            return Err(ClvError::NotFinite {
                what: "clv".into(),
                row: i + 1,
            });
        }
        out.push(value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clv::bg_nbd::BetaGeo;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// A higher discount rate never raises a customer's value.
        #[test]
        fn clv_falls_as_the_discount_rate_rises(x in 0u32..50, frac in 0.01_f64..1.0, age in 1.0_f64..100.0,
                                                 spend in 0.0_f64..500.0, d in 0.0_f64..0.5, extra in 0.001_f64..0.5) {
            let m = BetaGeo { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
            let t_x = if x == 0 { 0.0 } else { frac * age };
            let low = Discounting { periods: 12, period_length: 4.345, discount_rate: d };
            let high = Discounting { discount_rate: d + extra, ..low };
            let a = customer_lifetime_value(&m, &low, &[f64::from(x)], &[t_x], &[age], &[spend]).unwrap()[0];
            let b = customer_lifetime_value(&m, &high, &[f64::from(x)], &[t_x], &[age], &[spend]).unwrap()[0];
            prop_assert!(b <= a);
            prop_assert!(b >= 0.0);
        }

        /// With spend > 0 and no discounting, value strictly grows with the
        /// horizon, even where the ₂F₁ series of the closed form would not
        /// converge (long horizons, large frequencies): no period is lost.
        #[test]
        fn clv_grows_with_the_horizon(x in prop_oneof![0u32..5, 0u32..10_001], frac in 0.01_f64..1.0, age in 0.5_f64..100.0,
                                      months in 1u32..1200, more in 1u32..1200) {
            let m = BetaGeo { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
            let t_x = if x == 0 { 0.0 } else { frac * age };
            let short = Discounting { periods: months, period_length: 4.345, discount_rate: 0.0 };
            let long = Discounting { periods: (months + more).min(1200), ..short };
            prop_assume!(long.periods > short.periods);
            let a = customer_lifetime_value(&m, &short, &[f64::from(x)], &[t_x], &[age], &[25.0]).unwrap()[0];
            let b = customer_lifetime_value(&m, &long, &[f64::from(x)], &[t_x], &[age], &[25.0]).unwrap()[0];
            // Strictly, unless the customer is certainly gone (P(alive) = 0 in f64).
            prop_assert!(a.is_finite() && (b > a || (a == 0.0 && b == 0.0)), "{} {}", a, b);
            if x < 5 { prop_assert!(b > a); }
        }
    }

    #[test]
    fn a_century_of_months_on_every_cdnow_customer_is_finite_and_quick() {
        // 1,200 months on the 2,357 CDNOW customers took 269 s in a debug
        // build with one integral per period; stepped, it is a few seconds
        // of CPU even unoptimised, for every repeat-purchase model.
        let [x, t_x, age, _] = crate::clv::tests_data::cdnow_columns();
        let spend = vec![30.0; x.len()];
        let d = Discounting {
            periods: super::super::horizon::MAX_PERIODS,
            period_length: 4.345,
            discount_rate: 0.01,
        };
        let bg = BetaGeo {
            r: 0.243,
            alpha: 4.414,
            a: 0.793,
            b: 2.426,
        };
        let mbg = crate::clv::mbg_nbd::ModifiedBetaGeo {
            r: 0.525,
            alpha: 6.183,
            a: 0.891,
            b: 1.614,
        };
        let pareto = crate::clv::pareto_nbd::ParetoNbd {
            r: 0.553,
            alpha: 10.578,
            s: 0.606,
            beta: 11.669,
        };
        let short = Discounting { periods: 120, ..d };
        for (long, short) in [
            (
                customer_lifetime_value(&bg, &d, &x, &t_x, &age, &spend).unwrap(),
                customer_lifetime_value(&bg, &short, &x, &t_x, &age, &spend).unwrap(),
            ),
            (
                customer_lifetime_value(&mbg, &d, &x, &t_x, &age, &spend).unwrap(),
                customer_lifetime_value(&mbg, &short, &x, &t_x, &age, &spend).unwrap(),
            ),
            (
                customer_lifetime_value(&pareto, &d, &x, &t_x, &age, &spend).unwrap(),
                customer_lifetime_value(&pareto, &short, &x, &t_x, &age, &spend).unwrap(),
            ),
        ] {
            assert_eq!(long.len(), 2_357);
            for (l, s) in long.iter().zip(&short) {
                assert!(l.is_finite() && l > s, "{l} {s}");
            }
        }
    }

    #[test]
    fn the_issue_s_horizons_give_growing_values_and_long_ones_are_refused() {
        // CLV at 24, 36 and 120 months was one figure when NaN terms counted as 0.
        let m = BetaGeo {
            r: 0.243,
            alpha: 4.414,
            a: 0.793,
            b: 2.426,
        };
        let v: Vec<f64> = [24, 36, 120]
            .iter()
            .map(|&periods| {
                let d = Discounting {
                    periods,
                    period_length: 4.345,
                    discount_rate: 0.01,
                };
                customer_lifetime_value(&m, &d, &[300.0], &[38.0], &[38.86], &[30.0]).unwrap()[0]
            })
            .collect();
        assert!(v[0] < v[1] && v[1] < v[2], "{v:?}");
        let d = Discounting {
            periods: u32::MAX,
            period_length: 1.0,
            discount_rate: 0.01,
        };
        let e = customer_lifetime_value(&m, &d, &[1.0], &[1.0], &[2.0], &[1.0]).unwrap_err();
        assert!(matches!(e, ClvError::HorizonTooLong { ref name, .. } if name == "periods"));
    }
}
