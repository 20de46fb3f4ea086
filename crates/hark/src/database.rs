//! The database URL: the one place that knows every store backend. `sqlite://PATH` (or
//! `sqlite:PATH`) opens the embedded SQLite backend, `postgres://…` (or `postgresql://…`) the
//! PostgreSQL one; either is shared as `Arc<dyn Store>` and nothing else in hark names a
//! backend.

use crate::error::Error;
use hark_store::{Store, StoreOptions};
use hark_store_postgres::PgStore;
use hark_store_sqlite::SqliteStore;
use std::sync::Arc;

/// A parsed database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Database<'a> {
    /// A SQLite file.
    Sqlite(&'a str),
    /// A PostgreSQL connection URL.
    Postgres(&'a str),
}

impl<'a> Database<'a> {
    fn parse(url: &'a str) -> Result<Self, Error> {
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            Ok(Self::Sqlite(path))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url))
        } else {
            Err(Error::UnsupportedDatabaseUrl(redact_url(url)))
        }
    }
}

/// Opens the store named by `url`, creating and migrating it as needed.
pub async fn open(url: &str, options: StoreOptions) -> Result<Arc<dyn Store>, Error> {
    Ok(match Database::parse(url)? {
        Database::Sqlite(path) => Arc::new(SqliteStore::open(path, options).await?),
        Database::Postgres(url) => Arc::new(PgStore::open(url, options).await?),
    })
}

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

/// Applies the pending migrations of the database named by `url`, creating a SQLite file if
/// needed, and says what was done (opening a store migrates it too; this reports).
pub async fn migrate(url: &str, options: StoreOptions) -> Result<Migrated, Error> {
    match Database::parse(url)? {
        Database::Sqlite(path) => {
            let before = hark_store_sqlite::stored_schema_version(path).await?;
            let store = SqliteStore::open(path, options).await?;
            let version = store.schema_version().await?;
            Ok(Migrated {
                backend: "sqlite",
                version,
                applied: version.saturating_sub(before).max(0) as u64,
            })
        }
        Database::Postgres(url) => {
            let store = PgStore::connect(url, options)?;
            let applied = store.migrate().await?;
            Ok(Migrated {
                backend: "postgres",
                version: PgStore::schema_version(),
                applied: applied as u64,
            })
        }
    }
}

/// The URL without a password, fit for logs and errors.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..s], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://hark:s3cret@db:5432/hark"),
            "postgres://hark:***@db:5432/hark"
        );
        assert_eq!(redact_url("sqlite://x.db"), "sqlite://x.db");
    }

    #[test]
    fn urls_name_their_backend() {
        assert_eq!(
            Database::parse("sqlite://a/b.db").ok(),
            Some(Database::Sqlite("a/b.db"))
        );
        assert_eq!(
            Database::parse("sqlite:b.db").ok(),
            Some(Database::Sqlite("b.db"))
        );
        assert!(matches!(
            Database::parse("postgresql://h/db"),
            Ok(Database::Postgres(_))
        ));
        let refused = Database::parse("mysql://u:pw@h/db")
            .map(|_| ())
            .unwrap_err();
        assert!(
            refused.to_string().contains("mysql://u:***@h/db"),
            "{refused}"
        );
    }

    #[tokio::test]
    async fn unsupported_url_is_refused() {
        assert!(open("mysql://x", StoreOptions::default()).await.is_err());
    }
}
