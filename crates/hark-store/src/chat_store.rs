//! The storage contract of chat-answer feedback (`PutFeedback`), a supertrait of [`crate::Store`].

use crate::StoreError;
use async_trait::async_trait;
use hark_core::chat::{
    AccessKey, AccessKeyId, Application, ApplicationId, ChatMessage, Conversation, ConversationId,
    FeedbackCursor, FeedbackFilter, FeedbackInput, FeedbackPage, FeedbackStats, StatsQuery,
};
use hark_core::ProjectId;

/// What [`ChatStore::put_feedback`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutFeedbackOutcome {
    /// Stored (or kept the stored one, when it had a later `submittedAt`); durably committed.
    Stored,
    /// Strict application and the conversation was never recorded: nothing written.
    UnknownConversation,
    /// Strict application and the message was never recorded: nothing written.
    UnknownMessage,
}

/// Applications, SigV4 access keys, feedback on answers and the conversations they rate.
/// Every read and write is scoped to one project.
#[async_trait]
pub trait ChatStore: Send + Sync + 'static {
    /// Registers an application; `NotFound` when the project does not exist.
    async fn insert_application(&self, app: &Application) -> Result<(), StoreError>;
    /// The project's applications, oldest first.
    async fn list_applications(&self, project: &ProjectId) -> Result<Vec<Application>, StoreError>;
    /// An application by id, whichever project owns it (the caller checks ownership and answers
    /// 404 for another project's application).
    async fn get_application(&self, id: &ApplicationId) -> Result<Option<Application>, StoreError>;

    /// Stores an access key with its secret sealed under the master key; `NotFound` when the
    /// project does not exist.
    async fn insert_access_key(
        &self,
        key: &AccessKey,
        sealed_secret: &[u8],
    ) -> Result<(), StoreError>;
    /// The project's access keys (revoked ones included), oldest first.
    async fn list_access_keys(&self, project: &ProjectId) -> Result<Vec<AccessKey>, StoreError>;
    /// Revokes a key of the project; `NotFound` if it has no such key. Revoking twice is fine.
    async fn revoke_access_key(
        &self,
        project: &ProjectId,
        id: &AccessKeyId,
    ) -> Result<(), StoreError>;
    /// A key and its sealed secret, for signature verification (revoked keys included: the
    /// caller refuses them).
    async fn access_key(
        &self,
        id: &AccessKeyId,
    ) -> Result<Option<(AccessKey, Vec<u8>)>, StoreError>;

    /// Stores feedback, one per (message, user): a submission whose `submittedAt` is older than
    /// the stored one keeps the stored vote; `messageCopiedAt` is kept when absent. For a
    /// non-strict application the conversation and message are created on first feedback.
    async fn put_feedback(
        &self,
        project: &ProjectId,
        strict: bool,
        input: FeedbackInput,
    ) -> Result<PutFeedbackOutcome, StoreError>;
    /// Records (or updates) a message of a conversation, creating the conversation.
    async fn record_message(
        &self,
        project: &ProjectId,
        message: ChatMessage,
    ) -> Result<(), StoreError>;

    /// A page of the project's feedback, newest event first.
    async fn list_feedback(
        &self,
        project: &ProjectId,
        filter: &FeedbackFilter,
        cursor: Option<FeedbackCursor>,
        limit: u32,
    ) -> Result<FeedbackPage, StoreError>;
    /// A conversation of the project with its messages and feedback.
    async fn get_conversation(
        &self,
        project: &ProjectId,
        application: &ApplicationId,
        conversation: &ConversationId,
    ) -> Result<Option<Conversation>, StoreError>;
    /// Aggregates per application and period, and the answers with most NOT_USEFUL votes.
    async fn feedback_stats(
        &self,
        project: &ProjectId,
        query: &StatsQuery,
    ) -> Result<FeedbackStats, StoreError>;
}
