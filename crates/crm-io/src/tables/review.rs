//! The review table (`review`): one row per customer seen in either
//! period, the move and the figures behind it (docs/DOMAIN.md section 1: every
//! change explainable).

use crm_core::CustomerId;
use crm_core::value::review::PeriodReview;
use crm_core::value::tier::Tier;

use super::{MoneyType, Table, counts, ids, money, optional_counts, optional_texts, texts};

/// One row per move, ordered by customer id: `move`, `from_tier` and
/// `to_tier` (in force; null when new / lost), `measured_tier` (before the
/// grace rule), both periods' values and ranks, and `periods_below`.
///
/// ```
/// use crm_core::value::review::{review_pair, Period, ReviewConfig};
/// use crm_io::tables::{MoneyType, review::moves};
/// let (a, b) = (Period::new("a", vec![]).with_members([]), Period::new("b", vec![]).with_members([]));
/// let r = review_pair(&a, &b, &ReviewConfig::default())?;
/// assert_eq!(moves(&r, MoneyType::Decimal128).names()[1], "move");
/// # Ok::<(), crm_core::value::review::ReviewError>(())
/// ```
pub fn moves(r: &PeriodReview, m: MoneyType) -> Table {
    let tier = |t: Option<Tier>| t.map(Tier::as_str);
    let customers: Vec<CustomerId> = r.moves.iter().map(|x| x.customer.clone()).collect();
    let mut t = Table::default();
    t.push("customer_id", ids(&customers))
        .push("move", texts(r.moves.iter().map(|x| x.kind.as_str())))
        .push(
            "from_tier",
            optional_texts(r.moves.iter().map(|x| tier(x.from))),
        )
        .push(
            "to_tier",
            optional_texts(r.moves.iter().map(|x| tier(x.to))),
        )
        .push(
            "measured_tier",
            optional_texts(r.moves.iter().map(|x| tier(x.measured))),
        )
        .push(
            "previous_value",
            money(
                m,
                r.moves.iter().map(|x| x.previous_value).collect::<Vec<_>>(),
            ),
        )
        .push(
            "current_value",
            money(
                m,
                r.moves.iter().map(|x| x.current_value).collect::<Vec<_>>(),
            ),
        )
        .push(
            "previous_rank",
            optional_counts(r.moves.iter().map(|x| x.previous_rank)),
        )
        .push(
            "current_rank",
            optional_counts(r.moves.iter().map(|x| x.current_rank)),
        )
        .push(
            "periods_below",
            counts(r.moves.iter().map(|x| u64::from(x.periods_below))),
        );
    t
}
