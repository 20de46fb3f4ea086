//! [`ChatStore`] for [`SqliteStore`]: writes go through the group-commit writer, reads through
//! the reader pool, like the rest of the backend.

mod read;
mod stats;
pub(crate) mod tenancy;
mod write;

use crate::SqliteStore;
use async_trait::async_trait;
use hark_core::chat::{
    AccessKey, AccessKeyId, Application, ApplicationId, ChatMessage, Conversation, ConversationId,
    FeedbackCursor, FeedbackFilter, FeedbackInput, FeedbackPage, FeedbackStats, StatsQuery,
};
use hark_core::{ProjectId, Timestamp};
use hark_store::{ChatStore, PutFeedbackOutcome, StoreError};

#[async_trait]
impl ChatStore for SqliteStore {
    async fn insert_application(&self, app: &Application) -> Result<(), StoreError> {
        let a = app.clone();
        self.writer
            .write(1, move |c| tenancy::insert_application(c, &a))
            .await
    }

    async fn list_applications(&self, project: &ProjectId) -> Result<Vec<Application>, StoreError> {
        let p = project.clone();
        self.readers
            .read(move |c| tenancy::list_applications(c, &p))
            .await
    }

    async fn get_application(&self, id: &ApplicationId) -> Result<Option<Application>, StoreError> {
        let id = id.clone();
        self.readers
            .read(move |c| tenancy::get_application(c, &id))
            .await
    }

    async fn insert_access_key(
        &self,
        key: &AccessKey,
        sealed_secret: &[u8],
    ) -> Result<(), StoreError> {
        let (k, s) = (key.clone(), sealed_secret.to_vec());
        self.writer
            .write(1, move |c| tenancy::insert_access_key(c, &k, &s))
            .await
    }

    async fn list_access_keys(&self, project: &ProjectId) -> Result<Vec<AccessKey>, StoreError> {
        let p = project.clone();
        self.readers
            .read(move |c| tenancy::list_access_keys(c, &p))
            .await
    }

    async fn revoke_access_key(
        &self,
        project: &ProjectId,
        id: &AccessKeyId,
    ) -> Result<(), StoreError> {
        let (p, id, now) = (project.clone(), id.clone(), Timestamp::now());
        self.writer
            .write(1, move |c| tenancy::revoke_access_key(c, &p, &id, now))
            .await
    }

    async fn access_key(
        &self,
        id: &AccessKeyId,
    ) -> Result<Option<(AccessKey, Vec<u8>)>, StoreError> {
        let id = id.clone();
        self.readers
            .read(move |c| tenancy::access_key(c, &id))
            .await
    }

    async fn put_feedback(
        &self,
        project: &ProjectId,
        strict: bool,
        input: FeedbackInput,
    ) -> Result<PutFeedbackOutcome, StoreError> {
        let p = project.clone();
        // Weight 1: one feedback row; a conversation and message row are added only the first
        // time, and a batch's size is what bounds the transaction.
        self.writer
            .write(1, move |c| write::put_feedback(c, &p, strict, &input))
            .await
    }

    async fn record_message(
        &self,
        project: &ProjectId,
        message: ChatMessage,
    ) -> Result<(), StoreError> {
        let p = project.clone();
        self.writer
            .write(1, move |c| write::record_message(c, &p, &message))
            .await
    }

    async fn list_feedback(
        &self,
        project: &ProjectId,
        filter: &FeedbackFilter,
        cursor: Option<FeedbackCursor>,
        limit: u32,
    ) -> Result<FeedbackPage, StoreError> {
        let (p, f) = (project.clone(), filter.clone());
        self.readers
            .read(move |c| read::list_feedback(c, &p, &f, cursor, limit))
            .await
    }

    async fn get_conversation(
        &self,
        project: &ProjectId,
        application: &ApplicationId,
        conversation: &ConversationId,
    ) -> Result<Option<Conversation>, StoreError> {
        let (p, a, c) = (project.clone(), application.clone(), conversation.clone());
        self.readers
            .read(move |conn| read::get_conversation(conn, &p, &a, &c))
            .await
    }

    async fn feedback_stats(
        &self,
        project: &ProjectId,
        query: &StatsQuery,
    ) -> Result<FeedbackStats, StoreError> {
        let (p, q) = (project.clone(), query.clone());
        self.readers
            .read(move |c| stats::feedback_stats(c, &p, &q))
            .await
    }
}
