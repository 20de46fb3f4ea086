//! Reading a request body within a cap, for every surface: the size announced by
//! `Content-Length` is checked before anything is read, and the cap is enforced while reading
//! (chunked bodies too). The hark API's [`crate::api::input::JsonBody`] and the AWS surface's
//! [`crate::aws::ChatCaller`] map the failures to their own error shapes.

use axum::body::{Body, Bytes};
use axum::http::header::CONTENT_LENGTH;
use axum::http::HeaderMap;
use http_body_util::{BodyExt, LengthLimitError, Limited};

/// True when `Content-Length` announces more than `limit` bytes.
pub(crate) fn declared_too_large(headers: &HeaderMap, limit: usize) -> bool {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > limit as u64)
}

/// Why a body could not be collected within its cap.
#[derive(Debug)]
pub(crate) enum BodyReadError {
    /// It grew past the cap.
    TooLarge,
    /// The client went away or sent a broken chunked encoding.
    Broken(String),
}

/// Collects at most `limit` bytes of `body`; stops reading as soon as it grows past them.
pub(crate) async fn collect_capped(body: Body, limit: usize) -> Result<Bytes, BodyReadError> {
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(BodyReadError::TooLarge),
        Err(e) => Err(BodyReadError::Broken(e.to_string())),
    }
}
