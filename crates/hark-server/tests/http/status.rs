//! Every status code of the ingest API, each with its JSON error body.

use crate::common::{
    assert_error_shape, basic_header, issue_paths, read_response, send, RawConn, TestServer, INGEST,
};
use hark_core::SourceKind;
use hark_server::ServerConfig;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

fn one_item(source_id: &str) -> Value {
    json!({"source_id": source_id, "items": [{"unique_id": "a", "body": "hello"}]})
}

#[tokio::test]
async fn bad_envelopes_are_400_with_every_issue() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    let post = || srv.authed(reqwest::Method::POST, INGEST, &t);

    // Not JSON at all, and an empty body.
    for raw in ["not json", "{\"source_id\": ", ""] {
        let (status, body) =
            send(post().header("content-type", "application/json").body(raw)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{raw:?}");
        assert_error_shape(&body);
        assert!(body["issues"].is_array(), "{body}");
    }

    // A key named twice, at any depth, is refused (not last-wins), and nothing is stored.
    let sid = t.source_id.as_str();
    for raw in [
        format!(
            r#"{{"source_id": "{sid}", "source_id": "{sid}", "items": [{{"unique_id": "d1", "body": "x"}}]}}"#
        ),
        format!(
            r#"{{"source_id": "{sid}", "items": [{{"unique_id": "d2", "body": "x", "body": "y"}}]}}"#
        ),
    ] {
        let (status, body) = send(
            post()
                .header("content-type", "application/json")
                .body(raw.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{raw}");
        assert_error_shape(&body);
        assert!(
            body["issues"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("duplicate key"),
            "{body}"
        );
    }
    assert!(srv.all_items(&t).await.is_empty());

    let many: Vec<Value> = (0..101)
        .map(|i| json!({"unique_id": format!("u{i}"), "body": "x"}))
        .collect();
    let cases = [
        (
            json!({"items": [{"unique_id": "a", "body": "x"}]}),
            vec!["source_id"],
        ),
        (json!({"source_id": sid}), vec!["items"]),
        (json!({"source_id": sid, "items": []}), vec!["items"]),
        (json!({"source_id": sid, "items": many}), vec!["items"]),
        (
            json!({"source_id": 5, "items": "x"}),
            vec!["source_id", "items"],
        ),
        (
            json!({"source_id": "", "items": {}}),
            vec!["source_id", "items"],
        ),
        (
            json!({"source_id": "s".repeat(129), "items": [{}]}),
            vec!["source_id"],
        ),
        (json!([1, 2]), vec![""]),
        (json!("text"), vec![""]),
        (json!(null), vec![""]),
    ];
    for (body, want) in cases {
        let (status, answer) = srv.ingest(&t, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_error_shape(&answer);
        assert_eq!(issue_paths(&answer), want, "{answer}");
    }
    srv.stop().await;
}

#[tokio::test]
async fn a_unique_id_repeated_in_one_request_is_merged_and_counted_once() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    let body = json!({"source_id": t.source_id, "items": [
        {"unique_id": "twice", "body": "first", "author": "Ann"},
        {"unique_id": "other", "body": "x"},
        {"unique_id": "twice", "body": "second", "conversation_parts": [{"unique_id": "r1", "body": "reply"}]},
    ]});
    let (status, answer) = srv.ingest(&t, &body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer, json!({"ingested": 2, "failed": 0, "errors": []}));
    let items = srv.all_items(&t).await;
    assert_eq!(items.len(), 2, "{items:?}");
    let twice = items
        .iter()
        .find(|i| i["unique_id"] == "twice")
        .expect("stored");
    // Applied in order: the later body wins, the earlier author stays, the part is added.
    assert_eq!(
        (twice["body"].as_str(), twice["author"].as_str()),
        (Some("second"), Some("Ann"))
    );
    assert_eq!(twice["parts_count"], 1);
    srv.stop().await;
}

#[tokio::test]
async fn invalid_items_fail_alone_with_their_fields() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    let body = json!({"source_id": t.source_id, "items": [
        {"unique_id": "ok", "body": "fine"},
        {"unique_id": "bad-email", "body": "x", "email": "nope", "url": "not a url"},
        {"body": "no id"},
        "not an object",
        {"unique_id": "long", "body": "é".repeat(20_001)},
        {"unique_id": "parts", "conversation_parts": [{"unique_id": "p1"}, 7]},
        {"unique_id": "types", "body": 5, "author": [], "created_at": "yesterday"},
    ]});
    let (status, r) = srv.ingest(&t, &body).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["ingested"], 1);
    assert_eq!(r["failed"], 6);
    let errors = r["errors"].as_array().expect("errors");
    let indices: Vec<_> = errors.iter().map(|e| e["index"].as_u64()).collect();
    assert_eq!(indices, [1, 2, 3, 4, 5, 6].map(Some));
    for e in errors {
        assert!(e["error"].as_str().is_some_and(|s| !s.is_empty()), "{e}");
        assert!(
            e["field"].as_str().is_some_and(|f| f.starts_with("items[")),
            "{e}"
        );
        assert!(!e["issues"].as_array().expect("issues").is_empty(), "{e}");
    }
    assert_eq!(errors[0]["unique_id"], "bad-email");
    assert_eq!(errors[0]["field"], "items[1].email");
    assert_eq!(issue_paths(&errors[0]), ["items[1].email", "items[1].url"]);
    assert_eq!(errors[1]["unique_id"], Value::Null);
    assert_eq!(errors[1]["field"], "items[2].unique_id");
    assert_eq!(errors[2]["field"], "items[3]");
    assert_eq!(errors[3]["field"], "items[4].body");
    assert_eq!(
        issue_paths(&errors[4]),
        [
            "items[5].conversation_parts[0].body",
            "items[5].conversation_parts[1]"
        ]
    );
    assert_eq!(
        issue_paths(&errors[5]),
        ["items[6].body", "items[6].author", "items[6].created_at"]
    );
    // Only the valid item was stored.
    let items = srv.all_items(&t).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["unique_id"], "ok");
    srv.stop().await;
}

#[tokio::test]
async fn authentication_is_401_or_403() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    let other = srv.tenant("q").await;
    let body = one_item(t.source_id.as_str());

    // 401: no credentials, or credentials that are not Basic auth.
    let (status, r) = send(srv.http.post(srv.url(INGEST)).json(&body)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error_shape(&r);
    for header in [
        "Bearer abc",
        "Basic !!!",
        "Basic",
        "Digest x=1",
        "Basic Zm9v",
    ] {
        let response = srv
            .http
            .post(srv.url(INGEST))
            .header("authorization", header)
            .json(&body)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{header}");
        assert_eq!(
            response.headers()["www-authenticate"],
            "Basic realm=\"hark\""
        );
        assert_error_shape(&response.json().await.expect("JSON"));
    }

    // 403: wrong secret, unknown key, another project's secret.
    for (user, pass) in [
        (t.api_key.as_str(), "hs_wrong"),
        ("hk_unknown", t.secret.as_str()),
        (t.api_key.as_str(), other.secret.as_str()),
        (t.api_key.as_str(), ""),
    ] {
        let (status, r) = send(
            srv.http
                .post(srv.url(INGEST))
                .header("authorization", basic_header(user, pass))
                .json(&body),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}:{pass}");
        assert_eq!(r, json!({"error": "invalid credentials"}));
    }
    assert!(srv.all_items(&t).await.is_empty());
    srv.stop().await;
}

#[tokio::test]
async fn sources_are_404_when_unknown_or_foreign_and_403_when_not_webhook() {
    let srv = TestServer::start().await;
    let a = srv.tenant("a").await;
    let b = srv.tenant("b").await;
    let import =
        hark_store::create_source(srv.store.as_ref(), &a.project_id, "csv", SourceKind::Import)
            .await
            .expect("import source");

    let (status, r) = srv.ingest(&a, &one_item("src_doesnotexist")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(r, json!({"error": "source not found"}));

    // B names A's source: the same answer as for a source that does not exist.
    let (status, r) = srv.ingest(&b, &one_item(a.source_id.as_str())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(r, json!({"error": "source not found"}));

    let (status, r) = srv.ingest(&a, &one_item(import.source_id.as_str())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_error_shape(&r);
    assert!(srv.all_items(&a).await.is_empty());
    assert!(srv.all_items(&b).await.is_empty());
    srv.stop().await;
}

#[tokio::test]
async fn content_types_other_than_json_are_415() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    let text = one_item(t.source_id.as_str()).to_string();
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut req = srv
            .authed(reqwest::Method::POST, INGEST, &t)
            .body(text.clone());
        if let Some(ct) = ct {
            req = req.header("content-type", ct);
        }
        let (status, r) = send(req).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct:?}");
        assert_error_shape(&r);
    }
    let (status, _) = send(
        srv.authed(reqwest::Method::POST, INGEST, &t)
            .header("content-type", "application/json; charset=utf-8")
            .body(text),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    srv.stop().await;
}

#[tokio::test]
async fn bodies_over_5_mb_are_413() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    let limit = hark_core::limits::MAX_BODY_BYTES;
    let auth = basic_header(&t.api_key, &t.secret);

    // Announced by Content-Length: refused before a byte of the body is sent.
    let mut conn = RawConn::connect(srv.addr).await;
    let head = format!(
        "POST {INGEST} HTTP/1.1\r\nHost: t\r\nAuthorization: {auth}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        limit + 1
    );
    conn.write(head.as_bytes()).await;
    let (status, head, body) = conn.read_response().await;
    assert_eq!(status, 413);
    assert_error_shape(&body);
    // The client may still be sending: it is told the connection closes.
    assert!(head.contains("\r\nconnection: close\r\n"), "{head}");

    // Chunked, without Content-Length: refused once the limit is crossed while reading.
    let conn = RawConn::connect(srv.addr).await;
    let (mut reader, mut writer) = conn.into_split();
    let head = format!(
        "POST {INGEST} HTTP/1.1\r\nHost: t\r\nAuthorization: {auth}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    // Written concurrently: the server may answer and close before it has read everything.
    let write = tokio::spawn(async move {
        let mut out = head.into_bytes();
        let chunk = vec![b' '; 64 * 1024];
        let mut sent = 0;
        while sent <= limit {
            out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            out.extend_from_slice(&chunk);
            out.extend_from_slice(b"\r\n");
            sent += chunk.len();
        }
        let _ = writer.write_all(&out).await;
        writer
    });
    let (status, head, body) = read_response(&mut reader).await;
    assert_eq!(status, 413);
    assert_error_shape(&body);
    assert!(head.contains("\r\nconnection: close\r\n"), "{head}");
    drop(write.await);

    srv.stop().await;
}

#[tokio::test]
async fn a_smaller_configured_limit_is_enforced() {
    let srv = TestServer::start_with(ServerConfig {
        max_body_bytes: 1024,
        ..ServerConfig::default()
    })
    .await;
    let t = srv.tenant("p").await;
    let body =
        json!({"source_id": t.source_id, "items": [{"unique_id": "a", "body": "x".repeat(2000)}]});
    let (status, r) = srv.ingest(&t, &body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        r,
        json!({"error": "request body exceeds the maximum of 1024 bytes"})
    );
    // The same limit applies to the other JSON routes.
    let (status, r) = send(
        srv.authed(reqwest::Method::POST, "/api/1/privacy/erase", &t)
            .json(&json!({"user_id": "u".repeat(2000)})),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error_shape(&r);
    srv.stop().await;
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let srv = TestServer::start().await;
    let (status, r) = send(srv.http.get(srv.url("/nope"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(r, json!({"error": "route not found"}));
    let (status, r) = send(srv.http.get(srv.url(INGEST))).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r, json!({"error": "method not allowed"}));
    srv.stop().await;
}

#[tokio::test]
async fn no_free_slot_is_503_with_retry_after() {
    let srv = TestServer::start_with(ServerConfig {
        max_concurrent_requests: 0,
        ..ServerConfig::default()
    })
    .await;
    let t = srv.tenant("p").await;
    let response = srv
        .authed(reqwest::Method::POST, INGEST, &t)
        .json(&one_item(t.source_id.as_str()))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "1");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body, json!({"error": "server overloaded, retry later"}));
    // Probes and metrics are outside the limit.
    let (status, _) = send(srv.http.get(srv.url("/healthz"))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = send(srv.http.get(srv.url("/readyz"))).await;
    assert_eq!(status, StatusCode::OK);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_beyond_the_limit_is_shed_while_one_is_held() {
    let srv = TestServer::start_with(ServerConfig {
        max_concurrent_requests: 1,
        ..ServerConfig::default()
    })
    .await;
    let t = srv.tenant("p").await;
    let mut held = RawConn::start_chunked_ingest(srv.addr, &t).await;
    srv.wait_in_flight(1).await;

    let (status, r) = srv.get(&t, "/api/1/items").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_error_shape(&r);

    held.finish_chunked_ingest("held-1").await;
    let (status, _, body) = held.read_response().await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ingested"], 1);
    // The slot is free again.
    srv.wait_in_flight(0).await;
    let (status, _) = srv.get(&t, "/api/1/items").await;
    assert_eq!(status, StatusCode::OK);
    srv.stop().await;
}
