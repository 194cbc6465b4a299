#[asyncheck::test]
fn not_async() {}

fn main() {}
