//! PostgreSQL schema and its versioned migrations, applied at open (and by `hark migrate`).
//!
//! The tables mirror the SQLite backend's (same names, same columns, same encodings: times are
//! the same integers (`Timestamp` micros) in `BIGINT`, vectors little-endian `f32` in `BYTEA`, string lists JSON
//! text), so both backends share the codec and export/import moves rows one to one.
//! Migrations run in one transaction under a transaction-scoped advisory lock: several nodes
//! starting at once on a new database apply each migration exactly once, the others wait and
//! then find nothing left to do.

use crate::Error;
use hark_store::StoreError;
use tokio_postgres::Client;

/// Key of the advisory lock migrations hold (any constant; "hark" in ASCII).
const MIGRATION_LOCK: i64 = 0x6861_726b;

/// Migrations in order (the numbered files of `migrations/`, embedded at build time);
/// `hark_schema.version` holds how many have been applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_users.sql"),
    include_str!("../migrations/0003_webhooks.sql"),
    include_str!("../migrations/0004_broad_themes.sql"),
];

/// The schema version this hark writes.
pub(crate) fn supported() -> i64 {
    MIGRATIONS.len() as i64
}

/// Applies the migrations not yet applied; returns how many were applied now.
pub(crate) async fn migrate(client: &mut Client) -> Result<usize, Error> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS hark_schema (version BIGINT NOT NULL)")
        .await?;
    let applied: i64 = match tx.query_opt("SELECT version FROM hark_schema", &[]).await? {
        Some(row) => row.try_get(0)?,
        None => {
            tx.execute("INSERT INTO hark_schema (version) VALUES (0)", &[])
                .await?;
            0
        }
    };
    if applied > supported() {
        return Err(StoreError::SchemaTooNew {
            found: applied,
            supported: supported(),
        }
        .into());
    }
    let pending = &MIGRATIONS[applied as usize..];
    for sql in pending {
        tx.batch_execute(sql).await?;
    }
    tx.execute("UPDATE hark_schema SET version = $1", &[&supported()])
        .await?;
    tx.commit().await?;
    Ok(pending.len())
}
