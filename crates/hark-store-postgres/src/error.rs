//! The backend's own error: what its functions fail with inside, mapped to the driver-neutral
//! [`StoreError`] where a result leaves the backend (the trait methods). PostgreSQL's error
//! stays the source.

use hark_store::StoreError;

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
            // A connection that cannot be made (server down, network) is worth retrying; a
            // statement the server refused is not.
            Error::Postgres(e)
                if e.is_closed() || e.code().is_none() && e.as_db_error().is_none() =>
            {
                StoreError::unavailable("the PostgreSQL server", e)
            }
            Error::Postgres(e) => StoreError::Database(Box::new(e)),
            Error::Pool(e) => StoreError::unavailable("a pooled PostgreSQL connection", e),
        }
    }
}
