//! The [`AnalysisStore`] trait on PostgreSQL: the leased analysis queue (`FOR UPDATE SKIP
//! LOCKED`, so several nodes share the work), mentions, themes, metrics and examples.

use super::PgStore;
use crate::{AnalysisStore, MentionVector, QueueDepth, StoreError, ThemeUpdate};
use async_trait::async_trait;
use hark_core::analysis::{
    Category, LabelledExample, MentionFilter, MentionView, StoredAnalysis, Subject,
    SubjectAnalysis, SubjectText, Theme, ThemeId, ThemeMetrics,
};
use hark_core::{ProjectId, Timestamp};

#[async_trait]
impl AnalysisStore for PgStore {
    async fn claim_analysis(
        &self,
        limit: u32,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<Vec<SubjectText>, StoreError> {
        todo!("postgres")
    }

    async fn save_analysis(&self, results: Vec<SubjectAnalysis>) -> Result<u64, StoreError> {
        todo!("postgres")
    }

    async fn requeue_project(&self, project: &ProjectId) -> Result<u64, StoreError> {
        todo!("postgres")
    }

    async fn queue_depth(&self, project: Option<&ProjectId>) -> Result<QueueDepth, StoreError> {
        todo!("postgres")
    }

    async fn analysis(
        &self,
        project: &ProjectId,
        subject: Subject,
    ) -> Result<Option<StoredAnalysis>, StoreError> {
        todo!("postgres")
    }

    async fn set_category(
        &self,
        project: &ProjectId,
        subject: Subject,
        category: Category,
    ) -> Result<(), StoreError> {
        todo!("postgres")
    }

    async fn add_examples(
        &self,
        project: &ProjectId,
        examples: Vec<LabelledExample>,
    ) -> Result<u64, StoreError> {
        todo!("postgres")
    }

    async fn examples(&self, project: &ProjectId) -> Result<Vec<LabelledExample>, StoreError> {
        todo!("postgres")
    }

    async fn examples_stamp(&self, project: &ProjectId) -> Result<(u64, i64), StoreError> {
        todo!("postgres")
    }

    async fn projects_with_unlinked(&self) -> Result<Vec<(ProjectId, u64)>, StoreError> {
        todo!("postgres")
    }

    async fn mention_vectors(
        &self,
        project: &ProjectId,
        unlinked_only: bool,
    ) -> Result<Vec<MentionVector>, StoreError> {
        todo!("postgres")
    }

    async fn mention_texts(
        &self,
        project: &ProjectId,
        ids: &[i64],
    ) -> Result<Vec<(i64, String)>, StoreError> {
        todo!("postgres")
    }

    async fn apply_themes(
        &self,
        project: &ProjectId,
        update: ThemeUpdate,
    ) -> Result<(), StoreError> {
        todo!("postgres")
    }

    async fn themes(&self, project: &ProjectId) -> Result<Vec<Theme>, StoreError> {
        todo!("postgres")
    }

    async fn theme(&self, project: &ProjectId, id: &ThemeId) -> Result<Option<Theme>, StoreError> {
        todo!("postgres")
    }

    async fn rename_theme(
        &self,
        project: &ProjectId,
        id: &ThemeId,
        name: Option<String>,
    ) -> Result<(), StoreError> {
        todo!("postgres")
    }

    async fn pin_theme(
        &self,
        project: &ProjectId,
        id: &ThemeId,
        pinned: bool,
    ) -> Result<(), StoreError> {
        todo!("postgres")
    }

    async fn merge_themes(
        &self,
        project: &ProjectId,
        from: &ThemeId,
        into: &ThemeId,
    ) -> Result<(), StoreError> {
        todo!("postgres")
    }

    async fn delete_theme(&self, project: &ProjectId, id: &ThemeId) -> Result<bool, StoreError> {
        todo!("postgres")
    }

    async fn theme_metrics(
        &self,
        project: &ProjectId,
        filter: &MentionFilter,
    ) -> Result<Vec<ThemeMetrics>, StoreError> {
        todo!("postgres")
    }

    async fn list_mentions(
        &self,
        project: &ProjectId,
        filter: &MentionFilter,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<MentionView>, StoreError> {
        todo!("postgres")
    }
}
