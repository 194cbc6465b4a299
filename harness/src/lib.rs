//! `asyncheck`: a deterministic async test harness for tokio.
#![warn(missing_docs, unreachable_pub)]
