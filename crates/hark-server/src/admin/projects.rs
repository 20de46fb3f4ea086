//! The admin HTTP API, mirroring the `hark admin` CLI: projects, their sources and secrets.
//! Every handler takes [`AdminToken`] (or [`AdminProject`], which checks it first), so none runs
//! without the configured bearer token.

use super::input::{AdminProject, NewProject, NewSource, ProjectIdParam};
use super::AdminToken;
use crate::api::input::ValidJson;
use crate::api::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hark_core::{Project, ProjectId, Source, Timestamp};
use serde::Serialize;

/// A project just created: the only answer that ever shows its secret key.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedProject {
    /// hark's id of the project.
    pub project_id: ProjectId,
    /// Display name.
    pub name: String,
    /// Basic-auth username of the project APIs.
    pub api_key: String,
    /// Basic-auth password; stored only as a hash, so shown only now.
    pub secret_key: String,
    /// When the project was created.
    pub created_at: Timestamp,
}

/// The project list (API keys included, secrets never).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProjectList {
    /// Projects, oldest first.
    pub projects: Vec<Project>,
}

/// The sources of a project.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SourceList {
    /// Sources, oldest first.
    pub sources: Vec<Source>,
}

/// A fresh secret key; the previous one no longer works.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RotatedSecret {
    /// The project.
    pub project_id: ProjectId,
    /// The new secret key, shown only now.
    pub secret_key: String,
}

/// `POST /admin/projects` with `{"name"}`.
#[utoipa::path(post, path = "/admin/projects", tag = "admin", operation_id = "createProject", request_body = crate::openapi::bodies::NewProjectBody, responses((status = 201, description = "Created; the secret key is shown once", body = CreatedProject)))]
pub async fn create_project(
    _: AdminToken,
    State(state): State<AppState>,
    ValidJson(NewProject { name }): ValidJson<NewProject>,
) -> Result<(StatusCode, Json<CreatedProject>), ApiError> {
    let created = hark_store::create_project(state.store(), &name).await?;
    let p = created.project;
    Ok((
        StatusCode::CREATED,
        Json(CreatedProject {
            project_id: p.project_id,
            name: p.name,
            api_key: p.api_key,
            secret_key: created.secret_key.expose().to_string(),
            created_at: p.created_at,
        }),
    ))
}

/// `GET /admin/projects`.
#[utoipa::path(get, path = "/admin/projects", tag = "admin", operation_id = "listProjects", responses((status = 200, description = "Every project", body = ProjectList)))]
pub async fn list_projects(
    _: AdminToken,
    State(state): State<AppState>,
) -> Result<Json<ProjectList>, ApiError> {
    let projects = state.store().list_projects().await?;
    Ok(Json(ProjectList { projects }))
}

/// `POST /admin/projects/{id}/sources` with `{"name", "type"}` (type defaults to webhook).
#[utoipa::path(post, path = "/admin/projects/{id}/sources", tag = "admin", operation_id = "createSource", params(("id" = String, Path, description = "The project's id")), request_body = crate::openapi::bodies::NewSourceBody, responses((status = 201, description = "Created", body = Source)))]
pub async fn create_source(
    _: AdminToken,
    State(state): State<AppState>,
    ProjectIdParam(project): ProjectIdParam,
    ValidJson(NewSource { name, kind }): ValidJson<NewSource>,
) -> Result<(StatusCode, Json<Source>), ApiError> {
    let source = hark_store::create_source(state.store(), &project, &name, kind).await?;
    Ok((StatusCode::CREATED, Json(source)))
}

/// `GET /admin/projects/{id}/sources`; 404 for an unknown project.
#[utoipa::path(get, path = "/admin/projects/{id}/sources", tag = "admin", operation_id = "listSources", params(("id" = String, Path, description = "The project's id")), responses((status = 200, description = "The project's sources", body = SourceList)))]
pub async fn list_sources(
    State(state): State<AppState>,
    AdminProject(project): AdminProject,
) -> Result<Json<SourceList>, ApiError> {
    let sources = state.store().list_sources(&project).await?;
    Ok(Json(SourceList { sources }))
}

/// `POST /admin/projects/{id}/rotate-secret`.
#[utoipa::path(post, path = "/admin/projects/{id}/rotate-secret", tag = "admin", operation_id = "rotateSecret", params(("id" = String, Path, description = "The project's id")), responses((status = 200, description = "The new secret key, shown once", body = RotatedSecret)))]
pub async fn rotate_secret(
    _: AdminToken,
    State(state): State<AppState>,
    ProjectIdParam(project): ProjectIdParam,
) -> Result<Json<RotatedSecret>, ApiError> {
    let secret = hark_store::rotate_secret(state.store(), &project).await?;
    Ok(Json(RotatedSecret {
        project_id: project,
        secret_key: secret.expose().to_string(),
    }))
}
