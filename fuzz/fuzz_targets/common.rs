//! What the Parquet and IPC targets share: how a decoder panic caught by
//! crm-io's guard counts.

use std::sync::Once;

/// libfuzzer-sys's panic hook aborts on every panic, caught or not. A panic
/// inside crm-io's guarded decode is caught and reported as a damaged file
/// (the contract), so it passes, unless `CRM_FUZZ_STRICT` is set: then it
/// aborts as well, to show what validation should check before decoding.
/// Every other panic still reaches libfuzzer's hook.
pub fn caught_panics_are_handled() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        if std::env::var_os("CRM_FUZZ_STRICT").is_some() {
            return;
        }
        let fuzzer = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !crm_io::damaged::in_guarded_decode() {
                fuzzer(info);
            }
        }));
    });
}
