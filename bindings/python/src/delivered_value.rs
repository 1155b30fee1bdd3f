//! `delivered_value`: offers compared by customer delivered value
//! (crm_core::relationship::delivered_value), per segment, as Arrow tables.

use std::collections::BTreeMap;

use crm_core::relationship::delivered_value::{
    Amount, Component, DeliveredValueError, Offer, OfferComparison, WeightTable, compare_offers,
};
use pyo3::prelude::*;
use rust_decimal::Decimal;

use crate::error::{Error, Result, run};
use crate::input::InputTable;
use crate::records::{
    Names, bool_col, float_col, json, name, optional_numbers, text_col, text_column,
};
use crate::table::ArrowTable;

const WHAT: &str = "delivered_value";

/// One component's amounts per row: money, or quantity × unit value.
fn component(input: &InputTable, names: &Names, c: Component) -> Result<Vec<Amount>> {
    let n = input.num_rows();
    let money = optional_numbers(input, names, c.as_str())?;
    let q_role = format!("{}_quantity", c.as_str());
    let u_role = format!("{}_unit_value", c.as_str());
    let quantity = optional_numbers(input, names, &q_role)?;
    let unit = optional_numbers(input, names, &u_role)?;
    let mut out = Vec::with_capacity(n);
    for row in 0..n {
        let m = money.as_ref().and_then(|v| v[row]);
        let q = quantity.as_ref().and_then(|v| v[row]);
        let u = unit.as_ref().and_then(|v| v[row]);
        let any_column = money.is_some() || quantity.is_some() || unit.is_some();
        out.push(match (m, q, u) {
            (Some(m), _, _) => Amount::Money(m),
            (None, Some(quantity), Some(unit_value)) => Amount::Quantity {
                quantity,
                unit_value,
            },
            (None, None, None) if !any_column => Amount::Money(Decimal::ZERO),
            _ => {
                let mut err = crate::convert::value_error(
                    WHAT,
                    name(names, c.as_str()),
                    row,
                    crm_io::columns::ValueProblem::Missing,
                );
                err.message = format!(
                    "{}: give `{}` (money) or both `{q_role}` and `{u_role}`",
                    err.message,
                    name(names, c.as_str())
                );
                return Err(err);
            }
        });
    }
    Ok(out)
}

fn offers(input: &InputTable, names: &Names) -> Result<Vec<(Option<String>, Offer)>> {
    let offer_names = text_column(input, names, "offer")?;
    if !input.has(name(names, "offer")) {
        input.column(name(names, "offer"), "offer")?;
    }
    let segments = text_column(input, names, "segment")?;
    let parts = Component::ALL
        .iter()
        .map(|c| component(input, names, *c))
        .collect::<Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(offer_names.len());
    for (row, n) in offer_names.into_iter().enumerate() {
        let offer = n.ok_or_else(|| {
            crate::convert::value_error(
                WHAT,
                name(names, "offer"),
                row,
                crm_io::columns::ValueProblem::Missing,
            )
        })?;
        let at = |i: usize| parts[i][row];
        let o = Offer {
            name: offer,
            value: [at(0), at(1), at(2), at(3)],
            cost: [at(4), at(5), at(6), at(7)],
        };
        out.push((segments[row].clone(), o));
    }
    Ok(out)
}

/// A core error of one segment's offers: the core counts rows within the
/// segment (1-based); `rows` maps them back to 0-based input positions.
fn core_error(e: DeliveredValueError, rows: &[usize]) -> Error {
    use crm_core::error::Diagnostic;
    let index = e
        .row()
        .and_then(|r| usize::try_from(r).ok())
        .and_then(|r| rows.get(r.checked_sub(1)?).copied());
    let mut err = Error::core(WHAT, &e);
    err.row = None;
    match index {
        Some(i) => {
            err.message = format!("{} (input row {})", err.message, i + 1);
            err.at_index(i)
        }
        None => err,
    }
}

/// Comparisons by segment (no segment column: one comparison).
pub fn compare(
    input: &InputTable,
    names: &Names,
    ours: &str,
    weights: &WeightTable,
) -> Result<Vec<(Option<String>, OfferComparison)>> {
    let mut groups: BTreeMap<Option<String>, (Vec<Offer>, Vec<usize>)> = BTreeMap::new();
    for (row, (segment, offer)) in offers(input, names)?.into_iter().enumerate() {
        let g = groups.entry(segment).or_default();
        g.0.push(offer);
        g.1.push(row);
    }
    groups
        .into_iter()
        .map(|(segment, (list, rows))| {
            let w = weights.for_segment(segment.as_deref());
            let c = compare_offers(&list, ours, w).map_err(|e| core_error(e, &rows))?;
            Ok((segment, c))
        })
        .collect()
}

/// What Python receives: offers, comparisons and gaps tables, and the JSON.
pub type Output = (ArrowTable, ArrowTable, ArrowTable, String);

fn offers_table(all: &[(Option<String>, OfferComparison)]) -> Result<ArrowTable> {
    let rows: Vec<_> = all
        .iter()
        .flat_map(|(s, c)| c.offers.iter().map(move |o| (s, c, o)))
        .collect();
    let mut cols = vec![
        ("segment", text_col(rows.iter().map(|r| r.0.as_deref()))),
        (
            "offer",
            text_col(rows.iter().map(|r| Some(r.2.offer.as_str()))),
        ),
        ("ours", bool_col(rows.iter().map(|r| r.2.offer == r.1.ours))),
        (
            "chosen",
            bool_col(rows.iter().map(|r| r.2.offer == r.1.chosen)),
        ),
    ];
    for c in Component::ALL {
        cols.push((
            c.as_str(),
            float_col(rows.iter().map(|r| Some(r.2.components[c as usize]))),
        ));
    }
    cols.push((
        "total_value",
        float_col(rows.iter().map(|r| Some(r.2.total_value))),
    ));
    cols.push((
        "total_cost",
        float_col(rows.iter().map(|r| Some(r.2.total_cost))),
    ));
    cols.push((
        "delivered_value",
        float_col(rows.iter().map(|r| Some(r.2.delivered_value))),
    ));
    cols.push((
        "value_cost_ratio",
        float_col(rows.iter().map(|r| r.2.value_cost_ratio)),
    ));
    ArrowTable::from_columns(cols)
}

fn comparisons_table(all: &[(Option<String>, OfferComparison)]) -> Result<ArrowTable> {
    ArrowTable::from_columns(vec![
        ("segment", text_col(all.iter().map(|r| r.0.as_deref()))),
        (
            "ours",
            text_col(all.iter().map(|r| Some(r.1.ours.as_str()))),
        ),
        (
            "chosen",
            text_col(all.iter().map(|r| Some(r.1.chosen.as_str()))),
        ),
        (
            "best_competitor",
            text_col(all.iter().map(|r| r.1.best_competitor.as_deref())),
        ),
        ("advantage", float_col(all.iter().map(|r| r.1.advantage))),
    ])
}

fn gaps_table(all: &[(Option<String>, OfferComparison)]) -> Result<ArrowTable> {
    let rows: Vec<_> = all
        .iter()
        .flat_map(|(s, c)| c.gaps.iter().map(move |g| (s, c, g)))
        .collect();
    ArrowTable::from_columns(vec![
        ("segment", text_col(rows.iter().map(|r| r.0.as_deref()))),
        (
            "competitor",
            text_col(rows.iter().map(|r| r.1.best_competitor.as_deref())),
        ),
        (
            "component",
            text_col(rows.iter().map(|r| Some(r.2.component.as_str()))),
        ),
        ("ours", float_col(rows.iter().map(|r| Some(r.2.ours)))),
        ("theirs", float_col(rows.iter().map(|r| Some(r.2.theirs)))),
        ("effect", float_col(rows.iter().map(|r| Some(r.2.effect)))),
    ])
}

/// Python entry point (see `crm_engine.delivered_value`).
#[pyfunction]
#[pyo3(signature = (offers, *, names, ours, weights_json = None))]
pub fn delivered_value(
    py: Python<'_>,
    offers: &Bound<'_, PyAny>,
    names: Names,
    ours: String,
    weights_json: Option<String>,
) -> PyResult<Output> {
    let input = InputTable::from_py(WHAT, offers)?;
    run(py, move || {
        let weights: WeightTable = match weights_json {
            None => WeightTable::default(),
            Some(j) => {
                crm_core::parameter::json("weights", &j).map_err(|e| Error::core(WHAT, &e))?
            }
        };
        let all = compare(&input, &names, &ours, &weights)?;
        let pairs: Vec<(Option<&str>, &OfferComparison)> =
            all.iter().map(|(s, c)| (s.as_deref(), c)).collect();
        Ok((
            offers_table(&all)?,
            comparisons_table(&all)?,
            gaps_table(&all)?,
            json(&pairs)?,
        ))
    })
}
