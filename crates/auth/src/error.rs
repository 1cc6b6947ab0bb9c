//! Errors produced while verifying or minting tokens.

/// Why a token was refused or could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No token was presented.
    #[error("no token was presented")]
    Missing,
    /// The token is not a well-formed JWT, its signature is wrong, or its
    /// algorithm is not the configured one (this covers `alg: none` and
    /// algorithm-confusion attempts).
    #[error("invalid token: {0}")]
    Invalid(String),
    /// The token's `exp` is in the past.
    #[error("token expired")]
    Expired,
    /// The token's `nbf` is in the future.
    #[error("token not yet valid")]
    NotYetValid,
    /// The token grants access to a different room.
    #[error("token does not grant access to room {0}")]
    WrongRoom(String),
    /// The verifier or minter was configured with unusable key material.
    #[error("key configuration: {0}")]
    Config(String),
}

/// A refused token as the caller sees it, through the one code table.
impl From<AuthError> for kernel::SignalError {
    fn from(e: AuthError) -> Self {
        use kernel::ErrorCode;
        let code = match &e {
            AuthError::Missing => ErrorCode::Unauthorized,
            AuthError::Invalid(_) | AuthError::Config(_) => ErrorCode::InvalidToken,
            AuthError::Expired => ErrorCode::TokenExpired,
            AuthError::NotYetValid => ErrorCode::TokenNotYetValid,
            AuthError::WrongRoom(_) => ErrorCode::RoomAccessDenied,
        };
        kernel::SignalError::new(code, e.to_string())
    }
}
