//! [`classify`]: the walk down the ranking, and the classification's accessors.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::config::{Tier, TierBasis, TierConfig, TierError};
use super::exact::{Fraction, SortKeys, Sorted, is_positive, key_of, key_to_decimal, ratio_u128};

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
pub(super) struct Group {
    /// The members' value in key units (value × 10^scale).
    pub(super) key: u128,
    /// Members in the group.
    pub(super) size: u64,
    /// Customers ranked above the group.
    pub(super) count_before: u64,
    /// Value of the groups ranked above, in key units (value × 10^scale).
    pub(super) value_before: u128,
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
    pub(super) config: TierConfig,
    pub(super) values: Vec<Decimal>,
    /// Tier code per customer (see `Tier::code`).
    pub(super) tiers: Vec<u8>,
    pub(super) groups: Vec<Group>,
    /// Common decimal scale of the keys.
    pub(super) scale: u32,
    /// Positive total in key units.
    pub(super) total_key: u128,
    pub(super) total: Decimal,
    pub(super) positive_customers: u64,
    /// Customers of the whole base (this input, or all partitions of a
    /// partitioned ranking): the denominator of customer shares.
    pub(super) base_customers: u64,
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
    Classification::of(values.to_vec(), config)
}

pub(super) fn check_len(values: &[Decimal]) -> Result<(), TierError> {
    if values.len() > MAX_CUSTOMERS {
        return Err(TierError::TooManyCustomers {
            count: values.len(),
        });
    }
    Ok(())
}

/// The figures of the whole customer base a classification belongs to: for
/// [`classify`] its own input, for a partition of a ranking the sums of all
/// partitions (see [`super::partition`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct Whole {
    /// Common decimal scale of the keys.
    pub(super) scale: u32,
    /// Positive total in key units.
    pub(super) total_key: u128,
    /// The same total as a decimal.
    pub(super) total: Decimal,
    /// Customers with positive value.
    pub(super) positive: u64,
    /// All customers.
    pub(super) customers: u64,
}

/// Where a slice of the ranking starts in the whole ranking: customers and
/// value ranked above it, and the members of its first and last tie groups
/// that lie outside it (zero for a whole input).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Offsets {
    /// Positive customers ranked before the slice.
    pub(super) count: u64,
    /// Their value in key units.
    pub(super) value: u128,
    /// Members of the slice's largest value ranked before the slice.
    pub(super) tied_before: u64,
    /// Members of the slice's smallest value ranked after the slice.
    pub(super) tied_after: u64,
}

/// The walk and the tiers of `values`, whose positive keys (at
/// `whole.scale`) are `sorted`.
pub(super) fn classify_keys(
    values: Vec<Decimal>,
    config: &TierConfig,
    sorted: Sorted,
    whole: &Whole,
    offsets: Offsets,
) -> Classification {
    let mut walk = Walk::new(config, whole.total_key, whole.positive);
    // Only the keys are sorted, not (key, position) pairs: half the bytes to
    // move, and the tiers are then written in one sequential pass by
    // comparing each value with the two boundary keys, instead of scattered
    // writes through a permutation.
    match sorted {
        Sorted::Narrow(mut k) => {
            radsort::sort(&mut k);
            walk.groups_of(
                k.chunk_by(|a, b| a == b)
                    .rev()
                    .map(|g| (u128::from(g[0]), g.len() as u64)),
                offsets,
            );
        }
        Sorted::Wide(mut k) => {
            radsort::sort(&mut k);
            walk.groups_of(
                k.chunk_by(|a, b| a == b)
                    .rev()
                    .map(|g| (g[0], g.len() as u64)),
                offsets,
            );
        }
    }
    let scale = whole.scale;
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
    Classification {
        config: *config,
        values,
        tiers,
        groups: walk.groups,
        scale,
        total_key: whole.total_key,
        total: whole.total,
        positive_customers: whole.positive,
        base_customers: whole.customers,
    }
}

/// The walk down the ranking, one tie group at a time.
struct Walk {
    groups: Vec<Group>,
    basis: TierBasis,
    basis_total: u128,
    first: Fraction,
    second: Fraction,
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
            first: Fraction::of(config.cutoffs.first()),
            second: Fraction::of(config.cutoffs.second()),
            most_valuable_from: None,
            major_from: None,
        }
    }

    /// `groups` yields (key, size) of each tie group, largest key first;
    /// `offsets` places them in the whole ranking.
    fn groups_of(&mut self, groups: impl Iterator<Item = (u128, u64)>, offsets: Offsets) {
        let (mut count_before, mut value_before) = (offsets.count, offsets.value);
        let mut groups = groups.peekable();
        let mut first = true;
        while let Some((key, local)) = groups.next() {
            let last = groups.peek().is_none();
            // The slice's first and last groups may continue in the
            // neighbouring slices: their members there count in the group,
            // and those before it are not ranked above it.
            let above = if first { offsets.tied_before } else { 0 };
            let below = if last { offsets.tied_after } else { 0 };
            first = false;
            let group_count_before = count_before - above;
            // Cannot overflow: every key sum was checked when it was built.
            let group_value_before = value_before - key * u128::from(above);
            let before = match self.basis {
                TierBasis::Value => group_value_before,
                TierBasis::Count => u128::from(group_count_before),
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
                size: local + above + below,
                count_before: group_count_before,
                value_before: group_value_before,
            });
            count_before += local;
            value_before += key * u128::from(local);
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
    /// [`classify`] on values the caller hands over: they move into the
    /// classification instead of being copied (16 bytes a customer less at
    /// the peak). Same rules, same result, same errors.
    ///
    /// # Errors
    ///
    /// As [`classify`].
    ///
    /// ```
    /// use crm_core::value::tier::{classify, Classification, TierConfig};
    /// use rust_decimal_macros::dec;
    /// let values = vec![dec!(10.5), dec!(2), dec!(0.25)];
    /// let copied = classify(&values, &TierConfig::by_value())?;
    /// assert_eq!(Classification::of(values, &TierConfig::by_value())?, copied);
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn of(values: Vec<Decimal>, config: &TierConfig) -> Result<Classification, TierError> {
        check_len(&values)?;
        let keys = SortKeys::build(&values)?;
        let total = key_to_decimal(keys.total, keys.scale).ok_or(TierError::Overflow {
            row: keys.total_row,
        })?;
        let whole = Whole {
            scale: keys.scale,
            total_key: keys.total,
            total,
            positive: keys.positive,
            customers: values.len() as u64,
        };
        Ok(classify_keys(
            values,
            config,
            keys.sorted,
            &whole,
            Offsets::default(),
        ))
    }

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

    /// The customers ranked highest, best first: the indices of the `n`
    /// smallest ranks, ties in input order; inactive customers never.
    /// Fewer than `n` when fewer customers are ranked.
    ///
    /// Why here: a "top customers" table is a ranking question, and the
    /// answer must be the same in every front end. Each customer's rank is
    /// looked up once and the `n` best are selected in linear time, so a
    /// top ten of a million customers costs one pass, not a sort whose
    /// every comparison searches the ranking again.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, TierConfig};
    /// # use rust_decimal_macros::dec;
    /// let c = classify(&[dec!(2), dec!(9), dec!(0), dec!(9), dec!(5)], &TierConfig::default())?;
    /// assert_eq!(c.top(3), [1, 3, 4]); // the two 9s share rank 1, in input order
    /// assert_eq!(c.top(10), [1, 3, 4, 0]); // the inactive customer is not ranked
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn top(&self, n: usize) -> Vec<usize> {
        let mut ranked: Vec<(u64, usize)> = (0..self.tiers.len())
            .filter_map(|i| self.rank(i).map(|r| (r, i)))
            .collect();
        if n == 0 {
            return Vec::new();
        }
        if ranked.len() > n {
            ranked.select_nth_unstable(n - 1);
            ranked.truncate(n);
        }
        ranked.sort_unstable();
        ranked.into_iter().map(|(_, i)| i).collect()
    }

    /// The tie group of a customer: a binary search of the groups (ranked
    /// by value, descending) for its key, so no per-customer index is kept.
    pub(super) fn group(&self, index: usize) -> Option<&Group> {
        if *self.tiers.get(index)? == Tier::Inactive.code() {
            return None;
        }
        let key = key_of(self.values[index], self.scale)?;
        let at = self.groups.partition_point(|g| g.key > key);
        self.groups.get(at).filter(|g| g.key == key)
    }

    /// True unless this is one partition of a partitioned ranking
    /// ([`super::partition`]), whose figures are part of a larger base.
    ///
    /// ```
    /// # use crm_core::value::tier::{classify, TierConfig};
    /// assert!(classify(&[], &TierConfig::default())?.is_whole());
    /// # Ok::<(), crm_core::value::tier::TierError>(())
    /// ```
    pub fn is_whole(&self) -> bool {
        self.base_customers == self.tiers.len() as u64
    }

    /// Per-tier counts, values and shares, highest tier first.
    ///
    /// For one partition of a ranking: that partition's customers and
    /// value, as shares of the whole base (they do not sum to 1).
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
        let n = u128::from(self.base_customers);
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
        // A partition of a ranking holds part of the shares: nothing to balance.
        if self.is_whole() {
            balance_to_one(&mut out, |s| &mut s.value_share, self.total_key > 0);
            balance_to_one(&mut out, |s| &mut s.customer_share, n > 0);
        }
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
