//! The storage contract of the analysis: the durable work queue, mentions, per-item results,
//! themes, metrics and labelled examples. A supertrait of [`crate::Store`].
//!
//! The queue: ingest (and chat feedback carrying a comment) enqueues its subject in the same
//! transaction that stores it, with a new generation. Workers claim subjects with a lease; a
//! result is applied only while its generation is still current (a newer enqueue wins and is
//! analysed again); a claim whose lease ran out (its worker died) is claimed again.
use crate::StoreError;
use async_trait::async_trait;
use hark_core::analysis::{
    BroadTheme, Category, LabelledExample, MentionFilter, MentionView, StoredAnalysis, Subject,
    SubjectAnalysis, SubjectText, Theme, ThemeGranularity, ThemeId, ThemeMetrics,
};
use hark_core::{ItemId, ProjectId, Timestamp};

/// A mention's embedding with what theme discovery needs.
#[derive(Debug, Clone, PartialEq)]
pub struct MentionVector {
    /// Mention id.
    pub id: i64,
    /// Its theme, if linked.
    pub theme: Option<ThemeId>,
    /// Unit-length embedding.
    pub embedding: Vec<f32>,
}

/// An item mention's embedding, for the search index.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemVector {
    /// Mention id.
    pub id: i64,
    /// The item it was said in.
    pub item: ItemId,
    /// Unit-length embedding.
    pub embedding: Vec<f32>,
}

/// How many item mentions a project has and the highest id among them (0 when none): when
/// neither changed, a search index built from [`AnalysisStore::item_vectors`] is current.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VectorStamp {
    /// Item mentions.
    pub count: u64,
    /// Highest mention id.
    pub max_id: i64,
}

/// The outcome of theme discovery for one project, applied atomically.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThemeUpdate {
    /// Themes to insert or replace (label, phrases, quotes, centroid; `name`, `pinned` and
    /// `created_at` are kept from the stored theme when it exists). An id that belongs to
    /// another project fails the whole update (`Conflict`).
    pub upsert: Vec<Theme>,
    /// Themes to remove (their mentions become unlinked). Pinned themes are never removed.
    pub remove: Vec<ThemeId>,
    /// Mention → theme links to set (`None` unlinks), with the similarity, applied after the
    /// upserts and removals. A link to a theme the project does not have then (deleted by a
    /// person meanwhile, or unknown) leaves the mention unlinked.
    pub links: Vec<(i64, Option<ThemeId>, f32)>,
    /// When set, replaces the project's broad themes (applied last; `parent_id`s are derived
    /// from their `children`, which name themes of the project). `None` keeps them.
    pub broad: Option<Vec<BroadTheme>>,
}

/// How many subjects wait for analysis.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueDepth {
    /// Queued and not under lease.
    pub ready: u64,
    /// Under lease (being analysed).
    pub leased: u64,
}

/// Durable analysis state. Every read and write is scoped to one project.
#[async_trait]
pub trait AnalysisStore: Send + Sync + 'static {
    /// Claims up to `limit` queued subjects (of any project) whose lease is free or expired,
    /// leasing them until `lease_until`, and loads their texts (staff units included, marked as
    /// such). Subjects deleted since they were queued, and chat feedback whose comment was
    /// withdrawn, are dropped from the queue (with any analysis left of them) and not returned.
    async fn claim_analysis(
        &self,
        limit: u32,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<Vec<SubjectText>, StoreError>;
    /// Stores results in one transaction: replaces each subject's mentions and roll-up, and
    /// removes its queue entry, but only where the queued generation (of the result's project)
    /// still equals the result's. Otherwise the result is stale and dropped: a newer write
    /// re-queued the subject (and freed its lease for the next claim), or the subject was
    /// deleted, and nothing of it may be written back. A manual category is kept; a mention
    /// linked to a theme the project no longer has is stored unlinked. Returns how many results
    /// were applied.
    async fn save_analysis(&self, results: Vec<SubjectAnalysis>) -> Result<u64, StoreError>;
    /// Queues every item and commented chat feedback of the project for analysis again.
    /// Returns how many subjects were queued.
    async fn requeue_project(&self, project: &ProjectId) -> Result<u64, StoreError>;
    /// Queue depth of one project (or all projects), leases judged by the current time.
    async fn queue_depth(&self, project: Option<&ProjectId>) -> Result<QueueDepth, StoreError>;

    /// The stored analysis of a subject of the project, with its mentions; `None` until it has
    /// been analysed (a manual category set before that is kept, and shown once it is).
    async fn analysis(
        &self,
        project: &ProjectId,
        subject: Subject,
    ) -> Result<Option<StoredAnalysis>, StoreError>;
    /// Sets the category of a subject by hand (kept on re-analysis) and records the subject's
    /// text (the customer's words) as a labelled example with origin `correction`, replacing an
    /// earlier correction of the same subject; `NotFound` when the project has no such subject
    /// (or a chat feedback without a comment).
    async fn set_category(
        &self,
        project: &ProjectId,
        subject: Subject,
        category: Category,
    ) -> Result<(), StoreError>;

    /// Adds labelled examples to the project (imported training data, corrections).
    async fn add_examples(
        &self,
        project: &ProjectId,
        examples: Vec<LabelledExample>,
    ) -> Result<u64, StoreError>;
    /// The project's labelled examples, oldest first.
    async fn examples(&self, project: &ProjectId) -> Result<Vec<LabelledExample>, StoreError>;
    /// A cheap fingerprint of the project's examples, (count, highest id): example ids are
    /// never reused, so it changes whenever an example is added, replaced or removed, and a
    /// model learned from them is retrained only then.
    async fn examples_stamp(&self, project: &ProjectId) -> Result<(u64, i64), StoreError>;

    /// Projects that have mentions not linked to any theme, with how many.
    async fn projects_with_unlinked(&self) -> Result<Vec<(ProjectId, u64)>, StoreError>;
    /// The embeddings of the project's mentions (all, or only those in no theme).
    async fn mention_vectors(
        &self,
        project: &ProjectId,
        unlinked_only: bool,
    ) -> Result<Vec<MentionVector>, StoreError>;
    /// Up to `limit` embeddings of the project's item mentions (chat comments excluded) with
    /// ids above `after`, by id: the search index loads them in pages and then only new ones.
    async fn item_vectors(
        &self,
        project: &ProjectId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ItemVector>, StoreError>;
    /// The stamp of the project's item mentions.
    async fn item_vector_stamp(&self, project: &ProjectId) -> Result<VectorStamp, StoreError>;
    /// Texts of the given mentions of the project, in the order asked (missing ones skipped).
    async fn mention_texts(
        &self,
        project: &ProjectId,
        ids: &[i64],
    ) -> Result<Vec<(i64, String)>, StoreError>;
    /// Applies a theme discovery result atomically.
    async fn apply_themes(
        &self,
        project: &ProjectId,
        update: ThemeUpdate,
    ) -> Result<(), StoreError>;

    /// The project's own theme granularity; `None`: the deployment's
    /// (`analysis.theme_granularity`).
    async fn theme_granularity(
        &self,
        project: &ProjectId,
    ) -> Result<Option<ThemeGranularity>, StoreError>;
    /// Sets (`Some`) or clears the project's own theme granularity.
    async fn set_theme_granularity(
        &self,
        project: &ProjectId,
        granularity: Option<ThemeGranularity>,
    ) -> Result<(), StoreError>;
    /// The project's themes, oldest first, each with the broad theme it belongs to.
    async fn themes(&self, project: &ProjectId) -> Result<Vec<Theme>, StoreError>;
    /// The project's broad themes, oldest first; `children` lists only themes that still exist
    /// (largest first as last computed), and a broad theme left with none is not listed.
    async fn broad_themes(&self, project: &ProjectId) -> Result<Vec<BroadTheme>, StoreError>;
    /// One theme of the project.
    async fn theme(&self, project: &ProjectId, id: &ThemeId) -> Result<Option<Theme>, StoreError>;
    /// Renames (`Some`) or clears the name of a theme; `NotFound` if the project has no such theme.
    async fn rename_theme(
        &self,
        project: &ProjectId,
        id: &ThemeId,
        name: Option<String>,
    ) -> Result<(), StoreError>;
    /// Pins or unpins a theme; `NotFound` if the project has no such theme.
    async fn pin_theme(
        &self,
        project: &ProjectId,
        id: &ThemeId,
        pinned: bool,
    ) -> Result<(), StoreError>;
    /// Moves every mention of `from` into `into` and deletes `from` (pinned or not);
    /// `NotFound` if either is not the project's.
    async fn merge_themes(
        &self,
        project: &ProjectId,
        from: &ThemeId,
        into: &ThemeId,
    ) -> Result<(), StoreError>;
    /// Deletes a theme (its mentions become unlinked); false when there was none.
    async fn delete_theme(&self, project: &ProjectId, id: &ThemeId) -> Result<bool, StoreError>;

    /// Per-theme metrics within the filter (one entry per theme with mentions in it, plus one
    /// with `theme_id: None` for unlinked mentions when there are any), most mentions first.
    /// Categories list all of [`Category::ALL`] in order (zeros included); weeks are oldest
    /// first and only those with mentions.
    async fn theme_metrics(
        &self,
        project: &ProjectId,
        filter: &MentionFilter,
    ) -> Result<Vec<ThemeMetrics>, StoreError>;
    /// Per-broad-theme metrics within the filter, as [`AnalysisStore::theme_metrics`] gives them
    /// per theme: one entry per broad theme with mentions in it (`theme_id` its id), plus one
    /// with `theme_id: None` for the mentions in no broad theme.
    async fn broad_theme_metrics(
        &self,
        project: &ProjectId,
        filter: &MentionFilter,
    ) -> Result<Vec<ThemeMetrics>, StoreError>;
    /// Mentions matching the filter, newest (highest id) first, at most `limit`, with ids below
    /// `before_id`.
    async fn list_mentions(
        &self,
        project: &ProjectId,
        filter: &MentionFilter,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<MentionView>, StoreError>;
}
