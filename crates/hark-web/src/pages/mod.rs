//! The dashboard's pages, one module each. Handlers are thin: they read through the store
//! (the same queries as the JSON API), and render with `view` and `charts`.

mod overview;

use crate::WebState;
use axum::routing::get;
use axum::Router;

/// Every page route.
pub(crate) fn router() -> Router<WebState> {
    Router::new().route("/", get(overview::page))
}
