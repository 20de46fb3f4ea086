//! The storage contract of dashboard users and their sessions, a supertrait of
//! [`crate::Store`].
//!
//! Sessions live in the database, not in a node's memory: any node serves any signed-in user,
//! and deleting the row (logout, password change, user deleted) ends the session on every node
//! at once. The store keeps times; the server decides expiry (idle and absolute).

use crate::StoreError;
use async_trait::async_trait;
use hark_core::users::{Email, PasswordHash, Role, Session, SessionHash, User, UserId};
use hark_core::{ProjectId, Timestamp};

/// Dashboard users (one project each, emails unique on the server) and their sessions.
#[async_trait]
pub trait UserStore: Send + Sync + 'static {
    /// Stores a new user with its password hash; `NotFound("project")` when the project does
    /// not exist, `Conflict` when the email (or id) is already taken, in any project.
    async fn insert_user(&self, user: &User, password: &PasswordHash) -> Result<(), StoreError>;
    /// The project's users, oldest first.
    async fn list_users(&self, project: &ProjectId) -> Result<Vec<User>, StoreError>;
    /// A user of the project; `None` if there is none or it belongs to another project.
    async fn get_user(&self, project: &ProjectId, id: &UserId) -> Result<Option<User>, StoreError>;
    /// The user signing in with `email`, whichever project it belongs to, with its password
    /// hash.
    async fn user_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<(User, PasswordHash)>, StoreError>;
    /// Changes a user's role; `NotFound("user")` if the project has no such user.
    async fn set_user_role(
        &self,
        project: &ProjectId,
        id: &UserId,
        role: Role,
    ) -> Result<(), StoreError>;
    /// Replaces a user's password hash and ends every session of the user except `keep` (the
    /// session that changed it, if any), in one transaction; `NotFound("user")` if the project
    /// has no such user.
    async fn set_user_password(
        &self,
        project: &ProjectId,
        id: &UserId,
        password: &PasswordHash,
        keep: Option<&SessionHash>,
    ) -> Result<(), StoreError>;
    /// Deletes a user and all its sessions; false when the project had no such user.
    async fn delete_user(&self, project: &ProjectId, id: &UserId) -> Result<bool, StoreError>;

    /// Stores a new session; `NotFound("user")` when the user does not exist.
    async fn insert_session(&self, session: &Session) -> Result<(), StoreError>;
    /// The session stored under `hash` and its user (with the user's current role).
    async fn session(&self, hash: &SessionHash) -> Result<Option<(Session, User)>, StoreError>;
    /// Sets the session's `last_seen_at` to `now` (never backwards); no error if it is gone.
    async fn touch_session(&self, hash: &SessionHash, now: Timestamp) -> Result<(), StoreError>;
    /// Deletes one session (logout); false when there was none.
    async fn delete_session(&self, hash: &SessionHash) -> Result<bool, StoreError>;
    /// Deletes the sessions last seen before `idle_before` or created before `created_before`
    /// (expired either way); returns how many.
    async fn delete_expired_sessions(
        &self,
        idle_before: Timestamp,
        created_before: Timestamp,
    ) -> Result<u64, StoreError>;
}
