//! Shared input generators for the crm-engine benchmarks.
#![allow(missing_docs)]
