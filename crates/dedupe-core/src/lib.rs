//! dedupe's compiled core: the work done per byte, per word and per block, as plain Rust.
//!
//! No Python here: every function takes slices and returns plain values, so `cargo test` alone checks it.
//! The binding crate (`crates/dedupe-py`) converts Python objects to these slices, calls one function per
//! batch of documents with the GIL released, and catches a panic at that boundary so that it becomes the
//! batch's error (the pipeline then retries file by file and reports the one that fails, like an
//! unreadable file) instead of a dead process.
//!
//! Answers must equal the Python stages they replace, byte for byte: the golden cases are the contract.
#![forbid(unsafe_code)]

pub mod bodies;
pub mod chars;
pub mod chrome;
pub mod classify;
pub mod decide;
pub mod features;
pub mod files;
pub mod finish;
pub mod group;
pub mod hash;
pub mod keys;
pub mod minhash;
pub mod page;
pub mod pagetype;
pub mod phrases;
pub mod plain;
pub mod recover;
pub mod repeats;
pub mod segment;
pub mod sign;
mod unicode_tables;
