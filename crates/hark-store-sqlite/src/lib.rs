//! hark's embedded SQLite backend: one database file, WAL mode, `synchronous=FULL`, one writer
//! thread with group commit ([`db::writer`]), a pool of readers ([`db::pool`]) and WAL
//! checkpoints on a thread of their own. The trait parts live where they do in every backend:
//! `core` ([`Store`]: tenancy, ingest, items), `chat` ([`hark_store::ChatStore`]), `analysis`
//! ([`hark_store::AnalysisStore`]), `users` ([`hark_store::UserStore`]) and `transfer`
//! ([`hark_store::ProjectTransfer`]); the schema
//! is the numbered SQL files under `migrations/`.

mod analysis;
mod chat;
pub(crate) mod core;
mod db;
mod error;
mod row;
pub(crate) mod schema;
mod transfer;
mod users;
mod webhooks;

use db::pool::ReadPool;
pub use db::version::stored_schema_version;
use db::writer::Writer;
use error::Error;
use hark_store::backend::files;
use hark_store::{StoreError, StoreOptions};
use std::path::{Path, PathBuf};

/// A [`Store`] on one SQLite file. Several processes may open the same file (the admin CLI
/// while the server runs); writes from each are serialised by SQLite's lock.
pub struct SqliteStore {
    writer: Writer,
    _checkpointer: db::checkpoint::Checkpointer,
    readers: ReadPool,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub async fn open(path: impl AsRef<Path>, options: StoreOptions) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let p = path.clone();
        let conn = tokio::task::spawn_blocking(move || -> Result<_, Error> {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                files::create_private_dir(dir)?;
            }
            // Owner-only before SQLite opens it (its -wal and -shm files follow its mode).
            files::create_private_file(&p)?;
            let mut conn = rusqlite::Connection::open(&p)?;
            schema::configure(&conn)?;
            schema::migrate(&mut conn)?;
            Ok(conn)
        })
        .await??;
        Ok(Self {
            writer: Writer::spawn(conn, options.max_batch_items.max(1))?,
            _checkpointer: db::checkpoint::Checkpointer::spawn(&path)?,
            readers: ReadPool::new(path.clone()),
            path,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
