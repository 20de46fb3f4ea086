//! Request parsing of the AWS surface, in the restJson1 style: [`AwsCall`] is the one extractor
//! of its operations. It authenticates the caller ([`ChatCaller`]), reads the resource ids from
//! the raw path ([`path`]), validates the operation's input ([`Operation`]: `PutFeedback` here,
//! the record-message body in [`message`]) and loads the application, refusing one of another
//! project — in that order, as AWS checks.

pub mod message;
pub mod path;

pub use path::{percent_decode, user_id_param, ResourcePath};

use super::error::ResourceType;
use super::{AwsError, ChatCaller};
use crate::AppState;
use axum::extract::{FromRequest, OriginalUri, Request};
use hark_core::chat::{Application, ApplicationId, FeedbackInput};
use hark_core::validate::chat::{validate_put_feedback, ChatValidationError, PutFeedbackWire};
use hark_core::ProjectId;
use std::sync::Arc;

/// The validated input of one operation of the AWS surface.
pub trait Operation: Sized + Send + Sync {
    /// Validates the call from the ids of its path, its raw query and its body.
    fn parse(path: &ResourcePath, query: Option<&str>, body: &[u8]) -> Result<Self, AwsError>;

    /// The application the call is addressed to.
    fn application_id(&self) -> &ApplicationId;
}

/// An authenticated call of operation `T` on an application of the caller's project. A handler
/// taking it only runs once the caller is authenticated (and within its throttle), the input
/// is valid, and the application exists in the caller's project (else 404 `Application`,
/// whichever project owns it, so that ids of other projects cannot be probed).
#[derive(Debug)]
pub struct AwsCall<T> {
    /// The authenticated caller, with the body it sent.
    pub caller: ChatCaller,
    /// The ids of the path, as sent.
    pub path: ResourcePath,
    /// The application addressed.
    pub application: Arc<Application>,
    /// The validated input.
    pub input: T,
}

impl<T: Operation> FromRequest<AppState> for AwsCall<T> {
    type Rejection = AwsError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, AwsError> {
        // The path and query as received (what `OriginalUri` extracts).
        let uri = req
            .extensions()
            .get::<OriginalUri>()
            .map_or_else(|| req.uri().clone(), |o| o.0.clone());
        let caller = ChatCaller::from_request(req, state).await?;
        let path = ResourcePath::parse(uri.path())?;
        let input = T::parse(&path, uri.query(), &caller.body)?;
        let application =
            owned_application(state, &caller.project_id, input.application_id()).await?;
        Ok(Self {
            caller,
            path,
            application,
            input,
        })
    }
}

/// `PutFeedback`: the path ids, the `userId` query parameter and the body.
impl Operation for FeedbackInput {
    fn parse(path: &ResourcePath, query: Option<&str>, body: &[u8]) -> Result<Self, AwsError> {
        // A repeated userId is one more field problem: validate the rest all the same.
        let (user_id, user_problem) = match user_id_param(query) {
            Ok(user_id) => (user_id, None),
            Err(problem) => (None, Some(problem)),
        };
        let validated = validate_put_feedback(PutFeedbackWire {
            application_id: &path.application_id,
            conversation_id: &path.conversation_id,
            message_id: &path.message_id,
            user_id: user_id.as_deref(),
            body,
        });
        match (validated, user_problem) {
            (Ok(input), None) => Ok(input),
            (Err(ChatValidationError::CannotParse(m)), _) => Err(AwsError::cannot_parse(m)),
            (Ok(_), Some(p)) => Err(AwsError::fields(vec![p])),
            (Err(ChatValidationError::Fields(mut fields)), p) => {
                fields.extend(p);
                Err(AwsError::fields(fields))
            }
        }
    }

    fn application_id(&self) -> &ApplicationId {
        &self.message.application_id
    }
}

/// The application if it exists and belongs to `project`; else 404 `Application`.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::error::ValidationReason;

    fn path(app: &str) -> ResourcePath {
        ResourcePath {
            application_id: app.into(),
            conversation_id: "c".repeat(36),
            message_id: "m".repeat(36),
        }
    }

    fn field_names(r: Result<FeedbackInput, AwsError>) -> Vec<String> {
        match r {
            Err(AwsError::Validation {
                reason: ValidationReason::FieldValidationFailed,
                fields,
                ..
            }) => fields.into_iter().map(|f| f.name).collect(),
            other => panic!("expected field problems, got {other:?}"),
        }
    }

    #[test]
    fn put_feedback_reads_the_user_id_and_lists_a_repeated_one_last() {
        let app = "a".repeat(36);
        let ok = FeedbackInput::parse(&path(&app), Some("userId=u%40x"), b"{}").expect("valid");
        assert_eq!(ok.user_id.as_deref(), Some("u@x"));
        assert_eq!(ok.application_id().as_str(), app);
        let twice = Some("userId=a&userId=b");
        let parse = |app: &str, body: &[u8]| FeedbackInput::parse(&path(app), twice, body);
        assert_eq!(field_names(parse(&app, b"{}")), ["userId"]);
        assert_eq!(
            field_names(parse("short", b"{}")),
            ["applicationId", "userId"]
        );
        match parse("short", b"[1]") {
            Err(AwsError::Validation {
                reason: ValidationReason::CannotParse,
                ..
            }) => {}
            other => panic!("a body that cannot be parsed wins: {other:?}"),
        }
    }
}
