#[asyncheck::test(flavor = "multi_thread", blocking_threshold = "50ms")]
async fn multi_thread_blocking_threshold() {}

fn main() {}
