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
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

/// Whether `path` is under `/applications`, where every answer takes the AWS shape (unknown
/// routes and errors of the shared layers included).
pub(crate) fn owns_path(path: &str) -> bool {
    path == "/applications" || path.starts_with("/applications/")
}

/// The routes of the AWS surface with their OpenAPI description, without layers (see
/// [`crate::router`]). They answer in the AWS shape, wrong methods included; unknown paths
/// under `/applications` are routed to [`operations::unknown_operation`] by the application's
/// fallback.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(aws_shaped(routes!(operations::put_feedback)))
        .routes(aws_shaped(routes!(operations::record_message)))
}

/// A route whose other methods answer [`operations::unknown_operation`].
fn aws_shaped(route: UtoipaMethodRouter<AppState>) -> UtoipaMethodRouter<AppState> {
    let (schemas, paths, method_router) = route;
    let method_router = method_router.fallback(operations::unknown_operation);
    (schemas, paths, method_router)
}
