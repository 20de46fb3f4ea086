//! Two hark nodes (two `PgStore`s, each with its own connection pool) on one database, both
//! ingesting many overlapping 100-item batches at once: the same unique_ids from both nodes,
//! each send changing fields and adding new parts, some sends re-sending a part both nodes
//! share. Afterwards the database must hold exactly one item per key, every part sent (once,
//! under the right item), a right `parts_count`, and one analysis queue row per item; every
//! key must have been reported `created` exactly once. Needs a test server
//! (`HARK_TEST_POSTGRES_URL`, see `scripts/pg-test-server.sh`).

#![allow(clippy::unwrap_used)]

use hark_core::{Fields, ItemInput, ItemOutcome, PartInput, Source, SourceKind, Timestamp};
use hark_store::{Store, StoreOptions};
use hark_store_postgres::PgStore;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Distinct unique_ids both nodes draw their batches from.
const KEYS: usize = 160;
/// Items per batch (the ingest API's maximum).
const BATCH: usize = 100;
/// Concurrent senders per node, and batches each sends.
const SENDERS: usize = 4;
const SENDS: usize = 6;

fn key(k: usize) -> String {
    format!("item-{k}")
}

/// Batch `send` of sender `sender` on node `node`: 100 distinct keys (a different window of the
/// key space each time, in an order that differs between the nodes), each item with one or two
/// parts no other send has, every third also re-sending the part its key shares across sends.
/// Items without parts carry a body; some items with parts carry none.
fn batch(node: usize, sender: usize, send: usize) -> Vec<ItemInput> {
    let round = sender * SENDS + send;
    let mut items: Vec<ItemInput> = (0..BATCH)
        .map(|j| {
            let k = (round * 37 + j * 7 + node * 11) % KEYS;
            let tag = format!("n{node}/r{round}");
            let mut parts: Vec<PartInput> = (0..j % 3)
                .map(|p| PartInput {
                    unique_id: format!("{}/{tag}/p{p}", key(k)),
                    fields: Fields {
                        body: Some(format!("part {p} of {tag}")),
                        created_at: (p == 1).then(|| Timestamp::from_micros(1_700_000_000_000_000)),
                        ..Fields::default()
                    },
                })
                .collect();
            if j % 3 == 1 {
                parts.push(PartInput {
                    unique_id: format!("{}/shared", key(k)),
                    fields: Fields {
                        body: Some(format!("shared, as {tag} saw it")),
                        author: Some(format!("author {tag}")),
                        ..Fields::default()
                    },
                });
            }
            ItemInput {
                index: j,
                unique_id: key(k),
                fields: Fields {
                    body: (parts.is_empty() || j % 2 == 0).then(|| format!("body from {tag}")),
                    user_id: Some(format!("user-{node}")),
                    ..Fields::default()
                },
                parts,
            }
        })
        .collect();
    if node == 1 {
        items.reverse();
    }
    for (index, item) in items.iter_mut().enumerate() {
        item.index = index;
    }
    items
}

/// Ingests every batch of `node` from [`SENDERS`] concurrent tasks; returns each batch with its
/// outcomes.
async fn run_node(
    store: Arc<PgStore>,
    source: Source,
    node: usize,
) -> Vec<(Vec<ItemInput>, Vec<ItemOutcome>)> {
    let tasks: Vec<_> = (0..SENDERS)
        .map(|sender| {
            let (store, source) = (store.clone(), source.clone());
            tokio::spawn(async move {
                let mut done = Vec::new();
                for send in 0..SENDS {
                    let items = batch(node, sender, send);
                    let outcomes = store.ingest(&source, items.clone()).await.unwrap();
                    done.push((items, outcomes));
                }
                done
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_upserting_the_same_items_merge_exactly() {
    let url = hark_store_conformance::testing::fresh_postgres_url().await;
    let a = Arc::new(PgStore::open(&url, StoreOptions::default()).await.unwrap());
    let b = Arc::new(PgStore::open(&url, StoreOptions::default()).await.unwrap());
    let project = hark_store::create_project(a.as_ref(), "nodes")
        .await
        .unwrap();
    let project = project.project.project_id;
    let source = hark_store::create_source(a.as_ref(), &project, "web", SourceKind::Webhook)
        .await
        .unwrap();

    let (on_a, on_b) = tokio::join!(
        run_node(a.clone(), source.clone(), 0),
        run_node(b.clone(), source.clone(), 1)
    );

    // What was sent, and what each send answered.
    let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut created: BTreeMap<String, usize> = BTreeMap::new();
    for (items, outcomes) in on_a.iter().chain(&on_b) {
        assert_eq!(items.len(), outcomes.len());
        for (item, outcome) in items.iter().zip(outcomes) {
            let ItemOutcome::Stored { created: new } = outcome else {
                panic!("{} failed: {outcome:?}", item.unique_id);
            };
            *created.entry(item.unique_id.clone()).or_default() += usize::from(*new);
            let parts = expected.entry(item.unique_id.clone()).or_default();
            parts.extend(item.parts.iter().map(|p| p.unique_id.clone()));
        }
    }
    for (k, n) in &created {
        assert_eq!(*n, 1, "{k} reported created {n} times");
    }

    // What the database holds.
    let (db, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let sid = source.source_id.as_str();
    let items = db
        .query(
            "SELECT id, unique_id, parts_count FROM items WHERE source_id = $1",
            &[&sid],
        )
        .await
        .unwrap();
    assert_eq!(items.len(), expected.len(), "one item per key");
    let mut stored: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let parts = db
        .query(
            "SELECT i.unique_id, p.unique_id FROM parts p JOIN items i ON i.id = p.item_id
             WHERE p.source_id = $1",
            &[&sid],
        )
        .await
        .unwrap();
    for row in &parts {
        let fresh = stored
            .entry(row.get(0))
            .or_default()
            .insert(row.get::<_, String>(1));
        assert!(fresh, "duplicate part {}", row.get::<_, String>(1));
    }
    for row in &items {
        let (k, count): (String, i64) = (row.get(1), row.get(2));
        let want = &expected[&k];
        let got = stored.remove(&k).unwrap_or_default();
        assert_eq!(&got, want, "parts of {k}");
        assert_eq!(count, want.len() as i64, "parts_count of {k}");
    }
    assert!(stored.is_empty(), "parts under unknown items: {stored:?}");

    // Every item queued for analysis, once, under its project; nothing else queued.
    let queue = db
        .query_one(
            "SELECT count(*), count(DISTINCT q.subject_id),
                    count(*) FILTER (WHERE q.project_id <> i.project_id OR i.id IS NULL)
             FROM analysis_queue_items q LEFT JOIN items i ON i.id = q.subject_id",
            &[],
        )
        .await
        .unwrap();
    let (rows, distinct, wrong): (i64, i64, i64) = (queue.get(0), queue.get(1), queue.get(2));
    assert_eq!(
        (rows, distinct, wrong),
        (items.len() as i64, items.len() as i64, 0)
    );

    // The store reads agree with the tables.
    let some: i64 = items[0].get(0);
    let item = a.get_item(&project, hark_core::ItemId(some)).await.unwrap();
    let item = item.unwrap();
    assert_eq!(
        item.conversation_parts.unwrap().len() as u32,
        item.parts_count
    );
}
