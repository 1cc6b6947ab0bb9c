//! HMAC-SHA256 signatures in the Standard Webhooks layout: the signed
//! content is `"{id}.{timestamp}.{body}"`, sent as
//! `Webhook-Signature: v1=<hex>` next to `Webhook-Id` and
//! `Webhook-Timestamp` (unix seconds). Receivers call [`verify`].

use hmac::{Hmac, Mac as _};
use sha2::Sha256;

use crate::{VerifyError, WebhookEvent};

type HmacSha256 = Hmac<Sha256>;

/// `Webhook-Id`: the event id, the idempotency key.
pub const HEADER_ID: &str = "Webhook-Id";
/// `Webhook-Timestamp`: when this attempt was signed, unix seconds.
pub const HEADER_TIMESTAMP: &str = "Webhook-Timestamp";
/// `Webhook-Signature`: one or more space-separated `v1=<hex>` values.
pub const HEADER_SIGNATURE: &str = "Webhook-Signature";
/// `Webhook-Event`: the event name, for routing without parsing the body.
pub const HEADER_EVENT: &str = "Webhook-Event";
/// `Webhook-Sequence`: the per-room sequence number.
pub const HEADER_SEQUENCE: &str = "Webhook-Sequence";

/// Signs deliveries with one secret. `Debug` does not print the secret.
#[derive(Clone)]
pub struct Signer {
    secret: Vec<u8>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer { secret: <redacted> }")
    }
}

fn mac(secret: &[u8], id: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
    let mut m = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    m.update(id.as_bytes());
    m.update(b".");
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

impl Signer {
    /// A signer for `secret` (the raw bytes both sides share).
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        Signer {
            secret: secret.into(),
        }
    }

    /// The `Webhook-Signature` value for one attempt: `v1=<hex>`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let tag = mac(&self.secret, id, timestamp, body)
            .finalize()
            .into_bytes();
        format!("v1={}", hex(&tag))
    }

    /// Every header of one delivery attempt of `event` whose JSON is
    /// `body`, signed at `timestamp` (unix seconds).
    pub fn headers(
        &self,
        event: &WebhookEvent,
        body: &[u8],
        timestamp: i64,
    ) -> Vec<(&'static str, String)> {
        vec![
            (HEADER_ID, event.id.clone()),
            (HEADER_TIMESTAMP, timestamp.to_string()),
            (HEADER_SIGNATURE, self.sign(&event.id, timestamp, body)),
            (HEADER_EVENT, event.event.clone()),
            (HEADER_SEQUENCE, event.seq.to_string()),
        ]
    }
}

/// Checks a delivery as a receiver should: `header(name)` looks a header up
/// (case-insensitively, as HTTP headers are), `body` is the raw request
/// body, `now` the receiver's clock in unix seconds. The timestamp must be
/// within `tolerance_secs` of `now` (a replayed capture is refused), and one
/// of the `v1=` signatures must match; the comparison is constant-time.
pub fn verify(
    secret: &[u8],
    header: impl Fn(&str) -> Option<String>,
    body: &[u8],
    now: i64,
    tolerance_secs: u64,
) -> Result<(), VerifyError> {
    let id = header(HEADER_ID).ok_or(VerifyError::MissingHeader(HEADER_ID))?;
    let ts = header(HEADER_TIMESTAMP).ok_or(VerifyError::MissingHeader(HEADER_TIMESTAMP))?;
    let sigs = header(HEADER_SIGNATURE).ok_or(VerifyError::MissingHeader(HEADER_SIGNATURE))?;
    let timestamp: i64 = ts
        .trim()
        .parse()
        .map_err(|_| VerifyError::Malformed(HEADER_TIMESTAMP))?;
    if now.abs_diff(timestamp) > tolerance_secs {
        return Err(VerifyError::Stale {
            timestamp,
            now,
            tolerance_secs,
        });
    }
    let mut any = false;
    for sig in sigs.split_whitespace() {
        // Other versions may sit next to v1 (a newer scheme); skip them.
        let Some(hex) = sig.strip_prefix("v1=") else {
            continue;
        };
        let tag = unhex(hex).ok_or(VerifyError::Malformed(HEADER_SIGNATURE))?;
        any = true;
        if mac(secret, &id, timestamp, body).verify_slice(&tag).is_ok() {
            return Ok(());
        }
    }
    if any {
        Err(VerifyError::Mismatch)
    } else {
        Err(VerifyError::Malformed(HEADER_SIGNATURE))
    }
}
