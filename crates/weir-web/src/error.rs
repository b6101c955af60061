//! Errors: [`Error`], why the server could not start or the users file could not be
//! changed, and `ApiError`, the JSON answer of a request that failed.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Why the web server could not start, or why the users file could not be changed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The listen address is not `IP:PORT`.
    #[error("web listen address {listen:?}: expected IP:PORT, e.g. 127.0.0.1:3000")]
    ListenAddress {
        /// The configured address.
        listen: String,
        /// Why it does not parse.
        #[source]
        source: std::net::AddrParseError,
    },
    /// The data directory cannot be created.
    #[error("{}: cannot create", path.display())]
    CreateDir {
        /// The data directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The listen address cannot be bound.
    #[error("web: cannot listen on {addr}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The server's tokio runtime cannot be built.
    #[error("web: cannot start the runtime")]
    Runtime(#[source] std::io::Error),
    /// Another I/O error while starting (the listening socket, the server thread).
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The users file cannot be read.
    #[error("{}: cannot read", path.display())]
    ReadUsers {
        /// The users file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The users file is not a valid users file.
    #[error("{}: invalid users file", path.display())]
    InvalidUsers {
        /// The users file.
        path: PathBuf,
        /// What is wrong in it.
        #[source]
        source: toml::de::Error,
    },
    /// The users file cannot be written.
    #[error("{}: cannot write", path.display())]
    WriteUsers {
        /// The users file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The users cannot be serialised.
    #[error("serialising users")]
    SerializeUsers(#[source] toml::ser::Error),
    /// The system has no randomness to offer (secrets, salts, session ids).
    #[error("no randomness: {0}")]
    Randomness(getrandom::Error),
    /// A password cannot be hashed.
    #[error("hashing a password: {0}")]
    HashPassword(argon2::password_hash::Error),
    /// A user name outside the allowed characters or length.
    #[error("user names are 1 to 32 of A-Z a-z 0-9 _ . -")]
    InvalidUserName,
    /// A user of this name exists already.
    #[error("user {0:?} exists")]
    UserExists(String),
    /// No user of this name.
    #[error("no user {0:?}")]
    NoUser(String),
    /// Removing this user would leave no admin.
    #[error("the last admin cannot be removed")]
    LastAdmin,
}

/// The result of the crate's fallible functions.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error answer: `{"error": message, "status": code}` (and `"field"` when the error
/// is about one request field).
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
    /// The request field the error is about (a body or query field), when one is.
    field: Option<String>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            field: None,
        }
    }

    /// Names the field the error is about (`"field"` in the JSON answer).
    pub(crate) fn with_field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    pub(crate) fn bad(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    /// The HTTP status of the answer.
    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    /// What went wrong.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn internal(e: impl std::fmt::Display) -> ApiError {
        tracing::warn!("web: {e}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({"error": self.message, "status": self.status.as_u16()});
        if let Some(f) = self.field {
            body["field"] = json!(f);
        }
        let mut r = (self.status, Json(body)).into_response();
        r.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
        r
    }
}

/// What an API handler answers.
pub(crate) type ApiResult = std::result::Result<Response, ApiError>;

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    #[test]
    fn errors_name_their_field() {
        let r = ApiError::bad("threshold: too big")
            .with_field("conf.threshold")
            .into_response();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let body = rt
            .block_on(axum::body::to_bytes(r.into_body(), 4096))
            .unwrap();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            v,
            json!({"error": "threshold: too big", "status": 400, "field": "conf.threshold"})
        );
    }

    #[test]
    fn start_errors_read_as_before() {
        let e = Error::UserExists("ro".into());
        assert_eq!(e.to_string(), "user \"ro\" exists");
        assert_eq!(
            Error::LastAdmin.to_string(),
            "the last admin cannot be removed"
        );
    }
}
