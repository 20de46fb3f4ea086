//! Two real `hark serve` nodes on one PostgreSQL database (`HARK_TEST_POSTGRES_URL`, see
//! `scripts/pg-test-server.sh`), sent overlapping upserts at the same time: the same unique ids
//! through both nodes, every send adding a new conversation part and changing the body. Nothing
//! may be duplicated or lost, and either node reads back exactly what both stored.

mod common;

use common::{client, ingest, model_dir, queue, str_field, Server, Tenant};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Items in the project; every round sends all of them to both nodes.
const ITEMS: usize = 150;
/// Rounds; each adds one part per item per node.
const ROUNDS: usize = 6;
/// Items per request.
const BATCH: usize = 50;

fn uid(i: usize) -> String {
    format!("ticket-{i:04}")
}

/// A request of items `range`, each with one new part named after `node` and `round`.
fn body(source: &str, node: &str, round: usize, range: std::ops::Range<usize>) -> Value {
    let items: Vec<Value> = range
        .map(|i| {
            json!({
                "unique_id": uid(i),
                "body": format!("ticket {i}, last sent by node {node} in round {round}"),
                "user_id": format!("user-{}", i % 17),
                "conversation_parts": [{
                    "unique_id": format!("{}-{node}-{round}", uid(i)),
                    "body": format!("reply {round} via {node}"),
                }],
            })
        })
        .collect();
    json!({ "source_id": source, "items": items })
}

/// Sends every round's batches to one node, in order, and checks each answer is a 2xx with
/// every item stored.
async fn send_all(base: String, tenant: (String, String, String), node: &'static str) {
    let (api_key, secret, source) = tenant;
    let http = client();
    for round in 0..ROUNDS {
        for start in (0..ITEMS).step_by(BATCH) {
            let request = body(&source, node, round, start..(start + BATCH).min(ITEMS));
            let response = ingest(&http, &base, (&api_key, &secret), &request)
                .await
                .expect("POST ingest");
            let status = response.status();
            let answer: Value = response.json().await.unwrap_or(Value::Null);
            assert!(status.is_success(), "node {node}: {status} {answer}");
            assert_eq!(answer["failed"].as_u64().unwrap_or(0), 0, "{answer}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_upserts_through_two_nodes_are_exact() {
    let url = hark_store_conformance::testing::fresh_postgres_url().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let tenant = Tenant::create(&url);
    let a = Server::start("serve", &dir.path().join("a"), &["--database", &url]);
    let b = Server::start("serve", &dir.path().join("b"), &["--database", &url]);
    let creds = (
        tenant.api_key.clone(),
        tenant.secret_key.clone(),
        tenant.source_id.clone(),
    );
    let (ra, rb) = tokio::join!(
        tokio::spawn(send_all(a.base.clone(), creds.clone(), "a")),
        tokio::spawn(send_all(b.base.clone(), creds, "b")),
    );
    ra.expect("node a's sender");
    rb.expect("node b's sender");

    let http = client();
    let mut ids_by_key = std::collections::HashMap::new();
    for server in [&a, &b] {
        let items = common::all_items(&http, &server.base, &tenant).await;
        for item in &items {
            ids_by_key.insert(str_field(item, "unique_id"), item["id"].as_i64());
        }
        let ids: BTreeSet<String> = items.iter().map(|i| str_field(i, "unique_id")).collect();
        assert_eq!(
            items.len(),
            ITEMS,
            "duplicated or lost items via {}",
            server.base
        );
        assert_eq!(ids.len(), ITEMS);
        for item in &items {
            assert_eq!(item["parts_count"], 2 * ROUNDS, "{item}");
        }
    }
    // Every part of a few items, through the item read of each node: both nodes' parts, once.
    for (server, i) in [(&a, 0), (&b, ITEMS / 2), (&a, ITEMS - 1)] {
        let id = ids_by_key.get(&uid(i)).copied().flatten().expect("item id");
        let item = get_item(&http, &server.base, &tenant, id).await;
        let parts: BTreeSet<String> = item["conversation_parts"]
            .as_array()
            .expect("parts")
            .iter()
            .map(|p| str_field(p, "unique_id"))
            .collect();
        let expected: BTreeSet<String> = ["a", "b"]
            .iter()
            .flat_map(|n| (0..ROUNDS).map(move |r| format!("{}-{n}-{r}", uid(i))))
            .collect();
        assert_eq!(parts, expected);
    }
}

/// `GET /api/1/items/{id}` on `base`: the item with its parts and analysis.
async fn get_item(http: &reqwest::Client, base: &str, tenant: &Tenant, id: i64) -> Value {
    http.get(format!("{base}/api/1/items/{id}"))
        .basic_auth(&tenant.api_key, Some(&tenant.secret_key))
        .send()
        .await
        .expect("GET item")
        .json()
        .await
        .expect("item JSON")
}

/// Two nodes analyse one queue; one is SIGKILLed mid-work. Its leased items come back when the
/// lease (2 s here) passes, the other node analyses them, and every item ends up analysed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn analysis_is_shared_and_a_killed_node_loses_nothing() {
    const TOTAL: usize = 600;
    let url = hark_store_conformance::testing::fresh_postgres_url().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("hark.toml");
    std::fs::write(
        &config,
        format!(
            "[analysis]\nmodel_dir = {:?}\nlease_secs = 2\n",
            model_dir().display().to_string()
        ),
    )
    .expect("write config");
    let config = config.display().to_string();
    let tenant = Tenant::create(&url);
    let args = ["--database", url.as_str(), "--config", config.as_str()];
    let mut a = Server::start("serve", &dir.path().join("a"), &args);
    let b = Server::start("serve", &dir.path().join("b"), &args);
    let http = client();
    let topics = [
        "The app crashes every time I export a report",
        "Please add a dark mode to the dashboard",
        "Love how fast the new sync is",
        "Why was I charged twice this month?",
        "Support never answered my ticket about invoices",
    ];
    for start in (0..TOTAL).step_by(100) {
        let items: Vec<Value> = (start..start + 100)
            .map(|i| json!({"unique_id": uid(i), "body": format!("{} (case {i})", topics[i % 5])}))
            .collect();
        let request = json!({ "source_id": tenant.source_id, "items": items });
        let response = ingest(
            &http,
            &b.base,
            (&tenant.api_key, &tenant.secret_key),
            &request,
        )
        .await
        .expect("POST ingest");
        assert!(response.status().is_success());
    }
    // Kill node a while analysis is under way: some work done, some left.
    let deadline = std::time::Instant::now() + common::DEADLINE;
    loop {
        let (ready, leased) = queue(&http, &b.base, &tenant).await;
        if (ready as usize) < TOTAL && ready + leased > 0 {
            break;
        }
        assert!(
            ready + leased > 0,
            "the queue emptied before node a could be killed mid-work"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "analysis never started"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    a.kill();
    // Node b finishes everything, node a's leased items included.
    let deadline = std::time::Instant::now() + 5 * common::DEADLINE;
    while queue(&http, &b.base, &tenant).await != (0, 0) {
        assert!(
            std::time::Instant::now() < deadline,
            "queue not drained; node b log:\n{}",
            b.log()
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let items = common::all_items(&http, &b.base, &tenant).await;
    assert_eq!(items.len(), TOTAL);
    for item in &items {
        let id = item["id"].as_i64().expect("item id");
        let full = get_item(&http, &b.base, &tenant, id).await;
        assert!(full["analysis"].is_object(), "not analysed: {full}");
    }
}
