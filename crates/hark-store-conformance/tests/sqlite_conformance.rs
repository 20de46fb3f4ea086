//! The conformance suite against the embedded SQLite backend, one fresh file per story.

use hark_store::{Store, StoreOptions};
use hark_store_sqlite::SqliteStore;
use std::sync::Arc;

async fn fresh() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hark.db");
    let store = SqliteStore::open(&path, StoreOptions::default())
        .await
        .expect("open");
    (dir, Arc::new(store))
}

include!("common/stories.rs");

#[tokio::test]
async fn reopening_keeps_data_and_migrations_are_idempotent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sub/hark.db");
    let store = SqliteStore::open(&path, StoreOptions::default())
        .await
        .expect("open");
    let p = hark_store::create_project(&store, "keep")
        .await
        .expect("project");
    drop(store);
    let store = SqliteStore::open(&path, StoreOptions::default())
        .await
        .expect("reopen");
    assert!(store
        .get_project(&p.project.project_id)
        .await
        .expect("get")
        .is_some());
}

/// The database file, its WAL and shared-memory files and the directories hark makes for them
/// are readable by their owner only: they hold secret hashes and feedback with PII.
#[cfg(unix)]
#[tokio::test]
async fn database_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("data/hark.db");
    let store = SqliteStore::open(&path, StoreOptions::default())
        .await
        .expect("open");
    hark_store::create_project(&store, "perms")
        .await
        .expect("a write");
    assert_eq!(mode(&dir.path().join("data")), 0o700);
    for file in ["hark.db", "hark.db-wal", "hark.db-shm"] {
        let p = dir.path().join("data").join(file);
        assert_eq!(mode(&p), 0o600, "{file}");
    }
}
