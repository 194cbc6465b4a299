#[asyncheck::test(blocking_threshold = 50)]
async fn duration_not_a_string() {}

fn main() {}
