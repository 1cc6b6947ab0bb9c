//! Validated identifiers. Built only through fallible constructors, so code
//! holding a `RoomId` or `UserId` never has to re-check it.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

use crate::{ErrorCode, SignalError};

const MAX_ID_LEN: usize = 128;

/// What [`RoomId::parse`] and [`UserId::parse`] accept, as an ECMA-262
/// pattern for API documents (with `minLength` 1 and `maxLength` 128): the
/// characters `A-Z a-z 0-9 _ - . @ : +`, never two dots in a row. Tested
/// against the parser in this module.
pub const ID_PATTERN: &str = r"^(\.?[A-Za-z0-9_@:+-])*\.?$";

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID_LEN
        && !s.contains("..")
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'@' | b':' | b'+')
        })
}

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident, $what:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                id_schema($what)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl $name {
            /// Parses an identifier: 1 to 128 characters of `A-Z a-z 0-9 _ - . @ : +`,
            /// with no `..` (so it is safe in keys and paths).
            pub fn parse(s: &str) -> Result<Self, SignalError> {
                if valid_id(s) {
                    Ok($name(s.to_owned()))
                } else {
                    Err(SignalError::new(
                        ErrorCode::InvalidId,
                        format!(concat!("invalid ", $what, " {:?}"), truncate(s)),
                    ))
                }
            }

            /// The identifier as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// A room's identifier.
    RoomId,
    "room id"
);
id_type!(
    /// A user's identifier (the token's `sub`).
    UserId,
    "user id"
);

/// The schema of an identifier: a string of [`ID_PATTERN`], 1 to 128 long.
#[cfg(feature = "openapi")]
pub fn id_schema(what: &str) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(ID_PATTERN))
        .min_length(Some(1))
        .max_length(Some(MAX_ID_LEN))
        .description(Some(format!(
            "A {what}: 1-128 characters of A-Z a-z 0-9 _ - . @ : +, no `..`"
        )))
        .into()
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

/// The user id the operator's admin API acts under. `#` is not allowed in
/// ids, so no token can carry it.
pub const ADMIN_USER: &str = "#admin";

impl UserId {
    /// The admin API's acting id ([`ADMIN_USER`]).
    pub fn admin() -> Self {
        UserId(ADMIN_USER.to_owned())
    }

    /// Whether this is the admin API's acting id.
    pub fn is_admin(&self) -> bool {
        self.0 == ADMIN_USER
    }
}

/// Identifies one WebSocket connection; a user reconnecting gets a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(value_type = String, format = "uuid")
)]
pub struct ConnectionId(pub uuid::Uuid);

impl ConnectionId {
    /// A fresh random id, of no known instance.
    pub fn new() -> Self {
        ConnectionId(uuid::Uuid::new_v4())
    }

    /// A fresh id of a connection held by `instance`: a UUID of version 8
    /// whose first six bytes are the instance's tag and the rest random
    /// (74 bits), so that any instance can tell from a room's record where
    /// to send a user's events ([`ConnectionId::instance`]).
    pub fn on_instance(instance: InstanceTag) -> Self {
        let mut b = *uuid::Uuid::new_v4().as_bytes();
        b[..6].copy_from_slice(&instance.0.to_be_bytes()[2..]);
        b[6] = (b[6] & 0x0f) | 0x80; // version 8
        b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
        ConnectionId(uuid::Uuid::from_bytes(b))
    }

    /// The instance holding the connection, for an id made by
    /// [`ConnectionId::on_instance`]; `None` for any other id.
    pub fn instance(&self) -> Option<InstanceTag> {
        if self.0.get_version_num() != 8 {
            return None;
        }
        let mut b = [0u8; 8];
        b[2..].copy_from_slice(&self.0.as_bytes()[..6]);
        Some(InstanceTag(u64::from_be_bytes(b)))
    }
}

/// Names one server instance on the event bus: 48 random bits, also
/// carried in the ids of the connections it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InstanceTag(pub u64);

impl InstanceTag {
    /// A fresh random tag.
    pub fn random() -> Self {
        InstanceTag(uuid::Uuid::new_v4().as_u64_pair().0 & 0xffff_ffff_ffff)
    }
}

impl fmt::Display for InstanceTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:012x}", self.0)
    }
}

impl Default for ConnectionId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented pattern accepts exactly what the parser accepts: every
    /// string of up to four characters over an alphabet with dots, a valid
    /// and two invalid characters, then 20,000 longer pseudo-random ones.
    #[test]
    fn id_pattern_matches_the_parser() {
        let re = regex_lite::Regex::new(ID_PATTERN).unwrap();
        let documented = |s: &str| !s.is_empty() && s.len() <= MAX_ID_LEN && re.is_match(s);
        let alphabet = ['.', 'a', '/', ' ', ':', '#'];
        let mut all = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = all
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            all.extend(longer);
        }
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20_000 {
            let len = (x % 140) as usize;
            let s: String = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    ['.', 'Z', '9', '_', '-', '@', '+', 'é', '%'][(x % 9) as usize]
                })
                .collect();
            all.push(s);
        }
        for s in all {
            assert_eq!(documented(&s), valid_id(&s), "{s:?}");
        }
    }

    #[test]
    fn connection_ids_name_their_instance() {
        let tag = InstanceTag::random();
        let ids: Vec<_> = (0..100).map(|_| ConnectionId::on_instance(tag)).collect();
        assert!(ids.iter().all(|c| c.instance() == Some(tag)));
        assert_eq!(ids[0].0.get_version_num(), 8);
        let unique: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), 100, "the rest is random");
        assert_eq!(ConnectionId::new().instance(), None);
        let max = InstanceTag(0xffff_ffff_ffff);
        assert_eq!(ConnectionId::on_instance(max).instance(), Some(max));
        assert_eq!(tag.to_string().len(), 12);
    }

    #[test]
    fn accepts_ordinary_ids() {
        for s in ["room-1", "a", "user@example.com", "team:standup+2", "R_9.x"] {
            assert!(RoomId::parse(s).is_ok(), "{s}");
        }
    }

    #[test]
    fn refuses_traversal_control_and_oversized() {
        for s in [
            "",
            "../etc",
            "a/b",
            "a\\b",
            "a b",
            "nul\0",
            "tab\t",
            "é",
            &"x".repeat(129),
        ] {
            let e = UserId::parse(s).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidId, "{s:?}");
        }
    }

    #[test]
    fn deserializing_validates() {
        assert!(serde_json::from_str::<UserId>("\"ok\"").is_ok());
        assert!(serde_json::from_str::<UserId>("\"../x\"").is_err());
    }
}
