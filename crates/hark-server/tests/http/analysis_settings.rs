//! A project's own theme granularity: read, set, cleared, validated, kept to its project, and
//! used by the next discovery (with the real model).

use crate::common::{assert_error_shape, issue_paths, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Re-clusters and answers the mentions in themes and the largest theme's (a finer cut makes
/// smaller groups, of which fewer reach a theme's minimum size).
async fn themes_after_recluster(srv: &TestServer, t: &crate::common::Tenant) -> (u64, u64) {
    let (status, body) = srv
        .call(t, Method::POST, "/api/1/themes/recluster", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, listing) = srv.get(t, "/api/1/themes").await;
    let sizes: Vec<u64> = listing["themes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|th| th["metrics"]["mentions"].as_u64())
                .collect()
        })
        .unwrap_or_default();
    (sizes.iter().sum(), sizes.iter().copied().max().unwrap_or(0))
}

async fn patch(srv: &TestServer, t: &crate::common::Tenant, body: Value) -> (StatusCode, Value) {
    srv.call(t, Method::PATCH, "/api/1/analysis/settings", Some(body))
        .await
}

#[tokio::test]
async fn a_project_chooses_its_theme_granularity() {
    let Some(srv) = TestServer::start_analysing().await else {
        return;
    };
    let t = srv.tenant("granularity").await;
    let other = srv.tenant("granularity-other").await;
    crate::themes::seed(&srv, &t).await;
    srv.wait_analysed(&t).await;

    let deployment = json!({"theme_granularity": "normal", "theme_granularity_from": "deployment"});
    assert_eq!(srv.get(&t, "/api/1/analysis/settings").await.1, deployment);

    let (status, body) = patch(&srv, &t, json!({"theme_granularity": "coarser"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"theme_granularity": "coarser", "theme_granularity_from": "project"})
    );
    let coarser = themes_after_recluster(&srv, &t).await;
    patch(&srv, &t, json!({"theme_granularity": "finer"})).await;
    let finer = themes_after_recluster(&srv, &t).await;
    assert!(
        finer.0 < coarser.0 && finer.1 < coarser.1,
        "themed mentions and largest theme: finer {finer:?}, coarser {coarser:?}"
    );

    // The other project keeps the deployment's; an empty patch changes nothing; null clears.
    assert_eq!(
        srv.get(&other, "/api/1/analysis/settings").await.1,
        deployment
    );
    let (_, kept) = patch(&srv, &t, json!({})).await;
    assert_eq!(kept["theme_granularity"], "finer");
    let (_, cleared) = patch(&srv, &t, json!({"theme_granularity": null})).await;
    assert_eq!(cleared, deployment);

    for bad in [
        json!({"theme_granularity": "finest"}),
        json!({"theme_granularity": 2}),
        json!({"granularity": "finer"}),
    ] {
        let (status, body) = patch(&srv, &t, bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_error_shape(&body);
        assert_eq!(issue_paths(&body).len(), 1, "{body}");
    }
    assert_eq!(srv.get(&t, "/api/1/analysis/settings").await.1, deployment);
}
