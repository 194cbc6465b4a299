#[asyncheck::test(timeout = "1s", leak_check, timeout = "2s")]
async fn repeated_option() {}

fn main() {}
