//! The storage layer's error type.

use thiserror::Error;

/// Everything a store operation can fail with. Causes are kept as sources.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The named record does not exist (in the caller's project).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with stored data (e.g. a duplicate name).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database URL names no supported backend.
    #[error("unsupported database URL {0:?} (expected sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DB)")]
    UnsupportedUrl(String),
    /// PostgreSQL reported an error (or a connection to it failed).
    #[error("postgres: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// No pooled PostgreSQL connection could be had (pool exhausted past its wait, or closed).
    #[error("postgres connection pool: {0}")]
    Pool(String),
    /// SQLite reported an error.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database file or its directory could not be prepared.
    #[error("database file: {0}")]
    Io(#[from] std::io::Error),
    /// The database was written by a newer hark.
    #[error("database schema version {found} is newer than this hark supports ({supported})")]
    SchemaTooNew { found: i64, supported: i64 },
    /// The group transaction holding this write failed to commit; nothing of it was stored.
    #[error("commit failed: {0}")]
    GroupCommit(#[source] std::sync::Arc<rusqlite::Error>),
    /// The background writer stopped (the store is shutting down or crashed).
    #[error("the store's writer is not running")]
    WriterGone,
    /// A stored secret could not be opened with the master key (wrong key or altered data).
    /// Never carries the secret.
    #[error("stored secret: {0}")]
    Crypto(#[from] hark_core::crypto::CryptoError),
    /// A stored value could not be read back (the database holds data hark did not write).
    #[error("corrupt stored data: {0}")]
    Corrupt(&'static str),
    /// An import stream is not a usable hark export (another format, garbled, truncated or
    /// inconsistent); the message says which line and why.
    #[error("project export: {0}")]
    BadExport(String),
    /// Reading an import stream or writing an export failed.
    #[error("project export stream: {0}")]
    Stream(#[source] std::io::Error),
    /// A blocking task panicked or was cancelled.
    #[error("storage task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}
