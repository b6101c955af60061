//! `weir-pipeline`: the one path packets take through weir.
//!
//! Sources ([`source`]: capture files, live interfaces) read frames into batches and
//! send them over bounded channels to engine threads ([`engine`]), which decode every
//! frame, feed the flow engine on the packet clock and pass its events down one
//! consumer chain (a [`engine::Driver`]: the plugins' runtime, a printer, a test
//! recorder). At the end of a replay the engine runs the final visit and the driver's
//! report and the run's [`summary::Summary`] come back. [`run::execute`] runs one
//! interface per source on its own threads; [`replay`] runs one capture on the calling
//! thread's engine: `weir run`, `weir flows`, `weir hosts` and `weir plugins test` all
//! go through [`engine::EngineLoop`], so their packet, byte and flow counts agree by
//! construction.
//!
//! Beside the packet path: the syslog listeners and their scripts' thread
//! ([`syslog`]), the timeseries service ([`timeseries`]), the plugins' driver and the
//! alert stores ([`scripts`]), the built-in plugins embedded in the binary
//! ([`builtin`]), the snapshots the web server reads ([`snapshot`]), and the
//! configuration file ([`config`]).

pub mod builtin;
pub mod config;
pub mod engine;
pub mod fanout;
pub mod history;
pub mod json;
pub mod lookups;
pub mod recipients;
pub mod replay;
pub mod run;
pub mod script_stats;
pub mod scripts;
pub mod shards;
pub mod snapshot;
pub mod source;
pub mod summary;
pub mod syslog;
pub mod talkers;
pub mod timeseries;

pub use replay::replay;
