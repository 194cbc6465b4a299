//! `asyncheck-lint`: a syntax-only lint for async Rust pitfalls.
#![warn(missing_docs, unreachable_pub)]
