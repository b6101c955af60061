//! End-to-end tests of the `weir` binary: each module runs the real binary on captures,
//! plugins and servers, as a user would. One test binary for the crate.

mod alerts_cli;
mod builtin_demo;
mod capture_stats;
mod cli;
mod clickhouse;
mod common;
mod dropin;
mod endpoints;
mod flood;
mod flows;
mod history;
mod influxd;
mod lists;
mod live;
mod ntopng42;
mod ntopng_client;
mod plugins;
mod replay_totals;
mod rough_edges;
mod run_cli;
mod script_stats;
mod scripts;
mod shards;
mod syslog;
mod syslog_plugins;
mod timeseries;
mod ts_cli;
mod web_api;
mod web_browser;
mod web_pages;
mod web_support;
