//! `hark migrate`: applies the database's pending schema migrations (hark also applies them at
//! start-up) and prints the schema version and how many migrations were applied.

use super::print_json;
use crate::config::Config;
use crate::error::Error;
use hark_store::StoreOptions;
use serde_json::json;

/// Migrates the configured database; prints `{"database", "backend", "schema_version",
/// "applied"}` (the URL without its password).
pub async fn migrate(config: &Config) -> Result<(), Error> {
    let url = config.database_url();
    let migrated = crate::database::migrate(&url, StoreOptions::default()).await?;
    tracing::debug!(
        backend = migrated.backend,
        version = migrated.version,
        applied = migrated.applied,
        "database migrated"
    );
    print_json(&json!({
        "database": crate::database::redact_url(&url),
        "backend": migrated.backend,
        "schema_version": migrated.version,
        "applied": migrated.applied,
    }))
}
