//! The project's dashboard users: list, create (a one-time password shown once), change a
//! role, delete. An admin cannot change their own role or delete themselves, so a project
//! always keeps the admin doing it.

use super::{require_admin, shown_once};
use crate::auth::{DashboardUser, Posted};
use crate::view::format::{segment, time};
use crate::view::layout;
use crate::{WebError, WebState};
use axum::extract::{Path, State};
use axum::response::Redirect;
use hark_core::users::{Email, Role, User, UserId};
use maud::{html, Markup};
use serde::Deserialize;

/// Longest user id looked up.
const MAX_ID_CHARS: usize = 128;

/// What a role may do, for the form.
fn role_hint(r: Role) -> &'static str {
    match r {
        Role::Viewer => "viewer: reads every page",
        Role::Editor => "editor: also curates themes and corrects categories",
        Role::Admin => "admin: also manages these settings and users",
    }
}

fn role_options(current: Option<Role>) -> Markup {
    html! {
        @for r in Role::ALL {
            option value=(r.as_str()) selected[current == Some(r)] { (role_hint(r)) }
        }
    }
}

/// The users section of `/settings`.
pub(crate) fn section(me: &DashboardUser, users: &[User]) -> Markup {
    html! {
        section #users aria-labelledby="users-h" {
            h2 #users-h { "Users" }
            div.table-wrap role="region" aria-label="Users" tabindex="0" {
                table {
                    thead { tr {
                        th scope="col" { "Email" }
                        th scope="col" { "Role" }
                        th.hide-narrow scope="col" { "Created" }
                        th scope="col" { "Remove" }
                    } }
                    tbody {
                        @for (n, u) in users.iter().enumerate() {
                            @let base = format!("/settings/users/{}", segment(u.user_id.as_str()));
                            tr {
                                td { (u.email.as_str()) @if u.user_id == me.user.user_id { " (you)" } }
                                td {
                                    @if u.user_id == me.user.user_id {
                                        (u.role.as_str())
                                    } @else {
                                        form.inline method="post" action=(format!("{base}/role")) {
                                            (layout::csrf_field(me))
                                            label.sr-only for=(format!("role-{n}")) { "Role of " (u.email.as_str()) }
                                            select id=(format!("role-{n}")) name="role" {
                                                (role_options(Some(u.role)))
                                            }
                                            button.secondary type="submit" {
                                                "Change" span.sr-only { " the role of " (u.email.as_str()) }
                                            }
                                        }
                                    }
                                }
                                td.hide-narrow { (time(u.created_at)) }
                                td {
                                    @if u.user_id != me.user.user_id {
                                        form.inline method="post" action=(format!("{base}/delete"))
                                            data-confirm="Delete this user? Their sessions end at once." {
                                            (layout::csrf_field(me))
                                            button.danger type="submit" {
                                                "Delete" span.sr-only { " " (u.email.as_str()) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "Add a user" }
            form.stack method="post" action="/settings/users" {
                (layout::csrf_field(me))
                label for="user-email" { "Email" }
                input #user-email type="email" name="email" required maxlength=(Email::MAX_LEN) autocomplete="off";
                label for="user-role" { "Role" }
                select #user-role name="role" { (role_options(Some(Role::Viewer))) }
                button type="submit" { "Create user" }
            }
            p.hint { "The new user gets a one-time password, shown once; they can change it under their account." }
        }
    }
}

/// The new-user form.
#[derive(Debug, Deserialize)]
pub(crate) struct NewUser {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

fn parse_role(s: &str) -> Result<Role, WebError> {
    Role::parse(s)
        .ok_or_else(|| WebError::BadRequest("role must be viewer, editor or admin".into()))
}

/// POST `/settings/users`: shows the generated password once.
pub(crate) async fn create(
    State(state): State<WebState>,
    Posted { user, form }: Posted<NewUser>,
) -> Result<Markup, WebError> {
    require_admin(&user)?;
    let email = Email::parse(&form.email).map_err(|m| WebError::BadRequest(m.to_string()))?;
    let role = parse_role(&form.role)?;
    let (created, password) =
        hark_store::create_user(state.store(), user.project(), email, role, None).await?;
    let intro = html! {
        p {
            "Created " strong { (created.email.as_str()) } " as " (created.role.as_str())
            ". Give them this one-time password to sign in with, and ask them to change it."
        }
    };
    Ok(shown_once(
        &user,
        "New user",
        intro,
        &[("One-time password", "one-time-password", password.expose())],
    ))
}

/// The user of the path, unless it is the admin acting; `what` says what was refused.
fn other_user(me: &UserId, id: &str, what: &str) -> Result<UserId, WebError> {
    if id.is_empty() || id.chars().count() > MAX_ID_CHARS {
        return Err(WebError::NotFound("user"));
    }
    if id == me.as_str() {
        return Err(WebError::BadRequest(format!(
            "You cannot {what} yourself: ask another admin to do it."
        )));
    }
    Ok(UserId::new(id))
}

/// The role form.
#[derive(Debug, Deserialize)]
pub(crate) struct RoleChange {
    #[serde(default)]
    role: String,
}

/// POST `/settings/users/{id}/role`; the new role holds from the user's next request.
pub(crate) async fn set_role(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { user, form }: Posted<RoleChange>,
) -> Result<Redirect, WebError> {
    require_admin(&user)?;
    let id = other_user(&user.user.user_id, &id, "change the role of")?;
    let role = parse_role(&form.role)?;
    state
        .store()
        .set_user_role(user.project(), &id, role)
        .await?;
    Ok(Redirect::to("/settings#users"))
}

/// The delete form (only its CSRF field).
#[derive(Debug, Deserialize)]
pub(crate) struct Delete {}

/// POST `/settings/users/{id}/delete`; the user's sessions end with it.
pub(crate) async fn delete(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { user, .. }: Posted<Delete>,
) -> Result<Redirect, WebError> {
    require_admin(&user)?;
    let id = other_user(&user.user.user_id, &id, "delete")?;
    if !state.store().delete_user(user.project(), &id).await? {
        return Err(WebError::NotFound("user"));
    }
    Ok(Redirect::to("/settings#users"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admin_cannot_act_on_themselves() {
        let me = UserId::new("usr_me");
        let refused = other_user(&me, "usr_me", "delete");
        assert!(
            matches!(&refused, Err(WebError::BadRequest(m)) if m.contains("cannot delete yourself")),
            "{refused:?}"
        );
        assert_eq!(
            other_user(&me, "usr_x", "delete").ok(),
            Some(UserId::new("usr_x"))
        );
        assert!(matches!(
            other_user(&me, "", "delete"),
            Err(WebError::NotFound(_))
        ));
    }

    #[test]
    fn roles_parse_exactly() {
        assert_eq!(parse_role("editor").ok(), Some(Role::Editor));
        assert!(parse_role("Admin").is_err());
    }
}
