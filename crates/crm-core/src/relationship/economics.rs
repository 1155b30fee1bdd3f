//! The economics the texts lean on: keeping is cheaper than winning, revenue
//! is quantity times customers minus cost, and a customer is worth the
//! margins of all the years he stays (docs/DOMAIN.md section 3).
//!
//! - [`AcquisitionRetention`]: acquiring a customer costs a multiple of
//!   keeping one (five in most texts, eight in one: a parameter, default 5).
//! - [`RevenueModel`]: R = X · Y − Z (X what a customer buys, Y the buying
//!   customers, Z the cost) with what-if levers ([`Levers`]) that show what
//!   each lever alone and all together do to R.
//! - [`clv`]: the simple lifetime value m · r / (1 + i − r) of a customer
//!   who brings margin `m` a year, stays each year with probability `r`, at
//!   discount rate `i` (margin at the end of each year, infinite horizon);
//!   [`customer_equity`] sums it over segments.
//!
//! Everything is exact [`Decimal`]; a parameter outside its range is an
//! error naming it, never a panic or an infinite value.
//!
//! ```
//! use crm_core::relationship::economics::clv;
//! use rust_decimal_macros::dec;
//! // m = 100, r = 0.8, i = 0.1: 100 · 0.8 / (1 + 0.1 − 0.8) = 80 / 0.3
//! assert_eq!(clv(dec!(100), dec!(0.8), dec!(0.1))?.round_dp(2), dec!(266.67));
//! # Ok::<(), crm_core::relationship::economics::EconomicsError>(())
//! ```

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A parameter outside its range.
///
/// ```
/// use crm_core::relationship::economics::{clv, EconomicsError};
/// use rust_decimal_macros::dec;
/// assert_eq!(clv(dec!(1), dec!(1), dec!(0)).unwrap_err().to_string(),
///     "retention is 1: the rule is 0 <= retention < 1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum EconomicsError {
    /// A parameter breaks its rule.
    #[error("{field} is {value}: the rule is {rule}")]
    OutOfRange {
        /// The parameter (or `segments[i].field`).
        field: String,
        /// Its value.
        value: Decimal,
        /// The rule.
        rule: &'static str,
    },
    /// A product or sum left Decimal's range.
    #[error("{what} overflows Decimal")]
    Overflow {
        /// The computation.
        what: &'static str,
    },
}

fn non_negative(field: &str, value: Decimal) -> Result<Decimal, EconomicsError> {
    if value.is_sign_negative() && !value.is_zero() {
        return Err(EconomicsError::OutOfRange {
            field: field.to_owned(),
            value,
            rule: ">= 0",
        });
    }
    Ok(value)
}

fn overflow(what: &'static str) -> EconomicsError {
    EconomicsError::Overflow { what }
}

/// Keeping against replacing customers.
///
/// ```
/// use crm_core::relationship::economics::AcquisitionRetention;
/// use rust_decimal_macros::dec;
/// let a = AcquisitionRetention { retention_cost: dec!(20), acquisition_multiple: dec!(8) };
/// assert_eq!(serde_json::from_str::<AcquisitionRetention>(&serde_json::to_string(&a).unwrap()).unwrap(), a);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct AcquisitionRetention {
    /// What keeping one customer for the period costs.
    pub retention_cost: Decimal,
    /// Acquisition cost / retention cost (default 5; one text says 8).
    pub acquisition_multiple: Decimal,
}

impl Default for AcquisitionRetention {
    fn default() -> Self {
        AcquisitionRetention {
            retention_cost: Decimal::ZERO,
            acquisition_multiple: Decimal::from(5),
        }
    }
}

/// Keeping `customers` against winning as many new ones.
///
/// ```
/// use crm_core::relationship::economics::AcquisitionRetentionResult;
/// assert_eq!(AcquisitionRetentionResult::default().customers, 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct AcquisitionRetentionResult {
    /// Customers kept or replaced.
    pub customers: u64,
    /// Acquisition cost per customer = retention cost × multiple.
    pub acquisition_cost: Decimal,
    /// customers × retention cost.
    pub cost_to_keep: Decimal,
    /// customers × acquisition cost.
    pub cost_to_replace: Decimal,
    /// cost to replace − cost to keep.
    pub saving_from_keeping: Decimal,
}

impl AcquisitionRetention {
    /// The cost of keeping `customers` against replacing them.
    ///
    /// # Errors
    ///
    /// A negative cost or a multiple below 0, or an overflow.
    ///
    /// ```
    /// use crm_core::relationship::economics::AcquisitionRetention;
    /// use rust_decimal_macros::dec;
    /// // 100 customers; keeping costs 30 each, winning 5 × 30 = 150 each:
    /// // keep 3,000, replace 15,000, saving 12,000
    /// let r = AcquisitionRetention { retention_cost: dec!(30), acquisition_multiple: dec!(5) }.compare(100)?;
    /// assert_eq!((r.cost_to_keep, r.cost_to_replace, r.saving_from_keeping), (dec!(3000), dec!(15000), dec!(12000)));
    /// # Ok::<(), crm_core::relationship::economics::EconomicsError>(())
    /// ```
    pub fn compare(&self, customers: u64) -> Result<AcquisitionRetentionResult, EconomicsError> {
        let keep = non_negative("retention_cost", self.retention_cost)?;
        let multiple = non_negative("acquisition_multiple", self.acquisition_multiple)?;
        let n = Decimal::from(customers);
        let acquisition_cost = keep
            .checked_mul(multiple)
            .ok_or_else(|| overflow("acquisition cost"))?;
        let cost_to_keep = n
            .checked_mul(keep)
            .ok_or_else(|| overflow("cost to keep"))?;
        let cost_to_replace = n
            .checked_mul(acquisition_cost)
            .ok_or_else(|| overflow("cost to replace"))?;
        Ok(AcquisitionRetentionResult {
            customers,
            acquisition_cost,
            cost_to_keep,
            cost_to_replace,
            saving_from_keeping: cost_to_replace - cost_to_keep,
        })
    }
}

/// R = X · Y − Z.
///
/// ```
/// use crm_core::relationship::economics::RevenueModel;
/// use rust_decimal_macros::dec;
/// let m = RevenueModel { per_customer: dec!(200), customers: dec!(1000), cost: dec!(150000) };
/// assert_eq!(m.revenue()?, dec!(50000)); // 200 × 1000 − 150000
/// # Ok::<(), crm_core::relationship::economics::EconomicsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct RevenueModel {
    /// X: what one customer buys (in money).
    pub per_customer: Decimal,
    /// Y: the buying customers.
    pub customers: Decimal,
    /// Z: the cost.
    pub cost: Decimal,
}

impl RevenueModel {
    /// X · Y − Z.
    ///
    /// # Errors
    ///
    /// A negative X, Y or Z, or an overflow.
    ///
    /// ```
    /// use crm_core::relationship::economics::RevenueModel;
    /// use rust_decimal_macros::dec;
    /// assert!(RevenueModel { per_customer: dec!(-1), customers: dec!(1), cost: dec!(0) }.revenue().is_err());
    /// ```
    pub fn revenue(&self) -> Result<Decimal, EconomicsError> {
        let x = non_negative("per_customer", self.per_customer)?;
        let y = non_negative("customers", self.customers)?;
        let z = non_negative("cost", self.cost)?;
        x.checked_mul(y)
            .and_then(|xy| xy.checked_sub(z))
            .ok_or_else(|| overflow("revenue"))
    }

    fn moved(&self, l: &Levers) -> Result<RevenueModel, EconomicsError> {
        let scale = |field: &str, v: Decimal, change: Decimal| -> Result<Decimal, EconomicsError> {
            if change < -Decimal::ONE {
                return Err(EconomicsError::OutOfRange {
                    field: field.to_owned(),
                    value: change,
                    rule: ">= -1 (a change below -100 %)",
                });
            }
            v.checked_mul(Decimal::ONE + change)
                .ok_or_else(|| overflow("what-if"))
        };
        Ok(RevenueModel {
            per_customer: scale(
                "per_customer_change",
                self.per_customer,
                l.per_customer_change,
            )?,
            customers: scale("customers_change", self.customers, l.customers_change)?,
            cost: scale("cost_change", self.cost, l.cost_change)?,
        })
    }
}

/// Relative changes of X, Y and Z (0.05 = +5 %).
///
/// ```
/// use crm_core::relationship::economics::Levers;
/// assert_eq!(Levers::default().customers_change, rust_decimal::Decimal::ZERO);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Levers {
    /// Change of X (more bought per customer: customer share).
    pub per_customer_change: Decimal,
    /// Change of Y (more customers kept or won).
    pub customers_change: Decimal,
    /// Change of Z.
    pub cost_change: Decimal,
}

/// The effect of the levers on R.
///
/// ```
/// use crm_core::relationship::economics::WhatIf;
/// assert_eq!(WhatIf::default().change, rust_decimal::Decimal::ZERO);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct WhatIf {
    /// R before.
    pub revenue: Decimal,
    /// R with every lever.
    pub new_revenue: Decimal,
    /// new − before.
    pub change: Decimal,
    /// Change of R from the X lever alone.
    pub per_customer_effect: Decimal,
    /// From the Y lever alone.
    pub customers_effect: Decimal,
    /// From the Z lever alone.
    pub cost_effect: Decimal,
    /// change − the three effects: what X and Y do together (ΔX · ΔY).
    pub interaction: Decimal,
}

/// What the levers do to R, alone and together.
///
/// # Errors
///
/// A negative X, Y or Z, a change below −100 %, or an overflow.
///
/// ```
/// use crm_core::relationship::economics::{what_if, Levers, RevenueModel};
/// use rust_decimal_macros::dec;
/// let m = RevenueModel { per_customer: dec!(200), customers: dec!(1000), cost: dec!(150000) };
/// let l = Levers { per_customer_change: dec!(0.1), customers_change: dec!(0.05), cost_change: dec!(0.02) };
/// let w = what_if(&m, &l)?;
/// // new R = 220 × 1050 − 153000 = 231000 − 153000 = 78000; change 28000
/// // X alone +20000, Y alone +10000, Z alone −3000, together 20 × 50 = +1000
/// assert_eq!((w.new_revenue, w.change), (dec!(78000), dec!(28000)));
/// assert_eq!((w.per_customer_effect, w.customers_effect, w.cost_effect, w.interaction), (dec!(20000), dec!(10000), dec!(-3000), dec!(1000)));
/// # Ok::<(), crm_core::relationship::economics::EconomicsError>(())
/// ```
pub fn what_if(model: &RevenueModel, levers: &Levers) -> Result<WhatIf, EconomicsError> {
    let revenue = model.revenue()?;
    let effect = |l: Levers| -> Result<Decimal, EconomicsError> {
        Ok(model.moved(&l)?.revenue()? - revenue)
    };
    let zero = Decimal::ZERO;
    let new_revenue = model.moved(levers)?.revenue()?;
    let per_customer_effect = effect(Levers {
        per_customer_change: levers.per_customer_change,
        customers_change: zero,
        cost_change: zero,
    })?;
    let customers_effect = effect(Levers {
        per_customer_change: zero,
        customers_change: levers.customers_change,
        cost_change: zero,
    })?;
    let cost_effect = effect(Levers {
        per_customer_change: zero,
        customers_change: zero,
        cost_change: levers.cost_change,
    })?;
    let change = new_revenue - revenue;
    Ok(WhatIf {
        revenue,
        new_revenue,
        change,
        per_customer_effect,
        customers_effect,
        cost_effect,
        interaction: change - per_customer_effect - customers_effect - cost_effect,
    })
}

/// Simple customer lifetime value m · r / (1 + i − r).
///
/// # Errors
///
/// A negative margin is allowed (a loss-making customer has a negative
/// value); retention must be in [0, 1) and the discount rate >= 0, so the
/// denominator is always positive.
///
/// ```
/// use crm_core::relationship::economics::clv;
/// use rust_decimal_macros::dec;
/// assert_eq!(clv(dec!(50), dec!(0), dec!(0.1))?, dec!(0)); // never comes back
/// assert!(clv(dec!(50), dec!(0.5), dec!(-0.1)).is_err());
/// # Ok::<(), crm_core::relationship::economics::EconomicsError>(())
/// ```
pub fn clv(
    margin: Decimal,
    retention: Decimal,
    discount: Decimal,
) -> Result<Decimal, EconomicsError> {
    if retention < Decimal::ZERO || retention >= Decimal::ONE {
        return Err(EconomicsError::OutOfRange {
            field: "retention".into(),
            value: retention,
            rule: "0 <= retention < 1",
        });
    }
    non_negative("discount", discount)?;
    let denominator = Decimal::ONE + discount - retention;
    margin
        .checked_mul(retention)
        .and_then(|x| x.checked_div(denominator))
        .ok_or_else(|| overflow("clv"))
}

/// A group of similar customers for [`customer_equity`].
///
/// ```
/// use crm_core::relationship::economics::SegmentValue;
/// use rust_decimal_macros::dec;
/// let s = SegmentValue { segment: "vip".into(), customers: 10, margin: dec!(500), retention: dec!(0.9) };
/// assert_eq!(serde_json::from_str::<SegmentValue>(&serde_json::to_string(&s).unwrap()).unwrap(), s);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct SegmentValue {
    /// Its name.
    pub segment: String,
    /// Customers in it.
    pub customers: u64,
    /// Margin per customer per year.
    pub margin: Decimal,
    /// Yearly retention rate.
    pub retention: Decimal,
}

/// Customer equity: the lifetime value of the whole base.
///
/// ```
/// use crm_core::relationship::economics::CustomerEquity;
/// assert_eq!(CustomerEquity::default().total, rust_decimal::Decimal::ZERO);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct CustomerEquity {
    /// Per segment: (name, CLV per customer, customers × CLV), input order.
    pub segments: Vec<(String, Decimal, Decimal)>,
    /// Σ customers × CLV.
    pub total: Decimal,
}

/// Customer equity = Σ customers × CLV over segments.
///
/// # Errors
///
/// As [`clv`], naming the segment's row.
///
/// ```
/// use crm_core::relationship::economics::{customer_equity, SegmentValue};
/// use rust_decimal_macros::dec;
/// // vip: 500 · 0.9 / (1.1 − 0.9) = 2250, × 10 = 22500; mass: 50 · 0.5 / 0.6 ≈ 41.67, × 100 ≈ 4166.67
/// let e = customer_equity(&[
///     SegmentValue { segment: "vip".into(), customers: 10, margin: dec!(500), retention: dec!(0.9) },
///     SegmentValue { segment: "mass".into(), customers: 100, margin: dec!(50), retention: dec!(0.5) },
/// ], dec!(0.1))?;
/// assert_eq!(e.segments[0].2, dec!(22500));
/// assert_eq!(e.total.round_dp(2), dec!(26666.67));
/// # Ok::<(), crm_core::relationship::economics::EconomicsError>(())
/// ```
pub fn customer_equity(
    segments: &[SegmentValue],
    discount: Decimal,
) -> Result<CustomerEquity, EconomicsError> {
    let mut out = CustomerEquity::default();
    for (row, s) in segments.iter().enumerate() {
        let value = clv(s.margin, s.retention, discount).map_err(|e| match e {
            EconomicsError::OutOfRange { field, value, rule } => EconomicsError::OutOfRange {
                field: format!("segments[{row}].{field}"),
                value,
                rule,
            },
            other => other,
        })?;
        let equity = value
            .checked_mul(Decimal::from(s.customers))
            .ok_or_else(|| overflow("customer equity"))?;
        out.total = out
            .total
            .checked_add(equity)
            .ok_or_else(|| overflow("customer equity"))?;
        out.segments.push((s.segment.clone(), value, equity));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn clv_by_hand() {
        // m = 120, r = 0.75, i = 0.05: 120 · 0.75 / (1.05 − 0.75) = 90 / 0.3 = 300
        assert_eq!(clv(dec!(120), dec!(0.75), dec!(0.05)).unwrap(), dec!(300));
    }

    #[test]
    fn eight_times_multiple() {
        // keep 10 customers at 25: 250; replace at 8 × 25 = 200 each: 2000; saving 1750
        let r = AcquisitionRetention {
            retention_cost: dec!(25),
            acquisition_multiple: dec!(8),
        }
        .compare(10)
        .unwrap();
        assert_eq!(
            (r.acquisition_cost, r.cost_to_keep, r.saving_from_keeping),
            (dec!(200), dec!(250), dec!(1750))
        );
    }

    #[test]
    fn segment_error_names_the_row() {
        let s = SegmentValue {
            segment: "x".into(),
            customers: 1,
            margin: dec!(1),
            retention: dec!(1.5),
        };
        let e = customer_equity(&[s], dec!(0.1)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "segments[0].retention is 1.5: the rule is 0 <= retention < 1"
        );
    }

    #[test]
    fn serde_round_trip_of_results() {
        let w = what_if(
            &RevenueModel {
                per_customer: dec!(1),
                customers: dec!(2),
                cost: dec!(1),
            },
            &Levers::default(),
        )
        .unwrap();
        assert_eq!(
            serde_json::from_str::<WhatIf>(&serde_json::to_string(&w).unwrap()).unwrap(),
            w
        );
        let l = Levers {
            per_customer_change: dec!(0.1),
            ..Default::default()
        };
        assert_eq!(
            serde_json::from_str::<Levers>(&serde_json::to_string(&l).unwrap()).unwrap(),
            l
        );
        let e = customer_equity(
            &[SegmentValue {
                segment: "a".into(),
                customers: 2,
                margin: dec!(10),
                retention: dec!(0.5),
            }],
            dec!(0),
        )
        .unwrap();
        assert_eq!(
            serde_json::from_str::<CustomerEquity>(&serde_json::to_string(&e).unwrap()).unwrap(),
            e
        );
        let a = AcquisitionRetention {
            retention_cost: dec!(3),
            acquisition_multiple: dec!(5),
        }
        .compare(4)
        .unwrap();
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(
            json,
            r#"{"customers":4,"acquisition_cost":"15","cost_to_keep":"12","cost_to_replace":"60","saving_from_keeping":"48"}"#
        );
        assert_eq!(
            serde_json::from_str::<AcquisitionRetentionResult>(&json).unwrap(),
            a
        );
        let m = RevenueModel {
            per_customer: dec!(2.5),
            customers: dec!(10),
            cost: dec!(1),
        };
        assert_eq!(
            serde_json::from_str::<RevenueModel>(&serde_json::to_string(&m).unwrap()).unwrap(),
            m
        );
    }

    proptest! {
        /// CLV rises with retention (positive margin) and never divides by zero.
        #[test]
        fn clv_rises_with_retention(m in 1_i64..100_000, a in 0_u32..99, b in 0_u32..99, i in 0_u32..50) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let at = |r| clv(Decimal::from(m), Decimal::new(i64::from(r), 2), Decimal::new(i64::from(i), 2)).unwrap();
            prop_assert!(at(lo) <= at(hi));
        }

        /// The lever effects and their interaction always add up to the change.
        #[test]
        fn what_if_effects_add_up(x in 0_i64..10_000, y in 0_i64..10_000, z in 0_i64..1_000_000, dx in -100_i64..100, dy in -100_i64..100, dz in -100_i64..100) {
            let m = RevenueModel { per_customer: Decimal::from(x), customers: Decimal::from(y), cost: Decimal::from(z) };
            let l = Levers { per_customer_change: Decimal::new(dx, 2), customers_change: Decimal::new(dy, 2), cost_change: Decimal::new(dz, 2) };
            let w = what_if(&m, &l).unwrap();
            prop_assert_eq!(w.per_customer_effect + w.customers_effect + w.cost_effect + w.interaction, w.change);
            prop_assert_eq!(w.interaction, m.per_customer * l.per_customer_change * m.customers * l.customers_change);
        }
    }
}
