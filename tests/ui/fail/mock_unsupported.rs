#[asyncheck::mock]
trait Cache {
    type Key;
    async fn get<V: Clone>(&self, key: u32) -> Option<V>;
    async fn first(&self) -> &str;
}

fn main() {}
