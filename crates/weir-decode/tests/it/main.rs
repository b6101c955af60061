//! Integration tests of weir-decode, built as one test binary.

mod capture;
