//! Integration tests of weir-alerts: one binary, one module per area.

mod accounting;
mod common;
mod crash;
mod endpoints;
mod props;
mod store;
