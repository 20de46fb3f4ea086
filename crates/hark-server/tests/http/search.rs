//! `GET /api/1/search` and `GET /api/1/items/{id}/similar` with the real model: meaning finds
//! what words miss, filters narrow, paging is consistent, bad queries are refused in the
//! documented shape, and another project's feedback never appears.

use crate::common::{assert_error_shape, issue_paths, Tenant, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The `unique_id`s of the results, best first.
fn unique_ids(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results: {body}"))
        .iter()
        .map(|r| {
            r["item"]["unique_id"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// Feedback about signing in (in other words than the query), and unrelated feedback.
async fn corpus(srv: &TestServer, t: &Tenant) {
    srv.ingest_ok(
        t,
        json!([
            {"unique_id": "login-1", "user_id": "u1",
             "body": "Login fails every time I enter my password, the app just spins forever."},
            {"unique_id": "login-2", "user_id": "u2",
             "body": "Since the last update I am unable to sign in to my account."},
            {"unique_id": "dark", "user_id": "u3",
             "body": "Please add a dark mode, the white screen hurts my eyes at night."},
            {"unique_id": "price", "user_id": "u4",
             "body": "The subscription is far too expensive for what it offers."},
            {"unique_id": "export", "user_id": "u5",
             "body": "Exporting a large report to CSV crashes the whole app."},
            {"unique_id": "praise", "user_id": "u6",
             "body": "Lovely design and the support team answered within minutes, thank you!"}
        ]),
    )
    .await;
    srv.wait_analysed(t).await;
}

#[tokio::test]
async fn meaning_finds_what_the_words_miss_and_stays_in_the_project() {
    let Some(srv) = TestServer::start_analysing().await else {
        return;
    };
    let t = srv.tenant("search").await;
    let other = srv.tenant("search-other").await;
    srv.ingest_ok(
        &other,
        json!([{"unique_id": "other-login", "body": "I can't log in to my account at all."}]),
    )
    .await;
    srv.wait_analysed(&other).await;
    corpus(&srv, &t).await;

    let (status, body) = srv.get(&t, "/api/1/search?q=can%27t%20log%20in").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["mode"], "hybrid", "{body}");
    let ids = unique_ids(&body);
    assert!(!ids.is_empty(), "{body}");
    let top: Vec<&str> = ids.iter().take(2).map(String::as_str).collect();
    assert!(
        top.contains(&"login-1") && top.contains(&"login-2"),
        "the sign-in feedback should rank first: {ids:?}"
    );
    assert!(!ids.iter().any(|u| u == "other-login"), "{ids:?}");
    let first = &body["results"][0];
    let similarity = first["similarity"].as_f64().expect("a similarity");
    assert!(similarity > 0.35 && similarity <= 1.0, "{first}");
    assert_eq!(first["keyword"], false, "no item has the words: {first}");
    assert!(first["mention"].is_string(), "{first}");

    // The other project sees only its own.
    let (status, body) = srv.get(&other, "/api/1/search?q=sign%20in").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(unique_ids(&body), vec!["other-login".to_string()], "{body}");

    // Words that occur literally are marked and rank first.
    let (status, body) = srv.get(&t, "/api/1/search?q=dark%20mode").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(unique_ids(&body)[0], "dark", "{body}");
    assert_eq!(body["results"][0]["keyword"], true, "{body}");

    // Filters narrow the results.
    let (status, body) = srv
        .get(&t, "/api/1/search?q=can%27t%20log%20in&user_id=u2")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(unique_ids(&body), vec!["login-2".to_string()], "{body}");

    // Pages of one result follow the order of the whole list, without repeats.
    let (_, whole) = srv.get(&t, "/api/1/search?q=can%27t%20log%20in").await;
    let whole = unique_ids(&whole);
    let mut paged = Vec::new();
    let mut offset = Some(0);
    while let Some(o) = offset {
        let (status, page) = srv
            .get(
                &t,
                &format!("/api/1/search?q=can%27t%20log%20in&limit=1&offset={o}"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        paged.extend(unique_ids(&page));
        offset = page["next_offset"].as_u64();
        assert!(paged.len() <= whole.len(), "{paged:?} vs {whole:?}");
    }
    assert_eq!(paged, whole);
    srv.stop().await;
}

#[tokio::test]
async fn similar_feedback_is_by_meaning_and_never_the_item_itself() {
    let Some(srv) = TestServer::start_analysing().await else {
        return;
    };
    let t = srv.tenant("similar").await;
    let other = srv.tenant("similar-other").await;
    srv.ingest_ok(
        &other,
        json!([{"unique_id": "other-login", "body": "Login is broken, I cannot sign in."}]),
    )
    .await;
    srv.wait_analysed(&other).await;
    corpus(&srv, &t).await;
    let login = srv.item_by_unique_id(&t, "login-1").await.expect("stored");

    let (status, body) = srv
        .get(&t, &format!("/api/1/items/{}/similar?limit=3", login["id"]))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ids = unique_ids(&body);
    assert_eq!(ids.first().map(String::as_str), Some("login-2"), "{body}");
    assert!(ids.len() <= 3, "{ids:?}");
    assert!(
        !ids.iter().any(|u| u == "login-1" || u == "other-login"),
        "{ids:?}"
    );

    // Another project's item is not found, and neither is an unknown one.
    let (status, body) = srv
        .get(&other, &format!("/api/1/items/{}/similar", login["id"]))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_error_shape(&body);
    let (status, body) = srv.get(&t, "/api/1/items/999999/similar").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    srv.stop().await;
}

#[tokio::test]
async fn bad_search_queries_are_refused_in_the_documented_shape() {
    let srv = TestServer::start().await;
    let t = srv.tenant("search-bad").await;
    let long = "a".repeat(1001);
    for (query, path) in [
        ("", "q"),
        ("?q=%20%20", "q"),
        ("?q=x&limit=0", "limit"),
        ("?q=x&limit=101", "limit"),
        ("?q=x&offset=500", "offset"),
        ("?q=x&offset=-1", "offset"),
        ("?q=x&cursor=abc", "cursor"),
        ("?q=x&category=nonsense", "category"),
        ("?q=x&created_from=yesterday", "created_from"),
    ] {
        let (status, body) = srv.get(&t, &format!("/api/1/search{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_error_shape(&body);
        assert!(
            issue_paths(&body).iter().any(|p| p == path),
            "{query}: {body}"
        );
    }
    let (status, body) = srv.get(&t, &format!("/api/1/search?q={long}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(issue_paths(&body), vec!["q".to_string()], "{body}");
    let (status, body) = srv.get(&t, "/api/1/items/1/similar?limit=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // Without credentials: 401, as everywhere.
    let (status, body) = crate::common::send(srv.http.get(srv.url("/api/1/search?q=login"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    srv.stop().await;
}

#[tokio::test]
async fn without_a_model_search_is_by_words_and_similar_is_unavailable() {
    let srv = TestServer::start().await;
    let t = srv.tenant("search-words").await;
    srv.ingest_ok(
        &t,
        json!([
            {"unique_id": "a", "body": "Login fails every time."},
            {"unique_id": "b", "body": "Please add a dark mode."},
            {"unique_id": "c", "body": "LOGIN is slow on Mondays."}
        ]),
    )
    .await;
    let (status, body) = srv.get(&t, "/api/1/search?q=login").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["mode"], "keyword", "{body}");
    let mut ids = unique_ids(&body);
    ids.sort();
    assert_eq!(ids, vec!["a".to_string(), "c".to_string()], "{body}");
    assert!(body["results"][0]["similarity"].is_null(), "{body}");
    assert_eq!(body["results"][0]["keyword"], true, "{body}");

    let (status, body) = srv.get(&t, "/api/1/search?q=log%20in").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(unique_ids(&body), Vec::<String>::new(), "{body}");

    let item = srv.item_by_unique_id(&t, "a").await.expect("stored");
    let (status, body) = srv
        .get(&t, &format!("/api/1/items/{}/similar", item["id"]))
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_error_shape(&body);
    srv.stop().await;
}
