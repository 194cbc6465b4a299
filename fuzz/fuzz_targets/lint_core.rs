//! Raw bytes through the parser and every rule, fast: the findings' invariants, the `short` and `json` output and the fixes.
//!
//! The bulk of the executions: `lint_bytes` checks the same and every other
//! output format too, at about a tenth of the speed (see
//! `invariants::check_report_core`). Input that is not UTF-8 is converted
//! lossily, as in `lint_bytes`.
#![no_main]

use asyncheck_fuzz::invariants;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let report = invariants::lint(&text);
    invariants::check_report_core(&text, &report);
});
