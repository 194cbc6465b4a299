#[asyncheck::test(unhandled_panic = "shutdown_runtime", allow_task_panics)]
async fn allow_task_panics_with_shutdown_runtime() {}

fn main() {}
