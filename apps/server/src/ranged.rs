//! Byte-range downloads shared by file transfers, recordings and links:
//! parse a single `Range: bytes=…`, answer 200 or 206 with the right
//! headers, stream the body.

use std::ops::Range;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use bytes::Bytes;
use futures_util::TryStreamExt as _;
use futures_util::stream::BoxStream;
use signaling_core::{ErrorCode, SignalError};

use crate::http_error::ApiError;

/// Parses a single `bytes=` range against a size: `a-b`, `a-`, `-n`.
pub fn parse_range(h: &str, size: u64) -> Option<Range<u64>> {
    let spec = h.strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let r = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        size.saturating_sub(n)..size
    } else {
        let start: u64 = a.parse().ok()?;
        let end = if b.is_empty() {
            size
        } else {
            b.parse::<u64>().ok()?.saturating_add(1).min(size)
        };
        start..end
    };
    (r.start < r.end).then_some(r)
}

/// The range a request asks for within `size` bytes; `RANGE_NOT_SATISFIABLE`
/// when it cannot be served.
pub fn requested(req: &HttpRequest, size: u64) -> Result<Option<Range<u64>>, ApiError> {
    match req
        .headers()
        .get(header::RANGE)
        .and_then(|h| h.to_str().ok())
    {
        None => Ok(None),
        Some(h) => parse_range(h, size).map(Some).ok_or_else(|| {
            ApiError(SignalError::new(
                ErrorCode::InvalidRange,
                format!("cannot serve {h:?} of {size} bytes"),
            ))
        }),
    }
}

/// A 200 (whole) or 206 (`partial`) streaming answer for `served` of `size`.
pub fn respond<E: std::fmt::Display + 'static>(
    partial: bool,
    served: Range<u64>,
    size: u64,
    mime: &str,
    filename: Option<&str>,
    stream: BoxStream<'static, Result<Bytes, E>>,
) -> HttpResponse {
    let mut resp = if partial {
        let mut b = HttpResponse::PartialContent();
        b.insert_header((
            header::CONTENT_RANGE,
            format!("bytes {}-{}/{}", served.start, served.end - 1, size),
        ));
        b
    } else {
        HttpResponse::Ok()
    };
    resp.insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::CONTENT_LENGTH, served.end - served.start))
        .insert_header((header::CONTENT_TYPE, mime.to_owned()));
    if let Some(f) = filename {
        resp.insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", f.replace(['"', '\\'], "_")),
        ));
    }
    resp.streaming(stream.map_err(|e| actix_web::error::ErrorServiceUnavailable(e.to_string())))
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-99", 1000), Some(0..100));
        assert_eq!(parse_range("bytes=900-", 1000), Some(900..1000));
        assert_eq!(parse_range("bytes=-100", 1000), Some(900..1000));
        assert_eq!(parse_range("bytes=990-2000", 1000), Some(990..1000));
        assert_eq!(parse_range("bytes=1000-", 1000), None);
        assert_eq!(parse_range("bytes=0-1,5-6", 1000), None);
        assert_eq!(parse_range("items=0-1", 1000), None);
    }
}
