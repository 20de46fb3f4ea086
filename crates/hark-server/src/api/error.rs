//! [`ApiError`]: every way a request to the hark API can fail, and the one table that maps each
//! failure to a status code, headers and a JSON body `{"error": "...", "issues": [...]}`. The
//! admin and operations routes answer in this shape too, and so do the shared layers' timeouts.

use crate::http::{chain, BoxError};
use crate::metrics::StorageUnavailable;
use crate::rate_limit::RateLimited;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hark_analysis::worker::PipelineError;
use hark_core::validate::Issue;
use hark_core::SourceId;
use hark_store::StoreError;
use serde::Serialize;
use thiserror::Error;

/// The hark API's error. Handlers return it with `?`; its [`IntoResponse`] is the only place
/// where failures become status codes.
#[derive(Debug, Error)]
pub enum ApiError {
    /// No `Authorization` header on a project route (401).
    #[error("missing credentials: use HTTP Basic auth with the project's API key and secret key")]
    MissingCredentials,
    /// An `Authorization` header that is not valid HTTP Basic auth (401).
    #[error("malformed Authorization header: expected HTTP Basic auth")]
    MalformedCredentials,
    /// Unknown API key or wrong secret key (403).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// No bearer token on an admin route (401).
    #[error("missing admin token: use Authorization: Bearer <token>")]
    MissingAdminToken,
    /// A bearer token that is not the configured admin token (403).
    #[error("invalid admin token")]
    InvalidAdminToken,
    /// The admin API is not configured (404).
    #[error("admin API disabled")]
    AdminDisabled,
    /// The ingest API was called for a source that is not of the webhook type (403).
    #[error("source {0} is not a webhook source; only webhook sources accept the ingest API")]
    SourceNotWebhook(SourceId),
    /// The named record does not exist, or belongs to another project (404).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The route exists but not for this method (405).
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The request is malformed; `issues` names every problem with its path (400).
    #[error("{message}")]
    Invalid {
        /// What kind of input was wrong (body, JSON syntax, query).
        message: &'static str,
        /// Every problem found; never empty.
        issues: Vec<Issue>,
    },
    /// The body is larger than the configured maximum (413).
    #[error("request body exceeds the maximum of {limit} bytes")]
    PayloadTooLarge {
        /// The maximum in bytes.
        limit: usize,
    },
    /// The body is not declared as `application/json` (415).
    #[error("Content-Type must be application/json")]
    UnsupportedMediaType,
    /// The request conflicts with stored data, e.g. a duplicate name (409).
    #[error("{0}")]
    Conflict(String),
    /// The project is over its request rate; retry after the given seconds (429).
    #[error("rate limit exceeded")]
    RateLimited {
        /// Whole seconds until a request can pass again, at least 1 (`Retry-After`).
        retry_after_secs: u64,
    },
    /// Too many requests in progress; retry after a second (503).
    #[error("server overloaded, retry later")]
    Overloaded,
    /// The request took longer than the configured timeout (503).
    #[error("request timed out")]
    Timeout,
    /// The body arrived slower than the server's minimum pace (408); send it again, faster.
    #[error("request body arrived slower than {bytes_per_sec} bytes per second; send it again")]
    BodyTooSlow {
        /// The pace owed.
        bytes_per_sec: u64,
    },
    /// The request's head is over a limit: URI too long (414), too many or too large headers
    /// (431).
    #[error("{message}")]
    HeadTooLarge {
        /// 414 or 431.
        status: StatusCode,
        /// Which limit, with the numbers.
        message: String,
    },
    /// The credential has as many requests in progress as it may (429, `Retry-After: 1`).
    #[error("too many requests in progress for this API key; retry when some have finished")]
    CallerBusy,
    /// The server is shutting down (503).
    #[error("shutting down")]
    ShuttingDown,
    /// The analysis model is not loaded (yet, or at all), so this request cannot be served (503).
    #[error(
        "the analysis model is not loaded: it is still loading, or missing; \
         fetch it with scripts/fetch-model.sh and restart hark"
    )]
    ModelUnavailable,
    /// The store cannot serve requests right now (503); the message says why (a full disk, a
    /// database that cannot be reached), so an operator reading a client's error knows.
    #[error("storage unavailable: {}; retry later", unavailable_cause(.0))]
    Unavailable(#[source] StoreError),
    /// A bug or an unexpected failure of a dependency (500); the cause is logged, not sent.
    #[error("internal error")]
    Internal(#[source] BoxError),
}

impl ApiError {
    /// A 400 for an invalid request body with every issue found.
    pub fn invalid_body(issues: Vec<Issue>) -> Self {
        Self::invalid("invalid request body", issues)
    }

    /// A 400 with `message`; an empty `issues` gets one whole-request issue so none is bare.
    pub fn invalid(message: &'static str, mut issues: Vec<Issue>) -> Self {
        if issues.is_empty() {
            issues.push(Issue::new("", message));
        }
        Self::Invalid { message, issues }
    }

    /// A 500 for an invariant the code relies on that did not hold.
    pub fn internal(what: impl Into<String>) -> Self {
        Self::Internal(what.into().into())
    }

    /// The status code of this error: the single table of the HTTP layer.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MissingCredentials | Self::MalformedCredentials | Self::MissingAdminToken => {
                StatusCode::UNAUTHORIZED
            }
            Self::InvalidCredentials | Self::InvalidAdminToken | Self::SourceNotWebhook(_) => {
                StatusCode::FORBIDDEN
            }
            Self::AdminDisabled | Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Invalid { .. } => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::RateLimited { .. } | Self::CallerBusy => StatusCode::TOO_MANY_REQUESTS,
            Self::BodyTooSlow { .. } => StatusCode::REQUEST_TIMEOUT,
            Self::HeadTooLarge { status, .. } => *status,
            Self::Overloaded
            | Self::Timeout
            | Self::ShuttingDown
            | Self::ModelUnavailable
            | Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// An extra header some errors carry.
    fn header(&self) -> Option<(header::HeaderName, HeaderValue)> {
        match self {
            Self::MissingCredentials | Self::MalformedCredentials => Some((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"hark\""),
            )),
            Self::MissingAdminToken => Some((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"hark-admin\""),
            )),
            Self::RateLimited { retry_after_secs } => Some((
                header::RETRY_AFTER,
                HeaderValue::from((*retry_after_secs).max(1)),
            )),
            Self::Overloaded | Self::Unavailable(_) | Self::ShuttingDown | Self::CallerBusy => {
                Some((header::RETRY_AFTER, HeaderValue::from_static("1")))
            }

            _ => None,
        }
    }
}

/// What was unavailable, as the store said (never a secret: a fixed phrase).
fn unavailable_cause(e: &StoreError) -> &'static str {
    match e {
        StoreError::Unavailable { what, .. } => what,
        _ => "the database cannot serve requests",
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::NotFound(what),
            StoreError::Conflict(what) => Self::Conflict(what),
            StoreError::Unavailable { .. } => Self::Unavailable(e),
            other => Self::Internal(Box::new(other)),
        }
    }
}

impl From<PipelineError> for ApiError {
    fn from(e: PipelineError) -> Self {
        match e {
            PipelineError::Store(e) => e.into(),
            other => Self::Internal(Box::new(other)),
        }
    }
}

/// The wire shape of every error.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ApiError)]
pub(crate) struct ErrorBody<'a> {
    error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    issues: Option<&'a [Issue]>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        // Logged here, once, inside the request's span; the client gets only the generic text.
        match &self {
            Self::Internal(_) => tracing::error!(error = %chain(&self), "internal error"),
            Self::Unavailable(_) | Self::Timeout => {
                tracing::warn!(error = %chain(&self), "service unavailable")
            }
            _ => {}
        }
        let issues = match &self {
            Self::Invalid { issues, .. } => Some(issues.as_slice()),
            _ => None,
        };
        let body = ErrorBody {
            error: self.to_string(),
            issues,
        };
        let mut response = (status, Json(body)).into_response();
        if let Some((name, value)) = self.header() {
            response.headers_mut().insert(name, value);
        }
        if matches!(self, Self::Unavailable(_)) {
            response.extensions_mut().insert(StorageUnavailable);
        }
        response
    }
}

impl From<RateLimited> for ApiError {
    fn from(r: RateLimited) -> Self {
        Self::RateLimited {
            retry_after_secs: r.retry_after_secs,
        }
    }
}

/// Errors of the tower layers, as API errors: load shed and timeout are 503s.
pub(crate) async fn layer_error(err: BoxError) -> ApiError {
    if err.is::<tower::load_shed::error::Overloaded>() {
        ApiError::Overloaded
    } else if err.is::<tower::timeout::error::Elapsed>() {
        ApiError::Timeout
    } else {
        ApiError::Internal(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(e: ApiError) -> (StatusCode, serde_json::Value, Response) {
        let response = e.into_response();
        let status = response.status();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .expect("in-memory body");
        let json = serde_json::from_slice(&bytes).expect("error bodies are JSON");
        (
            status,
            json,
            Response::from_parts(parts, axum::body::Body::empty()),
        )
    }

    #[tokio::test]
    async fn internal_errors_hide_their_cause() {
        let (status, json, _) = body_of(ApiError::internal("secret detail")).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(json, serde_json::json!({"error": "internal error"}));
    }

    #[tokio::test]
    async fn invalid_lists_issues_and_is_never_bare() {
        let (status, json, _) = body_of(ApiError::invalid("invalid query", vec![])).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(json["issues"][0]["message"], "invalid query");
        assert_eq!(json["issues"][0]["path"], "");
    }

    #[tokio::test]
    async fn auth_errors_carry_their_headers() {
        let (status, _, r) = body_of(ApiError::MissingCredentials).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            r.headers()[header::WWW_AUTHENTICATE],
            "Basic realm=\"hark\""
        );
        let (status, _, r) = body_of(ApiError::Overloaded).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers()[header::RETRY_AFTER], "1");
        let (status, json, _) = body_of(ApiError::ModelUnavailable).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        let message = json["error"].as_str().unwrap_or_default();
        assert!(message.contains("scripts/fetch-model.sh"), "{message}");
    }

    #[tokio::test]
    async fn rate_limited_is_429_with_its_retry_after() {
        let (status, json, r) = body_of(ApiError::RateLimited {
            retry_after_secs: 42,
        })
        .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(json, serde_json::json!({"error": "rate limit exceeded"}));
        assert_eq!(r.headers()[header::RETRY_AFTER], "42");
        let (_, _, r) = body_of(ApiError::RateLimited {
            retry_after_secs: 0,
        })
        .await;
        assert_eq!(r.headers()[header::RETRY_AFTER], "1", "never below one");
    }

    #[test]
    fn store_errors_map_by_kind() {
        assert_eq!(
            ApiError::from(StoreError::NotFound("project")).status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            ApiError::from(StoreError::Conflict("dup".into())).status(),
            StatusCode::CONFLICT
        );
        assert_eq!(
            ApiError::from(StoreError::Unavailable {
                what: "writer",
                source: None
            })
            .status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        let io = std::io::Error::other("disk");
        assert_eq!(
            ApiError::from(StoreError::Database(Box::new(io))).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
