//! Economics (crm_core::relationship::economics): CLV, customer equity, the revenue
//! identity's what-if and acquisition against retention. Parameters and
//! results travel as JSON with exact decimal strings.

use crm_core::relationship::economics::{
    AcquisitionRetention, Levers, RevenueModel, SegmentValue, clv, customer_equity, what_if,
};
use pyo3::prelude::*;
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::convert::Nulls;
use crate::error::{Error, Result, run};
use crate::input::InputTable;
use crate::records::{Names, float_col, json, numbers, text_column, whole};
use crate::table::ArrowTable;

#[derive(Deserialize)]
struct ClvParams {
    margin: Decimal,
    retention: Decimal,
    discount: Decimal,
}

#[derive(Deserialize)]
struct WhatIfParams {
    model: RevenueModel,
    levers: Levers,
}

#[derive(Deserialize)]
struct AcquisitionParams {
    costs: AcquisitionRetention,
    customers: u64,
}

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    crm_core::parameter::json("params", text).map_err(|e| Error::core("economics", &e))
}

fn config_error(e: impl crm_core::error::Diagnostic) -> Error {
    Error::core("economics", &e)
}

/// Python entry point: `kind` is `clv`, `what_if` or `acquisition_retention`;
/// parameters and result are JSON.
#[pyfunction]
pub fn economics(py: Python<'_>, kind: String, params_json: String) -> PyResult<String> {
    run(py, move || match kind.as_str() {
        "clv" => {
            let p: ClvParams = parse(&params_json)?;
            json(&clv(p.margin, p.retention, p.discount).map_err(config_error)?)
        }
        "what_if" => {
            let p: WhatIfParams = parse(&params_json)?;
            json(&what_if(&p.model, &p.levers).map_err(config_error)?)
        }
        "acquisition_retention" => {
            let p: AcquisitionParams = parse(&params_json)?;
            json(&p.costs.compare(p.customers).map_err(config_error)?)
        }
        _ => Err(Error::parameter(
            "kind",
            &crm_core::vocabulary::UnknownName {
                kind: "economics computation",
                allowed: vec!["clv", "what_if", "acquisition_retention"],
            },
        )),
    })
}

/// Python entry point (see `crm_engine.customer_equity`).
#[pyfunction]
#[pyo3(signature = (segments, *, names, discount))]
pub fn equity(
    py: Python<'_>,
    segments: &Bound<'_, PyAny>,
    names: Names,
    discount: String,
) -> PyResult<(ArrowTable, String)> {
    let input = InputTable::from_py("customer_equity", segments)?;
    run(py, move || {
        let discount: Decimal = crm_core::parameter::decimal("discount", &discount)
            .map_err(|e| Error::core("customer_equity", &e))?;
        let segment = text_column(&input, &names, "segment")?;
        let customers = whole(&input, &names, "customers")?;
        let margin: Vec<Decimal> = numbers(&input, &names, "margin", Nulls::Reject)?
            .into_iter()
            .flatten()
            .collect();
        let retention: Vec<Decimal> = numbers(&input, &names, "retention", Nulls::Reject)?
            .into_iter()
            .flatten()
            .collect();
        let list: Vec<SegmentValue> = (0..customers.len())
            .map(|i| SegmentValue {
                segment: segment[i].clone().unwrap_or_else(|| format!("row {i}")),
                customers: customers[i],
                margin: margin[i],
                retention: retention[i],
            })
            .collect();
        let e = customer_equity(&list, discount).map_err(|e| Error::core("customer_equity", &e))?;
        let table = ArrowTable::from_columns(vec![
            (
                "segment",
                crate::records::text_col(e.segments.iter().map(|s| Some(s.0.as_str()))),
            ),
            (
                "customers",
                crate::records::int_col(list.iter().map(|s| s.customers)),
            ),
            ("clv", float_col(e.segments.iter().map(|s| Some(s.1)))),
            ("equity", float_col(e.segments.iter().map(|s| Some(s.2)))),
        ])?;
        Ok((table, json(&e)?))
    })
}
