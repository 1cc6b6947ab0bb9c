//! Authentication and authorization vocabulary shared by every crate.
//!
//! This crate verifies and mints JSON Web Tokens, turns verified claims into an
//! [`Identity`] with a per-room [`RoomGrant`], defines the [`Role`] and
//! [`Permissions`] vocabulary, and computes coturn-compatible TURN credentials.
//! It performs no I/O: the clock is always passed in.

mod error;
mod grants;
mod token;
pub mod turn;

pub use error::AuthError;
pub use grants::{Permissions, PermissionsPatch, Role, RoomGrant};
pub use token::{
    Algorithm, Audience, Claims, Identity, KeyMaterial, TokenMinter, TokenVerifier, VerifierConfig,
};
