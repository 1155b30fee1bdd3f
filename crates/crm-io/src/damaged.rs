//! The last line of defence against damaged files: decoder code of the
//! Arrow and Parquet crates run under [`std::panic::catch_unwind`], so that a
//! panic reached by corrupted bytes becomes an [`IoError::Damaged`] naming
//! the source, not a crash.
//!
//! The readers validate what they can before handing bytes to a decoder
//! (lengths against the buffer, the embedded Arrow schema: [`crate::ipc`]);
//! this guard covers what cannot be checked from outside (page and thrift
//! decoding deep inside the parquet crate).
//!
//! A caught panic still runs the process's panic hook, which by default
//! prints "thread … panicked" on stderr. Swapping the hook is global state,
//! so crm-io never does it by itself: [`in_guarded_decode`] tells a hook
//! whether the panic is one of ours (on this thread, inside a guard), and
//! [`quiet_guarded_panics`] installs a hook that says nothing for those and
//! defers to the previous hook for every other panic. Front ends that own
//! the process (the `crm` binary, the Python module) call it once.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use crate::IoError;

thread_local! {
    /// How many guarded decodes are running on this thread (they nest).
    static GUARDED: Cell<u32> = const { Cell::new(0) };
    /// How many panics the guards caught on this thread.
    static CAUGHT: Cell<u64> = const { Cell::new(0) };
}

/// How many decoder panics the guards have caught on this thread: each one
/// is a damaged input that validation did not recognise (the fuzz targets
/// and tests use it to find what validation should check).
///
/// # Example
///
/// ```
/// assert_eq!(crm_io::damaged::caught_on_this_thread(), 0);
/// ```
pub fn caught_on_this_thread() -> u64 {
    CAUGHT.with(Cell::get)
}

/// Whether this thread is inside a guarded decode: a panic now is caught and
/// reported as [`IoError::Damaged`].
///
/// # Example
///
/// ```
/// assert!(!crm_io::damaged::in_guarded_decode());
/// ```
pub fn in_guarded_decode() -> bool {
    GUARDED.with(|g| g.get() > 0)
}

/// Leaves the guarded region even when the work unwinds.
struct Region;

impl Region {
    fn enter() -> Region {
        GUARDED.with(|g| g.set(g.get().saturating_add(1)));
        Region
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        GUARDED.with(|g| g.set(g.get().saturating_sub(1)));
    }
}

/// Runs decoder `work` on the bytes of `source_name` (a `format` file):
/// its errors pass through, a panic becomes [`IoError::Damaged`].
///
/// The panic's message is not kept: it could quote the file's bytes, and
/// the user needs to know which file is damaged, not where the decoder
/// tripped.
pub(crate) fn guarded<T>(
    source_name: &str,
    format: &str,
    work: impl FnOnce() -> Result<T, IoError>,
) -> Result<T, IoError> {
    let region = Region::enter();
    let outcome = catch_unwind(AssertUnwindSafe(work));
    drop(region);
    outcome.unwrap_or_else(|_| {
        CAUGHT.with(|c| c.set(c.get().saturating_add(1)));
        Err(IoError::damaged(
            source_name,
            format,
            "its decoder failed on it (the file is truncated or corrupted)",
        ))
    })
}

/// Installs, once per process, a panic hook that is silent for panics
/// inside a guarded decode (they are caught and reported as
/// [`IoError::Damaged`]) and calls the previous hook for every other panic.
///
/// For front ends that own the process: the hook is process-wide.
///
/// # Example
///
/// ```
/// crm_io::damaged::quiet_guarded_panics();
/// // Other panics still reach the previous hook.
/// assert!(std::panic::catch_unwind(|| 1).is_ok());
/// ```
pub fn quiet_guarded_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !in_guarded_decode() {
                previous(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_core::error::Diagnostic;

    #[test]
    fn a_panic_in_a_guarded_decode_is_a_damaged_file_naming_the_source() {
        quiet_guarded_panics();
        let out: Result<(), IoError> = guarded("tx.parquet", "Parquet", || panic!("boom"));
        let e = out.err();
        assert!(matches!(e, Some(IoError::Damaged { .. })), "{e:?}");
        let e = e.unwrap();
        assert!(e.to_string().starts_with("tx.parquet: "), "{e}");
        assert!(!e.to_string().contains("boom"), "{e}");
        assert_eq!(e.rule(), "well_formed");
        assert!(!in_guarded_decode());
    }

    #[test]
    fn errors_and_values_pass_through_the_guard() {
        assert_eq!(guarded("f", "Parquet", || Ok(3)), Ok(3));
        let e = IoError::read("f", "gone");
        assert_eq!(guarded::<()>("f", "Parquet", || Err(e.clone())), Err(e));
        assert!(!in_guarded_decode());
    }

    #[test]
    fn the_region_is_left_when_the_work_unwinds_in_nested_guards() {
        let outer = guarded("f", "Parquet", || {
            assert!(in_guarded_decode());
            let inner: Result<(), IoError> = guarded("g", "Parquet", || panic!("inner"));
            assert!(in_guarded_decode());
            inner
        });
        assert!(matches!(outer, Err(IoError::Damaged { .. })));
        assert!(!in_guarded_decode());
    }
}
