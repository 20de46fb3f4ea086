//! The admin HTTP API of chat feedback, mirroring `hark admin create-app …`: a project's
//! applications and SigV4 access keys. Every handler takes [`AdminToken`].
//!
//! - `POST /admin/projects/{id}/applications` `{"name", "strict"?}` → 201 the application;
//! - `GET /admin/projects/{id}/applications` → `{"applications": [...]}`;
//! - `POST /admin/projects/{id}/access-keys` → 201 `{"access_key_id", "secret_access_key",
//!   "project_id", "created_at"}` (the secret is shown only now);
//! - `GET /admin/projects/{id}/access-keys` → `{"access_keys": [...]}` (no secrets);
//! - `POST /admin/projects/{id}/access-keys/{key}/revoke` → the key with its `revoked_at`;
//!   this server stops accepting it at once (other servers within their cache TTL).

use crate::auth::AdminToken;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::params::{ObjectReader, ProjectIdParam};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hark_core::chat::{AccessKey, AccessKeyId, Application};
use hark_core::limits::MAX_NAME_CHARS;
use hark_core::{ProjectId, Timestamp};
use serde::Serialize;
use serde_json::Value;

/// The applications of a project.
#[derive(Debug, Serialize)]
pub struct ApplicationList {
    /// Applications, oldest first.
    pub applications: Vec<Application>,
}

/// An access key just issued: the only answer that shows its secret.
#[derive(Debug, Serialize)]
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
#[derive(Debug, Serialize)]
pub struct AccessKeyList {
    /// Keys (revoked ones included), oldest first.
    pub access_keys: Vec<AccessKey>,
}

/// `POST /admin/projects/{id}/applications`.
pub async fn create_application(
    _: AdminToken,
    State(state): State<AppState>,
    ProjectIdParam(project): ProjectIdParam,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Application>), ApiError> {
    let (name, strict) = parse_application(&body)?;
    let app = hark_store::create_application(state.store(), &project, &name, strict).await?;
    state.chat().forget_application(app.application_id.as_str());
    Ok((StatusCode::CREATED, Json(app)))
}

/// `GET /admin/projects/{id}/applications`; 404 for an unknown project.
pub async fn list_applications(
    _: AdminToken,
    State(state): State<AppState>,
    ProjectIdParam(project): ProjectIdParam,
) -> Result<Json<ApplicationList>, ApiError> {
    existing_project(&state, &project).await?;
    let applications = state.store().list_applications(&project).await?;
    Ok(Json(ApplicationList { applications }))
}

/// `POST /admin/projects/{id}/access-keys`.
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
pub async fn list_access_keys(
    _: AdminToken,
    State(state): State<AppState>,
    ProjectIdParam(project): ProjectIdParam,
) -> Result<Json<AccessKeyList>, ApiError> {
    existing_project(&state, &project).await?;
    let access_keys = state.store().list_access_keys(&project).await?;
    Ok(Json(AccessKeyList { access_keys }))
}

/// `POST /admin/projects/{id}/access-keys/{key}/revoke`; 404 unless the project has that key.
/// Revoking twice keeps the first time.
pub async fn revoke_access_key(
    _: AdminToken,
    State(state): State<AppState>,
    Path((project, key)): Path<(String, String)>,
) -> Result<Json<AccessKey>, ApiError> {
    let (project, key) = (ProjectId::new(project), AccessKeyId::new(key));
    state.store().revoke_access_key(&project, &key).await?;
    // After the commit: a request that loads the key from now on sees it revoked.
    state.chat().forget_access_key(key.as_str());
    let keys = state.store().list_access_keys(&project).await?;
    keys.into_iter()
        .find(|k| k.access_key_id == key)
        .map(Json)
        .ok_or(ApiError::NotFound("access key"))
}

async fn existing_project(state: &AppState, project: &ProjectId) -> Result<(), ApiError> {
    match state.store().get_project(project).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::NotFound("project")),
    }
}

fn parse_application(body: &Value) -> Result<(String, bool), ApiError> {
    let mut r = ObjectReader::new(body, &["name", "strict"]);
    let name = r.string("name", MAX_NAME_CHARS, true);
    let strict = r.boolean("strict").unwrap_or(false);
    r.finish(name.map(|n| (n, strict)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn application_bodies() {
        assert_eq!(
            parse_application(&json!({"name": "bot"})).expect("valid"),
            ("bot".to_string(), false)
        );
        assert_eq!(
            parse_application(&json!({"name": "bot", "strict": true})).expect("valid"),
            ("bot".to_string(), true)
        );
        for bad in [
            json!({}),
            json!({"name": "bot", "strict": "yes"}),
            json!({"name": "bot", "extra": 1}),
        ] {
            assert!(parse_application(&bad).is_err(), "{bad}");
        }
    }
}
