//! The backend's own error: what its functions fail with inside, mapped to the driver-neutral
//! [`StoreError`] where a result leaves the backend (the trait methods). PostgreSQL's error
//! stays the source.

use hark_store::StoreError;
use tokio_postgres::error::SqlState;

/// A failure inside the PostgreSQL backend.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// A contract-level failure (not found, conflict, corrupt value, …), passed on as it is.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// PostgreSQL reported an error (or a connection to it failed).
    #[error("postgres: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// No pooled connection could be had (pool exhausted past its wait, or closed).
    #[error("postgres connection pool: {0}")]
    Pool(#[source] deadpool_postgres::PoolError),
}

impl From<Error> for StoreError {
    fn from(e: Error) -> Self {
        match e {
            Error::Store(e) => e,
            // A connection that cannot be made or was lost (server down, network: an I/O error
            // underneath) is worth retrying; a statement the server refused, or a value that
            // does not decode, is not.
            Error::Postgres(e) if e.is_closed() || io_failure(&e) || server_not_serving(&e) => {
                StoreError::unavailable("the PostgreSQL server", e)
            }
            // The server's disk is full (or it cannot extend a file): the same write succeeds
            // once space is freed, as with SQLite's.
            Error::Postgres(e) if e.code() == Some(&SqlState::DISK_FULL) => {
                StoreError::unavailable("the PostgreSQL server's disk is full", e)
            }
            Error::Postgres(e) => StoreError::Database(Box::new(e)),
            Error::Pool(e) => StoreError::unavailable("a pooled PostgreSQL connection", e),
        }
    }
}

/// A key collision becomes `Conflict` ("{what} already exists"), a parent row gone between
/// the check and the insert (the foreign key) `NotFound(parent)`, as in SQLite; other errors
/// pass through. Mapped where the insert runs, before any retry logic sees them: a unique
/// violation is otherwise taken for a retryable race.
pub(crate) fn map_insert_error(
    e: tokio_postgres::Error,
    what: &str,
    parent: &'static str,
) -> Error {
    match e.code() {
        Some(&SqlState::UNIQUE_VIOLATION) => {
            StoreError::Conflict(format!("{what} already exists")).into()
        }
        Some(&SqlState::FOREIGN_KEY_VIOLATION) => StoreError::NotFound(parent).into(),
        _ => Error::Postgres(e),
    }
}

/// Whether the server said it cannot serve now: starting up, shutting down or restarting after
/// a crash (SQLSTATE class 57P: `cannot_connect_now`, `admin_shutdown`, `crash_shutdown`), a
/// connection exception (class 08), or no connection slot left (53300). All pass on their own.
fn server_not_serving(e: &tokio_postgres::Error) -> bool {
    e.code().is_some_and(|c| {
        let code = c.code();
        code.starts_with("57P") || code.starts_with("08") || c == &SqlState::TOO_MANY_CONNECTIONS
    })
}

/// Whether the error came from the connection's I/O (refused, reset, timed out).
fn io_failure(e: &tokio_postgres::Error) -> bool {
    std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>())
}
