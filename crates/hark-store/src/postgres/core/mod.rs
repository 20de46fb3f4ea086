//! The [`Store`] trait on PostgreSQL: tenancy, ingest and the item reads.

use super::PgStore;
use crate::{Store, StoreError};
use async_trait::async_trait;
use hark_core::credentials::SecretHash;
use hark_core::{
    ErasureReport, ErasureSubject, ItemCursor, ItemFilter, ItemId, ItemInput, ItemOutcome,
    ItemPage, Project, ProjectId, Source, SourceId, StoredItem,
};

#[async_trait]
impl Store for PgStore {
    async fn insert_project(
        &self,
        project: &Project,
        secret: &SecretHash,
    ) -> Result<(), StoreError> {
        todo!("postgres")
    }

    async fn list_projects(&self) -> Result<Vec<Project>, StoreError> {
        todo!("postgres")
    }

    async fn get_project(&self, id: &ProjectId) -> Result<Option<Project>, StoreError> {
        todo!("postgres")
    }

    async fn set_project_secret(
        &self,
        id: &ProjectId,
        secret: &SecretHash,
    ) -> Result<(), StoreError> {
        todo!("postgres")
    }

    async fn project_by_api_key(
        &self,
        api_key: &str,
    ) -> Result<Option<(ProjectId, SecretHash)>, StoreError> {
        todo!("postgres")
    }

    async fn insert_source(&self, source: &Source) -> Result<(), StoreError> {
        todo!("postgres")
    }

    async fn list_sources(&self, project: &ProjectId) -> Result<Vec<Source>, StoreError> {
        todo!("postgres")
    }

    async fn get_source(
        &self,
        project: &ProjectId,
        id: &SourceId,
    ) -> Result<Option<Source>, StoreError> {
        todo!("postgres")
    }

    async fn ingest(
        &self,
        source: &Source,
        items: Vec<ItemInput>,
    ) -> Result<Vec<ItemOutcome>, StoreError> {
        todo!("postgres")
    }

    async fn list_items(
        &self,
        project: &ProjectId,
        filter: &ItemFilter,
        cursor: Option<ItemCursor>,
        limit: u32,
    ) -> Result<ItemPage, StoreError> {
        todo!("postgres")
    }

    async fn get_item(
        &self,
        project: &ProjectId,
        id: ItemId,
    ) -> Result<Option<StoredItem>, StoreError> {
        todo!("postgres")
    }

    async fn delete_item(&self, project: &ProjectId, id: ItemId) -> Result<bool, StoreError> {
        todo!("postgres")
    }

    async fn erase_subject(
        &self,
        project: &ProjectId,
        subject: &ErasureSubject,
    ) -> Result<ErasureReport, StoreError> {
        todo!("postgres")
    }

    async fn ping(&self) -> Result<(), StoreError> {
        todo!("postgres")
    }
}
