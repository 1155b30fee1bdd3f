//! Customer value tiers (分析客户价值，区别对待).
//!
//! Customers differ in how much they matter, and the firm's attitude to each
//! follows from its value. This module ranks customers by their value over a
//! period, largest first, walks the cumulative share of the total and cuts the
//! ranking into four tiers:
//!
//! | tier | Chinese | default rule, by value share | by count share |
//! |---|---|---|---|
//! | [`Tier::MostValuable`] | 最有价值客户 | the top customers bringing the first 20 % of value | the top 5 % of customers |
//! | [`Tier::Major`] | 主要客户 | the next ones up to 50 % cumulative | up to 20 % of customers |
//! | [`Tier::Ordinary`] | 普通客户 | everyone else with positive value | the rest with positive value |
//! | [`Tier::Inactive`] | 无效客户 | value zero or negative | value zero or negative |
//!
//! The value is whatever the caller chooses (revenue, gross margin, any
//! measure): the classifier only sees one [`Decimal`] per customer.
//!
//! # The rule, precisely
//!
//! Customers with equal value form a *tie group*. Walking the groups from the
//! largest value down, a group belongs to the first tier when the cumulative
//! share of the groups *before* it is still below the first cut-off, so the
//! most valuable set is the smallest run of whole tie groups whose share
//! reaches the cut-off: the group that crosses the line is inside. The same
//! holds for the major tier at the second cut-off. Consequences, each of them
//! a property test in this module:
//!
//! - every customer gets exactly one tier, and the tiers' shares sum to 1;
//! - zero or negative value is inactive and takes no share: shares are of the
//!   positive total;
//! - input order does not matter, and a tie group is never split;
//! - a strictly larger value never lands in a lower tier;
//! - scaling every value by the same positive number changes no tier;
//! - adding a customer with zero value changes no other customer's tier;
//! - the first customer always lands in the first tier (it alone may hold
//!   most of the value: a single customer is most valuable).
//!
//! Sums and the cut-off comparisons are exact: values are brought to a common
//! decimal scale and summed as 128-bit integers, and "cumulative share below
//! the cut-off" is decided as `before × 10^k < c × 10^k × total` in 256-bit
//! arithmetic, never by a rounded division. Shares reported in explanations
//! are divisions rounded to `Decimal`'s 28 significant digits.
//!
//! # Worked examples
//!
//! Ties at a cut-off. Values 30, 30, 20, 10, 10 (total 100), default cut-offs
//! 20 % and 50 %. The first tie group {30, 30} starts at 0 %, below 20 %: most
//! valuable, even though it takes the cumulative share to 60 % (a tie group is
//! never split). The group {20} starts at 60 %, past 50 %: ordinary, and so
//! does {10, 10}, starting at 80 %. Nobody is major.
//!
//! ```
//! use crm_core::value::tier::{classify, Tier, TierConfig};
//! use rust_decimal_macros::dec;
//!
//! let c = classify(&[dec!(30), dec!(10), dec!(20), dec!(30), dec!(10)], &TierConfig::by_value())?;
//! let tiers: Vec<Tier> = (0..5).map(|i| c.tier(i).unwrap()).collect();
//! use Tier::*;
//! assert_eq!(tiers, [MostValuable, Ordinary, Ordinary, MostValuable, Ordinary]);
//! let why = c.explain(3).unwrap();
//! assert_eq!(why.rank, Some(1));            // both 30s share rank 1
//! assert_eq!(why.tie_group_size, 2);
//! assert_eq!(why.cumulative_share_before, Some(dec!(0)));
//! assert_eq!(why.cumulative_share_after, Some(dec!(0.6)));
//! assert_eq!(c.explain(2).unwrap().rank, Some(3)); // competition rank: 1, 1, 3
//! # Ok::<(), crm_core::value::tier::TierError>(())
//! ```
//!
//! A single customer holds 100 % and is most valuable. All customers equal form
//! one tie group starting at 0 %: all most valuable.
//!
//! ```
//! use crm_core::value::tier::{classify, Tier, TierConfig};
//! use rust_decimal_macros::dec;
//!
//! let one = classify(&[dec!(12.5)], &TierConfig::by_value())?;
//! assert_eq!(one.tier(0), Some(Tier::MostValuable));
//!
//! let equal = classify(&[dec!(7); 10], &TierConfig::by_value())?;
//! assert!((0..10).all(|i| equal.tier(i) == Some(Tier::MostValuable)));
//! # Ok::<(), crm_core::value::tier::TierError>(())
//! ```
//!
//! Zero and negative values are inactive and take no share; the shares of the
//! others are of the positive total (here 60 + 40 = 100: 60 starts at 0 %, most
//! valuable; 40 starts at 60 %, past 50 %: ordinary).
//!
//! ```
//! use crm_core::value::tier::{classify, Tier, TierConfig};
//! use rust_decimal_macros::dec;
//!
//! let c = classify(&[dec!(60), dec!(0), dec!(-25), dec!(40)], &TierConfig::by_value())?;
//! assert_eq!(c.tier(1), Some(Tier::Inactive));
//! assert_eq!(c.tier(2), Some(Tier::Inactive));
//! assert_eq!(c.tier(3), Some(Tier::Ordinary));
//! assert_eq!(c.total(), dec!(100));
//! assert_eq!(c.explain(3).unwrap().share, Some(dec!(0.4)));
//! assert_eq!(c.explain(2).unwrap().share, None); // inactive: no share
//! # Ok::<(), crm_core::value::tier::TierError>(())
//! ```
//!
//! An empty input is an empty result, not an error.
//!
//! ```
//! use crm_core::value::tier::{classify, TierConfig};
//!
//! let c = classify(&[], &TierConfig::by_value())?;
//! assert!(c.is_empty());
//! assert_eq!(c.summary().iter().map(|s| s.customers).sum::<u64>(), 0);
//! # Ok::<(), crm_core::value::tier::TierError>(())
//! ```
//!
//! By customer count (the Pareto rule, 二八定律): with 20 customers and the
//! default 5 % / 20 %, the first customer is 5 % of the count and most
//! valuable, the next three reach 20 % and are major.
//!
//! ```
//! use crm_core::value::tier::{classify, Tier, TierConfig};
//! use rust_decimal::Decimal;
//!
//! let values: Vec<Decimal> = (1..=20).map(Decimal::from).collect();
//! let c = classify(&values, &TierConfig::by_count())?;
//! assert_eq!(c.tier(19), Some(Tier::MostValuable)); // value 20
//! assert_eq!(c.tier(16), Some(Tier::Major));        // value 17: count before = 3 < 4
//! assert_eq!(c.tier(15), Some(Tier::Ordinary));     // value 16: count before = 4, not < 4
//! # Ok::<(), crm_core::value::tier::TierError>(())
//! ```

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

    fn from_code(code: u8) -> Tier {
        match code {
            3 => Tier::MostValuable,
            2 => Tier::Major,
            1 => Tier::Ordinary,
            _ => Tier::Inactive,
        }
    }

    fn code(self) -> u8 {
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
    /// By share of value, cut-offs 20 % and 50 % (DOMAIN.md section 1).
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
        /// The first row (1-based data row) at which the exact sum no longer
        /// fits.
        row: usize,
    },
    /// More customers than a classification indexes (u32::MAX).
    #[error("too many customers: {count}; at most 4294967295 per classification")]
    TooManyCustomers {
        /// The number given.
        count: usize,
    },
    /// A tier name that is not one of the four.
    #[error("unknown tier {name:?}: expected most_valuable, major, ordinary or inactive")]
    UnknownTier {
        /// The name given.
        name: String,
    },
}

/// Which rule put a customer in its tier: the cut-off that decided it.
///
/// ```
/// use crm_core::value::tier::{classify, Decision, TierConfig};
/// use rust_decimal_macros::dec;
/// let c = classify(&[dec!(1), dec!(-1)], &TierConfig::by_value())?;
/// assert_eq!(c.explain(0).unwrap().decision, Decision::BeforeFirstCutoff { cutoff: dec!(0.20) });
/// assert_eq!(c.explain(1).unwrap().decision, Decision::NonPositiveValue);
/// # Ok::<(), crm_core::value::tier::TierError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Decision {
    /// The tie group started below the first cut-off: most valuable.
    BeforeFirstCutoff {
        /// The first cut-off.
        cutoff: Decimal,
    },
    /// The tie group started at or past the first cut-off and below the
    /// second: major.
    BeforeSecondCutoff {
        /// The second cut-off.
        cutoff: Decimal,
    },
    /// The tie group started at or past the second cut-off: ordinary.
    PastSecondCutoff {
        /// The second cut-off.
        cutoff: Decimal,
    },
    /// Value zero or negative: inactive, no share.
    NonPositiveValue,
}

/// The evidence behind one customer's tier: "why is this customer major?".
///
/// Cumulative shares are those of the customer's whole tie group, measured on
/// the classification's basis (value share, or count share), before and after
/// the group. `share` is always the customer's share of the positive value.
///
/// ```
/// use crm_core::value::tier::{classify, Tier, TierConfig};
/// use rust_decimal_macros::dec;
///
/// let c = classify(&[dec!(40), dec!(30), dec!(20), dec!(10)], &TierConfig::by_value())?;
/// let why = c.explain(1).unwrap();
/// assert_eq!(why.tier, Tier::Major);
/// assert_eq!(why.rank, Some(2));
/// assert_eq!(why.share, Some(dec!(0.3)));
/// // Its group starts at 40 %: past the first cut-off (20 %), below the second (50 %).
/// assert_eq!(why.cumulative_share_before, Some(dec!(0.4)));
/// assert_eq!(why.cumulative_share_after, Some(dec!(0.7)));
/// // A group starting exactly at a cut-off is past it: 20 starts at 70 %.
/// assert_eq!(c.tier(2), Some(Tier::Ordinary));
/// # Ok::<(), crm_core::value::tier::TierError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Explanation {
    /// The customer's position in the input.
    pub index: usize,
    /// The customer's value.
    pub value: Decimal,
    /// The tier given.
    pub tier: Tier,
    /// Competition rank among positive values (1 + customers with strictly
    /// larger value); `None` for inactive customers, who are not ranked.
    pub rank: Option<u64>,
    /// How many customers share this value (1 without a tie). Inactive
    /// customers report 1: they form no group.
    pub tie_group_size: u64,
    /// `value / positive total`; `None` when inactive.
    pub share: Option<Decimal>,
    /// The basis the cumulative shares are measured in.
    pub basis: TierBasis,
    /// Cumulative share of all groups ranked above this customer's group.
    pub cumulative_share_before: Option<Decimal>,
    /// Cumulative share including this customer's whole group.
    pub cumulative_share_after: Option<Decimal>,
    /// The rule that decided.
    pub decision: Decision,
}

/// Per-tier totals of a classification.
///
/// ```
/// use crm_core::value::tier::{classify, Tier, TierConfig};
/// use rust_decimal_macros::dec;
/// let c = classify(&[dec!(3), dec!(1), dec!(0)], &TierConfig::by_value())?;
/// let s = c.summary();
/// assert_eq!(s[0].tier, Tier::MostValuable);
/// assert_eq!(s[0].value_share, dec!(0.75));
/// # Ok::<(), crm_core::value::tier::TierError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct TierSummary {
    /// The tier.
    pub tier: Tier,
    /// Customers in it.
    pub customers: u64,
    /// Their summed value (for inactive: the sum of zero and negative values).
    pub value: Decimal,
    /// Share of the positive total (0 for inactive; all four sum to 1 unless
    /// nobody has positive value, when all are 0).
    pub value_share: Decimal,
    /// Share of all customers, inactive included.
    pub customer_share: Decimal,
}

/// One tie group: customers of equal positive value, adjacent in the ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
struct Group {
    /// The members' value in key units (value × 10^scale).
    key: u128,
    /// Members in the group.
    size: u64,
    /// Customers ranked above the group.
    count_before: u64,
    /// Value of the groups ranked above, in key units (value × 10^scale).
    value_before: u128,
}

/// The result of [`classify`]: a tier for every input position, with the
/// evidence to explain it.
///
/// Stored compactly (the values, one byte per customer, one record per tie
/// group) so that ten million customers classify in about a second;
/// [`Classification::explain`] rebuilds a customer's full evidence on demand.
///
/// ```
/// use crm_core::value::tier::{classify, Tier, TierConfig};
/// use rust_decimal_macros::dec;
/// let c = classify(&[dec!(5), dec!(5)], &TierConfig::by_value())?;
/// assert_eq!(c.len(), 2);
/// assert_eq!(c.tiers().collect::<Vec<_>>(), [Tier::MostValuable, Tier::MostValuable]);
/// # Ok::<(), crm_core::value::tier::TierError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Classification {
    config: TierConfig,
    values: Vec<Decimal>,
    /// Tier code per customer (see `Tier::code`).
    tiers: Vec<u8>,
    groups: Vec<Group>,
    /// Common decimal scale of the keys.
    scale: u32,
    /// Positive total in key units.
    total_key: u128,
    total: Decimal,
    positive_customers: u64,
}

/// Input positions are stored as u32.
const MAX_CUSTOMERS: usize = u32::MAX as usize;

/// Classifies customers by their values for one period.
///
/// `values[i]` is customer `i`'s value; the result answers by the same
/// position. The work is one radix sort of the positive values plus linear
/// passes: no per-customer allocation and no string handling, so the caller's
/// ids stay where they are.
///
/// # Errors
///
/// [`TierError::Overflow`] when the positive values cannot be summed exactly;
/// [`TierError::TooManyCustomers`] beyond `u32::MAX` customers. An empty
/// input is an empty classification.
///
/// ```
/// use crm_core::value::tier::{classify, Tier, TierConfig};
/// use rust_decimal_macros::dec;
/// let c = classify(&[dec!(10.5), dec!(2), dec!(0.25)], &TierConfig::by_value())?;
/// assert_eq!(c.tier(0), Some(Tier::MostValuable));
/// assert_eq!(c.total(), dec!(12.75));
/// # Ok::<(), crm_core::value::tier::TierError>(())
/// ```
pub fn classify(values: &[Decimal], config: &TierConfig) -> Result<Classification, TierError> {
    if values.len() > MAX_CUSTOMERS {
        return Err(TierError::TooManyCustomers {
            count: values.len(),
        });
    }
    let keys = SortKeys::build(values)?;
    let (scale, total_key) = (keys.scale, keys.total);
    let total = key_to_decimal(total_key, scale).ok_or(TierError::Overflow {
        row: keys.total_row,
    })?;
    let mut walk = Walk::new(config, total_key, keys.positive);
    // Only the keys are sorted, not (key, position) pairs: half the bytes to
    // move, and the tiers are then written in one sequential pass by
    // comparing each value with the two boundary keys, instead of scattered
    // writes through a permutation.
    match keys.sorted {
        Sorted::Narrow(mut k) => {
            radsort::sort(&mut k);
            walk.groups_of(
                k.chunk_by(|a, b| a == b)
                    .rev()
                    .map(|g| (u128::from(g[0]), g.len() as u64)),
            );
        }
        Sorted::Wide(mut k) => {
            radsort::sort(&mut k);
            walk.groups_of(
                k.chunk_by(|a, b| a == b)
                    .rev()
                    .map(|g| (g[0], g.len() as u64)),
            );
        }
    }
    let tiers = values
        .iter()
        .map(|v| {
            if is_positive(v) {
                walk.tier_of(key_of(*v, scale).unwrap_or(0)).code()
            } else {
                Tier::Inactive.code()
            }
        })
        .collect();
    Ok(Classification {
        config: *config,
        values: values.to_vec(),
        tiers,
        groups: walk.groups,
        scale,
        total_key,
        total,
        positive_customers: walk.positive,
    })
}

/// The walk down the ranking, one tie group at a time.
struct Walk {
    groups: Vec<Group>,
    basis: TierBasis,
    basis_total: u128,
    first: Fraction,
    second: Fraction,
    positive: u64,
    /// Smallest key inside the most valuable tier, and inside the major tier
    /// (`None` while the tier is empty).
    most_valuable_from: Option<u128>,
    major_from: Option<u128>,
}

impl Walk {
    fn new(config: &TierConfig, total_key: u128, positive: u64) -> Walk {
        Walk {
            groups: Vec::new(),
            basis: config.basis,
            basis_total: match config.basis {
                TierBasis::Value => total_key,
                TierBasis::Count => u128::from(positive),
            },
            first: Fraction::of(config.cutoffs.first),
            second: Fraction::of(config.cutoffs.second),
            positive,
            most_valuable_from: None,
            major_from: None,
        }
    }

    /// `groups` yields (key, size) of each tie group, largest key first.
    fn groups_of(&mut self, groups: impl Iterator<Item = (u128, u64)>) {
        let (mut count_before, mut value_before) = (0_u64, 0_u128);
        for (key, size) in groups {
            let before = match self.basis {
                TierBasis::Value => value_before,
                TierBasis::Count => u128::from(count_before),
            };
            // A group is inside a tier while the share *before* it is below
            // the cut-off: the group that crosses the line is inside.
            if self.first.exceeds(before, self.basis_total) {
                self.most_valuable_from = Some(key);
            } else if self.second.exceeds(before, self.basis_total) {
                self.major_from = Some(key);
            }
            self.groups.push(Group {
                key,
                size,
                count_before,
                value_before,
            });
            count_before += size;
            // Cannot overflow: the keys' sum was checked when it was built.
            value_before += key * u128::from(size);
        }
    }

    /// The tier of a positive key, from the boundaries the walk found.
    fn tier_of(&self, key: u128) -> Tier {
        if self.most_valuable_from.is_some_and(|k| key >= k) {
            Tier::MostValuable
        } else if self.major_from.is_some_and(|k| key >= k) {
            Tier::Major
        } else {
            Tier::Ordinary
        }
    }
}

impl Classification {
    /// Customers classified.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, TierConfig};
    /// # use rust_decimal_macros::dec;
    /// assert_eq!(classify(&[dec!(1)], &TierConfig::default())?.len(), 1);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.tiers.len()
    }

    /// True when no customer was classified.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, TierConfig};
    /// assert!(classify(&[], &TierConfig::default())?.is_empty());
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.tiers.is_empty()
    }

    /// The configuration used.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, TierConfig};
    /// assert_eq!(classify(&[], &TierConfig::by_count())?.config(), &TierConfig::by_count());
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn config(&self) -> &TierConfig {
        &self.config
    }

    /// The tier of the customer at input position `index`, `None` past the end.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, Tier, TierConfig};
    /// # use rust_decimal_macros::dec;
    /// let c = classify(&[dec!(1)], &TierConfig::default())?;
    /// assert_eq!(c.tier(0), Some(Tier::MostValuable));
    /// assert_eq!(c.tier(1), None);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn tier(&self, index: usize) -> Option<Tier> {
        self.tiers.get(index).map(|&c| Tier::from_code(c))
    }

    /// Every customer's tier, in input order.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, Tier, TierConfig};
    /// # use rust_decimal_macros::dec;
    /// let c = classify(&[dec!(0), dec!(1)], &TierConfig::default())?;
    /// assert_eq!(c.tiers().collect::<Vec<_>>(), [Tier::Inactive, Tier::MostValuable]);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn tiers(&self) -> impl ExactSizeIterator<Item = Tier> + '_ {
        self.tiers.iter().map(|&c| Tier::from_code(c))
    }

    /// The customer's value, as given.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, TierConfig};
    /// # use rust_decimal_macros::dec;
    /// assert_eq!(classify(&[dec!(4.20)], &TierConfig::default())?.value(0), Some(dec!(4.20)));
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn value(&self, index: usize) -> Option<Decimal> {
        self.values.get(index).copied()
    }

    /// Sum of the positive values: the denominator of every share.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, TierConfig};
    /// # use rust_decimal_macros::dec;
    /// assert_eq!(classify(&[dec!(2), dec!(-9), dec!(3)], &TierConfig::default())?.total(), dec!(5));
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn total(&self) -> Decimal {
        self.total
    }

    /// Customers with positive value.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, TierConfig};
    /// # use rust_decimal_macros::dec;
    /// assert_eq!(classify(&[dec!(2), dec!(0)], &TierConfig::default())?.positive_customers(), 1);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn positive_customers(&self) -> u64 {
        self.positive_customers
    }

    /// Competition rank of the customer (1 + customers with strictly larger
    /// value), `None` for inactive customers or past the end.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, TierConfig};
    /// # use rust_decimal_macros::dec;
    /// let c = classify(&[dec!(2), dec!(9), dec!(9)], &TierConfig::default())?;
    /// assert_eq!([c.rank(0), c.rank(1), c.rank(2)], [Some(3), Some(1), Some(1)]);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn rank(&self, index: usize) -> Option<u64> {
        self.group(index).map(|g| g.count_before + 1)
    }

    /// The tie group of a customer: a binary search of the groups (ranked
    /// by value, descending) for its key, so no per-customer index is kept.
    fn group(&self, index: usize) -> Option<&Group> {
        if *self.tiers.get(index)? == Tier::Inactive.code() {
            return None;
        }
        let key = key_of(self.values[index], self.scale)?;
        let at = self.groups.partition_point(|g| g.key > key);
        self.groups.get(at).filter(|g| g.key == key)
    }

    /// The full evidence behind the tier of the customer at `index`.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, Decision, TierConfig};
    /// # use rust_decimal_macros::dec;
    /// let c = classify(&[dec!(1), dec!(3)], &TierConfig::default())?;
    /// let why = c.explain(0).unwrap();
    /// assert_eq!(why.cumulative_share_before, Some(dec!(0.75)));
    /// assert_eq!(why.decision, Decision::PastSecondCutoff { cutoff: dec!(0.5) });
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn explain(&self, index: usize) -> Option<Explanation> {
        let value = *self.values.get(index)?;
        let tier = self.tier(index)?;
        let cut = self.config.cutoffs;
        let decision = match tier {
            Tier::MostValuable => Decision::BeforeFirstCutoff { cutoff: cut.first },
            Tier::Major => Decision::BeforeSecondCutoff { cutoff: cut.second },
            Tier::Ordinary => Decision::PastSecondCutoff { cutoff: cut.second },
            Tier::Inactive => Decision::NonPositiveValue,
        };
        let mut why = Explanation {
            index,
            value,
            tier,
            rank: None,
            tie_group_size: 1,
            share: None,
            basis: self.config.basis,
            cumulative_share_before: None,
            cumulative_share_after: None,
            decision,
        };
        if let Some(g) = self.group(index) {
            why.rank = Some(g.count_before + 1);
            why.tie_group_size = g.size;
            why.share = ratio(value, self.total);
            let (before, after) = match self.config.basis {
                TierBasis::Value => (
                    Some(g.value_before),
                    Some(g.value_before + g.key * u128::from(g.size)),
                ),
                TierBasis::Count => (
                    Some(u128::from(g.count_before)),
                    Some(u128::from(g.count_before + g.size)),
                ),
            };
            let total = match self.config.basis {
                TierBasis::Value => self.total_key,
                TierBasis::Count => u128::from(self.positive_customers),
            };
            why.cumulative_share_before = before.and_then(|b| ratio_u128(b, total));
            why.cumulative_share_after = after.and_then(|a| ratio_u128(a, total));
        }
        Some(why)
    }

    /// Per-tier counts, values and shares, highest tier first.
    ///
    /// The value shares of the four tiers sum to exactly 1 whenever some
    /// customer has positive value: the last positive tier takes the
    /// remainder of the rounded divisions, so reports always add up.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, TierConfig};
    /// # use rust_decimal_macros::dec;
    /// let c = classify(&[dec!(1), dec!(1), dec!(1)], &TierConfig::default())?;
    /// let total: rust_decimal::Decimal = c.summary().iter().map(|s| s.value_share).sum();
    /// assert_eq!(total, dec!(1));
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn summary(&self) -> Vec<TierSummary> {
        let mut counts = [0_u64; 4];
        let mut keys = [0_u128; 4];
        let mut inactive_value = Decimal::ZERO;
        for (i, &code) in self.tiers.iter().enumerate() {
            counts[code as usize] += 1;
            if code != Tier::Inactive.code() {
                keys[code as usize] += key_of(self.values[i], self.scale).unwrap_or(0);
            } else {
                inactive_value = inactive_value.saturating_add(self.values[i]);
            }
        }
        let n = self.tiers.len() as u128;
        let mut out: Vec<TierSummary> = Tier::ALL
            .iter()
            .map(|&tier| {
                let c = tier.code() as usize;
                TierSummary {
                    tier,
                    customers: counts[c],
                    value: if tier == Tier::Inactive {
                        inactive_value
                    } else {
                        key_to_decimal(keys[c], self.scale).unwrap_or(Decimal::ZERO)
                    },
                    value_share: if tier == Tier::Inactive {
                        Decimal::ZERO
                    } else {
                        ratio_u128(keys[c], self.total_key).unwrap_or(Decimal::ZERO)
                    },
                    customer_share: ratio_u128(u128::from(counts[c]), n).unwrap_or(Decimal::ZERO),
                }
            })
            .collect();
        balance_to_one(&mut out, |s| &mut s.value_share, self.total_key > 0);
        balance_to_one(&mut out, |s| &mut s.customer_share, n > 0);
        out
    }
}

/// Makes rounded shares add to exactly one by giving the remainder to the
/// last non-zero share (rounding errors are below 1e-27).
fn balance_to_one(
    rows: &mut [TierSummary],
    field: impl Fn(&mut TierSummary) -> &mut Decimal,
    any: bool,
) {
    if !any {
        return;
    }
    let sum: Decimal = rows.iter_mut().map(|r| *field(r)).sum();
    if let Some(last) = rows.iter_mut().rev().find_map(|r| {
        let f = field(r);
        (!f.is_zero()).then_some(f)
    }) {
        *last += Decimal::ONE - sum;
    }
}

/// A cut-off as an exact fraction `numerator / 10^scale`.
#[derive(Debug, Clone, Copy)]
struct Fraction {
    numerator: u128,
    denominator: u128,
}

impl Fraction {
    fn of(cutoff: Decimal) -> Fraction {
        // Valid cut-offs are in (0, 1]: the mantissa is positive and the
        // scale at most 28, so both fit u128.
        Fraction {
            numerator: cutoff.mantissa().unsigned_abs(),
            denominator: 10_u128.pow(cutoff.scale()),
        }
    }

    /// Is `before / total` strictly below this fraction? Exact, in 256 bits.
    fn exceeds(&self, before: u128, total: u128) -> bool {
        wide_mul(before, self.denominator) < wide_mul(self.numerator, total)
    }
}

/// Full 256-bit product of two u128, as (high, low) words: compared
/// lexicographically it orders the products exactly.
fn wide_mul(a: u128, b: u128) -> (u128, u128) {
    const MASK: u128 = u64::MAX as u128;
    let (a_hi, a_lo) = (a >> 64, a & MASK);
    let (b_hi, b_lo) = (b >> 64, b & MASK);
    let lo_lo = a_lo * b_lo;
    let hi_lo = a_hi * b_lo;
    let lo_hi = a_lo * b_hi;
    let hi_hi = a_hi * b_hi;
    let cross = (lo_lo >> 64) + (hi_lo & MASK) + (lo_hi & MASK);
    let low = (cross << 64) | (lo_lo & MASK);
    let high = hi_hi + (hi_lo >> 64) + (lo_hi >> 64) + (cross >> 64);
    (high, low)
}

const POW10: [u128; 29] = {
    let mut t = [1_u128; 29];
    let mut i = 1;
    while i < 29 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// A positive value's sort key at the common `scale`: `value × 10^scale`.
fn key_of(value: Decimal, scale: u32) -> Option<u128> {
    let value = value.normalize_scale_at_most(scale);
    let shift = scale.checked_sub(value.scale())?;
    value
        .mantissa()
        .unsigned_abs()
        .checked_mul(*POW10.get(shift as usize)?)
}

fn key_to_decimal(key: u128, scale: u32) -> Option<Decimal> {
    let mut key = key;
    let mut scale = scale;
    // Drop trailing zeros until the mantissa fits Decimal's 96 bits.
    while key >> 96 != 0 && scale > 0 && key.is_multiple_of(10) {
        key /= 10;
        scale -= 1;
    }
    Decimal::try_from_i128_with_scale(i128::try_from(key).ok()?, scale).ok()
}

fn ratio(part: Decimal, total: Decimal) -> Option<Decimal> {
    part.checked_div(total)
}

fn ratio_u128(part: u128, total: u128) -> Option<Decimal> {
    if total == 0 {
        return None;
    }
    if part == total {
        return Some(Decimal::ONE);
    }
    // Reduce both until they fit Decimal, keeping the ratio up to rounding
    // far below the 28th digit.
    let (mut p, mut t) = (part, total);
    while t >> 95 != 0 {
        p >>= 1;
        t >>= 1;
    }
    let p = Decimal::from_i128_with_scale(i128::try_from(p).ok()?, 0);
    let t = Decimal::from_i128_with_scale(i128::try_from(t).ok()?, 0);
    p.checked_div(t).map(|d| d.normalize())
}

/// The keys of the positive values, in the narrowest width that holds them.
enum Sorted {
    Narrow(Vec<u64>),
    Wide(Vec<u128>),
}

/// Positive values as exact integer keys at one common scale, ready to sort.
struct SortKeys {
    sorted: Sorted,
    scale: u32,
    total: u128,
    positive: u64,
    /// Where an overflow of the total's conversion would be reported.
    total_row: usize,
}

impl SortKeys {
    fn build(values: &[Decimal]) -> Result<SortKeys, TierError> {
        let max_scale = |normalized: bool| {
            values
                .iter()
                .filter(|v| is_positive(v))
                .map(|v| {
                    if normalized {
                        v.normalize().scale()
                    } else {
                        v.scale()
                    }
                })
                .max()
                .unwrap_or(0)
        };
        let scale = max_scale(false);
        if let Some(keys) = Self::narrow(values, scale) {
            return Ok(keys);
        }
        match Self::wide(values, scale) {
            Ok(keys) => Ok(keys),
            // Trailing zeros may inflate the common scale (1.000000 next to
            // 1e20): retry with each value's smallest exact scale.
            Err(_) => Self::wide(values, max_scale(true)),
        }
    }

    /// One pass straight into 64-bit keys; `None` as soon as a key does not
    /// fit, and the wide path takes over.
    fn narrow(values: &[Decimal], scale: u32) -> Option<SortKeys> {
        let mut keys: Vec<u64> = Vec::with_capacity(values.len());
        let mut total: u128 = 0;
        for v in values.iter().filter(|v| is_positive(v)) {
            let key = u64::try_from(key_of(*v, scale)?).ok()?;
            total += u128::from(key); // at most 2^32 keys of 2^64: fits
            keys.push(key);
        }
        let positive = keys.len() as u64;
        Some(SortKeys {
            sorted: Sorted::Narrow(keys),
            scale,
            total,
            positive,
            total_row: values.len(),
        })
    }

    fn wide(values: &[Decimal], scale: u32) -> Result<SortKeys, TierError> {
        let mut keys = Vec::with_capacity(values.len());
        let mut total: u128 = 0;
        for (i, v) in values.iter().enumerate() {
            if !is_positive(v) {
                continue;
            }
            let key = key_of(*v, scale).ok_or(TierError::Overflow { row: i + 1 })?;
            total = total
                .checked_add(key)
                .ok_or(TierError::Overflow { row: i + 1 })?;
            keys.push(key);
        }
        let positive = keys.len() as u64;
        Ok(SortKeys {
            sorted: Sorted::Wide(keys),
            scale,
            total,
            positive,
            total_row: values.len(),
        })
    }
}

fn is_positive(v: &Decimal) -> bool {
    v.is_sign_positive() && !v.is_zero()
}

trait ScaleAtMost {
    fn normalize_scale_at_most(self, scale: u32) -> Decimal;
}

impl ScaleAtMost for Decimal {
    /// A value whose own scale exceeds the common scale carries only trailing
    /// zeros beyond it (the common scale came from normalised values).
    fn normalize_scale_at_most(self, scale: u32) -> Decimal {
        if self.scale() > scale {
            self.normalize()
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    /// Values with ties, zeros, negatives and mixed scales.
    fn values() -> impl Strategy<Value = Vec<Decimal>> {
        let one = prop_oneof![
            4 => (1_i64..40, 0_u32..3).prop_map(|(m, s)| Decimal::new(m * 10_i64.pow(s), s)), // ties across scales
            4 => (1_i64..1_000_000_000, 0_u32..6).prop_map(|(m, s)| Decimal::new(m, s)),
            1 => Just(Decimal::ZERO),
            1 => (1_i64..1000).prop_map(|m| Decimal::new(-m, 1)),
        ];
        prop::collection::vec(one, 0..60)
    }

    fn config() -> impl Strategy<Value = TierConfig> {
        (prop::bool::ANY, 1_i64..99, 1_i64..=100).prop_filter_map(
            "first < second",
            |(count, a, b)| {
                let cutoffs = Cutoffs::new(Decimal::new(a, 2), Decimal::new(b, 2)).ok()?;
                Some(TierConfig {
                    basis: if count {
                        TierBasis::Count
                    } else {
                        TierBasis::Value
                    },
                    cutoffs,
                })
            },
        )
    }

    fn tiers_of(values: &[Decimal], config: &TierConfig) -> Vec<Tier> {
        classify(values, config).unwrap().tiers().collect()
    }

    /// Independent oracle: plain Decimal sums, the "smallest run of whole tie
    /// groups whose share reaches the cut-off" read literally.
    fn oracle(values: &[Decimal], config: &TierConfig) -> Vec<Tier> {
        let mut positive: Vec<Decimal> = values
            .iter()
            .copied()
            .filter(|v| *v > Decimal::ZERO)
            .collect();
        positive.sort_by(|a, b| b.cmp(a));
        let measure = |v: Decimal| {
            if config.basis == TierBasis::Value {
                v
            } else {
                Decimal::ONE
            }
        };
        let total: Decimal = positive.iter().map(|v| measure(*v)).sum();
        // The values at which each tier ends: walk groups until the run's
        // cumulative measure reaches cutoff × total.
        let mut ends = Vec::new();
        for cutoff in [config.cutoffs.first(), config.cutoffs.second()] {
            let target = cutoff * total;
            let mut cum = Decimal::ZERO;
            let mut end = None;
            let mut i = 0;
            while i < positive.len() {
                let v = positive[i];
                let n = positive[i..].iter().take_while(|w| **w == v).count();
                cum += measure(v) * Decimal::from(n);
                if cum >= target {
                    end = Some(v);
                    break;
                }
                i += n;
            }
            ends.push(end);
        }
        values
            .iter()
            .map(|v| {
                if *v <= Decimal::ZERO {
                    Tier::Inactive
                } else if ends[0].is_some_and(|e| *v >= e) {
                    Tier::MostValuable
                } else if ends[1].is_some_and(|e| *v >= e) {
                    Tier::Major
                } else {
                    Tier::Ordinary
                }
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// DOMAIN.md: every customer gets exactly one value tier; the shares of all tiers sum to 1.
        #[test]
        fn every_customer_gets_exactly_one_tier_and_shares_sum_to_one(v in values(), c in config()) {
            let cl = classify(&v, &c).unwrap();
            prop_assert_eq!(cl.len(), v.len());
            let s = cl.summary();
            prop_assert_eq!(s.iter().map(|t| t.customers).sum::<u64>(), v.len() as u64);
            let share: Decimal = s.iter().map(|t| t.value_share).sum();
            if v.iter().any(|x| *x > Decimal::ZERO) {
                prop_assert_eq!(share, Decimal::ONE);
            } else {
                prop_assert_eq!(share, Decimal::ZERO);
            }
        }

        /// DOMAIN.md: customers whose value is zero or negative are inactive and take no share; shares are of the positive total.
        #[test]
        fn non_positive_value_is_inactive_and_takes_no_share(v in values(), c in config()) {
            let cl = classify(&v, &c).unwrap();
            let positive_total: Decimal = v.iter().filter(|x| **x > Decimal::ZERO).sum();
            prop_assert_eq!(cl.total(), positive_total);
            for (i, x) in v.iter().enumerate() {
                let why = cl.explain(i).unwrap();
                prop_assert_eq!(*x <= Decimal::ZERO, why.tier == Tier::Inactive);
                if *x <= Decimal::ZERO {
                    prop_assert_eq!(why.share, None);
                } else {
                    prop_assert_eq!(why.share, Some(*x / positive_total));
                }
            }
            prop_assert_eq!(cl.summary()[3].value_share, Decimal::ZERO);
        }

        /// DOMAIN.md: input order does not matter.
        #[test]
        fn input_order_does_not_matter(v in values(), c in config(), seed in any::<u64>()) {
            let mut perm: Vec<usize> = (0..v.len()).collect();
            // Fisher-Yates with a tiny LCG: deterministic from the seed.
            let mut s = seed;
            for i in (1..perm.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                perm.swap(i, (s >> 33) as usize % (i + 1));
            }
            let shuffled: Vec<Decimal> = perm.iter().map(|&i| v[i]).collect();
            let a = classify(&v, &c).unwrap();
            let b = classify(&shuffled, &c).unwrap();
            for (j, &i) in perm.iter().enumerate() {
                prop_assert_eq!(a.tier(i), b.tier(j));
                prop_assert_eq!(a.rank(i), b.rank(j));
                let (mut x, mut y) = (a.explain(i).unwrap(), b.explain(j).unwrap());
                x.index = 0;
                y.index = 0;
                prop_assert_eq!(x, y);
            }
            prop_assert_eq!(a.summary(), b.summary());
        }

        /// DOMAIN.md: customers with equal value always land in the same tier (a tie group is never split across a cut-off).
        #[test]
        fn tie_group_is_never_split(v in values(), c in config()) {
            let t = tiers_of(&v, &c);
            for i in 0..v.len() {
                for j in 0..v.len() {
                    if v[i] == v[j] {
                        prop_assert_eq!(t[i], t[j]);
                    }
                }
            }
        }

        /// DOMAIN.md: a customer with strictly larger value never lands in a lower tier.
        #[test]
        fn larger_value_never_lands_in_lower_tier(v in values(), c in config()) {
            let t = tiers_of(&v, &c);
            for i in 0..v.len() {
                for j in 0..v.len() {
                    if v[i] > v[j] {
                        prop_assert!(t[i] >= t[j]);
                    }
                }
            }
        }

        /// DOMAIN.md: multiplying every value by the same positive number changes no tier.
        #[test]
        fn scaling_by_a_positive_number_changes_no_tier(v in values(), c in config(), k in (1_i64..10_000, 0_u32..4)) {
            let k = Decimal::new(k.0, k.1);
            let scaled: Vec<Decimal> = v.iter().map(|x| *x * k).collect();
            prop_assert_eq!(tiers_of(&v, &c), tiers_of(&scaled, &c));
        }

        /// DOMAIN.md: adding a customer with zero value changes no other customer's tier.
        #[test]
        fn adding_a_zero_value_customer_changes_no_other_tier(v in values(), c in config(), at in any::<prop::sample::Index>()) {
            let pos = at.index(v.len() + 1);
            let mut more = v.clone();
            more.insert(pos, Decimal::ZERO);
            let mut t = tiers_of(&more, &c);
            prop_assert_eq!(t.remove(pos), Tier::Inactive);
            prop_assert_eq!(t, tiers_of(&v, &c));
        }

        /// DOMAIN.md: the most-valuable set is the smallest run of whole tie groups from the top whose share reaches the cut-off; the same for major.
        #[test]
        fn tiers_are_the_smallest_runs_of_whole_groups_reaching_each_cutoff(v in values(), c in config()) {
            prop_assert_eq!(tiers_of(&v, &c), oracle(&v, &c));
        }
    }

    #[test]
    fn cutoff_exactly_reached_keeps_the_next_group_out() {
        // 20 of 100 reaches 20 % exactly: the next group starts at 20 %, not below it.
        let c = classify(&[dec!(20), dec!(15), dec!(65)], &TierConfig::by_value()).unwrap();
        assert_eq!(c.tier(2), Some(Tier::MostValuable));
        assert_eq!(c.tier(0), Some(Tier::Ordinary)); // starts at 65 %
        let c = classify(&[dec!(20), dec!(80)], &TierConfig::by_value()).unwrap();
        assert_eq!(c.tier(0), Some(Tier::Ordinary)); // starts at 80 %
    }

    #[test]
    fn second_cutoff_of_one_leaves_no_ordinary() {
        let cfg = TierConfig {
            basis: TierBasis::Value,
            cutoffs: Cutoffs::new(dec!(0.2), dec!(1)).unwrap(),
        };
        let c = classify(&[dec!(50), dec!(30), dec!(20)], &cfg).unwrap();
        assert_eq!(
            c.tiers().collect::<Vec<_>>(),
            [Tier::MostValuable, Tier::Major, Tier::Major]
        );
    }

    #[test]
    fn mixed_scales_and_huge_values_sum_exactly() {
        let big = Decimal::from_i128_with_scale(10_i128.pow(20), 0);
        let tiny = Decimal::new(1, 6);
        let c = classify(&[big, tiny, dec!(1.50)], &TierConfig::by_value()).unwrap();
        assert_eq!(c.total(), dec!(100000000000000000001.500001));
        assert_eq!(c.tier(0), Some(Tier::MostValuable));
        assert_eq!(c.tier(1), Some(Tier::Ordinary));
        assert!(c.rank(1) > c.rank(2));
    }

    #[test]
    fn trailing_zero_scales_do_not_overflow() {
        let big = Decimal::MAX / dec!(4);
        let padded = Decimal::new(10_000_000_000, 10); // 1.0000000000
        let c = classify(&[big, padded], &TierConfig::by_value()).unwrap();
        assert_eq!(c.tier(1), Some(Tier::Ordinary));
    }

    #[test]
    fn a_sum_decimal_cannot_hold_exactly_is_an_error() {
        // 1e26 + 0.000001 needs 33 significant digits: no exact Decimal.
        let big = Decimal::from_i128_with_scale(10_i128.pow(26), 0);
        let e = classify(&[big, Decimal::new(1, 6)], &TierConfig::by_value()).unwrap_err();
        assert!(matches!(e, TierError::Overflow { .. }), "{e:?}");
    }

    #[test]
    fn overflowing_sum_is_an_error_not_a_panic() {
        let e = classify(
            &[Decimal::MAX, Decimal::MAX, dec!(1)],
            &TierConfig::by_value(),
        )
        .unwrap_err();
        assert!(matches!(e, TierError::Overflow { .. }), "{e:?}");
        let e = classify(
            &[Decimal::MAX, Decimal::new(1, 28)],
            &TierConfig::by_value(),
        )
        .unwrap_err();
        assert!(matches!(e, TierError::Overflow { row: 0 | 1 }), "{e:?}");
    }

    #[test]
    fn wide_mul_matches_schoolbook_on_edges() {
        let m = u128::MAX;
        // (2^128 - 1)^2 = 2^256 - 2^129 + 1
        assert_eq!(wide_mul(m, m), (m - 1, 1));
        assert_eq!(wide_mul(m, 2), (1, m - 1));
        assert_eq!(wide_mul(1 << 64, 1 << 64), (1, 0));
        assert_eq!(wide_mul(12345, 678), (0, 12345 * 678));
    }

    #[test]
    fn classification_round_trips_through_json() {
        let c = classify(&[dec!(3), dec!(1.5), dec!(-2)], &TierConfig::by_count()).unwrap();
        let json = serde_json::to_string(&c).unwrap();
        let back: Classification = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
        let bad = r#"{"basis":"value","cutoffs":{"first":"0.6","second":"0.5"}}"#;
        assert!(
            serde_json::from_str::<TierConfig>(bad)
                .unwrap_err()
                .to_string()
                .contains("0 < first < second <= 1")
        );
    }
}
