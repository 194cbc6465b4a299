//! Leaked-task detection: tasks of the test's runtime still alive when the body returned.

use std::time::{Duration, Instant};

use tokio::runtime::Handle;

/// Number of tasks alive on the runtime (spawned tasks only: the test body is
/// driven by `block_on` and is not a task; `spawn_blocking` work is not counted).
///
/// On a current-thread runtime the count is exact at the moment the body returns:
/// a finished task is released before the body can observe its completion. On a
/// multi-thread runtime a worker may still be releasing a task whose `JoinHandle`
/// the body already saw complete, so the count is re-read for up to `settle_for`
/// (wall clock) until it reaches zero.
pub(crate) fn alive_tasks(handle: &Handle, current_thread: bool, settle_for: Duration) -> usize {
    let metrics = handle.metrics();
    let mut alive = metrics.num_alive_tasks();
    if current_thread {
        return alive;
    }
    let give_up = Instant::now() + settle_for;
    while alive > 0 && Instant::now() < give_up {
        std::thread::sleep(Duration::from_millis(1));
        alive = metrics.num_alive_tasks();
    }
    alive
}
