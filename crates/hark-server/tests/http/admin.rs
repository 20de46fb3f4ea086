//! The admin HTTP API: bearer-token auth (404 when disabled, 401, 403) and its happy path,
//! ending with the created credentials used on the ingest API.

use crate::common::{assert_error_shape, basic_header, send, Tenant, TestServer};
use hark_core::{ProjectId, SourceId};
use hark_server::ServerConfig;
use reqwest::{Method, StatusCode};
use serde_json::json;

const TOKEN: &str = "test-admin-token-0123456789";

async fn admin_server() -> TestServer {
    TestServer::start_with(ServerConfig {
        admin_token: Some(TOKEN.into()),
        ..ServerConfig::default()
    })
    .await
}

#[tokio::test]
async fn admin_api_is_404_when_no_token_is_configured() {
    let srv = TestServer::start().await;
    for (method, path) in [
        (Method::GET, "/admin/projects"),
        (Method::POST, "/admin/projects"),
        (Method::POST, "/admin/projects/prj_x/rotate-secret"),
    ] {
        let (status, r) = srv
            .admin(TOKEN, method, path, Some(json!({"name": "x"})))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r, json!({"error": "admin API disabled"}));
    }
    srv.stop().await;
}

#[tokio::test]
async fn admin_api_needs_the_right_bearer_token() {
    let srv = admin_server().await;
    let url = srv.url("/admin/projects");
    let response = srv.http.get(&url).send().await.expect("sent");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().contains_key("www-authenticate"));
    assert_error_shape(&response.json().await.expect("JSON"));

    let (status, _) = send(
        srv.http
            .get(&url)
            .header("authorization", basic_header("a", TOKEN)),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for wrong in [
        "wrong",
        "test-admin-token-012345678",
        "test-admin-token-01234567890",
    ] {
        let (status, r) = send(srv.http.get(&url).bearer_auth(wrong)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{wrong}");
        assert_eq!(r, json!({"error": "invalid admin token"}));
    }
    // A project's credentials are not admin credentials.
    let t = srv.tenant("p").await;
    let (status, _) = send(srv.authed(Method::GET, "/admin/projects", &t)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    srv.stop().await;
}

#[tokio::test]
async fn admin_happy_path_creates_working_credentials() {
    let srv = admin_server().await;

    let (status, p) = srv
        .admin(
            TOKEN,
            Method::POST,
            "/admin/projects",
            Some(json!({"name": "Acme"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    assert_eq!(p["name"], "Acme");
    for key in ["project_id", "api_key", "secret_key"] {
        assert!(
            p[key].as_str().is_some_and(|s| !s.is_empty()),
            "{key} in {p}"
        );
    }
    let pid = p["project_id"].as_str().unwrap_or_default().to_string();

    let (status, list) = srv.admin(TOKEN, Method::GET, "/admin/projects", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["projects"][0]["project_id"], pid.as_str());
    assert_eq!(list["projects"][0]["api_key"], p["api_key"]);
    let text = list.to_string();
    assert!(!text.contains("secret"), "no secrets in listings: {text}");
    assert!(!text.contains(p["secret_key"].as_str().unwrap_or("?")));

    let sources_path = format!("/admin/projects/{pid}/sources");
    let (status, web) = srv
        .admin(
            TOKEN,
            Method::POST,
            &sources_path,
            Some(json!({"name": "web"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{web}");
    assert_eq!(web["type"], "webhook");
    assert_eq!(web["project_id"], pid.as_str());
    assert_eq!(web["name"], "web");
    assert!(web["created_at"].is_string() && web["source_id"].is_string());
    let (status, imp) = srv
        .admin(
            TOKEN,
            Method::POST,
            &sources_path,
            Some(json!({"name": "csv", "type": "import"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(imp["type"], "import");
    let (status, sources) = srv.admin(TOKEN, Method::GET, &sources_path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sources["sources"].as_array().map(Vec::len), Some(2));

    // The new credentials work on the ingest API, for the webhook source only.
    let mut t = Tenant {
        project_id: ProjectId::new(pid.clone()),
        api_key: p["api_key"].as_str().unwrap_or_default().into(),
        secret: p["secret_key"].as_str().unwrap_or_default().into(),
        source_id: SourceId::new(web["source_id"].as_str().unwrap_or_default()),
    };
    srv.ingest_ok(&t, json!([{"unique_id": "x", "body": "hi"}]))
        .await;
    let (status, _) = srv
        .ingest(
            &t,
            &json!({"source_id": imp["source_id"], "items": [{"unique_id": "y", "body": "b"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Rotation: the old secret stops working at once, the new one works.
    let (status, rotated) = srv
        .admin(
            TOKEN,
            Method::POST,
            &format!("/admin/projects/{pid}/rotate-secret"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rotated["project_id"], pid.as_str());
    let (status, _) = srv.get(&t, "/api/1/items").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    t.secret = rotated["secret_key"].as_str().unwrap_or_default().into();
    let (status, _) = srv.get(&t, "/api/1/items").await;
    assert_eq!(status, StatusCode::OK);
    srv.stop().await;
}

#[tokio::test]
async fn admin_errors_are_json() {
    let srv = admin_server().await;
    for (method, path, body) in [
        (
            Method::POST,
            "/admin/projects/prj_nope/sources",
            Some(json!({"name": "x"})),
        ),
        (Method::GET, "/admin/projects/prj_nope/sources", None),
        (Method::POST, "/admin/projects/prj_nope/rotate-secret", None),
    ] {
        let (status, r) = srv.admin(TOKEN, method, path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {r}");
        assert_eq!(r, json!({"error": "project not found"}));
    }
    let (_, p) = srv
        .admin(
            TOKEN,
            Method::POST,
            "/admin/projects",
            Some(json!({"name": "P"})),
        )
        .await;
    let sources_path = format!(
        "/admin/projects/{}/sources",
        p["project_id"].as_str().unwrap_or_default()
    );
    for (path, body) in [
        ("/admin/projects", json!({})),
        ("/admin/projects", json!({"name": 3})),
        ("/admin/projects", json!({"name": "x", "extra": 1})),
        ("/admin/projects", json!({"name": "x".repeat(201)})),
        (sources_path.as_str(), json!({"name": "s", "type": "rss"})),
        (sources_path.as_str(), json!({"type": "webhook"})),
    ] {
        let (status, r) = srv
            .admin(TOKEN, Method::POST, path, Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_error_shape(&r);
        assert!(r["issues"].is_array(), "{r}");
    }
    srv.stop().await;
}
