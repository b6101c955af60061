//! Alert storage: the backend traits, queries, and the writer thread.
//!
//! A backend implements [`AlertStore`] (queries, and a factory for its
//! [`StoreWriter`]). [`StoreSink::spawn`] moves the writer into its own thread fed by
//! a bounded channel; the engine submits batches with a non-blocking call and the
//! writer applies in one transaction everything that arrives within
//! [`WriterConfig::max_tx_delay`] of the transaction's first alert. SQLite
//! ([`SqliteStore`]) is the embedded default; a ClickHouse backend can implement the
//! same traits.

mod query;
mod sqlite;
mod writer;

use std::sync::Arc;

pub use query::{AlertQuery, AlertTable, CountBy, CountRow, SortBy};
pub use sqlite::{Retention, SqliteConfig, SqliteStore};
pub use writer::{StoreSender, StoreSink, StoreStats, WriterConfig};

use crate::alert::{AlertRecord, Notification};
use crate::error::Result;

/// A place where alerts are kept and queried.
///
/// Queries may run on any thread, concurrently with the writer.
pub trait AlertStore: Send + Sync {
    /// Opens the (single) writer of this store; it is moved to the writer thread.
    ///
    /// # Errors
    /// When the backend cannot be opened for writing.
    fn writer(&self) -> Result<Box<dyn StoreWriter>>;

    /// Alerts matching `q`.
    ///
    /// # Errors
    /// Backend errors, or a filter that does not apply to the table.
    fn query(&self, q: &AlertQuery) -> Result<Vec<AlertRecord>>;

    /// Number of alerts matching `q`, grouped by `by`, largest first.
    ///
    /// # Errors
    /// As [`AlertStore::query`].
    fn counts(&self, q: &AlertQuery, by: CountBy) -> Result<Vec<CountRow>>;
}

/// The writing half of a store, owned by the writer thread.
pub trait StoreWriter: Send {
    /// Applies a batch in one transaction: all of it is durable when this returns
    /// `Ok`, none of it when it returns `Err`.
    ///
    /// `engage` inserts an engaged alert, `release` moves it to the past alerts, `store`
    /// inserts a past (one-shot) or flow alert.
    ///
    /// # Errors
    /// Backend errors; the batch is then counted as failed by the writer thread.
    fn write_batch(&mut self, batch: &[Arc<Notification>]) -> Result<()>;

    /// Periodic housekeeping (retention, vacuum); returns the number of alerts removed.
    ///
    /// # Errors
    /// Backend errors (logged by the writer thread).
    fn housekeeping(&mut self) -> Result<u64> {
        Ok(0)
    }
}
