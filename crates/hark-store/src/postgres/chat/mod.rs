//! The [`ChatStore`] trait on PostgreSQL: applications, access keys, PutFeedback, messages,
//! feedback reads and stats.

use super::PgStore;
use crate::{ChatStore, PutFeedbackOutcome, StoreError};
use async_trait::async_trait;
use hark_core::chat::{
    AccessKey, AccessKeyId, Application, ApplicationId, ChatMessage, Conversation, ConversationId,
    FeedbackCursor, FeedbackFilter, FeedbackInput, FeedbackPage, FeedbackStats, StatsQuery,
};
use hark_core::ProjectId;

#[async_trait]
impl ChatStore for PgStore {
    async fn insert_application(&self, app: &Application) -> Result<(), StoreError> {
        todo!("postgres")
    }

    async fn list_applications(&self, project: &ProjectId) -> Result<Vec<Application>, StoreError> {
        todo!("postgres")
    }

    async fn get_application(&self, id: &ApplicationId) -> Result<Option<Application>, StoreError> {
        todo!("postgres")
    }

    async fn insert_access_key(
        &self,
        key: &AccessKey,
        sealed_secret: &[u8],
    ) -> Result<(), StoreError> {
        todo!("postgres")
    }

    async fn list_access_keys(&self, project: &ProjectId) -> Result<Vec<AccessKey>, StoreError> {
        todo!("postgres")
    }

    async fn revoke_access_key(
        &self,
        project: &ProjectId,
        id: &AccessKeyId,
    ) -> Result<(), StoreError> {
        todo!("postgres")
    }

    async fn access_key(
        &self,
        id: &AccessKeyId,
    ) -> Result<Option<(AccessKey, Vec<u8>)>, StoreError> {
        todo!("postgres")
    }

    async fn put_feedback(
        &self,
        project: &ProjectId,
        strict: bool,
        input: FeedbackInput,
    ) -> Result<PutFeedbackOutcome, StoreError> {
        todo!("postgres")
    }

    async fn record_message(
        &self,
        project: &ProjectId,
        message: ChatMessage,
    ) -> Result<(), StoreError> {
        todo!("postgres")
    }

    async fn list_feedback(
        &self,
        project: &ProjectId,
        filter: &FeedbackFilter,
        cursor: Option<FeedbackCursor>,
        limit: u32,
    ) -> Result<FeedbackPage, StoreError> {
        todo!("postgres")
    }

    async fn get_conversation(
        &self,
        project: &ProjectId,
        application: &ApplicationId,
        conversation: &ConversationId,
    ) -> Result<Option<Conversation>, StoreError> {
        todo!("postgres")
    }

    async fn feedback_stats(
        &self,
        project: &ProjectId,
        query: &StatsQuery,
    ) -> Result<FeedbackStats, StoreError> {
        todo!("postgres")
    }
}
