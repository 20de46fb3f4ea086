//! The backend's own error: what its functions fail with inside, mapped to the driver-neutral
//! [`StoreError`] where a result leaves the backend (the writer's reply, the reader pool, the
//! trait methods). SQLite's error stays the source.

use hark_store::StoreError;
use std::sync::Arc;

/// A failure inside the SQLite backend.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// A contract-level failure (not found, conflict, corrupt value, …), passed on as it is.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// SQLite reported an error.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The group transaction holding this write failed to commit; nothing of it was stored.
    #[error("group commit failed: {0}")]
    GroupCommit(#[source] Arc<rusqlite::Error>),
    /// The database file or its directory could not be prepared.
    #[error("database file: {0}")]
    Io(#[from] std::io::Error),
    /// A blocking task panicked or was cancelled.
    #[error(transparent)]
    Task(#[from] tokio::task::JoinError),
}

/// What a write refused for want of disk space is: the same write succeeds once space is
/// freed, so callers answer 503 with `Retry-After`, and nothing of it was stored.
const DISK_FULL: &str = "the database's disk is full";

/// Whether SQLite failed for want of disk space (`SQLITE_FULL`: its unix layer reports a
/// short write with `ENOSPC` so).
fn disk_full(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull)
}

/// A key collision (primary key or unique column) becomes `Conflict` ("{what} already
/// exists"); other errors pass through.
pub(crate) fn conflict_on_duplicate(e: rusqlite::Error, what: &str) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => {
            StoreError::Conflict(format!("{what} already exists")).into()
        }
        _ => Error::Sqlite(e),
    }
}

/// The error of a stopped writer (the store is shutting down or its thread died).
pub(crate) fn writer_gone() -> StoreError {
    StoreError::Unavailable {
        what: "the store's writer is not running",
        source: None,
    }
}

impl From<Error> for StoreError {
    fn from(e: Error) -> Self {
        match e {
            Error::Store(e) => e,
            Error::Sqlite(e) if disk_full(&e) => StoreError::unavailable(DISK_FULL, e),
            Error::Sqlite(e) => StoreError::Database(Box::new(e)),
            Error::GroupCommit(e) if disk_full(&e) => StoreError::unavailable(DISK_FULL, e),
            Error::GroupCommit(e) => StoreError::Database(Box::new(e)),
            Error::Io(e) => StoreError::Files(e),
            Error::Task(e) => StoreError::Task(e),
        }
    }
}
