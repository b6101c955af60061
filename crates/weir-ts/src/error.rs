//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong in `weir-ts`.
///
/// Per-point trouble on the write path (a full queue, a schema over its cardinality
/// cap, a point older than the last one of its series, an InfluxDB outage) is *not* an
/// error: it is counted ([`SinkStats`](crate::SinkStats),
/// [`InfluxHealth`](crate::InfluxHealth)) and logged, never silent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A schema definition is invalid (name, step, tag or metric).
    #[error("timeseries schema `{name}` ({origin}): {reason}")]
    InvalidSchema {
        /// Schema name as given.
        name: String,
        /// The file (or built-in) that defined it.
        origin: String,
        /// What is wrong.
        reason: String,
    },
    /// `append` named a schema that is not registered.
    #[error("unknown timeseries schema `{0}`")]
    UnknownSchema(String),
    /// A point does not match its schema (missing/unknown field, wrong arity, no `ifid`).
    #[error("point for schema `{schema}` ({origin}): {reason}")]
    InvalidPoint {
        /// Schema name.
        schema: String,
        /// The file that defined the schema, to point plugin authors at it.
        origin: String,
        /// What is wrong.
        reason: String,
    },
    /// The store holds a schema of the same name with other tags, metrics or archives.
    #[error(
        "timeseries schema `{name}` changed since the store was created ({reason}); keep the old definition or use a new name"
    )]
    SchemaMismatch {
        /// Schema name.
        name: String,
        /// What differs.
        reason: String,
    },
    /// A query is invalid (unknown metric, bad range, ...).
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// An SQLite error, with what the store was doing.
    #[error("timeseries store ({context}): {source}")]
    Sqlite {
        /// What was being done.
        context: &'static str,
        /// The underlying error.
        #[source]
        source: rusqlite::Error,
    },
    /// The store file was written by a newer weir.
    #[error("timeseries store {path} has format version {found}, this build knows up to {known}")]
    FormatTooNew {
        /// Database file.
        path: PathBuf,
        /// Version found in the file.
        found: i64,
        /// Highest version this build reads.
        known: i64,
    },
    /// An I/O error, with the file concerned.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, and on what.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An HTTP exchange with InfluxDB failed (transport error or error status).
    #[error("InfluxDB {what}: {reason}")]
    Influx {
        /// `write` or `query` (and the URL path).
        what: &'static str,
        /// Status and body, or the transport error.
        reason: String,
    },
    /// A sink thread is gone (it panicked or was shut down).
    #[error("{0} thread is not running")]
    Disconnected(&'static str),
    /// A flush or shutdown did not complete within its timeout.
    #[error("{0} did not complete within its timeout")]
    Timeout(&'static str),
    /// An invalid configuration value.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The backend cannot do this.
    #[error("the {backend} timeseries backend does not support {what}")]
    Unsupported {
        /// Backend name.
        backend: &'static str,
        /// The operation.
        what: &'static str,
    },
}

impl Error {
    pub(crate) fn sqlite(context: &'static str) -> impl FnOnce(rusqlite::Error) -> Error {
        move |source| Error::Sqlite { context, source }
    }

    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let context = context.into();
        move |source| Error::Io { context, source }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
