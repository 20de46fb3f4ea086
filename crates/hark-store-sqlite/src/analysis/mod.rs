//! [`AnalysisStore`] for [`SqliteStore`]: queue work and edits go through the group-commit
//! writer (each call is one job, so one transaction), reads through the reader pool.

mod broad;
mod mentions;
mod metrics;
pub(crate) mod queue;
mod subject_text;
pub(crate) mod themes;

use crate::SqliteStore;
use async_trait::async_trait;
use hark_core::analysis::{
    BroadTheme, Category, LabelledExample, MentionFilter, MentionView, StoredAnalysis, Subject,
    SubjectAnalysis, SubjectText, Theme, ThemeGranularity, ThemeId, ThemeMetrics,
};
use hark_core::{ProjectId, Timestamp};
use hark_store::backend::broad::parent_map;
use hark_store::{
    AnalysisStore, ItemVector, MentionVector, QueueDepth, StoreError, ThemeUpdate, VectorStamp,
};

#[async_trait]
impl AnalysisStore for SqliteStore {
    async fn claim_analysis(
        &self,
        limit: u32,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<Vec<SubjectText>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        self.writer
            .write(limit as usize, move |c| {
                queue::claim(c, limit, now, lease_until)
            })
            .await
    }

    async fn save_analysis(&self, results: Vec<SubjectAnalysis>) -> Result<u64, StoreError> {
        if results.is_empty() {
            return Ok(0);
        }
        let weight = results.iter().map(|r| 1 + r.mentions.len()).sum();
        self.writer
            .write(weight, move |c| queue::save(c, &results))
            .await
    }

    async fn requeue_project(&self, project: &ProjectId) -> Result<u64, StoreError> {
        let p = project.clone();
        self.writer
            .write(1, move |c| queue::requeue_project(c, &p))
            .await
    }

    async fn queue_depth(&self, project: Option<&ProjectId>) -> Result<QueueDepth, StoreError> {
        let p = project.cloned();
        self.readers
            .read(move |c| queue::queue_depth(c, p.as_ref(), Timestamp::now()))
            .await
    }

    async fn analysis(
        &self,
        project: &ProjectId,
        subject: Subject,
    ) -> Result<Option<StoredAnalysis>, StoreError> {
        let p = project.clone();
        self.readers
            .read(move |c| mentions::analysis(c, &p, subject))
            .await
    }

    async fn set_category(
        &self,
        project: &ProjectId,
        subject: Subject,
        category: Category,
    ) -> Result<(), StoreError> {
        let p = project.clone();
        self.writer
            .write(1, move |c| mentions::set_category(c, &p, subject, category))
            .await
    }

    async fn add_examples(
        &self,
        project: &ProjectId,
        examples: Vec<LabelledExample>,
    ) -> Result<u64, StoreError> {
        let p = project.clone();
        self.writer
            .write(examples.len().max(1), move |c| {
                mentions::add_examples(c, &p, &examples)
            })
            .await
    }

    async fn examples(&self, project: &ProjectId) -> Result<Vec<LabelledExample>, StoreError> {
        let p = project.clone();
        self.readers.read(move |c| mentions::examples(c, &p)).await
    }

    async fn examples_stamp(&self, project: &ProjectId) -> Result<(u64, i64), StoreError> {
        let p = project.clone();
        self.readers
            .read(move |c| mentions::examples_stamp(c, &p))
            .await
    }

    async fn projects_with_unlinked(&self) -> Result<Vec<(ProjectId, u64)>, StoreError> {
        self.readers.read(mentions::projects_with_unlinked).await
    }

    async fn mention_vectors(
        &self,
        project: &ProjectId,
        unlinked_only: bool,
    ) -> Result<Vec<MentionVector>, StoreError> {
        let p = project.clone();
        self.readers
            .read(move |c| mentions::mention_vectors(c, &p, unlinked_only))
            .await
    }

    async fn item_vectors(
        &self,
        project: &ProjectId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ItemVector>, StoreError> {
        let p = project.clone();
        self.readers
            .read(move |c| mentions::item_vectors(c, &p, after, limit))
            .await
    }

    async fn item_vector_stamp(&self, project: &ProjectId) -> Result<VectorStamp, StoreError> {
        let p = project.clone();
        self.readers
            .read(move |c| mentions::item_vector_stamp(c, &p))
            .await
    }

    async fn mention_texts(
        &self,
        project: &ProjectId,
        ids: &[i64],
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let (p, ids) = (project.clone(), ids.to_vec());
        self.readers
            .read(move |c| mentions::mention_texts(c, &p, &ids))
            .await
    }

    async fn apply_themes(
        &self,
        project: &ProjectId,
        update: ThemeUpdate,
    ) -> Result<(), StoreError> {
        let p = project.clone();
        let weight = 1
            + update.upsert.len()
            + update.remove.len()
            + update.links.len()
            + update.broad.as_ref().map_or(0, Vec::len);
        self.writer
            .write(weight, move |c| themes::apply_themes(c, &p, &update))
            .await
    }

    async fn themes(&self, project: &ProjectId) -> Result<Vec<Theme>, StoreError> {
        let p = project.clone();
        self.readers.read(move |c| themes::themes(c, &p)).await
    }

    async fn theme_granularity(
        &self,
        project: &ProjectId,
    ) -> Result<Option<ThemeGranularity>, StoreError> {
        let p = project.clone();
        self.readers
            .read(move |c| broad::theme_granularity(c, &p))
            .await
    }

    async fn set_theme_granularity(
        &self,
        project: &ProjectId,
        granularity: Option<ThemeGranularity>,
    ) -> Result<(), StoreError> {
        let p = project.clone();
        self.writer
            .write(1, move |c| broad::set_theme_granularity(c, &p, granularity))
            .await
    }

    async fn broad_themes(&self, project: &ProjectId) -> Result<Vec<BroadTheme>, StoreError> {
        let p = project.clone();
        self.readers.read(move |c| broad::broad_themes(c, &p)).await
    }

    async fn theme(&self, project: &ProjectId, id: &ThemeId) -> Result<Option<Theme>, StoreError> {
        let (p, id) = (project.clone(), id.clone());
        self.readers.read(move |c| themes::theme(c, &p, &id)).await
    }

    async fn rename_theme(
        &self,
        project: &ProjectId,
        id: &ThemeId,
        name: Option<String>,
    ) -> Result<(), StoreError> {
        let (p, id) = (project.clone(), id.clone());
        self.writer
            .write(1, move |c| {
                themes::rename_theme(c, &p, &id, name.as_deref())
            })
            .await
    }

    async fn pin_theme(
        &self,
        project: &ProjectId,
        id: &ThemeId,
        pinned: bool,
    ) -> Result<(), StoreError> {
        let (p, id) = (project.clone(), id.clone());
        self.writer
            .write(1, move |c| themes::pin_theme(c, &p, &id, pinned))
            .await
    }

    async fn merge_themes(
        &self,
        project: &ProjectId,
        from: &ThemeId,
        into: &ThemeId,
    ) -> Result<(), StoreError> {
        let (p, from, into) = (project.clone(), from.clone(), into.clone());
        self.writer
            .write(1, move |c| themes::merge_themes(c, &p, &from, &into))
            .await
    }

    async fn delete_theme(&self, project: &ProjectId, id: &ThemeId) -> Result<bool, StoreError> {
        let (p, id) = (project.clone(), id.clone());
        self.writer
            .write(1, move |c| themes::delete_theme(c, &p, &id))
            .await
    }

    async fn theme_metrics(
        &self,
        project: &ProjectId,
        filter: &MentionFilter,
    ) -> Result<Vec<ThemeMetrics>, StoreError> {
        let (p, f) = (project.clone(), filter.clone());
        self.readers
            .read(move |c| metrics::theme_metrics(c, &p, &f, None))
            .await
    }

    async fn broad_theme_metrics(
        &self,
        project: &ProjectId,
        filter: &MentionFilter,
    ) -> Result<Vec<ThemeMetrics>, StoreError> {
        let (p, f) = (project.clone(), filter.clone());
        self.readers
            .read(move |c| {
                let parents = parent_map(&broad::broad_themes(c, &p)?);
                metrics::theme_metrics(c, &p, &f, Some(&parents))
            })
            .await
    }

    async fn list_mentions(
        &self,
        project: &ProjectId,
        filter: &MentionFilter,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<MentionView>, StoreError> {
        let (p, f) = (project.clone(), filter.clone());
        self.readers
            .read(move |c| mentions::list_mentions(c, &p, &f, before_id, limit))
            .await
    }
}
