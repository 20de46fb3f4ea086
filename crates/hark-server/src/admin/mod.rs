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
use axum::routing::{patch, post};
use axum::Router;

/// The routes of the admin API, without layers (see [`crate::router`]).
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/projects",
            post(projects::create_project).get(projects::list_projects),
        )
        .route(
            "/admin/projects/{id}/sources",
            post(projects::create_source).get(projects::list_sources),
        )
        .route(
            "/admin/projects/{id}/rotate-secret",
            post(projects::rotate_secret),
        )
        .route(
            "/admin/projects/{id}/applications",
            post(chat::create_application).get(chat::list_applications),
        )
        .route(
            "/admin/projects/{id}/access-keys",
            post(chat::create_access_key).get(chat::list_access_keys),
        )
        .route(
            "/admin/projects/{id}/access-keys/{key}/revoke",
            post(chat::revoke_access_key),
        )
        .route(
            "/admin/projects/{id}/users",
            post(users::create_user).get(users::list_users),
        )
        .route(
            "/admin/projects/{id}/users/{user}",
            patch(users::set_role).delete(users::delete_user),
        )
}
