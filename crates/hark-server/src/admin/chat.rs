//! The admin HTTP API of chat feedback, mirroring `hark admin create-app …`: a project's
//! applications and SigV4 access keys. Every handler takes [`AdminToken`] (or [`AdminProject`],
//! which checks it first). Changes made here invalidate the AWS surface's caches at once.
//!
//! - `POST /admin/projects/{id}/applications` `{"name", "strict"?}` → 201 the application;
//! - `GET /admin/projects/{id}/applications` → `{"applications": [...]}`;
//! - `POST /admin/projects/{id}/access-keys` → 201 `{"access_key_id", "secret_access_key",
//!   "project_id", "created_at"}` (the secret is shown only now);
//! - `GET /admin/projects/{id}/access-keys` → `{"access_keys": [...]}` (no secrets);
//! - `POST /admin/projects/{id}/access-keys/{key}/revoke` → the key with its `revoked_at`;
//!   this server stops accepting it at once (other servers within their cache TTL).

use super::input::{AccessKeyPath, AdminProject, NewApplication, ProjectIdParam};
use super::AdminToken;
use crate::api::input::ValidJson;
use crate::api::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hark_core::chat::{AccessKey, AccessKeyId, Application};
use hark_core::{ProjectId, Timestamp};
use serde::Serialize;

/// The applications of a project.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationList {
    /// Applications, oldest first.
    pub applications: Vec<Application>,
}

/// An access key just issued: the only answer that shows its secret.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedAccessKey {
    /// The `aws_access_key_id` of SDK clients.
    pub access_key_id: AccessKeyId,
    /// The `aws_secret_access_key`; stored sealed, shown only now.
    pub secret_access_key: String,
    /// The project it authenticates as.
    pub project_id: ProjectId,
    /// When it was issued.
    pub created_at: Timestamp,
}

/// The access keys of a project.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccessKeyList {
    /// Keys (revoked ones included), oldest first.
    pub access_keys: Vec<AccessKey>,
}

/// `POST /admin/projects/{id}/applications`.
#[utoipa::path(post, path = "/admin/projects/{id}/applications", tag = "admin", operation_id = "createApplication", params(("id" = String, Path, description = "The project's id")), request_body = crate::openapi::bodies::NewApplicationBody, responses((status = 201, description = "Created", body = Application)))]
pub async fn create_application(
    _: AdminToken,
    State(state): State<AppState>,
    ProjectIdParam(project): ProjectIdParam,
    ValidJson(NewApplication { name, strict }): ValidJson<NewApplication>,
) -> Result<(StatusCode, Json<Application>), ApiError> {
    let app = hark_store::create_application(state.store(), &project, &name, strict).await?;
    state.chat().forget_application(app.application_id.as_str());
    Ok((StatusCode::CREATED, Json(app)))
}

/// `GET /admin/projects/{id}/applications`; 404 for an unknown project.
#[utoipa::path(get, path = "/admin/projects/{id}/applications", tag = "admin", operation_id = "listApplications", params(("id" = String, Path, description = "The project's id")), responses((status = 200, description = "The project's applications", body = ApplicationList)))]
pub async fn list_applications(
    State(state): State<AppState>,
    AdminProject(project): AdminProject,
) -> Result<Json<ApplicationList>, ApiError> {
    let applications = state.store().list_applications(&project).await?;
    Ok(Json(ApplicationList { applications }))
}

/// `POST /admin/projects/{id}/access-keys`.
#[utoipa::path(post, path = "/admin/projects/{id}/access-keys", tag = "admin", operation_id = "createAccessKey", params(("id" = String, Path, description = "The project's id")), responses((status = 201, description = "Created; the secret access key is shown once", body = CreatedAccessKey)))]
pub async fn create_access_key(
    _: AdminToken,
    State(state): State<AppState>,
    ProjectIdParam(project): ProjectIdParam,
) -> Result<(StatusCode, Json<CreatedAccessKey>), ApiError> {
    let (key, secret) =
        hark_store::create_access_key(state.store(), &state.chat().master, &project).await?;
    state.chat().forget_access_key(key.access_key_id.as_str());
    Ok((
        StatusCode::CREATED,
        Json(CreatedAccessKey {
            access_key_id: key.access_key_id,
            secret_access_key: secret,
            project_id: key.project_id,
            created_at: key.created_at,
        }),
    ))
}

/// `GET /admin/projects/{id}/access-keys`; 404 for an unknown project.
#[utoipa::path(get, path = "/admin/projects/{id}/access-keys", tag = "admin", operation_id = "listAccessKeys", params(("id" = String, Path, description = "The project's id")), responses((status = 200, description = "The project's access keys, without secrets", body = AccessKeyList)))]
pub async fn list_access_keys(
    State(state): State<AppState>,
    AdminProject(project): AdminProject,
) -> Result<Json<AccessKeyList>, ApiError> {
    let access_keys = state.store().list_access_keys(&project).await?;
    Ok(Json(AccessKeyList { access_keys }))
}

/// `POST /admin/projects/{id}/access-keys/{key}/revoke`; 404 unless the project has that key.
/// Revoking twice keeps the first time.
#[utoipa::path(post, path = "/admin/projects/{id}/access-keys/{key}/revoke", tag = "admin", operation_id = "revokeAccessKey", params(("id" = String, Path, description = "The project's id"), ("key" = String, Path, description = "The access key id")), responses((status = 200, description = "Revoked", body = AccessKey)))]
pub async fn revoke_access_key(
    _: AdminToken,
    State(state): State<AppState>,
    AccessKeyPath(project, key): AccessKeyPath,
) -> Result<Json<AccessKey>, ApiError> {
    state.store().revoke_access_key(&project, &key).await?;
    // After the commit: a request that loads the key from now on sees it revoked.
    state.chat().forget_access_key(key.as_str());
    let keys = state.store().list_access_keys(&project).await?;
    keys.into_iter()
        .find(|k| k.access_key_id == key)
        .map(Json)
        .ok_or(ApiError::NotFound("access key"))
}
