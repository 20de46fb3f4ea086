//! `/settings`, for admins only (others get 403): the project's sources with a ready-to-paste
//! ingest request each ([`sources`]), AI applications and SigV4 access keys ([`chat`]), the
//! project's API secret ([`secret`]), its dashboard users ([`users`]) and its webhook endpoints
//! ([`webhooks`]). Every change is a CSRF-checked POST that answers a 303 back here, or a page
//! showing a new secret once (pages are never cached: see `headers`).

pub(crate) mod chat;
pub(crate) mod secret;
pub(crate) mod sources;
pub(crate) mod users;
pub(crate) mod webhooks;

use crate::auth::DashboardUser;
use crate::view::format::time;
use crate::view::layout::{self, Section};
use crate::{WebError, WebState};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use hark_core::limits::MAX_NAME_CHARS;
use hark_core::users::Role;
use maud::{html, Markup};

/// `Forbidden` unless the user is an admin.
pub(crate) fn require_admin(user: &DashboardUser) -> Result<(), WebError> {
    user.require(Role::Admin)
}

/// A display name from a form: trimmed, 1–200 characters.
pub(crate) fn display_name(raw: &str, what: &str) -> Result<String, WebError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(WebError::BadRequest(format!("the {what} needs a name")));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(WebError::BadRequest(format!(
            "a {what} name has at most {MAX_NAME_CHARS} characters"
        )));
    }
    Ok(name.to_string())
}

/// The address clients reach this server at, as the browser addressed it.
pub(crate) fn base_url(state: &WebState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or("localhost");
    let scheme = if state.settings().secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// A value to copy: a focusable `<pre id=…>` (it may scroll) and a button that copies it
/// (with the script; without it the text is selected by hand).
pub(crate) fn copyable(id: &str, label: &str, value: &str) -> Markup {
    html! {
        pre id=(id) tabindex="0" { (value) }
        button.secondary type="button" data-copy=(id) { "Copy" span.sr-only { " " (label) } }
    }
}

/// A page that shows new credentials once: `values` are (label, id, value).
pub(crate) fn shown_once(
    user: &DashboardUser,
    title: &str,
    intro: Markup,
    values: &[(&str, &str, &str)],
) -> Markup {
    let content = html! {
        h1 { (title) }
        p.notice role="status" { "Copy it now: it is shown only on this page, and never again." }
        (intro)
        @for (label, id, value) in values {
            h2 { (label) }
            (copyable(id, label, value))
        }
        p { a href="/settings" { "Back to the settings" } }
    };
    layout::page(title, user, Section::Settings, content)
}

/// GET `/settings`.
pub(crate) async fn page(
    State(state): State<WebState>,
    user: DashboardUser,
    headers: HeaderMap,
) -> Result<Markup, WebError> {
    require_admin(&user)?;
    render(&state, &user, &headers, webhooks::FormState::default()).await
}

/// The settings page, with the webhook form as given (empty, or refused with its problems).
pub(crate) async fn render(
    state: &WebState,
    user: &DashboardUser,
    headers: &HeaderMap,
    webhook_form: webhooks::FormState,
) -> Result<Markup, WebError> {
    let store = state.store();
    let project_id = user.project();
    let project = store
        .get_project(project_id)
        .await?
        .ok_or(WebError::NotFound("project"))?;
    let sources = store.list_sources(project_id).await?;
    let apps = store.list_applications(project_id).await?;
    let keys = store.list_access_keys(project_id).await?;
    let people = store.list_users(project_id).await?;
    let endpoints = webhooks::load(state, user).await?;
    let base = base_url(state, headers);
    let can_seal = state.master_key().is_some();
    let content = html! {
        h1 { "Settings" }
        dl.facts {
            dt { "Project" } dd { bdi { (project.name) } }
            dt { "Project id" } dd { (project.project_id.as_str()) }
            dt { "API key" } dd { (project.api_key) }
            dt { "Created" } dd { (time(project.created_at)) " UTC" }
        }
        (sources::section(user, &project, &sources, &base))
        (chat::section(user, &apps, &keys, can_seal))
        (secret::section(user))
        (users::section(user, &people))
        (webhooks::section(user, &endpoints, &webhook_form, can_seal))
    };
    Ok(layout::page("Settings", user, Section::Settings, content))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            display_name("  Web  ", "source").ok().as_deref(),
            Some("Web")
        );
        assert!(display_name("   ", "source").is_err());
        assert!(display_name(&"x".repeat(MAX_NAME_CHARS + 1), "source").is_err());
    }
}
