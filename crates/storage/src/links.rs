//! Expiring download links for backends that cannot sign URLs themselves
//! (local disk, memory): an HMAC-SHA256 over the key and the expiry, checked
//! in constant time by the server that serves the link.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Why a link was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// The expiry has passed.
    #[error("the link expired")]
    Expired,
    /// The signature does not match the key and expiry (tampered or forged).
    #[error("the link signature is invalid")]
    BadSignature,
}

/// Signs and verifies download links with a server secret.
#[derive(Clone)]
pub struct LinkSigner {
    secret: Vec<u8>,
}

impl std::fmt::Debug for LinkSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkSigner(<redacted>)")
    }
}

impl LinkSigner {
    /// A signer with this secret (use at least 32 random bytes).
    pub fn new(secret: &[u8]) -> Self {
        LinkSigner {
            secret: secret.to_vec(),
        }
    }

    fn mac(&self, key: &str, expires_unix: i64) -> Hmac<Sha256> {
        let mut m = Hmac::<Sha256>::new_from_slice(&self.secret).expect("any key length");
        m.update(key.as_bytes());
        m.update(b"\n");
        m.update(expires_unix.to_string().as_bytes());
        m
    }

    /// The signature for `key` valid until `expires_unix`.
    pub fn sign(&self, key: &str, expires_unix: i64) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(key, expires_unix).finalize().into_bytes())
    }

    /// `expires=…&sig=…`, to append to a download URL.
    pub fn query(&self, key: &str, expires_unix: i64) -> String {
        format!(
            "expires={expires_unix}&sig={}",
            self.sign(key, expires_unix)
        )
    }

    /// Checks a link at `now_unix`.
    pub fn verify(
        &self,
        key: &str,
        expires_unix: i64,
        sig: &str,
        now_unix: i64,
    ) -> Result<(), LinkError> {
        let given = URL_SAFE_NO_PAD
            .decode(sig)
            .map_err(|_| LinkError::BadSignature)?;
        self.mac(key, expires_unix)
            .verify_slice(&given)
            .map_err(|_| LinkError::BadSignature)?;
        if now_unix > expires_unix {
            return Err(LinkError::Expired);
        }
        Ok(())
    }
}
