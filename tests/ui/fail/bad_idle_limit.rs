#[asyncheck::test(idle_limit = "forever")]
async fn bad_idle_limit() {}

fn main() {}
