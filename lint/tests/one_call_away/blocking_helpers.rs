//! Blocking one call away or more: the crate's own sync helpers, called from async code.
use std::process::Command;
use std::time::Duration;

fn wait_for_quota() {
    std::thread::sleep(Duration::from_millis(50));
}

fn backoff(attempt: u32) {
    if attempt > 0 {
        wait_for_quota();
    }
}

fn read_config() -> String {
    std::fs::read_to_string("/etc/app.toml").unwrap_or_default()
}

fn git_head() -> Vec<u8> {
    Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .map(|o| o.stdout)
        .unwrap_or_default()
}

fn run_sync<F: std::future::Future>(fut: F) -> F::Output {
    futures::executor::block_on(fut)
}

fn take_slot(slots: &tokio::sync::Mutex<u32>) -> u32 {
    *slots.blocking_lock()
}

// A cycle of helpers that ends in a sleep.
fn ping(n: u32) {
    if n == 0 {
        wait_for_quota();
    } else {
        pong(n - 1);
    }
}

fn pong(n: u32) {
    ping(n);
}

// A cycle of helpers that never blocks.
fn even(n: u32) -> bool {
    n == 0 || odd(n - 1)
}

fn odd(n: u32) -> bool {
    n != 0 && even(n - 1)
}

struct Limiter;

impl Limiter {
    fn throttle(&self) {
        std::thread::sleep(Duration::from_millis(5));
    }

    fn acquire(&self) {
        self.throttle();
    }

    fn check(&self) -> bool {
        true
    }

    fn pause() {
        std::thread::sleep(Duration::from_millis(1));
    }

    async fn run(&self) {
        self.acquire(); //~ blocking_sleep
        Self::pause(); //~ blocking_sleep
        self.check();
    }
}

// A method name shared with a type whose method does not block.
struct Pacer;

impl Pacer {
    fn throttle(&self) {}
}

trait Store {
    fn flush(&self);
}

struct Disk;
struct Memory;

impl Store for Disk {
    fn flush(&self) {
        let _ = std::fs::write("/tmp/disk", b"");
    }
}

// Not every impl of `Store::flush` blocks, so a `dyn Store` does not.
impl Store for Memory {
    fn flush(&self) {}
}

trait Sink {
    fn drain(&self);
}

struct Spool;

impl Sink for Spool {
    fn drain(&self) {
        std::thread::sleep(Duration::from_millis(2));
    }
}

mod util {
    pub fn nap() {
        std::thread::sleep(std::time::Duration::from_millis(3));
    }
}

fn allowed_helper() {
    std::thread::sleep(Duration::from_millis(1)); // asyncheck: allow(blocking_sleep) startup only
}

fn only_closures() {
    let later = || std::thread::sleep(Duration::from_millis(1));
    let _ = later;
}

fn only_from_sync() {
    wait_for_quota();
    backoff(3);
}

async fn sleeps_itself() {
    std::thread::sleep(Duration::from_millis(1)); //~ blocking_sleep
}

async fn handlers(limiter: &Limiter, pacer: &Pacer, store: &dyn Store, spool: &impl Sink, slots: &tokio::sync::Mutex<u32>) {
    wait_for_quota(); //~ blocking_sleep
    backoff(1); //~ blocking_sleep
    let config = read_config(); //~ blocking_io
    let head = git_head(); //~ blocking_io
    run_sync(async {}); //~ nested_runtime
    ping(3); //~ blocking_sleep
    limiter.throttle(); //~ blocking_sleep
    spool.drain(); //~ blocking_sleep
    let slot = take_slot(slots); //~ tokio_blocking_method
    Limiter::pause(); //~ blocking_sleep
    util::nap(); //~ blocking_sleep
    crate::util::nap(); //~ blocking_sleep

    // Clean look-alikes.
    pacer.throttle();
    store.flush();
    even(4);
    odd(3);
    tokio::task::spawn_blocking(wait_for_quota);
    tokio::task::spawn_blocking(|| wait_for_quota());
    tokio::task::spawn_blocking(move || {
        backoff(2);
        read_config()
    });
    std::thread::spawn(|| git_head());
    wait_for_quota(); // asyncheck: allow(blocking_sleep) a call-site allow silences it
    allowed_helper();
    only_closures();
    sleeps_itself().await;
    limiter.check();
    let _ = (config, head, slot);
}

fn main() {
    only_from_sync();
    let _ = run_sync(async {});
}
