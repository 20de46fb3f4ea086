//! Tenancy operations built on the trait: they generate credentials, so every caller (CLI,
//! admin HTTP API, tests) creates projects the same way.

pub mod chat;
pub mod users;

use crate::{Store, StoreError};
use hark_core::credentials::{generate_api_key, Secret};
use hark_core::{Project, ProjectId, Timestamp};

/// A project just created, with its secret: the only time the secret is known.
#[derive(Debug, Clone)]
pub struct NewProject {
    /// The stored project.
    pub project: Project,
    /// Its secret key (Basic-auth password). Stored only as a hash.
    pub secret_key: Secret,
}

/// Creates a project with fresh credentials.
pub async fn create_project(store: &dyn Store, name: &str) -> Result<NewProject, StoreError> {
    let project = Project {
        project_id: ProjectId::generate(),
        name: name.to_string(),
        api_key: generate_api_key(),
        created_at: Timestamp::now(),
    };
    let secret_key = Secret::generate();
    store.insert_project(&project, &secret_key.hash()).await?;
    Ok(NewProject {
        project,
        secret_key,
    })
}

/// Gives a project a new secret key; the old one stops working at once.
pub async fn rotate_secret(store: &dyn Store, id: &ProjectId) -> Result<Secret, StoreError> {
    let secret = Secret::generate();
    store.set_project_secret(id, &secret.hash()).await?;
    Ok(secret)
}

/// Creates a source of a project; `NotFound` when the project does not exist.
pub async fn create_source(
    store: &dyn Store,
    project: &ProjectId,
    name: &str,
    kind: hark_core::SourceKind,
) -> Result<hark_core::Source, StoreError> {
    let source = hark_core::Source {
        source_id: hark_core::SourceId::generate(),
        project_id: project.clone(),
        name: name.to_string(),
        kind,
        created_at: Timestamp::now(),
    };
    store.insert_source(&source).await?;
    Ok(source)
}
