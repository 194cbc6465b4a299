#[asyncheck::test(flavor = "single_thread")]
async fn unknown_flavor() {}

fn main() {}
