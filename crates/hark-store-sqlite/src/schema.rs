//! SQLite schema and its versioned migrations, applied at open.

use crate::Error;
use hark_store::StoreError;
use rusqlite::Connection;

/// Migrations in order (the numbered files of `migrations/`, embedded at build time);
/// `user_version` holds how many have been applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_feedback.sql"),
    include_str!("../migrations/0002_chat_feedback.sql"),
    include_str!("../migrations/0003_analysis.sql"),
    include_str!("../migrations/0004_example_ids.sql"),
    include_str!("../migrations/0005_users.sql"),
    include_str!("../migrations/0006_mention_metrics.sql"),
    include_str!("../migrations/0007_chat_stats.sql"),
    include_str!("../migrations/0008_webhooks.sql"),
    include_str!("../migrations/0009_webhook_leases.sql"),
    include_str!("../migrations/0010_broad_themes.sql"),
];

/// Sets the connection options every hark connection uses. `synchronous=FULL` in WAL mode
/// fsyncs the log at every commit: a committed transaction survives power loss.
pub(crate) fn configure(conn: &Connection) -> Result<(), Error> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Savepoint journals in memory, and a page cache large enough that a group transaction
    // does not spill dirty pages mid-way (both measured by the ingest benchmark).
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -32_768)?;
    // Checkpoints run on their own thread (see `checkpoint`), never inside a commit.
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    // After a checkpoint resets the log, keep at most 64 MB of it on disk.
    conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    Ok(())
}

/// Applies the migrations not yet applied, in one immediate transaction, so that two processes
/// opening the same new file do not both migrate it.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), Error> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let applied: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let supported = MIGRATIONS.len() as i64;
    if applied > supported {
        return Err(StoreError::SchemaTooNew {
            found: applied,
            supported,
        }
        .into());
    }
    for sql in &MIGRATIONS[applied as usize..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", supported)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_1_database_is_upgraded_in_place() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO projects (id, name, api_key, secret_hash, created_at)
             VALUES ('prj_1', 'kept', 'hk_1', 'h', 0)",
            [],
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        let kept: String = conn
            .query_row("SELECT name FROM projects", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, "kept");
        let feedback: i64 = conn
            .query_row("SELECT count(*) FROM chat_feedback", [], |r| r.get(0))
            .unwrap();
        assert_eq!(feedback, 0);
        // Migration 5: users belong to the kept project, and end their sessions with them.
        conn.execute(
            "INSERT INTO users (id, project_id, email, role, password_hash, created_at)
             VALUES ('usr_1', 'prj_1', 'a@example.com', 'admin', 'h', 0)",
            [],
        )
        .unwrap();
        let bad_role = conn.execute(
            "INSERT INTO users (id, project_id, email, role, password_hash, created_at)
             VALUES ('usr_2', 'prj_1', 'b@example.com', 'owner', 'h', 0)",
            [],
        );
        assert!(bad_role.is_err());
        let sessions: i64 = conn
            .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sessions, 0);
    }
}
