//! The crate's own wrappers around `tokio::spawn`, called per item in a loop or with their handle dropped.
use std::future::Future;

use futures::future::BoxFuture;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

fn spawn_named<F>(name: &str, fut: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let _ = name;
    tokio::spawn(fut)
}

fn spawn_logged(fut: impl Future<Output = ()> + Send + 'static) -> JoinHandle<()> {
    tokio::spawn(async move {
        fut.await;
    })
}

fn spawn_boxed(job: BoxFuture<'static, ()>) -> tokio::task::JoinHandle<()> {
    tokio::task::spawn(job)
}

// Drops the handle itself: flagged here, once, not at every call.
fn fire_and_forget<F: Future<Output = ()> + Send + 'static>(fut: F) {
    tokio::spawn(fut); //~ detached_task
}

struct Pool;

impl Pool {
    fn submit<F: Future<Output = ()> + Send + 'static>(&self, fut: F) -> JoinHandle<()> {
        tokio::spawn(fut)
    }
}

// Look-alikes that spawn no future they are given.
fn spawn_worker(id: u32) -> JoinHandle<()> {
    tokio::spawn(async move {
        let _ = id;
    })
}

fn run_inline<F: Future<Output = ()>>(fut: F) -> F {
    fut
}

fn spawn_later<F: Future<Output = ()> + Send + 'static>(fut: F) -> impl FnOnce() -> JoinHandle<()> {
    move || tokio::spawn(fut)
}

async fn process(job: u32) {
    let _ = job;
}

async fn serve(mut rx: mpsc::Receiver<u32>, pool: &Pool, jobs: Vec<u32>) {
    while let Some(job) = rx.recv().await {
        spawn_named("job", process(job)); //~ unbounded_spawn, detached_task
    }
    while let Some(job) = rx.recv().await {
        let _ = spawn_logged(process(job)); //~ unbounded_spawn, detached_task
    }
    for job in jobs.clone() {
        spawn_boxed(Box::pin(process(job))); //~ unbounded_spawn, detached_task
    }
    for job in jobs.clone() {
        pool.submit(process(job)); //~ unbounded_spawn, detached_task
    }
    for job in jobs.clone() {
        fire_and_forget(process(job)); //~ unbounded_spawn
    }
    for job in jobs.clone() {
        let handle = spawn_named("job", process(job)); //~ unbounded_spawn
        handles_later(handle);
    }
    spawn_logged(process(0)); //~ detached_task
    let _ = pool.submit(process(1)); //~ detached_task

    // Clean look-alikes.
    for job in jobs.clone() {
        spawn_named("job", process(job)).await.unwrap();
    }
    for job in jobs.clone() {
        let handle = spawn_logged(process(job));
        handle.await.unwrap();
    }
    let mut workers = Vec::new();
    for id in 0..4 {
        workers.push(spawn_named("worker", process(id)));
    }
    for job in jobs.clone() {
        spawn_worker(job);
    }
    for job in jobs.clone() {
        run_inline(process(job)).await;
    }
    for job in jobs.clone() {
        let start = spawn_later(process(job));
        let _ = start;
    }
    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(8));
    for job in jobs.clone() {
        let permit = semaphore.clone().acquire_owned().await.unwrap();
        workers.push(spawn_logged(async move {
            process(job).await;
            drop(permit);
        }));
    }
    let kept = spawn_logged(process(2));
    kept.await.unwrap();
    drop(spawn_named("explicit", process(3)));
}

fn handles_later(handle: JoinHandle<()>) {
    drop(handle);
}
