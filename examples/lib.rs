//! Runnable examples of crm-engine live beside this file; see `tier_table.rs`
//! and `four_degrees.rs`.
//!
//! Run one with `cargo run --release -p crm-examples --example tier_table`.

/// The exit code of an example: success, or the message on stderr and 3.
pub fn exit(result: Result<(), String>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::ExitCode::from(3)
        }
    }
}
