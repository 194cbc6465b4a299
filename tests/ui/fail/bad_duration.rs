#[asyncheck::test(timeout = "5 secs")]
async fn bad_duration() {}

fn main() {}
