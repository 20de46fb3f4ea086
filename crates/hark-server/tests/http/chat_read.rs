//! The read-back API over HTTP: filters and pages of `/api/1/chat/feedback`, the numbers of
//! `/api/1/chat/stats` on a small fixed dataset, query errors, and project isolation.

use crate::chat_support::*;
use crate::common::{assert_error_shape, issue_paths, TestServer};
use hark_core::chat::ApplicationId;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Epoch seconds of an RFC 3339 instant.
fn at(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s)
        .expect("valid instant")
        .timestamp()
}

fn vote_with(usefulness: &str, when: &str, reason: Option<&str>, comment: Option<&str>) -> Value {
    json!({"messageUsefulness": {"usefulness": usefulness, "submittedAt": at(when),
                                 "reason": reason, "comment": comment}})
}

/// Two applications of one project (A, B) and this feedback:
///
/// | app | message | user | vote | when | reason | comment |
/// |---|---|---|---|---|---|---|
/// | A | m1 | u1 | USEFUL | Mon 2026-03-02 10:00 | | |
/// | A | m1 | u2 | NOT_USEFUL | Mon 2026-03-02 11:00 | NOT_HELPFUL | |
/// | A | m2 | u1 | NOT_USEFUL | Tue 2026-03-03 09:00 | NOT_HELPFUL | "meh" |
/// | A | m2 | u3 | (copied) | Tue 2026-03-03 10:00 | | |
/// | A | m2 | u4 | NOT_USEFUL | Tue 2026-03-03 12:00 | HARMFUL_OR_UNSAFE | |
/// | B | m3 | u1 | USEFUL | Tue 2026-03-10 00:00 | | |
///
/// m2 is recorded as an assistant answer ("Try turning it off").
async fn dataset(srv: &TestServer) -> (ChatTenant, ChatTenant) {
    let a = chat_tenant(srv, "p", false).await;
    let app_b =
        hark_store::create_application(srv.store.as_ref(), &a.tenant.project_id, "b", false)
            .await
            .expect("second application");
    let mut b = a.clone();
    b.app = app_b;
    let (c, m1, m2, m3) = (id('c'), id('1'), id('2'), id('3'));
    let record = json!({"role": "assistant", "text": "Try turning it off"}).to_string();
    let r = post_signed(
        srv,
        &message_path(a.app_id(), &c, &m2),
        &record,
        Some(&Signer::of(&a)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let rows = [
        (
            &a,
            &m1,
            "u1",
            vote_with("USEFUL", "2026-03-02T10:00:00Z", None, None),
        ),
        (
            &a,
            &m1,
            "u2",
            vote_with(
                "NOT_USEFUL",
                "2026-03-02T11:00:00Z",
                Some("NOT_HELPFUL"),
                None,
            ),
        ),
        (
            &a,
            &m2,
            "u1",
            vote_with(
                "NOT_USEFUL",
                "2026-03-03T09:00:00Z",
                Some("NOT_HELPFUL"),
                Some("meh"),
            ),
        ),
        (
            &a,
            &m2,
            "u3",
            json!({"messageCopiedAt": at("2026-03-03T10:00:00Z")}),
        ),
        (
            &a,
            &m2,
            "u4",
            vote_with(
                "NOT_USEFUL",
                "2026-03-03T12:00:00Z",
                Some("HARMFUL_OR_UNSAFE"),
                None,
            ),
        ),
        (
            &b,
            &m3,
            "u1",
            vote_with("USEFUL", "2026-03-10T00:00:00Z", None, None),
        ),
    ];
    for (t, m, user, body) in rows {
        put_feedback(srv, t, &c, m, Some(user), &body)
            .await
            .assert_ok_empty();
    }
    (a, b)
}

fn ids(feedback: &[Value], key: &str) -> Vec<String> {
    feedback
        .iter()
        .map(|f| f[key].as_str().unwrap_or("-").to_string())
        .collect()
}

#[tokio::test]
async fn stats_count_votes_copies_and_reasons_per_period() {
    let srv = chat_server().await;
    let (a, b) = dataset(&srv).await;
    let (status, day) = srv.get(&a.tenant, "/api/1/chat/stats").await;
    assert_eq!(status, StatusCode::OK, "{day}");
    let buckets = day["buckets"].as_array().cloned().unwrap_or_default();
    assert_eq!(buckets.len(), 3, "{day}");
    let expect = [
        (
            a.app_id(),
            "2026-03-02T00:00:00Z",
            2,
            1,
            1,
            0,
            json!({"NOT_HELPFUL": 1}),
        ),
        (
            a.app_id(),
            "2026-03-03T00:00:00Z",
            3,
            0,
            2,
            1,
            json!({"HARMFUL_OR_UNSAFE": 1, "NOT_HELPFUL": 1}),
        ),
        (b.app_id(), "2026-03-10T00:00:00Z", 1, 1, 0, 0, json!({})),
    ];
    for (bucket, (app, start, total, useful, not_useful, copied, reasons)) in
        buckets.iter().zip(expect)
    {
        assert_eq!(bucket["application_id"], app, "{bucket}");
        assert_eq!(bucket["period_start"], start, "{bucket}");
        assert_eq!(bucket["feedback"], total, "{bucket}");
        assert_eq!(bucket["useful"], useful, "{bucket}");
        assert_eq!(bucket["not_useful"], not_useful, "{bucket}");
        assert_eq!(bucket["copied"], copied, "{bucket}");
        assert_eq!(bucket["reasons"], reasons, "{bucket}");
    }
    assert_eq!(buckets[0]["useful_rate"], 0.5);
    assert_eq!(buckets[1]["useful_rate"], 0.0);
    let copy_rate = buckets[1]["copy_rate"].as_f64().unwrap_or_default();
    assert!((copy_rate - 1.0 / 3.0).abs() < 1e-9, "{copy_rate}");

    let top = day["most_not_useful"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(top.len(), 2, "{day}");
    assert_eq!(top[0]["message_id"], id('2'));
    assert_eq!(top[0]["not_useful"], 2);
    assert_eq!(top[0]["useful"], 0);
    assert_eq!(top[0]["text"], "Try turning it off");
    assert_eq!(top[1]["message_id"], id('1'));
    assert_eq!(
        (top[1]["not_useful"].clone(), top[1]["useful"].clone()),
        (json!(1), json!(1))
    );

    // Weeks start on Monday; one application; a time window; top=1.
    let q = format!(
        "/api/1/chat/stats?period=week&top=1&application_id={}",
        a.app_id()
    );
    let (_, week) = srv.get(&a.tenant, &q).await;
    let buckets = week["buckets"].as_array().cloned().unwrap_or_default();
    assert_eq!(buckets.len(), 1, "{week}");
    assert_eq!(buckets[0]["period_start"], "2026-03-02T00:00:00Z");
    assert_eq!(buckets[0]["feedback"], 5);
    assert_eq!(buckets[0]["useful_rate"], 0.25);
    assert_eq!(buckets[0]["copy_rate"], 0.2);
    assert_eq!(week["most_not_useful"].as_array().map(Vec::len), Some(1));
    let q = "/api/1/chat/stats?from=2026-03-03T00:00:00Z&to=2026-03-04T00:00:00Z&top=0";
    let (_, window) = srv.get(&a.tenant, q).await;
    assert_eq!(
        window["buckets"].as_array().map(Vec::len),
        Some(1),
        "{window}"
    );
    assert_eq!(window["buckets"][0]["feedback"], 3);
    assert_eq!(window["most_not_useful"], json!([]));
    srv.stop().await;
}

#[tokio::test]
async fn feedback_filters_and_pages() {
    let srv = chat_server().await;
    let (a, b) = dataset(&srv).await;
    let t = &a.tenant;
    let all = feedback(&srv, t, "").await;
    assert_eq!(all.len(), 6);
    // Newest event first.
    assert_eq!(ids(&all, "user_id"), ["u1", "u4", "u3", "u1", "u2", "u1"]);
    let count = |q: &'static str| {
        let srv = &srv;
        async move { feedback(srv, t, q).await.len() }
    };
    assert_eq!(count("usefulness=NOT_USEFUL").await, 3);
    assert_eq!(count("usefulness=USEFUL").await, 2);
    assert_eq!(count("reason=NOT_HELPFUL").await, 2);
    assert_eq!(count("user_id=u1").await, 3);
    assert_eq!(count("has_comment=true").await, 1);
    assert_eq!(count("has_comment=false").await, 5);
    assert_eq!(
        count("from=2026-03-03T00:00:00Z&to=2026-03-03T11:00:00Z").await,
        2
    );
    let only_b = feedback(&srv, t, &format!("application_id={}", b.app_id())).await;
    assert_eq!(ids(&only_b, "message_id"), [id('3')]);

    // Pages of two, following next_cursor, give every record once, in order.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let q = match &cursor {
            Some(c) => format!("/api/1/chat/feedback?limit=2&cursor={c}"),
            None => "/api/1/chat/feedback?limit=2".to_string(),
        };
        let (status, page) = srv.get(t, &q).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let rows = page["feedback"].as_array().cloned().unwrap_or_default();
        assert!(rows.len() <= 2);
        seen.extend(rows);
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, all);
    srv.stop().await;
}

#[tokio::test]
async fn bad_read_queries_are_400_in_harks_shape() {
    let srv = chat_server().await;
    let t = chat_tenant(&srv, "p", false).await;
    let (status, body) = srv
        .get(
            &t.tenant,
            "/api/1/chat/feedback?limit=501&usefulness=maybe&colour=red",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_error_shape(&body);
    assert_eq!(issue_paths(&body), ["limit", "usefulness", "colour"]);
    let (status, body) = srv.get(&t.tenant, "/api/1/chat/stats?period=month").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(issue_paths(&body), ["period"]);
    // Without credentials: hark's 401.
    let (status, _) = crate::common::send(srv.http.get(srv.url("/api/1/chat/feedback"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    srv.stop().await;
}

#[tokio::test]
async fn projects_are_isolated() {
    let srv = chat_server().await;
    let (a, _) = dataset(&srv).await;
    let other = chat_tenant(&srv, "other", false).await;
    put_feedback(
        &srv,
        &other,
        &id('c'),
        &id('1'),
        Some("u9"),
        &vote("USEFUL", 1),
    )
    .await
    .assert_ok_empty();

    // Each project reads only its own feedback, stats and conversations.
    let theirs = feedback(&srv, &other.tenant, "").await;
    assert_eq!(ids(&theirs, "user_id"), ["u9"]);
    assert_eq!(feedback(&srv, &a.tenant, "user_id=u9").await.len(), 0);
    let (_, stats) = srv.get(&other.tenant, "/api/1/chat/stats").await;
    assert_eq!(
        stats["buckets"].as_array().map(Vec::len),
        Some(1),
        "{stats}"
    );
    let conv = format!(
        "/api/1/chat/applications/{}/conversations/{}",
        a.app_id(),
        id('c')
    );
    let (status, _) = srv.get(&other.tenant, &conv).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = srv.get(&a.tenant, &conv).await;
    assert_eq!(status, StatusCode::OK);

    // A filter naming another project's application finds nothing.
    let q = format!("application_id={}", a.app_id());
    assert!(feedback(&srv, &other.tenant, &q).await.is_empty());

    // Another project's key cannot record into a's application either.
    let mut probe = other.clone();
    probe.app.application_id = ApplicationId::from_stored(a.app_id().to_string());
    let record = json!({"role": "user", "text": "hi"}).to_string();
    let r = post_signed(
        &srv,
        &message_path(a.app_id(), &id('c'), &id('1')),
        &record,
        Some(&Signer::of(&probe)),
    )
    .await;
    r.assert_aws_error(StatusCode::NOT_FOUND, "ResourceNotFoundException");
    srv.stop().await;
}
