//! trybuild cases for `#[asyncheck::test]`: one compile-fail case per macro error
//! (with its reviewed `.stderr`), and a pass case using nothing but `asyncheck`.

#[test]
fn macro_errors_and_expansion() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/fail/*.rs");
    cases.pass("ui/pass/*.rs");
}
