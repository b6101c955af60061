//! Integration tests of the Lua runtime, one binary.

mod common;
mod definitions;
mod embedded;
mod endpoint;
mod faults;
mod flow_info;
mod lists;
mod memory;
mod messages;
mod ntopng42_api;
mod ntopng_modules;
mod prefilter;
mod purge;
mod runtime;
mod tutorial;
