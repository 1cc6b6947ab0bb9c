//! Time-limited TURN credentials in the scheme coturn's `use-auth-secret` accepts.
//!
//! The username is `<expiry unix seconds>:<user id>` and the password is
//! `base64(HMAC-SHA1(secret, username))` (the TURN REST API draft).

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Serialize;

/// Credentials a client puts in its `RTCIceServer` entry for TURN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TurnCredentials {
    /// `<expiry>:<user>`.
    pub username: String,
    /// Base64 HMAC-SHA1 of the username.
    pub credential: String,
    /// Seconds the credentials stay valid.
    pub ttl: u64,
}

/// Computes credentials for `user_id`, valid `ttl_secs` from `now_unix`.
pub fn credentials(secret: &[u8], user_id: &str, now_unix: i64, ttl_secs: u64) -> TurnCredentials {
    let expiry = now_unix + ttl_secs as i64;
    let username = format!("{expiry}:{user_id}");
    let mut mac =
        Hmac::<sha1::Sha1>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(username.as_bytes());
    let credential = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    TurnCredentials {
        username,
        credential,
        ttl: ttl_secs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_coturn_reference_vector() {
        // Computed independently: printf '%s' '1700003600:alice' | openssl dgst -sha1 -hmac 'north' -binary | base64
        let c = credentials(b"north", "alice", 1_700_000_000, 3600);
        assert_eq!(c.username, "1700003600:alice");
        assert_eq!(c.credential, "wjwSXO2ch1B6VaLTLMy2Avn5O9o=");
    }
}
