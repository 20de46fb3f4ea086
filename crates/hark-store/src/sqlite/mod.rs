//! The embedded SQLite backend: one database file, WAL mode, `synchronous=FULL`, one writer
//! thread with group commit ([`writer`]) and a pool of readers ([`pool`]). Chat-answer
//! feedback ([`crate::ChatStore`]) is implemented in `chat` and the `chat_*` modules, the
//! analysis state ([`crate::AnalysisStore`]) in `analysis` and the modules it names.

mod analysis;
mod analysis_queue;
mod chat;
mod chat_read;
mod chat_stats;
mod chat_tenancy;
mod chat_write;
mod checkpoint;
mod ingest;
mod items;
mod mentions;
mod metrics;
mod pool;
mod schema;
mod subject_text;
mod tenancy;
mod themes;
mod transfer;
mod version;
mod writer;

use crate::{Store, StoreError, StoreOptions};
use async_trait::async_trait;
use hark_core::credentials::SecretHash;
use hark_core::{
    ErasureReport, ErasureSubject, ItemCursor, ItemFilter, ItemId, ItemInput, ItemOutcome,
    ItemPage, Project, ProjectId, Source, SourceId, StoredItem,
};
use pool::ReadPool;
use std::path::{Path, PathBuf};
pub(crate) use version::stored_schema_version;
use writer::Writer;

/// A [`Store`] on one SQLite file. Several processes may open the same file (the admin CLI
/// while the server runs); writes from each are serialised by SQLite's lock.
pub struct SqliteStore {
    writer: Writer,
    _checkpointer: checkpoint::Checkpointer,
    readers: ReadPool,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub async fn open(path: impl AsRef<Path>, options: StoreOptions) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let p = path.clone();
        let conn = tokio::task::spawn_blocking(move || -> Result<_, StoreError> {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let mut conn = rusqlite::Connection::open(&p)?;
            schema::configure(&conn)?;
            schema::migrate(&mut conn)?;
            Ok(conn)
        })
        .await??;
        Ok(Self {
            writer: Writer::spawn(conn, options.max_batch_items.max(1))?,
            _checkpointer: checkpoint::Checkpointer::spawn(&path)?,
            readers: ReadPool::new(path.clone()),
            path,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

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
        self.readers
            .read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
            .await
            .map(drop)
    }
}
