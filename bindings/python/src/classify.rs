//! `classify`: tier, behaviours and treatment of every customer
//! (crm_core::value::assignment::assign), as an Arrow table.

use std::str::FromStr;
use std::sync::Arc;

use std::collections::HashMap;

use arrow::array::{
    ArrayRef, BooleanBuilder, DictionaryArray, Float64Array, Float64Builder, Int8Array, Int32Array,
    Int64Array, Int64Builder, ListBuilder, StringArray, StringBuilder,
};
use arrow::datatypes::Int8Type;
use crm_core::value::assignment::{AssignmentConfig, AssignmentError, Assignments, assign};
use crm_core::value::behaviour::{Behaviour, BehaviourRules, BehaviourSignals};
use crm_core::value::tier::{Cutoffs, Tier, TierBasis, TierConfig, TierError};
use crm_core::value::treatment::{Cadence, ServiceModel, Strategy, TreatmentPolicy};
use crm_core::vocabulary::{DECISIONS, Vocabulary};
use pyo3::prelude::*;
use rust_decimal::Decimal;

use crate::convert::{Nulls, customer_ids, decimals, f64_of, f64_ratio, required_decimals};
use crate::error::{Error, Kind, Result, run};
use crate::input::{InputTable, same_length};
use crate::table::ArrowTable;

const WHAT: &str = "classify";

/// A decimal parameter given as text (Python passes `repr(float)`, `str(Decimal)` or a string).
pub fn decimal_param(name: &str, text: &str) -> Result<Decimal> {
    let t = text.trim();
    let parsed = if t.contains(['e', 'E']) {
        Decimal::from_scientific(t)
    } else {
        Decimal::from_str(t)
    };
    parsed.map_err(|_| {
        Error::new(
            Kind::Config,
            format!("{name} must be a decimal number, got {t:?}"),
        )
        .rule("decimal_parameter")
    })
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
    behaviours.validate().map_err(|e| {
        Error::new(Kind::Config, format!("invalid behaviour rules: {e}")).rule("behaviour_rules")
    })?;
    let policy = match policy_json {
        None => TreatmentPolicy::default(),
        Some(json) => serde_json::from_str::<TreatmentPolicy>(&json).map_err(|e| {
            Error::new(Kind::Config, format!("invalid treatment policy: {e}"))
                .rule("treatment_policy")
        })?,
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

/// A dictionary-encoded text column from small codes: pandas reads it as a
/// categorical, polars as a categorical, pyarrow as `dictionary<int8, string>`;
/// values compare equal to their names.
fn dictionary(codes: Vec<i8>, names: &[&str]) -> Result<ArrayRef> {
    let keys = Int8Array::from(codes);
    let values = StringArray::from(names.to_vec());
    DictionaryArray::<Int8Type>::try_new(keys, Arc::new(values))
        .map(|d| Arc::new(d) as ArrayRef)
        .map_err(|e| {
            Error::new(
                Kind::Internal,
                format!("internal error building a dictionary column: {e}"),
            )
        })
}

fn code_of(names: &[&str], name: &str) -> i8 {
    names
        .iter()
        .position(|n| *n == name)
        .map_or(-1, |p| p as i8)
}

/// The evidence of one tie group, as output columns need it.
#[derive(Debug, Clone, Copy, Default)]
pub struct GroupFigures {
    share: Option<f64>,
    before: Option<f64>,
    after: Option<f64>,
    size: i64,
    decision: i8,
}

fn figures(why: &crm_core::value::tier::Explanation) -> GroupFigures {
    GroupFigures {
        share: why.share.map(f64_ratio),
        before: why.cumulative_share_before.map(f64_ratio),
        after: why.cumulative_share_after.map(f64_ratio),
        size: why.tie_group_size as i64,
        decision: code_of(&DECISIONS, why.decision.name()),
    }
}

/// The rank and evidence of every customer: crm-core's `rank` once per
/// customer and `explain` once per tie group (the members of a group share
/// rank, value and every figure), each spread over the available cores.
/// Pure and deterministic: the same figures as `explain` for every customer.
pub fn group_figures(
    c: &crm_core::value::tier::Classification,
) -> Result<(Vec<Option<u64>>, Vec<GroupFigures>)> {
    let n = c.len();
    let missing = || {
        Error::new(
            Kind::Internal,
            "internal error: classification shorter than its input",
        )
    };
    let threads = crate::max_threads();
    let indices: Vec<usize> = (0..n).collect();
    let ranks: Vec<Option<u64>> = parallel_map(&indices, threads, |&i| c.rank(i));
    // One representative per rank (= per tie group); inactive customers
    // share one set of figures.
    let mut rep: Vec<u32> = vec![u32::MAX; n + 2];
    let mut inactive: Option<usize> = None;
    for (i, r) in ranks.iter().enumerate() {
        match r {
            Some(r) => {
                let slot = &mut rep[(*r as usize).min(n + 1)];
                if *slot == u32::MAX {
                    *slot = i as u32;
                }
            }
            None => {
                inactive.get_or_insert(i);
            }
        }
    }
    let reps: Vec<(usize, usize)> = rep
        .iter()
        .enumerate()
        .filter(|(_, i)| **i != u32::MAX)
        .map(|(r, i)| (r, *i as usize))
        .collect();
    let explained = parallel_map(&reps, threads, |&(_, i)| c.explain(i).map(|w| figures(&w)));
    let mut by_rank: Vec<GroupFigures> = vec![GroupFigures::default(); n + 2];
    for (&(r, _), f) in reps.iter().zip(explained) {
        by_rank[r] = f.ok_or_else(missing)?;
    }
    let inactive_figures = match inactive {
        Some(i) => figures(&c.explain(i).ok_or_else(missing)?),
        None => GroupFigures::default(),
    };
    let per_row = ranks
        .iter()
        .map(|r| match r {
            Some(r) => by_rank[(*r as usize).min(n + 1)],
            None => inactive_figures,
        })
        .collect();
    Ok((ranks, per_row))
}

/// `items.map(f)` in order, split over `threads` scoped threads.
fn parallel_map<T: Sync, U: Send + Clone + Default>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> U + Sync,
) -> Vec<U> {
    if threads <= 1 || items.len() < 10_000 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    let parts: Vec<Vec<U>> = std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<U>>()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let out: Vec<U> = parts.into_iter().flatten().collect();
    if out.len() == items.len() {
        out
    } else {
        // A worker panicked (a bug): compute in this thread, where the panic
        // guard of the binding call catches a repeat.
        items.iter().map(f).collect()
    }
}

/// The per-customer table of an assignment run, in input order.
pub fn customer_table(a: &Assignments, ids: ArrayRef) -> Result<ArrowTable> {
    let n = a.len();
    let c = a.classification();
    let (ranks, groups) = group_figures(c)?;
    let mut value = Vec::with_capacity(n);
    let mut rank = Int64Builder::with_capacity(n);
    let mut share = Float64Builder::with_capacity(n);
    let mut cum_before = Float64Builder::with_capacity(n);
    let mut cum_after = Float64Builder::with_capacity(n);
    let mut group = Vec::with_capacity(n);
    let mut tier = Vec::with_capacity(n);
    let mut decision = Vec::with_capacity(n);
    let mut behaviours = ListBuilder::new(StringBuilder::new());
    let mut price_driven = BooleanBuilder::with_capacity(n);
    let mut unprofitable = BooleanBuilder::with_capacity(n);
    let mut discount_share = Float64Builder::with_capacity(n);
    let mut net_margin = Float64Builder::with_capacity(n);
    let mut strategy = Vec::with_capacity(n);
    let mut service = Vec::with_capacity(n);
    let mut contact = Vec::with_capacity(n);
    let mut response = Vec::with_capacity(n);
    let mut rule = Vec::with_capacity(n);
    let missing = || {
        Error::new(
            Kind::Internal,
            "internal error: assignment shorter than its input",
        )
    };
    // Treatments depend only on (tier, behaviours): look each pair up once.
    let mut treatments: HashMap<(u8, u8), (crm_core::value::treatment::Treatment, usize)> =
        HashMap::new();
    for (i, g) in groups.iter().enumerate() {
        let t = c.tier(i).ok_or_else(missing)?;
        let ev = a.behaviour(i).ok_or_else(missing)?;
        let key = (
            t as u8,
            ev.behaviours
                .iter()
                .fold(0_u8, |acc, b| acc | (1 << (b as u8))),
        );
        let (tr, rule_index) = match treatments.get(&key) {
            Some(x) => *x,
            None => {
                let x = a.treatment(i).ok_or_else(missing)?;
                treatments.insert(key, x);
                x
            }
        };
        value.push(f64_of(c.value(i).ok_or_else(missing)?));
        rank.append_option(ranks[i].map(|r| r as i64));
        share.append_option(g.share);
        cum_before.append_option(g.before);
        cum_after.append_option(g.after);
        group.push(g.size);
        tier.push(code_of(&Tier::names(), t.as_str()));
        decision.push(g.decision);
        for b in ev.behaviours.iter() {
            behaviours.values().append_value(b.as_str());
        }
        behaviours.append(true);
        price_driven.append_value(ev.behaviours.contains(Behaviour::PriceDriven));
        unprofitable.append_value(ev.behaviours.contains(Behaviour::Unprofitable));
        discount_share.append_option(ev.discount_share.map(f64_ratio));
        net_margin.append_option(ev.net_margin.map(f64_of));
        strategy.push(code_of(&Strategy::names(), tr.strategy.as_str()));
        service.push(code_of(&ServiceModel::names(), tr.service_model.as_str()));
        contact.push(code_of(&Cadence::names(), tr.contact.as_str()));
        response.push(i32::try_from(tr.response_hours).unwrap_or(i32::MAX));
        rule.push(i32::try_from(rule_index).unwrap_or(i32::MAX));
    }
    ArrowTable::from_columns(vec![
        ("customer_id", ids),
        ("value", Arc::new(Float64Array::from(value))),
        ("rank", Arc::new(rank.finish())),
        ("share", Arc::new(share.finish())),
        ("cumulative_share_before", Arc::new(cum_before.finish())),
        ("cumulative_share", Arc::new(cum_after.finish())),
        ("tie_group_size", Arc::new(Int64Array::from(group))),
        ("tier", dictionary(tier, &Tier::names())?),
        ("decision", dictionary(decision, &DECISIONS)?),
        ("behaviours", Arc::new(behaviours.finish())),
        ("price_driven", Arc::new(price_driven.finish())),
        ("unprofitable", Arc::new(unprofitable.finish())),
        ("discount_share", Arc::new(discount_share.finish())),
        ("net_margin", Arc::new(net_margin.finish())),
        ("treatment", dictionary(strategy, &Strategy::names())?),
        (
            "service_model",
            dictionary(service, &ServiceModel::names())?,
        ),
        ("contact", dictionary(contact, &Cadence::names())?),
        ("response_hours", Arc::new(Int32Array::from(response))),
        ("policy_rule", Arc::new(Int32Array::from(rule))),
    ])
}

/// The per-tier summary table, highest tier first.
pub fn tier_table(a: &Assignments) -> Result<ArrowTable> {
    let s = a.summary();
    let mut tier = StringBuilder::new();
    let mut customers = Int64Builder::new();
    let mut value = Float64Builder::new();
    let mut value_share = Float64Builder::new();
    let mut customer_share = Float64Builder::new();
    for t in &s {
        tier.append_value(t.tier.as_str());
        customers.append_value(t.customers as i64);
        value.append_value(f64_of(t.value));
        value_share.append_value(f64_ratio(t.value_share));
        customer_share.append_value(f64_ratio(t.customer_share));
    }
    ArrowTable::from_columns(vec![
        ("tier", Arc::new(tier.finish())),
        ("customers", Arc::new(customers.finish())),
        ("value", Arc::new(value.finish())),
        ("value_share", Arc::new(value_share.finish())),
        ("customer_share", Arc::new(customer_share.finish())),
    ])
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

/// The whole of `classify` after the input is read: pure Rust, no GIL.
pub fn classify_table(
    input: &InputTable,
    customer: &str,
    value: &str,
    signals: &SignalColumns,
    config: &AssignmentConfig,
) -> Result<ClassifyOutput> {
    let id_col = input.column(customer, "customer")?;
    let value_col = input.column(value, "value")?;
    let mut named: Vec<(&str, ArrayRef)> =
        vec![(customer, id_col.clone()), (value, value_col.clone())];
    let roles = [
        ("spend", &signals.spend),
        ("discount_spend", &signals.discount_spend),
        ("margin", &signals.margin),
        ("cost_to_serve", &signals.cost_to_serve),
    ];
    let mut signal_cols: Vec<Option<ArrayRef>> = Vec::new();
    for (role, name) in roles {
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
    let ids = customer_ids(WHAT, customer, &id_col)?;
    let values = required_decimals(WHAT, value, "value", &value_col)?;
    let signals_rows = if signal_cols.iter().any(Option::is_some) {
        let mut per_role: Vec<Option<Vec<Option<Decimal>>>> = Vec::new();
        for ((role, name), col) in roles.iter().zip(&signal_cols) {
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
    let a = assign(&ids.ids, &values, signals_rows.as_deref(), config).map_err(|e| {
        let mut err = assignment_error(e, value, customer);
        if err.rule == Some("behaviour_signal") {
            // The role name (spend, ...) becomes the caller's column name.
            let user = roles
                .iter()
                .find(|(role, _)| err.column.as_deref() == Some(*role))
                .and_then(|(_, n)| (*n).clone());
            if let Some(user) = user {
                err.message = format!("{} (column `{user}`)", err.message);
                err.column = Some(user);
            }
        }
        err
    })?;
    let customers = customer_table(&a, ids.array)?;
    let tiers = tier_table(&a)?;
    let json = serde_json::to_string(a.config()).map_err(|e| {
        Error::new(
            Kind::Internal,
            format!("internal error serialising the configuration: {e}"),
        )
    })?;
    Ok((
        customers,
        tiers,
        json,
        a.classification().total().to_string(),
    ))
}

/// Python entry point (see `crm_engine.classify`).
#[pyfunction]
#[pyo3(signature = (
    values, *, customer, value, by = "value".to_owned(), cutoffs = None, spend = None, discount_spend = None, margin = None,
    cost_to_serve = None, price_driven_min_discount_share = None, unprofitable_below_net_margin = None,
    policy_json = None
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
) -> PyResult<ClassifyOutput> {
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
        classify_table(&input, &customer, &value, &signals, &config)
    })
}
