//! Operations: probes, metrics, request ids, the request timeout and graceful shutdown.

use crate::common::{assert_error_shape, send, RawConn, TestServer};
use axum::body::Body;
use hark_server::{router, AppState, ServerConfig};
use http_body_util::BodyExt;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

#[tokio::test]
async fn probes_answer() {
    let srv = TestServer::start().await;
    let (status, r) = send(srv.http.get(srv.url("/healthz"))).await;
    assert_eq!((status, r), (StatusCode::OK, json!({"status": "ok"})));
    let (status, r) = send(srv.http.get(srv.url("/readyz"))).await;
    assert_eq!((status, r), (StatusCode::OK, json!({"status": "ready"})));
    srv.stop().await;
}

#[tokio::test]
async fn readyz_is_503_once_shutdown_begins() {
    let srv = TestServer::start().await;
    let token = CancellationToken::new();
    let app = router(AppState::new(
        srv.store.clone(),
        ServerConfig::default(),
        token.clone(),
    ));
    let get = || {
        axum::http::Request::get("/readyz")
            .body(Body::empty())
            .expect("request")
    };
    let ok = app.clone().oneshot(get()).await.expect("infallible");
    assert_eq!(ok.status(), StatusCode::OK);
    token.cancel();
    let down = app.oneshot(get()).await.expect("infallible");
    assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE);
    let bytes = down.into_body().collect().await.expect("body").to_bytes();
    let body: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    assert_eq!(body, json!({"error": "shutting down"}));
    srv.stop().await;
}

#[tokio::test]
async fn metrics_count_by_route_template() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    srv.ingest_ok(
        &t,
        json!([{"unique_id": "a", "body": "x"}, {"unique_id": "b", "body": "y"}]),
    )
    .await;
    let (status, _) = srv
        .ingest(
            &t,
            &json!({"source_id": t.source_id, "items": [{"unique_id": "c"}, {"body": "no id"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = srv.get(&t, "/api/1/items/123456").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(srv.http.get(srv.url("/no/such/path"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let text = srv.metrics().await;
    for line in [
        "hark_http_requests_total{method=\"POST\",route=\"/api/1/ai-feedback/ingest\",status=\"200\"} 2",
        "hark_http_requests_total{method=\"GET\",route=\"/api/1/items/{id}\",status=\"404\"} 1",
        "hark_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1",
        "hark_items_ingested_total 2",
        "hark_items_failed_total 2",
        "hark_http_request_duration_seconds_count{route=\"/api/1/ai-feedback/ingest\"} 2",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    assert!(!text.contains("123456"), "raw paths must not become labels");
    srv.stop().await;
}

#[tokio::test]
async fn request_ids_are_kept_or_generated_and_echoed() {
    let srv = TestServer::start().await;
    let r = srv
        .http
        .get(srv.url("/healthz"))
        .header("x-request-id", "req-abc-123")
        .send()
        .await
        .expect("sent");
    assert_eq!(r.headers()["x-request-id"], "req-abc-123");
    let r = srv.http.get(srv.url("/nope")).send().await.expect("sent");
    let generated = r.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(!generated.is_empty());
    let r = srv
        .http
        .get(srv.url("/healthz"))
        .send()
        .await
        .expect("sent");
    assert_ne!(
        r.headers()["x-request-id"].to_str().expect("ascii"),
        generated
    );
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_past_the_timeout_is_503() {
    // The body never completes, so only the timeout can end this request.
    let srv = TestServer::start_with(ServerConfig {
        request_timeout: Duration::from_millis(200),
        ..ServerConfig::default()
    })
    .await;
    let t = srv.tenant("p").await;
    let mut held = RawConn::start_chunked_ingest(srv.addr, &t).await;
    let (status, _, body) = held.read_response().await;
    assert_eq!(status, 503);
    assert_error_shape(&body);
    assert_eq!(body["error"], "request timed out");
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_the_requests_in_flight() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    let mut held = RawConn::start_chunked_ingest(srv.addr, &t).await;
    srv.wait_in_flight(1).await;

    srv.shutdown.cancel();
    // The held request still completes, and is stored.
    held.finish_chunked_ingest("during-shutdown").await;
    let (status, _, body) = held.read_response().await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ingested"], 1);
    srv.task
        .await
        .expect("server task")
        .expect("server stops cleanly");
    let items = srv
        .store
        .list_items(&t.project_id, &Default::default(), None, 10)
        .await
        .expect("list");
    assert_eq!(items.items.len(), 1);
    assert_eq!(items.items[0].unique_id, "during-shutdown");
}
