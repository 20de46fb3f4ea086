//! Applications and SigV4 access keys in PostgreSQL.

use crate::row::Cols;
use crate::Error;
use deadpool_postgres::ClientWrapper;
use hark_core::chat::{AccessKey, AccessKeyId, Application, ApplicationId};
use hark_core::{ProjectId, Timestamp};
use hark_store::backend::row;
use hark_store::StoreError;

/// [`crate::error::map_insert_error`] for rows of a project.
fn map_insert_error(e: tokio_postgres::Error, what: &str) -> Error {
    crate::error::map_insert_error(e, what, "project")
}

/// Registers an application. The project check is part of the insert (`WHERE EXISTS`), so an
/// unknown project is `NotFound` before a duplicate id is looked at, the order SQLite checks in.
pub(crate) async fn insert_application(
    client: &ClientWrapper,
    a: &Application,
) -> Result<(), Error> {
    let stmt = client
        .prepare_cached(
            "INSERT INTO applications (id, project_id, name, strict, created_at)
             SELECT $1::text, $2::text, $3::text, $4::boolean, $5::bigint
             WHERE EXISTS (SELECT 1 FROM projects WHERE id = $2::text)",
        )
        .await?;
    let n = client
        .execute(
            &stmt,
            &[
                &a.application_id.as_str(),
                &a.project_id.as_str(),
                &a.name,
                &a.strict,
                &a.created_at.as_micros(),
            ],
        )
        .await
        .map_err(|e| map_insert_error(e, "application id"))?;
    if n == 0 {
        return Err(StoreError::NotFound("project").into());
    }
    Ok(())
}

/// The project's applications, oldest first; ties by id in byte order (SQLite's `BINARY`).
pub(crate) async fn list_applications(
    client: &ClientWrapper,
    project: &ProjectId,
) -> Result<Vec<Application>, Error> {
    let stmt = client
        .prepare_cached(
            "SELECT id, project_id, name, strict, created_at FROM applications
             WHERE project_id = $1 ORDER BY created_at, id COLLATE \"C\"",
        )
        .await?;
    let rows = client.query(&stmt, &[&project.as_str()]).await?;
    rows.iter().map(|r| row::application(&Cols(r))).collect()
}

/// An application by id, whichever project owns it.
pub(crate) async fn get_application(
    client: &ClientWrapper,
    id: &ApplicationId,
) -> Result<Option<Application>, Error> {
    let stmt = client
        .prepare_cached(
            "SELECT id, project_id, name, strict, created_at FROM applications WHERE id = $1",
        )
        .await?;
    let row = client.query_opt(&stmt, &[&id.as_str()]).await?;
    row.as_ref().map(|r| row::application(&Cols(r))).transpose()
}

/// Stores an access key with its sealed secret; the project check works as in
/// [`insert_application`].
pub(crate) async fn insert_access_key(
    client: &ClientWrapper,
    k: &AccessKey,
    sealed_secret: &[u8],
) -> Result<(), Error> {
    let stmt = client
        .prepare_cached(
            "INSERT INTO access_keys (id, project_id, sealed_secret, created_at, revoked_at)
             SELECT $1::text, $2::text, $3::bytea, $4::bigint, $5::bigint
             WHERE EXISTS (SELECT 1 FROM projects WHERE id = $2::text)",
        )
        .await?;
    let n = client
        .execute(
            &stmt,
            &[
                &k.access_key_id.as_str(),
                &k.project_id.as_str(),
                &sealed_secret,
                &k.created_at.as_micros(),
                &k.revoked_at.map(Timestamp::as_micros),
            ],
        )
        .await
        .map_err(|e| map_insert_error(e, "access key id"))?;
    if n == 0 {
        return Err(StoreError::NotFound("project").into());
    }
    Ok(())
}

/// The project's access keys, oldest first.
pub(crate) async fn list_access_keys(
    client: &ClientWrapper,
    project: &ProjectId,
) -> Result<Vec<AccessKey>, Error> {
    let stmt = client
        .prepare_cached(
            "SELECT id, project_id, created_at, revoked_at FROM access_keys
             WHERE project_id = $1 ORDER BY created_at, id COLLATE \"C\"",
        )
        .await?;
    let rows = client.query(&stmt, &[&project.as_str()]).await?;
    rows.iter().map(|r| row::access_key(&Cols(r))).collect()
}

/// Sets `revoked_at` once; a second revocation keeps the first time.
pub(crate) async fn revoke_access_key(
    client: &ClientWrapper,
    project: &ProjectId,
    id: &AccessKeyId,
    now: Timestamp,
) -> Result<(), Error> {
    let stmt = client
        .prepare_cached(
            "UPDATE access_keys SET revoked_at = COALESCE(revoked_at, $3)
             WHERE id = $1 AND project_id = $2",
        )
        .await?;
    let n = client
        .execute(&stmt, &[&id.as_str(), &project.as_str(), &now.as_micros()])
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound("access key").into());
    }
    Ok(())
}

/// A key and its sealed secret (revoked keys included).
pub(crate) async fn access_key(
    client: &ClientWrapper,
    id: &AccessKeyId,
) -> Result<Option<(AccessKey, Vec<u8>)>, Error> {
    let stmt = client
        .prepare_cached(
            "SELECT id, project_id, created_at, revoked_at, sealed_secret FROM access_keys
             WHERE id = $1",
        )
        .await?;
    match client.query_opt(&stmt, &[&id.as_str()]).await? {
        Some(r) => Ok(Some((row::access_key(&Cols(&r))?, r.try_get(4)?))),
        None => Ok(None),
    }
}
