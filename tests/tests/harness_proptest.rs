//! `#[asyncheck::proptest]`: every case runs on a fresh paused-clock runtime, and a
//! failure is shrunk to the minimal input, printed as `name = value`.

use std::time::Duration;

use asyncheck::proptest::prelude::*;

/// The failure message of a property run by hand (the attribute's expansion).
fn failure(run: impl FnOnce()) -> String {
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
        .expect_err("the property was expected to fail");
    err.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[asyncheck::proptest(cases = 32)]
async fn sleeping_takes_exactly_the_virtual_time(#[strategy(1..10_000u64)] ms: u64) {
    let ((), took) = asyncheck::timed(tokio::time::sleep(Duration::from_millis(ms))).await;
    assert_eq!(took, Duration::from_millis(ms));
}

#[asyncheck::proptest(cases = 16, leak_check)]
async fn typed_arguments_and_prop_assert(a: u8, b: u8) {
    let sum = tokio::spawn(async move { u16::from(a) + u16::from(b) })
        .await
        .unwrap();
    prop_assert!(sum >= u16::from(a.max(b)), "sum {} of {} and {}", sum, a, b);
}

#[asyncheck::proptest(cases = 64)]
#[should_panic(expected = "minimal failing input (after shrinking):\n    x = 10\n")]
async fn a_plain_assert_failure_shrinks_to_the_minimal_input(#[strategy(0..1000u32)] x: u32) {
    tokio::task::yield_now().await;
    assert!(x < 10, "x too large");
}

#[test]
fn the_message_lists_every_argument_and_the_failure() {
    let msg = failure(|| {
        asyncheck::__private::run_property(
            &asyncheck::TestConfig::new(),
            Some(64),
            None,
            &(0..1000u32, 0..5u8),
            |(x, tag)| vec![format!("x = {x:?}"), format!("tag = {tag:?}")],
            |(x, _tag)| async move {
                tokio::time::sleep(Duration::from_secs(1)).await;
                prop_assert!(x < 10, "x is {}", x);
                Ok(())
            },
        );
    });
    assert!(
        msg.starts_with(
            "asyncheck: property failed; minimal failing input (after shrinking):\n    x = 10\n    \
             tag = 0\n  failure: x is 10"
        ),
        "{msg}"
    );
}

#[asyncheck::proptest(cases = 8, timeout = "1s")]
#[should_panic(
    expected = "    secs = 2\n  failure: asyncheck: test timed out after 1s (virtual clock"
)]
async fn the_test_options_apply_to_every_case(#[strategy(0..100u64)] secs: u64) {
    // A sleep ending exactly at the deadline completes (the body is polled before
    // the deadline), so the minimal case that times out is secs = 2.
    tokio::time::sleep(Duration::from_secs(secs)).await;
}
