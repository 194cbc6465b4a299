#[asyncheck::proptest(cases = 8)]
async fn parses_what_it_prints(#[strategy(0..100u32)] n: u32) {
    assert_eq!(n.to_string().parse::<u32>().unwrap(), n);
}

fn main() {}
