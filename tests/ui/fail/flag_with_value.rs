#[asyncheck::test(leak_check = true)]
async fn flag_with_value() {}

fn main() {}
