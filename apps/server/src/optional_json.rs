//! `OptionalJson<T>`: a JSON body that may be left out. Unlike
//! `Option<web::Json<T>>`, which turns *any* body error into `None` (so
//! `{"ban":"yes"}` silently meant "no ban"), only a request without a body
//! is `None`; a body that is there must parse, or the request fails like a
//! `web::Json` one (`422 VALIDATION_ERROR`, `413 MESSAGE_TOO_LARGE`).

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

/// A JSON body, or `None` when the request has no body (no
/// `Content-Length` and no chunked encoding, or `Content-Length: 0`).
#[derive(Debug)]
pub struct OptionalJson<T>(pub Option<T>);

impl<T> OptionalJson<T> {
    /// The body, if one was sent.
    pub fn into_inner(self) -> Option<T> {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // actix-http gives `Payload::None` to a request without a body,
        // including `Content-Length: 0`.
        if matches!(payload, Payload::None) {
            return Box::pin(async { Ok(OptionalJson(None)) });
        }
        // Everything else goes through `web::Json`, with the app's
        // `JsonConfig`: its size limit, content-type check and error codes.
        let json = web::Json::<T>::from_request(req, payload);
        Box::pin(async move { Ok(OptionalJson(Some(json.await?.into_inner()))) })
    }
}
