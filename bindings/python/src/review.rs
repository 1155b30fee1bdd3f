//! `review`: the moves between periods (crm_core::value::review), as Arrow tables.

use arrow::array::Array;
use crm_core::value::review::{
    GraceRule, MoveKind, Period, PeriodReview, ReviewError, TierSnapshot, review,
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

/// Reviews consecutive period tables.
pub fn review_tables(
    inputs: &[(InputTable, String)],
    cols: &PeriodColumns,
    grace: u32,
    money: MoneyType,
) -> Result<Vec<ReviewOutput>> {
    let mut periods = Vec::with_capacity(inputs.len());
    for (input, label) in inputs {
        periods.push(period(input, label, cols)?);
    }
    let reviews = review(
        &periods,
        GraceRule {
            demote_after: grace,
        },
    )
    .map_err(|e| review_error(e, &cols.customer))?;
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
#[pyo3(signature = (periods, labels, *, customer, tier, value, rank = None, rank_required = false, grace = None, money = "decimal128".to_owned()))]
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
) -> PyResult<Vec<ReviewOutput>> {
    let money = money_type(&money).map_err(|e| e.into_pyerr(py))?;
    let grace: u32 = crate::error::whole_opt(WHAT, "grace", grace.as_ref(), 0, u32::MAX.into())
        .map_err(|e| e.into_pyerr(py))?
        .unwrap_or(0);
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
    run(py, move || review_tables(&inputs, &cols, grace, money))
}
