//! One caller cannot hold the server: a body trickled slower than the minimum pace is cut with
//! 408 (in each surface's shape), and a credential's requests in progress are capped, so a
//! project — or anyone naming its key — takes only its own share while others are served.

use crate::chat_support::{chat_tenant, feedback_path, id, issue_key, master, post_signed, Signer};
use crate::common::{basic_header, RawConn, TestServer, INGEST};
use hark_server::{BodyPace, ChatConfig, ServerConfig};
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

/// Bound on waiting for what the server must do by itself (guards against a hang only).
const HANG: Duration = Duration::from_secs(20);

/// Sends a request head announcing `length` bytes of JSON and `sent` of them.
async fn partial_post(
    srv: &TestServer,
    path: &str,
    auth: &str,
    length: usize,
    sent: &[u8],
) -> RawConn {
    let mut conn = RawConn::connect(srv.addr).await;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: t\r\nAuthorization: {auth}\r\n\
         Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    );
    conn.write(head.as_bytes()).await;
    conn.write(sent).await;
    conn
}

/// A half-sent request that is in progress: sent again until the server has not answered it
/// within 300 ms (a request of the test's own may have held a slot when it arrived).
async fn hold(srv: &TestServer, path: &str, auth: &str) -> RawConn {
    let deadline = Instant::now() + HANG;
    loop {
        let mut conn = partial_post(srv, path, auth, 100, b"{").await;
        let answered = tokio::time::timeout(Duration::from_millis(300), conn.read_response());
        if answered.await.is_err() {
            return conn;
        }
        assert!(
            Instant::now() < deadline,
            "a held request was never in progress"
        );
    }
}

#[tokio::test]
async fn a_body_slower_than_the_pace_is_408_in_each_shape() {
    let srv = TestServer::start_with(ServerConfig {
        body_pace: BodyPace {
            bytes_per_sec: 100,
            grace: Duration::from_millis(300),
        },
        ..ServerConfig::default()
    })
    .await;
    let t = chat_tenant(&srv, "slow", false).await;
    let auth = basic_header(&t.tenant.api_key, &t.tenant.secret);

    let mut conn = partial_post(&srv, INGEST, &auth, 1000, b"{").await;
    let (status, head, body) = tokio::time::timeout(HANG, conn.read_response())
        .await
        .expect("answered");
    assert_eq!(status, 408, "{head}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or("")
            .contains("slower than 100 bytes"),
        "{body}"
    );
    assert!(head.contains("\r\nconnection: close\r\n"), "{head}");

    // The AWS surface (Basic auth is accepted there too): its error shape.
    let path = feedback_path(t.app_id(), &id('c'), &id('m'));
    let mut conn = partial_post(&srv, &path, &auth, 1000, b"{").await;
    let (status, head, body) = tokio::time::timeout(HANG, conn.read_response())
        .await
        .expect("answered");
    assert_eq!(status, 408, "{head}");
    assert!(
        head.contains("\r\nx-amzn-errortype: requesttimeoutexception"),
        "{head}"
    );
    assert_eq!(body["__type"], "RequestTimeoutException", "{body}");

    // A body at pace is read whole.
    let (status, _) = srv
        .ingest(
            &t.tenant,
            &json!({"source_id": t.tenant.source_id,
                                    "items": [{"unique_id": "ok", "body": "fine"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    srv.stop().await;
}

#[tokio::test]
async fn a_key_with_every_slot_held_is_429_while_others_are_served() {
    let srv = TestServer::start_with(ServerConfig {
        max_concurrent_requests_per_key: 2,
        // No minimum pace: the held requests stay in progress for as long as the test wants.
        body_pace: BodyPace {
            bytes_per_sec: 0,
            ..BodyPace::default()
        },
        ..ServerConfig::default()
    })
    .await;
    let a = srv.tenant("a").await;
    let b = srv.tenant("b").await;
    let auth_a = basic_header(&a.api_key, &a.secret);
    let held: Vec<RawConn> = vec![
        hold(&srv, INGEST, &auth_a).await,
        hold(&srv, INGEST, &auth_a).await,
    ];
    let one = |t: &crate::common::Tenant, uid: &str| json!({"source_id": t.source_id, "items": [{"unique_id": uid, "body": "x"}]});
    // Once both are in progress, A's next request is refused at once...
    let deadline = Instant::now() + HANG;
    loop {
        let r = srv
            .authed(reqwest::Method::POST, INGEST, &a)
            .json(&one(&a, "a-1"))
            .send()
            .await
            .expect("answered");
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(r.headers()["retry-after"], "1");
            let body: serde_json::Value = r.json().await.expect("JSON");
            assert!(
                body["error"].as_str().unwrap_or("").contains("in progress"),
                "{body}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "A was never refused: {}",
            r.status()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // ...while B is served.
    let (status, _) = srv.ingest(&b, &one(&b, "b-1")).await;
    assert_eq!(status, StatusCode::OK);
    // A's slots come back when its requests end.
    drop(held);
    let deadline = Instant::now() + HANG;
    loop {
        let (status, _) = srv.ingest(&a, &one(&a, "a-2")).await;
        if status == StatusCode::OK {
            break;
        }
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert!(Instant::now() < deadline, "A's slots never came back");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stored: Vec<String> = srv
        .all_items(&a)
        .await
        .iter()
        .map(|i| i["unique_id"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(stored.contains(&"a-2".to_string()), "{stored:?}");
    srv.stop().await;
}

#[tokio::test]
async fn a_projects_access_keys_share_one_budget() {
    let srv = TestServer::start_with(ServerConfig {
        max_concurrent_requests_per_key: 2,
        body_pace: BodyPace {
            bytes_per_sec: 0,
            ..BodyPace::default()
        },
        chat: ChatConfig {
            master_key: master(),
            ..ChatConfig::default()
        },
        ..ServerConfig::default()
    })
    .await;
    let t = chat_tenant(&srv, "keys", false).await;
    let (second_key, second_secret) = issue_key(&srv, &t.tenant).await;
    let other = chat_tenant(&srv, "other", false).await;
    let path = feedback_path(t.app_id(), &id('c'), &id('m'));
    // One half-sent request from each key: the signature cannot be checked yet, the key is
    // known, so each holds its key's slot and the project's.
    let sigv4 = |key: &str| {
        format!(
            "AWS4-HMAC-SHA256 Credential={key}/20260101/us-east-1/qbusiness/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature={}",
            "0".repeat(64)
        )
    };
    let vote = r#"{"messageUsefulness": {"usefulness": "USEFUL", "submittedAt": 1767225600}}"#;
    // Both keys known to the server (its key cache), so a held request takes its slots as soon
    // as its head is in.
    for signer in [Signer::of(&t), Signer::key(&second_key, &second_secret)] {
        let a = post_signed(&srv, &path, vote, Some(&signer)).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    }
    let mut held = Vec::new();
    for key in [&t.key_id, &second_key] {
        held.push(hold(&srv, &path, &sigv4(key)).await);
    }
    // The first key has one request in progress, under its own cap of 2, but the project has
    // two: refused before its body is read.
    let deadline = Instant::now() + HANG;
    loop {
        let a = post_signed(&srv, &path, vote, Some(&Signer::of(&t))).await;
        if a.status == StatusCode::TOO_MANY_REQUESTS {
            a.assert_aws_error(StatusCode::TOO_MANY_REQUESTS, "ThrottlingException");
            break;
        }
        assert!(Instant::now() < deadline, "never refused: {}", a.text);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Another project is served.
    let other_path = feedback_path(other.app_id(), &id('c'), &id('m'));
    let a = post_signed(&srv, &other_path, vote, Some(&Signer::of(&other))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    drop(held);
    let deadline = Instant::now() + HANG;
    loop {
        let signer = Signer::key(&second_key, &second_secret);
        let a = post_signed(&srv, &path, vote, Some(&signer)).await;
        if a.status == StatusCode::OK {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the project's slots never came back: {}",
            a.text
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    srv.stop().await;
}
