//! Projects and sources in PostgreSQL. Each operation is one statement, committed on its own
//! (autocommit), so it is durable when it returns.

use crate::row::Cols;
use crate::Error;
use deadpool_postgres::ClientWrapper;
use hark_core::credentials::SecretHash;
use hark_core::{Project, ProjectId, Source, SourceId};
use hark_store::backend::row;
use hark_store::StoreError;
use tokio_postgres::error::SqlState;

/// Stores a new project. A duplicate id or API key is the database's error, as on SQLite.
pub(super) async fn insert_project(
    client: &ClientWrapper,
    p: &Project,
    secret: &SecretHash,
) -> Result<(), Error> {
    let stmt = client
        .prepare_cached(
            "INSERT INTO projects (id, name, api_key, secret_hash, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .await?;
    client
        .execute(
            &stmt,
            &[
                &p.project_id.as_str(),
                &p.name,
                &p.api_key,
                &secret.0,
                &p.created_at.as_micros(),
            ],
        )
        .await?;
    Ok(())
}

/// All projects, oldest first. Ties go by id compared bytewise (`COLLATE "C"`), as SQLite
/// compares text, whatever the database's collation.
pub(super) async fn list_projects(client: &ClientWrapper) -> Result<Vec<Project>, Error> {
    let stmt = client
        .prepare_cached("SELECT id, name, api_key, created_at FROM projects ORDER BY created_at, id COLLATE \"C\"")
        .await?;
    client
        .query(&stmt, &[])
        .await?
        .iter()
        .map(|r| row::project(&Cols(r)))
        .collect()
}

/// One project.
pub(super) async fn get_project(
    client: &ClientWrapper,
    id: &ProjectId,
) -> Result<Option<Project>, Error> {
    let stmt = client
        .prepare_cached("SELECT id, name, api_key, created_at FROM projects WHERE id = $1")
        .await?;
    client
        .query_opt(&stmt, &[&id.as_str()])
        .await?
        .as_ref()
        .map(|r| row::project(&Cols(r)))
        .transpose()
}

/// Replaces a project's secret hash; `NotFound` for an unknown project.
pub(super) async fn set_project_secret(
    client: &ClientWrapper,
    id: &ProjectId,
    secret: &SecretHash,
) -> Result<(), Error> {
    let stmt = client
        .prepare_cached("UPDATE projects SET secret_hash = $2 WHERE id = $1")
        .await?;
    if client.execute(&stmt, &[&id.as_str(), &secret.0]).await? == 0 {
        return Err(StoreError::NotFound("project").into());
    }
    Ok(())
}

/// The project and secret hash of an API key.
pub(super) async fn project_by_api_key(
    client: &ClientWrapper,
    api_key: &str,
) -> Result<Option<(ProjectId, SecretHash)>, Error> {
    let stmt = client
        .prepare_cached("SELECT id, secret_hash FROM projects WHERE api_key = $1")
        .await?;
    match client.query_opt(&stmt, &[&api_key]).await? {
        Some(r) => Ok(Some((
            ProjectId::new(r.try_get::<_, String>(0)?),
            SecretHash(r.try_get(1)?),
        ))),
        None => Ok(None),
    }
}

/// Stores a new source; `NotFound` when its project does not exist.
pub(super) async fn insert_source(client: &ClientWrapper, s: &Source) -> Result<(), Error> {
    // Inserted only if the project exists: a missing project is an answer, not a failed
    // statement (which PostgreSQL would log as an error).
    let stmt = client
        .prepare_cached(
            "INSERT INTO sources (id, project_id, name, kind, created_at)
             SELECT $1, p.id, $3, $4, $5 FROM projects p WHERE p.id = $2",
        )
        .await?;
    let inserted = client
        .execute(
            &stmt,
            &[
                &s.source_id.as_str(),
                &s.project_id.as_str(),
                &s.name,
                &s.kind.as_str(),
                &s.created_at.as_micros(),
            ],
        )
        .await
        .map_err(|e| match e.code() {
            // Projects are not deleted today; should one be, mid-insert, the answer stays.
            Some(&SqlState::FOREIGN_KEY_VIOLATION) => StoreError::NotFound("project").into(),
            _ => Error::Postgres(e),
        })?;
    if inserted == 0 {
        return Err(StoreError::NotFound("project").into());
    }
    Ok(())
}

/// The sources of a project, oldest first (ties by id, bytewise).
pub(super) async fn list_sources(
    client: &ClientWrapper,
    project: &ProjectId,
) -> Result<Vec<Source>, Error> {
    let stmt = client
        .prepare_cached(
            "SELECT id, project_id, name, kind, created_at FROM sources
             WHERE project_id = $1 ORDER BY created_at, id COLLATE \"C\"",
        )
        .await?;
    client
        .query(&stmt, &[&project.as_str()])
        .await?
        .iter()
        .map(|r| row::source(&Cols(r)))
        .collect()
}

/// A source of the project.
pub(super) async fn get_source(
    client: &ClientWrapper,
    project: &ProjectId,
    id: &SourceId,
) -> Result<Option<Source>, Error> {
    let stmt = client
        .prepare_cached(
            "SELECT id, project_id, name, kind, created_at FROM sources
             WHERE id = $1 AND project_id = $2",
        )
        .await?;
    client
        .query_opt(&stmt, &[&id.as_str(), &project.as_str()])
        .await?
        .as_ref()
        .map(|r| row::source(&Cols(r)))
        .transpose()
}
