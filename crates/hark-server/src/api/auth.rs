//! [`ProjectKey`]: authentication of the hark API as a type. A handler that takes it only runs
//! for a caller that sent a project's API key and secret key in HTTP Basic auth (and, when a
//! rate limit is configured, that is within it). Secrets and the `Authorization` header are
//! never logged.

use super::ApiError;
use crate::http::credentials::parse_basic;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use hark_core::ProjectId;

/// The project whose API key and secret key came in HTTP Basic auth. Missing or malformed
/// credentials are rejected with 401, an unknown key or a wrong secret with 403, and when a
/// rate limit is configured, a project over it with 429 (before the body is read).
#[derive(Debug, Clone)]
pub struct ProjectKey {
    /// The authenticated project; every store call of the handler is scoped to it.
    pub project_id: ProjectId,
}

impl FromRequestParts<AppState> for ProjectKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or(ApiError::MissingCredentials)?;
        let project_id = basic_project(state, header.as_bytes()).await?;
        tracing::Span::current().record("project_id", project_id.as_str());
        if let Some(limiter) = state.rate_limiter() {
            limiter.try_acquire(&project_id)?;
        }
        Ok(Self { project_id })
    }
}

/// The project whose `api_key:secret_key` an `Authorization: Basic …` value carries:
/// `MalformedCredentials` for anything but Basic auth, `InvalidCredentials` for an unknown key
/// or a wrong secret (compared as SHA-256 digests in constant time). The AWS surface's
/// Basic-auth callers are checked by this too, and their refusals translated to its shape.
pub(crate) async fn basic_project(state: &AppState, header: &[u8]) -> Result<ProjectId, ApiError> {
    let (api_key, secret) = parse_basic(header).ok_or(ApiError::MalformedCredentials)?;
    let (project_id, hash) = state
        .store()
        .project_by_api_key(&api_key)
        .await?
        .ok_or(ApiError::InvalidCredentials)?;
    if !hash.verify(&secret) {
        return Err(ApiError::InvalidCredentials);
    }
    Ok(project_id)
}
