//! The four request bodies of the spec, sent verbatim (only `YOUR_SOURCE_ID` replaced), then
//! read back through the items API.

use crate::common::{TestServer, EXAMPLES_DIR, INGEST};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Sends one example file as raw bytes, exactly as a client copying it from the docs would.
async fn send_example(srv: &TestServer, t: &crate::common::Tenant, file: &str) -> Value {
    let path = format!("{EXAMPLES_DIR}/{file}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let text = text.replace("YOUR_SOURCE_ID", t.source_id.as_str());
    let response = srv
        .authed(reqwest::Method::POST, INGEST, t)
        .header("content-type", "application/json")
        .body(text)
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), StatusCode::OK, "{file}");
    response.json().await.expect("JSON answer")
}

#[tokio::test]
async fn the_four_spec_examples_work_verbatim() {
    let srv = TestServer::start().await;
    let t = srv.tenant("examples").await;

    let r = send_example(&srv, &t, "1-simple-feedback.json").await;
    assert_eq!(r, json!({"ingested": 2, "failed": 0, "errors": []}));
    let review = srv
        .item_by_unique_id(&t, "review-789")
        .await
        .expect("stored");
    assert_eq!(review["body"], "The search feature is broken on mobile");
    assert_eq!(review["author"], "Jane Doe");
    assert_eq!(review["user_id"], "user-123");
    assert_eq!(review["url"], "https://feedback.example.com/reviews/789");
    assert_eq!(review["created_at"], "2026-03-15T10:30:00Z");
    assert_eq!(review["source_id"], t.source_id.as_str());
    assert!(srv
        .item_by_unique_id(&t, "nps-response-4822")
        .await
        .is_some());

    let r = send_example(&srv, &t, "2-support-ticket.json").await;
    assert_eq!(r, json!({"ingested": 1, "failed": 0, "errors": []}));
    assert_eq!(
        srv.part_ids(&t, "ticket-456").await,
        ["ticket-456-1", "ticket-456-2"]
    );

    let r = send_example(&srv, &t, "3-call-transcript.json").await;
    assert_eq!(r, json!({"ingested": 1, "failed": 0, "errors": []}));
    let call = srv.item_by_unique_id(&t, "call-123").await.expect("stored");
    assert_eq!(call["body"], Value::Null);
    assert_eq!(call["parts_count"], 2);
    assert_eq!(
        srv.part_ids(&t, "call-123").await,
        ["call-123-1", "call-123-2"]
    );
    assert_eq!(
        call["conversation_parts"][0]["body"],
        "How does that compare to the competition on pricing?"
    );

    let r = send_example(&srv, &t, "4-add-replies.json").await;
    assert_eq!(r, json!({"ingested": 1, "failed": 0, "errors": []}));
    assert_eq!(
        srv.part_ids(&t, "ticket-456").await,
        ["ticket-456-1", "ticket-456-2", "ticket-456-3"]
    );
    let ticket = srv
        .item_by_unique_id(&t, "ticket-456")
        .await
        .expect("stored");
    assert_eq!(
        ticket["body"],
        "I need to export my dashboard data to Excel but I cannot find the option"
    );
    assert_eq!(ticket["author"], "Jane Doe");
    assert_eq!(ticket["created_at"], "2026-03-10T09:00:00Z");
    assert_eq!(ticket["parts_count"], 3);
    assert_eq!(
        ticket["conversation_parts"][2]["email"],
        "agent@company.com"
    );

    // Five items sent, four distinct: example 4 updates the ticket of example 2.
    assert_eq!(srv.all_items(&t).await.len(), 4);
    srv.stop().await;
}

#[tokio::test]
async fn resending_every_example_changes_nothing() {
    let srv = TestServer::start().await;
    let t = srv.tenant("idempotent").await;
    let files = [
        "1-simple-feedback.json",
        "2-support-ticket.json",
        "3-call-transcript.json",
        "4-add-replies.json",
    ];
    for f in files {
        send_example(&srv, &t, f).await;
    }
    let before = srv
        .item_by_unique_id(&t, "ticket-456")
        .await
        .expect("stored");
    for f in files {
        let r = send_example(&srv, &t, f).await;
        assert_eq!(r["failed"], 0, "{f}: {r}");
    }
    let after = srv
        .item_by_unique_id(&t, "ticket-456")
        .await
        .expect("stored");
    assert_eq!(before["conversation_parts"], after["conversation_parts"]);
    assert_eq!(before["id"], after["id"]);
    assert_eq!(srv.all_items(&t).await.len(), 4);
    srv.stop().await;
}
