//! Fuzzes the Arrow IPC path of crm-io (what Python's
//! `ArrowTable.from_ipc`, and so unpickling a result, calls): arbitrary
//! bytes must end in a table or a typed "damaged" error, never an unhandled
//! panic or an allocation a length field asked for; a table that comes out
//! survives a round trip unchanged.
//!
//! A decoder panic caught by crm-io's guard is the contract working; with
//! `CRM_FUZZ_STRICT=1` it is a crash too, to find what validation misses.
#![no_main]

use crm_io::IoError;
use crm_io::ipc::{read_stream, write_stream};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::caught_panics_are_handled();
    match read_stream(data, "fuzz") {
        Ok((schema, batches)) => {
            let again = write_stream(&schema, &batches).expect("a decoded table is writable");
            let (schema2, batches2) = read_stream(&again, "again").expect("round trip");
            assert_eq!(schema, schema2);
            assert_eq!(batches, batches2);
        }
        Err(e) => assert!(matches!(e, IoError::Damaged { .. }), "{e:?}"),
    }
});
