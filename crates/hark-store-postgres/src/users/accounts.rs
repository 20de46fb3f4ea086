//! Dashboard users in PostgreSQL: one row each, with the password hash beside the user. Every
//! write but the password change is one statement, committed on its own.

use crate::error::map_insert_error;
use crate::row::Cols;
use crate::Error;
use deadpool_postgres::{ClientWrapper, GenericClient};
use hark_core::users::{Email, PasswordHash, Role, SessionHash, User, UserId};
use hark_core::ProjectId;
use hark_store::backend::row::{self, USER_COLUMNS};
use hark_store::StoreError;
use tokio_postgres::error::SqlState;

/// The unique constraint PostgreSQL names for `users.email`.
const EMAIL_KEY: &str = "users_email_key";

/// A taken email becomes `Conflict` saying so; otherwise as [`map_insert_error`].
fn insert_error(e: tokio_postgres::Error) -> Error {
    let email_taken = e.code() == Some(&SqlState::UNIQUE_VIOLATION)
        && e.as_db_error().and_then(|d| d.constraint()) == Some(EMAIL_KEY);
    if email_taken {
        return StoreError::Conflict("a user with this email already exists".into()).into();
    }
    map_insert_error(e, "user id", "project")
}

/// Stores a user. The project check is part of the insert, so an unknown project is
/// `NotFound` before a taken email is looked at, the order SQLite checks in.
pub(crate) async fn insert_user(
    client: &ClientWrapper,
    u: &User,
    password: &PasswordHash,
) -> Result<(), Error> {
    let stmt = client
        .prepare_cached(
            "INSERT INTO users (id, project_id, email, role, password_hash, created_at)
             SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::bigint
             WHERE EXISTS (SELECT 1 FROM projects WHERE id = $2::text)",
        )
        .await?;
    let n = client
        .execute(
            &stmt,
            &[
                &u.user_id.as_str(),
                &u.project_id.as_str(),
                &u.email.as_str(),
                &u.role.as_str(),
                &password.0,
                &u.created_at.as_micros(),
            ],
        )
        .await
        .map_err(insert_error)?;
    if n == 0 {
        return Err(StoreError::NotFound("project").into());
    }
    Ok(())
}

/// The project's users, oldest first; ties by id in byte order (SQLite's `BINARY`).
pub(crate) async fn list_users(
    client: &ClientWrapper,
    project: &ProjectId,
) -> Result<Vec<User>, Error> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS} FROM users
             WHERE project_id = $1 ORDER BY created_at, id COLLATE \"C\""
        ))
        .await?;
    let rows = client.query(&stmt, &[&project.as_str()]).await?;
    rows.iter().map(|r| row::user(&Cols(r))).collect()
}

/// A user of the project.
pub(crate) async fn get_user(
    client: &ClientWrapper,
    project: &ProjectId,
    id: &UserId,
) -> Result<Option<User>, Error> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND project_id = $2"
        ))
        .await?;
    let row = client
        .query_opt(&stmt, &[&id.as_str(), &project.as_str()])
        .await?;
    row.as_ref().map(|r| row::user(&Cols(r))).transpose()
}

/// The user with this email, in any project, and its password hash.
pub(crate) async fn user_by_email(
    client: &ClientWrapper,
    email: &Email,
) -> Result<Option<(User, PasswordHash)>, Error> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = $1"
        ))
        .await?;
    match client.query_opt(&stmt, &[&email.as_str()]).await? {
        Some(r) => Ok(Some((row::user(&Cols(&r))?, PasswordHash(r.try_get(5)?)))),
        None => Ok(None),
    }
}

/// Changes the role of a user of the project; `NotFound("user")` otherwise.
pub(crate) async fn set_user_role(
    client: &ClientWrapper,
    project: &ProjectId,
    id: &UserId,
    role: Role,
) -> Result<(), Error> {
    let stmt = client
        .prepare_cached("UPDATE users SET role = $3 WHERE id = $1 AND project_id = $2")
        .await?;
    let n = client
        .execute(&stmt, &[&id.as_str(), &project.as_str(), &role.as_str()])
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound("user").into());
    }
    Ok(())
}

/// Replaces the hash and deletes the user's other sessions, in the caller's transaction
/// (`in_tx!`), so a failure leaves both as they were.
pub(crate) async fn set_user_password(
    tx: &impl GenericClient,
    project: &ProjectId,
    id: &UserId,
    password: &PasswordHash,
    keep: Option<&SessionHash>,
) -> Result<(), Error> {
    let stmt = tx
        .prepare_cached("UPDATE users SET password_hash = $3 WHERE id = $1 AND project_id = $2")
        .await?;
    let n = tx
        .execute(&stmt, &[&id.as_str(), &project.as_str(), &password.0])
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound("user").into());
    }
    // Without `keep` (NULL), every session of the user is distinct from it and ends.
    let stmt = tx
        .prepare_cached(
            "DELETE FROM sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2",
        )
        .await?;
    tx.execute(&stmt, &[&id.as_str(), &keep.map(|k| k.0.as_str())])
        .await?;
    Ok(())
}

/// Deletes a user of the project; its sessions go with it (`ON DELETE CASCADE`).
pub(crate) async fn delete_user(
    client: &ClientWrapper,
    project: &ProjectId,
    id: &UserId,
) -> Result<bool, Error> {
    let stmt = client
        .prepare_cached("DELETE FROM users WHERE id = $1 AND project_id = $2")
        .await?;
    Ok(client
        .execute(&stmt, &[&id.as_str(), &project.as_str()])
        .await?
        > 0)
}
