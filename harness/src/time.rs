//! Virtual-time helpers: [`timed`], [`settle`], and the support code of the
//! `assert_completes_within!` / `assert_times_out!` macros.

use std::future::{IntoFuture, poll_fn};
use std::task::Poll;
use std::time::Duration;

use crate::detect;

/// Awaits `fut` and returns its output together with how much time it took, read
/// from tokio's clock: virtual time when the clock is paused.
///
/// ```
/// use std::time::Duration;
///
/// # asyncheck::TestConfig::new().run(async {
/// // inside #[asyncheck::test] async fn ...
/// let ((), took) = asyncheck::timed(tokio::time::sleep(Duration::from_secs(30))).await;
/// assert_eq!(took, Duration::from_secs(30)); // exact: the clock is virtual
/// # });
/// ```
pub async fn timed<F: IntoFuture>(fut: F) -> (F::Output, Duration) {
    let start = tokio::time::Instant::now();
    let out = fut.await;
    (out, start.elapsed())
}

/// Returns once every other task of the test's runtime is waiting: none of them
/// can make progress until time passes or something outside the runtime (I/O, a
/// `spawn_blocking` thread, another runtime) wakes it. Like trio's
/// `wait_all_tasks_blocked`. It never advances the clock.
///
/// How: `settle()` waits for the runtime's next idle point, the moment its thread
/// finds no task to run and is about to wait on the driver (tokio's
/// `on_thread_park` hook). It then wakes itself from that hook, so the runtime
/// polls the driver without waiting, and a paused clock does not move. Tasks that
/// keep yielding (`yield_now()` loops) keep the runtime from going idle, so
/// `settle()` keeps waiting too, and never returns if they never stop.
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::time::Duration;
///
/// # asyncheck::TestConfig::new().run(async {
/// // inside #[asyncheck::test] async fn ...
/// let done = Arc::new(AtomicUsize::new(0));
/// for _ in 0..3 {
///     let done = done.clone();
///     tokio::spawn(async move {
///         tokio::task::yield_now().await;
///         done.fetch_add(1, Ordering::SeqCst);
///         tokio::time::sleep(Duration::from_secs(60)).await; // waits on the clock
///     });
/// }
/// let before = tokio::time::Instant::now();
/// asyncheck::settle().await;
/// assert_eq!(done.load(Ordering::SeqCst), 3); // all three ran until they waited
/// assert_eq!(tokio::time::Instant::now(), before); // and the clock did not move
/// # });
/// ```
///
/// # Panics
/// Outside an asyncheck test with a current-thread runtime (the default flavor):
/// with several worker threads there is no single idle point to wait for.
pub async fn settle() {
    let shared = detect::current().expect(
        "asyncheck::settle() must be called inside #[asyncheck::test] (or TestConfig::run)",
    );
    assert!(
        shared.current_thread,
        "asyncheck::settle() needs the current-thread runtime, not `flavor = \"multi_thread\"`"
    );
    let seen = shared.idle_generation();
    poll_fn(|cx| {
        if shared.wait_idle_after(seen, cx.waker()) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
}

/// A duration given to `assert_completes_within!` / `assert_times_out!`: a
/// [`Duration`], or a string such as `"250ms"`, `"2s"`, `"1m"`, `"1h"`.
pub trait IntoTestDuration {
    /// The duration.
    ///
    /// # Panics
    /// For a string that is not an integer followed by `ms`, `s`, `m` or `h`.
    fn into_test_duration(self) -> Duration;
}

impl IntoTestDuration for Duration {
    fn into_test_duration(self) -> Duration {
        self
    }
}

impl IntoTestDuration for &str {
    #[track_caller]
    fn into_test_duration(self) -> Duration {
        parse_duration(self).unwrap_or_else(|e| panic!("{e}"))
    }
}

/// Parses `<integer>(ms|s|m|h)`.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    let invalid = || {
        format!(
            "invalid duration `{text}`: expected an integer followed by `ms`, `s`, `m` or `h`, \
             e.g. \"250ms\""
        )
    };
    let n: u64 = number.parse().map_err(|_| invalid())?;
    let secs_per_unit = match unit {
        "ms" => return Ok(Duration::from_millis(n)),
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return Err(invalid()),
    };
    n.checked_mul(secs_per_unit)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("duration `{text}` is too large"))
}

/// Formats a duration the way it is written in options: `500ms`, `2s`, `1m`,
/// `24h`, falling back to `Debug` (`1.5s`) when it is not a whole number of one
/// of these units.
pub(crate) fn format_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if d.subsec_nanos() == 0 && secs > 0 {
        if secs % 3600 == 0 {
            return format!("{}h", secs / 3600);
        }
        if secs % 60 == 0 {
            return format!("{}m", secs / 60);
        }
        return format!("{secs}s");
    }
    if d.subsec_nanos() % 1_000_000 == 0 {
        return format!("{}ms", d.as_millis());
    }
    format!("{d:?}")
}

/// Support of `assert_completes_within!`: `Ok(output)`, or `Err(limit)` when the
/// future did not complete within it.
#[doc(hidden)]
pub async fn completes_within<F: IntoFuture>(
    limit: impl IntoTestDuration,
    fut: F,
) -> Result<F::Output, Duration> {
    let limit = limit.into_test_duration();
    tokio::time::timeout(limit, fut).await.map_err(|_| limit)
}

/// Support of `assert_times_out!`: `Ok(())` when the future is still running
/// after `limit`, or `Err((limit, elapsed))` when it completed after `elapsed`.
#[doc(hidden)]
pub async fn times_out<F: IntoFuture>(
    limit: impl IntoTestDuration,
    fut: F,
) -> Result<(), (Duration, Duration)> {
    let limit = limit.into_test_duration();
    let start = tokio::time::Instant::now();
    match tokio::time::timeout(limit, fut).await {
        Ok(_) => Err((limit, start.elapsed())),
        Err(_) => Ok(()),
    }
}

#[doc(hidden)]
#[track_caller]
pub fn fail_not_within(limit: Duration, what: &str) -> ! {
    panic!(
        "`{what}` did not complete within {}",
        format_duration(limit)
    )
}

#[doc(hidden)]
#[track_caller]
pub fn fail_not_timed_out(limit: Duration, elapsed: Duration, what: &str) -> ! {
    panic!(
        "`{what}` was expected to time out after {} but completed after {}",
        format_duration(limit),
        format_duration(elapsed)
    )
}

/// Asserts that a future completes within a time limit and evaluates to its
/// output. The limit is a [`Duration`](std::time::Duration) or a string such as
/// `"2s"`; with a paused clock it is virtual time. Use inside an async context.
///
/// ```
/// use std::time::Duration;
///
/// # asyncheck::TestConfig::new().run(async {
/// let v = asyncheck::assert_completes_within!("1s", async {
///     tokio::time::sleep(Duration::from_millis(10)).await;
///     42
/// });
/// assert_eq!(v, 42);
/// # });
/// ```
///
/// # Panics
/// With a message containing `did not complete within <limit>`.
#[macro_export]
macro_rules! assert_completes_within {
    ($limit:expr, $fut:expr $(,)?) => {
        match $crate::__private::completes_within($limit, $fut).await {
            ::core::result::Result::Ok(out) => out,
            ::core::result::Result::Err(limit) => {
                $crate::__private::fail_not_within(limit, ::core::stringify!($fut))
            }
        }
    };
}

/// Asserts that a future does *not* complete within a time limit (it is dropped
/// at the limit). The limit is a [`Duration`](std::time::Duration) or a string
/// such as `"2s"`; with a paused clock it is virtual time.
///
/// ```
/// use std::time::Duration;
///
/// # asyncheck::TestConfig::new().run(async {
/// let (_tx, mut rx) = tokio::sync::mpsc::channel::<u8>(1);
/// asyncheck::assert_times_out!(Duration::from_secs(5), rx.recv());
/// # });
/// ```
///
/// # Panics
/// With a message containing `expected to time out` when the future completes.
#[macro_export]
macro_rules! assert_times_out {
    ($limit:expr, $fut:expr $(,)?) => {
        if let ::core::result::Result::Err((limit, elapsed)) =
            $crate::__private::times_out($limit, $fut).await
        {
            $crate::__private::fail_not_timed_out(limit, elapsed, ::core::stringify!($fut))
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_unit() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("24h"), Ok(Duration::from_secs(86_400)));
    }

    #[test]
    fn rejects_malformed_durations() {
        for bad in ["", "ms", "5", "5 s", "1.5s", "-1s", "5d", "s5"] {
            let err = parse_duration(bad).unwrap_err();
            assert!(err.contains("invalid duration"), "{bad:?}: {err}");
        }
        assert!(parse_duration("99999999999999999999h").is_err());
    }

    #[test]
    fn formats_in_the_largest_whole_unit() {
        assert_eq!(format_duration(Duration::from_secs(86_400)), "24h");
        assert_eq!(format_duration(Duration::from_secs(300)), "5m");
        assert_eq!(format_duration(Duration::from_secs(90)), "90s");
        assert_eq!(format_duration(Duration::from_millis(500)), "500ms");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(format_duration(Duration::from_micros(1500)), "1.5ms");
        assert_eq!(format_duration(Duration::ZERO), "0ms");
    }
}
