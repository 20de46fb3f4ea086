//! The dashboard's pages, one module each. Handlers are thin: they read through the store
//! (the same queries as the JSON API), and render with `view` and `charts`.

mod overview;
mod themes;

use crate::WebState;
use axum::routing::{get, post};
use axum::Router;

/// Every page route.
pub(crate) fn router() -> Router<WebState> {
    Router::new()
        .route("/", get(overview::page))
        .route("/themes", get(themes::page))
        .route("/themes/{id}", get(themes::detail::page))
        .route("/themes/{id}/rename", post(themes::edit::rename))
        .route("/themes/{id}/pin", post(themes::edit::pin))
        .route("/themes/{id}/merge", post(themes::edit::merge))
        .route("/themes/{id}/delete", post(themes::edit::delete))
}
