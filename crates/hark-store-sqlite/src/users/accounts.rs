//! Dashboard users in SQLite: one row each, with the password hash beside the user.

use crate::core::tenancy::get_project;
use crate::error::conflict_on_duplicate;
use crate::row::Cols;
use crate::Error;
use hark_core::users::{Email, PasswordHash, Role, SessionHash, User, UserId};
use hark_core::ProjectId;
use hark_store::backend::row::{self, USER_COLUMNS};
use hark_store::StoreError;
use rusqlite::{params, Connection, OptionalExtension};

/// A taken email becomes `Conflict` saying so, a taken id `Conflict` too.
fn insert_conflict(e: rusqlite::Error) -> Error {
    let email_taken = matches!(
        &e,
        rusqlite::Error::SqliteFailure(f, Some(message))
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                && message.contains("users.email")
    );
    if email_taken {
        return StoreError::Conflict("a user with this email already exists".into()).into();
    }
    conflict_on_duplicate(e, "user id")
}

/// Stores a user; `NotFound("project")` before any key is looked at, as for applications.
pub(crate) fn insert_user(
    conn: &Connection,
    u: &User,
    password: &PasswordHash,
) -> Result<(), Error> {
    if get_project(conn, &u.project_id)?.is_none() {
        return Err(StoreError::NotFound("project").into());
    }
    conn.prepare_cached(
        "INSERT INTO users (id, project_id, email, role, password_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        u.user_id.as_str(),
        u.project_id.as_str(),
        u.email.as_str(),
        u.role.as_str(),
        password.0,
        u.created_at.as_micros()
    ])
    .map_err(insert_conflict)?;
    Ok(())
}

/// The project's users, oldest first.
pub(crate) fn list_users(conn: &Connection, project: &ProjectId) -> Result<Vec<User>, Error> {
    let v = conn
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE project_id = ?1 ORDER BY created_at, id"
        ))?
        .query_map(params![project.as_str()], |r| row::user(&Cols(r)))?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// A user of the project.
pub(crate) fn get_user(
    conn: &Connection,
    project: &ProjectId,
    id: &UserId,
) -> Result<Option<User>, Error> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id = ?1 AND project_id = ?2"
        ))?
        .query_row(params![id.as_str(), project.as_str()], |r| {
            row::user(&Cols(r))
        })
        .optional()?)
}

/// The user with this email, in any project, and its password hash.
pub(crate) fn user_by_email(
    conn: &Connection,
    email: &Email,
) -> Result<Option<(User, PasswordHash)>, Error> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = ?1"
        ))?
        .query_row(params![email.as_str()], |r| {
            Ok((row::user(&Cols(r))?, PasswordHash(r.get(5)?)))
        })
        .optional()?)
}

/// Changes the role of a user of the project; `NotFound("user")` otherwise.
pub(crate) fn set_user_role(
    conn: &Connection,
    project: &ProjectId,
    id: &UserId,
    role: Role,
) -> Result<(), Error> {
    let n = conn
        .prepare_cached("UPDATE users SET role = ?3 WHERE id = ?1 AND project_id = ?2")?
        .execute(params![id.as_str(), project.as_str(), role.as_str()])?;
    if n == 0 {
        return Err(StoreError::NotFound("user").into());
    }
    Ok(())
}

/// Replaces the hash and deletes the user's other sessions. One writer job, so one
/// transaction: a failure leaves both as they were.
pub(crate) fn set_user_password(
    conn: &Connection,
    project: &ProjectId,
    id: &UserId,
    password: &PasswordHash,
    keep: Option<&SessionHash>,
) -> Result<(), Error> {
    let n = conn
        .prepare_cached("UPDATE users SET password_hash = ?3 WHERE id = ?1 AND project_id = ?2")?
        .execute(params![id.as_str(), project.as_str(), password.0])?;
    if n == 0 {
        return Err(StoreError::NotFound("user").into());
    }
    // `IS NOT NULL` holds for every stored hash: without `keep`, every session ends.
    conn.prepare_cached("DELETE FROM sessions WHERE user_id = ?1 AND token_hash IS NOT ?2")?
        .execute(params![id.as_str(), keep.map(|k| k.0.as_str())])?;
    Ok(())
}

/// Deletes a user of the project; its sessions go with it (`ON DELETE CASCADE`).
pub(crate) fn delete_user(
    conn: &Connection,
    project: &ProjectId,
    id: &UserId,
) -> Result<bool, Error> {
    let n = conn
        .prepare_cached("DELETE FROM users WHERE id = ?1 AND project_id = ?2")?
        .execute(params![id.as_str(), project.as_str()])?;
    Ok(n > 0)
}
