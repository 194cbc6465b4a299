#[asyncheck::test(timeout = "1s", leak_chek)]
async fn unknown_option() {}

fn main() {}
