//! Integration tests of weir-ts (one binary).

mod acceptance;
mod common;
mod crash;
mod embedded;
mod influx;
mod props;
