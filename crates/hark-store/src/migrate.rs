//! `hark migrate`: bring a database's schema up to date and say what was done. Opening a store
//! migrates it too ([`crate::open`]); this reports the version and what was applied.

use crate::postgres::PgStore;
use crate::sqlite::SqliteStore;
use crate::{redact_url, StoreError, StoreOptions};

/// What [`migrate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migrated {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// The database's schema version now (the number of migrations applied in all).
    pub version: i64,
    /// How many migrations this call applied.
    pub applied: u64,
}

/// Applies the pending migrations of the database named by `url` (as [`crate::open`] names
/// it), creating a SQLite file if needed.
pub async fn migrate(url: &str, options: StoreOptions) -> Result<Migrated, StoreError> {
    let sqlite = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"));
    if let Some(path) = sqlite {
        let before = crate::sqlite::stored_schema_version(path).await?;
        let store = SqliteStore::open(path, options).await?;
        let version = store.schema_version().await?;
        Ok(Migrated {
            backend: "sqlite",
            version,
            applied: version.saturating_sub(before).max(0) as u64,
        })
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = PgStore::connect(url, options)?;
        let applied = store.migrate().await?;
        Ok(Migrated {
            backend: "postgres",
            version: PgStore::schema_version(),
            applied: applied as u64,
        })
    } else {
        Err(StoreError::UnsupportedUrl(redact_url(url)))
    }
}
