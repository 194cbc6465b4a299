//! `#[asyncheck::model]`: loom explores every interleaving of a sync or async body,
//! and a failing one fails the test with the body's own message.

use asyncheck::loom::sync::atomic::{AtomicUsize, Ordering};
use asyncheck::loom::sync::{Arc, Mutex};
use asyncheck::loom::thread;

/// Two threads add 1 to a counter with a read, then a write: an update can be lost.
fn racy_increments() {
    let n = Arc::new(AtomicUsize::new(0));
    let other = {
        let n = n.clone();
        thread::spawn(move || {
            let seen = n.load(Ordering::SeqCst);
            n.store(seen + 1, Ordering::SeqCst);
        })
    };
    let seen = n.load(Ordering::SeqCst);
    n.store(seen + 1, Ordering::SeqCst);
    other.join().unwrap();
    assert_eq!(n.load(Ordering::SeqCst), 2, "an increment was lost");
}

#[asyncheck::model]
fn increments_under_a_mutex_are_never_lost() {
    let n = Arc::new(Mutex::new(0));
    let other = {
        let n = n.clone();
        thread::spawn(move || *n.lock().unwrap() += 1)
    };
    *n.lock().unwrap() += 1;
    other.join().unwrap();
    assert_eq!(*n.lock().unwrap(), 2);
}

#[asyncheck::model(preemption_bound = 2)]
async fn an_async_body_runs_through_loom_block_on() {
    let n = Arc::new(AtomicUsize::new(0));
    let other = {
        let n = n.clone();
        thread::spawn(move || n.fetch_add(1, Ordering::SeqCst))
    };
    let mine = async { n.fetch_add(1, Ordering::SeqCst) }.await;
    let theirs = other.join().unwrap();
    assert_ne!(mine, theirs, "both threads saw the same count");
}

#[asyncheck::model(preemption_bound = 2, max_branches = 1000)]
#[should_panic(expected = "an increment was lost")]
fn a_lost_update_fails_the_model() {
    racy_increments();
}

#[test]
fn the_failure_names_the_execution_and_the_body_message() {
    let err = std::panic::catch_unwind(|| {
        asyncheck::__private::run_model(Some(2), None, racy_increments);
    })
    .expect_err("loom should find the lost update");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        msg.starts_with("asyncheck: loom found a failing interleaving in execution "),
        "{msg}"
    );
    assert!(msg.contains("an increment was lost"), "{msg}");
    assert!(msg.contains("LOOM_LOG=trace LOOM_LOCATION=1"), "{msg}");
}
