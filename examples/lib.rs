//! Runnable examples of crm-engine live beside this file; see `tier_table.rs`.
//!
//! Run one with `cargo run --release -p crm-examples --example tier_table`.
