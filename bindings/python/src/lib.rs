//! Python bindings of crm-engine: the extension module `crm_engine._crm_engine`.
//!
//! Glue only. Every rule lives in crm-core (tiers, behaviours, treatments,
//! reviews, summaries, RFM) and crm-io (reading transactions); this crate
//! reads Arrow columns from Python without copying, converts them to the
//! core's types column by column, calls the core without the GIL, and hands
//! back Arrow tables. Errors become the exception classes of
//! `crm_engine._errors`; a panic becomes `InternalError`, never a crash.
//!
//! The Python package (`python/crm_engine`) adds the keyword API, result
//! classes, type stubs and plots.

pub mod classify;
pub mod clv;
pub mod convert;
pub mod delivered_value;
pub mod economics;
pub mod error;
pub mod input;
pub mod parameter;
pub mod partition;
pub mod records;
pub mod relationship;
pub mod review;
pub mod summarize;
pub mod table;
pub mod validation;
pub mod vocabulary;

use pyo3::prelude::*;

/// The environment variable that limits the worker threads of one call.
pub const THREADS_VARIABLE: &str = "CRM_ENGINE_THREADS";

/// The most worker threads one call uses, whatever it is told.
pub const MAX_THREADS: usize = 256;

/// Worker threads one call may use: `CRM_ENGINE_THREADS` when it is a
/// positive integer, otherwise the available cores, at most 8.
///
/// Read at every call, never cached: `crm_engine.spark` sets it to 1 inside
/// Spark tasks (Spark already runs one task per core). The extension has no
/// thread pool and starts no thread at import; the threads of a call are
/// scoped to it, so the module is safe to use in a forked process.
pub fn max_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |p| p.get());
    threads_from(std::env::var(THREADS_VARIABLE).ok().as_deref(), cores)
}

/// The thread limit from the variable's text and the available cores.
fn threads_from(setting: Option<&str>, cores: usize) -> usize {
    match setting.map(str::trim).and_then(|s| s.parse::<usize>().ok()) {
        Some(n) if n > 0 => n.min(MAX_THREADS),
        _ => cores.clamp(1, 8),
    }
}

/// The extension module.
#[pymodule]
fn _crm_engine(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Decoder panics that crm-io catches as damaged input print nothing.
    crm_io::damaged::quiet_guarded_panics();
    m.add_class::<table::ArrowTable>()?;
    m.add_function(wrap_pyfunction!(table::golden_layout, m)?)?;
    m.add_function(wrap_pyfunction!(table::layout, m)?)?;
    m.add_function(wrap_pyfunction!(classify::classify, m)?)?;
    partition::register(m)?;
    validation::register(m)?;
    m.add_function(wrap_pyfunction!(clv::clv_fit, m)?)?;
    m.add_function(wrap_pyfunction!(clv::clv_compare, m)?)?;
    m.add_function(wrap_pyfunction!(clv::clv_likelihood_ratio, m)?)?;
    m.add_function(wrap_pyfunction!(clv::clv_predict, m)?)?;
    m.add_function(wrap_pyfunction!(clv::clv_curve, m)?)?;
    m.add_function(wrap_pyfunction!(clv::clv_models, m)?)?;
    m.add_function(wrap_pyfunction!(clv::clv_month_length, m)?)?;
    m.add_function(wrap_pyfunction!(clv::clv_predictions, m)?)?;
    m.add_function(wrap_pyfunction!(clv::clv_predicted_tiers, m)?)?;
    m.add_function(wrap_pyfunction!(clv::clv_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(review::review_periods, m)?)?;
    m.add_function(wrap_pyfunction!(summarize::summarize, m)?)?;
    m.add_function(wrap_pyfunction!(summarize::rfm_scores, m)?)?;
    m.add_function(wrap_pyfunction!(delivered_value::delivered_value, m)?)?;
    m.add_function(wrap_pyfunction!(relationship::period_metrics, m)?)?;
    m.add_function(wrap_pyfunction!(
        relationship::customer_base_by_inactivity,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(relationship::survey_metrics, m)?)?;
    m.add_function(wrap_pyfunction!(relationship::degrees, m)?)?;
    m.add_function(wrap_pyfunction!(economics::economics, m)?)?;
    m.add_function(wrap_pyfunction!(economics::equity, m)?)?;
    m.add_function(wrap_pyfunction!(vocabulary::vocabulary, m)?)?;
    m.add_function(wrap_pyfunction!(parameter::argument_error, m)?)?;
    m.add_function(wrap_pyfunction!(parameter::required_error, m)?)?;
    m.add_function(wrap_pyfunction!(parameter::unknown_key_error, m)?)?;
    m.add_function(wrap_pyfunction!(parameter::summary_window_error, m)?)?;
    m.add_function(wrap_pyfunction!(parameter::not_fitted_error, m)?)?;
    m.add_function(wrap_pyfunction!(parameter::date_error, m)?)?;
    m.add_function(wrap_pyfunction!(parameter::whole_number, m)?)?;
    m.add_function(wrap_pyfunction!(parameter::finite_number, m)?)?;
    m.add_function(wrap_pyfunction!(parameter::decimal_parameter, m)?)?;
    m.add_function(wrap_pyfunction!(parameter::unreadable_column_error, m)?)?;
    m.add_function(wrap_pyfunction!(parameter::declared_schema_error, m)?)?;
    m.add_function(wrap_pyfunction!(parameter::repeated_customer_error, m)?)?;
    m.add_function(wrap_pyfunction!(parameter::task_threads, m)?)?;
    m.add_function(wrap_pyfunction!(parameter::missing_column_error, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // crm-core's defaults, so that Python signatures do not restate them.
    m.add(
        "DEFAULT_INTERVAL_LEVEL",
        crm_core::clv::intervals::DEFAULT_LEVEL,
    )?;
    Ok(())
}
