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
//! | `GET /api/1/broad-themes`, `GET /api/1/broad-themes/{id}` | [`broad_themes`] |
//! | `GET /api/1/chat/feedback`, `GET /api/1/chat/applications/{a}/conversations/{c}`, `GET /api/1/chat/stats` | [`chat_read`] |
//! | `/api/1/webhooks…`: endpoints, secrets, test sends, deliveries, resends | [`webhooks`] |

pub mod analysis;
mod auth;
pub mod broad_themes;
pub mod chat_read;
pub(crate) mod error;
pub mod ingest;
pub mod input;
pub mod items;
pub mod search;
pub mod themes;
pub mod webhooks;
pub use hark_core::theme_view as themes_view;

pub(crate) use auth::basic_project;
pub use auth::ProjectKey;
pub(crate) use error::layer_error;
pub use error::ApiError;

use crate::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes of the hark API with their OpenAPI description, without layers (see
/// [`crate::router`]).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(ingest::ingest))
        .routes(routes!(items::list))
        .routes(routes!(items::get, items::delete))
        .routes(routes!(analysis::set_category))
        .routes(routes!(search::similar))
        .routes(routes!(search::search))
        .routes(routes!(items::erase))
        .routes(routes!(analysis::add_examples))
        .routes(routes!(analysis::reanalyze))
        .routes(routes!(analysis::status))
        .routes(routes!(analysis::languages))
        .routes(routes!(analysis::settings, analysis::update_settings))
        .routes(routes!(themes::list))
        .routes(routes!(themes::recluster))
        .routes(routes!(themes::get, themes::update, themes::delete))
        .routes(routes!(themes::merge))
        .routes(routes!(themes::mentions))
        .routes(routes!(broad_themes::list))
        .routes(routes!(broad_themes::get))
        .routes(routes!(chat_read::list_feedback))
        .routes(routes!(chat_read::get_conversation))
        .routes(routes!(chat_read::stats))
        .routes(routes!(webhooks::create, webhooks::list))
        .routes(routes!(webhooks::get, webhooks::update, webhooks::delete))
        .routes(routes!(webhooks::rotate_secret))
        .routes(routes!(webhooks::test_send))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(webhooks::delivery))
        .routes(routes!(webhooks::resend))
}
