//! The conformance suite against the embedded SQLite backend, one fresh file per story.

use hark_store::{conformance, conformance_analysis, conformance_chat, Store, StoreOptions};
use std::sync::Arc;

async fn fresh() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("hark.db").display());
    let store = hark_store::open(&url, StoreOptions::default())
        .await
        .expect("open");
    (dir, store)
}

include!("common/stories.rs");

#[tokio::test]
async fn reopening_keeps_data_and_migrations_are_idempotent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("sub/hark.db").display());
    let store = hark_store::open(&url, StoreOptions::default())
        .await
        .expect("open");
    let p = hark_store::create_project(store.as_ref(), "keep")
        .await
        .expect("project");
    drop(store);
    let store = hark_store::open(&url, StoreOptions::default())
        .await
        .expect("reopen");
    assert!(store
        .get_project(&p.project.project_id)
        .await
        .expect("get")
        .is_some());
}

#[tokio::test]
async fn unsupported_url_is_refused() {
    assert!(hark_store::open("mysql://x", StoreOptions::default())
        .await
        .is_err());
}
