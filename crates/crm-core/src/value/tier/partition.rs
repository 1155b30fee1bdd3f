//! The tier walk over a partitioned ranking: the same classification as
//! [`classify`](super::classify), computed where the customers are (Spark
//! tasks, shards), with only one small record per partition travelling.
//!
//! Three steps:
//!
//! 1. every partition computes its [`PartitionStats`] from its own values
//!    ([`PartitionStats::of`]): customers, positive customers, the exact
//!    sum of its positive values, and its largest and smallest value with
//!    how many customers hold each (the tie groups that may continue in the
//!    neighbouring partitions);
//! 2. one place gathers all the statistics and makes the [`PartitionPlan`]
//!    ([`PartitionPlan::new`]): the positive total, the common decimal
//!    scale, and for each partition the customers and value ranked before
//!    it and the members of its end tie groups that lie in other partitions;
//! 3. every partition classifies its customers with the plan
//!    ([`PartitionPlan::classify`]) and gets exactly the [`Classification`]
//!    that `classify` of the whole input gives for those customers: tiers,
//!    ranks, shares, cumulative shares, tie-group sizes and decisions
//!    (a tie group split across partitions is one group, decided once: its
//!    members in every partition see the same figures before it).
//!
//! **Precondition**: the partitions are range-partitioned by value, largest
//! first: every positive value of partition `p` is at least every positive
//! value of partition `p + 1` (Spark: `repartitionByRange(n, col.desc())`).
//! Zero and negative values may sit in any partition. Empty partitions are
//! fine. A violation is [`TierError::NotRangePartitioned`], never a wrong
//! answer; partitions reported twice or not at all are
//! [`TierError::IncompletePartitions`]; a partition whose values differ
//! from its statistics is [`TierError::PartitionChanged`].
//!
//! Statistics and plan are serde types: they cross process boundaries.
//!
//! ```
//! use crm_core::value::tier::{classify, PartitionPlan, PartitionStats, TierConfig};
//! use rust_decimal_macros::dec;
//!
//! let parts = [vec![dec!(50), dec!(30)], vec![dec!(30), dec!(0)], vec![], vec![dec!(10)]];
//! let stats: Vec<PartitionStats> = parts
//!     .iter()
//!     .enumerate()
//!     .map(|(p, v)| PartitionStats::of(p as u32, v))
//!     .collect::<Result<_, _>>()?;
//! let json = serde_json::to_string(&stats).unwrap(); // what travels to the driver
//! let stats: Vec<PartitionStats> = serde_json::from_str(&json).unwrap();
//! let plan = PartitionPlan::new(&TierConfig::by_value(), &stats)?;
//!
//! let whole = classify(&[dec!(50), dec!(30), dec!(30), dec!(0), dec!(10)], &TierConfig::by_value())?;
//! let second = plan.classify(1, &parts[1])?;
//! assert_eq!(second.explain(0).unwrap().tie_group_size, 2); // the 30s span partitions 0 and 1
//! assert_eq!(second.tier(0), whole.tier(2));
//! assert_eq!(second.rank(0), Some(2));
//! # Ok::<(), crm_core::value::tier::TierError>(())
//! ```

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::classification::{Classification, Offsets, Whole, check_len, classify_keys};
use super::config::{TierConfig, TierError};
use super::exact::{POW10, SortKeys, is_positive, key_of, key_to_decimal};

/// What one partition tells the plan: computed from its own values alone.
///
/// ```
/// use crm_core::value::tier::PartitionStats;
/// use rust_decimal_macros::dec;
/// let s = PartitionStats::of(3, &[dec!(2), dec!(-1), dec!(2), dec!(0.5)])?;
/// assert_eq!((s.partition(), s.customers(), s.positive()), (3, 4, 3));
/// assert_eq!(s.largest(), Some((dec!(2), 2)));
/// assert_eq!(s.smallest(), Some((dec!(0.5), 1)));
/// # Ok::<(), crm_core::value::tier::TierError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct PartitionStats {
    partition: u32,
    customers: u64,
    positive: u64,
    /// Largest decimal scale of the positive values, as given.
    scale: u32,
    /// Largest scale of the positive values without trailing zeros.
    normalized_scale: u32,
    /// Exact sum of the positive values × 10^scale, as decimal text
    /// (`None`: beyond 128 bits).
    sum: Option<String>,
    /// The same at `normalized_scale`.
    normalized_sum: Option<String>,
    largest: Option<Decimal>,
    largest_count: u64,
    smallest: Option<Decimal>,
    smallest_count: u64,
}

/// Exact sum of the positive keys at `scale`, `None` beyond 128 bits.
fn key_sum(values: &[Decimal], scale: u32) -> Option<u128> {
    values
        .iter()
        .filter(|v| is_positive(v))
        .try_fold(0_u128, |sum, v| sum.checked_add(key_of(*v, scale)?))
}

fn parse_sum(sum: &Option<String>) -> Option<u128> {
    sum.as_deref().and_then(|s| s.parse().ok())
}

impl PartitionStats {
    /// The statistics of partition `partition`, whose customers' values are
    /// `values` (any order).
    ///
    /// # Errors
    ///
    /// [`TierError::TooManyCustomers`] beyond `u32::MAX` customers.
    ///
    /// ```
    /// use crm_core::value::tier::PartitionStats;
    /// let s = PartitionStats::of(0, &[])?;
    /// assert_eq!(s.largest(), None);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn of(partition: u32, values: &[Decimal]) -> Result<PartitionStats, TierError> {
        check_len(values)?;
        let positive = values.iter().filter(|v| is_positive(v));
        let scale = positive.clone().map(|v| v.scale()).max().unwrap_or(0);
        let normalized_scale = positive
            .clone()
            .map(|v| v.normalize().scale())
            .max()
            .unwrap_or(0);
        let largest = positive.clone().max().copied();
        let smallest = positive.clone().min().copied();
        let count = |x: Option<Decimal>| {
            x.map_or(0, |x| positive.clone().filter(|v| **v == x).count() as u64)
        };
        Ok(PartitionStats {
            partition,
            customers: values.len() as u64,
            positive: positive.clone().count() as u64,
            scale,
            normalized_scale,
            sum: key_sum(values, scale).map(|s| s.to_string()),
            normalized_sum: key_sum(values, normalized_scale).map(|s| s.to_string()),
            largest,
            largest_count: count(largest),
            smallest,
            smallest_count: count(smallest),
        })
    }

    /// The partition's number.
    ///
    /// ```
    /// # use crm_core::value::tier::PartitionStats;
    /// assert_eq!(PartitionStats::of(7, &[])?.partition(), 7);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn partition(&self) -> u32 {
        self.partition
    }

    /// Customers in the partition, inactive included.
    ///
    /// ```
    /// # use crm_core::value::tier::PartitionStats;
    /// # use rust_decimal_macros::dec;
    /// assert_eq!(PartitionStats::of(0, &[dec!(0)])?.customers(), 1);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn customers(&self) -> u64 {
        self.customers
    }

    /// Customers with positive value.
    ///
    /// ```
    /// # use crm_core::value::tier::PartitionStats;
    /// # use rust_decimal_macros::dec;
    /// assert_eq!(PartitionStats::of(0, &[dec!(0)])?.positive(), 0);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn positive(&self) -> u64 {
        self.positive
    }

    /// The largest positive value and how many customers hold it.
    ///
    /// ```
    /// # use crm_core::value::tier::PartitionStats;
    /// # use rust_decimal_macros::dec;
    /// assert_eq!(PartitionStats::of(0, &[dec!(4), dec!(4.0)])?.largest(), Some((dec!(4), 2)));
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn largest(&self) -> Option<(Decimal, u64)> {
        self.largest.map(|v| (v, self.largest_count))
    }

    /// The smallest positive value and how many customers hold it.
    ///
    /// ```
    /// # use crm_core::value::tier::PartitionStats;
    /// # use rust_decimal_macros::dec;
    /// assert_eq!(PartitionStats::of(0, &[dec!(4), dec!(1)])?.smallest(), Some((dec!(1), 1)));
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn smallest(&self) -> Option<(Decimal, u64)> {
        self.smallest.map(|v| (v, self.smallest_count))
    }

    /// Members of value `v` in this partition.
    fn count_of(&self, v: Decimal) -> u64 {
        if self.largest == Some(v) {
            self.largest_count
        } else if self.smallest == Some(v) {
            self.smallest_count
        } else {
            0
        }
    }
}

/// Where one partition sits in the whole ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
struct Placement {
    stats: PartitionStats,
    /// Positive customers in earlier partitions.
    count_before: u64,
    /// Their value × 10^scale, as decimal text.
    value_before: String,
    /// Members of this partition's largest value in earlier partitions.
    tied_before: u64,
    /// Members of this partition's smallest value in later partitions.
    tied_after: u64,
}

/// What every partition needs to classify its customers: made once from all
/// partitions' statistics.
///
/// ```
/// use crm_core::value::tier::{PartitionPlan, PartitionStats, Tier, TierConfig};
/// use rust_decimal_macros::dec;
/// let a = [dec!(9)];
/// let b = [dec!(1), dec!(-4)];
/// let stats = [PartitionStats::of(1, &b)?, PartitionStats::of(0, &a)?]; // any order
/// let plan = PartitionPlan::new(&TierConfig::by_value(), &stats)?;
/// assert_eq!(plan.total(), dec!(10));
/// assert_eq!(plan.customers(), 3);
/// assert_eq!(plan.classify(1, &b)?.tiers().collect::<Vec<_>>(), [Tier::Ordinary, Tier::Inactive]);
/// # Ok::<(), crm_core::value::tier::TierError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct PartitionPlan {
    config: TierConfig,
    /// Common decimal scale of the keys.
    scale: u32,
    /// Positive total × 10^scale, as decimal text.
    total_key: String,
    total: Decimal,
    positive: u64,
    customers: u64,
    partitions: Vec<Placement>,
}

impl PartitionPlan {
    /// The plan of a ranking from every partition's statistics (in any
    /// order).
    ///
    /// # Errors
    ///
    /// [`TierError::IncompletePartitions`] unless the statistics are those
    /// of partitions 0..n each once; [`TierError::NotRangePartitioned`] when
    /// a partition holds a larger positive value than an earlier one;
    /// [`TierError::PartitionOverflow`] when the positive values cannot be
    /// summed exactly (as [`TierError::Overflow`] for one input).
    ///
    /// ```
    /// use crm_core::value::tier::{PartitionPlan, PartitionStats, TierConfig, TierError};
    /// use rust_decimal_macros::dec;
    /// let stats = [PartitionStats::of(0, &[dec!(1)])?, PartitionStats::of(1, &[dec!(2)])?];
    /// let e = PartitionPlan::new(&TierConfig::by_value(), &stats).unwrap_err();
    /// assert_eq!(e, TierError::NotRangePartitioned { partition: 1, previous: 0 });
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn new(config: &TierConfig, stats: &[PartitionStats]) -> Result<PartitionPlan, TierError> {
        let n = u32::try_from(stats.len())
            .map_err(|_| TierError::TooManyCustomers { count: stats.len() })?;
        let mut stats = stats.to_vec();
        stats.sort_by_key(|s| s.partition);
        for (i, s) in stats.iter().enumerate() {
            if s.partition != i as u32 {
                return Err(TierError::IncompletePartitions {
                    partition: i as u32,
                    partitions: n,
                });
            }
        }
        // Range partitioning, largest first: each partition's largest value
        // is at most the smallest of the last earlier partition with any.
        let mut previous: Option<&PartitionStats> = None;
        for s in &stats {
            if let (Some(p), Some(largest)) = (previous, s.largest)
                && p.smallest.is_some_and(|smallest| largest > smallest)
            {
                return Err(TierError::NotRangePartitioned {
                    partition: s.partition,
                    previous: p.partition,
                });
            }
            if s.positive > 0 {
                previous = Some(s);
            }
        }
        let customers: u64 = stats.iter().map(|s| s.customers).sum();
        if customers > u64::from(u32::MAX) {
            return Err(TierError::TooManyCustomers {
                count: usize::try_from(customers).unwrap_or(usize::MAX),
            });
        }
        // The scale `classify` would choose: the largest scale as given, or
        // without trailing zeros when the sum does not fit at it.
        let raw = stats.iter().map(|s| s.scale).max().unwrap_or(0);
        let (scale, sums) = match Self::sums(&stats, raw, |s| (s.scale, &s.sum)) {
            Ok(sums) => (raw, sums),
            Err(_) => {
                let normalized = stats.iter().map(|s| s.normalized_scale).max().unwrap_or(0);
                let sums = Self::sums(&stats, normalized, |s| {
                    (s.normalized_scale, &s.normalized_sum)
                })?;
                (normalized, sums)
            }
        };
        let mut total_key: u128 = 0;
        let mut placements = Vec::with_capacity(stats.len());
        let mut count_before: u64 = 0;
        for (i, s) in stats.iter().enumerate() {
            let tied_before = s
                .largest
                .map_or(0, |v| stats[..i].iter().map(|q| q.count_of(v)).sum::<u64>());
            let tied_after = s.smallest.map_or(0, |v| {
                stats[i + 1..].iter().map(|q| q.count_of(v)).sum::<u64>()
            });
            placements.push(Placement {
                stats: s.clone(),
                count_before,
                value_before: total_key.to_string(),
                tied_before,
                tied_after,
            });
            count_before += s.positive;
            total_key = total_key
                .checked_add(sums[i])
                .ok_or(TierError::PartitionOverflow {
                    partition: s.partition,
                })?;
        }
        let total = key_to_decimal(total_key, scale).ok_or(TierError::PartitionOverflow {
            partition: n.saturating_sub(1),
        })?;
        Ok(PartitionPlan {
            config: *config,
            scale,
            total_key: total_key.to_string(),
            total,
            positive: count_before,
            customers,
            partitions: placements,
        })
    }

    /// Each partition's positive sum at `scale`, from the sum it reported at
    /// its own scale (`field`).
    fn sums(
        stats: &[PartitionStats],
        scale: u32,
        field: impl Fn(&PartitionStats) -> (u32, &Option<String>),
    ) -> Result<Vec<u128>, TierError> {
        stats
            .iter()
            .map(|s| {
                let overflow = TierError::PartitionOverflow {
                    partition: s.partition,
                };
                if s.positive == 0 {
                    return Ok(0);
                }
                let (own, sum) = field(s);
                let shift = scale.checked_sub(own).ok_or(overflow.clone())?;
                parse_sum(sum)
                    .and_then(|sum| sum.checked_mul(*POW10.get(shift as usize)?))
                    .ok_or(overflow)
            })
            .collect()
    }

    /// The tier configuration.
    ///
    /// ```
    /// # use crm_core::value::tier::{PartitionPlan, TierConfig};
    /// let plan = PartitionPlan::new(&TierConfig::by_count(), &[])?;
    /// assert_eq!(plan.config(), &TierConfig::by_count());
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn config(&self) -> &TierConfig {
        &self.config
    }

    /// The positive total of all partitions.
    ///
    /// ```
    /// # use crm_core::value::tier::{PartitionPlan, TierConfig};
    /// assert!(PartitionPlan::new(&TierConfig::by_value(), &[])?.total().is_zero());
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn total(&self) -> Decimal {
        self.total
    }

    /// Customers of all partitions.
    ///
    /// ```
    /// # use crm_core::value::tier::{PartitionPlan, TierConfig};
    /// assert_eq!(PartitionPlan::new(&TierConfig::by_value(), &[])?.customers(), 0);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn customers(&self) -> u64 {
        self.customers
    }

    /// Partitions in the plan.
    ///
    /// ```
    /// # use crm_core::value::tier::{PartitionPlan, PartitionStats, TierConfig};
    /// let plan = PartitionPlan::new(&TierConfig::by_value(), &[PartitionStats::of(0, &[])?])?;
    /// assert_eq!(plan.partitions(), 1);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn partitions(&self) -> usize {
        self.partitions.len()
    }

    /// The classification of partition `partition`'s customers, whose values
    /// are `values` (the same values, in any order, as its statistics were
    /// computed from): exactly what [`classify`](super::classify) of all
    /// partitions' values gives for these customers. Its
    /// [`summary`](Classification::summary) is this partition's part.
    ///
    /// # Errors
    ///
    /// [`TierError::IncompletePartitions`] for a partition not in the plan;
    /// [`TierError::PartitionChanged`] when `values` are not the values the
    /// partition's statistics came from.
    ///
    /// ```
    /// use crm_core::value::tier::{PartitionPlan, PartitionStats, TierConfig, TierError};
    /// use rust_decimal_macros::dec;
    /// let plan = PartitionPlan::new(&TierConfig::by_value(), &[PartitionStats::of(0, &[dec!(1)])?])?;
    /// assert_eq!(plan.classify(0, &[dec!(2)]).unwrap_err(), TierError::PartitionChanged { partition: 0 });
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn classify(
        &self,
        partition: u32,
        values: &[Decimal],
    ) -> Result<Classification, TierError> {
        let place =
            self.partitions
                .get(partition as usize)
                .ok_or(TierError::IncompletePartitions {
                    partition,
                    partitions: self.partitions.len() as u32,
                })?;
        if PartitionStats::of(partition, values)? != place.stats {
            return Err(TierError::PartitionChanged { partition });
        }
        let changed = TierError::PartitionChanged { partition };
        let keys = match SortKeys::narrow(values, self.scale) {
            Some(keys) => keys,
            None => SortKeys::wide(values, self.scale).map_err(|_| changed.clone())?,
        };
        let whole = Whole {
            scale: self.scale,
            total_key: self.total_key.parse().map_err(|_| changed.clone())?,
            total: self.total,
            positive: self.positive,
            customers: self.customers,
        };
        let offsets = Offsets {
            count: place.count_before,
            value: place.value_before.parse().map_err(|_| changed)?,
            tied_before: place.tied_before,
            tied_after: place.tied_after,
        };
        Ok(classify_keys(
            values.to_vec(),
            &self.config,
            keys.sorted,
            &whole,
            offsets,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::tier::{Cutoffs, TierBasis, classify};
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    /// Values with ties, zeros, negatives and mixed scales.
    fn values() -> impl Strategy<Value = Vec<Decimal>> {
        let one = prop_oneof![
            4 => (1_i64..12, 0_u32..3).prop_map(|(m, s)| Decimal::new(m * 10_i64.pow(s), s)),
            3 => (1_i64..1_000_000_000, 0_u32..6).prop_map(|(m, s)| Decimal::new(m, s)),
            1 => Just(Decimal::ZERO),
            1 => (1_i64..1000).prop_map(|m| Decimal::new(-m, 1)),
        ];
        prop::collection::vec(one, 0..60)
    }

    fn config() -> impl Strategy<Value = TierConfig> {
        (prop::bool::ANY, 1_i64..99, 1_i64..=100).prop_filter_map(
            "first < second",
            |(count, a, b)| {
                Some(TierConfig {
                    basis: if count {
                        TierBasis::Count
                    } else {
                        TierBasis::Value
                    },
                    cutoffs: Cutoffs::new(Decimal::new(a, 2), Decimal::new(b, 2)).ok()?,
                })
            },
        )
    }

    /// A split of the input: range-partitioned by value (largest first) at
    /// the given cut points, empty partitions included, non-positive values
    /// scattered over any partition, each partition in a shuffled order.
    /// Returns the input positions of each partition.
    fn split(values: &[Decimal], cuts: &[usize], seed: u64) -> Vec<Vec<usize>> {
        let mut order: Vec<usize> = (0..values.len())
            .filter(|&i| is_positive(&values[i]))
            .collect();
        order.sort_by(|&a, &b| values[b].cmp(&values[a]));
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (order.len() + 1)).collect();
        cuts.sort_unstable();
        let mut parts: Vec<Vec<usize>> = Vec::new();
        let mut start = 0;
        for c in cuts.iter().chain([order.len()].iter()) {
            parts.push(order[start..*c].to_vec());
            start = *c;
        }
        let mut s = seed;
        let mut next = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 33) as usize
        };
        for i in (0..values.len()).filter(|&i| !is_positive(&values[i])) {
            let p = next() % parts.len();
            parts[p].push(i);
        }
        for part in &mut parts {
            for i in (1..part.len()).rev() {
                part.swap(i, next() % (i + 1));
            }
        }
        parts
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any split of any input into range partitions gives exactly the single-machine classification of every customer.
        #[test]
        fn any_range_split_gives_exactly_the_single_machine_classification(
            v in values(),
            c in config(),
            cuts in prop::collection::vec(any::<usize>(), 0..8),
            seed in any::<u64>(),
        ) {
            let whole = classify(&v, &c).unwrap();
            let whole_evidence = whole.evidence();
            let parts = split(&v, &cuts, seed);
            let part_values: Vec<Vec<Decimal>> =
                parts.iter().map(|p| p.iter().map(|&i| v[i]).collect()).collect();
            let stats: Vec<PartitionStats> = part_values
                .iter()
                .enumerate()
                .map(|(p, pv)| PartitionStats::of(p as u32, pv).unwrap())
                .rev() // the plan takes them in any order
                .collect();
            let json = serde_json::to_string(&stats).unwrap();
            let stats: Vec<PartitionStats> = serde_json::from_str(&json).unwrap();
            let plan = PartitionPlan::new(&c, &stats).unwrap();
            let plan: PartitionPlan =
                serde_json::from_str(&serde_json::to_string(&plan).unwrap()).unwrap();
            prop_assert_eq!(plan.total(), whole.total());
            for (p, (positions, pv)) in parts.iter().zip(&part_values).enumerate() {
                let cl = plan.classify(p as u32, pv).unwrap();
                let ev = cl.evidence();
                let columns = |e: &crate::value::tier::Evidence, i: usize| {
                    (
                        e.tiers().nth(i),
                        e.ranks().nth(i),
                        e.tie_group_sizes().nth(i),
                        e.shares().nth(i),
                        e.cumulative_shares_before().nth(i),
                        e.cumulative_shares_after().nth(i),
                        e.decisions().nth(i),
                    )
                };
                for (local, &global) in positions.iter().enumerate() {
                    let mut mine = cl.explain(local).unwrap();
                    mine.index = global;
                    prop_assert_eq!(mine, whole.explain(global).unwrap());
                    prop_assert_eq!(columns(&ev, local), columns(&whole_evidence, global));
                }
            }
        }

        /// A partition holding a larger positive value than an earlier one is an error, never a wrong answer.
        #[test]
        fn out_of_range_partitions_are_an_error(v in values(), c in config()) {
            let mut positive: Vec<Decimal> = v.into_iter().filter(is_positive).collect();
            positive.sort();
            positive.dedup();
            prop_assume!(positive.len() >= 2);
            // Smallest first: the later partition holds the larger value.
            let stats = [
                PartitionStats::of(0, &positive[..1]).unwrap(),
                PartitionStats::of(1, &positive[1..]).unwrap(),
            ];
            prop_assert_eq!(
                PartitionPlan::new(&c, &stats),
                Err(TierError::NotRangePartitioned { partition: 1, previous: 0 })
            );
        }
    }

    #[test]
    fn missing_repeated_and_changed_partitions_are_errors() {
        let c = TierConfig::by_value();
        let a = PartitionStats::of(0, &[dec!(2)]).unwrap();
        let b = PartitionStats::of(2, &[dec!(1)]).unwrap();
        assert_eq!(
            PartitionPlan::new(&c, &[a.clone(), b]),
            Err(TierError::IncompletePartitions {
                partition: 1,
                partitions: 2
            })
        );
        assert_eq!(
            PartitionPlan::new(&c, &[a.clone(), a.clone()]),
            Err(TierError::IncompletePartitions {
                partition: 1,
                partitions: 2
            })
        );
        let plan = PartitionPlan::new(&c, &[a]).unwrap();
        assert!(matches!(
            plan.classify(1, &[dec!(2)]),
            Err(TierError::IncompletePartitions { partition: 1, .. })
        ));
        assert_eq!(
            plan.classify(0, &[dec!(2), dec!(0)]),
            Err(TierError::PartitionChanged { partition: 0 })
        );
    }

    #[test]
    fn huge_sums_overflow_as_in_classify() {
        let big = Decimal::from_i128_with_scale(10_i128.pow(26), 0);
        let stats = [
            PartitionStats::of(0, &[big]).unwrap(),
            PartitionStats::of(1, &[Decimal::new(1, 6)]).unwrap(),
        ];
        assert!(classify(&[big, Decimal::new(1, 6)], &TierConfig::by_value()).is_err());
        assert!(matches!(
            PartitionPlan::new(&TierConfig::by_value(), &stats),
            Err(TierError::PartitionOverflow { .. })
        ));
        // Trailing zeros fall back to the normalised scale, as in classify.
        let quarter = Decimal::MAX / dec!(4);
        let padded = Decimal::new(10_000_000_000, 10);
        let stats = [
            PartitionStats::of(0, &[quarter]).unwrap(),
            PartitionStats::of(1, &[padded]).unwrap(),
        ];
        let plan = PartitionPlan::new(&TierConfig::by_value(), &stats).unwrap();
        let whole = classify(&[quarter, padded], &TierConfig::by_value()).unwrap();
        assert_eq!(plan.classify(1, &[padded]).unwrap().tier(0), whole.tier(1));
        assert_eq!(plan.total(), whole.total());
    }
}
