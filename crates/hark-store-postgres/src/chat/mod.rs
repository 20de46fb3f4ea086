//! The [`ChatStore`] trait on PostgreSQL: applications, access keys, PutFeedback, messages,
//! feedback reads and stats.
//!
//! Every write here is one statement run outside an explicit transaction: PostgreSQL commits
//! it before answering (the driver waits for `ReadyForQuery`), so a returned `Ok` is durable,
//! and the write costs one round trip instead of three (`BEGIN`, statement, `COMMIT`). Checks
//! SQLite makes with separate queries (the application belongs to the project, the message is
//! known) are folded into that statement as CTEs. Reads that need several queries send them
//! pipelined on one connection.

mod read;
mod stats;
mod tenancy;
mod write;

use crate::PgStore;
use async_trait::async_trait;
use hark_core::chat::{
    AccessKey, AccessKeyId, Application, ApplicationId, ChatMessage, Conversation, ConversationId,
    FeedbackCursor, FeedbackFilter, FeedbackInput, FeedbackPage, FeedbackStats, StatsQuery,
};
use hark_core::{ProjectId, Timestamp};
use hark_store::{ChatStore, PutFeedbackOutcome, StoreError};

#[async_trait]
impl ChatStore for PgStore {
    async fn insert_application(&self, app: &Application) -> Result<(), StoreError> {
        tenancy::insert_application(&*self.client().await?, app)
            .await
            .map_err(Into::into)
    }

    async fn list_applications(&self, project: &ProjectId) -> Result<Vec<Application>, StoreError> {
        tenancy::list_applications(&*self.client().await?, project)
            .await
            .map_err(Into::into)
    }

    async fn get_application(&self, id: &ApplicationId) -> Result<Option<Application>, StoreError> {
        tenancy::get_application(&*self.client().await?, id)
            .await
            .map_err(Into::into)
    }

    async fn insert_access_key(
        &self,
        key: &AccessKey,
        sealed_secret: &[u8],
    ) -> Result<(), StoreError> {
        tenancy::insert_access_key(&*self.client().await?, key, sealed_secret)
            .await
            .map_err(Into::into)
    }

    async fn list_access_keys(&self, project: &ProjectId) -> Result<Vec<AccessKey>, StoreError> {
        tenancy::list_access_keys(&*self.client().await?, project)
            .await
            .map_err(Into::into)
    }

    async fn revoke_access_key(
        &self,
        project: &ProjectId,
        id: &AccessKeyId,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        tenancy::revoke_access_key(&client, project, id, Timestamp::now())
            .await
            .map_err(Into::into)
    }

    async fn access_key(
        &self,
        id: &AccessKeyId,
    ) -> Result<Option<(AccessKey, Vec<u8>)>, StoreError> {
        tenancy::access_key(&*self.client().await?, id)
            .await
            .map_err(Into::into)
    }

    async fn put_feedback(
        &self,
        project: &ProjectId,
        strict: bool,
        input: FeedbackInput,
    ) -> Result<PutFeedbackOutcome, StoreError> {
        write::put_feedback(self, project, strict, &input)
            .await
            .map_err(Into::into)
    }

    async fn record_message(
        &self,
        project: &ProjectId,
        message: ChatMessage,
    ) -> Result<(), StoreError> {
        write::record_message(self, project, &message)
            .await
            .map_err(Into::into)
    }

    async fn list_feedback(
        &self,
        project: &ProjectId,
        filter: &FeedbackFilter,
        cursor: Option<FeedbackCursor>,
        limit: u32,
    ) -> Result<FeedbackPage, StoreError> {
        let client = self.client().await?;
        read::list_feedback(&client, project, filter, cursor, limit)
            .await
            .map_err(Into::into)
    }

    async fn get_conversation(
        &self,
        project: &ProjectId,
        application: &ApplicationId,
        conversation: &ConversationId,
    ) -> Result<Option<Conversation>, StoreError> {
        let client = self.client().await?;
        read::get_conversation(&client, project, application, conversation)
            .await
            .map_err(Into::into)
    }

    async fn feedback_stats(
        &self,
        project: &ProjectId,
        query: &StatsQuery,
    ) -> Result<FeedbackStats, StoreError> {
        stats::feedback_stats(&*self.client().await?, project, query)
            .await
            .map_err(Into::into)
    }
}
