//! Periodic review: who moved between tiers, and why (动态管理，能上能下).
//!
//! Classification is reviewed every period (monthly in the texts). Customers
//! move up and down, and every change must be explainable and auditable so
//! that nobody can quietly move a customer (防止分类猫腻). [`review`] compares
//! consecutive periods and lists, for every customer, one [`Move`]:
//! promoted, demoted, held (a demotion deferred by the grace rule), unchanged,
//! new (joined the base: not a member in the previous period) or lost (left
//! it: not a member in this one), with the values and ranks of both periods.
//!
//! # Membership
//!
//! Who is a customer in a period comes from the customer base, not from the
//! classification ([`Membership`], [`ReviewConfig`]): each period carries its
//! members ([`Period::with_members`]), and a member without a classification
//! in the period (a quiet customer) is measured `inactive` with value 0. The
//! rule of earlier releases, membership by presence in the classification,
//! is [`Membership::Presence`], an explicit choice.
//!
//! # The grace rule
//!
//! `GraceRule { demote_after: k }` demotes a customer only after it has been
//! measured below its current tier for more than `k` consecutive periods;
//! until then it is *held* in its tier, and the move says so. Promotions are
//! always immediate. On demotion the customer goes to the highest tier it was
//! measured at during the periods below (the kindest reading of the run).
//! The default `k = 0` makes every move immediate. A quiet member is measured
//! inactive, so the grace rule holds him like any customer measured below his
//! tier; a customer who leaves the base is lost at once and, when he joins
//! again, is new: the grace rule is about value, and a non-customer has none.
//!
//! ```
//! use crm_core::records::customer::CustomerId;
//! use crm_core::value::review::{review, GraceRule, MoveKind, Period, ReviewConfig, TierSnapshot};
//! use crm_core::value::tier::Tier;
//! use rust_decimal_macros::dec;
//!
//! let snap = |id: i64, tier, value| TierSnapshot { customer: CustomerId::from(id), tier, value, rank: None };
//! // Customer 2 left the base in February; customer 3 joined it.
//! let jan = Period::new("2026-01", vec![snap(1, Tier::MostValuable, dec!(900)), snap(2, Tier::Major, dec!(300))])
//!     .with_members([1.into(), 2.into()]);
//! let feb = Period::new("2026-02", vec![snap(1, Tier::Major, dec!(400)), snap(3, Tier::Ordinary, dec!(50))])
//!     .with_members([1.into(), 3.into()]);
//!
//! let r = review(&[jan.clone(), feb.clone()], &ReviewConfig::default())?;
//! let kinds: Vec<_> = r[0].moves.iter().map(|m| (m.customer.to_string(), m.kind)).collect();
//! assert_eq!(kinds, [("1".into(), MoveKind::Demoted), ("2".into(), MoveKind::Lost), ("3".into(), MoveKind::New)]);
//!
//! // With one period of grace, customer 1 is held in its tier for now.
//! let r = review(&[jan, feb], &ReviewConfig::with_grace(GraceRule { demote_after: 1 }))?;
//! assert_eq!(r[0].moves[0].kind, MoveKind::Held);
//! assert_eq!(r[0].moves[0].to, Some(Tier::MostValuable));
//! assert_eq!(r[0].moves[0].measured, Some(Tier::Major));
//! # Ok::<(), crm_core::value::review::ReviewError>(())
//! ```

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::records::customer::CustomerId;
use crate::value::assignment::Assignments;
use crate::value::tier::Tier;

/// One customer's tier in one period, with the figures behind it.
///
/// ```
/// use crm_core::value::review::TierSnapshot;
/// use crm_core::value::tier::Tier;
/// use rust_decimal_macros::dec;
/// let s = TierSnapshot { customer: 7.into(), tier: Tier::Major, value: dec!(120), rank: Some(3) };
/// assert_eq!(s.rank, Some(3));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct TierSnapshot {
    /// The customer.
    pub customer: CustomerId,
    /// Its measured tier in the period.
    pub tier: Tier,
    /// Its value in the period.
    pub value: Decimal,
    /// Its rank in the period, when ranked.
    pub rank: Option<u64>,
}

/// The classification of one period, as the review needs it.
///
/// ```
/// use crm_core::value::assignment::{assign, AssignmentConfig};
/// use crm_core::value::review::Period;
/// use rust_decimal_macros::dec;
/// let a = assign(&[1.into()], &[dec!(10)], None, &AssignmentConfig::default())?;
/// let p = Period::from_assignments("2026-03", &a);
/// assert_eq!(p.customers.len(), 1);
/// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Period {
    /// A label for reports (e.g. `2026-03`).
    pub label: String,
    /// Every customer classified in the period.
    pub customers: Vec<TierSnapshot>,
    /// The customers in the base on at least one day of the period, in id
    /// order ([`Period::with_members`]); required under [`Membership::Base`],
    /// ignored under [`Membership::Presence`].
    #[serde(default)]
    pub members: Option<Vec<CustomerId>>,
}

impl Period {
    /// A period from its snapshots.
    ///
    /// ```
    /// use crm_core::value::review::Period;
    /// assert!(Period::new("q1", vec![]).customers.is_empty());
    /// ```
    pub fn new(label: impl Into<String>, customers: Vec<TierSnapshot>) -> Period {
        Period {
            label: label.into(),
            customers,
            members: None,
        }
    }

    /// The snapshots of an assignment run.
    ///
    /// ```
    /// use crm_core::value::assignment::{assign, AssignmentConfig};
    /// use crm_core::value::review::Period;
    /// use crm_core::value::tier::Tier;
    /// use rust_decimal_macros::dec;
    /// let a = assign(&[1.into(), 2.into()], &[dec!(10), dec!(0)], None, &AssignmentConfig::default())?;
    /// let p = Period::from_assignments("m1", &a);
    /// assert_eq!(p.customers[1].tier, Tier::Inactive);
    /// # Ok::<(), crm_core::value::assignment::AssignmentError>(())
    /// ```
    pub fn from_assignments(label: impl Into<String>, assignments: &Assignments) -> Period {
        let c = assignments.classification();
        let customers = assignments
            .ids()
            .iter()
            .enumerate()
            .map(|(i, id)| TierSnapshot {
                customer: id.clone(),
                tier: c.tier(i).unwrap_or(Tier::Inactive),
                value: c.value(i).unwrap_or(Decimal::ZERO),
                rank: c.rank(i),
            })
            .collect();
        Period::new(label, customers)
    }
}

/// How the review treats a customer measured below its tier.
///
/// ```
/// use crm_core::value::review::GraceRule;
/// assert_eq!(GraceRule::default().demote_after, 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct GraceRule {
    /// Periods below the current tier that are tolerated before demoting;
    /// 0 demotes at once.
    pub demote_after: u32,
}

/// What happened to a customer between two periods.
///
/// ```
/// use crm_core::value::review::MoveKind;
/// assert_eq!(serde_json::to_string(&MoveKind::Held).unwrap(), "\"held\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MoveKind {
    /// Moved to a higher tier.
    Promoted,
    /// Moved to a lower tier.
    Demoted,
    /// Measured lower, kept in its tier by the grace rule.
    Held,
    /// Same tier.
    Unchanged,
    /// Joined the base: a member now, not in the previous period.
    New,
    /// Left the base: a member in the previous period, not now.
    Lost,
}

impl MoveKind {
    /// Every kind, in the order reports list them.
    pub const ALL: [MoveKind; 6] = [
        MoveKind::Promoted,
        MoveKind::Demoted,
        MoveKind::Held,
        MoveKind::Unchanged,
        MoveKind::New,
        MoveKind::Lost,
    ];

    /// The name a user sees (the serde name): `promoted`, `demoted`, ...
    ///
    /// ```
    /// use crm_core::value::review::MoveKind;
    /// assert_eq!(MoveKind::Held.as_str(), "held");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            MoveKind::Promoted => "promoted",
            MoveKind::Demoted => "demoted",
            MoveKind::Held => "held",
            MoveKind::Unchanged => "unchanged",
            MoveKind::New => "new",
            MoveKind::Lost => "lost",
        }
    }
}

/// One customer's move, with the figures behind it.
///
/// `from` and `to` are the tiers in force (after the grace rule) in the
/// previous and the current period; `measured` is what the current period's
/// classification said.
///
/// ```
/// use crm_core::value::review::{review_pair, Membership, MoveKind, Period, ReviewConfig, TierSnapshot};
/// use crm_core::value::tier::Tier;
/// use rust_decimal_macros::dec;
/// let a = Period::new("a", vec![TierSnapshot { customer: 1.into(), tier: Tier::Ordinary, value: dec!(5), rank: Some(9) }]);
/// let b = Period::new("b", vec![TierSnapshot { customer: 1.into(), tier: Tier::Major, value: dec!(50), rank: Some(2) }]);
/// let m = &review_pair(&a, &b, &ReviewConfig { membership: Membership::Presence, ..Default::default() })?.moves[0];
/// assert_eq!(m.kind, MoveKind::Promoted);
/// assert_eq!((m.previous_value, m.current_value), (Some(dec!(5)), Some(dec!(50))));
/// # Ok::<(), crm_core::value::review::ReviewError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Move {
    /// The customer.
    pub customer: CustomerId,
    /// What happened.
    pub kind: MoveKind,
    /// Tier in force in the previous period (`None` if new).
    pub from: Option<Tier>,
    /// Tier in force now (`None` if lost).
    pub to: Option<Tier>,
    /// Tier measured now, before the grace rule (`None` if lost).
    pub measured: Option<Tier>,
    /// Value in the previous period.
    pub previous_value: Option<Decimal>,
    /// Value now.
    pub current_value: Option<Decimal>,
    /// Rank in the previous period.
    pub previous_rank: Option<u64>,
    /// Rank now.
    pub current_rank: Option<u64>,
    /// Consecutive periods measured below the tier in force, this one included
    /// (0 unless held).
    pub periods_below: u32,
}

/// Counts of each kind of move.
///
/// ```
/// use crm_core::value::review::MoveCounts;
/// assert_eq!(MoveCounts::default().total(), 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct MoveCounts {
    /// Promoted.
    pub promoted: u64,
    /// Demoted.
    pub demoted: u64,
    /// Held by the grace rule.
    pub held: u64,
    /// Unchanged.
    pub unchanged: u64,
    /// New.
    pub new: u64,
    /// Lost.
    pub lost: u64,
}

impl MoveCounts {
    /// All moves: every customer of either period, once.
    ///
    /// ```
    /// use crm_core::value::review::MoveCounts;
    /// assert_eq!(MoveCounts { new: 2, lost: 1, ..Default::default() }.total(), 3);
    /// ```
    pub fn total(&self) -> u64 {
        self.promoted + self.demoted + self.held + self.unchanged + self.new + self.lost
    }

    fn add(&mut self, kind: MoveKind) {
        match kind {
            MoveKind::Promoted => self.promoted += 1,
            MoveKind::Demoted => self.demoted += 1,
            MoveKind::Held => self.held += 1,
            MoveKind::Unchanged => self.unchanged += 1,
            MoveKind::New => self.new += 1,
            MoveKind::Lost => self.lost += 1,
        }
    }
}

/// The review of one period against the one before.
///
/// ```
/// use crm_core::value::review::{review_pair, Period, ReviewConfig};
/// let (a, b) = (Period::new("a", vec![]).with_members([]), Period::new("b", vec![]).with_members([]));
/// let r = review_pair(&a, &b, &ReviewConfig::default())?;
/// assert_eq!((r.previous.as_str(), r.current.as_str()), ("a", "b"));
/// # Ok::<(), crm_core::value::review::ReviewError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct PeriodReview {
    /// Label of the previous period.
    pub previous: String,
    /// Label of this period.
    pub current: String,
    /// One move per customer of either period, ordered by customer id.
    pub moves: Vec<Move>,
    /// How many of each kind.
    pub counts: MoveCounts,
}

/// One cell of a review's transition matrix: how many customers went from
/// one tier (in force in the previous period) to another (in force now).
/// `None` as `from` is a new customer, as `to` a lost one.
///
/// ```
/// use crm_core::value::review::Transition;
/// let t = Transition { from: None, to: None, customers: 0 };
/// assert_eq!(t.customers, 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Transition {
    /// Tier in the previous period (`None`: new).
    pub from: Option<Tier>,
    /// Tier now (`None`: lost).
    pub to: Option<Tier>,
    /// Customers who made this move (never 0 in [`PeriodReview::transitions`]).
    pub customers: u64,
}

impl PeriodReview {
    /// The transition matrix as its non-empty cells, rows and columns in
    /// [`Tier::ALL`] order with "none" (new / lost) last. The cells add up
    /// to the number of moves: every customer is counted once.
    ///
    /// ```
    /// use crm_core::value::review::{review_pair, Period, ReviewConfig, TierSnapshot, Transition};
    /// use crm_core::value::tier::Tier;
    /// use rust_decimal_macros::dec;
    /// let s = |c: i64, tier| TierSnapshot { customer: c.into(), tier, value: dec!(1), rank: None };
    /// let a = Period::new("a", vec![s(1, Tier::Major), s(2, Tier::Major)]).with_members([1.into(), 2.into()]);
    /// let b = Period::new("b", vec![s(1, Tier::MostValuable), s(3, Tier::Ordinary)]).with_members([1.into(), 3.into()]);
    /// let t = review_pair(&a, &b, &ReviewConfig::default())?.transitions();
    /// assert_eq!(t, vec![
    ///     Transition { from: Some(Tier::Major), to: Some(Tier::MostValuable), customers: 1 },
    ///     Transition { from: Some(Tier::Major), to: None, customers: 1 },
    ///     Transition { from: None, to: Some(Tier::Ordinary), customers: 1 },
    /// ]);
    /// # Ok::<(), crm_core::value::review::ReviewError>(())
    /// ```
    pub fn transitions(&self) -> Vec<Transition> {
        let slots: Vec<Option<Tier>> = Tier::ALL.iter().copied().map(Some).chain([None]).collect();
        let slot = |t: Option<Tier>| {
            slots
                .iter()
                .position(|s| *s == t)
                .unwrap_or(slots.len() - 1)
        };
        let mut counts = vec![vec![0_u64; slots.len()]; slots.len()];
        for m in &self.moves {
            if let Some(c) = counts
                .get_mut(slot(m.from))
                .and_then(|row| row.get_mut(slot(m.to)))
            {
                *c += 1;
            }
        }
        let mut out = Vec::new();
        for (from, row) in slots.iter().zip(&counts) {
            for (to, &customers) in slots.iter().zip(row) {
                if customers > 0 {
                    out.push(Transition {
                        from: *from,
                        to: *to,
                        customers,
                    });
                }
            }
        }
        out
    }
}

/// Why a review could not be made.
///
/// ```
/// use crm_core::value::review::{review_pair, Period, ReviewConfig, ReviewError, TierSnapshot};
/// use crm_core::value::tier::Tier;
/// use rust_decimal_macros::dec;
/// let s = TierSnapshot { customer: 4.into(), tier: Tier::Major, value: dec!(1), rank: None };
/// let p = Period::new("may", vec![s.clone(), s]).with_members([4.into()]);
/// let e = review_pair(&p, &p, &ReviewConfig::default()).unwrap_err();
/// assert_eq!(e.to_string(), "customer 4 appears twice in period may (rows 1 and 2)");
/// let q = Period::new("june", vec![]);
/// let e = review_pair(&q, &q, &ReviewConfig::default()).unwrap_err();
/// assert!(e.to_string().starts_with("period june has no members"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum ReviewError {
    /// A customer listed twice in one period.
    #[error(
        "customer {customer} appears twice in period {period} (rows {first_row} and {second_row})"
    )]
    DuplicateCustomer {
        /// The period's label.
        period: String,
        /// The id.
        customer: CustomerId,
        /// Its first row (1-based data row).
        first_row: usize,
        /// The repeat (1-based data row).
        second_row: usize,
    },
    /// Under [`Membership::Base`], a period without its members.
    #[error(
        "period {period} has no members: the rule is membership from a customer base (give each period its members, \
         from a customer base or the inactivity rule) or, by explicit choice, membership by presence"
    )]
    NoMembers {
        /// The period's label.
        period: String,
    },
    /// Under [`Membership::Base`], a classified customer who is not a member.
    #[error(
        "period {period} row {row}: customer {customer} is classified but not in the customer base during the period: \
         the rule is every classified customer is a member"
    )]
    NotAMember {
        /// The period's label.
        period: String,
        /// The customer.
        customer: CustomerId,
        /// The classification row (1-based data row).
        row: usize,
    },
}

/// Reviews two consecutive periods.
///
/// # Errors
///
/// As [`review`].
///
/// ```
/// use crm_core::value::review::{review_pair, Membership, Period, ReviewConfig};
/// let presence = ReviewConfig { membership: Membership::Presence, ..Default::default() };
/// assert!(review_pair(&Period::new("a", vec![]), &Period::new("b", vec![]), &presence)?.moves.is_empty());
/// # Ok::<(), crm_core::value::review::ReviewError>(())
/// ```
pub fn review_pair(
    previous: &Period,
    current: &Period,
    config: &ReviewConfig,
) -> Result<PeriodReview, ReviewError> {
    let mut reviews = review(&[previous.clone(), current.clone()], config)?;
    Ok(reviews.pop().unwrap_or_else(|| PeriodReview {
        previous: previous.label.clone(),
        current: current.label.clone(),
        moves: Vec::new(),
        counts: MoveCounts::default(),
    }))
}

/// What the review remembers of a customer between periods.
#[derive(Debug, Clone, Copy)]
struct Standing {
    /// Tier in force.
    tier: Tier,
    value: Decimal,
    rank: Option<u64>,
    /// Consecutive periods measured below `tier`.
    below: u32,
    /// Highest tier measured during those periods.
    best_below: Tier,
}

/// Reviews each period against the one before: `periods.len() - 1` reviews.
///
/// # Errors
///
/// [`ReviewError::DuplicateCustomer`] when a period lists a customer twice;
/// under [`Membership::Base`], [`ReviewError::NoMembers`] for a period
/// without its members and [`ReviewError::NotAMember`] for a classified
/// customer who is not one.
///
/// ```
/// use crm_core::value::review::{review, GraceRule, MoveKind, Period, ReviewConfig, TierSnapshot};
/// use crm_core::value::tier::Tier::{self, *};
/// use rust_decimal_macros::dec;
/// let p = |label: &str, tier: Tier| Period::new(label, vec![TierSnapshot { customer: 1.into(), tier, value: dec!(1), rank: None }])
///     .with_members([1.into()]);
/// // Below for two periods with k = 1: held once, then demoted.
/// let config = ReviewConfig::with_grace(GraceRule { demote_after: 1 });
/// let r = review(&[p("m1", MostValuable), p("m2", Ordinary), p("m3", Major)], &config)?;
/// assert_eq!(r[0].moves[0].kind, MoveKind::Held);
/// assert_eq!(r[1].moves[0].kind, MoveKind::Demoted);
/// assert_eq!(r[1].moves[0].to, Some(Major)); // the best tier measured while below
/// # Ok::<(), crm_core::value::review::ReviewError>(())
/// ```
pub fn review(periods: &[Period], config: &ReviewConfig) -> Result<Vec<PeriodReview>, ReviewError> {
    let grace = config.grace;
    let mut measured = Vec::with_capacity(periods.len());
    for p in periods {
        check_unique(p)?;
        measured.push(membership::measured(p, config.membership)?);
    }
    let Some(first) = measured.first() else {
        return Ok(Vec::new());
    };
    let mut standing: BTreeMap<CustomerId, Standing> = first
        .iter()
        .map(|s| {
            (
                s.customer.clone(),
                Standing {
                    tier: s.tier,
                    value: s.value,
                    rank: s.rank,
                    below: 0,
                    best_below: s.tier,
                },
            )
        })
        .collect();
    let mut reviews = Vec::with_capacity(periods.len().saturating_sub(1));
    for (pair, snapshots) in periods.windows(2).zip(&measured[1..]) {
        let (previous, current) = (&pair[0], &pair[1]);
        let mut next: BTreeMap<CustomerId, Standing> = BTreeMap::new();
        let mut moves = Vec::with_capacity(snapshots.len());
        for s in snapshots {
            let before = standing.remove(&s.customer);
            let (m, now) = step(s, before, grace);
            moves.push(m);
            next.insert(s.customer.clone(), now);
        }
        for (customer, gone) in std::mem::take(&mut standing) {
            moves.push(Move {
                customer,
                kind: MoveKind::Lost,
                from: Some(gone.tier),
                to: None,
                measured: None,
                previous_value: Some(gone.value),
                current_value: None,
                previous_rank: gone.rank,
                current_rank: None,
                periods_below: 0,
            });
        }
        moves.sort_by(|a, b| a.customer.cmp(&b.customer));
        let mut counts = MoveCounts::default();
        moves.iter().for_each(|m| counts.add(m.kind));
        reviews.push(PeriodReview {
            previous: previous.label.clone(),
            current: current.label.clone(),
            moves,
            counts,
        });
        standing = next;
    }
    Ok(reviews)
}

/// One customer present in the current period: its move and new standing.
fn step(s: &TierSnapshot, before: Option<Standing>, grace: GraceRule) -> (Move, Standing) {
    let mut m = Move {
        customer: s.customer.clone(),
        kind: MoveKind::New,
        from: None,
        to: Some(s.tier),
        measured: Some(s.tier),
        previous_value: None,
        current_value: Some(s.value),
        previous_rank: None,
        current_rank: s.rank,
        periods_below: 0,
    };
    let fresh = Standing {
        tier: s.tier,
        value: s.value,
        rank: s.rank,
        below: 0,
        best_below: s.tier,
    };
    let Some(b) = before else { return (m, fresh) };
    m.from = Some(b.tier);
    m.previous_value = Some(b.value);
    m.previous_rank = b.rank;
    if s.tier >= b.tier {
        m.kind = if s.tier > b.tier {
            MoveKind::Promoted
        } else {
            MoveKind::Unchanged
        };
        return (m, fresh);
    }
    let below = b.below + 1;
    let best_below = if b.below == 0 {
        s.tier
    } else {
        b.best_below.max(s.tier)
    };
    if below > grace.demote_after {
        m.kind = MoveKind::Demoted;
        m.to = Some(best_below);
        (
            m,
            Standing {
                tier: best_below,
                ..fresh
            },
        )
    } else {
        m.kind = MoveKind::Held;
        m.to = Some(b.tier);
        m.periods_below = below;
        (
            m,
            Standing {
                tier: b.tier,
                below,
                best_below,
                ..fresh
            },
        )
    }
}

fn check_unique(p: &Period) -> Result<(), ReviewError> {
    let mut seen: HashMap<&CustomerId, usize> = HashMap::with_capacity(p.customers.len());
    for (row, s) in (1..).zip(&p.customers) {
        if let Some(&first_row) = seen.get(&s.customer) {
            return Err(ReviewError::DuplicateCustomer {
                period: p.label.clone(),
                customer: s.customer.clone(),
                first_row,
                second_row: row,
            });
        }
        seen.insert(&s.customer, row);
    }
    Ok(())
}

mod membership;
pub use membership::{Membership, ReviewConfig};

#[cfg(test)]
mod tests;
