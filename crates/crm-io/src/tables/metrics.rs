//! The metrics table (`metrics`): headline figures as `metric`, `value`
//! text pairs, in reading order, as `crm metrics` writes them.
//!
//! The values are text because the figures mix dates, counts, rates and a
//! description of the customer base; a rate that is undefined (nobody in
//! its denominator) is the empty string, never 0.

use super::{Table, texts};

/// A two-column table of (metric, value) pairs.
///
/// ```
/// use crm_io::tables::metrics::metrics;
/// let t = metrics(&[("retention_rate", "0.5".to_owned())]);
/// assert_eq!(t.names(), vec!["metric", "value"]);
/// ```
pub fn metrics<S: AsRef<str>>(figures: &[(S, String)]) -> Table {
    let mut t = Table::default();
    t.push("metric", texts(figures.iter().map(|(k, _)| k.as_ref())))
        .push("value", texts(figures.iter().map(|(_, v)| v.as_str())));
    t
}
