//! `review`: the moves between periods (crm_core::value::review), as Arrow tables.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Float64Builder, Int32Builder, Int64Builder, StringBuilder};
use crm_core::CustomerId;
use crm_core::value::review::{GraceRule, Period, PeriodReview, ReviewError, TierSnapshot, review};
use crm_core::value::tier::Tier;
use crm_core::vocabulary::Vocabulary;
use pyo3::prelude::*;

use crate::convert::{customer_ids, f64_of, ids_array, optional_u64, required_decimals, strings};
use crate::error::{Error, Kind, Result, run};
use crate::input::{InputTable, same_length};
use crate::table::ArrowTable;

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
            return Err(Error::new(
                Kind::Value,
                format!(
                    "{what}: row {}, column `{}`: tier is missing (null)",
                    row + 1,
                    cols.tier
                ),
            )
            .at_index(row)
            .column(&cols.tier)
            .rule("not_null"));
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

/// The moves of one review as a table, ordered by customer id.
pub fn moves_table(r: &PeriodReview) -> Result<ArrowTable> {
    let n = r.moves.len();
    let ids: Vec<CustomerId> = r.moves.iter().map(|m| m.customer.clone()).collect();
    let mut kind = StringBuilder::with_capacity(n, n * 8);
    let mut from = StringBuilder::with_capacity(n, n * 8);
    let mut to = StringBuilder::with_capacity(n, n * 8);
    let mut measured = StringBuilder::with_capacity(n, n * 8);
    let mut pv = Float64Builder::with_capacity(n);
    let mut cv = Float64Builder::with_capacity(n);
    let mut pr = Int64Builder::with_capacity(n);
    let mut cr = Int64Builder::with_capacity(n);
    let mut below = Int32Builder::with_capacity(n);
    for m in &r.moves {
        kind.append_value(m.kind.name());
        from.append_option(m.from.map(Tier::as_str));
        to.append_option(m.to.map(Tier::as_str));
        measured.append_option(m.measured.map(Tier::as_str));
        pv.append_option(m.previous_value.map(f64_of));
        cv.append_option(m.current_value.map(f64_of));
        pr.append_option(m.previous_rank.map(|x| x as i64));
        cr.append_option(m.current_rank.map(|x| x as i64));
        below.append_value(i32::try_from(m.periods_below).unwrap_or(i32::MAX));
    }
    ArrowTable::from_columns(vec![
        ("customer_id", ids_array(&ids)),
        ("move", Arc::new(kind.finish()) as ArrayRef),
        ("from_tier", Arc::new(from.finish())),
        ("to_tier", Arc::new(to.finish())),
        ("measured_tier", Arc::new(measured.finish())),
        ("previous_value", Arc::new(pv.finish())),
        ("current_value", Arc::new(cv.finish())),
        ("previous_rank", Arc::new(pr.finish())),
        ("current_rank", Arc::new(cr.finish())),
        ("periods_below", Arc::new(below.finish())),
    ])
}

/// Counts of moves by (from, to) tier, `None` for new (from) or lost (to).
pub type Transitions = Vec<(Option<&'static str>, Option<&'static str>, u64)>;

fn transitions(r: &PeriodReview) -> Transitions {
    let slot = |t: Option<Tier>| match t {
        Some(Tier::MostValuable) => 0,
        Some(Tier::Major) => 1,
        Some(Tier::Ordinary) => 2,
        Some(Tier::Inactive) => 3,
        None => 4,
    };
    let mut counts = [[0_u64; 5]; 5];
    for m in &r.moves {
        counts[slot(m.from)][slot(m.to)] += 1;
    }
    let name = |i: usize| Tier::ALL.get(i).map(|t| t.as_str());
    let mut out = Vec::new();
    for (i, row) in counts.iter().enumerate() {
        for (j, &c) in row.iter().enumerate() {
            if c > 0 {
                out.push((name(i), name(j), c));
            }
        }
    }
    out
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
                ("promoted", c.promoted),
                ("demoted", c.demoted),
                ("held", c.held),
                ("unchanged", c.unchanged),
                ("new", c.new),
                ("lost", c.lost),
            ];
            Ok((
                r.previous.clone(),
                r.current.clone(),
                moves_table(r)?,
                counts,
                transitions(r),
            ))
        })
        .collect()
}

/// Python entry point (see `crm_engine.review` and `crm_engine.review_periods`).
#[pyfunction]
#[pyo3(signature = (periods, labels, *, customer, tier, value, rank = None, rank_required = false, grace = 0))]
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
    grace: u32,
) -> PyResult<Vec<ReviewOutput>> {
    if periods.len() != labels.len() {
        return Err(Error::new(
            Kind::Config,
            format!(
                "{WHAT}: {} periods but {} labels: give one label per period",
                periods.len(),
                labels.len()
            ),
        )
        .rule("labels")
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
    run(py, move || review_tables(&inputs, &cols, grace))
}
