//! The upsert, merge and append rules of the ingest API, seen over HTTP; concurrency; and
//! isolation between projects.

use crate::common::{send, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn resending_an_item_updates_it_and_merges_fields() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    srv.ingest_ok(
        &t,
        json!([{
            "unique_id": "fb-1", "body": "first", "author": "Ann", "user_id": "u1",
            "url": "https://example.com/1", "created_at": "2026-03-01T10:00:00Z"
        }]),
    )
    .await;
    let first = srv.item_by_unique_id(&t, "fb-1").await.expect("stored");

    // Same item again, only `author` sent: it changes, everything else is kept.
    srv.ingest_ok(&t, json!([{"unique_id": "fb-1", "author": "Ann B."}]))
        .await;
    let second = srv.item_by_unique_id(&t, "fb-1").await.expect("stored");
    assert_eq!(second["id"], first["id"]);
    assert_eq!(second["author"], "Ann B.");
    assert_eq!(second["body"], "first");
    assert_eq!(second["user_id"], "u1");
    assert_eq!(second["url"], "https://example.com/1");
    assert_eq!(second["created_at"], "2026-03-01T10:00:00Z");
    assert_eq!(second["received_at"], first["received_at"]);

    // `null` counts as absent; a sent `created_at` and body overwrite.
    srv.ingest_ok(
        &t,
        json!([{"unique_id": "fb-1", "body": "second", "user_id": null,
                "created_at": "2026-03-02T10:00:00+02:00"}]),
    )
    .await;
    let third = srv.item_by_unique_id(&t, "fb-1").await.expect("stored");
    assert_eq!(third["body"], "second");
    assert_eq!(third["user_id"], "u1");
    assert_eq!(third["created_at"], "2026-03-02T08:00:00Z");

    assert_eq!(srv.all_items(&t).await.len(), 1);
    srv.stop().await;
}

#[tokio::test]
async fn parts_are_merged_and_never_deleted() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    srv.ingest_ok(
        &t,
        json!([{"unique_id": "t", "body": "ticket", "conversation_parts": [
            {"unique_id": "t-1", "body": "one", "created_at": "2026-03-01T10:00:00Z"},
            {"unique_id": "t-2", "body": "two", "created_at": "2026-03-01T11:00:00Z"}
        ]}]),
    )
    .await;
    // Re-send t-2 changed, add t-3; t-1 is not mentioned and must stay.
    srv.ingest_ok(
        &t,
        json!([{"unique_id": "t", "conversation_parts": [
            {"unique_id": "t-2", "body": "two, edited"},
            {"unique_id": "t-3", "body": "three", "created_at": "2026-03-01T12:00:00Z"}
        ]}]),
    )
    .await;
    let item = srv.item_by_unique_id(&t, "t").await.expect("stored");
    assert_eq!(item["body"], "ticket");
    assert_eq!(item["parts_count"], 3);
    let parts = item["conversation_parts"].as_array().expect("parts");
    let ids: Vec<_> = parts.iter().map(|p| p["unique_id"].clone()).collect();
    assert_eq!(ids, [json!("t-1"), json!("t-2"), json!("t-3")]);
    assert_eq!(parts[1]["body"], "two, edited");
    assert_eq!(parts[1]["created_at"], "2026-03-01T11:00:00Z");
    srv.stop().await;
}

#[tokio::test]
async fn a_part_owned_by_another_item_fails_only_that_item() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    srv.ingest_ok(
        &t,
        json!([{"unique_id": "a", "body": "a", "conversation_parts": [
            {"unique_id": "shared", "body": "belongs to a"}
        ]}]),
    )
    .await;
    let (status, r) = srv
        .ingest(
            &t,
            &json!({"source_id": t.source_id, "items": [
                {"unique_id": "b", "body": "b", "conversation_parts": [
                    {"unique_id": "b-1", "body": "fine"},
                    {"unique_id": "shared", "body": "stolen?"}
                ]},
                {"unique_id": "c", "body": "c"}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["ingested"], 1);
    assert_eq!(r["failed"], 1);
    let e = &r["errors"][0];
    assert_eq!(e["unique_id"], "b");
    assert_eq!(e["index"], 0);
    assert_eq!(e["field"], "items[0].conversation_parts[1].unique_id");
    assert!(
        e["error"]
            .as_str()
            .is_some_and(|s| s.contains("another item")),
        "{e}"
    );
    // b wrote nothing, c is stored, a keeps its part.
    assert!(srv.item_by_unique_id(&t, "b").await.is_none());
    assert!(srv.item_by_unique_id(&t, "c").await.is_some());
    assert_eq!(srv.part_ids(&t, "a").await, ["shared"]);
    let a = srv.item_by_unique_id(&t, "a").await.expect("stored");
    assert_eq!(a["conversation_parts"][0]["body"], "belongs to a");
    srv.stop().await;
}

#[tokio::test]
async fn a_new_item_without_body_or_parts_fails() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    let (status, r) = srv
        .ingest(
            &t,
            &json!({"source_id": t.source_id, "items": [
                {"unique_id": "ok", "body": "x"},
                {"unique_id": "empty", "author": "nobody"}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["ingested"], 1);
    assert_eq!(r["failed"], 1);
    assert_eq!(r["errors"][0]["unique_id"], "empty");
    assert_eq!(r["errors"][0]["index"], 1);
    assert!(r["errors"][0]["field"]
        .as_str()
        .is_some_and(|f| f.starts_with("items[1]")));
    assert!(srv.item_by_unique_id(&t, "empty").await.is_none());
    // Once the item exists, sending it without a body is an update.
    srv.ingest_ok(&t, json!([{"unique_id": "ok", "author": "later"}]))
        .await;
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_upserts_of_one_item_make_one_item_with_the_union_of_parts() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    for round in 0..5 {
        let uid = format!("race-{round}");
        let body = |parts: &[&str]| -> Value {
            let parts: Vec<Value> = parts
                .iter()
                .map(|p| json!({"unique_id": format!("{uid}-{p}"), "body": p}))
                .collect();
            json!({"source_id": t.source_id, "items": [
                {"unique_id": uid, "body": "raced", "conversation_parts": parts}
            ]})
        };
        let (a, b) = (body(&["1", "2"]), body(&["2", "3"]));
        let ((sa, ra), (sb, rb)) = tokio::join!(srv.ingest(&t, &a), srv.ingest(&t, &b));
        assert_eq!((sa, sb), (StatusCode::OK, StatusCode::OK));
        assert_eq!(ra, json!({"ingested": 1, "failed": 0, "errors": []}));
        assert_eq!(rb, json!({"ingested": 1, "failed": 0, "errors": []}));
        let mut ids = srv.part_ids(&t, &uid).await;
        ids.sort();
        assert_eq!(
            ids,
            [format!("{uid}-1"), format!("{uid}-2"), format!("{uid}-3")]
        );
    }
    let items = srv.all_items(&t).await;
    assert_eq!(items.len(), 5, "one item per raced unique_id");
    srv.stop().await;
}

#[tokio::test]
async fn projects_cannot_touch_each_others_data() {
    let srv = TestServer::start().await;
    let a = srv.tenant("a").await;
    let b = srv.tenant("b").await;
    srv.ingest_ok(
        &a,
        json!([{"unique_id": "secret-a", "body": "only for a", "user_id": "shared-user",
                "email": "shared@example.com",
                "conversation_parts": [{"unique_id": "secret-a-1", "body": "reply"}]}]),
    )
    .await;
    let item = srv.item_by_unique_id(&a, "secret-a").await.expect("stored");
    let path = format!("/api/1/items/{}", item["id"]);

    // Read, list, filter by A's source, delete, erase, ingest: nothing reaches A's data.
    let (status, r) = srv.get(&b, &path).await;
    assert_eq!(
        (status, r),
        (StatusCode::NOT_FOUND, json!({"error": "item not found"}))
    );
    assert!(srv.all_items(&b).await.is_empty());
    let (status, r) = srv
        .get(&b, &format!("/api/1/items?source_id={}", a.source_id))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(r["items"], json!([]));
    let (status, _) = send(srv.authed(reqwest::Method::DELETE, &path, &b)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for subject in [
        json!({"user_id": "shared-user"}),
        json!({"email": "shared@example.com"}),
    ] {
        let (status, r) = send(
            srv.authed(reqwest::Method::POST, "/api/1/privacy/erase", &b)
                .json(&subject),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            r,
            json!({"items_deleted": 0, "parts_deleted": 0, "chat_feedback_deleted": 0, "chat_messages_deleted": 0})
        );
    }
    let (status, _) = srv
        .ingest(
            &b,
            &json!({"source_id": a.source_id, "items": [{"unique_id": "secret-a", "body": "overwrite"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // B's own item with the same unique_id lives in B's source, apart from A's.
    srv.ingest_ok(&b, json!([{"unique_id": "secret-a", "body": "b's own"}]))
        .await;

    let still = srv
        .item_by_unique_id(&a, "secret-a")
        .await
        .expect("A's item remains");
    assert_eq!(still["body"], "only for a");
    assert_eq!(still["parts_count"], 1);
    let (status, _) = srv.get(&a, &path).await;
    assert_eq!(status, StatusCode::OK);
    srv.stop().await;
}
