//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong in `weir-alerts`.
///
/// Per-alert overflow is *not* an error: it is counted (see
/// [`EngineStats`](crate::EngineStats)) and reported with a built-in alert.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An alert key `{PEN, id}` is outside the accepted forms (plugins.md §10.1).
    #[error("invalid alert key {{{pen}, {id}}} in {origin}: {reason}")]
    InvalidAlertKey {
        /// The PEN half of the pair as given.
        pen: i64,
        /// The id half of the pair as given.
        id: i64,
        /// Which definition file gave it.
        origin: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A flow status key is not one of `flow_keys.ntopng` / `flow_keys.user`.
    #[error("invalid flow status key {key} in {origin}: {reason}")]
    InvalidStatusKey {
        /// The key as given.
        key: i64,
        /// Which definition file gave it.
        origin: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// Two definitions claim the same key or the same name.
    #[error(
        "{} {} of `{}` ({}) is already used by `{}` ({})",
        .0.what, .0.key, .0.name, .0.origin, .0.existing_name, .0.existing_origin
    )]
    Duplicate(Box<Clash>),
    /// A definition misses a required field or has an invalid one.
    #[error("invalid definition `{name}` ({origin}): {reason}")]
    InvalidDefinition {
        /// Name of the definition.
        name: String,
        /// Its file.
        origin: String,
        /// What is wrong.
        reason: String,
    },
    /// A status definition names an alert type that is not registered.
    #[error("status `{status}` ({origin}) refers to unknown alert type key {alert_key}")]
    UnknownAlertType {
        /// The status definition name.
        status: String,
        /// Its file.
        origin: String,
        /// The alert key it refers to.
        alert_key: u32,
    },
    /// `trigger`/`release` was called without a granularity (engaged alerts need one).
    #[error("alert type {alert_key} on {entity}: trigger/release requires a granularity")]
    MissingGranularity {
        /// The alert key.
        alert_key: u32,
        /// The entity, rendered.
        entity: String,
    },
    /// An SQLite error, with what the store was doing.
    #[error("alert store ({context}): {source}")]
    Sqlite {
        /// What was being done.
        context: &'static str,
        /// The underlying error.
        #[source]
        source: rusqlite::Error,
    },
    /// The database was written by a newer weir (schema version too high).
    #[error("alert database {path} has schema version {found}, this build knows up to {known}")]
    SchemaTooNew {
        /// Database file.
        path: PathBuf,
        /// Version found in the file.
        found: i64,
        /// Highest version this build can migrate to.
        known: i64,
    },
    /// An I/O error, with the file or peer concerned.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, and on what.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// JSON (de)serialisation failed.
    #[error("JSON ({context}): {source}")]
    Json {
        /// What was being (de)serialised.
        context: &'static str,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// An endpoint could not deliver a batch (after its own retries).
    #[error("endpoint `{endpoint}`: {reason}")]
    Delivery {
        /// Endpoint name.
        endpoint: String,
        /// What failed.
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
}

/// The two definitions of an [`Error::Duplicate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    /// `"alert key"`, `"alert name"`, `"status key"` or `"status name"`.
    pub what: &'static str,
    /// The clashing key or name, rendered.
    pub key: String,
    /// Name of the rejected definition.
    pub name: String,
    /// File of the rejected definition.
    pub origin: String,
    /// Name of the definition that was there first.
    pub existing_name: String,
    /// File of the definition that was there first.
    pub existing_origin: String,
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
