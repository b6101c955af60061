//! weir's flow history.
//!
//! Every flow that ends (idle, evicted, or still active when a replay ends or the
//! daemon stops) becomes a [`FlowRecord`] with its final counters, L7 protocol,
//! category, risks, statuses, score, endpoints, VLAN, probe and interface. Records go
//! to a [`HistorySink`]: a background thread writing either
//!
//! - the embedded store ([`SqliteHistory`]: `history.sqlite` in the data directory,
//!   retention by age and size), or
//! - ClickHouse ([`clickhouse::writer`]: tables `flows` and `alerts` with a `probe`
//!   column, batched `TabSeparated` inserts over HTTP, a bounded disk spool while the
//!   server is away, resends that never duplicate a batch).
//!
//! Both are read through one API, [`HistoryReader`]: filtered, paged flow lists and
//! top-N aggregations (talkers, protocols, ports, probes).
//!
//! ```
//! use weir_history::{FlowQuery, FlowRecord, HistoryReader, Retention, SqliteHistory};
//! let dir = tempfile::tempdir().unwrap();
//! let mut store = SqliteHistory::open_dir(dir.path(), Retention::default()).unwrap();
//! let mut f = FlowRecord::empty();
//! f.l7_proto = "TLS.YouTube".into();
//! f.cli2srv_bytes = 100;
//! store.insert(&[f]).unwrap();
//! let page = store.reader().unwrap().flows(&FlowQuery::default()).unwrap();
//! assert_eq!(page.total, 1);
//! assert_eq!(page.flows[0].bytes(), 100);
//! ```

pub mod clickhouse;
mod error;
pub mod query;
pub mod record;
pub mod sink;
pub mod sqlite;

pub use error::{Error, Result};
pub use query::{FlowFilter, FlowPage, FlowQuery, GroupBy, HistoryReader, TopEntry};
pub use record::{AlertRecord, EndReason, FlowRecord};
pub use sink::{HistorySender, HistorySink, SinkReport, SinkStats};
pub use sqlite::{Retention, SqliteHistory, SqliteReader};

/// An address as stored (`IpAddr`'s canonical text), or the text as given when it is
/// no address.
pub fn canonical_ip(s: &str) -> String {
    s.trim()
        .parse::<std::net::IpAddr>()
        .map(|ip| ip.to_string())
        .unwrap_or_else(|_| s.trim().to_string())
}

/// `6/443` as `tcp/443` (`udp`, `icmp`, else the protocol number).
pub fn port_key(k: &str) -> String {
    match k.split_once('/') {
        Some((p, port)) => {
            let name = match p {
                "6" => "tcp",
                "17" => "udp",
                "1" => "icmp",
                "58" => "icmpv6",
                "132" => "sctp",
                other => other,
            };
            format!("{name}/{port}")
        }
        None => k.to_string(),
    }
}
