//! The [`UserStore`] trait on PostgreSQL: dashboard users and their sessions, shared by every
//! node on the database.
//!
//! Every write is one statement committed on its own (as in [`crate::chat`]), except the
//! password change, which replaces the hash and ends the other sessions in one retried
//! transaction ([`in_tx!`]).

mod accounts;
mod sessions;

use crate::PgStore;
use async_trait::async_trait;
use hark_core::users::{Email, PasswordHash, Role, Session, SessionHash, User, UserId};
use hark_core::{ProjectId, Timestamp};
use hark_store::{StoreError, UserStore};

#[async_trait]
impl UserStore for PgStore {
    async fn insert_user(&self, user: &User, password: &PasswordHash) -> Result<(), StoreError> {
        accounts::insert_user(&*self.client().await?, user, password)
            .await
            .map_err(Into::into)
    }

    async fn list_users(&self, project: &ProjectId) -> Result<Vec<User>, StoreError> {
        accounts::list_users(&*self.client().await?, project)
            .await
            .map_err(Into::into)
    }

    async fn get_user(&self, project: &ProjectId, id: &UserId) -> Result<Option<User>, StoreError> {
        accounts::get_user(&*self.client().await?, project, id)
            .await
            .map_err(Into::into)
    }

    async fn user_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<(User, PasswordHash)>, StoreError> {
        accounts::user_by_email(&*self.client().await?, email)
            .await
            .map_err(Into::into)
    }

    async fn set_user_role(
        &self,
        project: &ProjectId,
        id: &UserId,
        role: Role,
    ) -> Result<(), StoreError> {
        accounts::set_user_role(&*self.client().await?, project, id, role)
            .await
            .map_err(Into::into)
    }

    async fn set_user_password(
        &self,
        project: &ProjectId,
        id: &UserId,
        password: &PasswordHash,
        keep: Option<&SessionHash>,
    ) -> Result<(), StoreError> {
        in_tx!(self, |tx| accounts::set_user_password(
            &tx, project, id, password, keep
        )
        .await)
    }

    async fn delete_user(&self, project: &ProjectId, id: &UserId) -> Result<bool, StoreError> {
        accounts::delete_user(&*self.client().await?, project, id)
            .await
            .map_err(Into::into)
    }

    async fn insert_session(&self, session: &Session) -> Result<(), StoreError> {
        sessions::insert_session(&*self.client().await?, session)
            .await
            .map_err(Into::into)
    }

    async fn session(&self, hash: &SessionHash) -> Result<Option<(Session, User)>, StoreError> {
        sessions::session(&*self.client().await?, hash)
            .await
            .map_err(Into::into)
    }

    async fn touch_session(&self, hash: &SessionHash, now: Timestamp) -> Result<(), StoreError> {
        sessions::touch_session(&*self.client().await?, hash, now)
            .await
            .map_err(Into::into)
    }

    async fn delete_session(&self, hash: &SessionHash) -> Result<bool, StoreError> {
        sessions::delete_session(&*self.client().await?, hash)
            .await
            .map_err(Into::into)
    }

    async fn delete_expired_sessions(
        &self,
        idle_before: Timestamp,
        created_before: Timestamp,
    ) -> Result<u64, StoreError> {
        sessions::delete_expired_sessions(&*self.client().await?, idle_before, created_before)
            .await
            .map_err(Into::into)
    }
}
