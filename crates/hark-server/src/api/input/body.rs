//! [`JsonBody`]: the one way the hark API's handlers read a request body. Size is checked
//! before anything is read (`Content-Length`) and enforced while reading (chunked bodies too);
//! the content type must be JSON; the bytes must parse. Each failure has its own status (413,
//! 415, 400). [`ValidJson`] goes one step further and parses the JSON into a [`FromJson`] type.

use crate::api::ApiError;
use crate::config::BodyPace;
use crate::http::body::{collect_capped, declared_too_large, BodyReadError};
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;
use hark_core::validate::Issue;

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
        let bytes = read_limited(req.into_body(), limit, state.config().body_pace).await?;
        let value = hark_core::json::from_slice_strict(&bytes).map_err(|e| {
            ApiError::invalid(
                "request body is not valid JSON",
                vec![Issue::new("", e.to_string())],
            )
        })?;
        Ok(Self(value))
    }
}

/// Parsing of a JSON body into a validated type, collecting every problem with its path.
pub trait FromJson: Sized {
    /// Parses `body`; every problem is in the one 400 returned (`ApiError::Invalid`).
    fn from_json(body: &serde_json::Value) -> Result<Self, ApiError>;
}

/// A [`JsonBody`] parsed into `T` (in the spirit of svix's `ValidatedJson`): a handler taking it
/// only runs with valid input. Read errors are those of [`JsonBody`]; problems are a 400
/// `invalid request body` listing each with its path.
#[derive(Debug, Clone)]
pub struct ValidJson<T>(pub T);

impl<T: FromJson> FromRequest<AppState> for ValidJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let JsonBody(body) = JsonBody::from_request(req, state).await?;
        T::from_json(&body).map(Self)
    }
}

/// 413 when `Content-Length` announces more than `limit` bytes, before any byte is read.
fn check_declared_length(headers: &HeaderMap, limit: usize) -> Result<(), ApiError> {
    if declared_too_large(headers, limit) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    Ok(())
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

/// Collects the body, failing with 413 as soon as it grows past `limit` bytes, with 408 once it
/// falls behind `pace`.
async fn read_limited(body: Body, limit: usize, pace: BodyPace) -> Result<Bytes, ApiError> {
    collect_capped(body, limit, pace)
        .await
        .map_err(|e| match e {
            BodyReadError::TooLarge => ApiError::PayloadTooLarge { limit },
            BodyReadError::TooSlow => ApiError::BodyTooSlow {
                bytes_per_sec: pace.bytes_per_sec,
            },
            BodyReadError::Broken(why) => {
                ApiError::invalid("could not read the request body", vec![Issue::new("", why)])
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::CONTENT_LENGTH;
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
        let err = read_limited(Body::from(vec![b'x'; 11]), 10, BodyPace::default())
            .await
            .expect_err("over the limit");
        assert_eq!(err.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let ok = read_limited(Body::from(vec![b'x'; 10]), 10, BodyPace::default())
            .await
            .expect("at the limit");
        assert_eq!(ok.len(), 10);
    }
}
