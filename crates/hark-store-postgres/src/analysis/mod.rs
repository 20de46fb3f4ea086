//! The [`AnalysisStore`] trait on PostgreSQL: the leased analysis queue (`FOR UPDATE SKIP
//! LOCKED`, so several nodes share the work), mentions, themes, metrics and examples.
//!
//! A port of the SQLite backend (`sqlite/analysis.rs` and the modules it calls), with the same
//! rules and results. Writes run in one retried transaction each ([`in_tx!`]); reads that take
//! several statements run in a read-only `REPEATABLE READ` transaction, so they see one
//! snapshot as SQLite's readers do. Rows another node may change meanwhile are locked where a
//! decision depends on them (queue rows by a save, themes a link points at), so concurrent
//! nodes cannot write a result twice or link a mention to a theme deleted in the meantime.

mod broad;
mod mentions;
mod metrics;
pub(crate) mod queue;
mod subject_text;
mod themes;

use crate::{Error, PgStore};
use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use hark_core::analysis::{
    BroadTheme, Category, LabelledExample, MentionFilter, MentionView, StoredAnalysis, Subject,
    SubjectAnalysis, SubjectText, Theme, ThemeGranularity, ThemeId, ThemeMetrics,
};
use hark_core::{ProjectId, Timestamp};
use hark_store::backend::broad::parent_map;
use hark_store::{
    AnalysisStore, ItemVector, MentionVector, QueueDepth, StoreError, ThemeUpdate, VectorStamp,
};
use tokio_postgres::types::ToSql;
use tokio_postgres::{IsolationLevel, Row};

/// Runs a (cached) prepared query and returns its rows.
pub(crate) async fn query(
    c: &impl GenericClient,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>, Error> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.query(&statement, params).await?)
}

/// Runs a (cached) prepared query expected to return at most one row.
pub(crate) async fn query_opt(
    c: &impl GenericClient,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Option<Row>, Error> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.query_opt(&statement, params).await?)
}

/// Runs a (cached) prepared statement and returns how many rows it changed.
pub(crate) async fn execute(
    c: &impl GenericClient,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<u64, Error> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.execute(&statement, params).await?)
}

/// A count read from the database as a `u64` (counts are never negative).
fn count(n: i64) -> u64 {
    n.max(0) as u64
}

/// Runs `$body` (which may `.await` and use `?`) with `$tx` bound to a read-only `REPEATABLE
/// READ` transaction, so every statement of a multi-statement read sees the same snapshot.
/// Read-only transactions never fail to serialize, so nothing is retried.
macro_rules! in_snapshot {
    ($store:expr, |$tx:ident| $body:expr) => {{
        let mut client = $store.client().await?;
        let $tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(Error::from)?;
        let result: Result<_, StoreError> = async { $body }.await.map_err(Into::into);
        // Committing a read-only transaction only ends it; a failure to do so still leaves
        // a read that was complete.
        let value = result?;
        $tx.commit().await.map_err(Error::from)?;
        Ok(value)
    }};
}

#[async_trait]
impl AnalysisStore for PgStore {
    async fn claim_analysis(
        &self,
        limit: u32,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<Vec<SubjectText>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        in_tx!(self, |tx| queue::claim(&tx, limit, now, lease_until).await)
    }

    async fn save_analysis(&self, results: Vec<SubjectAnalysis>) -> Result<u64, StoreError> {
        if results.is_empty() {
            return Ok(0);
        }
        in_tx!(self, |tx| queue::save(&tx, &results).await)
    }

    async fn requeue_project(&self, project: &ProjectId) -> Result<u64, StoreError> {
        in_tx!(self, |tx| queue::requeue_project(&tx, project).await)
    }

    async fn queue_depth(&self, project: Option<&ProjectId>) -> Result<QueueDepth, StoreError> {
        let client = self.client().await?;
        queue::queue_depth(&client, project, Timestamp::now())
            .await
            .map_err(Into::into)
    }

    async fn analysis(
        &self,
        project: &ProjectId,
        subject: Subject,
    ) -> Result<Option<StoredAnalysis>, StoreError> {
        in_snapshot!(self, |tx| mentions::analysis(&tx, project, subject).await)
    }

    async fn set_category(
        &self,
        project: &ProjectId,
        subject: Subject,
        category: Category,
    ) -> Result<(), StoreError> {
        in_tx!(self, |tx| mentions::set_category(
            &tx, project, subject, category
        )
        .await)
    }

    async fn add_examples(
        &self,
        project: &ProjectId,
        examples: Vec<LabelledExample>,
    ) -> Result<u64, StoreError> {
        in_tx!(self, |tx| mentions::add_examples(&tx, project, &examples)
            .await)
    }

    async fn examples(&self, project: &ProjectId) -> Result<Vec<LabelledExample>, StoreError> {
        let client = self.client().await?;
        mentions::examples(&client, project)
            .await
            .map_err(Into::into)
    }

    async fn examples_stamp(&self, project: &ProjectId) -> Result<(u64, i64), StoreError> {
        let client = self.client().await?;
        mentions::examples_stamp(&client, project)
            .await
            .map_err(Into::into)
    }

    async fn projects_with_unlinked(&self) -> Result<Vec<(ProjectId, u64)>, StoreError> {
        let client = self.client().await?;
        mentions::projects_with_unlinked(&client)
            .await
            .map_err(Into::into)
    }

    async fn mention_vectors(
        &self,
        project: &ProjectId,
        unlinked_only: bool,
    ) -> Result<Vec<MentionVector>, StoreError> {
        let client = self.client().await?;
        mentions::mention_vectors(&client, project, unlinked_only)
            .await
            .map_err(Into::into)
    }

    async fn item_vectors(
        &self,
        project: &ProjectId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ItemVector>, StoreError> {
        let client = self.client().await?;
        mentions::item_vectors(&client, project, after, limit)
            .await
            .map_err(Into::into)
    }

    async fn item_vector_stamp(&self, project: &ProjectId) -> Result<VectorStamp, StoreError> {
        let client = self.client().await?;
        mentions::item_vector_stamp(&client, project)
            .await
            .map_err(Into::into)
    }

    async fn mention_texts(
        &self,
        project: &ProjectId,
        ids: &[i64],
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let client = self.client().await?;
        mentions::mention_texts(&client, project, ids)
            .await
            .map_err(Into::into)
    }

    async fn apply_themes(
        &self,
        project: &ProjectId,
        update: ThemeUpdate,
    ) -> Result<(), StoreError> {
        in_tx!(self, |tx| themes::apply_themes(&tx, project, &update).await)
    }

    async fn themes(&self, project: &ProjectId) -> Result<Vec<Theme>, StoreError> {
        let client = self.client().await?;
        themes::themes(&client, project).await.map_err(Into::into)
    }

    async fn theme_granularity(
        &self,
        project: &ProjectId,
    ) -> Result<Option<ThemeGranularity>, StoreError> {
        let client = self.client().await?;
        broad::theme_granularity(&client, project)
            .await
            .map_err(Into::into)
    }

    async fn set_theme_granularity(
        &self,
        project: &ProjectId,
        granularity: Option<ThemeGranularity>,
    ) -> Result<(), StoreError> {
        in_tx!(self, |tx| broad::set_theme_granularity(
            &tx,
            project,
            granularity
        )
        .await)
    }

    async fn broad_themes(&self, project: &ProjectId) -> Result<Vec<BroadTheme>, StoreError> {
        in_snapshot!(self, |tx| broad::broad_themes(&tx, project).await)
    }

    async fn theme(&self, project: &ProjectId, id: &ThemeId) -> Result<Option<Theme>, StoreError> {
        let client = self.client().await?;
        themes::theme(&client, project, id)
            .await
            .map_err(Into::into)
    }

    async fn rename_theme(
        &self,
        project: &ProjectId,
        id: &ThemeId,
        name: Option<String>,
    ) -> Result<(), StoreError> {
        in_tx!(self, |tx| themes::rename_theme(
            &tx,
            project,
            id,
            name.as_deref()
        )
        .await)
    }

    async fn pin_theme(
        &self,
        project: &ProjectId,
        id: &ThemeId,
        pinned: bool,
    ) -> Result<(), StoreError> {
        in_tx!(self, |tx| themes::pin_theme(&tx, project, id, pinned).await)
    }

    async fn merge_themes(
        &self,
        project: &ProjectId,
        from: &ThemeId,
        into: &ThemeId,
    ) -> Result<(), StoreError> {
        in_tx!(self, |tx| themes::merge_themes(&tx, project, from, into)
            .await)
    }

    async fn delete_theme(&self, project: &ProjectId, id: &ThemeId) -> Result<bool, StoreError> {
        in_tx!(self, |tx| themes::delete_theme(&tx, project, id).await)
    }

    async fn theme_metrics(
        &self,
        project: &ProjectId,
        filter: &MentionFilter,
    ) -> Result<Vec<ThemeMetrics>, StoreError> {
        in_snapshot!(self, |tx| metrics::theme_metrics(&tx, project, filter)
            .await)
    }

    async fn broad_theme_metrics(
        &self,
        project: &ProjectId,
        filter: &MentionFilter,
    ) -> Result<Vec<ThemeMetrics>, StoreError> {
        in_snapshot!(self, |tx| {
            let parents = parent_map(&broad::broad_themes(&tx, project).await?);
            metrics::broad_theme_metrics(&tx, project, filter, &parents).await
        })
    }

    async fn list_mentions(
        &self,
        project: &ProjectId,
        filter: &MentionFilter,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<MentionView>, StoreError> {
        let client = self.client().await?;
        mentions::list_mentions(&client, project, filter, before_id, limit)
            .await
            .map_err(Into::into)
    }
}
