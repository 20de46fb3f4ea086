//! [`DashboardUser`]: who is signed in, from the session cookie and the store.

use super::cookies;
use crate::{WebError, WebState};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use hark_core::users::{Role, SessionToken, User};
use hark_core::{ProjectId, Timestamp};
use std::time::Duration;

/// A session is written back (its `last_seen_at`) at most this often, not on every request.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// The signed-in user of a dashboard request, with the CSRF token of its session's forms.
#[derive(Debug, Clone)]
pub struct DashboardUser {
    /// The user, with its current role.
    pub user: User,
    token: SessionToken,
    csrf: String,
}

impl DashboardUser {
    /// The project every read and write of this request is scoped to.
    pub fn project(&self) -> &ProjectId {
        &self.user.project_id
    }

    /// The user's role.
    pub fn role(&self) -> Role {
        self.user.role
    }

    /// `Forbidden` unless the user's role is at least `role`.
    pub fn require(&self, role: Role) -> Result<(), WebError> {
        if self.user.role >= role {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }

    /// The CSRF token every form of this session carries (field `csrf`).
    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    /// The session's token (to end it, or keep it when the password changes).
    pub(crate) fn token(&self) -> &SessionToken {
        &self.token
    }
}

impl FromRequestParts<WebState> for DashboardUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, WebError> {
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".to_string());
        let sign_in = || WebError::SignIn { next: next.clone() };
        let settings = state.settings();
        let jar = CookieJar::from_headers(&parts.headers);
        let token = cookies::session_token(&jar, settings.secure_cookies).ok_or_else(sign_in)?;
        let hash = token.hash();
        let store = state.store();
        let (session, user) = store.session(&hash).await?.ok_or_else(sign_in)?;
        let now = Timestamp::now();
        let idle = now.as_micros() - session.last_seen_at.as_micros();
        let age = now.as_micros() - session.created_at.as_micros();
        if idle > micros(settings.session_idle) || age > micros(settings.session_absolute) {
            store.delete_session(&hash).await?;
            return Err(sign_in());
        }
        if idle > micros(TOUCH_EVERY) {
            store.touch_session(&hash, now).await?;
        }
        let csrf = token.csrf_token();
        Ok(DashboardUser { user, token, csrf })
    }
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}
