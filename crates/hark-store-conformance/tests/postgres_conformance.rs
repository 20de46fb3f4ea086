//! The conformance suite against PostgreSQL, one fresh database per story, and what only a
//! shared database has: several stores ("nodes") on one database at once. Needs a test server:
//! `HARK_TEST_POSTGRES_URL` (see `scripts/pg-test-server.sh`).

use hark_store::{Store, StoreOptions};
use hark_store_conformance::testing::fresh_postgres_url;
use hark_store_postgres::PgStore;
use std::sync::Arc;

async fn fresh() -> ((), Arc<dyn Store>) {
    let url = fresh_postgres_url().await;
    let store = PgStore::open(&url, StoreOptions::default())
        .await
        .expect("open");
    ((), Arc::new(store))
}

include!("common/stories.rs");

/// Several nodes starting at once on a new database: each migration is applied exactly once,
/// every node opens, and opening again applies nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_start_up_migrates_once() {
    let url = fresh_postgres_url().await;
    let opens = (0..6).map(|_| {
        let url = url.clone();
        tokio::spawn(async move {
            let store = PgStore::connect(&url, StoreOptions::default()).expect("connect");
            store.migrate().await.expect("migrate")
        })
    });
    let mut applied = Vec::new();
    for open in opens {
        applied.push(open.await.expect("join"));
    }
    applied.sort_unstable();
    let expected = PgStore::schema_version() as usize;
    assert_eq!(applied.iter().sum::<usize>(), expected, "{applied:?}");
    let again = PgStore::open(&url, StoreOptions::default())
        .await
        .expect("reopen");
    assert_eq!(again.migrate().await.expect("migrate again"), 0);
}

#[tokio::test]
async fn reopening_keeps_data() {
    let url = fresh_postgres_url().await;
    let store = PgStore::open(&url, StoreOptions::default())
        .await
        .expect("open");
    let p = hark_store::create_project(&store, "keep")
        .await
        .expect("project");
    drop(store);
    let store = PgStore::open(&url, StoreOptions::default())
        .await
        .expect("reopen");
    assert!(store
        .get_project(&p.project.project_id)
        .await
        .expect("get")
        .is_some());
}

#[tokio::test]
async fn unreachable_server_is_an_error_without_the_password() {
    let err = PgStore::open(
        "postgres://hark:secret-word@127.0.0.1:1/hark",
        StoreOptions::default(),
    )
    .await
    .err()
    .expect("nothing listens on port 1");
    assert!(!err.to_string().contains("secret-word"), "{err}");
    // A server that cannot be reached is worth retrying: the server answers 503, not 500.
    assert!(err.is_transient(), "{err:?}");
}
