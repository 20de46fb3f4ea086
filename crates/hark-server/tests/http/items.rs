//! hark's read-back API (listing, filters, paging, one item, deletion) and privacy erasure.

use crate::common::{assert_error_shape, issue_paths, send, TestServer};
use hark_core::analysis::{Category, Sentiment, Subject, SubjectAnalysis};
use hark_core::Timestamp;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashSet;

async fn seed(srv: &TestServer, t: &crate::common::Tenant) {
    srv.ingest_ok(
        t,
        json!([
            {"unique_id": "i1", "body": "Export to Excel please", "user_id": "u1",
             "email": "Ann@Example.com", "created_at": "2026-03-01T10:00:00Z"},
            {"unique_id": "i2", "body": "Search is slow", "user_id": "u2",
             "created_at": "2026-03-02T10:00:00Z",
             "conversation_parts": [{"unique_id": "i2-1", "body": "Also no EXCEL export",
                                     "user_id": "u1"}]},
            {"unique_id": "i3", "body": "Love it", "user_id": "u3",
             "created_at": "2026-03-03T10:00:00Z"}
        ]),
    )
    .await;
}

fn unique_ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["unique_id"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn listing_filters_and_pages() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    seed(&srv, &t).await;

    let (status, page) = srv.get(&t, "/api/1/items").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(unique_ids(&page), ["i3", "i2", "i1"], "newest first");
    assert!(
        page["items"][0].get("conversation_parts").is_none(),
        "no parts in listings"
    );
    assert_eq!(page["items"][1]["parts_count"], 1);

    for (query, want) in [
        ("user_id=u1", vec!["i1"]),
        ("email=ann%40example.com", vec!["i1"]),
        ("q=excel", vec!["i2", "i1"]),
        (
            &format!("source_id={}", t.source_id),
            vec!["i3", "i2", "i1"],
        ),
        ("source_id=src_other", vec![]),
        ("created_from=2026-03-02T00:00:00Z", vec!["i3", "i2"]),
        ("created_to=2026-03-02T10:00:00Z", vec!["i1"]),
        (
            "created_from=2026-03-02T00:00:00%2B00:00&created_to=2026-03-03T00:00:00Z",
            vec!["i2"],
        ),
        ("q=", vec!["i3", "i2", "i1"]),
    ] {
        let (status, page) = srv.get(&t, &format!("/api/1/items?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {page}");
        assert_eq!(unique_ids(&page), want, "{query}");
    }

    // Pages of 2: every item once, then no cursor.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..5 {
        let path = match &cursor {
            Some(c) => format!("/api/1/items?limit=2&cursor={c}"),
            None => "/api/1/items?limit=2".to_string(),
        };
        let (status, page) = srv.get(&t, &path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page["items"].as_array().expect("items").len() <= 2);
        seen.extend(unique_ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, ["i3", "i2", "i1"]);
    srv.stop().await;
}

#[tokio::test]
async fn bad_queries_are_400_naming_each_parameter() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    for (query, want) in [
        ("limit=0", vec!["limit"]),
        ("limit=501", vec!["limit"]),
        ("limit=ten", vec!["limit"]),
        ("cursor=abc", vec!["cursor"]),
        (
            "created_from=yesterday&created_to=2026-13-01T00:00:00Z",
            vec!["created_from", "created_to"],
        ),
        ("colour=red", vec!["colour"]),
        ("user_id=a&user_id=b", vec!["user_id"]),
        (
            "created_from=2026-03-02T00:00:00Z&created_to=2026-03-01T00:00:00Z",
            vec!["created_to"],
        ),
    ] {
        let (status, body) = srv.get(&t, &format!("/api/1/items?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_error_shape(&body);
        assert_eq!(issue_paths(&body), want, "{query}: {body}");
    }
    let (status, _) = srv.get(&t, "/api/1/items?limit=500").await;
    assert_eq!(status, StatusCode::OK);
    srv.stop().await;
}

/// Stores an analysis of each listed item of the tenant (by unique id), as the worker would.
async fn analyse(srv: &TestServer, t: &crate::common::Tenant, results: &[(&str, Category, f32)]) {
    let ids: Vec<(i64, &str)> = srv
        .all_items(t)
        .await
        .iter()
        .filter_map(|i| {
            let unique_id = i["unique_id"].as_str()?;
            let wanted = results.iter().find(|r| r.0 == unique_id)?;
            Some((i["id"].as_i64()?, wanted.0))
        })
        .collect();
    let now = Timestamp::now();
    let later = Timestamp::from_micros(now.as_micros() + 60_000_000);
    let claimed = srv
        .store
        .claim_analysis(100, now, later)
        .await
        .expect("claim");
    let analyses: Vec<SubjectAnalysis> = claimed
        .into_iter()
        .filter_map(|c| {
            let (_, unique_id) = ids.iter().find(|(id, _)| c.subject == Subject::Item(*id))?;
            let (_, category, score) = results.iter().find(|r| r.0 == *unique_id)?;
            Some(SubjectAnalysis {
                project: c.project,
                subject: c.subject,
                generation: c.generation,
                source: c.source,
                mentions: vec![],
                sentiment: Sentiment::from_score(*score),
                category: *category,
                confidence: 0.9,
            })
        })
        .collect();
    assert_eq!(analyses.len(), results.len());
    let saved = srv.store.save_analysis(analyses).await.expect("save");
    assert_eq!(saved as usize, results.len());
}

#[tokio::test]
async fn listing_filters_by_category_and_sentiment() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    seed(&srv, &t).await;
    // i3 is not analysed: it matches no analysis filter. i2 sits on the neutral band's edge.
    analyse(
        &srv,
        &t,
        &[
            ("i1", Category::Bug, -0.6),
            ("i2", Category::Bug, Sentiment::NEUTRAL_BAND),
        ],
    )
    .await;
    for (query, want) in [
        ("category=bug", vec!["i2", "i1"]),
        ("category=praise", vec![]),
        ("sentiment=negative", vec!["i1"]),
        ("sentiment=neutral", vec!["i2"]),
        ("sentiment=positive", vec![]),
        ("category=bug&sentiment=negative", vec!["i1"]),
        ("category=bug&q=slow", vec!["i2"]),
        ("category=&sentiment=", vec!["i3", "i2", "i1"]),
    ] {
        let (status, page) = srv.get(&t, &format!("/api/1/items?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {page}");
        assert_eq!(unique_ids(&page), want, "{query}");
    }
    // Pages of one through a filtered listing.
    let (_, first) = srv.get(&t, "/api/1/items?category=bug&limit=1").await;
    assert_eq!(unique_ids(&first), ["i2"]);
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let path = format!("/api/1/items?category=bug&limit=1&cursor={cursor}");
    let (_, second) = srv.get(&t, &path).await;
    assert_eq!(unique_ids(&second), ["i1"]);
    assert!(second["next_cursor"].is_null(), "{second}");

    // A person's category wins over the model's.
    let i2 = srv.item_by_unique_id(&t, "i2").await.expect("stored");
    let path = format!("/api/1/items/{}/category", i2["id"]);
    let put = srv
        .authed(Method::PUT, &path, &t)
        .json(&json!({"category": "praise"}));
    let (status, body) = send(put).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, page) = srv.get(&t, "/api/1/items?category=praise").await;
    assert_eq!(unique_ids(&page), ["i2"]);
    let (_, page) = srv.get(&t, "/api/1/items?category=bug").await;
    assert_eq!(unique_ids(&page), ["i1"]);

    for (query, path, says) in [
        ("category=Bug", "category", "unknown category \"Bug\""),
        (
            "sentiment=happy",
            "sentiment",
            "unknown sentiment \"happy\"",
        ),
    ] {
        let (status, body) = srv.get(&t, &format!("/api/1/items?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_error_shape(&body);
        assert_eq!(issue_paths(&body), [path], "{query}: {body}");
        let message = body["issues"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{query}: {message}");
    }
    srv.stop().await;
}

#[tokio::test]
async fn one_item_reads_and_deletes() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    seed(&srv, &t).await;
    let item = srv.item_by_unique_id(&t, "i2").await.expect("stored");
    assert_eq!(item["conversation_parts"][0]["unique_id"], "i2-1");
    assert_eq!(item["source_id"], t.source_id.as_str());
    let path = format!("/api/1/items/{}", item["id"]);

    for missing in ["/api/1/items/999999", "/api/1/items/abc", "/api/1/items/-1"] {
        let (status, r) = srv.get(&t, missing).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(r, json!({"error": "item not found"}));
    }

    let (status, r) = send(srv.authed(Method::DELETE, &path, &t)).await;
    assert_eq!((status, r), (StatusCode::OK, json!({"deleted": true})));
    let (status, _) = srv.get(&t, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, r) = send(srv.authed(Method::DELETE, &path, &t)).await;
    assert_eq!(
        (status, r),
        (StatusCode::NOT_FOUND, json!({"error": "item not found"}))
    );
    assert_eq!(srv.all_items(&t).await.len(), 2);

    // The read API needs credentials like the ingest API.
    let (status, _) = send(srv.http.get(srv.url(&path))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    srv.stop().await;
}

#[tokio::test]
async fn privacy_erase_reports_counts_and_removes_the_data() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    seed(&srv, &t).await;
    let erase = |body: Value| {
        send(
            srv.authed(Method::POST, "/api/1/privacy/erase", &t)
                .json(&body),
        )
    };

    // u1 wrote item i1 and a part of i2.
    let (status, r) = erase(json!({"user_id": "u1"})).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(
        r,
        json!({"items_deleted": 1, "parts_deleted": 1, "chat_feedback_deleted": 0, "chat_messages_deleted": 0})
    );
    assert!(srv.item_by_unique_id(&t, "i1").await.is_none());
    let i2 = srv.item_by_unique_id(&t, "i2").await.expect("i2 kept");
    assert_eq!(i2["parts_count"], 0);
    assert_eq!(i2["conversation_parts"], json!([]));
    let (_, page) = srv.get(&t, "/api/1/items?q=excel").await;
    assert_eq!(unique_ids(&page), Vec::<String>::new());

    // Erasing again finds nothing.
    let (_, r) = erase(json!({"user_id": "u1"})).await;
    assert_eq!(
        r,
        json!({"items_deleted": 0, "parts_deleted": 0, "chat_feedback_deleted": 0, "chat_messages_deleted": 0})
    );

    // By email, case-insensitively.
    srv.ingest_ok(
        &t,
        json!([{"unique_id": "e1", "body": "x", "email": "bob@example.com"}]),
    )
    .await;
    let (_, r) = erase(json!({"email": "BOB@example.com"})).await;
    assert_eq!(r["items_deleted"], 1);
    let left: HashSet<String> = srv
        .all_items(&t)
        .await
        .iter()
        .map(|i| i["unique_id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(left, HashSet::from(["i2".to_string(), "i3".to_string()]));

    for bad in [
        json!({}),
        json!({"user_id": "u", "email": "e@x.y"}),
        json!({"user_id": ""}),
        json!([]),
    ] {
        let (status, r) = erase(bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_error_shape(&r);
        assert!(r["issues"].is_array(), "{r}");
    }
    srv.stop().await;
}
