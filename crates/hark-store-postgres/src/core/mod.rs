//! The [`Store`] trait on PostgreSQL: tenancy, ingest and the item reads. Each part lives in
//! its own module; this one only routes the trait's methods to them.
//!
//! Locking, shared by every writer of items and parts:
//! - an ingest claims the items it may create before locking anything (`ingest`), and waits on
//!   a concurrent creator of the same item instead of duplicating it; it then locks the items
//!   that existed (`FOR UPDATE`) in key order, so concurrent ingests never deadlock;
//! - an erasure locks every item it changes in one statement, in id order, before touching
//!   their parts; a deletion locks its one row. An ingest and an erasure of the same items may
//!   still deadlock: PostgreSQL aborts one and `in_tx!` runs it again;
//! - parts are only written while their item's row is locked (or was inserted by the writer);
//! - an analysis queue row is removed (or re-queued) before the analysis it guards is deleted
//!   (`forget`), so a worker's concurrent save is either waited for and then deleted, or finds
//!   its queue row gone and writes nothing.

mod erase;
mod forget;
mod ingest;
pub(crate) mod item_filter;
mod items;
mod pipeline;
mod plan;
mod tenancy;

use crate::PgStore;
use async_trait::async_trait;
use hark_core::credentials::SecretHash;
use hark_core::{
    ErasureReport, ErasureSubject, ItemCursor, ItemFilter, ItemId, ItemInput, ItemOutcome,
    ItemPage, Project, ProjectId, Source, SourceId, StoredItem,
};
use hark_store::{Store, StoreError};

#[async_trait]
impl Store for PgStore {
    async fn insert_project(
        &self,
        project: &Project,
        secret: &SecretHash,
    ) -> Result<(), StoreError> {
        tenancy::insert_project(&*self.client().await?, project, secret)
            .await
            .map_err(Into::into)
    }

    async fn list_projects(&self) -> Result<Vec<Project>, StoreError> {
        tenancy::list_projects(&*self.client().await?)
            .await
            .map_err(Into::into)
    }

    async fn get_project(&self, id: &ProjectId) -> Result<Option<Project>, StoreError> {
        tenancy::get_project(&*self.client().await?, id)
            .await
            .map_err(Into::into)
    }

    async fn set_project_secret(
        &self,
        id: &ProjectId,
        secret: &SecretHash,
    ) -> Result<(), StoreError> {
        tenancy::set_project_secret(&*self.client().await?, id, secret)
            .await
            .map_err(Into::into)
    }

    async fn project_by_api_key(
        &self,
        api_key: &str,
    ) -> Result<Option<(ProjectId, SecretHash)>, StoreError> {
        tenancy::project_by_api_key(&*self.client().await?, api_key)
            .await
            .map_err(Into::into)
    }

    async fn insert_source(&self, source: &Source) -> Result<(), StoreError> {
        tenancy::insert_source(&*self.client().await?, source)
            .await
            .map_err(Into::into)
    }

    async fn list_sources(&self, project: &ProjectId) -> Result<Vec<Source>, StoreError> {
        tenancy::list_sources(&*self.client().await?, project)
            .await
            .map_err(Into::into)
    }

    async fn get_source(
        &self,
        project: &ProjectId,
        id: &SourceId,
    ) -> Result<Option<Source>, StoreError> {
        tenancy::get_source(&*self.client().await?, project, id)
            .await
            .map_err(Into::into)
    }

    async fn ingest(
        &self,
        source: &Source,
        items: Vec<ItemInput>,
    ) -> Result<Vec<ItemOutcome>, StoreError> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        // Each attempt plans from what it reads, so a retried attempt recomputes every outcome.
        in_tx!(self, |tx| ingest::ingest_items(&tx, source, &items).await)
    }

    async fn list_items(
        &self,
        project: &ProjectId,
        filter: &ItemFilter,
        cursor: Option<ItemCursor>,
        limit: u32,
    ) -> Result<ItemPage, StoreError> {
        items::list_items(&*self.client().await?, project, filter, cursor, limit)
            .await
            .map_err(Into::into)
    }

    async fn get_item(
        &self,
        project: &ProjectId,
        id: ItemId,
    ) -> Result<Option<StoredItem>, StoreError> {
        items::get_item(&*self.client().await?, project, id)
            .await
            .map_err(Into::into)
    }

    async fn delete_item(&self, project: &ProjectId, id: ItemId) -> Result<bool, StoreError> {
        in_tx!(self, |tx| erase::delete_item(&tx, project, id).await)
    }

    async fn erase_subject(
        &self,
        project: &ProjectId,
        subject: &ErasureSubject,
    ) -> Result<ErasureReport, StoreError> {
        in_tx!(self, |tx| erase::erase_subject(&tx, project, subject).await)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.client()
            .await?
            .query_one("SELECT 1", &[])
            .await
            .map_err(crate::Error::from)?;
        Ok(())
    }
}
