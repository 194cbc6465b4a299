//! Raw bytes through the whole linter: every rule, every output format and the fixes keep their invariants.
//!
//! `check_source` takes text, and the only entry point that reads bytes is
//! `check_paths` (files on disk), so input that is not UTF-8 is converted
//! lossily (invalid sequences become U+FFFD) rather than written to a file.
#![no_main]

use asyncheck_fuzz::invariants;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let report = invariants::lint(&text);
    invariants::check_report(&text, &report);
});
