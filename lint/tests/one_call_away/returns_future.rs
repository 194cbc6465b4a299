//! Futures from functions declared to return one, and methods resolved by the receiver's type.
use std::future::Future;
use std::pin::Pin;

use futures::future::BoxFuture;

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

fn save(path: &str) -> impl Future<Output = ()> + '_ {
    async move {
        let _ = path;
    }
}

fn boxed() -> Pin<Box<dyn Future<Output = u8> + Send>> {
    Box::pin(async { 1 })
}

fn job() -> Job {
    Box::pin(async {})
}

fn boxed_future<'a>() -> BoxFuture<'a, ()> {
    Box::pin(async {})
}

fn local() -> futures::future::LocalBoxFuture<'static, ()> {
    Box::pin(async {})
}

fn checksum(data: &[u8]) -> u8 {
    data.iter().fold(0, |a, b| a ^ b)
}

struct Client;

impl Client {
    fn send(&self) -> impl Future<Output = ()> + '_ {
        async {}
    }

    fn connect() -> BoxFuture<'static, Client> {
        Box::pin(async { Client })
    }

    async fn status(&self) -> u8 {
        0
    }

    async fn count(&self) -> usize {
        0
    }

    async fn ping(&self) {
        self.send(); //~ unawaited_future
        Self::connect(); //~ unawaited_future
        self.send().await;
    }
}

trait Store {
    fn load(&self) -> BoxFuture<'_, u8>;
}

impl Store for Client {
    fn load(&self) -> BoxFuture<'_, u8> {
        Box::pin(async { 1 })
    }
}

async fn dropped(client: &Client, store: &dyn Store) {
    save("/a"); //~ unawaited_future
    let _ = boxed(); //~ unawaited_future
    drop(job()); //~ unawaited_future
    boxed_future(); //~ unawaited_future
    local(); //~ unawaited_future
    client.send(); //~ unawaited_future
    client.status(); //~ unawaited_future
    store.load(); //~ unawaited_future
    let pending = save("/b"); //~ unawaited_future
    Client::connect(); //~ unawaited_future
}

fn in_sync_code(client: &Client) {
    client.send(); //~ unawaited_future
}

fn passes_it_on(client: &Client) -> impl Future<Output = ()> + '_ {
    client.send()
}

async fn clean(client: &Client, items: Vec<u8>, mut cmd: std::process::Command) {
    save("/a").await;
    let fut = boxed();
    let _ = fut.await;
    tokio::spawn(job());
    let jobs: Vec<Job> = vec![job()];
    let _ = jobs;
    checksum(&items);
    passes_it_on(client).await;
    // `status` and `count` of std types are not the crate's async methods of the same names.
    let _ = std::process::Command::new("ls").status();
    let _ = cmd.status();
    items.iter().count();
    let n = items.iter().filter(|b| **b > 0).count();
    let _ = n;
    let connecting = Client::connect();
    let _ = connecting.await;
    tokio::join!(save("/c"), client.send());
}

/// Sends its command at the call and returns a future that waits for the reply,
/// as a server handle's `stop` does.
struct Handle(std::sync::mpsc::Sender<bool>);

impl Handle {
    fn stop(&self, graceful: bool) -> impl Future<Output = ()> + '_ {
        let _ = self.0.send(graceful);
        async {}
    }

    fn lazy_stop(&self) -> impl Future<Output = ()> + '_ {
        async move {
            let _ = self.0.send(true);
        }
    }
}

async fn discards(handle: &Handle) {
    // The command is sent at the call: dropping the reply's future is a choice.
    drop(handle.stop(false));
    let _ = handle.stop(true);
    // Nothing is sent until polled.
    drop(handle.lazy_stop()); //~ unawaited_future
    let _ = handle.lazy_stop(); //~ unawaited_future
    // A bare statement drops the reply without saying so.
    handle.stop(false); //~ unawaited_future
}
