//! Handlers, one module per API. Each is thin: extractors authenticate and parse, one call
//! into core or the store does the work, and the result is a typed response or an `ApiError`.

pub mod admin;
pub mod analysis;
pub mod chat;
pub mod chat_admin;
pub mod chat_message;
pub mod chat_read;
pub mod ingest;
pub mod items;
pub mod ops;
pub mod themes;

use crate::error::ApiError;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};

/// Answer of routes that do not exist: under `/applications`, the AWS-shaped
/// `UNKNOWN_OPERATION` of [`chat::unknown_operation`]; elsewhere hark's 404.
pub(crate) async fn not_found(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    if path == "/applications" || path.starts_with("/applications/") {
        chat::unknown_operation(method, uri).await.into_response()
    } else {
        ApiError::NotFound("route").into_response()
    }
}

/// Answer of existing routes called with another method.
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
