//! `hark admin …`: tenancy operations on the store, printing JSON. They open the database
//! directly, so they work with or without a server running on the same file (a server sees
//! applications and revocations made here within its 2-second cache).
//!
//! Output shapes are stable (scripts and tests parse them): `create-app` prints
//! `{"application_id", "project_id", "name", "strict", "created_at"}`, `list-apps` an array of
//! those; `create-access-key` prints `{"access_key_id", "secret_access_key", "project_id"}`;
//! `list-access-keys` an array of `{"access_key_id", "project_id", "created_at",
//! "revoked_at"}`, and `revoke-access-key` the revoked key in that shape. Dashboard users are
//! handled in `users.rs`, webhook endpoints in `webhooks.rs`.

use super::{open_store, print_json};
use crate::cli::AdminCommand;
use crate::config::Config;
use crate::error::Error;
use hark_core::chat::AccessKeyId;
use hark_core::limits::MAX_NAME_CHARS;
use hark_core::ProjectId;
use hark_store::{Store, StoreError};
use serde::Serialize;

/// Output of `create-project`: the only time the secret key is shown.
#[derive(Serialize)]
struct CreatedProject<'a> {
    project_id: &'a ProjectId,
    name: &'a str,
    api_key: &'a str,
    secret_key: &'a str,
}

/// Output of `create-access-key`: the only time the secret access key is shown.
#[derive(Serialize)]
struct CreatedAccessKey<'a> {
    access_key_id: &'a AccessKeyId,
    secret_access_key: &'a str,
    project_id: &'a ProjectId,
}

/// Output of `rotate-secret`.
#[derive(Serialize)]
struct RotatedSecret<'a> {
    project_id: &'a ProjectId,
    secret_key: &'a str,
}

/// Runs one admin operation.
pub async fn run(config: &Config, command: AdminCommand) -> Result<(), Error> {
    // Webhook commands check their input, then open the store themselves.
    let command = match command {
        AdminCommand::Webhook(command) => return super::webhooks::run(config, command).await,
        command => command,
    };
    // Refuse bad input before creating a database file for it.
    match &command {
        AdminCommand::CreateProject { name }
        | AdminCommand::CreateSource { name, .. }
        | AdminCommand::CreateApp { name, .. } => check_name(name)?,
        _ => {}
    }
    let store = open_store(config).await?;
    let store = store.as_ref();
    match command {
        command @ (AdminCommand::CreateUser { .. }
        | AdminCommand::ListUsers { .. }
        | AdminCommand::SetRole { .. }
        | AdminCommand::DeleteUser { .. }) => super::users::run(store, command).await,
        AdminCommand::Webhook(command) => super::webhooks::run(config, command).await,
        AdminCommand::CreateProject { name } => {
            let created = hark_store::create_project(store, &name).await?;
            print_json(&CreatedProject {
                project_id: &created.project.project_id,
                name: &created.project.name,
                api_key: &created.project.api_key,
                secret_key: created.secret_key.expose(),
            })
        }
        AdminCommand::CreateSource {
            project,
            name,
            kind,
        } => {
            let project = ProjectId::new(project);
            let source = hark_store::create_source(store, &project, &name, kind).await?;
            print_json(&source)
        }
        AdminCommand::ListProjects => print_json(&store.list_projects().await?),
        AdminCommand::ListSources { project } => {
            let project = existing_project(store, project).await?;
            print_json(&store.list_sources(&project).await?)
        }
        AdminCommand::RotateSecret { project } => {
            let project = ProjectId::new(project);
            let secret = hark_store::rotate_secret(store, &project).await?;
            print_json(&RotatedSecret {
                project_id: &project,
                secret_key: secret.expose(),
            })
        }
        AdminCommand::CreateApp {
            project,
            name,
            strict,
        } => {
            let project = ProjectId::new(project);
            let app = hark_store::create_application(store, &project, &name, strict).await?;
            print_json(&app)
        }
        AdminCommand::ListApps { project } => {
            let project = existing_project(store, project).await?;
            print_json(&store.list_applications(&project).await?)
        }
        AdminCommand::CreateAccessKey { project } => {
            let project = existing_project(store, project).await?;
            let master = crate::master_key::resolve(config)?;
            let (key, secret) = hark_store::create_access_key(store, &master, &project).await?;
            print_json(&CreatedAccessKey {
                access_key_id: &key.access_key_id,
                secret_access_key: &secret,
                project_id: &key.project_id,
            })
        }
        AdminCommand::ListAccessKeys { project } => {
            let project = existing_project(store, project).await?;
            print_json(&store.list_access_keys(&project).await?)
        }
        AdminCommand::RevokeAccessKey { project, key } => {
            let (project, key) = (ProjectId::new(project), AccessKeyId::new(key));
            store.revoke_access_key(&project, &key).await?;
            let revoked = store
                .list_access_keys(&project)
                .await?
                .into_iter()
                .find(|k| k.access_key_id == key)
                .ok_or(StoreError::NotFound("access key"))?;
            print_json(&revoked)
        }
    }
}

/// The project id, if such a project exists; else "project not found".
pub(super) async fn existing_project(store: &dyn Store, id: String) -> Result<ProjectId, Error> {
    let id = ProjectId::new(id);
    match store.get_project(&id).await? {
        Some(_) => Ok(id),
        None => Err(StoreError::NotFound("project").into()),
    }
}

/// Display names: not blank, at most [`MAX_NAME_CHARS`] characters (as the admin HTTP API).
fn check_name(name: &str) -> Result<(), Error> {
    if name.trim().is_empty() {
        Err(Error::Usage("name must not be empty".into()))
    } else if name.chars().count() > MAX_NAME_CHARS {
        Err(Error::Usage(format!(
            "name exceeds maximum length of {MAX_NAME_CHARS} characters"
        )))
    } else {
        Ok(())
    }
}
