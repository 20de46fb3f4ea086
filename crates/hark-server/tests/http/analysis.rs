//! The analysis API: item analysis with the real model (mentions, categories, sentiment), a
//! person's category kept over re-analysis, example imports, and the server without a model.

use crate::common::{assert_error_shape, issue_paths, Tenant, TestServer, EXAMPLES_DIR};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const CATEGORIES: [&str; 6] = [
    "bug",
    "feature_request",
    "complaint",
    "praise",
    "question",
    "other",
];

/// The id of the tenant's item with this `unique_id`.
async fn item_id(srv: &TestServer, t: &Tenant, unique_id: &str) -> i64 {
    let item = srv.item_by_unique_id(t, unique_id).await.expect("stored");
    item["id"].as_i64().expect("numeric id")
}

/// The stored analysis of an item (`null` before it is analysed).
async fn analysis_of(srv: &TestServer, t: &Tenant, unique_id: &str) -> Value {
    let item = srv.item_by_unique_id(t, unique_id).await.expect("stored");
    item["analysis"].clone()
}

/// Asserts the shape and ranges of a stored analysis.
fn assert_analysis_in_range(a: &Value) {
    assert!(a.is_object(), "no analysis: {a}");
    let category = a["category"].as_str().unwrap_or_default();
    assert!(CATEGORIES.contains(&category), "{a}");
    let score = a["sentiment"]["score"].as_f64().expect("a score");
    assert!((-1.0..=1.0).contains(&score), "{a}");
    let label = a["sentiment"]["label"].as_str().unwrap_or_default();
    assert!(["negative", "neutral", "positive"].contains(&label), "{a}");
    let confidence = a["confidence"].as_f64().expect("a confidence");
    assert!((0.0..=1.0).contains(&confidence), "{a}");
    assert!(a["analyzed_at"].is_string(), "{a}");
    for m in a["mentions"].as_array().expect("mentions") {
        assert!(CATEGORIES.contains(&m["category"].as_str().unwrap_or_default()));
        let score = m["sentiment"]["score"].as_f64().expect("a score");
        assert!((-1.0..=1.0).contains(&score), "{m}");
    }
}

fn mention_texts(a: &Value) -> Vec<String> {
    a["mentions"]
        .as_array()
        .expect("mentions")
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn the_support_ticket_is_analysed_from_the_customers_words_only() {
    let Some(srv) = TestServer::start_analysing().await else {
        return;
    };
    let t = srv.tenant("ticket").await;
    let path = format!("{EXAMPLES_DIR}/2-support-ticket.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let body: Value = serde_json::from_str(&text.replace("YOUR_SOURCE_ID", t.source_id.as_str()))
        .expect("the example is JSON");
    let (status, answer) = srv.ingest(&t, &body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    srv.wait_analysed(&t).await;

    let a = analysis_of(&srv, &t, "ticket-456").await;
    assert_analysis_in_range(&a);
    assert_eq!(a["category_source"], "model");
    let texts = mention_texts(&a).join("\n");
    assert!(
        texts.contains("export my dashboard data to Excel"),
        "{texts}"
    );
    assert!(texts.contains("native Excel support"), "{texts}");
    assert!(!texts.contains("Thanks for reaching out"), "{texts}");
    assert!(!texts.contains("Settings > Data Export"), "{texts}");
}

#[tokio::test]
async fn clear_cases_get_their_category_and_sentiment() {
    let Some(srv) = TestServer::start_analysing().await else {
        return;
    };
    let t = srv.tenant("clear").await;
    let cases = [
        (
            "crash",
            "The app crashes every time I open the settings page.",
            "bug",
        ),
        (
            "excel",
            "Please add an export to Excel option.",
            "feature_request",
        ),
        ("love", "I love the new dashboard, great work!", "praise"),
    ];
    let items: Vec<Value> = cases
        .iter()
        .map(|(id, text, _)| json!({"unique_id": id, "body": text, "user_id": "u1"}))
        .collect();
    srv.ingest_ok(&t, json!(items)).await;
    srv.wait_analysed(&t).await;

    for (id, text, want) in cases {
        let a = analysis_of(&srv, &t, id).await;
        assert_analysis_in_range(&a);
        assert_eq!(a["category"], want, "{text}: {a}");
        assert!(!mention_texts(&a).is_empty(), "{text}: {a}");
    }
    let praise = analysis_of(&srv, &t, "love").await;
    assert_eq!(praise["sentiment"]["label"], "positive", "{praise}");
    assert!(praise["sentiment"]["score"].as_f64().unwrap_or(0.0) > 0.0);
}

#[tokio::test]
async fn a_persons_category_survives_reanalysis() {
    let Some(srv) = TestServer::start_analysing().await else {
        return;
    };
    let t = srv.tenant("corrections").await;
    let text = "The app crashes every time I open the settings page.";
    srv.ingest_ok(&t, json!([{"unique_id": "c1", "body": text}]))
        .await;
    srv.wait_analysed(&t).await;
    assert_eq!(
        analysis_of(&srv, &t, "c1").await["category_source"],
        "model"
    );

    let id = item_id(&srv, &t, "c1").await;
    let path = format!("/api/1/items/{id}/category");
    let (status, body) = srv
        .call(
            &t,
            Method::PUT,
            &path,
            Some(json!({"category": "question"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"category": "question", "category_source": "user"})
    );

    let (status, body) = srv
        .call(&t, Method::POST, "/api/1/analysis/reanalyze", None)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body, json!({"queued": 1}));
    srv.wait_analysed(&t).await;

    let a = analysis_of(&srv, &t, "c1").await;
    assert_analysis_in_range(&a);
    assert_eq!(a["category"], "question", "{a}");
    assert_eq!(a["category_source"], "user", "{a}");
    assert!(!mention_texts(&a).is_empty(), "{a}");
    let examples = srv.store.examples(&t.project_id).await.expect("examples");
    assert_eq!(examples.len(), 1, "the correction is learned from");
    assert_eq!(examples[0].origin, "correction");
}

#[tokio::test]
async fn setting_a_category_checks_the_item_and_the_name() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    let other = srv.tenant("other").await;
    srv.ingest_ok(&t, json!([{"unique_id": "i1", "body": "Search is slow"}]))
        .await;
    let id = item_id(&srv, &t, "i1").await;
    let path = format!("/api/1/items/{id}/category");

    let (status, body) = srv
        .call(&t, Method::PUT, &path, Some(json!({"category": "rant"})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_error_shape(&body);
    assert_eq!(issue_paths(&body), ["category"]);
    let message = body["issues"][0]["message"].as_str().unwrap_or_default();
    for name in CATEGORIES {
        assert!(message.contains(name), "{message}");
    }

    for (who, path) in [
        (&t, "/api/1/items/999999/category".to_string()),
        (&t, "/api/1/items/nope/category".to_string()),
        (&other, path.clone()),
    ] {
        let (status, body) = srv
            .call(who, Method::PUT, &path, Some(json!({"category": "bug"})))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert_error_shape(&body);
    }

    let (status, body) = srv
        .call(&t, Method::PUT, &path, Some(json!({"category": "bug"})))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"category": "bug", "category_source": "user"}));
    let (status, _) = send_unauthenticated(&srv, &path).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn send_unauthenticated(srv: &TestServer, path: &str) -> (StatusCode, Value) {
    crate::common::send(
        srv.http
            .put(srv.url(path))
            .json(&json!({"category": "bug"})),
    )
    .await
}

#[tokio::test]
async fn examples_are_validated_and_stored_all_or_nothing() {
    let srv = TestServer::start().await;
    let t = srv.tenant("examples").await;
    let path = "/api/1/analysis/examples";
    let bad = json!({"examples": [
        {"text": "Crashes on start", "category": "bug"},
        {"text": "", "category": "bug"},
        {"text": "Add dark mode", "category": "wish"},
        {"text": "x".repeat(20_001), "category": "praise"},
        {"category": "bug"},
    ]});
    let (status, body) = srv.call(&t, Method::POST, path, Some(bad)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_error_shape(&body);
    assert_eq!(
        issue_paths(&body),
        [
            "examples[1].text",
            "examples[2].category",
            "examples[3].text",
            "examples[4].text"
        ]
    );
    let stored = srv.store.examples(&t.project_id).await.expect("examples");
    assert!(stored.is_empty(), "nothing stored from a refused request");

    let too_many: Vec<Value> = (0..1001)
        .map(|i| json!({"text": format!("t{i}"), "category": "bug"}))
        .collect();
    for body in [
        json!({"examples": []}),
        json!({ "examples": too_many }),
        json!({}),
    ] {
        let (status, answer) = srv.call(&t, Method::POST, path, Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(issue_paths(&answer), ["examples"]);
    }

    let good = json!({"examples": [
        {"text": "Crashes on start", "category": "bug"},
        {"text": "Add dark mode", "category": "feature_request"},
    ]});
    let (status, body) = srv.call(&t, Method::POST, path, Some(good)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"added": 2}));
    let stored = srv.store.examples(&t.project_id).await.expect("examples");
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|e| e.origin == "import"));
}

#[tokio::test]
async fn without_a_model_ingest_works_and_analysis_waits() {
    let srv = TestServer::start().await;
    let t = srv.tenant("no-model").await;
    srv.ingest_ok(&t, json!([{"unique_id": "a", "body": "Search is slow"}]))
        .await;

    let (status, body) = srv.get(&t, "/api/1/analysis/status").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"model": "unavailable", "queue": {"ready": 1, "leased": 0}})
    );
    assert_eq!(analysis_of(&srv, &t, "a").await, Value::Null);

    let (status, body) = srv
        .call(&t, Method::POST, "/api/1/themes/recluster", None)
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_error_shape(&body);
    let message = body["error"].as_str().unwrap_or_default();
    assert!(message.contains("scripts/fetch-model.sh"), "{message}");

    let (status, body) = srv
        .call(&t, Method::POST, "/api/1/analysis/reanalyze", None)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body, json!({"queued": 1}));
}
