//! `AsyncMock`: configuration, recording, and the failure message of every assertion.

use std::time::Duration;

use asyncheck::AsyncMock;

#[asyncheck::test]
async fn returns_answers_every_call() {
    let mock = AsyncMock::<u8, String>::new();
    mock.returns("hi".to_owned());
    assert_eq!(mock.call(1).await, "hi");
    assert_eq!(mock.call(2).await, "hi");
    assert_eq!(mock.call_count(), 2);
    assert_eq!(mock.await_count(), 2);
    assert_eq!(mock.await_args_list(), vec![1, 2]);
    mock.assert_awaited();
    mock.assert_awaited_with(&2);
    mock.assert_all_awaited();
}

#[asyncheck::test]
async fn returns_seq_answers_in_order() {
    let mock = AsyncMock::<(), u32>::new();
    mock.returns_seq(vec![10, 20, 30]);
    assert_eq!(mock.call(()).await, 10);
    assert_eq!(mock.call(()).await, 20);
    assert_eq!(mock.call(()).await, 30);
}

#[asyncheck::test]
#[should_panic(
    expected = "AsyncMock `ids` returns_seq exhausted: all 2 configured values \
                           were used, and this is call 3"
)]
async fn returns_seq_exhausted() {
    let mock = AsyncMock::<(), u32>::named("ids");
    mock.returns_seq(vec![1, 2]);
    mock.call(()).await;
    mock.call(()).await;
    mock.call(()).await;
}

#[asyncheck::test]
#[should_panic(expected = "AsyncMock `fetch` was called but has nothing configured")]
async fn unconfigured_mock_panics_on_call() {
    let mock = AsyncMock::<u8, u8>::named("fetch");
    drop(mock.call(1));
}

#[asyncheck::test]
async fn respond_with_sees_the_arguments() {
    let mock = AsyncMock::<(u32, u32), u32>::new();
    mock.respond_with(|(a, b)| a + b);
    assert_eq!(mock.call((2, 3)).await, 5);
    mock.assert_awaited_once_with(&(2, 3));
}

#[asyncheck::test]
async fn delay_takes_virtual_time() {
    let mock = AsyncMock::<(), ()>::new();
    mock.returns(());
    mock.delay(Duration::from_secs(2));
    let ((), took) = asyncheck::timed(mock.call(())).await;
    assert_eq!(took, Duration::from_secs(2));
}

#[asyncheck::test]
async fn clones_share_state_across_tasks() {
    let mock = AsyncMock::<u8, u8>::new();
    mock.respond_with(|n| n * 2);
    let clone = mock.clone();
    let answer = tokio::spawn(async move { clone.call(21).await })
        .await
        .unwrap();
    assert_eq!(answer, 42);
    mock.assert_awaited_once_with(&21);
}

#[asyncheck::test]
async fn call_count_counts_futures_await_count_completions() {
    let mock = AsyncMock::<u8, ()>::new();
    mock.returns(());
    let pending = mock.call(1);
    assert_eq!((mock.call_count(), mock.await_count()), (1, 0));
    mock.assert_not_awaited();
    pending.await;
    assert_eq!((mock.call_count(), mock.await_count()), (1, 1));
}

#[asyncheck::test]
#[should_panic(
    expected = "AsyncMock expected to be awaited at least once\n  expected: 1 or \
                           more awaits\n    actual: never awaited (1 call(s) made)"
)]
async fn assert_awaited_fails_when_never_awaited() {
    let mock = AsyncMock::<u8, ()>::new();
    mock.returns(());
    let _unawaited = mock.call(1);
    mock.assert_awaited();
}

#[asyncheck::test]
#[should_panic(expected = "expected: 1 await\n    actual: awaited 2 time(s), with [1, 2]")]
async fn assert_awaited_once_fails_when_awaited_twice() {
    let mock = AsyncMock::<u8, ()>::new();
    mock.returns(());
    mock.call(1).await;
    mock.call(2).await;
    mock.assert_awaited_once();
}

#[asyncheck::test]
#[should_panic(expected = "expected: awaited with \"b\"\n    actual: awaited with \"c\"")]
async fn assert_awaited_with_compares_the_last_await() {
    let mock = AsyncMock::<&'static str, ()>::new();
    mock.returns(());
    mock.call("b").await;
    mock.call("c").await;
    mock.assert_awaited_with(&"b");
}

#[asyncheck::test]
#[should_panic(expected = "expected: awaited with 5\n    actual: never awaited")]
async fn assert_awaited_with_fails_when_never_awaited() {
    let mock = AsyncMock::<u8, ()>::new();
    mock.assert_awaited_with(&5);
}

#[asyncheck::test]
#[should_panic(
    expected = "expected: awaited once with 1\n    actual: awaited 2 time(s), with \
                           [1, 1]"
)]
async fn assert_awaited_once_with_fails_on_a_second_await() {
    let mock = AsyncMock::<u8, ()>::new();
    mock.returns(());
    mock.call(1).await;
    mock.call(1).await;
    mock.assert_awaited_once_with(&1);
}

#[asyncheck::test]
#[should_panic(
    expected = "expected: awaited once with 1\n    actual: awaited 1 time(s), with \
                           [2]"
)]
async fn assert_awaited_once_with_fails_on_other_arguments() {
    let mock = AsyncMock::<u8, ()>::new();
    mock.returns(());
    mock.call(2).await;
    mock.assert_awaited_once_with(&1);
}

#[asyncheck::test]
#[should_panic(
    expected = "AsyncMock `notify` expected not to be awaited\n  expected: 0 \
                           awaits\n    actual: awaited 1 time(s), with [9]"
)]
async fn assert_not_awaited_fails_after_an_await() {
    let mock = AsyncMock::<u8, ()>::named("notify");
    mock.returns(());
    mock.call(9).await;
    mock.assert_not_awaited();
}

#[asyncheck::test]
#[should_panic(
    expected = "expected every call to be awaited\n  expected: 3 of 3 calls \
                           awaited\n    actual: 1 awaited, 1 dropped before completing (with \
                           [2]), 1 still pending"
)]
async fn assert_all_awaited_reports_dropped_and_pending_calls() {
    let mock = AsyncMock::<u8, ()>::new();
    mock.returns(());
    mock.call(1).await;
    drop(mock.call(2));
    let _still_pending = mock.call(3);
    mock.assert_all_awaited();
}

#[asyncheck::test]
#[should_panic(expected = "1 dropped before completing (with [7])")]
async fn a_call_cancelled_mid_delay_is_not_awaited() {
    let mock = AsyncMock::<u8, ()>::new();
    mock.returns(());
    mock.delay(Duration::from_secs(10));
    asyncheck::assert_times_out!("1s", mock.call(7));
    mock.assert_all_awaited();
}

#[asyncheck::test]
async fn mock_io_and_poll_assertions_are_reexported() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut conn = asyncheck::io::Builder::new()
        .write(b"GET\n")
        .read(b"OK\n")
        .build();
    conn.write_all(b"GET\n").await.unwrap();
    let mut buf = [0; 3];
    conn.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"OK\n");

    let (tx, rx) = tokio::sync::oneshot::channel::<u8>();
    let mut rx = asyncheck::task::spawn(rx);
    asyncheck::assert_pending!(rx.poll());
    tx.send(1).unwrap();
    asyncheck::assert_ready_ok!(rx.poll());
}
