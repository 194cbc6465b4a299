#[asyncheck::model(preemption_bound = 2)]
fn counter_is_not_lost() {
    let n = asyncheck::loom::sync::Arc::new(0);
    drop(n);
}

fn main() {}
