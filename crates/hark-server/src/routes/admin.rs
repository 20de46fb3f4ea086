//! The admin HTTP API, mirroring the `hark admin` CLI: projects, their sources and secrets.
//! Every handler takes [`AdminToken`], so none runs without the configured bearer token.

use crate::auth::AdminToken;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::params::{ObjectReader, ProjectIdParam};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hark_core::limits::MAX_NAME_CHARS;
use hark_core::{Project, ProjectId, Source, SourceKind, Timestamp};
use serde::Serialize;
use serde_json::Value;

/// A project just created: the only answer that ever shows its secret key.
#[derive(Debug, Serialize)]
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
#[derive(Debug, Serialize)]
pub struct ProjectList {
    /// Projects, oldest first.
    pub projects: Vec<Project>,
}

/// The sources of a project.
#[derive(Debug, Serialize)]
pub struct SourceList {
    /// Sources, oldest first.
    pub sources: Vec<Source>,
}

/// A fresh secret key; the previous one no longer works.
#[derive(Debug, Serialize)]
pub struct RotatedSecret {
    /// The project.
    pub project_id: ProjectId,
    /// The new secret key, shown only now.
    pub secret_key: String,
}

/// `POST /admin/projects` with `{"name"}`.
pub async fn create_project(
    _: AdminToken,
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<CreatedProject>), ApiError> {
    let name = parse_project(&body)?;
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
pub async fn list_projects(
    _: AdminToken,
    State(state): State<AppState>,
) -> Result<Json<ProjectList>, ApiError> {
    let projects = state.store().list_projects().await?;
    Ok(Json(ProjectList { projects }))
}

/// `POST /admin/projects/{id}/sources` with `{"name", "type"}` (type defaults to webhook).
pub async fn create_source(
    _: AdminToken,
    State(state): State<AppState>,
    ProjectIdParam(project): ProjectIdParam,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Source>), ApiError> {
    let (name, kind) = parse_source(&body)?;
    let source = hark_store::create_source(state.store(), &project, &name, kind).await?;
    Ok((StatusCode::CREATED, Json(source)))
}

/// `GET /admin/projects/{id}/sources`; 404 for an unknown project.
pub async fn list_sources(
    _: AdminToken,
    State(state): State<AppState>,
    ProjectIdParam(project): ProjectIdParam,
) -> Result<Json<SourceList>, ApiError> {
    state
        .store()
        .get_project(&project)
        .await?
        .ok_or(ApiError::NotFound("project"))?;
    let sources = state.store().list_sources(&project).await?;
    Ok(Json(SourceList { sources }))
}

/// `POST /admin/projects/{id}/rotate-secret`.
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

fn parse_project(body: &Value) -> Result<String, ApiError> {
    let mut r = ObjectReader::new(body, &["name"]);
    let name = r.string("name", MAX_NAME_CHARS, true);
    r.finish(name)
}

fn parse_source(body: &Value) -> Result<(String, SourceKind), ApiError> {
    let mut r = ObjectReader::new(body, &["name", "type"]);
    let name = r.string("name", MAX_NAME_CHARS, true);
    let kind = match r.string("type", 16, false).map(|t| t.parse::<SourceKind>()) {
        None => Some(SourceKind::Webhook),
        Some(Ok(kind)) => Some(kind),
        Some(Err(message)) => {
            r.issue("type", message);
            None
        }
    };
    r.finish(name.zip(kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn source_type_defaults_to_webhook() {
        let (name, kind) = parse_source(&json!({"name": "web"})).expect("valid");
        assert_eq!((name.as_str(), kind), ("web", SourceKind::Webhook));
        let (_, kind) = parse_source(&json!({"name": "csv", "type": "import"})).expect("valid");
        assert_eq!(kind, SourceKind::Import);
    }

    #[test]
    fn bad_admin_bodies_are_refused() {
        assert!(parse_source(&json!({"name": "x", "type": "rss"})).is_err());
        assert!(parse_source(&json!({"type": "webhook"})).is_err());
        assert!(parse_project(&json!({})).is_err());
        assert!(parse_project(&json!({"name": "x".repeat(MAX_NAME_CHARS + 1)})).is_err());
        assert_eq!(
            parse_project(&json!({"name": "Acme"})).expect("valid"),
            "Acme"
        );
    }
}
