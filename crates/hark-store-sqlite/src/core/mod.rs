//! The [`Store`] trait on SQLite: tenancy, ingest and the item reads. Writes go through the
//! group-commit writer, reads through the reader pool; each part lives in its own module.

mod ingest;
pub(crate) mod item_filter;
mod items;
pub(crate) mod tenancy;

use crate::SqliteStore;
use async_trait::async_trait;
use hark_core::credentials::SecretHash;
use hark_core::{
    ErasureReport, ErasureSubject, ItemCursor, ItemFilter, ItemId, ItemInput, ItemOutcome,
    ItemPage, Project, ProjectId, Source, SourceId, StoredItem,
};
use hark_store::{Store, StoreError};

#[async_trait]
impl Store for SqliteStore {
    async fn insert_project(
        &self,
        project: &Project,
        secret: &SecretHash,
    ) -> Result<(), StoreError> {
        let (p, s) = (project.clone(), secret.clone());
        self.writer
            .write(1, move |c| tenancy::insert_project(c, &p, &s))
            .await
    }

    async fn list_projects(&self) -> Result<Vec<Project>, StoreError> {
        self.readers.read(tenancy::list_projects).await
    }

    async fn get_project(&self, id: &ProjectId) -> Result<Option<Project>, StoreError> {
        let id = id.clone();
        self.readers
            .read(move |c| tenancy::get_project(c, &id))
            .await
    }

    async fn set_project_secret(
        &self,
        id: &ProjectId,
        secret: &SecretHash,
    ) -> Result<(), StoreError> {
        let (id, s) = (id.clone(), secret.clone());
        self.writer
            .write(1, move |c| tenancy::set_project_secret(c, &id, &s))
            .await
    }

    async fn project_by_api_key(
        &self,
        api_key: &str,
    ) -> Result<Option<(ProjectId, SecretHash)>, StoreError> {
        let key = api_key.to_string();
        self.readers
            .read(move |c| tenancy::project_by_api_key(c, &key))
            .await
    }

    async fn insert_source(&self, source: &Source) -> Result<(), StoreError> {
        let s = source.clone();
        self.writer
            .write(1, move |c| tenancy::insert_source(c, &s))
            .await
    }

    async fn list_sources(&self, project: &ProjectId) -> Result<Vec<Source>, StoreError> {
        let p = project.clone();
        self.readers
            .read(move |c| tenancy::list_sources(c, &p))
            .await
    }

    async fn get_source(
        &self,
        project: &ProjectId,
        id: &SourceId,
    ) -> Result<Option<Source>, StoreError> {
        let (p, id) = (project.clone(), id.clone());
        self.readers
            .read(move |c| tenancy::get_source(c, &p, &id))
            .await
    }

    async fn ingest(
        &self,
        source: &Source,
        items: Vec<ItemInput>,
    ) -> Result<Vec<ItemOutcome>, StoreError> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let weight = items.iter().map(|i| 1 + i.parts.len()).sum();
        let source = source.clone();
        self.writer
            .write(weight, move |c| ingest::ingest_items(c, &source, &items))
            .await
    }

    async fn list_items(
        &self,
        project: &ProjectId,
        filter: &ItemFilter,
        cursor: Option<ItemCursor>,
        limit: u32,
    ) -> Result<ItemPage, StoreError> {
        let (p, f) = (project.clone(), filter.clone());
        self.readers
            .read(move |c| items::list_items(c, &p, &f, cursor, limit))
            .await
    }

    async fn get_item(
        &self,
        project: &ProjectId,
        id: ItemId,
    ) -> Result<Option<StoredItem>, StoreError> {
        let p = project.clone();
        self.readers.read(move |c| items::get_item(c, &p, id)).await
    }

    async fn delete_item(&self, project: &ProjectId, id: ItemId) -> Result<bool, StoreError> {
        let p = project.clone();
        self.writer
            .write(1, move |c| items::delete_item(c, &p, id))
            .await
    }

    async fn erase_subject(
        &self,
        project: &ProjectId,
        subject: &ErasureSubject,
    ) -> Result<ErasureReport, StoreError> {
        let (p, s) = (project.clone(), subject.clone());
        self.writer
            .write(1, move |c| items::erase_subject(c, &p, &s))
            .await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        // While writes fail (a full disk), only a write that commits says they work again.
        if let Some(e) = self.writer.unavailable().await {
            return Err(e);
        }
        self.readers
            .read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
            .await
            .map(drop)
    }
}
