//! `hark admin …`: tenancy operations on the store, printing JSON. They open the database
//! directly, so they work with or without a server running on the same file.

use super::{open_store, print_json};
use crate::cli::AdminCommand;
use crate::config::Config;
use crate::error::Error;
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

/// Output of `rotate-secret`.
#[derive(Serialize)]
struct RotatedSecret<'a> {
    project_id: &'a ProjectId,
    secret_key: &'a str,
}

/// Runs one admin operation.
pub async fn run(config: &Config, command: AdminCommand) -> Result<(), Error> {
    // Refuse bad input before creating a database file for it.
    match &command {
        AdminCommand::CreateProject { name } | AdminCommand::CreateSource { name, .. } => {
            check_name(name)?
        }
        _ => {}
    }
    let store = open_store(config).await?;
    let store = store.as_ref();
    match command {
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
    }
}

/// The project id, if such a project exists; else "project not found".
async fn existing_project(store: &dyn Store, id: String) -> Result<ProjectId, Error> {
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
