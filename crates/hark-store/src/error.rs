//! The storage layer's error type, neutral about drivers: a backend maps its driver's errors
//! into these variants (keeping the driver's error as the source), so callers decide what to
//! answer without knowing which database is behind the trait.

use thiserror::Error;

/// A boxed cause, as a backend hands it over.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything a store operation can fail with. Causes are kept as sources.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The named record does not exist (in the caller's project).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with stored data (e.g. a duplicate name).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database cannot serve now (stopped writer, no pooled connection within the wait,
    /// unreachable server); the same call may succeed later.
    #[error("database unavailable: {what}")]
    Unavailable {
        /// What was not available, for the logs.
        what: &'static str,
        /// The driver's error, when there is one.
        #[source]
        source: Option<BoxError>,
    },
    /// The database refused or failed an operation; nothing of the failed operation was stored.
    #[error("database error")]
    Database(#[source] BoxError),
    /// The database's files or directory could not be prepared.
    #[error("database files")]
    Files(#[source] std::io::Error),
    /// The database was written by a newer hark.
    #[error("database schema version {found} is newer than this hark supports ({supported})")]
    SchemaTooNew {
        /// The version found in the database.
        found: i64,
        /// The newest version this hark knows.
        supported: i64,
    },
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

impl StoreError {
    /// `Unavailable` with a driver's error as its source.
    pub fn unavailable(what: &'static str, source: impl Into<BoxError>) -> Self {
        Self::Unavailable {
            what,
            source: Some(source.into()),
        }
    }

    /// Whether the same call may succeed later (the server answers 503 with `Retry-After`).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable { .. })
    }
}
