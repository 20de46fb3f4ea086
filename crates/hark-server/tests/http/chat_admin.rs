//! The admin HTTP API of chat feedback (applications and access keys) and the credential
//! cache: keys issued over HTTP sign requests, revocation through this server is immediate,
//! revocation by another process (the store directly) is seen within the cache TTL.

use crate::chat_support::*;
use crate::common::{send, TestServer};
use hark_core::chat::{AccessKeyId, Application};
use hark_server::{ChatConfig, ServerConfig};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

const TOKEN: &str = "chat-admin-token-0123456789";

async fn server(cache_ttl: Duration) -> TestServer {
    TestServer::start_with(ServerConfig {
        admin_token: Some(TOKEN.into()),
        chat: ChatConfig {
            master_key: master(),
            cache_ttl,
            ..ChatConfig::default()
        },
        ..ServerConfig::default()
    })
    .await
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn applications_and_keys_are_managed_over_http() {
    let srv = server(Duration::from_secs(3600)).await;
    let tenant = srv.tenant("p").await;
    let pid = tenant.project_id.as_str().to_string();

    let (status, app) = srv
        .admin(
            TOKEN,
            Method::POST,
            &format!("/admin/projects/{pid}/applications"),
            Some(json!({"name": "support bot", "strict": true})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{app}");
    let mut keys: Vec<&str> = app
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "application_id",
            "created_at",
            "name",
            "project_id",
            "strict"
        ]
    );
    assert_eq!(app["strict"], true);
    assert_eq!(text(&app, "application_id").len(), 36);
    let (status, list) = srv
        .admin(
            TOKEN,
            Method::GET,
            &format!("/admin/projects/{pid}/applications"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        list["applications"][0]["application_id"],
        app["application_id"]
    );

    let keys_path = format!("/admin/projects/{pid}/access-keys");
    let (status, key) = srv.admin(TOKEN, Method::POST, &keys_path, None).await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let (key_id, secret) = (text(&key, "access_key_id"), text(&key, "secret_access_key"));
    assert!(key_id.starts_with("HKIA") && key_id.len() == 20, "{key}");
    assert_eq!(secret.len(), 40);
    assert_eq!(key["project_id"], pid.as_str());
    let (status, listed) = srv.admin(TOKEN, Method::GET, &keys_path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["access_keys"][0]["access_key_id"], key_id.as_str());
    assert_eq!(listed["access_keys"][0]["revoked_at"], Value::Null);
    assert!(
        !listed.to_string().contains(&secret),
        "no secrets in listings"
    );

    // The issued key signs PutFeedback for the new (lenient) application.
    let (_, lenient) = srv
        .admin(
            TOKEN,
            Method::POST,
            &format!("/admin/projects/{pid}/applications"),
            Some(json!({"name": "lenient"})),
        )
        .await;
    assert_eq!(lenient["strict"], false);
    let app: Application = serde_json::from_value(lenient).expect("application JSON");
    let t = ChatTenant {
        tenant,
        app,
        key_id: key_id.clone(),
        secret: secret.clone(),
    };
    put_feedback(&srv, &t, &id('c'), &id('m'), None, &vote("USEFUL", 1))
        .await
        .assert_ok_empty();

    // Revocation through this server applies at once, although the key is cached for an hour.
    let (status, revoked) = srv
        .admin(
            TOKEN,
            Method::POST,
            &format!("{keys_path}/{key_id}/revoke"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert_eq!(revoked["access_key_id"], key_id.as_str());
    assert!(revoked["revoked_at"].is_string(), "{revoked}");
    let r = put_feedback(&srv, &t, &id('c'), &id('m'), None, &vote("USEFUL", 2)).await;
    r.assert_aws_error(StatusCode::FORBIDDEN, "AccessDeniedException");
    assert!(r.json["message"]
        .as_str()
        .is_some_and(|m| m.contains("revoked")));
    srv.stop().await;
}

#[tokio::test]
async fn admin_chat_errors() {
    let srv = server(Duration::from_secs(2)).await;
    let tenant = srv.tenant("p").await;
    let pid = tenant.project_id.as_str();
    for (method, path, body) in [
        (
            Method::POST,
            "/admin/projects/prj_nope/applications".to_string(),
            Some(json!({"name": "x"})),
        ),
        (
            Method::GET,
            "/admin/projects/prj_nope/applications".to_string(),
            None,
        ),
        (
            Method::POST,
            "/admin/projects/prj_nope/access-keys".to_string(),
            None,
        ),
        (
            Method::GET,
            "/admin/projects/prj_nope/access-keys".to_string(),
            None,
        ),
    ] {
        let (status, r) = srv.admin(TOKEN, method, &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {r}");
        assert_eq!(r, json!({"error": "project not found"}));
    }
    let (status, r) = srv
        .admin(
            TOKEN,
            Method::POST,
            &format!("/admin/projects/{pid}/access-keys/HKIANOSUCHKEY0000000/revoke"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{r}");
    assert_eq!(r, json!({"error": "access key not found"}));
    let (status, r) = srv
        .admin(
            TOKEN,
            Method::POST,
            &format!("/admin/projects/{pid}/applications"),
            Some(json!({"name": "x", "strict": "yes"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{r}");
    // Without the token: 401, as the rest of the admin API.
    let (status, _) = send(
        srv.http
            .post(srv.url(&format!("/admin/projects/{pid}/access-keys"))),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    srv.stop().await;
}

/// `hark admin revoke-access-key` writes to the database from another process; this server
/// sees it when its cached entry expires. With a zero TTL that is the next request; with a
/// long TTL the cached key keeps working until then (the documented trade-off).
#[tokio::test]
async fn revocation_by_another_process_is_seen_within_the_cache_ttl() {
    for (ttl, refused_at_once) in [(Duration::ZERO, true), (Duration::from_secs(3600), false)] {
        let srv = server(ttl).await;
        let t = chat_tenant(&srv, "p", false).await;
        put_feedback(&srv, &t, &id('c'), &id('m'), None, &vote("USEFUL", 1))
            .await
            .assert_ok_empty();
        srv.store
            .revoke_access_key(&t.tenant.project_id, &AccessKeyId::new(t.key_id.clone()))
            .await
            .expect("revoke");
        let r = put_feedback(&srv, &t, &id('c'), &id('m'), None, &vote("USEFUL", 2)).await;
        let expected = if refused_at_once {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::OK
        };
        assert_eq!(r.status, expected, "ttl {ttl:?}: {}", r.text);
        srv.stop().await;
    }
}

/// An application created by another process is found (a cached miss expires with the TTL;
/// with a zero TTL, at once).
#[tokio::test]
async fn applications_created_elsewhere_are_found() {
    let srv = server(Duration::ZERO).await;
    let t = chat_tenant(&srv, "p", false).await;
    let mut probe = t.clone();
    probe.app.application_id = hark_core::chat::ApplicationId::from_stored(id('n'));
    let r = put_feedback(&srv, &probe, &id('c'), &id('m'), None, &vote("USEFUL", 1)).await;
    r.assert_aws_error(StatusCode::NOT_FOUND, "ResourceNotFoundException");
    let app =
        hark_store::create_application(srv.store.as_ref(), &t.tenant.project_id, "new", false)
            .await
            .expect("create application");
    probe.app = app;
    put_feedback(&srv, &probe, &id('c'), &id('m'), None, &vote("USEFUL", 1))
        .await
        .assert_ok_empty();
    srv.stop().await;
}
