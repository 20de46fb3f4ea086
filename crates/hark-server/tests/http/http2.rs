//! HTTP/2 with prior knowledge (h2c) on the same port as HTTP/1.1 — what the AWS SDK for
//! JavaScript v3 sends by default — and the connection limits that keep idle or half-open
//! sockets from holding the server.

use crate::common::{RawConn, TestServer, INGEST};
use hark_server::{ConnectionLimits, ServerConfig};
use reqwest::{StatusCode, Version};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::AsyncReadExt;

fn h2c() -> reqwest::Client {
    reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .expect("HTTP/2 client")
}

#[tokio::test]
async fn h2c_and_http1_share_the_port() {
    let srv = TestServer::start().await;
    let t = srv.tenant("h2").await;
    let client = h2c();
    let r = client.get(srv.url("/healthz")).send().await.expect("h2c");
    assert_eq!((r.version(), r.status()), (Version::HTTP_2, StatusCode::OK));

    let body = json!({"source_id": t.source_id.as_str(),
                      "items": [{"unique_id": "h2-1", "body": "sent over HTTP/2"}]});
    let r = client
        .post(srv.url(INGEST))
        .basic_auth(&t.api_key, Some(&t.secret))
        .json(&body)
        .send()
        .await
        .expect("h2c ingest");
    assert_eq!(r.version(), Version::HTTP_2);
    assert_eq!(r.status(), StatusCode::OK);
    let answer: Value = r.json().await.expect("JSON");
    assert_eq!(answer, json!({"ingested": 1, "failed": 0, "errors": []}));
    // Read back over HTTP/1.1, on the same port.
    let item = srv.item_by_unique_id(&t, "h2-1").await.expect("stored");
    assert_eq!(item["body"], "sent over HTTP/2");

    // Errors keep their shape over HTTP/2.
    let r = client
        .get(srv.url("/api/1/items"))
        .basic_auth(&t.api_key, Some("wrong"))
        .send()
        .await
        .expect("h2c");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let error: Value = r.json().await.expect("JSON error");
    assert!(error["error"].is_string(), "{error}");
    let r = client
        .post(srv.url("/applications/x/conversations/y/messages/z/feedback"))
        .send()
        .await
        .expect("h2c");
    assert!(r.headers().contains_key("x-amzn-errortype"), "{r:?}");
    srv.stop().await;
}

#[tokio::test]
async fn more_requests_than_streams_on_one_connection_all_succeed() {
    let srv = TestServer::start().await;
    let t = srv.tenant("streams").await;
    let client = h2c();
    let max = ConnectionLimits::default().http2_max_concurrent_streams as usize;
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..max + 72 {
        // Clones share one connection: the streams beyond the limit wait for a free one.
        let req = client
            .get(srv.url("/api/1/items?limit=1"))
            .basic_auth(&t.api_key, Some(&t.secret));
        calls.spawn(async move { req.send().await.map(|r| (r.version(), r.status())) });
    }
    while let Some(answer) = calls.join_next().await {
        let answer = answer.expect("joined").expect("answered");
        assert_eq!(answer, (Version::HTTP_2, StatusCode::OK));
    }
    srv.stop().await;
}

fn quick_header_timeout() -> ServerConfig {
    ServerConfig {
        connections: ConnectionLimits {
            header_read_timeout: Duration::from_millis(300),
            ..ConnectionLimits::default()
        },
        ..ServerConfig::default()
    }
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let srv = TestServer::start_with(quick_header_timeout()).await;
    let mut conn = RawConn::connect(srv.addr).await;
    conn.write(b"GET /healthz HTTP/1.1\r\nHost: te").await;
    let (mut read, _write) = conn.into_split();
    let mut rest = Vec::new();
    // The bound only guards against a hang: the server closes the socket after its timeout.
    let closed = tokio::time::timeout(Duration::from_secs(20), read.read_to_end(&mut rest)).await;
    assert!(
        closed.is_ok(),
        "the half-sent request still holds its connection"
    );
    srv.stop().await;
}

#[tokio::test]
async fn idle_and_half_open_connections_do_not_hold_a_graceful_stop() {
    let srv = TestServer::start_with(quick_header_timeout()).await;
    let mut idle = RawConn::connect(srv.addr).await;
    idle.write(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        .await;
    let (status, _, _) = idle.read_response().await;
    assert_eq!(status, 200);
    let mut partial = RawConn::connect(srv.addr).await;
    partial.write(b"GET /healthz HTTP/1.1\r\nHost:").await;
    let _silent = RawConn::connect(srv.addr).await;
    let _h2_idle = {
        let client = h2c();
        let r = client.get(srv.url("/healthz")).send().await.expect("h2c");
        assert_eq!(r.status(), StatusCode::OK);
        client
    };
    // The bound only guards against a hang (before, such a stop never finished).
    tokio::time::timeout(Duration::from_secs(20), srv.stop())
        .await
        .expect("the graceful stop finished with idle and half-open connections open");
}
