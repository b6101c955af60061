//! Integration tests of weir-gen, built as one test binary.

mod app;
mod common;
mod frame;
mod generate;
mod security;
