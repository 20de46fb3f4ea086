//! [`AdminToken`]: authentication of the admin API as a type. Its refusals are in the hark
//! API's error shape ([`ApiError`]), as the admin routes answer.

use crate::api::ApiError;
use crate::http::credentials::parse_bearer;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use hark_core::credentials::Secret;

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
