//! Shared by the fuzz targets: the invariants every report must satisfy, and a generator of valid async Rust programs.

pub mod invariants;
pub mod program;
