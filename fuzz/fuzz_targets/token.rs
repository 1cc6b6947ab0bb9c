//! Any string as a bearer token: verification never panics, and never
//! accepts a token that was not signed with the secret.
#![no_main]

use auth::{TokenVerifier, VerifierConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let v = TokenVerifier::new(VerifierConfig::hs256(
        b"fuzz-secret-0123456789abcdef".to_vec(),
    ))
    .unwrap();
    if let Ok(id) = v.verify(token, 1_800_000_000) {
        // Random bytes cannot carry a valid HMAC; reaching here means the
        // verifier accepted an unsigned or wrongly signed token.
        panic!("accepted a forged token for {:?}", id.user_id);
    }
});
