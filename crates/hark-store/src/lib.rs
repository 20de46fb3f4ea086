//! hark-store: durable storage behind the [`Store`] trait.
//!
//! Backends: [`sqlite::SqliteStore`] (embedded, default) and [`postgres::PgStore`] (several
//! nodes on one shared database). Every backend passes the same
//! conformance suite (`conformance`, `conformance_chat` and `conformance_analysis`, feature
//! `conformance`). Pick one at start-up with [`open`] from a database URL and share it as
//! `Arc<dyn Store>`.

mod analysis_store;
mod chat_store;
mod chat_tenancy;
mod codec;
mod error;
mod migrate;
pub mod postgres;
pub mod sqlite;
mod store;
mod subject_text;
mod tenancy;
mod transfer;

#[cfg(feature = "conformance")]
pub mod conformance;
#[cfg(feature = "conformance")]
pub mod conformance_analysis;
#[cfg(feature = "conformance")]
pub mod conformance_chat;
#[cfg(feature = "conformance")]
pub mod testing;

pub use analysis_store::{AnalysisStore, MentionVector, QueueDepth, ThemeUpdate};
pub use chat_store::{ChatStore, PutFeedbackOutcome};
pub use chat_tenancy::{access_key_secret, create_access_key, create_application};
pub use error::StoreError;
pub use migrate::{migrate, Migrated};
pub use store::Store;
pub use tenancy::{create_project, create_source, rotate_secret, NewProject};
#[cfg(feature = "conformance")]
pub use transfer::normalise_export;
pub use transfer::{ProjectTransfer, TransferSummary, FORMAT_VERSION};

use std::sync::Arc;

/// Options common to every backend.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Most items one group-commit transaction may hold before it is closed.
    pub max_batch_items: usize,
    /// Most connections a PostgreSQL store opens (per node).
    pub max_connections: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_batch_items: 5_000,
            max_connections: 16,
        }
    }
}

/// Opens the store named by `url`: `sqlite://PATH` (or `sqlite:PATH`) or
/// `postgres://…` (or `postgresql://…`), creating and migrating it as needed.
pub async fn open(url: &str, options: StoreOptions) -> Result<Arc<dyn Store>, StoreError> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        Ok(Arc::new(sqlite::SqliteStore::open(path, options).await?))
    } else if url.starts_with("sqlite:") {
        let path = url.trim_start_matches("sqlite:");
        Ok(Arc::new(sqlite::SqliteStore::open(path, options).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PgStore::open(url, options).await?))
    } else {
        Err(StoreError::UnsupportedUrl(redact_url(url)))
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
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact_url("postgres://hark:s3cret@db:5432/hark"),
            "postgres://hark:***@db:5432/hark"
        );
        assert_eq!(super::redact_url("sqlite://x.db"), "sqlite://x.db");
    }
}
