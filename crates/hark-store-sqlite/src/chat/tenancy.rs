//! Applications and SigV4 access keys in SQLite.

use crate::core::tenancy::get_project;
use crate::error::conflict_on_duplicate;
use crate::row::Cols;
use crate::Error;
use hark_core::chat::{AccessKey, AccessKeyId, Application, ApplicationId};
use hark_core::{ProjectId, Timestamp};
use hark_store::backend::row;
use hark_store::StoreError;
use rusqlite::{params, Connection, OptionalExtension};

pub(crate) fn insert_application(conn: &Connection, a: &Application) -> Result<(), Error> {
    if get_project(conn, &a.project_id)?.is_none() {
        return Err(StoreError::NotFound("project").into());
    }
    conn.prepare_cached(
        "INSERT INTO applications (id, project_id, name, strict, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        a.application_id.as_str(),
        a.project_id.as_str(),
        a.name,
        a.strict,
        a.created_at.as_micros()
    ])
    .map_err(|e| conflict_on_duplicate(e, "application id"))?;
    Ok(())
}

pub(crate) fn list_applications(
    conn: &Connection,
    project: &ProjectId,
) -> Result<Vec<Application>, Error> {
    let v = conn
        .prepare_cached(
            "SELECT id, project_id, name, strict, created_at FROM applications
             WHERE project_id = ?1 ORDER BY created_at, id",
        )?
        .query_map(params![project.as_str()], |r| row::application(&Cols(r)))?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

pub(crate) fn get_application(
    conn: &Connection,
    id: &ApplicationId,
) -> Result<Option<Application>, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT id, project_id, name, strict, created_at FROM applications WHERE id = ?1",
        )?
        .query_row(params![id.as_str()], |r| row::application(&Cols(r)))
        .optional()?)
}

/// `NotFound("application")` unless the application exists and belongs to `project`: writes
/// scoped to a project never land in another project's application.
pub(crate) fn check_application(
    conn: &Connection,
    project: &ProjectId,
    id: &ApplicationId,
) -> Result<(), Error> {
    let found: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM applications WHERE id = ?1 AND project_id = ?2")?
        .query_row(params![id.as_str(), project.as_str()], |r| r.get(0))
        .optional()?;
    found
        .map(drop)
        .ok_or(StoreError::NotFound("application").into())
}

pub(crate) fn insert_access_key(
    conn: &Connection,
    k: &AccessKey,
    sealed_secret: &[u8],
) -> Result<(), Error> {
    if get_project(conn, &k.project_id)?.is_none() {
        return Err(StoreError::NotFound("project").into());
    }
    conn.prepare_cached(
        "INSERT INTO access_keys (id, project_id, sealed_secret, created_at, revoked_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        k.access_key_id.as_str(),
        k.project_id.as_str(),
        sealed_secret,
        k.created_at.as_micros(),
        k.revoked_at.map(Timestamp::as_micros)
    ])
    .map_err(|e| conflict_on_duplicate(e, "access key id"))?;
    Ok(())
}

pub(crate) fn list_access_keys(
    conn: &Connection,
    project: &ProjectId,
) -> Result<Vec<AccessKey>, Error> {
    let v = conn
        .prepare_cached(
            "SELECT id, project_id, created_at, revoked_at FROM access_keys
             WHERE project_id = ?1 ORDER BY created_at, id",
        )?
        .query_map(params![project.as_str()], |r| row::access_key(&Cols(r)))?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// Sets `revoked_at` once; a second revocation keeps the first time.
pub(crate) fn revoke_access_key(
    conn: &Connection,
    project: &ProjectId,
    id: &AccessKeyId,
    now: Timestamp,
) -> Result<(), Error> {
    let n = conn
        .prepare_cached(
            "UPDATE access_keys SET revoked_at = coalesce(revoked_at, ?3)
             WHERE id = ?1 AND project_id = ?2",
        )?
        .execute(params![id.as_str(), project.as_str(), now.as_micros()])?;
    if n == 0 {
        return Err(StoreError::NotFound("access key").into());
    }
    Ok(())
}

pub(crate) fn access_key(
    conn: &Connection,
    id: &AccessKeyId,
) -> Result<Option<(AccessKey, Vec<u8>)>, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT id, project_id, created_at, revoked_at, sealed_secret FROM access_keys
             WHERE id = ?1",
        )?
        .query_row(params![id.as_str()], |r| {
            Ok((row::access_key(&Cols(r))?, r.get(4)?))
        })
        .optional()?)
}
