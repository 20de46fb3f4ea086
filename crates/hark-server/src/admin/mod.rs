//! The admin API (`/admin/projects…`), mirroring the `hark admin` CLI: projects, their sources
//! and secrets ([`projects`]), their chat applications and SigV4 access keys ([`chat`]), and
//! their dashboard users ([`users`]).
//! Every route takes [`AdminToken`] (a bearer token; without one configured every route is
//! 404). Failures answer in the hark API's shape ([`crate::ApiError`]), and bodies are read
//! with its readers; the admin-specific inputs are in [`input`].

mod auth;
pub mod chat;
pub mod input;
pub mod projects;
pub mod users;

pub use auth::AdminToken;

use crate::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes of the admin API with their OpenAPI description, without layers (see
/// [`crate::router`]).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(projects::create_project, projects::list_projects))
        .routes(routes!(projects::create_source, projects::list_sources))
        .routes(routes!(projects::rotate_secret))
        .routes(routes!(chat::create_application, chat::list_applications))
        .routes(routes!(chat::create_access_key, chat::list_access_keys))
        .routes(routes!(chat::revoke_access_key))
        .routes(routes!(users::create_user, users::list_users))
        .routes(routes!(users::set_role, users::delete_user))
}
