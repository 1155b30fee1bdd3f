//! The summary's settings (analysis date, window, unit, scale, column names) and its errors.

#[allow(unused_imports)]
use super::*;

/// The time unit of recency and age.
///
/// # Example
///
/// ```
/// use crm_core::records::summary::Unit;
/// assert_eq!(Unit::Week.of_days(14), 2.0);
/// assert_eq!(Unit::Day.of_days(14), 14.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Days. (`"Day"` and `"Week"`, the earlier serde spellings, are still
    /// read.)
    #[default]
    #[serde(alias = "Day")]
    Day,
    /// Weeks, as days / 7.
    #[serde(alias = "Week")]
    Week,
}

impl Unit {
    /// A number of days in this unit.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::summary::Unit;
    /// assert_eq!(Unit::Week.of_days(7), 1.0);
    /// ```
    pub fn of_days(self, days: i64) -> f64 {
        match self {
            Unit::Day => days as f64,
            Unit::Week => days as f64 / 7.0,
        }
    }
}

/// The names of the input columns, used in rejections and errors.
///
/// # Example
///
/// ```
/// use crm_core::records::reconciliation::Column;
/// use crm_core::records::summary::ColumnNames;
/// let n = ColumnNames { amount: "dollars".into(), ..ColumnNames::default() };
/// assert_eq!(n.name(Column::Amount), "dollars");
/// assert_eq!(n.name(Column::Date), "date");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct ColumnNames {
    /// Customer id column.
    pub customer: String,
    /// Date or timestamp column.
    pub date: String,
    /// Amount column.
    pub amount: String,
    /// Quantity column.
    pub quantity: String,
    /// Margin column.
    pub margin: String,
    /// Discount flag column.
    pub discount: String,
}

impl Default for ColumnNames {
    fn default() -> Self {
        ColumnNames {
            customer: Column::Customer.default_name().into(),
            date: Column::Date.default_name().into(),
            amount: Column::Amount.default_name().into(),
            quantity: Column::Quantity.default_name().into(),
            margin: Column::Margin.default_name().into(),
            discount: Column::Discount.default_name().into(),
        }
    }
}

impl ColumnNames {
    /// The name of `column`.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::reconciliation::Column;
    /// use crm_core::records::summary::ColumnNames;
    /// assert_eq!(ColumnNames::default().name(Column::Record), "(record)");
    /// ```
    pub fn name(&self, column: Column) -> &str {
        match column {
            Column::Customer => &self.customer,
            Column::Date => &self.date,
            Column::Amount => &self.amount,
            Column::Quantity => &self.quantity,
            Column::Margin => &self.margin,
            Column::Discount => &self.discount,
            Column::Record => Column::Record.default_name(),
        }
    }
}

/// How to summarise.
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::summary::{SummaryConfig, Unit};
/// let c = SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 12, 31).unwrap())
///     .with_window_start(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap())
///     .with_unit(Unit::Week)
///     .strict();
/// assert!(c.strict);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct SummaryConfig {
    /// The analysis date: rows dated after it are skipped.
    pub as_of: NaiveDate,
    /// The first day observed: rows dated before it are skipped.
    pub window_start: Option<NaiveDate>,
    /// The unit of recency and age.
    pub unit: Unit,
    /// Decimal places kept for amounts (0..=18).
    pub amount_scale: u32,
    /// Whether the first rejected row stops the run with an error.
    pub strict: bool,
    /// How many rejected rows are listed individually.
    pub max_listed_rejections: usize,
    /// Column names for messages.
    pub names: ColumnNames,
}

impl SummaryConfig {
    /// Days as the unit, no window start, lenient, default scale and names.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::SummaryConfig;
    /// let c = SummaryConfig::new(NaiveDate::from_ymd_opt(1997, 9, 30).unwrap());
    /// assert_eq!(c.amount_scale, 6);
    /// ```
    pub fn new(as_of: NaiveDate) -> Self {
        SummaryConfig {
            as_of,
            window_start: None,
            unit: Unit::Day,
            amount_scale: DEFAULT_AMOUNT_SCALE,
            strict: false,
            max_listed_rejections: MAX_LISTED_REJECTIONS,
            names: ColumnNames::default(),
        }
    }

    /// With a window start.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::SummaryConfig;
    /// let start = NaiveDate::from_ymd_opt(1997, 1, 1).unwrap();
    /// let c = SummaryConfig::new(NaiveDate::from_ymd_opt(1997, 9, 30).unwrap()).with_window_start(start);
    /// assert_eq!(c.window_start, Some(start));
    /// ```
    pub fn with_window_start(mut self, start: NaiveDate) -> Self {
        self.window_start = Some(start);
        self
    }

    /// With a unit.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::{SummaryConfig, Unit};
    /// let c = SummaryConfig::new(NaiveDate::from_ymd_opt(1997, 9, 30).unwrap()).with_unit(Unit::Week);
    /// assert_eq!(c.unit, Unit::Week);
    /// ```
    pub fn with_unit(mut self, unit: Unit) -> Self {
        self.unit = unit;
        self
    }

    /// With column names.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::{ColumnNames, SummaryConfig};
    /// let names = ColumnNames { customer: "cust".into(), ..ColumnNames::default() };
    /// let c = SummaryConfig::new(NaiveDate::from_ymd_opt(1997, 9, 30).unwrap()).with_names(names);
    /// assert_eq!(c.names.customer, "cust");
    /// ```
    pub fn with_names(mut self, names: ColumnNames) -> Self {
        self.names = names;
        self
    }

    /// In strict mode.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::SummaryConfig;
    /// assert!(SummaryConfig::new(NaiveDate::from_ymd_opt(1997, 9, 30).unwrap()).strict().strict);
    /// ```
    pub fn strict(mut self) -> Self {
        self.strict = true;
        self
    }

    pub(super) fn check(&self) -> Result<(), SummaryError> {
        if self.amount_scale > MAX_AMOUNT_SCALE {
            return Err(SummaryError::InvalidScale {
                scale: self.amount_scale,
            });
        }
        if let Some(start) = self.window_start
            && start > self.as_of
        {
            return Err(SummaryError::WindowAfterAsOf {
                window_start: start,
                as_of: self.as_of,
            });
        }
        Ok(())
    }
}

/// What went wrong while summarising.
///
/// # Example
///
/// ```
/// use crm_core::records::reconciliation::{RejectReason, Rejection};
/// use crm_core::records::summary::SummaryError;
/// let e = SummaryError::Rejected(Rejection { row: 4, column: "date".into(), reason: RejectReason::Missing });
/// assert_eq!(e.to_string(), "strict mode: row 4, column `date`: value is missing");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub enum SummaryError {
    /// Strict mode: the first rejected row.
    #[error("strict mode: {0}")]
    Rejected(Rejection),
    /// A customer's sums left the accumulator's range.
    #[error(
        "sums of customer {customer} exceed the accumulator's range (2^96 at the chosen scale, 2^32 transactions)"
    )]
    CustomerOverflow {
        /// The customer.
        customer: CustomerId,
    },
    /// The run's reconciliation totals left the accumulator's range.
    #[error("reconciliation totals exceed the accumulator's range")]
    TotalsOverflow,
    /// A column of a batch has a different length than the customer column.
    #[error("column `{column}` has {found} rows, expected {expected}")]
    ColumnLength {
        /// The column name.
        column: String,
        /// The customer column's length.
        expected: usize,
        /// This column's length.
        found: usize,
    },
    /// The amount scale is beyond [`MAX_AMOUNT_SCALE`].
    #[error("amount scale {scale} exceeds the maximum of 18 decimal places")]
    InvalidScale {
        /// The scale asked for.
        scale: u32,
    },
    /// The window starts after the analysis date.
    #[error("window start {window_start} is after the analysis date {as_of}")]
    WindowAfterAsOf {
        /// The window start.
        window_start: NaiveDate,
        /// The analysis date.
        as_of: NaiveDate,
    },
    /// The calibration end is outside the observation window.
    #[error(
        "calibration end {calibration_end} must lie in the window and before the observation end {observation_end}"
    )]
    CalibrationEnd {
        /// The calibration end.
        calibration_end: NaiveDate,
        /// The observation end.
        observation_end: NaiveDate,
    },
    /// Two partial summaries made with different settings cannot merge.
    #[error("cannot merge partial summaries made with a different {setting}")]
    Incompatible {
        /// The setting that differs.
        setting: String,
    },
    /// A serialised partial summary is inconsistent.
    #[error("corrupt partial summary: {0}")]
    Corrupt(String),
}
