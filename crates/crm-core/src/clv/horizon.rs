//! Horizons in months on the summaries' clock.
//!
//! Users think of a CLV horizon in months and a discount rate per month; the
//! models run on the clock of recency and age (days or weeks,
//! [`Unit`]). A month is one twelfth of the mean Gregorian year,
//! [`DAYS_PER_MONTH`] = 365.25 / 12 = 30.4375 days (4.348 weeks): the same
//! length every month, so that a horizon does not depend on the calendar.
//! (lifetimes uses 30 days or 4.345 weeks; pass a `period_length` to
//! [`Discounting`] directly to reproduce its figures.)
//!
//! ```
//! use crm_core::clv::horizon::{Horizon, month_length, DAYS_PER_MONTH};
//! use crm_core::records::summary::Unit;
//! assert_eq!(month_length(Unit::Day), DAYS_PER_MONTH);
//! let h = Horizon { months: 12, monthly_discount_rate: 0.01 };
//! assert!((h.time(Unit::Week) - 52.178_571).abs() < 1e-6);
//! ```

use serde::{Deserialize, Serialize};

use super::ClvError;
use super::value::Discounting;
use crate::records::summary::Unit;

/// The length of a month in days: 365.25 / 12.
pub const DAYS_PER_MONTH: f64 = 365.25 / 12.0;

/// The longest horizon of a discounted lifetime value, in periods (months
/// for a [`Horizon`], the periods of a [`Discounting`] otherwise): 1,200, a
/// century of months.
///
/// Why a limit: the value is a sum over the periods, each a model
/// evaluation per customer, so an unbounded horizon (`--months 4294967295`,
/// `time=10**9`) is an unbounded amount of work. A century is far beyond
/// any lifetime a BTYD model is fitted to predict; at 1 % a month the
/// periods after it weigh less than 10⁻⁵ of the first. Every door (the `crm`
/// command, Python, Spark) goes through [`check_periods`], so the rule and
/// its error ([`ClvError::HorizonTooLong`], rule `horizon_limit`) are the
/// same everywhere.
///
/// ```
/// use crm_core::clv::horizon::{check_periods, MAX_PERIODS};
/// use crm_core::clv::ClvError;
/// assert!(check_periods("months", MAX_PERIODS).is_ok());
/// let e = check_periods("months", MAX_PERIODS + 1).unwrap_err();
/// assert!(matches!(e, ClvError::HorizonTooLong { limit: 1200, .. }));
/// ```
pub const MAX_PERIODS: u32 = 1_200;

/// Checks a horizon of `periods` periods against [`MAX_PERIODS`]; `name`
/// is the argument the caller knows it by.
///
/// # Errors
///
/// [`ClvError::HorizonTooLong`] beyond the limit.
pub fn check_periods(name: &str, periods: u32) -> Result<(), ClvError> {
    if periods <= MAX_PERIODS {
        Ok(())
    } else {
        Err(ClvError::HorizonTooLong {
            name: name.into(),
            limit: MAX_PERIODS,
        })
    }
}

/// The length of a month on the clock `unit`.
///
/// ```
/// use crm_core::clv::horizon::month_length;
/// use crm_core::records::summary::Unit;
/// assert_eq!(month_length(Unit::Week), 365.25 / 12.0 / 7.0);
/// ```
pub fn month_length(unit: Unit) -> f64 {
    match unit {
        Unit::Day => DAYS_PER_MONTH,
        Unit::Week => DAYS_PER_MONTH / 7.0,
    }
}

/// `months` months as a time on the clock `unit`.
///
/// # Errors
///
/// [`ClvError::InvalidArgument`] when `months` is negative or not finite.
///
/// ```
/// use crm_core::clv::horizon::months_to_time;
/// use crm_core::records::summary::Unit;
/// assert_eq!(months_to_time(2.0, Unit::Day)?, 60.875);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn months_to_time(months: f64, unit: Unit) -> Result<f64, ClvError> {
    non_negative("months", months)?;
    Ok(months * month_length(unit))
}

/// A time on the clock `unit` in months.
///
/// # Errors
///
/// [`ClvError::InvalidArgument`] when `time` is negative or not finite.
///
/// ```
/// use crm_core::clv::horizon::time_to_months;
/// use crm_core::records::summary::Unit;
/// assert_eq!(time_to_months(60.875, Unit::Day)?, 2.0);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn time_to_months(time: f64, unit: Unit) -> Result<f64, ClvError> {
    non_negative("time", time)?;
    Ok(time / month_length(unit))
}

/// The discount rate of a period of `to_length` equivalent to `rate` per
/// period of `from_length` (same unit): compounding, `(1 + rate)^(to /
/// from) − 1`. An annual 12.68 % is a monthly 1 %.
///
/// # Errors
///
/// [`ClvError::InvalidArgument`] when the rate is negative or not finite or
/// a length is not positive.
///
/// ```
/// use crm_core::clv::horizon::rate_per_period;
/// let monthly = rate_per_period(0.126_825_030_131_969_6, 12.0, 1.0)?;
/// assert!((monthly - 0.01).abs() < 1e-12);
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn rate_per_period(rate: f64, from_length: f64, to_length: f64) -> Result<f64, ClvError> {
    non_negative("discount_rate", rate)?;
    positive("from_length", from_length)?;
    positive("to_length", to_length)?;
    Ok(((to_length / from_length) * rate.ln_1p()).exp_m1())
}

/// A CLV horizon: whole months, discounted at a monthly rate.
///
/// ```
/// use crm_core::clv::horizon::Horizon;
/// use crm_core::records::summary::Unit;
/// let d = Horizon { months: 6, monthly_discount_rate: 0.02 }.discounting(Unit::Day)?;
/// assert_eq!((d.periods, d.period_length, d.discount_rate), (6, 30.4375, 0.02));
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Horizon {
    /// Months ahead.
    pub months: u32,
    /// The discount rate per month (>= 0).
    pub monthly_discount_rate: f64,
}

impl Horizon {
    /// The horizon as a time on the clock `unit`.
    pub fn time(&self, unit: Unit) -> f64 {
        f64::from(self.months) * month_length(unit)
    }

    /// Monthly periods on the clock `unit`.
    ///
    /// # Errors
    ///
    /// [`ClvError::InvalidArgument`] when the rate is negative or not
    /// finite; [`ClvError::HorizonTooLong`] beyond [`MAX_PERIODS`] months.
    pub fn discounting(&self, unit: Unit) -> Result<Discounting, ClvError> {
        check_periods("months", self.months)?;
        non_negative("discount_rate", self.monthly_discount_rate)?;
        Ok(Discounting {
            periods: self.months,
            period_length: month_length(unit),
            discount_rate: self.monthly_discount_rate,
        })
    }
}

fn non_negative(name: &str, v: f64) -> Result<(), ClvError> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(ClvError::InvalidArgument {
            name: name.into(),
            rule: "must be finite and >= 0".into(),
        })
    }
}

fn positive(name: &str, v: f64) -> Result<(), ClvError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(ClvError::InvalidArgument {
            name: name.into(),
            rule: "must be finite and > 0".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_horizon_beyond_the_limit_is_refused_by_name() {
        let h = Horizon {
            months: u32::MAX,
            monthly_discount_rate: 0.01,
        };
        let e = h.discounting(Unit::Day).unwrap_err();
        assert_eq!(
            e,
            ClvError::HorizonTooLong {
                name: "months".into(),
                limit: MAX_PERIODS
            }
        );
        let ok = Horizon {
            months: MAX_PERIODS,
            ..h
        };
        assert_eq!(ok.discounting(Unit::Day).unwrap().periods, MAX_PERIODS);
    }

    #[test]
    fn bad_arguments_are_named() {
        let e = months_to_time(-1.0, Unit::Day).unwrap_err();
        assert!(matches!(e, ClvError::InvalidArgument { ref name, .. } if name == "months"));
        let e = rate_per_period(0.1, 0.0, 1.0).unwrap_err();
        assert!(matches!(e, ClvError::InvalidArgument { ref name, .. } if name == "from_length"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Converting months to time and back is the identity, on both clocks.
        #[test]
        fn months_round_trip_through_time(m in 0.0_f64..600.0) {
            for unit in [Unit::Day, Unit::Week] {
                let back = time_to_months(months_to_time(m, unit).unwrap(), unit).unwrap();
                prop_assert!((back - m).abs() <= 1e-12 * m.max(1.0));
            }
        }

        /// Compounding a per-period rate over the periods of a longer one
        /// gives that rate back: (1 + monthly)^12 = 1 + annual.
        #[test]
        fn rate_per_period_compounds_back(annual in 0.0_f64..2.0) {
            let monthly = rate_per_period(annual, 12.0, 1.0).unwrap();
            let again = (1.0 + monthly).powi(12) - 1.0;
            prop_assert!((again - annual).abs() <= 1e-12 * annual.max(1.0));
        }
    }
}
