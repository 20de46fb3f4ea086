//! The AWS surface: the Amazon Q Business–compatible routes under `/applications/…`
//! (`PutFeedback` and hark's record-message extension). Callers are [`ChatCaller`]s (SigV4
//! under a hark access key, or HTTP Basic with a project's keys), throttled per access key;
//! failures are [`AwsError`]s in the restJson1 shape AWS SDKs parse, wrong methods and unknown
//! paths under `/applications` included.
//!
//! - [`auth`]: [`ChatCaller`] (signature check, body read, throttle);
//! - [`input`]: [`input::AwsCall`], the validated call of an operation, and the parsing of
//!   paths, queries and bodies;
//! - [`operations`]: the handlers;
//! - [`error`]: [`AwsError`] and its one response table;
//! - `state`: the access-key and application caches and the throttle ([`crate::AppState`]
//!   holds one).

pub mod auth;
pub mod error;
pub mod input;
pub mod operations;
mod state;

pub use auth::ChatCaller;
pub(crate) use error::layer_error;
pub use error::AwsError;
pub(crate) use state::ChatState;

use crate::AppState;
use axum::routing::post;
use axum::Router;

/// Route of `PutFeedback`.
pub const FEEDBACK_ROUTE: &str =
    "/applications/{applicationId}/conversations/{conversationId}/messages/{messageId}/feedback";
/// Route of hark's record-message extension.
pub const MESSAGE_ROUTE: &str =
    "/applications/{applicationId}/conversations/{conversationId}/messages/{messageId}";

/// Whether `path` is under `/applications`, where every answer takes the AWS shape (unknown
/// routes and errors of the shared layers included).
pub(crate) fn owns_path(path: &str) -> bool {
    path == "/applications" || path.starts_with("/applications/")
}

/// The routes of the AWS surface, without layers (see [`crate::router`]). They answer in the
/// AWS shape, wrong methods included; unknown paths under `/applications` are routed to
/// [`operations::unknown_operation`] by the application's fallback.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            FEEDBACK_ROUTE,
            post(operations::put_feedback).fallback(operations::unknown_operation),
        )
        .route(
            MESSAGE_ROUTE,
            post(operations::record_message).fallback(operations::unknown_operation),
        )
}
