//! `#[asyncheck::proptest]` and `#[asyncheck::model]` without the `proptest` and
//! `loom` features of `asyncheck`: a compile error naming the feature, with the
//! reviewed `.stderr` of each case.

#[test]
fn attributes_without_their_feature() {
    trybuild::TestCases::new().compile_fail("ui/*.rs");
}
