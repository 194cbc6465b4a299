//! `cargo asyncheck`: the command-line front end of `asyncheck-lint`.

fn main() {}
