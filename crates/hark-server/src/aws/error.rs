//! [`AwsError`]: the errors of the Amazon Q Business–compatible routes (`/applications/…`), and
//! the one table that maps each to a status, the `X-Amzn-ErrorType` header and the JSON body an
//! AWS SDK parses (`shared/specs/chat-feedback-api.md`, "Response").
//!
//! hark's own routes answer [`crate::ApiError`] (`{"error": …}`); these routes answer in the
//! restJson1 shape instead, so that boto3 raises `client.exceptions.ValidationException` and
//! friends. The body carries `__type` as well as the header (SDKs accept either).

use crate::http::{chain, BoxError};
use crate::metrics::StorageUnavailable;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hark_core::validate::chat::{ChatValidationError, FieldProblem};
use hark_store::StoreError;
use serde::Serialize;
use thiserror::Error;

/// The header that names the error shape.
pub const ERROR_TYPE_HEADER: HeaderName = HeaderName::from_static("x-amzn-errortype");
/// Longest `message` the contract allows (characters).
pub const MAX_MESSAGE_CHARS: usize = 2048;

/// The `reason` of a `ValidationException`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidationReason {
    /// The body is not JSON of the expected shape.
    CannotParse,
    /// Values break the contract's constraints; `fields` names each.
    FieldValidationFailed,
    /// No operation has this method and path.
    UnknownOperation,
}

impl ValidationReason {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CannotParse => "CANNOT_PARSE",
            Self::FieldValidationFailed => "FIELD_VALIDATION_FAILED",
            Self::UnknownOperation => "UNKNOWN_OPERATION",
        }
    }
}

/// The `resourceType` of a `ResourceNotFoundException`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceType {
    /// No application with this id in the caller's project.
    Application,
    /// A strict application has no such conversation.
    Conversation,
    /// A strict application's conversation has no such recorded message.
    Message,
}

impl ResourceType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Application => "Application",
            Self::Conversation => "Conversation",
            Self::Message => "Message",
        }
    }
}

/// Every way a call to the chat-feedback routes can fail. Handlers and [`super::ChatCaller`]
/// return it with `?`; [`IntoResponse`] is the only place where it becomes a response.
#[derive(Debug, Error)]
pub enum AwsError {
    /// `ValidationException` (400).
    #[error("{message}")]
    Validation {
        /// Which kind of problem.
        reason: ValidationReason,
        /// Human-readable summary.
        message: String,
        /// Every offending field (empty unless `FieldValidationFailed`).
        fields: Vec<FieldProblem>,
    },
    /// The body is larger than the chat routes accept: a `ValidationException` (`CANNOT_PARSE`)
    /// answered with 413, so that the status tells the truth and the SDK still maps it.
    #[error("request body exceeds the maximum of {limit} bytes")]
    PayloadTooLarge {
        /// The maximum in bytes.
        limit: usize,
    },
    /// `AccessDeniedException` (403): missing, unknown, revoked or wrong credentials. The
    /// message says which check failed, never a secret or an expected signature.
    #[error("{0}")]
    AccessDenied(String),
    /// `ResourceNotFoundException` (404).
    #[error("{} {resource_id} does not exist", resource_type.as_str())]
    ResourceNotFound {
        /// What is missing.
        resource_type: ResourceType,
        /// Its id as the caller sent it.
        resource_id: String,
    },
    /// `ThrottlingException` (429) with `Retry-After`.
    #[error("rate exceeded for this access key; retry later")]
    Throttling {
        /// Whole seconds until a request can pass again, at least 1.
        retry_after_secs: u64,
    },
    /// The request's head is over a limit (URI 414, headers 431): a `ValidationException`
    /// (`CANNOT_PARSE`) with that status, as for a body too large.
    #[error("{message}")]
    HeadTooLarge {
        /// 414 or 431.
        status: StatusCode,
        /// Which limit, with the numbers.
        message: String,
    },
    /// `ThrottlingException` (429, `Retry-After: 1`): the credential has as many requests in
    /// progress as it may.
    #[error("too many requests in progress for this access key; retry when some have finished")]
    CallerBusy,
    /// `RequestTimeoutException` (408): the body arrived slower than the server's minimum
    /// pace. Not a modelled error of the operation; SDKs retry it as a transient error.
    #[error("request body arrived slower than {bytes_per_sec} bytes per second; send it again")]
    BodyTooSlow {
        /// The pace owed.
        bytes_per_sec: u64,
    },
    /// The server cannot take the request now (overloaded, shutting down, storage writer
    /// gone): `ServiceUnavailableException` (503, `Retry-After: 1`). Not one of the operation's
    /// modelled errors, but every SDK retries a 503.
    #[error("service unavailable, retry later")]
    Unavailable(#[source] BoxError),
    /// `InternalServerException` (500); the cause is logged, not sent.
    #[error("internal server error")]
    Internal(#[source] BoxError),
}

impl AwsError {
    /// A `CANNOT_PARSE` validation error.
    pub fn cannot_parse(message: impl Into<String>) -> Self {
        Self::Validation {
            reason: ValidationReason::CannotParse,
            message: message.into(),
            fields: Vec::new(),
        }
    }

    /// A `FIELD_VALIDATION_FAILED` error naming every problem (`fields` is never empty: an
    /// empty list gets one whole-request entry).
    pub fn fields(mut fields: Vec<FieldProblem>) -> Self {
        if fields.is_empty() {
            fields.push(FieldProblem {
                name: "request".into(),
                message: "is invalid".into(),
            });
        }
        let n = fields.len();
        let listed: Vec<String> = fields
            .iter()
            .map(|f| format!("{}: {}", f.name, f.message))
            .collect();
        let message = format!(
            "{n} validation error{} detected: {}",
            if n == 1 { "" } else { "s" },
            listed.join("; ")
        );
        Self::Validation {
            reason: ValidationReason::FieldValidationFailed,
            message,
            fields,
        }
    }

    /// A 404 for `resource_type` `resource_id`.
    pub fn not_found(resource_type: ResourceType, resource_id: impl Into<String>) -> Self {
        Self::ResourceNotFound {
            resource_type,
            resource_id: resource_id.into(),
        }
    }

    /// The status code: the single table of these routes.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation { .. } => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::AccessDenied(_) => StatusCode::FORBIDDEN,
            Self::ResourceNotFound { .. } => StatusCode::NOT_FOUND,
            Self::Throttling { .. } | Self::CallerBusy => StatusCode::TOO_MANY_REQUESTS,
            Self::BodyTooSlow { .. } => StatusCode::REQUEST_TIMEOUT,
            Self::HeadTooLarge { status, .. } => *status,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The shape name: `X-Amzn-ErrorType` and `__type`.
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::Validation { .. } | Self::PayloadTooLarge { .. } | Self::HeadTooLarge { .. } => {
                "ValidationException"
            }
            Self::AccessDenied(_) => "AccessDeniedException",
            Self::ResourceNotFound { .. } => "ResourceNotFoundException",
            Self::Throttling { .. } | Self::CallerBusy => "ThrottlingException",
            Self::BodyTooSlow { .. } => "RequestTimeoutException",
            Self::Unavailable(_) => "ServiceUnavailableException",
            Self::Internal(_) => "InternalServerException",
        }
    }
}

impl From<ChatValidationError> for AwsError {
    fn from(e: ChatValidationError) -> Self {
        match e {
            ChatValidationError::CannotParse(message) => Self::cannot_parse(message),
            ChatValidationError::Fields(fields) => Self::fields(fields),
        }
    }
}

/// Store failures other than the ones a handler maps itself (a missing application).
impl From<StoreError> for AwsError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable { .. } => Self::Unavailable(Box::new(e)),
            other => Self::Internal(Box::new(other)),
        }
    }
}

/// The wire shape of every error of these routes.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = AwsError)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErrorBody<'a> {
    #[serde(rename = "__type")]
    error_type: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a [FieldProblem]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_type: Option<&'static str>,
}

impl IntoResponse for AwsError {
    fn into_response(self) -> Response {
        match &self {
            Self::Internal(_) => tracing::error!(error = %chain(&self), "internal error"),
            Self::Unavailable(_) => tracing::warn!(error = %chain(&self), "service unavailable"),
            _ => {}
        }
        let (reason, fields, resource_id, resource_type) = match &self {
            Self::Validation { reason, fields, .. } => {
                (Some(reason.as_str()), Some(fields.as_slice()), None, None)
            }
            Self::PayloadTooLarge { .. } | Self::HeadTooLarge { .. } => (
                Some(ValidationReason::CannotParse.as_str()),
                Some(&[][..]),
                None,
                None,
            ),
            Self::ResourceNotFound {
                resource_type,
                resource_id,
            } => (
                None,
                None,
                Some(resource_id.as_str()),
                Some(resource_type.as_str()),
            ),
            _ => (None, None, None, None),
        };
        let body = ErrorBody {
            error_type: self.error_type(),
            message: clamp_message(self.to_string()),
            reason,
            fields,
            resource_id,
            resource_type,
        };
        let mut response = (self.status(), Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            ERROR_TYPE_HEADER,
            HeaderValue::from_static(self.error_type()),
        );
        match &self {
            Self::Throttling { retry_after_secs } => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from((*retry_after_secs).max(1)),
                );
            }
            Self::CallerBusy => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            Self::Unavailable(e) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                if e.is::<StoreError>() {
                    response.extensions_mut().insert(StorageUnavailable);
                }
            }
            _ => {}
        }
        response
    }
}

/// Errors of the tower layers on the AWS-shaped chat routes: load shed is a 503
/// `ServiceUnavailableException`.
pub(crate) async fn layer_error(err: BoxError) -> AwsError {
    if err.is::<tower::load_shed::error::Overloaded>() {
        AwsError::Unavailable(err)
    } else {
        AwsError::Internal(err)
    }
}

/// The contract's 1–2048 characters: longer messages are cut (at a character boundary).
fn clamp_message(mut message: String) -> String {
    if message.is_empty() {
        message.push_str("error");
    }
    if let Some((at, _)) = message.char_indices().nth(MAX_MESSAGE_CHARS) {
        message.truncate(at);
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    async fn parts(e: AwsError) -> (StatusCode, axum::http::HeaderMap, Value) {
        let response = e.into_response();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .expect("in-memory body");
        let json = serde_json::from_slice(&bytes).expect("error bodies are JSON");
        (parts.status, parts.headers, json)
    }

    #[tokio::test]
    async fn validation_lists_fields_and_names_its_type() {
        let e = AwsError::fields(vec![
            FieldProblem {
                name: "applicationId".into(),
                message: "bad".into(),
            },
            FieldProblem {
                name: "userId".into(),
                message: "worse".into(),
            },
        ]);
        let (status, headers, body) = parts(e).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(headers[ERROR_TYPE_HEADER], "ValidationException");
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
        assert_eq!(body["__type"], "ValidationException");
        assert_eq!(body["reason"], "FIELD_VALIDATION_FAILED");
        assert_eq!(
            body["fields"],
            json!([{"name": "applicationId", "message": "bad"},
                   {"name": "userId", "message": "worse"}])
        );
        assert_eq!(
            body["message"],
            "2 validation errors detected: applicationId: bad; userId: worse"
        );
    }

    #[tokio::test]
    async fn each_error_has_its_status_header_and_fields() {
        let (status, headers, body) =
            parts(AwsError::not_found(ResourceType::Message, "m-1")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(headers[ERROR_TYPE_HEADER], "ResourceNotFoundException");
        assert_eq!(body["resourceId"], "m-1");
        assert_eq!(body["resourceType"], "Message");
        assert_eq!(body["message"], "Message m-1 does not exist");

        let (status, headers, body) = parts(AwsError::Throttling {
            retry_after_secs: 0,
        })
        .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(headers[ERROR_TYPE_HEADER], "ThrottlingException");
        assert_eq!(headers[header::RETRY_AFTER], "1");
        assert!(body["message"].is_string());

        let (status, _, body) = parts(AwsError::PayloadTooLarge { limit: 10 }).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(body["__type"], "ValidationException");
        assert_eq!(body["reason"], "CANNOT_PARSE");

        let (status, headers, body) = parts(AwsError::AccessDenied("no".into())).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(headers[ERROR_TYPE_HEADER], "AccessDeniedException");
        assert_eq!(
            body,
            json!({"__type": "AccessDeniedException", "message": "no"})
        );
    }

    #[tokio::test]
    async fn internal_errors_hide_their_cause() {
        let (status, headers, body) = parts(AwsError::Internal("disk on fire".into())).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(headers[ERROR_TYPE_HEADER], "InternalServerException");
        assert_eq!(body["message"], "internal server error");
        let (status, headers, _) = parts(AwsError::from(StoreError::Unavailable {
            what: "writer",
            source: None,
        }))
        .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(headers[header::RETRY_AFTER], "1");
    }

    #[test]
    fn messages_are_clamped_to_the_contract() {
        assert_eq!(clamp_message("é".repeat(3000)).chars().count(), 2048);
        assert_eq!(clamp_message(String::new()), "error");
        assert_eq!(clamp_message("ok".into()), "ok");
    }
}
