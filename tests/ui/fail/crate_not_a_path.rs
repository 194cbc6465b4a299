#[asyncheck::test(crate = "tokio 1")]
async fn crate_not_a_path() {}

fn main() {}
