//! [`Posted`]: a state-changing form from a signed-in user, CSRF-checked.
//!
//! The token is the session's ([`hark_core::users::SessionToken::csrf_token`]): derived from
//! the session cookie, so any node checks it without storing it, and a page of another site,
//! which cannot read the cookie, cannot know it. When the browser sends `Origin` it must be
//! this server's own, a second, independent check.

use super::DashboardUser;
use crate::{WebError, WebState};
use axum::body::{to_bytes, Body};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts};
use hark_core::credentials::constant_time_eq;
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// Largest form the dashboard accepts.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// A form `T` posted by `user` with a valid CSRF token.
#[derive(Debug)]
pub struct Posted<T> {
    /// Who posted it.
    pub user: DashboardUser,
    /// The form's fields (its `csrf` field already checked).
    pub form: T,
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned + Send> FromRequest<WebState> for Posted<T> {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &WebState) -> Result<Self, WebError> {
        let (mut parts, body) = request.into_parts();
        let user = DashboardUser::from_request_parts(&mut parts, state).await?;
        check_origin(&parts)?;
        let bytes = read_form(body).await?;
        let field: CsrfField = serde_urlencoded::from_bytes(&bytes).map_err(|_| WebError::Csrf)?;
        if !constant_time_eq(field.csrf.as_bytes(), user.csrf().as_bytes()) {
            return Err(WebError::Csrf);
        }
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| WebError::BadRequest(format!("the form is not valid: {e}")))?;
        Ok(Posted { user, form })
    }
}

/// Reads a form body, bounded.
pub(crate) async fn read_form(body: Body) -> Result<axum::body::Bytes, WebError> {
    to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| WebError::BadRequest("the form is too large".into()))
}

/// `Csrf` when the browser says the request comes from another origin than this server's.
/// Browsers send `Origin` on every POST; its host must be the `Host` the browser addressed.
pub(crate) fn check_origin(parts: &Parts) -> Result<(), WebError> {
    let Some(origin) = parts.headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()));
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| url::Url::parse(o).ok())
        .map(|u| match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => String::new(),
        });
    match (host, origin_host) {
        (Some(h), Some(o)) if h.eq_ignore_ascii_case(&o) => Ok(()),
        _ => Err(WebError::Csrf),
    }
}
