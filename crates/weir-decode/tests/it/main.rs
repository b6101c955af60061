//! Integration tests of weir-decode, built as one test binary.

mod capture;
mod fuzz_corpus;
mod fuzz_seeds;
mod golden;
mod props;
mod syslog;
