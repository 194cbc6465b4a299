#[asyncheck::test(worker_threads = 2)]
async fn worker_threads_without_multi_thread() {}

fn main() {}
