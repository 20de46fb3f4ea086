//! [`JsonBody`]: the one way handlers read a request body. Size is checked before anything is
//! read (`Content-Length`) and enforced while reading (chunked bodies too); the content type
//! must be JSON; the bytes must parse. Each failure has its own status (413, 415, 400).

use crate::error::ApiError;
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::HeaderMap;
use hark_core::validate::Issue;
use http_body_util::{BodyExt, LengthLimitError, Limited};

/// A request body parsed as JSON, at most `ServerConfig::max_body_bytes` long. Kept as a
/// `serde_json::Value` so that validation can report every problem with its path.
#[derive(Debug, Clone)]
pub struct JsonBody(pub serde_json::Value);

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let limit = state.config().max_body_bytes;
        check_declared_length(req.headers(), limit)?;
        check_content_type(req.headers())?;
        let bytes = read_limited(req.into_body(), limit).await?;
        let value = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::invalid(
                "request body is not valid JSON",
                vec![Issue::new("", e.to_string())],
            )
        })?;
        Ok(Self(value))
    }
}

/// 413 when `Content-Length` announces more than `limit` bytes, before any byte is read.
fn check_declared_length(headers: &HeaderMap, limit: usize) -> Result<(), ApiError> {
    if declared_too_large(headers, limit) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    Ok(())
}

/// True when `Content-Length` announces more than `limit` bytes. Shared by every body reader
/// (also the chat routes', which answer in the AWS shape).
pub(crate) fn declared_too_large(headers: &HeaderMap, limit: usize) -> bool {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > limit as u64)
}

/// 415 unless the media type is `application/json`; parameters (`; charset=utf-8`) are allowed.
fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let media_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim);
    match media_type {
        Some(t) if t.eq_ignore_ascii_case("application/json") => Ok(()),
        _ => Err(ApiError::UnsupportedMediaType),
    }
}

/// Collects the body, failing with 413 as soon as it grows past `limit` bytes.
async fn read_limited(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    collect_capped(body, limit).await.map_err(|e| match e {
        BodyReadError::TooLarge => ApiError::PayloadTooLarge { limit },
        BodyReadError::Broken(why) => {
            ApiError::invalid("could not read the request body", vec![Issue::new("", why)])
        }
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderValue, StatusCode};

    fn headers(name: axum::http::HeaderName, value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn json_media_types_are_accepted() {
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
        ] {
            assert!(
                check_content_type(&headers(CONTENT_TYPE, ok)).is_ok(),
                "{ok}"
            );
        }
        for bad in ["text/plain", "application/jsonx", "multipart/form-data", ""] {
            assert!(
                check_content_type(&headers(CONTENT_TYPE, bad)).is_err(),
                "{bad}"
            );
        }
        assert!(check_content_type(&HeaderMap::new()).is_err());
    }

    #[test]
    fn declared_length_over_the_limit_is_refused() {
        assert!(check_declared_length(&headers(CONTENT_LENGTH, "10"), 10).is_ok());
        let err = check_declared_length(&headers(CONTENT_LENGTH, "11"), 10).expect_err("over");
        assert_eq!(err.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert!(check_declared_length(&HeaderMap::new(), 10).is_ok());
    }

    #[tokio::test]
    async fn reading_stops_at_the_limit() {
        let err = read_limited(Body::from(vec![b'x'; 11]), 10)
            .await
            .expect_err("over the limit");
        assert_eq!(err.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let ok = read_limited(Body::from(vec![b'x'; 10]), 10)
            .await
            .expect("at the limit");
        assert_eq!(ok.len(), 10);
    }
}
