//! The crate's errors: outbox failures, signature verification failures and
//! dispatcher configuration mistakes.

/// What an [`Outbox`](crate::Outbox) adapter can fail with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboxError {
    /// The caller passed something the outbox refuses (an empty room id or
    /// event name); nothing was stored.
    #[error("invalid webhook input: {0}")]
    InvalidInput(String),
    /// Stored data does not make sense (an undecodable record, a sequence
    /// gap in the log); the outbox refuses to guess.
    #[error("webhook outbox corrupt: {0}")]
    Corrupt(String),
    /// The backing store is unreachable or failed (I/O error, Redis down,
    /// timeout). The operation may be retried.
    #[error("webhook outbox unavailable: {0}")]
    Unavailable(String),
    /// Another process (or another open outbox in this one) holds the file
    /// outbox's directory: one writer per directory, or their records
    /// would interleave and events go out twice or not at all.
    #[error("webhook outbox in use: {0}")]
    InUse(String),
}

/// Why [`verify`](crate::verify) refused a delivery.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// A required header is absent.
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    /// A header is present but unreadable (a timestamp that is not a
    /// number, a signature without `v1=` and hex).
    #[error("malformed header {0}")]
    Malformed(&'static str),
    /// The timestamp is further from now than the tolerance: a replayed
    /// or badly delayed request.
    #[error("timestamp {timestamp} is outside the tolerance of {tolerance_secs} s around {now}")]
    Stale {
        /// The request's `Webhook-Timestamp`.
        timestamp: i64,
        /// The receiver's clock, unix seconds.
        now: i64,
        /// The allowed difference, seconds.
        tolerance_secs: u64,
    },
    /// No signature matches the secret, id, timestamp and body.
    #[error("signature mismatch")]
    Mismatch,
}

/// A dispatcher configuration the dispatcher cannot work with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The endpoint is not an absolute `http` or `https` URL.
    #[error("invalid webhook url {url:?}: {reason}")]
    Url {
        /// What was configured, with its credentials redacted.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// The signing secret is empty.
    #[error("the webhook signing secret is empty")]
    EmptySecret,
    /// A claim would end before a delivery could finish, so another
    /// dispatcher could send the same room at the same time.
    #[error(
        "the claim lease ({lease_ms} ms) must be longer than the request timeout ({timeout_ms} ms)"
    )]
    Lease {
        /// The configured lease.
        lease_ms: u128,
        /// The configured request timeout.
        timeout_ms: u128,
    },
    /// `max_in_flight` is 0: nothing would ever be sent.
    #[error("max_in_flight must be at least 1")]
    NoConcurrency,
    /// `max_attempts` is `Some(0)`: every event would be given up unsent.
    #[error("max_attempts must be at least 1 (or None: retry for ever)")]
    NoAttempts,
}
