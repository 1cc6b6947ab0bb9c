//! Maps domain errors to HTTP responses and WebSocket close codes, through
//! the one code table in `signaling_core::ErrorCode`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use signaling_core::{ErrorCode, SignalError};

/// A domain error as an HTTP response: `{"error": {code, message, hint, retry_after}}`.
#[derive(Debug)]
pub struct ApiError(pub SignalError);

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<E: Into<SignalError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.0.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let e = &self.0;
        let mut r = HttpResponse::build(self.status_code());
        if let Some(s) = e.retry_after {
            r.insert_header(("Retry-After", s.to_string()));
        }
        if e.code == ErrorCode::Unauthorized {
            // RFC 9110 §11.6.1: a 401 names its scheme (the admin API
            // answers with Basic instead, in `admin.rs`).
            r.insert_header((
                actix_web::http::header::WWW_AUTHENTICATE,
                "Bearer realm=\"rtc-server\"",
            ));
        }
        r.json(serde_json::json!({
            "error": {
                "code": e.code,
                "message": e.message,
                "hint": e.code.hint(),
                "retry_after": e.retry_after,
            }
        }))
    }
}

/// Shorthand for an error result.
pub fn err<T>(code: ErrorCode, message: impl Into<String>) -> Result<T, ApiError> {
    Err(ApiError(SignalError::new(code, message)))
}
