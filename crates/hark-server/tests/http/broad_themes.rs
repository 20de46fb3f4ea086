//! Broad themes over HTTP: after a real discovery every broad theme's children name it as their
//! parent; a hierarchy stored for known themes is listed with its children's mentions counted
//! together, shown in detail, filters mentions, and stays in its project.

use crate::common::{assert_error_shape, TestServer};
use hark_core::analysis::{BroadTheme, ThemeId};
use hark_core::Timestamp;
use hark_store::ThemeUpdate;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;

async fn get(srv: &TestServer, t: &crate::common::Tenant, path: &str) -> Value {
    let (status, body) = srv.call(t, Method::GET, path, None).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

fn mentions(v: &Value) -> u64 {
    v["metrics"]["mentions"].as_u64().unwrap_or(0)
}

#[tokio::test]
async fn broad_themes_group_their_themes_over_http() {
    let Some(srv) = TestServer::start_analysing().await else {
        return;
    };
    let t = srv.tenant("broad").await;
    let other = srv.tenant("broad-other").await;
    crate::themes::seed(&srv, &t).await;
    srv.wait_analysed(&t).await;
    let (status, body) = srv
        .call(&t, Method::POST, "/api/1/themes/recluster", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Whatever the discovery grouped, the two levels agree.
    let listing = get(&srv, &t, "/api/1/themes").await;
    let themes = listing["themes"].as_array().cloned().unwrap_or_default();
    assert!(themes.len() >= 2, "{listing}");
    let parents: HashMap<String, Value> = themes
        .iter()
        .map(|th| {
            (
                th["id"].as_str().unwrap_or("").to_string(),
                th["parent_id"].clone(),
            )
        })
        .collect();
    let found = get(&srv, &t, "/api/1/broad-themes").await;
    for b in found["broad_themes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let children = b["children"].as_array().cloned().unwrap_or_default();
        assert!(children.len() >= 2, "{b}");
        for c in children {
            assert_eq!(parents[c.as_str().unwrap_or("")], b["id"], "{found}");
        }
    }

    // A hierarchy for two known themes, stored as a discovery would.
    let mut ids: Vec<(String, u64)> = themes
        .iter()
        .map(|th| (th["id"].as_str().unwrap_or("").to_string(), mentions(th)))
        .collect();
    ids.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let (first, second) = (&ids[0], &ids[1]);
    let top = ThemeId::generate_broad();
    let now = Timestamp::now();
    let broad = BroadTheme {
        id: top.clone(),
        project: t.project_id.clone(),
        label: "login, export".into(),
        key_phrases: vec!["login".into(), "export".into()],
        children: vec![ThemeId(first.0.clone()), ThemeId(second.0.clone())],
        centroid: vec![],
        created_at: now,
        updated_at: now,
    };
    let update = ThemeUpdate {
        broad: Some(vec![broad]),
        ..ThemeUpdate::default()
    };
    srv.store
        .apply_themes(&t.project_id, update)
        .await
        .expect("stored");

    let listing = get(&srv, &t, "/api/1/themes").await;
    for th in listing["themes"].as_array().cloned().unwrap_or_default() {
        let mine = th["id"] == first.0.as_str() || th["id"] == second.0.as_str();
        let want = if mine { json!(top.0) } else { Value::Null };
        assert_eq!(th["parent_id"], want, "{th}");
    }
    let total: u64 = listing["themes"]
        .as_array()
        .map(|a| a.iter().map(mentions).sum::<u64>())
        .unwrap_or(0)
        + listing["unthemed"]["mentions"].as_u64().unwrap_or(0);

    let found = get(&srv, &t, "/api/1/broad-themes").await;
    let list = found["broad_themes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(list.len(), 1, "{found}");
    let b = &list[0];
    assert_eq!(b["id"], top.0.as_str());
    assert_eq!(b["label"], "login, export");
    assert_eq!(b["children"], json!([first.0, second.0]));
    assert_eq!(mentions(b), first.1 + second.1, "{found}");
    assert_eq!(
        found["ungrouped"]["mentions"].as_u64().unwrap_or(0),
        total - first.1 - second.1
    );
    assert!(!b["quotes"].as_array().is_none_or(Vec::is_empty), "{b}");
    assert!(b.get("centroid").is_none());

    let detail = get(
        &srv,
        &t,
        &format!("/api/1/broad-themes/{}?limit=100", top.0),
    )
    .await;
    assert_eq!(mentions(&detail), first.1 + second.1);
    let children: Vec<(&str, u64)> = detail["themes"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|th| (th["id"].as_str().unwrap_or(""), mentions(th)))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        children,
        [(first.0.as_str(), first.1), (second.0.as_str(), second.1)]
    );
    let shown = detail["mentions"].as_array().cloned().unwrap_or_default();
    assert_eq!(shown.len() as u64, first.1 + second.1);
    assert!(shown
        .iter()
        .all(|m| m["theme_id"] == first.0.as_str() || m["theme_id"] == second.0.as_str()));
    let page = get(
        &srv,
        &t,
        &format!("/api/1/mentions?broad_theme={}&limit=500", top.0),
    )
    .await;
    assert_eq!(page["mentions"], detail["mentions"]);

    // Another project sees none of it; unknown ids are 404 in the API's error shape.
    let theirs = get(&srv, &other, "/api/1/broad-themes").await;
    assert_eq!(
        theirs,
        json!({"broad_themes": [], "ungrouped": null, "rising": []})
    );
    let path = format!("/api/1/broad-themes/{}", top.0);
    for (tenant, path) in [
        (&other, path.as_str()),
        (&t, "/api/1/broad-themes/bt_missing"),
    ] {
        let (status, body) = srv.call(tenant, Method::GET, path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_error_shape(&body);
    }
    let page = get(
        &srv,
        &other,
        &format!("/api/1/mentions?broad_theme={}", top.0),
    )
    .await;
    assert_eq!(page["mentions"], json!([]));
    let (status, body) = srv.get(&t, "/api/1/broad-themes?limit=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_error_shape(&body);
}
