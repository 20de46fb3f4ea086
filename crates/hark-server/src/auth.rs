//! Authentication as types: a handler that takes [`ProjectKey`] or [`AdminToken`] only runs for
//! an authenticated caller. Secrets and the `Authorization` header are never logged.

use crate::error::ApiError;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hark_core::credentials::Secret;
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
/// or a wrong secret (compared as SHA-256 digests in constant time).
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

/// Proof that the request carried the configured admin token as `Authorization: Bearer …`.
/// Without a configured token every admin route answers 404; a missing token is 401, a wrong
/// one 403. The comparison is of SHA-256 digests in constant time, so neither the token's
/// content nor its length leaks through timing.
#[derive(Debug, Clone, Copy)]
pub struct AdminToken(());

impl FromRequestParts<AppState> for AdminToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let expected = state.admin_token_hash().ok_or(ApiError::AdminDisabled)?;
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or(ApiError::MissingAdminToken)?;
        let token = parse_bearer(header.as_bytes()).ok_or(ApiError::MissingAdminToken)?;
        if expected.verify(&Secret::new(token)) {
            Ok(Self(()))
        } else {
            Err(ApiError::InvalidAdminToken)
        }
    }
}

/// `Basic base64(user:password)` → (user, password). The scheme is case-insensitive; the user
/// must not be empty. `None` for anything else.
fn parse_basic(header: &[u8]) -> Option<(String, Secret)> {
    let encoded = strip_scheme(header, "basic")?;
    let decoded = STANDARD.decode(encoded).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    if user.is_empty() {
        return None;
    }
    Some((user.to_string(), Secret::new(password)))
}

/// `Bearer <token>` → token (non-empty). `None` for anything else.
fn parse_bearer(header: &[u8]) -> Option<String> {
    let token = strip_scheme(header, "bearer")?;
    let token = std::str::from_utf8(token).ok()?;
    (!token.is_empty()).then(|| token.to_string())
}

/// The credentials after `scheme` and its spaces, with surrounding whitespace removed.
pub(crate) fn strip_scheme<'a>(header: &'a [u8], scheme: &str) -> Option<&'a [u8]> {
    let n = scheme.len();
    if header.len() <= n
        || !header[..n].eq_ignore_ascii_case(scheme.as_bytes())
        || header[n] != b' '
    {
        return None;
    }
    Some(header[n..].trim_ascii())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(s: &str) -> Vec<u8> {
        format!("Basic {}", STANDARD.encode(s)).into_bytes()
    }

    #[test]
    fn basic_auth_parses_user_and_password() {
        let (user, secret) = parse_basic(&basic("hk_key:hs_secret:with:colons")).expect("valid");
        assert_eq!(user, "hk_key");
        assert_eq!(secret.expose(), "hs_secret:with:colons");
        let lower = format!("basic   {}", STANDARD.encode("k:s"));
        assert!(parse_basic(lower.as_bytes()).is_some());
    }

    #[test]
    fn malformed_basic_auth_is_refused() {
        for bad in [
            b"Basic".to_vec(),
            b"Basic ".to_vec(),
            b"Basic !!!notbase64".to_vec(),
            b"Bearer abc".to_vec(),
            b"Basicx a2V5OnNlY3JldA==".to_vec(),
            basic("no-colon"),
            basic(":secret-without-user"),
            format!("Basic {}", STANDARD.encode([0xff, b':', b'x'])).into_bytes(),
        ] {
            assert!(
                parse_basic(&bad).is_none(),
                "{:?}",
                String::from_utf8_lossy(&bad)
            );
        }
    }

    #[test]
    fn bearer_tokens_parse() {
        assert_eq!(parse_bearer(b"Bearer abc").as_deref(), Some("abc"));
        assert_eq!(parse_bearer(b"bearer  abc ").as_deref(), Some("abc"));
        assert!(parse_bearer(b"Bearer ").is_none());
        assert!(parse_bearer(b"Basic abc").is_none());
        assert!(parse_bearer(b"Bearerabc").is_none());
    }
}
