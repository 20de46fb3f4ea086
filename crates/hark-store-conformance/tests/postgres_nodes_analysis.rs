//! Two hark nodes (two `PgStore`s) on one PostgreSQL database share the analysis queue: every
//! queued subject is claimed by exactly one node while its lease is live, a claim whose node
//! died (never saved) is claimed again once its lease has passed, and when the dead node's
//! late results race the new claimer's, exactly one result per subject is applied. Needs a test
//! server: `HARK_TEST_POSTGRES_URL` (see `scripts/pg-test-server.sh`).

#![allow(clippy::unwrap_used)]

use hark_core::analysis::{
    Category, MentionFilter, MentionRecord, Sentiment, Subject, SubjectAnalysis, SubjectText,
};
use hark_core::{ItemInput, SourceKind, Timestamp};
use hark_store::{create_project, create_source, AnalysisStore, QueueDepth, Store, StoreOptions};
use hark_store_conformance::feedback::{body, item};
use hark_store_postgres::PgStore;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Subjects queued.
const ITEMS: usize = 240;
/// Claim size of one worker step (small, so the workers' claims interleave a lot).
const BATCH: u32 = 7;
/// Workers per node.
const WORKERS: usize = 3;
/// Lease length, in seconds of simulated time.
const LEASE_S: i64 = 300;

fn plus_secs(t: Timestamp, s: i64) -> Timestamp {
    Timestamp::from_micros(t.as_micros() + s * 1_000_000)
}

/// The result a node (`who`) computed for `t`: one mention naming the node.
fn result(t: &SubjectText, who: &str) -> SubjectAnalysis {
    let unit = &t.units[0];
    SubjectAnalysis {
        project: t.project.clone(),
        subject: t.subject,
        generation: t.generation,
        source: t.source.clone(),
        mentions: vec![MentionRecord {
            part_id: unit.part_id,
            ordinal: 0,
            text: format!("{who}: {}", unit.text),
            user_key: unit.user_key.clone(),
            created_at: unit.created_at,
            sentiment: Sentiment::from_score(-0.3),
            category: Category::Bug,
            confidence: 0.9,
            theme: None,
            embedding: vec![1.0, 0.0, 0.0, 0.0],
        }],
        sentiment: Sentiment::from_score(-0.3),
        category: Category::Bug,
        confidence: 0.8,
    }
}

/// Every node runs `WORKERS` workers that claim (at `now`, leasing until `lease_until`) until
/// the queue has nothing ready for them; returns what each node claimed.
async fn drain(
    nodes: &[Arc<PgStore>],
    now: Timestamp,
    lease_until: Timestamp,
) -> Vec<Vec<SubjectText>> {
    let mut tasks = Vec::new();
    for (n, node) in nodes.iter().enumerate() {
        for _ in 0..WORKERS {
            let node = node.clone();
            tasks.push((
                n,
                tokio::spawn(async move {
                    let mut mine = Vec::new();
                    loop {
                        let got = node.claim_analysis(BATCH, now, lease_until).await.unwrap();
                        if got.is_empty() {
                            return mine;
                        }
                        mine.extend(got);
                        tokio::task::yield_now().await;
                    }
                }),
            ));
        }
    }
    let mut claimed = vec![Vec::new(); nodes.len()];
    for (n, task) in tasks {
        claimed[n].extend(task.await.unwrap());
    }
    claimed
}

/// Asserts that no subject was claimed twice, across all nodes and workers.
fn assert_exclusive(claimed: &[Vec<SubjectText>]) -> HashSet<Subject> {
    let mut seen = HashSet::new();
    for t in claimed.iter().flatten() {
        assert!(seen.insert(t.subject), "{:?} claimed twice", t.subject);
    }
    seen
}

/// Saves `results` from `node` in concurrent batches of 5; returns how many were applied.
async fn save_concurrently(node: &Arc<PgStore>, results: Vec<SubjectAnalysis>) -> u64 {
    let tasks: Vec<_> = results
        .chunks(5)
        .map(|chunk| {
            let (node, chunk) = (node.clone(), chunk.to_vec());
            tokio::spawn(async move { node.save_analysis(chunk).await.unwrap() })
        })
        .collect();
    let mut applied = 0;
    for t in tasks {
        applied += t.await.unwrap();
    }
    applied
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_share_the_queue_and_recover_a_dead_nodes_claims() {
    let url = hark_store_conformance::testing::fresh_postgres_url().await;
    let options = StoreOptions {
        max_connections: 8,
        ..StoreOptions::default()
    };
    let a = Arc::new(PgStore::open(&url, options.clone()).await.unwrap());
    let b = Arc::new(PgStore::open(&url, options).await.unwrap());
    let p = create_project(a.as_ref(), "nodes")
        .await
        .unwrap()
        .project
        .project_id;
    let src = create_source(a.as_ref(), &p, "web", SourceKind::Webhook)
        .await
        .unwrap();
    let items: Vec<ItemInput> = (0..ITEMS)
        .map(|i| {
            item(
                &format!("i{i}"),
                body(&format!("feedback number {i}")),
                vec![],
            )
        })
        .collect();
    // Both nodes ingest (and so enqueue) half of the items.
    for (n, chunk) in items.chunks(ITEMS / 4).enumerate() {
        let node = if n % 2 == 0 { &a } else { &b };
        node.ingest(&src, chunk.to_vec()).await.unwrap();
    }
    let ready = QueueDepth {
        ready: ITEMS as u64,
        leased: 0,
    };
    assert_eq!(a.queue_depth(Some(&p)).await.unwrap(), ready);
    assert_eq!(b.queue_depth(Some(&p)).await.unwrap(), ready);

    // Both nodes claim at once: every subject goes to exactly one of them.
    let nodes = [a.clone(), b.clone()];
    let now = Timestamp::now();
    let lease = plus_secs(now, LEASE_S);
    let claimed = drain(&nodes, now, lease).await;
    let all = assert_exclusive(&claimed);
    assert_eq!(all.len(), ITEMS);
    assert!(
        claimed.iter().all(|c| !c.is_empty()),
        "one node got nothing"
    );
    let leased = QueueDepth {
        ready: 0,
        leased: ITEMS as u64,
    };
    assert_eq!(a.queue_depth(Some(&p)).await.unwrap(), leased);
    // While the leases are live, nothing is handed out again.
    let half = plus_secs(now, LEASE_S / 2);
    let again = drain(&nodes, half, plus_secs(half, LEASE_S)).await;
    assert!(again.iter().all(Vec::is_empty), "{again:?}");

    // Node a dies: its claims are never saved. Node b saves its own.
    let [dead, alive] = [&claimed[0], &claimed[1]];
    let saved = save_concurrently(&b, alive.iter().map(|t| result(t, "b")).collect()).await;
    assert_eq!(saved, alive.len() as u64);
    // Still under lease: nothing to claim.
    assert!(drain(&nodes, half, plus_secs(half, LEASE_S))
        .await
        .iter()
        .all(Vec::is_empty));

    // Once the lease has passed, the dead node's subjects are claimed again, each by one node,
    // at the generation they were first claimed at.
    let later = plus_secs(lease, 1);
    let reclaimed = drain(&nodes, later, plus_secs(later, LEASE_S)).await;
    assert_exclusive(&reclaimed);
    let first: HashMap<Subject, i64> = dead.iter().map(|t| (t.subject, t.generation)).collect();
    let second: HashMap<Subject, i64> = reclaimed
        .iter()
        .flatten()
        .map(|t| (t.subject, t.generation))
        .collect();
    assert_eq!(first, second);

    // The dead node comes back and saves its stale claims while the new claimers save theirs:
    // exactly one result per subject is applied.
    let zombie = {
        let results: Vec<_> = dead.iter().rev().map(|t| result(t, "a-late")).collect();
        let a = a.clone();
        tokio::spawn(async move { save_concurrently(&a, results).await })
    };
    let mut fresh = Vec::new();
    for (n, node) in nodes.iter().enumerate() {
        let results: Vec<_> = reclaimed[n].iter().map(|t| result(t, "again")).collect();
        let node = node.clone();
        fresh.push(tokio::spawn(async move {
            save_concurrently(&node, results).await
        }));
    }
    let mut applied = zombie.await.unwrap();
    for f in fresh {
        applied += f.await.unwrap();
    }
    assert_eq!(applied, dead.len() as u64);

    let empty = QueueDepth::default();
    assert_eq!(b.queue_depth(Some(&p)).await.unwrap(), empty);
    let mentions = a
        .list_mentions(&p, &MentionFilter::default(), None, 10_000)
        .await
        .unwrap();
    assert_eq!(mentions.len(), ITEMS);
    for subject in &all {
        let analysis = b.analysis(&p, *subject).await.unwrap().unwrap();
        assert_eq!(analysis.mentions.len(), 1, "{subject:?}");
    }
    let by_b = mentions
        .iter()
        .filter(|m| m.text.starts_with("b: "))
        .count();
    assert_eq!(by_b, alive.len());
    // Nothing is left to claim, for either node, at any time.
    let far = plus_secs(later, 10 * LEASE_S);
    assert!(drain(&nodes, far, plus_secs(far, LEASE_S))
        .await
        .iter()
        .all(Vec::is_empty));
}
