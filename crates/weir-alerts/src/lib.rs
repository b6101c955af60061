//! `weir-alerts`: alert and flow-status registry, alert engine, store and endpoints.
//!
//! Everything about alerts that is neither packets nor Lua:
//!
//! - [`Registry`]: alert types and flow status types with their stable keys
//!   ([`AlertKey`], [`StatusKey`]; ntopng 4.2 tables, user ranges, `{PEN, id}`
//!   pairs), titles, icons, default severities; built-ins ([`builtin`]) plus those
//!   plugins define. Two definitions claiming one key is an error naming both files.
//! - [`Severity`], [`Granularity`], [`EntityKind`], [`Entity`] with the spec's ids.
//! - [`AlertEngine`]: engaged/released state (`trigger` / `release` are idempotent),
//!   one-shot and flow alerts; owned by one thread, never blocks.
//! - [`AlertStore`] with the embedded [`SqliteStore`] (WAL, migrations, one writer
//!   thread [`StoreSink`], batched transactions, queries, counts, retention).
//! - Endpoints ([`Endpoint`]): [`NdjsonFile`], [`Syslog`], [`Webhook`], each in its
//!   own thread ([`spawn_endpoint`]) with a minimum severity and entity filter.
//!
//! No alert is lost silently: every alert not stored or not delivered is counted
//! ([`EngineStats`], [`StoreStats`], [`EndpointStats`]) and reported with a built-in
//! `alert_dropped_alerts` alert.
//!
//! Timestamps are seconds since the epoch on the packet-time clock, given by the
//! caller.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use weir_alerts::*;
//!
//! let dir = tempfile::tempdir()?;
//! let store = SqliteStore::open_dir(dir.path(), SqliteConfig::default())?;
//! let sink = StoreSink::spawn(&store, WriterConfig::default())?;
//!
//! let registry = Arc::new(Registry::with_builtins());
//! let mut engine = AlertEngine::new(EngineConfig::default(), registry);
//! engine.set_store(sink.sender());
//!
//! let host = Entity::host("192.168.1.10", 0);
//! let info = TypeInfo::new(builtin::CONNECTION_ISSUES, Severity::Warning)
//!     .granularity(Granularity::Min)
//!     .params(serde_json::json!({"retransmissions": 12}));
//! assert_eq!(engine.trigger(host.clone(), info.clone(), 1_700_000_000)?, Engagement::Engaged);
//! assert_eq!(engine.trigger(host.clone(), info.clone(), 1_700_000_060)?, Engagement::AlreadyEngaged);
//! engine.flush(Duration::from_secs(10))?;
//! assert_eq!(store.query(&AlertQuery::engaged())?.len(), 1);
//!
//! assert!(engine.release(host, info, 1_700_000_120)?);
//! engine.flush(Duration::from_secs(10))?;
//! let past = store.query(&AlertQuery::past())?;
//! let AlertRecord::Alert(a) = &past[0] else { unreachable!() };
//! assert_eq!(a.duration_secs(), Some(120));
//! assert_eq!(store.query(&AlertQuery::engaged())?.len(), 0);
//! sink.shutdown(Duration::from_secs(10))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod alert;
pub mod builtin;
mod endpoint;
mod engine;
mod error;
mod keys;
pub mod message;
mod registry;
mod store;
mod types;

pub use alert::{
    Action, Alert, AlertGeneration, AlertRecord, FlowAlert, Notification, TypeInfo, alert_json,
};
pub use endpoint::{
    CategoryOf, Endpoint, EndpointConf, EndpointConfig, EndpointFilter, EndpointHandle,
    EndpointSender, EndpointStats, MAX_RECIPIENTS, NdjsonConfig, NdjsonFile, RECIPIENT_QUEUE_SLOTS,
    Recipient, RecipientDispatch, RecipientQueues, RecipientSet, RecipientStats, SCRIPT_CATEGORIES,
    Syslog, SyslogConfig, SyslogFraming, SyslogTransport, Webhook, WebhookConfig, category_id,
    lowest_free_id, notification_json, pop_internal_alert, push_internal_alert, spawn_dispatch,
    spawn_endpoint,
};
pub use engine::{AlertEngine, Engagement, EngineConfig, EngineStats};
pub use error::{Clash, Error, Result};
pub use keys::{
    AlertKey, NTOPNG_ALERT_KEYS, NTOPNG_STATUS_KEYS, StatusKey, USER_ALERT_KEYS, USER_STATUS_KEYS,
    ntopng_alert_key_name, ntopng_status_key_name, user_alert_key_name, user_status_key_name,
};
pub use registry::{AlertType, AlertTypeDef, Origin, Registry, StatusDef, StatusType};
pub use store::{
    AlertQuery, AlertStore, AlertTable, CountBy, CountRow, Retention, SortBy, SqliteConfig,
    SqliteStore, StoreSender, StoreSink, StoreStats, StoreWriter, WriterConfig,
};
pub use types::{Entity, EntityKind, Granularity, Severity};
