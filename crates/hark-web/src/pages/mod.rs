//! The dashboard's pages, one module each. Handlers are thin: they read through the store
//! (the same queries as the JSON API), and render with `view` and `charts`.

mod ai_answers;
mod feedback;
mod overview;
mod settings;
mod themes;

use crate::WebState;
use axum::routing::{get, post};
use axum::Router;

/// Every page route.
pub(crate) fn router() -> Router<WebState> {
    Router::new()
        .route("/", get(overview::page))
        .route("/themes", get(themes::page))
        .route("/broad-themes", get(themes::broad::page))
        .route("/themes/granularity", post(themes::granularity::set))
        .route("/broad-themes/{id}", get(themes::broad::detail_page))
        .route("/themes/{id}", get(themes::detail::page))
        .route("/themes/{id}/rename", post(themes::edit::rename))
        .route("/themes/{id}/pin", post(themes::edit::pin))
        .route("/themes/{id}/merge", post(themes::edit::merge))
        .route("/themes/{id}/delete", post(themes::edit::delete))
        .route("/feedback", get(feedback::page))
        .route("/feedback/export.csv", get(feedback::export::csv))
        .route("/feedback/export.jsonl", get(feedback::export::jsonl))
        .route("/feedback/{id}", get(feedback::item::page))
        .route(
            "/feedback/{id}/category",
            post(feedback::item::set_category),
        )
        .route("/ai-answers", get(ai_answers::page))
        .route(
            "/ai-answers/{application_id}/{conversation_id}",
            get(ai_answers::conversation::page),
        )
        .route("/settings", get(settings::page))
        .route("/settings/sources", post(settings::sources::create))
        .route(
            "/settings/applications",
            post(settings::chat::create_application),
        )
        .route(
            "/settings/access-keys",
            post(settings::chat::create_access_key),
        )
        .route(
            "/settings/access-keys/{id}/revoke",
            post(settings::chat::revoke_access_key),
        )
        .route("/settings/secret", post(settings::secret::rotate))
        .route("/settings/users", post(settings::users::create))
        .route("/settings/users/{id}/role", post(settings::users::set_role))
        .route("/settings/users/{id}/delete", post(settings::users::delete))
        .route("/settings/webhooks", post(settings::webhooks::create))
        .route(
            "/settings/webhooks/{id}",
            get(settings::webhooks::deliveries::page),
        )
        .route(
            "/settings/webhooks/{id}/deliveries/{delivery}",
            get(settings::webhooks::deliveries::delivery),
        )
        .route(
            "/settings/webhooks/{id}/test",
            post(settings::webhooks::test_send),
        )
        .route(
            "/settings/webhooks/{id}/enable",
            post(settings::webhooks::enable),
        )
        .route(
            "/settings/webhooks/{id}/disable",
            post(settings::webhooks::disable),
        )
        .route(
            "/settings/webhooks/{id}/rotate-secret",
            post(settings::webhooks::rotate_secret),
        )
        .route(
            "/settings/webhooks/{id}/delete",
            post(settings::webhooks::delete),
        )
}
