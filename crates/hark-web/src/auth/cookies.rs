//! The dashboard's cookies: the session (`HttpOnly`, `SameSite=Lax`, `Path=/`; `Secure` with
//! the `__Host-` prefix when cookies are secure) and the sign-in form's double-submit token.

use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use hark_core::users::SessionToken;

/// Name of the session cookie.
pub(crate) fn session_name(secure: bool) -> &'static str {
    if secure {
        "__Host-hark_session"
    } else {
        "hark_session"
    }
}

/// Name of the sign-in form's CSRF cookie.
pub(crate) fn login_csrf_name(secure: bool) -> &'static str {
    if secure {
        "__Host-hark_login"
    } else {
        "hark_login"
    }
}

/// The session token the browser sent, if any.
pub(crate) fn session_token(jar: &CookieJar, secure: bool) -> Option<SessionToken> {
    jar.get(session_name(secure))
        .map(|c| SessionToken::new(c.value()))
        .filter(|t| !t.expose().is_empty() && t.expose().len() <= 128)
}

/// A cookie with hark's attributes; a session cookie (no `Max-Age`) unless `max_age` is set.
pub(crate) fn build(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build()
}

/// A cookie that deletes `name`.
pub(crate) fn removal(name: &'static str, secure: bool) -> Cookie<'static> {
    let mut c = build(name, String::new(), secure);
    c.make_removal();
    c
}
