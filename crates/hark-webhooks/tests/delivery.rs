//! Delivery attempts against real receivers on 127.0.0.1: an axum server with one route per
//! behaviour, and a raw TCP server for an endless response body.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use bytes::Bytes;
use hark_webhooks::{
    verify, webhook_headers, AttemptOutcome, Deliverer, DeliveryConfig, Refusal, RetryReason,
    UrlError, Verdict, WebhookSecret,
};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the receiver saw: (path, headers, body) of each request.
type Seen = Arc<Mutex<Vec<(String, HeaderMap, Bytes)>>>;

async fn ok(State(seen): State<Seen>, headers: HeaderMap, body: Bytes) -> &'static str {
    if let Ok(mut s) = seen.lock() {
        s.push(("/ok".to_string(), headers, body));
    }
    "thanks"
}

async fn receiver() -> (SocketAddr, Seen) {
    let seen: Seen = Arc::default();
    let app = Router::new()
        .route("/ok", post(ok))
        .route("/no-content", post(|| async { StatusCode::NO_CONTENT }))
        .route(
            "/fail",
            post(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
        )
        .route(
            "/gone",
            post(|| async { (StatusCode::GONE, "endpoint removed") }),
        )
        .route(
            "/redirect",
            post(|| async { (StatusCode::FOUND, [("location", "/ok")], "moved").into_response() }),
        )
        .route(
            "/slow",
            post(|| async {
                // Never answers; the client's timeout ends the attempt.
                std::future::pending::<()>().await;
                "late"
            }),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a port");
    let addr = listener.local_addr().expect("bound address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, seen)
}

fn deliverer(allow_private_networks: bool) -> Deliverer {
    Deliverer::new(DeliveryConfig {
        timeout: Duration::from_millis(500),
        allow_private_networks,
        ..DeliveryConfig::default()
    })
    .expect("client builds")
}

async fn post_to(d: &Deliverer, url: &str) -> AttemptOutcome {
    let no_headers: &[(&str, &str)] = &[];
    d.attempt(url, no_headers, Bytes::from_static(b"{}")).await
}

#[tokio::test]
async fn a_2xx_is_delivered_with_the_signed_headers() {
    let (addr, seen) = receiver().await;
    let secret = WebhookSecret::generate();
    let body = Bytes::from_static(
        br#"{"type":"theme.created","timestamp":"2026-03-15T10:30:00Z","data":{}}"#,
    );
    let (id, ts) = ("msg_test", 1_773_570_600);
    let headers = webhook_headers(&[&secret], id, ts, &body);
    let d = deliverer(true);
    let out = d
        .attempt(&format!("http://{addr}/ok"), &headers, body.clone())
        .await;
    assert!(out.verdict.is_delivered(), "{out:?}");
    assert_eq!(out.status, Some(200));
    assert_eq!(out.excerpt, "thanks");
    assert_eq!(out.response_bytes, 6);
    assert!(out.latency < Duration::from_millis(500));

    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 1);
    let (_, got, got_body) = &seen[0];
    assert_eq!(got_body, &body);
    let header = |n: &str| got.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert_eq!(header("content-type"), "application/json");
    assert!(header("user-agent").starts_with("hark-webhooks/"));
    assert_eq!(header("webhook-id"), id);
    assert!(verify(
        &secret,
        header("webhook-id"),
        header("webhook-timestamp").parse().expect("seconds"),
        got_body,
        header("webhook-signature")
    ));

    let out = post_to(&d, &format!("http://{addr}/no-content")).await;
    assert!(out.verdict.is_delivered(), "{out:?}");
    assert_eq!(out.status, Some(204));
    assert_eq!(out.excerpt, "");
}

#[tokio::test]
async fn a_500_is_retried_with_its_body_as_the_excerpt() {
    let (addr, _) = receiver().await;
    let out = post_to(&deliverer(true), &format!("http://{addr}/fail")).await;
    assert!(
        matches!(out.verdict, Verdict::Retry(RetryReason::Status(500))),
        "{out:?}"
    );
    assert_eq!(out.status, Some(500));
    assert_eq!(out.excerpt, "boom");
}

#[tokio::test]
async fn a_410_disables_the_endpoint() {
    let (addr, _) = receiver().await;
    let out = post_to(&deliverer(true), &format!("http://{addr}/gone")).await;
    assert!(matches!(out.verdict, Verdict::Gone), "{out:?}");
    assert!(!out.verdict.is_retryable());
    assert_eq!(out.status, Some(410));
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let (addr, seen) = receiver().await;
    let out = post_to(&deliverer(true), &format!("http://{addr}/redirect")).await;
    assert!(
        matches!(out.verdict, Verdict::Retry(RetryReason::Redirect(302))),
        "{out:?}"
    );
    assert_eq!(out.status, Some(302));
    assert!(
        seen.lock().expect("lock").is_empty(),
        "/ok must not be called"
    );
}

#[tokio::test]
async fn a_slow_receiver_times_out() {
    let (addr, _) = receiver().await;
    let out = post_to(&deliverer(true), &format!("http://{addr}/slow")).await;
    assert!(
        matches!(out.verdict, Verdict::Retry(RetryReason::Timeout(_))),
        "{out:?}"
    );
    assert_eq!(out.status, None);
    assert!(
        out.latency >= Duration::from_millis(450),
        "{:?}",
        out.latency
    );
}

/// A server that answers every connection with 200 and an endless body.
async fn endless_receiver() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a port");
    let addr = listener.local_addr().expect("bound address");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let head =
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n";
                if socket.write_all(head).await.is_err() {
                    return;
                }
                let chunk = vec![b'x'; 16 * 1024];
                // Until the client hangs up.
                while socket.write_all(&chunk).await.is_ok() {}
            });
        }
    });
    addr
}

#[tokio::test]
async fn only_64_kib_of_a_huge_body_is_read_and_1_kib_kept() {
    let addr = endless_receiver().await;
    let out = post_to(&deliverer(true), &format!("http://{addr}/")).await;
    assert!(out.verdict.is_delivered(), "{out:?}");
    assert_eq!(out.response_bytes, 64 * 1024);
    assert_eq!(out.excerpt, "x".repeat(1024));
}

#[tokio::test]
async fn loopback_is_refused_unless_private_networks_are_allowed() {
    let (addr, seen) = receiver().await;
    let port = addr.port();
    let d = deliverer(false);
    for url in [
        format!("http://127.0.0.1:{port}/ok"),
        format!("http://localhost:{port}/ok"),
        format!("http://[::1]:{port}/ok"),
        format!("http://[::ffff:127.0.0.1]:{port}/ok"),
    ] {
        let out = post_to(&d, &url).await;
        assert!(
            matches!(
                out.verdict,
                Verdict::Refused(Refusal::Url(UrlError::Forbidden { .. }))
            ),
            "{url}: {out:?}"
        );
        assert!(!out.verdict.is_retryable());
        assert_eq!(out.status, None);
    }
    assert!(
        seen.lock().expect("lock").is_empty(),
        "nothing may reach the receiver"
    );

    let out = post_to(&deliverer(true), &format!("http://localhost:{port}/ok")).await;
    assert!(out.verdict.is_delivered(), "{out:?}");
}

#[tokio::test]
async fn bad_urls_and_headers_are_refused_and_connection_errors_retried() {
    let d = deliverer(true);
    for url in [
        "not a url",
        "ftp://example.com/",
        "https://u:p@example.com/",
        "file:///etc/passwd",
    ] {
        let out = post_to(&d, url).await;
        assert!(
            matches!(out.verdict, Verdict::Refused(Refusal::Url(_))),
            "{url}: {out:?}"
        );
    }
    let out = d
        .attempt("http://127.0.0.1:9/", &[("bad header", "x")], Bytes::new())
        .await;
    assert!(
        matches!(out.verdict, Verdict::Refused(Refusal::InvalidHeader(_))),
        "{out:?}"
    );
    let out = d
        .attempt(
            "http://127.0.0.1:9/",
            &[("x-ok", "line\nbreak")],
            Bytes::new(),
        )
        .await;
    assert!(
        matches!(out.verdict, Verdict::Refused(Refusal::InvalidHeader(_))),
        "{out:?}"
    );

    // A port nobody listens on: bound, then released.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let out = post_to(&d, &format!("http://{closed}/")).await;
    match out.verdict {
        Verdict::Retry(reason @ RetryReason::Transport(_)) => {
            let text = reason.to_string();
            assert!(text.starts_with("the request failed: "), "{text}");
        }
        other => panic!("expected a transport failure, got {other:?}"),
    }
}
