#[asyncheck::model(preemptions = 2)]
fn model_unknown_option() {}

fn main() {}
