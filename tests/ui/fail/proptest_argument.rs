#[asyncheck::proptest(cases = 8)]
async fn argument_attribute(#[strat(0..10u8)] x: u8) {
    assert!(x < 10);
}

fn main() {}
