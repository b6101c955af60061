//! Errors of the history stores and the ClickHouse sink.

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The embedded SQLite store failed (the message names the file).
    #[error("history store {path}: {source}")]
    Sqlite {
        /// The database file.
        path: String,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// ClickHouse could not be reached (connection refused, reset, timeout): the
    /// outcome of a write is unknown.
    #[error("ClickHouse {url}: {what}: {reason}")]
    Unreachable {
        /// The server.
        url: String,
        /// What was being done (`insert into flows`, `query`, …).
        what: String,
        /// The transport error.
        reason: String,
    },
    /// ClickHouse answered with an error (wrong credentials, read-only table, bad
    /// query): the statement did not take effect.
    #[error("ClickHouse {url}: {what}: HTTP {status}: {reason}")]
    Refused {
        /// The server.
        url: String,
        /// What was being done.
        what: String,
        /// The HTTP status.
        status: u16,
        /// The server's message (first line).
        reason: String,
    },
    /// ClickHouse answered something that is not what was asked for.
    #[error("ClickHouse {url}: {what}: malformed answer: {reason}")]
    Malformed {
        /// The server.
        url: String,
        /// What was being done.
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A bad setting (URL, name).
    #[error("history configuration: {0}")]
    Config(String),
    /// Spool directory I/O.
    #[error("history spool {path}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Result with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
