//! `review`: the moves between periods (crm_core::value::review), as Arrow tables.

use arrow::array::Array;
use crm_core::relationship::inactivity::{InactivityRule, members_by_inactivity};
use crm_core::value::review::{
    GraceRule, Membership, MoveKind, Period, PeriodReview, ReviewConfig, ReviewError, TierSnapshot,
    review,
};
use crm_core::value::tier::Tier;
use crm_core::vocabulary::Vocabulary;
use pyo3::prelude::*;

use crm_io::tables::{self, MoneyType};

use crate::convert::{customer_ids, optional_u64, required_decimals, strings};
use crate::error::{Error, Result, run};
use crate::input::{InputTable, same_length};
use crate::table::{ArrowTable, money_type};

const WHAT: &str = "review";

/// Column names of a period table.
#[derive(Debug, Clone)]
pub struct PeriodColumns {
    /// Customer id.
    pub customer: String,
    /// Tier name.
    pub tier: String,
    /// Value in the period.
    pub value: String,
    /// Rank (optional column).
    pub rank: Option<String>,
    /// Is a missing rank column an error?
    pub rank_required: bool,
}

/// One period table as crm-core's [`Period`].
pub fn period(input: &InputTable, label: &str, cols: &PeriodColumns) -> Result<Period> {
    let what = input.what;
    let ids_col = input.column(&cols.customer, "customer")?;
    let tier_col = input.column(&cols.tier, "tier")?;
    let value_col = input.column(&cols.value, "value")?;
    let rank_col = match &cols.rank {
        Some(r) if cols.rank_required || input.has(r) => Some(input.column(r, "rank")?),
        _ => None,
    };
    let mut named = vec![
        (cols.customer.as_str(), &ids_col),
        (cols.tier.as_str(), &tier_col),
        (cols.value.as_str(), &value_col),
    ];
    if let (Some(r), Some(c)) = (&cols.rank, &rank_col) {
        named.push((r.as_str(), c));
    }
    same_length(what, &named)?;
    let ids = customer_ids(what, &cols.customer, &ids_col)?;
    let tiers = strings(what, &cols.tier, "tier", &tier_col)?;
    let values = required_decimals(what, &cols.value, "value", &value_col)?;
    let ranks = match (&cols.rank, &rank_col) {
        (Some(r), Some(c)) => optional_u64(what, r, "rank", c)?,
        _ => vec![None; values.len()],
    };
    let mut customers = Vec::with_capacity(values.len());
    for (row, ((id, value), rank)) in ids.ids.into_iter().zip(values).zip(ranks).enumerate() {
        if tiers.is_null(row) {
            return Err(crate::convert::value_error(
                what,
                &cols.tier,
                row,
                crm_io::columns::ValueProblem::Missing,
            ));
        }
        let tier = <Tier as Vocabulary>::from_name(tiers.value(row)).map_err(|e| {
            let at = format!("{what}: row {}, column `{}`", row + 1, cols.tier);
            Error::core(&at, &e).at_index(row).column(&cols.tier)
        })?;
        customers.push(TierSnapshot {
            customer: id,
            tier,
            value,
            rank,
        });
    }
    Ok(Period::new(label, customers))
}

fn review_error(e: ReviewError, customer_column: &str) -> Error {
    Error::core(WHAT, &e).column(customer_column)
}

/// Counts of moves by (from, to) tier, `None` for new (from) or lost (to):
/// crm-core's transition matrix ([`PeriodReview::transitions`]).
pub type Transitions = Vec<(Option<&'static str>, Option<&'static str>, u64)>;

fn transitions(r: &PeriodReview) -> Transitions {
    r.transitions()
        .into_iter()
        .map(|t| {
            (
                t.from.map(Tier::as_str),
                t.to.map(Tier::as_str),
                t.customers,
            )
        })
        .collect()
}

/// One review as Python receives it.
pub type ReviewOutput = (
    String,
    String,
    ArrowTable,
    Vec<(&'static str, u64)>,
    Transitions,
);

/// Where the members of each period come from (under `Membership::Base`).
#[allow(missing_debug_implementations)]
pub struct MemberSource {
    /// The membership rule.
    pub membership: Membership,
    /// Each period's first day (`None`: from the beginning) and last day.
    pub windows: Vec<(Option<chrono::NaiveDate>, chrono::NaiveDate)>,
    /// A customer base table (spans), when given.
    pub base: Option<InputTable>,
    /// Summary tables whose first and last purchase days feed the inactivity rule.
    pub purchases: Vec<InputTable>,
    /// The inactivity rule's days.
    pub inactive_days: u32,
    /// Column names of the base table.
    pub base_names: crate::records::Names,
    /// Column names of the purchase tables.
    pub purchase_names: crate::records::Names,
}

fn with_members(periods: Vec<Period>, m: &MemberSource) -> Result<Vec<Period>> {
    if m.membership == Membership::Presence {
        return Ok(periods);
    }
    if m.base.is_none() && m.purchases.is_empty() {
        // No source of members: crm-core's review refuses the periods
        // (ReviewError::NoMembers, rule membership_from_customer_base).
        return Ok(periods);
    }
    if m.windows.len() != periods.len() {
        return Err(Error::core(
            WHAT,
            &crm_core::parameter::ParameterError::Count {
                name: "windows".to_owned(),
                expected: periods.len(),
                found: m.windows.len(),
            },
        ));
    }
    let base = m
        .base
        .as_ref()
        .map(|t| crate::records::customer_base(t, &m.base_names))
        .transpose()?;
    let mut days = Vec::new();
    for t in &m.purchases {
        for (c, first, last) in crate::records::purchase_days(t, &m.purchase_names)? {
            days.push((c.clone(), first));
            days.push((c, last));
        }
    }
    let rule = InactivityRule {
        days: m.inactive_days,
    };
    periods
        .into_iter()
        .zip(&m.windows)
        .map(|(p, &(first, last))| {
            let members = match &base {
                Some(b) => b.members_during(first, last),
                None => members_by_inactivity(days.iter().cloned(), first, last, rule)
                    .map_err(|e| Error::core(WHAT, &e))?,
            };
            Ok(p.with_members(members))
        })
        .collect()
}

/// Reviews consecutive period tables.
pub fn review_tables(
    inputs: &[(InputTable, String)],
    cols: &PeriodColumns,
    grace: u32,
    members: &MemberSource,
    money: MoneyType,
) -> Result<Vec<ReviewOutput>> {
    let mut periods = Vec::with_capacity(inputs.len());
    for (input, label) in inputs {
        periods.push(period(input, label, cols)?);
    }
    let periods = with_members(periods, members)?;
    let config = ReviewConfig {
        grace: GraceRule {
            demote_after: grace,
        },
        membership: members.membership,
    };
    let reviews = review(&periods, &config).map_err(|e| review_error(e, &cols.customer))?;
    reviews
        .iter()
        .map(|r| {
            let c = r.counts;
            let counts = vec![
                (MoveKind::Promoted.as_str(), c.promoted),
                (MoveKind::Demoted.as_str(), c.demoted),
                (MoveKind::Held.as_str(), c.held),
                (MoveKind::Unchanged.as_str(), c.unchanged),
                (MoveKind::New.as_str(), c.new),
                (MoveKind::Lost.as_str(), c.lost),
            ];
            Ok((
                r.previous.clone(),
                r.current.clone(),
                ArrowTable::from_table(&tables::review::moves(r, money))?,
                counts,
                transitions(r),
            ))
        })
        .collect()
}

/// Python entry point (see `crm_engine.review` and `crm_engine.review_periods`).
#[pyfunction]
#[pyo3(signature = (periods, labels, *, customer, tier, value, rank = None, rank_required = false, grace = None, money = "decimal128".to_owned(), membership = None, windows = Vec::new(), customer_base = None, purchases = Vec::new(), inactive_days = None, base_names = crate::records::Names::default(), purchase_names = crate::records::Names::default()))]
#[allow(clippy::too_many_arguments)]
pub fn review_periods(
    py: Python<'_>,
    periods: Vec<Bound<'_, PyAny>>,
    labels: Vec<String>,
    customer: String,
    tier: String,
    value: String,
    rank: Option<String>,
    rank_required: bool,
    grace: Option<Bound<'_, PyAny>>,
    money: String,
    membership: Option<Bound<'_, PyAny>>,
    windows: Vec<(Option<String>, String)>,
    customer_base: Option<Bound<'_, PyAny>>,
    purchases: Vec<Bound<'_, PyAny>>,
    inactive_days: Option<Bound<'_, PyAny>>,
    base_names: crate::records::Names,
    purchase_names: crate::records::Names,
) -> PyResult<Vec<ReviewOutput>> {
    let money = money_type(&money).map_err(|e| e.into_pyerr(py))?;
    let grace: u32 = crate::error::whole_opt(WHAT, "grace", grace.as_ref(), 0, u32::MAX.into())
        .map_err(|e| e.into_pyerr(py))?
        .unwrap_or(GraceRule::default().demote_after);
    // Not a str at all is an unknown name too (never a builtin TypeError).
    let membership = match membership {
        None => Membership::default(),
        Some(m) => {
            <Membership as Vocabulary>::from_name(&m.extract::<String>().unwrap_or_default())
                .map_err(|e| Error::parameter("membership", &e).into_pyerr(py))?
        }
    };
    // The inactivity rule's own default when the caller gives none.
    let inactive_days: u32 = crate::error::whole_opt(
        WHAT,
        "inactive_days",
        inactive_days.as_ref(),
        InactivityRule::MIN_DAYS.into(),
        u32::MAX.into(),
    )
    .map_err(|e| e.into_pyerr(py))?
    .unwrap_or(crm_core::relationship::inactivity::InactivityRule::default().days);
    let mut parsed = Vec::with_capacity(windows.len());
    for (first, last) in &windows {
        let p = crate::records::period(first.as_deref().unwrap_or(last), last)
            .map_err(|e| e.into_pyerr(py))?;
        parsed.push((first.as_ref().map(|_| p.first_day), p.last_day));
    }
    let members = MemberSource {
        membership,
        windows: parsed,
        base: customer_base
            .as_ref()
            .map(|b| InputTable::from_py("customer_base", b))
            .transpose()?,
        purchases: purchases
            .iter()
            .map(|t| InputTable::from_py("purchases", t))
            .collect::<PyResult<_>>()?,
        inactive_days,
        base_names,
        purchase_names,
    };
    if periods.len() != labels.len() {
        return Err(Error::core(
            WHAT,
            &crm_core::parameter::ParameterError::Count {
                name: "labels".to_owned(),
                expected: periods.len(),
                found: labels.len(),
            },
        )
        .into_pyerr(py));
    }
    let mut inputs = Vec::with_capacity(periods.len());
    for (i, (p, label)) in periods.iter().zip(labels).enumerate() {
        let what = if periods.len() == 2 {
            if i == 0 {
                "review (previous)"
            } else {
                "review (current)"
            }
        } else {
            "review (period)"
        };
        inputs.push((InputTable::from_py(what, p)?, label));
    }
    let cols = PeriodColumns {
        customer,
        tier,
        value,
        rank,
        rank_required,
    };
    run(py, move || {
        review_tables(&inputs, &cols, grace, &members, money)
    })
}
