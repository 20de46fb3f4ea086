//! `hark admin create-user | list-users | set-role | delete-user`: dashboard users of a
//! project, printed as JSON. `create-user` prints `{"user_id", "email", "role", "password"}`
//! (the generated one-time password, shown only now; absent with `--password-stdin`);
//! `list-users` an array of `{"user_id", "project_id", "email", "role", "created_at"}`;
//! `set-role` the changed user in that shape; `delete-user` `{"deleted": "usr_…"}`.

use super::admin::existing_project;
use super::print_json;
use crate::cli::AdminCommand;
use crate::error::Error;
use hark_core::users::{Email, Password, Role, UserId};
use hark_core::ProjectId;
use hark_store::{Store, StoreError};
use serde::Serialize;
use std::io::BufRead;

/// Output of `create-user`.
#[derive(Serialize)]
struct CreatedUser<'a> {
    user_id: &'a UserId,
    email: &'a str,
    role: Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<&'a str>,
}

/// Runs one of the user commands (the caller routes only those here).
pub(super) async fn run(store: &dyn Store, command: AdminCommand) -> Result<(), Error> {
    match command {
        AdminCommand::CreateUser {
            project,
            email,
            role,
            password_stdin,
        } => {
            let email = Email::parse(&email).map_err(|m| Error::Usage(m.into()))?;
            let chosen = if password_stdin {
                Some(read_password()?)
            } else {
                None
            };
            let project = existing_project(store, project).await?;
            let generated = chosen.is_none();
            let (user, password) =
                hark_store::create_user(store, &project, email, role, chosen).await?;
            print_json(&CreatedUser {
                user_id: &user.user_id,
                email: user.email.as_str(),
                role: user.role,
                password: generated.then_some(password.expose()),
            })
        }
        AdminCommand::ListUsers { project } => {
            let project = existing_project(store, project).await?;
            print_json(&store.list_users(&project).await?)
        }
        AdminCommand::SetRole {
            project,
            user,
            role,
        } => {
            let (project, user) = (ProjectId::new(project), UserId::new(user));
            store.set_user_role(&project, &user, role).await?;
            let changed = store
                .get_user(&project, &user)
                .await?
                .ok_or(StoreError::NotFound("user"))?;
            print_json(&changed)
        }
        AdminCommand::DeleteUser { project, user } => {
            let (project, user) = (ProjectId::new(project), UserId::new(user));
            if !store.delete_user(&project, &user).await? {
                return Err(StoreError::NotFound("user").into());
            }
            print_json(&serde_json::json!({ "deleted": user }))
        }
        _ => Err(Error::Usage("not a user command".into())),
    }
}

/// The first line of stdin (without its line ending), checked like a password chosen in the
/// dashboard.
fn read_password() -> Result<Password, Error> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::Usage(format!("could not read the password from stdin: {e}")))?;
    let line = line.trim_end_matches(['\r', '\n']);
    Password::chosen(line).map_err(|m| Error::Usage(m.into()))
}
