//! JWT verification and minting.
//!
//! Expiry and not-before are checked here against a clock the caller passes,
//! not by `jsonwebtoken` against the system clock, so verification is
//! deterministic and testable.

use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use crate::{AuthError, PermissionsPatch, Role, RoomGrant};

/// Signature algorithms the verifier can be configured for. Exactly one is
/// accepted at a time, which rules out algorithm-confusion attacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Algorithm {
    /// HMAC-SHA256 with a shared secret (the default).
    #[serde(rename = "HS256")]
    Hs256,
    /// RSASSA-PKCS1-v1_5 with SHA-256; verified with an RSA public key (PEM).
    #[serde(rename = "RS256")]
    Rs256,
    /// Ed25519; verified with an Ed25519 public key (PEM).
    #[serde(rename = "EdDSA")]
    EdDsa,
}

impl Algorithm {
    fn to_jwt(self) -> jsonwebtoken::Algorithm {
        match self {
            Algorithm::Hs256 => jsonwebtoken::Algorithm::HS256,
            Algorithm::Rs256 => jsonwebtoken::Algorithm::RS256,
            Algorithm::EdDsa => jsonwebtoken::Algorithm::EdDSA,
        }
    }
}

impl std::str::FromStr for Algorithm {
    type Err = AuthError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "HS256" => Ok(Algorithm::Hs256),
            "RS256" => Ok(Algorithm::Rs256),
            "EDDSA" => Ok(Algorithm::EdDsa),
            other => Err(AuthError::Config(format!("unsupported algorithm {other}"))),
        }
    }
}

/// Key material for verifying or signing.
#[derive(Clone)]
pub enum KeyMaterial {
    /// Shared secret bytes (HS256).
    Secret(Vec<u8>),
    /// A PEM-encoded key: public for verifying, private for signing.
    Pem(String),
}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyMaterial::Secret(_) => f.write_str("Secret(<redacted>)"),
            KeyMaterial::Pem(_) => f.write_str("Pem(<redacted>)"),
        }
    }
}

/// How tokens are verified.
#[derive(Debug, Clone)]
pub struct VerifierConfig {
    /// The only algorithm accepted.
    pub algorithm: Algorithm,
    /// The verification key.
    pub key: KeyMaterial,
    /// If set, the `iss` claim must equal it.
    pub issuer: Option<String>,
    /// If set, the `aud` claim must contain it.
    pub audience: Option<String>,
    /// Clock skew tolerated on `exp` and `nbf`, in seconds.
    pub leeway_secs: u64,
}

impl VerifierConfig {
    /// HS256 with the given secret, no issuer or audience check, 30 s leeway.
    pub fn hs256(secret: impl Into<Vec<u8>>) -> Self {
        VerifierConfig {
            algorithm: Algorithm::Hs256,
            key: KeyMaterial::Secret(secret.into()),
            issuer: None,
            audience: None,
            leeway_secs: 30,
        }
    }
}

/// The claims this system reads from and writes into tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// Expiry, seconds since the Unix epoch.
    pub exp: i64,
    /// Not before, seconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Issued at, seconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Audience: one string or, as RFC 7519 §4.1.3 allows, an array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The one room this token is for; absent or `"*"` means any room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    /// The role to take in the room; absent lets the room decide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Permission overrides on top of the role defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<PermissionsPatch>,
}

/// The `aud` claim: RFC 7519 allows a single string or an array of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    /// `"aud": "rtc"`.
    One(String),
    /// `"aud": ["rtc", "other"]`.
    Many(Vec<String>),
}

impl Audience {
    /// Whether `want` is (one of) the audience(s).
    pub fn contains(&self, want: &str) -> bool {
        match self {
            Audience::One(a) => a == want,
            Audience::Many(all) => all.iter().any(|a| a == want),
        }
    }
}

impl From<String> for Audience {
    fn from(s: String) -> Self {
        Audience::One(s)
    }
}

impl From<&str> for Audience {
    fn from(s: &str) -> Self {
        Audience::One(s.to_owned())
    }
}

/// A verified token holder.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    /// The user id (`sub`).
    pub user_id: String,
    /// Display name, if the token carried one.
    pub name: Option<String>,
    /// Room restriction; `None` means any room.
    pub room: Option<String>,
    /// Requested role.
    pub role: Option<Role>,
    /// Permission overrides.
    pub permissions: Option<PermissionsPatch>,
    /// Expiry, seconds since the Unix epoch.
    pub expires_at: i64,
}

impl Identity {
    /// The grant this identity has in `room_id`, or [`AuthError::WrongRoom`].
    pub fn grant_for(&self, room_id: &str) -> Result<RoomGrant, AuthError> {
        match self.room.as_deref() {
            None | Some("*") => {}
            Some(r) if r == room_id => {}
            Some(_) => return Err(AuthError::WrongRoom(room_id.to_owned())),
        }
        Ok(RoomGrant {
            user_id: self.user_id.clone(),
            name: self.name.clone(),
            role: self.role,
            permissions: self.permissions,
        })
    }
}

/// Verifies tokens against one configured algorithm and key.
#[derive(Clone)]
pub struct TokenVerifier {
    key: DecodingKey,
    validation: Validation,
    config: VerifierConfig,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenVerifier")
            .field("config", &self.config)
            .finish()
    }
}

impl TokenVerifier {
    /// Builds a verifier; fails if the key does not fit the algorithm.
    pub fn new(config: VerifierConfig) -> Result<Self, AuthError> {
        let key = match (&config.algorithm, &config.key) {
            (Algorithm::Hs256, KeyMaterial::Secret(s)) => {
                if s.len() < 16 {
                    return Err(AuthError::Config(
                        "HS256 secret must be at least 16 bytes".into(),
                    ));
                }
                DecodingKey::from_secret(s)
            }
            (Algorithm::Rs256, KeyMaterial::Pem(p)) => DecodingKey::from_rsa_pem(p.as_bytes())
                .map_err(|e| AuthError::Config(e.to_string()))?,
            (Algorithm::EdDsa, KeyMaterial::Pem(p)) => DecodingKey::from_ed_pem(p.as_bytes())
                .map_err(|e| AuthError::Config(e.to_string()))?,
            (alg, _) => {
                return Err(AuthError::Config(format!(
                    "{alg:?} needs different key material"
                )));
            }
        };
        let mut validation = Validation::new(config.algorithm.to_jwt());
        validation.algorithms = vec![config.algorithm.to_jwt()];
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims = ["exp", "sub"].iter().map(|s| s.to_string()).collect();
        Ok(TokenVerifier {
            key,
            validation,
            config,
        })
    }

    /// Verifies `token` at time `now_unix` (seconds) and returns the identity.
    pub fn verify(&self, token: &str, now_unix: i64) -> Result<Identity, AuthError> {
        let token = token.trim();
        if token.is_empty() {
            return Err(AuthError::Missing);
        }
        let data = decode::<Claims>(token, &self.key, &self.validation)
            .map_err(|e| AuthError::Invalid(e.to_string()))?;
        let c = data.claims;
        // Claims are attacker-chosen numbers: saturate rather than overflow
        // (a panic in debug builds, a wrong answer in release ones).
        let leeway = i64::try_from(self.config.leeway_secs).unwrap_or(i64::MAX);
        if c.exp.saturating_add(leeway) < now_unix {
            return Err(AuthError::Expired);
        }
        if let Some(nbf) = c.nbf
            && nbf.saturating_sub(leeway) > now_unix
        {
            return Err(AuthError::NotYetValid);
        }
        if let Some(want) = &self.config.issuer
            && c.iss.as_deref() != Some(want.as_str())
        {
            return Err(AuthError::Invalid("issuer mismatch".into()));
        }
        if let Some(want) = &self.config.audience
            && !c.aud.as_ref().is_some_and(|a| a.contains(want))
        {
            return Err(AuthError::Invalid("audience mismatch".into()));
        }
        if c.sub.is_empty() {
            return Err(AuthError::Invalid("empty subject".into()));
        }
        Ok(Identity {
            user_id: c.sub,
            name: c.name,
            room: c.room,
            role: c.role,
            permissions: c.permissions,
            expires_at: c.exp,
        })
    }
}

/// Signs tokens; used by the development `mint-token` command and by tests.
#[derive(Clone)]
pub struct TokenMinter {
    key: EncodingKey,
    algorithm: Algorithm,
}

impl TokenMinter {
    /// A minter for the given algorithm: a secret for HS256, a private PEM otherwise.
    pub fn new(algorithm: Algorithm, key: &KeyMaterial) -> Result<Self, AuthError> {
        let key = match (algorithm, key) {
            (Algorithm::Hs256, KeyMaterial::Secret(s)) => EncodingKey::from_secret(s),
            (Algorithm::Rs256, KeyMaterial::Pem(p)) => EncodingKey::from_rsa_pem(p.as_bytes())
                .map_err(|e| AuthError::Config(e.to_string()))?,
            (Algorithm::EdDsa, KeyMaterial::Pem(p)) => EncodingKey::from_ed_pem(p.as_bytes())
                .map_err(|e| AuthError::Config(e.to_string()))?,
            (alg, _) => {
                return Err(AuthError::Config(format!(
                    "{alg:?} needs different key material"
                )));
            }
        };
        Ok(TokenMinter { key, algorithm })
    }

    /// HS256 minter with the given secret.
    pub fn hs256(secret: &[u8]) -> Self {
        TokenMinter {
            key: EncodingKey::from_secret(secret),
            algorithm: Algorithm::Hs256,
        }
    }

    /// Signs the claims.
    pub fn mint(&self, claims: &Claims) -> Result<String, AuthError> {
        encode(&Header::new(self.algorithm.to_jwt()), claims, &self.key)
            .map_err(|e| AuthError::Config(e.to_string()))
    }

    /// Convenience: a token for `user` valid `ttl_secs` from `now_unix`.
    pub fn mint_for(
        &self,
        user: &str,
        room: Option<&str>,
        role: Option<Role>,
        now_unix: i64,
        ttl_secs: i64,
    ) -> Result<String, AuthError> {
        self.mint(&Claims {
            sub: user.to_owned(),
            exp: now_unix.saturating_add(ttl_secs),
            nbf: None,
            iat: Some(now_unix),
            iss: None,
            aud: None,
            name: Some(user.to_owned()),
            room: room.map(str::to_owned),
            role,
            permissions: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const NOW: i64 = 1_800_000_000;

    fn verifier() -> TokenVerifier {
        TokenVerifier::new(VerifierConfig::hs256(SECRET)).unwrap()
    }

    #[test]
    fn valid_hs256_token_yields_identity_with_room_grant() {
        let t = TokenMinter::hs256(SECRET)
            .mint_for("alice", Some("r1"), Some(Role::Moderator), NOW, 60)
            .unwrap();
        let id = verifier().verify(&t, NOW).unwrap();
        assert_eq!(id.user_id, "alice");
        let g = id.grant_for("r1").unwrap();
        assert_eq!(g.role, Some(Role::Moderator));
        assert_eq!(id.grant_for("r2"), Err(AuthError::WrongRoom("r2".into())));
    }

    #[test]
    fn expired_and_not_yet_valid_are_distinguished() {
        let m = TokenMinter::hs256(SECRET);
        let t = m.mint_for("a", None, None, NOW - 1000, 60).unwrap();
        assert_eq!(verifier().verify(&t, NOW), Err(AuthError::Expired));
        let mut c = Claims {
            sub: "a".into(),
            exp: NOW + 1000,
            nbf: Some(NOW + 500),
            iat: None,
            iss: None,
            aud: None,
            name: None,
            room: None,
            role: None,
            permissions: None,
        };
        let t = m.mint(&c).unwrap();
        assert_eq!(verifier().verify(&t, NOW), Err(AuthError::NotYetValid));
        c.nbf = Some(NOW + 10); // inside the leeway
        assert!(verifier().verify(&m.mint(&c).unwrap(), NOW).is_ok());
    }

    #[test]
    fn forged_signature_is_invalid() {
        let t = TokenMinter::hs256(b"another-secret-another-secret!!")
            .mint_for("a", None, None, NOW, 60)
            .unwrap();
        assert!(matches!(
            verifier().verify(&t, NOW),
            Err(AuthError::Invalid(_))
        ));
    }

    #[test]
    fn alg_none_is_refused() {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = b64.encode(format!(r#"{{"sub":"a","exp":{}}}"#, NOW + 60));
        let t = format!("{header}.{body}.");
        assert!(matches!(
            verifier().verify(&t, NOW),
            Err(AuthError::Invalid(_))
        ));
    }

    #[test]
    fn garbage_and_empty_tokens() {
        assert!(matches!(
            verifier().verify("not.a.jwt", NOW),
            Err(AuthError::Invalid(_))
        ));
        assert_eq!(verifier().verify("  ", NOW), Err(AuthError::Missing));
    }

    #[test]
    fn issuer_and_audience_are_checked_when_configured() {
        let mut cfg = VerifierConfig::hs256(SECRET);
        cfg.issuer = Some("me".into());
        cfg.audience = Some("rtc".into());
        let v = TokenVerifier::new(cfg).unwrap();
        let m = TokenMinter::hs256(SECRET);
        let mut c = Claims {
            sub: "a".into(),
            exp: NOW + 60,
            nbf: None,
            iat: None,
            iss: Some("me".into()),
            aud: Some("rtc".into()),
            name: None,
            room: None,
            role: None,
            permissions: None,
        };
        assert!(v.verify(&m.mint(&c).unwrap(), NOW).is_ok());
        c.iss = Some("other".into());
        assert!(v.verify(&m.mint(&c).unwrap(), NOW).is_err());
        c.iss = Some("me".into());
        c.aud = None;
        assert!(v.verify(&m.mint(&c).unwrap(), NOW).is_err());
    }

    /// Signs raw JSON claims, so a test can put in what `Claims` cannot
    /// express or an attacker would send.
    fn raw(claims: &str) -> String {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let body = b64.encode(claims);
        let input = format!("{header}.{body}");
        let sig = jsonwebtoken::crypto::sign(
            input.as_bytes(),
            &EncodingKey::from_secret(SECRET),
            jsonwebtoken::Algorithm::HS256,
        )
        .unwrap();
        format!("{input}.{sig}")
    }

    #[test]
    fn audience_may_be_an_array_that_must_contain_ours() {
        let mut cfg = VerifierConfig::hs256(SECRET);
        cfg.audience = Some("rtc".into());
        let v = TokenVerifier::new(cfg).unwrap();
        let exp = NOW + 60;
        let ok = raw(&format!(
            r#"{{"sub":"a","exp":{exp},"aud":["other","rtc"]}}"#
        ));
        assert_eq!(v.verify(&ok, NOW).unwrap().user_id, "a");
        let ok = raw(&format!(r#"{{"sub":"a","exp":{exp},"aud":"rtc"}}"#));
        assert!(v.verify(&ok, NOW).is_ok());
        for bad in [r#"["other","rtc2"]"#, "[]", r#""other""#, "null"] {
            let t = raw(&format!(r#"{{"sub":"a","exp":{exp},"aud":{bad}}}"#));
            assert_eq!(
                v.verify(&t, NOW),
                Err(AuthError::Invalid("audience mismatch".into())),
                "aud {bad}"
            );
        }
        // Without a configured audience, any well-formed claim passes.
        let t = raw(&format!(r#"{{"sub":"a","exp":{exp},"aud":["x"]}}"#));
        assert!(verifier().verify(&t, NOW).is_ok());
        // A minted array round-trips.
        let c = Claims {
            sub: "a".into(),
            exp,
            nbf: None,
            iat: None,
            iss: None,
            aud: Some(Audience::Many(vec!["x".into(), "rtc".into()])),
            name: None,
            room: None,
            role: None,
            permissions: None,
        };
        assert!(
            v.verify(&TokenMinter::hs256(SECRET).mint(&c).unwrap(), NOW)
                .is_ok()
        );
    }

    #[test]
    fn extreme_exp_and_nbf_do_not_overflow() {
        let v = verifier(); // 30 s leeway
        let at = |exp: i64, nbf: Option<i64>| {
            let nbf = nbf.map(|n| format!(r#","nbf":{n}"#)).unwrap_or_default();
            v.verify(&raw(&format!(r#"{{"sub":"a","exp":{exp}{nbf}}}"#)), NOW)
        };
        // exp + leeway and nbf - leeway would overflow here.
        assert_eq!(at(i64::MAX, None).unwrap().expires_at, i64::MAX);
        assert!(at(i64::MAX, Some(i64::MIN)).is_ok());
        assert_eq!(at(i64::MAX, Some(i64::MAX)), Err(AuthError::NotYetValid));
        assert_eq!(at(NOW - 31, Some(i64::MIN)), Err(AuthError::Expired));
        assert!(at(NOW - 29, Some(i64::MIN)).is_ok());
        // A negative exp is refused (jsonwebtoken reads exp as unsigned).
        assert!(matches!(at(i64::MIN, None), Err(AuthError::Invalid(_))));
        // A leeway beyond i64 saturates too: everything is in time.
        let mut cfg = VerifierConfig::hs256(SECRET);
        cfg.leeway_secs = u64::MAX;
        let lax = TokenVerifier::new(cfg).unwrap();
        let t = raw(&format!(r#"{{"sub":"a","exp":1,"nbf":{}}}"#, i64::MAX));
        assert!(lax.verify(&t, NOW).is_ok());
        // Minting with a huge lifetime saturates instead of panicking.
        let t = TokenMinter::hs256(SECRET)
            .mint_for("a", None, None, NOW, i64::MAX)
            .unwrap();
        assert_eq!(verifier().verify(&t, NOW).unwrap().expires_at, i64::MAX);
    }

    #[test]
    fn short_secret_is_a_config_error() {
        assert!(matches!(
            TokenVerifier::new(VerifierConfig::hs256(b"short".to_vec())),
            Err(AuthError::Config(_))
        ));
    }

    // Ed25519 test key pair (generated for these tests only).
    const ED_PRIV: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIDFcSFzvTMJm6Hn+8PkAho/hh2yYCtTZ3+i39P/SBoxQ
-----END PRIVATE KEY-----
";
    const ED_PUB: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAforXVpQfXEnFaROba61rRccPdc53akbEh/g3ZZYIrfg=
-----END PUBLIC KEY-----
";

    #[test]
    fn eddsa_round_trip_and_hs256_confusion_refused() {
        let m = TokenMinter::new(Algorithm::EdDsa, &KeyMaterial::Pem(ED_PRIV.into())).unwrap();
        let v = TokenVerifier::new(VerifierConfig {
            algorithm: Algorithm::EdDsa,
            key: KeyMaterial::Pem(ED_PUB.into()),
            issuer: None,
            audience: None,
            leeway_secs: 0,
        })
        .unwrap();
        let t = m.mint_for("ed", None, None, NOW, 60).unwrap();
        assert_eq!(v.verify(&t, NOW).unwrap().user_id, "ed");
        // An attacker signs HS256 using the public key bytes as the secret.
        let forged = TokenMinter::hs256(ED_PUB.as_bytes())
            .mint_for("ed", None, None, NOW, 60)
            .unwrap();
        assert!(matches!(v.verify(&forged, NOW), Err(AuthError::Invalid(_))));
    }
}
