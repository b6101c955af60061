//! `weir-ts`: timeseries schemas, the writer API, the embedded round-robin store and
//! the InfluxDB backend, and the queries charts use.
//!
//! - [`Schema`] (`family:metric` name, step, tags, counter/gauge metrics, archives,
//!   cardinality cap, origin file) and the [`SchemaRegistry`] plugins add to, with
//!   the [`builtin`] schemas (interface, host, network, L7, alerts, scores).
//! - [`TsWriter`]: `append(schema, tags, metrics, ts)` then `end_step()`; the
//!   engine's writer is a [`TsSender`] feeding a [`TsSink`] thread over a bounded
//!   channel (overflow counted in [`SinkStats`]), which writes each step as one batch
//!   to a [`Backend`]:
//!   - [`EmbeddedStore`] / [`EmbeddedWriter`]: round-robin archives with AVG / MIN /
//!     MAX / LAST consolidation in one SQLite file (WAL, one transaction per batch),
//!     size bounded at creation. Counters are stored as per-second rates; missing
//!     steps are gaps.
//!   - [`InfluxBackend`]: line protocol over HTTP (1.x `/write`, 2.x
//!     `/api/v2/write`), gzip, batches, retry with backoff, bounded memory buffer
//!     (spilling to a bounded disk spool when configured) with overflow counted and
//!     [`InfluxHealth`] exposed.
//! - Deletes (`ts_utils.delete`) go through the sink too: [`TsSender::delete`].
//! - [`prometheus`]: the text exposition encoder for `/metrics`, with the sinks'
//!   and InfluxDB's counters.
//! - [`TsQuery`]: range queries (the step picks the archive), consolidation, top-k
//!   series by a metric; implemented by the embedded store and by [`InfluxClient`]
//!   (InfluxQL).
//!
//! Times are seconds since the epoch on the packet-time clock, given by the caller.
//! The format and the choices behind it are in `docs/timeseries.md`.
//!
//! ```
//! use std::time::Duration;
//! use weir_ts::*;
//!
//! let dir = tempfile::tempdir()?;
//! let store = EmbeddedStore::open_dir(dir.path())?;
//! let sink = TsSink::spawn(Box::new(store.writer()?), SinkConfig::default())?;
//!
//! // A plugin schema (`ts_schemas/min.lua`): SYNs received per host, every minute.
//! let mut registry = SchemaRegistry::with_builtins();
//! let mut schema = Schema::new("host:syn_received", 60, "plugins/syn/ts_schemas/min.lua")?;
//! schema.add_tag("ifid")?;
//! schema.add_tag("host")?;
//! schema.add_metric("syn", MetricKind::Counter)?;
//! let (schema, _) = registry.define(schema)?;
//!
//! let mut w = sink.writer();
//! for (minute, total) in [0.0, 120.0, 300.0].into_iter().enumerate() {
//!     let tags = vec!["0".to_string(), "192.168.1.5".to_string()];
//!     w.append(&schema, tags, vec![total], 1_700_000_040 + 60 * minute as u64)?;
//!     w.end_step()?; // all the series of this step: one transaction
//! }
//! w.flush(Duration::from_secs(10))?;
//!
//! let r = store.query(&Query::new("host:syn_received").tag("host", "192.168.1.5"))?;
//! let per_sec: Vec<_> = r.series[0].points.iter().map(|p| p.values[0]).collect();
//! assert_eq!(per_sec, [Some(2.0), Some(3.0)]); // 120 and 180 SYNs per minute
//! sink.shutdown(Duration::from_secs(10))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod builtin;
mod embedded;
mod error;
mod influx;
mod point;
pub mod prometheus;
mod query;
mod rrd;
mod schema;
mod writer;

pub use embedded::{DB_FILE, EmbeddedStore, EmbeddedWriter, FORMAT_VERSION};
pub use error::{Error, Result};
pub use influx::{
    InfluxApi, InfluxBackend, InfluxClient, InfluxConfig, InfluxHealth, InfluxHealthHandle,
    InfluxStatus,
    line::{escape_key, escape_measurement, escape_tag_value, write_line},
};
pub use point::{FieldValue, MAX_TS, Point};
pub use query::{
    DataPoint, Query, QueryResult, SeriesData, SeriesInfo, TopItem, TopKQuery, TsQuery,
};
pub use schema::{
    Agg, Archive, DEFAULT_MAX_SERIES, Defined, Metric, MetricKind, Schema, SchemaRegistry,
    default_archives,
};
pub use writer::{Backend, BatchReport, SinkConfig, SinkStats, TsSender, TsSink, TsWriter};

/// The crate's name, for logs and `--version` output.
pub const CRATE: &str = "weir-ts";

#[cfg(test)]
mod tests {
    #[test]
    fn crate_name_matches_package() {
        assert_eq!(super::CRATE, env!("CARGO_PKG_NAME"));
    }

    /// The web server shares the query side across threads; engines own senders.
    #[test]
    fn thread_safety() {
        fn send_sync<T: Send + Sync>() {}
        fn send<T: Send>() {}
        send_sync::<super::EmbeddedStore>();
        send_sync::<super::InfluxClient>();
        send_sync::<super::SchemaRegistry>();
        send_sync::<super::InfluxHealthHandle>();
        send::<super::TsSender>();
        send::<super::EmbeddedWriter>();
        send::<super::InfluxBackend>();
    }
}
