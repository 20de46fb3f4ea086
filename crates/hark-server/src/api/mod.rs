//! The hark API (`/api/1/…`): the Amplitude-compatible ingest, items and privacy erasure,
//! analysis, themes and mentions, and the read-back of chat feedback. Every route takes
//! [`ProjectKey`] (HTTP Basic auth with a project's API key and secret key, rate limited per
//! project) and answers failures as [`ApiError`] (`{"error": …, "issues": […]}`). Requests are
//! parsed in [`input`]; handlers are thin.
//!
//! | route | module |
//! |---|---|
//! | `POST /api/1/ai-feedback/ingest` | [`ingest`] |
//! | `GET /api/1/items`, `GET/DELETE /api/1/items/{id}`, `POST /api/1/privacy/erase` | [`items`] |
//! | `GET /api/1/search`, `GET /api/1/items/{id}/similar` | [`search`] |
//! | `PUT /api/1/items/{id}/category`, `POST /api/1/analysis/examples`, `POST /api/1/analysis/reanalyze`, `GET /api/1/analysis/status` | [`analysis`] |
//! | `GET /api/1/themes`, `GET/PATCH/DELETE /api/1/themes/{id}`, `POST /api/1/themes/{id}/merge`, `POST /api/1/themes/recluster`, `GET /api/1/mentions` | [`themes`] |
//! | `GET /api/1/chat/feedback`, `GET /api/1/chat/applications/{a}/conversations/{c}`, `GET /api/1/chat/stats` | [`chat_read`] |

pub mod analysis;
mod auth;
pub mod chat_read;
mod error;
pub mod ingest;
pub mod input;
pub mod items;
pub mod search;
pub mod themes;
pub use hark_core::theme_view as themes_view;

pub(crate) use auth::basic_project;
pub use auth::ProjectKey;
pub(crate) use error::layer_error;
pub use error::ApiError;

use crate::AppState;
use axum::routing::{get, post, put};
use axum::Router;

/// The routes of the hark API, without layers (see [`crate::router`]).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/1/ai-feedback/ingest", post(ingest::ingest))
        .route("/api/1/items", get(items::list))
        .route("/api/1/items/{id}", get(items::get).delete(items::delete))
        .route("/api/1/items/{id}/category", put(analysis::set_category))
        .route("/api/1/items/{id}/similar", get(search::similar))
        .route("/api/1/search", get(search::search))
        .route("/api/1/privacy/erase", post(items::erase))
        .route("/api/1/analysis/examples", post(analysis::add_examples))
        .route("/api/1/analysis/reanalyze", post(analysis::reanalyze))
        .route("/api/1/analysis/status", get(analysis::status))
        .route("/api/1/themes", get(themes::list))
        .route("/api/1/themes/recluster", post(themes::recluster))
        .route(
            "/api/1/themes/{id}",
            get(themes::get)
                .patch(themes::update)
                .delete(themes::delete),
        )
        .route("/api/1/themes/{id}/merge", post(themes::merge))
        .route("/api/1/mentions", get(themes::mentions))
        .route("/api/1/chat/feedback", get(chat_read::list_feedback))
        .route(
            "/api/1/chat/applications/{app}/conversations/{conv}",
            get(chat_read::get_conversation),
        )
        .route("/api/1/chat/stats", get(chat_read::stats))
}
