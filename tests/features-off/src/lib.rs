//! trybuild cases for `asyncheck` without its `proptest` and `loom` features live in
//! `tests/`; this library is empty.
