//! Attribute macros for the `asyncheck` test harness; use them through the `asyncheck` crate.
#![warn(missing_docs, unreachable_pub)]
