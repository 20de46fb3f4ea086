//! Dashboard sessions in PostgreSQL, stored under the hash of their token. Each operation is
//! one statement, committed on its own: a logout on one node is seen by every node at once.

use crate::error::map_insert_error;
use crate::row::Cols;
use crate::Error;
use deadpool_postgres::ClientWrapper;
use hark_core::users::{Session, SessionHash, User};
use hark_core::Timestamp;
use hark_store::backend::row::{self, SESSION_USER_COLUMNS};
use hark_store::StoreError;

/// Stores a session. The user check is part of the insert; a user deleted between the check
/// and the insert (the foreign key) is `NotFound("user")` too.
pub(crate) async fn insert_session(client: &ClientWrapper, s: &Session) -> Result<(), Error> {
    let stmt = client
        .prepare_cached(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at)
             SELECT $1::text, $2::text, $3::bigint, $4::bigint
             WHERE EXISTS (SELECT 1 FROM users WHERE id = $2::text)",
        )
        .await?;
    let n = client
        .execute(
            &stmt,
            &[
                &s.hash.0,
                &s.user_id.as_str(),
                &s.created_at.as_micros(),
                &s.last_seen_at.as_micros(),
            ],
        )
        .await
        .map_err(|e| map_insert_error(e, "session", "user"))?;
    if n == 0 {
        return Err(StoreError::NotFound("user").into());
    }
    Ok(())
}

/// The session and its user as the user is now.
pub(crate) async fn session(
    client: &ClientWrapper,
    hash: &SessionHash,
) -> Result<Option<(Session, User)>, Error> {
    let stmt = client
        .prepare_cached(&format!(
            "SELECT {SESSION_USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1"
        ))
        .await?;
    let row = client.query_opt(&stmt, &[&hash.0]).await?;
    row.as_ref()
        .map(|r| row::session_with_user(&Cols(r)))
        .transpose()
}

/// Moves `last_seen_at` forward to `now`; a later stored time, or no session, changes nothing.
pub(crate) async fn touch_session(
    client: &ClientWrapper,
    hash: &SessionHash,
    now: Timestamp,
) -> Result<(), Error> {
    let stmt = client
        .prepare_cached(
            "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1 AND last_seen_at < $2",
        )
        .await?;
    client.execute(&stmt, &[&hash.0, &now.as_micros()]).await?;
    Ok(())
}

/// Deletes one session; false when there was none.
pub(crate) async fn delete_session(
    client: &ClientWrapper,
    hash: &SessionHash,
) -> Result<bool, Error> {
    let stmt = client
        .prepare_cached("DELETE FROM sessions WHERE token_hash = $1")
        .await?;
    Ok(client.execute(&stmt, &[&hash.0]).await? > 0)
}

/// Deletes the sessions idle since before `idle_before` or begun before `created_before`.
pub(crate) async fn delete_expired_sessions(
    client: &ClientWrapper,
    idle_before: Timestamp,
    created_before: Timestamp,
) -> Result<u64, Error> {
    let stmt = client
        .prepare_cached("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
        .await?;
    Ok(client
        .execute(
            &stmt,
            &[&idle_before.as_micros(), &created_before.as_micros()],
        )
        .await?)
}
