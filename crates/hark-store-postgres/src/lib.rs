//! hark's PostgreSQL backend, for several hark nodes on one shared database. Chosen by a
//! `postgres://` URL. Every write runs in its own transaction (READ COMMITTED) and is retried
//! from the start on a serialization failure or a deadlock ([`in_tx!`]); row locks
//! (`SELECT … FOR UPDATE`, `ON CONFLICT`) make concurrent upserts from different nodes merge
//! instead of duplicating. The trait parts live where they do in every backend: `core`
//! ([`hark_store::Store`]), `chat` ([`hark_store::ChatStore`]), `analysis`
//! ([`hark_store::AnalysisStore`]), `users` ([`hark_store::UserStore`]) and `transfer`
//! ([`hark_store::ProjectTransfer`]); the schema is the numbered SQL files under `migrations/`.
//!
//! Connections come from a deadpool pool; TLS is not supported yet (`NoTls`): run hark next to
//! its database or through a TLS-terminating proxy.

/// Runs `$body` (an expression that may `.await` and use `?`, giving `Result<T, Error>`)
/// in a transaction bound to `$tx`, committing when it succeeds. A serialization failure or a
/// deadlock, from the body or from the commit, rolls back and runs the whole body again (up to
/// [`MAX_ATTEMPTS`] times), so a body must not keep side effects outside the transaction.
macro_rules! in_tx {
    ($store:expr, |$tx:ident| $body:expr) => {{
        let mut attempt = 1u32;
        loop {
            let mut client = $store.client().await?;
            let $tx = client.transaction().await.map_err($crate::Error::from)?;
            let result: Result<_, $crate::Error> = async { $body }.await;
            let result = match result {
                Ok(v) => $tx.commit().await.map(|()| v).map_err($crate::Error::from),
                Err(e) => Err(e),
            };
            match result {
                Err(e) if $crate::retryable(&e) && attempt < $crate::MAX_ATTEMPTS => {
                    attempt += 1;
                    $crate::backoff(attempt).await;
                }
                other => break other.map_err(Into::into),
            }
        }
    }};
}

pub(crate) mod analysis;
mod chat;
mod core;
mod error;
mod row;
mod schema;
mod transfer;
mod users;
mod webhooks;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
pub(crate) use error::Error;
use hark_store::{StoreError, StoreOptions};
use std::str::FromStr;
use std::time::Duration;
use tokio_postgres::error::SqlState;
use tokio_postgres::NoTls;

/// Attempts of one transaction before a serialization failure or deadlock is returned.
pub(crate) const MAX_ATTEMPTS: u32 = 8;

/// A [`crate::Store`] on a PostgreSQL database shared by any number of hark nodes.
pub struct PgStore {
    pool: Pool,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/db`) and applies
    /// pending migrations.
    pub async fn open(url: &str, options: StoreOptions) -> Result<Self, StoreError> {
        let store = Self::connect(url, options)?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without migrating (for `hark migrate`, which reports what it applied).
    pub fn connect(url: &str, options: StoreOptions) -> Result<Self, StoreError> {
        let mut config = tokio_postgres::Config::from_str(url).map_err(Error::from)?;
        if config.get_application_name().is_none() {
            config.application_name("hark");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.max_connections.max(1))
            .wait_timeout(Some(Duration::from_secs(30)))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Database(Box::new(e)))?;
        Ok(Self { pool })
    }

    /// Applies the migrations not yet applied (safe when several nodes do it at once); returns
    /// how many this call applied.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let mut client = self.client().await?;
        Ok(schema::migrate(&mut client).await?)
    }

    /// The schema version this hark writes.
    pub fn schema_version() -> i64 {
        schema::supported()
    }

    /// A pooled connection.
    pub(crate) async fn client(&self) -> Result<Object, Error> {
        self.pool.get().await.map_err(|e| match e {
            deadpool_postgres::PoolError::Backend(e) => Error::Postgres(e),
            other => Error::Pool(other),
        })
    }
}

/// Whether a failed transaction may succeed when run again: a serialization failure or a
/// deadlock (PostgreSQL picked this transaction as the victim), or a unique violation raised by
/// two transactions inserting the same new key at once (the retry finds the other's row).
pub(crate) fn retryable(e: &Error) -> bool {
    match e {
        Error::Postgres(e) => matches!(
            e.code(),
            Some(&SqlState::T_R_SERIALIZATION_FAILURE)
                | Some(&SqlState::T_R_DEADLOCK_DETECTED)
                | Some(&SqlState::UNIQUE_VIOLATION)
        ),
        _ => false,
    }
}

/// A short randomised pause before attempt `n`, so colliding transactions do not collide again.
pub(crate) async fn backoff(attempt: u32) {
    let base = 2u64.saturating_pow(attempt.min(8));
    let jitter = u64::from(std::process::id() ^ attempt).wrapping_mul(2_654_435_761) % base.max(1);
    tokio::time::sleep(Duration::from_millis(base + jitter)).await;
}
