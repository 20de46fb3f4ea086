//! Rotating the project's API secret (the Basic-auth password of the ingest and read APIs):
//! the old secret stops working at once, the new one is shown once.

use super::{require_admin, shown_once};
use crate::auth::{DashboardUser, Posted};
use crate::view::layout;
use crate::{WebError, WebState};
use axum::extract::State;
use maud::{html, Markup};
use serde::Deserialize;

/// The API secret section of `/settings`.
pub(crate) fn section(user: &DashboardUser) -> Markup {
    html! {
        section #secret aria-labelledby="secret-h" {
            h2 #secret-h { "API secret" }
            p.hint { "hark keeps only a hash of the secret key, so it cannot be shown again; a new one can be made." }
            form.inline method="post" action="/settings/secret"
                data-confirm="Rotate the API secret? Every integration using the current one stops working until it gets the new one." {
                (layout::csrf_field(user))
                button.danger type="submit" { "Rotate the API secret" }
            }
        }
    }
}

/// The rotate form (only its CSRF field).
#[derive(Debug, Deserialize)]
pub(crate) struct Rotate {}

/// POST `/settings/secret`.
pub(crate) async fn rotate(
    State(state): State<WebState>,
    Posted { user, .. }: Posted<Rotate>,
) -> Result<Markup, WebError> {
    require_admin(&user)?;
    let project = state
        .store()
        .get_project(user.project())
        .await?
        .ok_or(WebError::NotFound("project"))?;
    let secret = hark_store::rotate_secret(state.store(), user.project()).await?;
    let intro = html! {
        p { "The previous secret no longer works. Integrations authenticate with the API key as user name and this secret as password." }
    };
    Ok(shown_once(
        &user,
        "New API secret",
        intro,
        &[
            ("API key", "api-key", &project.api_key),
            ("Secret key", "secret-key", secret.expose()),
        ],
    ))
}
