//! The storage contract every backend implements.

use crate::{AnalysisStore, ChatStore, ProjectTransfer, StoreError, UserStore, WebhookStore};
use async_trait::async_trait;
use hark_core::credentials::SecretHash;
use hark_core::{
    ErasureReport, ErasureSubject, ItemCursor, ItemFilter, ItemId, ItemInput, ItemOutcome,
    ItemPage, Project, ProjectId, Source, SourceId, StoredItem,
};

/// Durable storage of tenancy and feedback. Every method is scoped: nothing of one project is
/// read or written through another project's id. Chat-answer feedback is the [`ChatStore`]
/// part, the analysis state the [`AnalysisStore`] part and whole-project export/import the
/// [`ProjectTransfer`] part, dashboard users and sessions the [`UserStore`] part, webhook endpoints and the outbox the [`WebhookStore`] part, so one `Arc<dyn Store>` serves all.
#[async_trait]
pub trait Store:
    ChatStore + AnalysisStore + UserStore + WebhookStore + ProjectTransfer + Send + Sync + 'static
{
    /// Stores a new project with the hash of its secret key.
    async fn insert_project(
        &self,
        project: &Project,
        secret: &SecretHash,
    ) -> Result<(), StoreError>;
    /// All projects, oldest first.
    async fn list_projects(&self) -> Result<Vec<Project>, StoreError>;
    /// One project.
    async fn get_project(&self, id: &ProjectId) -> Result<Option<Project>, StoreError>;
    /// Replaces the project's secret hash; `NotFound` for an unknown project.
    async fn set_project_secret(
        &self,
        id: &ProjectId,
        secret: &SecretHash,
    ) -> Result<(), StoreError>;
    /// The project and stored secret hash for an API key, for authentication.
    async fn project_by_api_key(
        &self,
        api_key: &str,
    ) -> Result<Option<(ProjectId, SecretHash)>, StoreError>;

    /// Stores a new source; `NotFound` when the project does not exist.
    async fn insert_source(&self, source: &Source) -> Result<(), StoreError>;
    /// The sources of a project, oldest first.
    async fn list_sources(&self, project: &ProjectId) -> Result<Vec<Source>, StoreError>;
    /// A source of this project; `None` if it does not exist or belongs to another project.
    async fn get_source(
        &self,
        project: &ProjectId,
        id: &SourceId,
    ) -> Result<Option<Source>, StoreError>;

    /// Merge-upserts validated items into `source`, one outcome per item in order. Items are
    /// independent: a failed item writes nothing and does not stop the others. When this
    /// returns `Ok`, every `Stored` item is durably committed.
    async fn ingest(
        &self,
        source: &Source,
        items: Vec<ItemInput>,
    ) -> Result<Vec<ItemOutcome>, StoreError>;
    /// A page of the project's items matching `filter`, newest first, after `cursor`.
    async fn list_items(
        &self,
        project: &ProjectId,
        filter: &ItemFilter,
        cursor: Option<ItemCursor>,
        limit: u32,
    ) -> Result<ItemPage, StoreError>;
    /// One item with its parts in order.
    async fn get_item(
        &self,
        project: &ProjectId,
        id: ItemId,
    ) -> Result<Option<StoredItem>, StoreError>;
    /// Deletes an item and its parts, with everything analysed from it; false when there was
    /// none.
    async fn delete_item(&self, project: &ProjectId, id: ItemId) -> Result<bool, StoreError>;
    /// Deletes every item and part of the project that carries the subject's user id or email
    /// (and, for a user id, their chat feedback and messages), with everything analysed from
    /// them; an item that only loses some parts loses its analysis and is analysed again.
    async fn erase_subject(
        &self,
        project: &ProjectId,
        subject: &ErasureSubject,
    ) -> Result<ErasureReport, StoreError>;

    /// Succeeds when the store can serve requests (readiness): on SQLite, after a write failed
    /// for want of disk space, not for 5 s, then only once a probe write commits.
    async fn ping(&self) -> Result<(), StoreError>;
}
