//! The partitioned tier walk for `crm_engine.spark.classify`: every Spark
//! task computes its partition's statistics, the driver makes the plan, and
//! every task classifies its partition with the plan
//! (crm_core::value::tier::partition). Statistics and plan travel as JSON
//! text; nothing here compares a value with a cut-off.

use crm_core::value::assignment::assign_partition;
use crm_core::value::tier::{PartitionPlan, PartitionStats};
use crm_io::tables::tiers;
use pyo3::prelude::*;

use crate::classify::{
    SignalColumns, arrow_table, assignment_exception, config, money_type, read_inputs, tier_error,
};
use crate::convert::required_decimals;
use crate::error::{Error, Kind, Result, run};
use crate::input::InputTable;
use crate::table::ArrowTable;

const WHAT: &str = "classify";

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| {
        Error::new(
            Kind::Internal,
            format!("internal error serialising partition figures: {e}"),
        )
    })
}

fn from_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    crm_core::parameter::json(what, text).map_err(|e| Error::core(WHAT, &e))
}

/// One partition's statistics as JSON (`crm_engine.spark.classify`, first
/// pass), and the largest decimal scale in its money columns (`value` and
/// `money_columns`, e.g. margin and cost to serve): what the exact money
/// columns of the result need, declared to Spark before the second pass.
#[pyfunction]
#[pyo3(signature = (values, *, value, partition, money_columns = Vec::new()))]
pub fn tier_partition_stats(
    py: Python<'_>,
    values: &Bound<'_, PyAny>,
    value: String,
    partition: u32,
    money_columns: Vec<String>,
) -> PyResult<(String, u32)> {
    let input = InputTable::from_py(WHAT, values)?;
    run(py, move || {
        let column = input.column(&value, "value")?;
        let decimals = required_decimals(WHAT, &value, "value", &column)?;
        let mut scale = decimals.iter().map(|d| d.scale()).max().unwrap_or(0);
        for name in &money_columns {
            let column = input.column(name, name)?;
            let money =
                crate::convert::decimals(WHAT, name, name, &column, crate::convert::Nulls::Keep)?;
            scale = scale.max(money.iter().flatten().map(|d| d.scale()).max().unwrap_or(0));
        }
        let stats = PartitionStats::of(partition, &decimals).map_err(tier_error)?;
        Ok((to_json(&stats)?, scale))
    })
}

/// The plan of a ranking from every partition's statistics (JSON texts), as
/// JSON; `by` and `cutoffs` as in `classify`.
#[pyfunction]
#[pyo3(signature = (stats, *, by = "value".to_owned(), cutoffs = None))]
pub fn tier_partition_plan(
    py: Python<'_>,
    stats: Vec<String>,
    by: String,
    cutoffs: Option<(String, String)>,
) -> PyResult<String> {
    run(py, move || {
        let tiers = config(&by, cutoffs, None, None, None)?.tiers;
        let stats = stats
            .iter()
            .map(|s| from_json::<PartitionStats>("partition statistics", s))
            .collect::<Result<Vec<_>>>()?;
        let plan = PartitionPlan::new(&tiers, &stats).map_err(tier_error)?;
        to_json(&plan)
    })
}

/// One partition's customers table (the layout of `classify`) from the plan.
#[pyfunction]
#[pyo3(signature = (
    values, *, customer, value, plan, partition, spend = None, discount_spend = None, margin = None,
    cost_to_serve = None, price_driven_min_discount_share = None, unprofitable_below_net_margin = None,
    policy_json = None, money = "decimal128".to_owned()
))]
#[allow(clippy::too_many_arguments)]
pub fn classify_partition(
    py: Python<'_>,
    values: &Bound<'_, PyAny>,
    customer: String,
    value: String,
    plan: String,
    partition: u32,
    spend: Option<String>,
    discount_spend: Option<String>,
    margin: Option<String>,
    cost_to_serve: Option<String>,
    price_driven_min_discount_share: Option<String>,
    unprofitable_below_net_margin: Option<String>,
    policy_json: Option<String>,
    money: String,
) -> PyResult<ArrowTable> {
    let money = money_type(&money).map_err(|e| e.into_pyerr(py))?;
    // The plan carries the tier configuration; the rest is per customer.
    let config = config(
        "value",
        None,
        price_driven_min_discount_share,
        unprofitable_below_net_margin,
        policy_json,
    )
    .map_err(|e| e.into_pyerr(py))?;
    let input = InputTable::from_py(WHAT, values)?;
    let signals = SignalColumns {
        spend,
        discount_spend,
        margin,
        cost_to_serve,
    };
    run(py, move || {
        let plan: PartitionPlan = from_json("partition plan", &plan)?;
        let inputs = read_inputs(&input, &customer, &value, &signals)?;
        let a = assign_partition(
            &inputs.ids,
            &inputs.values,
            inputs.signals.as_deref(),
            &config,
            &plan,
            partition,
        )
        .map_err(|e| assignment_exception(e, &value, &customer, &signals))?;
        arrow_table(&tiers::table(&a, money))
    })
}

/// Adds this module's functions to the extension.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(tier_partition_stats, m)?)?;
    m.add_function(wrap_pyfunction!(tier_partition_plan, m)?)?;
    m.add_function(wrap_pyfunction!(classify_partition, m)?)?;
    Ok(())
}
