//! What a period's measurement reports: the movements of the base, the
//! complaint and service-recovery figures, the row counts and the rates
//! (`PeriodMetrics`), as serde types.

use super::*;

/// Movements of the base, the counts behind the rates.
///
/// ```
/// use crm_core::relationship::period_metrics::BaseMovement;
/// assert_eq!(BaseMovement::default().at_start, 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct BaseMovement {
    /// S: in the base at the start.
    pub at_start: u64,
    /// E: in the base at the end.
    pub at_end: u64,
    /// In both.
    pub retained: u64,
    /// N: at the end but not at the start (acquired or come back).
    pub entered: u64,
    /// Of S, lost during the period (even if back by the end).
    pub lost: u64,
    /// First membership ever starts in the period (first-time customers,
    /// also those who left again).
    pub acquired: u64,
    /// A later membership starts in the period (came back): memberships, not
    /// customers, so one who comes back twice counts twice.
    pub returned: u64,
    /// Gross acquisitions: customers who joined the base during the period
    /// (first time or come back), also those who left again before the end;
    /// N (`entered`) counts only those still in it at the end.
    pub joined: u64,
}

/// The complaint figures of the period.
///
/// ```
/// use crm_core::relationship::period_metrics::ComplaintMetrics;
/// assert_eq!(ComplaintMetrics::default().resolution_rate, None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct ComplaintMetrics {
    /// Complaints opened in the period.
    pub complaints: u64,
    /// Complaints / active customers (can exceed 1); `None` without active customers.
    pub per_active_customer: Option<Decimal>,
    /// Complaints × 1,000 / orders; `None` without orders.
    pub per_1000_orders: Option<Decimal>,
    /// Resolved by the period end.
    pub resolved: u64,
    /// Still open at the period end.
    pub open_at_end: u64,
    /// resolved / complaints.
    pub resolution_rate: Option<Decimal>,
    /// Resolved within the promised hours.
    pub resolved_on_time: u64,
    /// resolved on time / resolved.
    pub on_time_rate: Option<Decimal>,
    /// With a first response by the period end.
    pub responded: u64,
    /// First response within the promised hours.
    pub responded_on_time: u64,
    /// responded on time / responded.
    pub response_on_time_rate: Option<Decimal>,
    /// Complaints by channel.
    pub by_channel: BTreeMap<String, u64>,
}

/// The service-recovery comparison (docs/DOMAIN.md section 3).
///
/// ```
/// use crm_core::relationship::period_metrics::ServiceRecovery;
/// assert_eq!(ServiceRecovery::default().resolved_complainants, 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct ServiceRecovery {
    /// Active customers who complained and had every complaint resolved by the end.
    pub resolved_complainants: u64,
    /// Of those, with two or more occasions.
    pub resolved_repeaters: u64,
    /// resolved repeaters / resolved complainants.
    pub repeat_rate_after_resolved_complaint: Option<Decimal>,
    /// Of the resolved complainants, those whose last purchase is on a day after their last resolution.
    pub bought_after_resolution: u64,
    /// bought after resolution / resolved complainants.
    pub repurchase_after_resolution_rate: Option<Decimal>,
    /// Active customers without a complaint in the period.
    pub no_complaint_customers: u64,
    /// Of those, with two or more occasions.
    pub no_complaint_repeaters: u64,
    /// no-complaint repeaters / no-complaint customers.
    pub repeat_rate_no_complaint: Option<Decimal>,
}

/// Row accounting of every input.
///
/// ```
/// use crm_core::relationship::period_metrics::PeriodRows;
/// assert!(PeriodRows::default().complaints.adds_up());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct PeriodRows {
    /// Spans: used when they touch the period (from the day before it to its last day).
    pub customers: RowCounts,
    /// Activity rows (all used).
    pub activity: RowCounts,
    /// Complaints: used when opened in the period.
    pub complaints: RowCounts,
    /// Referrals: used when made in the period.
    pub referrals: RowCounts,
}

/// The period's metrics.
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::relationship::period_metrics::{period_metrics, MetricPeriod, PeriodConfig, PeriodData, PeriodMetrics};
/// let d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
/// let m = period_metrics(&PeriodData::default(), MetricPeriod::new(d, d)?, &PeriodConfig::default())?;
/// assert_eq!(m.retention_rate, None); // nobody at the start: undefined
/// let back: PeriodMetrics = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
/// assert_eq!(back, m);
/// # Ok::<(), crm_core::relationship::period_metrics::PeriodError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct PeriodMetrics {
    /// The period.
    pub period: MetricPeriod,
    /// The base's movements.
    pub base: BaseMovement,
    /// (E − N) / S.
    pub retention_rate: Option<Decimal>,
    /// lost / S.
    pub churn_rate: Option<Decimal>,
    /// (E − S) / S.
    pub growth_rate: Option<Decimal>,
    /// N / S (`base.entered / base.at_start`): the new customers of the
    /// retention formula; `base.joined` is the gross count beside it.
    pub acquisition_rate: Option<Decimal>,
    /// Customers with at least one purchase occasion in the period.
    pub active_customers: u64,
    /// Active customers with two or more occasions.
    pub repeat_customers: u64,
    /// repeat customers / active customers.
    pub repeat_purchase_rate: Option<Decimal>,
    /// Orders in the period.
    pub orders: u64,
    /// Referral events in the period.
    pub referrals: u64,
    /// Active customers who referred in the period.
    pub referrers: u64,
    /// Customers who referred in the period without purchasing in it (not in the rate).
    pub referrers_not_active: u64,
    /// referrers / active customers.
    pub referral_rate: Option<Decimal>,
    /// Complaint figures.
    pub complaints: ComplaintMetrics,
    /// Loyalty after a resolved complaint against no complaint.
    pub service_recovery: ServiceRecovery,
    /// What happened to every input row.
    pub rows: PeriodRows,
}
