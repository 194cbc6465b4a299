#[asyncheck::test(wall_timeout = "never")]
async fn bad_wall_timeout() {}

fn main() {}
