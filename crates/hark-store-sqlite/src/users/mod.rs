//! [`UserStore`] for [`SqliteStore`]: dashboard users and their sessions. Writes go through
//! the group-commit writer, reads through the reader pool, like the rest of the backend.

mod accounts;
mod sessions;

use crate::SqliteStore;
use async_trait::async_trait;
use hark_core::users::{Email, PasswordHash, Role, Session, SessionHash, User, UserId};
use hark_core::{ProjectId, Timestamp};
use hark_store::{StoreError, UserStore};

#[async_trait]
impl UserStore for SqliteStore {
    async fn insert_user(&self, user: &User, password: &PasswordHash) -> Result<(), StoreError> {
        let (u, p) = (user.clone(), password.clone());
        self.writer
            .write(1, move |c| accounts::insert_user(c, &u, &p))
            .await
    }

    async fn list_users(&self, project: &ProjectId) -> Result<Vec<User>, StoreError> {
        let p = project.clone();
        self.readers
            .read(move |c| accounts::list_users(c, &p))
            .await
    }

    async fn get_user(&self, project: &ProjectId, id: &UserId) -> Result<Option<User>, StoreError> {
        let (p, id) = (project.clone(), id.clone());
        self.readers
            .read(move |c| accounts::get_user(c, &p, &id))
            .await
    }

    async fn user_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<(User, PasswordHash)>, StoreError> {
        let e = email.clone();
        self.readers
            .read(move |c| accounts::user_by_email(c, &e))
            .await
    }

    async fn set_user_role(
        &self,
        project: &ProjectId,
        id: &UserId,
        role: Role,
    ) -> Result<(), StoreError> {
        let (p, id) = (project.clone(), id.clone());
        self.writer
            .write(1, move |c| accounts::set_user_role(c, &p, &id, role))
            .await
    }

    async fn set_user_password(
        &self,
        project: &ProjectId,
        id: &UserId,
        password: &PasswordHash,
        keep: Option<&SessionHash>,
    ) -> Result<(), StoreError> {
        let (p, id, hash, keep) = (project.clone(), id.clone(), password.clone(), keep.cloned());
        self.writer
            .write(1, move |c| {
                accounts::set_user_password(c, &p, &id, &hash, keep.as_ref())
            })
            .await
    }

    async fn delete_user(&self, project: &ProjectId, id: &UserId) -> Result<bool, StoreError> {
        let (p, id) = (project.clone(), id.clone());
        self.writer
            .write(1, move |c| accounts::delete_user(c, &p, &id))
            .await
    }

    async fn insert_session(&self, session: &Session) -> Result<(), StoreError> {
        let s = session.clone();
        self.writer
            .write(1, move |c| sessions::insert_session(c, &s))
            .await
    }

    async fn session(&self, hash: &SessionHash) -> Result<Option<(Session, User)>, StoreError> {
        let h = hash.clone();
        self.readers.read(move |c| sessions::session(c, &h)).await
    }

    async fn touch_session(&self, hash: &SessionHash, now: Timestamp) -> Result<(), StoreError> {
        let h = hash.clone();
        self.writer
            .write(1, move |c| sessions::touch_session(c, &h, now))
            .await
    }

    async fn delete_session(&self, hash: &SessionHash) -> Result<bool, StoreError> {
        let h = hash.clone();
        self.writer
            .write(1, move |c| sessions::delete_session(c, &h))
            .await
    }

    async fn delete_expired_sessions(
        &self,
        idle_before: Timestamp,
        created_before: Timestamp,
    ) -> Result<u64, StoreError> {
        self.writer
            .write(1, move |c| {
                sessions::delete_expired_sessions(c, idle_before, created_before)
            })
            .await
    }
}
