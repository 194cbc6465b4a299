//! Uses nothing but `asyncheck`: the attribute, the runner, mocks and time
//! helpers must compile without naming tokio or enabling any of its features.

use std::time::Duration;

use asyncheck::{AsyncMock, assert_completes_within, assert_times_out, settle, timed};

#[asyncheck::test]
async fn unit_test() {}

#[asyncheck::test(timeout = "250ms", leak_check, blocking_threshold = "50ms")]
async fn with_options() -> Result<(), String> {
    let mock = AsyncMock::<u8, u8>::new();
    mock.returns(1);
    let out = assert_completes_within!("1s", mock.call(0));
    Ok(assert_eq!(out, 1))
}

#[asyncheck::test(flavor = "multi_thread", worker_threads = 2, timeout = "5s")]
pub async fn multi_thread() {}

#[asyncheck::test(real_time, allow_task_panics)]
async fn real_time() {}

#[asyncheck::test(start_paused = false)]
async fn start_paused_false() {}

fn main() {
    // `#[test]` functions are compiled out of a binary; run a body by hand.
    asyncheck::TestConfig::new().run(async {
        let mock = AsyncMock::<(), ()>::new();
        mock.returns(());
        mock.delay(Duration::from_secs(3600));
        let ((), took) = timed(mock.call(())).await;
        assert_eq!(took, Duration::from_secs(3600));
        assert_times_out!(Duration::from_secs(1), mock.call(()));
        settle().await;
    });
}
