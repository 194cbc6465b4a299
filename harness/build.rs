//! Declares the `asyncheck_loom` cfg: `RUSTFLAGS="--cfg asyncheck_loom"` swaps the
//! harness's shared-state primitives for loom's, for the loom models of its internals.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(asyncheck_loom)");
}
