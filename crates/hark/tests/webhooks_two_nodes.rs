//! Webhook delivery by two real `hark serve` nodes on one PostgreSQL database
//! (`HARK_TEST_POSTGRES_URL`, see `scripts/pg-test-server.sh`): PutFeedback calls through both
//! nodes, one endpoint subscribed to `chat_feedback.received`, a receiver that fails about a
//! fifth of first attempts. Every acknowledged call's event arrives; every attempt the
//! deliveries API records reached the receiver exactly once (no attempt made by both nodes);
//! both nodes made attempts, and their metrics add up to what the receiver saw.

mod common;
mod webhook_receiver;

use common::{admin, client, str_field, Server, Tenant, DEADLINE};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use webhook_receiver::{Received, Receiver};

/// Concurrent senders per node.
const SENDERS: usize = 4;
/// PutFeedback calls of each sender.
const CALLS_PER_SENDER: usize = 38;
/// PutFeedback calls in all (304), half through each node.
const CALLS: usize = 2 * SENDERS * CALLS_PER_SENDER;

/// A 36-character chat resource id (`[A-Za-z0-9-]`) made from `prefix`.
fn resource_id(prefix: &str) -> String {
    format!("{prefix:x<36}")
}

/// Whether the receiver answers 500 to the first attempt of this event: about one in five,
/// fixed by the (random) event id.
fn fails_first(webhook_id: &str) -> bool {
    webhook_id.bytes().map(u32::from).sum::<u32>() % 5 == 0
}

/// What one sender's calls were answered: (message id, status).
async fn send(
    base: String,
    auth: (String, String),
    app: String,
    node: &'static str,
    sender: usize,
) -> Vec<(String, u16)> {
    let http = client();
    let conversation = resource_id(&format!("conv-{node}-{sender}-"));
    let mut answers = Vec::new();
    for i in 0..CALLS_PER_SENDER {
        let message = resource_id(&format!("msg-{node}-{sender}-{i:04}-"));
        let submitted = chrono::Utc::now().timestamp();
        let status = http
            .post(format!(
                "{base}/applications/{app}/conversations/{conversation}/messages/{message}/feedback"
            ))
            .basic_auth(&auth.0, Some(&auth.1))
            .json(&json!({"messageUsefulness": {"usefulness": "USEFUL", "submittedAt": submitted}}))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        answers.push((message, status));
    }
    answers
}

/// `GET base path` with the tenant's Basic auth; the JSON answer (which must be a 200).
async fn get_json(base: &str, tenant: &Tenant, path: &str) -> Value {
    let response = client()
        .get(format!("{base}{path}"))
        .basic_auth(&tenant.api_key, Some(&tenant.secret_key))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.expect("JSON answer")
}

/// The node's `hark_webhook_attempts_total`, all outcomes.
async fn attempts_made(base: &str) -> u64 {
    let text = client()
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("GET /metrics")
        .text()
        .await
        .expect("metrics text");
    text.lines()
        .filter(|l| l.starts_with("hark_webhook_attempts_total"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .map(|v| v as u64)
        .sum()
}

/// The message ids of the events the receiver answered 200.
fn delivered_messages(received: &[Received]) -> BTreeSet<String> {
    received
        .iter()
        .filter(|r| r.status == 200)
        .filter_map(|r| r.json()["data"]["message_id"].as_str().map(String::from))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_deliver_every_event_and_no_attempt_twice() {
    let url = hark_store_conformance::testing::fresh_postgres_url().await;
    let dir = tempfile::tempdir().expect("tempdir");
    // Both nodes open the secrets sealed by either: they share the master key.
    let master_key = hark_core::crypto::MasterKey::from_bytes([7; 32]).to_base64();
    let config = dir.path().join("hark.toml");
    std::fs::write(
        &config,
        format!(
            "master_key = {master_key:?}\n\n[webhooks]\nallow_private_networks = true\n\
             retry_schedule = [\"1s\", \"2s\"]\npoll_ms = 100\nmax_in_flight_per_endpoint = 8\n"
        ),
    )
    .expect("write config");
    let config = config.display().to_string();
    let tenant = Tenant::create(&url);
    let app = str_field(
        &admin(
            &url,
            &[
                "create-app",
                "--project",
                &tenant.project_id,
                "--name",
                "assistant",
            ],
        ),
        "application_id",
    );
    let receiver = Receiver::start(Arc::new(|id, before| {
        if before == 0 && fails_first(id) {
            500
        } else {
            200
        }
    }))
    .await;
    let args = ["--database", url.as_str(), "--config", config.as_str()];
    let a = Server::start("serve", &dir.path().join("a"), &args);
    let b = Server::start("serve", &dir.path().join("b"), &args);

    let created = client()
        .post(format!("{}/api/1/webhooks", a.base))
        .basic_auth(&tenant.api_key, Some(&tenant.secret_key))
        .json(&json!({
            "url": format!("{}/hook", receiver.base),
            "events": ["chat_feedback.received"],
        }))
        .send()
        .await
        .expect("POST /api/1/webhooks");
    assert_eq!(created.status(), 201, "{}", a.log());
    let endpoint = str_field(&created.json().await.expect("JSON"), "id");

    let auth = (tenant.api_key.clone(), tenant.secret_key.clone());
    let mut senders = Vec::new();
    for (node, server) in [("a", &a), ("b", &b)] {
        for sender in 0..SENDERS {
            senders.push(tokio::spawn(send(
                server.base.clone(),
                auth.clone(),
                app.clone(),
                node,
                sender,
            )));
        }
    }
    let mut acknowledged = BTreeSet::new();
    let mut refused = Vec::new();
    for sender in senders {
        for (message, status) in sender.await.expect("a sender") {
            if status == 200 {
                acknowledged.insert(message);
            } else {
                refused.push((message, status));
            }
        }
    }
    assert!(refused.is_empty(), "calls not acknowledged: {refused:?}");
    assert_eq!(acknowledged.len(), CALLS);

    let received = receiver
        .wait_for(2 * DEADLINE, |rs| {
            delivered_messages(rs).is_superset(&acknowledged)
        })
        .await;
    assert_eq!(delivered_messages(&received), acknowledged);

    // The receiver answers before the node records the attempt: wait until none is pending.
    let deliveries_path = format!("/api/1/webhooks/{endpoint}/deliveries?limit=500");
    let deadline = Instant::now() + DEADLINE;
    let deliveries = loop {
        let page = get_json(&b.base, &tenant, &deliveries_path).await;
        assert_eq!(page["next_before"], Value::Null, "more than one page");
        let list = page["deliveries"].as_array().expect("deliveries").clone();
        if list.iter().all(|d| d["status"] != "pending") {
            break list;
        }
        assert!(Instant::now() < deadline, "deliveries still pending");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(deliveries.len(), CALLS, "one delivery per event");
    // Settled: nothing more arrives after the last delivery was recorded.
    let received = receiver.received();

    // The receiver's requests per webhook-id, with the statuses it answered in order.
    let mut seen: BTreeMap<String, Vec<u16>> = BTreeMap::new();
    for r in &received {
        seen.entry(r.webhook_id.clone()).or_default().push(r.status);
    }
    let mut ids = BTreeSet::new();
    let mut retried = 0;
    for (i, d) in deliveries.iter().enumerate() {
        let event = str_field(d, "event_id");
        assert!(ids.insert(event.clone()), "two deliveries of {event}");
        assert_eq!(d["status"], "delivered", "{d}");
        // Alternate the nodes that answer: both read the same database.
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        let detail = get_json(
            base,
            &tenant,
            &format!("/api/1/webhooks/{endpoint}/deliveries/{}", d["id"]),
        )
        .await;
        let attempts = detail["attempts"].as_array().expect("attempts");
        let numbers: Vec<u64> = attempts
            .iter()
            .filter_map(|a| a["number"].as_u64())
            .collect();
        let expected: Vec<u64> = (1..=attempts.len() as u64).collect();
        assert_eq!(numbers, expected, "{detail}");
        assert_eq!(
            d["attempts"].as_u64(),
            Some(attempts.len() as u64),
            "{detail}"
        );
        let recorded: Vec<u16> = attempts
            .iter()
            .map(|a| {
                a["status"]
                    .as_u64()
                    .and_then(|s| u16::try_from(s).ok())
                    .unwrap_or(0)
            })
            .collect();
        let got = seen.get(&event).cloned().unwrap_or_default();
        assert_eq!(
            got, recorded,
            "requests the receiver got for {event} against the attempts recorded"
        );
        retried += usize::from(attempts.len() > 1);
    }
    let unknown: Vec<&String> = seen.keys().filter(|id| !ids.contains(*id)).collect();
    assert!(unknown.is_empty(), "requests for no delivery: {unknown:?}");
    assert!(
        retried > 0,
        "no first attempt failed: the retries went untested"
    );

    // Each attempt was made, and counted, by exactly one node; both made some.
    let (by_a, by_b) = (attempts_made(&a.base).await, attempts_made(&b.base).await);
    eprintln!("{CALLS} events, {retried} retried; attempts by node a: {by_a}, by node b: {by_b}");
    assert!(
        by_a > 0 && by_b > 0,
        "attempts by node a: {by_a}, by node b: {by_b}"
    );
    assert_eq!(by_a + by_b, received.len() as u64);
}
