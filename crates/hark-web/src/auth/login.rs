//! `/login`, `/logout` and `/account/password`.
//!
//! The sign-in form is CSRF-protected before any session exists by a double-submit token: a
//! random value in an `HttpOnly` cookie that the form repeats, which another site can neither
//! read nor set.

use super::{cookies, csrf, DashboardUser, Posted};
use crate::view::layout::{self, Section};
use crate::{WebError, WebState};
use axum::extract::{ConnectInfo, FromRequestParts, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use hark_core::credentials::constant_time_eq;
use hark_core::ids::random_token;
use hark_core::users::{Email, Password};
use hark_store::{hash_password, start_session, verify_sign_in};
use maud::{html, Markup};
use serde::Deserialize;
use std::net::SocketAddr;
use std::time::Instant;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Next {
    next: Option<String>,
}

/// `next` when it is a path of this site (`/…`, not `//host`), else `/`: no open redirect.
fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.starts_with("/\\") => {
            p.to_string()
        }
        _ => "/".to_string(),
    }
}

fn sign_in_page(token: &str, next: &str, email: &str, problem: Option<&str>) -> Markup {
    layout::bare(
        "Sign in",
        html! {
            div.signin {
                h1 { "Sign in to hark" }
                @if let Some(p) = problem {
                    p.problem role="alert" { (p) }
                }
                form method="post" action="/login" {
                    input type="hidden" name="csrf" value=(token);
                    input type="hidden" name="next" value=(next);
                    label for="email" { "Email" }
                    input #email type="email" name="email" value=(email) autocomplete="username" required autofocus;
                    label for="password" { "Password" }
                    input #password type="password" name="password" autocomplete="current-password" required;
                    button type="submit" { "Sign in" }
                }
            }
        },
    )
}

/// GET `/login`: the form (or, when already signed in, the page asked for).
pub(crate) async fn form(
    State(state): State<WebState>,
    Query(q): Query<Next>,
    request: Request,
) -> Response {
    let next = local_path(q.next.as_deref());
    let (mut parts, _) = request.into_parts();
    if DashboardUser::from_request_parts(&mut parts, &state)
        .await
        .is_ok()
    {
        return Redirect::to(&next).into_response();
    }
    let secure = state.settings().secure_cookies;
    let jar = CookieJar::from_headers(&parts.headers);
    let (jar, token) = login_token(jar, secure);
    (jar, sign_in_page(&token, &next, "", None)).into_response()
}

/// The double-submit token of the sign-in form: the browser's, or a new one set now.
fn login_token(jar: CookieJar, secure: bool) -> (CookieJar, String) {
    let name = cookies::login_csrf_name(secure);
    match jar.get(name).map(|c| c.value().to_string()) {
        Some(t) if t.len() == 32 => (jar, t),
        _ => {
            let t = random_token(32);
            (jar.add(cookies::build(name, t.clone(), secure)), t)
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct SignIn {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// POST `/login`: checks the form's token, the throttle and the password; on success starts a
/// session and redirects to `next` (or `/`).
pub(crate) async fn submit(
    State(state): State<WebState>,
    request: Request,
) -> Result<Response, WebError> {
    let (parts, body) = request.into_parts();
    csrf::check_origin(&parts)?;
    let secure = state.settings().secure_cookies;
    let jar = CookieJar::from_headers(&parts.headers);
    let address = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    let bytes = csrf::read_form(body).await?;
    let form: SignIn = serde_urlencoded::from_bytes(&bytes)
        .map_err(|e| WebError::BadRequest(format!("the form is not valid: {e}")))?;
    let expected = jar
        .get(cookies::login_csrf_name(secure))
        .map(|c| c.value().to_string());
    let Some(expected) = expected.filter(|t| constant_time_eq(t.as_bytes(), form.csrf.as_bytes()))
    else {
        return Err(WebError::Csrf);
    };
    let next = local_path(form.next.as_deref());
    let refuse = |status: StatusCode, message: &str| {
        (
            status,
            sign_in_page(&expected, &next, &form.email, Some(message)),
        )
            .into_response()
    };
    let Ok(email) = Email::parse(&form.email) else {
        return Ok(refuse(
            StatusCode::UNAUTHORIZED,
            "Email or password is wrong.",
        ));
    };
    let throttle = state.throttle();
    if let Some(wait) = throttle.wait(email.as_str(), &address, Instant::now()) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        tracing::warn!(address = %address, "sign-in throttled");
        let message = format!(
            "Too many failed sign-ins for this account or from this address. Try again in {minutes} minute{}.",
            if minutes == 1 { "" } else { "s" }
        );
        let mut response = refuse(StatusCode::TOO_MANY_REQUESTS, &message);
        if let Ok(v) = wait.as_secs().max(1).to_string().parse() {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        return Ok(response);
    }
    let password = Password::new(form.password.as_str());
    let Some(user) = verify_sign_in(state.store(), &email, &password).await? else {
        throttle.failed(email.as_str(), &address, Instant::now());
        tracing::info!(address = %address, "sign-in failed");
        return Ok(refuse(
            StatusCode::UNAUTHORIZED,
            "Email or password is wrong.",
        ));
    };
    throttle.succeeded(email.as_str());
    let token = start_session(state.store(), &user).await?;
    tracing::info!(user = %user.user_id, "signed in");
    let jar = jar
        .remove(cookies::removal(cookies::login_csrf_name(secure), secure))
        .add(cookies::build(
            cookies::session_name(secure),
            token.expose().to_string(),
            secure,
        ));
    Ok((jar, Redirect::to(&next)).into_response())
}

#[derive(Deserialize)]
pub(crate) struct Empty {}

/// POST `/logout`: deletes the session from the store (every node sees it gone) and the cookie.
pub(crate) async fn logout(
    State(state): State<WebState>,
    jar: CookieJar,
    posted: Posted<Empty>,
) -> Result<Response, WebError> {
    state
        .store()
        .delete_session(&posted.user.token().hash())
        .await?;
    let secure = state.settings().secure_cookies;
    let jar = jar.remove(cookies::removal(cookies::session_name(secure), secure));
    Ok((jar, Redirect::to("/login")).into_response())
}

fn password_page(user: &DashboardUser, status: Option<(bool, &str)>) -> Markup {
    layout::page(
        "Account",
        user,
        Section::Account,
        html! {
            h1 { "Your account" }
            p { "Signed in as " strong { (user.user.email.as_str()) } " (" (user.role().as_str()) ")." }
            h2 { "Change your password" }
            @if let Some((ok, message)) = status {
                p class=(if ok { "notice" } else { "problem" }) role=(if ok { "status" } else { "alert" }) { (message) }
            }
            form.stack method="post" action="/account/password" {
                (layout::csrf_field(user))
                label for="current" { "Current password" }
                input #current type="password" name="current" autocomplete="current-password" required;
                label for="new" { "New password (at least 12 characters)" }
                input #new type="password" name="new" autocomplete="new-password" minlength="12" required;
                label for="confirm" { "New password again" }
                input #confirm type="password" name="confirm" autocomplete="new-password" minlength="12" required;
                button type="submit" { "Change password" }
            }
            p.hint { "Changing it signs you out everywhere else." }
        },
    )
}

/// GET `/account/password`.
pub(crate) async fn password_form(user: DashboardUser) -> Markup {
    password_page(&user, None)
}

#[derive(Deserialize)]
pub(crate) struct ChangePassword {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

/// POST `/account/password`: checks the current password, then stores the new one's hash and
/// ends every other session of the user.
pub(crate) async fn change_password(
    State(state): State<WebState>,
    Posted { user, form }: Posted<ChangePassword>,
) -> Result<Response, WebError> {
    let fail = |m: &str| {
        (
            StatusCode::BAD_REQUEST,
            password_page(&user, Some((false, m))),
        )
            .into_response()
    };
    let current = Password::new(form.current.as_str());
    let ok = verify_sign_in(state.store(), &user.user.email, &current).await?;
    if ok.is_none() {
        return Ok(fail("The current password is wrong."));
    }
    if form.new != form.confirm {
        return Ok(fail("The two new passwords differ."));
    }
    let new = match Password::chosen(form.new.as_str()) {
        Ok(p) => p,
        Err(m) => return Ok(fail(m)),
    };
    let hash = hash_password(&new).await?;
    let keep = user.token().hash();
    state
        .store()
        .set_user_password(user.project(), &user.user.user_id, &hash, Some(&keep))
        .await?;
    Ok(password_page(
        &user,
        Some((true, "Password changed. Other sessions were signed out.")),
    )
    .into_response())
}
