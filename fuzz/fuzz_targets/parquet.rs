//! Fuzzes the Parquet path of crm-io: arbitrary bytes read as a Parquet
//! file of transactions must end in a summary or a typed error, never an
//! unhandled panic, and whenever a summary comes out its reconciliation
//! must add up.
//!
//! A decoder panic caught by crm-io's guard is the contract working (the
//! file is reported damaged); with `CRM_FUZZ_STRICT=1` it is a crash too,
//! to find what crm-io's validation should check before decoding.
#![no_main]

use chrono::NaiveDate;
use crm_core::records::summary::{SummaryConfig, Unit};
use crm_io::ColumnMapping;
use crm_io::parquet_input::summarize_parquet_bytes;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::caught_panics_are_handled();
    let as_of = NaiveDate::from_ymd_opt(1998, 6, 30).unwrap_or_default();
    let mut config = SummaryConfig::new(as_of).with_unit(Unit::Week);
    config.max_listed_rejections = 8;
    let mapping = ColumnMapping::default().with_quantity("quantity");
    match summarize_parquet_bytes(
        data.to_vec(),
        "fuzz.parquet",
        &mapping,
        &crm_io::utc(),
        config,
    ) {
        Ok(out) => {
            assert!(out.reconciliation.is_balanced(), "{:?}", out.reconciliation);
            assert_eq!(
                out.summaries.transactions.iter().sum::<u64>(),
                out.reconciliation.rows_used
            );
        }
        Err(e) => assert!(e.to_string().starts_with("fuzz.parquet: "), "{e}"),
    }
});
