//! Themes with the real model: discovery over three clear topics, metrics that agree with the
//! mention listing, filters, curation (rename, pin, merge, delete) and project isolation; and
//! the validation of the themes and mentions APIs without a model.

use crate::common::{assert_error_shape, issue_paths, Tenant, TestServer};
use hark_core::SourceKind;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashSet;

const LOGIN: [&str; 10] = [
    "I can't log in to my account, the password is always rejected.",
    "Login fails with an invalid password error even after a reset.",
    "The login page keeps rejecting my password.",
    "I am unable to sign in, it says my credentials are wrong.",
    "Since yesterday I cannot log into the app at all.",
    "The password reset email never arrives so I can't log in.",
    "Sign in is broken, it loops back to the login screen.",
    "My two-factor login code is never accepted.",
    "Every time I try to log in I get an authentication error.",
    "Logging in fails on my phone with a wrong password message.",
];
const EXPORT: [&str; 10] = [
    "Please add an option to export reports to Excel.",
    "We need to export our data as an Excel spreadsheet.",
    "Could you add an Excel export for the dashboard?",
    "Exporting the report to Excel would save us hours.",
    "I wish I could export the table to a spreadsheet.",
    "Please let us download the dashboard data as an XLSX file.",
    "An Excel export button on the reports page would be great.",
    "We would love a way to export all invoices to Excel.",
    "Add the ability to export charts and tables to Excel please.",
    "Export to spreadsheet is the one feature we are missing.",
];
const PRICING: [&str; 10] = [
    "The new pricing is far too expensive for a small team.",
    "Your subscription price doubled and we cannot afford it.",
    "The plans are too expensive compared to competitors.",
    "Pricing per seat is way too high for our budget.",
    "I will cancel because the monthly price is too high.",
    "The price increase this year is unreasonable.",
    "It is too expensive, please offer a cheaper plan for startups.",
    "We pay far too much for the premium plan.",
    "The cost per user is much higher than other tools.",
    "Your pricing is not fair for small businesses.",
];
/// The end of the second week of the data: "this week" is 2026-03-09.
const TO: &str = "2026-03-16T00:00:00Z";

/// 30 items, 10 per topic, from 12 users over two sources, 4 in the week of 2026-03-02 and 6
/// in the week of 2026-03-09 per topic. Returns the second source's id.
pub(crate) async fn seed(srv: &TestServer, t: &Tenant) -> String {
    let second = hark_store::create_source(
        srv.store.as_ref(),
        &t.project_id,
        "survey",
        SourceKind::Webhook,
    )
    .await
    .expect("second source");
    let mut by_source: [Vec<Value>; 2] = [Vec::new(), Vec::new()];
    for (topic, texts) in [LOGIN, EXPORT, PRICING].iter().enumerate() {
        for (i, text) in texts.iter().enumerate() {
            let n = topic * 10 + i;
            let day = if i < 4 { 2 + i } else { 9 + (i - 4) % 5 };
            by_source[n % 2].push(json!({
                "unique_id": format!("t{n}"),
                "body": text,
                "user_id": format!("user-{}", n % 12),
                "created_at": format!("2026-03-{day:02}T10:00:00Z"),
            }));
        }
    }
    let [first, other] = by_source;
    srv.ingest_ok(t, json!(first)).await;
    let body = json!({"source_id": second.source_id, "items": other});
    let (status, answer) = srv.ingest(t, &body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    second.source_id.as_str().to_string()
}

async fn ok(
    srv: &TestServer,
    t: &Tenant,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let (status, answer) = srv.call(t, method, path, body).await;
    assert!(status.is_success(), "{path}: {status} {answer}");
    answer
}

fn themes(listing: &Value) -> Vec<Value> {
    listing["themes"].as_array().cloned().unwrap_or_default()
}

fn total_mentions(listing: &Value) -> u64 {
    let themed: u64 = themes(listing)
        .iter()
        .map(|th| th["metrics"]["mentions"].as_u64().unwrap_or(0))
        .sum();
    themed + listing["unthemed"]["mentions"].as_u64().unwrap_or(0)
}

async fn mention_count(srv: &TestServer, t: &Tenant, query: &str) -> usize {
    let page = ok(
        srv,
        t,
        Method::GET,
        &format!("/api/1/mentions?{query}"),
        None,
    )
    .await;
    page["mentions"].as_array().map_or(0, Vec::len)
}

/// Checks every theme's metrics against the mention listing and the rising rule.
async fn check_listing(srv: &TestServer, t: &Tenant, listing: &Value) {
    let mut want_rising = Vec::new();
    for th in themes(listing) {
        let id = th["id"].as_str().expect("theme id");
        assert!(id.starts_with("th_"), "{th}");
        let m = &th["metrics"];
        let mentions = m["mentions"].as_u64().expect("mentions");
        let listed = mention_count(srv, t, &format!("theme={id}&limit=500&to={TO}")).await;
        assert_eq!(mentions as usize, listed, "{th}");
        assert!(
            m["distinct_users"].as_u64().expect("users") <= mentions,
            "{th}"
        );
        let weekly: u64 = m["weekly"]
            .as_array()
            .expect("weekly")
            .iter()
            .map(|w| w["mentions"].as_u64().unwrap_or(0))
            .sum();
        assert_eq!(weekly, mentions, "{th}");
        let (this, last) = (m["this_week"].as_u64(), m["last_week"].as_u64());
        let (this, last) = (this.expect("this_week"), last.expect("last_week"));
        assert_eq!(
            this + last,
            mentions,
            "all mentions are in these two weeks: {th}"
        );
        let categories: u64 = m["categories"]
            .as_object()
            .expect("categories object")
            .values()
            .map(|v| v.as_u64().unwrap_or(0))
            .sum();
        assert_eq!(categories, mentions, "{th}");
        if last == 0 {
            assert!(m["wow_change"].is_null(), "{th}");
        }
        if this >= 3 && this > last {
            want_rising.push((this - last, id.to_string()));
        }
    }
    let rising: Vec<String> = listing["rising"]
        .as_array()
        .expect("rising")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect();
    let got: HashSet<_> = rising.iter().cloned().collect();
    assert_eq!(got, want_rising.iter().map(|(_, id)| id.clone()).collect());
}

#[tokio::test]
async fn themes_are_discovered_counted_and_curated() {
    let Some(srv) = TestServer::start_analysing().await else {
        return;
    };
    let t = srv.tenant("themes").await;
    let other = srv.tenant("other").await;
    let second_source = seed(&srv, &t).await;
    srv.wait_analysed(&t).await;
    let total = mention_count(&srv, &t, "limit=500").await;
    assert!(total >= 30, "one mention per item at least: {total}");

    let answer = ok(&srv, &t, Method::POST, "/api/1/themes/recluster", None).await;
    assert!(
        answer["themes_updated"].as_u64().unwrap_or(0) >= 2,
        "{answer}"
    );
    let listing = ok(
        &srv,
        &t,
        Method::GET,
        &format!("/api/1/themes?to={TO}"),
        None,
    )
    .await;
    let found = themes(&listing);
    assert!(found.len() >= 2, "{listing}");
    assert_eq!(total_mentions(&listing) as usize, total, "{listing}");
    check_listing(&srv, &t, &listing).await;

    // A source filter counts only that source's mentions.
    let path = format!("/api/1/themes?to={TO}&source={second_source}");
    let filtered = ok(&srv, &t, Method::GET, &path, None).await;
    let part = total_mentions(&filtered) as usize;
    assert!(part > 0 && part < total, "{part} of {total}: {filtered}");
    for th in themes(&filtered) {
        assert!(th["metrics"]["sources"].as_u64().unwrap_or(0) <= 1, "{th}");
    }

    // One theme in detail, and paging through the mentions.
    let a = found[0]["id"].as_str().expect("id").to_string();
    let detail = ok(&srv, &t, Method::GET, &format!("/api/1/themes/{a}"), None).await;
    assert_eq!(
        detail["metrics"]["mentions"],
        found[0]["metrics"]["mentions"]
    );
    let shown = detail["mentions"].as_array().expect("mentions");
    let mentions = found[0]["metrics"]["mentions"].as_u64().unwrap_or(0) as usize;
    assert_eq!(shown.len(), mentions.min(20));
    assert!(shown.iter().all(|m| m["theme_id"] == a.as_str()));
    let first = ok(&srv, &t, Method::GET, "/api/1/mentions?limit=5", None).await;
    let before = first["next_before"].as_i64().expect("a next page");
    let rest = mention_count(&srv, &t, &format!("before={before}&limit=500")).await;
    assert_eq!(5 + rest, total);

    // Another project sees none of it.
    let theirs = ok(&srv, &other, Method::GET, "/api/1/themes", None).await;
    assert_eq!(
        theirs,
        json!({"themes": [], "unthemed": null, "rising": []})
    );
    assert_eq!(mention_count(&srv, &other, &format!("theme={a}")).await, 0);
    let b = found[1]["id"].as_str().expect("id").to_string();
    for (method, path, body) in [
        (Method::GET, format!("/api/1/themes/{a}"), None),
        (
            Method::PATCH,
            format!("/api/1/themes/{a}"),
            Some(json!({"pinned": true})),
        ),
        (
            Method::POST,
            format!("/api/1/themes/{a}/merge"),
            Some(json!({"into": b})),
        ),
        (Method::DELETE, format!("/api/1/themes/{a}"), None),
    ] {
        let (status, body) = srv.call(&other, method, &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert_error_shape(&body);
    }

    // Rename and pin; a pinned theme survives re-clustering with its name.
    let path = format!("/api/1/themes/{a}");
    let patch = json!({"name": "Top issue", "pinned": true});
    let renamed = ok(&srv, &t, Method::PATCH, &path, Some(patch)).await;
    assert_eq!(
        (renamed["name"].as_str(), renamed["pinned"].as_bool()),
        (Some("Top issue"), Some(true))
    );
    let cleared = ok(&srv, &t, Method::PATCH, &path, Some(json!({"name": null}))).await;
    assert_eq!(
        (cleared["name"].clone(), cleared["pinned"].clone()),
        (Value::Null, json!(true))
    );
    ok(
        &srv,
        &t,
        Method::PATCH,
        &path,
        Some(json!({"name": "Top issue"})),
    )
    .await;
    ok(&srv, &t, Method::POST, "/api/1/themes/recluster", None).await;
    let again = ok(
        &srv,
        &t,
        Method::GET,
        &format!("/api/1/themes?to={TO}"),
        None,
    )
    .await;
    let kept = themes(&again).into_iter().find(|th| th["id"] == a.as_str());
    let kept = kept.unwrap_or_else(|| panic!("pinned theme {a} was dissolved: {again}"));
    assert_eq!(
        (kept["name"].as_str(), kept["pinned"].as_bool()),
        (Some("Top issue"), Some(true))
    );
    check_listing(&srv, &t, &again).await;

    // Merge another theme into it.
    let others: Vec<Value> = themes(&again)
        .into_iter()
        .filter(|th| th["id"] != a.as_str())
        .collect();
    let b = others
        .first()
        .unwrap_or_else(|| panic!("a second theme: {again}"));
    let b_id = b["id"].as_str().expect("id").to_string();
    let sum = kept["metrics"]["mentions"].as_u64().unwrap_or(0)
        + b["metrics"]["mentions"].as_u64().unwrap_or(0);
    let (status, body) = srv
        .call(
            &t,
            Method::POST,
            &format!("/api/1/themes/{a}/merge"),
            Some(json!({"into": a})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(issue_paths(&body), ["into"]);
    let into = ok(
        &srv,
        &t,
        Method::POST,
        &format!("/api/1/themes/{b_id}/merge"),
        Some(json!({"into": a})),
    )
    .await;
    assert_eq!(into["id"], a.as_str());
    let (status, _) = srv.get(&t, &format!("/api/1/themes/{b_id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "merged away");
    assert_eq!(
        mention_count(&srv, &t, &format!("theme={a}&limit=500")).await as u64,
        sum
    );

    // Delete it: its mentions become unthemed.
    let unthemed_before = ok(&srv, &t, Method::GET, "/api/1/themes", None).await["unthemed"]
        ["mentions"]
        .as_u64()
        .unwrap_or(0);
    let (status, body) = srv.call(&t, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = srv.call(&t, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = srv.get(&t, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let after = ok(&srv, &t, Method::GET, "/api/1/themes", None).await;
    assert_eq!(
        after["unthemed"]["mentions"].as_u64(),
        Some(unthemed_before + sum),
        "{after}"
    );
    assert_eq!(total_mentions(&after) as usize, total);
}

#[tokio::test]
async fn theme_and_mention_requests_are_validated() {
    let srv = TestServer::start().await;
    let t = srv.tenant("p").await;
    for path in [
        "/api/1/themes?category=bugs",
        "/api/1/themes?limit=0",
        "/api/1/themes?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z",
        "/api/1/themes?theme=th_a",
        "/api/1/mentions?limit=501",
        "/api/1/mentions?before=x",
        "/api/1/mentions?colour=red",
    ] {
        let (status, body) = srv.get(&t, path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_error_shape(&body);
    }
    let listing = ok(&srv, &t, Method::GET, "/api/1/themes", None).await;
    assert_eq!(
        listing,
        json!({"themes": [], "unthemed": null, "rising": []})
    );
    let page = ok(&srv, &t, Method::GET, "/api/1/mentions", None).await;
    assert_eq!(page, json!({"mentions": [], "next_before": null}));

    let path = "/api/1/themes/th_missing";
    for (method, path, body, want) in [
        (Method::GET, path.to_string(), None, StatusCode::NOT_FOUND),
        (
            Method::PATCH,
            path.to_string(),
            Some(json!({"pinned": true})),
            StatusCode::NOT_FOUND,
        ),
        (
            Method::PATCH,
            path.to_string(),
            Some(json!({"name": ""})),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::DELETE,
            path.to_string(),
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            format!("{path}/merge"),
            Some(json!({"into": "th_other"})),
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            format!("{path}/merge"),
            Some(json!({"into": "th_missing"})),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (status, answer) = srv.call(&t, method, &path, body).await;
        assert_eq!(status, want, "{path}: {answer}");
        assert_error_shape(&answer);
    }
    let (status, _) = srv
        .http
        .get(srv.url("/api/1/themes"))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .expect("sent");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
