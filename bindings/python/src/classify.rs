//! `classify`: tier, behaviours and treatment of every customer
//! (crm_core::value::assignment::assign), as an Arrow table.

use arrow::array::ArrayRef;
use crm_core::CustomerId;
use crm_core::value::assignment::{AssignmentConfig, AssignmentError, assign_owned};
use crm_core::value::behaviour::{BehaviourRules, BehaviourSignals};
use crm_core::value::tier::{Cutoffs, TierBasis, TierConfig, TierError};
use crm_core::value::treatment::TreatmentPolicy;
use crm_core::vocabulary::Vocabulary;
use crm_io::tables::{MoneyType, Table, tiers};
use pyo3::prelude::*;
use rust_decimal::Decimal;

use crate::convert::{Nulls, customer_ids, decimals, required_decimals};
use crate::error::{Error, Kind, Result, run};
use crate::input::{InputTable, same_length};
use crate::table::ArrowTable;

const WHAT: &str = "classify";

/// A decimal parameter given as text (Python passes `repr(float)`,
/// `str(Decimal)` or a string), by crm-core's exact rule.
pub fn decimal_param(name: &str, text: &str) -> Result<Decimal> {
    crm_core::parameter::decimal(name, text).map_err(|e| Error::core(WHAT, &e))
}

/// The assignment configuration from the call's parameters.
pub fn config(
    by: &str,
    cutoffs: Option<(String, String)>,
    price_driven_min_discount_share: Option<String>,
    unprofitable_below_net_margin: Option<String>,
    policy_json: Option<String>,
) -> Result<AssignmentConfig> {
    let basis = TierBasis::from_name(by).map_err(|e| Error::parameter("by", &e))?;
    let mut tiers = TierConfig::default_for(basis);
    if let Some((first, second)) = cutoffs {
        let first = decimal_param("cutoffs[0]", &first)?;
        let second = decimal_param("cutoffs[1]", &second)?;
        tiers.cutoffs = Cutoffs::new(first, second).map_err(tier_error)?;
    }
    let mut behaviours = BehaviourRules::default();
    if let Some(s) = price_driven_min_discount_share {
        behaviours.price_driven_min_discount_share =
            decimal_param("price_driven_min_discount_share", &s)?;
    }
    if let Some(s) = unprofitable_below_net_margin {
        behaviours.unprofitable_below_net_margin =
            decimal_param("unprofitable_below_net_margin", &s)?;
    }
    behaviours
        .validate()
        .map_err(|e| Error::core("invalid behaviour rules", &e))?;
    let policy = match policy_json {
        None => TreatmentPolicy::default(),
        Some(json) => crm_core::parameter::json::<TreatmentPolicy>("policy", &json)
            .map_err(|e| Error::core(WHAT, &e))?,
    };
    Ok(AssignmentConfig {
        tiers,
        behaviours,
        policy,
    })
}

/// A tier error as an exception (rule, row and class from crm-core).
pub fn tier_error(e: TierError) -> Error {
    Error::core(WHAT, &e)
}

/// An assignment error as an exception: crm-core's facts, with the field
/// named by the caller's column where the core names a role.
fn assignment_error(e: AssignmentError, value_column: &str, customer_column: &str) -> Error {
    let err = Error::core(WHAT, &e);
    match e {
        AssignmentError::DuplicateCustomer { .. } => err.column(customer_column),
        AssignmentError::Tier(TierError::Overflow { .. }) => err.column(value_column),
        _ => err,
    }
}

/// The Money type of result tables from its Python name.
pub fn money_type(name: &str) -> Result<MoneyType> {
    crate::table::money_type(name)
}

/// A crm-io table as the Python result table (same columns, no copy).
pub fn arrow_table(t: &Table) -> Result<ArrowTable> {
    let batch = t.batch().map_err(|e| {
        Error::new(
            Kind::Internal,
            format!("internal error building the result table: {e}"),
        )
    })?;
    let schema = batch.schema();
    ArrowTable::from_columns(
        schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .zip(batch.columns().iter().cloned())
            .collect(),
    )
}

/// What `classify` hands to Python: customers, tiers, configuration JSON and
/// the positive total as text.
pub type ClassifyOutput = (ArrowTable, ArrowTable, String, String);

/// The columns of behaviour signals, by role.
#[derive(Debug, Default, Clone)]
pub struct SignalColumns {
    /// Gross spend.
    pub spend: Option<String>,
    /// Spend on discount or promotion.
    pub discount_spend: Option<String>,
    /// Gross margin.
    pub margin: Option<String>,
    /// Cost to serve.
    pub cost_to_serve: Option<String>,
}

impl SignalColumns {
    /// (role, column name) of each signal, in `BehaviourSignals` order.
    pub fn roles(&self) -> [(&'static str, &Option<String>); 4] {
        [
            ("spend", &self.spend),
            ("discount_spend", &self.discount_spend),
            ("margin", &self.margin),
            ("cost_to_serve", &self.cost_to_serve),
        ]
    }
}

/// The columns of one `classify` call, converted for crm-core.
#[derive(Debug)]
pub struct Inputs {
    /// Customer ids.
    pub ids: Vec<CustomerId>,
    /// Values.
    pub values: Vec<Decimal>,
    /// Behaviour signals, when any signal column was named.
    pub signals: Option<Vec<BehaviourSignals>>,
}

/// Reads and converts the id, value and signal columns.
pub fn read_inputs(
    input: &InputTable,
    customer: &str,
    value: &str,
    signals: &SignalColumns,
) -> Result<Inputs> {
    let id_col = input.column(customer, "customer")?;
    let value_col = input.column(value, "value")?;
    let mut named: Vec<(&str, ArrayRef)> =
        vec![(customer, id_col.clone()), (value, value_col.clone())];
    let mut signal_cols: Vec<Option<ArrayRef>> = Vec::new();
    for (role, name) in signals.roles() {
        match name {
            Some(name) => {
                let col = input.column(name, role)?;
                named.push((name.as_str(), col.clone()));
                signal_cols.push(Some(col));
            }
            None => signal_cols.push(None),
        }
    }
    let refs: Vec<(&str, &ArrayRef)> = named.iter().map(|(n, a)| (*n, a)).collect();
    same_length(WHAT, &refs)?;
    let ids = customer_ids(WHAT, customer, &id_col)?.ids;
    let values = required_decimals(WHAT, value, "value", &value_col)?;
    let signals = if signal_cols.iter().any(Option::is_some) {
        let mut per_role: Vec<Option<Vec<Option<Decimal>>>> = Vec::new();
        for ((role, name), col) in signals.roles().iter().zip(&signal_cols) {
            per_role.push(match (name, col) {
                (Some(name), Some(col)) => Some(decimals(WHAT, name, role, col, Nulls::Keep)?),
                _ => None,
            });
        }
        let get = |k: usize, i: usize| per_role[k].as_ref().and_then(|v| v[i]);
        Some(
            (0..values.len())
                .map(|i| BehaviourSignals {
                    spend: get(0, i),
                    discount_spend: get(1, i),
                    margin: get(2, i),
                    cost_to_serve: get(3, i),
                })
                .collect::<Vec<_>>(),
        )
    } else {
        None
    };
    Ok(Inputs {
        ids,
        values,
        signals,
    })
}

/// An assignment error as an exception, with the caller's column names.
pub fn assignment_exception(
    e: AssignmentError,
    value: &str,
    customer: &str,
    signals: &SignalColumns,
) -> Error {
    let signal = matches!(e, AssignmentError::Behaviour { .. });
    let mut err = assignment_error(e, value, customer);
    if signal {
        // The role name (spend, ...) becomes the caller's column name.
        let user = signals
            .roles()
            .iter()
            .find(|(role, _)| err.column.as_deref() == Some(*role))
            .and_then(|(_, n)| (*n).clone());
        if let Some(user) = user {
            err.message = format!("{} (column `{user}`)", err.message);
            err.column = Some(user);
        }
    }
    err
}

/// The whole of `classify` after the input is read: pure Rust, no GIL.
pub fn classify_table(
    input: &InputTable,
    customer: &str,
    value: &str,
    signals: &SignalColumns,
    config: &AssignmentConfig,
    money: MoneyType,
) -> Result<ClassifyOutput> {
    let inputs = read_inputs(input, customer, value, signals)?;
    // The converted columns move into the result (no second copy), and an
    // int64 id column is shared with the result table.
    let a = assign_owned(inputs.ids, inputs.values, inputs.signals.as_deref(), config)
        .map_err(|e| assignment_exception(e, value, customer, signals))?;
    let id_column = input.column(customer, "customer")?;
    output(&a, money, &id_column)
}

/// `classify`'s output of assignments whose ids came from `id_column`.
pub fn output(
    a: &crm_core::value::assignment::Assignments,
    money: MoneyType,
    id_column: &ArrayRef,
) -> Result<ClassifyOutput> {
    let customers = arrow_table(&tiers::table_with_id_column(a, money, id_column))?;
    let tier_summary = arrow_table(&tiers::summary_table(a, money))?;
    let json = serde_json::to_string(a.config()).map_err(|e| {
        Error::new(
            Kind::Internal,
            format!("internal error serialising the configuration: {e}"),
        )
    })?;
    Ok((
        customers,
        tier_summary,
        json,
        a.classification().total().to_string(),
    ))
}

/// Python entry point (see `crm_engine.classify`).
#[pyfunction]
#[pyo3(signature = (
    values, *, customer, value, by = "value".to_owned(), cutoffs = None, spend = None, discount_spend = None, margin = None,
    cost_to_serve = None, price_driven_min_discount_share = None, unprofitable_below_net_margin = None,
    policy_json = None, money = "decimal128".to_owned()
))]
#[allow(clippy::too_many_arguments)]
pub fn classify(
    py: Python<'_>,
    values: &Bound<'_, PyAny>,
    customer: String,
    value: String,
    by: String,
    cutoffs: Option<(String, String)>,
    spend: Option<String>,
    discount_spend: Option<String>,
    margin: Option<String>,
    cost_to_serve: Option<String>,
    price_driven_min_discount_share: Option<String>,
    unprofitable_below_net_margin: Option<String>,
    policy_json: Option<String>,
    money: String,
) -> PyResult<ClassifyOutput> {
    let money = money_type(&money).map_err(|e| e.into_pyerr(py))?;
    let config = config(
        &by,
        cutoffs,
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
        classify_table(&input, &customer, &value, &signals, &config, money)
    })
}
