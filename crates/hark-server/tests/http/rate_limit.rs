//! Per-project rate limiting over HTTP: a project over its bucket gets 429 with `Retry-After`
//! and a JSON body, on ingest and read routes alike, while other projects are still served.
//! The rate is so small that no token comes back during the test, so nothing depends on timing.

use crate::common::{send, TestServer, INGEST};
use hark_core::ItemFilter;
use hark_server::{RateLimit, ServerConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn item(source_id: &str, unique_id: &str) -> Value {
    json!({"source_id": source_id, "items": [{"unique_id": unique_id, "body": "hello"}]})
}

#[tokio::test]
async fn a_project_over_its_burst_gets_429_and_others_are_served() {
    let srv = TestServer::start_with(ServerConfig {
        rate_limit: Some(RateLimit {
            requests_per_second: 0.001,
            burst: 2,
        }),
        ..ServerConfig::default()
    })
    .await;
    let a = srv.tenant("a").await;
    let b = srv.tenant("b").await;

    // The burst: an ingest and a read both take a token.
    srv.ingest_ok(&a, json!([{"unique_id": "a1", "body": "first"}]))
        .await;
    let (status, _) = srv.get(&a, "/api/1/items").await;
    assert_eq!(status, StatusCode::OK);

    // The third request is refused, before its body is looked at.
    let response = srv
        .authed(reqwest::Method::POST, INGEST, &a)
        .json(&item(a.source_id.as_str(), "a2"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .expect("ASCII header")
        .parse()
        .expect("whole seconds");
    // One token at 0.001/s takes at most 1000 s to come back.
    assert!((1..=1000).contains(&retry_after), "{retry_after}");
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body, json!({"error": "rate limit exceeded"}));

    // The read API shares the bucket.
    let (status, body) = srv.get(&a, "/api/1/items").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body, json!({"error": "rate limit exceeded"}));

    // Another project has its own bucket.
    srv.ingest_ok(&b, json!([{"unique_id": "b1", "body": "other"}]))
        .await;
    let (status, _) = srv.get(&b, "/api/1/items").await;
    assert_eq!(status, StatusCode::OK);

    // Wrong credentials are still 403, not 429: authentication comes first.
    let (status, _) = send(
        srv.http
            .get(srv.url("/api/1/items"))
            .basic_auth(&a.api_key, Some("wrong")),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Nothing of the refused request was stored (asked of the store: A's API is limited).
    let page = srv
        .store
        .list_items(&a.project_id, &ItemFilter::default(), None, 500)
        .await
        .expect("list items");
    let ids: Vec<_> = page.items.iter().map(|i| i.unique_id.as_str()).collect();
    assert_eq!(ids, ["a1"]);

    // 429s are counted like any other answer.
    let metrics = srv.metrics().await;
    assert!(
        metrics.contains(
            "hark_http_requests_total{method=\"POST\",route=\"/api/1/ai-feedback/ingest\",status=\"429\"} 1"
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            "hark_http_requests_total{method=\"GET\",route=\"/api/1/items\",status=\"429\"} 1"
        ),
        "{metrics}"
    );
    srv.stop().await;
}

#[tokio::test]
async fn without_a_rate_limit_requests_are_not_counted_against_a_bucket() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    for i in 0..20 {
        let (status, body) = srv.get(&t, "/api/1/items").await;
        assert_eq!(status, StatusCode::OK, "request {i}: {body}");
    }
    srv.stop().await;
}
