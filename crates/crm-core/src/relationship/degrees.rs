//! The four degrees of a customer (四度): satisfaction, loyalty, contribution,
//! dependency.
//!
//! The tobacco text judges every customer by four degrees (docs/DOMAIN.md section
//! 3): how **satisfied** he is (满意度), how **loyal** (忠诚度), how much of the
//! firm's business he brings (**contribution**, 贡献度) and how much of his own
//! business rests on the firm (**dependency**, 依存度, his share of wallet).
//! Satisfaction comes first: without it the other three have no footing.
//!
//! Each degree here is a score in [0, 1], documented and shown with its
//! inputs so that nobody has to trust a black box:
//!
//! - **satisfaction** = mean of the customer's survey answers in the period,
//!   each brought to [0, 1] on its scale ([`SurveyScale::normalised`]: CSAT
//!   (s − 1)/4, NPS s/10, CES (s − 1)/6), minus a penalty per complaint still
//!   open at the period end (default 0.1) and per resolved complaint (default
//!   0: a complaint put right is not held against the customer), clipped to
//!   [0, 1]. **No answer: unknown (`None`), not zero**;
//! - **loyalty** = weighted mean of three parts, each in [0, 1]: repeat
//!   purchase min((occasions − 1) / (full_at − 1), 1) (default full at 4
//!   occasions), tenure min(days / full_days, 1) (default 730 days), and
//!   referral min(referrals / full_at, 1) (default 2); weights 0.5, 0.25, 0.25;
//! - **contribution** = the customer's value / the firm's total positive value
//!   (docs/DOMAIN.md section 5; a zero or negative value contributes 0). In a large
//!   base every share is tiny, so [`ContributionScale::RelativeToLargest`]
//!   (value / the largest value) is offered for the combined index. When
//!   nobody has a positive value the divisor is zero and the share is
//!   **undefined (`None`), not 0**: it is not a known degree, so the index
//!   is over the others and the base counts it as unknown;
//! - **dependency** = spend with the firm / the customer's total spend in the
//!   category, when that is known or estimated; unknown otherwise;
//! - the **index** = Σ wᵢ · degreeᵢ / Σ wᵢ over the degrees that are known
//!   (default weights 0.4, 0.3, 0.15, 0.15), with the share of weight that was
//!   known (`index_coverage`); with [`DegreeConfig::require_satisfaction`] an
//!   unknown satisfaction makes the index unknown.
//!
//! For the base: the mean of each degree over the customers where it is
//! known (with their count), and the base's share of wallet Σ spend / Σ
//! category spend over the customers whose category spend is known.
//!
//! ```
//! use chrono::{NaiveDate, TimeZone, Utc};
//! use crm_core::relationship::degrees::{degrees, CustomerFacts, DegreeConfig, DegreeData};
//! use crm_core::relationship::period_metrics::MetricPeriod;
//! use crm_core::relationship::survey::{SurveyAnswer, SurveyScale};
//! use rust_decimal_macros::dec;
//! let data = DegreeData {
//!     customers: vec![CustomerFacts::new(1, dec!(300), 4, 730, dec!(300), Some(dec!(600)))],
//!     answers: vec![SurveyAnswer { customer: 1.into(), time: Utc.with_ymd_and_hms(2024, 1, 9, 0, 0, 0).unwrap(), scale: SurveyScale::Csat, score: 5 }],
//!     ..Default::default()
//! };
//! let p = MetricPeriod::new(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2024, 1, 31).unwrap())?;
//! let r = degrees(&data, p, &DegreeConfig::default())?;
//! let c = &r.customers[0];
//! assert_eq!(c.satisfaction, Some(dec!(1)));
//! assert_eq!(c.dependency, Some(dec!(0.5)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::records::customer::CustomerId;
use crate::relationship::complaint::{Complaint, ComplaintError};
use crate::relationship::period_metrics::{MetricPeriod, Referral, RowCounts};
use crate::relationship::survey::{SurveyAnswer, SurveyError, SurveyScale, answers_in_period};

/// One customer's figures for the period (from summaries and the firm's
/// estimates).
///
/// ```
/// use crm_core::relationship::degrees::CustomerFacts;
/// use rust_decimal_macros::dec;
/// let f = CustomerFacts::new("C-1", dec!(120), 3, 400, dec!(120), None);
/// assert_eq!(serde_json::from_str::<CustomerFacts>(&serde_json::to_string(&f).unwrap()).unwrap(), f);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct CustomerFacts {
    /// The customer.
    pub customer: CustomerId,
    /// The customer's value to the firm in the period (sales or margin).
    pub value: Decimal,
    /// Purchase occasions in the period.
    pub occasions: u64,
    /// Days as a customer at the period end.
    pub tenure_days: u64,
    /// Spend with the firm in the category.
    pub spend: Decimal,
    /// The customer's total spend in the category (all suppliers), when
    /// known or estimated.
    pub category_spend: Option<Decimal>,
}

impl CustomerFacts {
    /// The facts of one customer.
    ///
    /// ```
    /// use crm_core::relationship::degrees::CustomerFacts;
    /// use rust_decimal_macros::dec;
    /// assert_eq!(CustomerFacts::new(1, dec!(1), 1, 1, dec!(1), None).occasions, 1);
    /// ```
    pub fn new(
        customer: impl Into<CustomerId>,
        value: Decimal,
        occasions: u64,
        tenure_days: u64,
        spend: Decimal,
        category_spend: Option<Decimal>,
    ) -> CustomerFacts {
        CustomerFacts {
            customer: customer.into(),
            value,
            occasions,
            tenure_days,
            spend,
            category_spend,
        }
    }
}

/// Everything the degrees read.
///
/// ```
/// use crm_core::relationship::degrees::DegreeData;
/// let d = DegreeData::default();
/// assert_eq!(serde_json::to_string(&d).unwrap(), r#"{"customers":[],"answers":[],"complaints":[],"referrals":[]}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct DegreeData {
    /// One row per customer.
    pub customers: Vec<CustomerFacts>,
    /// Survey answers (any period: those outside are skipped).
    pub answers: Vec<SurveyAnswer>,
    /// Complaints (counted in the period they were opened in).
    pub complaints: Vec<Complaint>,
    /// Referral events.
    pub referrals: Vec<Referral>,
}

/// How contribution is scaled to [0, 1].
///
/// ```
/// use crm_core::relationship::degrees::ContributionScale;
/// assert_eq!(ContributionScale::default(), ContributionScale::Share);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContributionScale {
    /// value / total positive value (docs/DOMAIN.md's definition).
    #[default]
    Share,
    /// value / the largest value.
    RelativeToLargest,
}

/// The rules of the four degrees (see the module docs for the defaults).
///
/// ```
/// use crm_core::relationship::degrees::DegreeConfig;
/// let c = DegreeConfig::default();
/// assert!(c.validate().is_ok());
/// assert_eq!(serde_json::from_str::<DegreeConfig>(&serde_json::to_string(&c).unwrap()).unwrap(), c);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct DegreeConfig {
    /// Subtracted from satisfaction per complaint open at the period end.
    pub open_complaint_penalty: Decimal,
    /// Subtracted per complaint resolved by the period end.
    pub resolved_complaint_penalty: Decimal,
    /// Occasions at which the repeat part reaches 1 (at least 2).
    pub repeat_full_at: u64,
    /// Tenure in days at which the tenure part reaches 1 (at least 1).
    pub tenure_full_days: u64,
    /// Referrals at which the referral part reaches 1 (at least 1).
    pub referrals_full_at: u64,
    /// Weights of repeat, tenure, referral within loyalty.
    pub loyalty_weights: [Decimal; 3],
    /// How contribution is scaled.
    pub contribution_scale: ContributionScale,
    /// Weights of satisfaction, loyalty, contribution, dependency in the index.
    pub index_weights: [Decimal; 4],
    /// An unknown satisfaction makes the index unknown (default false: the
    /// index is over the known degrees).
    pub require_satisfaction: bool,
}

impl Default for DegreeConfig {
    fn default() -> Self {
        DegreeConfig {
            open_complaint_penalty: Decimal::new(1, 1),
            resolved_complaint_penalty: Decimal::ZERO,
            repeat_full_at: 4,
            tenure_full_days: 730,
            referrals_full_at: 2,
            loyalty_weights: [Decimal::new(5, 1), Decimal::new(25, 2), Decimal::new(25, 2)],
            contribution_scale: ContributionScale::Share,
            index_weights: [
                Decimal::new(4, 1),
                Decimal::new(3, 1),
                Decimal::new(15, 2),
                Decimal::new(15, 2),
            ],
            require_satisfaction: false,
        }
    }
}

fn bad(field: &'static str, rule: &'static str) -> DegreeError {
    DegreeError::InvalidConfig { field, rule }
}

fn check_weights(field: &'static str, w: &[Decimal]) -> Result<(), DegreeError> {
    if w.iter().any(|x| *x < Decimal::ZERO) || w.iter().all(|x| x.is_zero()) {
        return Err(bad(field, "weights >= 0, not all 0"));
    }
    Ok(())
}

impl DegreeConfig {
    /// Checks the rules.
    ///
    /// # Errors
    ///
    /// [`DegreeError::InvalidConfig`] naming the field.
    ///
    /// ```
    /// use crm_core::relationship::degrees::DegreeConfig;
    /// let c = DegreeConfig { repeat_full_at: 1, ..Default::default() };
    /// assert_eq!(c.validate().unwrap_err().to_string(), "repeat_full_at breaks the rule >= 2");
    /// ```
    pub fn validate(&self) -> Result<(), DegreeError> {
        if self.open_complaint_penalty < Decimal::ZERO
            || self.resolved_complaint_penalty < Decimal::ZERO
        {
            return Err(bad("complaint penalty", ">= 0"));
        }
        if self.repeat_full_at < 2 {
            return Err(bad("repeat_full_at", ">= 2"));
        }
        if self.tenure_full_days == 0 || self.referrals_full_at == 0 {
            return Err(bad("tenure_full_days / referrals_full_at", ">= 1"));
        }
        check_weights("loyalty_weights", &self.loyalty_weights)?;
        check_weights("index_weights", &self.index_weights)
    }
}

/// Input that cannot be right.
///
/// ```
/// use crm_core::relationship::degrees::DegreeError;
/// let e = DegreeError::SpendAboveCategory { row: 2, customer: 4.into() };
/// assert_eq!(e.to_string(), "customers row 2 (customer 4): spend exceeds category_spend: the rule is spend <= category_spend");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum DegreeError {
    /// A rule of the configuration.
    #[error("{field} breaks the rule {rule}")]
    InvalidConfig {
        /// The field.
        field: &'static str,
        /// The rule.
        rule: &'static str,
    },
    /// Two rows of one customer.
    #[error(
        "customers row {row}: customer {customer} appears twice: the rule is one row per customer"
    )]
    DuplicateCustomer {
        /// The second row (1-based data row).
        row: usize,
        /// The customer.
        customer: CustomerId,
    },
    /// A negative spend.
    #[error(
        "customers row {row} (customer {customer}): {field} is negative: the rule is {field} >= 0"
    )]
    Negative {
        /// The row (1-based data row).
        row: usize,
        /// The customer.
        customer: CustomerId,
        /// The field.
        field: &'static str,
    },
    /// More spend with the firm than in the whole category.
    #[error(
        "customers row {row} (customer {customer}): spend exceeds category_spend: the rule is spend <= category_spend"
    )]
    SpendAboveCategory {
        /// The row (1-based data row).
        row: usize,
        /// The customer.
        customer: CustomerId,
    },
    /// An event of a customer without a row.
    #[error(
        "{input} row {row}: customer {customer} has no customers row: the rule is every event names a known customer"
    )]
    UnknownCustomer {
        /// Which input.
        input: &'static str,
        /// The row (1-based data row).
        row: usize,
        /// The customer.
        customer: CustomerId,
    },
    /// The total value left Decimal's range.
    #[error("the sum of value overflows Decimal")]
    Overflow,
    /// A survey answer that cannot be right.
    #[error(transparent)]
    Survey(#[from] SurveyError),
    /// A complaint that cannot be right.
    #[error(transparent)]
    Complaint(#[from] ComplaintError),
}

/// The inputs behind one customer's degrees.
///
/// ```
/// use crm_core::relationship::degrees::DegreeInputs;
/// assert_eq!(DegreeInputs::default().answers, 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct DegreeInputs {
    /// Survey answers in the period.
    pub answers: u64,
    /// Their mean on [0, 1].
    pub mean_answer: Option<Decimal>,
    /// Complaints opened in the period.
    pub complaints: u64,
    /// Of those, open at the period end.
    pub open_complaints: u64,
    /// Purchase occasions.
    pub occasions: u64,
    /// Days as a customer.
    pub tenure_days: u64,
    /// Referrals in the period.
    pub referrals: u64,
    /// Loyalty parts: repeat, tenure, referral.
    pub loyalty_parts: [Decimal; 3],
    /// The customer's value.
    pub value: Decimal,
    /// The firm's total positive value.
    pub total_value: Decimal,
    /// Spend with the firm.
    pub spend: Decimal,
    /// Category spend, when known.
    pub category_spend: Option<Decimal>,
}

/// One customer's four degrees and index.
///
/// ```
/// use crm_core::relationship::degrees::{CustomerDegrees, DegreeInputs};
/// use rust_decimal::Decimal;
/// let c = CustomerDegrees {
///     customer: 1.into(), satisfaction: None, loyalty: Decimal::ZERO, contribution: Some(Decimal::ZERO),
///     dependency: None, index: Some(Decimal::ZERO), index_coverage: Decimal::ONE, inputs: DegreeInputs::default(),
/// };
/// assert_eq!(serde_json::from_str::<CustomerDegrees>(&serde_json::to_string(&c).unwrap()).unwrap(), c);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct CustomerDegrees {
    /// The customer.
    pub customer: CustomerId,
    /// 满意度, `None` without a survey answer.
    pub satisfaction: Option<Decimal>,
    /// 忠诚度.
    pub loyalty: Decimal,
    /// 贡献度, `None` when the firm's total positive value (or, scaled
    /// relative to the largest, the largest value) is zero: a share of
    /// nothing is undefined.
    pub contribution: Option<Decimal>,
    /// 依存度, `None` without a category spend.
    pub dependency: Option<Decimal>,
    /// The combined index.
    pub index: Option<Decimal>,
    /// The share of index weight whose degree was known.
    pub index_coverage: Decimal,
    /// The inputs.
    pub inputs: DegreeInputs,
}

/// One degree over the base.
///
/// ```
/// use crm_core::relationship::degrees::DegreeSummary;
/// assert_eq!(serde_json::to_string(&DegreeSummary::default()).unwrap(), r#"{"known":0,"unknown":0,"mean":null}"#);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct DegreeSummary {
    /// Customers where the degree is known.
    pub known: u64,
    /// Customers where it is not.
    pub unknown: u64,
    /// Its mean over the known.
    pub mean: Option<Decimal>,
}

/// The degrees of the base.
///
/// ```
/// use crm_core::relationship::degrees::BaseDegrees;
/// assert_eq!(BaseDegrees::default().share_of_wallet, None);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct BaseDegrees {
    /// Satisfaction.
    pub satisfaction: DegreeSummary,
    /// Loyalty.
    pub loyalty: DegreeSummary,
    /// Contribution.
    pub contribution: DegreeSummary,
    /// Dependency.
    pub dependency: DegreeSummary,
    /// Index.
    pub index: DegreeSummary,
    /// Σ spend / Σ category spend over customers with a category spend.
    pub share_of_wallet: Option<Decimal>,
}

/// Rows of each input: read = used + outside the period.
///
/// ```
/// use crm_core::relationship::degrees::DegreeRows;
/// assert!(DegreeRows::default().answers.adds_up());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct DegreeRows {
    /// Customers rows (all used).
    pub customers: RowCounts,
    /// Survey answers.
    pub answers: RowCounts,
    /// Complaints.
    pub complaints: RowCounts,
    /// Referrals.
    pub referrals: RowCounts,
}

/// The four degrees per customer (in customer id order) and for the base.
///
/// ```
/// use crm_core::relationship::degrees::DegreeReport;
/// let r = DegreeReport::default();
/// assert_eq!(serde_json::from_str::<DegreeReport>(&serde_json::to_string(&r).unwrap()).unwrap(), r);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct DegreeReport {
    /// Per customer, by id.
    pub customers: Vec<CustomerDegrees>,
    /// For the base.
    pub base: BaseDegrees,
    /// Row accounting.
    pub rows: DegreeRows,
}

fn capped(n: Decimal, full: u64) -> Decimal {
    (n / Decimal::from(full)).min(Decimal::ONE)
}

fn weighted_mean(parts: &[(Decimal, Option<Decimal>)]) -> (Option<Decimal>, Decimal) {
    let total: Decimal = parts.iter().map(|p| p.0).sum();
    let known: Decimal = parts.iter().filter(|p| p.1.is_some()).map(|p| p.0).sum();
    let sum: Decimal = parts.iter().filter_map(|p| p.1.map(|v| v * p.0)).sum();
    let mean = if known.is_zero() {
        None
    } else {
        Some(sum / known)
    };
    (
        mean,
        if total.is_zero() {
            Decimal::ZERO
        } else {
            known / total
        },
    )
}

fn check_facts(
    customers: &[CustomerFacts],
) -> Result<BTreeMap<&CustomerId, &CustomerFacts>, DegreeError> {
    let mut index = BTreeMap::new();
    for (row, f) in (1..).zip(customers) {
        let neg = |field| DegreeError::Negative {
            row,
            customer: f.customer.clone(),
            field,
        };
        if f.spend < Decimal::ZERO {
            return Err(neg("spend"));
        }
        match f.category_spend {
            Some(c) if c < Decimal::ZERO => return Err(neg("category_spend")),
            Some(c) if f.spend > c => {
                return Err(DegreeError::SpendAboveCategory {
                    row,
                    customer: f.customer.clone(),
                });
            }
            _ => {}
        }
        if index.insert(&f.customer, f).is_some() {
            return Err(DegreeError::DuplicateCustomer {
                row,
                customer: f.customer.clone(),
            });
        }
    }
    Ok(index)
}

/// Events of the period counted per customer.
#[derive(Default)]
struct Events {
    answers: Vec<Decimal>,
    complaints: u64,
    open: u64,
    referrals: u64,
}

fn events<'a>(
    data: &'a DegreeData,
    period: MetricPeriod,
    known: &BTreeMap<&CustomerId, &CustomerFacts>,
    rows: &mut DegreeRows,
) -> Result<BTreeMap<&'a CustomerId, Events>, DegreeError> {
    let mut out: BTreeMap<&CustomerId, Events> = BTreeMap::new();
    for a in answers_in_period(
        &data.answers,
        period,
        |c| known.contains_key(c),
        &mut rows.answers,
    )? {
        out.entry(&a.customer)
            .or_default()
            .answers
            .push(SurveyScale::normalised(a.scale, a.score));
    }
    let unknown = |input, row, customer: &CustomerId| DegreeError::UnknownCustomer {
        input,
        row,
        customer: customer.clone(),
    };
    for (row, c) in (1..).zip(&data.complaints) {
        c.validate(row)?;
        if !known.contains_key(&c.customer) {
            return Err(unknown("complaints", row, &c.customer));
        }
        rows.complaints.tally(period.contains(c.opened));
        if period.contains(c.opened) {
            let e = out.entry(&c.customer).or_default();
            e.complaints += 1;
            e.open += u64::from(!c.resolved.is_some_and(|t| period.by_end(t)));
        }
    }
    for (row, r) in (1..).zip(&data.referrals) {
        if !known.contains_key(&r.referrer) {
            return Err(unknown("referrals", row, &r.referrer));
        }
        rows.referrals.tally(period.contains(r.time));
        if period.contains(r.time) {
            out.entry(&r.referrer).or_default().referrals += 1;
        }
    }
    // Exact sums of 28-digit fractions may round: sum in one order whatever the input order.
    out.values_mut().for_each(|e| e.answers.sort());
    Ok(out)
}

fn satisfaction(e: &Events, c: &DegreeConfig) -> Option<Decimal> {
    let n = e.answers.len();
    if n == 0 {
        return None;
    }
    let mean: Decimal = e.answers.iter().sum::<Decimal>() / Decimal::from(n);
    let resolved = Decimal::from(e.complaints - e.open);
    let penalty =
        Decimal::from(e.open) * c.open_complaint_penalty + resolved * c.resolved_complaint_penalty;
    Some((mean - penalty).clamp(Decimal::ZERO, Decimal::ONE))
}

fn loyalty_parts(f: &CustomerFacts, referrals: u64, c: &DegreeConfig) -> [Decimal; 3] {
    [
        capped(
            Decimal::from(f.occasions.saturating_sub(1)),
            c.repeat_full_at - 1,
        ),
        capped(Decimal::from(f.tenure_days), c.tenure_full_days),
        capped(Decimal::from(referrals), c.referrals_full_at),
    ]
}

fn one_customer(
    f: &CustomerFacts,
    e: &Events,
    scale: (Decimal, Decimal),
    c: &DegreeConfig,
) -> CustomerDegrees {
    let parts = loyalty_parts(f, e.referrals, c);
    let w = c.loyalty_weights;
    let (loyalty, _) = weighted_mean(&[
        (w[0], Some(parts[0])),
        (w[1], Some(parts[1])),
        (w[2], Some(parts[2])),
    ]);
    let loyalty = loyalty.unwrap_or(Decimal::ZERO);
    let (total, largest) = scale;
    let divisor = match c.contribution_scale {
        ContributionScale::Share => total,
        ContributionScale::RelativeToLargest => largest,
    };
    let value = f.value.max(Decimal::ZERO);
    // A share of a zero total is undefined, not 0 (docs/DOMAIN.md section 5).
    let contribution = (!divisor.is_zero()).then(|| value / divisor);
    let dependency = f
        .category_spend
        .filter(|c| !c.is_zero())
        .map(|cat| f.spend / cat);
    let sat = satisfaction(e, c);
    let iw = c.index_weights;
    let (mut index, index_coverage) = weighted_mean(&[
        (iw[0], sat),
        (iw[1], Some(loyalty)),
        (iw[2], contribution),
        (iw[3], dependency),
    ]);
    if c.require_satisfaction && sat.is_none() {
        index = None;
    }
    let n = e.answers.len();
    CustomerDegrees {
        customer: f.customer.clone(),
        satisfaction: sat,
        loyalty,
        contribution,
        dependency,
        index,
        index_coverage,
        inputs: DegreeInputs {
            answers: n as u64,
            mean_answer: (n > 0).then(|| e.answers.iter().sum::<Decimal>() / Decimal::from(n)),
            complaints: e.complaints,
            open_complaints: e.open,
            occasions: f.occasions,
            tenure_days: f.tenure_days,
            referrals: e.referrals,
            loyalty_parts: parts,
            value: f.value,
            total_value: total,
            spend: f.spend,
            category_spend: f.category_spend,
        },
    }
}

fn summary(values: impl Iterator<Item = Option<Decimal>>) -> DegreeSummary {
    let mut s = DegreeSummary::default();
    let mut sum = Decimal::ZERO;
    for v in values {
        match v {
            Some(v) => {
                s.known += 1;
                sum += v;
            }
            None => s.unknown += 1,
        }
    }
    s.mean = (s.known > 0).then(|| sum / Decimal::from(s.known));
    s
}

fn base_degrees(customers: &[CustomerDegrees]) -> BaseDegrees {
    let (mut spend, mut category) = (Decimal::ZERO, Decimal::ZERO);
    for c in customers
        .iter()
        .filter(|c| c.inputs.category_spend.is_some())
    {
        spend += c.inputs.spend;
        category += c.inputs.category_spend.unwrap_or_default();
    }
    BaseDegrees {
        satisfaction: summary(customers.iter().map(|c| c.satisfaction)),
        loyalty: summary(customers.iter().map(|c| Some(c.loyalty))),
        contribution: summary(customers.iter().map(|c| c.contribution)),
        dependency: summary(customers.iter().map(|c| c.dependency)),
        index: summary(customers.iter().map(|c| c.index)),
        share_of_wallet: (!category.is_zero()).then(|| spend / category),
    }
}

/// The four degrees of every customer and of the base.
///
/// # Errors
///
/// An invalid configuration, two rows of one customer, a negative spend, a
/// spend above the category spend, an event of a customer without a row, an
/// invalid survey score or complaint; each names the row and the rule.
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::relationship::degrees::{degrees, CustomerFacts, DegreeConfig, DegreeData};
/// use crm_core::relationship::period_metrics::MetricPeriod;
/// use rust_decimal_macros::dec;
/// let data = DegreeData {
///     customers: vec![CustomerFacts::new(1, dec!(75), 1, 0, dec!(75), None), CustomerFacts::new(2, dec!(25), 1, 0, dec!(25), None)],
///     ..Default::default()
/// };
/// let d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
/// let r = degrees(&data, MetricPeriod::new(d, d)?, &DegreeConfig::default())?;
/// assert_eq!(r.customers[0].contribution, Some(dec!(0.75))); // 75 / 100
/// assert_eq!(r.base.satisfaction.unknown, 2);           // nobody answered
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn degrees(
    data: &DegreeData,
    period: MetricPeriod,
    config: &DegreeConfig,
) -> Result<DegreeReport, DegreeError> {
    config.validate()?;
    let facts = check_facts(&data.customers)?;
    let mut rows = DegreeRows::default();
    for _ in &data.customers {
        rows.customers.tally(true);
    }
    let events = events(data, period, &facts, &mut rows)?;
    let positive = facts.values().map(|f| f.value.max(Decimal::ZERO));
    let total = positive
        .clone()
        .try_fold(Decimal::ZERO, |a, v| a.checked_add(v))
        .ok_or(DegreeError::Overflow)?;
    let largest = positive.max().unwrap_or(Decimal::ZERO);
    let none = Events::default();
    let customers: Vec<CustomerDegrees> = facts
        .values()
        .map(|f| {
            one_customer(
                f,
                events.get(&f.customer).unwrap_or(&none),
                (total, largest),
                config,
            )
        })
        .collect();
    Ok(DegreeReport {
        base: base_degrees(&customers),
        customers,
        rows,
    })
}

#[cfg(test)]
mod tests;
