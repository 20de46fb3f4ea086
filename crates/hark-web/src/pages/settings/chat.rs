//! AI applications (list, register) and SigV4 access keys (list, issue — the secret shown
//! once —, revoke), as `hark admin` and the admin API do them.
//!
//! The AWS surface caches keys and applications for a couple of seconds; a key revoked here
//! is refused by it within that time (as one revoked with the CLI is).

use super::{display_name, require_admin, shown_once};
use crate::auth::{DashboardUser, Posted};
use crate::view::format::{segment, time};
use crate::view::layout;
use crate::{WebError, WebState};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Redirect;
use hark_core::chat::{AccessKey, AccessKeyId, Application};
use maud::{html, Markup};
use serde::Deserialize;

/// Longest access key id looked up (hark issues 20 characters).
const MAX_KEY_ID_CHARS: usize = 128;

/// The applications and access keys sections of `/settings`; `can_issue` is false when the
/// server gave the dashboard no master key.
pub(crate) fn section(
    user: &DashboardUser,
    apps: &[Application],
    keys: &[AccessKey],
    can_issue: bool,
) -> Markup {
    html! {
        section #applications aria-labelledby="apps-h" {
            h2 #apps-h { "AI applications" }
            @if apps.is_empty() {
                p.muted { "No applications yet." }
            } @else {
                div.table-wrap role="region" aria-label="AI applications" tabindex="0" {
                    table {
                        thead { tr {
                            th scope="col" { "Name" }
                            th scope="col" { "Application id" }
                            th scope="col" { "Strict" }
                            th.hide-narrow scope="col" { "Created" }
                        } }
                        tbody {
                            @for a in apps {
                                tr {
                                    td { (a.name) }
                                    td { code { (a.application_id.as_str()) } }
                                    td { @if a.strict { "yes" } @else { "no" } }
                                    td.hide-narrow { (time(a.created_at)) }
                                }
                            }
                        }
                    }
                }
            }
            form.stack method="post" action="/settings/applications" {
                (layout::csrf_field(user))
                label for="app-name" { "New application name" }
                input #app-name type="text" name="name" required maxlength="200";
                label {
                    input type="checkbox" name="strict" value="true";
                    " Strict: refuse feedback on conversations and messages never recorded"
                }
                button type="submit" { "Register application" }
            }
        }
        section #access-keys aria-labelledby="keys-h" {
            h2 #keys-h { "Access keys (SigV4)" }
            p.hint { "AWS SDK clients sign their feedback calls with an access key of the project." }
            @if keys.is_empty() {
                p.muted { "No access keys yet." }
            } @else {
                div.table-wrap role="region" aria-label="Access keys" tabindex="0" {
                    table {
                        thead { tr {
                            th scope="col" { "Access key id" }
                            th.hide-narrow scope="col" { "Issued" }
                            th scope="col" { "State" }
                        } }
                        tbody {
                            @for k in keys {
                                tr {
                                    td { code { (k.access_key_id.as_str()) } }
                                    td.hide-narrow { (time(k.created_at)) }
                                    td {
                                        @if let Some(r) = k.revoked_at {
                                            "revoked " (time(r))
                                        } @else {
                                            form.inline method="post"
                                                action=(format!("/settings/access-keys/{}/revoke", segment(k.access_key_id.as_str())))
                                                data-confirm="Revoke this access key? Clients using it stop working." {
                                                (layout::csrf_field(user))
                                                "active "
                                                button.danger type="submit" {
                                                    "Revoke" span.sr-only { " " (k.access_key_id.as_str()) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if can_issue {
                form.inline method="post" action="/settings/access-keys" {
                    (layout::csrf_field(user))
                    button type="submit" { "Issue an access key" }
                }
            } @else {
                p.muted { "Issuing keys here needs the server's master key; use " code { "hark admin create-access-key" } "." }
            }
        }
    }
}

/// The new-application form; an unchecked box sends no `strict`.
#[derive(Debug, Deserialize)]
pub(crate) struct NewApplication {
    #[serde(default)]
    name: String,
    #[serde(default)]
    strict: Option<String>,
}

/// POST `/settings/applications`.
pub(crate) async fn create_application(
    State(state): State<WebState>,
    Posted { user, form }: Posted<NewApplication>,
) -> Result<Redirect, WebError> {
    require_admin(&user)?;
    let name = display_name(&form.name, "application")?;
    let strict = matches!(form.strict.as_deref(), Some("true" | "on"));
    hark_store::create_application(state.store(), user.project(), &name, strict).await?;
    Ok(Redirect::to("/settings#applications"))
}

/// The issue form (only its CSRF field).
#[derive(Debug, Deserialize)]
pub(crate) struct Empty {}

/// POST `/settings/access-keys`: issues a key and shows its secret once.
pub(crate) async fn create_access_key(
    State(state): State<WebState>,
    headers: HeaderMap,
    Posted { user, .. }: Posted<Empty>,
) -> Result<Markup, WebError> {
    require_admin(&user)?;
    let master = state.master_key().ok_or_else(|| {
        WebError::BadRequest(
            "this server cannot issue access keys from the dashboard; use hark admin create-access-key"
                .into(),
        )
    })?;
    let (key, secret) =
        hark_store::create_access_key(state.store(), master, user.project()).await?;
    let base = super::base_url(&state, &headers);
    let intro = html! {
        p { "Configure the AWS SDK with this key pair and " code { "endpoint_url=" (base) } "." }
    };
    Ok(shown_once(
        &user,
        "New access key",
        intro,
        &[
            ("Access key id", "access-key-id", key.access_key_id.as_str()),
            ("Secret access key", "secret-access-key", &secret),
        ],
    ))
}

/// POST `/settings/access-keys/{id}/revoke`; `NotFound` unless the project has that key.
pub(crate) async fn revoke_access_key(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { user, .. }: Posted<Empty>,
) -> Result<Redirect, WebError> {
    require_admin(&user)?;
    if id.is_empty() || id.chars().count() > MAX_KEY_ID_CHARS {
        return Err(WebError::NotFound("access key"));
    }
    state
        .store()
        .revoke_access_key(user.project(), &AccessKeyId::new(id))
        .await?;
    Ok(Redirect::to("/settings#access-keys"))
}
