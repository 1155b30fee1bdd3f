//! The evidence behind a tier: the rule that decided and the figures.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::classification::Classification;
use super::config::{Cutoffs, Tier, TierBasis};
use super::exact::{key_of, ratio, ratio_f64, ratio_u128};

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

impl Decision {
    /// Every rule's name, in the order of [`Decision::code`]: the values of
    /// a decision column.
    ///
    /// ```
    /// use crm_core::value::tier::Decision;
    /// assert_eq!(Decision::NAMES[Decision::NonPositiveValue.code()], "non_positive_value");
    /// ```
    pub const NAMES: [&'static str; 4] = [
        "before_first_cutoff",
        "before_second_cutoff",
        "past_second_cutoff",
        "non_positive_value",
    ];

    /// The rule that puts a customer in `tier` under `cutoffs`: a tier has
    /// exactly one deciding rule.
    ///
    /// ```
    /// use crm_core::value::tier::{Decision, Tier, TierConfig};
    /// use rust_decimal_macros::dec;
    /// let d = Decision::for_tier(Tier::Major, &TierConfig::by_value().cutoffs);
    /// assert_eq!(d, Decision::BeforeSecondCutoff { cutoff: dec!(0.50) });
    /// ```
    pub fn for_tier(tier: Tier, cutoffs: &Cutoffs) -> Decision {
        match tier {
            Tier::MostValuable => Decision::BeforeFirstCutoff {
                cutoff: cutoffs.first(),
            },
            Tier::Major => Decision::BeforeSecondCutoff {
                cutoff: cutoffs.second(),
            },
            Tier::Ordinary => Decision::PastSecondCutoff {
                cutoff: cutoffs.second(),
            },
            Tier::Inactive => Decision::NonPositiveValue,
        }
    }

    /// The rule's snake_case name (the `rule` tag of its JSON form).
    ///
    /// ```
    /// use crm_core::value::tier::Decision;
    /// assert_eq!(Decision::NonPositiveValue.as_str(), "non_positive_value");
    /// ```
    pub fn as_str(self) -> &'static str {
        Decision::NAMES[self.code()]
    }

    /// The rule's position in [`Decision::NAMES`].
    ///
    /// ```
    /// use crm_core::value::tier::Decision;
    /// assert_eq!(Decision::NonPositiveValue.code(), 3);
    /// ```
    pub fn code(self) -> usize {
        match self {
            Decision::BeforeFirstCutoff { .. } => 0,
            Decision::BeforeSecondCutoff { .. } => 1,
            Decision::PastSecondCutoff { .. } => 2,
            Decision::NonPositiveValue => 3,
        }
    }
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

impl Classification {
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
        let decision = Decision::for_tier(tier, &self.config.cutoffs);
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

    /// The evidence of every customer at once, as columns: what a table of
    /// all customers needs, in one sort and linear passes (no per-customer
    /// search, no per-customer division).
    ///
    /// The figures are those of [`Classification::explain`], except that
    /// the shares are `f64` (the exact integer ratios rounded once, or
    /// twice beyond 2^53): tables carry shares as `float64`, while the tier
    /// decisions themselves are made exactly.
    ///
    /// ```
    /// use crm_core::value::tier::{classify, TierConfig};
    /// use rust_decimal_macros::dec;
    /// let c = classify(&[dec!(30), dec!(-1), dec!(30), dec!(40)], &TierConfig::by_value())?;
    /// let e = c.evidence();
    /// assert_eq!(e.ranks().collect::<Vec<_>>(), [Some(2), None, Some(2), Some(1)]);
    /// assert_eq!(e.tie_group_sizes().collect::<Vec<_>>(), [2, 1, 2, 1]);
    /// assert_eq!(e.cumulative_shares_after().collect::<Vec<_>>(), [Some(1.0), None, Some(1.0), Some(0.4)]);
    /// assert_eq!(e.decisions().map(|d| d.as_str()).nth(1), Some("non_positive_value"));
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn evidence(&self) -> Evidence {
        let group_of = if self
            .groups
            .first()
            .is_none_or(|g| g.key <= u128::from(u64::MAX))
        {
            self.group_ordinals(|k| u64::try_from(k).unwrap_or(u64::MAX))
        } else {
            self.group_ordinals(|k| k)
        };
        let basis_total = match self.config.basis {
            TierBasis::Value => self.total_key,
            TierBasis::Count => u128::from(self.positive_customers),
        };
        let groups = self
            .groups
            .iter()
            .map(|g| {
                let (before, after) = match self.config.basis {
                    TierBasis::Value => {
                        (g.value_before, g.value_before + g.key * u128::from(g.size))
                    }
                    TierBasis::Count => (
                        u128::from(g.count_before),
                        u128::from(g.count_before + g.size),
                    ),
                };
                GroupEvidence {
                    rank: g.count_before + 1,
                    size: g.size,
                    share: ratio_f64(g.key, self.total_key),
                    cumulative_share_before: ratio_f64(before, basis_total),
                    cumulative_share_after: ratio_f64(after, basis_total),
                }
            })
            .collect();
        Evidence {
            group_of,
            groups,
            tiers: self.tiers.clone(),
            cutoffs: self.config.cutoffs,
        }
    }

    /// Each customer's tie-group position in `self.groups` ([`NO_GROUP`]
    /// when inactive).
    ///
    /// With few tie groups (values in cents repeat: 50,000 groups for ten
    /// million customers is typical) each customer's group is found in a
    /// hash table of the group keys, which stays in the cache: one
    /// sequential pass, no allocation beyond the result and the table. With many groups
    /// (mostly distinct values) the searches would miss the cache, so
    /// (key, position) pairs are radix-sorted once and matched with the
    /// groups, both in descending key order. Both give the same ordinals.
    fn group_ordinals<K>(&self, narrow: impl Fn(u128) -> K) -> Vec<u32>
    where
        K: radsort::Key + Ord + Copy + Into<u128>,
    {
        if self.groups.len() <= SEARCHED_GROUPS {
            self.searched_ordinals(narrow)
        } else {
            self.sorted_ordinals(narrow)
        }
    }

    fn searched_ordinals<K: Copy + Ord + Into<u128>>(
        &self,
        narrow: impl Fn(u128) -> K,
    ) -> Vec<u32> {
        // Descending, as the walk built them.
        let keys: Vec<K> = self.groups.iter().map(|g| narrow(g.key)).collect();
        let table = GroupTable::new(&keys);
        self.values
            .iter()
            .zip(&self.tiers)
            .map(|(v, &tier)| {
                if tier == Tier::Inactive.code() {
                    return NO_GROUP;
                }
                let Some(key) = key_of(*v, self.scale).map(&narrow) else {
                    return NO_GROUP;
                };
                if let Some(found) = table.as_ref().and_then(|t| t.find(key)) {
                    return found;
                }
                let g = keys.partition_point(|k| *k > key);
                if keys.get(g) == Some(&key) {
                    g as u32
                } else {
                    NO_GROUP
                }
            })
            .collect()
    }

    fn sorted_ordinals<K: radsort::Key + Ord>(&self, narrow: impl Fn(u128) -> K) -> Vec<u32> {
        let mut group_of = vec![NO_GROUP; self.values.len()];
        let mut pairs: Vec<(K, u32)> = self
            .values
            .iter()
            .enumerate()
            .filter(|(i, _)| self.tiers[*i] != Tier::Inactive.code())
            .filter_map(|(i, v)| Some((narrow(key_of(*v, self.scale)?), i as u32)))
            .collect();
        radsort::sort_by_key(&mut pairs, |p| p.0);
        let mut g = 0_usize;
        for &(key, i) in pairs.iter().rev() {
            while g < self.groups.len() && narrow(self.groups[g].key) != key {
                g += 1;
            }
            if g < self.groups.len() {
                group_of[i as usize] = g as u32;
            }
        }
        group_of
    }
}

/// No tie group: an inactive customer.
const NO_GROUP: u32 = u32::MAX;

/// The tie groups' keys in an open-addressing hash table (linear probing,
/// at most half full, Fibonacci hashing): a customer's group is one
/// multiplication and a probe or two in a table that stays in the cache,
/// where a binary search takes a dependent load per halving.
///
/// Values are input: keys chosen to collide could make every probe walk a
/// long run. No key is placed or sought more than [`MAX_PROBES`] slots
/// from its hash slot; past that the table is not built (or a lookup gives
/// up) and the binary search answers, so the work stays bounded whatever
/// the values.
struct GroupTable<K> {
    keys: Vec<K>,
    ordinals: Vec<u32>,
    shift: u32,
}

/// The longest probe sequence [`GroupTable`] accepts.
const MAX_PROBES: usize = 32;

impl<K: Copy + Eq + Into<u128>> GroupTable<K> {
    /// The table of `keys` (distinct), `None` when some key would sit more
    /// than [`MAX_PROBES`] slots from its hash slot.
    fn new(keys: &[K]) -> Option<GroupTable<K>> {
        let first = *keys.first()?;
        let slots = (2 * keys.len()).next_power_of_two();
        let mut table = GroupTable {
            keys: vec![first; slots],
            ordinals: vec![NO_GROUP; slots],
            shift: 64 - slots.trailing_zeros(),
        };
        for (ordinal, &key) in keys.iter().enumerate() {
            let start = table.slot(key);
            let at = (0..MAX_PROBES)
                .map(|p| (start + p) & (slots - 1))
                .find(|&at| table.ordinals[at] == NO_GROUP)?;
            table.keys[at] = key;
            table.ordinals[at] = u32::try_from(ordinal).ok()?;
        }
        Some(table)
    }

    fn slot(&self, key: K) -> usize {
        let k: u128 = key.into();
        let h = ((k as u64) ^ ((k >> 64) as u64)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        // `shift` >= 46 (at most 2^18 slots): the result fits usize.
        (h >> self.shift) as usize
    }

    /// The ordinal of the group with `key`; `None` when it is not within
    /// [`MAX_PROBES`] slots (then the key is not in the table).
    fn find(&self, key: K) -> Option<u32> {
        let mask = self.ordinals.len() - 1;
        let start = self.slot(key);
        (0..MAX_PROBES)
            .map(|p| (start + p) & mask)
            .map(|at| (self.ordinals[at], at))
            .find(|&(ordinal, at)| ordinal == NO_GROUP || self.keys[at] == key)
            .and_then(|(ordinal, _)| (ordinal != NO_GROUP).then_some(ordinal))
    }
}

/// Up to this many tie groups [`Classification::evidence`] finds each
/// customer's group in a hash table (at most 2^18 slots: 2 MB of u64 keys,
/// 1 MB of ordinals).
const SEARCHED_GROUPS: usize = 1 << 17;

/// The figures of one tie group, shared by all its members.
///
/// ```
/// use crm_core::value::tier::{classify, TierConfig};
/// use rust_decimal_macros::dec;
/// let e = classify(&[dec!(3), dec!(1)], &TierConfig::by_value())?.evidence();
/// assert_eq!(e.groups()[0].share, 0.75);
/// # Ok::<(), crm_core::value::tier::TierError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupEvidence {
    /// Competition rank of the members.
    pub rank: u64,
    /// Members, in the whole base.
    pub size: u64,
    /// One member's share of the positive value.
    pub share: f64,
    /// Cumulative share (on the classification's basis) of the groups above.
    pub cumulative_share_before: f64,
    /// Cumulative share including the group.
    pub cumulative_share_after: f64,
}

/// Dense per-customer columns of the evidence ([`Evidence::columns`]).
///
/// ```
/// # use crm_core::value::tier::{classify, TierConfig};
/// # use rust_decimal_macros::dec;
/// let cols = classify(&[dec!(2)], &TierConfig::default())?.evidence().columns();
/// assert_eq!(cols.cumulative_shares_after, [1.0]);
/// # Ok::<(), crm_core::value::tier::TierError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EvidenceColumns {
    /// False for inactive customers (no rank, no share).
    pub active: Vec<bool>,
    /// Competition ranks (0 when inactive).
    pub ranks: Vec<u64>,
    /// Tie-group sizes (1 when inactive).
    pub tie_group_sizes: Vec<u64>,
    /// Shares of the positive value (NaN when inactive).
    pub shares: Vec<f64>,
    /// Cumulative shares before the tie group (NaN when inactive).
    pub cumulative_shares_before: Vec<f64>,
    /// Cumulative shares including the tie group (NaN when inactive).
    pub cumulative_shares_after: Vec<f64>,
}

/// Every customer's tier evidence, as columns ([`Classification::evidence`]):
/// each customer points at its tie group's figures, so a column is a
/// lookup per customer.
///
/// ```
/// use crm_core::value::tier::{classify, TierConfig};
/// use rust_decimal_macros::dec;
/// let e = classify(&[dec!(2), dec!(0)], &TierConfig::by_value())?.evidence();
/// assert_eq!(e.len(), 2);
/// assert_eq!(e.shares().collect::<Vec<_>>(), [Some(1.0), None]);
/// # Ok::<(), crm_core::value::tier::TierError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    group_of: Vec<u32>,
    groups: Vec<GroupEvidence>,
    tiers: Vec<u8>,
    cutoffs: Cutoffs,
}

impl Evidence {
    /// Customers.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, TierConfig};
    /// assert!(classify(&[], &TierConfig::default())?.evidence().is_empty());
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.group_of.len()
    }

    /// True without customers.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, TierConfig};
    /// assert_eq!(classify(&[], &TierConfig::default())?.evidence().len(), 0);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.group_of.is_empty()
    }

    /// The tie groups, largest value first.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, TierConfig};
    /// # use rust_decimal_macros::dec;
    /// let e = classify(&[dec!(1), dec!(1), dec!(2)], &TierConfig::default())?.evidence();
    /// assert_eq!(e.groups().len(), 2);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn groups(&self) -> &[GroupEvidence] {
        &self.groups
    }

    /// Each customer's tie group (its position in [`Evidence::groups`]), `None`
    /// when inactive.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, TierConfig};
    /// # use rust_decimal_macros::dec;
    /// let e = classify(&[dec!(1), dec!(0), dec!(2)], &TierConfig::default())?.evidence();
    /// assert_eq!(e.group_of().collect::<Vec<_>>(), [Some(1), None, Some(0)]);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn group_of(&self) -> impl ExactSizeIterator<Item = Option<usize>> + '_ {
        self.group_of
            .iter()
            .map(|&g| (g != NO_GROUP).then_some(g as usize))
    }

    fn column<'a, T>(
        &'a self,
        f: impl Fn(&GroupEvidence) -> T + 'a,
    ) -> impl ExactSizeIterator<Item = Option<T>> + 'a {
        self.group_of
            .iter()
            .map(move |&g| self.groups.get(g as usize).map(&f))
    }

    /// Every customer's group figures as dense columns, in one pass over the
    /// customers (one lookup each, instead of one per column): what a
    /// columnar table takes over without copying. An inactive customer has
    /// rank 0, tie-group size 1 and NaN shares; [`Evidence::group_of`] (or
    /// [`EvidenceColumns::active`]) tells which rows those are.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, TierConfig};
    /// # use rust_decimal_macros::dec;
    /// let cols = classify(&[dec!(1), dec!(0), dec!(3)], &TierConfig::default())?.evidence().columns();
    /// assert_eq!(cols.ranks, [2, 0, 1]);
    /// assert_eq!(cols.active, [true, false, true]);
    /// assert!(cols.shares[1].is_nan());
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn columns(&self) -> EvidenceColumns {
        // Each column collected on its own from an exact-size iterator over
        // the customers' group positions: one indexed load a row, no
        // per-row capacity checks, sequential writes.
        let floats = |f: fn(&GroupEvidence) -> f64| -> Vec<f64> {
            self.group_of
                .iter()
                .map(|&g| self.groups.get(g as usize).map_or(f64::NAN, f))
                .collect()
        };
        let counts = |f: fn(&GroupEvidence) -> u64, inactive: u64| -> Vec<u64> {
            self.group_of
                .iter()
                .map(|&g| self.groups.get(g as usize).map_or(inactive, f))
                .collect()
        };
        EvidenceColumns {
            active: self.group_of.iter().map(|&g| g != NO_GROUP).collect(),
            ranks: counts(|e| e.rank, 0),
            tie_group_sizes: counts(|e| e.size, 1),
            shares: floats(|e| e.share),
            cumulative_shares_before: floats(|e| e.cumulative_share_before),
            cumulative_shares_after: floats(|e| e.cumulative_share_after),
        }
    }

    /// Every customer's tier.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, Tier, TierConfig};
    /// # use rust_decimal_macros::dec;
    /// let e = classify(&[dec!(0)], &TierConfig::default())?.evidence();
    /// assert_eq!(e.tiers().collect::<Vec<_>>(), [Tier::Inactive]);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn tiers(&self) -> impl ExactSizeIterator<Item = Tier> + '_ {
        self.tiers.iter().map(|&c| Tier::from_code(c))
    }

    /// Every customer's competition rank (`None`: inactive).
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, TierConfig};
    /// # use rust_decimal_macros::dec;
    /// let e = classify(&[dec!(1), dec!(2)], &TierConfig::default())?.evidence();
    /// assert_eq!(e.ranks().collect::<Vec<_>>(), [Some(2), Some(1)]);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn ranks(&self) -> impl ExactSizeIterator<Item = Option<u64>> + '_ {
        self.column(|g| g.rank)
    }

    /// Every customer's tie-group size (1 when inactive, as in
    /// [`Explanation::tie_group_size`]).
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, TierConfig};
    /// # use rust_decimal_macros::dec;
    /// let e = classify(&[dec!(1), dec!(1), dec!(0)], &TierConfig::default())?.evidence();
    /// assert_eq!(e.tie_group_sizes().collect::<Vec<_>>(), [2, 2, 1]);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn tie_group_sizes(&self) -> impl ExactSizeIterator<Item = u64> + '_ {
        self.column(|g| g.size).map(|s| s.unwrap_or(1))
    }

    /// Every customer's share of the positive value (`None`: inactive).
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, TierConfig};
    /// # use rust_decimal_macros::dec;
    /// let e = classify(&[dec!(1), dec!(3)], &TierConfig::default())?.evidence();
    /// assert_eq!(e.shares().collect::<Vec<_>>(), [Some(0.25), Some(0.75)]);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn shares(&self) -> impl ExactSizeIterator<Item = Option<f64>> + '_ {
        self.column(|g| g.share)
    }

    /// Every customer's cumulative share before its tie group.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, TierConfig};
    /// # use rust_decimal_macros::dec;
    /// let e = classify(&[dec!(1), dec!(3)], &TierConfig::default())?.evidence();
    /// assert_eq!(e.cumulative_shares_before().collect::<Vec<_>>(), [Some(0.75), Some(0.0)]);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn cumulative_shares_before(&self) -> impl ExactSizeIterator<Item = Option<f64>> + '_ {
        self.column(|g| g.cumulative_share_before)
    }

    /// Every customer's cumulative share including its tie group.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, TierConfig};
    /// # use rust_decimal_macros::dec;
    /// let e = classify(&[dec!(1), dec!(3)], &TierConfig::default())?.evidence();
    /// assert_eq!(e.cumulative_shares_after().collect::<Vec<_>>(), [Some(1.0), Some(0.75)]);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn cumulative_shares_after(&self) -> impl ExactSizeIterator<Item = Option<f64>> + '_ {
        self.column(|g| g.cumulative_share_after)
    }

    /// Every customer's deciding rule.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, Decision, TierConfig};
    /// # use rust_decimal_macros::dec;
    /// let e = classify(&[dec!(-1)], &TierConfig::default())?.evidence();
    /// assert_eq!(e.decisions().next(), Some(Decision::NonPositiveValue));
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn decisions(&self) -> impl ExactSizeIterator<Item = Decision> + '_ {
        self.tiers().map(|t| Decision::for_tier(t, &self.cutoffs))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use crate::value::tier::{TierConfig, classify};

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The hash table and the sort find every customer's tie group
        /// alike, whatever the values (repeats, zeros, negatives, scales).
        #[test]
        fn searched_and_sorted_group_ordinals_are_identical(
            raw in prop::collection::vec((-50_i64..500, 0_u32..4), 0..300),
        ) {
            let values: Vec<Decimal> = raw.iter().map(|&(m, s)| Decimal::new(m, s)).collect();
            let c = classify(&values, &TierConfig::by_value()).unwrap();
            let narrow = |k: u128| u64::try_from(k).unwrap_or(u64::MAX);
            prop_assert_eq!(c.searched_ordinals(narrow), c.sorted_ordinals(narrow));
            prop_assert_eq!(c.searched_ordinals(|k| k), c.sorted_ordinals(|k| k));
        }
    }

    /// Values chosen so that every key hashes to one slot (the two halves
    /// of `i·(2^64 + 1)` cancel): the table refuses them and the binary
    /// search still finds every group, in bounded time.
    #[test]
    fn colliding_keys_fall_back_to_the_binary_search() {
        let keys: Vec<u128> = (1..=64_u128).map(|i| i * ((1 << 64) + 1)).collect();
        assert!(super::GroupTable::new(&keys).is_none());
        let spread: Vec<u128> = (1..=64_u128).collect();
        assert!(super::GroupTable::new(&spread).is_some());
        let values: Vec<Decimal> = keys
            .iter()
            .map(|&k| Decimal::from_i128_with_scale(k as i128, 0))
            .chain([Decimal::ZERO, Decimal::from(-3)])
            .collect();
        let c = classify(&values, &TierConfig::by_value()).unwrap();
        let ordinals = c.searched_ordinals(|k| k);
        assert_eq!(ordinals, c.sorted_ordinals(|k| k));
        // Largest value first: group 0 is the last key.
        assert_eq!(ordinals[63], 0);
        assert_eq!(ordinals[64..], [super::NO_GROUP, super::NO_GROUP]);
    }
}
