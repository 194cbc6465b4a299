#[asyncheck::test(flavor = "multi_thread", start_paused = true)]
async fn multi_thread_start_paused() {}

fn main() {}
