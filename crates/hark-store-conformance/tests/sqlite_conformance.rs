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
