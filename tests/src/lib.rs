//! End-to-end tests of asyncheck live in `tests/tests/`; this library is empty.
