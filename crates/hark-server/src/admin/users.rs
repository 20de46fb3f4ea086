//! The admin HTTP API of dashboard users, mirroring `hark admin create-user …`:
//!
//! - `POST /admin/projects/{id}/users` `{"email", "role", "password"?}` → 201 `{"user_id",
//!   "email", "role", "project_id", "created_at", "password"}`; `password` is the generated
//!   one-time password, shown only now (absent when the request chose one); 409 when the
//!   email is taken on this server;
//! - `GET /admin/projects/{id}/users` → `{"users": [...]}` (never a password or its hash);
//! - `PATCH /admin/projects/{id}/users/{user}` `{"role"}` → the user; the new role holds from
//!   the user's next request (sessions read the role from the store);
//! - `DELETE /admin/projects/{id}/users/{user}` → 204; the user's sessions end with it.

use super::input::{AdminProject, NewUser, ProjectIdParam, RoleChange, UserPath};
use super::AdminToken;
use crate::api::input::ValidJson;
use crate::api::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hark_core::users::User;
use serde::Serialize;

/// A user just created, with its one-time password when one was generated.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedUser {
    /// The user.
    #[serde(flatten)]
    pub user: User,
    /// The generated password, shown only now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// The users of a project.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserList {
    /// Users, oldest first.
    pub users: Vec<User>,
}

/// `POST /admin/projects/{id}/users`.
#[utoipa::path(post, path = "/admin/projects/{id}/users", tag = "admin", operation_id = "createUser", params(("id" = String, Path, description = "The project's id")), request_body = crate::openapi::bodies::NewUserBody, responses((status = 201, description = "Created; a generated password is shown once", body = CreatedUser)))]
pub async fn create_user(
    _: AdminToken,
    State(state): State<AppState>,
    ProjectIdParam(project): ProjectIdParam,
    ValidJson(new): ValidJson<NewUser>,
) -> Result<(StatusCode, Json<CreatedUser>), ApiError> {
    let generated = new.password.is_none();
    let (user, password) =
        hark_store::create_user(state.store(), &project, new.email, new.role, new.password).await?;
    let password = generated.then(|| password.expose().to_string());
    Ok((StatusCode::CREATED, Json(CreatedUser { user, password })))
}

/// `GET /admin/projects/{id}/users`; 404 for an unknown project.
#[utoipa::path(get, path = "/admin/projects/{id}/users", tag = "admin", operation_id = "listUsers", params(("id" = String, Path, description = "The project's id")), responses((status = 200, description = "The project's dashboard users", body = UserList)))]
pub async fn list_users(
    State(state): State<AppState>,
    AdminProject(project): AdminProject,
) -> Result<Json<UserList>, ApiError> {
    let users = state.store().list_users(&project).await?;
    Ok(Json(UserList { users }))
}

/// `PATCH /admin/projects/{id}/users/{user}`; 404 when the project has no such user.
#[utoipa::path(patch, path = "/admin/projects/{id}/users/{user}", tag = "admin", operation_id = "setUserRole", params(("id" = String, Path, description = "The project's id"), ("user" = String, Path, description = "The user's id")), request_body = crate::openapi::bodies::RoleBody, responses((status = 200, description = "The user with the new role", body = User)))]
pub async fn set_role(
    _: AdminToken,
    State(state): State<AppState>,
    UserPath(project, id): UserPath,
    ValidJson(change): ValidJson<RoleChange>,
) -> Result<Json<User>, ApiError> {
    let store = state.store();
    store.set_user_role(&project, &id, change.role).await?;
    let user = store
        .get_user(&project, &id)
        .await?
        .ok_or(ApiError::NotFound("user"))?;
    Ok(Json(user))
}

/// `DELETE /admin/projects/{id}/users/{user}`; 404 when the project has no such user.
#[utoipa::path(delete, path = "/admin/projects/{id}/users/{user}", tag = "admin", operation_id = "deleteUser", params(("id" = String, Path, description = "The project's id"), ("user" = String, Path, description = "The user's id")), responses((status = 204, description = "Deleted with their sessions")))]
pub async fn delete_user(
    _: AdminToken,
    State(state): State<AppState>,
    UserPath(project, id): UserPath,
) -> Result<StatusCode, ApiError> {
    if state.store().delete_user(&project, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("user"))
    }
}
