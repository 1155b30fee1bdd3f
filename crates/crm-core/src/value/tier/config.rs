//! The tiers, the basis and the cut-offs: what a classification is asked for.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A customer value tier.
///
/// Tiers are ordered by importance: `Inactive < Ordinary < Major <
/// MostValuable`, so `a > b` reads "a is a higher tier than b". In JSON and in
/// Python they are the snake_case names `most_valuable`, `major`, `ordinary`,
/// `inactive`.
///
/// ```
/// use crm_core::value::tier::Tier;
///
/// assert!(Tier::MostValuable > Tier::Major);
/// assert_eq!(Tier::Major.as_str(), "major");
/// assert_eq!("ordinary".parse::<Tier>(), Ok(Tier::Ordinary));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Zero or negative value over the period (无效客户): takes no share.
    Inactive,
    /// Positive value beyond the second cut-off (普通客户).
    Ordinary,
    /// Between the first and the second cut-off (主要客户).
    Major,
    /// Within the first cut-off (最有价值客户).
    MostValuable,
}

impl Tier {
    /// All tiers, highest first: the order of reports.
    ///
    /// ```
    /// use crm_core::value::tier::Tier;
    /// assert_eq!(Tier::ALL[0], Tier::MostValuable);
    /// ```
    pub const ALL: [Tier; 4] = [
        Tier::MostValuable,
        Tier::Major,
        Tier::Ordinary,
        Tier::Inactive,
    ];

    /// The snake_case name used in JSON, CSV and Python.
    ///
    /// ```
    /// use crm_core::value::tier::Tier;
    /// assert_eq!(Tier::MostValuable.as_str(), "most_valuable");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::MostValuable => "most_valuable",
            Tier::Major => "major",
            Tier::Ordinary => "ordinary",
            Tier::Inactive => "inactive",
        }
    }

    pub(super) fn from_code(code: u8) -> Tier {
        match code {
            3 => Tier::MostValuable,
            2 => Tier::Major,
            1 => Tier::Ordinary,
            _ => Tier::Inactive,
        }
    }

    pub(super) fn code(self) -> u8 {
        match self {
            Tier::MostValuable => 3,
            Tier::Major => 2,
            Tier::Ordinary => 1,
            Tier::Inactive => 0,
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl crate::vocabulary::Vocabulary for Tier {
    const KIND: &'static str = "tier";
    const ALL: &'static [Tier] = &Tier::ALL;
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl std::str::FromStr for Tier {
    type Err = TierError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Tier::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| TierError::UnknownTier { name: s.to_owned() })
    }
}

/// What the cumulative share is measured in.
///
/// ```
/// use crm_core::value::tier::TierBasis;
/// assert_eq!(serde_json::to_string(&TierBasis::Count).unwrap(), "\"count\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TierBasis {
    /// Share of the positive total value (default cut-offs 20 % and 50 %).
    Value,
    /// Share of the number of customers with positive value (default cut-offs
    /// 5 % and 20 %): the "core 20 % of customers" rule.
    Count,
}

/// The two cumulative cut-offs, as fractions: `0 < first < second <= 1`.
///
/// The constructor is the only way to build one, so a `Cutoffs` in hand is
/// valid. Deserialising checks the same rule.
///
/// ```
/// use crm_core::value::tier::Cutoffs;
/// use rust_decimal_macros::dec;
///
/// let c = Cutoffs::new(dec!(0.1), dec!(0.4))?;
/// assert_eq!(c.first(), dec!(0.1));
/// assert!(Cutoffs::new(dec!(0.5), dec!(0.5)).is_err());
/// assert!(Cutoffs::new(dec!(0), dec!(0.5)).is_err());
/// assert!(Cutoffs::new(dec!(0.2), dec!(1.5)).is_err());
/// # Ok::<(), crm_core::value::tier::TierError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(try_from = "RawCutoffs")]
pub struct Cutoffs {
    first: Decimal,
    second: Decimal,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
struct RawCutoffs {
    first: Decimal,
    second: Decimal,
}

impl TryFrom<RawCutoffs> for Cutoffs {
    type Error = TierError;
    fn try_from(raw: RawCutoffs) -> Result<Self, Self::Error> {
        Cutoffs::new(raw.first, raw.second)
    }
}

impl Cutoffs {
    /// Validates and builds the cut-offs.
    ///
    /// # Errors
    ///
    /// [`TierError::InvalidCutoffs`] unless `0 < first < second <= 1`.
    ///
    /// ```
    /// use crm_core::value::tier::Cutoffs;
    /// use rust_decimal_macros::dec;
    /// let err = Cutoffs::new(dec!(0.6), dec!(0.5)).unwrap_err();
    /// assert!(err.to_string().contains("0 < first < second <= 1"));
    /// ```
    pub fn new(first: Decimal, second: Decimal) -> Result<Cutoffs, TierError> {
        if first > Decimal::ZERO && first < second && second <= Decimal::ONE {
            Ok(Cutoffs { first, second })
        } else {
            Err(TierError::InvalidCutoffs { first, second })
        }
    }

    /// The first cut-off: the end of the most valuable tier.
    ///
    /// ```
    /// # use crm_core::value::tier::TierConfig;
    /// # use rust_decimal_macros::dec;
    /// assert_eq!(TierConfig::by_value().cutoffs.first(), dec!(0.20));
    /// ```
    pub fn first(&self) -> Decimal {
        self.first
    }

    /// The second cut-off: the end of the major tier.
    ///
    /// ```
    /// # use crm_core::value::tier::TierConfig;
    /// # use rust_decimal_macros::dec;
    /// assert_eq!(TierConfig::by_value().cutoffs.second(), dec!(0.50));
    /// ```
    pub fn second(&self) -> Decimal {
        self.second
    }
}

/// How to cut the ranking into tiers: the basis and its cut-offs.
///
/// ```
/// use crm_core::value::tier::{Cutoffs, TierBasis, TierConfig};
/// use rust_decimal_macros::dec;
///
/// let custom = TierConfig { basis: TierBasis::Value, cutoffs: Cutoffs::new(dec!(0.1), dec!(0.4))? };
/// let json = serde_json::to_string(&custom).unwrap();
/// assert_eq!(json, r#"{"basis":"value","cutoffs":{"first":"0.1","second":"0.4"}}"#);
/// # Ok::<(), crm_core::value::tier::TierError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct TierConfig {
    /// What the cumulative share measures.
    pub basis: TierBasis,
    /// Where the tiers end.
    pub cutoffs: Cutoffs,
}

impl TierConfig {
    /// By share of value, cut-offs 20 % and 50 % (docs/DOMAIN.md section 1).
    ///
    /// ```
    /// use crm_core::value::tier::{TierBasis, TierConfig};
    /// assert_eq!(TierConfig::by_value().basis, TierBasis::Value);
    /// ```
    pub fn by_value() -> TierConfig {
        TierConfig {
            basis: TierBasis::Value,
            cutoffs: Cutoffs {
                first: Decimal::new(20, 2),
                second: Decimal::new(50, 2),
            },
        }
    }

    /// By share of customer count, cut-offs 5 % and 20 %.
    ///
    /// ```
    /// use crm_core::value::tier::TierConfig;
    /// use rust_decimal_macros::dec;
    /// assert_eq!(TierConfig::by_count().cutoffs.first(), dec!(0.05));
    /// ```
    pub fn by_count() -> TierConfig {
        TierConfig {
            basis: TierBasis::Count,
            cutoffs: Cutoffs {
                first: Decimal::new(5, 2),
                second: Decimal::new(20, 2),
            },
        }
    }

    /// The default cut-offs of `basis`.
    ///
    /// ```
    /// use crm_core::value::tier::{TierBasis, TierConfig};
    /// assert_eq!(TierConfig::default_for(TierBasis::Count), TierConfig::by_count());
    /// ```
    pub fn default_for(basis: TierBasis) -> TierConfig {
        match basis {
            TierBasis::Value => TierConfig::by_value(),
            TierBasis::Count => TierConfig::by_count(),
        }
    }
}

impl Default for TierConfig {
    fn default() -> Self {
        TierConfig::by_value()
    }
}

/// What went wrong while classifying.
///
/// ```
/// use crm_core::value::tier::{Cutoffs, TierError};
/// use rust_decimal_macros::dec;
/// let e = Cutoffs::new(dec!(0.5), dec!(0.2)).unwrap_err();
/// assert!(matches!(e, TierError::InvalidCutoffs { .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum TierError {
    /// The cut-offs break `0 < first < second <= 1`.
    #[error(
        "invalid tier cut-offs first={first}, second={second}: the rule is 0 < first < second <= 1"
    )]
    InvalidCutoffs {
        /// The first cut-off given.
        first: Decimal,
        /// The second cut-off given.
        second: Decimal,
    },
    /// The positive values cannot be summed exactly within `Decimal`'s range
    /// (96-bit mantissa), or their scales are too far apart to compare exactly.
    #[error(
        "the sum of positive values overflows Decimal at row {row}: values must sum exactly \
         within Decimal's 28-29 significant digits (rescale the value basis, e.g. to thousands)"
    )]
    Overflow {
        /// The first row (1-based data row) at which the exact sum no
        /// longer fits.
        row: usize,
    },
    /// More customers than a classification indexes (u32::MAX).
    #[error("too many customers: {count}; at most 4294967295 per classification")]
    TooManyCustomers {
        /// The number given.
        count: usize,
    },
    /// The partitions of a ranking are not range-partitioned by value,
    /// largest first: a later partition holds a larger positive value than
    /// an earlier one.
    #[error(
        "partition {partition} holds a larger value than partition {previous} before it: \
         partitions must be range-partitioned by value, largest first"
    )]
    NotRangePartitioned {
        /// The partition out of order.
        partition: u32,
        /// The earlier partition with a smaller value.
        previous: u32,
    },
    /// The statistics of a partitioned ranking are not those of partitions
    /// 0, 1, …, n-1, each once.
    #[error(
        "partition statistics are incomplete: partition {partition} is missing or repeated; \
         every partition 0..{partitions} must report exactly once"
    )]
    IncompletePartitions {
        /// The first partition missing or repeated.
        partition: u32,
        /// Partitions reported.
        partitions: u32,
    },
    /// A partition's values differ from those its statistics were computed
    /// from (the partitioning changed between the two passes).
    #[error(
        "partition {partition} is not the partition the plan was made from: \
         each partition must hold the same customers in both passes"
    )]
    PartitionChanged {
        /// The partition.
        partition: u32,
    },
    /// The positive values of all partitions cannot be summed exactly.
    #[error(
        "the sum of positive values overflows Decimal in partition {partition}: values must sum exactly \
         within Decimal's 28-29 significant digits (rescale the value basis, e.g. to thousands)"
    )]
    PartitionOverflow {
        /// The partition at which the exact sum no longer fits.
        partition: u32,
    },
    /// A tier name that is not one of the four.
    #[error("unknown tier {name:?}: expected most_valuable, major, ordinary or inactive")]
    UnknownTier {
        /// The name given.
        name: String,
    },
}
