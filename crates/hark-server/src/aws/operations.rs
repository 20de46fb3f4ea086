//! The handlers of the Amazon Q Business–compatible routes
//! (`shared/specs/chat-feedback-api.md`), answered in the AWS restJson1 shape ([`AwsError`]):
//!
//! - `POST /applications/{applicationId}/conversations/{conversationId}/messages/{messageId}/
//!   feedback?userId=…` — `PutFeedback`: 200 with an empty body;
//! - `POST /applications/{applicationId}/conversations/{conversationId}/messages/{messageId}` —
//!   hark's extension recording the message itself (see [`super::input::message`]): 200 `{}`;
//! - anything else under `/applications` — `ValidationException` `UNKNOWN_OPERATION`.
//!
//! Order of checks, as AWS: authentication ([`super::ChatCaller`], throttle included), then the
//! input, then the application (404 when unknown or another project's) — all three done by
//! [`AwsCall`] — then the store.

use super::error::{ResourceType, ValidationReason};
use super::input::{AwsCall, ResourcePath};
use super::AwsError;
use crate::AppState;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::Json;
use hark_core::chat::{ChatMessage, FeedbackInput};
use hark_store::{PutFeedbackOutcome, StoreError};
use serde_json::{Map, Value};

/// `PutFeedback`: stores the vote and/or copy of one message by one user.
#[utoipa::path(post, path = "/applications/{applicationId}/conversations/{conversationId}/messages/{messageId}/feedback", tag = "Q Business", operation_id = "PutFeedback", params(("applicationId" = String, Path, description = "The application's id", pattern = r"^[a-zA-Z0-9][a-zA-Z0-9-]{35}$"), ("conversationId" = String, Path, description = "The conversation's id", pattern = r"^[a-zA-Z0-9][a-zA-Z0-9-]{35}$"), ("messageId" = String, Path, description = "The message's id", pattern = r"^[a-zA-Z0-9][a-zA-Z0-9-]{35}$"), ("userId" = Option<String>, Query, description = "The end user (1–1,024 characters)")), request_body = crate::openapi::bodies::PutFeedbackBody, responses((status = 200, description = "Stored (an empty body)")))]
pub async fn put_feedback(
    State(state): State<AppState>,
    call: AwsCall<FeedbackInput>,
) -> Result<StatusCode, AwsError> {
    let AwsCall {
        caller,
        path,
        application,
        input,
    } = call;
    let outcome = state
        .store()
        .put_feedback(&caller.project_id, application.strict, input)
        .await
        .map_err(|e| application_gone(e, &path))?;
    match outcome {
        PutFeedbackOutcome::Stored => Ok(StatusCode::OK),
        PutFeedbackOutcome::UnknownConversation => Err(AwsError::not_found(
            ResourceType::Conversation,
            path.conversation_id,
        )),
        PutFeedbackOutcome::UnknownMessage => {
            Err(AwsError::not_found(ResourceType::Message, path.message_id))
        }
    }
}

/// hark's extension: records (or updates) a message of a conversation.
#[utoipa::path(post, path = "/applications/{applicationId}/conversations/{conversationId}/messages/{messageId}", tag = "Q Business", operation_id = "RecordMessage", params(("applicationId" = String, Path, description = "The application's id", pattern = r"^[a-zA-Z0-9][a-zA-Z0-9-]{35}$"), ("conversationId" = String, Path, description = "The conversation's id", pattern = r"^[a-zA-Z0-9][a-zA-Z0-9-]{35}$"), ("messageId" = String, Path, description = "The message's id", pattern = r"^[a-zA-Z0-9][a-zA-Z0-9-]{35}$")), request_body = crate::openapi::bodies::RecordMessageBody, responses((status = 200, description = "Recorded (hark's extension; an empty object)", body = Object)))]
pub async fn record_message(
    State(state): State<AppState>,
    call: AwsCall<ChatMessage>,
) -> Result<Json<Map<String, Value>>, AwsError> {
    state
        .store()
        .record_message(&call.caller.project_id, call.input)
        .await
        .map_err(|e| application_gone(e, &call.path))?;
    Ok(Json(Map::new()))
}

/// Any other method or path under `/applications`. hark decision: answered before
/// authentication, as `ValidationException` with reason `UNKNOWN_OPERATION`.
pub async fn unknown_operation(method: Method, uri: Uri) -> AwsError {
    AwsError::Validation {
        reason: ValidationReason::UnknownOperation,
        message: format!(
            "no operation is served at {method} {}; this server implements PutFeedback \
             (POST …/messages/{{messageId}}/feedback) and hark's record-message extension",
            uri.path()
        ),
        fields: Vec::new(),
    }
}

/// The store's `NotFound` (the application went away after the lookup) as a 404.
fn application_gone(e: StoreError, path: &ResourcePath) -> AwsError {
    match e {
        StoreError::NotFound(_) => {
            AwsError::not_found(ResourceType::Application, path.application_id.as_str())
        }
        other => other.into(),
    }
}
