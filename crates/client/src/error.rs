//! The client's error type.

use signaling_core::ErrorCode;

/// What a client call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error body (`{"error":{"code",…}}`), over
    /// REST or when refusing a WebSocket handshake.
    #[error("{status} {code}: {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// The stable code (docs/errors.md), e.g. `ROOM_FULL`.
        code: String,
        /// Detail for people.
        message: String,
        /// Seconds before retrying, for rate limits.
        retry_after: Option<u64>,
    },
    /// An HTTP request failed (connection, body).
    #[error("http: {0}")]
    Http(#[from] reqwest::Error),
    /// The WebSocket failed (connection, protocol).
    #[error("websocket: {0}")]
    WebSocket(#[from] Box<tokio_tungstenite::tungstenite::Error>),
    /// A base URL that is not `http(s)://host[:port]`.
    #[error("invalid base URL {0:?}")]
    Url(String),
    /// An answer that is not the JSON expected.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// Downloaded bytes whose SHA-256 is not the sender's.
    #[error("SHA-256 mismatch: expected {expected}, got {actual}")]
    Checksum {
        /// The hash the sender declared.
        expected: String,
        /// The hash of the bytes received.
        actual: String,
    },
    /// A transfer ended (rejected, cancelled, failed) while we waited on it.
    #[error("transfer {id} is {state}")]
    TransferEnded {
        /// The transfer.
        id: String,
        /// Its state, e.g. `rejected`.
        state: String,
    },
    /// Nothing happened in time.
    #[error("timed out waiting for {0}")]
    Timeout(&'static str),
    /// The connection was closed (by [`crate::Client::close`] or for good by
    /// the server); nothing more can be sent.
    #[error("the connection is closed")]
    Closed,
}

impl Error {
    /// The server's error code, when the server sent one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Error::Api { code, .. } => ErrorCode::ALL.iter().copied().find(|c| c.as_str() == code),
            _ => None,
        }
    }

    /// Reads a server error body; anything else becomes `INTERNAL_ERROR`
    /// with the text as the message.
    pub(crate) fn from_body(status: u16, body: &[u8]) -> Self {
        #[derive(serde::Deserialize)]
        struct Body {
            error: Inner,
        }
        #[derive(serde::Deserialize)]
        struct Inner {
            code: String,
            #[serde(default)]
            message: String,
            #[serde(default)]
            retry_after: Option<u64>,
        }
        match serde_json::from_slice::<Body>(body) {
            Ok(b) => Error::Api {
                status,
                code: b.error.code,
                message: b.error.message,
                retry_after: b.error.retry_after,
            },
            Err(_) => Error::Api {
                status,
                code: "INTERNAL_ERROR".into(),
                message: String::from_utf8_lossy(body).chars().take(200).collect(),
                retry_after: None,
            },
        }
    }
}

impl From<tokio_tungstenite::tungstenite::Error> for Error {
    fn from(e: tokio_tungstenite::tungstenite::Error) -> Self {
        match e {
            tokio_tungstenite::tungstenite::Error::Http(r) => {
                let status = r.status().as_u16();
                Error::from_body(status, r.body().as_deref().unwrap_or_default())
            }
            other => Error::WebSocket(Box::new(other)),
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
