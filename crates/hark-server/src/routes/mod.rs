//! Handlers, one module per API. Each is thin: extractors authenticate and parse, one call
//! into core or the store does the work, and the result is a typed response or an `ApiError`.

pub mod admin;
pub mod ingest;
pub mod items;
pub mod ops;

use crate::error::ApiError;

/// Answer of routes that do not exist.
pub(crate) async fn not_found() -> ApiError {
    ApiError::NotFound("route")
}

/// Answer of existing routes called with another method.
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
