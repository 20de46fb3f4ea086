//! Editors' changes to a theme: rename, pin or unpin, merge into another theme, delete. The
//! forms are shown to editors and admins only, and every handler checks the role again
//! (`Forbidden` for viewers); another project's theme is `NotFound`. Each answers a 303 back to
//! the theme (or to `/themes` once it is gone).

use super::detail::{project_theme, EDIT_ROLE};
use super::{theme_href, theme_label};
use crate::auth::{DashboardUser, Posted};
use crate::view::layout;
use crate::{WebError, WebState};
use axum::extract::{Path, State};
use axum::response::Redirect;
use hark_core::analysis::{Theme, ThemeId};
use hark_core::limits::MAX_NAME_CHARS;
use maud::{html, Markup};
use serde::Deserialize;

/// The editors' forms of `theme`; `others` are the themes it can be merged into.
pub(crate) fn forms(user: &DashboardUser, theme: &Theme, others: &[Theme]) -> Markup {
    let base = theme_href(&theme.id);
    html! {
        section.card aria-labelledby="edit" {
            h2 #edit { "Curate this theme" }
            form.inline method="post" action=(format!("{base}/rename")) {
                (layout::csrf_field(user))
                label for="theme-name" { "Name" }
                input #theme-name type="text" name="name" maxlength=(MAX_NAME_CHARS)
                    value=[theme.name.as_deref()] placeholder=(theme.label);
                button type="submit" { "Rename" }
            }
            p.hint { "Leave the name empty to show the generated label again." }
            form.inline method="post" action=(format!("{base}/pin")) {
                (layout::csrf_field(user))
                input type="hidden" name="pinned" value=(if theme.pinned { "false" } else { "true" });
                button.secondary type="submit" {
                    @if theme.pinned { "Unpin" } @else { "Pin (keep when regrouping)" }
                }
            }
            @if !others.is_empty() {
                form.inline method="post" action=(format!("{base}/merge"))
                    data-confirm="Move every mention of this theme into the chosen theme and delete this one?" {
                    (layout::csrf_field(user))
                    label for="merge-into" { "Merge into" }
                    select #merge-into name="into" required {
                        @for t in others { option value=(t.id.0) { (theme_label(t)) } }
                    }
                    button.secondary type="submit" { "Merge" }
                }
            }
            form.inline method="post" action=(format!("{base}/delete"))
                data-confirm="Delete this theme? Its mentions stay, in no theme." {
                (layout::csrf_field(user))
                button.danger type="submit" { "Delete theme" }
            }
        }
    }
}

/// The rename form: an empty name clears it.
#[derive(Debug, Deserialize)]
pub(crate) struct Rename {
    #[serde(default)]
    name: String,
}

/// The name to store: trimmed; `None` (back to the label) when empty.
fn new_name(raw: &str) -> Result<Option<String>, WebError> {
    let name = raw.trim();
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(WebError::BadRequest(format!(
            "a theme name has at most {MAX_NAME_CHARS} characters"
        )));
    }
    Ok((!name.is_empty()).then(|| name.to_string()))
}

/// POST `/themes/{id}/rename`.
pub(crate) async fn rename(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { user, form }: Posted<Rename>,
) -> Result<Redirect, WebError> {
    user.require(EDIT_ROLE)?;
    let name = new_name(&form.name)?;
    let theme = project_theme(&state, &user, &id).await?;
    state
        .store()
        .rename_theme(user.project(), &theme.id, name)
        .await?;
    Ok(Redirect::to(&theme_href(&theme.id)))
}

/// The pin form.
#[derive(Debug, Deserialize)]
pub(crate) struct Pin {
    #[serde(default)]
    pinned: String,
}

/// POST `/themes/{id}/pin`: `pinned=true` pins, `pinned=false` unpins.
pub(crate) async fn pin(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { user, form }: Posted<Pin>,
) -> Result<Redirect, WebError> {
    user.require(EDIT_ROLE)?;
    let pinned = match form.pinned.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(WebError::BadRequest("pinned must be true or false".into())),
    };
    let theme = project_theme(&state, &user, &id).await?;
    state
        .store()
        .pin_theme(user.project(), &theme.id, pinned)
        .await?;
    Ok(Redirect::to(&theme_href(&theme.id)))
}

/// The merge form.
#[derive(Debug, Deserialize)]
pub(crate) struct Merge {
    #[serde(default)]
    into: String,
}

/// POST `/themes/{id}/merge`: moves the theme's mentions into `into` and deletes it.
pub(crate) async fn merge(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { user, form }: Posted<Merge>,
) -> Result<Redirect, WebError> {
    user.require(EDIT_ROLE)?;
    let from = project_theme(&state, &user, &id).await?;
    if form.into == from.id.0 {
        return Err(WebError::BadRequest(
            "choose another theme to merge into".into(),
        ));
    }
    let into = project_theme(&state, &user, &form.into).await?;
    state
        .store()
        .merge_themes(user.project(), &from.id, &into.id)
        .await?;
    Ok(Redirect::to("/themes"))
}

/// The delete form (only its CSRF field).
#[derive(Debug, Deserialize)]
pub(crate) struct Delete {}

/// POST `/themes/{id}/delete`: its mentions become unthemed.
pub(crate) async fn delete(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { user, .. }: Posted<Delete>,
) -> Result<Redirect, WebError> {
    user.require(EDIT_ROLE)?;
    let theme = project_theme(&state, &user, &id).await?;
    let id: &ThemeId = &theme.id;
    if !state.store().delete_theme(user.project(), id).await? {
        return Err(WebError::NotFound("theme"));
    }
    Ok(Redirect::to("/themes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_empty_clears_and_long_is_refused() {
        assert_eq!(new_name("  Login  ").ok(), Some(Some("Login".into())));
        assert_eq!(new_name("   ").ok(), Some(None));
        assert!(new_name(&"é".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(new_name(&"é".repeat(MAX_NAME_CHARS + 1)).is_err());
    }
}
