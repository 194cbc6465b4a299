//! Async property tests: what `#[asyncheck::proptest]` expands to, each case on a fresh test runtime.

use std::fmt::Write as _;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

use crate::detect::panic::payload_text;
use crate::runtime::TestConfig;

/// Runs `body` on inputs drawn from `strategy`, each case through
/// `config.run(…)` on a fresh runtime, `cases` times (`None`: proptest's default,
/// 256 or `PROPTEST_CASES`); on failure, shrinks with proptest and panics with the
/// minimal failing input, written by `describe` as `name = value` lines.
///
/// With `source_file` (the test's `file!()`), failing cases are saved to and
/// replayed from proptest's regression file for that source, as `proptest!`
/// does: `proptest-regressions/<path>.txt` beside the crate's `src`, or
/// `<file>.proptest-regressions` for a file outside it (integration tests);
/// `PROPTEST_DISABLE_FAILURE_PERSISTENCE` turns it off.
#[doc(hidden)]
#[track_caller]
pub fn run_property<S, F, Fut>(
    config: &TestConfig,
    cases: Option<u32>,
    source_file: Option<&'static str>,
    strategy: &S,
    describe: impl Fn(&S::Value) -> Vec<String>,
    body: F,
) where
    S: Strategy,
    F: Fn(S::Value) -> Fut,
    Fut: Future<Output = Result<(), TestCaseError>>,
{
    let mut proptest_config = Config {
        source_file,
        ..Config::default()
    };
    if source_file.is_none() {
        proptest_config.failure_persistence = None;
    }
    if let Some(cases) = cases {
        proptest_config.cases = cases;
    }
    let mut runner = TestRunner::new(proptest_config);
    let result = runner.run(strategy, |value| {
        let case = config.clone();
        match catch_unwind(AssertUnwindSafe(|| case.run(body(value)))) {
            Ok(outcome) => outcome,
            Err(panic) => Err(TestCaseError::fail(payload_text(&*panic))),
        }
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, minimal)) => {
            let mut message =
                "asyncheck: property failed; minimal failing input (after shrinking):".to_owned();
            for line in describe(&minimal) {
                let _ = write!(message, "\n    {line}");
            }
            let _ = write!(message, "\n  failure: {}", reason.message());
            panic!("{message}");
        }
        Err(TestError::Abort(reason)) => {
            panic!("asyncheck: property test aborted: {}", reason.message());
        }
    }
}
