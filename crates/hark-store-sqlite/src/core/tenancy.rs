//! Projects and sources in SQLite.

use crate::row::Cols;
use crate::Error;
use hark_core::credentials::SecretHash;
use hark_core::{Project, ProjectId, Source, SourceId};
use hark_store::backend::row;
use hark_store::StoreError;
use rusqlite::{params, Connection, OptionalExtension};

pub(crate) fn insert_project(
    conn: &Connection,
    p: &Project,
    secret: &SecretHash,
) -> Result<(), Error> {
    conn.execute(
        "INSERT INTO projects (id, name, api_key, secret_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![p.project_id.as_str(), p.name, p.api_key, secret.0, p.created_at.as_micros()],
    )?;
    Ok(())
}

pub(crate) fn list_projects(conn: &Connection) -> Result<Vec<Project>, Error> {
    let v = conn
        .prepare_cached(
            "SELECT id, name, api_key, created_at FROM projects ORDER BY created_at, id",
        )?
        .query_map([], |r| row::project(&Cols(r)))?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

pub(crate) fn get_project(conn: &Connection, id: &ProjectId) -> Result<Option<Project>, Error> {
    Ok(conn
        .prepare_cached("SELECT id, name, api_key, created_at FROM projects WHERE id = ?1")?
        .query_row(params![id.as_str()], |r| row::project(&Cols(r)))
        .optional()?)
}

pub(crate) fn set_project_secret(
    conn: &Connection,
    id: &ProjectId,
    secret: &SecretHash,
) -> Result<(), Error> {
    let n = conn.execute(
        "UPDATE projects SET secret_hash = ?2 WHERE id = ?1",
        params![id.as_str(), secret.0],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound("project").into());
    }
    Ok(())
}

pub(crate) fn project_by_api_key(
    conn: &Connection,
    api_key: &str,
) -> Result<Option<(ProjectId, SecretHash)>, Error> {
    Ok(conn
        .prepare_cached("SELECT id, secret_hash FROM projects WHERE api_key = ?1")?
        .query_row(params![api_key], |r| {
            Ok((
                ProjectId::new(r.get::<_, String>(0)?),
                SecretHash(r.get(1)?),
            ))
        })
        .optional()?)
}

pub(crate) fn insert_source(conn: &Connection, s: &Source) -> Result<(), Error> {
    if get_project(conn, &s.project_id)?.is_none() {
        return Err(StoreError::NotFound("project").into());
    }
    conn.execute(
        "INSERT INTO sources (id, project_id, name, kind, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            s.source_id.as_str(),
            s.project_id.as_str(),
            s.name,
            s.kind.as_str(),
            s.created_at.as_micros()
        ],
    )?;
    Ok(())
}

pub(crate) fn list_sources(conn: &Connection, project: &ProjectId) -> Result<Vec<Source>, Error> {
    let v = conn
        .prepare_cached(
            "SELECT id, project_id, name, kind, created_at FROM sources
             WHERE project_id = ?1 ORDER BY created_at, id",
        )?
        .query_map(params![project.as_str()], |r| row::source(&Cols(r)))?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

pub(crate) fn get_source(
    conn: &Connection,
    project: &ProjectId,
    id: &SourceId,
) -> Result<Option<Source>, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT id, project_id, name, kind, created_at FROM sources WHERE id = ?1 AND project_id = ?2",
        )?
        .query_row(params![id.as_str(), project.as_str()], |r| row::source(&Cols(r)))
        .optional()?)
}
