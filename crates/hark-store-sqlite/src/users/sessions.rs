//! Dashboard sessions in SQLite, stored under the hash of their token.

use crate::error::conflict_on_duplicate;
use crate::row::Cols;
use crate::Error;
use hark_core::users::{Session, SessionHash, User};
use hark_core::Timestamp;
use hark_store::backend::row::{self, SESSION_USER_COLUMNS};
use hark_store::StoreError;
use rusqlite::{params, Connection, OptionalExtension};

/// Stores a session; `NotFound("user")` when its user does not exist.
pub(crate) fn insert_session(conn: &Connection, s: &Session) -> Result<(), Error> {
    let user_exists = conn
        .prepare_cached("SELECT 1 FROM users WHERE id = ?1")?
        .exists(params![s.user_id.as_str()])?;
    if !user_exists {
        return Err(StoreError::NotFound("user").into());
    }
    conn.prepare_cached(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        s.hash.0,
        s.user_id.as_str(),
        s.created_at.as_micros(),
        s.last_seen_at.as_micros()
    ])
    .map_err(|e| conflict_on_duplicate(e, "session"))?;
    Ok(())
}

/// The session and its user as the user is now.
pub(crate) fn session(
    conn: &Connection,
    hash: &SessionHash,
) -> Result<Option<(Session, User)>, Error> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {SESSION_USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1"
        ))?
        .query_row(params![hash.0], |r| row::session_with_user(&Cols(r)))
        .optional()?)
}

/// Moves `last_seen_at` forward to `now`; a later stored time, or no session, changes nothing.
pub(crate) fn touch_session(
    conn: &Connection,
    hash: &SessionHash,
    now: Timestamp,
) -> Result<(), Error> {
    conn.prepare_cached(
        "UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1 AND last_seen_at < ?2",
    )?
    .execute(params![hash.0, now.as_micros()])?;
    Ok(())
}

/// Deletes one session; false when there was none.
pub(crate) fn delete_session(conn: &Connection, hash: &SessionHash) -> Result<bool, Error> {
    let n = conn
        .prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")?
        .execute(params![hash.0])?;
    Ok(n > 0)
}

/// Deletes the sessions idle since before `idle_before` or begun before `created_before`.
pub(crate) fn delete_expired_sessions(
    conn: &Connection,
    idle_before: Timestamp,
    created_before: Timestamp,
) -> Result<u64, Error> {
    let n = conn
        .prepare_cached("DELETE FROM sessions WHERE last_seen_at < ?1 OR created_at < ?2")?
        .execute(params![idle_before.as_micros(), created_before.as_micros()])?;
    Ok(n as u64)
}
