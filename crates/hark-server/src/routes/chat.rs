//! The Amazon Q Business–compatible routes (`shared/specs/chat-feedback-api.md`), answered in
//! the AWS restJson1 shape ([`AwsError`]):
//!
//! - `POST /applications/{applicationId}/conversations/{conversationId}/messages/{messageId}/
//!   feedback?userId=…` — `PutFeedback`: 200 with an empty body;
//! - `POST /applications/{applicationId}/conversations/{conversationId}/messages/{messageId}` —
//!   hark's extension recording the message itself (see [`super::chat_message`]): 200 `{}`;
//! - anything else under `/applications` — `ValidationException` `UNKNOWN_OPERATION`.
//!
//! Order of checks, as AWS: authentication ([`ChatCaller`], throttle included), then the input,
//! then the application (404 when unknown or another project's), then the store.

use super::chat_message::parse_message;
use crate::aws_error::{AwsError, ResourceType, ValidationReason};
use crate::aws_params::{user_id_param, ResourcePath};
use crate::chat_auth::ChatCaller;
use crate::AppState;
use axum::extract::{OriginalUri, State};
use axum::http::{Method, StatusCode, Uri};
use axum::Json;
use hark_core::chat::{Application, ApplicationId};
use hark_core::validate::chat::{validate_put_feedback, ChatValidationError, PutFeedbackWire};
use hark_core::{ProjectId, Timestamp};
use hark_store::{PutFeedbackOutcome, StoreError};
use serde_json::{Map, Value};
use std::sync::Arc;

/// Route of `PutFeedback`.
pub const FEEDBACK_ROUTE: &str =
    "/applications/{applicationId}/conversations/{conversationId}/messages/{messageId}/feedback";
/// Route of hark's record-message extension.
pub const MESSAGE_ROUTE: &str =
    "/applications/{applicationId}/conversations/{conversationId}/messages/{messageId}";

/// `PutFeedback`: stores the vote and/or copy of one message by one user.
pub async fn put_feedback(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    caller: ChatCaller,
) -> Result<StatusCode, AwsError> {
    let path = ResourcePath::parse(uri.path())?;
    // A repeated userId is one more field problem: validate the rest all the same.
    let (user_id, user_problem) = match user_id_param(uri.query()) {
        Ok(user_id) => (user_id, None),
        Err(problem) => (None, Some(problem)),
    };
    let validated = validate_put_feedback(PutFeedbackWire {
        application_id: &path.application_id,
        conversation_id: &path.conversation_id,
        message_id: &path.message_id,
        user_id: user_id.as_deref(),
        body: &caller.body,
    });
    let input = match (validated, user_problem) {
        (Ok(input), None) => input,
        (Err(ChatValidationError::CannotParse(m)), _) => return Err(AwsError::cannot_parse(m)),
        (Ok(_), Some(p)) => return Err(AwsError::fields(vec![p])),
        (Err(ChatValidationError::Fields(mut fields)), p) => {
            fields.extend(p);
            return Err(AwsError::fields(fields));
        }
    };
    let app = owned_application(&state, &caller.project_id, &input.message.application_id).await?;
    let outcome = state
        .store()
        .put_feedback(&caller.project_id, app.strict, input)
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
pub async fn record_message(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    caller: ChatCaller,
) -> Result<Json<Map<String, Value>>, AwsError> {
    let path = ResourcePath::parse(uri.path())?;
    let message = parse_message(&path, &caller.body, Timestamp::now())?;
    owned_application(&state, &caller.project_id, &message.message.application_id).await?;
    state
        .store()
        .record_message(&caller.project_id, message)
        .await
        .map_err(|e| application_gone(e, &path))?;
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

/// The application if it exists and belongs to `project`; else 404 `Application`, whichever
/// project owns it, so that ids of other projects cannot be probed.
async fn owned_application(
    state: &AppState,
    project: &ProjectId,
    id: &ApplicationId,
) -> Result<Arc<Application>, AwsError> {
    match state.chat().application(state.store(), id).await? {
        Some(app) if &app.project_id == project => Ok(app),
        _ => Err(AwsError::not_found(ResourceType::Application, id.as_str())),
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
